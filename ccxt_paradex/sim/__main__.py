"""``python -m ccxt_paradex.sim --host 127.0.0.1 --port 8080``

Paper trading: ``--mirror mainnet|testnet|URL [--markets BTC-USD-PERP,...] [--record FILE]`` mirrors a source venue's
public books and trades (sim/mirror.py); ``--replay FILE [--speed X]`` plays a recording back.
"""
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
    ap.add_argument("--markets", default=None,
                    help="number of markets (default: 5 realistic perps); with --mirror: BTC-USD-PERP,ETH-USD-PERP,...")
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
    ap.add_argument("--mirror", default=None, metavar="mainnet|testnet|URL",
                    help="mirror a source venue's public books and trades (paper trading; nothing is sent upstream)")
    ap.add_argument("--record", default=None, metavar="FILE", help="with --mirror: write the mirrored stream (.gz: gzip)")
    ap.add_argument("--replay", default=None, metavar="FILE", help="play a --record file back instead of a source")
    ap.add_argument("--speed", type=float, default=1.0, help="--replay speed (1 real time, 0 as fast as possible)")
    args = ap.parse_args(argv)
    if args.mirror and args.replay:
        ap.error("--mirror and --replay exclude each other")
    if args.record and not args.mirror:
        ap.error("--record needs --mirror")
    if args.markets is not None and args.markets.isdigit():
        args.markets = int(args.markets)
    elif args.markets is not None and not (args.mirror or args.replay):
        ap.error("--markets: a number (market names only with --mirror or --replay)")
    try:
        parse_faults(args.faults)
    except ValueError as err:
        ap.error(str(err))
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    asyncio.run(_serve(args))
    return 0


async def build(args):
    """-> (Simulator, Mirror | Replay | None), not started."""
    from . import mirror
    markets, source = args.markets, None
    wanted = markets.split(",") if isinstance(markets, str) else None
    if args.mirror:
        markets = [mirror.spec_from_json(m) for m in await mirror.fetch_markets(args.mirror, wanted)]
    elif args.replay:
        markets = [s for s in mirror.recording_specs(args.replay) if not wanted or s.symbol in wanted]
    sim = Simulator(args.host, args.port, seed=args.seed, markets=markets, initial_balance=args.initial_balance,
                    faults=args.faults, json_public=args.json, private_sbe=args.sbe_private,
                    option_markets=args.options and not (args.mirror or args.replay), deltas_feed=not args.no_deltas,
                    funding_time_scale=args.funding_scale, funding_settlement=args.funding_settlement,
                    liquidity=not (args.mirror or args.replay))
    if args.mirror:
        source = mirror.Mirror(sim, args.mirror, [s.symbol for s in markets], record=args.record)
    elif args.replay:
        source = mirror.Replay(sim, args.replay, args.speed)
    return sim, source


async def _serve(args):
    sim, source = await build(args)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with sim:
        if source is not None:
            await source.start()
            logging.getLogger("ccxt_paradex.sim").info("%s %s", "mirroring" if args.mirror else "replaying",
                                                        args.mirror or args.replay)
        try:
            await stop.wait()
        finally:
            if source is not None:
                await source.stop()
    logging.getLogger("ccxt_paradex.sim").info("paradex simulator stopped")


if __name__ == "__main__":
    sys.exit(main())
