"""A cross-venue spread watcher written only against the ccxt API.

It runs unchanged with ccxt's built-in class or ours - only the import differs:

    python examples/arbitrage.py --impl ccxt_paradex --sim        # two embedded simulators, offline
    python examples/arbitrage.py --impl ccxt --sim                # the same with ccxt.paradex
    python examples/arbitrage.py --impl ccxt_paradex --other binanceusdm --symbol BTC/USDT:USDT   # live venues

For every pair of books it prints the best cross-venue edge: buy on one venue's ask, sell on the other's bid,
in basis points, and how much size is available at those prices.
"""
import argparse
import contextlib
import importlib
import time


def paradex_class(impl):
    return importlib.import_module("ccxt" if impl == "ccxt" else "ccxt_paradex").paradex


def best_edge(book_a, book_b):
    """-> (edge in bp, direction, size): positive edge = money on the table before fees."""
    candidates = []
    if book_a["asks"] and book_b["bids"]:
        ask, bid = book_a["asks"][0], book_b["bids"][0]
        candidates.append(((bid[0] - ask[0]) / ask[0] * 1e4, "buy A / sell B", min(ask[1], bid[1])))
    if book_b["asks"] and book_a["bids"]:
        ask, bid = book_b["asks"][0], book_a["bids"][0]
        candidates.append(((bid[0] - ask[0]) / ask[0] * 1e4, "buy B / sell A", min(ask[1], bid[1])))
    return max(candidates) if candidates else None


def watch(venue_a, venue_b, symbol_a, symbol_b, rounds, interval, out=print):
    venue_a.load_markets()
    venue_b.load_markets()
    edges = []
    for i in range(rounds):
        t = time.perf_counter()
        book_a = venue_a.fetch_order_book(symbol_a, 5)
        book_b = venue_b.fetch_order_book(symbol_b, 5)
        edge = best_edge(book_a, book_b)
        ms = (time.perf_counter() - t) * 1e3
        if edge is not None:
            edges.append(edge[0])
            out(f"{i:3d}  {edge[1]:<15} edge {edge[0]:+8.2f} bp  size {edge[2]:g}   ({ms:.1f} ms for both books)")
        time.sleep(interval)
    return edges


@contextlib.contextmanager
def simulated_venues():
    from ccxt_paradex.sim.thread import SimulatorThread
    with SimulatorThread(seed=101, tick_interval=0.05) as a, SimulatorThread(seed=202, tick_interval=0.05) as b:
        yield a.ccxt_urls(), b.ccxt_urls()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--impl", choices=["ccxt", "ccxt_paradex"], default="ccxt_paradex")
    ap.add_argument("--sim", action="store_true", help="two embedded simulators play the two venues (offline)")
    ap.add_argument("--other", default="binanceusdm", help="the other ccxt venue (live mode)")
    ap.add_argument("--symbol", default="BTC/USD:USDC", help="Paradex symbol")
    ap.add_argument("--other-symbol", default="BTC/USDT:USDT")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--interval", type=float, default=0.2)
    args = ap.parse_args(argv)
    Paradex = paradex_class(args.impl)
    if args.sim:
        with simulated_venues() as (urls_a, urls_b):
            return watch(Paradex({"urls": urls_a}), Paradex({"urls": urls_b}), args.symbol, args.symbol,
                         args.rounds, args.interval)
    import ccxt
    return watch(Paradex(), getattr(ccxt, args.other)(), args.symbol, args.other_symbol, args.rounds, args.interval)


if __name__ == "__main__":
    main()
