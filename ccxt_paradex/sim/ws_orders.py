"""WebSocket ``order.*`` JSON-RPC methods of the simulator (Paradex's OpenRPC spec).

The same checks as REST (``sim/orders.py``, the order operations both share: engine validation,
STARK signature verification against the main key or an active subkey), the same
engine, and the same rate-limit bucket (``limiter.take("orders", account)``).

Errors: 40300 before ``auth``, 40111 once its token expired, 42901 when the orders bucket is empty; a Paradex
rejection travels as JSON-RPC code 100 with ``data = {"error": CODE, "message": ...}``
(what ``core.errors.ws_exception_for`` reads); malformed params are -32602 with
``data.error = "BINDING_ERROR"``.

Cancel-on-disconnect is per connection and off by default: when a connection that
enabled it drops, the open orders placed on that connection are cancelled.
"""
from .errors import ApiError
from .orders import cancel_batch, create_batch, modify_order, new_order
from .jsonrpc import JSONRPC_PARAMS, ChannelError

ERR_METHOD = 100            # "method error": a Paradex rejection, its code in error.data
ERR_RATE_LIMITED = 42901
_PRUNE_AT = 4096            # placed-order ids remembered per connection before closed ones are dropped


def _params_error(message):
    return ChannelError(JSONRPC_PARAMS, message, {"error": "BINDING_ERROR", "message": message})


def _as_dict(params, method):
    if not isinstance(params, dict):
        raise _params_error(f"{method} params must be an object")
    return params


class WsOrders:
    def __init__(self, sim):
        self.sim = sim
        self.engine = sim.engine
        self.methods = {
            "order.create": self.create, "order.create_batch": self.create_batch, "order.modify": self.modify,
            "order.cancel": self.cancel, "order.cancel_batch": self.cancel_batch,
            "order.cancel_all": self.cancel_all, "order.cancel_on_disconnect": self.cancel_on_disconnect,
        }
        self._placed = {}   # Connection -> ids of the orders placed on it
        self._cod = set()   # connections with cancel-on-disconnect enabled

    # ---- dispatch (called from ws.Feed.dispatch) --------------------------------------------------
    def handler(self, method):
        fn = self.methods.get(method)
        if fn is None:
            return None
        return lambda conn, params: self._call(fn, conn, params)

    def _call(self, fn, conn, params):
        # the live token is checked by Feed.dispatch, before the conformance gate (40300 comes first)
        allowed, _ = self.sim.limiter.take("orders", conn.account)
        if not allowed:
            raise ChannelError(ERR_RATE_LIMITED, "rate limit exceeded")
        try:
            acct = self.engine.accounts.get(conn.account)
            if acct is None:
                raise ApiError("ACCOUNT_NOT_FOUND", "account not found", 400)
            return fn(conn, acct, params)
        except ApiError as err:
            raise ChannelError(ERR_METHOD, err.message, {"error": err.code, "message": err.message}) from None

    @staticmethod
    def _interactive(conn):
        return (conn.claims or {}).get("token_usage") == "interactive"

    def _track(self, conn, order_id):
        placed = self._placed.setdefault(conn, set())
        placed.add(order_id)
        if len(placed) > _PRUNE_AT:
            placed.intersection_update(oid for oid in placed if self._open(oid) is not None)

    def _open(self, order_id):
        order = self.engine.orders.get(order_id)
        return order if order is not None and order.is_open else None

    def _now_ns(self):
        return int(self.sim.clock.s() * 1e9)  # the simulated clock (tests move it)

    def _created(self, snapshot, received_ns):
        return {"order": snapshot, "created_at": snapshot["created_at"], "received_at": received_ns}

    # ---- methods ---------------------------------------------------------------------------------
    def create(self, conn, acct, params):
        received = self._now_ns()
        order = new_order(self.sim, acct, _as_dict(params, "order.create"), self._interactive(conn))
        snapshot = self.engine.submit(order)
        self._track(conn, order.id)
        return self._created(snapshot, received)

    def create_batch(self, conn, acct, params):
        """Both params shapes are accepted (the sources disagree): ``{"orders": [...]}`` (AsyncAPI) and a bare array (paradex-py),
        unless the simulator plays a venue that takes only one (``create_batch_shape`` "object" or "array")."""
        received = self._now_ns()
        shape = self.sim.create_batch_shape
        reqs = params.get("orders") if isinstance(params, dict) and shape != "array" else (
            params if isinstance(params, list) and shape != "object" else None)
        if not isinstance(reqs, list):
            raise _params_error("order.create_batch params must be {\"orders\": [...]} or an array of orders")
        results = []
        for order, body in create_batch(self.sim, acct, reqs, self._interactive(conn)):
            if order is None:
                results.append(body)
                continue
            self._track(conn, order.id)
            results.append(self._created(body, received))
        return {"results": results}

    def modify(self, conn, acct, params):
        params = _as_dict(params, "order.modify")
        if params.get("id") in (None, ""):
            raise _params_error("order.modify requires id")
        order = self.engine.owned(acct, str(params["id"]))
        return {"order": modify_order(self.sim, order, acct, dict(params))}

    def cancel(self, conn, acct, params):
        params = _as_dict(params, "order.cancel")
        by_id, by_client = params.get("id") not in (None, ""), params.get("client_id") not in (None, "")
        if by_id and by_client:  # OpenRPC: "Either id or (client_id + market) must be provided"
            raise _params_error("order.cancel takes id or client_id + market, not both")
        if by_id:
            order = self.engine.owned(acct, str(params["id"]))
        elif by_client:
            if params.get("market") in (None, ""):
                raise _params_error("order.cancel by client_id requires market")
            order = self.engine.by_client_id(acct, str(params["client_id"]), str(params["market"]))
        else:
            raise _params_error("order.cancel requires id or client_id")
        self.engine.cancel(order)
        return {"order_id": order.id, "status": "QUEUED_FOR_CANCELLATION"}

    def cancel_batch(self, conn, acct, params):
        return {"results": cancel_batch(self.engine, acct, _as_dict(params, "order.cancel_batch"))}

    def cancel_all(self, conn, acct, params):
        market = _as_dict(params, "order.cancel_all").get("market")
        if market and market not in self.engine.specs:
            raise ApiError("MARKET_NOT_FOUND", f"market {market!r} not found", 400)
        self.engine.cancel_all(acct, market or None)
        return {"status": "ok"}

    def cancel_on_disconnect(self, conn, acct, params):
        enabled = _as_dict(params, "order.cancel_on_disconnect").get("enabled")
        if not isinstance(enabled, bool):
            raise _params_error("enabled must be true or false")
        if enabled:
            self._cod.add(conn)
        else:
            self._cod.discard(conn)
        return {"enabled": enabled}

    # ---- connection life cycle -------------------------------------------------------------------
    def connection_closed(self, conn):
        placed = self._placed.pop(conn, set())
        if conn not in self._cod:
            return
        self._cod.discard(conn)
        for order_id in sorted(placed):
            order = self._open(order_id)
            if order is not None:
                self.engine.cancel(order)
