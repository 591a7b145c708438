"""``python -m ccxt_paradex.sim [--port 8080] [--seed N] [--auto-onboard] ...``: a local Paradex to point ccxt at.

Paper trading: ``--mirror mainnet|testnet|URL [--markets BTC-USD-PERP,...] [--record FILE]`` mirrors a source venue's
public books and trades (sim/mirror.py); ``--replay FILE|sample [--speed X]`` plays a recording back (``sample``:
the recording shipped with the package).

Every mistake ends with one line on stderr, never a traceback: exit code 2 for a bad argument (a port out of range,
a file that is not a recording, an unknown fault), 1 for what goes wrong at run time (the port is taken, the mirror
source cannot be reached).
"""
import argparse
import asyncio
import errno
import json
import logging
import os
import signal
import sys
import time
from decimal import Decimal, InvalidOperation

from .faults import KNOWN as KNOWN_FAULTS
from .faults import parse_faults
from .makers import DEPTH
from .server import Simulator

PROG = "python -m ccxt_paradex.sim"
log = logging.getLogger("ccxt_paradex.sim")


class CliError(Exception):
    """A failure the command line reports as one line: ``code`` 2 for a bad argument, 1 at run time."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints the usage block too: one line is enough
        self.exit(2, f"{PROG}: error: {message} (see {PROG} --help)\n")


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Every option's default in its help line (flags and options without a default show none)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.option_strings and "%(default)" not in text and action.default not in (None, False, "", argparse.SUPPRESS):
            text += " (default: %(default)s)"
        return text


def _one_line(e) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= 240 else text[:237] + "..."


def _port(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535 (0: any free port), got {text}")
    return value


def _number(low, strict=False, what="a number"):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
        if value != value or value in (float("inf"), float("-inf")) or value < low or (strict and value == low):
            raise argparse.ArgumentTypeError(f"must be {'above' if strict else 'at least'} {low:g}, got {text}")
        return value
    return parse


def _balance(text):
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative amount of USDC, got {text}")
    return text


def _faults(text):
    """Each ``name=value`` checked alone, so the error names the fault that is wrong."""
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        try:
            parse_faults(part)
        except ValueError as e:
            if name in KNOWN_FAULTS and "could not convert" in str(e):
                kind = "seconds between forced disconnects" if name == "disconnect" else "a probability 0..1"
                raise argparse.ArgumentTypeError(f"fault {name}: {value!r} is not a number ({name} takes {kind})") from None
            raise argparse.ArgumentTypeError(str(e)) from None  # names the fault already
        if name == "disconnect" and float(value) <= 0:
            raise argparse.ArgumentTypeError(f"fault disconnect: {value!r} must be a positive number of seconds")
    return text


def parser() -> argparse.ArgumentParser:
    ap = _Parser(prog=PROG, description="A local, protocol-faithful Paradex: REST and WebSocket on one port; point any "
                 "ccxt paradex class at the urls it prints.", formatter_class=_HelpFormatter,
                 epilog="Mistakes end with one line on stderr: exit code 2 for a bad argument, 1 at run time.")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on")
    ap.add_argument("--port", type=_port, default=8080, help="port for REST and WebSocket (0: any free port)")
    ap.add_argument("--seed", type=int, default=None, help="deterministic synthetic activity")
    ap.add_argument("--markets", default=None,
                    help="number of synthetic markets (default: 5 realistic perps); with --mirror or --replay: "
                         "market names, BTC-USD-PERP,ETH-USD-PERP,...")
    ap.add_argument("--initial-balance", type=_balance, default="100000", help="USDC credited at onboarding")
    ap.add_argument("--auto-onboard", action="store_true",
                    help="onboard an account on its first /auth (Paradex answers NOT_ONBOARDED): ccxt's built-in "
                         "paradex class then trades without calling onboarding() first")
    ap.add_argument("--depth", type=_number(0), default=DEPTH, metavar="USD",
                    help="about how much each side of a synthetic market's book holds, in USD (0: a thin ladder of "
                         "a few minimum notionals per level)")
    ap.add_argument("--json", action="store_true", help="legacy JSON public channels instead of SBE")
    ap.add_argument("--sbe-private", action="store_true", help="SBE (templates 20-23) on private channels too")
    ap.add_argument("--no-deltas", action="store_true", help="refuse order_book.{market}.deltas (snapshot feeds only)")
    ap.add_argument("--price-bands", action=argparse.BooleanOptionalAction, default=True,
                    help="refuse aggressive LIMIT prices beyond the market's price_bands_width from the mark (a buy "
                         "above it, a sell below it), as Paradex does; passive prices rest at any distance "
                         "(--no-price-bands: any limit price is taken)")
    ap.add_argument("--options", action="store_true", help="also list perp options (BTC/ETH calls and puts) with greeks")
    ap.add_argument("--funding-scale", type=_number(0, strict=True), default=1.0,
                    help="funding seconds per wall second (1: real time; 3600: an 8 h funding period in 8 s)")
    ap.add_argument("--funding-settlement", choices=("trade", "periodic"), default="trade",
                    help="settle accrued funding at fills (Paradex) or also at every index update")
    ap.add_argument("--faults", type=_faults, default="",
                    help="inject faults, e.g. gap=0.01,dup=0.01,reorder=0.01,disconnect=30,auth_fail=0.1,http5xx=0.05 "
                         "(probabilities; disconnect: every N seconds)")
    ap.add_argument("--mirror", default=None, metavar="mainnet|testnet|URL",
                    help="mirror a source venue's public books and trades (paper trading; nothing is sent upstream)")
    ap.add_argument("--source-timeout", type=_number(0, strict=True), default=10.0, metavar="SECONDS",
                    help="with --mirror: give up when the source's markets do not arrive within this time")
    ap.add_argument("--record", default=None, metavar="FILE", help="with --mirror: write the mirrored stream (.gz: gzip)")
    ap.add_argument("--replay", default=None, metavar="FILE|sample",
                    help="play a --record file back instead of a source; 'sample': the recording shipped with the "
                         "package (150 s of BTC-USD-PERP recorded from a simulator, not from Paradex)")
    ap.add_argument("--speed", type=_number(0), default=1.0, help="--replay speed (1 real time, 0 as fast as possible)")
    return ap


def _recording(name) -> str:
    from . import mirror
    return mirror.SAMPLE_RECORDING if name == "sample" else name


def main(argv=None):
    ap = parser()
    args = ap.parse_args(argv)
    if args.mirror and args.replay:
        ap.error("--mirror and --replay exclude each other")
    if args.record and not args.mirror:
        ap.error("--record needs --mirror")
    if args.markets is not None and args.markets.isdigit():
        args.markets = int(args.markets)
        if args.markets < 1 or args.mirror or args.replay:
            ap.error("--markets: a number of synthetic markets (at least 1), or market names with --mirror or --replay")
    elif args.markets is not None and not (args.mirror or args.replay):
        ap.error("--markets: a number (market names only with --mirror or --replay)")
    if args.replay:
        args.replay = _recording(args.replay)
        if not os.path.isfile(args.replay):
            ap.error(f"--replay: no such file: {args.replay}")
    if args.record and not os.path.isdir(os.path.dirname(os.path.abspath(args.record))):
        ap.error(f"--record: no such directory: {os.path.dirname(os.path.abspath(args.record))}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        return asyncio.run(_serve(args))
    except CliError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:  # before the signal handlers are in place
        return 130


async def build(args):
    """-> (Simulator, Mirror | Replay | None), not started. A source that cannot be read or reached: CliError."""
    from . import mirror
    markets, source = args.markets, None
    wanted = markets.split(",") if isinstance(markets, str) else None
    if args.mirror:
        markets = await _source_markets(args, wanted)
    elif args.replay:
        try:
            recorded = mirror.recording_specs(args.replay)
        except (OSError, EOFError, ValueError, KeyError, TypeError) as e:  # not gzip, not JSON, not a recording
            raise CliError(f"--replay {args.replay}: not a mirror recording ({type(e).__name__}: {_one_line(e)})", 2) from None
        markets = [s for s in recorded if not wanted or s.symbol in wanted]
        if not markets:
            raise CliError(f"--markets: the recording has no market {', '.join(wanted or [])} (it has "
                           f"{', '.join(s.symbol for s in recorded) or 'none'})", 2)
    sim = Simulator(args.host, args.port, seed=args.seed, markets=markets, initial_balance=args.initial_balance,
                    faults=args.faults, json_public=args.json, private_sbe=args.sbe_private,
                    option_markets=args.options and not (args.mirror or args.replay), deltas_feed=not args.no_deltas,
                    funding_time_scale=args.funding_scale, funding_settlement=args.funding_settlement,
                    liquidity=not (args.mirror or args.replay), price_bands=getattr(args, "price_bands", True),
                    depth=getattr(args, "depth", DEPTH))
    if getattr(args, "auto_onboard", False):
        def onboard(address, public_key):
            account = sim.onboard(address, public_key)
            log.info("onboarded %s on its first /auth (--auto-onboard)", address)
            return account
        sim.authority.auto_onboard = onboard
    if args.mirror:
        source = mirror.Mirror(sim, args.mirror, [s.symbol for s in markets], record=args.record)
    elif args.replay:
        try:
            source = mirror.Replay(sim, args.replay, args.speed)
        except (OSError, EOFError, ValueError, KeyError, TypeError) as e:
            raise CliError(f"--replay {args.replay}: unreadable events ({type(e).__name__}: {_one_line(e)})", 2) from None
    return sim, source


async def _source_markets(args, wanted):
    """The mirror source's markets, or one CliError line: fast when there is no route (a DNS or connect failure
    answers at once; a silent network after ``--source-timeout`` seconds)."""
    import aiohttp

    from . import mirror
    try:
        where = mirror.source_urls(args.mirror)["api"]["v1"]
    except ValueError as e:
        raise CliError(f"--mirror: {e}", 2) from None
    timeout = getattr(args, "source_timeout", 10.0)
    try:
        listed = await asyncio.wait_for(mirror.fetch_markets(args.mirror, wanted), timeout)
    except asyncio.TimeoutError:
        raise CliError(f"cannot reach the mirror source {args.mirror} ({where}): no answer within {timeout:g} s", 1) from None
    except (aiohttp.ClientError, OSError) as e:
        raise CliError(f"cannot reach the mirror source {args.mirror} ({where}): {type(e).__name__}: {_one_line(e)}",
                       1) from None
    except ValueError as e:  # the source lists no such market
        raise CliError(f"--markets: {e}", 2) from None
    except (KeyError, TypeError) as e:
        raise CliError(f"the mirror source {args.mirror} ({where}) did not answer as Paradex does: {_one_line(e)}",
                       1) from None
    return [mirror.spec_from_json(m) for m in listed]


def _ready(sim, args, out):
    urls = sim.ccxt_urls()
    n = len(sim.engine.specs)
    out(f"paradex simulator ready: {n} market{'s' if n != 1 else ''} ({', '.join(sim.engine.specs)})")
    out(f"  REST       {sim.rest_url}")
    out(f"  WebSocket  {sim.ws_url}")
    balance = f"each funded with {args.initial_balance} USDC"
    if getattr(args, "auto_onboard", False):
        out(f"  accounts   onboarded on their first /auth (--auto-onboard), {balance}")
    else:
        out(f"  accounts   onboarded once (ccxt_paradex does it for an Ethereum key; ccxt's built-in class needs "
            f"exchange.onboarding(), or --auto-onboard), {balance}")
    if args.mirror:
        out(f"  mirroring  {args.mirror} (public books and trades; nothing is sent upstream)")
    elif args.replay:
        out(f"  replaying  {args.replay} at speed {args.speed:g}")
    out("ccxt (ccxt_paradex.paradex, ccxt.paradex, ccxt.pro.paradex, ...), with any Ethereum key:")
    out(f"urls = {json.dumps(urls)}")
    out('exchange = ccxt_paradex.paradex({"urls": urls, "privateKey": "0x<Ethereum key>"})')
    out('# ccxt\'s own paradex class also needs "walletAddress": "0x<the key\'s Ethereum address>"')
    out("Ctrl-C stops it.")


async def _serve(args, out=None):
    out = out or (lambda line: print(line, flush=True))
    sim, source = await build(args)
    try:
        await sim.start()
    except OSError as e:
        await sim.stop()
        where = f"{args.host}:{args.port}"
        if e.errno == errno.EADDRINUSE:
            raise CliError(f"cannot listen on {where}: the port is in use (another simulator?); pick another with "
                           "--port, or --port 0 for any free one", 1) from None
        raise CliError(f"cannot listen on {where}: {e.strerror or _one_line(e)}", 1) from None
    stop = asyncio.Event()
    failure = []
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    watcher = None
    started = time.monotonic()
    try:
        if source is not None:
            try:
                await source.start()
            except OSError as e:  # --record cannot be written
                raise CliError(f"--record {args.record}: {e.strerror or _one_line(e)}", 1) from None
        _ready(sim, args, out)
        if args.replay:
            watcher = asyncio.ensure_future(_watch_replay(source, args.replay, started, out, stop, failure))
        await stop.wait()
    finally:
        if watcher is not None:
            watcher.cancel()
        if source is not None:
            await source.stop()
        await sim.stop()
    if failure:
        raise CliError(failure[0], 1)
    log.info("paradex simulator stopped")
    return 0


async def _watch_replay(replay, path, started, out, stop, failure):
    """One line when the replay has applied its last book state (or why it could not)."""
    try:
        await replay.task
    except asyncio.CancelledError:
        raise
    except Exception as e:  # a malformed event halfway through the file
        failure.append(f"--replay {path}: stopped after {replay.applied} book states: {type(e).__name__}: {_one_line(e)}")
        stop.set()
        return
    out(f"replay ended: {replay.applied} book states of {os.path.basename(path)} applied in "
        f"{time.monotonic() - started:.1f} s; the books stay at the last state (Ctrl-C stops the simulator)")


if __name__ == "__main__":
    sys.exit(main())
