"""What a newcomer runs first (issue 28): ``python -m ccxt_paradex doctor``, the simulator's command line (one
line and an exit code for every mistake), ccxt's built-in class against ``--auto-onboard``, the freqtrade starter
config, and ``examples/*.py --sim``. Command lines run as subprocesses, as a user meets them."""
import itertools
import os
import re
import subprocess
import sys
import time

import pytest
from packaging.requirements import Requirement

from ccxt_paradex.core import backend
from conftest import ROOT


def _run(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=None if env is None else dict(os.environ, **env))


# ---- doctor ---------------------------------------------------------------------------------------
def _doctor_rows(stdout):
    return {line[:15].strip(): line[16:] for line in stdout.splitlines() if line[:1] != " " and line.strip()}


def test_doctor_reports_the_active_backend_and_signs_one_order():
    out = _run("-m", "ccxt_paradex", "doctor")
    assert out.returncode == 0 and out.stderr == "", out.stderr
    rows = _doctor_rows(out.stdout)
    import ccxt
    import platform
    assert rows["ccxt"] == ccxt.__version__
    assert rows["python"].startswith(platform.python_version() + " (" + platform.python_implementation())
    info = backend.describe()  # this process has the same environment as the child
    assert rows["crypto backend"] == f"{info['name']}: {info['reason']}"
    ms = float(re.match(r"([\d.]+) ms per order \(median of (\d+)", rows["order signing"]).group(1))
    assert 0 < ms < 1000
    assert rows["self-check"] == "the signature verifies"


def test_doctor_says_why_the_portable_backend_is_active():
    out = _run("-m", "ccxt_paradex", "doctor", env={"PARADEX_CRYPTO_BACKEND": "portable"})
    assert out.returncode == 0, out.stderr
    rows = _doctor_rows(out.stdout)
    assert rows["crypto backend"].startswith("portable: ")
    if backend.NATIVE_AVAILABLE:
        assert "PARADEX_CRYPTO_BACKEND=portable is set" in rows["crypto backend"]
    assert "core/curve.py" in out.stdout and rows["self-check"] == "the signature verifies"


def test_the_doctors_wheel_table_is_setup_cfgs_marker():
    """backend.native_wheel_exists (the doctor's 'why') says what setup.cfg's marker selects, everywhere."""
    import configparser
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(ROOT, "setup.cfg"), encoding="utf-8")
    reqs = [Requirement(line) for line in cfg["options"]["install_requires"].splitlines()
            if line.strip() and not line.strip().startswith("#")]
    marker = next(r.marker for r in reqs if r.name == "fast-stark-crypto")
    for impl, system, machine, minor in itertools.product(("CPython", "PyPy"), ("Linux", "Darwin", "Windows"),
                                                          ("x86_64", "aarch64", "arm64", "AMD64", "ARM64"),
                                                          range(9, 15)):
        env = {"platform_python_implementation": impl, "platform_system": system, "platform_machine": machine,
               "python_version": f"3.{minor}"}
        assert backend.native_wheel_exists(impl, system, machine, (3, minor)) == marker.evaluate(env), env


# ---- the simulator's command line -----------------------------------------------------------------
SIM = ("-m", "ccxt_paradex.sim")


def _listening_socket():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


def _closed_port():
    s = _listening_socket()
    port = s.getsockname()[1]
    s.close()
    return port


def _one_error_line(out, code, *fragments):
    lines = out.stderr.strip().splitlines()
    assert out.returncode == code, (out.returncode, out.stderr)
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert lines[0].startswith("python -m ccxt_paradex.sim: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("args, fragments", [
    (["--port", "-5"], ["--port", "between 0 and 65535", "-5"]),
    (["--replay", "/nonexistent.gz"], ["--replay", "no such file", "/nonexistent.gz"]),
    (["--faults", "dup=0.1,gap=abc"], ["fault gap", "'abc' is not a number"]),
])
def test_a_bad_argument_is_one_line_and_exit_code_2(args, fragments):
    _one_error_line(_run(*SIM, *args), 2, *fragments)


@pytest.mark.parametrize("args, fragments", [
    (["--port", "http"], ["--port", "not a port number"]),
    (["--faults", "gapp=0.1"], ["unknown fault 'gapp=0.1'"]),
    (["--faults", "reorder=1.5"], ["reorder=1.5", "0..1"]),
    (["--faults", "disconnect=-3"], ["fault disconnect", "positive"]),
    (["--speed", "-1"], ["--speed", "at least 0"]),
    (["--initial-balance", "lots"], ["--initial-balance", "not an amount"]),
    (["--markets", "BTC-USD-PERP"], ["--markets", "only with --mirror or --replay"]),
    (["--markets", "0"], ["--markets", "at least 1"]),
    (["--mirror", "ftp://example"], ["--mirror", "mainnet, testnet or an http(s)/ws(s) URL"]),
    (["--mirror", "mainnet", "--replay", "sample"], ["exclude each other"]),
    (["--record", "x.jsonl"], ["--record needs --mirror"]),
    (["--mirror", "mainnet", "--record", "/nonexistent/dir/x.jsonl"], ["--record: no such directory"]),
])
def test_more_bad_arguments_in_process(args, fragments, capsys):
    from ccxt_paradex.sim.__main__ import main
    try:
        code = main(args)
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    _one_error_line(subprocess.CompletedProcess(args, code, out.out, out.err), 2, *fragments)


def test_a_file_that_is_not_a_recording_is_one_line(tmp_path):
    bad = tmp_path / "notes.jsonl.gz"
    bad.write_text("not gzip at all\n", encoding="utf-8")
    _one_error_line(_run(*SIM, "--replay", str(bad)), 2, "not a mirror recording", str(bad))
    _one_error_line(_run(*SIM, "--replay", "sample", "--markets", "ETH-USD-PERP"), 2,
                    "the recording has no market ETH-USD-PERP (it has BTC-USD-PERP)")


def test_a_port_in_use_is_one_line_and_exit_code_1():
    holder = _listening_socket()
    try:
        port = holder.getsockname()[1]
        _one_error_line(_run(*SIM, "--port", str(port)), 1, f"127.0.0.1:{port}", "in use", "--port 0")
    finally:
        holder.close()


def test_an_unreachable_mirror_source_fails_fast_in_one_line():
    port = _closed_port()  # 'no network': nothing listens there
    t = time.monotonic()
    out = _run(*SIM, "--mirror", f"http://127.0.0.1:{port}")
    _one_error_line(out, 1, "cannot reach the mirror source", f"127.0.0.1:{port}/v1")
    assert time.monotonic() - t < 10


def test_mirror_mainnet_without_network_is_one_line():
    import socket
    try:
        socket.getaddrinfo("api.prod.paradex.trade", 443)
        pytest.skip("this machine resolves Paradex's hosts: not the no-network case")
    except OSError:
        pass
    _one_error_line(_run(*SIM, "--mirror", "mainnet"), 1, "cannot reach the mirror source mainnet",
                    "https://api.prod.paradex.trade/v1")


def test_help_shows_the_defaults():
    out = _run(*SIM, "--help")
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    for default in ("(default: 127.0.0.1)", "(default: 8080)", "(default: 100000)", "(default: trade)",
                    "(default: 1.0)", "(default: 10.0)"):
        assert default in text, default
    assert "(default: None)" not in text and "(default: False)" not in text
    assert "--auto-onboard" in text and "'sample'" in text


class _Lines:
    """A child's stdout, read on a thread, with a deadline per line awaited."""

    def __init__(self, proc):
        import queue
        import threading
        self.proc, self.queue, self.seen = proc, queue.Queue(), []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.queue.put(line.rstrip("\n"))
        self.queue.put(None)

    def until(self, prefix, seconds=20):
        import queue
        deadline = time.monotonic() + seconds
        while True:
            try:
                line = self.queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line starting {prefix!r} in {seconds} s; got {self.seen}") from None
            if line is None:
                raise AssertionError(f"the simulator ended before {prefix!r}: {self.seen}; {self.proc.stderr.read()}")
            self.seen.append(line)
            if line.startswith(prefix):
                return line


def test_the_sample_replays_prints_its_urls_and_ccxts_own_class_trades_with_auto_onboard():
    """--replay sample --auto-onboard: the printed urls dict is Python, a replay says when it ends, and ccxt's
    built-in paradex (unchanged: no onboarding() call) authenticates, reads its balance and trades."""
    import signal

    import ccxt

    from ccxt_paradex.core import keys
    from ccxt_paradex.sim import mirror
    proc = subprocess.Popen([sys.executable, *SIM, "--port", "0", "--replay", "sample", "--speed", "0",
                             "--auto-onboard", "--initial-balance", "2500"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        lines = _Lines(proc)
        assert lines.until("paradex simulator ready: ") == "paradex simulator ready: 1 market (BTC-USD-PERP)"
        rest = lines.until("  REST").split()[-1]
        ws = lines.until("  WebSocket").split()[-1]
        namespace = {}
        exec(lines.until("urls = "), namespace)  # copy-pasteable: a Python statement
        urls = namespace["urls"]
        assert urls == {"api": {"v1": rest, "v2": rest[:-3] + "/v2", "ws": ws}}
        assert "ccxt_paradex.paradex({\"urls\": urls" in lines.until("exchange = ")
        ended = lines.until("replay ended: ")
        states = sum(1 for _, seq, _, _ in mirror.book_states(mirror.SAMPLE_RECORDING) if seq is not None)
        assert ended.startswith(f"replay ended: {states} book states of btc_sim_source.jsonl.gz")

        key = "0x" + "3c" * 32
        ex = ccxt.paradex({"urls": urls, "privateKey": key, "walletAddress": keys.eth_address(key),
                           "enableRateLimit": False})
        assert ex.fetch_balance()["USDC"]["total"] == 2500  # /auth onboarded the account: no NOT_ONBOARDED
        book = ex.fetch_order_book("BTC/USD:USDC")  # the replay's last state
        order = ex.create_order("BTC/USD:USDC", "limit", "buy", 0.001, round(book["bids"][-1][0] * 0.95, 1))
        assert [o["id"] for o in ex.fetch_open_orders("BTC/USD:USDC")] == [order["id"]]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
        err = proc.stderr.read()
        assert "Traceback" not in err and "onboarded 0x" in err and "paradex simulator stopped" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_auto_onboard_takes_only_the_key_the_address_derives_from():
    """The /auth hook recovers the signer's key from the signature: the address's own key onboards it (with that
    key); another key's signature, or no hook (Paradex's behaviour), leaves it NOT_ONBOARDED."""
    from ccxt_paradex.core import curve, signing
    from ccxt_paradex.sim.auth import Authority, recover_public_keys
    from ccxt_paradex.sim.errors import ApiError
    from ccxt_paradex.sim.server import SYSTEM_CONFIG
    now = 1_700_000_000
    authority = Authority(dict(SYSTEM_CONFIG), lambda: now)
    key, other = 0x51DE5, 0x0BAD
    address = authority.address_for(curve.public_key(key))

    def headers(signing_key):
        sig = signing.StarkSigner(hex(signing_key), hex(address), authority.chain_id).sign_auth(now, now + 60)
        return {"PARADEX-STARKNET-ACCOUNT": hex(address), "PARADEX-STARKNET-SIGNATURE": sig,
                "PARADEX-TIMESTAMP": str(now), "PARADEX-SIGNATURE-EXPIRATION": str(now + 60)}

    digest = signing.auth_hash(authority.chain_id, address, now, now + 60)
    assert curve.public_key(key) in recover_public_keys(digest, headers(key)["PARADEX-STARKNET-SIGNATURE"])
    accounts, onboarded = {}, []

    class Record:
        def __init__(self, address, public_key):
            self.address, self.public_key, self.subkeys = address, public_key, {}

    def onboard(addr, public_key):
        onboarded.append((addr, public_key))
        return accounts.setdefault(addr, Record(addr, public_key))
    for hook in (None, onboard):
        authority.auto_onboard = hook
        with pytest.raises(ApiError) as e:
            authority.check_auth(headers(other), accounts)
        assert e.value.code == "NOT_ONBOARDED" and onboarded == [] and accounts == {}
    with pytest.raises(ApiError):
        authority.auto_onboard = None
        authority.check_auth(headers(key), accounts)
    authority.auto_onboard = onboard
    acct, signer = authority.check_auth(headers(key), accounts)
    assert onboarded == [(hex(address), curve.public_key(key))] and signer == curve.public_key(key)
    assert authority.check_auth(headers(key), accounts)[0] is acct and len(onboarded) == 1  # once


def test_an_install_carries_the_sample_recording(tmp_path):
    out = _run("-c", "import setuptools; setuptools.setup()", "-q", "build_py", "--build-lib", str(tmp_path))
    assert out.returncode == 0, out.stderr
    from ccxt_paradex.sim import mirror
    shipped = tmp_path / "ccxt_paradex" / "sim" / "data" / os.path.basename(mirror.SAMPLE_RECORDING)
    assert shipped.read_bytes() == open(mirror.SAMPLE_RECORDING, "rb").read()


# ---- the freqtrade recipe ---------------------------------------------------------------------------
def _new_config(tmp_path, *args):
    return _run("-m", "ccxt_paradex.freqtrade", "new-config", "--config", str(tmp_path / "config.json"),
                "--userdir", str(tmp_path / "user_data"), *args)


def test_new_config_writes_a_config_and_user_data_for_a_simulator(tmp_path, capsys):
    import json

    from ccxt_paradex.core import keys
    from ccxt_paradex.freqtrade import USER_DATA_DIRS
    out = _new_config(tmp_path, "--sim", "http://127.0.0.1:8080", "--pairs", "ETH/USD:USDC")
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert "next: python -m ccxt_paradex.freqtrade trade --config" in out.stdout
    path = tmp_path / "config.json"
    assert path.stat().st_mode & 0o077 == 0  # it holds a private key
    config = json.loads(path.read_text(encoding="utf-8"))
    exchange = config["exchange"]
    assert exchange["wallet_address"] == keys.eth_address(exchange["private_key"])
    assert exchange["pair_whitelist"] == ["ETH/USD:USDC"]
    assert exchange["ccxt_config"]["urls"] == {"api": {"v1": "http://127.0.0.1:8080/v1", "v2": "http://127.0.0.1:8080/v2",
                                                       "ws": "ws://127.0.0.1:8080/v1"}}
    # what the README's hand-written config lacked: dry_run (freqtrade's KeyError) and a user_data directory
    assert config["dry_run"] is False and config["trading_mode"] == "futures" and config["margin_mode"] == "cross"
    assert all((tmp_path / "user_data" / sub).is_dir() for sub in USER_DATA_DIRS)
    from ccxt_paradex.freqtrade import main

    def in_process(*args):
        argv = ["new-config", "--config", str(path), "--userdir", str(tmp_path / "user_data"), *args]
        try:
            return main(argv)
        except SystemExit as e:
            return e.code
    assert in_process("--sim", "http://127.0.0.1:8080") == 2
    assert "exists (--force overwrites it)" in capsys.readouterr().err
    assert json.loads(path.read_text(encoding="utf-8")) == config  # untouched
    assert in_process("--force") == 0  # the real venue: dry-run, no key written
    config = json.loads(path.read_text(encoding="utf-8"))
    assert config["dry_run"] is True and config["exchange"]["private_key"] == ""
    assert "ccxt_config" not in config["exchange"]
    assert in_process("--sim", "mainnet", "--force") == 2
    assert "--sim: a simulator's URL" in capsys.readouterr().err


def test_freqtrade_commands_without_freqtrade_are_one_line():
    try:
        import freqtrade  # noqa: F401
        pytest.skip("freqtrade is installed here")
    except ImportError:
        pass
    out = _run("-m", "ccxt_paradex.freqtrade", "trade", "--config", "config.json")
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "pip install 'ccxt_paradex[freqtrade]'" in out.stderr


def test_the_new_config_passes_freqtrades_own_loading_and_trades_on_the_simulator(tmp_path):
    """freqtrade's own configuration path (its schema, user_data_dir, the strategy's settings, the consistency
    checks), then its exchange layer on a simulator: where the README's old config stopped."""
    pytest.importorskip("freqtrade", reason="freqtrade is not installed (pip install -e '.[freqtrade]'; tox -e freqtrade)")
    import json

    from freqtrade.configuration import Configuration
    from freqtrade.configuration.config_validation import validate_config_consistency
    from freqtrade.enums import RunMode
    from freqtrade.resolvers import StrategyResolver
    from freqtrade.resolvers.exchange_resolver import ExchangeResolver

    import ccxt_paradex.freqtrade as integration
    from ccxt_paradex.sim.thread import SimulatorThread
    with SimulatorThread(seed=5, tick_interval=0.05, summary_interval=0, funding_interval=0) as sim:
        assert _new_config(tmp_path, "--sim", sim.base_url).returncode == 0
        assert (tmp_path / "user_data" / "strategies" / "sample_strategy.py").is_file()
        integration.install()
        try:
            config = Configuration({"config": [str(tmp_path / "config.json")], "strategy": "SampleStrategy"},
                                   RunMode.LIVE).get_config()
            StrategyResolver.load_strategy(config)
            validate_config_consistency(config)
            assert config["timeframe"] and config["dry_run"] is False
            ex = ExchangeResolver.load_exchange(config)
            assert type(ex).__name__ == "Paradex" and ex.get_balances()["USD"]["free"] == pytest.approx(100_000)
            assert ex.fetch_ticker("BTC/USD:USDC")["bid"] > 0
        finally:
            integration.uninstall()
    assert json.loads((tmp_path / "config.json").read_text(encoding="utf-8"))["exchange"]["name"] == "paradex"


# ---- examples/ --------------------------------------------------------------------------------------
EXAMPLES = os.path.join(ROOT, "examples")
BRIEF = {"arbitrage.py": ["--max-updates", "20", "--trade", "--threshold-bp", "-100"], "multi_exchange.py": ["--updates", "3"]}


@pytest.mark.parametrize("name", sorted(n for n in os.listdir(EXAMPLES) if n.endswith(".py")))
def test_every_example_runs_offline_with_sim_and_is_quiet(name):
    """``--sim`` starts embedded simulators (no network); the output is a summary, not a line per update."""
    out = _run(os.path.join(EXAMPLES, name), "--sim", *BRIEF.get(name, []))
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    lines = out.stdout.strip().splitlines()
    assert 1 <= len(lines) <= 3 and lines[-1].startswith("summary"), out.stdout
    if name == "arbitrage.py":
        assert re.search(r": 2\d book updates, \d+ edges seen, \d+ over -100 bp", lines[-1]), lines[-1]
        assert re.search(r", [1-9]\d* pairs placed \(0 failed legs\)", lines[-1]), lines[-1]
    if name == "multi_exchange.py":
        bid, ask = map(float, re.search(r"^paradex .* bid (\S+) ask (\S+)$", lines[0]).groups())
        assert 0 < bid < ask
