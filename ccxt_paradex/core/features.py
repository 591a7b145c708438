"""``describe()['features']``: what the unified methods really accept, in ccxt's structure.

Frameworks read it to size requests and choose order types (freqtrade sizes candle downloads from
fetchOHLCV.limit, checks stop-loss support from createOrder). Every value is checked against the class's
behaviour on the simulator by tests/project/test_bots.py. ``limit`` of a history method is what ONE request
returns (Paradex's largest page); a larger ``limit``, or ``since``, walks pages (core/history.py).
daysBack/untilDays: Paradex documents no retention window and accepts ``until``, so they are as open as
ccxt's built-in declares (100000). Perp options are not declared: which order features Paradex accepts on
them is not documented.
"""
import copy

from .history import MAX_PAGE

_HISTORY = {"marginMode": False, "limit": MAX_PAGE, "daysBack": 100000, "untilDays": 100000, "symbolRequired": False}
_ORDERS = dict(_HISTORY, trigger=False, trailing=False)

FEATURES = {
    "spot": None,
    "forSwap": {
        "sandbox": True,
        "createOrder": {
            "marginMode": False,          # margin mode is per market (setMarginMode), not per order
            "triggerPrice": True,         # STOP_LIMIT / STOP_MARKET
            "triggerDirection": True,     # STOP_CONDITION_ABOVE_TRIGGER / _BELOW_TRIGGER
            "triggerPriceType": None,     # Paradex triggers on the mark price only
            "stopLossPrice": True,        # STOP_LOSS_LIMIT / STOP_LOSS_MARKET, reduce-only
            "takeProfitPrice": True,      # TAKE_PROFIT_LIMIT / TAKE_PROFIT_MARKET, reduce-only
            "attachedStopLossTakeProfit": None,  # no attached TP/SL in one request
            "timeInForce": {"IOC": True, "FOK": False, "PO": True, "GTD": False, "GTC": True},
            "hedged": False, "trailing": False, "leverage": False, "marketBuyByCost": False,
            "marketBuyRequiresPrice": False, "selfTradePrevention": True, "iceberg": False,
        },
        "createOrders": {"max": 10},      # one /orders/batch request; more are sent as several batches
        "fetchMyTrades": dict(_HISTORY),
        "fetchOrder": {"marginMode": False, "trigger": False, "trailing": False, "symbolRequired": False},
        "fetchOpenOrders": {"marginMode": False, "limit": None, "trigger": False, "trailing": False,
                            "symbolRequired": False},  # every open order in one request
        "fetchOrders": dict(_ORDERS),
        "fetchClosedOrders": dict(_ORDERS, daysBackCanceled=100000),
        "fetchCanceledOrders": dict(_ORDERS),
        "fetchOHLCV": {"limit": 1000, "mark": 1000, "index": 1000, "paginate": True},  # per request; paginate walks
    },
    "swap": {"linear": {"extends": "forSwap"}, "inverse": None},
    "future": {"linear": None, "inverse": None},
}


def features() -> dict:
    """A fresh copy for describe() (ccxt's features_generator edits the structure it is given)."""
    return copy.deepcopy(FEATURES)
