# GENERATED from ccxt_paradex/async_support/paradex_algo.py by tools/gen_sync.py -- do not edit by hand.
"""TWAP (algo) orders (mixin of the paradex class): ccxt's createTwapOrder, and the algo endpoints behind
ccxt's order methods.

- ``create_twap_order(symbol, side, amount, duration, params)``: ``duration`` in milliseconds (ccxt's
  convention, as its hyperliquid class takes it), a whole number of seconds from 30 to 86,400 and a multiple of
  30. Params: ``frequency`` (seconds between child orders; the venue's default is 30), ``recvWindow``,
  ``onBehalfOfAccount`` (as createOrder reads them) and ``dimeDiscount``; any other param is refused before
  anything is signed (the algo endpoint has no reduce-only, client order id, price or time-in-force field).
  The request is signed as a MARKET order of the whole size at price 0 (``adapters/orders.py``).
- ``params={'algo': True}`` routes fetchOpenOrders, fetchOrders, fetchClosedOrders, fetchCanceledOrders,
  fetchOrder and cancelOrder to the algo endpoints (``GET /algo/orders``, ``/algo/orders-history``,
  ``GET`` / ``DELETE /algo/orders/{algo_id}``); fetchOrder and cancelOrder route there by themselves for the ids
  this instance created with createTwapOrder (``{'algo': False}`` forces the regular endpoints).

An algo order's status: NEW / OPEN -> 'open'; CLOSED -> 'closed' when all of its size filled, else 'canceled'
(cancelled, or ended with unfilled size). Its children are regular MARKET orders of the account: they are in
fetchOrders / fetchMyTrades as any order. Paradex has no WebSocket method for algo orders.
"""
from collections import OrderedDict

from ccxt.base.errors import ArgumentsRequired, BadRequest, InvalidOrder, NotSupported, OrderNotFound
from ccxt.base.types import Int, Order, OrderSide, Str

from .core import history, validate
from .paradex_history import ParadexHistory
from .adapters.orders import CONSUMED, NOT_SUPPORTED, build_order, check_side, sign_order

#: createTwapOrder params the algo endpoint has a field for (ccxt's and Paradex's spellings)
TWAP_PARAMS = frozenset({"frequency", "recvWindow", "recv_window", "onBehalfOfAccount", "on_behalf_of_account",
                         "dimeDiscount", "dime_discount"})
#: ccxt order params that mean something, but not on an algo order: refused as NotSupported (other names: BadRequest)
NOT_ALGO = (CONSUMED | set(NOT_SUPPORTED) | {"price", "type", "randomize", "expiresAfter", "vaultAddress"}) - TWAP_PARAMS
#: POST /algo/orders duration_seconds: 30 to 86,400 seconds, a multiple of 30
MIN_DURATION_S, MAX_DURATION_S, DURATION_STEP_S = 30, 86_400, 30
#: ids of algo orders created by this instance, remembered for fetchOrder / cancelOrder (the newest this many)
REMEMBERED_ALGO_IDS = 10_000


def twap_seconds(duration, exchange_id="paradex") -> int:
    """createTwapOrder's ``duration`` (milliseconds) -> ``duration_seconds``; raises InvalidOrder unless it is a
    whole number of seconds from 30 to 86,400 and a multiple of 30 (ArgumentsRequired when missing)."""
    what = "createTwapOrder() duration (milliseconds)"
    if duration is None:
        raise ArgumentsRequired(f"{exchange_id} {what} is required")
    ms = validate.decimal_text(duration, what, InvalidOrder, exchange_id)
    if ms % 1000 != 0:
        raise InvalidOrder(f"{exchange_id} {what} {duration!r} is not a whole number of seconds")
    seconds = int(ms / 1000)
    if not MIN_DURATION_S <= seconds <= MAX_DURATION_S or seconds % DURATION_STEP_S:
        raise InvalidOrder(f"{exchange_id} {what} {duration!r}: Paradex runs a TWAP for {MIN_DURATION_S} to "
                           f"{MAX_DURATION_S} seconds, in multiples of {DURATION_STEP_S} ({MIN_DURATION_S * 1000} to "
                           f"{MAX_DURATION_S * 1000} ms)")
    return seconds


class ParadexAlgo(ParadexHistory):
    # ---- create -----------------------------------------------------------------------------------
    def _twap_body(self, market, side, amount, duration, params):
        """Everything checked -> (the unsigned MARKET order request, the algo fields beside it). Raises before
        anything is signed."""
        params = validate.params(params, "createTwapOrder", self.id)
        for key, value in params.items():
            if key in TWAP_PARAMS:
                continue
            if key in NOT_ALGO:
                if value is None:
                    continue
                raise NotSupported(f"{self.id} createTwapOrder() does not support {key}: Paradex's algo orders have no "
                                   f"such field (accepted params: {sorted(TWAP_PARAMS)})")
            raise BadRequest(f"{self.id} createTwapOrder() does not know the param {key!r} (accepted: {sorted(TWAP_PARAMS)})")
        check_side(self, side, "createTwapOrder")
        seconds = twap_seconds(duration, self.id)
        algo = {"duration_seconds": seconds}
        frequency = params.get("frequency")
        if frequency is not None:
            frequency = validate.integer(frequency, "createTwapOrder() params['frequency'] (seconds)", 1, self.id)
            if frequency > seconds:
                raise InvalidOrder(f"{self.id} createTwapOrder() frequency {frequency} s is longer than the duration "
                                   f"{seconds} s: no child order would be placed")
            algo["frequency"] = frequency
        dime = validate.flag(self.safe_value_2(params, "dimeDiscount", "dime_discount"), "dimeDiscount", self.id)
        if dime is not None:
            algo["dime_discount"] = dime
        rest = {k: v for k, v in params.items() if v is not None and k in ("recvWindow", "recv_window", "onBehalfOfAccount",
                                                                            "on_behalf_of_account")}
        # the signed part is an Order over (timestamp, market, side, MARKET, size, price 0), as createOrder signs it
        order = build_order(self, market, "MARKET", side, amount, None, rest)
        return order, algo

    def create_twap_order(self, symbol: str, side: OrderSide, amount: float, duration: float, params: dict = {}) -> Order:
        """A TWAP: ``amount`` traded in MARKET child orders spread over ``duration`` milliseconds (ccxt's
        convention; 30,000 to 86,400,000, a multiple of 30,000). -> the algo order (status 'open').

        params: ``frequency`` (seconds between child orders; the venue's default 30), ``recvWindow``,
        ``onBehalfOfAccount``, ``dimeDiscount``; any other param is refused before anything is signed (the algo
        endpoint has no reduce-only, client order id, price or time-in-force). Follow it with
        ``fetch_open_orders(symbol, params={'algo': True})``; ``fetch_order`` / ``cancel_order`` find the ids this
        instance created by themselves."""
        self.load_markets()
        market = self.market(symbol)
        order, algo = self._twap_body(market, side, amount, duration, params)
        signer = self.stark_signer()
        sign_order(signer, order, self.now_ms())
        body = {"algo_type": "TWAP", "market": order["market"], "side": order["side"], "type": "MARKET",
                "size": order["size"], "signature": order["signature"],
                "signature_timestamp": order["signature_timestamp"]}
        body.update(algo)
        for key in ("recv_window", "on_behalf_of_account"):
            if key in order:
                body[key] = order[key]
        response = self.privatePostAlgoOrders(body)
        result = self.parse_algo_order(response, market)
        if result["id"] is not None:
            self._remember_algo_id(result["id"])
        return result

    # ---- routing from ccxt's order methods ----------------------------------------------------------
    def _created_algo_ids(self):
        ids = self.__dict__.get("_algo_ids")
        if ids is None:
            ids = self.__dict__["_algo_ids"] = OrderedDict()
        return ids

    def _remember_algo_id(self, algo_id):
        ids = self._created_algo_ids()
        ids[str(algo_id)] = True
        while len(ids) > REMEMBERED_ALGO_IDS:
            ids.popitem(last=False)

    def _algo_route(self, method, id, params):
        """-> (whether the call is about algo orders, params without ``algo``). params['algo'] decides when given;
        otherwise an id this instance created with createTwapOrder is an algo order's."""
        params = validate.params(params, method, self.id)
        created = id is not None and str(id) in self._created_algo_ids()
        if "algo" not in params:
            return created, params
        flag = validate.flag(params["algo"], f"{method}() params['algo']", self.id)
        return (created if flag is None else flag), self.omit(params, ["algo"])

    def _no_algo_params(self, params, method):
        """The algo endpoints take no filters these methods could send: refuse what would be dropped."""
        if params:
            raise BadRequest(f"{self.id} {method}() with params['algo'] takes no other params, got {sorted(params)!r}")

    def _cancel_algo_order(self, id, symbol, params) -> Order:
        self._no_algo_params(params, "cancelOrder")
        if id is None:
            raise ArgumentsRequired(self.id + " cancelOrder() of an algo order requires its id")
        market = None
        if symbol is not None:
            self.load_markets()
            market = self.market(symbol)
        self.privateDeleteAlgoOrdersAlgoId({"algo_id": str(id)})
        # 204: the algo order is closed; no further child orders are placed
        return self.safe_order({"id": str(id), "symbol": market["symbol"] if market else None, "info": {}})

    def _fetch_algo_order(self, id, symbol, params) -> Order:
        """A running algo order from /algo/orders/{id}; an ended one is looked up in /algo/orders-history."""
        self._no_algo_params(params, "fetchOrder")
        if id is None:
            raise ArgumentsRequired(self.id + " fetchOrder() of an algo order requires its id")
        self.load_markets()
        market = self.market(symbol) if symbol is not None else None
        try:
            return self.parse_algo_order(self.privateGetAlgoOrdersAlgoId({"algo_id": str(id)}), market)
        except OrderNotFound:
            pass
        request = {"market": market["id"]} if market is not None else {}
        rows = self._walk("fetchOrder", self.privateGetAlgoOrdersHistory, request, None, 1, True,
                                keep=lambda row: row.get("id") == str(id))
        if not rows:
            raise OrderNotFound(self.id + " algo order " + str(id) + " not found")
        return self.parse_algo_order(rows[0], market)

    def _fetch_open_algo_orders(self, symbol, since, limit, params) -> list[Order]:
        self._no_algo_params(params, "fetchOpenOrders")  # GET /algo/orders has no query parameters
        self.load_markets()
        market = self.market(symbol) if symbol is not None else None
        response = self.privateGetAlgoOrders()
        return self.parse_algo_orders(self.safe_list(response, "results", []), market, since, limit)

    def _fetch_algo_orders(self, method, symbol: Str, since: Int, limit: Int, params, status=None) -> list[Order]:
        """/algo/orders-history through the history walker (since / limit / paginate / until as fetchOrders);
        ``status`` 'closed' or 'canceled' keeps those (counted by ``limit`` while walking)."""
        keep = None
        if status is not None:
            params = self.extend({"status": "CLOSED"}, params)

            def keep(row):
                return self.parse_algo_status(row) == status
        rows, market = self._history(method, self.privateGetAlgoOrdersHistory, symbol, since, limit, params,
                                           None, keep, history.cursor_on_first_row)
        return self.parse_algo_orders(rows, market, since, limit)
