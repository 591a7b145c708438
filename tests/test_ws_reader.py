"""The lean WebSocket path (issue 15): one reader task per connection (pro/reader.py) and the planned fast
path of a repeated watch_order_book (pro/public.py, pro/connection.py) - behaviour, not speed."""
import asyncio
from collections import deque

import pytest
from aiohttp import WSMessage, WSMsgType
from ccxt.async_support.base.ws.client import Client
from ccxt.base.errors import NetworkError

from ccxt_paradex.pro import paradex
from ccxt_paradex.pro.reader import ReaderClient
from ccxt_paradex.sim import Simulator
from conftest import eventually, within

SYMBOL, MARKET = "BTC/USD:USDC", "BTC-USD-PERP"


def _client(received, **options):
    try:
        options.setdefault("asyncio_loop", asyncio.get_running_loop())
    except RuntimeError:
        pass
    return ReaderClient("ws://x", lambda client, message: received.append(message), lambda c, e: None,
                        lambda c, e: None, lambda c: None, options)


async def test_binary_frames_reach_the_exchange_as_bytes():
    received = []
    client = _client(received, decompressBinary=False)
    client.handle_message(WSMessage(WSMsgType.BINARY, b"\x01\x02", None))
    assert received == [b"\x01\x02"] and client.last_message_at is not None


async def test_ccxt_dispatch_kept_where_the_fast_path_does_not_apply():
    received = []
    client = _client(received)  # ccxt's default: decompressBinary True -> binary frames decoded to text
    client.handle_message(WSMessage(WSMsgType.BINARY, b'{"a": 1}', None))
    client.handle_message(WSMessage(WSMsgType.TEXT, '{"b": 2}', None))
    assert received == [{"a": 1}, {"b": 2}]


async def test_drain_handles_all_but_the_last_and_moves_their_sizes_onto_it():
    handled = []
    buffer = deque([("m1", 10), ("m2", 20), ("m3", 30)])
    client = _client([])
    client._drain(buffer, handled.append)
    assert handled == ["m1", "m2"] and len(buffer) == 1
    assert buffer[0][0] == "m3" and buffer[0][1] >= 60


def _book_frame(market, seq, snapshot, price="100"):
    from ccxt_paradex.sim import sbe_encode
    return sbe_encode.encode_book({"market": market, "seq_no": seq, "update_type": "s" if snapshot else "d",
                                   "updates": [], "deletes": [],
                                   "inserts": [{"side": "BUY", "price": price, "size": "1"},
                                               {"side": "SELL", "price": "101", "size": "2"}]}, 2, ts_us=seq)


def test_book_frame_key_reads_market_and_kind_without_decoding():
    from ccxt_paradex.core import sbe
    frame = _book_frame("ETH-USD-PERP", 5, True)
    assert sbe.book_frame_key(frame) == ("ETH-USD-PERP", True)
    assert sbe.book_frame_key(_book_frame("ETH-USD-PERP", 6, False)) == ("ETH-USD-PERP", False)
    assert sbe.book_frame_key(frame[:-3]) is None  # truncated: decode_book_flat would refuse it too
    assert sbe.book_frame_key(b"\x00" * 4) is None and sbe.book_frame_key(b"") is None
    broken = bytearray(frame)
    broken[24] = 7  # unknown pkgType
    assert sbe.book_frame_key(bytes(broken)) is None


def test_superseded_marks_book_frames_before_a_later_snapshot_of_their_market():
    from ccxt_paradex.core import sbe
    a, b = "BTC-USD-PERP", "ETH-USD-PERP"
    frames = [_book_frame(a, 1, True), _book_frame(a, 2, False), _book_frame(b, 1, True), b"text or trade",
              _book_frame(a, 3, True), _book_frame(b, 2, False), _book_frame(a, 4, False)]
    assert sbe.superseded(frames) == [True, True, False, False, False, False, False]
    assert sbe.superseded([_book_frame(a, 1, False), _book_frame(a, 2, False)]) == [False, False]  # deltas only


async def test_a_burst_conflates_to_its_newest_snapshot_and_the_book_matches_the_unconflated_one():
    """The same frames once drained in one pass (conflated) and once one by one: the same final book, the
    watcher woken with the newest state, and the skipped frames counted."""
    from ccxt_paradex.core.book import L2Book
    frames = []
    for k in range(6):
        frames += [_book_frame(MARKET, 10 * k + 1, True, price=str(100 + k)),
                   _book_frame(MARKET, 10 * k + 2, False, price=str(90 + k))]
    results = []
    for conflate in (True, False):
        ex = paradex({"options": {"orderBookFeed": "snapshot"}})
        ex.markets = {SYMBOL: {"id": MARKET, "symbol": SYMBOL}}
        ex.markets_by_id = {MARKET: [ex.markets[SYMBOL]]}
        ex._books[MARKET] = L2Book(8)
        client = _client([], decompressBinary=False)
        client.on_message_callback = ex.handle_message
        client.plain_binary = True
        future = client.future("orderbook:" + MARKET)
        messages = [(WSMessage(WSMsgType.BINARY, f, None), len(f)) for f in frames]
        if conflate:
            buffer = deque(messages)
            client._drain(buffer, client.handle_message)
            client.handle_message(buffer.popleft()[0])
        else:
            for m, _ in messages:
                client.handle_message(m)
        book = ex._books[MARKET]
        results.append((book.seq, book.top(None), client.conflated, (await future)["nonce"]))
        await ex.close()
    (seq_c, top_c, skipped_c, woke_c), (seq_u, top_u, skipped_u, woke_u) = results
    assert (seq_c, top_c) == (seq_u, top_u) == (52, top_u)
    assert skipped_c == 10 and skipped_u == 0  # every frame before the last snapshot (seq 51)
    assert woke_c == 51 and woke_u == 1  # conflated: the watcher wakes to the newest snapshot, not the first frame


class _FakeConnection:
    def __init__(self, messages):
        self.messages = list(messages)
        self.closed = False
        self._conn = None

    async def receive(self):
        item = self.messages.pop(0)
        if isinstance(item, Exception):
            raise item
        if item.type == WSMsgType.CLOSED:
            self.closed = True
        return item


async def test_reader_hands_every_message_over_then_closes_with_1006():
    received, closes = [], []
    client = ReaderClient("ws://x", lambda c, m: received.append(m), lambda c, e: None,
                          lambda c, code: closes.append(code), lambda c: None,
                          {"decompressBinary": False, "asyncio_loop": asyncio.get_running_loop()})
    client.on_close = closes.append  # what the loop calls once the connection is closed
    client.connection = _FakeConnection([WSMessage(WSMsgType.BINARY, b"a", None),
                                         WSMessage(WSMsgType.BINARY, b"b", None),
                                         WSMessage(WSMsgType.CLOSED, None, None)])
    assert client.receive_loop() is False
    await within(client.reader)
    assert received == [b"a", b"b"] and closes == [1006]


async def test_a_failing_receive_rejects_the_waiters():
    client = _client([])
    client.connection = _FakeConnection([OSError("boom")])
    future = client.future("orderbook:X")
    client.receive_loop()
    with pytest.raises(NetworkError):
        await within(future)


async def test_closed_before_the_loop_starts_is_a_close():
    closes = []
    client = _client([])
    client.on_close = closes.append
    assert client.receive_loop() is True and closes == [1006] and client.reader is None


async def test_exchange_connections_use_one_reader_task_and_plan_once():
    async with Simulator(seed=5, tick_interval=0.01, summary_interval=0, funding_interval=0) as sim:
        ex = paradex({"urls": sim.ccxt_urls(), "options": {"orderBookFeed": "snapshot"}})
        try:
            book = await within(ex.watch_order_book(SYMBOL))
            client = ex.clients[ex.get_ws_url()]
            assert type(client) is ReaderClient and type(client).__mro__[1] is Client
            assert client.reader is not None and not client.reader.done()

            urls, subscribes = [], []
            get_ws_url, watch = ex.get_ws_url, ex.watch
            ex.get_ws_url = lambda: urls.append(1) or get_ws_url()
            ex.watch = lambda *a: subscribes.append(a) or watch(*a)
            for _ in range(3):  # the hot loop: no URL built, nothing sent, nothing re-planned
                newer = await within(ex.watch_order_book(SYMBOL))
                assert newer["nonce"] >= book["nonce"]
                book = newer
            assert urls == [] and subscribes == []
            assert ex.orderbooks[SYMBOL]["nonce"] >= book["nonce"]

            # unwatch drops the plan and the subscription: the next watch takes the full path again
            await ex.un_watch_order_book(SYMBOL)
            assert not any(c.startswith("order_book." + MARKET) for c in client.subscriptions)
            book = await within(ex.watch_order_book(SYMBOL))
            assert urls and len(subscribes) == 1
            assert any(c.startswith("order_book." + MARKET) for c in client.subscriptions)

            # a lost connection: the fast path must not wait on the dead client; the watch reconnects
            await sim.feed.disconnect_all()
            await eventually(lambda: ex.existing_session(client) is None)
            book = await within(ex.watch_order_book(SYMBOL), 10)
            assert ex.clients[ex.get_ws_url()] is not client and ex.reconnects >= 1
            assert type(ex.clients[ex.get_ws_url()]) is ReaderClient
        finally:
            await ex.close()


async def test_limit_and_params_are_planned_separately():
    async with Simulator(seed=6, tick_interval=0.01, summary_interval=0, funding_interval=0) as sim:
        ex = paradex({"urls": sim.ccxt_urls(), "options": {"orderBookFeed": "snapshot"}})
        try:
            full = await within(ex.watch_order_book(SYMBOL))
            top = await within(ex.watch_order_book(SYMBOL, 3))
            assert len(top["bids"]) <= 3 and len(top["asks"]) <= 3
            assert len(full["bids"]) > 3
            again = await within(ex.watch_order_book(SYMBOL, 3))
            assert len(again["bids"]) <= 3
            other = await within(ex.watch_order_book(SYMBOL, None, {"feed": "snapshot"}))
            assert len(other["bids"]) > 3
            assert (SYMBOL, 3) in ex._book_plans and (SYMBOL, None) in ex._book_plans
        finally:
            await ex.close()
