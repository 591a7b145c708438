"""EVM-keyed accounts: the SIWE message and its EIP-191 signature, the account address, onboarding and login
through /v2 (sync and async classes), trading through a registered subkey, the simulator's refusals, and the
key kept out of verbose logs."""
import asyncio
import base64
import contextlib
import io
import json
import logging
import re

import ccxt
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

import ccxt_paradex
from ccxt_paradex.async_support import paradex as paradex_async
from ccxt_paradex.core import keys, siwe
from ccxt_paradex.core.redact import REDACTED
from ccxt_paradex.sim import Simulator

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
BTC = "BTC/USD:USDC"
# testnet's Argent v0.5.0 account class when paradex-py's derivation vector was taken (the simulator serves it)
EVM_ACCOUNT_CLASS_HASH = "0x073414441639dcd11d1846f287650a00c60c416b9d3ba45d31c651672125b2c2"


def _key(n: int) -> str:
    return "0x" + format(n, "02x") * 32


def _evm(sim, key, **options):
    return ccxt_paradex.paradex({"privateKey": key, "walletAddress": keys.eth_address(key), "urls": sim.ccxt_urls(),
                                 "options": {"accountType": "evm", **options}})


def _account(key) -> str:
    return hex(keys.evm_account_address(keys.eth_address(key), EVM_ACCOUNT_CLASS_HASH))


def _claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


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


def test_evm_credentials_are_checked_before_anything_is_sent():
    config = {"l1_chain_id": "11155111", "starknet_chain_id": "PRIVATE_SN_POTC_SEPOLIA"}
    ex = ccxt_paradex.paradex({"privateKey": _key(0x31), "options": {"accountType": "evm", "systemConfig": config}})
    with pytest.raises(ccxt.AuthenticationError, match="paraclear_evm_account_hash"):
        ex.evm_account()
    ex = ccxt_paradex.paradex({"privateKey": _key(0x31), "walletAddress": keys.eth_address(_key(0x32)),
                               "options": {"accountType": "evm", "systemConfig": dict(config, paraclear_evm_account_hash="0x1")}})
    with pytest.raises(ccxt.AuthenticationError, match="is not the address of privateKey"):
        ex.evm_account()
    with pytest.raises(ccxt.NotSupported, match="EVM-keyed accounts"):
        ccxt_paradex.paradex({"privateKey": _key(0x31)}).create_trading_subkey()


# ---- the sync class against one simulator ------------------------------------------------------------
SIM_OPTIONS = dict(seed=41, tick_interval=0, summary_interval=0, funding_interval=0)  # (the sim fixture: conftest.py)


def test_sync_evm_key_onboards_logs_in_reads_and_trades_through_a_subkey(sim):
    key = _key(0x41)
    ex = _evm(sim, key)
    account = _account(key)
    assert ex.fetch_balance()["USDC"]["total"] == 100000
    assert ex.auth_requests == 2  # /v2/auth NOT_ONBOARDED -> /v2/onboarding -> /v2/auth
    acct = sim.engine.accounts[account]
    assert acct.eth_address == keys.eth_address(key) and acct.public_key == 0
    assert sim.config["paraclear_evm_account_hash"] == EVM_ACCOUNT_CLASS_HASH == ex.options["systemConfig"]["paraclear_evm_account_hash"]
    assert _claims(ex.options["authToken"])["sub"] == account
    with pytest.raises(ccxt.AuthenticationError, match="create_trading_subkey"):
        ex.create_order(BTC, "limit", "buy", 0.001, 30000)
    sub = ex.create_trading_subkey("bot")
    assert sub["address"] == account and acct.subkeys == {int(sub["publicKey"], 16): "active"}
    assert keys.public_key(int(sub["privateKey"], 16)) == int(sub["publicKey"], 16)
    order = ex.create_order(BTC, "limit", "buy", 0.001, 30000)
    assert order["status"] == "open" and sim.thread.call(lambda: sim.engine.owned(acct, order["id"]).market) == "BTC-USD-PERP"
    assert _claims(ex.options["authToken"])["pub"] == sub["publicKey"]  # the subkey's own login (/auth/{key})
    # a later session: the saved subkey alone, for the same account
    later = ccxt_paradex.paradex({"urls": sim.ccxt_urls(), "options": {
        "paradexSubkey": {"privateKey": sub["privateKey"], "address": sub["address"]}}})
    assert [o["id"] for o in later.fetch_open_orders(BTC)] == [order["id"]]
    later.cancel_order(order["id"], BTC)
    assert sim.thread.call(lambda: sim.engine.owned(acct, order["id"]).status) == "CLOSED"


def _headers(sim, key, statement=siwe.AUTH_STATEMENT, issued=None, expires=300, domain=siwe.DOMAINS["testnet"],
             nonce=None, account=None):
    now = int(sim.clock.s())
    issued = now if issued is None else issued
    text = siwe.build_message(domain, keys.eth_address(key), statement, "11155111", nonce or siwe.new_nonce(), issued,
                              issued + expires if expires is not None else None)
    return {"PARADEX-STARKNET-ACCOUNT": account or _account(key), "PARADEX-EVM-SIGNATURE": siwe.sign(text, key),
            "PARADEX-SIWE-MESSAGE": siwe.encode_header(text)}


def _refusal(call, exc):
    with pytest.raises(exc) as info:
        call()
    return info.value.paradex_code


def test_sync_simulator_refuses_bad_signatures_accounts_and_messages(sim):
    key, other = _key(0x42), _key(0x43)
    ex = _evm(sim, key)
    ex.onboarding()
    acct = sim.engine.accounts[_account(key)]

    def auth(headers):
        return lambda: ex.privatePostV2Auth({"__headers": headers})
    # a tampered signature (one bit of s: r stays a curve point, so it recovers, someone else) or message
    h = _headers(sim, key)
    sig = h["PARADEX-EVM-SIGNATURE"]
    at = 2 + 64 + 16
    h["PARADEX-EVM-SIGNATURE"] = sig[:at] + format(int(sig[at], 16) ^ 1, "x") + sig[at + 1:]
    assert _refusal(auth(h), ccxt.AuthenticationError) == "EVM_SIGNATURE_VERIFICATION_FAILED"
    text = siwe.decode_header(_headers(sim, key)["PARADEX-SIWE-MESSAGE"])
    forged = dict(h, **{"PARADEX-EVM-SIGNATURE": sig, "PARADEX-SIWE-MESSAGE": siwe.encode_header(text)})
    assert _refusal(auth(forged), ccxt.AuthenticationError) == "EVM_SIGNATURE_VERIFICATION_FAILED"
    for malformed in ("0xnothex", sig[:-2] + "05"):  # not hex; v neither 27 nor 28
        h["PARADEX-EVM-SIGNATURE"] = malformed
        assert _refusal(auth(h), ccxt.AuthenticationError) == "INVALID_EVM_SIGNATURE"
    # another key's signature over this address's message
    h = _headers(sim, key)
    text = siwe.decode_header(h["PARADEX-SIWE-MESSAGE"])
    h["PARADEX-EVM-SIGNATURE"] = siwe.sign(text, other)
    assert _refusal(auth(h), ccxt.AuthenticationError) == "EVM_SIGNATURE_VERIFICATION_FAILED"
    # the account header names another account (a StarkNet account of the same key, or another EVM account)
    assert _refusal(auth(_headers(sim, key, account=_account(other))), ccxt.AuthenticationError) == "INVALID_STARKNET_ADDRESS"
    # expired, too old, not for this venue, not a login
    now = int(sim.clock.s())
    assert _refusal(auth(_headers(sim, key, issued=now - 200, expires=100)), ccxt.InvalidNonce) == "INVALID_SIGNATURE_EXPIRATION"
    assert _refusal(auth(_headers(sim, key, issued=now - 900, expires=1800)), ccxt.InvalidNonce) == "INVALID_TIMESTAMP"
    assert _refusal(auth(_headers(sim, key, domain="app.paradex.trade")), ccxt.BadRequest) == "INVALID_REQUEST_PARAMETER"
    assert _refusal(auth(_headers(sim, key, statement=siwe.ONBOARDING_STATEMENT)), ccxt.BadRequest) == "INVALID_REQUEST_PARAMETER"
    assert _refusal(auth(_headers(sim, key, expires=None)), ccxt.BadRequest) == "INVALID_REQUEST_PARAMETER"
    # a login is accepted once: the same message again is a replay
    h = _headers(sim, key)
    assert _claims(ex.privatePostV2Auth({"__headers": h})["jwt_token"])["sub"] == acct.address
    assert _refusal(auth(h), ccxt.AuthenticationError) == "INVALID_EVM_SIGNATURE"
    # a key that never onboarded
    assert _refusal(auth(_headers(sim, other)), ccxt.AccountNotEnabled) == "NOT_ONBOARDED"
    # onboarding: once per address, with the address's own public key
    again = {"public_key": siwe.uncompressed_public_key(key), "__headers": _headers(sim, key, siwe.ONBOARDING_STATEMENT, expires=None)}
    assert _refusal(lambda: ex.privatePostV2Onboarding(again), ccxt.BadRequest) == "EVM_ADDRESS_ALREADY_ONBOARDED"
    foreign = {"public_key": siwe.uncompressed_public_key(key),
               "__headers": _headers(sim, other, siwe.ONBOARDING_STATEMENT, expires=None)}
    assert _refusal(lambda: ex.privatePostV2Onboarding(foreign), ccxt.AuthenticationError) == "PUBLIC_KEY_INVALID"
    assert _account(other) not in sim.engine.accounts
    refused = [op for op, _ in sim.contract.refused if "/v2/" in op]
    assert refused == []  # every refusal above came from the checks of the routes, not the contract gate


def test_sync_verbose_log_carries_neither_the_key_nor_the_evm_signature(sim):
    key = _key(0x44)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("ccxt")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        with contextlib.redirect_stdout(stream):
            ex = _evm(sim, key)
            ex.verbose = True
            ex.fetch_balance()
            sub = ex.create_trading_subkey()
            ex.create_order(BTC, "limit", "buy", 0.001, 30000)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    text = stream.getvalue()
    assert "/v2/onboarding" in text and "/v2/auth" in text and "PARADEX-SIWE-MESSAGE" in text and REDACTED in text
    assert key[2:] not in text.lower() and sub["privateKey"][2:] not in text.lower()
    assert not re.search(r"PARADEX-EVM-SIGNATURE['\"]?: ['\"]?0x", text, re.I)
    jwt = ex.options["authToken"]
    assert jwt.split(".")[1] not in text


# ---- the async class: JWT life cycle, single flight, contract ----------------------------------------
async def test_async_evm_login_is_single_flight_refreshes_and_trades():
    async with Simulator(seed=42, tick_interval=0, summary_interval=0, funding_interval=0, check_responses=True) as sim:
        key = _key(0x45)
        ex = paradex_async({"privateKey": key, "walletAddress": keys.eth_address(key), "urls": sim.ccxt_urls(),
                            "options": {"accountType": "evm"}})
        try:
            results = await asyncio.gather(*[ex.fetch_balance() for _ in range(20)])
            assert {r["USDC"]["total"] for r in results} == {100000}
            assert ex.auth_requests == 2  # one login (and its onboarding) for 20 callers
            account = _account(key)
            assert account in sim.engine.accounts
            assert await ex.fetch_positions() == [] and ex.auth_requests == 2
            sim.clock.advance(400)  # the JWT expires; the client's clock now lags the venue's by 400 s
            assert await ex.fetch_positions() == []
            # 401 expired -> /v2/auth refused INVALID_TIMESTAMP (Issued At) -> /system/time resync -> /v2/auth
            assert ex.auth_requests == 4 and abs(ex.options["timeDifference"] + 400_000) < 5_000
            assert _claims(ex.options["authToken"])["sub"] == account
            sub = await ex.create_trading_subkey("async")
            order = await ex.create_order(BTC, "limit", "sell", 0.001, 90000)
            assert order["status"] == "open" and sim.engine.owned(sim.engine.accounts[account], order["id"]).side == "SELL"
            assert int(sub["publicKey"], 16) in sim.engine.accounts[account].subkeys
        finally:
            await ex.close()
        assert sim.contract.answers == []
        assert sim.contract.checked["POST /v2/auth"] >= 3 and sim.contract.checked["POST /v2/onboarding"] == 1
        assert sim.contract.refused == []
