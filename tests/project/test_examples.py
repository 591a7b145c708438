"""examples/arbitrage.py: ccxt.pro, both venues streamed, both legs placed, on ccxt's class and ours (two simulators)."""
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
async def test_arbitrage_streams_both_venues_and_places_both_legs_on_either_class(impl):
    """--sim --trade on two simulators: both books streamed, a decision per update, pairs placed, a summary; the
    same code on ccxt's built-in class and, through the namespace switch, on ours."""
    import ccxt.pro
    builtin = ccxt.pro.paradex
    args = arbitrage.argparse.Namespace(impl=impl, sim=True, live=False, other=None, symbol="BTC/USD:USDC",
                                        other_symbol=None, threshold_bp=-100.0, amount=0.001, trade=True,
                                        seconds=30.0, max_updates=30, verbose=True)
    lines = []
    summary = await arbitrage.run(args, out=lines.append)
    expected = "ccxt_paradex.pro.paradex.paradex" if impl == "ccxt_paradex" else "ccxt.pro.paradex.paradex"
    assert summary["classes"] == [expected, expected]
    assert ccxt.pro.paradex is builtin  # the switch is off again after the run
    assert summary["updates"] >= 30 and summary["edges_seen"] > 0 and summary["over_threshold"] > 0
    assert summary["pairs_placed"] >= 1 and summary["failed_legs"] == 0
    assert summary["fee_bp"] > 0 and summary["frame_to_decision_ms_p50"] is not None
    assert lines[-1].startswith("summary") and any("net edge" in line for line in lines)


def test_arbitrage_edge_is_net_of_both_taker_fees():
    a = {"bids": [[99.0, 1.0]], "asks": [[100.0, 2.0]]}
    b = {"bids": [[101.0, 0.5]], "asks": [[102.0, 1.0]]}
    edge, direction, size = arbitrage.best_edge(a, b, fee_bp=6.0)
    assert direction == "buy A / sell B" and edge == pytest.approx(94.0) and size == 0.5
