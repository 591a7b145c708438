"""SBE 15x15 book frame -> handle_message -> applied book: ccxt_paradex.pro vs ccxt.pro.paradex, same run.

    python bench/ws_book.py [--frames N] [--ccxt-frames N] [--repeat R] [--version V] [--profile]

Frames are built by the simulator's SBE encoder (ccxt_paradex/sim/sbe_encode.py): BookEvent SNAPSHOT
frames of 15 bids + 15 asks around a random-walking mid (BTC-USD-PERP, tick 0.1, sizes in 0.00001
steps), seq_no 1, 2, 3... Both exchanges get the same frames, as ``bytes``, through their own
``handle_message(client, frame)``; ``client`` is each exchange's real (never connected) ccxt WebSocket
Client from ``ex.client(ex.get_ws_url())``, so ``futures`` / ``resolve`` behave as in production.
Markets come from the simulator's canned /markets rows (no network).

Two modes per exchange:
  idle    no watcher waiting: ours applies the frame to its L2Book only; ccxt's handler always rebuilds
          its OrderBook (it has no other mode) and resolve() finds no future.
  waiting a watcher waits on every frame: ``client.future(hash)`` is created before each frame (inside the
          timed loop, for both) and resolved by the handler, so ours materialises a BookView every frame.
Ours is set up as watch_order_book_for_symbols would (``_books[id] = L2Book``, ``_book_channel``); ccxt's
handler needs no state (it creates ``orderbooks[symbol]`` on the first frame). After each run both
books are checked equal to the last frame's levels. Targets (issue): ours >= 50,000 msg/s and >= 175x ccxt
(moonshot 150,000 msg/s).
"""
import argparse
import asyncio
import cProfile
import gc
import io
import os
import pstats
import random
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ccxt.pro  # noqa: E402

from ccxt_paradex.core.book import L2Book  # noqa: E402
from ccxt_paradex.pro import paradex as OursPro  # noqa: E402
from ccxt_paradex.sim import sbe_encode  # noqa: E402
from ccxt_paradex.sim.markets import default_markets  # noqa: E402

try:
    from _results import emit  # bench/report.py's collector (JSON lines when BENCH_JSON is set)
except ImportError:  # pragma: no cover
    def emit(*args, **kwargs):
        pass

MARKET = "BTC-USD-PERP"
DEPTH = 15
TARGET, MOONSHOT, TARGET_RATIO = 50_000, 150_000, 175


def make_frames(n, version, keep=(), seed=3):
    """n SNAPSHOT frames (seq 1..n) and {index: expected (bids, asks) as float levels} for the indexes in
    ``keep`` (only those: a big heap of kept levels would slow every GC pass of the timed loops)."""
    rng = random.Random(seed)
    tick = Decimal("0.1")
    mid = 650000  # in ticks (65,000.0)
    frames, expected = [], {}
    t0 = 1_790_000_000_000
    for seq in range(1, n + 1):
        mid += rng.choice((-3, -2, -1, 0, 0, 1, 2, 3))
        bid, ask = mid - rng.randint(1, 3), mid + rng.randint(1, 3)
        bids, asks = [], []
        for _ in range(DEPTH):
            bids.append((bid, rng.randint(1, 200_000)))
            asks.append((ask, rng.randint(1, 200_000)))
            bid -= rng.randint(1, 5)
            ask += rng.randint(1, 5)
        levels = [{"side": "BUY", "price": str(p * tick), "size": str(Decimal(s) / 100000)} for p, s in bids]
        levels += [{"side": "SELL", "price": str(p * tick), "size": str(Decimal(s) / 100000)} for p, s in asks]
        data = {"seq_no": seq, "market": MARKET, "last_updated_at": t0 + seq * 50, "update_type": "s",
                "inserts": levels, "updates": [], "deletes": []}
        frames.append(sbe_encode.encode("order_book", data, version))
        if seq - 1 in keep:
            expected[seq - 1] = ([[float(p * tick), float(Decimal(s) / 100000)] for p, s in bids],
                                 [[float(p * tick), float(Decimal(s) / 100000)] for p, s in asks])
    return frames, expected


def load_markets(ex):
    rows = [m.to_json() for m in default_markets()]
    ex.markets = None
    ex.set_markets(ex.parse_markets(rows))


# ---- ours ------------------------------------------------------------------------------------------
def ours_setup(ex):
    """What watch_order_book_for_symbols([BTC]) leaves behind before the first frame (default options)."""
    ex._books = {}
    ex._book_channel[MARKET] = ex._book_channel_name(MARKET, {"feed": "snapshot"})
    ex._books[MARKET] = L2Book(ex.safe_integer(ex.options, "bookMaxPending", 8))
    return "orderbook:" + MARKET


def run_ours(ex, client, frames, waiting):
    message_hash = ours_setup(ex)
    handle, fut = ex.handle_message, client.future
    if waiting:
        t = time.perf_counter()
        for frame in frames:
            f = fut(message_hash)
            handle(client, frame)
        elapsed = time.perf_counter() - t
        assert f.done(), "our handler did not resolve the waiting watcher"
        view = f.result()
    else:
        t = time.perf_counter()
        for frame in frames:
            handle(client, frame)
        elapsed = time.perf_counter() - t
        view = ex._book_view(MARKET, ex._books[MARKET])
    assert ex._books[MARKET].seq == len(frames)
    return elapsed, (view["bids"], view["asks"])


# ---- ccxt ------------------------------------------------------------------------------------------
def run_ccxt(ex, client, frames, waiting):
    ex.orderbooks = {}
    message_hash = ex.get_order_book_channel(MARKET)
    handle, fut = ex.handle_message, client.future
    t = time.perf_counter()
    if waiting:
        for frame in frames:
            f = fut(message_hash)
            handle(client, frame)
    else:
        for frame in frames:
            handle(client, frame)
    elapsed = time.perf_counter() - t
    if waiting:
        assert f.done(), "ccxt's handler did not resolve the waiting watcher"
    ob = ex.orderbooks[ex.safe_symbol(MARKET)]
    return elapsed, ([list(x) for x in ob["bids"]], [list(x) for x in ob["asks"]])


def check(name, got, want):
    assert [list(x) for x in got[0]] == want[0] and [list(x) for x in got[1]] == want[1], \
        f"{name}: book differs from the last frame's levels"


def best(fn, repeat):
    out = None
    for _ in range(repeat):
        gc.collect()
        r = fn()
        if out is None or r[0] < out[0]:
            out = r
    return out


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=10_000, help="frames per run for ours")
    ap.add_argument("--ccxt-frames", type=int, default=600, help="frames per run for ccxt (prefix of the same set)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    ap.add_argument("--version", type=int, default=3, choices=(2, 3),
                    help="SBE schema version of the frames fed to ours (ccxt always gets 3, what it asks for)")
    ap.add_argument("--profile", action="store_true", help="cProfile ours (waiting mode) and print the top costs")
    ap.add_argument("--quick", action="store_true", help="3,000 / 150 frames, best of 2")
    args = ap.parse_args()
    if args.quick:
        args.frames, args.ccxt_frames, args.repeat = 3000, 150, 2

    last_ours, last_ccxt = args.frames - 1, min(args.ccxt_frames, args.frames) - 1
    frames3, expected = make_frames(args.frames, 3, (last_ours, last_ccxt))
    frames_ours = frames3 if args.version == 3 else make_frames(args.frames, 2)[0]
    frames_ccxt = frames3[:args.ccxt_frames]

    ours, theirs = OursPro(), ccxt.pro.paradex()
    try:
        for ex in (ours, theirs):
            load_markets(ex)
        c_ours, c_theirs = ours.client(ours.get_ws_url()), theirs.client(theirs.get_ws_url())
        results = {}
        for mode, waiting in (("idle", False), ("waiting", True)):
            el, book = best(lambda waiting=waiting: run_ours(ours, c_ours, frames_ours, waiting), args.repeat)
            check("ours/" + mode, book, expected[last_ours])
            results["ours", mode] = len(frames_ours) / el
            el, book = best(lambda waiting=waiting: run_ccxt(theirs, c_theirs, frames_ccxt, waiting),
                            max(1, args.repeat - 1))
            check("ccxt/" + mode, book, expected[last_ccxt])
            results["ccxt", mode] = len(frames_ccxt) / el

        print(f"ws book: SBE BookEvent 15x15 SNAPSHOT ({len(frames3[0])} bytes) -> handle_message -> book; "
              f"ours fed 1:{args.version} frames x{len(frames_ours):,}, ccxt 1:3 x{len(frames_ccxt):,}; "
              f"best of {args.repeat}")
        for mode, label in (("idle", "no watcher (apply only)"), ("waiting", "watcher waiting every frame")):
            o, c = results["ours", mode], results["ccxt", mode]
            print(f"  {label:29s}: ours {o:10,.0f} msg/s | ccxt {c:8,.0f} msg/s | {o / c:6.0f}x")
            emit("ws_book", f"SBE 15x15 book frame -> handle_message, {label}", "msg/s", o, c, "higher",
                 f"target >= {TARGET:,} msg/s and >= {TARGET_RATIO}x ccxt")
        verdicts = {}
        for mode in ("idle", "waiting"):
            o, ratio = results["ours", mode], results["ours", mode] / results["ccxt", mode]
            verdicts[mode] = "MET" if o >= TARGET and ratio >= TARGET_RATIO else "MISSED"
            print(f"  target ours >= {TARGET:,} msg/s and >= {TARGET_RATIO}x ccxt, {mode} mode: {verdicts[mode]}"
                  f" ({o / TARGET:.2f}x of the msg/s target, {ratio / TARGET_RATIO:.2f}x of the ratio target);"
                  f" moonshot {MOONSHOT:,} msg/s {'met' if o >= MOONSHOT else 'not met'}")
        verdict = verdicts["waiting"]
        print("  both books equal the last frame's 15+15 levels: yes")

        if args.profile or verdict == "MISSED":
            prof = cProfile.Profile()
            prof.enable()
            run_ours(ours, c_ours, frames_ours, True)
            prof.disable()
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(12)
            print("  cProfile, ours, waiting mode (sorted by own time):")
            print("\n".join("    " + line for line in s.getvalue().splitlines() if line.strip()))
    finally:
        await ours.close()
        await theirs.close()


if __name__ == "__main__":
    asyncio.run(main())
