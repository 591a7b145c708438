"""Private streams of the pro class (mixin): orders, fills, positions, balance, and the
reconciliation that makes a reconnect lossless.

After a dropped connection the venue does not replay what was published while we were
away, so the first private watch on the new connection - once its subscriptions are acknowledged,
so that nothing falls between the REST answers and the stream - fetches fills, orders (open ones
and the history of every order that may have changed in the gap), positions and the balance over
REST and feeds whatever the caches have not seen through the same handlers. Fills are
de-duplicated by id and orders by state, so each fill and each order's final state reaches
watchMyTrades / watchOrders exactly once; changed positions and the balance are delivered to
watchPositions / watchBalance.
"""
from ccxt.base.types import Balances, Int, Order, Position, Str, Strings, Trade
from collections import OrderedDict

from ccxt.async_support.base.ws.cache import ArrayCacheBySymbolById, ArrayCacheBySymbolBySide


_STATE_KEYS = ("status", "filled", "remaining", "amount", "price", "lastUpdateTimestamp")


def _same_state(a, b) -> bool:
    for key in _STATE_KEYS:
        if a.get(key) != b.get(key):
            return False
    return True


def _progress(order):
    """Orders two states of one order, oldest first: last update, then the filled amount, then closed."""
    return (order.get("lastUpdateTimestamp") or 0, order.get("filled") or 0, order.get("status") != "open")


class ParadexPrivateStreams:
    def _init_private(self):
        self._fill_ids = OrderedDict()   # fill id -> None, bounded: exactly-once delivery
        self._last_fill_ms = None
        self._private_gap_since = None   # ms: private streams missed what happened since (None: in sync)
        self._reconciliation = None      # the running reconciliation task (owned by a session)
        self._private_since_ms = None    # when the first private watch started: history before it is not "missed"

    def _cache(self, name, factory):
        cache = getattr(self, name, None)
        if cache is None or isinstance(cache, dict) and not cache:
            cache = factory()
            setattr(self, name, cache)
        return cache

    # ---- watchers ---------------------------------------------------------------------------------
    async def watch_orders(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[Order]:
        return await self._watch_private_stream("orders", symbol, since, limit)

    async def watch_my_trades(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[Trade]:
        return await self._watch_private_stream("fills", symbol, since, limit)

    async def _watch_private_stream(self, kind, symbol, since, limit):
        """orders / fills: a per-market or ALL channel feeding an ArrayCacheBySymbolById."""
        await self.load_markets()
        channel, message_hash = self._private_channel(kind, symbol)
        cache = await self._watch_channels([channel], [message_hash], private=True)
        if self.newUpdates:
            limit = cache.getLimit(symbol, limit)
        return self.filter_by_symbol_since_limit(cache, symbol, since, limit, True)

    async def watch_positions(self, symbols: Strings = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[Position]:
        await self.load_markets()
        symbols = self.market_symbols(symbols)
        positions = await self._watch_channels(["positions"], ["positions"], private=True)
        if self.newUpdates:
            return positions
        return self.filter_by_symbols_since_limit(self.positions, symbols, since, limit, True)

    async def watch_balance(self, params: dict = {}) -> Balances:
        await self.load_markets()
        return await self._watch_channels(["account"], ["balance"], private=True)

    def _private_channel(self, kind, symbol):
        if self._private_since_ms is None:
            self._private_since_ms = self.milliseconds()
        market_id = self.market_id(symbol) if symbol is not None else "ALL"
        return kind + "." + market_id, kind + ":" + market_id

    # ---- handlers (the same for WebSocket frames and REST reconciliation) -----------------------------
    def _on_order(self, client, data, reconciling=False):
        order = self.parse_order(data)
        cache = self._cache("orders", lambda: ArrayCacheBySymbolById(self.safe_integer(self.options, "ordersLimit", 1000)))
        known = cache.hashmap.get(order["symbol"], {}).get(order["id"])
        if known is not None and (_same_state(known, order) or reconciling and _progress(known) > _progress(order)):
            return  # a state already delivered (a duplicate), or a REST row older than what the stream showed
        cache.append(order)
        self._publish(client, cache, ("orders:" + self.safe_string(data, "market", ""), "orders:ALL"))

    def _on_fill(self, client, data):
        fill_id = self.safe_string(data, "id")
        if fill_id is None or fill_id in self._fill_ids:
            return False
        self._fill_ids[fill_id] = None
        if len(self._fill_ids) > self.safe_integer(self.options, "fillIdMemory", 20000):
            self._fill_ids.popitem(last=False)
        trade = self.parse_trade(data)
        ts = trade["timestamp"]
        if ts is not None and (self._last_fill_ms is None or ts > self._last_fill_ms):
            self._last_fill_ms = ts
        cache = self._cache("myTrades", lambda: ArrayCacheBySymbolById(self.safe_integer(self.options, "tradesLimit", 1000)))
        cache.append(trade)
        self._publish(client, cache, ("fills:" + self.safe_string(data, "market", ""), "fills:ALL"))
        return True

    def _on_position(self, client, data):
        cache = self._cache("positions", ArrayCacheBySymbolBySide)
        position = self.parse_position(data)
        cache.append(position)
        client.resolve([position], "positions")

    def _on_account(self, client, data, park=False):
        """The account channel: collateral figures; the balance structure follows /balance + /account."""
        total = self.safe_string(data, "account_value")
        free = self.safe_string(data, "free_collateral")
        code = self.safe_currency_code(self.safe_string(data, "settlement_asset", "USDC"))
        timestamp = self.safe_integer(data, "updated_at")
        balance = self.safe_balance({"info": data, code: {"total": total, "free": free}, "timestamp": timestamp,
                                     "datetime": self.iso8601(timestamp)})
        self.balance = balance
        if park:  # reconciliation: a watcher between two calls gets it on its next call
            self._publish(client, balance, ("balance",))
        else:
            client.resolve(balance, "balance")

    # ---- reconciliation after a reconnect -------------------------------------------------------------
    def _private_connection_lost(self, session):
        """The private streams have a gap from ``session.lost_at`` (the earliest unreconciled loss counts)."""
        if self._private_since_ms is not None and self._private_gap_since is None:
            self._private_gap_since = session.lost_at

    def _maybe_reconcile(self, session):
        """After a private watch subscribed on a new connection: fetch what the gap hid (one run at a time; it
        belongs to that session, so a drop cancels it and the next connection runs it afresh)."""
        if self._private_gap_since is None or (self._reconciliation is not None and not self._reconciliation.done()):
            return
        self._reconciliation = session.spawn(self._reconcile_private_state(session))

    async def _reconcile_private_state(self, session):
        """Once the new connection's subscriptions are live (nothing can fall between REST and the stream), fetch
        fills, orders (open, and every order that changed since the gap began), positions and the balance."""
        gap = self._private_gap_since
        try:
            await session.settled()
            await self._reconcile_once(session.client, gap)
        except Exception as e:  # the next private watch tries again
            if self.verbose:
                self.log(self.id, "private-state reconciliation failed:", repr(e))
            return
        if self._private_gap_since == gap:
            self._private_gap_since = None

    async def _reconcile_once(self, client, gap):
        # a gap exists only once a private watch has started (_private_connection_lost): _private_since_ms is set
        margin = self.safe_integer(self.options, "wsReconcileMarginMs", 10_000)
        start = max(self._private_since_ms, gap) - margin
        rows = await self._cursor_pages(self.privateGetFills, {"start_at": start}, None, True, 20)
        for row in sorted(rows, key=lambda r: self.safe_integer(r, "created_at", 0)):
            self._on_fill(client, row)
        await self._reconcile_orders(client, start)
        positions = self.safe_list(await self.privateGetPositions(), "results", [])
        changed = [p for p in (self._apply_position(row) for row in positions) if p is not None]
        if changed:
            self._publish(client, changed, ("positions",))
        account = await self.privateGetAccount()
        if isinstance(account, dict) and account:
            self._on_account(client, account, park=True)

    async def _reconcile_orders(self, client, start):
        """Open orders now, and the history of every order created since ``start`` or that the cache last saw
        open (it may have closed while the socket was down): each order whose state the cache lacks is fed once."""
        open_rows = self.safe_list(await self.privateGetOrders(), "results", [])
        open_ids = {self.safe_string(r, "id") for r in open_rows}
        cache = getattr(self, "orders", None)
        stale = [o for o in (cache or []) if o.get("status") == "open" and o.get("id") not in open_ids]
        since = min([start] + [o["timestamp"] - 1 for o in stale if o.get("timestamp") is not None])
        history = await self._cursor_pages(self.privateGetOrdersHistory, {"start_at": since}, None, True, 20)
        rows = {}
        for row in history + open_rows:
            rid = self.safe_string(row, "id")
            previous = rows.get(rid)
            if previous is None or self.safe_integer(row, "last_updated_at", 0) >= self.safe_integer(previous, "last_updated_at", 0):
                rows[rid] = row
        floor = self._private_since_ms - self.safe_integer(self.options, "wsReconcileMarginMs", 10_000)
        for row in sorted(rows.values(), key=lambda r: self.safe_integer(r, "last_updated_at", 0)):
            if self._known_order(row) is None and self.safe_integer(row, "last_updated_at", 0) < floor:
                continue  # ended before the first private watch: not missed
            self._on_order(client, row, reconciling=True)

    def _known_order(self, row):
        cache = getattr(self, "orders", None)
        if not cache:
            return None
        market = self.safe_market(self.safe_string(row, "market"))
        return cache.hashmap.get(market["symbol"], {}).get(self.safe_string(row, "id"))

    def _apply_position(self, row):
        """A /positions row into the cache -> the position, or None when the cache had that state already."""
        cache = self._cache("positions", ArrayCacheBySymbolBySide)
        position = self.parse_position(row)
        known = cache.hashmap.get(position["symbol"], {}).get(position["side"])
        if known is not None and (known.get("contracts"), known.get("lastUpdateTimestamp")) == \
                (position["contracts"], position["lastUpdateTimestamp"]):
            return None
        cache.append(position)
        return position
