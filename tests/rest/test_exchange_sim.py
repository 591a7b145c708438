"""ccxt_paradex.paradex (sync) against the simulator: every unified method's output passes ccxt's validators."""
import ccxt
import pytest
import ccxt.test.exchange.base as v


L1_KEY = "0x" + "6b" * 32
SKIP = {}


SIM_OPTIONS = dict(seed=11, tick_interval=0.05, initial_balance="50000")  # (the sim and ex fixtures: conftest.py)


def _now(ex):
    return ex.milliseconds()


def test_is_a_ccxt_exchange(ex):
    assert isinstance(ex, ccxt.Exchange) and ex.id == "paradex"
    assert ex.has["createOrders"] and ex.has["fetchOHLCV"] and not ex.has["withdraw"]


def test_has_flags_and_option_keys_cover_the_builtins():
    """Everything ccxt's built-in declares (has True, an options key), ours declares too (sync, async, pro)."""
    import ccxt.async_support
    import ccxt.pro

    import ccxt_paradex.async_support
    import ccxt_paradex.pro
    for ours_cls, theirs_cls in ((ccxt_paradex.paradex, ccxt.paradex),
                                 (ccxt_paradex.async_support.paradex, ccxt.async_support.paradex),
                                 (ccxt_paradex.pro.paradex, ccxt.pro.paradex)):
        ours, theirs = ours_cls(), theirs_cls()  # no session opened: nothing to close
        assert not sorted(k for k, v in theirs.has.items() if v and not ours.has.get(k)), ours_cls
        assert not sorted(set(theirs.options) - set(ours.options)), ours_cls


def test_public_methods_pass_ccxt_validators(ex):
    now = _now(ex)
    assert abs(ex.fetch_time() - now) < 5000
    v.test_status(ex, SKIP, "fetchStatus", ex.fetch_status(), now)
    for market in ex.markets.values():
        v.test_market(ex, SKIP, "fetchMarkets", market)
    symbol = "BTC/USD:USDC"
    v.test_ticker(ex, SKIP, "fetchTicker", ex.fetch_ticker(symbol), symbol)
    tickers = ex.fetch_tickers(["BTC/USD:USDC", "ETH/USD:USDC"])
    assert set(tickers) == {"BTC/USD:USDC", "ETH/USD:USDC"}
    book = ex.fetch_order_book(symbol, 5)
    v.test_order_book(ex, SKIP, "fetchOrderBook", book, symbol)
    assert len(book["bids"]) == 5 and len(book["asks"]) == 5
    for trade in ex.fetch_trades(symbol, limit=10):
        v.test_trade(ex, SKIP, "fetchTrades", trade, symbol, now, True)
    candles = ex.fetch_ohlcv(symbol, "1m", limit=30)
    assert len(candles) >= 29
    for c in candles:
        v.test_ohlcv(ex, SKIP, "fetchOHLCV", c, symbol, now)
    assert ex.fetch_mark_ohlcv(symbol, "5m", limit=10)
    rate = ex.fetch_funding_rate(symbol)
    assert rate["symbol"] == symbol and rate["fundingRate"] is not None
    assert set(ex.fetch_funding_rates(["ETH/USD:USDC"])) == {"ETH/USD:USDC"}
    for entry in ex.fetch_funding_rate_history(symbol, limit=5):
        v.test_funding_rate_history(ex, SKIP, "fetchFundingRateHistory", entry, symbol)
    v.test_open_interest(ex, SKIP, "fetchOpenInterest", ex.fetch_open_interest(symbol))


def test_trading_round_trip(ex, sim):
    symbol = "ETH/USD:USDC"
    now = _now(ex)
    bid = ex.fetch_order_book(symbol)["bids"][0][0]
    low = float(ex.price_to_precision(symbol, bid * 0.9))
    order = ex.create_order(symbol, "limit", "buy", 0.01, low, {"clientOrderId": "ccxtp-1", "postOnly": True})
    v.test_order(ex, SKIP, "createOrder", order, symbol, now)
    assert order["clientOrderId"] == "ccxtp-1" and order["postOnly"] is True
    edited = ex.edit_order(order["id"], symbol, price=low - 1)
    assert edited["price"] == low - 1 and edited["amount"] == 0.01
    open_orders = ex.fetch_open_orders(symbol)
    assert [o["id"] for o in open_orders] == [order["id"]]
    for o in open_orders:
        v.test_order(ex, SKIP, "fetchOpenOrders", o, symbol, now)
    fetched = ex.fetch_order(order["id"], symbol)
    assert fetched["status"] == "open" and fetched["price"] == low - 1
    ex.cancel_order(None, symbol, {"clientOrderId": "ccxtp-1"})
    assert ex.fetch_open_orders(symbol) == []
    closed = ex.fetch_order(order["id"], symbol)  # found in the history
    assert closed["status"] == "canceled"

    ex.create_order(symbol, "market", "buy", 0.05)
    positions = ex.fetch_positions([symbol])
    assert len(positions) == 1 and positions[0]["contracts"] == 0.05 and positions[0]["side"] == "long"
    v.test_position(ex, SKIP, "fetchPositions", positions[0], symbol, now)
    trades = ex.fetch_my_trades(symbol)
    assert trades and sum(t["amount"] for t in trades) == pytest.approx(0.05)
    for t in trades:
        v.test_trade(ex, SKIP, "fetchMyTrades", t, symbol, now, False)
    balance = ex.fetch_balance()
    v.test_balance(ex, SKIP, "fetchBalance", balance)
    assert 0 < balance["USDC"]["total"] < 50000

    batch = [{"symbol": symbol, "type": "limit", "side": "buy", "amount": 0.01, "price": low - i} for i in range(12)]
    created = ex.create_orders(batch)
    assert len(created) == 12 and all(o["id"] for o in created)
    canceled = ex.cancel_orders([o["id"] for o in created[:3]])
    assert len(canceled) == 3
    ex.cancel_all_orders(symbol)
    assert ex.fetch_open_orders(symbol) == []
    history = ex.fetch_orders(symbol, params={"paginate": True})
    assert len(history) >= 14
    assert all(o["status"] in ("closed", "canceled") for o in ex.fetch_closed_orders(symbol) + ex.fetch_canceled_orders(symbol))


def test_account_methods(ex):
    symbol = "ETH/USD:USDC"
    ex.set_leverage(5, symbol)
    leverage = ex.fetch_leverage(symbol)
    assert leverage["longLeverage"] == 5
    v.test_margin_mode(ex, SKIP, "fetchMarginMode", ex.fetch_margin_mode(symbol))
    fees = ex.fetch_trading_fees()
    v.test_trading_fee(ex, SKIP, "fetchTradingFees", symbol, fees[symbol])
    transfers = ex.fetch_transfers()
    assert transfers and transfers[0]["amount"] == 50000
    for t in transfers:
        v.test_transfer(ex, SKIP, "fetchTransfers", t, None)
    deposits = ex.fetch_deposits()
    assert len(deposits) == 1 and deposits[0]["type"] == "deposit"
    assert ex.fetch_withdrawals() == []
    accounts = ex.fetch_accounts()
    assert accounts[0]["type"] == "main"


def test_invalid_input_raises_before_sending(ex):
    sent = []
    original = ex.fetch
    ex.fetch = lambda *a, **k: sent.append(a) or original(*a, **k)
    try:
        with pytest.raises(ccxt.BadSymbol):
            ex.create_order("NOPE/USD:USDC", "limit", "buy", 1, 1)
        with pytest.raises(ccxt.InvalidOrder):
            ex.create_order("ETH/USD:USDC", "limit", "hold", 1, 1)
        with pytest.raises(ccxt.InvalidOrder):
            ex.create_order("ETH/USD:USDC", "fok", "buy", 1, 1)
        with pytest.raises(ccxt.InvalidOrder):
            ex.create_order("ETH/USD:USDC", "limit", "buy", -1, 1000)
        with pytest.raises(ccxt.InvalidOrder):
            ex.create_order("ETH/USD:USDC", "limit", "buy", 0.00001, 1000)  # truncates to 0 at the 0.0001 step
        with pytest.raises(ccxt.ArgumentsRequired):
            ex.create_order("ETH/USD:USDC", "limit", "buy", 1)
    finally:
        ex.fetch = original
    assert sent == []


def test_venue_errors_map_to_ccxt_exceptions(ex):
    with pytest.raises(ccxt.OrderNotFound):
        ex.fetch_order("123456789", "ETH/USD:USDC")
    with pytest.raises(ccxt.InvalidOrder):
        ex.create_order("ETH/USD:USDC", "limit", "buy", 0.0001, 1000)  # below min notional at the venue


def test_remaining_unified_methods(ex):
    symbol = "BTC/USD:USDC"
    now = _now(ex)
    currencies = ex.fetch_currencies()
    assert currencies["USDC"]["deposit"] is True and currencies["BTC"]["deposit"] is False
    for currency in currencies.values():
        v.test_currency(ex, SKIP, "fetchCurrencies", currency)
    bids_asks = ex.fetch_bids_asks([symbol])
    assert set(bids_asks) == {symbol} and bids_asks[symbol]["bid"] < bids_asks[symbol]["ask"]
    v.test_trading_fee(ex, SKIP, "fetchTradingFee", symbol, ex.fetch_trading_fee(symbol))
    interactive = ex.fetch_order_book(symbol, 3, {"interactive": True})
    v.test_order_book(ex, SKIP, "fetchOrderBook", interactive, symbol)
    assert len(interactive["bids"]) == 3
    assert ex.fetch_index_ohlcv(symbol, "1m", limit=5)
    funding = ex.fetch_funding_history(symbol)
    assert isinstance(funding, list) and all(f["symbol"] == symbol and f["code"] == "USDC" for f in funding)
    assert ex.fetch_my_liquidations() == []
    position = ex.fetch_position("SOL/USD:USDC")
    assert position["contracts"] == 0 and position["symbol"] == "SOL/USD:USDC"
    assert ex.fetch_margin_mode(symbol)["marginMode"] == "cross"
    for m in ("fetchDeposits", "fetchWithdrawals"):
        for tx in getattr(ex, m)():
            # network None as ccxt's built-in: Paradex names no unified network (info['external_chain'] does)
            v.test_deposit_withdrawal(ex, {"network": True}, m, tx, None, now)
            assert tx["network"] is None and tx["txid"] == tx["info"]["txn_hash"]


def test_summary_derived_methods(ex, sim):
    """fetchOpenInterests, fetchLastPrices, fetchMarkPrice(s), fetchFundingInterval(s): one summary call each."""
    symbols = ["BTC/USD:USDC", "ETH/USD:USDC"]
    interests = ex.fetch_open_interests(symbols)
    assert sorted(interests) == symbols
    for entry in interests.values():
        v.test_open_interest(ex, SKIP, "fetchOpenInterests", entry)
    every = ex.fetch_open_interests()
    assert sorted(every) == sorted(ex.symbols)
    prices = ex.fetch_last_prices(symbols)
    assert sorted(prices) == symbols
    for symbol, entry in prices.items():
        v.test_last_price(ex, SKIP, "fetchLastPrices", entry, symbol)
        recent = {float(t["price"]) for t in list(sim.engine.trades[ex.market_id(symbol)])[-200:]}  # makers keep trading
        assert entry["price"] in recent
    mark = ex.fetch_mark_price("SOL/USD:USDC")
    v.test_ticker(ex, SKIP, "fetchMarkPrice", mark, "SOL/USD:USDC")
    assert mark["markPrice"] > 0 and sorted(ex.fetch_mark_prices(symbols)) == symbols
    interval = ex.fetch_funding_interval("BTC/USD:USDC")
    assert interval["symbol"] == "BTC/USD:USDC" and interval["interval"] == "8h"
    assert sorted(ex.fetch_funding_intervals(symbols)) == symbols
    sent, fetch = [], ex.fetch
    ex.fetch = lambda url, *a, **k: sent.append(url.split("/v1/")[1]) or fetch(url, *a, **k)
    try:
        for call in (ex.fetch_open_interests, ex.fetch_last_prices, ex.fetch_mark_prices, ex.fetch_funding_intervals):
            sent.clear()
            call(symbols)
            assert sent == ["markets/summary?market=ALL"], (call.__name__, sent)
    finally:
        ex.fetch = fetch


def test_edit_a_stop_order_keeps_or_moves_its_trigger(ex):
    symbol = "BTC/USD:USDC"
    bid = ex.fetch_order_book(symbol, 1)["bids"][0][0]
    price = lambda f: float(ex.price_to_precision(symbol, bid * f))  # noqa: E731
    stop = ex.create_order(symbol, "limit", "sell", 0.001, price(0.9), {"triggerPrice": price(0.95)})
    assert stop["triggerPrice"] == price(0.95)
    moved = ex.edit_order(stop["id"], symbol, price=price(0.89))  # the trigger comes from the live order
    assert (moved["price"], moved["triggerPrice"]) == (price(0.89), price(0.95))
    both = ex.edit_order(stop["id"], symbol, price=price(0.88), params={"triggerPrice": price(0.94)})
    assert (both["price"], both["triggerPrice"]) == (price(0.88), price(0.94))
    ex.cancel_order(stop["id"], symbol)


def test_fetch_order_trades_returns_that_orders_fills_only(ex):
    symbol = "SOL/USD:USDC"
    first = ex.create_order(symbol, "market", "buy", 2)
    second = ex.create_order(symbol, "market", "sell", 1)
    for order, amount in ((first, 2), (second, 1)):
        fills = ex.fetch_order_trades(order["id"], symbol)
        assert fills and {t["order"] for t in fills} == {order["id"]}
        assert sum(t["amount"] for t in fills) == pytest.approx(amount)
        assert sorted(t["id"] for t in fills) == sorted(t["id"] for t in ex.fetch_my_trades(symbol) if t["order"] == order["id"])
    with pytest.raises(ccxt.ArgumentsRequired):
        ex.fetch_order_trades(first["id"])


def test_ohlcv_beyond_one_request(ex):
    symbol, now = "BTC/USD:USDC", _now(ex)
    since = now - 1300 * 60_000
    assert len(ex.fetch_ohlcv(symbol, "1m", since, 1300)) == 1000  # one request: the venue's cap
    candles = ex.fetch_ohlcv(symbol, "1m", since, None, {"paginate": True})
    stamps = [c[0] for c in candles]
    assert len(candles) >= 1299 and stamps == sorted(set(stamps)) and stamps[0] >= since - 60_000
    assert all(b - a == 60_000 for a, b in zip(stamps, stamps[1:]))  # no window lost or doubled at the seams


def test_ledger_walks_back_to_the_current_balance(ex):
    now = _now(ex)
    symbol = "SOL/USD:USDC"
    ex.create_order(symbol, "market", "buy", 1)
    ex.create_order(symbol, "market", "sell", 1)  # closes: realized PnL plus two fees
    ledger = ex.fetch_ledger()
    for entry in ledger:
        v.test_ledger_entry(ex, SKIP, "fetchLedger", entry, "USDC", now)
    assert ledger[0]["type"] == "transaction" and ledger[0]["before"] == 0 and ledger[0]["amount"] == 50000
    for a, b in zip(ledger, ledger[1:]):
        assert a["after"] == pytest.approx(b["before"], abs=1e-9)
        assert a["timestamp"] <= b["timestamp"]
    for e in ledger:
        sign = 1 if e["direction"] == "in" else -1
        assert e["after"] == pytest.approx(e["before"] + sign * e["amount"], abs=1e-9)
    assert ledger[-1]["after"] == pytest.approx(ex.fetch_balance()["USDC"]["total"], abs=1e-9)
    assert {"fee", "trade", "transaction"} <= {e["type"] for e in ledger}
    assert ex.fetch_ledger("BTC") == [] and len(ex.fetch_ledger(limit=2)) == 2
