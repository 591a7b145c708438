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

from ccxt.base.errors import ExchangeError, NetworkError, RateLimitExceeded


from ccxt.async_support.base.ws.cache import ArrayCacheBySymbolById, ArrayCacheBySymbolBySide


PRIVATE_CHANNELS = ("orders", "fills", "positions", "account")


def _is_private_channel(channel) -> bool:
    return isinstance(channel, str) and channel.split(".", 1)[0] in PRIVATE_CHANNELS


GAP_PAGE_SIZE, GAP_PAGES = 5000, 20  # a reconnect's gap is read in at most 100,000 rows per stream
_STATE_KEYS = ("status", "filled", "remaining", "amount", "price", "triggerPrice", "lastUpdateTimestamp")
# venue fields ccxt's unified ones do not tell apart (UNTRIGGERED and OPEN are both 'open')
_INFO_STATE_KEYS = ("status", "cancel_reason")


def _same_state(a, b) -> bool:
    for key in _STATE_KEYS:
        if a.get(key) != b.get(key):
            return False
    info_a, info_b = a.get("info") or {}, b.get("info") or {}
    return all(info_a.get(key) == info_b.get(key) for key in _INFO_STATE_KEYS)


def _progress(order):
    """Orders two states of one order, oldest first: last update, then the filled amount, then closed."""
    return (order.get("lastUpdateTimestamp") or 0, order.get("filled") or 0, order.get("status") != "open")


class ParadexPrivateStreams:
    def _init_private(self):
        self._fill_ids = OrderedDict()   # (fill type, fill id) -> None, bounded: exactly-once delivery
        self._private_gap_since = None   # ms: private streams missed what happened since (None: in sync)
        self._reconciliation = None      # the running reconciliation task (owned by a session)
        self._private_since_ms = None    # when the first private watch started: history before it is not "missed"
        self._position_hashes = set()    # the positions hashes some watch_positions call waited on (parked for)
        self._lost_private_channels = set()  # private channels of lost connections, not yet subscribed again
        self._open_at_start = {}         # order id -> /orders row: open when the first orders watch started
        self._open_snapshot = None       # the task taking that snapshot (owned by the session it runs on)
        self.reconcile_failures = 0      # reconciliation attempts that failed (each retried on its connection)

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
        """As ccxt's paradex: one channel carries every market; with symbols, the call waits for (and with
        ``newUpdates`` returns) those markets' changes only."""
        await self.load_markets()
        symbols = self.market_symbols(symbols)
        self._private_started()
        hashes = ["positions:" + s for s in symbols] if symbols else ["positions"]
        self._position_hashes.update(hashes)
        positions = await self._watch_channels(["positions"], hashes, private=True)
        if self.newUpdates:  # (a reconciliation's list names every market that changed)
            return self.filter_by_symbols_since_limit(positions, symbols, since, limit, True) if symbols else positions
        return self.filter_by_symbols_since_limit(self.positions, symbols, since, limit, True)

    async def watch_balance(self, params: dict = {}) -> Balances:
        await self.load_markets()
        self._private_started()
        return await self._watch_channels(["account"], ["balance"], private=True)

    def _private_started(self):
        """The first private watch: what happens from now on must survive a reconnect (reconciliation)."""
        if self._private_since_ms is None:
            self._private_since_ms = self.milliseconds()

    def _private_channel(self, kind, symbol):
        self._private_started()
        market_id = self.market_id(symbol) if symbol is not None else "ALL"
        return kind + "." + market_id, kind + ":" + market_id

    # ---- handlers (the same for WebSocket frames and REST reconciliation) -----------------------------
    def _on_order(self, client, data, reconciling=False):
        order = self.parse_order(data)
        cache = self._cache("orders", lambda: ArrayCacheBySymbolById(self.safe_integer(self.options, "ordersLimit", 1000)))
        known = cache.hashmap.get(order["symbol"], {}).get(order["id"])
        if known is not None and (_same_state(known, order) or _progress(known) > _progress(order)):
            # a state already delivered (a duplicate), or an older one than the cache holds: a REST row older than
            # what the stream showed, or a frame published before the REST read that was handled after it
            return
        cache.append(order)
        self._publish(client, cache, ("orders:" + self.safe_string(data, "market", ""), "orders:ALL"))

    def _on_fill(self, client, data):
        fill_id = self.safe_string(data, "id")
        # OpenAPI FillResult.id: "Unique string ID of fill per FillType" (FILL, LIQUIDATION, UNWIND_TRANSFER)
        key = (self.safe_string(data, "fill_type", "FILL"), fill_id)
        if fill_id is None or key in self._fill_ids:
            return False
        self._fill_ids[key] = None
        if len(self._fill_ids) > self.safe_integer(self.options, "fillIdMemory", 20000):
            self._fill_ids.popitem(last=False)
        trade = self.parse_trade(data)
        cache = self._cache("myTrades", lambda: ArrayCacheBySymbolById(self.safe_integer(self.options, "tradesLimit", 1000)))
        cache.append(trade)
        self._publish(client, cache, ("fills:" + self.safe_string(data, "market", ""), "fills:ALL"))
        return True

    def _on_position(self, client, data):
        changed = self._apply_position(data)
        if changed:
            self._publish_positions(client, changed)

    def _publish_positions(self, client, changed):
        """To watch_positions() and watch_positions([symbol]) watchers; parked between calls only for hashes a
        watcher has used (a hash nobody watches would otherwise hand a stale list to its first watcher)."""
        hashes = ["positions"] + list(dict.fromkeys("positions:" + p["symbol"] for p in changed))
        watched = tuple(h for h in hashes if h in self._position_hashes)
        if watched:
            self._publish(client, changed, watched)

    def _apply_position(self, row):
        """A position (stream frame or /positions row) into the cache -> the positions that changed, [] when the
        cache had that state, or a newer one, already. A market has one position, so a fill through zero flips
        its side: the opposite side the cache still holds is flattened (contracts 0), as ccxt's paradex does."""
        cache = self._cache("positions", ArrayCacheBySymbolBySide)
        position = self.parse_position(row)
        symbol, side, ts = position["symbol"], position["side"], position["lastUpdateTimestamp"]
        held = cache.hashmap.get(symbol, {})
        newest = max((p.get("lastUpdateTimestamp") or 0 for p in held.values()), default=0)
        if ts is not None and newest > ts:
            return []  # older than what the cache holds on either side (a /positions row read before a flip)
        known = held.get(side)
        if known is not None and (known.get("contracts"), known.get("lastUpdateTimestamp")) == (position["contracts"], ts):
            return []
        changed = []
        for other_side, previous in list(held.items()):
            if other_side != side and previous.get("contracts"):
                flattened = self.extend(previous, {"contracts": 0.0, "lastUpdateTimestamp": ts})
                cache.append(flattened)
                changed.append(flattened)
        cache.append(position)
        changed.append(position)
        return changed

    def _on_account(self, client, data):
        """The account channel: collateral figures; the balance structure follows /balance + /account."""
        total = self.safe_string(data, "account_value")
        free = self.safe_string(data, "free_collateral")
        code = self.safe_currency_code(self.safe_string(data, "settlement_asset", "USDC"))
        timestamp = self.safe_integer(data, "updated_at")
        previous = self.balance.get("timestamp") if isinstance(self.balance, dict) else None
        if previous is not None and timestamp is not None and previous > timestamp:
            return  # older than the balance held (an /account read answered before a live update)
        balance = self.safe_balance({"info": data, code: {"total": total, "free": free}, "timestamp": timestamp,
                                     "datetime": self.iso8601(timestamp)})
        self.balance = balance
        # a watcher between two calls gets the newest balance on its next call (live and reconciled alike: a
        # parked older one is replaced, never returned after a newer one)
        self._publish(client, balance, ("balance",))

    # ---- reconciliation after a reconnect -------------------------------------------------------------
    def _private_connection_lost(self, session):
        """The private streams have a gap from ``session.lost_at`` (the earliest unreconciled loss counts); the
        private channels that connection carried are remembered, to be live again before the gap is read."""
        if self._private_since_ms is not None and self._private_gap_since is None:
            self._private_gap_since = session.lost_at
        self._lost_private_channels.update(c for c in session.client.subscriptions if _is_private_channel(c))

    def _maybe_reconcile(self, session):
        """After a private watch subscribed on a new connection: every private channel the lost connection carried
        is subscribed again at once (a watcher still busy with its last result would otherwise resubscribe only
        after the REST reads, and what its channel published in between would be in neither), then what the gap
        hid is fetched (one run at a time; it belongs to that session, so a drop cancels it and the next
        connection runs it afresh)."""
        client = session.client
        snapshot = self._open_snapshot
        if (snapshot is None or snapshot.done() and (snapshot.cancelled() or snapshot.exception() is not None)) \
                and any(str(c).startswith("orders.") for c in client.subscriptions):
            # (not taken yet, or its connection dropped or its request failed: taken on this connection)
            self._open_snapshot = session.spawn(self._snapshot_open_orders())
        for channel in sorted(self._lost_private_channels):
            if channel not in client.subscriptions:
                session.subscribe_in_background(channel)
        self._lost_private_channels.clear()
        if self._private_gap_since is None or (self._reconciliation is not None and not self._reconciliation.done()):
            return
        self._reconciliation = session.spawn(self._reconcile_private_state(session))

    async def _reconcile_private_state(self, session):
        """Once the new connection's subscriptions are live (nothing can fall between REST and the stream), fetch
        fills, orders (open, and every order that changed since the gap began), positions and the balance."""
        gap = self._private_gap_since
        await session.settled()
        delay = self.safe_number(self.options, "wsReconcileRetryDelay", 1.0)
        while True:
            try:
                await self._reconcile_once(session.client, gap)
                break
            except Exception as e:  # (a 429, a timeout): tried again on this connection, backing off, while it
                # lives; a watcher waiting on a quiet account makes no call that would start it again
                self.reconcile_failures += 1
                if not isinstance(e, (NetworkError, RateLimitExceeded)):
                    return  # not transient (a gap too long to read, a refusal): the gap is kept for the next watch
                if self.verbose:
                    self.log(self.id, "private-state reconciliation failed, retrying in", delay, "s:", repr(e))
                await self.ws_clock.sleep(delay)
                delay = min(delay * 2, self.safe_number(self.options, "wsReconcileRetryMax", 30.0))
        if self._private_gap_since == gap:
            self._private_gap_since = None

    async def _reconcile_once(self, client, gap):
        # a gap exists only once a private watch has started (_private_connection_lost): _private_since_ms is set
        margin = self.safe_integer(self.options, "wsReconcileMarginMs", 10_000)
        start = max(self._private_since_ms, gap) - margin
        rows = await self._gap_rows(self.privateGetFills, start)
        for row in sorted(rows, key=lambda r: self.safe_integer(r, "created_at", 0)):
            self._on_fill(client, row)
        await self._reconcile_orders(client, start)
        positions = self.safe_list(await self.privateGetPositions(), "results", [])
        changed = [p for row in positions for p in self._apply_position(row)]
        if changed:
            self._publish_positions(client, changed)
        account = await self.privateGetAccount()
        if isinstance(account, dict) and account:
            self._on_account(client, account)

    async def _reconcile_orders(self, client, start):
        """Open orders now, and the history of every order created since ``start`` or that the cache last saw
        open (it may have closed while the socket was down): each order whose state the cache lacks is fed once."""
        open_rows = self.safe_list(await self.privateGetOrders(), "results", [])
        open_ids = {self.safe_string(r, "id") for r in open_rows}
        cache = getattr(self, "orders", None)
        # orders last seen open (by the stream, or open when the first watch started) that the venue no longer
        # lists as open: each one closed in the gap, and its final state is looked up on its own
        vanished = {o["id"]: (o["info"].get("market"), o.get("timestamp")) for o in (cache or [])
                    if o.get("status") == "open" and o.get("id") not in open_ids}
        for oid, row in self._open_at_start.items():
            if oid not in open_ids and self._known_order(row) is None:
                vanished[oid] = (self.safe_string(row, "market"), self.safe_integer(row, "created_at"))
        history = await self._gap_rows(self.privateGetOrdersHistory, start) + await self._final_rows(vanished)
        self._open_at_start = {k: v for k, v in self._open_at_start.items() if k in open_ids}
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

    async def _final_rows(self, orders):
        """{id: (market id, created_at ms)} -> their /orders-history rows (current state), each read in a window
        of its own creation millisecond on its market: a few rows, however long ago it was placed (a scan from
        its creation would read every order placed since). /orders-history's start_at / end_at bound the
        creation time (as the simulator reads them)."""
        rows = []
        for oid, (market, created) in orders.items():
            if market is None or created is None:
                continue
            response = await self.privateGetOrdersHistory({"market": market, "start_at": created, "end_at": created,
                                                           "page_size": 100})
            rows += [r for r in self.safe_list(response, "results", []) if self.safe_string(r, "id") == oid]
        return rows

    async def _snapshot_open_orders(self):
        """The orders already open when the first orders watch started: the stream shows only what changes
        afterwards, so one that closes in a reconnect's gap is known to be looked up (``_reconcile_orders``)."""
        rows = self.safe_list(await self.privateGetOrders(), "results", [])
        self._open_at_start = {self.safe_string(r, "id"): r for r in rows if self.safe_string(r, "id")}

    async def _gap_rows(self, call, start):
        """Every row from ``start`` on, following cursors with the largest page the endpoints take (OpenAPI
        page_size <= 5000): a gap read only in part would be reported reconciled with its oldest rows (newest
        first: its start) missing, so one that does not fit ``GAP_PAGES`` pages raises and the gap is kept."""
        request = {"start_at": start, "page_size": GAP_PAGE_SIZE}
        rows: list = []
        for _ in range(GAP_PAGES):
            response = await call(request)
            rows += self.safe_list(response, "results", [])
            cursor = self.safe_string(response, "next")
            if not cursor:
                return rows
            request = self.extend(request, {"cursor": cursor})
        raise ExchangeError(f"{self.id} reconciliation: more than {GAP_PAGES * GAP_PAGE_SIZE} rows since {start}; "
                            "the gap is kept and read again on the next private watch")

    def _known_order(self, row):
        cache = getattr(self, "orders", None)
        if not cache:
            return None
        market = self.safe_market(self.safe_string(row, "market"))
        return cache.hashmap.get(market["symbol"], {}).get(self.safe_string(row, "id"))

