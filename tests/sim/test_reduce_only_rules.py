"""Reduce-only orders as the position moves, on the engine with a frozen clock and fixed quotes: a triggered
TP/SL limit order resting on the book is held to the position like any reduce-only order (cancelled when the
position closes), and the part of an oversized reduce-only order withheld beyond the position trades again when
the position grows (Paradex: existing reduce-only orders keep their size when the position grows)."""
from decimal import Decimal as D

from ccxt_paradex.sim.clock import ManualClock
from ccxt_paradex.sim.engine import Engine
from ccxt_paradex.sim.markets import default_markets

ETH = "ETH-USD-PERP"


def world():
    """A trader and a counterparty with 1,000,000 USDC facing deep synthetic quotes: asks 3200, bids 3199."""
    clock = ManualClock(start=1_790_000_000)
    engine = Engine(default_markets(), clock.ms)
    maker = engine.open_account("0xmaker", 1, "", D("1e12"))
    engine.ephemeral.add("0xmaker")
    trader = engine.open_account("0xtrader", 2, "", D("1000000"))
    other = engine.open_account("0xother", 3, "", D("1000000"))

    def order(acct, side, otype, size, price=None, flags=(), **extra):
        req = {"market": ETH, "side": side, "type": otype, "size": size, "signature_timestamp": clock.ms(),
               "flags": list(flags), **extra}
        if price is not None:
            req["price"] = price
        return engine.orders.get(engine.submit(engine.validate(acct, req))["id"])
    for side, price in (("SELL", "3200"), ("BUY", "3199")):
        order(maker, side, "LIMIT", "1000", price)
    return engine, clock, trader, other, order


def _held(acct):
    pos = acct.positions.get(ETH)
    return pos.size if pos else D(0)


def _triggered_take_profit(engine, trader, order):
    """Long 1, and a reduce-only TAKE_PROFIT_LIMIT SELL 1 that triggered at once (mark 3200 >= 3100) and rests
    as the best ask at 3199.5."""
    order(trader, "BUY", "MARKET", "1")
    assert _held(trader) == 1
    tp = order(trader, "SELL", "TAKE_PROFIT_LIMIT", "1", "3199.5", flags=["REDUCE_ONLY"], trigger_price="3100")
    assert (tp.status, tp.remaining) == ("OPEN", 1) and engine.books[ETH].asks.best() == D("3199.5")
    return tp


def test_a_triggered_reduce_only_take_profit_is_cancelled_when_the_position_closes():
    engine, _, trader, other, order = world()
    tp = _triggered_take_profit(engine, trader, order)
    order(trader, "SELL", "MARKET", "1")  # closed by hand before the take-profit trades
    assert _held(trader) == 0
    assert (tp.status, tp.cancel_reason) == ("CLOSED", "REDUCE_ONLY_WILL_INCREASE")
    assert engine.books[ETH].asks.best() == D("3200")  # off the book
    order(other, "BUY", "LIMIT", "1", "3199.5")  # a buyer at its price finds nothing of it
    assert _held(trader) == 0 and tp.filled == 0


def test_modifying_a_resting_take_profit_refits_it_as_a_triggered_order():
    # a resting TP/SL limit order has triggered: a modify refits it as one (closed when nothing is left to reduce),
    # not as an untriggered order that may wait for a position
    engine, clock, trader, _, order = world()
    tp = _triggered_take_profit(engine, trader, order)
    trader.positions[ETH].size = D(0)  # the position gone by a path that did not trim the order
    engine.modify(tp, {"market": ETH, "side": "SELL", "type": tp.type, "size": "1", "price": "3199.6",
                       "signature_timestamp": clock.ms()})
    assert (tp.status, tp.cancel_reason) == ("CLOSED", "REDUCE_ONLY_WILL_INCREASE")
    assert engine.books[ETH].asks.best() == D("3200")


def test_the_withheld_part_of_a_reduce_only_order_trades_again_when_the_position_grows():
    # long 1, reduce-only SELL 3 rests (1 may trade, 2 withheld); buy 1 more: 2 may trade, 1 is still withheld
    engine, _, trader, other, order = world()
    order(trader, "BUY", "MARKET", "1")
    sell = order(trader, "SELL", "LIMIT", "3", "3300", flags=["REDUCE_ONLY"])
    assert (sell.status, sell.remaining, sell.withheld) == ("OPEN", 1, 2)
    assert engine.books[ETH].asks.level_size(D("3300"), True) == 1
    order(trader, "BUY", "MARKET", "1")  # (from the maker's ask at 3200, ahead of the order)
    assert _held(trader) == 2
    assert (sell.status, sell.size, sell.remaining, sell.withheld) == ("OPEN", 3, 2, 1)
    assert engine.books[ETH].asks.level_size(D("3300"), True) == 2  # the public book shows what may trade
    engine.cancel_all(engine.accounts["0xmaker"])  # the order is the book's only ask
    order(other, "BUY", "LIMIT", "3", "3300")  # a buyer of 3 fills what the position allows
    assert (sell.status, sell.cancel_reason, sell.filled) == ("CLOSED", "REDUCE_ONLY_WILL_INCREASE", 2)
    assert _held(trader) == 0 and _held(other) == 2


def test_an_oversized_reduce_only_stop_takes_back_its_withheld_part_when_it_triggers():
    # long 1, a reduce-only STOP_LOSS_MARKET SELL 2 (1 withheld when placed); the position grows to 2 before the
    # stop triggers: it sells both
    engine, _, trader, _, order = world()
    order(trader, "BUY", "MARKET", "1")
    stop = order(trader, "SELL", "STOP_LOSS_MARKET", "2", flags=["REDUCE_ONLY"], trigger_price="3100")
    assert (stop.status, stop.remaining, stop.withheld) == ("UNTRIGGERED", 1, 1)
    order(trader, "BUY", "MARKET", "1")
    assert _held(trader) == 2
    engine.set_mark(ETH, "3000")
    assert (stop.status, stop.cancel_reason, stop.filled) == ("CLOSED", "", 2)
    assert _held(trader) == 0
