"""Credentials (L1, L2, env, subkey), onboarding, and the JWT life cycle of the async class."""
import asyncio

import ccxt
import pytest

from ccxt_paradex.async_support import paradex
from ccxt_paradex.core import keys
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.server import SYSTEM_CONFIG

L1_KEY = "0x" + "7c" * 32


@pytest.fixture
async def sim():
    async with Simulator(seed=21, liquidity=True, tick_interval=0, funding_interval=0, summary_interval=0) as sim:
        yield sim


def _l2(l1=L1_KEY):
    key = keys.derive_l2_private_key(l1, SYSTEM_CONFIG["l1_chain_id"])
    pub = keys.public_key(key)
    return key, hex(keys.account_address(pub, SYSTEM_CONFIG["paraclear_account_proxy_hash"], SYSTEM_CONFIG["paraclear_account_hash"]))


async def test_l1_key_onboards_automatically_and_auth_is_single_flight(sim):
    ex = paradex({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY, "urls": sim.ccxt_urls()})
    try:
        await ex.load_markets()
        results = await asyncio.gather(*[ex.fetch_balance() for _ in range(100)])
        assert all(r["USDC"]["total"] == 100000 for r in results)
        assert ex.auth_requests == 2  # NOT_ONBOARDED -> onboarding -> one more /auth, for 100 callers
        assert _l2()[1] in sim.engine.accounts
    finally:
        await ex.close()


async def test_l2_options_env_and_expired_jwt_retry(sim, monkeypatch):
    key, address = _l2()
    l1 = paradex({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY, "urls": sim.ccxt_urls()})
    await l1.onboarding()
    await l1.close()
    ex = paradex({"urls": sim.ccxt_urls(), "options": {"paradexAccount": {"privateKey": hex(key), "address": address}}})
    try:
        assert (await ex.fetch_balance())["USDC"]["total"] == 100000
        sim.clock.advance(400)  # the server now sees the JWT as expired and the client's clock as 400 s slow
        assert (await ex.fetch_positions()) == []
        # 401 expired -> /auth rejected INVALID_TIMESTAMP -> /system/time resync -> /auth accepted, once
        assert ex.auth_requests == 3
        assert abs(ex.options["timeDifference"] + 400_000) < 5_000
        assert (await ex.fetch_positions()) == [] and ex.auth_requests == 3
        sim.clock.advance(-400)
    finally:
        await ex.close()
    monkeypatch.setenv("PARADEX_STARKNET_ACCOUNT", address)
    monkeypatch.setenv("PARADEX_STARKNET_PRIVATE_KEY", hex(key))
    env_ex = paradex({"urls": sim.ccxt_urls()})
    try:
        assert (await env_ex.fetch_balance())["USDC"]["total"] == 100000
        assert hex(key)[2:] not in repr(env_ex.__dict__.get("_signer"))
    finally:
        await env_ex.close()


async def test_l2_not_onboarded_is_a_clear_error(sim):
    key, address = _l2("0x" + "8d" * 32)
    ex = paradex({"urls": sim.ccxt_urls(), "options": {"paradexAccount": {"privateKey": hex(key), "address": address}}})
    try:
        with pytest.raises(ccxt.AuthenticationError, match="not onboarded"):
            await ex.fetch_balance()
    finally:
        await ex.close()


async def test_subkey_trades_for_the_main_account(sim):
    main = paradex({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY, "urls": sim.ccxt_urls()})
    sub_key = 0xABCDEF1234567
    try:
        await main.load_markets()
        await main.fetch_balance()
        await main.privatePostAccountKeysSubkeys({"name": "bot", "public_key": hex(keys.public_key(sub_key))})
        signer = await main.stark_signer()
    finally:
        await main.close()
    sub = paradex({"urls": sim.ccxt_urls(), "options": {"paradexSubkey": {"privateKey": hex(sub_key), "address": hex(signer.account)}}})
    try:
        order = await sub.create_order("BTC/USD:USDC", "limit", "buy", 0.001, 50000)
        assert order["id"] and sim.engine.orders[order["id"]].account == hex(signer.account)
    finally:
        await sub.close()


async def test_missing_credentials(sim):
    ex = paradex({"urls": sim.ccxt_urls()})
    try:
        with pytest.raises(ccxt.AuthenticationError, match="requires credentials"):
            await ex.fetch_balance()
    finally:
        await ex.close()


async def test_sandbox_mode_switches_urls():
    ex = paradex()
    assert "api.prod.paradex.trade" in ex.implode_hostname(ex.urls["api"]["v1"])
    ex.set_sandbox_mode(True)
    assert "api.testnet.paradex.trade" in ex.implode_hostname(ex.urls["api"]["v1"])
    await ex.close()


def test_sync_class_logs_in_once_for_many_threads():
    """The sync twin shares one JWT between threads: one /auth however many threads ask at once."""
    from concurrent.futures import ThreadPoolExecutor

    import ccxt_paradex
    from ccxt_paradex.sim.thread import SimulatorThread

    l1 = "0x" + "7d" * 32
    with SimulatorThread(seed=22, tick_interval=0) as sim:
        onboard = ccxt_paradex.paradex({"walletAddress": keys.eth_address(l1), "privateKey": l1, "urls": sim.ccxt_urls()})
        onboard.onboarding()
        ex = ccxt_paradex.paradex({"walletAddress": keys.eth_address(l1), "privateKey": l1, "urls": sim.ccxt_urls(),
                                   "enableRateLimit": False})
        ex.stark_signer()  # derive the key up front, so the threads meet at the login itself
        with ThreadPoolExecutor(16) as pool:
            balances = list(pool.map(lambda _: ex.fetch_balance(), range(32)))
        assert all(b["USDC"]["total"] == 100000 for b in balances) and ex.auth_requests == 1


async def test_a_wallet_address_that_is_no_address_is_refused_only_where_it_is_sent(sim):
    """ccxt's request tests hand every exchange walletAddress='wallet': not an Ethereum address, so it names no
    account to compare with the key's. Signing goes on with the key's own account (as ccxt's built-in); the
    onboarding header, where it would be sent, refuses it before anything is sent."""
    ex = paradex({"walletAddress": "wallet", "privateKey": L1_KEY, "urls": sim.ccxt_urls()})
    try:
        await ex.load_markets()
        signer = await ex.stark_signer()
        assert hex(signer.account) == _l2()[1]  # the key's own account
        with pytest.raises(ccxt.AuthenticationError, match="not an Ethereum address"):
            await ex.fetch_balance()  # NOT_ONBOARDED -> onboarding would send 'wallet'
        assert _l2()[1] not in sim.engine.accounts
        ex.walletAddress = keys.eth_address("0x" + "77" * 32)  # a real address, not the key's: refused at once
        ex._signer = None
        with pytest.raises(ccxt.AuthenticationError, match="not the address of privateKey"):
            await ex.stark_signer()
    finally:
        await ex.close()


async def test_a_late_refusal_of_an_old_token_neither_breaks_in_flight_requests_nor_discards_the_new_one():
    """Requests in flight across a token refresh: each one refused for the old token logs in again at most once
    between them, none fails building its headers, and a refusal of the replaced token keeps the fresh one."""
    import base64
    import json
    import time

    def jwt(n):
        def part(d):
            return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
        now = int(time.time())
        return part({"alg": "none"}) + "." + part({"iat": now, "exp": now + 300, "n": n}) + ".x"

    ex = paradex({"options": {"paradexAccount": {"privateKey": hex(_l2()[0]), "address": _l2()[1]},
                              "systemConfig": dict(SYSTEM_CONFIG)}})
    issued = []

    async def fetch(url, method="GET", headers=None, body=None):
        for _ in range(4):  # a round trip: other requests run meanwhile
            await asyncio.sleep(0)
        if url.split("?")[0].endswith("/auth"):
            issued.append(jwt(len(issued)))
            return {"jwt_token": issued[-1]}
        if headers["Authorization"][len("Bearer "):] != issued[-1]:
            e = ccxt.AuthenticationError("token expired")
            e.jwt_expired = True
            raise e
        return {"results": []}

    async def throttle(cost=None):
        await asyncio.sleep(0)
    ex.fetch, ex.throttle = fetch, throttle
    try:
        await ex.authenticate_rest()
        issued.append("rotated by the venue")  # every request signed with the first token is now refused

        async def later(n):
            for _ in range(n):
                await asyncio.sleep(0)
            return await ex.privateGetBalance()
        results = await asyncio.gather(*[later(n) for n in range(8)], return_exceptions=True)
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert ex.auth_requests == 2 and ex.options["authToken"] == issued[-1]
        ex.invalidate_jwt("an older token")  # a refusal of a token already replaced changes nothing
        assert ex._jwt_fresh()
    finally:
        await ex.close()


async def test_auth_sends_no_body_and_its_params_in_the_query_on_every_login(sim):
    """POST /auth: no body (its signed Request has body ""), params such as token_usage in the query (as
    paradex-py sends auth_params), and a refreshed token is of the kind the first login asked for."""
    import base64
    import json

    def claims(token):
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    ex = paradex({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY, "urls": sim.ccxt_urls()})
    sent = []
    fetch = ex.fetch

    async def recording(url, method="GET", headers=None, body=None):
        sent.append((method, url, body))
        return await fetch(url, method, headers, body)
    ex.fetch = recording
    try:
        await ex.authenticate_rest({"token_usage": "interactive"})
        assert claims(ex.options["authToken"])["token_usage"] == "interactive"
        ex.invalidate_jwt()
        await ex.fetch_balance()  # logs in again on its own
        assert claims(ex.options["authToken"])["token_usage"] == "interactive"
        auths = [(url.split("/v1/")[1], body) for method, url, body in sent if "/v1/auth" in url]
        assert len(auths) >= 2 and all(a == ("auth?token_usage=interactive", None) for a in auths)
    finally:
        await ex.close()


async def test_switching_to_sandbox_drops_what_came_from_the_other_environment(sim):
    ex = paradex({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY, "urls": sim.ccxt_urls()})
    try:
        await ex.fetch_balance()
        assert ex.options["systemConfig"] and ex._signer is not None and ex.options["authToken"]
        ex.set_sandbox_mode(True)  # the fetched (prod) chain id and class hashes would sign testnet requests
        assert ex.options["systemConfig"] is None and ex._signer is None and ex.options["authToken"] is None
    finally:
        await ex.close()
    handed = paradex({"options": {"systemConfig": dict(SYSTEM_CONFIG)}})
    handed.set_sandbox_mode(True)  # what the caller gave stays
    assert handed.options["systemConfig"] == SYSTEM_CONFIG
    await handed.close()


@pytest.mark.parametrize("options", [{"paradexAccount": {"privateKey": hex(_l2()[0]), "address": _l2()[1]}},
                                     {"paradexSubkey": {"privateKey": hex(_l2()[0]), "address": _l2()[1]}}])
async def test_onboarding_is_refused_before_sending_without_an_ethereum_address_or_with_a_subkey(sim, options):
    ex = paradex({"urls": sim.ccxt_urls(), "options": dict(options, systemConfig=dict(SYSTEM_CONFIG))})
    sent = []
    fetch = ex.fetch

    async def recording(url, method="GET", headers=None, body=None):
        sent.append(url)
        return await fetch(url, method, headers, body)
    ex.fetch = recording
    try:
        with pytest.raises(ccxt.AuthenticationError):
            await ex.onboarding()
        assert not [u for u in sent if "onboarding" in u]
    finally:
        await ex.close()
