"""Private streams of the pro class (mixin): orders, fills, positions, balance, and the
reconciliation that makes a reconnect lossless.

After a dropped connection the venue does not replay what was published while we were
away, so the first private watch on the new connection fetches fills, open orders and
positions over REST and feeds whatever the caches have not seen through the same
handlers. Fills are de-duplicated by id, so each fill reaches watchMyTrades exactly once.
"""
from collections import OrderedDict

from ccxt.async_support.base.ws.cache import ArrayCacheBySymbolById, ArrayCacheBySymbolBySide


class ParadexPrivateStreams:
    def _init_private(self):
        self._fill_ids = OrderedDict()   # fill id -> None, bounded: exactly-once delivery
        self._last_fill_ms = None
        self._private_state_stale = False
        self._reconciling = False
        self._reconcile_again = False
        self._private_since_ms = None    # when the first private watch started: history before it is not "missed"

    def _cache(self, name, factory):
        cache = getattr(self, name, None)
        if cache is None or isinstance(cache, dict) and not cache:
            cache = factory()
            setattr(self, name, cache)
        return cache

    # ---- watchers ---------------------------------------------------------------------------------
    async def watch_orders(self, symbol=None, since=None, limit=None, params={}):
        return await self._watch_private_stream("orders", symbol, since, limit)

    async def watch_my_trades(self, symbol=None, since=None, limit=None, params={}):
        return await self._watch_private_stream("fills", symbol, since, limit)

    async def _watch_private_stream(self, kind, symbol, since, limit):
        """orders / fills: a per-market or ALL channel feeding an ArrayCacheBySymbolById."""
        await self.load_markets()
        channel, message_hash = self._private_channel(kind, symbol)
        cache = await self._watch_channels([channel], [message_hash], private=True)
        if self.newUpdates:
            limit = cache.getLimit(symbol, limit)
        return self.filter_by_symbol_since_limit(cache, symbol, since, limit, True)

    async def watch_positions(self, symbols=None, since=None, limit=None, params={}):
        await self.load_markets()
        symbols = self.market_symbols(symbols)
        positions = await self._watch_channels(["positions"], ["positions"], private=True)
        if self.newUpdates:
            return positions
        return self.filter_by_symbols_since_limit(self.positions, symbols, since, limit, True)

    async def watch_balance(self, params={}):
        await self.load_markets()
        return await self._watch_channels(["account"], ["balance"], private=True)

    def _private_channel(self, kind, symbol):
        if self._private_since_ms is None:
            self._private_since_ms = self.milliseconds()
        market_id = self.market_id(symbol) if symbol is not None else "ALL"
        return kind + "." + market_id, kind + ":" + market_id

    # ---- handlers (the same for WebSocket frames and REST reconciliation) -----------------------------
    def _on_order(self, client, data):
        order = self.parse_order(data)
        cache = self._cache("orders", lambda: ArrayCacheBySymbolById(self.safe_integer(self.options, "ordersLimit", 1000)))
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

    def _on_account(self, client, data):
        """The account channel: collateral figures; the balance structure follows /balance + /account."""
        total = self.safe_string(data, "account_value")
        free = self.safe_string(data, "free_collateral")
        code = self.safe_currency_code(self.safe_string(data, "settlement_asset", "USDC"))
        timestamp = self.safe_integer(data, "updated_at")
        balance = self.safe_balance({"info": data, code: {"total": total, "free": free}, "timestamp": timestamp,
                                     "datetime": self.iso8601(timestamp)})
        self.balance = balance
        client.resolve(balance, "balance")

    # ---- reconciliation after a reconnect -------------------------------------------------------------
    async def _reconcile_private_state(self):
        """Fetch what the stream may have missed; a drop while this runs makes it run once more."""
        if self._reconciling:
            self._reconcile_again = True
            return
        self._reconciling = True
        try:
            again = True
            while again:
                self._reconcile_again = False
                await self._reconcile_once()
                again = self._reconcile_again
        except Exception as e:  # the next reconnect tries again
            self._private_state_stale = True
            if self.verbose:
                self.log(self.id, "private-state reconciliation failed:", repr(e))
        finally:
            self._reconciling = False

    async def _reconcile_once(self):
        since = self._private_since_ms or self.milliseconds()
        if self._last_fill_ms is not None:
            since = max(since, self._last_fill_ms - 60_000)
        rows = await self._cursor_pages(self.privateGetFills, {"start_at": since - 5_000}, None, True, 20)
        client = self.client(self.get_ws_url())
        for row in sorted(rows, key=lambda r: self.safe_integer(r, "created_at", 0)):
            self._on_fill(client, row)
        response = await self.privateGetOrders()
        client = self.client(self.get_ws_url())
        for row in self.safe_list(response, "results", []):
            self._on_order(client, row)
