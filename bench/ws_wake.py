"""The wake segment alone: a parked watch_order_book resolved per frame, the book already applied - ours, ccxt,
and a bare asyncio loop doing the same.

    python bench/ws_wake.py [--frames N] [--markets M] [--repeat R] [--limit L] [--quick] [--uvloop]

What bench/ws_feed.py's paced figure pays per frame between "the watcher's future is resolved" and "the user's
next ``watch_order_book`` call is parked again", with no socket, no decoding and no book update in it. One
process, one event loop; M markets (50, as the paced feed), one ``while True: book = await
ex.watch_order_book(symbol)`` task per market. A driver callback plays the socket: per frame it moves the next
market's book one state on (``seq_no`` + 1, the same 15 + 15 levels: nothing decoded, nothing applied) and
wakes that market's watcher the way the frame handler does, then schedules itself for the next pass of the
loop - so every frame is one pass, one task step, as on the paced feed. The connection is a stub that is open,
its session registered and the channel subscribed: the watchers are on the live-channel path throughout.

Variants, each over the same frames (the figure is wall time per frame; best of R, rounds interleaved):

  asyncio minimum    the same loop shape with ``loop.create_future()`` / ``set_result`` / ``await`` and
                     nothing else: what waking a task through a future costs on this interpreter
  + client.future   the watcher parks on ``client.future(hash)`` (the hash's entry in ``client.futures``),
                     the driver pops and resolves it with a ready-made view
  ours, view ready   ``ex.watch_order_book(symbol)``, the driver resolving with a view built before the run
                     (everything but the view: the watch round trip, the guard, the future, the limit)
  ours               the real thing: the view of the new state is built per frame
  ours, limit L      watchers call ``watch_order_book(symbol, L)`` (L below the feed's 15 levels)
  ours, gc off       ``ours`` with the collector disabled: what the collector costs the segment
  ccxt               ccxt 4.5.90's ``ccxt.pro.paradex.watch_order_book`` (generic ``watch()``), the driver
                     resolving its OrderBook object as its handler does (``client.resolve``)

Steps (ours): future = (+ client.future) - minimum; watch round trip + guard = (ours, view ready) -
(+ client.future); view = ours - (ours, view ready); limit = (ours, limit L) - ours; gc = ours - (ours, gc off).
Every variant checks, after its run, that each watcher saw a strictly increasing nonce and the last state of
its market.
"""
import argparse
import asyncio
import gc
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

try:
    from _results import emit  # bench/report.py's collector (JSON lines when BENCH_JSON is set)
except ImportError:  # pragma: no cover
    def emit(*args, **kwargs):
        pass

from ws_feed import load_markets, market_rows  # noqa: E402  (the same markets the feed benchmark loads)

DEPTH = 15
T0 = 1_790_000_000_000


class _OpenConnection:
    """What the live-channel checks read of an aiohttp WebSocket: open until closed."""
    closed = False

    async def close(self, *args, **kwargs):
        self.closed = True

    async def send_str(self, text):
        pass


def flat_levels(base):
    """15 + 15 levels as the SBE decoder hands them over: flat (price, size, ...) 1e8 mantissa tuples."""
    bids, asks = [], []
    for i in range(DEPTH):
        bids += [(base - i - 1) * 10_000_000, (1 + i % 7) * 100_000_000]
        asks += [(base + i + 1) * 10_000_000, (2 + i % 5) * 100_000_000]
    return tuple(bids), tuple(asks)


class Run:
    """One variant's run: the driver, the watchers' bookkeeping and the checks."""

    def __init__(self, frames, markets):
        self.n, self.m = frames, markets
        self.i = 0
        self.done = None
        self.last = [0] * markets      # the newest nonce each watcher saw
        self.bad = []                  # (market, nonce) seen out of order

    def seen(self, k, nonce):
        if nonce <= self.last[k]:
            self.bad.append((k, nonce))
        self.last[k] = nonce

    async def go(self, watchers, step, gc_off=False):
        """Run the watchers while a driver callback, one pass of the loop per frame, calls ``step(k)`` for market
        k = frame % markets (move its state on, wake its watcher) -> (us per frame, gc collections per 1,000)."""
        loop = asyncio.get_running_loop()
        self.done = loop.create_future()

        def tick():
            i = self.i
            if i == self.n:
                self.done.set_result(None)
                return
            self.i = i + 1
            step(i % self.m)
            loop.call_soon(tick)
        tasks = [asyncio.ensure_future(w) for w in watchers]
        for _ in range(4):  # every watcher parked on its first call
            await asyncio.sleep(0)
        gc.collect()
        if gc_off:
            gc.disable()
        collections = sum(s["collections"] for s in gc.get_stats())
        t0 = time.perf_counter()
        loop.call_soon(tick)
        await self.done
        t1 = time.perf_counter()
        collections = sum(s["collections"] for s in gc.get_stats()) - collections
        gc.enable()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        failed = [t.exception() for t in tasks if not t.cancelled() and t.exception()]
        assert not failed, failed
        assert not self.bad, f"a watcher saw a state twice or out of order: {self.bad[:3]}"
        last = [self.n // self.m + (k < self.n % self.m) for k in range(self.m)]  # each market's last state
        assert self.last == last, f"watchers did not see their market's last state: {self.last[:5]} vs {last[:5]}"
        return (t1 - t0) / self.n * 1e6, collections / self.n * 1000


# ---- asyncio minimum -----------------------------------------------------------------------------------
async def run_minimum(frames, markets, _setup):
    run = Run(frames, markets)
    loop = asyncio.get_running_loop()
    slots = [None] * markets
    nonce = [0] * markets
    view = {"nonce": 0}

    async def watcher(k):
        create = loop.create_future
        while True:
            f = slots[k] = create()
            await f
            run.seen(k, nonce[k])

    def step(k):
        nonce[k] += 1
        f = slots[k]
        if f is not None:
            slots[k] = None
            f.set_result(view)
    return await run.go([watcher(k) for k in range(markets)], step)


# ---- ours ------------------------------------------------------------------------------------------------
async def ours_setup(rows, limit):
    """An exchange whose markets' channels are subscribed on an open (stub) connection, books synced."""
    from ccxt_paradex.core.book import APPLIED
    from ccxt_paradex.pro import paradex as OursPro
    ex = OursPro({"options": {"orderBookFeed": "snapshot"}})
    load_markets(ex, rows)
    client = ex.client(ex.get_ws_url())
    client.connection = _OpenConnection()
    ex.ws_session(client)
    ex._public_client = client
    symbols = [r["symbol"] for r in rows]
    symbols = [ex.safe_symbol(s) for s in symbols]
    books = []
    for k, symbol in enumerate(symbols):
        plan = await ex._plan_books([symbol], limit, {})
        ex._book_plans[(symbol, limit)] = ex._book_plans[((symbol,), limit, ())] = plan
        for channel in plan[0]:
            client.subscriptions[channel] = True
        market_id = ex.market(symbol)["id"]
        book = ex._books[market_id]
        bids, asks = flat_levels(1000 + 10 * k)
        assert book.snapshot_flat(0, bids, asks, T0) == APPLIED
        books.append((market_id, book))
    return ex, client, symbols, books


def ours_wake(ex):
    """What the frame handler (pro/public.py ``_on_book``) does once the book moved, as it writes it inline:
    wake the market's watchers with the view of this state."""
    book_view = ex._book_view

    def moved(client, market_id, book):
        future = client.futures.pop("orderbook:" + market_id, None)
        if future is not None and not future.done():
            future.set_result(book_view(market_id, book))
    return moved


async def run_ours(frames, markets, setup, limit=None, view_ready=False, gc_off=False, use_future=False):
    ex, client, symbols, books = setup
    run = Run(frames, markets)
    ready = [ex._book_view(market_id, book) for market_id, book in books] if view_ready else None
    hashes = ["orderbook:" + market_id for market_id, _ in books]
    futures = client.futures
    wake = ours_wake(ex)

    async def watcher(k):
        symbol = symbols[k]
        watch = ex.watch_order_book
        while True:
            book = await watch(symbol, limit)
            run.seen(k, book["nonce"])

    async def parked(k):  # + client.future: client.future(hash), nothing else
        future, h = client.future, hashes[k]
        while True:
            book = await future(h)
            run.seen(k, book["nonce"])

    def step(k):
        market_id, book = books[k]
        book.seq += 1
        book.timestamp += 50
        if ready is not None:
            view = ready[k]
            view["nonce"] = book.seq
            f = futures.pop(hashes[k], None)
            if f is not None and not f.done():
                f.set_result(view)
        else:
            wake(client, market_id, book)
    make = parked if use_future else watcher
    try:
        return await run.go([make(k) for k in range(markets)], step, gc_off)
    finally:
        for _, book in books:  # the next variant starts from the same state
            book.seq = 0
            book.timestamp = T0


# ---- ccxt ------------------------------------------------------------------------------------------------
async def ccxt_setup(rows):
    import ccxt.pro
    from ccxt.async_support.base.ws.order_book import OrderBook
    ex = ccxt.pro.paradex()
    load_markets(ex, rows)
    url = ex.get_ws_url()
    client = ex.client(url)
    client.connection = _OpenConnection()
    client.connected.resolve(url)
    symbols = [ex.safe_symbol(r["symbol"]) for r in rows]
    books = []
    for k, symbol in enumerate(symbols):
        market = ex.market(symbol)
        channel = ex.get_order_book_channel(market["id"])
        client.subscriptions[channel] = True
        bids, asks = flat_levels(1000 + 10 * k)
        ob = OrderBook({"bids": [[bids[j] / 1e8, bids[j + 1] / 1e8] for j in range(0, len(bids), 2)],
                        "asks": [[asks[j] / 1e8, asks[j + 1] / 1e8] for j in range(0, len(asks), 2)]})
        ob["symbol"], ob["nonce"], ob["timestamp"] = symbol, 0, T0
        ex.orderbooks[symbol] = ob
        books.append((channel, ob))
    return ex, client, symbols, books


async def run_ccxt(frames, markets, setup):
    ex, client, symbols, books = setup
    run = Run(frames, markets)

    async def watcher(k):
        symbol = symbols[k]
        while True:
            book = await ex.watch_order_book(symbol)
            run.seen(k, book["nonce"])

    def step(k):
        channel, ob = books[k]
        ob["nonce"] += 1
        ob["timestamp"] += 50
        client.resolve(ob, channel)
    try:
        return await run.go([watcher(k) for k in range(markets)], step)
    finally:
        for _, ob in books:
            ob["nonce"] = 0


async def main(args):
    rows = market_rows(args.markets)
    ours = await ours_setup(rows, None)
    ours_limited = await ours_setup(rows, args.limit)
    theirs = await ccxt_setup(rows)
    n, m = args.frames, args.markets
    variants = {
        "minimum": lambda: run_minimum(n, m, None),
        "future": lambda: run_ours(n, m, ours, use_future=True, view_ready=True),
        "ready": lambda: run_ours(n, m, ours, view_ready=True),
        "ours": lambda: run_ours(n, m, ours),
        "limit": lambda: run_ours(n, m, ours_limited, limit=args.limit),
        "gcoff": lambda: run_ours(n, m, ours, gc_off=True),
        "ccxt": lambda: run_ccxt(max(n // 20, 500), m, theirs),
    }
    rounds = {name: [] for name in variants}
    for _ in range(args.repeat):
        for name, fn in variants.items():
            rounds[name].append(await fn())
    for ex in (ours[0], ours_limited[0], theirs[0]):
        await ex.close()

    per = {name: min(r[0] for r in rounds[name]) for name in variants}
    gcs = {name: statistics.median(r[1] for r in rounds[name]) for name in variants}
    steps = [
        ("future: client.future(hash) in client.futures instead of loop.create_future()", per["future"] - per["minimum"]),
        ("watch round trip + guard: watch_order_book from resume to parked again", per["ready"] - per["future"]),
        ("view: the new state's ccxt view built", per["ours"] - per["ready"]),
        (f"limit: watch_order_book(symbol, {args.limit}) instead of (symbol)", per["limit"] - per["ours"]),
        ("gc: the collector's share (ours minus ours with gc disabled)", per["ours"] - per["gcoff"]),
    ]
    print(f"ws wake: a parked watch_order_book resolved per frame, book already applied; {m} markets, one watcher "
          f"each, {n:,} frames, best of {args.repeat} (wall us per frame; gc collections per 1,000 frames)")
    labels = {"minimum": "asyncio minimum (create_future / set_result / await)",
              "future": "+ client.future(hash) in client.futures, view ready",
              "ready": "ours: watch_order_book, view ready", "ours": "ours: watch_order_book",
              "limit": f"ours: watch_order_book(symbol, {args.limit})", "gcoff": "ours, gc disabled",
              "ccxt": "ccxt: watch_order_book (generic watch())"}
    for name in variants:
        print(f"  {labels[name]:58s} {per[name]:7.2f} us/frame   gc {gcs[name]:5.1f}/1k")
    print("  steps (ours):")
    for label, value in steps:
        print(f"    {label:78s} {value:+7.2f} us")
    print(f"  ours above the asyncio minimum: {per['ours'] - per['minimum']:.2f} us/frame; "
          f"ccxt above it: {per['ccxt'] - per['minimum']:.2f} us/frame")
    what = f"{m} markets, book already applied"
    emit("ws_wake", f"wake a parked watch_order_book and park it again, per frame ({what})", "us/frame",
         per["ours"], per["ccxt"])
    emit("ws_wake", f"asyncio minimum: create_future / set_result / await, per frame ({what})", "us/frame",
         per["minimum"])
    emit("ws_wake", f"above the asyncio minimum, per frame ({what})", "us/frame", per["ours"] - per["minimum"],
         per["ccxt"] - per["minimum"])
    for label, value in steps:
        emit("ws_wake", f"step: {label}", "us/frame", value)
    return per


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=100_000, help="frames per run (ccxt: a twentieth, >= 500)")
    ap.add_argument("--markets", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=5, help="rounds of every variant, interleaved; the best is kept")
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="20,000 frames, best of 3")
    ap.add_argument("--uvloop", action="store_true", help="run on uvloop (pip install ccxt_paradex[uvloop])")
    cli = ap.parse_args()
    if cli.quick:
        cli.frames, cli.repeat = 20_000, 3
    if cli.uvloop:
        import uvloop
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(main(cli))
