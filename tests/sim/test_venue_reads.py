"""The simulator's venue-wide public reads (sim/rest_venue.py) through the package's own implicit API: every answer
conforms to the spec's response schema and carries what the simulator's state says (markets, books, fees, clock),
or, where the simulator has no such thing (vaults, staking, XP, announcements), the empty answer or documented
error Paradex gives for a venue without it. Last, a walk over every public GET operation of the contract."""
import base64
import json
from decimal import Decimal

import aiohttp
import ccxt
import pytest

import ccxt_paradex.async_support
from ccxt_paradex.core import contract
from ccxt_paradex.sim.makers import MM_ACCOUNT
from ccxt_paradex.sim.rest_venue import INSURANCE_ACCOUNT
from ccxt_paradex.sim.state import fmt

DAY_S = 24 * 3600


SIM_OPTIONS = dict(seed=23, tick_interval=0, summary_interval=0, funding_interval=0, option_markets=True,
                   check_responses=True)  # (the module's simulator: the sim fixture of tests/conftest.py)


@pytest.fixture(autouse=True)
def conforming(sim):
    """Every answer of every test fits the spec's response schema (nothing missing, mistyped or beyond it)."""
    yield
    assert sim.contract.answers == [], sim.contract.answers


@pytest.fixture
async def ex(sim):
    ex = ccxt_paradex.async_support.paradex({"urls": sim.ccxt_urls()})
    try:
        yield ex
    finally:
        await ex.close()


def _state(sim, fn):
    return sim.thread.call(fn)


async def _refused(call, exc, code):
    with pytest.raises(exc) as err:
        await call
    assert err.value.paradex_code == code, err.value
    return err.value


# ---- system ---------------------------------------------------------------------------------------
async def test_insurance_fund_holds_nothing_in_the_settlement_currency(sim, ex):
    fund = await ex.public_get_insurance()
    markets = (await ex.public_get_markets())["results"]
    assert fund == {"account": INSURANCE_ACCOUNT, "account_value": "0",
                    "settlement_asset": markets[0]["settlement_currency"],
                    "updated_at": _state(sim, lambda: sim.market_data.opened_at)}
    assert 0 < int(fund["account"], 16) < 2**251  # a StarkNet felt
    assert fund["account"] not in _state(sim, lambda: list(sim.engine.accounts))


async def test_jwks_is_empty_because_the_simulator_signs_with_a_shared_secret(sim, ex):
    assert await ex.public_get_jwks_json() == {"keys": []}
    token = _state(sim, lambda: sim.authority.issue_jwt("0x1", 1))
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "HS256"  # symmetric: no public key a verifier could be given


async def test_announcements_are_an_empty_cursor_page(ex):
    assert await ex.public_get_system_announcements() == {"next": None, "prev": None, "results": []}
    assert (await ex.public_get_system_announcements({"page_size": 5000, "start_at": 0}))["results"] == []
    await _refused(ex.public_get_system_announcements({"page_size": 5001}), ccxt.BadRequest, "INVALID_REQUEST_PARAMETER")
    await _refused(ex.public_get_system_announcements({"cursor": "not-a-cursor"}), ccxt.BadRequest,
                   "INVALID_REQUEST_PARAMETER")


async def test_portfolio_margin_config_has_no_asset(ex):
    assert await ex.public_get_system_portfolio_margin_config() == {"results": []}
    await _refused(ex.public_get_system_portfolio_margin_config({"base_asset": "BTC"}), ccxt.BadRequest,
                   "PORTFOLIO_MARGIN_CONFIG_NOT_FOUND")


async def test_volume_tiers_carry_the_markets_fees(sim, ex):
    markets = (await ex.public_get_markets())["results"]
    assert {m["asset_kind"] for m in markets} == {"PERP", "PERP_OPTION"}

    def expected(source):
        rates = {}
        for m in markets:
            for role in ("maker", "taker"):
                key = f"{m['asset_kind'].lower()}_{role}"
                rates[key] = max(rates.get(key, Decimal(0)), Decimal(m["fee_config"][source][f"{role}_fee"]["fee"]))
        return rates
    tiers = {t["kind"]: t for t in (await ex.public_get_system_volume_tiers())["results"]}
    assert set(tiers) == {"retail", "pro"}
    for kind, source in (("retail", "interactive_fee"), ("pro", "api_fee")):
        assert {k: Decimal(v) for k, v in tiers[kind]["fee_rates"].items()} == expected(source)
        assert tiers[kind]["min_volume"] == "0"  # one base tier: the simulator's fees do not fall with volume
    # the simulator's own fee, as its specs hold it
    taker = _state(sim, lambda: sim.engine.specs["BTC-USD-PERP"].taker_fee)
    assert Decimal(tiers["pro"]["fee_rates"]["perp_taker"]) == taker


# ---- markets --------------------------------------------------------------------------------------
async def test_markets_history_has_each_market_listing_within_seven_days(sim, ex):
    markets = {m["symbol"]: m for m in (await ex.public_get_markets())["results"]}
    opened = _state(sim, lambda: sim.market_data.opened_at)
    events = (await ex.public_get_markets_history())["results"]
    assert sorted(e["symbol"] for e in events) == sorted(markets)
    assert (await ex.public_get_markets_history({"market": "ALL"}))["results"] == events
    for e in events:
        m, fields = markets[e["symbol"]], e["changed_fields"]
        assert (e["event_type"], e["updated_at"]) == ("CREATED", opened)
        for key in ("price_tick_size", "order_size_increment", "min_notional", "max_order_size", "asset_kind",
                    "base_currency", "open_at", "max_open_orders"):
            assert fields[key] == m[key], key
        for key in ("clamp_rate", "max_funding_rate", "interest_rate", "max_slippage", "funding_period_hours"):
            assert fields[key] == float(m[key]), key  # numbers here, strings in /markets
        assert fields.get("strike_price") == m.get("strike_price") and fields.get("option_type") == m.get("option_type")
    only = (await ex.public_get_markets_history({"market": "ETH-USD-PERP"}))["results"]
    assert [e["symbol"] for e in only] == ["ETH-USD-PERP"]
    await _refused(ex.public_get_markets_history({"market": "NOPE-USD-PERP"}), ccxt.BadSymbol, "MARKET_NOT_FOUND")
    # the endpoint covers the last 7 days: 8 days on, the listings have aged out
    _state(sim, lambda: sim.clock.advance(8 * DAY_S))
    try:
        assert (await ex.public_get_markets_history())["results"] == []
    finally:
        _state(sim, lambda: sim.clock.advance(-8 * DAY_S))


async def test_settlement_price_perpetuals_never_settle(sim, ex):
    option = _state(sim, lambda: next(s for s, spec in sim.engine.specs.items() if spec.option_type))
    for market in ("BTC-USD-PERP", option):
        err = await _refused(ex.public_get_markets_settlement_price({"market": market}), ccxt.BadRequest,
                             "MARKET_NOT_SETTLED")
        assert " 404 " in str(err)
    await _refused(ex.public_get_markets_settlement_price({"market": "NOPE-USD-PERP"}), ccxt.BadSymbol,
                   "MARKET_NOT_FOUND")


def _walk(levels, size):
    """A hand walk of [[price, size], ...] (best first) for ``size``: the volume-weighted average price."""
    left, cost = Decimal(size), Decimal(0)
    for price, avail in ((Decimal(p), Decimal(s)) for p, s in levels):
        take = min(left, avail)
        cost += take * price
        left -= take
        if not left:
            return (cost / Decimal(size)).quantize(Decimal("1e-8"))
    raise AssertionError("the book is too thin for the walk")


def _rest_rpi_ask(sim, market):
    """An RPI ask one tick inside the spread from the simulator's maker account -> the order (cancel it after)."""
    eng = sim.engine
    book, spec = eng.books[market], eng.specs[market]
    price = book.asks.best() - spec.tick
    assert price > book.bids.best()
    order = eng.validate(eng.accounts[MM_ACCOUNT], {"market": market, "side": "SELL", "type": "LIMIT",
                                                     "size": fmt(spec.step * 1000), "price": fmt(price),
                                                     "instruction": "RPI", "signature_timestamp": eng.clock()})
    eng.submit(order)
    return order


async def test_impact_price_walks_the_book_on_either_side(sim, ex):
    market = "SOL-USD-PERP"
    # an RPI order rests at the best ask: the UI's book shows it, the API's (and so the impact price) does not
    rpi = _state(sim, lambda: _rest_rpi_ask(sim, market))
    try:
        interactive = await ex.public_get_orderbook_market_interactive({"market": market, "depth": 1})
        assert Decimal(interactive["asks"][0][0]) == rpi.price
        book = await ex.public_get_orderbook_market({"market": market, "depth": 100})
        assert Decimal(book["asks"][0][0]) > rpi.price
        for side, levels, sign in (("BUY", book["asks"], 1), ("SELL", book["bids"], -1)):
            size = int(Decimal(levels[0][1])) + 1  # more than the best level holds: the walk crosses levels
            assert Decimal(levels[0][1]) < size <= sum(Decimal(s) for _, s in levels)
            got = await ex.public_get_orderbook_market_impact_price({"market": market, "size": sign * size})
            assert (got["market"], got["side"], got["size"]) == (market, side, str(size))
            assert Decimal(got["impact_price"]) == _walk(levels, size)
            assert Decimal(got["impact_price"]) != Decimal(levels[0][0])  # worse than the top of the book
            # a size the best level covers: the impact price is that level's price
            top = await ex.public_get_orderbook_market_impact_price({"market": "DOGE-USD-PERP", "size": sign})
            doge = await ex.public_get_orderbook_market({"market": "DOGE-USD-PERP", "depth": 1})
            assert Decimal(top["impact_price"]) == Decimal(doge["asks" if side == "BUY" else "bids"][0][0])
        depth = sum(Decimal(s) for _, s in book["asks"])
        await _refused(ex.public_get_orderbook_market_impact_price({"market": market, "size": int(depth) + 1}),
                       ccxt.BadRequest, "INVALID_REQUEST_PARAMETER")
        await _refused(ex.public_get_orderbook_market_impact_price({"market": market, "size": 0}),
                       ccxt.BadRequest, "INVALID_REQUEST_PARAMETER")
        await _refused(ex.public_get_orderbook_market_impact_price({"market": market, "size": "1.5"}),  # an integer
                       ccxt.BadRequest, "INVALID_REQUEST_PARAMETER")
        await _refused(ex.public_get_orderbook_market_impact_price({"market": "NOPE-USD-PERP", "size": 1}),
                       ccxt.BadSymbol, "MARKET_NOT_FOUND")
    finally:
        _state(sim, lambda: sim.engine.cancel(rpi))


# ---- staking, vaults, XP, referrals: none in the simulator ----------------------------------------
async def test_staking_has_no_stake_and_no_tier(ex):
    for resolution in ("alltime", "1h", "8h"):
        assert await ex.public_get_staking_balance_history_global({"resolution": resolution}) == \
            {"data": [], "timestamps": []}
    await _refused(ex.public_get_staking_balance_history_global({"resolution": "1d"}), ccxt.BadRequest,
                   "INVALID_REQUEST_PARAMETER")
    assert await ex.public_get_staking_config() == {"dime_fee_discount_pct": "0", "tiers": []}


async def test_vaults_are_none_and_an_address_is_not_found(ex):
    assert await ex.public_get_vaults() == {"results": []}
    assert await ex.public_get_vaults_summary() == {"results": []}
    config = await ex.public_get_vaults_config()
    assert config["profit_share_period"] == "0" and config["vault_factory_address"] == ""
    address = "0x" + "ab" * 31
    calls = [
        (ex.public_get_vaults, {"address": address}, " 400 "),
        (ex.public_get_vaults_summary, {"address": address}, " 400 "),
        (ex.public_get_vaults_balance, {"address": address}, " 400 "),
        (ex.public_get_vaults_positions, {"address": address, "strategy": address}, " 400 "),
        (ex.public_get_vaults_transfers, {"address": address}, " 400 "),
        (ex.public_get_vaults_history, {"address": address, "type": "pnl", "resolution": "1h"}, " 400 "),
        (ex.public_get_vaults_analytics, {"address": address}, " 404 "),  # the spec: 404 for a missing vault
    ]
    for method, params, status in calls:
        err = await _refused(method(params), ccxt.BadRequest, "VAULT_NOT_FOUND")
        assert status in str(err), err


async def test_xp_has_no_transfer(ex):
    assert await ex.public_get_xp_fee_config() == {"fee_percentage": 0}
    assert await ex.public_get_xp_public_transfers() == {"next": None, "prev": None, "results": []}
    assert (await ex.public_get_xp_public_transfers({"season": "season2", "page_size": 50}))["results"] == []
    await _refused(ex.public_get_xp_public_transfers({"page_size": 51}), ccxt.BadRequest, "INVALID_REQUEST_PARAMETER")
    err = await _refused(ex.public_get_xp_transfer_transfer_id({"transfer_id": "transfer_123"}), ccxt.BadRequest,
                         "NOT_FOUND")
    assert " 404 " in str(err)


async def test_referrals_config_beyond_the_spec(sim, ex):
    """GET /referrals/config is ccxt's, not the OpenAPI file's: a reading beyond the spec (core.contract.BEYOND_SPEC)
    that takes no parameters; the gate refuses any."""
    await _refused(ex.public_get_referrals_config({"x": 1}), ccxt.BadRequest, "INVALID_REQUEST_PARAMETER")
    config = await ex.public_get_referrals_config()
    # no schema of its own: the spec's ReferralConfigResp (the "referral" of GET /account/profile) gives the fields
    schema = contract.contract()["rest"]["GET /account/profile"]["responses"]["200"]["properties"]["referral"]
    violations: list = []
    contract.check_value(schema, config, "response", violations)
    assert violations == [] and set(config) == set(schema["properties"])
    assert all(Decimal(config[k]) == 0 for k in config if k not in ("name", "referral_type"))


# ---- every public read ---------------------------------------------------------------------------
# operations with nothing to find in the simulator: the documented error, from the operation's own handler
NOT_FOUND_ANSWERS = {
    "GET /markets/settlement-price": (404, "MARKET_NOT_SETTLED"), "GET /vaults/analytics": (404, "VAULT_NOT_FOUND"),
    "GET /xp/transfer/{transfer_id}": (404, "NOT_FOUND"), "GET /vaults/balance": (400, "VAULT_NOT_FOUND"),
    "GET /vaults/history": (400, "VAULT_NOT_FOUND"), "GET /vaults/positions": (400, "VAULT_NOT_FOUND"),
    "GET /vaults/transfers": (400, "VAULT_NOT_FOUND"),
}


def _minimal_params(op, now_ms):
    """Path and query values for ``op``: every required parameter, plus the market /trades needs and the public
    key /onboarding looks up (optional in the spec, required by the simulator as by Paradex)."""
    values = {"market": "SOL-USD-PERP", "symbol": "SOL-USD-PERP", "size": "1", "address": "0x" + "cd" * 31,
              "transfer_id": "1", "account_signer_type": "starknet", "public_key": "0x1234", "resolution": "1",
              "start_at": str(now_ms - 3600_000), "end_at": str(now_ms)}
    path, query = {}, {}
    for where, out in (("path", path), ("query", query)):
        for name, param in op[where].items():
            if param.get("required") or name in ("market", "public_key"):
                enum = param["schema"].get("enum")
                out[name] = enum[0] if enum else values[name]
    return path, query


async def test_every_public_read_of_the_contract_is_served(sim):
    ops = {k: v for k, v in contract.contract()["rest"].items() if k.startswith("GET ") and not v["auth"]}
    assert "GET /insurance" in ops and len(ops) > 30
    now = _state(sim, sim.clock.ms)
    before = _state(sim, lambda: dict(sim.contract.checked))
    answers = {}
    async with aiohttp.ClientSession() as session:
        for key, op in sorted(ops.items()):
            path, query = _minimal_params(op, now)
            url = sim.rest_url + key[4:].format(**path)
            async with session.get(url, params=query) as r:
                body = await r.json()
            answers[key] = (r.status, body.get("error") if r.status >= 400 else None)
            assert not (r.status == 404 and str(body.get("message", "")).startswith("no route")), key
    after = _state(sim, lambda: dict(sim.contract.checked))
    # each request reached its own route (the conformance gate counted it under its operation) and was not refused
    assert [k for k in ops if after.get(k, 0) != before.get(k, 0) + 1] == []
    expected = {k: NOT_FOUND_ANSWERS.get(k, (200, None)) for k in ops}
    assert answers == expected
