"""History walks over cursor pages (mixin of the paradex class; the order, algo and account mixins build on it);
the rules are in core/history.py."""
from ..core import history
from ..core.history import MAX_PAGE


class ParadexHistory:
    def _paginate(self, method, params):
        return self.handle_option_and_params(params, method, "paginate", False)

    async def _history(self, method, call, symbol, since, limit, params, max_page=None, keep=None, annotate=None):
        """The cursor-paginated history endpoints share one request shape: market, start_at, end_at
        (ccxt's ``until``), page_size, cursor. Rows from ``since`` on, or the newest ``limit``, or all with
        ``paginate``, oldest first, within a documented bound (core/history.py). -> (rows, market)"""
        await self.load_markets()
        market = self.market(symbol) if symbol is not None else None
        paginate, params = self._paginate(method, params)
        request = {"market": market["id"]} if market is not None else {}
        if since is not None:
            request["start_at"] = since
        request, params = self.handle_until_option("end_at", request, params)
        rows = await self._walk(method, call, self.extend(request, params), since, limit, paginate, max_page or MAX_PAGE, keep,
                                annotate)
        return rows, market

    async def _walk(self, method, call, request, since=None, limit=None, paginate=False, max_page=history.MAX_PAGE,
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
            response = await call(request)
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
