"""The live-channel path of a repeated watch_order_book (issue 31): what a parked watcher sees and what reaches it.

A repeated ``watch_order_book`` whose channel is already subscribed on the open connection parks on the market's
future in ``client.futures`` without going through ``_watch_channels``. These tests pin that it keeps ccxt's (and
the slow path's) semantics: the states a watcher sees, a gap and its resync, un_watch, close(), errors and
reconnects, several watchers of one market, limit changes. Most run on a stub connection (frames handed to
``handle_message`` by the test, nothing on the network); the reconnect runs against the simulator."""
import asyncio
import json
import os

import ccxt
import pytest

from ccxt_paradex.pro import paradex
from ccxt_paradex.sim import Simulator
from conftest import DATA, eventually, within

SYMBOL, MARKET = "BTC/USD:USDC", "BTC-USD-PERP"
ETH, ETH_ID = "ETH/USD:USDC", "ETH-USD-PERP"
HASH = "orderbook:" + MARKET
MARKETS = os.path.join(DATA, "ccxt_static", "markets", "paradex.json")


class _Open:
    """An open WebSocket as far as the pro class reads one: what it sends is recorded."""

    def __init__(self):
        self.closed, self.sent = False, []

    async def send_str(self, text):
        self.sent.append(json.loads(text))

    async def close(self, *args, **kwargs):
        self.closed = True


class _Clock:
    """The reconnect backoff's sleeps, recorded and not slept."""

    def __init__(self):
        self.slept = []

    def now(self):
        return 0.0

    async def sleep(self, seconds):
        self.slept.append(seconds)


async def _live(**options):
    """An exchange with an open (stub) public connection: its first watch subscribes on it."""
    ex = paradex({"options": dict({"orderBookFeed": "deltas"}, **options)})
    with open(MARKETS) as f:
        ex.set_markets(list(json.load(f).values()))
    client = ex.client(ex.get_ws_url())
    client.connection = _Open()
    client.connected.resolve(client.url)  # ccxt's watch() then sends instead of dialling
    ex.ws_session(client)
    return ex, client


def _levels(*rows):
    return [{"side": side, "price": price, "size": size} for side, price, size in rows]


def _frame(seq, kind="d", market=MARKET, **levels):
    data = {"market": market, "seq_no": seq, "last_updated_at": 1_700_000_000_000 + seq, "update_type": kind,
            "inserts": [], "updates": [], "deletes": []}
    for key, rows in levels.items():
        data[key] = _levels(*rows)
    return {"method": "subscription", "params": {"channel": "order_book." + market + ".deltas", "data": data}}


def _snapshot(seq, market=MARKET, bid="100", ask="101", size="1"):
    return _frame(seq, "s", market, inserts=[("BUY", bid, size), ("BUY", str(float(bid) - 1), "2"),
                                             ("BUY", str(float(bid) - 2), "3"), ("SELL", ask, size),
                                             ("SELL", str(float(ask) + 1), "2"), ("SELL", str(float(ask) + 2), "3")])


async def _first_book(ex, client, limit=None):
    """The first watch_order_book call, answered by a snapshot (seq 1): the market's later calls take the live path."""
    first = asyncio.ensure_future(ex.watch_order_book(SYMBOL, limit))
    await _parked(client)
    ex.handle_message(client, _snapshot(1))
    return await within(first)


async def _parked(client, message_hash=HASH):
    """Let the watchers run until one waits on ``message_hash``."""
    for _ in range(20):
        future = client.futures.get(message_hash)
        if future is not None and not future.done():
            return future
        await asyncio.sleep(0)
    raise AssertionError(message_hash + ": no watcher parked")


def _count(ex, name):
    """Calls of ``ex.<name>`` from now on."""
    calls, original = [], getattr(ex, name)

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)
    setattr(ex, name, counting)
    return calls


def _book_levels(ex):
    bids, asks = ex._books[MARKET].levels()
    return [[p / 1e8, s / 1e8] for p, s in bids], [[p / 1e8, s / 1e8] for p, s in asks]


async def test_a_repeated_watch_parks_on_the_live_channel_and_sees_every_state_in_order():
    ex, client = await _live()
    try:
        book = await _first_book(ex, client)
        assert book["nonce"] == 1 and book["bids"] == [[100.0, 1.0], [99.0, 2.0], [98.0, 3.0]]
        slow = _count(ex, "_watch_channels")
        seen = []

        async def loop():
            while True:
                book = await ex.watch_order_book(SYMBOL)
                seen.append((book["nonce"], book["bids"], book["asks"]))
        task = asyncio.ensure_future(loop())
        expected = []
        for seq in range(2, 12):
            await _parked(client)
            ex.handle_message(client, _frame(seq, updates=[("BUY", "100", str(seq))], inserts=[("SELL", str(101 + seq), "1")]))
            expected.append((seq,) + _book_levels(ex))
        await _parked(client)
        task.cancel()
        assert seen == expected  # every state, once, in order, equal to the book at that seq_no
        assert slow == []  # none of the calls went through _watch_channels: the live path
        assert dict.get(ex.orderbooks, SYMBOL)["nonce"] == 11
        assert [m["method"] for m in client.connection.sent] == ["subscribe"]  # one subscription, never repeated
    finally:
        await ex.close()


async def test_frames_handled_before_the_watcher_runs_wake_it_once_with_the_first_and_the_next_call_waits():
    """As on the slow path: the view a watcher gets is the state that resolved it; states applied before it
    parks again are in exchange.orderbooks, and its next call waits for a newer one (no state twice)."""
    ex, client = await _live()
    try:
        await _first_book(ex, client)
        waiter = asyncio.ensure_future(ex.watch_order_book(SYMBOL))
        await _parked(client)
        ex.handle_message(client, _frame(2, updates=[("BUY", "100", "5")]))
        ex.handle_message(client, _frame(3, updates=[("BUY", "100", "6")]))  # in the same pass: no watcher waits
        assert (await within(waiter))["nonce"] == 2 and ex.orderbooks[SYMBOL]["nonce"] == 3
        nxt = asyncio.ensure_future(ex.watch_order_book(SYMBOL))
        await _parked(client)
        assert not nxt.done()
        ex.handle_message(client, _frame(4, updates=[("BUY", "100", "7")]))
        book = await within(nxt)
        assert book["nonce"] == 4 and book["bids"][0] == [100.0, 7.0]
    finally:
        await ex.close()


async def test_a_gap_wakes_the_parked_watcher_only_with_the_resynced_book():
    ex, client = await _live(bookMaxPending=2)
    try:
        await _first_book(ex, client)
        slow = _count(ex, "_watch_channels")
        waiter = asyncio.ensure_future(ex.watch_order_book(SYMBOL))
        await _parked(client)
        for seq in (3, 4, 5):  # seq 2 lost: held, then the book falls out of sync and resubscribes
            ex.handle_message(client, _frame(seq, updates=[("BUY", "100", "9")]))
        await eventually(lambda: [m["method"] for m in client.connection.sent][-2:] == ["unsubscribe", "subscribe"])
        assert not waiter.done() and not ex._books[MARKET].synced
        ex.handle_message(client, _snapshot(20, bid="90", ask="91"))  # the resubscribed channel's snapshot
        book = await within(waiter)
        assert book["nonce"] == 20 and book["bids"][0] == [90.0, 1.0] and book["asks"][0] == [91.0, 1.0]
        assert ex._books[MARKET].gaps == 1 and ex._books[MARKET].resyncs == 1 and slow == []
    finally:
        await ex.close()


async def test_un_watch_rejects_the_parked_watcher_and_the_next_watch_subscribes_again():
    ex, client = await _live()
    try:
        await _first_book(ex, client)
        waiter = asyncio.ensure_future(ex.watch_order_book(SYMBOL))
        await _parked(client)
        assert await ex.un_watch_order_book(SYMBOL) is True
        with pytest.raises(ccxt.ExchangeError, match="unsubscribed"):
            await within(waiter)
        assert [m["method"] for m in client.connection.sent] == ["subscribe", "unsubscribe"]
        assert MARKET not in ex._books and (SYMBOL, None) not in ex._book_plans
        slow = _count(ex, "_watch_channels")
        again = asyncio.ensure_future(ex.watch_order_book(SYMBOL))
        await _parked(client)
        await eventually(lambda: len(client.connection.sent) == 3)  # ccxt's watch() sends from a task of its own
        assert len(slow) == 1 and client.connection.sent[-1]["method"] == "subscribe"
        ex.handle_message(client, _snapshot(7))
        assert (await within(again))["nonce"] == 7
    finally:
        await ex.close()


async def test_close_ends_the_parked_watcher_with_exchange_closed_by_user():
    ex, client = await _live()
    await _first_book(ex, client)
    waiter = asyncio.ensure_future(ex.watch_order_book(SYMBOL))
    await _parked(client)
    await ex.close()
    with pytest.raises(ccxt.ExchangeClosedByUser):
        await within(waiter)


async def test_a_network_error_with_no_reconnect_left_reaches_the_parked_watcher():
    """wsMaxReconnects 0: the error itself, as _watch_channels raises it; no backoff slept, nothing re-sent."""
    ex, client = await _live(wsMaxReconnects=0)
    ex.ws_clock = clock = _Clock()
    try:
        await _first_book(ex, client)
        waiter = asyncio.ensure_future(ex.watch_order_book(SYMBOL))
        await _parked(client)
        client.reject(ccxt.NetworkError("link down"))
        with pytest.raises(ccxt.NetworkError, match="link down"):
            await within(waiter)
        assert clock.slept == [] and len(client.connection.sent) == 1
    finally:
        await ex.close()


async def test_a_refused_channel_reaching_the_parked_watcher_falls_back_to_the_snapshot_feed():
    """The venue refuses the deltas channel after the watcher parked on it (its answer comes late): as on the
    slow path, the watch goes on on the snapshot feed."""
    ex, client = await _live()
    try:
        await _first_book(ex, client)
        waiter = asyncio.ensure_future(ex.watch_order_book(SYMBOL))
        await _parked(client)
        rid = client.connection.sent[0]["id"]
        ex.handle_message(client, {"jsonrpc": "2.0", "id": rid, "error": {"code": -32602, "message": "invalid channel"}})
        await _parked(client)
        await eventually(lambda: len(client.connection.sent) == 2)  # ccxt's watch() sends from a task of its own
        assert ex.book_feed_fallbacks == 1 and ex.options["orderBookFeed"] == "snapshot"
        channel = client.connection.sent[-1]["params"]["channel"]
        assert client.connection.sent[-1]["method"] == "subscribe" and channel.startswith("order_book." + MARKET + ".snapshot@15@")
        snapshot = _snapshot(2)
        snapshot["params"]["channel"] = channel
        ex.handle_message(client, snapshot)
        assert (await within(waiter))["nonce"] == 2
    finally:
        await ex.close()


async def test_watchers_of_one_market_share_its_future_and_each_limit_cuts_its_own_copy():
    ex, client = await _live()
    try:
        await _first_book(ex, client)
        limited = asyncio.ensure_future(ex.watch_order_book(SYMBOL, 2))  # a new call shape: planned on the slow path
        await _parked(client)
        ex.handle_message(client, _frame(2, updates=[("BUY", "100", "4")]))
        assert len((await within(limited))["bids"]) == 2
        slow = _count(ex, "_watch_channels")
        full, top2, other = (asyncio.ensure_future(ex.watch_order_book(s, n)) for s, n in ((SYMBOL, None), (SYMBOL, 2), (ETH, None)))
        await _parked(client)
        future = client.futures[HASH]
        await _parked(client, "orderbook:" + ETH_ID)
        assert client.futures[HASH] is future  # one future for the market's watchers
        ex.handle_message(client, _frame(3, updates=[("BUY", "100", "5")]))
        a, b = await within(full), await within(top2)
        assert a["nonce"] == b["nonce"] == 3 and a is ex.orderbooks[SYMBOL]  # the shared view ...
        assert len(a["bids"]) == 3 and b["bids"] == a["bids"][:2] and b is not a  # ... and the limited copy
        assert not other.done() and slow == [(["order_book." + ETH_ID + ".deltas"], ["orderbook:" + ETH_ID])]
        other.cancel()
    finally:
        await ex.close()


async def test_a_limit_larger_than_the_views_own_takes_the_slow_path_once_then_gets_its_levels():
    ex, client = await _live()
    try:
        assert len((await _first_book(ex, client, 1))["bids"]) == 1 and ex._book_limits[MARKET] == 1
        slow = _count(ex, "_watch_channels")
        wider = asyncio.ensure_future(ex.watch_order_book(SYMBOL, 3))
        await _parked(client)
        ex.handle_message(client, _frame(2, updates=[("BUY", "100", "8")]))
        assert len((await within(wider))["bids"]) == 3 and ex._book_limits[MARKET] == 3 and len(slow) == 1
        for limit, seq in ((3, 3), (1, 4)):  # both shapes are planned now: the live path, cut per call
            waiter = asyncio.ensure_future(ex.watch_order_book(SYMBOL, limit))
            await _parked(client)
            ex.handle_message(client, _frame(seq, updates=[("BUY", "100", str(seq))]))
            book = await within(waiter)
            assert len(book["bids"]) == limit and book["bids"][0] == [100.0, float(seq)] and book["nonce"] == seq
        assert len(slow) == 1
        with pytest.raises(ccxt.BadRequest):  # the guard still refuses what it refused
            await within(ex.watch_order_book(SYMBOL, 0))
    finally:
        await ex.close()


async def test_a_dropped_connection_reaches_the_parked_watcher_which_backs_off_and_reconnects():
    # the makers move the books only when the test says so (sim.liquidity.step()): no frame can resolve the parked
    # watcher before the drop reaches it, however slow the machine
    async with Simulator(seed=31, tick_interval=0, summary_interval=0, funding_interval=0) as sim:
        ex = paradex({"urls": sim.ccxt_urls()})
        ex.ws_clock = clock = _Clock()

        async def next_state():
            watching = asyncio.ensure_future(ex.watch_order_book(SYMBOL))
            await _parked(ex.clients[ex.get_ws_url()])
            sim.liquidity.step()
            return await within(watching)

        try:
            await within(ex.watch_order_book(SYMBOL))
            book = await next_state()  # on the live path from here
            client = ex.clients[ex.get_ws_url()]
            waiter = asyncio.ensure_future(ex.watch_order_book(SYMBOL))
            await _parked(client)
            await sim.feed.disconnect_all()
            sim.liquidity.step()  # the book moves while the client is away: the fresh snapshot carries it
            after = await within(waiter, 10)
            assert ex.reconnects == 1 and ex.clients[ex.get_ws_url()] is not client
            base = ex.options["wsBackoffBase"]
            assert len(clock.slept) == 1 and base * 0.5 <= clock.slept[0] <= base * 1.5  # one backoff, as before
            assert after["nonce"] > book["nonce"] and after["bids"][0][0] < after["asks"][0][0]
            new = ex.clients[ex.get_ws_url()]
            assert ex._public_client is new and any(c.startswith("order_book." + MARKET) for c in new.subscriptions)
            again = await next_state()  # and the live path again, on the new connection
            assert again["nonce"] > after["nonce"] and len(clock.slept) == 1
        finally:
            await ex.close()


async def test_un_watch_drops_a_refusal_kept_for_the_book_so_the_next_watch_does_not_meet_it():
    """A resync's subscribe refused while no watcher was parked is kept for the market's hash; an un-watch ends
    the interest in it, so the next watch_order_book must subscribe afresh, not raise that old refusal."""
    ex, client = await _live()
    try:
        await _first_book(ex, client)
        client.rejections[HASH] = ccxt.ExchangeError("refused resync")
        assert await ex.un_watch_order_book(SYMBOL) is True
        assert HASH not in client.rejections
        again = asyncio.ensure_future(ex.watch_order_book(SYMBOL))
        await _parked(client)
        ex.handle_message(client, _snapshot(2))
        assert (await within(again))["nonce"] == 2
    finally:
        await ex.close()
