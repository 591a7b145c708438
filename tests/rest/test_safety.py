"""Order safety and input hygiene (issue 10): never touch the wrong order, never send what should be refused.

Request-level checks run on the offline recorder (tests/support/recorder.py: exactly what would be sent, nothing
leaves the process); the order-lifecycle checks run on the simulator, sync and async.
"""
import asyncio
import math
import threading
from decimal import Decimal

import ccxt
import pytest
from ccxt.base.errors import (ArgumentsRequired, AuthenticationError, BadRequest, BadSymbol, InvalidOrder,
                              NotSupported)

import ccxt_paradex
import ccxt_paradex.pro
from ccxt_paradex.async_support import paradex as paradex_async
from ccxt_paradex.core import keys, validate
from ccxt_paradex.core.batch import in_request_order
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.thread import SimulatorThread
from recorder import offline

S = "BTC/USD:USDC"
L1_KEY = "0x" + "5c" * 32


# ---- 1. a cancel or a fetch names exactly its order ----------------------------------------------------
@pytest.mark.parametrize("client_id,segment", [("grid#2", "grid%232"), ("a?b=1", "a%3Fb%3D1"), ("x y%", "x%20y%25"),
                                               ("ok-1_2.3", "ok-1_2.3")])
def test_client_ids_are_escaped_in_the_path(rec, client_id, segment):
    ex, sent = rec
    ex.cancel_order(None, S, {"clientOrderId": client_id})
    ex.fetch_order(None, S, {"clientOrderId": client_id})
    assert sent[0][1].split("?")[0].endswith("/orders/by_client_id/" + segment)
    assert sent[1][1].split("?")[0].endswith("/orders/by_client_id/" + segment)


@pytest.mark.parametrize("bad", ["../orders", "..", ".", "a/b", "a\\b", "", " ", "x\n", True, 1.5, ["1"], {"id": 1}])
def test_ids_that_could_name_another_path_are_refused_before_sending(rec, bad):
    ex, sent = rec
    for call in (lambda: ex.cancel_order(bad, S), lambda: ex.fetch_order(bad, S),
                 lambda: ex.cancel_order(None, S, {"clientOrderId": bad}), lambda: ex.edit_order(bad, S, "limit", "buy", 1, 1)):
        with pytest.raises(ccxt.BadRequest):
            call()
    assert sent == []


def test_sign_escapes_even_when_a_method_forgets(rec):
    ex, sent = rec
    with pytest.raises(BadRequest):
        ex.privateDeleteOrdersOrderId({"order_id": "../orders"})
    ex.privateDeleteOrdersOrderId({"order_id": "7#8"})
    assert sent == [("DELETE", "https://api.prod.paradex.trade/v1/orders/7%238", None)]


def test_cancelling_grid_2_leaves_grid_alive_on_the_simulator_sync():
    with SimulatorThread(seed=3, liquidity=False, tick_interval=0) as sim:
        ex = ccxt_paradex.paradex({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY, "urls": sim.ccxt_urls()})
        grid = ex.create_order(S, "limit", "buy", 0.01, 30000, {"clientOrderId": "grid"})
        grid2 = ex.create_order(S, "limit", "buy", 0.01, 30001, {"clientOrderId": "grid#2"})
        ex.cancel_order(None, S, {"clientOrderId": "grid#2"})
        assert ex.fetch_order(grid["id"])["status"] == "open"
        assert ex.fetch_order(None, S, {"clientOrderId": "grid#2"})["id"] == grid2["id"]
        with pytest.raises(BadRequest):
            ex.cancel_order("../orders", S)
        open_ids = {o["id"] for o in ex.fetch_open_orders(S)}
        assert grid["id"] in open_ids and grid2["id"] not in open_ids


async def test_cancelling_grid_2_leaves_grid_alive_on_the_simulator_async():
    async with Simulator(seed=4, liquidity=False, tick_interval=0, funding_interval=0, summary_interval=0) as sim:
        ex = paradex_async({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY, "urls": sim.ccxt_urls()})
        try:
            grid = await ex.create_order(S, "limit", "buy", 0.01, 30000, {"clientOrderId": "grid"})
            await ex.create_order(S, "limit", "buy", 0.01, 30001, {"clientOrderId": "grid#2"})
            await ex.cancel_order(None, S, {"clientOrderId": "grid#2"})
            await asyncio.sleep(0)
            open_orders = await ex.fetch_open_orders(S)
            assert [o["clientOrderId"] for o in open_orders] == ["grid"] and open_orders[0]["id"] == grid["id"]
        finally:
            await ex.close()


# ---- 2. createOrders: result[i] is request i ------------------------------------------------------------
def test_batch_results_follow_the_request_order():
    reqs = [{"market": "M", "side": "BUY", "type": "LIMIT", "size": "1", "price": str(p)} for p in (1, 2, 3)]
    accepted = [{"market": "M", "side": "BUY", "type": "LIMIT", "size": "1.000", "price": "3.0", "id": "c"},
                {"market": "M", "side": "BUY", "type": "LIMIT", "size": "1", "price": "1", "id": "a"}]
    out = in_request_order(reqs, accepted, [{"error": "E", "message": "no"}])
    assert [(row or {}).get("id") for _, row, _ in out] == ["a", None, "c"]
    assert out[1][2]["error"] == "E"


def test_create_orders_keeps_request_order_on_the_simulator():
    with SimulatorThread(seed=5, liquidity=False, tick_interval=0) as sim:
        ex = ccxt_paradex.paradex({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY, "urls": sim.ccxt_urls()})
        ok = {"symbol": S, "type": "limit", "side": "buy", "price": 30000}
        result = ex.create_orders([dict(ok, amount=0.01, params={"clientOrderId": "first"}),
                                   dict(ok, amount=0.00001, params={"clientOrderId": "tiny"}),  # below min notional
                                   dict(ok, amount=0.02, params={"clientOrderId": "third"})])
        assert [o["status"] for o in result] == ["open", "rejected", "open"]
        assert [o["clientOrderId"] for o in result] == ["first", "tiny", "third"]
        assert result[1]["amount"] == 0.00001 and result[1]["symbol"] == S


# ---- 3. cancelOrders ------------------------------------------------------------------------------------
@pytest.mark.parametrize("ids,error", [("123", BadRequest), (None, BadRequest), ([], ArgumentsRequired),
                                       ([None], BadRequest), ([""], BadRequest), (["1", "a/b"], BadRequest),
                                       ({"1": 1}, BadRequest), (123, BadRequest)])
def test_cancel_orders_refuses_what_is_not_a_list_of_ids(rec, ids, error):
    ex, sent = rec
    with pytest.raises(error):
        ex.cancel_orders(ids, S)
    assert sent == []


def test_cancel_orders_sends_ids_and_client_ids(rec):
    ex, sent = rec
    ex.cancel_orders(["1", 2], S)
    ex.cancel_orders(None, S, {"clientOrderIds": ["a#1"]})
    assert [s[2] for s in sent] == ['{"order_ids":["1","2"]}', '{"order_ids":[],"client_order_ids":["a#1"]}']


# ---- 4. flags, unknown params, attached SL/TP ---------------------------------------------------------
def _body(sent):
    import json
    return json.loads(sent[-1][2])


@pytest.mark.parametrize("value", [True, "true", "True", 1, "1"])
def test_string_and_int_flags_mean_what_they_say(rec, value):
    ex, sent = rec
    ex.create_order(S, "limit", "buy", 0.01, 60000, {"postOnly": value, "reduceOnly": value})
    body = _body(sent)
    assert body["instruction"] == "POST_ONLY" and body["flags"] == ["REDUCE_ONLY"]


@pytest.mark.parametrize("value", [False, "false", 0, "0"])
def test_false_flags_stay_false(rec, value):
    ex, sent = rec
    ex.create_order(S, "limit", "buy", 0.01, 60000, {"postOnly": value, "reduceOnly": value})
    body = _body(sent)
    assert body["instruction"] == "GTC" and "flags" not in body


@pytest.mark.parametrize("params,error", [
    ({"postOnly": "maybe"}, BadRequest), ({"reduceOnly": 2}, BadRequest), ({"foo": 1}, BadRequest),
    ({"stopLoss": {"triggerPrice": 50000}}, NotSupported), ({"takeProfit": {"triggerPrice": 70000}}, NotSupported),
    ({"trailingPercent": 1}, NotSupported), ({"trailingAmount": 5}, NotSupported), ({"cost": 100}, NotSupported),
    ({"marginMode": "isolated"}, NotSupported), ({"triggerPrice": 1, "stopLossPrice": 2}, InvalidOrder),
    ({"triggerDirection": "sideways", "triggerPrice": 59000}, InvalidOrder), ({"flags": ["NUKE"]}, InvalidOrder),
    ({"clientOrderId": "x" * 65}, InvalidOrder), ({"stp": "nope"}, InvalidOrder), ({"recvWindow": "soon"}, BadRequest),
    ({"leverage": 5}, NotSupported), ({"positionSide": "long"}, NotSupported), ({"hedged": True}, NotSupported),
])
def test_unknown_or_unsupported_params_are_refused_not_sent(rec, params, error):
    ex, sent = rec
    with pytest.raises(error):
        ex.create_order(S, "limit", "buy", 0.01, 60000, params)
    assert sent == []


def test_documented_pass_throughs_and_the_option_for_more(rec):
    ex, sent = rec
    ex.create_order(S, "limit", "buy", 0.01, 60000, {"dime_discount": True, "marginMode": "cross"})
    assert _body(sent)["dime_discount"] is True and "marginMode" not in _body(sent)
    ex.options["passThroughParams"] = ["new_venue_field"]
    ex.create_order(S, "limit", "buy", 0.01, 60000, {"new_venue_field": "x"})
    assert _body(sent)["new_venue_field"] == "x"


@pytest.mark.parametrize("amount", [0, None, "0"])
@pytest.mark.parametrize("key,otype", [("stopLossPrice", "STOP_LOSS_MARKET"), ("takeProfitPrice", "TAKE_PROFIT_MARKET")])
def test_tp_sl_of_amount_zero_closes_the_position_the_ccxt_way(rec, amount, key, otype):
    ex, sent = rec
    ex.create_order(S, "market", "sell", amount, None, {key: 55000})
    body = _body(sent)
    assert (body["type"], body["size"], body["flags"]) == (otype, "0", ["REDUCE_ONLY"])


# ---- 5. never a raw Python exception ----------------------------------------------------------------------
BAD_NUMBERS = [math.inf, -math.inf, math.nan, True, False, 1e30, "abc", "", "1e999", [], {}, -1, 0, "nan", object()]


@pytest.mark.parametrize("amount", BAD_NUMBERS)
def test_bad_amounts_raise_ccxt_errors(rec, amount):
    ex, sent = rec
    with pytest.raises(ccxt.BaseError):
        ex.create_order(S, "limit", "buy", amount, 60000)
    with pytest.raises(ccxt.BaseError):
        ex.create_order(S, "limit", "buy", 0.01, amount)
    assert sent == []


@pytest.mark.parametrize("orders", [None, "abc", [], [None], [1], [{"symbol": S}], [{"type": "limit", "side": "buy"}],
                                    [{"symbol": 5, "type": "limit", "side": "buy", "amount": 1, "price": 1}],
                                    [{"symbol": S, "type": "limit", "side": "buy", "amount": 1, "price": 1, "params": 3}]])
def test_malformed_order_lists_raise_ccxt_errors(rec, orders):
    ex, sent = rec
    with pytest.raises(ccxt.BaseError):
        ex.create_orders(orders)
    assert sent == []


@pytest.mark.parametrize("symbol,error", [(5, BadSymbol), ("", BadSymbol), ([S], BadSymbol), (None, ArgumentsRequired),
                                          ("NOPE/USD:USDC", BadSymbol)])
def test_bad_symbols(rec, symbol, error):
    ex, sent = rec
    for call in (lambda: ex.fetch_ticker(symbol), lambda: ex.create_order(symbol, "limit", "buy", 1, 1),
                 lambda: ex.fetch_order_book(symbol)):
        with pytest.raises(error):
            call()
    assert sent == []


# ---- 6. checks before sending -----------------------------------------------------------------------------
@pytest.mark.parametrize("since", ["abc", "1700000000000", -1, math.nan, math.inf, 1.5, True, [1]])
def test_bad_since_is_refused_before_any_request(rec, since):
    ex, sent = rec
    for call in (lambda: ex.fetch_trades(S, since), lambda: ex.fetch_my_trades(S, since), lambda: ex.fetch_orders(S, since),
                 lambda: ex.fetch_ohlcv(S, "1m", since), lambda: ex.fetch_funding_history(S, since)):
        with pytest.raises(BadRequest):
            call()
    assert sent == []


@pytest.mark.parametrize("limit", ["10", 0, -5, 1.5, math.nan, math.inf, True])
def test_bad_limit_is_refused_before_any_request(rec, limit):
    ex, sent = rec
    for call in (lambda: ex.fetch_trades(S, None, limit), lambda: ex.fetch_order_book(S, limit),
                 lambda: ex.fetch_open_orders(S, None, limit), lambda: ex.fetch_ohlcv(S, "1m", None, limit)):
        with pytest.raises(BadRequest):
            call()
    assert sent == []


def test_integral_floats_are_fine_for_since_and_limit(rec):
    ex, sent = rec
    ex.fetch_trades(S, 1700000000000.0, 10.0)
    assert "start_at=1700000000000" in sent[-1][1] and "page_size=" in sent[-1][1]


@pytest.mark.parametrize("args,error", [
    (("limit", "sell", None, 60000), InvalidOrder),      # flipped side (the recorder's live order is a BUY)
    (("limit", "buy", 0.01, -1), InvalidOrder), (("limit", "up", 0.01, 1), InvalidOrder),
    (("sideways", "buy", 0.01, 1), InvalidOrder), ((None, None, None, None), ArgumentsRequired),
    (("limit", "buy", math.inf, 1), InvalidOrder),
])
def test_edit_order_validates_before_fetching_or_sending(rec, args, error):
    ex, sent = rec
    with pytest.raises(error):
        ex.edit_order("123", S, *args)
    assert all(method == "GET" for method, _, _ in sent)  # at most the live order was read; nothing was modified


def test_edit_order_with_everything_given_sends_one_request(rec):
    """Nothing to fetch (the spec's GET /orders/{id} lists only open orders, so an untriggered stop would not
    be found): the venue itself refuses a changed side or market ("cannot be modified")."""
    ex, sent = rec
    ex.edit_order("123", S, "limit", "buy", 0.02, 60010)
    assert [(m, u.split("/v1/")[1]) for m, u, _ in sent] == [("PUT", "orders/123")]


def test_edit_of_another_markets_order_is_refused(rec):
    ex, sent = rec
    with pytest.raises(InvalidOrder):
        ex.edit_order("123", "ETH/USD:USDC", None, None, None, 3000)  # the live order is on BTC-USD-PERP
    assert [m for m, _, _ in sent] == ["GET"]


def test_market_limits_are_checked_before_sending(rec):
    ex, sent = rec
    with pytest.raises(InvalidOrder):
        ex.create_order(S, "limit", "buy", 2000000, 60000)  # the simulator's max order size is 1,000,000
    ex.options["checkMinNotional"] = True
    with pytest.raises(InvalidOrder):
        ex.create_order(S, "limit", "buy", 0.0001, 60000)  # 6 USD < 10 USD min notional
    ex.create_order(S, "limit", "sell", 0.0001, 60000, {"reduceOnly": True})  # reduce-only is exempt
    assert len(sent) == 1


# ---- 7. (rate limits: tests/core/test_errors_and_limits.py) and single-flight load_markets ---------------------------
def test_fifty_threads_on_a_cold_sync_client_load_markets_once():
    ex, sent = offline("sync")
    barrier = threading.Barrier(50)
    errors = []

    def worker():
        try:
            barrier.wait()
            ex.load_markets()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == [] and S in ex.markets
    assert [u.split("/v1/")[1] for _, u, _ in sent].count("markets") == 1


async def test_concurrent_async_load_markets_is_one_request():
    ex, sent = offline("async")
    try:
        await asyncio.gather(*[ex.load_markets() for _ in range(30)], *[ex.fetch_ticker(S) for _ in range(5)])
        assert [u.split("/v1/")[1].split("?")[0] for _, u, _ in sent].count("markets") == 1
    finally:
        await ex.close()


# ---- 9. credentials that disagree -------------------------------------------------------------------------
def test_wallet_address_must_match_the_private_key():
    other = keys.eth_address("0x" + "77" * 32)
    ex, sent = offline("sync")
    ex.options.pop("paradexAccount")
    ex.privateKey, ex.walletAddress = L1_KEY, other
    with pytest.raises(AuthenticationError, match="not the address"):
        ex.create_order(S, "limit", "buy", 0.01, 60000)
    assert all("orders" not in u for _, u, _ in sent)
    ex.walletAddress = keys.eth_address(L1_KEY).lower()  # case does not matter
    ex._signer = None
    assert ex.create_order(S, "limit", "buy", 0.01, 60000)["id"] == "999"


# ---- 10. precision: truncated as ccxt does, or refused on request -------------------------------------------
def test_over_precise_amounts_are_truncated_by_default_and_refused_when_strict(rec):
    ex, sent = rec
    ex.create_order(S, "limit", "buy", 0.0123456, 60000.04)
    body = _body(sent)
    assert Decimal(body["size"]) < Decimal("0.0123456") and Decimal(body["size"]) > 0
    ex.options["strictPrecision"] = True
    with pytest.raises(InvalidOrder, match="strictPrecision"):
        ex.create_order(S, "limit", "buy", 0.0123456, 60000)
    ex.create_order(S, "limit", "buy", body["size"], body["price"])  # exact steps pass
    assert len(sent) == 2


# ---- the validators alone ---------------------------------------------------------------------------------
def test_validators_alone():
    assert validate.flag("TRUE", "x") is True and validate.flag(0, "x") is False and validate.flag(None, "x") is None
    assert validate.path_segment("a#b?c") == "a%23b%3Fc"
    assert validate.limit(5.0, "m") == 5 and validate.since(None, "m") is None
    assert str(validate.positive("0.5", "amount")) == "0.5"
    for bad in (math.inf, True, "1e999", 1e15):
        with pytest.raises(InvalidOrder):
            validate.positive(bad, "amount")
    assert validate.guard_methods(ccxt_paradex.paradex) is ccxt_paradex.paradex  # idempotent
    assert getattr(ccxt_paradex.paradex.fetch_trades, "__guarded__", False)
    assert getattr(ccxt_paradex.pro.paradex.watch_order_book, "__guarded__", False)


# ---- issue 11 item 3: WebSocket order requests carry price "0" for market-family orders ----------------------
async def test_ws_market_orders_send_price_zero_and_verify():
    from ccxt_paradex.core import signing
    from recorder import L2_KEY
    ex_rest, _ = offline("async")
    ex = ccxt_paradex.pro.paradex({"options": dict(ex_rest.options), "enableRateLimit": False})
    ex.fetch = ex_rest.fetch
    calls = []

    async def order_request(method, params):
        calls.append((method, params))
        return {}
    ex._order_request = order_request
    try:
        await ex.create_order_ws(S, "market", "buy", 0.01)
        await ex.create_order_ws(S, "market", "sell", 0.01, None, {"triggerPrice": 50000})
        await ex.create_order_ws(S, "limit", "buy", 0.01, 60000)
        prices = [params["price"] for _, params in calls]
        assert prices == ["0", "0", "60000"]
        signer = await ex.stark_signer()
        for _, req in calls:  # each request as sent verifies, price "0" included
            felts = signing.order_felts(req["signature_timestamp"], req["market"], req["side"], req["type"], req["size"],
                                        req["price"])
            assert signing.verify(keys.public_key(L2_KEY), signing.order_hash(signer.chain_id, signer.account, felts),
                                  req["signature"])
        with pytest.raises(ArgumentsRequired):
            await ex.cancel_order_ws(None, None, {"clientOrderId": "a"})  # OpenRPC: client_id needs the market
        assert len(calls) == 3
    finally:
        await ex.close()


def test_fetch_order_book_limit_is_sent_as_depth(rec):
    """ccxt's built-in drops ``limit``; Paradex's GET /orderbook/{market} takes it as ``depth``."""
    ex, sent = rec
    ex.fetch_order_book(S, 5)
    assert sent[-1][1].endswith("/orderbook/BTC-USD-PERP?depth=5")
