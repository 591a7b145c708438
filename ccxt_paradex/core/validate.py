"""One validation layer: every unified argument is checked before anything is signed or sent.

Pure (no I/O): each function returns the normalised value or raises a ccxt exception
(``BadRequest``, ``ArgumentsRequired``, ``InvalidOrder``, ``BadSymbol``). ``guard_methods`` applies the
argument checks every unified method shares (symbol, symbols, since, limit, params, id, code,
timeframe, leverage) as the first thing the method does, so a bad argument never reaches the method body,
the signer or the transport.
"""
import functools
import inspect
import math
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from ccxt.base.errors import ArgumentsRequired, BadRequest, BadSymbol, InvalidOrder

#: the largest magnitude accepted for an amount or a price (far above any Paradex market's limits;
#: beyond it a number is a unit mistake, and Decimal arithmetic would lose the precision anyway)
MAX_NUMBER = Decimal("1e15")
TRUE = {"true", "1", "yes", "on"}
FALSE = {"false", "0", "no", "off", ""}
GUARDED_PREFIXES = ("fetch_", "create_", "cancel_", "edit_", "set_", "watch_", "un_watch_")


def decimal_text(value, what, error=InvalidOrder, exchange_id="paradex"):
    """A finite number given as int, float, Decimal or numeric string -> its Decimal. bool, None, NaN,
    infinities, and magnitudes above MAX_NUMBER are refused."""
    if value is None:
        raise ArgumentsRequired(f"{exchange_id} {what} is required")
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise error(f"{exchange_id} {what} must be a number, got {value!r}")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else repr(value) if isinstance(value, float) else value)
    except (InvalidOperation, ValueError, TypeError):
        raise error(f"{exchange_id} {what} must be a number, got {value!r}") from None
    if not number.is_finite():
        raise error(f"{exchange_id} {what} must be finite, got {value!r}")
    if abs(number) >= MAX_NUMBER:
        raise error(f"{exchange_id} {what} {value!r} is out of range")
    return number


def positive(value, what, exchange_id="paradex"):
    number = decimal_text(value, what, InvalidOrder, exchange_id)
    if number <= 0:
        raise InvalidOrder(f"{exchange_id} {what} must be positive, got {value!r}")
    return number


def flag(value, what, exchange_id="paradex"):
    """ccxt boolean params as callers really pass them: True/False, 1/0, 'true'/'false' -> bool or None."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise BadRequest(f"{exchange_id} {what} must be a boolean, got {value!r}")


def symbol(value, method, required, exchange_id="paradex"):
    if value is None:
        if required:
            raise ArgumentsRequired(f"{exchange_id} {method}() requires a symbol argument")
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadSymbol(f"{exchange_id} {method}() symbol must be a non-empty string, got {value!r}")
    return value


def symbols(value, method, exchange_id="paradex"):
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(s, str) and s.strip() for s in value):
        raise BadSymbol(f"{exchange_id} {method}() symbols must be a list of symbol strings, got {value!r}")
    return list(value)


def integer(value, what, minimum, exchange_id="paradex"):
    """An int (or an integral float) >= minimum; bool, strings, NaN, infinities and fractions are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest(f"{exchange_id} {what} must be an integer, got {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise BadRequest(f"{exchange_id} {what} must be an integer, got {value!r}")
        value = int(value)
    if value < minimum:
        raise BadRequest(f"{exchange_id} {what} must be >= {minimum}, got {value!r}")
    return value


def leverage(value, what, exchange_id="paradex"):
    """A leverage: a whole number >= 1 (Paradex's ``leverage`` is an integer), given as int, integral float or
    numeric string -> int. None, bool, NaN, infinities and fractions are refused."""
    number = decimal_text(value, what, BadRequest, exchange_id)
    if number != number.to_integral_value() or number < 1:
        raise BadRequest(f"{exchange_id} {what} must be a whole number >= 1, got {value!r}")
    return int(number)


def since(value, method, exchange_id="paradex"):
    return None if value is None else integer(value, f"{method}() since (ms)", 0, exchange_id)


def limit(value, method, exchange_id="paradex"):
    return None if value is None else integer(value, f"{method}() limit", 1, exchange_id)


def params(value, method, exchange_id="paradex"):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"{exchange_id} {method}() params must be a dict, got {value!r}")
    return value


def text(value, what, exchange_id="paradex", error=BadRequest):
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise error(f"{exchange_id} {what} must be a string, got {value!r}")
    value = str(value)
    if not value.strip():
        raise error(f"{exchange_id} {what} must not be empty")
    return value


def path_segment(value, what="a path parameter", exchange_id="paradex"):
    """An id that goes into a URL path -> the escaped segment. '/' and '\\' (which a server or proxy could
    resolve into another path), '.', '..', control characters and empty ids are refused; everything else
    ('#', '?', '%', spaces, ...) is percent-escaped, so the request always names exactly this id."""
    value = text(value, what, exchange_id)
    if "/" in value or "\\" in value or value in (".", "..") or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise BadRequest(f"{exchange_id} {what} {value!r} cannot be sent in a URL path")
    return quote(value, safe="")


#: OpenAPI ``OrderRequest.client_id`` maxLength: no order carries a longer client id
CLIENT_ID_MAX = 64


def order_id(value, what="order id", exchange_id="paradex"):
    """An order id (str or int) -> str, checked to be safe in a URL path."""
    value = text(value, what, exchange_id)
    path_segment(value, what, exchange_id)
    return value


def client_order_id(value, what="clientOrderId", exchange_id="paradex"):
    """A client order id to cancel or fetch by: an order id no longer than an order can carry (a longer one
    names no order: refused before it is sent)."""
    value = order_id(value, what, exchange_id)
    if len(value) > CLIENT_ID_MAX:
        raise BadRequest(f"{exchange_id} {what} is longer than {CLIENT_ID_MAX} characters: no order carries it")
    return value


def order_ids(ids, method, exchange_id="paradex", allow_empty=False):
    """A list of order ids -> list of str. A bare string is refused (it would iterate as characters)."""
    if ids is None and allow_empty:
        return []
    if isinstance(ids, (str, bytes, dict)) or not isinstance(ids, (list, tuple)):
        raise BadRequest(f"{exchange_id} {method}() ids must be a list of order ids, got {ids!r}")
    if not ids and not allow_empty:
        raise ArgumentsRequired(f"{exchange_id} {method}() requires at least one order id")
    return [order_id(i, f"{method}() id", exchange_id) for i in ids]


def order_list(orders, method, exchange_id="paradex"):
    """createOrders' list of {symbol, type, side, amount, price?, params?} dicts."""
    if not isinstance(orders, (list, tuple)) or not orders:
        raise BadRequest(f"{exchange_id} {method}() orders must be a non-empty list of order dicts, got {orders!r}")
    for i, o in enumerate(orders):
        if not isinstance(o, dict):
            raise BadRequest(f"{exchange_id} {method}() orders[{i}] must be a dict, got {o!r}")
        for key in ("symbol", "type", "side"):
            if o.get(key) is None:
                raise ArgumentsRequired(f"{exchange_id} {method}() orders[{i}] requires {key}")
        symbol(o["symbol"], method, True, exchange_id)
        if o.get("params") is not None and not isinstance(o["params"], dict):
            raise BadRequest(f"{exchange_id} {method}() orders[{i}]['params'] must be a dict")
    return list(orders)


def check_market_limits(market, size, price, exchange_id="paradex", min_notional=False):
    """The market's maximum order size (ccxt ``limits.amount.max``), checked with Decimals. The minimum
    notional only with ``min_notional``: Paradex measures it as size x *mark* price (reduce-only orders
    exempt), which the client does not know when it sends, so the order's own price is only an estimate."""
    limits = market.get("limits") or {}
    max_amount = (limits.get("amount") or {}).get("max")
    if max_amount is not None and Decimal(size) > Decimal(str(max_amount)):
        raise InvalidOrder(f"{exchange_id} amount {size} is above {market['symbol']}'s maximum order size {max_amount}")
    min_cost = (limits.get("cost") or {}).get("min")
    if min_notional and min_cost is not None and price is not None and Decimal(price) > 0 \
            and Decimal(size) * Decimal(price) < Decimal(str(min_cost)):
        raise InvalidOrder(f"{exchange_id} order notional {Decimal(size) * Decimal(price)} is below {market['symbol']}'s "
                           f"minimum {min_cost}")


# ---- the guard applied to every unified method ---------------------------------------------------------
def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def _is_text(v):
    return type(v) is str and v != ""


def _is_count(minimum):
    return lambda v: v is None or (type(v) is int and v >= minimum)


def _checker(fn, name):
    """-> check(args, kwargs) -> (args, kwargs) for ``fn``'s parameters named like ccxt's unified arguments.

    Each planned parameter has a cheap predicate for the common, already-valid value (a non-empty str symbol,
    an int limit, a dict params): only a value that fails it goes through the full validator, which raises or
    returns the normalised value (e.g. params None -> {}, limit 10.0 -> 10). Defaults are checked once, here."""
    sig = inspect.signature(fn)
    names = list(sig.parameters)[1:]  # without self
    method = _camel(name)
    plan = []
    for pos, name in enumerate(names):
        p = sig.parameters[name]
        required = p.default is inspect.Parameter.empty
        if name == "symbol":
            entry = (_is_text, lambda v, r=required: symbol(v, method, r))
        elif name == "symbols":
            entry = (lambda v: v is None, lambda v: symbols(v, method))
        elif name == "since":
            entry = (_is_count(0), lambda v: since(v, method))
        elif name == "limit":
            entry = (_is_count(1), lambda v: limit(v, method))
        elif name == "leverage":
            entry = (lambda v: type(v) is int and v >= 1, lambda v: leverage(v, f"{method}() leverage"))
        elif name == "params":
            entry = (lambda v: type(v) is dict, lambda v: params(v, method))
        elif name == "id":  # ids go into URL paths: always the full check
            entry = (lambda v: False, lambda v: None if v is None else order_id(v, f"{method}() id"))
        elif name in ("code", "timeframe", "marginMode"):
            entry = (lambda v: v is None or _is_text(v), lambda v, n=name: text(v, f"{method}() {n}"))
        else:
            continue
        if not required and not entry[0](p.default):
            entry[1](p.default)
        plan.append((pos, name) + entry)
    if not plan:
        return None

    def check(args, kwargs):
        changed = None
        for pos, name, ok, full in plan:
            if pos < len(args):
                v = args[pos]
                if not ok(v):
                    if changed is None:
                        changed = list(args)
                    changed[pos] = full(v)
            elif name in kwargs:
                v = kwargs[name]
                if not ok(v):
                    kwargs[name] = full(v)
        return (args if changed is None else changed), kwargs
    return check


def checked(fn, name):
    """``fn`` behind the guard's checks, as the unified method ``name`` would have them (its error messages name
    it): for a hot method that takes its own fast path only for arguments the guard passes unchanged and
    calls this for the rest (``pro.public.watch_order_book``)."""
    return _wrap(fn, name)


def _wrap(fn, name=None):
    check = _checker(fn, name or fn.__name__)
    if check is None:
        return fn
    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def guarded(self, *args, **kwargs):
            args, kwargs = check(args, kwargs)
            return await fn(self, *args, **kwargs)
    else:
        @functools.wraps(fn)
        def guarded(self, *args, **kwargs):
            args, kwargs = check(args, kwargs)
            return fn(self, *args, **kwargs)
    guarded.__guarded__ = True
    return guarded


def guard_methods(cls):
    """Wrap every unified method of ``cls`` (its own and inherited: fetch_*, create_*, cancel_*, edit_*,
    set_*, watch_*, un_watch_*) so its arguments are validated first. Idempotent."""
    for name in dir(cls):
        if not name.startswith(GUARDED_PREFIXES):
            continue
        fn = getattr(cls, name, None)
        if not inspect.isfunction(fn) or getattr(fn, "__guarded__", False):
            continue
        setattr(cls, name, _wrap(fn))
    return cls
