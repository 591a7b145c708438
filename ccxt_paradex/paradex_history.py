# GENERATED from ccxt_paradex/async_support/paradex_history.py by tools/gen_sync.py -- do not edit by hand.
"""History walks over cursor pages (mixin of the paradex class); the rules are in core/history.py."""
from .core import history


class ParadexHistory:
    def _walk(self, method, call, request, since=None, limit=None, paginate=False, max_page=history.MAX_PAGE,
                    keep=None, annotate=None):
        """Rows of a cursor-paginated endpoint, oldest first: every row from ``since`` when given, else the newest
        ``limit`` (or every row with ``paginate``, or one page); ``keep`` filters raw rows as they arrive (and
        ``limit`` counts kept rows); ``annotate(page, response)`` may add page data to the raw rows (ccxt's cursor
        in ``info``). At most options['historyMaxRequests'] requests (core/history.py)."""
        maximum = min(max_page, self.safe_integer(self.options, "historyMaxPageSize", max_page))
        default = self.safe_integer(self.options, "historyPageSize", 100)
        size = history.page_size(since, limit, paginate, default, maximum)
        max_requests = self.safe_integer(self.options, "historyMaxRequests", history.DEFAULT_MAX_REQUESTS)
        if history.sends_page_size(size, since, limit, paginate):
            request = self.extend(request, {"page_size": size})
        kept = []
        for _ in range(max_requests):
            response = call(request)
            page = self.safe_list(response, "results", [])
            if annotate is not None:
                annotate(page, response)
            kept += page if keep is None else [row for row in page if keep(row)]
            cursor = self.safe_string(response, "next")
            if not cursor or history.enough(len(kept), since, limit, paginate):
                return history.oldest_first(kept)
            request = self.extend(request, {"cursor": cursor})
        history.on_bound(self.safe_string(self.options, "historyOnBound", "raise"),
                         history.bound_message(self.id, method, max_requests, size, len(kept)))
        return history.oldest_first(kept)
