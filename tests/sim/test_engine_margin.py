"""The simulator engine's margin check of a position flip and the min-notional exemption of a closing reduce-only
order (issue 29), on the engine with a frozen clock and fixed quotes (exact fills, exact requirements)."""
from decimal import Decimal as D

import pytest

from ccxt_paradex.sim.engine import Engine
from ccxt_paradex.sim.errors import ApiError
from ccxt_paradex.sim.markets import default_markets
from ccxt_paradex.sim.clock import ManualClock
from ccxt_paradex.sim.state import Position

ETH = "ETH-USD-PERP"


def world(balance):
    """A trader with ``balance`` USDC (10x, the engine's default) facing deep quotes: asks 3200, bids 3199."""
    clock = ManualClock(start=1_790_000_000)
    engine = Engine(default_markets(), clock.ms)
    maker = engine.open_account("0xmaker", 1, "", D("1e12"))
    engine.ephemeral.add("0xmaker")
    trader = engine.open_account("0xtrader", 2, "", D(balance))

    def order(acct, side, otype, size, price=None, flags=()):
        req = {"market": ETH, "side": side, "type": otype, "size": size, "signature_timestamp": clock.ms(),
               "flags": list(flags)}
        if price is not None:
            req["price"] = price
        return engine.submit(engine.validate(acct, req))
    for side, price in (("SELL", "3200"), ("BUY", "3199")):
        order(maker, side, "LIMIT", "1000", price)
    return engine, trader, order


def _requirement(engine, acct):
    """The account's initial margin requirement from its state, by hand: |size| x mark / leverage per position."""
    return sum(abs(p.size) * engine.mark[m] / engine.leverage(acct, m) for m, p in acct.positions.items())


def test_a_market_order_that_flips_the_position_needs_margin_only_for_the_flipped_remainder():
    # long 1 ETH (320 of 500 USDC at 10x), then sell 1.5: the closing 1 frees 320, the flipped 0.5 needs 160.
    # Counting the position and the whole order (320 + 480 = 800 > 500) refused it with NOT_ENOUGH_MARGIN.
    engine, trader, order = world("500")
    order(trader, "BUY", "MARKET", "1")
    assert trader.positions[ETH].size == D("1")
    value, _, _ = engine.margin(trader)
    flip = order(trader, "SELL", "MARKET", "1.5")
    closed = engine.orders[flip["id"]]
    assert (closed.status, closed.cancel_reason, closed.remaining) == ("CLOSED", "", 0)
    assert trader.positions[ETH].size == D("-0.5")
    assert _requirement(engine, trader) <= value  # what was checked: the requirement after the flip
    assert _requirement(engine, trader) == D("0.5") * engine.mark[ETH] / 10


def test_a_flip_whose_remainder_does_not_fit_is_still_refused():
    # long 1 ETH, sell 3: the flipped 2 ETH need 2 x 3200 / 10 = 640 > ~500 of account value
    engine, trader, order = world("500")
    order(trader, "BUY", "MARKET", "1")
    value, _, _ = engine.margin(trader)
    assert D(2) * engine.mark[ETH] / 10 > value
    refused = engine.orders[order(trader, "SELL", "MARKET", "3")["id"]]
    assert (refused.status, refused.cancel_reason, refused.remaining) == ("CLOSED", "NOT_ENOUGH_MARGIN", D(3))
    assert trader.positions[ETH].size == D("1")  # untouched


def test_a_plain_increase_is_still_checked_in_full():
    engine, trader, order = world("500")
    order(trader, "BUY", "MARKET", "1")
    refused = engine.orders[order(trader, "BUY", "MARKET", "1")["id"]]  # 2 ETH long need 640
    assert refused.cancel_reason == "NOT_ENOUGH_MARGIN" and trader.positions[ETH].size == D("1")


def _small_long(size):
    engine, trader, order = world("1000")
    pos = trader.positions[ETH] = Position(trader.address, ETH, 0)
    pos.size, pos.avg_entry = D(size), D("3200")
    return engine, trader, order


def test_a_reduce_only_order_at_least_the_position_closes_it_and_is_exempt_from_min_notional():
    # 0.002 ETH long (6.4 USDC, under the 10 USDC min notional): a reduce-only sell of 0.003 is trimmed to the
    # position and closes it; before, only a size exactly equal to the position was exempt
    engine, trader, order = _small_long("0.002")
    assert D("0.003") * engine.mark[ETH] < engine.specs[ETH].min_notional
    placed = order(trader, "SELL", "MARKET", "0.003", flags=["REDUCE_ONLY"])
    done = engine.orders[placed["id"]]
    assert (done.status, done.remaining, done.filled_notional) == ("CLOSED", 0, D("0.002") * D("3199"))
    assert trader.positions[ETH].size == 0 and trader.fills[-1]["size"] == "0.002"


def test_a_small_reduce_only_order_that_leaves_part_of_the_position_is_still_below_min_notional():
    engine, trader, order = _small_long("0.002")
    for size, flags in (("0.001", ["REDUCE_ONLY"]), ("0.003", [])):  # a partial close; not reduce-only
        with pytest.raises(ApiError, match="min notional"):
            order(trader, "SELL", "MARKET", size, flags=flags)
    engine2, trader2, order2 = _small_long("-0.002")  # the same side as the position: it would not close it
    with pytest.raises(ApiError, match="min notional"):
        order2(trader2, "SELL", "MARKET", "0.003", flags=["REDUCE_ONLY"])
    assert trader.positions[ETH].size == D("0.002") and trader2.positions[ETH].size == D("-0.002")
