"""ccxt order arguments -> Paradex order requests (what is sent and what is signed).

Shared by the REST classes and the WebSocket trading methods. Pure: the
caller supplies the market, the precision helpers and the signer.
"""
from decimal import Decimal

from ccxt.base.decimal_to_precision import NO_PADDING, TICK_SIZE
from ccxt.base.errors import BadRequest, InvalidOrder, NotSupported

from ..core import contract, validate
from ..core.signing import ORDER_TYPES, order_felts

TIME_IN_FORCE = {"GTC": "GTC", "IOC": "IOC", "PO": "POST_ONLY", "POST_ONLY": "POST_ONLY", "RPI": "RPI"}
STP = {"EXPIRE_MAKER", "EXPIRE_TAKER", "EXPIRE_BOTH"}
# OpenAPI ``responses.OrderFlag`` (TARGET_STRATEGY_VWAP goes with the vwap_price pass-through)
FLAGS = {"REDUCE_ONLY", "STOP_CONDITION_BELOW_TRIGGER", "STOP_CONDITION_ABOVE_TRIGGER", "INTERACTIVE",
         "TARGET_STRATEGY_VWAP"}
#: the spellings of a client order id ccxt's paradex reads (createOrder, cancelOrder, fetchOrder alike)
CLIENT_ID_KEYS = ("clientOrderId", "client_order_id", "clOrdID", "client_id")
#: unified ccxt params this module reads (their Paradex twins too)
CONSUMED = {
    "triggerPrice", "stopPrice", "stopLossPrice", "takeProfitPrice", "timeInForce", "postOnly", "reduceOnly",
    "reduce_only", "clientOrderId", "client_order_id", "clOrdID", "stp", "selfTradePrevention", "triggerDirection",
    "closePosition", "recvWindow", "onBehalfOfAccount", "rpi", "marginMode",
    "client_id", "instruction", "flags", "trigger_price", "recv_window", "on_behalf_of_account",
}
#: Paradex OrderRequest fields (OpenAPI ``requests.OrderRequest``) sent as given
PASS_THROUGH = {"dime_discount", "vwap_price"}
#: ccxt params with a meaning this venue's order API has no form for: refused, never silently dropped
NOT_SUPPORTED = {
    "stopLoss": "attached stop-loss: place it as its own order, createOrder(..., {'stopLossPrice': p})",
    "takeProfit": "attached take-profit: place it as its own order, createOrder(..., {'takeProfitPrice': p})",
    "trailingPercent": "trailing orders", "trailingAmount": "trailing orders",
    "trailingTriggerPrice": "trailing orders", "cost": "orders sized by cost (give an amount)",
    "hedged": "hedge mode", "positionSide": "hedge mode", "leverage": "per-order leverage (use setLeverage)",
}


_STEPS: dict = {}  # market precision value (a float or int tick) -> its Decimal, as ccxt's helpers convert it


def _step(precision):
    step = _STEPS.get(precision)
    if step is None:
        step = Decimal(str(precision))
        if len(_STEPS) < 4096:
            _STEPS[precision] = step
    return step


def _on_step_text(ex, market, key, number):
    """``number`` (positive) already a multiple of the market's tick (the common case: callers pass valid
    prices and sizes) -> the text ccxt's amount/price_to_precision return for it, without their rounding
    machinery; None when it needs rounding or the precision mode is not ccxt's TICK_SIZE without padding."""
    if ex.precisionMode != TICK_SIZE or ex.paddingMode != NO_PADDING:
        return None
    precision = (market.get("precision") or {}).get(key)
    if type(precision) not in (float, int) or precision <= 0:
        return None
    try:
        if number % _step(precision):
            return None
    except ArithmeticError:  # a quotient beyond the decimal context's precision: let ccxt's helper decide
        return None
    return format(number.normalize(), "f")


def _number(ex, value, what, market, key, strict):
    """-> the value at the market's precision (``key``: 'amount' truncates, 'price' rounds, as ccxt), as text;
    raises InvalidOrder for anything not a positive finite number, for a value the precision rounds to 0, and
    (``strict``) for a value it would change."""
    number = validate.positive(value, what, ex.id)
    text = _on_step_text(ex, market, key, number)
    if text is not None:  # on the market's grid: precision leaves it unchanged (tests check ccxt agrees)
        return text
    to_precision = ex.amount_to_precision if key == "amount" else ex.price_to_precision
    try:
        text = to_precision(market["symbol"], format(number, "f"))
    except Exception as e:  # ccxt's precision helpers raise their own errors for odd input
        raise InvalidOrder(f"{ex.id} {what} {value!r}: {e}") from None
    if Decimal(text) <= 0:
        raise InvalidOrder(f"{ex.id} {what} {value!r} is below the market's precision")
    if strict and Decimal(text) != number:
        raise InvalidOrder(f"{ex.id} {what} {value!r} is not a multiple of the market's step "
                           f"(options['strictPrecision'] is on; {text} would be sent)")
    return text


def precise(ex, value, what, market, key) -> str:
    """``value`` at ``market``'s precision (``key``: 'amount' or 'price') as text; raises InvalidOrder for what
    build_order would refuse (not a positive finite number, rounds to nothing, off-step with strictPrecision)."""
    return _number(ex, value, what, market, key, _option(ex, "strictPrecision", False))


#: the params that carry a trigger price (stop / stop-loss / take-profit)
TRIGGER_KEYS = ("triggerPrice", "stopPrice", "trigger_price")
ANY_TRIGGER_KEYS = TRIGGER_KEYS + ("stopLossPrice", "takeProfitPrice")
UNIFIED_TYPES = ("LIMIT", "MARKET")


def check_side(ex, side, method="createOrder") -> str:
    if not isinstance(side, str) or side.upper() not in ("BUY", "SELL"):
        raise InvalidOrder(f"{ex.id} {method}() side must be 'buy' or 'sell', got {side!r}")
    return side.upper()


def check_type(ex, type, method="createOrder") -> str:
    if not isinstance(type, str) or type.upper() not in ORDER_TYPES:
        raise InvalidOrder(f"{ex.id} {method}() type must be 'limit', 'market' or a Paradex order type, got {type!r}")
    return type.upper()


def conditional_type(type_u, stop_loss=None, take_profit=None, trigger=None) -> str:
    """ccxt's unified 'limit'/'market' + trigger params -> the Paradex order type (others pass unchanged)."""
    if type_u not in UNIFIED_TYPES:
        return type_u
    is_market = type_u == "MARKET"
    if stop_loss is not None:
        return "STOP_LOSS_MARKET" if is_market else "STOP_LOSS_LIMIT"
    if take_profit is not None:
        return "TAKE_PROFIT_MARKET" if is_market else "TAKE_PROFIT_LIMIT"
    if trigger is not None:
        return "STOP_MARKET" if is_market else "STOP_LIMIT"
    return type_u


def check_params(ex, params: dict, method="createOrder") -> dict:
    """Every param is read by this module, a documented pass-through, or refused (ccxt exceptions)
    -> the pass-through params, copied into the request as they are."""
    if not params:
        return {}
    extra = set(ex.safe_list(ex.options, "passThroughParams", []) or [])
    passthrough = {}
    for key, value in params.items():
        if key == "hedged" and validate.flag(value, "hedged", ex.id) is False:
            continue  # one-way mode, which is what a Paradex account is
        if key in NOT_SUPPORTED and value is not None:
            raise NotSupported(f"{ex.id} {method}() does not support {key}: {NOT_SUPPORTED[key]}")
        if key in PASS_THROUGH or (key in extra and key not in CONSUMED):
            passthrough[key] = value
        elif key not in CONSUMED:
            raise BadRequest(f"{ex.id} {method}() does not know the param {key!r} (documented pass-throughs: "
                             f"{sorted(PASS_THROUGH)}; options['passThroughParams'] adds more)")
    margin_mode = ex.safe_string_lower(params, "marginMode")
    if margin_mode not in (None, "cross"):
        raise NotSupported(f"{ex.id} {method}() marginMode {margin_mode!r}: Paradex accounts are cross-margined")
    return passthrough


def check_client_id(ex, client_id) -> str:
    """A client order id an order may carry: at most 64 characters (OpenAPI ``OrderRequest.client_id``) and one
    that cancelOrder / fetchOrder can name again (``validate.order_id``: no '/', '\\', '.', '..' or control
    characters), so no order is created that could not be cancelled by its own client id."""
    client_id = validate.text(client_id, "clientOrderId", ex.id, InvalidOrder)
    if len(client_id) > validate.CLIENT_ID_MAX:
        raise InvalidOrder(f"{ex.id} clientOrderId longer than {validate.CLIENT_ID_MAX} characters")
    try:
        validate.order_id(client_id, "clientOrderId", ex.id)
    except BadRequest as e:
        raise InvalidOrder(f"{e} (an order with it could not be cancelled or fetched by it)") from None
    return client_id


def build_order(ex, market: dict, type: str, side: str, amount, price=None, params=None) -> dict:
    """-> Paradex OrderRequest without signature fields. Raises before anything is signed."""
    params = validate.params(params, "createOrder", ex.id)
    passthrough = check_params(ex, params)
    strict = _option(ex, "strictPrecision", False)
    side_u = check_side(ex, side)
    type_u = check_type(ex, type)
    if params:
        trigger = ex.safe_value_n(params, TRIGGER_KEYS)
        stop_loss = ex.safe_value(params, "stopLossPrice")
        take_profit = ex.safe_value(params, "takeProfitPrice")
        reduce_only = bool(validate.flag(ex.safe_value_2(params, "reduceOnly", "reduce_only"), "reduceOnly", ex.id))
        close_position = bool(validate.flag(ex.safe_value(params, "closePosition"), "closePosition", ex.id))
        post_only = validate.flag(ex.safe_value(params, "postOnly"), "postOnly", ex.id)
        rpi = validate.flag(ex.safe_value(params, "rpi"), "rpi", ex.id)
    else:  # what the reads above give when no param is set (the common call: nothing more to look up)
        trigger = stop_loss = take_profit = post_only = rpi = None
        reduce_only = close_position = False
    is_market = "MARKET" in type_u
    if sum(v is not None for v in (trigger, stop_loss, take_profit)) > 1:
        raise InvalidOrder(f"{ex.id} createOrder() takes one of triggerPrice, stopLossPrice, takeProfitPrice")
    if trigger is None:
        trigger = stop_loss if stop_loss is not None else take_profit
    if type_u in UNIFIED_TYPES:
        type_u = conditional_type(type_u, stop_loss, take_profit, trigger)
        reduce_only = reduce_only or stop_loss is not None or take_profit is not None
    request = {"market": market["id"], "side": side_u, "type": type_u}
    flags = []
    if type_u not in UNIFIED_TYPES:
        request["trigger_price"] = _number(ex, trigger, "triggerPrice", market, "price", strict)
        direction = ex.safe_value(params, "triggerDirection")
        if direction is not None:
            d = str(direction).lower()
            if d in ("above", "up", "ascending"):
                flags.append("STOP_CONDITION_ABOVE_TRIGGER")
            elif d in ("below", "down", "descending"):
                flags.append("STOP_CONDITION_BELOW_TRIGGER")
            else:
                raise InvalidOrder(f"{ex.id} triggerDirection must be 'above' or 'below', got {direction!r}")
    elif params.get("triggerDirection") is not None:
        raise InvalidOrder(f"{ex.id} triggerDirection needs a triggerPrice")
    tp_sl = type_u.startswith(("TAKE_PROFIT", "STOP_LOSS"))
    # a TP/SL of size 0 closes the whole position (ccxt's built-in sends every TP/SL that way)
    whole = tp_sl and (close_position or amount is None or _is_zero(amount))
    if close_position and not tp_sl:
        raise InvalidOrder(f"{ex.id} closePosition needs a stopLossPrice or takeProfitPrice order")
    # a TP/SL order only ever closes: REDUCE_ONLY always, so venues that require the flag take it too
    reduce_only = reduce_only or tp_sl
    if whole:
        request["size"] = "0"
    else:
        request["size"] = _number(ex, amount, "amount", market, "amount", strict)
    # OpenAPI OrderRequest / ModifyOrderRequest and OpenRPC order.create list price as required: "0" for the
    # market family, which is signed at price 0 either way
    request["price"] = "0" if is_market else _number(ex, price, "price", market, "price", strict)
    tif = ex.safe_string_upper_2(params, "timeInForce", "instruction") if params else None
    if rpi:
        tif = "RPI"
    elif post_only:
        tif = "PO"
    if tif is not None:
        if tif not in TIME_IN_FORCE:
            raise InvalidOrder(f"{ex.id} timeInForce must be GTC, IOC, PO or RPI, got {tif!r}")
        if is_market and tif not in ("IOC", "GTC"):
            raise InvalidOrder(f"{ex.id} {TIME_IN_FORCE[tif]} is not valid for market orders")
        if not is_market:
            request["instruction"] = TIME_IN_FORCE[tif]
    request.setdefault("instruction", "GTC")
    raw_flags = params.get("flags") if params else None
    if raw_flags is not None:
        if not isinstance(raw_flags, (list, tuple)) or not all(isinstance(f, str) and f.upper() in FLAGS for f in raw_flags):
            raise InvalidOrder(f"{ex.id} flags must be a list of {sorted(FLAGS)}, got {raw_flags!r}")
        flags += [f.upper() for f in raw_flags if f.upper() not in flags]
    if reduce_only and "REDUCE_ONLY" not in flags:
        flags.append("REDUCE_ONLY")
    if flags:
        request["flags"] = flags
    if params:
        client_id = ex.safe_value_n(params, CLIENT_ID_KEYS)
        if client_id is not None:
            request["client_id"] = check_client_id(ex, client_id)
        stp = ex.safe_value_2(params, "stp", "selfTradePrevention")
        if stp is not None:
            stp = str(stp).upper()
            stp = stp if stp.startswith("EXPIRE_") else "EXPIRE_" + stp
            if stp not in STP:
                raise InvalidOrder(f"{ex.id} stp must be one of {sorted(STP)}")
            request["stp"] = stp
        recv = ex.safe_value_2(params, "recvWindow", "recv_window")
        if recv is not None:
            # OpenAPI OrderRequest.recv_window: "minimum is 10 milliseconds"
            request["recv_window"] = validate.integer(recv, "recvWindow", 10, ex.id)
        on_behalf = ex.safe_value_2(params, "onBehalfOfAccount", "on_behalf_of_account")
        if on_behalf is not None:
            request["on_behalf_of_account"] = validate.text(on_behalf, "onBehalfOfAccount", ex.id)
        request.update(passthrough)
    if _option(ex, "checkMarketLimits", True) and request["size"] != "0":
        min_notional = not reduce_only and _option(ex, "checkMinNotional", False)
        validate.check_market_limits(market, request["size"], request.get("price"), ex.id, min_notional)
    return request


def _option(ex, name, default) -> bool:
    value = ex.options.get(name)  # what ccxt's safe_value(options, name, default) reads
    if value is None or (type(value) is str and value == ""):
        return default
    if value is True or value is False:
        return value
    return bool(validate.flag(value, f"options['{name}']", ex.id))


def _is_zero(value) -> bool:
    try:
        return Decimal(str(value).strip()) == 0
    except Exception:
        return False


def sign_order(signer, request: dict, timestamp_ms: int, modify_id=None) -> dict:
    """Adds ``signature`` and ``signature_timestamp`` to a built request (price 0 for market-family)."""
    args = (timestamp_ms, request["market"], request["side"], request["type"], request["size"], request.get("price"))
    signature = signer.sign_modify_order(modify_id, *args) if modify_id is not None else signer.sign_order(*args)
    request["signature"] = signature
    request["signature_timestamp"] = timestamp_ms
    return request


def sign_orders(signer, requests: list, now_ms, threads: int = 1) -> list:
    """``sign_order`` for a whole batch of built requests: every order's signed fields are encoded (and checked)
    first, then all are hashed and signed (in ``threads`` threads where the backend allows:
    ``StarkSigner.sign_orders``). The batch is signed at one timestamp, so its orders share the first links of
    their hash chains; an order whose signed fields repeat an earlier one's in the batch gets the next
    millisecond instead, so no two orders of a batch carry the same signature."""
    ts0 = now_ms()
    stamps, felts, seen = [], [], set()
    for request in requests:
        ts = ts0
        while True:
            f = order_felts(ts, request["market"], request["side"], request["type"], request["size"],
                            request.get("price"))
            if f not in seen:
                break
            ts += 1
        seen.add(f)
        stamps.append(ts)
        felts.append(f)
    for request, ts, signature in zip(requests, stamps, signer.sign_orders(felts, threads)):
        request["signature"] = signature
        request["signature_timestamp"] = ts
    return requests


def check_ws_order(ex, request: dict, method: str = "createOrderWs", rpc: str = "order.create") -> dict:
    """Paradex's WebSocket order methods take fewer order types and flags than REST (OpenRPC ``order.create``
    / ``order.modify``: types LIMIT, MARKET, STOP_LIMIT, STOP_MARKET; flags REDUCE_ONLY). Anything else is
    refused before it is sent, naming the REST method that takes it, rather than quietly sent over REST on a
    different connection, rate bucket and latency than the caller chose."""
    params = contract.contract()["ws"][rpc]["params"]
    types = params["type"]["schema"]["enum"]
    if request.get("type") not in types:
        raise NotSupported(f"{ex.id} {method}(): Paradex's WebSocket {rpc} takes {', '.join(types)} orders, not "
                           f"{request.get('type')}; send it with {_REST_TWIN.get(method, 'createOrder')}() (REST)")
    flags_schema = params.get("flags", {}).get("schema", {}).get("items", {})
    allowed = flags_schema.get("enum", ())
    bad = [f for f in request.get("flags", ()) if f not in allowed]
    if bad:
        raise NotSupported(f"{ex.id} {method}(): Paradex's WebSocket {rpc} takes only the {', '.join(allowed)} flag, "
                           f"not {', '.join(bad)} (triggerDirection, rpi/interactive); send it with "
                           f"{_REST_TWIN.get(method, 'createOrder')}() (REST)")
    extra = sorted(k for k in request if k not in params)
    if extra:  # REST-only OrderRequest fields (dime_discount, vwap_price, pass-throughs): the venue would drop them
        raise NotSupported(f"{ex.id} {method}(): Paradex's WebSocket {rpc} has no {', '.join(extra)}; send it with "
                           f"{_REST_TWIN.get(method, 'createOrder')}() (REST)")
    return request


_REST_TWIN = {"createOrderWs": "createOrder", "createOrdersWs": "createOrders", "editOrderWs": "editOrder"}
