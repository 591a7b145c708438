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


async def test_client_futures_are_plain_asyncio_futures_with_ccxts_resolve_and_reject():
    """A task parked on an exact asyncio.Future takes asyncio's fast path (ccxt's Future subclass does not);
    resolve / reject / rejections keep ccxt Client's semantics on them."""
    client = _client([])
    future = client.future("a")
    assert type(future) is asyncio.Future and client.future("a") is future  # one future per hash until settled
    assert client.resolve(1, "a") == 1 and future.result() == 1 and "a" not in client.futures
    client.resolve(2, "a")  # nobody waiting: nothing kept, nothing raised
    assert "a" not in client.futures
    early = NetworkError("refused before anyone waited")
    client.reject(early, "b")  # kept for the next waiter, as ccxt keeps it
    assert client.rejections == {"b": early}
    assert client.future("b").exception() is early and client.rejections == {}
    waiting = [client.future("c"), client.future("d")]
    waiting[0].cancel()
    client.reject(NetworkError("lost"))  # every hash: the cancelled one stays cancelled, the other is rejected
    assert waiting[0].cancelled() and isinstance(waiting[1].exception(), NetworkError) and client.futures == {}
    assert type(client.future("c")) is asyncio.Future and client.future("c") is not waiting[0]


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
            assert client.direct  # the default: frames handled in the socket callback

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


# ---- the direct path: frames handled in the socket callback (pro/reader.py) ----------------------------------
class _FrameServer:
    """A bare aiohttp WebSocket server: on connect it sends ``script`` (bytes -> a binary frame, "ping" -> a
    PING it waits the answer to, "close" -> a CLOSE), records what the client sends back (PONGs included)."""

    def __init__(self, script, wait_for_go=False, ssl_context=None):
        self.script, self.got, self.wait_for_go, self.ssl = script, [], wait_for_go, ssl_context

    async def __aenter__(self):
        from aiohttp import web

        async def handler(request):
            ws = web.WebSocketResponse(autoping=False)
            await ws.prepare(request)
            if self.wait_for_go:  # the client says when its reader is parked
                await ws.receive()
            for item in self.script:
                if item == "ping":  # and wait for the answer: the client pongs from its reader task
                    await ws.ping(b"p1")
                    self.got.append((await ws.receive()).type)
                elif item == "close":
                    await ws.close(code=4000)
                    return ws
                else:
                    await ws.send_bytes(item)
            async for msg in ws:
                self.got.append(msg.type)
            return ws

        app = web.Application()
        app.router.add_get("/", handler)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0, ssl_context=self.ssl)
        await site.start()
        self.url = ("wss" if self.ssl else "ws") + "://127.0.0.1:%d/" % site._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        await self.runner.cleanup()


async def _connected_client(url, session, received, closes, direct=True, on_message=None, ssl=None):
    def on_message_default(client, message):
        received.append((message, asyncio.current_task()))
    client = ReaderClient(url, on_message or on_message_default, lambda c, e: None, lambda c, code: closes.append(code),
                          lambda c: None, {"decompressBinary": False, "asyncio_loop": asyncio.get_running_loop(),
                                           "directRead": direct})
    client.connection = await session.ws_connect(url, autoping=False, autoclose=False, **({"ssl": ssl} if ssl else {}))
    assert client.receive_loop() is False
    return client


async def _direct_scenario(direct=True, tls=None):
    """tls: (server context, client context) for a wss:// connection (the venue's own)."""
    import aiohttp
    frames = [b"f%03d" % i for i in range(40)]
    script = frames[:20] + ["ping"] + frames[20:] + ["close"]
    async with _FrameServer(script, wait_for_go=True, ssl_context=tls and tls[0]) as server:
        async with aiohttp.ClientSession() as session:
            received, closes = [], []
            client = await _connected_client(server.url, session, received, closes, direct, ssl=tls and tls[1])
            for _ in range(3):
                await asyncio.sleep(0)
            await client.connection.send_str("go")
            await within(client.reader)
            await eventually(lambda: server.got)  # the PING was answered (through aiohttp's receive())
            return client, received, closes, server.got


async def test_direct_path_handles_frames_in_the_socket_callback_and_control_frames_in_the_task():
    client, received, closes, got = await _direct_scenario()
    assert client.direct
    assert [m for m, _ in received] == [b"f%03d" % i for i in range(40)]  # all, in order, across the PING
    # the frames before the PING were handled in the socket callback (no task step per frame); the reader task
    # woke for the PING, the CLOSE and the end of the stream only
    assert all(task is None for _, task in received[:20]) and client.wakes <= 3
    assert WSMsgType.PONG in got
    assert closes[0] == 4000 and closes[-1] == 1006  # the CLOSE frame reached ccxt's on_close, then the loop ended


async def test_direct_path_off_is_the_task_path_with_the_same_result():
    client, received, closes, got = await _direct_scenario(direct=False)
    assert not client.direct
    assert [m for m, _ in received] == [b"f%03d" % i for i in range(40)]
    assert all(task is client.reader for _, task in received)
    assert WSMsgType.PONG in got and closes[0] == 4000


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (openssl) -> (server context, client context trusting it)."""
    import shutil
    import ssl
    import subprocess
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


async def test_direct_path_over_tls(tls):
    client, received, closes, got = await _direct_scenario(tls=tls)
    assert client.direct
    assert [m for m, _ in received] == [b"f%03d" % i for i in range(40)]
    assert all(task is None for _, task in received[:20]) and client.wakes <= 3 and WSMsgType.PONG in got


def test_direct_path_over_tls_on_uvloop(tls):
    uvloop = pytest.importorskip("uvloop")
    client, received, closes, got = uvloop.run(_direct_scenario(tls=tls))
    assert client.direct and [m for m, _ in received] == [b"f%03d" % i for i in range(40)]
    assert all(task is None for _, task in received[:20]) and client.wakes <= 3 and WSMsgType.PONG in got


def test_direct_path_on_uvloop():
    uvloop = pytest.importorskip("uvloop")
    client, received, closes, got = uvloop.run(_direct_scenario())
    assert client.direct and [m for m, _ in received] == [b"f%03d" % i for i in range(40)]
    assert all(task is None for _, task in received[:20]) and client.wakes <= 3 and WSMsgType.PONG in got


async def test_direct_path_keeps_aiohttp_flow_control_settled():
    """A megabyte of frames (well past the queue's pause limit): every frame handled, the queue's size back at
    zero and the transport reading (sizes moved onto the last frame are settled by the queue's own read)."""
    import aiohttp
    frames = [bytes([i % 251]) * 1000 for i in range(1200)]
    async with _FrameServer(frames) as server:
        async with aiohttp.ClientSession() as session:
            received, closes = [], []
            client = await _connected_client(server.url, session, received, closes)
            await eventually(lambda: len(received) == len(frames), 10, lambda: f"{len(received)} handled")
            queue = client.connection._reader
            assert client.direct and [m for m, _ in received] == frames
            assert queue._size == 0 and not client.connection._conn.protocol._reading_paused
            await client.connection.close()
            await within(client.reader)


async def test_a_failing_handler_on_the_direct_path_drops_the_connection_and_rejects_waiters():
    import aiohttp

    def boom(client, message):
        raise ValueError("handler bug")
    async with _FrameServer([b"x"]) as server:
        async with aiohttp.ClientSession() as session:
            future_holder = []

            async def connect():
                client = ReaderClient(server.url, boom, lambda c, e: None, lambda c, code: None, lambda c: None,
                                      {"decompressBinary": False, "asyncio_loop": asyncio.get_running_loop()})
                future_holder.append(client.future("orderbook:X"))
                client.connection = await session.ws_connect(server.url, autoping=False, autoclose=False)
                client.receive_loop()
                return client
            client = await connect()
            with pytest.raises(NetworkError, match="handler bug"):
                await within(future_holder[0])
            assert client.direct
            await eventually(lambda: client.closed())


@pytest.mark.parametrize("direct", [True, False])
@pytest.mark.parametrize("failure", [ValueError, asyncio.CancelledError])
async def test_no_frame_is_handled_after_a_handler_failed(direct, failure):
    """A handler that fails on frame 5 of a burst: the connection is dropped, and no frame after it is handed
    to a handler (they belong to a connection declared lost, whose watchers were told so). A CancelledError the
    handler raises itself (a cancelled future's result(); a BaseException) is a failure like any other."""
    import aiohttp
    frames = [b"g%03d" % i for i in range(60)]
    handled = []

    def handler(client, message):
        handled.append(message)
        if message == b"g005":
            raise failure("handler bug")
    async with _FrameServer(frames, wait_for_go=True) as server:
        async with aiohttp.ClientSession() as session:
            client = ReaderClient(server.url, handler, lambda c, e: None, lambda c, code: None, lambda c: None,
                                  {"decompressBinary": False, "asyncio_loop": asyncio.get_running_loop(),
                                   "directRead": direct})
            waiter = client.future("orderbook:X")
            client.connection = await session.ws_connect(server.url, autoping=False, autoclose=False)
            assert client.receive_loop() is False
            for _ in range(3):
                await asyncio.sleep(0)
            await client.connection.send_str("go")
            with pytest.raises(NetworkError, match="handler bug"):
                await within(waiter)
            await eventually(lambda: client.closed())
            await within(client.reader)
            assert client.direct is direct
            assert handled[-1] == b"g005" and handled == frames[:6], handled[-3:]


async def test_a_late_close_of_a_replaced_connection_keeps_the_connection_that_replaced_it():
    """ccxt's on_close forgets clients[url] whichever client is there: the old socket's last close, arriving after
    the reconnect, made the next call dial a third connection (seen as a second cancel-on-disconnect arm)."""
    ex = paradex()
    old = _client([])
    old.url = new_url = ex.get_ws_url()
    new = _client([])
    new.url = new_url
    ex.clients[new_url] = new
    ex.on_close(old, None)
    assert ex.clients[new_url] is new
    ex.on_close(new, None)  # the registered client's own close still forgets it, as in ccxt
    assert new_url not in ex.clients


def test_a_watchers_limit_never_shortens_the_shared_view():
    """One view per book state is handed to every watcher of the market and kept in exchange.orderbooks: a
    watcher's limit gets a cut copy, the others (and orderbooks) keep every level."""
    from ccxt_paradex.pro.public import BookView
    view = BookView({"symbol": SYMBOL, "bids": [[100.0 - i, 1.0] for i in range(5)],
                     "asks": [[101.0 + i, 1.0] for i in range(5)], "nonce": 3})
    cut = view.limit(2)
    assert len(cut["bids"]) == len(cut["asks"]) == 2 and cut["nonce"] == 3 and isinstance(cut, BookView)
    assert len(view["bids"]) == len(view["asks"]) == 5
    assert view.limit(None) is view and view.limit(5) is view


async def test_streaming_direct_read_off_takes_the_task_path_end_to_end():
    async with Simulator(seed=7, tick_interval=0.01, summary_interval=0, funding_interval=0) as sim:
        ex = paradex({"urls": sim.ccxt_urls(), "options": {"orderBookFeed": "snapshot"},
                      "streaming": {"directRead": False}})
        try:
            first = await within(ex.watch_order_book(SYMBOL))
            client = ex.clients[ex.get_ws_url()]
            assert type(client) is ReaderClient and not client.direct
            later = await within(ex.watch_order_book(SYMBOL))
            assert later["nonce"] > first["nonce"] and later["bids"] and later["asks"]
        finally:
            await ex.close()


async def test_a_subclass_handle_message_sees_every_binary_frame():
    """A subclass (or an instance) that replaces handle_message gets the SBE frames too: the direct path hands
    them to _handle_binary only where handle_message is the class's own."""
    seen = []

    class Counting(paradex):
        def handle_message(self, client, message):
            if isinstance(message, (bytes, bytearray)):
                seen.append(len(message))
            return super().handle_message(client, message)
    async with Simulator(seed=7, tick_interval=0.01, summary_interval=0, funding_interval=0) as sim:
        ex = Counting({"urls": sim.ccxt_urls(), "options": {"orderBookFeed": "snapshot"}})
        try:
            first = await within(ex.watch_order_book(SYMBOL))
            later = await within(ex.watch_order_book(SYMBOL))
            client = ex.clients[ex.get_ws_url()]
            assert client.direct and client.on_binary is None  # still the direct path, through handle_message
            assert later["nonce"] > first["nonce"] and len(seen) >= 2
        finally:
            await ex.close()
        plain = paradex({"urls": sim.ccxt_urls(), "options": {"orderBookFeed": "snapshot"}})
        try:
            await within(plain.watch_order_book(SYMBOL))
            assert plain.clients[plain.get_ws_url()].on_binary is not None  # the class's own: straight through
        finally:
            await plain.close()


async def test_a_burst_on_the_direct_path_skips_superseded_snapshots():
    """200 snapshots of one market written back to back: the pump hands over the newest of each read and skips
    the rest unparsed; nothing is lost that a later snapshot does not replace, and the last frame always arrives."""
    import aiohttp
    frames = [_book_frame(MARKET, seq, True, price=str(90 + seq % 7)) for seq in range(1, 201)]
    async with _FrameServer(frames, wait_for_go=True) as server:
        async with aiohttp.ClientSession() as session:
            received, closes = [], []
            client = await _connected_client(server.url, session, received, closes)
            for _ in range(3):
                await asyncio.sleep(0)
            await client.connection.send_str("go")
            await eventually(lambda: received and received[-1][0] == frames[-1], 10)
            handed = [m for m, _ in received]
            assert client.direct and client.conflated > 0 and len(handed) + client.conflated == len(frames)
            assert handed == [f for f in frames if f in set(handed)]  # in order, a subsequence
            await client.connection.close()
            await within(client.reader)
