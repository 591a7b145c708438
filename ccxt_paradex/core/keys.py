"""Key parsing, Ethereum L1 -> StarkNet L2 key derivation and account addresses (StarkNet- and EVM-keyed).

Error messages never contain key material.
"""
import hashlib
import re

from ccxt.base.errors import AuthenticationError

from . import backend
from .curve import EC_ORDER
from .typed_data import hash_on_elements, selector
from .felt import short_string

_HEX = re.compile(r"^(0x)?([0-9a-fA-F]{1,64})$")
_ADDRESS_BOUND = 2**251 - 256
_CONTRACT_ADDRESS_PREFIX = short_string("STARKNET_CONTRACT_ADDRESS")
_MAX_ALLOWED = 2**256 - (2**256 % EC_ORDER)


def parse_hex_key(value, what: str, bound: int) -> int:
    """A 1..64-hex-digit key (``0x`` optional; short keys are left-padded) in ``[1, bound)``."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        match = _HEX.match(value.strip()) if isinstance(value, str) else None
        if match is None:
            raise AuthenticationError(f"{what} must be a hex string of at most 64 digits")
        number = int(match.group(2), 16)
    if not 0 < number < bound:
        raise AuthenticationError(f"{what} is out of range")
    return number


_SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def parse_eth_private_key(value) -> int:
    return parse_hex_key(value, "Ethereum private key", _SECP256K1_ORDER)


def parse_stark_private_key(value) -> int:
    return parse_hex_key(value, "StarkNet private key", EC_ORDER)


def parse_address(value, what: str = "account address") -> int:
    return parse_hex_key(value, what, 2**251)


def grind_key(seed: int) -> int:
    """StarkWare key grinding: first sha256(seed || index) below the largest multiple of EC_ORDER."""
    seed_bytes = _even_hex_bytes(seed)
    index = 0
    while True:
        key = int.from_bytes(hashlib.sha256(seed_bytes + _even_hex_bytes(index)).digest(), "big")
        if key < _MAX_ALLOWED:
            return key % EC_ORDER
        index += 1


def _even_hex_bytes(x: int) -> bytes:
    h = format(x, "x")
    return bytes.fromhex(h if len(h) % 2 == 0 else "0" + h)


def stark_key_typed_data(l1_chain_id) -> dict:
    return {
        "domain": {"name": "Paradex", "chainId": int(l1_chain_id), "version": "1"},
        "primaryType": "Constant",
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
            ],
            "Constant": [{"name": "action", "type": "string"}],
        },
        "message": {"action": "STARK Key"},
    }


def stark_key_message_hash(l1_chain_id) -> bytes:
    """EIP-712 digest of ``stark_key_typed_data`` (keccak only: avoids importing eth_account, ~1 s)."""
    from eth_hash.auto import keccak

    domain_type = keccak(b"EIP712Domain(string name,string version,uint256 chainId)")
    domain = keccak(domain_type + keccak(b"Paradex") + keccak(b"1") + int(l1_chain_id).to_bytes(32, "big"))
    message = keccak(keccak(b"Constant(string action)") + keccak(b"STARK Key"))
    return keccak(b"\x19\x01" + domain + message)


def derive_l2_private_key(eth_private_key, l1_chain_id) -> int:
    """Sign the EIP-712 "STARK Key" message with the L1 key (RFC 6979, as eth_account); grind its r into a STARK key."""
    from eth_keys import keys as eth_keys

    key = parse_eth_private_key(eth_private_key)
    signature = eth_keys.PrivateKey(key.to_bytes(32, "big")).sign_msg_hash(stark_key_message_hash(l1_chain_id))
    return grind_key(signature.r)


def eth_address(eth_private_key) -> str:
    from eth_keys import keys as eth_keys

    key = parse_eth_private_key(eth_private_key)
    return eth_keys.PrivateKey(key.to_bytes(32, "big")).public_key.to_checksum_address()


def contract_address(class_hash: int, calldata, salt: int, deployer: int = 0) -> int:
    return hash_on_elements([
        _CONTRACT_ADDRESS_PREFIX, deployer, salt, class_hash, hash_on_elements(calldata),
    ]) % _ADDRESS_BOUND


def account_address(public_key: int, proxy_class_hash, account_class_hash) -> int:
    """Address of Paradex's Cairo-0 proxy account for a STARK public key."""
    calldata = [_int(account_class_hash), selector("initialize"), 2, public_key, 0]
    return contract_address(_int(proxy_class_hash), calldata, public_key)


def evm_account_address(eth_address, evm_account_class_hash) -> int:
    """Address of the Argent (v0.5.0) account an Ethereum key owns on Paradex (``/system/config``'s
    ``paraclear_evm_account_hash``): deployed without proxy, salt = the Ethereum address, constructor calldata
    [3 (the EIP-191 signer variant), the address, 1 (no guardian)]."""
    eth = parse_hex_key(eth_address, "Ethereum address", 2**160) if isinstance(eth_address, str) else eth_address
    return contract_address(_int(evm_account_class_hash), [3, eth, 1], eth)


def public_key(private_key: int) -> int:
    return backend.public_key(private_key)


def _int(value) -> int:
    return value if isinstance(value, int) else int(value, 16)
