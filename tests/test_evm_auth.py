"""EVM-keyed accounts: the SIWE message and its EIP-191 signature, and the account address."""
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from ccxt_paradex.core import keys, siwe

VECTOR_KEY = "0x" + "4e" * 32
VECTOR_TEXT = (
    "app.testnet.paradex.trade wants you to sign in with your Ethereum account:\n"
    "0x2F59F55DDF70Be7d77ee4cf752cf3ECF88a76846\n"
    "\n"
    "Paradex Auth\n"
    "\n"
    "URI: https://app.testnet.paradex.trade\n"
    "Version: 1\n"
    "Chain ID: 11155111\n"
    "Nonce: f00dbabe12345678\n"
    "Issued At: 2026-01-01T00:00:00Z\n"
    "Expiration Time: 2026-01-01T00:05:00Z")
VECTOR_SIGNATURE = ("0x450a51dfbb241b4093ea2f2d04dc47a727328e120dd2b2670f1c8a2c2c1e08bf"
                    "178c5346bf0d38b3747ae7c59d996976a4e748a60aa908974b399280e6c0aacc1b")
# testnet's Argent v0.5.0 account class when paradex-py's derivation vector was taken (the simulator serves it)
EVM_ACCOUNT_CLASS_HASH = "0x073414441639dcd11d1846f287650a00c60c416b9d3ba45d31c651672125b2c2"


# ---- pure: message, signature, address ----------------------------------------------------------------
def test_siwe_message_and_signature_vector_agree_with_eth_account():
    address = keys.eth_address(VECTOR_KEY)
    text = siwe.build_message("app.testnet.paradex.trade", address, siwe.AUTH_STATEMENT, "11155111",
                              "f00dbabe12345678", 1767225600, 1767225900)
    assert text == VECTOR_TEXT
    signature = siwe.sign(text, VECTOR_KEY)
    assert signature == VECTOR_SIGNATURE
    # eth-account (the reference personal_sign) makes the same bytes and recovers the same signer
    assert "0x" + Account.sign_message(encode_defunct(text=text), VECTOR_KEY).signature.hex().removeprefix("0x") == signature
    assert Account.recover_message(encode_defunct(text=text), signature=signature) == address == siwe.recover(text, signature)
    parsed = siwe.parse_message(siwe.decode_header(siwe.encode_header(text)))
    assert parsed == {"domain": "app.testnet.paradex.trade", "address": address, "statement": "Paradex Auth",
                      "uri": "https://app.testnet.paradex.trade", "version": "1", "chain_id": 11155111,
                      "nonce": "f00dbabe12345678", "issued_at": 1767225600, "expiration_time": 1767225900,
                      "not_before": None, "request_id": None}
    onboarding = siwe.build_message("app.paradex.trade", address, siwe.ONBOARDING_STATEMENT, 1, "abcdefgh", 0)
    assert onboarding.endswith("Chain ID: 1\nNonce: abcdefgh\nIssued At: 1970-01-01T00:00:00Z")
    assert siwe.parse_message(onboarding)["expiration_time"] is None
    assert siwe.parse_time("2026-01-01T02:00:00+02:00") == 1767225600
    assert siwe.address_of_public_key(siwe.uncompressed_public_key(VECTOR_KEY)) == address


@pytest.mark.parametrize("broken", [
    VECTOR_TEXT.replace("wants you to sign in", "asks you to sign in"),
    VECTOR_TEXT.replace("0x2F59F55DDF70Be7d77ee4cf752cf3ECF88a76846", "0x2F59"),
    VECTOR_TEXT.replace("Version: 1", "Version: 2"),
    VECTOR_TEXT.replace("Nonce: f00dbabe12345678", "Nonce: short"),
    VECTOR_TEXT.replace("Chain ID: 11155111\n", ""),
    VECTOR_TEXT.replace("Issued At: 2026-01-01T00:00:00Z", "Issued At: yesterday"),
    VECTOR_TEXT + "\nURI: https://elsewhere",
    VECTOR_TEXT.replace("\n\nParadex Auth\n\n", "\nParadex Auth\n"),
])
def test_siwe_parser_refuses_malformed_messages(broken):
    with pytest.raises(ValueError):
        siwe.parse_message(broken)


def test_signature_recovery_refuses_malformed_signatures():
    for bad in ("0x1234", "0x" + "zz" * 65, VECTOR_SIGNATURE[:-2] + "05"):
        with pytest.raises(ValueError):
            siwe.recover(VECTOR_TEXT, bad)
    # a flipped byte still recovers, but someone else
    flipped = VECTOR_SIGNATURE[:10] + ("0" if VECTOR_SIGNATURE[10] != "0" else "1") + VECTOR_SIGNATURE[11:]
    assert siwe.recover(VECTOR_TEXT, flipped) != keys.eth_address(VECTOR_KEY)


def test_evm_account_address_matches_paradex_py_vector():
    # paradex-py's derivation test (testnet's Argent v0.5.0 class hash when the vector was taken)
    assert keys.evm_account_address("0x53A3ca2Fcf33f82de111B5E3Ce4d0B76C8f6f938", EVM_ACCOUNT_CLASS_HASH) == \
        0x26EA01C2D5CCB55F9CCE7F715296C4BB7108E3E2C9DA2371FE8E5462B0B81EF


def test_siwe_domain_per_environment():
    assert siwe.domain_for("api.prod.paradex.trade", "1") == "app.paradex.trade"
    assert siwe.domain_for("api.testnet.paradex.trade", "11155111") == "app.testnet.paradex.trade"
    assert siwe.domain_for("api.nightly.paradex.trade", "11155111") == "app.nightly.paradex.trade"
    assert siwe.domain_for("127.0.0.1", "11155111") == "app.testnet.paradex.trade"
    assert siwe.domain_for("proxy.example", 1) == "app.paradex.trade"
