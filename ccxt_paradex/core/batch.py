"""Batch answers back in request order (pure).

``POST /orders/batch`` answers ``{"orders": [accepted...], "errors": [rejected...]}``: two lists, neither
indexed by request (OpenAPI ``responses.BatchResponse``). Each accepted order is matched to the first
unmatched request with the same client id (none and "" are the same: no id), market, side, type, size, price
and trigger price (compared as numbers: the venue may write "0.0100" for "0.01"); the requests left over take
the errors in order. Requests that cannot be told apart are interchangeable, so any pairing among them is
right; a request that carries a client id is never paired with an order that carries another one, or none
(a batch's client ids are unique: ``adapters/orders.sign_orders`` refuses repeats before anything is signed).
"""
from decimal import Decimal, InvalidOperation


def _num(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)


def _cid(row):
    return row.get("client_id") or None


def _key(row):
    return (_cid(row), row.get("market"), str(row.get("side") or "").upper(), str(row.get("type") or "").upper(),
            _num(row.get("size")), _num(row.get("price")) or None, _num(row.get("trigger_price")) or None)


def in_request_order(requests, accepted, errors):
    """-> [(request, accepted_row | None, error | None)] with one entry per request, in request order."""
    slots = [None] * len(requests)
    free = list(range(len(requests)))
    keys = [_key(r) for r in requests]  # once each, not once per accepted row
    leftovers = []
    for row in accepted:
        row = row if isinstance(row, dict) else {}
        match = None
        cid = _cid(row)
        if cid is not None:  # the venue keeps client ids unique: the request that sent it, whatever else it echoes
            match = next((i for i in free if _cid(requests[i]) == cid), None)
        if match is None:
            key = _key(row)
            match = next((i for i in free if keys[i] == key), None)
        if match is None:
            leftovers.append(row)
            continue
        free.remove(match)
        slots[match] = row
    errors = list(errors)
    out = []
    for i, request in enumerate(requests):
        if slots[i] is not None:
            out.append((request, slots[i], None))
        elif i in free and errors:
            free.remove(i)
            out.append((request, None, errors.pop(0)))
        elif i in free and any(_cid(row) == _cid(request) for row in leftovers):
            # an accepted row no field matched (the venue rewrote one): kept rather than lost, on a request with
            # the same client id (or, both without one, the first such request left)
            free.remove(i)
            j = next(j for j, row in enumerate(leftovers) if _cid(row) == _cid(request))
            out.append((request, leftovers.pop(j), None))
        else:
            out.append((request, None, {"error": "NO_RESULT", "message": "the venue returned no result for this order"}))
    return out
