"""Opaque, tamper-checked cursors over newest-first lists (Paradex's {next, prev, results})."""
import base64
import hashlib
import hmac

from .errors import ApiError

MAX_PAGE = 5000


class Pager:
    def __init__(self, secret: bytes):
        self._secret = secret

    def _encode(self, offset: int) -> str:
        raw = str(offset).encode()
        tag = hmac.new(self._secret, raw, hashlib.sha256).digest()[:6]
        return base64.urlsafe_b64encode(raw + b"." + tag).decode().rstrip("=")

    def _decode(self, cursor: str) -> int:
        try:
            data = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            raw, tag = data.split(b".", 1)
            if hmac.compare_digest(tag, hmac.new(self._secret, raw, hashlib.sha256).digest()[:6]):
                return int(raw)
        except (ValueError, TypeError):
            pass
        raise ApiError("INVALID_REQUEST_PARAMETER", "invalid cursor", 400)

    def page(self, items, query, max_page=MAX_PAGE, time_key="created_at") -> dict:
        """``items`` newest first; honours start_at / end_at (ms), page_size and cursor."""
        start, end = query.get("start_at"), query.get("end_at")
        if start is not None or end is not None:
            lo = int(start) if start is not None else 0
            hi = int(end) if end is not None else 2**63
            items = [i for i in items if lo <= _time(i, time_key) <= hi]
        try:
            size = int(query.get("page_size", 100))
        except ValueError:
            raise ApiError("INVALID_REQUEST_PARAMETER", "invalid page_size", 400) from None
        if not 1 <= size <= max_page:
            raise ApiError("INVALID_REQUEST_PARAMETER", f"page_size must be within 1..{max_page}", 400)
        offset = self._decode(query["cursor"]) if query.get("cursor") else 0
        chunk = items[offset:offset + size]
        return {
            "next": self._encode(offset + size) if offset + size < len(items) else None,
            "prev": self._encode(max(0, offset - size)) if offset > 0 else None,
            "results": chunk,
        }


def history_page(pager, records, query, filters=("market", "client_id", "side", "status", "type")) -> dict:
    """An order history's page: ``records`` (newest first) kept where every filter the query names equals the
    record's attribute, paged, each as its JSON (/orders-history, /algo/orders-history)."""
    for key in filters:
        if query.get(key):
            records = [r for r in records if getattr(r, key) == query[key]]
    page = pager.page(records, query)
    page["results"] = [r.to_json() for r in page["results"]]
    return page


def _time(item, key):
    value = item.get(key) if isinstance(item, dict) else getattr(item, key)
    return int(value or 0)
