"""Decode a 15x15 SBE BookEvent frame: ccxt_paradex (dict path, fast path) vs ccxt's built-in decoder.

    python bench/sbe.py [--frames N]

Prints the median per-frame time of each decoder, measured in the same run, and the ratios.
"""
import argparse
import os
import random
import statistics
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ccxt.pro  # noqa: E402

from ccxt_paradex.core import sbe  # noqa: E402
from _results import emit  # noqa: E402

NULL = -(1 << 63)


def book_frame(rng, depth=15, market=b"BTC-USD-PERP"):
    """A SNAPSHOT BookEvent (schema 1:2 layout) with depth bids and asks around 64,850."""
    mid = 6485000000000
    bids = [(mid - (i + 1) * rng.randint(1, 50) * 10000000, rng.randint(1, 5000) * 100000) for i in range(depth)]
    asks = [(mid + (i + 1) * rng.randint(1, 50) * 10000000, rng.randint(1, 5000) * 100000) for i in range(depth)]
    block = struct.pack("<qqB9q", 1791906071000123, rng.randint(1, 10 ** 10), 0, *([NULL] * 9))
    out = struct.pack("<HHHH", len(block), 3, 1, 2) + block
    for levels in (bids, asks):
        out += struct.pack("<HH", 16, len(levels)) + b"".join(struct.pack("<qq", p, s) for p, s in levels)
    return out + bytes([len(market)]) + market


def median_us(fn, frames, repeat):
    samples = []
    for _ in range(repeat):
        for frame in frames:
            t = time.perf_counter()
            fn(frame)
            samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=200)
    args = ap.parse_args()
    rng = random.Random(7)
    frames = [book_frame(rng) for _ in range(args.frames)]
    ex = ccxt.pro.paradex()
    assert ex.parse_sbe_message(frames[0])["params"]["data"]["inserts"] == sbe.decode(frames[0])["data"]["inserts"]
    ours = median_us(sbe.decode, frames, 20)
    fast = median_us(sbe.decode_book_levels, frames, 20)
    theirs = median_us(ex.parse_sbe_message, frames[:max(20, args.frames // 4)], 1)
    print(f"frame: BookEvent 15x15 SNAPSHOT, {len(frames[0])} bytes, {args.frames} frames")
    print(f"ccxt built-in parse_sbe_message: {theirs:10.1f} us/frame")
    print(f"ccxt_paradex decode (dict):      {ours:10.1f} us/frame  ({theirs / ours:6.0f}x faster)")
    print(f"ccxt_paradex decode_book_levels: {fast:10.1f} us/frame  ({theirs / fast:6.0f}x faster)")
    emit("sbe", "SBE 15x15 book frame -> dict", "us/frame", ours, theirs)
    emit("sbe", "SBE 15x15 book frame -> levels (fast path)", "us/frame", fast, theirs)


if __name__ == "__main__":
    main()
