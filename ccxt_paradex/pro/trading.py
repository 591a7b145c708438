"""Order entry over the WebSocket (mixin of the pro class): ``order.*`` JSON-RPC methods (Paradex's OpenRPC spec).

Every method takes the arguments of its REST twin, validates and signs through the same
helpers (``async_support/paradex_orders.py`` -> ``adapters/orders.py``, imported below) and parses with
the same parsers, so a ``*_ws`` call raises, sends and returns what the REST call would.

Requests are matched to responses by JSON-RPC id. A request is settled by exactly one of:
its answer, ``options['wsOrderTimeout']`` seconds passing (RequestTimeout), the loss of
the connection it was sent on (NetworkError, at once) or ``close()`` (ExchangeClosedByUser). Requests are never re-sent on a new
connection: an order may or may not have reached the venue, and only the caller (or the
orders stream) can tell.

``options['cancelOnDisconnect']``: right after every successful ``auth`` on a connection (whether an
order call or a private watcher sent it, so also after each reconnect) ``order.cancel_on_disconnect``
is sent, and order calls wait for its ack before they go out.

``auth`` goes out once per connection, whoever needs it first (``ParadexConnection.authenticate``); the
connection's ``Session`` (pro/session.py) owns the in-flight requests and the arming. A connection used
only for order entry keeps one private subscription (options['wsKeepAliveChannel']), as Paradex may
close a connection that subscribes to nothing (close code 4031).
"""
from ccxt.base.types import Num, OrderRequest, OrderSide, OrderType, Str
from ccxt.base.errors import ArgumentsRequired, AuthenticationError, BadRequest, InvalidOrder, NotSupported

from ..async_support.paradex_orders import ParadexOrderRequests
from ..core import errors as paradex_errors
from ..adapters.orders import check_ws_order
from .connection import ParadexConnection

# a batch entry the venue's answer lacks (as createOrders over REST reports one: core/batch.in_request_order)
NO_RESULT = {"error": "NO_RESULT", "message": "the venue returned no result for this order"}


class ParadexWsTrading(ParadexOrderRequests, ParadexConnection):
    # ---- unified methods --------------------------------------------------------------------------
    async def create_order_ws(self, symbol: str, type: OrderType, side: OrderSide, amount: float, price: Num = None, params: dict = {}):
        await self.load_markets()
        request, market = await self._signed_order(symbol, type, side, amount, price, params)
        check_ws_order(self, request)
        result = await self._order_request("order.create", request)
        return self.parse_order(self.safe_dict(result, "order", result), market)

    async def create_orders_ws(self, orders: list[OrderRequest], params: dict = {}):
        """Validated and signed up front; one ``order.create_batch`` per options['batchSize'] orders.
        Results are in request order; a per-order rejection is an order with status 'rejected'."""
        await self.load_markets()
        size = self._batch_size("createOrdersWs")
        # order.create_batch's items take order.create's types and flags
        signed = [check_ws_order(self, r, "createOrdersWs") for r in await self._signed_orders(orders, params)]
        result: list = []
        for i in range(0, len(signed), size):
            chunk = signed[i:i + size]
            try:
                response = await self._create_batch(chunk)
            except Exception as e:
                e.orders = result  # type: ignore[attr-defined]  # placed before the failure (as createOrders)
                raise
            # OpenRPC order.create_batch result.results[]: one entry per order, in request order
            entries = self.safe_list(response, "results", [])
            for k, request in enumerate(chunk):
                entry = entries[k] if k < len(entries) and isinstance(entries[k], dict) else NO_RESULT
                order = self.safe_dict(entry, "order")
                if order is not None:
                    result.append(self.parse_order(order))
                else:  # what was asked, as createOrders (REST) gives a rejected order
                    result.append(self._rejected_order(request, entry))
        return result

    async def _create_batch(self, chunk):
        """The docs disagree on the params shape (OpenRPC: by name, ``{"orders": [...]}``; elsewhere a bare array):
        a binding error on one shape created nothing, so the other is tried once, and kept only once it has been
        answered. When the other shape fails too, the first shape's error is the one raised (the cause was not the
        shape) and nothing is settled."""
        bare = self.safe_string(self.options, "wsCreateBatchShape", "object") == "array"
        try:
            response = await self._order_request("order.create_batch", chunk if bare else {"orders": chunk})
            self.options["wsCreateBatchShapeSettled"] = True
            return response
        except (BadRequest, InvalidOrder) as e:
            binding = getattr(e, "ws_code", None) in paradex_errors.WS_BINDING or getattr(e, "paradex_code", None) == "BINDING_ERROR"
            if not binding or self.safe_bool(self.options, "wsCreateBatchShapeSettled", False):
                raise
            first = e
        try:
            response = await self._order_request("order.create_batch", {"orders": chunk} if bare else chunk)
        except (BadRequest, InvalidOrder):
            raise first from None
        self.options["wsCreateBatchShapeSettled"] = True
        self.options["wsCreateBatchShape"] = "object" if bare else "array"
        return response

    async def edit_order_ws(self, id: str, symbol: str, type: OrderType = None, side: OrderSide = None, amount: Num = None, price: Num = None, params: dict = {}):
        """As ``edit_order``; the live order is fetched (REST) only for what the arguments leave out."""
        await self.load_markets()
        market = self.market(symbol)
        current = {}
        if self._edit_needs_current(id, market, type, side, amount, price, params):
            current = await self._current_order(id)
        request = await self._signed_modify(id, market, type, side, amount, price, params, current)
        check_ws_order(self, request, "editOrderWs", "order.modify")
        result = await self._order_request("order.modify", request)
        return self.parse_order(self.safe_dict(result, "order", result), market)

    async def cancel_order_ws(self, id: str, symbol: Str = None, params: dict = {}):
        client_id, request = await self._cancel_target(id, symbol, params, "cancelOrderWs")
        if request is not None and "market" not in request:  # OpenRPC order.cancel: id, or client_id + market
            raise ArgumentsRequired(self.id + " cancelOrderWs() by clientOrderId requires a symbol argument")
        result = await self._order_request("order.cancel", request or {"id": str(id)})
        if id is None:
            id = self.safe_string(result, "order_id")
        return self._canceled_order(id, client_id, symbol, result)

    async def cancel_orders_ws(self, ids: list[str], symbol: Str = None, params: dict = {}):
        body = self._cancel_batch_body(ids, params, "cancelOrdersWs")
        if "client_order_ids" in body:  # OpenRPC order.cancel_batch: order_ids only
            raise NotSupported(self.id + " cancelOrdersWs() cancels by order id only (Paradex's order.cancel_batch has "
                               "no client ids): use cancelOrders() (REST) for params['clientOrderIds']")
        response = await self._order_request("order.cancel_batch", body)
        return self._parse_cancel_results(response)

    async def cancel_all_orders_ws(self, symbol: Str = None, params: dict = {}):
        response = await self._order_request("order.cancel_all", await self._cancel_all_request(symbol, params,
                                                                                                  "cancelAllOrdersWs"))
        return [self.safe_order({"info": response})]

    async def set_cancel_on_disconnect_ws(self, enabled=True, params={}):
        """Turn cancel-on-disconnect on or off for the current connection and every later one -> ``{"enabled": bool}``."""
        self.options["cancelOnDisconnect"] = bool(enabled)
        session = await self._trading_session()   # arms the connection when enabled
        if enabled:
            return await session.armed()
        session.disarmed()
        return await self._send_order_rpc(session, "order.cancel_on_disconnect", self.extend({"enabled": False}, params))

    # ---- the connection: authenticated (once), armed, never idle ---------------------------------------
    async def _trading_session(self):
        """The trading connection's session: authenticated (``auth`` is sent at most once per connection), armed
        before any order goes out on it when ``cancelOnDisconnect`` is on, and holding at least one private
        subscription (Paradex may close a connection without one, code 4031)."""
        session = await self._live_session()
        self._keep_subscribed(session)
        if self.safe_bool(self.options, "cancelOnDisconnect", False):
            await session.armed()
        return session

    # ---- request / response -----------------------------------------------------------------------
    async def _order_request(self, method, params):
        refusals = 0
        while True:
            session = None
            try:
                session = await self._trading_session()
                return await self._send_order_rpc(session, method, params)
            except AuthenticationError as e:  # refused for the token (its auth, or before the venue looked at the order)
                refusals += 1
                if session is None:
                    session = self.existing_session((self.clients or {}).get(self.get_ws_url()))
                if not self._retry_after_token_refused(e, session, refusals):
                    raise

    async def _send_order_rpc(self, session, method, params):
        return await session.request(method, params, self.safe_number(self.options, "wsOrderTimeout", 10))
