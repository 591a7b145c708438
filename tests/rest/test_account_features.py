"""Position history, all-market leverage and margin modes, options chain (issue 27), sync against the simulator,
each structure checked by ccxt's own validators where ccxt has one."""
import ccxt.test.exchange.base as v
import pytest
from ccxt.base.errors import BadSymbol

import ccxt_paradex

L1_KEY = "0x" + "7c" * 32
SKIP = {}


SIM_OPTIONS = dict(seed=5, tick_interval=0, summary_interval=0, funding_interval=0, option_markets=True,
                   initial_balance="50000")  # (the sim and ex fixtures: tests/conftest.py)


def test_a_closed_position_is_in_the_history_with_its_exit_and_pnl(ex, sim):
    symbol = "ETH/USD:USDC"
    assert ex.fetch_positions_history([symbol]) == []
    before = ex.milliseconds()
    ex.create_order(symbol, "market", "buy", 0.5)
    assert ex.fetch_positions_history([symbol]) == []  # open: not history
    ex.create_order(symbol, "market", "sell", 0.5, params={"reduceOnly": True})
    fills = [t for t in ex.fetch_my_trades(symbol) if t["timestamp"] >= before]
    buys, sells = [t for t in fills if t["side"] == "buy"], [t for t in fills if t["side"] == "sell"]
    entry = sum(t["price"] * t["amount"] for t in buys) / sum(t["amount"] for t in buys)
    exit_price = sum(t["price"] * t["amount"] for t in sells) / sum(t["amount"] for t in sells)
    history = ex.fetch_positions_history()
    assert [p["symbol"] for p in history] == [symbol]
    position = history[0]
    # (ccxt's position validator is for open positions: it wants a mark price, an entry price and a notional > 0,
    # which a closed row does not have)
    assert position["side"] == "long" and position["timestamp"] <= position["lastUpdateTimestamp"]
    assert position["datetime"] == ex.iso8601(position["timestamp"]) and position["info"]["status"] == "CLOSED"
    assert position["exitPrice"] == pytest.approx(exit_price, abs=1e-8) and position["contracts"] == 0
    size = sum(t["amount"] for t in buys)  # (a market order takes what the book holds within its price band)
    assert size == pytest.approx(sum(t["amount"] for t in sells)) and size > 0
    assert position["realizedPnl"] == pytest.approx((exit_price - entry) * size, abs=1e-6)
    assert position["lastUpdateTimestamp"] >= before
    assert ex.fetch_position_history(symbol) == history
    assert ex.fetch_positions_history(since=position["lastUpdateTimestamp"] + 1) == []
    assert ex.fetch_positions_history(["BTC/USD:USDC"]) == []
    assert symbol not in [p["symbol"] for p in ex.fetch_positions()]  # and fetchPositions leaves it out


def test_leverages_and_margin_modes_of_every_market(ex, sim):
    ex.set_leverage(7, "BTC/USD:USDC")
    leverages = ex.fetch_leverages()
    perpetuals = {m["symbol"] for m in ex.markets.values() if m["swap"] and m["active"]}
    assert set(leverages) == perpetuals and len(perpetuals) >= 2
    for symbol, leverage in leverages.items():  # (ccxt ships no leverage validator)
        assert leverage["symbol"] == symbol and leverage["marginMode"] == "cross"
        assert leverage["longLeverage"] == leverage["shortLeverage"] >= 1 and leverage["info"]["market"] == ex.market_id(symbol)
    assert leverages["BTC/USD:USDC"]["longLeverage"] == 7
    assert leverages["ETH/USD:USDC"]["longLeverage"] == ex.fetch_leverage("ETH/USD:USDC")["longLeverage"] != 7
    modes = ex.fetch_margin_modes(["BTC/USD:USDC"])
    assert list(modes) == ["BTC/USD:USDC"] and modes["BTC/USD:USDC"]["marginMode"] == "cross"
    v.test_margin_mode(ex, SKIP, "fetchMarginModes", modes["BTC/USD:USDC"])


def test_option_chain_and_one_option(ex, sim):
    chain = ex.fetch_option_chain("BTC")
    options = sorted(s for s, m in ex.markets.items() if m["option"] and m["base"] == "BTC")
    assert sorted(chain) == options and len(options) == 2
    for symbol, option in chain.items():
        assert option["symbol"] == symbol and option["currency"] == "BTC"
        row = option["info"]
        assert option["impliedVolatility"] == float(row["mark_iv"]) and option["markPrice"] == float(row["mark_price"])
        assert option["underlyingPrice"] == float(row["underlying_price"]) > 0
        if option["bidPrice"] and option["askPrice"]:
            assert option["midPrice"] == pytest.approx((option["bidPrice"] + option["askPrice"]) / 2)
    one = ex.fetch_option(options[0])
    assert one["symbol"] == options[0] and one["impliedVolatility"] == chain[options[0]]["impliedVolatility"]
    assert set(ex.fetch_option_chain("ETH")).isdisjoint(chain)
    with pytest.raises(BadSymbol):
        ex.fetch_option("BTC/USD:USDC")
    # a perpetual option has no expiry: Paradex's PERP_OPTION rows carry none, and neither does the market
    assert ex.market(options[0])["expiry"] is None and ex.market(options[0])["info"]["asset_kind"] == "PERP_OPTION"


def test_has_flags():
    ex = ccxt_paradex.paradex()
    for name in ("fetchPositionsHistory", "fetchPositionHistory", "fetchLeverages", "fetchMarginModes",
                 "fetchOption", "fetchOptionChain"):
        assert ex.has[name] is True, name
