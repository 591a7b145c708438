"""Order entry round trip: ``create_order_ws`` (JSON-RPC ``order.create``) vs REST ``create_order``.

    python bench/ws_orders.py [--orders N] [--batch N] [--in-process]

Both paths run on one ccxt_paradex.pro.paradex instance against the simulator on loopback; by default
the simulator runs in a child process so its work does not share this event loop (``--in-process``
puts it on the same loop). Latency is wall time around one awaited call, i.e. everything the caller
waits for: argument checks, precision, order hash + STARK signature, request encoding, the transport
(one persistent WebSocket vs aiohttp's pooled keep-alive HTTP connection, JWT bearer), the venue's
validation + signature verification + matching, and parse_order.

Orders: post-only limit buys of 0.001 BTC at 80% of the best bid (they rest and never fill), WS and
REST interleaved one for one so both see the same venue state. Every --batch orders the resting ones
are cancelled one by one, alternately cancel_order_ws / cancel_order, also timed: the same two round
trips with no signature on either side (the transport difference alone); the 100-open-orders-per-market
cap is never reached.
The venue's rate limits and the client's pacing are off: the figure is the round trip, not a throttle
(about 2 x N orders go out in a few seconds, above Paradex's 800 orders/s). Every result is checked
(status open, ids unique); warm-up calls (connection set-up, JWT, first auth) are not counted.
"""
import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ccxt_paradex.core import keys  # noqa: E402
from ccxt_paradex.pro import paradex  # noqa: E402
from ccxt_paradex.sim import Simulator  # noqa: E402

try:  # optional machine-readable output (bench/report.py)
    from _results import emit
except ImportError:  # pragma: no cover
    def emit(*args, **kwargs):
        pass

L1_KEY = "0x" + "5e" * 32
SYMBOL = "BTC/USD:USDC"
SIM_OPTIONS = dict(seed=7, tick_interval=0, summary_interval=0, funding_interval=0, rate_limits=False,
                   initial_balance="10000000")


# ---- simulator in a child process -------------------------------------------------------------------
def _serve(pipe):
    async def main():
        async with Simulator(**SIM_OPTIONS) as sim:
            pipe.send(sim.ccxt_urls())
            await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # until told to stop
    asyncio.run(main())


def _pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def _timed(call):
    t0 = time.perf_counter()
    order = await call
    return (time.perf_counter() - t0) * 1000, order


async def run(urls, n, batch):
    ex = paradex({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY, "urls": urls,
                  "enableRateLimit": False})
    try:
        await ex.load_markets()
        bid = (await ex.fetch_order_book(SYMBOL))["bids"][0][0]
        price = float(ex.price_to_precision(SYMBOL, bid * 0.8))
        params = {"postOnly": True}
        for _ in range(20):  # warm-up: JWT, WebSocket connect + auth, HTTP keep-alive, code paths
            await ex.create_order_ws(SYMBOL, "limit", "buy", 0.001, price, params)
            await ex.create_order(SYMBOL, "limit", "buy", 0.001, price, params)
        await ex.cancel_all_orders(SYMBOL)
        times = {key: [] for key in ("create_ws", "create_rest", "cancel_ws", "cancel_rest")}
        ids, resting = set(), []
        started = time.perf_counter()
        for i in range(n):
            for key, call in (("create_ws", ex.create_order_ws), ("create_rest", ex.create_order)):
                ms, order = await _timed(call(SYMBOL, "limit", "buy", 0.001, price, params))
                times[key].append(ms)
                assert order["status"] == "open" and order["postOnly"] and order["id"] not in ids, order
                ids.add(order["id"])
                resting.append(order["id"])
            if len(resting) >= batch or i == n - 1:
                # cancels, timed too: the same round trips without a signature on either side
                for j, order_id in enumerate(resting):
                    key, call = ("cancel_ws", ex.cancel_order_ws) if j % 2 == 0 else ("cancel_rest", ex.cancel_order)
                    ms, canceled = await _timed(call(order_id, SYMBOL))
                    times[key].append(ms)
                    assert canceled["id"] == order_id
                resting = []
        elapsed = time.perf_counter() - started
        assert not await ex.fetch_open_orders(SYMBOL), "orders left open"
        return times, elapsed
    finally:
        await ex.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", type=int, default=1000, help="orders per path (>= 500)")
    ap.add_argument("--batch", type=int, default=80, help="resting orders (both paths) before they are cancelled (< 100)")
    ap.add_argument("--in-process", action="store_true", help="run the simulator on this event loop")
    args = ap.parse_args(argv)
    if args.in_process:
        async def in_process():
            async with Simulator(**SIM_OPTIONS) as sim:
                return await run(sim.ccxt_urls(), args.orders, args.batch)
        times, elapsed = asyncio.run(in_process())
        where = "same event loop"
    else:
        parent, child = mp.Pipe()
        proc = mp.get_context("fork").Process(target=_serve, args=(child,), daemon=True)
        proc.start()
        try:
            urls = parent.recv()
            times, elapsed = asyncio.run(run(urls, args.orders, args.batch))
        finally:
            parent.send("stop")
            proc.join(5)
        where = "child process"
    print(f"order entry round trip, {args.orders} orders per path, simulator on loopback ({where}), "
          f"{4 * args.orders} requests in {elapsed:.1f} s")
    print(f"{'':24}{'n':>6}{'median ms':>11}{'p99 ms':>9}{'mean ms':>9}{'min ms':>9}")
    rows = (("create_order_ws (WS)", "create_ws"), ("create_order (REST)", "create_rest"),
            ("cancel_order_ws (WS)", "cancel_ws"), ("cancel_order (REST)", "cancel_rest"))
    for name, key in rows:
        values = times[key]
        print(f"{name:24}{len(values):6d}{statistics.median(values):11.3f}{_pct(values, 0.99):9.3f}"
              f"{statistics.fmean(values):9.3f}{min(values):9.3f}")
    for what, ws, rest in (("create", "create_ws", "create_rest"), ("cancel", "cancel_ws", "cancel_rest")):
        print(f"REST / WS {what}: median {statistics.median(times[rest]) / statistics.median(times[ws]):.2f}x, "
              f"p99 {_pct(times[rest], 0.99) / _pct(times[ws], 0.99):.2f}x")
    for name, key in rows:
        emit("ws_orders", name + " round trip median", "ms", round(statistics.median(times[key]), 4), note=where)
        emit("ws_orders", name + " round trip p99", "ms", round(_pct(times[key], 0.99), 4), note=where)
    return 0

if __name__ == "__main__":
    sys.exit(main())
