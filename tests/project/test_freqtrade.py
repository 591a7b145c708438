"""freqtrade on Paradex through ccxt_paradex (ccxt_paradex/freqtrade.py), against the simulator, through
freqtrade's own exchange plumbing. Runs where freqtrade is installed (``pip install -e ".[freqtrade]"``,
``tox -e freqtrade``); skipped elsewhere."""
import datetime
import time

import pytest

freqtrade = pytest.importorskip("freqtrade", reason="freqtrade is not installed (pip install -e '.[freqtrade]')")

import ccxt  # noqa: E402

import ccxt_paradex  # noqa: E402
import ccxt_paradex.freqtrade as integration  # noqa: E402
from ccxt_paradex.core import keys  # noqa: E402
from ccxt_paradex.sim.thread import SimulatorThread  # noqa: E402

KEY = "0x" + "7f" * 32
PAIR = "BTC/USD:USDC"


def _config(tmp_path, urls):
    from freqtrade.enums import CandleType, RunMode
    pricing = {"price_side": "same", "use_order_book": True, "order_book_top": 1}
    return {
        "trading_mode": "futures", "margin_mode": "cross", "stake_currency": "USD", "dry_run": False,
        "datadir": tmp_path / "data", "user_data_dir": tmp_path, "timeframe": "5m",
        "runmode": RunMode.LIVE, "candle_type_def": CandleType.FUTURES,
        "entry_pricing": dict(pricing), "exit_pricing": dict(pricing),
        "order_types": {"entry": "limit", "exit": "limit", "stoploss": "market", "stoploss_on_exchange": False},
        "order_time_in_force": {"entry": "GTC", "exit": "GTC"},
        "exchange": {"name": "paradex", "private_key": KEY, "wallet_address": keys.eth_address(KEY),
                     "pair_whitelist": [PAIR], "ccxt_config": {"urls": urls}, "ccxt_async_config": {"urls": urls}},
    }


def test_freqtrade_trades_paradex_futures_through_ccxt_paradex(tmp_path):
    from freqtrade.resolvers.exchange_resolver import ExchangeResolver
    with SimulatorThread(seed=5) as sim:
        integration.install()
        try:
            ex = ExchangeResolver.load_exchange(_config(tmp_path, sim.ccxt_urls()))
            assert type(ex).__name__ == "Paradex" and type(ex._api).__module__ == "ccxt_paradex.paradex"
            assert ex.get_balances()["USD"]["free"] == pytest.approx(100_000)  # the stake, looked up as USD
            ticker = ex.fetch_ticker(PAIR)
            order = ex.create_order(pair=PAIR, ordertype="market", side="buy", amount=0.01, rate=ticker["ask"], leverage=2.0)
            deadline = time.monotonic() + 5
            while ex.fetch_order(order["id"], PAIR)["status"] != "closed" and time.monotonic() < deadline:
                time.sleep(0.05)
            since = datetime.datetime.fromtimestamp(order["timestamp"] / 1000 - 5, tz=datetime.timezone.utc)
            trades = ex.get_trades_for_order(order["id"], PAIR, since)
            assert trades and sum(t["amount"] for t in trades) == pytest.approx(0.01)
            for t in trades:  # fees in USDC on a USD-quoted market: a rate without unknown_fee_rate
                assert t["fee"]["currency"] == "USDC"
                assert ex.calculate_fee_rate(t["fee"], PAIR, t["cost"], t["amount"]) == pytest.approx(t["fee"]["cost"] / t["cost"], rel=1e-6)
            assert [(p["symbol"], p["contracts"]) for p in ex.fetch_positions()] == [(PAIR, 0.01)]
            stop = ex.create_stoploss(pair=PAIR, amount=0.01, stop_price=ticker["bid"] * 0.9,
                                      order_types={"stoploss": "market"}, side="sell", leverage=2.0)
            assert stop["status"] == "open" and stop["triggerPrice"] == pytest.approx(float(ex._api.price_to_precision(PAIR, ticker["bid"] * 0.9)))
        finally:
            integration.uninstall()
    assert ccxt.paradex is not ccxt_paradex.paradex and not hasattr(__import__("freqtrade.exchange").exchange, "Paradex")
