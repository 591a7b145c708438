"""``python -m ccxt_paradex demo``."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ccxt_paradex")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="offline demo: derive an account, sign and verify orders")
    demo.add_argument("--orders", type=int, default=200)
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run
        result = run(orders=args.orders)
        return 0 if result["verified"] else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
