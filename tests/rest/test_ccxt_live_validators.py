"""ccxt's own live-harness validators (ccxt/test/exchange/sync/test_*.py, shipped in the wheel) on our class.

tools/ccxt_live_harness.py runs ccxt's whole live harness against a simulator; these pin, fast and in-process,
the findings of that run that were ours to fix. Each calls ccxt's validator function unchanged.
"""
import importlib

from ccxt_paradex.sim.markets import default_markets
from ccxt_paradex.sim.options import option_markets

import ccxt_paradex

SIM_OPTIONS = dict(tick_interval=0, summary_interval=0, funding_interval=0)
L1_KEY = "0x" + "6b" * 32


def _validator(module, name):
    return getattr(importlib.import_module("ccxt.test.exchange.sync." + module), name)


def test_load_markets_passes_ccxts_validator_on_a_venue_without_options(ex):
    """ccxt's harness stops at loadMarkets when a ``has`` market kind has no market: the simulator (like a venue
    without an options listing) lists perpetuals only, so has['option'] must not claim options."""
    assert not any(m["option"] for m in ex.markets.values())
    assert ex.has["option"] is False and ex.has["swap"] is True
    assert _validator("test_load_markets", "test_load_markets")(ex, {}) is True


def _fetched(rows):
    ex = ccxt_paradex.paradex()
    ex.publicGetMarkets = lambda params={}: {"results": rows}
    return ex, ex.fetch_markets()


def test_has_follows_the_market_kinds_the_venue_lists():
    perps = {s.symbol: s for s in default_markets()}
    rows = [s.to_json() for s in perps.values()]
    ex, markets = _fetched(rows + [s.to_json() for s in option_markets(perps)])
    kinds = {m["type"] for m in markets}
    assert kinds == {"swap", "option"}
    assert (ex.has["option"], ex.has["future"], ex.has["spot"]) == (True, False, False)
    future = dict(rows[0], symbol="BTC-USD-27MAR26-F", asset_kind="FUTURE", expiry_at=1774598400000)
    spot = dict(rows[0], symbol="ETH-USDC", asset_kind="SPOT", base_currency="ETH", quote_currency="USDC")
    spot.pop("settlement_currency", None)
    ex, markets = _fetched(rows + [future, spot])
    assert {m["type"] for m in markets} == {"swap", "future", "spot"}
    assert (ex.has["option"], ex.has["future"], ex.has["spot"]) == (False, True, True)
    # a filtered fetch (one market) says nothing about the venue's listing: has is left as it was
    ex.publicGetMarkets = lambda params={}: {"results": rows[:1]}
    ex.fetch_markets({"market": rows[0]["symbol"]})
    assert (ex.has["future"], ex.has["spot"]) == (True, True)
