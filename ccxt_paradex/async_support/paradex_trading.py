"""Order entry and order queries (mixin of the paradex class)."""
from ccxt.base.types import Int, Num, Order, OrderRequest, OrderSide, OrderType, Str
from ccxt.base.errors import ArgumentsRequired, BadRequest, DuplicateOrderId, InvalidOrder, OrderNotFound

from ..core import history, validate
from ..core.batch import in_request_order
from ..core.orders import (ANY_TRIGGER_KEYS, CLIENT_ID_KEYS, TRIGGER_KEYS, UNIFIED_TYPES, build_order, check_params,
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


class ParadexTrading:
    async def _signed_order(self, symbol, type, side, amount, price=None, params={}):
        market = self.market(symbol)
        request = build_order(self, market, type, side, amount, price, params)
        signer = await self.stark_signer()
        return sign_order(signer, request, self.now_ms()), market

    async def create_order(self, symbol: str, type: OrderType, side: OrderSide, amount: float, price: Num = None, params: dict = {}) -> Order:
        await self.load_markets()
        request, market = await self._signed_order(symbol, type, side, amount, price, params)
        response = await self.privatePostOrders(request)
        return self.parse_order(response, market)

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

    async def create_orders(self, orders: list[OrderRequest], params: dict = {}) -> list[Order]:
        """All orders are validated and signed before the first request; batches of options['batchSize'].
        ``result[i]`` is request ``i``'s order (a rejected one has status 'rejected' and the venue's error). When a
        later batch fails, the exception carries the orders of the batches already answered as ``e.orders``."""
        await self.load_markets()
        size = self._batch_size("createOrders")
        signed = await self._signed_orders(orders, params)
        result: list = []
        for i in range(0, len(signed), size):
            chunk = signed[i:i + size]
            try:
                response = await self.privatePostOrdersBatch({"__body": chunk})
            except Exception as e:
                e.orders = result  # type: ignore[attr-defined]  # placed before the failure: the caller must know them
                raise
            accepted = self.safe_list(response, "orders", [])
            errors = self.safe_list(response, "errors", [])
            for request, row, error in in_request_order(chunk, accepted, errors):
                if row is not None:
                    result.append(self.parse_order(row))
                else:
                    result.append(self._rejected_order(request, error))
        return result

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

    async def edit_order(self, id: str, symbol: str, type: OrderType = None, side: OrderSide = None, amount: Num = None, price: Num = None, params: dict = {}) -> Order:
        """Amount or price alone is enough: the rest comes from the live order (flags and instruction are kept).
        Everything given is validated first; the order is fetched only when something is missing."""
        await self.load_markets()
        market = self.market(symbol)
        current = {}
        if self._edit_needs_current(id, market, type, side, amount, price, params):
            current = await self._current_order(id)
        request = await self._signed_modify(id, market, type, side, amount, price, params, current)
        request["order_id"] = str(id)
        response = await self.privatePutOrdersOrderId(request)
        return self.parse_order(response, market)

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

    async def cancel_order(self, id: str, symbol: Str = None, params: dict = {}) -> Order:
        algo, params = self._algo_route("cancelOrder", id, params)  # a TWAP: paradex_algo.py
        if algo:
            return await self._cancel_algo_order(id, symbol, params)
        client_id, request = await self._cancel_target(id, symbol, params)
        if request is not None:
            await self.privateDeleteOrdersByClientIdClientId(request)
        else:
            await self.privateDeleteOrdersOrderId({"order_id": str(id)})
        # 204: queued for cancellation; the final state arrives on the orders channel
        return self._canceled_order(id, client_id, symbol, {"status": "QUEUED_FOR_CANCELLATION"})

    async def cancel_orders(self, ids: list[str], symbol: Str = None, params: dict = {}) -> list[Order]:
        body = self._cancel_batch_body(ids, params)
        if symbol is not None:  # the batch names no market, but an unknown symbol is a mistake to refuse, not send
            await self.load_markets()
            self.market(symbol)
        response = await self.privateDeleteOrdersBatch({"__body": body})
        return self._parse_cancel_results(response)

    async def cancel_all_orders(self, symbol: Str = None, params: dict = {}) -> list[Order]:
        response = await self.privateDeleteOrders(await self._cancel_all_request(symbol, params))
        return [self.safe_order({"info": response})]

    async def fetch_order(self, id: str, symbol: Str = None, params: dict = {}) -> Order:
        """Open orders come from /orders/{id}; closed ones are looked up in /orders-history."""
        algo, params = self._algo_route("fetchOrder", id, params)  # a TWAP: paradex_algo.py
        if algo:
            return await self._fetch_algo_order(id, symbol, params)
        client_id, params = self._client_order_id(params, "fetchOrder")
        self._no_target_override(params, "fetchOrder")
        market_id, params = await self._market_param(symbol, params, "fetchOrder")
        self._only_known_params(params, "fetchOrder")  # (the GETs take no query: ccxt's trigger/stop are dropped)
        if client_id is None and id is None:
            raise ArgumentsRequired(self.id + " fetchOrder() requires an id or params['clientOrderId']")
        if client_id is not None and id is not None:  # one rule with cancelOrder: which order was meant cannot be told
            raise BadRequest(f"{self.id} fetchOrder() got both an id ({id!r}) and a clientOrderId ({client_id!r}): pass "
                             f"one (id=None to fetch by clientOrderId)")
        await self.load_markets()
        try:
            if client_id is not None:
                response = await self.privateGetOrdersByClientIdClientId({"client_id": client_id})
            else:
                response = await self.privateGetOrdersOrderId({"order_id": str(id)})
            return self.parse_order(response)
        except (OrderNotFound, InvalidOrder):
            pass

        def match(row):
            return (client_id is not None and row.get("client_id") == client_id) or row.get("id") == str(id)
        # the venue's GET answers OPEN/NEW orders only (OpenAPI): an untriggered stop is among the open orders, which
        # one request reads (a stop-loss polled every few seconds must not walk the history each time)
        listed = await self.privateGetOrders({"market": market_id} if market_id is not None else {})
        for row in self.safe_list(listed, "results", []):
            if match(row):
                return self.parse_order(row)
        request = {"client_id": client_id} if client_id is not None else {}
        if market_id is not None:
            request["market"] = market_id
        # the whole history, newest first, until the order is found (bounded: options['historyMaxRequests'])
        for row in await self._walk("fetchOrder", self.privateGetOrdersHistory, request, None, 1, True, keep=match):
            return self.parse_order(row)
        raise OrderNotFound(self.id + " order " + str(id if client_id is None else client_id) + " not found")

    async def fetch_open_orders(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[Order]:
        algo, params = self._algo_route("fetchOpenOrders", None, params)  # TWAPs: paradex_algo.py
        if algo:
            return await self._fetch_open_algo_orders(symbol, since, limit, params)
        await self.load_markets()
        request = {}
        market = None
        if symbol is not None:
            market = self.market(symbol)
            request["market"] = market["id"]
        response = await self.privateGetOrders(self.extend(request, params))
        return self.parse_orders(self.safe_list(response, "results", []), market, since, limit)

    async def fetch_orders(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[Order]:
        algo, params = self._algo_route("fetchOrders", None, params)  # TWAPs: paradex_algo.py
        if algo:
            return await self._fetch_algo_orders("fetchOrders", symbol, since, limit, params)
        rows, market = await self._history("fetchOrders", self.privateGetOrdersHistory, symbol, since, limit, params,
                                           annotate=history.cursor_on_first_row)
        return self.parse_orders(rows, market, since, limit)

    async def fetch_closed_orders(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}):
        algo, params = self._algo_route("fetchClosedOrders", None, params)  # TWAPs: paradex_algo.py
        if algo:
            return await self._fetch_algo_orders("fetchClosedOrders", symbol, since, limit, params, "closed")
        return await self._ended_orders("closed", symbol, since, limit, params)

    async def fetch_canceled_orders(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}):
        algo, params = self._algo_route("fetchCanceledOrders", None, params)  # TWAPs: paradex_algo.py
        if algo:
            return await self._fetch_algo_orders("fetchCanceledOrders", symbol, since, limit, params, "canceled")
        return await self._ended_orders("canceled", symbol, since, limit, params)

    async def _ended_orders(self, status, symbol, since, limit, params):
        """Paradex's CLOSED covers both filled and canceled orders: ccxt's ``status`` tells them apart (while
        walking, so ``limit`` counts orders of that status)."""
        def keep(row):
            return self.parse_order_status(self.safe_string(row, "status"), self.safe_string(row, "cancel_reason")) == status
        method = "fetchClosedOrders" if status == "closed" else "fetchCanceledOrders"
        rows, market = await self._history(method, self.privateGetOrdersHistory, symbol, since, limit,
                                           self.extend({"status": "CLOSED"}, params), None, keep)
        return self.parse_orders(rows, market, since, limit)
