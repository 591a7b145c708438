"""The synthetic makers' depth: by default each side of a book holds about makers.DEPTH USD, so a market order of
a size a 100,000 USDC account trades (0.1-1 BTC) fills on BTC; ``depth=0`` (``--depth 0``) is the thin ladder
of a few minimum notionals per level that the simulator had before."""
from decimal import Decimal

import pytest

from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.__main__ import build, parser
from ccxt_paradex.sim.makers import DEPTH, MM_ACCOUNT

SIM_OPTIONS = dict(seed=29, tick_interval=0, summary_interval=0, funding_interval=0, algo_interval=0)
L1_KEY = "0x" + "5b" * 32
S = "BTC/USD:USDC"
QUIET = {k: v for k, v in SIM_OPTIONS.items() if k != "seed"}


def _sides(sim, market):
    """{side: (size, USD notional)} of the makers' resting orders in ``market``."""
    out = {}
    for o in sim.engine.open_by_market.get((MM_ACCOUNT, market), {}).values():
        size, notional = out.get(o.side, (Decimal(0), Decimal(0)))
        out[o.side] = (size + o.remaining, notional + o.remaining * o.price)
    return out


def test_each_side_holds_about_the_default_depth_and_no_level_beyond_the_max_order_size(sim):
    for market, spec in sim.engine.specs.items():
        sides = _sides(sim, market)
        for side in ("BUY", "SELL"):
            assert DEPTH / 3 < sides[side][1] < DEPTH * 3, (market, side, sides[side])
        assert all(o.remaining <= spec.max_order_size
                   for o in sim.engine.open_by_market[(MM_ACCOUNT, market)].values()), market


@pytest.mark.parametrize("side, amount", [("buy", 1), ("sell", 0.1)])
def test_a_one_btc_market_order_fills_in_full(sim, ex, side, amount):
    sim.thread.call(sim.liquidity.quote, "BTC-USD-PERP")
    order = ex.create_order(S, "market", side, amount)
    row = next(o for o in ex.fetch_orders(S) if o["id"] == order["id"])
    assert (row["status"], row["filled"], row["remaining"]) == ("closed", pytest.approx(amount), 0)
    assert row["info"]["cancel_reason"] == ""
    ex.create_order(S, "market", "sell" if side == "buy" else "buy", amount, None, {"reduceOnly": True})


def test_depth_zero_is_the_thin_ladder():
    thin = Simulator(seed=29, depth=0, **QUIET)
    size, notional = _sides(thin, "BTC-USD-PERP")["SELL"]
    spec = thin.engine.specs["BTC-USD-PERP"]
    assert notional < 10 * 8 * 4 * spec.min_notional and size < Decimal("0.1")  # levels of a few minimum notionals


async def test_the_command_line_sets_the_depth():
    sim, _ = await build(parser().parse_args(["--depth", "50000", "--markets", "1", "--seed", "3"]))
    assert sim.liquidity.depth == 50000
    assert 50000 / 3 < _sides(sim, "BTC-USD-PERP")["BUY"][1] < 50000 * 3
