"""``python -m ccxt_paradex.freqtrade`` before freqtrade is installed: ``--help`` shows ``new-config`` (which needs no
freqtrade), ``new-config`` says how to get the strategy its next step names, refuses a ``--sim`` that is not a
simulator's URL with one message, and warns (still writing the config) when nothing answers at that URL.
In process, with freqtrade hidden (``sys.modules["freqtrade"] = None``) wherever it is installed."""
import json
import socket
import subprocess
import sys

import pytest

from ccxt_paradex import freqtrade as integration
from conftest import ROOT

PROG = "python -m ccxt_paradex.freqtrade"


@pytest.fixture
def no_freqtrade(monkeypatch):
    monkeypatch.setitem(sys.modules, "freqtrade", None)  # any import of freqtrade raises ImportError


def _main(*argv):
    try:
        return integration.main(list(argv))
    except SystemExit as e:
        return e.code


def _new_config(tmp_path, *args):
    return _main("new-config", "--config", str(tmp_path / "config.json"), "--userdir", str(tmp_path / "user_data"), *args)


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed on return: nothing listens there


# ---- --help -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["--help"], ["-h"], []])
def test_help_shows_new_config_without_freqtrade(no_freqtrade, capsys, argv):
    assert _main(*argv) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert f"usage: {PROG} new-config" in out and f"{PROG} new-config --help" in out
    assert "freqtrade is not installed" in out and "pip install 'ccxt_paradex[freqtrade]'" in out


def test_help_from_the_command_line_exits_0():
    out = subprocess.run([sys.executable, "-m", "ccxt_paradex.freqtrade", "--help"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and out.stderr == "" and "new-config" in out.stdout, out.stderr


def test_other_commands_without_freqtrade_still_fail_in_one_line(no_freqtrade, capsys):
    assert _main("trade", "--config", "config.json") == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "pip install 'ccxt_paradex[freqtrade]'" in err


# ---- new-config's next step ------------------------------------------------------------------------
def test_new_config_without_freqtrade_says_how_to_get_the_sample_strategy(no_freqtrade, tmp_path, capsys):
    assert _new_config(tmp_path, "--sim", f"http://127.0.0.1:{_closed_port()}") == 0
    lines = capsys.readouterr().out.splitlines()
    assert not (tmp_path / "user_data" / "strategies" / "sample_strategy.py").exists()
    made = next(line for line in lines if line.startswith("made "))
    assert "no sample strategy: freqtrade is not installed" in made
    nxt = next(i for i, line in enumerate(lines) if line.startswith("next: "))
    assert lines.index(made) + 2 == nxt and lines[nxt - 1].startswith("first: ")
    steps = "\n".join(lines[nxt - 1:nxt + 1])
    get, userdir, trade = (steps.index(s) for s in ("pip install 'ccxt_paradex[freqtrade]'",
                                                    f"{PROG} create-userdir --userdir {tmp_path / 'user_data'}",
                                                    f"{PROG} trade --config {tmp_path / 'config.json'} --strategy SampleStrategy"))
    assert get < userdir < trade  # install, make the strategy, then trade with it


def test_the_create_userdir_step_writes_the_sample_strategy(tmp_path):
    """The step new-config names, once freqtrade is installed: freqtrade's create-userdir adds SampleStrategy."""
    pytest.importorskip("freqtrade", reason="freqtrade is not installed (pip install -e '.[freqtrade]')")
    userdir = tmp_path / "user_data"
    (userdir / "strategies").mkdir(parents=True)  # as new-config left it
    for sub in integration.USER_DATA_DIRS:
        (userdir / sub).mkdir(exist_ok=True)
    try:
        assert _main("create-userdir", "--userdir", str(userdir)) in (0, None)
    finally:
        integration.uninstall()
    assert "class SampleStrategy" in (userdir / "strategies" / "sample_strategy.py").read_text(encoding="utf-8")


# ---- --sim ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sim", ["127.0.0.1:8080", "mainnet", "testnet", "ftp://127.0.0.1:8080"])
def test_a_sim_that_is_not_a_simulators_url_gets_one_message(tmp_path, capsys, sim):
    assert _new_config(tmp_path, "--sim", sim) == 2
    err = capsys.readouterr().err
    assert f"--sim: a simulator's URL, such as http://127.0.0.1:8080, not {sim!r}" in err
    assert "mirror source" not in err and err.count("\n") == 1
    assert not (tmp_path / "config.json").exists()


def test_nothing_answering_at_the_sim_url_is_a_warning_and_the_config_is_written(no_freqtrade, tmp_path, capsys):
    port = _closed_port()
    assert _new_config(tmp_path, "--sim", f"http://127.0.0.1:{port}") == 0
    out = capsys.readouterr().out
    warning = [line for line in out.splitlines() if line.startswith("warning: ")]
    assert len(warning) == 1 and f"no simulator answers at http://127.0.0.1:{port}" in warning[0]
    assert f"python -m ccxt_paradex.sim --port {port}" in warning[0]
    config = json.loads((tmp_path / "config.json").read_text(encoding="utf-8"))
    assert config["exchange"]["ccxt_config"]["urls"]["api"]["v1"] == f"http://127.0.0.1:{port}/v1"


def test_a_running_simulator_gets_no_warning(no_freqtrade, tmp_path, capsys):
    from ccxt_paradex.sim.thread import SimulatorThread
    with SimulatorThread(liquidity=False, tick_interval=0, summary_interval=0, funding_interval=0) as sim:
        assert _new_config(tmp_path, "--sim", sim.base_url) == 0
    out = capsys.readouterr().out
    assert "warning" not in out and f"the simulator at {sim.base_url}" in out
