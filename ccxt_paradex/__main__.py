"""``python -m ccxt_paradex demo [--seconds N] [--symbol S] [--testnet]`` and ``python -m ccxt_paradex doctor``.

Every failure a user can cause or meet (a bad argument, an unknown symbol, no route to the venue) ends
with one line on stderr, not a traceback: exit code 2 for a bad argument, 1 for a venue or network error.
"""
import argparse
import asyncio
import platform
import statistics
import sys
import time

PROG = "python -m ccxt_paradex"


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints the usage block too: one line is enough
        self.exit(2, f"{PROG}: error: {message} (see {self.prog} --help)\n")


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


# a throwaway key: the doctor signs an order nobody sends
_DOCTOR_KEY = 0x1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF1234567890ABCDE
_DOCTOR_ACCOUNT = 0x5AFE


def doctor(out=print, budget_s=0.3) -> dict:
    """What this install runs on and how fast it signs -> the figures printed (tests read them)."""
    import ccxt

    import ccxt_paradex
    from .core import backend, signing
    info = backend.describe()
    t = time.perf_counter()
    signer = signing.StarkSigner(hex(_DOCTOR_KEY), hex(_DOCTOR_ACCOUNT), "PRIVATE_SN_POTC_SEPOLIA")  # warms up
    warm_up_ms = (time.perf_counter() - t) * 1e3
    samples: list = []
    deadline = time.perf_counter() + budget_s
    while len(samples) < 5 or (time.perf_counter() < deadline and len(samples) < 200):
        felts: tuple = signing.order_felts(1_700_000_000_000 + len(samples), "BTC-USD-PERP", "BUY", "LIMIT", "0.01",
                                    str(60000 + len(samples)))
        t = time.perf_counter()
        signature = signer.sign_order_felts(felts)
        samples.append((time.perf_counter() - t) * 1e3)
    verified = signing.verify(signer.public_key, signing.order_hash(signer.chain_id, signer.account, felts), signature)
    figures = {"python": platform.python_version(), "implementation": platform.python_implementation(),
               "platform": f"{platform.system()} {platform.machine()}", "ccxt": ccxt.__version__,
               "ccxt_paradex": ccxt_paradex.__version__, "backend": info["name"], "reason": info["reason"],
               "order_sign_ms": statistics.median(samples), "orders_signed": len(samples),
               "warm_up_ms": warm_up_ms, "verified": verified}
    rows = [
        ("ccxt_paradex", f"{ccxt_paradex.__version__} ({ccxt_paradex.__file__.rsplit('__init__', 1)[0]})"),
        ("python", f"{platform.python_version()} ({platform.python_implementation()}, {sys.executable})"),
        ("platform", f"{platform.system()} {platform.machine()} ({platform.platform(terse=True)})"),
        ("ccxt", ccxt.__version__),
        ("crypto backend", f"{info['name']}: {info['reason']}"),
        ("  pedersen", info["pedersen"]),
        ("  signer", info["signer"]),
        ("order signing", f"{figures['order_sign_ms']:.3f} ms per order (median of {len(samples)}: typed-data hash "
                          f"+ STARK signature; first key set-up {warm_up_ms:.0f} ms)"),
        ("self-check", "the signature verifies" if verified else "FAILED: the signature does not verify"),
    ]
    for name, value in rows:
        out(f"{name:<15} {value}")
    return figures


def main(argv=None):
    parser = _Parser(prog=PROG)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("doctor", help="python, platform, ccxt, the active crypto backend (and why), signing speed")
    demo = sub.add_parser("demo", help="REST + WebSocket tour against the embedded simulator (offline)")
    demo.add_argument("--seconds", type=_seconds, default=5.0, help="length of the live book/trades view")
    demo.add_argument("--symbol", default="BTC/USD:USDC")
    demo.add_argument("--testnet", action="store_true",
                      help="read-only tour of real Paradex testnet (PARADEX_STARKNET_* or PARADEX_L1_* env credentials)")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        try:
            return 0 if doctor()["verified"] else 1
        except ImportError as e:  # e.g. no Pedersen implementation installed
            print(f"{PROG} doctor: error: {e}", file=sys.stderr)
            return 1
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
