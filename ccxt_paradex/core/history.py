"""History walks over Paradex's cursor pages (newest first): which pages a read needs, and its bound.

Pure decisions, no I/O; the walk itself is ``ParadexHistory._walk`` (async source, sync twin generated).

What a read returns (every one-page history method: fetchMyTrades, fetchTrades, fetchOrders,
fetchClosedOrders, fetchCanceledOrders, fetchFundingHistory, fetchFundingRateHistory, fetchTransfers,
fetchDeposits, fetchWithdrawals, fetchLedger; fetchOrder's history lookup):

- ``since`` given: every row from ``since`` (to ``until``) is fetched, walking all pages at the endpoint's
  largest page size; the answer is oldest first and ``limit`` keeps the first ``limit`` rows from ``since``.
- no ``since``, ``limit`` given: the newest ``limit`` rows (more than one page when ``limit`` needs it).
- no ``since``, ``paginate``: every row.
- neither: one page of ``options['historyPageSize']`` rows (the newest), as before.

The bound: a walk makes at most ``options['historyMaxRequests']`` requests (default 100: 500,000 rows at
5,000 a page, 100,000 for /trades). A walk that would need more raises ``HistoryBoundExceeded`` (a
``BadRequest``: narrow the window with ``since``/``until``), or with ``options['historyOnBound'] = 'warn'``
warns (``HistoryTruncatedWarning``) and returns the rows fetched. It never truncates silently.
"""
import warnings

from ccxt.base.errors import BadRequest

DEFAULT_MAX_REQUESTS = 100
MAX_PAGE = 5000
SERVER_PAGE_SIZE = 100  # Paradex's page_size when a request names none


class HistoryBoundExceeded(BadRequest):
    """A history walk needed more than options['historyMaxRequests'] requests."""


class HistoryTruncatedWarning(RuntimeWarning):
    """options['historyOnBound'] == 'warn': the rows returned are not all the rows asked for."""


def page_size(since, limit, paginate, default, maximum):
    """The page_size of every request of the walk."""
    if since is not None or paginate:
        return maximum
    if limit:
        return min(int(limit), maximum)
    return min(default, maximum)


def sends_page_size(size, since, limit, paginate):
    """A plain one-page read at the venue's own default names no page_size (as ccxt's built-in sends it)."""
    return since is not None or bool(limit) or paginate or size != SERVER_PAGE_SIZE


def cursor_on_every_row(rows, response):
    """ccxt's built-in fetchTrades / fetchMyTrades keep the page's ``next`` cursor in every row's ``info``."""
    cursor = response.get("next") if isinstance(response, dict) else None
    for row in rows:
        if isinstance(row, dict):
            row["next"] = cursor


def cursor_on_first_row(rows, response):
    """ccxt's built-in fetchOrders keeps a non-null ``next`` cursor in the first row's ``info``."""
    cursor = response.get("next") if isinstance(response, dict) else None
    if cursor is not None and rows and isinstance(rows[0], dict):
        rows[0]["next"] = cursor


def enough(kept, since, limit, paginate):
    """True once the rows kept answer the read (no further page is needed)."""
    if since is not None:
        return False  # the oldest rows from since are on the last page
    if limit:
        return kept >= limit
    return not paginate  # one page


def oldest_first(rows, time_key="created_at"):
    """Newest-first pages -> one list, oldest first (stable for rows of the same millisecond)."""
    rows = list(reversed(rows))
    return sorted(rows, key=lambda r: int(r.get(time_key) or 0) if isinstance(r, dict) else 0)


def bound_message(exchange_id, method, requests, size, kept):
    return (f"{exchange_id} {method}() stopped after {requests} requests ({size} rows a page, {kept} rows kept) "
            "with more history left: options['historyMaxRequests'] bounds a walk; narrow the window with "
            "since/until or raise the bound (options['historyOnBound'] = 'warn' returns the rows fetched)")


def on_bound(mode, message):
    """Raise (default) or warn when a walk hits its bound."""
    if mode == "warn":
        warnings.warn(message, HistoryTruncatedWarning, stacklevel=3)
        return
    raise HistoryBoundExceeded(message)
