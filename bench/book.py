"""Delta application on a 1,000-level book: ccxt_paradex's L2Book vs ccxt's OrderBook, same run.

    python bench/book.py [--updates N]      (or: tox -e bench)

Both books start from the same 1,000-level snapshot and apply the same frames of
10 level updates (60% size changes, 20% new levels, 20% deletions). ccxt's side
gets one store() per level, as ccxt.pro's handlers do; ours gets one delta() per frame.
"""
import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ccxt.async_support.base.ws.order_book import OrderBook  # noqa: E402

from ccxt_paradex.core.book import SCALE, L2Book  # noqa: E402
from _results import emit  # noqa: E402

LEVELS = 1000


def make_frames(n_updates, seed=1):
    rng = random.Random(seed)
    bids = {50_000 * SCALE - i * 10_000_000 for i in range(LEVELS // 2)}
    asks = {50_001 * SCALE + i * 10_000_000 for i in range(LEVELS // 2)}
    snapshot = ([(p, rng.randrange(1, 10**9)) for p in bids], [(p, rng.randrange(1, 10**9)) for p in asks])
    frames = []
    for _ in range(n_updates // 10):
        fb, fa = [], []
        for _ in range(10):
            side, out, sign = (bids, fb, -1) if rng.random() < 0.5 else (asks, fa, 1)
            r = rng.random()
            if r < 0.6 or len(side) < 10:
                p = rng.choice(tuple(side)) if len(side) < 50 else _near(side, rng, sign)
                out.append((p, rng.randrange(1, 10**9)))
            elif r < 0.8:
                edge = (min(side) if sign < 0 else max(side)) + sign * 10_000_000 * rng.randrange(1, 5)
                side.add(edge)
                out.append((edge, rng.randrange(1, 10**9)))
            else:
                p = _near(side, rng, sign)
                side.discard(p)
                out.append((p, 0))
        frames.append((fb, fa))
    return snapshot, frames


def _near(side, rng, sign):
    best = max(side) if sign < 0 else min(side)
    for _ in range(20):
        p = best + sign * 10_000_000 * rng.randrange(0, 200)
        if p in side:
            return p
    return best


def run_ours(snapshot, frames):
    book = L2Book()
    book.snapshot(0, *snapshot)
    t = time.perf_counter()
    for seq, (b, a) in enumerate(frames, 1):
        book.delta(seq, b, a)
    elapsed = time.perf_counter() - t
    assert book.synced and book.seq == len(frames)
    return elapsed, book


def run_ccxt(snapshot, frames):
    # ccxt gets floats, as its handlers do after parse_number (conversion excluded from timing)
    fl = [([(p / SCALE, s / SCALE) for p, s in b], [(p / SCALE, s / SCALE) for p, s in a]) for b, a in frames]
    ob = OrderBook({"bids": [[p / SCALE, s / SCALE] for p, s in snapshot[0]],
                    "asks": [[p / SCALE, s / SCALE] for p, s in snapshot[1]]})
    bids_store, asks_store = ob["bids"].store, ob["asks"].store
    t = time.perf_counter()
    for b, a in fl:
        for p, s in b:
            bids_store(p, s)
        for p, s in a:
            asks_store(p, s)
    return time.perf_counter() - t, ob


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--updates", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    snapshot, frames = make_frames(args.updates)
    n = len(frames) * 10
    ours = min(run_ours(snapshot, frames)[0] for _ in range(args.repeat))
    theirs = min(run_ccxt(snapshot, frames)[0] for _ in range(args.repeat))
    _, book = run_ours(snapshot, frames)
    _, ob = run_ccxt(snapshot, frames)
    mine = book.top(20)
    ref = (ob["bids"][:20], ob["asks"][:20])
    assert [list(x) for x in mine[0]] == [list(x) for x in ref[0]] and [list(x) for x in mine[1]] == [list(x) for x in ref[1]], \
        "the two books disagree"
    print(f"book delta apply, {LEVELS}-level book, {n:,} level updates (best of {args.repeat})")
    print(f"  ccxt_paradex L2Book : {n / ours / 1e6:6.2f} M updates/s")
    print(f"  ccxt OrderBook      : {n / theirs / 1e6:6.2f} M updates/s")
    print(f"  speed-up            : {theirs / ours:6.2f}x   (target >= 1 M updates/s)")
    emit("book", f"delta apply, {LEVELS}-level book", "M level updates/s", n / ours / 1e6, n / theirs / 1e6, "higher")


if __name__ == "__main__":
    main()
