"""``python -m ccxt_paradex demo [--seconds N] [--symbol S] [--testnet]``."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ccxt_paradex")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="REST + WebSocket tour against the embedded simulator (offline)")
    demo.add_argument("--seconds", type=float, default=5.0, help="length of the live book/trades view")
    demo.add_argument("--symbol", default="BTC/USD:USDC")
    demo.add_argument("--testnet", action="store_true",
                      help="read-only tour of real Paradex testnet (PARADEX_STARKNET_* or PARADEX_L1_* env credentials)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run
        run(seconds=args.seconds, symbol=args.symbol, testnet=args.testnet)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
