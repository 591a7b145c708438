"""ccxt's own live test harness, run against the simulator: ours vs ccxt's built-in paradex, method by method.

    python tools/ccxt_live_harness.py                         # every set, both classes, a pass/fail table
    python tools/ccxt_live_harness.py --sets public,private --modes async --impls ours
    python tools/ccxt_live_harness.py --sets ws-public --methods watchOrderBook,watchTrades --show-failures
    python tools/ccxt_live_harness.py --sim-url http://127.0.0.1:8080     # a simulator already running
    python tools/ccxt_live_harness.py --json out.json        # the per-method outcomes, machine-readable
    python tools/ccxt_live_harness.py --skips '{}' --no-stimulus   # no skip entry, fresh accounts
    python tools/ccxt_live_harness.py --sim-args=--options   # a simulator that also lists perpetual options

ccxt 4.5.90 ships its live harness in the wheel: ``ccxt/test/tests_init.py`` drives ``tests_sync.py`` /
``tests_async.py`` (``testMainClass``), whose test methods are ``ccxt/test/exchange/{sync,async}/test_*.py`` (REST)
and ``ccxt/pro/test/Exchange/test_*.py`` (WebSocket), all importing ``ccxt/test/tests_helpers.py``. This tool runs
that code unchanged, in one child process per (set, mode, class), exactly as ``tests_init.py paradex [--sync]
[--ws] [--privateOnly] [--fundedTests] --info`` would, except for what a checkout of ccxt has and a wheel lacks:

* ``tests_helpers`` refuses to import from site-packages (it wants a ccxt checkout); the child imports it with
  ``ccxt.async_support.__file__`` pointing elsewhere for the length of that import, and puts back the
  ``sys.excepthook`` it replaces;
* its root directory (``keys.local.json``, ``skip-tests.json``) is a temporary one: ``keys.local.json`` holds
  ``{"paradex": {"privateKey", "walletAddress", "urls"}}`` for a fresh account of the simulator (any Ethereum key
  works; the simulator runs with ``--auto-onboard`` so ccxt's built-in class trades without ``onboarding()``),
  and ``skip-tests.json`` is ``{}`` (ccxt's repository keeps per-exchange skips there; the wheel has none, so
  nothing is skipped, for either class);
* ``--impl ours`` switches ``ccxt.paradex`` / ``ccxt.async_support.paradex`` / ``ccxt.pro.paradex`` to ours
  (``ccxt_paradex.install()``) before the harness builds its exchange by id;
* each async test method gets a deadline (``--method-timeout``, 60 s): ccxt's own orchestrator kills a run after
  120 s, and a ``watch*`` that never resolves would otherwise hang the run; a method past it fails as timed out;
* private sets start from an account with history (a filled market order, a resting limit order, a cancelled
  one), and the private WebSocket set has a driver thread (our sync class, same key) placing, filling and
  cancelling small orders, so that ``watchOrders`` / ``watchMyTrades`` / ``watchBalance`` / ``watchPositions``
  have updates to deliver. The same stimulus is given to both classes.

Outcomes per method: ``pass`` (``TESTING DONE``), ``FAIL`` (``[TEST_FAILURE]``), ``warn`` (``[TEST_WARNING]``: a
repeated network/availability error, which ccxt does not count as a failure), ``n/s`` (the call raised
``NotSupported``: ccxt passes it), ``auth`` (a public method answered ``AuthenticationError``: ccxt passes it),
``-`` (not in ``has``: ccxt does not run it). The ``pass`` column of the summary counts pass + n/s + auth + warn,
as ccxt does.
"""
import argparse
import asyncio
import contextlib
import json
import os
import queue
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = {  # name -> (harness flags, private)
    "public": ([], False),
    "private": (["--privateOnly"], True),
    "ws-public": (["--ws"], False),
    "ws-private": (["--ws", "--privateOnly"], True),
}
MODES = ("sync", "async")
IMPLS = ("ours", "ccxt")
RESULT_MARK = "@@HARNESS_RESULT "
SYMBOL = "BTC/USD:USDC"  # the swap symbol ccxt's harness picks first (get_valid_symbol's list)
PASSING = ("pass", "n/s", "auth", "warn")
# the skip-tests.json entry for paradex (the same for both classes). ccxt's repository keeps one per exchange; the
# wheel ships none, so this is ours: only what keeps ccxt's built-in from stopping at loadMarkets, where the
# harness ends a run: its parse_market reads 'active' from a field Paradex's /markets does not have, and without
# fetchCurrencies its currencies lack the settle currency USDC. ``--skips '{}'`` runs without them.
SKIPS = {"paradex": {"skipMethods": {"loadMarkets": {
    "active": "ccxt's built-in leaves it null",
    "currencyIdAndCode": "ccxt's built-in has no USDC in .currencies"}}}}


# ---------------------------------------------------------------------------------------------------- parent side
def start_simulator(seed, extra=()):
    """``python -m ccxt_paradex.sim --port 0 --auto-onboard`` as a child -> (process, ccxt urls)."""
    cmd = [sys.executable, "-m", "ccxt_paradex.sim", "--port", "0", "--auto-onboard", "--seed", str(seed), *extra]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_child_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    deadline = time.monotonic() + 30
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if line.startswith("urls = "):
            return proc, json.loads(line[len("urls = "):])
    proc.kill()
    raise SystemExit("the simulator did not start:\n" + "".join(seen))


def _child_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def run_child(impl, set_name, mode, urls, args):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", "--impl", impl, "--set", set_name, "--mode", mode,
           "--urls", json.dumps(urls), "--method-timeout", str(args.method_timeout)]
    if args.funded:
        cmd.append("--funded")
    if args.skips is not None:
        cmd += ["--skips", args.skips]
    if args.methods:
        cmd += ["--methods", args.methods]
    if args.verbose:
        cmd.append("--verbose")
    if args.no_stimulus:
        cmd.append("--no-stimulus")
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=_child_env(), capture_output=True, text=True,
                              timeout=args.run_timeout)
        out, err, code = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err, code = "run timed out after %d s" % args.run_timeout, None
    result = None
    for line in out.splitlines():
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK):])
    if result is None:  # the child died before reporting: the methods it started and never finished
        result = {"methods": {}, "crash": "exit %s: %s" % (code, (err or out)[-2000:])}
        for m in re.findall(r"\[INFO\] TESTING\s+paradex (\w+)", out):
            result["methods"].setdefault(m, {"status": "FAIL", "message": "the run died: " + result["crash"][-300:]})
    result["seconds"] = round(time.monotonic() - started, 1)
    result["log"] = out
    return result


def table(results, sets, modes, impls):
    lines = []
    for set_name in sets:
        set_modes = ["async"] if set_name.startswith("ws") else list(modes)
        cols = [(mode, impl) for mode in set_modes for impl in impls]
        methods = sorted({m for (s, mode, impl), r in results.items() if s == set_name for m in r["methods"]})
        if not methods:
            continue
        width = max(len(m) for m in methods) + 2
        lines.append("")
        lines.append("== %s ==" % set_name)
        lines.append("method".ljust(width) + "".join(("%s/%s" % (impl, mode)).ljust(13) for mode, impl in cols))
        for m in methods:
            row = m.ljust(width)
            for mode, impl in cols:
                r = results.get((set_name, mode, impl))
                status = r["methods"].get(m, {}).get("status", "") if r else ""
                row += (status or ".").ljust(13)
            lines.append(row)
        counts = ""
        for mode, impl in cols:
            r = results.get((set_name, mode, impl))
            if r is None:
                counts += "".ljust(13)
                continue
            tested = [v for v in r["methods"].values() if v["status"] not in ("-", "skip")]
            ok = sum(v["status"] in PASSING for v in tested)
            counts += ("%d/%d" % (ok, len(tested))).ljust(13)
        lines.append("passed".ljust(width) + counts)
        crashes = ["%s/%s: %s" % (impl, mode, results[(set_name, mode, impl)]["crash"][-200:])
                   for mode, impl in cols if results.get((set_name, mode, impl), {}).get("crash")]
        lines += ["  harness crash " + c for c in crashes]
    return "\n".join(lines)


def regressions(results):
    """(set, mode, method, our message) where ccxt's built-in passes and ours does not."""
    out = []
    for (set_name, mode, impl), r in sorted(results.items()):
        if impl != "ours":
            continue
        theirs = results.get((set_name, mode, "ccxt"))
        for m, v in sorted(r["methods"].items()):
            if v["status"] not in PASSING and v["status"] not in ("-", "skip"):
                if theirs is None or theirs["methods"].get(m, {}).get("status") in PASSING:
                    out.append((set_name, mode, m, v.get("message", "")))
    return out


def parser():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default=",".join(SETS), help="comma list of %s" % ", ".join(SETS))
    ap.add_argument("--modes", default=",".join(MODES), help="sync,async (WebSocket sets are async only)")
    ap.add_argument("--impls", default=",".join(IMPLS), help="ours,ccxt")
    ap.add_argument("--methods", default=None, help="only these harness methods (comma list; loadMarkets always runs)")
    ap.add_argument("--funded", action="store_true", help="also ccxt's createOrder test (--fundedTests)")
    ap.add_argument("--sim-url", default=None, help="use this running simulator (http://host:port) instead of one")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sim-args", default="", help="more simulator flags, e.g. --sim-args=--options")
    ap.add_argument("--skips", default=None, help="skip-tests.json content to use instead of SKIPS ('{}': none)")
    ap.add_argument("--method-timeout", type=float, default=60.0)
    ap.add_argument("--run-timeout", type=float, default=420.0)
    ap.add_argument("--jobs", type=int, default=2, help="harness runs at once")
    ap.add_argument("--no-stimulus", action="store_true",
                    help="a fresh account: no seeded history, no order driver for the private WebSocket set")
    ap.add_argument("--verbose", action="store_true", help="the harness's --verbose (every request and frame)")
    ap.add_argument("--show-failures", action="store_true", help="print each failure's message")
    ap.add_argument("--json", default=None, help="write the outcomes here")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--impl", help=argparse.SUPPRESS)
    ap.add_argument("--set", help=argparse.SUPPRESS)
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--urls", help=argparse.SUPPRESS)
    return ap


def main(argv=None):
    ap = parser()
    args = ap.parse_args(argv)
    if args.child:
        return child_main(args)
    chosen = {}
    for name, allowed in (("sets", SETS), ("modes", MODES), ("impls", IMPLS)):
        chosen[name] = [v for v in getattr(args, name).split(",") if v]
        bad = [v for v in chosen[name] if v not in allowed]
        if bad:
            ap.error("--%s: unknown %s" % (name, ", ".join(bad)))
    sets, modes, impls = chosen["sets"], chosen["modes"], chosen["impls"]
    sim = None
    if args.sim_url:
        base = args.sim_url.rstrip("/")
        ws = "ws" + base[4:] if base.startswith("http") else base
        urls = {"api": {"v1": base + "/v1", "v2": base + "/v2", "ws": ws + "/v1"}}
    else:
        sim, urls = start_simulator(args.seed, args.sim_args.split())
    runs = [(s, mode, impl) for s in sets for mode in (["async"] if s.startswith("ws") else modes) for impl in impls]
    results = {}
    try:
        lock = threading.Lock()
        pending = list(runs)

        def worker():
            while True:
                with lock:
                    if not pending:
                        return
                    run = pending.pop(0)
                r = run_child(run[2], run[0], run[1], urls, args)
                with lock:
                    results[run] = r
                    print("  ran %s/%s/%s in %.0f s (%s)" % (run[0], run[1], run[2], r["seconds"],
                                                             ", ".join(r.get("classes") or ["no exchange built"])),
                          file=sys.stderr)

        threads = [threading.Thread(target=worker) for _ in range(max(1, args.jobs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        if sim is not None:
            sim.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                sim.wait(10)
    print(table(results, sets, modes, impls))
    worse = regressions(results)
    print("\nours fails where ccxt's built-in passes: %d" % len(worse))
    for set_name, mode, m, message in worse:
        print("  %s/%s %s: %s" % (set_name, mode, m, message.splitlines()[0][:200] if message else ""))
    if args.show_failures:
        for (set_name, mode, impl), r in sorted(results.items()):
            for m, v in sorted(r["methods"].items()):
                if v["status"] not in PASSING and v["status"] not in ("-", "skip"):
                    print("\n--- %s/%s/%s %s ---\n%s" % (set_name, mode, impl, m, v.get("message", "")[:3000]))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"%s/%s/%s" % k: {kk: vv for kk, vv in v.items() if kk != "log"} for k, v in results.items()},
                      f, indent=1, sort_keys=True)
    return 1 if worse else 0


# ----------------------------------------------------------------------------------------------------- child side
class HarnessTimeout(Exception):
    """A test method that ran past --method-timeout (ccxt's orchestrator would have killed the run)."""


def _account(key):
    from ccxt_paradex.core import keys
    return keys.eth_address(key)


def _our_exchange(key, urls):
    import ccxt_paradex
    return ccxt_paradex.paradex({"privateKey": key, "walletAddress": _account(key), "urls": urls,
                                 "enableRateLimit": False})


def seed_history(key, urls):
    """A filled market order, a resting post-only limit order and a cancelled one on ``SYMBOL``."""
    ex = _our_exchange(key, urls)
    ex.load_markets()
    bid = ex.fetch_order_book(SYMBOL)["bids"][0][0]
    amount = ex.markets[SYMBOL]["limits"]["amount"]["min"] or 0.001
    amount = max(amount, float(ex.amount_to_precision(SYMBOL, 20 / bid)))
    ex.create_order(SYMBOL, "market", "buy", amount)
    ex.create_order(SYMBOL, "market", "sell", amount)
    low = float(ex.price_to_precision(SYMBOL, bid * 0.8))
    ex.create_order(SYMBOL, "limit", "buy", amount, low, {"postOnly": True})
    gone = ex.create_order(SYMBOL, "limit", "buy", amount, low, {"postOnly": True})
    ex.cancel_order(gone["id"], SYMBOL)


def chosen_symbol(events, stop):
    """The swap symbol ccxt's harness picked (its '[INFO:MAIN] Selected SWAP SYMBOL:' line), once it has."""
    while not stop.is_set():
        for ev in list(events):
            if ev and ev[0].startswith("[INFO:MAIN] Selected SWAP SYMBOL") and len(ev) > 1:
                return json.loads(ev[1])[0]
        stop.wait(0.1)
    return None


def drive(key, urls, stop, events):
    """Until ``stop`` is set: every ~1 s place and cancel a small limit order, or buy at market, on the harness's
    symbol (updates for the private channels). It never sells: ccxt's position validator wants contracts > 0, so a
    position closed by the driver would fail either class's watchPositions."""
    ex = _our_exchange(key, urls)
    ex.load_markets()
    symbol = chosen_symbol(events, stop)
    i = 0
    while symbol is not None and not stop.is_set():
        with contextlib.suppress(Exception):
            bid = ex.fetch_order_book(symbol)["bids"][0][0]
            amount = max(ex.markets[symbol]["limits"]["amount"]["min"] or 0,
                         float(ex.amount_to_precision(symbol, 20 / bid)))
            if i % 2 == 0:
                order = ex.create_order(symbol, "limit", "buy", amount, float(ex.price_to_precision(symbol, bid * 0.8)),
                                        {"postOnly": True})
                ex.cancel_order(order["id"], symbol)
            else:
                ex.create_order(symbol, "market", "buy", amount)  # a long that only grows: never a closed position
        i += 1
        stop.wait(1.0)


def _load_helpers(root_dir, sync, method_timeout, events):
    """ccxt/test/tests_helpers.py, unchanged, importable from a wheel; its root is ``root_dir``."""
    import ccxt
    import ccxt.async_support
    test_dir = os.path.join(os.path.dirname(ccxt.__file__), "test")
    if test_dir not in sys.path:
        sys.path.insert(0, test_dir)
    real_file, real_hook = ccxt.async_support.__file__, sys.excepthook
    ccxt.async_support.__file__ = os.path.join(root_dir, "ccxt", "async_support", "__init__.py")
    try:
        import tests_helpers
    finally:
        ccxt.async_support.__file__ = real_file
        sys.excepthook = real_hook
    tests_helpers.ROOT_DIR = root_dir + os.sep
    real_dump, real_call = tests_helpers.dump, tests_helpers.call_method

    def dump(*args):
        events.append([str(a) for a in args])
        real_dump(*args)

    async def call_method(test_files, method_name, exchange, skipped, args):
        try:
            return await asyncio.wait_for(real_call(test_files, method_name, exchange, skipped, args), method_timeout)
        except asyncio.TimeoutError:  # (the builtin TimeoutError from 3.11 on; a class of its own on 3.10)
            raise HarnessTimeout("%s did not finish within %g s" % (method_name, method_timeout)) from None

    real_init = tests_helpers.init_exchange

    def init_exchange(exchange_id, config, is_ws=False):
        exchange = real_init(exchange_id, config, is_ws)
        events.append(["@@CLASS", type(exchange).__module__ + "." + type(exchange).__name__])
        return exchange

    tests_helpers.dump = dump
    tests_helpers.call_method = call_method
    tests_helpers.init_exchange = init_exchange
    return tests_helpers


def _outcomes(events):
    """The harness's dump() calls -> {method: {status, message}}."""
    methods = {}

    def put(method, status, message=""):
        rank = {"-": 0, "skip": 0, "pass": 1, "auth": 2, "n/s": 2, "warn": 3, "FAIL": 4}
        old = methods.get(method)
        if old is None or rank[status] >= rank[old["status"]]:
            methods[method] = {"status": status, "message": message}

    for ev in events:
        head = ev[0].strip() if ev else ""
        rest = ev[1:]
        if head == "[INFO] TESTING DONE" and len(rest) >= 2:
            put(rest[1], "pass")
        elif head == "[INFO] UNSUPPORTED_TEST" and len(rest) >= 2:
            put(rest[1], "-")
        elif head in ("[INFO] UNIMPLEMENTED_TEST", "[INFO] SKIPPED_TEST") and len(rest) >= 2:
            put(rest[1], "skip")
        elif head == "[INFO] NOT_SUPPORTED" and len(rest) >= 2:
            put(rest[1], "n/s", " ".join(rest[2:]))
        elif head == "[INFO]" and len(rest) >= 2 and "Authentication problem for public method" in " ".join(rest):
            put(rest[1], "auth", " ".join(rest[2:]))
        elif head in ("[TEST_FAILURE]", "[TEST_WARNING]") and len(rest) >= 2 and rest[0] == "paradex" \
                and rest[1] not in ("PUBLIC_TESTS", "PRIVATE_TESTS"):
            put(rest[1], "FAIL" if head == "[TEST_FAILURE]" else "warn", " ".join(rest[2:]))
    return methods


def child_main(args):
    import asyncio

    import ccxt_paradex
    flags, private = SETS[args.set]
    sync = args.mode == "sync"
    urls = json.loads(args.urls)
    key = "0x" + secrets.token_hex(32)
    if private and not args.no_stimulus:
        seed_history(key, urls)
    root_dir = tempfile.mkdtemp(prefix="ccxt-harness-")
    with open(os.path.join(root_dir, "keys.local.json"), "w", encoding="utf-8") as f:
        json.dump({"paradex": {"privateKey": key, "walletAddress": _account(key), "urls": urls}}, f)
    with open(os.path.join(root_dir, "skip-tests.json"), "w", encoding="utf-8") as f:
        json.dump(json.loads(args.skips) if args.skips else SKIPS, f)
    harness_argv = ["tests_init.py", "paradex"]
    if args.methods:  # tests_helpers' method filter: 'fetchTicker(),fetchTrades()' where a symbol would go
        harness_argv.append(",".join(m.strip() + "()" for m in args.methods.split(",") if m.strip()))
    harness_argv += flags + ["--info"] + (["--sync"] if sync else []) + (["--fundedTests"] if args.funded else [])
    harness_argv += ["--verbose"] if args.verbose else []
    sys.argv = harness_argv
    if args.impl == "ours":
        ccxt_paradex.install()
    events = []
    helpers = _load_helpers(root_dir, sync, args.method_timeout, events)
    stop = threading.Event()
    driver = None
    if args.set == "ws-private" and not args.no_stimulus:
        driver = threading.Thread(target=drive, args=(key, urls, stop, events), daemon=True)
        driver.start()
    crash = None
    try:
        if sync:
            import tests_sync
            tests_sync.testMainClass().init(helpers.argvExchange, helpers.argvSymbol, helpers.argvMethod)
        else:
            import tests_async
            asyncio.run(tests_async.testMainClass().init(helpers.argvExchange, helpers.argvSymbol,
                                                          helpers.argvMethod))
    except SystemExit as e:  # exit_script(0) ends every run
        if e.code not in (0, None):
            crash = "exit_script(%r)" % (e.code,)
    except BaseException as e:  # noqa: BLE001  (reported, not raised: the parent wants the table)
        crash = helpers.exception_message(e)
    finally:
        stop.set()
    classes = sorted({ev[1] for ev in events if ev and ev[0] == "@@CLASS"})
    result = {"methods": _outcomes(events), "crash": crash, "classes": classes}
    sys.stdout.write("\n" + RESULT_MARK + json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # ccxt.pro's sockets and the driver thread: nothing left to wait for


if __name__ == "__main__":
    sys.exit(main())
