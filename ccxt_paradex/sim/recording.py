"""Mirror recordings: the format, the :class:`Recorder` that writes one, and reading one back.

``--record FILE`` (``sim/mirror.py``) writes the mirrored stream as compact JSON lines (gzip when FILE ends in
``.gz``); ``sim/replay.py`` plays such a file back.

Record format, one JSON object a line: a header ``{"v":1,"source":..,"t0":ms,"note":..,"markets":[MarketResp + "mark"]}``,
then events with ``"t"`` (ms since t0) and ``"m"`` (market): books ``{"k":"b","s":source seq_no,"b":[[price,
size],..],"a":[..]}`` (changed levels only, size "0" removes; ``"r":1`` a full state after a start or a loss),
trades ``{"k":"t","id","side","p","q"}``, and losses ``{"k":"x"}`` (the source went away: book cleared).
"""
import gzip
import json
import os
from decimal import Decimal

from .markets import spec_from_json
from .state import fmt

#: the recording shipped with the package (``--replay sample``): 150 s of BTC-USD-PERP mirrored from a simulator
#: source, not from Paradex (tools/record_mirror_sample.py writes it)
SAMPLE_RECORDING = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "btc_sim_source.jsonl.gz")


class Recorder:
    """Compact JSON lines of the mirrored stream (gzip when the path ends in .gz)."""

    def __init__(self, path, clock_ms, source, specs, note=""):
        self.clock_ms = clock_ms
        self.t0 = clock_ms()
        self.file = gzip.open(path, "wt", encoding="utf-8") if str(path).endswith(".gz") else \
            open(path, "w", encoding="utf-8")
        self.last = {}
        self._write({"v": 1, "source": source, "t0": self.t0, "note": note, "markets": specs})

    def _write(self, obj):
        self.file.write(json.dumps(obj, separators=(",", ":")) + "\n")

    def book(self, market, seq, bids, asks):
        state = {("b", fmt(p)): fmt(s) for p, s in bids if s > 0}
        state.update({("a", fmt(p)): fmt(s) for p, s in asks if s > 0})
        before = self.last.get(market)
        line = {"t": self.clock_ms() - self.t0, "m": market, "k": "b", "s": seq, "b": [], "a": []}
        if before is None:
            line["r"] = 1
            changes = state
        else:
            changes = {k: v for k, v in state.items() if before.get(k) != v}
            changes.update({k: "0" for k in before if k not in state})
        for (side, price), size in changes.items():
            line[side].append([price, size])
        self.last[market] = state
        self._write(line)

    def trade(self, market, trade):
        self._write({"t": self.clock_ms() - self.t0, "m": market, "k": "t", "id": trade["id"],
                     "side": trade["side"], "p": trade["price"], "q": trade["size"]})

    def lost(self, market):
        self.last.pop(market, None)
        self._write({"t": self.clock_ms() - self.t0, "m": market, "k": "x"})

    def close(self):
        self.file.close()


def _open(path):
    return gzip.open(path, "rt", encoding="utf-8") if str(path).endswith(".gz") else open(path, encoding="utf-8")


def _checked_header(path, line):
    if not isinstance(line, dict) or line.get("v") != 1:
        raise ValueError(f"{path}: not a mirror recording (version 1 header expected)")
    return line


def read_recording(path):
    """-> (header, [event lines])."""
    with _open(path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return _checked_header(path, lines[0] if lines else None), lines[1:]


def read_header(path) -> dict:
    """The header line alone (the events are not read)."""
    with _open(path) as f:
        first = next((line for line in f if line.strip()), None)
    return _checked_header(path, None if first is None else json.loads(first))


def recording_specs(path) -> list:
    return [spec_from_json(m) for m in read_header(path)["markets"]]


def book_states(recording):
    """The sequence of full book states a recording describes: [(market, seq, bids, asks)], prices as strings,
    bids best first; what a replay applies, in order. ``recording``: a path, or the event lines
    ``read_recording`` gave (a replay has them already and does not read the file again)."""
    events = read_recording(recording)[1] if isinstance(recording, (str, os.PathLike)) else recording
    state, out = {}, []
    for ev in events:
        if ev["k"] == "x":
            state.pop(ev["m"], None)
            out.append((ev["m"], None, [], []))
        elif ev["k"] == "b":
            book = {} if ev.get("r") else dict(state.get(ev["m"], {}))
            for side in ("b", "a"):
                for price, size in ev[side]:
                    if Decimal(size) == 0:
                        book.pop((side, price), None)
                    else:
                        book[(side, price)] = size
            state[ev["m"]] = book
            bids = sorted(((p, s) for (side, p), s in book.items() if side == "b"), key=lambda x: -Decimal(x[0]))
            asks = sorted(((p, s) for (side, p), s in book.items() if side == "a"), key=lambda x: Decimal(x[0]))
            out.append((ev["m"], ev["s"], bids, asks))
    return out
