"""The simulator's order refusals: every error answer fits the spec's ApiError shape with a documented code (the
response check covers error bodies too), and the documented order rules beyond tick/size/notional: the market's
price band (on by default), its position limit, and the simulator's own batch limit honoured by the contract gate."""
from decimal import Decimal

import aiohttp
import ccxt
import pytest

import ccxt_paradex
from ccxt_paradex.core import contract, keys
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.contract_gate import ContractRefusal

from simclient import onboarded

QUIET = dict(tick_interval=0, summary_interval=0, funding_interval=0, algo_interval=0)
SOL = "SOL-USD-PERP"  # tick 0.001, step 0.01, mark 150
CODES = set(contract.contract()["rest_error_codes"])


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as s:
        yield s


def _modify(c, order, ts, **change):
    body = {"id": order["id"], "market": order["market"], "side": order["side"], "type": order["type"],
            "size": order["size"], "price": order["price"], "signature_timestamp": ts, **change}
    body["signature"] = c.signer.sign_modify_order(order["id"], ts, body["market"], body["side"], body["type"],
                                                   body["size"], body["price"])
    return body


# ---- error answers --------------------------------------------------------------------------------
async def test_every_refusal_is_a_documented_error_answer(session):
    async with Simulator(seed=71, check_responses=True, liquidity=False, **QUIET) as sim:
        c = await onboarded(sim, session, 71)
        ts = sim.clock.ms()
        refusals = [
            await c.place(SOL, "BUY", "LIMIT", "1", "100.0005"),                       # off the tick
            await c.place(SOL, "BUY", "LIMIT", "1.005", "100"),                        # off the size step
            await c.place(SOL, "BUY", "LIMIT", "0.01", "100"),                         # below min notional
            await c.place("NOPE-USD-PERP", "BUY", "LIMIT", "1", "100"),                # no such market
            await c.place(SOL, "BUY", "LIMIT", "1", "100", ts=ts - 3_600_000),         # outside the receive window
            await c.request("GET", "/orders/123"),
            await c.request("DELETE", "/orders/123"),
            await c.request("GET", "/orders/by_client_id/nobody"),
            await c.request("POST", "/orders/batch", [c.order(SOL, "BUY", "LIMIT", "1", "100")] * 11),
            await c.request("GET", "/fills", params={"page_size": "-1"}),
            await c.request("GET", "/positions", auth=False),
        ]
        _, resting, _ = await c.place(SOL, "BUY", "LIMIT", "1", "100", client_id="twice")
        refusals.append(await c.place(SOL, "BUY", "LIMIT", "1", "100", client_id="twice"))
        refusals.append(await c.request("PUT", f"/orders/{resting['id']}", _modify(c, resting, ts, size="0.005")))
        assert (await c.request("DELETE", f"/orders/{resting['id']}"))[0] == 204
        refusals.append(await c.request("DELETE", f"/orders/{resting['id']}"))
        refusals.append(await c.request("PUT", f"/orders/{resting['id']}", _modify(c, resting, sim.clock.ms(), price="101")))
        codes = [(status, body["error"]) for status, body, _ in refusals]
        assert codes == [
            (400, "VALIDATION_ERROR"), (400, "INVALID_ORDER_SIZE"), (400, "VALIDATION_ERROR"), (400, "MARKET_NOT_FOUND"),
            (400, "INVALID_TIMESTAMP"), (400, "ORDER_ID_NOT_FOUND"), (400, "ORDER_ID_NOT_FOUND"),
            (400, "CLIENT_ORDER_ID_NOT_FOUND"), (400, "BATCH_SIZE_OUT_OF_RANGE"), (400, "INVALID_REQUEST_PARAMETER"),
            (401, "UNAUTHORIZED_ERROR"), (400, "DUPLICATED_CLIENT_ID"), (400, "INVALID_ORDER_SIZE"),
            (400, "ORDER_IS_CLOSED"), (400, "ORDER_IS_NOT_OPEN")]
        assert {code for _, code in codes} <= CODES
        assert sum(sim.contract.errors.values()) == len(refusals)  # each one went through the check
        assert sim.contract.answers == [], sim.contract.answers


def test_the_error_check_records_an_undocumented_code_or_field():
    sim = Simulator(seed=72, check_responses=True, liquidity=False, **QUIET)
    sim.contract.error_answer("POST", "/orders", 400, {"error": "VALIDATION_ERROR", "message": "m", "data": None})
    assert sim.contract.answers == []
    sim.contract.error_answer("POST", "/orders", 400, {"error": "ORDER_TOO_SHINY", "message": "m", "data": None})
    sim.contract.error_answer("GET", "/fills", 400, {"error": "NOT_FOUND", "message": "m", "hint": "x"})
    sim.contract.error_answer("GET", "/fills", 429, {"error": "RATE_LIMIT_EXCEEDED", "message": "m", "data": None})
    assert [(op, [str(v) for v in vs]) for op, vs in sim.contract.answers] == [
        ("POST /orders 400", ["response.error: 'ORDER_TOO_SHINY' is not a documented error code"]),
        ("GET /fills 400", ["response.hint: not a field of this request"])]


# ---- price bands ----------------------------------------------------------------------------------
async def test_aggressive_limit_prices_beyond_the_price_band_are_refused_when_bands_are_on(session):
    # Paradex's Price Bands page (mark 100, 5 %): a sell at 94 is refused, a passive buy at 90 is not
    async with Simulator(seed=73, price_bands=True, option_markets=True, check_responses=True, liquidity=False,
                         **QUIET) as sim:
        c = await onboarded(sim, session, 73)
        _, markets, _ = await c.request("GET", "/markets", params={"market": SOL})
        width = Decimal(markets["results"][0]["price_bands_width"])
        mark, tick = sim.engine.mark[SOL], sim.engine.specs[SOL].tick
        low, high = mark * (1 - width), mark * (1 + width)
        for side, price in (("SELL", low - tick), ("BUY", high + tick)):  # aggressive beyond the band: refused
            status, body, _ = await c.place(SOL, side, "LIMIT", "1", str(price))
            assert (status, body["error"]) == (400, "VALIDATION_ERROR") and "price band" in body["message"], body
        for side, price in (("BUY", low - tick), ("SELL", high + tick)):  # passive beyond the band: rests
            status, body, _ = await c.place(SOL, side, "LIMIT", "1", str(price))
            assert status == 201 and sim.engine.orders[body["id"]].status == "OPEN", body
        status, edge, _ = await c.place(SOL, "BUY", "LIMIT", "1", str(high))  # the band's own edge is inside it
        assert status == 201 and sim.engine.orders[edge["id"]].status == "OPEN"
        status, body, _ = await c.request("PUT", f"/orders/{edge['id']}", _modify(c, edge, sim.clock.ms(), price=str(high + tick)))
        assert (status, body["error"]) == (400, "VALIDATION_ERROR") and sim.engine.orders[edge["id"]].price == high
        status, stop, _ = await c.place(SOL, "SELL", "STOP_LIMIT", "1", str(low - tick), trigger_price=str(low))
        assert status == 201, stop  # conditional limit orders are not held to the band of the current mark
        option = next(s for s in sim.engine.specs.values() if s.option_type is not None)
        omark = sim.engine.mark[option.symbol]
        cheap = max(option.tick, (omark * (1 - width) // option.tick - 1) * option.tick)
        size = (option.min_notional / omark // option.step + 1) * option.step
        status, body, _ = await c.place(option.symbol, "SELL", "LIMIT", str(size), str(cheap))
        assert status == 201, body  # options are banded by implied volatility (iv_bands_width), not by price
        assert sim.contract.answers == [], sim.contract.answers


async def test_price_bands_are_on_by_default_and_can_be_turned_off(session):
    for bands, seed in ((None, 74), (False, 174)):
        options = {} if bands is None else {"price_bands": bands}
        async with Simulator(seed=seed, liquidity=False, **options, **QUIET) as sim:
            c = await onboarded(sim, session, seed)
            mark, tick = sim.engine.mark[SOL], sim.engine.specs[SOL].tick
            status, body, _ = await c.place(SOL, "SELL", "LIMIT", "1", str((mark / 2).quantize(tick)))
            if bands is None:
                assert (status, body["error"]) == (400, "VALIDATION_ERROR") and "price band" in body["message"]
            else:
                assert status == 201 and sim.engine.orders[body["id"]].status == "OPEN", body
            status, body, _ = await c.place(SOL, "BUY", "LIMIT", "1", str((mark / 3).quantize(tick)))
            assert status == 201 and sim.engine.orders[body["id"]].status == "OPEN", body  # passive: always rests


def test_the_cli_turns_price_bands_off():
    from ccxt_paradex.sim.__main__ import parser
    assert parser().parse_args([]).price_bands is True
    assert parser().parse_args(["--price-bands"]).price_bands is True
    assert parser().parse_args(["--no-price-bands"]).price_bands is False


# ---- position limit -------------------------------------------------------------------------------
async def test_orders_that_could_take_the_position_past_its_limit_are_rejected(session):
    async with Simulator(seed=75, check_responses=True, **QUIET) as sim:
        spec = sim.engine.specs[SOL]
        spec.position_limit = Decimal("2")
        c = await onboarded(sim, session, 75)
        _, markets, _ = await c.request("GET", "/markets", params={"market": SOL})
        assert markets["results"][0]["position_limit"] == "2"
        acct = sim.engine.accounts[hex(c.address)]
        below = str(sim.engine.mark[SOL] * Decimal("0.99") // spec.tick * spec.tick)
        _, long, _ = await c.place(SOL, "BUY", "MARKET", "1.5")
        assert acct.positions[SOL].size == Decimal("1.5")
        _, rest, _ = await c.place(SOL, "BUY", "LIMIT", "0.5", below)  # 0.5 + 1.5 = the limit: taken
        assert sim.engine.orders[rest["id"]].status == "OPEN"
        status, over, _ = await c.place(SOL, "BUY", "LIMIT", "0.1", below)  # 0.1 + 0.5 open + 1.5 held > 2
        assert status == 201  # a risk check: accepted, then closed
        refused = sim.engine.orders[over["id"]]
        assert (refused.status, refused.cancel_reason) == ("CLOSED", "ORDER_EXCEEDS_POSITION_LIMIT")
        # a sell counts the long against it: 3.5 - 1.5 = 2 fits, 3.6 - 1.5 does not
        status, sell, _ = await c.place(SOL, "SELL", "MARKET", "3.6")
        assert sim.engine.orders[sell["id"]].cancel_reason == "ORDER_EXCEEDS_POSITION_LIMIT"
        assert acct.positions[SOL].size == Decimal("1.5")
        status, sell, _ = await c.place(SOL, "SELL", "MARKET", "3.5")
        assert sim.engine.orders[sell["id"]].cancel_reason == "" and acct.positions[SOL].size == Decimal("-2")
        assert sim.contract.answers == [], sim.contract.answers


def test_a_position_limit_rejection_reaches_ccxt_as_a_closed_order_with_its_reason():
    from ccxt_paradex.sim.thread import SimulatorThread
    key = "0x" + "4f" * 32
    with SimulatorThread(seed=76, **QUIET) as sim:
        sim.thread.call(setattr, sim.engine.specs[SOL], "position_limit", Decimal("1"))
        ex = ccxt_paradex.paradex({"walletAddress": keys.eth_address(key), "privateKey": key, "urls": sim.ccxt_urls()})
        ex.load_markets()
        placed = ex.create_order("SOL/USD:USDC", "market", "buy", 2)
        order = ex.fetch_order(placed["id"], "SOL/USD:USDC")
        assert (order["status"], order["filled"], order["info"]["cancel_reason"]) == (
            "canceled", 0, "ORDER_EXCEEDS_POSITION_LIMIT")


# ---- batch limit ----------------------------------------------------------------------------------
async def test_the_batch_limit_option_is_what_the_gate_and_the_handler_take(session):
    async with Simulator(seed=77, batch_limit=20, check_responses=True, liquidity=False, **QUIET) as sim:
        c = await onboarded(sim, session, 77)
        rows = [c.order(SOL, "BUY", "LIMIT", "1", str(100 + i)) for i in range(21)]
        status, body, _ = await c.request("POST", "/orders/batch", rows[:20])
        assert status == 201 and len(body["orders"]) == 20 and body["errors"] in ([], None), body
        assert [(op, v.problem) for op, v in sim.contract.excused] == [
            ("POST /orders/batch", "batch size must be within 1..10")]
        status, body, _ = await c.request("POST", "/orders/batch", rows)
        assert (status, body["error"]) == (400, "BATCH_SIZE_OUT_OF_RANGE") and "1..20" in body["message"]
        sim.contract.ws("order.create_batch", {"orders": rows[:20]})  # the WebSocket batch: the same limit
        with pytest.raises(ContractRefusal):
            sim.contract.ws("order.create_batch", {"orders": rows})
        assert sim.contract.answers == [], sim.contract.answers
    async with Simulator(seed=78, batch_limit=5, liquidity=False, **QUIET) as sim:  # below the spec's 10
        c = await onboarded(sim, session, 78)
        status, body, _ = await c.request("POST", "/orders/batch", [c.order(SOL, "BUY", "LIMIT", "1", "100")] * 6)
        assert (status, body["error"]) == (400, "BATCH_SIZE_OUT_OF_RANGE") and "1..5" in body["message"]
        with pytest.raises(ContractRefusal):  # the default gate: the spec's 10
            Simulator(seed=79, liquidity=False, **QUIET).contract.ws("order.create_batch", {"orders": [{}] * 11})


def test_ccxt_maps_a_price_band_refusal_to_invalid_order():
    from ccxt_paradex.sim.thread import SimulatorThread
    key = "0x" + "5f" * 32
    with SimulatorThread(seed=80, price_bands=True, liquidity=False, **QUIET) as sim:
        ex = ccxt_paradex.paradex({"walletAddress": keys.eth_address(key), "privateKey": key, "urls": sim.ccxt_urls()})
        ex.load_markets()
        with pytest.raises(ccxt.InvalidOrder, match="price band"):
            ex.create_order("SOL/USD:USDC", "limit", "sell", 1, 100)  # a sell a third below the mark of 150


# ---- venue and market state -----------------------------------------------------------------------
async def test_a_post_only_venue_takes_only_post_only_orders_and_an_unopened_market_none(session):
    async with Simulator(seed=81, check_responses=True, liquidity=False, **QUIET) as sim:
        c = await onboarded(sim, session, 81)
        sim.engine.status = "post_only"
        assert (await c.request("GET", "/system/state"))[1]["status"] == "post_only"
        status, body, _ = await c.place(SOL, "BUY", "LIMIT", "1", "100")
        assert (status, body["error"]) == (400, "SYSTEM_STATUS_POST_ONLY")
        status, body, _ = await c.place(SOL, "BUY", "MARKET", "1")
        assert (status, body["error"]) == (400, "SYSTEM_STATUS_POST_ONLY")
        status, body, _ = await c.place(SOL, "BUY", "LIMIT", "1", "100", instruction="POST_ONLY")
        assert status == 201 and sim.engine.orders[body["id"]].status == "OPEN"
        sim.engine.status = "ok"
        sim.engine.specs[SOL].open_at = sim.clock.ms() + 60_000  # listed, opening in a minute
        status, body, _ = await c.place(SOL, "BUY", "LIMIT", "1", "100")
        assert (status, body["error"]) == (400, "MARKET_NOT_OPEN")
        sim.clock.advance(61)
        status, body, _ = await c.place(SOL, "BUY", "LIMIT", "1", "100")
        assert status == 201, body
        assert sim.contract.answers == [], sim.contract.answers


def test_the_synthetic_makers_keep_quoting_while_the_venue_is_post_only():
    # Paradex: in POST_ONLY mode markets stabilize with maker-only liquidity; the makers' re-quotes (old ladder
    # cancelled first) must not be refused, or the book empties
    sim = Simulator(seed=82, **QUIET)
    makers = sim.liquidity
    sim.engine.status = "post_only"
    makers.quote(SOL)
    for _ in range(20):
        makers.step()
    book = sim.engine.books[SOL]
    assert len(book.bids.prices) >= makers.levels // 2 and len(book.asks.prices) >= makers.levels // 2
    assert book.bids.best() < book.asks.best()
    quotes = makers._mm_orders(SOL)
    assert quotes and {o.instruction for o in quotes} == {"POST_ONLY"}
    sim.engine.status = "ok"  # a venue back to normal: quotes are GTC again
    makers.quote(SOL)
    assert {o.instruction for o in makers._mm_orders(SOL)} == {"GTC"}
