"""A reduce-only order bigger than the position it reduces, through the sync exchange: it trades only the
position's size, and every row the simulator gives of it (REST /orders and /orders-history, the orders and fills
channels' payloads, the fills) agrees with the fills it made: filled = size - remaining_size = the sum of its fills.
The part beyond the position is cancelled (CLOSED, REDUCE_ONLY_WILL_INCREASE); the order keeps its signed size."""
from decimal import Decimal

import pytest

import ccxt_paradex
from ccxt_paradex.core import keys

SIM_OPTIONS = dict(seed=61, tick_interval=0, summary_interval=0, funding_interval=0, algo_interval=0,
                   check_responses=True)
L1_KEY = "0x" + "3d" * 32
S = "BTC/USD:USDC"
M = "BTC-USD-PERP"


@pytest.fixture(autouse=True)
def quoted(sim):
    """A full maker ladder around the mark for each test (no background ticks re-quote it)."""
    sim.thread.call(sim.liquidity.quote, M)


def _listen(sim):
    """Every order and fill event of real accounts from now on: {order id: [("order"|"fill", payload), ...]}."""
    seen: dict = {}

    def listener(kind, market, payload):
        if kind == "order":
            seen.setdefault(payload["id"], []).append(("order", dict(payload)))
        elif kind == "fill":
            seen.setdefault(payload["order_id"], []).append(("fill", dict(payload)))
    sim.thread.call(sim.engine.listeners.append, listener)
    return seen


def _rows_agree_with_fills(events):
    """Each order update and fill, in event order: size - remaining_size is the sum of the fills so far."""
    traded = Decimal(0)
    for kind, row in events:
        if kind == "fill":
            traded += Decimal(row["size"])
            order_size = None
        else:
            order_size = Decimal(row["size"])
        remaining = Decimal(row["remaining_size"])
        if order_size is not None:
            assert order_size - remaining == traded, (row, traded)
    return traded


def _position(ex):
    rows = [p for p in ex.fetch_positions([S]) if p["contracts"]]
    return Decimal(str(rows[0]["contracts"])) * (1 if rows[0]["side"] == "long" else -1) if rows else Decimal(0)


def _fills_of(ex, order_id):
    return [t for t in ex.fetch_my_trades(S, None, 200) if t["order"] == order_id]


def _other(sim, key):
    other = ccxt_paradex.paradex({"walletAddress": keys.eth_address(key), "privateKey": key, "urls": sim.ccxt_urls()})
    other.load_markets()
    return other


def test_an_oversized_reduce_only_market_order_fills_the_position_and_says_so(sim, ex):
    ex.create_order(S, "market", "buy", 0.004)
    held = _position(ex)
    assert held == Decimal("0.004")
    seen = _listen(sim)
    placed = ex.create_order(S, "market", "sell", 0.01, None, {"reduceOnly": True})
    order = ex.fetch_order(placed["id"], S)
    fills = _fills_of(ex, placed["id"])
    assert sum(Decimal(str(f["amount"])) for f in fills) == held == Decimal(str(order["filled"]))
    assert (order["amount"], order["remaining"], order["status"]) == (0.01, 0.006, "canceled")
    assert order["info"]["cancel_reason"] == "REDUCE_ONLY_WILL_INCREASE" and _position(ex) == 0
    assert _rows_agree_with_fills(seen[placed["id"]]) == held
    # the history row says the same as the single-order read
    history = [o for o in ex.fetch_closed_orders(S) + ex.fetch_canceled_orders(S) if o["id"] == placed["id"]]
    assert {(o["filled"], o["remaining"]) for o in history} == {(0.004, 0.006)}
    assert sim.contract.answers == [], sim.contract.answers


def test_an_oversized_resting_reduce_only_order_trades_only_the_position(sim, ex):
    ex.create_order(S, "market", "buy", 0.004)
    held = _position(ex)
    assert held == Decimal("0.004")
    book = ex.fetch_order_book(S)
    market = ex.market(S)
    above = book["asks"][0][0] - market["precision"]["price"]  # rests as the best ask, above every bid
    seen = _listen(sim)
    placed = ex.create_order(S, "limit", "sell", 0.01, above, {"reduceOnly": True})
    resting = ex.fetch_order(placed["id"], S)
    assert (resting["status"], resting["amount"], resting["filled"], resting["remaining"]) == ("open", 0.01, 0, 0.01)
    taker = _other(sim, "0x" + "3e" * 32)
    assert above > book["bids"][0][0]
    taker.create_order(S, "limit", "buy", 0.01, above, {"timeInForce": "IOC"})  # takes what the order offers
    order = ex.fetch_order(placed["id"], S)
    fills = _fills_of(ex, placed["id"])
    assert sum(Decimal(str(f["amount"])) for f in fills) == held == Decimal(str(order["filled"]))
    assert (order["status"], order["remaining"]) == ("canceled", 0.006) and _position(ex) == 0
    assert order["info"]["cancel_reason"] == "REDUCE_ONLY_WILL_INCREASE"
    assert _rows_agree_with_fills(seen[placed["id"]]) == held
    assert sim.contract.answers == [], sim.contract.answers


def test_a_reduce_only_stop_that_triggers_after_the_position_closed_opens_nothing(sim, ex):
    ex.create_order(S, "market", "buy", 0.004)
    mark = sim.thread.call(lambda: sim.engine.mark[M])
    trigger = float((mark * Decimal("0.9")).quantize(Decimal("0.1")))
    stop = ex.create_order(S, "market", "sell", 0.004, None, {"stopLossPrice": trigger, "reduceOnly": True})
    ex.create_order(S, "market", "sell", 0.004, None, {"reduceOnly": True})  # flat before the stop triggers
    assert _position(ex) == 0
    sim.thread.call(sim.engine.set_mark, M, Decimal(str(trigger)) - 100)
    order = ex.fetch_order(stop["id"], S)
    assert (order["status"], order["filled"], order["info"]["cancel_reason"]) == ("canceled", 0, "REDUCE_ONLY_WILL_INCREASE")
    assert _position(ex) == 0 and _fills_of(ex, stop["id"]) == []
