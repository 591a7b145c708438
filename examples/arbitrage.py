"""Cross-venue arbitrage as it is written with ccxt.pro: both books streamed at once, a decision on every update.

Both venues' order books are watched concurrently (``watch_order_book``); on every update the best cross-venue
edge is computed (buy one venue's ask, sell the other's bid) net of both venues' taker fees, and when it clears
the threshold both legs are sent together (market orders, one pair in flight at a time). A summary at the end:
updates, edges seen, edges over the threshold, pairs placed, and the latency from the book's frame time (its
``timestamp``, the venue's clock) to the decision. Quiet by default (the summary only); ``--verbose`` prints a line
per edge over the threshold.

Venues are picked by id from ccxt's own namespace (``getattr(ccxt.pro, id)``); ``--impl ccxt_paradex`` turns on
ccxt_paradex's namespace switch, so the same code runs on ccxt's built-in class or on ours:

    python examples/arbitrage.py --sim                          # two embedded simulators (Paradex on both), ours
    python examples/arbitrage.py --sim --impl ccxt              # the same on ccxt's built-in classes
    python examples/arbitrage.py --sim --trade --threshold-bp -50    # places pairs on the simulators
    python examples/arbitrage.py --live --other binanceusdm --other-symbol BTC/USDT:USDT    # read-only
    python examples/arbitrage.py --live --trade ...             # real orders: credentials in the config

(``--live`` needs the network; ``tests/project/test_examples.py`` runs ``--sim`` on both classes.)
"""
import argparse
import asyncio
import contextlib
import time

import ccxt.pro

SIM_KEYS = ("0x" + "a1" * 32, "0x" + "b2" * 32)  # simulator accounts only: Ethereum keys the simulators fund


def best_edge(book_a, book_b, fee_bp=0.0):
    """-> (net edge in bp, direction, size) of the better crossing, or None; net = gross - fee_bp."""
    candidates = []
    if book_a["asks"] and book_b["bids"]:
        ask, bid = book_a["asks"][0], book_b["bids"][0]
        candidates.append(((bid[0] - ask[0]) / ask[0] * 1e4 - fee_bp, "buy A / sell B", min(ask[1], bid[1])))
    if book_b["asks"] and book_a["bids"]:
        ask, bid = book_b["asks"][0], book_a["bids"][0]
        candidates.append(((bid[0] - ask[0]) / ask[0] * 1e4 - fee_bp, "buy B / sell A", min(ask[1], bid[1])))
    return max(candidates) if candidates else None


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Arbitrage:
    def __init__(self, venue_a, venue_b, symbol_a, symbol_b, threshold_bp=5.0, amount=0.001, trade=False, out=print,
                 onboard=False, verbose=False):
        self.venues, self.symbols, self.onboard, self.verbose = (venue_a, venue_b), (symbol_a, symbol_b), onboard, verbose
        self.threshold_bp, self.amount, self.trade, self.out = threshold_bp, amount, trade, out
        self.books = [None, None]
        self.fee_bp = 0.0
        self.updates = self.edges_seen = self.over_threshold = 0
        self.pairs, self.failed_legs, self.latencies_ms = [], [], []
        self._in_flight = None

    async def run(self, seconds=None, max_updates=None):
        """Stream both books until ``seconds`` pass or ``max_updates`` updates were handled -> summary dict."""
        await asyncio.gather(*(v.load_markets() for v in self.venues))
        if self.trade and self.onboard:  # a Paradex account is onboarded once before it can trade
            await asyncio.gather(*(v.onboarding() for v in self.venues if v.id == "paradex"))
        # both legs are takers: the edge must pay both venues' taker fees
        self.fee_bp = sum(v.market(s)["taker"] or 0 for v, s in zip(self.venues, self.symbols)) * 1e4
        done = asyncio.Event()
        streams = [asyncio.ensure_future(self._stream(i, done, max_updates)) for i in (0, 1)]
        try:
            if seconds is None:
                await done.wait()
            else:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(done.wait(), seconds)
        finally:
            for task in streams:
                task.cancel()
            await asyncio.gather(*streams, return_exceptions=True)
            if self._in_flight is not None:
                await asyncio.gather(self._in_flight, return_exceptions=True)
        return self.summary()

    async def _stream(self, i, done, max_updates):
        venue, symbol = self.venues[i], self.symbols[i]
        while not done.is_set():
            book = await venue.watch_order_book(symbol)
            self.books[i] = {"bids": book["bids"][:1], "asks": book["asks"][:1], "timestamp": book["timestamp"]}
            self._decide(i)
            if max_updates is not None and self.updates >= max_updates:
                done.set()

    def _decide(self, i):
        self.updates += 1
        if self.books[0] is None or self.books[1] is None:
            return
        edge = best_edge(self.books[0], self.books[1], self.fee_bp)
        frame_ms = self.books[i]["timestamp"]
        if frame_ms is not None:
            self.latencies_ms.append(max(0, self.venues[i].milliseconds() - frame_ms))
        if edge is None:
            return
        self.edges_seen += 1
        net_bp, direction, size = edge
        if net_bp < self.threshold_bp:
            return
        self.over_threshold += 1
        if self.verbose:
            self.out(f"{self.updates:5d}  {direction:<15} net edge {net_bp:+8.2f} bp  size {size:g}")
        if self.trade and self._in_flight is None:
            self._in_flight = asyncio.ensure_future(self._place(direction))

    async def _place(self, direction):
        buy, sell = (0, 1) if direction == "buy A / sell B" else (1, 0)
        try:
            legs = await asyncio.gather(
                self.venues[buy].create_order(self.symbols[buy], "market", "buy", self.amount),
                self.venues[sell].create_order(self.symbols[sell], "market", "sell", self.amount),
                return_exceptions=True)
            for leg in legs:
                if isinstance(leg, Exception):
                    self.failed_legs.append(repr(leg))
            self.pairs.append(legs)
        finally:
            self._in_flight = None

    def summary(self):
        return {"updates": self.updates, "edges_seen": self.edges_seen, "over_threshold": self.over_threshold,
                "pairs_placed": len(self.pairs), "failed_legs": len(self.failed_legs), "fee_bp": self.fee_bp,
                "frame_to_decision_ms_p50": percentile(self.latencies_ms, 0.5),
                "frame_to_decision_ms_p99": percentile(self.latencies_ms, 0.99)}


def describe(summary, threshold_bp) -> str:
    """The summary as one line."""
    def ms(value):
        return "-" if value is None else f"{value:.0f} ms"
    return (f"summary ({summary['seconds']:.1f} s, {summary['classes'][0]}): {summary['updates']} book updates, "
            f"{summary['edges_seen']} edges seen, {summary['over_threshold']} over {threshold_bp:+g} bp net of "
            f"{summary['fee_bp']:.1f} bp fees, {summary['pairs_placed']} pairs placed ({summary['failed_legs']} failed "
            f"legs), frame to decision p50 {ms(summary['frame_to_decision_ms_p50'])} / p99 "
            f"{ms(summary['frame_to_decision_ms_p99'])}")


@contextlib.contextmanager
def simulated_venues():
    """Two simulators (different seeds) playing two venues -> (config A, config B) for ccxt.pro.paradex."""
    from ccxt_paradex.core.keys import eth_address
    from ccxt_paradex.sim.thread import SimulatorThread
    with SimulatorThread(seed=101, tick_interval=0.05, initial_balance="100000") as a, \
            SimulatorThread(seed=202, tick_interval=0.05, initial_balance="100000") as b:
        yield tuple({"urls": sim.ccxt_urls(), "enableRateLimit": False, "privateKey": key,
                     "walletAddress": eth_address(key)} for sim, key in zip((a, b), SIM_KEYS))


async def run(args, out=print):
    switch = contextlib.nullcontext()
    if args.impl == "ccxt_paradex":
        import ccxt_paradex
        switch = ccxt_paradex.installed()  # ccxt.pro.paradex is ours inside (and ccxt's again after)
    with switch:
        return await _venues(args, out)


async def _venues(args, out):
    if args.sim:
        with simulated_venues() as (config_a, config_b):
            ids, configs, symbols = ("paradex", "paradex"), (config_a, config_b), (args.symbol, args.symbol)
            return await _run(ids, configs, symbols, args, out)
    ids, configs, symbols = ("paradex", args.other), ({}, {}), (args.symbol, args.other_symbol)
    return await _run(ids, configs, symbols, args, out)


async def _run(ids, configs, symbols, args, out):
    venues = [getattr(ccxt.pro, i)(c) for i, c in zip(ids, configs)]
    try:
        arb = Arbitrage(*venues, *symbols, threshold_bp=args.threshold_bp, amount=args.amount, trade=args.trade, out=out,
                        onboard=args.sim, verbose=getattr(args, "verbose", False))
        t = time.perf_counter()
        summary = await arb.run(seconds=args.seconds, max_updates=args.max_updates)
        summary["classes"] = [type(v).__module__ + "." + type(v).__name__ for v in venues]
        summary["seconds"] = round(time.perf_counter() - t, 3)
        out(describe(summary, args.threshold_bp))
        return summary
    finally:
        await asyncio.gather(*(v.close() for v in venues))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--impl", choices=["ccxt", "ccxt_paradex"], default="ccxt_paradex")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--sim", action="store_true", help="two embedded simulators play the two venues (offline)")
    mode.add_argument("--live", action="store_true", help="Paradex and --other, live (read-only unless --trade)")
    ap.add_argument("--other", default="binanceusdm", help="the other ccxt.pro venue (live mode)")
    ap.add_argument("--symbol", default="BTC/USD:USDC", help="Paradex symbol")
    ap.add_argument("--other-symbol", default="BTC/USDT:USDT")
    ap.add_argument("--threshold-bp", type=float, default=5.0, help="net edge (after both taker fees) to act on")
    ap.add_argument("--amount", type=float, default=0.001, help="size of each leg")
    ap.add_argument("--trade", action="store_true", help="place both legs when the net edge clears the threshold")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--max-updates", type=int, default=None, help="stop after this many book updates")
    ap.add_argument("--verbose", "-v", action="store_true", help="a line per edge over the threshold")
    args = ap.parse_args(argv)
    if not (args.sim or args.live):
        args.sim = True
    return asyncio.run(run(args))


if __name__ == "__main__":
    main()
