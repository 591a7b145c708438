"""Order requests shared by the REST verbs (``paradex_trading.py``) and the WebSocket ones (``pro/trading.py``):
validation -> request body -> signature -> target resolution, and the constants they follow. Mixin of the paradex
classes; both trading mixins import it explicitly, so whoever changes a helper here sees its two callers."""
from ccxt.base.errors import ArgumentsRequired, BadRequest, DuplicateOrderId, InvalidOrder, OrderNotFound

from ..core import validate
from .paradex_history import ParadexHistory
from ..adapters.orders import (ANY_TRIGGER_KEYS, CLIENT_ID_KEYS, TRIGGER_KEYS, UNIFIED_TYPES, build_order, check_params,
                           check_side, check_type, conditional_type, precise, sign_order, sign_orders)

MAX_BATCH = 10  # orders per POST /orders/batch (OpenAPI) and per order.create_batch (the same limit server-side)
MODIFY_FIELDS = ("id", "market", "price", "side", "size", "type", "trigger_price", "on_behalf_of_account")
#: request keys that name the order itself (REST path ``order_id``, WS ``order.cancel`` ``id``): never taken from params
ORDER_ID_KEYS = ("order_id", "id")
#: ccxt's generic cancel flags (other venues cancel trigger orders elsewhere); on Paradex they change nothing
GENERIC_CANCEL_FLAGS = ("trigger", "stop")
#: cancelOrders' client id lists, as ccxt's paradex spells them
CLIENT_IDS_KEYS = ("clientOrderIds", "clOrdIDs", "client_order_ids")
#: a batch cancel's per-order status (OpenAPI / OpenRPC cancel_batch results[].status) -> ccxt's, as ccxt's paradex
#: maps them: a queued cancel is 'canceled' (final state on the orders stream), an order the venue does not know
#: 'rejected' (nothing was cancelled), one already closed 'closed'
CANCEL_RESULT_STATUS = {"QUEUED_FOR_CANCELLATION": "canceled", "ALREADY_CLOSED": "closed", "NOT_FOUND": "rejected"}



class ParadexOrderRequests(ParadexHistory):
    async def _signed_order(self, symbol, type, side, amount, price=None, params={}):
        market = self.market(symbol)
        request = build_order(self, market, type, side, amount, price, params)
        signer = await self.stark_signer()
        return sign_order(signer, request, self.now_ms()), market

    async def _signed_orders(self, orders, params={}):
        """Every order of a batch validated and signed before anything is sent (REST and WebSocket)."""
        orders = validate.order_list(orders, "createOrders", self.id)
        built = [build_order(self, self.market(o["symbol"]), o["type"], o["side"], self.safe_value(o, "amount"),
                             self.safe_value(o, "price"), self.extend(params, self.safe_dict(o, "params", {})))
                 for o in orders]
        client_ids = [r["client_id"] for r in built if "client_id" in r]
        if len(set(client_ids)) < len(client_ids):  # the venue refuses the repeat, and its answer could not be paired
            repeated = sorted({c for c in client_ids if client_ids.count(c) > 1})
            raise DuplicateOrderId(f"{self.id} createOrders() repeats the clientOrderId {', '.join(repeated)} in one batch")
        signer = await self.stark_signer()
        threads = self.safe_integer(self.options, "signThreads", 1)
        return sign_orders(signer, built, self.now_ms, threads)

    def _batch_size(self, method):
        """options['batchSize']: orders per batch request, at most 10 (OpenAPI POST /orders/batch: "Valid batch size
        is between 1-10"); a larger setting means the largest batch, a smaller one than 1 is refused."""
        size = self.safe_integer(self.options, "batchSize", MAX_BATCH)
        if size is None or size < 1:
            raise BadRequest(f"{self.id} {method}() options['batchSize'] must be 1 to {MAX_BATCH}, got "
                             f"{self.options.get('batchSize')!r}")
        return min(size, MAX_BATCH)

    def _rejected_order(self, request, error):
        market = self.safe_market(request["market"])
        return self.safe_order({
            "info": error, "status": "rejected", "symbol": market["symbol"], "clientOrderId": request.get("client_id"),
            "side": request["side"].lower(), "type": "market" if "MARKET" in request["type"] else "limit",
            "amount": self.safe_number(request, "size"), "price": self.safe_number(request, "price"),
            "triggerPrice": self.safe_number(request, "trigger_price"),
            "reduceOnly": "REDUCE_ONLY" in (request.get("flags") or []),
            "postOnly": request.get("instruction") == "POST_ONLY"})

    # ---- edit -------------------------------------------------------------------------------------------
    def _edit_needs_current(self, id, market, type, side, amount, price, params):
        """Validate what the caller gave (before anything is fetched, signed or sent) -> whether the live
        order must be fetched for what is missing."""
        validate.order_id(id, "editOrder() id", self.id)
        if side is not None:
            check_side(self, side, "editOrder")
        type_u = check_type(self, type, "editOrder") if type is not None else None
        # at the market's precision now (a value that rounds to nothing is refused before the order is read)
        if amount is not None:
            precise(self, amount, "editOrder() amount", market, "amount")
        if price is not None:
            precise(self, price, "editOrder() price", market, "price")
        check_params(self, params, "editOrder")
        triggers = [k for k in ANY_TRIGGER_KEYS if params.get(k) is not None]
        if len({"triggerPrice" if k in TRIGGER_KEYS else k for k in triggers}) > 1:
            raise InvalidOrder(f"{self.id} editOrder() takes one of triggerPrice, stopLossPrice, takeProfitPrice")
        for key in triggers:
            precise(self, params[key], "editOrder() " + key, market, "price")
        if amount is None and price is None and not triggers:
            raise ArgumentsRequired(self.id + " editOrder() requires an amount, a price or a trigger price to change")
        is_market = type_u is not None and "MARKET" in type_u
        # a unified type with trigger params maps as createOrder maps it (triggerPrice -> STOP_*, stopLossPrice ->
        # STOP_LOSS_*, takeProfitPrice -> TAKE_PROFIT_*): nothing to read for the type
        return type_u is None or side is None or amount is None or (price is None and not is_market)

    async def _current_order(self, id):
        """The live order (GET /orders/{id}); an order the venue no longer lists as open (an untriggered
        stop can be one) is looked up in /orders-history."""
        try:
            return await self.privateGetOrdersOrderId({"order_id": str(id)})
        except OrderNotFound:
            rows = await self._walk("editOrder", self.privateGetOrdersHistory, {}, None, 1, True,
                                    keep=lambda row: row.get("id") == str(id))
            if not rows:
                raise
            return rows[0]

    def _modify_type(self, type, params, current):
        """The Paradex type a modify must carry: the order's own (the venue refuses type changes), mapped from
        ccxt's unified 'limit'/'market' + trigger params the way createOrder maps them."""
        current_type = self.safe_string_upper(current, "type")
        if type is None:
            return current_type
        type_u = type.upper()
        stop_loss, take_profit = params.get("stopLossPrice"), params.get("takeProfitPrice")
        if type_u in UNIFIED_TYPES and stop_loss is None and take_profit is None and current_type is not None \
                and ("MARKET" in current_type) == (type_u == "MARKET"):
            return current_type  # 'limit' for a STOP_LIMIT order means that order
        return conditional_type(type_u, stop_loss, take_profit, self.safe_value_n(params, TRIGGER_KEYS))

    async def _signed_modify(self, id, market, type, side, amount, price, params, current):
        """A signed ModifyOrder request; what the caller leaves out comes from ``current`` (the live order,
        ``{}`` when every argument was given)."""
        if current:
            if self.safe_string(current, "market") not in (None, market["id"]):
                raise InvalidOrder(self.id + " editOrder() order " + str(id) + " is on " + self.safe_string(current, "market")
                                   + ", not " + market["symbol"])
            if side is not None and self.safe_string_upper(current, "side") not in (None, side.upper()):
                raise InvalidOrder(self.id + " editOrder() cannot change an order's side")
        type_u = self._modify_type(type, params, current)
        side = side or self.safe_string(current, "side")
        amount = amount if amount is not None else self.safe_string(current, "size")
        if price is None and "MARKET" not in str(type_u):
            price = self.safe_string(current, "price")
        trigger = self.safe_value_n(params, ANY_TRIGGER_KEYS)
        rest = {"onBehalfOfAccount": self.safe_value_2(params, "onBehalfOfAccount", "on_behalf_of_account")}
        if type_u not in UNIFIED_TYPES:  # a conditional order keeps its trigger unless given one
            rest["triggerPrice"] = trigger if trigger is not None else self.safe_string(current, "trigger_price")
        elif trigger is not None:  # it would be dropped: a modify keeps the order's type, and LIMIT/MARKET have none
            raise InvalidOrder(f"{self.id} editOrder() order {id} is a {type_u} order: it has no trigger price to change")
        request = build_order(self, market, type_u, side, amount, price, {k: v for k, v in rest.items() if v is not None})
        request = {k: v for k, v in request.items() if k in MODIFY_FIELDS}
        request["id"] = str(id)
        signer = await self.stark_signer()
        sign_order(signer, request, self.now_ms(), modify_id=str(id))
        return request

    def _client_order_id(self, params, method="cancelOrder"):
        """-> (the client order id params name under any of ccxt's spellings, or None; params without them).
        Two different ones are refused: which order was meant cannot be told."""
        params = validate.params(params, method, self.id)
        given = [params[k] for k in CLIENT_ID_KEYS if params.get(k) is not None]  # "" is an id to refuse, not a missing one
        client_id = validate.client_order_id(given[0], "clientOrderId", self.id) if given else None
        if any(validate.client_order_id(other, "clientOrderId", self.id) != client_id for other in given[1:]):
            raise BadRequest(f"{self.id} {method}() params name two different client order ids: {given!r}")
        return client_id, (self.omit(params, list(CLIENT_ID_KEYS)) if given else params)

    def _no_target_override(self, params, method):
        """The order a call acts on is named by its arguments only: params keys that would name another one (the
        request's own ``order_id`` / ``id``) are refused, not merged over the argument."""
        named = [k for k in ORDER_ID_KEYS if k in params]
        if named:
            raise BadRequest(f"{self.id} {method}() params {named} would name the order: pass the id as the id "
                             f"argument (or params['clientOrderId'])")

    async def _market_param(self, symbol, params, method):
        """-> (market id from ``symbol`` or params['market'], params without it): both given must agree."""
        market_id = None
        if symbol is not None:
            await self.load_markets()
            market_id = self.market_id(symbol)
        raw = params.get("market")
        if raw is not None:
            raw = validate.text(raw, method + "() params['market']", self.id)
            if market_id is not None and raw != market_id:
                raise BadRequest(f"{self.id} {method}() params['market'] {raw!r} is not {symbol}'s market {market_id!r}")
            market_id = raw
        return market_id, self.omit(params, ["market"])

    def _only_known_params(self, params, method):
        """What is left must be nothing: ccxt's generic cancel flags (``trigger``, ``stop``) change nothing on Paradex
        and are dropped; any other key is refused before anything is signed or sent (it would go out as a query
        parameter the endpoint does not have)."""
        unknown = [k for k in params if k not in GENERIC_CANCEL_FLAGS]
        if unknown:
            raise BadRequest(f"{self.id} {method}() does not know the params {unknown!r}")

    async def _cancel_target(self, id, symbol, params, method="cancelOrder"):
        """-> (client order id, {client_id[, market]} request) for a cancel by client id, (None, None) for one by
        id; raises without an id of either kind, with both (which one was meant cannot be told), or when params
        would name another order or market than the arguments."""
        client_id, params = self._client_order_id(params, method)
        self._no_target_override(params, method)
        market_id, params = await self._market_param(symbol, params, method)
        self._only_known_params(params, method)
        if client_id is None:
            if id is None:
                raise ArgumentsRequired(self.id + " " + method + "() requires an id or params['clientOrderId']")
            return None, None
        if id is not None:  # (the guard refused an empty id already)
            raise BadRequest(f"{self.id} {method}() got both an id ({id!r}) and a clientOrderId ({client_id!r}): pass "
                             f"one (id=None to cancel by clientOrderId)")
        request = {"client_id": client_id}
        if market_id is not None:
            request["market"] = market_id
        return client_id, request

    def _canceled_order(self, id, client_id, symbol, info):
        return self.safe_order({"id": id, "clientOrderId": client_id, "symbol": symbol, "info": info})

    def _parse_cancel_results(self, response):
        out = []
        for r in self.safe_list(response, "results", []):
            status = self.safe_string(r, "status")
            market = self.safe_market(self.safe_string(r, "market"))
            out.append(self.safe_order({"id": self.safe_string(r, "id"), "clientOrderId": self.safe_string(r, "client_id"),
                                        "symbol": market["symbol"] if self.safe_string(r, "market") else None,
                                        "status": CANCEL_RESULT_STATUS.get(status), "info": r}))
        return out

    def _cancel_batch_body(self, ids, params, method="cancelOrders"):
        """{order_ids[, client_order_ids]}: ``ids`` must be a list (a bare string would cancel its characters);
        an empty request is refused rather than sent. Client ids under any of ccxt's spellings (clientOrderIds,
        clOrdIDs, client_order_ids); two lists are refused."""
        params = validate.params(params, method, self.id)
        given = [k for k in CLIENT_IDS_KEYS if params.get(k) is not None]
        if len(given) > 1:
            raise BadRequest(f"{self.id} {method}() takes one list of client order ids, got {given}")
        client_ids = params[given[0]] if given else None
        unknown = [k for k in params if k not in CLIENT_IDS_KEYS and k not in GENERIC_CANCEL_FLAGS]
        if unknown:
            raise BadRequest(self.id + " " + method + "() does not know the params " + repr(unknown))
        client_ids = validate.order_ids(client_ids, method + "() clientOrderIds", self.id, allow_empty=True)
        for client_id in client_ids:
            validate.client_order_id(client_id, method + "() clientOrderIds", self.id)
        ids = validate.order_ids(ids, method, self.id, allow_empty=bool(client_ids))  # raises on nothing to cancel
        body = {"order_ids": ids}
        if client_ids:
            body["client_order_ids"] = client_ids
        return body

    async def _cancel_all_request(self, symbol, params, method="cancelAllOrders"):
        """{market} or {} (every market: the caller named none). Params may name the market (agreeing with the
        symbol) and nothing else: an unknown filter would be dropped by the venue, cancelling more than asked."""
        params = validate.params(params, method, self.id)
        market_id, params = await self._market_param(symbol, params, method)
        self._only_known_params(params, method)
        return {} if market_id is None else {"market": market_id}
