"""The simulator's account reads and writes beyond trading (sim/rest_account.py), through the implicit API: every
private GET answers from the simulator's state, schema-valid; every write is modelled (a later GET shows it) or
refused with a documented code the client maps to a ccxt exception."""
import json
import zlib

import aiohttp
import ccxt
import pytest
import pytest_asyncio

import ccxt_paradex.async_support
from ccxt_paradex.core import api as paradex_api
from ccxt_paradex.core import backend, contract, keys, signing
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim import rest_account
from ccxt_paradex.sim.server import SYSTEM_CONFIG

from simclient import onboarded, stark_key

pytestmark = pytest.mark.asyncio(loop_scope="module")
S, M = "ETH/USD:USDC", "ETH-USD-PERP"
CODES = set(contract.contract()["rest_error_codes"])




def _address(public_key):
    return hex(keys.account_address(public_key, SYSTEM_CONFIG["paraclear_account_proxy_hash"],
                                    SYSTEM_CONFIG["paraclear_account_hash"]))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sim():
    async with Simulator(seed=31, check_responses=True, tick_interval=0, summary_interval=0, funding_interval=0) as sim:
        yield sim


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def ex(sim):
    """An account onboarded with its L2 (StarkNet) key; the client holds that key (options['paradexAccount'])."""
    key = stark_key(1)
    address = _address(keys.public_key(key))
    sim.onboard(address, keys.public_key(key))
    ex = ccxt_paradex.async_support.paradex({"urls": sim.ccxt_urls(),
                                              "options": {"paradexAccount": {"privateKey": hex(key), "address": address}}})
    await ex.load_markets()
    ex.address = address
    yield ex
    await ex.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def session():
    async with aiohttp.ClientSession() as s:
        yield s




def _conforms(sim):
    assert sim.contract.answers == [], sim.contract.answers[:3]


async def _refused(call, exc, code):
    with pytest.raises(exc) as err:
        await call
    assert err.value.paradex_code == code, str(err.value)
    return err.value


# ---- modelled writes, read back ---------------------------------------------------------------------------------
async def test_profile_and_settings_writes_are_read_back(ex, sim, session):
    fresh = await ex.private_get_account_profile()
    assert fresh["username"] == "" and fresh["referral_code"] == "" and fresh["notifications"]["fills"] is True
    put = await ex.private_put_account_profile({"username": "fox", "size_currency_display": "QUOTE", "fills": False,
                                                "xp_share_rate": "0.25", "trading_value_display": "SPOT_NOTIONAL"})
    profile = await ex.private_get_account_profile()
    assert put == profile
    assert profile["username"] == "fox" and profile["size_currency_display"] == "QUOTE"
    assert profile["notifications"] == {"announcements": True, "fill_sound": True, "fills": False, "orders": True,
                                        "transfers": True}
    assert profile["xp_share_rate"]["share_rate"] == "0.25"
    assert (await ex.private_get_account_settings()) == {"trading_value_display": "SPOT_NOTIONAL"}

    await ex.private_post_account_profile_size_currency_display({"size_currency_display": "BASE"})
    await ex.private_post_account_profile_market_max_slippage_market({"market": M, "max_slippage": "0.020"})
    await ex.private_post_account_profile_notifications({"orders": False})
    await ex.private_post_account_settings_trading_value_display({"trading_value_display": "MARK_NOTIONAL"})
    before = sim.clock.ms()
    seen = await ex.private_post_account_profile_notifications_last_seen()
    profile = await ex.private_get_account_profile()
    assert profile == seen and profile["size_currency_display"] == "BASE"
    assert profile["market_max_slippage"] == {M: "0.02"}
    assert profile["notifications"]["orders"] is False and profile["notifications"]["fills"] is False
    assert before <= profile["last_seen_notification"] <= sim.clock.ms()
    summary = (await ex.private_get_account_summary())["results"]
    assert summary[0]["last_seen_notification"] == profile["last_seen_notification"]
    assert (await ex.private_get_account())["last_seen_notification"] == profile["last_seen_notification"]
    assert (await ex.private_get_account_settings())["trading_value_display"] == "MARK_NOTIONAL"
    assert (await ex.private_post_account_profile_refresh_inventory()) == {"nfts": []}

    # refusals change nothing
    await _refused(ex.private_post_account_profile_market_max_slippage_market({"market": "NOPE-USD-PERP",
                                                                               "max_slippage": "0.01"}),
                   ccxt.BadSymbol, "MARKET_NOT_FOUND")
    await _refused(ex.private_put_account_profile({"username": "fox2", "xp_share_rate": "2"}),
                   ccxt.BadRequest, "INVALID_REQUEST_PARAMETER")
    other = await onboarded(sim, session, 2)
    status, body, _ = await other.request("PUT", "/account/profile", {"username": "FOX"})
    assert (status, body["error"]) == (400, "USERNAME_IN_USE")
    assert (await ex.private_get_account_profile())["username"] == "fox"

    # POST /account/profile/username lists no body in the spec: the reading core.contract.BEYOND_SPEC_BODY takes
    # {"username"}, and nothing else
    await _refused(ex.private_post_account_profile_username({"username": "fox3", "bio": "x"}), ccxt.BadRequest,
                   "BINDING_ERROR")
    assert (await ex.private_post_account_profile_username({"username": "fox3"}))["username"] == "fox3"
    assert (await ex.private_get_account_profile())["username"] == "fox3"
    _conforms(sim)


async def test_referrals_the_referrer_and_the_qr_code(ex, sim, session):
    await ex.private_put_account_profile({"referral_code": "cryptofox8"})
    peer = await onboarded(sim, session, 3)
    status, body, _ = await peer.request("PUT", "/account/profile", {"referred_by": "nobody"})
    assert (status, body["error"]) == (400, "INVALID_REFERRAL_CODE")
    status, body, _ = await peer.request("PUT", "/account/profile", {"referred_by": "CRYPTOFOX8"})
    assert status == 200 and body["referred_by"] == "cryptofox8"
    await peer.place(M, "BUY", "MARKET", "0.03")
    status, fills, _ = await peer.request("GET", "/fills")
    volume = sum(float(f["size"]) * float(f["price"]) for f in fills["results"])
    referees = (await ex.private_get_referrals_summary())["results"]
    assert [(r["address"], r["referral_code"]) for r in referees] == [(hex(peer.address), "cryptofox8")]
    assert float(referees[0]["volume_traded"]) == pytest.approx(volume) and volume > 0
    await ex.private_put_account_profile({"referral_code": "fox9"})
    status, body, _ = await peer.request("PUT", "/account/profile", {"referral_code": "fox9"})
    assert (status, body["error"]) == (400, "NOT_UNIQUE")
    # the referrer is set once, and is another account
    status, body, _ = await peer.request("POST", "/account/referrer", {})
    assert (status, body["error"]) == (400, "INVALID_REQUEST_PARAMETER")
    status, body, _ = await peer.request("PUT", "/account/profile", {"referred_by": "fox9"})
    assert (status, body["error"]) == (400, "ACCOUNT_ALREADY_REFERRED")
    await _refused(ex.private_put_account_profile({"referred_by": "fox9"}), ccxt.OperationRejected, "INVALID_REFERRAL_CODE")
    await ex.private_put_account_profile({"referral_code": "cryptofox8"})  # (peer's referred_by names this code)

    async with session.get(sim.rest_url + "/referrals/qr-code",
                           headers={"Authorization": "Bearer " + ex.options["authToken"]}) as r:
        png = await r.read()
        assert r.status == 200 and r.headers["Content-Type"] == "image/png"
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and b"tEXtURL\x00https://app.paradex.trade/r/cryptofox8" in png
    assert zlib.decompress(png[png.index(b"IDAT") + 4:png.index(b"IEND") - 8])  # a well-formed image stream
    # through the implicit API the image is not JSON: ccxt's fetch hands back the response's (read) stream
    assert not isinstance(await ex.private_get_referrals_qr_code(), (dict, list))
    status, body, _ = await peer.request("GET", "/referrals/summary")
    assert body == {"results": []}
    _conforms(sim)


async def test_trading_shows_in_history_transactions_and_the_summary(ex, sim):
    await ex.create_order(S, "market", "buy", 0.05)
    await ex.create_order(S, "market", "sell", 0.02)
    fills = (await ex.private_get_fills())["results"]
    assert len(fills) >= 2
    txs = await ex.private_get_transactions()
    assert [t["id"] for t in txs["results"]] == [f["id"] for f in fills]
    assert all(t["type"] == "TRANSACTION_FILL" and t["hash"].startswith("0x") for t in txs["results"])
    first = await ex.private_get_transactions({"page_size": 1})
    second = await ex.private_get_transactions({"page_size": 1, "cursor": first["next"]})
    assert [first["results"][0]["id"], second["results"][0]["id"]] == [f["id"] for f in fills[:2]]

    sim.clock.advance(0.01)  # "now" (the last point of value and pnl) strictly after the last fill
    account = await ex.private_get_account()
    deposits = sum(float(t["amount"]) for t in (await ex.private_get_transfers())["results"])
    volume = await ex.private_get_account_history({"type": "volume"})
    assert volume["data"][-1] == pytest.approx(sum(float(f["size"]) * float(f["price"]) for f in fills))
    assert volume["timestamps"] == sorted(volume["timestamps"]) and volume["timestamps"][-1] == fills[0]["created_at"]
    value = await ex.private_get_account_history({"type": "value"})
    assert value["data"][0] == pytest.approx(deposits)                        # the onboarding deposit
    assert value["data"][-2] == pytest.approx(float(account["total_collateral"]))  # the cash after the last fill
    assert value["data"][-1] == pytest.approx(float(account["account_value"]))     # now, with the unrealized PnL
    pnl = await ex.private_get_account_history({"type": "pnl"})
    assert pnl["data"][-1] == pytest.approx(float(account["account_value"]) - deposits)
    assert pnl["data"][-1] < 0  # fees and the spread crossed twice
    savings = await ex.private_get_account_history({"type": "fee_savings"})
    assert savings["timestamps"] == volume["timestamps"] and set(savings["data"]) == {0}

    summary = (await ex.private_get_account_summary())["results"]
    assert [s["account"] for s in summary] == [ex.address]
    assert summary[0]["account_value"] == account["account_value"]

    assert (await ex.private_get_tradebusts())["results"] == []
    acct = sim.engine.accounts[ex.address]
    acct.tradebusts.append({"account": ex.address, "busted_fill_id": fills[0]["id"], "created_at": sim.clock.ms()})
    try:
        busts = (await ex.private_get_tradebusts())["results"]
        assert [b["busted_fill_id"] for b in busts] == [fills[0]["id"]]
    finally:
        acct.tradebusts.clear()
    _conforms(sim)


async def test_api_tokens_and_compliance_records(ex, sim):
    created = await ex.private_post_account_tokens({"name": "bot", "expiry_duration": 120, "token_type": "jwt",
                                                    "allowed_cidrs": ["203.0.113.7/24"]})
    token = created["api_token"]
    assert token["allowed_cidrs"] == ["203.0.113.0/24"] and created["token"].count(".") == 2
    assert token["expiry_at"] - token["created_at"] == 120 * 10**9  # nanoseconds, as the schema says
    listed = (await ex.private_get_account_tokens())["results"]
    assert [t["lookup_id"] for t in listed] == [token["lookup_id"]]
    updated = await ex.private_put_account_tokens_lookup_id_allowed_cidrs({"lookup_id": token["lookup_id"],
                                                                          "allowed_cidrs": ["198.51.100.42/32"]})
    assert updated["allowed_cidrs"] == ["198.51.100.42/32"]
    assert (await ex.private_get_account_tokens({"kind": "api_key"}))["results"] == []
    sim.clock.advance(121)
    try:  # expired: listed only with with_invalid
        assert (await ex.private_get_account_tokens())["results"] == []
        assert len((await ex.private_get_account_tokens({"with_invalid": True}))["results"]) == 1
    finally:
        sim.clock.advance(-121)
    revoked = await ex.private_delete_account_tokens_lookup_id({"lookup_id": token["lookup_id"]})
    assert revoked == {"lookup_id": token["lookup_id"]}
    assert (await ex.private_get_account_tokens())["results"] == []
    [row] = (await ex.private_get_account_tokens({"with_invalid": True}))["results"]
    assert row["revoked_at"] > 0 and row["allowed_cidrs"] == ["198.51.100.42/32"]
    await _refused(ex.private_post_account_tokens({"name": "x", "expiry_duration": 10, "token_type": "jwt"}),
                   ccxt.BadRequest, "INVALID_REQUEST_PARAMETER")
    await _refused(ex.private_put_account_tokens_lookup_id_allowed_cidrs({"lookup_id": "nope", "allowed_cidrs": []}),
                   ccxt.BadRequest, "NOT_FOUND")
    await _refused(ex.private_put_account_tokens_lookup_id_allowed_cidrs({"lookup_id": token["lookup_id"],
                                                                          "allowed_cidrs": ["300.1.1.1/8"]}),
                   ccxt.BadRequest, "INVALID_REQUEST_PARAMETER")

    assert (await ex.private_get_account_compliance()) == {"results": []}
    before = sim.clock.ms()
    await ex.private_post_account_compliance({"action_type": "ACCEPT_TOS", "action_version": "2026-02-15"})
    [action] = (await ex.private_get_account_compliance())["results"]
    assert action["action_type"] == "ACCEPT_TOS" and action["action_version"] == "2026-02-15"
    assert before <= action["created_at"] <= sim.clock.ms()
    _conforms(sim)


async def test_subkeys_are_read_renamed_restricted_and_a_pending_one_activated(ex, sim):
    sub = keys.public_key(stark_key(4))
    await ex.private_post_account_keys_subkeys({"name": "desk", "public_key": hex(sub)})
    got = await ex.private_get_account_keys_subkeys_public_key({"public_key": hex(sub)})
    assert (got["public_key"], got["state"], got["account_id"], got["id"]) == (hex(sub), "active", ex.address, 1)
    renamed = await ex.private_put_account_keys_subkeys_public_key({"public_key": hex(sub), "name": "desk 2"})
    restricted = await ex.private_put_account_keys_subkeys_public_key_allowed_cidrs(
        {"public_key": hex(sub), "allowed_cidrs": ["10.0.0.0/8"]})
    got = await ex.private_get_account_keys_subkeys_public_key({"public_key": hex(sub)})
    assert renamed["name"] == restricted["name"] == got["name"] == "desk 2"
    assert got["allowed_cidrs"] == ["10.0.0.0/8"] and got["updated_at"] > 0
    await _refused(ex.private_get_account_keys_subkeys_public_key({"public_key": "0x1234"}), ccxt.BadRequest, "NOT_FOUND")
    # registration and revocation take the same checks as the other subkey routes
    for call in (ex.private_get_account_keys_subkeys_public_key({"public_key": "zz"}),
                 ex.private_delete_account_keys_subkeys_public_key({"public_key": "zz"})):
        await _refused(call, ccxt.AuthenticationError, "PUBLIC_KEY_INVALID")
    await _refused(ex.private_post_account_keys_subkeys({"name": "x", "public_key": hex(sub + 1),
                                                         "allowed_cidrs": ["not-a-cidr"]}), ccxt.BadRequest,
                   "INVALID_REQUEST_PARAMETER")

    acct = sim.engine.accounts[ex.address]
    ts = int(sim.clock.s())
    activation = {"account_id": ex.address, "public_key": hex(sub), "timestamp": ts, "signature": ["0x1", "0x2"]}
    await _refused(ex.private_post_account_keys_subkeys_activate(dict(activation)), ccxt.PermissionDenied,
                   "SUBKEY_NOT_ACTIVATABLE")  # active, not pending
    pending = keys.public_key(stark_key(5))
    eph_key = stark_key(6)
    eph = keys.public_key(eph_key)
    await ex.private_post_account_keys_subkeys({"name": "phone", "public_key": hex(pending), "state": "pending",
                                                "encrypted_key": "0xc1ph3r", "eph_public_key": hex(eph)})
    got = await ex.private_get_account_keys_subkeys_public_key({"public_key": hex(pending)})
    assert (got["state"], got["name"]) == ("pending", "phone") and got["created_at"] > 0
    # the registration keeps what activation needs
    assert (acct.subkey_meta[pending]["encrypted_key"], acct.subkey_meta[pending]["eph_public_key"]) == ("0xc1ph3r", hex(eph))
    signer = signing.StarkSigner(eph_key, 1, SYSTEM_CONFIG["starknet_chain_id"])  # (signs a bare hash)
    activation.update(public_key=hex(pending), signature=json.loads(signer.sign_hash(backend.pedersen(ts, eph))))
    await _refused(ex.private_post_account_keys_subkeys_activate(dict(activation, timestamp=ts + 1)),
                   ccxt.AuthenticationError, "STARKNET_SIGNATURE_VERIFICATION_FAILED")
    assert (await ex.private_post_account_keys_subkeys_activate(dict(activation, name="my phone"))) == \
        {"encrypted_key": "0xc1ph3r"}
    got = await ex.private_get_account_keys_subkeys_public_key({"public_key": hex(pending)})
    assert (got["state"], got["name"], got["id"]) == ("active", "my phone", 2)
    _conforms(sim)


async def test_what_the_simulator_has_none_of_reads_empty_or_not_found(ex, sim):
    # (algo orders: sim/algo.py, tests/rest/test_twap.py)
    assert (await ex.private_get_block_trades()) == {"next": None, "prev": None, "results": []}
    for call in (ex.private_get_block_trades_block_trade_id({"block_trade_id": "7"}),
                 ex.private_get_block_trades_block_trade_id_offers({"block_trade_id": "7"}),
                 ex.private_get_block_trades_block_trade_id_offers_offer_id({"block_trade_id": "7", "offer_id": "8"})):
        await _refused(call, ccxt.BadRequest, "BLOCK_TRADE_NOT_FOUND")
    assert (await ex.private_get_rfqs({"state": "OPEN"})) == {"next": None, "results": []}
    assert (await ex.private_get_rfqs_drafts()) == {"results": []}
    await _refused(ex.private_get_rfqs_rfq_id_bbo({"rfq_id": "r_1"}), ccxt.BadRequest, "NOT_FOUND")
    assert (await ex.private_get_staking_summary()) == {"account": ex.address, "active_stakes": 0, "staking_tier": "",
                                                        "total_staked": "0"}
    assert (await ex.private_get_staking_history()) == {"results": []}
    assert (await ex.private_get_staking_balance_history({"resolution": "8h"})) == {"timestamps": [], "data": []}
    assert (await ex.private_get_vaults_account_summary()) == {"results": []}
    assert (await ex.private_get_vaults_mine()) == {"results": []}
    assert (await ex.private_get_xp_account_balance({"season": "season3"})) == {"earned_xp": 0, "transferrable_xp": 0,
                                                                                "xp_delta": 0}
    assert (await ex.private_get_xp_transfers({"role": "sender"}))["results"] == []
    # /rfqs/markets is ccxt's, not the OpenAPI file's: a reading beyond the spec that takes no parameters
    assert (await ex.private_get_rfqs_markets()) == {"results": []}
    await _refused(ex.private_get_rfqs_markets({"x": 1}), ccxt.BadRequest, "INVALID_REQUEST_PARAMETER")

    _conforms(sim)


# ---- writes the simulator does not model: a documented code, mapped ----------------------------------------------
REFUSED = {  # (method, path) -> (ccxt exception, Paradex code)
    **{route: ({"BLOCK_TRADE_NOT_ENABLED": ccxt.PermissionDenied, "REQUEST_NOT_ALLOWED": ccxt.PermissionDenied,
                "XP_TRANSFERS_DISABLED": ccxt.PermissionDenied}[code], code)
       for route, (code, _, _) in rest_account.UNMODELLED.items()},
    ("POST", "/account/terminal-token"): (ccxt.PermissionDenied, "INVALID_TOKEN_SCOPE"),
    ("POST", "/vaults"): (ccxt.PermissionDenied, "REQUEST_NOT_ALLOWED"),
    ("POST", "/account/keys/subkeys/activate"): (ccxt.BadRequest, "NOT_FOUND"),
    ("DELETE", "/algo/orders/{algo_id}"): (ccxt.OrderNotFound, "ALGO_ID_NOT_FOUND"),
}
STRINGS = {"market": M, "public_key": "0x1234", "account_id": "0x1234", "recipient": "0x1234",
           "PARADEX-EVM-SIGNATURE": "0x" + "ab" * 65, "PARADEX-SIWE-MESSAGE": "app.paradex.trade wants you to sign in"}


def _value(schema: dict, name: str = ""):
    """The smallest value ``schema`` takes (required fields only)."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if kind == "array":
        return [_value(schema.get("items", {}), name) for _ in range(schema.get("minItems", 0))]
    if kind == "object" or "properties" in schema:
        return {k: _value(v, k) for k, v in schema.get("properties", {}).items() if k in schema.get("required", ())}
    return STRINGS.get(name, "1")


def _minimal(key: str, address: str) -> dict:
    """-> {path, query, headers, body} of the smallest request the contract lets through for ``METHOD /path``."""
    op = contract.contract()["rest"][key]
    pick = {part: {n: _value(p["schema"], n) for n, p in op.get(part, {}).items() if p["required"]}
            for part in ("path", "query", "headers")}
    pick["headers"] = {n: str(address if n.endswith("STARKNET-ACCOUNT") else v) for n, v in pick["headers"].items()}
    body = op.get("body")
    pick["body"] = None if body is None else _value(body["schema"])
    return pick


async def test_unmodelled_writes_raise_the_mapped_exception_with_the_documented_code(ex, sim):
    for (method, path), (exc, code) in REFUSED.items():
        req = _minimal(f"{method} {path}", ex.address)
        params = {**req["path"], **req["query"]}
        if isinstance(req["body"], dict):
            params.update(req["body"])
        if req["headers"]:
            params["__headers"] = req["headers"]
        name = paradex_api.method_names("private", method, path.lstrip("/"))[0]
        err = await _refused(getattr(ex, name)(params), exc, code)
        assert type(err) is exc, (method, path, type(err))
    _conforms(sim)


# ---- every operation of the contract answers ----------------------------------------------------------------------
def _ops(methods, private_only=False):
    rest = contract.contract()["rest"]
    return sorted(k for k, op in rest.items() if k.split(" ", 1)[0] in methods and (op.get("auth") or not private_only))


async def _send(sim, session, jwt, key, address):
    method, path = key.split(" ", 1)
    req = _minimal(key, address)
    url = (sim.base_url if path.startswith("/v2/") else sim.rest_url) + path.format(**req["path"])
    headers = dict(req["headers"], Authorization="Bearer " + jwt)
    data = None if req["body"] is None else json.dumps(req["body"])
    if data is not None:
        headers["Content-Type"] = "application/json"
    async with session.request(method, url, params=req["query"], data=data, headers=headers) as r:
        text = await r.text(errors="replace")
        body = json.loads(text) if r.content_type == "application/json" and text else None
        return r.status, body


def _routed(key, status, body):
    assert status != 405, key
    assert not (status == 404 and str((body or {}).get("message", "")).startswith("no route")), key
    if status >= 400:
        assert body["error"] in CODES, (key, status, body)


async def test_every_private_get_operation_of_the_contract_answers(sim, session):
    walker = await onboarded(sim, session, 7)
    answered = {}
    for key in _ops({"GET"}, private_only=True):
        status, body = await _send(sim, session, walker.jwt, key, hex(walker.address))
        _routed(key, status, body)
        answered[key] = status
    # only a lookup of an id the account does not have (and the QR code of an account without a referral code)
    # is refused; everything else answers 200
    refused = {k for k, s in answered.items() if s != 200}
    assert all("{" in k for k in refused - {"GET /referrals/qr-code"}), refused
    assert len(answered) > 40 and answered["GET /transactions"] == answered["GET /account/summary"] == 200
    _conforms(sim)


async def test_every_write_operation_of_the_contract_is_modelled_or_refused_with_a_documented_code(sim, session):
    walker = await onboarded(sim, session, 8)
    for key in _ops({"POST", "PUT", "DELETE"}):
        status, body = await _send(sim, session, walker.jwt, key, hex(walker.address))
        _routed(key, status, body)
        method, path = key.split(" ", 1)
        if (method, path) in REFUSED:  # never a silent success
            assert status >= 400 and body["error"] == REFUSED[(method, path)][1], (key, status, body)
    _conforms(sim)
