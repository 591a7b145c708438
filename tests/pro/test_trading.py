"""Trading over the WebSocket (ccxt_paradex.pro ``*_ws`` methods) against the in-process simulator:
round trips that pass ccxt's validators and match their REST twins, error mapping, rate limits shared
with REST, cancel-on-disconnect, in-flight requests on a dropped connection, both create_batch shapes."""
import asyncio
import json
import time

import aiohttp
import ccxt
import ccxt.test.exchange.base as v
import pytest

from ccxt_paradex.core.errors import ws_exception_for
from ccxt_paradex.core.signing import StarkSigner
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.ratelimit import LIMITS
from conftest import eventually as _eventually, far_bid, pro_exchange, record_rpc, subscribed as _subscribed, within as _within

SYMBOL, MARKET = "BTC/USD:USDC", "BTC-USD-PERP"
L1 = "0x" + "4c" * 32
L1_OTHER = "0x" + "4d" * 32
QUIET = {"tick_interval": 0, "summary_interval": 0, "funding_interval": 0}


def _exchange(sim, key=L1, **options):
    return pro_exchange(sim, key, **options)


def _far_bid(ex, factor=0.9):
    return far_bid(ex, SYMBOL, factor)


_record_requests = record_rpc


def _same_shape(ws_order, rest_order, same_info=True):
    """Same unified keys, set/unset alike; ``info`` is the venue payload (REST cancel answers 204, WS a body)."""
    assert set(ws_order) == set(rest_order)
    if same_info:
        assert set(ws_order["info"]) == set(rest_order["info"])
    for key in ws_order:
        if key != "info":
            assert (ws_order[key] is None) == (rest_order[key] is None), key


async def test_every_ws_method_round_trips_like_its_rest_twin():
    async with Simulator(seed=71, **QUIET) as sim:
        ex = _exchange(sim)
        seen = _record_requests(sim)
        try:
            await ex.load_markets()
            now = ex.milliseconds()
            low = await _far_bid(ex)
            assert all(ex.has[m] for m in ("createOrderWs", "createOrdersWs", "editOrderWs", "cancelOrderWs",
                                           "cancelOrdersWs", "cancelAllOrdersWs"))

            # create: validated like REST, same structure as REST
            ws = await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low, {"postOnly": True, "clientOrderId": "w1"}))
            v.test_order(ex, {}, "createOrderWs", ws, SYMBOL, now)
            rest = await ex.create_order(SYMBOL, "limit", "buy", 0.01, low, {"postOnly": True, "clientOrderId": "r1"})
            _same_shape(ws, rest)
            assert (ws["status"], ws["postOnly"], ws["clientOrderId"], ws["price"]) == ("open", True, "w1", low)
            assert [r["method"] for r in seen if r["method"].startswith("order.")] == ["order.create"]

            # edit with every field given: no REST lookup; with the price only: the rest from the live order
            fetches = []
            original = ex.privateGetOrdersOrderId

            async def counting(params={}):
                fetches.append(params)
                return await original(params)
            ex.privateGetOrdersOrderId = counting
            edited = await _within(ex.edit_order_ws(ws["id"], SYMBOL, "limit", "buy", 0.02, low - 1))
            v.test_order(ex, {}, "editOrderWs", edited, SYMBOL, now)
            assert (edited["id"], edited["amount"], edited["price"]) == (ws["id"], 0.02, low - 1) and fetches == []
            edited = await _within(ex.edit_order_ws(ws["id"], SYMBOL, price=low - 2))
            assert (edited["amount"], edited["price"]) == (0.02, low - 2) and len(fetches) == 1
            rest_edited = await ex.edit_order(rest["id"], SYMBOL, price=low - 2)
            _same_shape(edited, rest_edited)
            modify = [r for r in seen if r["method"] == "order.modify"][-1]["params"]
            assert {"id", "market", "side", "type", "size", "price", "signature", "signature_timestamp"} <= set(modify)

            # cancel by id and by client order id
            canceled = await _within(ex.cancel_order_ws(ws["id"], SYMBOL))
            rest_canceled = await ex.cancel_order(rest["id"], SYMBOL)
            _same_shape(canceled, rest_canceled, same_info=False)
            assert canceled["id"] == ws["id"] and canceled["info"]["status"] == "QUEUED_FOR_CANCELLATION"
            assert sim.engine.orders[ws["id"]].cancel_reason == "USER_CANCELED"
            by_client = await ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low, {"clientOrderId": "w2"})
            canceled = await _within(ex.cancel_order_ws(None, SYMBOL, {"clientOrderId": "w2"}))
            assert canceled["id"] == by_client["id"] and canceled["clientOrderId"] == "w2"
            assert not sim.engine.orders[by_client["id"]].is_open

            # batches: 12 orders -> two order.create_batch requests, results in request order
            batch = [{"symbol": SYMBOL, "type": "limit", "side": "buy", "amount": 0.01, "price": low - i} for i in range(12)]
            created = await _within(ex.create_orders_ws(batch))
            assert [o["price"] for o in created] == [low - i for i in range(12)]
            for o in created:
                v.test_order(ex, {}, "createOrdersWs", o, SYMBOL, now)
            assert len([r for r in seen if r["method"] == "order.create_batch"]) == 2
            rest_created = await ex.create_orders(batch[:2])
            _same_shape(created[0], rest_created[0])
            results = await _within(ex.cancel_orders_ws([o["id"] for o in created[:3]] + ["4242"]))
            rest_results = await ex.cancel_orders([o["id"] for o in rest_created] + ["4243"])
            assert [r["id"] for r in results] == [o["id"] for o in created[:3]] + ["4242"]
            assert [r["info"]["status"] for r in results] == ["QUEUED_FOR_CANCELLATION"] * 3 + ["NOT_FOUND"]
            assert results[0]["symbol"] == SYMBOL and results[3]["symbol"] is None
            _same_shape(results[0], rest_results[0])
            _same_shape(results[3], rest_results[2])

            # a rejected order inside a batch comes back as a 'rejected' order, in place
            mixed = await _within(ex.create_orders_ws([batch[0], dict(batch[1], amount=0.00001)]))
            assert mixed[0]["status"] == "open" and mixed[1]["status"] == "rejected"
            assert mixed[1]["info"]["error"] == "VALIDATION_ERROR"

            all_canceled = await _within(ex.cancel_all_orders_ws(SYMBOL))
            rest_all = await ex.cancel_all_orders(SYMBOL)
            assert len(all_canceled) == 1 and set(all_canceled[0]) == set(rest_all[0])
            assert await ex.fetch_open_orders(SYMBOL) == []

            # a market order fills at once
            filled = await _within(ex.create_order_ws(SYMBOL, "market", "buy", 0.002))
            v.test_order(ex, {}, "createOrderWs", filled, SYMBOL, now)
            assert filled["type"] == "market" and filled["side"] == "buy"
            assert sim.engine.orders[filled["id"]].remaining == 0

            # validation raises before anything is sent
            sent = len(seen)
            with pytest.raises(ccxt.InvalidOrder):
                await ex.create_order_ws(SYMBOL, "limit", "hold", 0.01, low)
            with pytest.raises(ccxt.ArgumentsRequired):
                await ex.create_order_ws(SYMBOL, "limit", "buy", 0.01)
            with pytest.raises(ccxt.InvalidOrder):
                await ex.create_orders_ws([batch[0], dict(batch[1], amount=-1)])
            with pytest.raises(ccxt.ArgumentsRequired):
                await ex.cancel_order_ws(None, SYMBOL)
            assert len(seen) == sent
        finally:
            await ex.close()


async def test_errors_map_to_the_same_exceptions_as_rest():
    async with Simulator(seed=72, **QUIET) as sim:
        ex = _exchange(sim, enableRateLimit=False)
        try:
            await ex.load_markets()
            low = await _far_bid(ex)
            await ex.authenticate()
            with pytest.raises(ccxt.OrderNotFound, match="ORDER_ID_NOT_FOUND"):
                await _within(ex.cancel_order_ws("1234567"))
            with pytest.raises(ccxt.OrderNotFound):
                await ex.cancel_order("1234567")
            with pytest.raises(ccxt.OrderNotFound):
                await _within(ex.edit_order_ws("1234567", SYMBOL, "limit", "buy", 0.01, low))
            with pytest.raises(ccxt.OrderNotFound):
                await _within(ex.cancel_order_ws(None, SYMBOL, {"clientOrderId": "nope"}))
            with pytest.raises(ccxt.InvalidOrder):  # below min notional: rejected by the venue
                await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.00001, low))
            with pytest.raises(ccxt.InvalidOrder):
                await ex.create_order(SYMBOL, "limit", "buy", 0.00001, low)

            # a signer whose key is not the account's: the signature does not verify
            good = await ex.stark_signer()
            ex._signer = StarkSigner("0x1234567", good.account, good.chain_id)
            with pytest.raises(ccxt.AuthenticationError, match="INVALID_ORDER_SIGNATURE"):
                await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low))
            with pytest.raises(ccxt.AuthenticationError):
                await ex.create_order(SYMBOL, "limit", "buy", 0.01, low)
            with pytest.raises(ccxt.AuthenticationError, match="INVALID_ORDER_SIGNATURE"):  # rejects the whole batch
                await _within(ex.create_orders_ws([{"symbol": SYMBOL, "type": "limit", "side": "buy", "amount": 0.01,
                                                    "price": low}]))
            ex._signer = good
            assert not sim.engine.open_orders.get(hex(good.account))

            # the codes the venue answers before touching an order
            assert ws_exception_for({"code": 40300, "message": "authentication required"}, True) is ccxt.AuthenticationError
            assert ws_exception_for({"code": 42901, "message": "rate limit exceeded"}, True) is ccxt.RateLimitExceeded
        finally:
            await ex.close()


async def test_rate_limit_is_the_rest_orders_bucket():
    async with Simulator(seed=73, **QUIET) as sim:
        sim.limiter.limits = dict(LIMITS, orders=[(6, 1), (17250, 60)])
        ex = _exchange(sim, enableRateLimit=False)
        try:
            await ex.load_markets()
            for _ in range(3):
                await _within(ex.cancel_all_orders_ws(SYMBOL))
            for _ in range(3):
                await ex.cancel_all_orders(SYMBOL)
            with pytest.raises(ccxt.RateLimitExceeded, match="42901"):  # WS and REST drew from one bucket
                await _within(ex.cancel_all_orders_ws(SYMBOL))
            with pytest.raises(ccxt.RateLimitExceeded):
                await ex.cancel_all_orders(SYMBOL)
            sim.clock.advance(0.4)  # 6/s refills: two tokens (the venue clock moves; no sleep)
            await _within(ex.cancel_all_orders_ws(SYMBOL))
        finally:
            await ex.close()


async def test_cancel_on_disconnect_cancels_that_connections_orders_and_rearms():
    async with Simulator(seed=74, **QUIET) as sim:
        ex = _exchange(sim, cancelOnDisconnect=True)
        other = _exchange(sim, L1_OTHER)  # a second connection, cancel-on-disconnect off
        seen = _record_requests(sim)
        try:
            await ex.load_markets()
            await other.load_markets()
            low = await _far_bid(ex)
            placed = [await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low - i)) for i in range(2)]
            placed += await _within(ex.create_orders_ws([{"symbol": SYMBOL, "type": "limit", "side": "buy",
                                                          "amount": 0.01, "price": low - 5}]))
            methods = [r["method"] for r in seen]
            assert methods.index("order.cancel_on_disconnect") < methods.index("order.create")
            assert methods.count("order.cancel_on_disconnect") == 1
            via_rest = await ex.create_order(SYMBOL, "limit", "buy", 0.01, low - 9)       # not placed on the socket
            survivor = await _within(other.create_order_ws(SYMBOL, "limit", "buy", 0.01, low))

            await sim.feed.disconnect_all()
            await _eventually(lambda: all(not sim.engine.orders[o["id"]].is_open for o in placed))
            await _eventually(lambda: not ex.clients or all(c.closed() for c in ex.clients.values()))  # the client saw it
            for o in placed:
                order = sim.engine.orders[o["id"]]
                assert order.status == "CLOSED" and order.cancel_reason == "USER_CANCELED"
            assert sim.engine.orders[via_rest["id"]].is_open and sim.engine.orders[survivor["id"]].is_open

            # the reconnected socket is armed again before its first order
            again = await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low - 3))
            assert [r["method"] for r in seen].count("order.cancel_on_disconnect") == 2
            open_ids = {o["id"] for o in await ex.fetch_open_orders(SYMBOL)}
            assert open_ids == {via_rest["id"], again["id"]}
            await sim.feed.disconnect_all()
            await _eventually(lambda: not sim.engine.orders[again["id"]].is_open)
            await _eventually(lambda: not ex.clients or all(c.closed() for c in ex.clients.values()))  # the client saw it

            # switched off: orders outlive the connection
            assert await _within(ex.set_cancel_on_disconnect_ws(False)) == {"enabled": False}
            kept = await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low - 4))
            await sim.feed.disconnect_all()
            await _eventually(lambda: not sim.feed.connections)  # the simulator's cleanup of the socket has run
            assert sim.engine.orders[kept["id"]].is_open
            await _eventually(lambda: not ex.clients or all(c.closed() for c in ex.clients.values()))
            assert await _within(ex.set_cancel_on_disconnect_ws(True)) == {"enabled": True}
        finally:
            await ex.close()
            await other.close()


async def test_in_flight_request_rejected_on_disconnect_and_timeout():
    async with Simulator(seed=75, **QUIET) as sim:
        ex = _exchange(sim)
        try:
            await ex.load_markets()
            low = await _far_bid(ex)
            await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low))
            dispatch = sim.feed.dispatch

            def swallow_orders(conn, text):  # the venue never answers order.create
                return None if json.loads(text).get("method") == "order.create" else dispatch(conn, text)
            sim.feed.dispatch = swallow_orders

            ex.options["wsOrderTimeout"] = 0.2  # only this request waits for an answer that never comes
            with pytest.raises(ccxt.RequestTimeout):
                await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low))

            ex.options["wsOrderTimeout"] = 30
            started = time.monotonic()
            asyncio.get_running_loop().call_later(0.2, lambda: asyncio.ensure_future(sim.feed.disconnect_all()))
            with pytest.raises(ccxt.NetworkError) as err:
                await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low), 10)
            assert not isinstance(err.value, ccxt.RequestTimeout) and "connection lost" in str(err.value)
            assert time.monotonic() - started < 2
            assert not any(s.requests for s in ex._sessions.values())  # the lost session kept nothing in flight

            sim.feed.dispatch = dispatch  # a fresh connection serves the next request
            order = await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low))
            assert order["status"] == "open" and ex.reconnects >= 1
        finally:
            await ex.close()


@pytest.mark.parametrize("venue_shape", ["array", "object"])
async def test_create_batch_finds_the_params_shape_the_venue_takes(venue_shape):
    async with Simulator(seed=77, create_batch_shape=venue_shape, **QUIET) as sim:
        start = "object" if venue_shape == "array" else "array"
        ex = _exchange(sim, wsCreateBatchShape=start)
        seen = _record_requests(sim)
        try:
            await ex.load_markets()
            low = await _far_bid(ex)
            batch = [{"symbol": SYMBOL, "type": "limit", "side": "buy", "amount": 0.01, "price": low - i} for i in range(2)]
            first = await _within(ex.create_orders_ws(batch))
            second = await _within(ex.create_orders_ws(batch))
            assert [o["status"] for o in first + second] == ["open"] * 4
            shapes = ["array" if isinstance(r["params"], list) else "object"
                      for r in seen if r["method"] == "order.create_batch"]
            assert shapes == [start, venue_shape, venue_shape] and ex.options["wsCreateBatchShape"] == venue_shape
            assert len(await ex.fetch_open_orders(SYMBOL)) == 4  # the refused request created nothing
        finally:
            await ex.close()


async def test_simulator_accepts_both_create_batch_shapes_and_requires_auth():
    # "both": the simulator plays a venue that takes either shape (the default, "object", is the spec's)
    async with Simulator(seed=76, create_batch_shape="both", **QUIET) as sim:
        ex = _exchange(sim, wsCreateBatchShape="array")
        seen = _record_requests(sim)
        try:
            await ex.load_markets()
            low = await _far_bid(ex)
            batch = [{"symbol": SYMBOL, "type": "limit", "side": "buy", "amount": 0.01, "price": low - i} for i in range(3)]
            bare = await _within(ex.create_orders_ws(batch))
            ex.options["wsCreateBatchShape"] = "object"
            wrapped = await _within(ex.create_orders_ws(batch))
            shapes = [r["params"] for r in seen if r["method"] == "order.create_batch"]
            assert isinstance(shapes[0], list) and set(shapes[1]) == {"orders"}
            assert [o["status"] for o in bare + wrapped] == ["open"] * 6

            # raw JSON-RPC: order methods before auth -> 40300; unknown methods -> -32601
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(sim.ws_url + "?sbeSchemaId=1&sbeSchemaVersion=2") as ws:
                    await ws.send_str(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "order.create_batch", "params": []}))
                    reply = json.loads((await ws.receive(timeout=5)).data)
                    assert reply["id"] == 1 and reply["error"]["code"] == 40300
                    await ws.send_str(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "order.nope", "params": {}}))
                    assert json.loads((await ws.receive(timeout=5)).data)["error"]["code"] == -32601
        finally:
            await ex.close()


async def test_ws_orders_share_the_socket_with_private_streams():
    """A socket authenticated by a watcher serves order requests (no second auth) and, with
    cancelOnDisconnect on, is armed by that auth already; the order shows up on the orders stream."""
    async with Simulator(seed=77, **QUIET) as sim:
        ex = _exchange(sim, cancelOnDisconnect=True)
        seen = _record_requests(sim)
        try:
            await ex.load_markets()
            low = await _far_bid(ex)
            watcher = asyncio.ensure_future(ex.watch_orders(SYMBOL))
            await _subscribed(sim, "orders." + MARKET)  # the stream does not replay
            assert len(sim.feed.orders._cod) == 1  # armed right after the watcher's auth
            order = await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low))
            streamed = await _within(watcher)
            assert order["id"] in [o["id"] for o in streamed]
            methods = [r["method"] for r in seen]
            assert methods.count("auth") == 1 and methods.count("order.cancel_on_disconnect") == 1
            assert len(sim.feed.connections) == 1
        finally:
            await ex.close()
