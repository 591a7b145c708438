"""``python -m ccxt_paradex.sim --host 127.0.0.1 --port 8080``"""
import argparse
import asyncio
import logging
import signal
import sys

from .faults import parse_faults
from .server import Simulator


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m ccxt_paradex.sim", description="A local, protocol-faithful Paradex")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--seed", type=int, default=None, help="deterministic synthetic activity")
    ap.add_argument("--markets", type=int, default=None, help="number of markets (default: 5 realistic perps)")
    ap.add_argument("--initial-balance", default="100000", help="USDC credited at onboarding")
    ap.add_argument("--json", action="store_true", help="legacy JSON public channels instead of SBE")
    ap.add_argument("--sbe-private", action="store_true", help="SBE (templates 20-23) on private channels too")
    ap.add_argument("--no-deltas", action="store_true", help="refuse order_book.{market}.deltas (snapshot feeds only)")
    ap.add_argument("--options", action="store_true", help="also list perp options (BTC/ETH calls and puts) with greeks")
    ap.add_argument("--funding-scale", type=float, default=1.0,
                    help="funding seconds per wall second (1: real time; 3600: an 8 h funding period in 8 s)")
    ap.add_argument("--funding-settlement", choices=("trade", "periodic"), default="trade",
                    help="settle accrued funding at fills (Paradex) or also at every index update")
    ap.add_argument("--faults", default="", help="e.g. gap=0.01,dup=0.01,reorder=0.01,disconnect=30,auth_fail=0.1,http5xx=0.05")
    args = ap.parse_args(argv)
    try:
        parse_faults(args.faults)
    except ValueError as err:
        ap.error(str(err))
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    asyncio.run(_serve(args))
    return 0


async def _serve(args):
    sim = Simulator(args.host, args.port, seed=args.seed, markets=args.markets, initial_balance=args.initial_balance,
                    faults=args.faults, json_public=args.json, private_sbe=args.sbe_private,
                    option_markets=args.options, deltas_feed=not args.no_deltas,
                    funding_time_scale=args.funding_scale, funding_settlement=args.funding_settlement)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with sim:
        await stop.wait()
    logging.getLogger("ccxt_paradex.sim").info("paradex simulator stopped")


if __name__ == "__main__":
    sys.exit(main())
