"""The simulator's funding and liquidation prices (issue 17 item 4), on the engine with a hand-driven clock."""
from decimal import Decimal as D

import pytest

from ccxt_paradex.sim import funding
from ccxt_paradex.sim.engine import Engine
from ccxt_paradex.sim.market_data import MarketData
from ccxt_paradex.sim.markets import default_markets
from ccxt_paradex.sim.clock import Clock, ManualClock
from ccxt_paradex.sim.server import Simulator
from ccxt_paradex.sim.state import Position

ETH = "ETH-USD-PERP"
HOUR = 3600.0


class World:
    def __init__(self, settlement="trade", scale=1.0):
        self.clock = ManualClock(start=1_790_000_000)  # time moves only when the test advances it
        self.engine = Engine(default_markets(), self.clock.ms)
        self.data = MarketData(self.engine, self.clock, seed=5, funding_time_scale=scale, funding_settlement=settlement)
        self.maker = self.engine.open_account("0xmaker", 1, "", D("1e12"))
        self.engine.ephemeral.add("0xmaker")
        self.trader = self.engine.open_account("0xtrader", 2, "", D("10000"))
        for side, price in (("SELL", "3200"), ("BUY", "3199")):  # deep quotes at fixed prices: exact fills
            self.order(self.maker, side, "LIMIT", "1000", price)

    def order(self, acct, side, otype, size, price=None):
        req = {"market": ETH, "side": side, "type": otype, "size": size, "signature_timestamp": self.clock.ms()}
        if price is not None:
            req["price"] = price
        return self.engine.submit(self.engine.validate(acct, req))

    def update(self, hours):
        self.clock.advance(hours * HOUR)
        self.data.sample_funding()
        return self.data.funding[ETH][-1]

    def fills(self):
        return [f for f in self.trader.fills if f["market"] == ETH]


def test_a_position_opened_from_flat_owes_nothing_for_the_time_held_flat():
    w = World()
    for _ in range(3):
        w.update(8)  # 24 hours of funding while the trader holds nothing
    assert w.engine.funding_index[ETH] != 0
    w.order(w.trader, "BUY", "MARKET", "1")
    pos = w.trader.positions[ETH]
    assert pos.funding_index == w.engine.funding_index[ETH]  # before: 0, so the first payment charged 24 h
    opened_at = pos.funding_index
    sample = w.update(1)
    premium = D(sample["funding_premium"])
    w.order(w.trader, "SELL", "MARKET", "1")  # the close settles one hour of funding on one ETH
    realized = D(w.fills()[-1]["realized_funding"])
    assert realized == (-(w.engine.funding_index[ETH] - opened_at)).quantize(D("1e-8"))
    assert realized == (-premium / 8).quantize(D("1e-8"))  # by hand: 1 h of an 8 h premium (rate x mark), long pays
    assert D(w.fills()[0]["realized_funding"]) == 0
    payments = w.trader.funding_payments
    assert [D(p["payment"]) for p in payments] == [realized] and payments[0]["fill_id"] == w.fills()[-1]["id"]


def test_funding_is_continuous_at_a_realistic_scale():
    w = World()  # real time: index updates every few seconds add up to the 8 h rate over 8 h
    w.order(w.trader, "BUY", "MARKET", "1")
    start = w.engine.funding_index[ETH]
    premiums = [D(w.update(5 / HOUR)["funding_premium"]) for _ in range(12)]  # one minute of 5 s updates
    expected = sum(p * 5 / (8 * 3600) for p in premiums)
    assert abs(w.engine.funding_index[ETH] - start - expected) < D("1e-15")
    assert abs(expected) < D("0.001")  # a minute of ~0.01 %/8 h on 3200: tiny, not a whole period per update
    assert w.trader.funding_payments == []  # "trade" settlement: accrued, unpaid until the position changes
    summary = w.engine.position_json(w.trader, ETH)
    assert D(summary["unrealized_funding_pnl"]) == (-(w.engine.funding_index[ETH] - start)).quantize(D("1e-8"))


def test_time_scale_and_periodic_settlement():
    w = World("periodic", scale=3600)  # an 8 h period passes in 8 s of wall time
    w.order(w.trader, "BUY", "MARKET", "2")
    balance = w.trader.balance
    sample = w.update(8 / HOUR)  # 8 wall seconds
    payment = D(w.trader.funding_payments[-1]["payment"])
    assert payment == (-D(sample["funding_premium"]) * 2).quantize(D("1e-8"))  # one whole period on 2 ETH
    assert w.trader.balance == balance + payment
    with pytest.raises(ValueError):
        MarketData(w.engine, w.clock, funding_settlement="hourly")


def _holding(size, entry, balance, leverage, mark=None, others=()):
    engine = Engine(default_markets(), Clock().ms)
    acct = engine.open_account("0xa", 1, "", D(balance))
    acct.balance = D(balance)
    for market, s, e in ((ETH, size, entry),) + tuple(others):
        pos = acct.positions[market] = Position(acct.address, market, 0)
        pos.size, pos.avg_entry = D(s), D(e)
        acct.leverage[market] = leverage
    engine.mark[ETH] = D(mark or entry)
    return engine, acct


def test_liquidation_price_checked_by_hand():
    # long 1 ETH @ 2000 with 1,000 USDC, 10x: maintenance = |size| x p / 10 / 2. value(p) = 1000 + (p - 2000).
    # 1000 + p - 2000 = p / 20  ->  p (1 - 1/20) = 1000  ->  p = 1052.6315789...
    engine, acct = _holding("1", "2000", "1000", 10)
    price = funding.liquidation_price(engine, acct, ETH)
    assert price.quantize(D("1e-6")) == D("1052.631579")
    value, _, mmr = engine.margin(acct)
    engine.mark[ETH] = price
    value, _, mmr = engine.margin(acct)
    assert abs(value - mmr) < D("1e-12")  # at that mark the account meets its maintenance requirement
    # short 2 ETH @ 3000 with 1,500 USDC, 5x: 1500 - 2 (p - 3000) = 2 p / 10  ->  7500 = 2.2 p  ->  p = 3409.09...
    engine, acct = _holding("-2", "3000", "1500", 5, mark="3100")
    assert funding.liquidation_price(engine, acct, ETH).quantize(D("1e-6")) == D("3409.090909")
    assert engine.position_json(acct, ETH)["liquidation_price"] == "3409.09090909"  # before: always ""
    # a long backed by more collateral than its notional cannot be liquidated
    engine, acct = _holding("1", "2000", "5000", 10)
    assert funding.liquidation_price(engine, acct, ETH) is None
    assert engine.position_json(acct, ETH)["liquidation_price"] == ""


def test_liquidation_price_in_a_cross_account_counts_the_other_positions():
    # plus long 1 BTC @ 60000 marked at 59000 (-1000 PnL, maintenance 59000 / 50 / 2 = 590):
    # 1000 - 1000 + (p - 2000) = 590 + p / 20  ->  0.95 p = 2590  ->  p = 2726.3157...
    engine, acct = _holding("1", "2000", "1000", 10, others=(("BTC-USD-PERP", "1", "60000"),))
    engine.mark["BTC-USD-PERP"] = D("59000")
    acct.leverage["BTC-USD-PERP"] = 50
    assert funding.liquidation_price(engine, acct, ETH).quantize(D("1e-6")) == D("2726.315789")


def test_the_simulator_defaults_are_paradex_like():
    sim = Simulator(seed=1, liquidity=False)
    assert sim.funding_interval == 5.0 and sim.market_data.funding_time_scale == 1.0
    assert sim.market_data.funding_settlement == "trade"
    assert {s.funding_period_hours for s in sim.engine.specs.values()} == {8}
