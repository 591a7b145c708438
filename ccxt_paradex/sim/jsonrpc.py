"""The simulator's JSON-RPC errors (WebSocket /v1), shared by the control plane (``sim/ws.py``) and the
``order.*`` methods (``sim/ws_orders.py``): the error a handler raises and the codes Paradex answers with."""

JSONRPC_INVALID, JSONRPC_METHOD, JSONRPC_PARAMS = -32600, -32601, -32602
ERR_MALFORMED_TOKEN, ERR_INVALID_TOKEN, ERR_AUTH_REQUIRED = 40110, 40111, 40300


class ChannelError(Exception):
    """A JSON-RPC error answer: ``{"code", "message"[, "data"]}``."""

    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data
