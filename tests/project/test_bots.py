"""What bots rely on (issue 17): ccxt ``features`` checked against behaviour, fill times on orders."""
import ccxt
import pytest

import ccxt_paradex

L1_KEY = "0x" + "4d" * 32
SYMBOL = "ETH/USD:USDC"


SIM_OPTIONS = dict(seed=23, tick_interval=0.05, initial_balance="50000", funding_interval=0)  # (sim, ex: conftest.py)


class Sent:
    """The requests an exchange sends inside the block: (method, path without /v1/, query or body)."""

    def __init__(self, ex):
        self.ex, self.calls = ex, []

    def __enter__(self):
        original = self.original = self.ex.fetch

        def fetch(url, method="GET", headers=None, body=None):
            self.calls.append((method, url.split("/v1/", 1)[1].split("?")[0], body))
            return original(url, method, headers, body)
        self.ex.fetch = fetch
        return self.calls

    def __exit__(self, *exc):
        self.ex.fetch = self.original


def _far_price(ex, factor):
    mark = ex.fetch_ticker(SYMBOL)["markPrice"]  # the book can be briefly empty on one side; the mark never is
    return float(ex.price_to_precision(SYMBOL, mark * factor))


# ---- one check per declared capability -------------------------------------------------------------
def check_sandbox(ex, sim):
    other = ccxt_paradex.paradex()
    other.set_sandbox_mode(True)
    assert "testnet" in other.urls["api"]["v1"]


def check_trigger_price(ex, sim):
    low, trigger = _far_price(ex, 0.8), _far_price(ex, 0.85)
    order = ex.create_order(SYMBOL, "limit", "buy", 0.01, low, {"triggerPrice": trigger})
    assert order["triggerPrice"] == trigger and order["info"]["type"] == "STOP_LIMIT"
    ex.cancel_order(order["id"], SYMBOL)


def check_trigger_direction(ex, sim):
    order = ex.create_order(SYMBOL, "market", "buy", 0.01, None,
                            {"triggerPrice": _far_price(ex, 1.3), "triggerDirection": "above"})
    assert order["info"]["flags"] == ["STOP_CONDITION_ABOVE_TRIGGER"]
    ex.cancel_order(order["id"], SYMBOL)


def _with_position(ex):
    ex.create_order(SYMBOL, "market", "buy", 0.02)


def check_stop_loss_price(ex, sim):
    _with_position(ex)
    trigger = _far_price(ex, 0.7)
    order = ex.create_order(SYMBOL, "market", "sell", 0.01, None, {"stopLossPrice": trigger})
    assert order["stopLossPrice"] == trigger and order["reduceOnly"] is True
    ex.cancel_order(order["id"], SYMBOL)


def check_take_profit_price(ex, sim):
    _with_position(ex)
    high, trigger = _far_price(ex, 1.4), _far_price(ex, 1.3)
    order = ex.create_order(SYMBOL, "limit", "sell", 0.01, high, {"takeProfitPrice": trigger})
    assert order["takeProfitPrice"] == trigger and order["info"]["type"] == "TAKE_PROFIT_LIMIT"
    ex.cancel_order(order["id"], SYMBOL)


def check_tif_ioc(ex, sim):
    order = ex.create_order(SYMBOL, "limit", "buy", 0.01, _far_price(ex, 0.8), {"timeInForce": "IOC"})
    assert order["timeInForce"] == "IOC"
    assert ex.fetch_order(order["id"])["status"] == "canceled"  # the unfilled remainder of an IOC


def check_tif_po(ex, sim):
    order = ex.create_order(SYMBOL, "limit", "buy", 0.01, _far_price(ex, 0.8), {"postOnly": True})
    assert order["postOnly"] is True and order["timeInForce"] == "PO"
    crossing = ex.create_order(SYMBOL, "limit", "buy", 0.01, _far_price(ex, 1.02), {"timeInForce": "PO"})  # (in the band)
    assert ex.fetch_order(crossing["id"])["info"]["cancel_reason"] == "POST_ONLY_WOULD_CROSS"
    ex.cancel_order(order["id"], SYMBOL)


def check_tif_gtc(ex, sim):
    order = ex.create_order(SYMBOL, "limit", "buy", 0.01, _far_price(ex, 0.8), {"timeInForce": "GTC"})
    assert order["timeInForce"] == "GTC" and ex.fetch_order(order["id"])["status"] == "open"
    ex.cancel_order(order["id"], SYMBOL)


def check_self_trade_prevention(ex, sim):
    order = ex.create_order(SYMBOL, "limit", "buy", 0.01, _far_price(ex, 0.8), {"selfTradePrevention": "expire_both"})
    assert order["info"]["stp"] == "EXPIRE_BOTH"
    ex.cancel_order(order["id"], SYMBOL)


def check_reduce_only(ex, sim):  # not a features key, but the task names it: a flag that really reaches the venue
    _with_position(ex)
    order = ex.create_order(SYMBOL, "market", "sell", 0.01, None, {"reduceOnly": True})
    assert order["reduceOnly"] is True and order["info"]["flags"] == ["REDUCE_ONLY"]


def check_create_orders_max(ex, sim):
    price = _far_price(ex, 0.8)
    with Sent(ex) as sent:
        created = ex.create_orders([{"symbol": SYMBOL, "type": "limit", "side": "buy", "amount": 0.01,
                                     "price": price - i * 0.01} for i in range(10)])
    assert [c[:2] for c in sent] == [("POST", "orders/batch")] and len(created) == 10
    ex.cancel_all_orders(SYMBOL)


def _history_limit(method):
    def check(ex, sim):
        limit = ex.features["swap"]["linear"][method]["limit"]
        with Sent(ex) as sent:
            getattr(ex, ex.un_camel_case(method))(None, None, limit)  # symbolRequired False: no symbol
        assert len(sent) == 1 and "page_size=%d" % limit in ex.last_request_url  # one request at that page size
    return check


def check_symbol_not_required(ex, sim):
    ex.fetch_open_orders()
    order = ex.create_order(SYMBOL, "market", "buy", 0.01)
    assert ex.fetch_order(order["id"])["id"] == order["id"]


def check_open_orders_no_limit(ex, sim):
    price = _far_price(ex, 0.8)
    ids = [ex.create_order(SYMBOL, "limit", "buy", 0.01, price - i * 0.01)["id"] for i in range(3)]
    with Sent(ex) as sent:
        assert {o["id"] for o in ex.fetch_open_orders()} >= set(ids)
    assert len(sent) == 1
    ex.cancel_all_orders(SYMBOL)


def _ohlcv_cap(kind):
    def check(ex, sim):
        cap = ex.features["swap"]["linear"]["fetchOHLCV"][kind]
        method = {"limit": ex.fetch_ohlcv, "mark": ex.fetch_mark_ohlcv, "index": ex.fetch_index_ohlcv}[kind]
        since = ex.milliseconds() - 1300 * 60_000
        with Sent(ex) as sent:
            assert len(method(SYMBOL, "1m", since, cap + 300)) == cap  # one request, capped
        assert len(sent) == 1
        assert len(method(SYMBOL, "1m", since, cap // 2)) == cap // 2
    return check


def check_ohlcv_paginate(ex, sim):
    since = ex.milliseconds() - 1300 * 60_000
    assert len(ex.fetch_ohlcv(SYMBOL, "1m", since, None, {"paginate": True})) >= 1299


def check_symbol_required(ex, sim):
    with pytest.raises(TypeError):
        ex.create_order()  # no symbol: not a default argument of createOrder / createOrders / fetchOHLCV
    with pytest.raises(TypeError):
        ex.fetch_ohlcv()


CHECKS = {
    "sandbox": check_sandbox,
    "createOrder.triggerPrice": check_trigger_price,
    "createOrder.triggerDirection": check_trigger_direction,
    "createOrder.stopLossPrice": check_stop_loss_price,
    "createOrder.takeProfitPrice": check_take_profit_price,
    "createOrder.timeInForce.IOC": check_tif_ioc,
    "createOrder.timeInForce.PO": check_tif_po,
    "createOrder.timeInForce.GTC": check_tif_gtc,
    "createOrder.selfTradePrevention": check_self_trade_prevention,
    "createOrder.symbolRequired": check_symbol_required,
    "createOrders.max": check_create_orders_max,
    "createOrders.symbolRequired": check_symbol_required,
    "fetchMyTrades.limit": _history_limit("fetchMyTrades"),
    "fetchOrders.limit": _history_limit("fetchOrders"),
    "fetchClosedOrders.limit": _history_limit("fetchClosedOrders"),
    "fetchCanceledOrders.limit": _history_limit("fetchCanceledOrders"),
    "fetchOHLCV.limit": _ohlcv_cap("limit"),
    "fetchOHLCV.mark": _ohlcv_cap("mark"),
    "fetchOHLCV.index": _ohlcv_cap("index"),
    "fetchOHLCV.paginate": check_ohlcv_paginate,
    "fetchOHLCV.symbolRequired": check_symbol_required,
    "fetchOpenOrders.limit": check_open_orders_no_limit,
}
# daysBack / untilDays / daysBackCanceled: no retention limit is documented; the walks accept any since/until
OPEN_ENDED = {"daysBack", "untilDays", "daysBackCanceled"}


def _leaves(tree, prefix=""):
    for key, value in tree.items():
        path = prefix + key
        if isinstance(value, dict):
            yield from _leaves(value, path + ".")
        else:
            yield path, value


def test_features_are_at_least_as_complete_as_the_builtins():
    ours = dict(_leaves(ccxt_paradex.paradex().features["swap"]["linear"]))
    builtin = dict(_leaves(ccxt.paradex().features["swap"]["linear"]))
    missing = [p for p, value in builtin.items() if p not in ours and not (value is None and any(
        q.startswith(p + ".") for q in ours))]  # the built-in's None blocks (fetchClosedOrders) we fill in
    assert missing == []  # before: features was {}
    assert ours["fetchOHLCV.limit"] == 1000 and ours["fetchMyTrades.symbolRequired"] is False


def test_every_declared_capability_has_a_check():
    declared = dict(_leaves(ccxt_paradex.paradex().features["swap"]["linear"]))
    for path, value in declared.items():
        if path.rsplit(".", 1)[-1] in OPEN_ENDED:
            assert value == 100000, path
        elif value not in (False, None) and not (path.endswith(".symbolRequired") and value is False):
            assert path in CHECKS, path + " is declared but never checked"


@pytest.mark.parametrize("path", sorted(CHECKS))
def test_declared_capability_is_real(ex, sim, path):
    CHECKS[path](ex, sim)


def test_symbol_not_required_where_declared(ex, sim):
    declared = dict(_leaves(ex.features["swap"]["linear"]))
    for path, value in declared.items():
        if path.endswith(".symbolRequired") and value is False:
            method = path.split(".")[0]
            if method in ("fetchOrder", "fetchOpenOrders"):
                continue
            getattr(ex, ex.un_camel_case(method))()  # no ArgumentsRequired
    check_symbol_not_required(ex, sim)


def test_undeclared_time_in_force_and_reduce_only(ex, sim):
    tif = ex.features["swap"]["linear"]["createOrder"]["timeInForce"]
    for name in ("FOK", "GTD"):
        assert tif[name] is False
        price = _far_price(ex, 0.8)
        with Sent(ex) as sent, pytest.raises(ccxt.InvalidOrder):
            ex.create_order(SYMBOL, "limit", "buy", 0.01, price, {"timeInForce": name})
        assert sent == []  # refused before anything is sent
    check_reduce_only(ex, sim)


# ---- lastTradeTimestamp -------------------------------------------------------------------------
ORDER = {"id": "1", "market": "BTC-USD-PERP", "side": "BUY", "type": "LIMIT", "size": "0.05", "price": "26000",
         "instruction": "GTC", "flags": [], "created_at": 1681493746016, "last_updated_at": 1681493799999}


@pytest.mark.parametrize("status,remaining,reason,expected", [
    ("CLOSED", "0", "", 1681493799999),              # filled: closed at its last fill
    ("CLOSED", "0.02", "", 1681493799999),           # a market order's filled part, the rest found no liquidity
    ("CLOSED", "0.02", "USER_CANCELED", None),       # its last update is the cancel, not a trade
    ("CLOSED", "0.05", "USER_CANCELED", None),
    ("OPEN", "0.02", "", None),                      # the last update may be a modify
    ("NEW", "0.05", "", None),
])
def test_last_trade_timestamp_from_last_updated_at(status, remaining, reason, expected):
    ex = ccxt_paradex.paradex()
    order = ex.parse_order(dict(ORDER, status=status, remaining_size=remaining, cancel_reason=reason))
    assert order["lastTradeTimestamp"] == expected


def test_a_filled_order_carries_its_fill_time(ex, sim):
    order = ex.create_order(SYMBOL, "market", "buy", 0.01)
    fetched = ex.fetch_order(order["id"])
    fills = [t for t in ex.fetch_my_trades(SYMBOL, order["timestamp"]) if t["order"] == order["id"]]
    assert fetched["status"] == "closed" and fills
    assert 0 <= fetched["lastTradeTimestamp"] - max(t["timestamp"] for t in fills) <= 50  # before: None
    assert ex.fetch_closed_orders(SYMBOL, order["timestamp"])[0]["lastTradeTimestamp"] == fetched["lastTradeTimestamp"]
