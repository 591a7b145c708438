"""tools/ccxt_live_harness.py: ccxt's live harness run in a child process reads back as per-method outcomes.

One real child run (one method, our async class, an in-process simulator) keeps this test in seconds; the whole
matrix, ours vs ccxt's built-in, is ``tox -e ccxt-harness`` (``python tools/ccxt_live_harness.py``).
"""
import os
import sys

from conftest import ROOT

from ccxt_paradex.sim.thread import SimulatorThread

sys.path.insert(0, os.path.join(ROOT, "tools"))
import ccxt_live_harness as harness  # noqa: E402


def test_dump_lines_become_outcomes_and_failures_outrank_passes():
    events = [
        ["[INFO] TESTING DONE      ", "paradex", "loadMarkets"],
        ["[INFO] UNSUPPORTED_TEST  ", "paradex", "fetchOrderBooks"],
        ["[INFO] UNIMPLEMENTED_TEST", "paradex", "fetchTime"],
        ["[INFO] NOT_SUPPORTED", "paradex", "fetchOHLCV", "[]", "why"],
        ["[TEST_WARNING]", "paradex", "fetchTrades", "[]", "flaky network"],
        ["[INFO] TESTING DONE      ", "paradex", "fetchTicker"],
        ["[TEST_FAILURE]", "paradex", "fetchTicker", '["BTC/USD:USDC"]', "AssertionError: bad"],
        ["[INFO] TESTING DONE      ", "paradex", "fetchTicker"],  # a retry that passed does not hide the failure
        ["[TEST_FAILURE]", "paradex", "PUBLIC_TESTS", "Failed methods : fetchTicker"],
    ]
    got = {m: v["status"] for m, v in harness._outcomes(events).items()}
    assert got == {"loadMarkets": "pass", "fetchOrderBooks": "-", "fetchTime": "skip", "fetchOHLCV": "n/s",
                   "fetchTrades": "warn", "fetchTicker": "FAIL"}
    assert "AssertionError: bad" in harness._outcomes(events)["fetchTicker"]["message"]


def test_regressions_list_what_ours_fails_and_the_builtin_passes():
    results = {("public", "sync", "ours"): {"methods": {"a": {"status": "FAIL", "message": "x"},
                                                        "b": {"status": "FAIL", "message": "y"},
                                                        "c": {"status": "pass"}}},
               ("public", "sync", "ccxt"): {"methods": {"a": {"status": "pass"}, "b": {"status": "-"},
                                                        "c": {"status": "FAIL"}}}}
    assert harness.regressions(results) == [("public", "sync", "a", "x")]
    assert "1/3" in harness.table(results, ["public"], ["sync"], ["ours", "ccxt"])


def test_one_method_of_ccxts_harness_runs_on_our_class_against_the_simulator():
    args = harness.parser().parse_args(["--methods", "fetchTicker", "--method-timeout", "20", "--run-timeout", "60"])
    with SimulatorThread(tick_interval=0, summary_interval=0, funding_interval=0) as sim:
        result = harness.run_child("ours", "public", "async", sim.ccxt_urls(), args)
    assert result["crash"] is None, result["log"][-2000:]
    methods = {m: v["status"] for m, v in result["methods"].items()}
    assert methods == {"loadMarkets": "pass", "fetchTicker": "pass"}, result["log"][-2000:]
    assert result["classes"] == ["ccxt_paradex.async_support.paradex.paradex"]  # ours, built by ccxt's harness
