"""Order operations shared by REST (``sim/rest.py``), the WebSocket ``order.*`` methods (``sim/ws_orders.py``)
and TWAP orders (``sim/algo.py``): validation through the engine, STARK signature verification against the
account's main key or an active subkey, batches, modifies and batch cancels."""
from ..core import signing
from .errors import ApiError, json_object, validation_error


def verify_order_signature(sim, acct, req: dict, modify_id=None):
    """Recompute the (Modify)Order hash for ``acct`` and check it against its main key or an active subkey."""
    try:
        felts = signing.order_felts(req.get("signature_timestamp"), req.get("market"), req.get("side"),
                                    req.get("type"), req.get("size"), req.get("price") or None)
    except Exception as err:  # ccxt InvalidOrder / BadRequest from the shared encoder
        raise validation_error(str(err)) from None
    account = int(acct.address, 16)
    chain = sim.config["starknet_chain_id"]
    digest = (signing.modify_order_hash(chain, account, felts, modify_id) if modify_id is not None
              else signing.order_hash(chain, account, felts))
    keys = [acct.public_key] + [k for k, s in acct.subkeys.items() if s == "active"]
    if not any(signing.verify(k, digest, req.get("signature")) for k in keys):
        raise ApiError("INVALID_ORDER_SIGNATURE", "order signature verification failed", 400)


def new_order(sim, acct, req, interactive):
    """Validate and verify one order request -> an Order ready for ``engine.submit``."""
    json_object(req, "order")
    order = sim.engine.validate(acct, req, interactive=interactive)
    verify_order_signature(sim, acct, req)
    return order


def create_batch(sim, acct, reqs, interactive) -> list:
    """-> one ``(Order, snapshot)`` or ``(None, {error, message})`` per request, in request order.
    Size, shape and signatures reject the whole batch; risk checks are per order."""
    if not isinstance(reqs, list) or not 1 <= len(reqs) <= sim.batch_limit:
        raise ApiError("BATCH_SIZE_OUT_OF_RANGE", f"batch size must be within 1..{sim.batch_limit}", 400)
    for req in reqs:
        json_object(req, "each of orders")
        verify_order_signature(sim, acct, req)
    out = []
    for req in reqs:
        try:
            order = sim.engine.validate(acct, req, interactive)
        except ApiError as err:
            out.append((None, {"error": err.code, "message": err.message}))
            continue
        out.append((order, sim.engine.submit(order)))
    return out


def modify_order(sim, order, acct, req: dict) -> dict:
    req.setdefault("side", order.side)
    req.setdefault("type", order.type)
    verify_order_signature(sim, acct, req, modify_id=order.id)
    return sim.engine.modify(order, req)


def cancel_batch(engine, acct, body: dict) -> list:
    """Per-id results of a batch cancel (``order_ids`` and/or ``client_order_ids``)."""
    results = []
    for key, finder in (("order_ids", engine.owned), ("client_order_ids", engine.by_client_id)):
        idents = body.get(key) or []
        if not isinstance(idents, list):
            raise ApiError("BINDING_ERROR", f"{key} must be an array", 400)
        for ident in idents:
            try:
                order = finder(acct, ident)
            except ApiError:
                results.append({("id" if key == "order_ids" else "client_id"): ident, "status": "NOT_FOUND"})
                continue
            status = "ALREADY_CLOSED"
            if order.is_open:
                engine.cancel(order)
                status = "QUEUED_FOR_CANCELLATION"
            results.append({"id": order.id, "client_id": order.client_id, "account": acct.address,
                            "market": order.market, "status": status})
    return results
