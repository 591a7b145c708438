"""Batch answers back in request order (pure).

``POST /orders/batch`` answers ``{"orders": [accepted...], "errors": [rejected...]}``: two lists, neither
indexed by request (OpenAPI ``responses.BatchResponse``). Each accepted order is matched to the first
unmatched request with the same client id, else the same market, side, type, size, price and trigger
price (compared as numbers: the venue may write "0.0100" for "0.01"); the requests left over take the
errors in order. Requests that cannot be told apart are interchangeable, so any pairing among them is right.
"""
from decimal import Decimal, InvalidOperation


def _num(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)


def _key(row):
    return (row.get("market"), str(row.get("side") or "").upper(), str(row.get("type") or "").upper(),
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
        cid = row.get("client_id")
        if cid:
            match = next((i for i in free if requests[i].get("client_id") == cid), None)
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
        elif i in free and leftovers:  # an accepted row we could not match: keep it rather than lose it
            free.remove(i)
            out.append((request, leftovers.pop(0), None))
        else:
            out.append((request, None, {"error": "NO_RESULT", "message": "the venue returned no result for this order"}))
    return out
