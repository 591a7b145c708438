"""``python -m ccxt_paradex demo`` as a user meets it (issue 14 item 6): figures in each market's precision,
true counts, one clear line for a bad argument or a missing network, and a live view that stays put on a
terminal however far it has scrolled. All offline (the simulator, or a closed local port for 'no network')."""
import re
import socket
import subprocess
import sys

import pytest

import ccxt_paradex
from ccxt_paradex import __main__ as cli
from ccxt_paradex import demo
from conftest import ROOT


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "ccxt_paradex", "demo", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_simulator_thread_is_importable_from_the_sim_package():
    from ccxt_paradex.sim import Simulator, SimulatorThread
    from ccxt_paradex.sim.thread import SimulatorThread as Direct
    assert SimulatorThread is Direct and Simulator


def test_bad_symbol_is_one_line_listing_the_valid_ones():
    out = _cli("--symbol", "FOO/USD:USDC", "--seconds", "0")
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "unknown symbol 'FOO/USD:USDC'" in lines[0]
    for symbol in ("BTC/USD:USDC", "ETH/USD:USDC", "SOL/USD:USDC", "DOGE/USD:USDC", "KBONK/USD:USDC"):
        assert symbol in lines[0]


@pytest.mark.parametrize("args", [["--seconds", "abc"], ["--seconds", "-1"], ["--bogus"]])
def test_bad_arguments_are_one_line(args, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["demo", *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert e.value.code == 2 and len(err) == 1 and "error:" in err[0], err


def _closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_testnet_without_network_is_one_line(monkeypatch, capsys):
    """No route to the venue (here: the testnet URLs pointed at a closed local port) -> one line, exit 1."""
    port = _closed_port()

    class Unreachable(ccxt_paradex.paradex):
        def describe(self):
            d = super().describe()
            d["urls"]["test"] = {"v1": f"http://127.0.0.1:{port}/v1", "v2": f"http://127.0.0.1:{port}/v2",
                                 "ws": f"ws://127.0.0.1:{port}/v1"}
            return d
    monkeypatch.setattr(demo, "paradex_sync", Unreachable)
    for var in ("PARADEX_STARKNET_ACCOUNT", "PARADEX_STARKNET_PRIVATE_KEY", "PARADEX_L1_PRIVATE_KEY"):
        monkeypatch.delenv(var, raising=False)
    assert cli.main(["demo", "--testnet", "--seconds", "0"]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "cannot reach Paradex testnet" in err[0], captured.err
    assert captured.out == "" and "Traceback" not in captured.err


def test_formatting_follows_market_precision():
    fmt = demo.Fmt({"precision": {"price": 1e-06, "amount": 10.0}})  # KBONK
    assert fmt.price(0.024997) == "0.024997" and fmt.amount(8470.0) == "8470"
    assert fmt.price(0.0249971234, extra=2) == "0.02499712" and fmt.price(0.024997, extra=2) == "0.024997"
    fmt = demo.Fmt({"precision": {"price": 0.1, "amount": 1e-05}})  # BTC
    assert fmt.amount(1e-05) == "0.00001" and fmt.price(65000) == "65000.0" and fmt.price(None) == "-"
    assert demo.Fmt({"precision": {"price": 1, "amount": 1}}).price(65000.4, extra=2) == "65000.4"


@pytest.fixture(scope="module")
def kbonk_run():
    lines = []
    result = demo.run(seconds=1.5, symbol="KBONK/USD:USDC", out=lines.append)
    return "\n".join(lines), result


def test_demo_prints_prices_and_sizes_in_the_markets_precision(kbonk_run):
    text, result = kbonk_run
    assert not re.search(r"\de-\d", text), text  # no scientific notation
    avg = re.search(r"fill\(s\), avg (\S+)", text).group(1)
    assert re.fullmatch(r"0\.\d{6,8}", avg), avg  # 0.024997-ish, never 'avg 0.02'
    book = [line for line in text.splitlines() if re.match(r"\s+\d[\d.]* +\d\.\d+ \| ", line)]
    assert len(book) == 5
    for line in book:
        bid_size, bid, _, ask, ask_size = line.split()
        assert re.fullmatch(r"\d\.\d{6}", bid) and re.fullmatch(r"\d\.\d{6}", ask), line
        assert re.fullmatch(r"\d+", bid_size) and re.fullmatch(r"\d+", ask_size), line  # KBONK sizes step 10


def test_demo_counts_are_true_counts(kbonk_run):
    text, result = kbonk_run
    live = result["live"]
    assert "+ trades" not in text
    assert f"streamed {live['books']} book updates and {live['trade_count']} trades" in text
    assert live["trade_count"] >= len(live["trades"])  # the view keeps the last 5, the count is every trade
    assert "\x1b" not in text  # not a terminal: plain lines, no escape codes


class Terminal:
    """The part of a VT100 that the old view and rich's Live use: text, CR, newline (scrolling at the bottom),
    cursor up N (CSI n A) or up N to column 0 (CSI n F), erase line (CSI 2K) or to the end of the screen (CSI J),
    save/restore cursor (CSI s / u); colours (CSI ... m) and private modes (?25l/h) change nothing on screen."""

    def __init__(self, rows=12, cols=100):
        self.rows, self.cols = rows, cols
        self.screen = [""] * rows
        self.r = self.c = 0
        self.saved = (0, 0)
        self.unknown = []

    def write(self, text):
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\x1b":
                m = re.match(r"\x1b\[(\??)([\d;]*)([A-Za-z])", text[i:])
                assert m, repr(text[i:i + 10])
                i += m.end()
                n = int(m.group(2) or 1) if m.group(2).isdigit() or not m.group(2) else 1
                op = m.group(3)
                if m.group(1) or op == "m":
                    continue
                if op == "F":
                    self.r, self.c = max(0, self.r - n), 0
                elif op == "A":
                    self.r = max(0, self.r - n)
                elif op == "K" and m.group(2) == "2":
                    self.screen[self.r] = ""
                elif op == "J":
                    self.screen[self.r] = self.screen[self.r][:self.c]
                    for k in range(self.r + 1, self.rows):
                        self.screen[k] = ""
                elif op == "s":
                    self.saved = (self.r, self.c)
                elif op == "u":
                    self.r, self.c = self.saved
                else:
                    self.unknown.append(m.group(0))
                continue
            if ch == "\r":
                self.c = 0
            elif ch == "\n":
                self.r, self.c = self.r + 1, 0
                if self.r == self.rows:
                    self.screen = self.screen[1:] + [""]
                    self.r = self.rows - 1
            else:
                assert self.c < self.cols, "a line wrapped: " + self.screen[self.r]
                line = self.screen[self.r].ljust(self.c)
                self.screen[self.r] = line[:self.c] + ch + line[self.c + 1:]
                self.c += 1
            i += 1

    def flush(self):
        pass

    def isatty(self):
        return True


def _console(term):
    from rich.console import Console
    return Console(file=term, force_terminal=True, width=term.cols, height=term.rows, color_system="standard",
                   legacy_windows=False)


_FMT = demo.Fmt({"precision": {"price": 0.1, "amount": 0.001}})


def _book(k):
    return {"bids": [[100.0 - i - k / 10, 1.0 + i] for i in range(5)], "asks": [[101.0 + i + k / 10, 2.0 + i] for i in range(5)]}


def _panel(k, title=None):
    trades = [{"side": "buy" if j % 2 else "sell", "amount": 0.5, "price": 100.5 + j} for j in range(3)]
    return demo.live_panel(title or f"live frame {k}", _book(k), _FMT, trades, 3 * k)


def _tour(term, n=10):
    for k in range(n):  # the demo's earlier output fills the screen: the live view starts at the bottom
        term.write(f"tour line {k}\n")


def test_live_view_redraws_in_place_after_the_terminal_scrolled():
    term = Terminal(rows=16)
    _tour(term)
    view = demo.LiveView(_console(term))
    for k in range(6):
        view.draw(_panel(k))
    view.close()
    shown = [line for line in term.screen if line]
    assert not term.unknown, term.unknown
    assert sum(line.startswith("live frame") for line in shown) == 1, shown  # no smear of earlier frames
    assert [line for line in shown if line.startswith("live frame")] == ["live frame 5"]  # the last frame
    assert "last trades (15 so far):" in shown
    assert any(line.split()[:2] == ["1.000", "99.5"] for line in shown), shown  # frame 5's best bid
    assert not any("99.6" in line.split()[:2] for line in shown)  # frame 4's is gone
    assert shown[0].startswith("tour line")  # the tour above it is intact


def test_save_restore_cursor_smears_where_the_live_view_does_not():
    """Why not escape codes by hand: the old view (save cursor, clear, draw, restore) redraws below its first frame
    once the terminal has scrolled, and earlier frames pile up."""
    term = Terminal(rows=12)
    _tour(term)
    for k in range(3):
        frame = [f"live frame {k}", "bid 1 | ask 2", f"last trades ({k} so far):"] + [f"  trade {k}.{j}" for j in range(3)]
        term.write("\x1b[s\x1b[J" + "\n".join(frame) + "\x1b[u")
    assert sum(line.startswith("live frame") for line in term.screen) > 1


def test_live_view_fits_a_narrow_short_terminal():
    """Lines are cropped to the width (a wrapped line would push the panel down a row per frame) and the panel
    to the height (a panel taller than the screen cannot be redrawn in place)."""
    term = Terminal(rows=6, cols=30)
    _tour(term, 3)
    view = demo.LiveView(_console(term))
    for k in range(4):
        view.draw(_panel(k, title=f"live {k} " + "x" * 80))
        assert not term.unknown
        assert [line[:6] for line in term.screen if line.startswith("live ")] == [f"live {k}"], term.screen
        assert all(len(line) <= 30 for line in term.screen)
    view.close()  # the last frame is printed whole once more, below, as static output
    assert all(len(line) <= 30 for line in term.screen)
    assert not any(line.startswith(("live 0", "live 1", "live 2")) for line in term.screen), term.screen


def test_live_view_on_a_terminal_end_to_end():
    """The demo's live part with a terminal attached: rich draws it, the simulator streams it."""
    import asyncio

    from ccxt_paradex.sim import SimulatorThread

    term = Terminal(rows=30, cols=100)
    _tour(term, 40)
    with SimulatorThread(seed=1, tick_interval=0.05) as sim:
        lines = []
        state = asyncio.run(demo.live_view({"urls": sim.ccxt_urls()}, "BTC/USD:USDC", 1.2, lines.append, True,
                                           console=_console(term)))
    shown = [line for line in term.screen if line]
    assert not term.unknown
    titles = [line for line in shown if line.startswith("live BTC/USD:USDC over SBE")]
    assert len(titles) == 1 and state["books"] > 0, shown
    assert re.search(r"seq_no (\d+)", titles[0])
    assert any(line.startswith("last trades (") for line in shown)
    assert lines and lines[-1].startswith(f"streamed {state['books']} book updates")  # the summary, plain
