"""Multi-exchange code as it is usually written: venues picked by id from ccxt's own namespace.

Nothing below names ccxt_paradex. Run it with ccxt's classes, or with ours for Paradex through the opt-in
namespace switch (``ccxt_paradex.install()``), unchanged:

    python examples/multi_exchange.py paradex=BTC/USD:USDC binance=BTC/USDT
    python examples/multi_exchange.py --ccxt-paradex paradex=BTC/USD:USDC binance=BTC/USDT

(It needs the network for real venues; ``tests/test_namespace.py`` runs ``best_quotes`` against the simulator.)
"""
import asyncio
import sys

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


def main(argv):
    if "--ccxt-paradex" in argv:
        import ccxt_paradex
        ccxt_paradex.install()
    symbols = dict(a.split("=", 1) for a in argv if "=" in a)
    for exchange_id, cls, bid, ask in asyncio.run(best_quotes(symbols)):
        print("%-10s %-40s bid %s ask %s" % (exchange_id, cls.__module__ + "." + cls.__name__, bid, ask))


if __name__ == "__main__":
    main(sys.argv[1:])
