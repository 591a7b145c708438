"""examples/arbitrage.py runs unchanged on ccxt.paradex and ccxt_paradex.paradex (offline, two simulators)."""
import math
import os
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "examples"))
import arbitrage  # noqa: E402


def test_best_edge():
    a = {"bids": [[99.0, 1.0]], "asks": [[100.0, 2.0]]}
    b = {"bids": [[101.0, 0.5]], "asks": [[102.0, 1.0]]}
    edge, direction, size = arbitrage.best_edge(a, b)
    assert direction == "buy A / sell B" and size == 0.5 and edge == pytest.approx(100.0)
    assert arbitrage.best_edge({"bids": [], "asks": []}, b) is None


@pytest.mark.parametrize("impl", ["ccxt", "ccxt_paradex"])
def test_spread_watcher_runs_on_both_implementations(impl):
    lines = []
    with arbitrage.simulated_venues() as (urls_a, urls_b):
        cls = arbitrage.paradex_class(impl)
        edges = arbitrage.watch(cls({"urls": urls_a}), cls({"urls": urls_b}), "BTC/USD:USDC", "BTC/USD:USDC", 3, 0.0,
                                out=lines.append)
    assert cls.__module__.startswith(impl + ".")
    assert len(edges) == 3 and all(math.isfinite(e) and abs(e) < 500 for e in edges) and len(lines) == 3
