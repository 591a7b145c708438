"""Onboarding, STARK-signed and SIWE (EVM) auth requests, and the 5-minute JWTs the simulator issues."""
import base64
import hashlib
import hmac
import json
import os
import re
from typing import Any, Callable, Optional

from ..core import curve, keys, signing, siwe
from .errors import ApiError, not_onboarded, unauthorized

JWT_TTL_S = 300
MAX_SIGNATURE_EXPIRATION_S = 7 * 24 * 3600
DEFAULT_SIGNATURE_EXPIRATION_S = 1800
TIMESTAMP_TOLERANCE_S = 300
#: Paradex testnet's Argent v0.5.0 account class (EVM-keyed accounts), as paradex-py's derivation test has it
#: the simulator plays testnet: its SIWE messages are for testnet's app
SIWE_DOMAIN = siwe.DOMAINS["testnet"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _eip191_signer(text: str, signature: str) -> str:
    """The address that personal_signed ``text``, recovered by eth-account (the reference implementation; the
    client signs with core/siwe.py, so each checks the other)."""
    from eth_account import Account
    from eth_account.messages import encode_defunct

    raw = str(signature)
    if not re.fullmatch(r"(0x)?[0-9a-fA-F]{130}", raw):
        raise ApiError("INVALID_EVM_SIGNATURE", "PARADEX-EVM-SIGNATURE must be 65 bytes of hex", 400)
    try:
        return Account.recover_message(encode_defunct(text=text), signature=raw)
    except Exception as e:  # eth-account's errors for an invalid v / r / s
        raise ApiError("INVALID_EVM_SIGNATURE", f"invalid PARADEX-EVM-SIGNATURE: {e}", 400) from None


def recover_public_keys(msg_hash: int, signature) -> list:
    """The (x-only) public keys a STARK signature of ``msg_hash`` could come from: Q = r^-1 (s R - z G) for both
    points R with x = r. Used only to onboard an unknown account on its first /auth (``auto_onboard``): the caller
    keeps a candidate only if the account address derives from it, so a forged signature onboards nothing."""
    try:
        r, s = signing.parse_signature(signature)
    except (ValueError, TypeError):
        return []
    y = curve.y_from_x(r)
    if y is None or not 1 <= r < curve.ECDSA_BOUND or not 1 <= s < curve.EC_ORDER:
        return []
    r_inv = pow(r, -1, curve.EC_ORDER)
    minus_zg = curve._to_affine(curve._point_mul_jac((-msg_hash) % curve.EC_ORDER, curve.GEN))
    out = []
    for point in ((r, y), (r, (-y) % curve.FIELD_PRIME)):
        total = curve._jac_add_affine(curve._point_mul_jac(s, point), minus_zg)
        q = curve._to_affine(curve._point_mul_jac(r_inv, curve._to_affine(total))) if total is not None else None
        if q is not None:
            out.append(q[0])
    return out


class Authority:
    """Registers accounts' keys and issues / checks JWTs. ``clock`` returns unix seconds (float)."""

    #: None (Paradex: /auth of an account never onboarded answers NOT_ONBOARDED), or a callable
    #: (address hex, public key) -> account record that onboards it on its first STARK-signed /auth
    #: (``python -m ccxt_paradex.sim --auto-onboard``: ccxt's built-in class trades without calling onboarding())
    auto_onboard: Optional[Callable[[str, int], Any]] = None

    def __init__(self, config: dict, clock, jwt_ttl=JWT_TTL_S):
        self.config = config
        self.clock = clock
        self.jwt_ttl = jwt_ttl
        self._secret = os.urandom(32)
        self.chain_id = config["starknet_chain_id"]
        self.siwe_domain = SIWE_DOMAIN
        self._siwe_nonces: dict = {}  # nonce -> unix s until which a message carrying it could still be accepted

    def address_for(self, public_key: int) -> int:
        return keys.account_address(public_key, self.config["paraclear_account_proxy_hash"],
                                    self.config["paraclear_account_hash"])

    def check_onboarding(self, headers, body) -> tuple:
        """-> (account address hex, public key int, eth address) or ApiError."""
        account = headers.get("PARADEX-STARKNET-ACCOUNT")
        sig = headers.get("PARADEX-STARKNET-SIGNATURE")
        eth = headers.get("PARADEX-ETHEREUM-ACCOUNT", "")
        if not account:
            raise ApiError("INVALID_STARKNET_ADDRESS", "missing PARADEX-STARKNET-ACCOUNT header", 400)
        if not sig:
            raise ApiError("INVALID_STARKNET_SIGNATURE", "missing PARADEX-STARKNET-SIGNATURE header", 400)
        try:
            public_key = int(str((body or {}).get("public_key")), 16)
            address = int(account, 16)
        except (TypeError, ValueError):
            raise ApiError("PUBLIC_KEY_INVALID", "invalid public_key or account", 400) from None
        if self.address_for(public_key) != address:
            raise ApiError("INVALID_STARKNET_ADDRESS", "account address does not match public_key", 400)
        if not signing.verify(public_key, signing.onboarding_hash(self.chain_id, address), sig):
            raise ApiError("STARKNET_SIGNATURE_VERIFICATION_FAILED", "onboarding signature verification failed", 400)
        return hex(address), public_key, eth

    def evm_address_for(self, eth_address: str) -> int:
        return keys.evm_account_address(eth_address, self.config["paraclear_evm_account_hash"])

    def check_siwe(self, headers, statement: str, auth: bool) -> tuple:
        """Verify the SIWE headers of ``POST /v2/auth`` (``auth``) or ``/v2/onboarding`` -> (account address hex,
        EIP-55 Ethereum address). The message must be for this venue (domain, URI, chain, statement), fresh
        (Issued At within the tolerance, Expiration Time ahead, a nonce not seen in that window), signed
        (EIP-191, by the address it names) and for the account that address owns."""
        account_hex = headers.get("PARADEX-STARKNET-ACCOUNT")
        signature = headers.get("PARADEX-EVM-SIGNATURE")
        encoded = headers.get("PARADEX-SIWE-MESSAGE")
        if not account_hex or not signature or not encoded:
            raise ApiError("INVALID_REQUEST_PARAMETER", "missing PARADEX-STARKNET-ACCOUNT, PARADEX-EVM-SIGNATURE or "
                           "PARADEX-SIWE-MESSAGE header", 400)
        try:
            text = siwe.decode_header(encoded)
            message = siwe.parse_message(text)
        except ValueError as e:
            raise ApiError("INVALID_REQUEST_PARAMETER", f"invalid SIWE message: {e}", 400) from None
        domain = self.siwe_domain
        expected = {"domain": domain, "uri": "https://" + domain, "statement": statement,
                    "chain_id": int(self.config["l1_chain_id"])}
        for field, value in expected.items():
            if message[field] != value:
                raise ApiError("INVALID_REQUEST_PARAMETER", f"SIWE {field} must be {value!r}, not {message[field]!r}", 400)
        now = self.clock()
        issued = message["issued_at"]
        if abs(now - issued) > TIMESTAMP_TOLERANCE_S:
            raise ApiError("INVALID_TIMESTAMP", f"SIWE Issued At {issued} is too far from server time {int(now)}", 400)
        expires = message["expiration_time"]
        if auth and expires is None:
            raise ApiError("INVALID_REQUEST_PARAMETER", "the SIWE login message needs an Expiration Time", 400)
        if expires is not None and (expires <= now or expires <= issued or expires - issued > MAX_SIGNATURE_EXPIRATION_S):
            raise ApiError("INVALID_SIGNATURE_EXPIRATION", f"SIWE Expiration Time {expires} is invalid", 400)
        if message["not_before"] is not None and message["not_before"] > now:
            raise ApiError("INVALID_TIMESTAMP", "the SIWE message is not valid yet (Not Before)", 400)
        signer = _eip191_signer(text, signature)
        eth = message["address"]
        if signer.lower() != eth.lower():
            raise ApiError("EVM_SIGNATURE_VERIFICATION_FAILED", "the EVM signature is not the message address's",
                           401 if auth else 400)
        if eth != signer:  # ERC-4361: the address is written in its EIP-55 (checksum) form
            raise ApiError("INVALID_REQUEST_PARAMETER", "the SIWE address must be EIP-55 checksummed", 400)
        try:
            account = int(account_hex, 16)
        except ValueError:
            raise ApiError("INVALID_STARKNET_ADDRESS", "malformed PARADEX-STARKNET-ACCOUNT", 400) from None
        if account != self.evm_address_for(eth):
            raise ApiError("INVALID_STARKNET_ADDRESS", "PARADEX-STARKNET-ACCOUNT is not the EVM account of the "
                           "message's address", 400)
        self._use_nonce(message["nonce"], max(issued + TIMESTAMP_TOLERANCE_S, expires or 0), now, auth)
        return hex(account), eth

    def _use_nonce(self, nonce, until, now, auth):
        """A nonce is accepted once while a message carrying it could be: a replayed login or onboarding fails."""
        self._siwe_nonces = {n: t for n, t in self._siwe_nonces.items() if t >= now}
        if nonce in self._siwe_nonces:
            raise ApiError("INVALID_EVM_SIGNATURE", "SIWE nonce already used", 401 if auth else 400)
        self._siwe_nonces[nonce] = until

    def check_auth(self, headers, accounts, path_public_key=None) -> tuple:
        """Verify a POST /auth request -> (account record, signer public key)."""
        account_hex = headers.get("PARADEX-STARKNET-ACCOUNT")
        sig = headers.get("PARADEX-STARKNET-SIGNATURE")
        ts, exp = headers.get("PARADEX-TIMESTAMP"), headers.get("PARADEX-SIGNATURE-EXPIRATION")
        if not account_hex or not sig or ts is None:
            raise unauthorized("missing PARADEX-STARKNET-ACCOUNT, PARADEX-STARKNET-SIGNATURE or PARADEX-TIMESTAMP header",
                               "INVALID_REQUEST_PARAMETER")
        try:
            address = int(account_hex, 16)
            ts = int(ts)
            exp = int(exp) if exp is not None else ts + DEFAULT_SIGNATURE_EXPIRATION_S
        except ValueError:
            raise ApiError("INVALID_REQUEST_PARAMETER", "malformed auth headers", 400) from None
        acct = accounts.get(hex(address))
        if acct is None and path_public_key is None:
            acct = self._onboard_on_auth(address, ts, exp, sig)
        if acct is None:
            raise not_onboarded()
        now = self.clock()
        if abs(now - ts) > TIMESTAMP_TOLERANCE_S:
            raise ApiError("INVALID_TIMESTAMP", f"timestamp {ts} is too far from server time {int(now)}", 400)
        if exp <= now or exp - ts > MAX_SIGNATURE_EXPIRATION_S:
            raise ApiError("INVALID_SIGNATURE_EXPIRATION", f"signature expiration {exp} is invalid", 400)
        signer_key = acct.public_key
        if path_public_key is not None:
            try:
                requested = int(path_public_key, 16)
            except ValueError:
                raise ApiError("PUBLIC_KEY_INVALID", "invalid public key in path", 400) from None
            if requested != acct.public_key:
                if acct.subkeys.get(requested) != "active":
                    raise unauthorized("subkey is not registered or not active", "INVALID_SUBKEY")
                signer_key = requested
        digest = signing.auth_hash(self.chain_id, address, ts, exp)
        if not signing.verify(signer_key, digest, sig):
            raise unauthorized("auth signature verification failed", "STARKNET_SIGNATURE_VERIFICATION_FAILED")
        return acct, signer_key

    def _onboard_on_auth(self, address: int, ts: int, exp: int, sig):
        """The account of a valid first /auth, onboarded (auto_onboard), or None: the key that signed it must be
        the one the address derives from (and the signature verify), as onboarding itself would check."""
        onboard = self.auto_onboard
        if onboard is None:
            return None
        digest = signing.auth_hash(self.chain_id, address, ts, exp)
        for public_key in recover_public_keys(digest, sig):
            if self.address_for(public_key) == address and signing.verify(public_key, digest, sig):
                return onboard(hex(address), public_key)
        return None

    def issue_jwt(self, account: str, signer_key: int, interactive=False) -> str:
        now = int(self.clock())
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        claims = {"sub": account, "pub": hex(signer_key), "iat": now, "exp": now + self.jwt_ttl,
                  "token_usage": "interactive" if interactive else "api", "jti": _b64(os.urandom(9))}
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        sig = _b64(hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        return f"{header}.{payload}.{sig}"

    def check_bearer(self, authorization) -> dict:
        if not authorization or not authorization.startswith("Bearer "):
            raise unauthorized("missing or malformed jwt")
        token = authorization[7:].strip()
        parts = token.split(".")
        if len(parts) != 3:
            raise unauthorized("missing or malformed jwt")
        expected = _b64(hmac.new(self._secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, parts[2]):
            raise unauthorized("invalid bearer jwt: signature is invalid")
        try:
            claims = json.loads(_unb64(parts[1]))
        except ValueError:
            raise unauthorized("missing or malformed jwt") from None
        late = self.clock() - claims["exp"]
        if late >= 0:
            raise unauthorized(f"invalid bearer jwt: token is expired by {late:.0f}s")
        return claims
