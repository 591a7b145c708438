"""ccxt's own built-in paradex (unmodified, L1 credentials) trades against the simulator.

This proves the simulator speaks Paradex as ccxt understands it, not only our dialect.
"""
import ccxt
import pytest

from ccxt_paradex.core import keys
from ccxt_paradex.sim.thread import SimulatorThread

L1_KEY = "0x" + "5a" * 32


@pytest.fixture(scope="module")
def sim():
    with SimulatorThread(seed=7, tick_interval=0.05, initial_balance="50000") as sim:
        yield sim


@pytest.fixture(scope="module")
def exchange(sim):
    ex = ccxt.paradex({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY, "urls": sim.ccxt_urls(),
                       "enableRateLimit": False})
    ex.load_markets()
    return ex


def test_public_market_data(exchange):
    markets = exchange.markets
    assert {"BTC/USD:USDC", "ETH/USD:USDC", "SOL/USD:USDC"} <= set(markets)
    btc = markets["BTC/USD:USDC"]
    assert btc["swap"] and btc["precision"]["price"] == 0.1 and btc["limits"]["cost"]["min"] == 10
    ticker = exchange.fetch_ticker("BTC/USD:USDC")
    assert ticker["bid"] < ticker["ask"] and ticker["last"] > 0
    book = exchange.fetch_order_book("ETH/USD:USDC")
    assert book["bids"][0][0] < book["asks"][0][0] and book["nonce"] > 0
    assert all(b[0] > c[0] for b, c in zip(book["bids"], book["bids"][1:]))
    trades = exchange.fetch_trades("BTC/USD:USDC")
    assert trades and all(t["price"] > 0 and t["side"] in ("buy", "sell") for t in trades)
    candles = exchange.fetch_ohlcv("SOL/USD:USDC", "5m", limit=50)
    assert 40 <= len(candles) <= 51 and all(c[2] >= max(c[1], c[4]) and c[3] <= min(c[1], c[4]) for c in candles)
    rate = exchange.fetch_funding_rate("BTC/USD:USDC")
    assert rate["fundingRate"] is not None
    history = exchange.fetch_funding_rate_history("BTC/USD:USDC")
    assert history and history[0]["fundingRate"] is not None


def test_onboard_authenticate_trade(exchange, sim):
    account = exchange.retrieve_account()
    exchange.onboarding()
    assert account["address"] in sim.engine.accounts

    book = exchange.fetch_order_book("ETH/USD:USDC")
    low = round(book["bids"][0][0] * 0.9, 2)
    order = exchange.create_order("ETH/USD:USDC", "limit", "buy", 0.01, low)
    assert order["id"] and order["status"] == "open"  # NEW maps to open in ccxt
    open_orders = exchange.fetch_open_orders("ETH/USD:USDC")
    assert [o["id"] for o in open_orders] == [order["id"]]
    assert open_orders[0]["price"] == low and open_orders[0]["amount"] == 0.01
    exchange.cancel_order(order["id"])
    assert exchange.fetch_open_orders("ETH/USD:USDC") == []

    filled = exchange.create_order("ETH/USD:USDC", "market", "buy", 0.05)
    assert filled["id"]
    positions = exchange.fetch_positions(["ETH/USD:USDC"])
    assert len(positions) == 1 and positions[0]["contracts"] == 0.05 and positions[0]["side"] == "long"
    fills = exchange.fetch_my_trades("ETH/USD:USDC")
    assert fills and sum(f["amount"] for f in fills) == pytest.approx(0.05)
    assert all(f["order"] == filled["id"] for f in fills)
    balance = exchange.fetch_balance()
    assert 0 < balance["USDC"]["total"] < 50000  # taker fees were paid


def test_bad_signature_is_rejected(exchange, sim):
    exchange.authenticate_rest()
    request = exchange.create_order_request("ETH/USD:USDC", "limit", "buy", 0.01, 1000)
    request = exchange.sign_order_request(request)
    request["size"] = "0.02"  # signed for 0.01
    with pytest.raises(ccxt.AuthenticationError):  # ccxt maps INVALID_ORDER_SIGNATURE so
        exchange.privatePostOrders(request)
