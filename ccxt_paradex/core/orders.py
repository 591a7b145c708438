"""ccxt order arguments -> Paradex order requests (what is sent and what is signed).

Shared by the REST classes and the WebSocket trading methods. Pure: the
caller supplies the market, the precision helpers and the signer.
"""
from ccxt.base.errors import ArgumentsRequired, InvalidOrder
from ccxt.base.precise import Precise

from .signing import ORDER_TYPES

TIME_IN_FORCE = {"GTC": "GTC", "IOC": "IOC", "PO": "POST_ONLY", "POST_ONLY": "POST_ONLY", "RPI": "RPI"}
STP = {"EXPIRE_MAKER", "EXPIRE_TAKER", "EXPIRE_BOTH"}
_CONSUMED = {
    "triggerPrice", "stopPrice", "stopLossPrice", "takeProfitPrice", "timeInForce", "postOnly", "reduceOnly",
    "reduce_only", "clientOrderId", "client_order_id", "clOrdID", "stp", "selfTradePrevention", "triggerDirection",
    "closePosition", "recvWindow", "onBehalfOfAccount", "rpi",
}


def _positive(ex, value, what, symbol, to_precision):
    if value is None:
        raise ArgumentsRequired(f"{ex.id} createOrder() requires {what}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidOrder(f"{ex.id} {what} must be a number, got {value!r}") from None
    if not number > 0:  # also rejects NaN
        raise InvalidOrder(f"{ex.id} {what} must be positive, got {value!r}")
    text = to_precision(symbol, value)
    if Precise.string_le(text, "0"):
        raise InvalidOrder(f"{ex.id} {what} {value!r} is below the market's precision")
    return text


def build_order(ex, market: dict, type: str, side: str, amount, price=None, params=None) -> dict:
    """-> Paradex OrderRequest without signature fields. Raises before anything is signed."""
    params = dict(params or {})
    symbol = market["symbol"]
    side_u = str(side).upper() if side is not None else ""
    if side_u not in ("BUY", "SELL"):
        raise InvalidOrder(f"{ex.id} createOrder() side must be 'buy' or 'sell', got {side!r}")
    type_u = str(type).upper() if type is not None else ""
    if type_u not in ORDER_TYPES:
        raise InvalidOrder(f"{ex.id} createOrder() type must be 'limit', 'market' or a Paradex order type, got {type!r}")
    trigger = ex.safe_string_2(params, "triggerPrice", "stopPrice")
    stop_loss = ex.safe_string(params, "stopLossPrice")
    take_profit = ex.safe_string(params, "takeProfitPrice")
    reduce_only = ex.safe_bool_2(params, "reduceOnly", "reduce_only", False)
    is_market = "MARKET" in type_u
    if type_u in ("LIMIT", "MARKET"):
        conditional = stop_loss or take_profit or trigger
        if stop_loss:
            type_u = "STOP_LOSS_MARKET" if is_market else "STOP_LOSS_LIMIT"
            trigger, reduce_only = stop_loss, True
        elif take_profit:
            type_u = "TAKE_PROFIT_MARKET" if is_market else "TAKE_PROFIT_LIMIT"
            trigger, reduce_only = take_profit, True
        elif conditional:
            type_u = "STOP_MARKET" if is_market else "STOP_LIMIT"
    elif trigger is None:
        trigger = stop_loss or take_profit
    request = {"market": market["id"], "side": side_u, "type": type_u}
    if type_u not in ("LIMIT", "MARKET"):
        request["trigger_price"] = _positive(ex, trigger, "a triggerPrice", symbol, ex.price_to_precision)
        direction = ex.safe_string_lower(params, "triggerDirection")
        if direction in ("above", "up", "ascending"):
            request["flags"] = ["STOP_CONDITION_ABOVE_TRIGGER"]
        elif direction in ("below", "down", "descending"):
            request["flags"] = ["STOP_CONDITION_BELOW_TRIGGER"]
    if ex.safe_bool(params, "closePosition", False) and type_u.startswith(("TAKE_PROFIT", "STOP_LOSS")):
        request["size"] = "0"
        reduce_only = True
    else:
        request["size"] = _positive(ex, amount, "a positive amount", symbol, ex.amount_to_precision)
    if not is_market:
        request["price"] = _positive(ex, price, "a price for non-market orders", symbol, ex.price_to_precision)
    tif = ex.safe_string_upper(params, "timeInForce")
    if ex.safe_bool(params, "rpi", False):
        tif = "RPI"
    elif ex.safe_bool(params, "postOnly", False):
        tif = "PO"
    if tif is not None:
        if tif not in TIME_IN_FORCE:
            raise InvalidOrder(f"{ex.id} timeInForce must be GTC, IOC, PO or RPI, got {tif!r}")
        if is_market and tif != "IOC" and tif != "GTC":
            raise InvalidOrder(f"{ex.id} {TIME_IN_FORCE[tif]} is not valid for market orders")
        if not is_market:
            request["instruction"] = TIME_IN_FORCE[tif]
    request.setdefault("instruction", "GTC")
    if reduce_only:
        request["flags"] = request.get("flags", []) + ["REDUCE_ONLY"]
    client_id = ex.safe_string_n(params, ["clientOrderId", "client_order_id", "clOrdID"])
    if client_id is not None:
        if len(client_id) > 64:
            raise InvalidOrder(f"{ex.id} clientOrderId longer than 64 characters")
        request["client_id"] = client_id
    stp = ex.safe_string_upper_2(params, "stp", "selfTradePrevention")
    if stp is not None:
        stp = stp if stp.startswith("EXPIRE_") else "EXPIRE_" + stp
        if stp not in STP:
            raise InvalidOrder(f"{ex.id} stp must be one of {sorted(STP)}")
        request["stp"] = stp
    recv = ex.safe_integer(params, "recvWindow")
    if recv is not None:
        request["recv_window"] = recv
    on_behalf = ex.safe_string(params, "onBehalfOfAccount")
    if on_behalf is not None:
        request["on_behalf_of_account"] = on_behalf
    for key, value in params.items():
        if key not in _CONSUMED:
            request[key] = value
    return request


def sign_order(signer, request: dict, timestamp_ms: int, modify_id=None) -> dict:
    """Adds ``signature`` and ``signature_timestamp`` to a built request (price 0 for market-family)."""
    args = (timestamp_ms, request["market"], request["side"], request["type"], request["size"], request.get("price"))
    signature = signer.sign_modify_order(modify_id, *args) if modify_id is not None else signer.sign_order(*args)
    request["signature"] = signature
    request["signature_timestamp"] = timestamp_ms
    return request
