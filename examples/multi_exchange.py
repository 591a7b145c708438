"""Multi-exchange code as it is usually written: venues picked by id from ccxt's own namespace.

``best_quotes`` names nothing of ccxt_paradex. Run it with ccxt's classes, or with ours for Paradex through the
opt-in namespace switch (``ccxt_paradex.install()``), unchanged:

    python examples/multi_exchange.py --sim                      # Paradex played by an embedded simulator (offline)
    python examples/multi_exchange.py --sim --ccxt-paradex       # the same through the namespace switch
    python examples/multi_exchange.py paradex=BTC/USD:USDC binance=BTC/USDT
    python examples/multi_exchange.py --ccxt-paradex paradex=BTC/USD:USDC binance=BTC/USDT

It prints one line per venue (its class and best bid / ask after ``--updates`` book updates) and a summary.
(Real venues need the network; ``tests/project/test_namespace.py`` runs ``best_quotes`` against the simulator,
``tests/project/test_first_contact.py`` runs ``--sim``.)
"""
import argparse
import asyncio
import contextlib
import sys
import time

import ccxt.pro


async def best_quotes(symbols, configs=None, updates=1):
    """{exchange id: symbol} -> [(id, class, best bid, best ask)] after ``updates`` order-book updates each."""
    configs = configs or {}
    exchanges = {i: getattr(ccxt.pro, i)(configs.get(i, {})) for i in symbols if i in ccxt.pro.exchanges}

    async def quote(exchange_id, exchange):
        await exchange.load_markets()
        for _ in range(updates):
            book = await exchange.watch_order_book(symbols[exchange_id])
        return exchange_id, type(exchange), book["bids"][0][0], book["asks"][0][0]

    try:
        return await asyncio.gather(*(quote(i, e) for i, e in exchanges.items()))
    finally:
        await asyncio.gather(*(e.close() for e in exchanges.values()))


@contextlib.contextmanager
def simulated_paradex():
    """An embedded simulator playing Paradex -> the config that points ccxt's paradex classes at it."""
    from ccxt_paradex.sim.thread import SimulatorThread
    with SimulatorThread(seed=7, tick_interval=0.05, summary_interval=0, funding_interval=0) as sim:
        yield {"urls": sim.ccxt_urls(), "enableRateLimit": False}


def _venue(text):
    exchange_id, sep, symbol = text.partition("=")
    if not sep or not exchange_id or not symbol:
        raise argparse.ArgumentTypeError(f"expected id=SYMBOL (e.g. paradex=BTC/USD:USDC), got {text!r}")
    return exchange_id, symbol


def main(argv=None, out=print):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("venues", nargs="*", type=_venue, metavar="id=SYMBOL",
                    help="ccxt.pro exchange ids and a symbol each (default with --sim: paradex=BTC/USD:USDC)")
    ap.add_argument("--sim", action="store_true", help="Paradex is an embedded simulator (offline)")
    ap.add_argument("--ccxt-paradex", action="store_true", help="ccxt_paradex.install(): ccxt.pro.paradex is ours")
    ap.add_argument("--updates", type=int, default=1, help="order-book updates to wait for on each venue")
    args = ap.parse_args(argv)
    symbols = dict(args.venues) or ({"paradex": "BTC/USD:USDC"} if args.sim else {})
    if not symbols:
        ap.error("name at least one venue (id=SYMBOL), or run with --sim")
    if args.ccxt_paradex:
        import ccxt_paradex
        ccxt_paradex.install()
    with simulated_paradex() if args.sim else contextlib.nullcontext() as sim_config:
        configs = {"paradex": sim_config} if sim_config else {}
        t = time.perf_counter()
        quotes = asyncio.run(best_quotes(symbols, configs, args.updates))
    for exchange_id, cls, bid, ask in quotes:
        out("%-10s %-40s bid %s ask %s" % (exchange_id, cls.__module__ + "." + cls.__name__, bid, ask))
    out("summary: %d venue(s), %d book update(s) each, %.1f s%s" % (
        len(quotes), args.updates, time.perf_counter() - t, " (paradex: embedded simulator)" if args.sim else ""))
    return quotes


if __name__ == "__main__":
    main(sys.argv[1:])
