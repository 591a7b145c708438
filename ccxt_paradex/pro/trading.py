"""Order entry over the WebSocket (mixin of the pro class): ``order.*`` JSON-RPC methods (Paradex's OpenRPC spec).

Every method takes the arguments of its REST twin, validates and signs through the same
helpers (``async_support/paradex_trading.py`` -> ``core/orders.py``) and parses with the
same parsers, so a ``*_ws`` call raises, sends and returns what the REST call would.

Requests are matched to responses by JSON-RPC id. A request is settled by exactly one of:
its answer, ``options['wsOrderTimeout']`` seconds passing (RequestTimeout), or the loss of
the connection it was sent on (NetworkError, at once). Requests are never re-sent on a new
connection: an order may or may not have reached the venue, and only the caller (or the
orders stream) can tell.

``options['cancelOnDisconnect']``: right after every successful ``auth`` on a connection (whether an
order call or a private watcher sent it, so also after each reconnect) ``order.cancel_on_disconnect``
is sent, and order calls wait for its ack before they go out.

``auth`` goes out once per socket, whoever needs it first (``ParadexConnection.authenticate``).
"""
import asyncio

from ccxt.base.errors import ArgumentsRequired, AuthenticationError, BadRequest, BaseError, InvalidOrder, NetworkError, RequestTimeout

from ..core import errors as paradex_errors
from ..core.orders import check_ws_order

# per-socket state kept on the ccxt ws Client (a reconnect makes a new Client; a lost one is reset)
_COD_STATE = "_paradex_cod"        # task of the order.cancel_on_disconnect that armed this socket


def _with_price(request):
    """OpenRPC order.create / order.create_batch / order.modify list ``price`` as required: "0" for the
    market family (which is signed at price 0 either way)."""
    if request.get("price") is None:
        request["price"] = "0"
    return request


class ParadexWsTrading:
    # ---- unified methods --------------------------------------------------------------------------
    async def create_order_ws(self, symbol, type, side, amount, price=None, params={}):
        await self.load_markets()
        request, market = await self._signed_order(symbol, type, side, amount, price, params)
        check_ws_order(self, request)
        result = await self._order_request("order.create", _with_price(request))
        return self.parse_order(self.safe_dict(result, "order", result), market)

    async def create_orders_ws(self, orders, params={}):
        """Validated and signed up front; one ``order.create_batch`` per options['batchSize'] orders.
        Results are in request order; a per-order rejection is an order with status 'rejected'."""
        await self.load_markets()
        # order.create_batch's items take order.create's types and flags
        signed = [_with_price(check_ws_order(self, r, "createOrdersWs")) for r in await self._signed_orders(orders, params)]
        size = self.safe_integer(self.options, "batchSize", 10)
        result = []
        for i in range(0, len(signed), size):
            response = await self._create_batch(signed[i:i + size])
            for entry in self.safe_list(response, "results", []):
                order = self.safe_dict(entry, "order")
                if order is not None:
                    result.append(self.parse_order(order))
                else:
                    result.append(self.safe_order({"info": entry, "status": "rejected"}))
        return result

    async def _create_batch(self, chunk):
        """The docs disagree on the params shape (``{"orders": [...]}`` or a bare array): a binding error on one
        shape created nothing, so the other is tried once and kept from then on."""
        bare = self.safe_string(self.options, "wsCreateBatchShape", "object") == "array"
        try:
            response = await self._order_request("order.create_batch", chunk if bare else {"orders": chunk})
            self.options["wsCreateBatchShapeSettled"] = True
            return response
        except (BadRequest, InvalidOrder) as e:
            binding = getattr(e, "ws_code", None) in paradex_errors.WS_BINDING or getattr(e, "paradex_code", None) == "BINDING_ERROR"
            if not binding or self.safe_bool(self.options, "wsCreateBatchShapeSettled", False):
                raise
            self.options["wsCreateBatchShapeSettled"] = True
            self.options["wsCreateBatchShape"] = "object" if bare else "array"
            return await self._order_request("order.create_batch", {"orders": chunk} if bare else chunk)

    async def edit_order_ws(self, id, symbol, type=None, side=None, amount=None, price=None, params={}):
        """As ``edit_order``; the live order is fetched (REST) only for what the arguments leave out."""
        await self.load_markets()
        market = self.market(symbol)
        current = {}
        if self._edit_needs_current(id, market, type, side, amount, price, params):
            current = await self._current_order(id)
        request = await self._signed_modify(id, market, type, side, amount, price, params, current)
        check_ws_order(self, request, "editOrderWs", "order.modify")
        result = await self._order_request("order.modify", _with_price(request))
        return self.parse_order(self.safe_dict(result, "order", result), market)

    async def cancel_order_ws(self, id, symbol=None, params={}):
        client_id, request, params = await self._cancel_target(id, symbol, params)
        if request is not None and "market" not in request:  # OpenRPC order.cancel: id, or client_id + market
            raise ArgumentsRequired(self.id + " cancelOrderWs() by clientOrderId requires a symbol argument")
        result = await self._order_request("order.cancel", self.extend(request or {"id": str(id)}, params))
        if id is None:
            id = self.safe_string(result, "order_id")
        return self._canceled_order(id, client_id, symbol, result)

    async def cancel_orders_ws(self, ids, symbol=None, params={}):
        response = await self._order_request("order.cancel_batch", self._cancel_batch_body(ids, params))
        return self._parse_cancel_results(response)

    async def cancel_all_orders_ws(self, symbol=None, params={}):
        response = await self._order_request("order.cancel_all", await self._cancel_all_request(symbol, params))
        return [self.safe_order({"info": response})]

    async def set_cancel_on_disconnect_ws(self, enabled=True, params={}):
        """Turn cancel-on-disconnect on or off for the current connection and every later one -> ``{"enabled": bool}``."""
        self.options["cancelOnDisconnect"] = bool(enabled)
        client = await self._authenticated_client()   # arms the connection when enabled
        if enabled:
            return await self._arm_cancel_on_disconnect(client)
        setattr(client, _COD_STATE, None)
        return await self._send_order_rpc(client, "order.cancel_on_disconnect", self.extend({"enabled": False}, params))

    # ---- connection: auth (once per socket) and cancel-on-disconnect -------------------------------
    def handle_rpc_result(self, client, message) -> bool:
        """With ``cancelOnDisconnect`` on, arms a socket as soon as its ``auth`` is acknowledged
        (whoever sent it), so also after each reconnect."""
        rid = message.get("id")
        if rid is not None and message.get("error") is None:
            entry = self._rpc_pending.get(rid)
            if entry is not None and "auth" in entry[0]:
                if self.safe_bool(self.options, "cancelOnDisconnect", False):
                    self._cancel_on_disconnect_task(client)
        return super().handle_rpc_result(client, message)

    async def _authenticated_client(self):
        """The trading socket, authenticated (``auth`` is sent at most once per socket) and, with
        ``cancelOnDisconnect`` on, armed before any order goes out on it."""
        client = await self._authenticated_socket()
        if self.safe_bool(self.options, "cancelOnDisconnect", False):
            await self._arm_cancel_on_disconnect(client)
        return client

    def _cancel_on_disconnect_task(self, client):
        """One ``order.cancel_on_disconnect {"enabled": true}`` per socket, shared by every waiter."""
        task = getattr(client, _COD_STATE, None)
        if task is None:
            task = asyncio.ensure_future(self._send_order_rpc(client, "order.cancel_on_disconnect", {"enabled": True}))
            task.add_done_callback(lambda t: t.cancelled() or t.exception())  # failures are re-raised to waiters
            setattr(client, _COD_STATE, task)
        return task

    async def _arm_cancel_on_disconnect(self, client):
        task = self._cancel_on_disconnect_task(client)
        try:
            return await asyncio.shield(task)
        except BaseException:
            if getattr(client, _COD_STATE, None) is task and task.done():
                setattr(client, _COD_STATE, None)  # the next request tries again
            raise

    # ---- request / response -----------------------------------------------------------------------
    async def _order_request(self, method, params):
        refusals = 0
        while True:
            client = await self._authenticated_client()
            try:
                return await self._send_order_rpc(client, method, params)
            except AuthenticationError as e:  # refused for the token, before the venue looked at the order
                refusals += 1
                if not self._retry_after_token_refused(e, client, refusals):
                    raise

    async def _send_order_rpc(self, client, method, params):
        if self.enableRateLimit:
            await self.throttle(("orders", 1))  # the venue counts WS order methods in the REST orders bucket
        message = self._rpc(method, params, (), None, True)
        rid = message["id"]
        future = asyncio.get_running_loop().create_future()
        pending = self._ws_order_pending()
        pending[rid] = (client, future, method)
        try:
            if client.closed():
                raise NetworkError(self.id + " " + method + ": connection closed before send")
            try:
                await client.send(message)
            except BaseError:
                raise
            except Exception as e:
                raise NetworkError(self.id + " " + method + ": " + str(e)) from e
            timeout = self.safe_number(self.options, "wsOrderTimeout", 10)
            try:
                return await asyncio.wait_for(future, timeout)
            except asyncio.TimeoutError:
                raise RequestTimeout(self.id + " " + method + " (id " + str(rid) + ") got no answer within "
                                     + str(timeout) + " s") from None
        finally:
            pending.pop(rid, None)
            self._rpc_pending.pop(rid, None)

    def _ws_order_pending(self):
        pending = getattr(self, "_ws_orders_in_flight", None)
        if pending is None:
            pending = self._ws_orders_in_flight = {}   # JSON-RPC id -> (client, asyncio future, method)
        return pending

    def handle_order_rpc_result(self, client, rid, result):
        entry = self._ws_order_pending().get(rid)
        if entry is not None and not entry[1].done():
            entry[1].set_result(result)

    def handle_order_rpc_error(self, client, rid, exc):
        entry = self._ws_order_pending().get(rid)
        if entry is not None and not entry[1].done():
            entry[1].set_exception(exc)

    def _reject_in_flight(self, client, reason):
        for rid, (owner, future, method) in list(self._ws_order_pending().items()):
            if (client is None or owner is client) and not future.done():
                future.set_exception(NetworkError(self.id + " " + method + " (id " + str(rid) + "): " + reason))

    def _on_connection_lost(self, client):
        super()._on_connection_lost(client)
        self._reject_in_flight(client, "connection lost before the answer; the request may or may not have been executed")
        setattr(client, _COD_STATE, None)

    async def close(self, clean_instance_data=False):
        self._reject_in_flight(None, "exchange closed before the answer")
        return await super().close(clean_instance_data)
