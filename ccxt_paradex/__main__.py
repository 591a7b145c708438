"""``python -m ccxt_paradex demo [--seconds N] [--symbol S] [--testnet]``.

Every failure a user can cause or meet (a bad argument, an unknown symbol, no route to the venue) ends
with one line on stderr, not a traceback: exit code 2 for a bad argument, 1 for a venue or network error.
"""
import argparse
import asyncio
import sys

PROG = "python -m ccxt_paradex"


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints the usage block too: one line is enough
        self.exit(2, f"{PROG}: error: {message} (see {PROG} demo --help)\n")


def _seconds(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"must be between 0 and 3600, got {text}")
    return value


def _one_line(e) -> str:
    """An exception and what caused it (ccxt's NetworkError names the URL; the cause says why) on one line."""
    text = " ".join(str(e).split()) or type(e).__name__
    cause = e.__cause__ or e.__context__
    if cause is not None and str(cause).strip() and str(cause).strip() not in text:
        text += " <- " + type(cause).__name__ + ": " + " ".join(str(cause).split())
    return text if len(text) <= 300 else text[:297] + "..."


def main(argv=None):
    parser = _Parser(prog=PROG)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    demo = sub.add_parser("demo", help="REST + WebSocket tour against the embedded simulator (offline)")
    demo.add_argument("--seconds", type=_seconds, default=5.0, help="length of the live book/trades view")
    demo.add_argument("--symbol", default="BTC/USD:USDC")
    demo.add_argument("--testnet", action="store_true",
                      help="read-only tour of real Paradex testnet (PARADEX_STARKNET_* or PARADEX_L1_* env credentials)")
    args = parser.parse_args(argv)
    if args.command != "demo":
        return 2
    import ccxt

    from .demo import DemoError, run
    where = "Paradex testnet" if args.testnet else "the embedded simulator"
    try:
        run(seconds=args.seconds, symbol=args.symbol, testnet=args.testnet)
    except DemoError as e:
        print(f"{PROG} demo: error: {e}", file=sys.stderr)
        return 2
    except (ccxt.NetworkError, OSError, asyncio.TimeoutError) as e:
        print(f"{PROG} demo: error: cannot reach {where} ({type(e).__name__}: {_one_line(e)})", file=sys.stderr)
        return 1
    except ccxt.BaseError as e:
        print(f"{PROG} demo: error: {where} answered {type(e).__name__}: {_one_line(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
