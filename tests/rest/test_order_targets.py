"""The order a call acts on is the one its arguments name, over REST and the WebSocket (review of 2026-12-04).

Request-level checks run on the offline recorder (exactly what would be sent); the WebSocket ones on the
in-process simulator, whose JSON-RPC requests are recorded as it receives them.
"""
import json

import pytest

import ccxt_paradex
from ccxt.base.errors import (ArgumentsRequired, BadRequest, DuplicateOrderId, InvalidOrder, NotSupported,
                              OrderNotFound, RequestTimeout)

from ccxt_paradex.core import keys
from ccxt_paradex.core.batch import in_request_order
from ccxt_paradex.pro import paradex as pro_paradex
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.thread import SimulatorThread
from conftest import far_bid, record_rpc, within

S, M, ETH = "BTC/USD:USDC", "BTC-USD-PERP", "ETH/USD:USDC"
L1 = "0x" + "4e" * 32
QUIET = {"tick_interval": 0, "summary_interval": 0, "funding_interval": 0}


# ---- REST: params never redirect a cancel or a fetch -----------------------------------------------------
@pytest.mark.parametrize("args,error", [
    (("1", S, {"order_id": "2"}), BadRequest),             # would replace the path's order id
    (("1", S, {"id": "2"}), BadRequest),
    ((None, S, {"clientOrderId": "a", "order_id": "2"}), BadRequest),
    (("1", S, {"clientOrderId": "a"}), BadRequest),        # both an id and a client id: which one was meant?
    ((None, S, {"clientOrderId": "a", "clOrdID": "b"}), BadRequest),
    ((None, S, {"clientOrderId": "a", "market": "ETH-USD-PERP"}), BadRequest),  # another market than the symbol's
    (("1", S, {"side": "buy"}), BadRequest),               # unknown: it would go out as a query the endpoint lacks
    ((None, S, {}), ArgumentsRequired),
    (("", S, {}), BadRequest),                            # (the argument guard: an empty id)
])
def test_cancel_order_params_cannot_name_another_order(rec, args, error):
    ex, sent = rec
    with pytest.raises(error):
        ex.cancel_order(*args)
    assert sent == []


@pytest.mark.parametrize("params,segment", [({"clOrdID": "abc"}, "abc"), ({"client_id": "abc"}, "abc"),
                                            ({"client_order_id": "abc", "clientOrderId": "abc"}, "abc")])
def test_every_client_id_spelling_cancels_by_that_client_id(rec, params, segment):
    ex, sent = rec
    order = ex.cancel_order(None, S, params)
    (method, url, _), = sent
    path, _, query = url.partition("?")
    assert method == "DELETE" and path.endswith("/orders/by_client_id/" + segment) and query == "market=" + M
    assert order["clientOrderId"] == segment and order["id"] is None


def test_cancel_by_id_sends_the_id_alone_and_drops_ccxts_generic_flags(rec):
    ex, sent = rec
    assert ex.cancel_order("123", S, {"trigger": True})["id"] == "123"
    assert [(m, u.split("/v1/")[1]) for m, u, _ in sent] == [("DELETE", "orders/123")]


@pytest.mark.parametrize("symbol,params,error", [(S, {"side": "buy"}, BadRequest),
                                                 (S, {"market": "ETH-USD-PERP"}, BadRequest),
                                                 (None, {"type": "limit"}, BadRequest)])
def test_cancel_all_refuses_filters_the_venue_would_ignore(rec, symbol, params, error):
    ex, sent = rec
    with pytest.raises(error):
        ex.cancel_all_orders(symbol, params)
    assert sent == []


def test_cancel_all_names_one_market_or_every_one(rec):
    ex, sent = rec
    ex.cancel_all_orders(S, {"market": M, "trigger": True})
    ex.cancel_all_orders(None, {"market": M})
    ex.cancel_all_orders()
    assert [u.split("/v1/")[1] for _, u, _ in sent] == ["orders?market=" + M, "orders?market=" + M, "orders"]


def test_fetch_order_params_cannot_name_another_order(rec):
    ex, sent = rec
    with pytest.raises(BadRequest):
        ex.fetch_order("1", S, {"order_id": "2"})
    assert sent == []


def test_cancel_orders_takes_each_ccxt_spelling_of_client_ids_and_maps_statuses(rec):
    ex, sent = rec
    results = [{"id": "1", "market": M, "status": "QUEUED_FOR_CANCELLATION"},
               {"id": "2", "market": M, "status": "ALREADY_CLOSED"}, {"client_id": "c", "status": "NOT_FOUND"}]
    ex.privateDeleteOrdersBatch = lambda params: {"results": results}
    orders = ex.cancel_orders(["1", "2"], S, {"clOrdIDs": ["c"]})
    assert [o["status"] for o in orders] == ["canceled", "closed", "rejected"]  # as ccxt's paradex maps them
    with pytest.raises(BadRequest):
        ex.cancel_orders(["1"], S, {"clOrdIDs": ["c"], "clientOrderIds": ["d"]})


# ---- REST: client ids at creation, batches, retries -------------------------------------------------------
@pytest.mark.parametrize("client_id", ["a/b", "..", "x\n", "a\\b"])
def test_an_order_that_could_not_be_cancelled_by_its_client_id_is_not_created(rec, client_id):
    ex, sent = rec
    with pytest.raises(InvalidOrder):
        ex.create_order(S, "limit", "buy", 0.01, 60000, {"clientOrderId": client_id})
    assert sent == []


def test_a_batch_repeating_a_client_id_is_refused_before_signing(rec):
    ex, sent = rec
    order = {"symbol": S, "type": "limit", "side": "buy", "amount": 0.01, "price": 60000}
    with pytest.raises(DuplicateOrderId):
        ex.create_orders([dict(order, params={"clientOrderId": "x"}), dict(order, price=60001, params={"clOrdID": "x"})])
    assert sent == []


def test_batch_answers_never_pair_an_order_with_a_request_of_another_client_id():
    same = {"market": M, "side": "BUY", "type": "LIMIT", "size": "1", "price": "1"}
    requests = [dict(same, client_id="x"), dict(same)]
    # the venue took the second (no client id) and refused the first: R0 must get the error, not R1's order
    out = in_request_order(requests, [dict(same, id="o1", client_id="")], [{"error": "DUPLICATED_CLIENT_ID"}])
    assert out[0][1] is None and out[0][2]["error"] == "DUPLICATED_CLIENT_ID"
    assert out[1][1]["id"] == "o1" and out[1][2] is None
    # an accepted row no field matched is kept on the request with its client id, never on another one's
    out = in_request_order([dict(same, client_id="x"), dict(same, client_id="y")],
                           [dict(same, id="o2", client_id="y", price="1.5")], [])
    assert out[0][1] is None and out[0][2]["error"] == "NO_RESULT" and out[1][1]["id"] == "o2"


@pytest.mark.parametrize("call", ["create_order", "create_orders", "edit_order"])
def test_order_requests_are_never_re_sent_by_ccxts_retry_option(rec, call):
    ex, sent = rec
    ex.options["maxRetriesOnFailure"] = 3
    ex.options["maxRetriesOnFailureDelay"] = 0
    calls = []

    def timing_out(url, method="GET", headers=None, body=None):
        calls.append((method, url))
        raise RequestTimeout("timed out in transit")
    ex.fetch = timing_out
    with pytest.raises(RequestTimeout):
        if call == "create_order":
            ex.create_order(S, "limit", "buy", 0.01, 60000)
        elif call == "create_orders":
            ex.create_orders([{"symbol": S, "type": "limit", "side": "buy", "amount": 0.01, "price": 60000}])
        else:
            ex.edit_order("5", S, "limit", "buy", 0.01, 60000)
    assert len(calls) == 1
    calls.clear()
    with pytest.raises(RequestTimeout):  # a read is still retried as the option says
        ex.fetch_open_orders(S)
    assert len(calls) == 4


# ---- WebSocket ---------------------------------------------------------------------------------------
def _ws_exchange(sim, **options):
    return pro_paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls(),
                        "options": options})


async def test_ws_cancels_name_exactly_their_order():
    async with Simulator(seed=91, **QUIET) as sim:
        ex = _ws_exchange(sim)
        seen = record_rpc(sim)
        try:
            await ex.load_markets()
            low = await far_bid(ex, S)
            a = await within(ex.create_order_ws(S, "limit", "buy", 0.01, low, {"clientOrderId": "a"}))
            c = await within(ex.create_order_ws(S, "limit", "buy", 0.01, low - 1, {"clientOrderId": "c"}))
            for args in [(a["id"], S, {"id": c["id"]}), (a["id"], S, {"clientOrderId": "c"}),
                         (None, S, {"clientOrderId": "c", "market": "ETH-USD-PERP"}), (a["id"], S, {"flags": []})]:
                with pytest.raises(BadRequest):
                    await ex.cancel_order_ws(*args)
            with pytest.raises(NotSupported):  # order.cancel_batch has order_ids only
                await ex.cancel_orders_ws([], S, {"clientOrderIds": ["c"]})
            with pytest.raises(BadRequest):
                await ex.cancel_all_orders_ws(S, {"side": "buy"})
            assert not [r for r in seen if r["method"].startswith("order.cancel")]  # nothing was sent
            done = await within(ex.cancel_order_ws(None, S, {"client_id": "c"}))
            assert done["clientOrderId"] == "c"
            cancels = [r["params"] for r in seen if r["method"] == "order.cancel"]
            assert cancels == [{"client_id": "c", "market": M}]
            open_ids = {o["id"] for o in await ex.fetch_open_orders(S)}
            assert a["id"] in open_ids and c["id"] not in open_ids
        finally:
            await ex.close()


async def test_ws_orders_refuse_rest_only_fields_and_report_rejections_in_full():
    async with Simulator(seed=92, **QUIET) as sim:
        ex = _ws_exchange(sim)
        seen = record_rpc(sim)
        try:
            await ex.load_markets()
            low = await far_bid(ex, S)
            with pytest.raises(NotSupported):  # OpenRPC order.create has no dime_discount
                await ex.create_order_ws(S, "limit", "buy", 0.01, low, {"dime_discount": True})
            assert not [r for r in seen if r["method"].startswith("order.create")]
            ok = {"symbol": S, "type": "limit", "side": "buy", "price": low}
            result = await within(ex.create_orders_ws([dict(ok, amount=0.01, params={"clientOrderId": "w1"}),
                                                       dict(ok, amount=0.00001, params={"clientOrderId": "w2"})]))
            assert [o["status"] for o in result] == ["open", "rejected"]
            assert result[1]["clientOrderId"] == "w2" and result[1]["symbol"] == S and result[1]["amount"] == 0.00001
        finally:
            await ex.close()


async def test_a_batch_refused_for_its_orders_does_not_switch_the_params_shape():
    async with Simulator(seed=93, **QUIET) as sim:  # takes the spec's shape only ({"orders": [...]})
        ex = _ws_exchange(sim)
        try:
            await ex.load_markets()
            original = ex._order_request

            async def refusing(method, params):  # a venue refusing a field of the orders, in either shape
                if method == "order.create_batch":
                    err = BadRequest("binding error: bad field")
                    err.ws_code = -32602
                    raise err
                return await original(method, params)
            ex._order_request = refusing
            batch = [{"symbol": S, "type": "limit", "side": "buy", "amount": 0.01, "price": 1000}]
            with pytest.raises(BadRequest, match="binding error"):
                await ex.create_orders_ws(batch)
            assert ex.options.get("wsCreateBatchShape", "object") == "object"
            assert not ex.options.get("wsCreateBatchShapeSettled")
            ex._order_request = original
            batch[0]["price"] = await far_bid(ex, S)
            assert [o["status"] for o in await within(ex.create_orders_ws(batch))] == ["open"]
        finally:
            await ex.close()


async def test_the_simulator_cancels_by_client_id_only_on_the_named_market():
    """OpenRPC order.cancel / OpenAPI DELETE /orders/by_client_id: the market names where the client id is looked up."""
    async with Simulator(seed=94, **QUIET) as sim:
        ex = _ws_exchange(sim)
        try:
            await ex.load_markets()
            eth = await within(ex.create_order_ws(ETH, "limit", "buy", 0.1, await far_bid(ex, ETH), {"clientOrderId": "B"}))
            for cancel in (ex.cancel_order_ws, ex.cancel_order):
                with pytest.raises(OrderNotFound):
                    await within(cancel(None, S, {"clientOrderId": "B"}))
            assert [o["id"] for o in await ex.fetch_open_orders(ETH)] == [eth["id"]]
            await within(ex.cancel_order_ws(None, ETH, {"clientOrderId": "B"}))
            assert await ex.fetch_open_orders(ETH) == []
        finally:
            await ex.close()


def test_batches_are_at_most_ten_and_a_failed_later_batch_still_reports_the_placed_ones(rec):
    ex, sent = rec
    orders = [{"symbol": S, "type": "limit", "side": "buy", "amount": 0.01, "price": 60000 + i} for i in range(15)]
    ex.options["batchSize"] = 20  # OpenAPI POST /orders/batch: "Valid batch size is between 1-10"
    assert len(ex.create_orders(orders)) == 15
    assert [len(json.loads(body)) for _, _, body in sent] == [10, 5]
    sent.clear()
    ex.options["batchSize"] = 0
    with pytest.raises(BadRequest):
        ex.create_orders(orders)
    assert sent == []
    ex.options["batchSize"] = 10
    answer = ex.fetch

    def second_fails(url, method="GET", headers=None, body=None):
        if sent:
            raise RequestTimeout("the second batch timed out")
        return answer(url, method, headers, body)
    ex.fetch = second_fails
    with pytest.raises(RequestTimeout) as failed:
        ex.create_orders(orders)
    assert len(sent) == 1 and [o["status"] for o in failed.value.orders] == ["open"] * 10


def test_edit_order_refuses_a_trigger_price_the_modify_would_drop(rec):
    ex, sent = rec  # the recorder's live order 123 is a LIMIT order
    with pytest.raises(InvalidOrder, match="no trigger price"):
        ex.edit_order("123", S, None, None, None, 60000, {"triggerPrice": 59000})
    assert [m for m, _, _ in sent] == ["GET"]  # the live order was read; nothing was modified


def test_fetch_order_takes_one_rule_with_cancel_and_sends_no_query(rec):
    ex, sent = rec
    with pytest.raises(BadRequest, match="both an id"):
        ex.fetch_order("5", S, {"clientOrderId": "a1"})
    with pytest.raises(BadRequest, match="does not know"):
        ex.fetch_order("5", S, {"foo": 1})
    assert sent == []
    ex.fetch_order("5", S, {"trigger": True, "stop": True})  # ccxt's generic flags: dropped, not sent as a query
    assert sent == [("GET", "https://api.prod.paradex.trade/v1/orders/5", None)]


def test_fetching_an_untriggered_stop_reads_the_open_orders_before_any_history():
    """The venue's GET /orders/{id} answers OPEN/NEW orders only: a stop-loss polled every few seconds is found among
    the open orders with one request, not by walking /orders-history."""
    with SimulatorThread(seed=4, liquidity=False, tick_interval=0) as sim:
        ex = ccxt_paradex.paradex({"privateKey": "0x" + "4e" * 32, "urls": sim.ccxt_urls()})
        ex.load_markets()
        stop = ex.create_order(S, "limit", "buy", 0.001, 70000, {"triggerPrice": 70000})
        paths = []
        fetch = ex.fetch

        def counting(url, method="GET", headers=None, body=None):
            paths.append(url.split("/v1/", 1)[1])
            return fetch(url, method, headers, body)
        ex.fetch = counting
        got = ex.fetch_order(stop["id"], S)
        assert got["id"] == stop["id"] and got["info"]["status"] == "UNTRIGGERED"
        assert paths == ["orders/" + stop["id"], "orders?market=BTC-USD-PERP"]
