"""The REST order verbs (mixin of the paradex class): create, edit, cancel, fetch. What they share with the WebSocket
order methods (validation, request bodies, signatures, order targets) is ``paradex_orders.py``."""
from ccxt.base.types import Int, Num, Order, OrderRequest, OrderSide, OrderType, Str
from ccxt.base.errors import ArgumentsRequired, BadRequest, InvalidOrder, OrderNotFound

from ..core import history
from ..core.batch import in_request_order
from .paradex_algo import ParadexAlgo
from .paradex_orders import ParadexOrderRequests


class ParadexTrading(ParadexOrderRequests, ParadexAlgo):
    async def create_order(self, symbol: str, type: OrderType, side: OrderSide, amount: float, price: Num = None, params: dict = {}) -> Order:
        await self.load_markets()
        request, market = await self._signed_order(symbol, type, side, amount, price, params)
        response = await self.privatePostOrders(request)
        return self.parse_order(response, market)

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
