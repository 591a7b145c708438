"""A market or IOC order bigger than the book, through the sync exchange: what the book held fills, the rest is
cancelled with a reason (Paradex closes an order it cannot fill with a cancel_reason code), so ccxt's status says
'canceled', not 'closed' (which a ccxt user reads as filled in full)."""
import pytest

import ccxt_paradex
from ccxt_paradex.core import keys

SIM_OPTIONS = dict(seed=83, liquidity=False, tick_interval=0, summary_interval=0, funding_interval=0,
                   algo_interval=0, check_responses=True)
L1_KEY = "0x" + "4e" * 32
MAKER_KEY = "0x" + "4f" * 32
S = "BTC/USD:USDC"


@pytest.fixture(scope="module")
def maker(sim):
    ex = ccxt_paradex.paradex({"walletAddress": keys.eth_address(MAKER_KEY), "privateKey": MAKER_KEY,
                               "urls": sim.ccxt_urls()})
    ex.load_markets()
    return ex


def _ask(maker, ex, amount):
    """One resting ask of ``amount`` at the mark: the whole ask side of the book."""
    price = float(ex.price_to_precision(S, float(maker.fetch_ticker(S)["markPrice"])))
    maker.create_order(S, "limit", "sell", amount, price)
    book = ex.fetch_order_book(S)
    assert book["asks"] == [[price, amount]]
    return price


def _closed(ex, order_id):
    """The order's row from the order history (a closed order is no longer one of /orders)."""
    return next(o for o in ex.fetch_orders(S) if o["id"] == order_id)


def test_a_market_order_beyond_the_books_depth_is_canceled_with_empty_market(sim, ex, maker):
    price = _ask(maker, ex, 0.03)
    order = _closed(ex, ex.create_order(S, "market", "buy", 0.1)["id"])
    assert (order["filled"], order["remaining"]) == (pytest.approx(0.03), pytest.approx(0.07))
    assert order["average"] == pytest.approx(price)
    assert order["info"]["status"] == "CLOSED" and order["info"]["cancel_reason"] == "EMPTY_MARKET"
    assert order["status"] == "canceled"  # not 'closed': 0.07 of it never traded
    assert sum(t["amount"] for t in ex.fetch_my_trades(S) if t["order"] == order["id"]) == pytest.approx(0.03)
    assert ex.fetch_order_book(S)["asks"] == []


def test_an_ioc_order_beyond_the_books_depth_is_canceled_with_its_remainder(sim, ex, maker):
    price = _ask(maker, ex, 0.02)
    order = _closed(ex, ex.create_order(S, "limit", "buy", 0.05, price * 1.01, {"timeInForce": "IOC"})["id"])
    assert (order["filled"], order["remaining"]) == (pytest.approx(0.02), pytest.approx(0.03))
    assert order["info"]["cancel_reason"] == "REMAINING_IOC_CANCEL" and order["status"] == "canceled"


def test_a_market_order_the_book_fills_in_full_is_closed(sim, ex, maker):
    _ask(maker, ex, 0.04)
    order = _closed(ex, ex.create_order(S, "market", "buy", 0.04)["id"])
    assert order["filled"] == pytest.approx(0.04) and order["remaining"] == 0
    assert order["info"]["cancel_reason"] == "" and order["status"] == "closed"
