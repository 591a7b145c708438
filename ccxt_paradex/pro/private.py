"""Private streams of the pro class (mixin): orders, fills, positions, balance, funding payments, transfers,
balance events, trade busts, their un-watching, and the reconciliation that makes a reconnect lossless.

After a dropped connection the venue does not replay what was published while we were
away, so the first private watch on the new connection - once its subscriptions are acknowledged,
so that nothing falls between the REST answers and the stream - fetches fills, orders (open ones
and the history of every order that may have changed in the gap), positions, the balance, funding
payments and transfers over REST (each only for a stream being watched) and feeds whatever the
caches have not seen through the same handlers. Fills, funding payments and transfer states are
de-duplicated by id and orders by state, so each reaches its watcher exactly once; changed positions
and the balance are delivered to watchPositions / watchBalance. Balance events have no REST
counterpart: what the venue published while the socket was down is not replayed.

Trade busts (fills the venue voided because they failed to settle on chain): while watch_my_trades,
watch_positions or watch_balance is active the connection is subscribed to ``tradebusts`` too. A bust takes its fill
out of the my-trades cache (no later watch_my_trades result holds it, and neither a late frame nor a
reconciliation adds it back: a reconnect reads /tradebusts for the gap before /fills) and is delivered to
watch_trade_busts; positions and the balance follow the venue's own position and account updates.

Every watch registers its message hashes, each with the channel it needs, until an un_watch releases them
(``_watched``). An un_watch rejects the watchers parked on its hashes with ccxt's UnsubscribeError, sends the
venue's ``unsubscribe`` for a channel only once no registered hash needs it (and waits for the answer: nothing
arrives on it afterwards), drops the stream's cache when its last hash goes, and keeps a socket used for order
entry subscribed to something (Paradex closes idle sockets). A released stream ignores late frames and is not
reconciled; its next watch subscribes again and starts clean.
"""
import asyncio
from collections import OrderedDict

from ccxt.async_support.base.ws.cache import ArrayCache, ArrayCacheBySymbolById, ArrayCacheBySymbolBySide
from ccxt.base.errors import ExchangeError, NetworkError, RateLimitExceeded, UnsubscribeError
from ccxt.base.precise import Precise
from ccxt.base.types import Balances, Int, Order, Position, Str, Strings, Trade

from .connection import ParadexConnection
from .session import AUTH_HASH

PRIVATE_CHANNELS = ("orders", "fills", "positions", "account", "funding_payments", "transfers", "balance_events",
                    "tradebusts")
# the private streams (named after their caches): one of them registered keeps the reconnect machinery going
PRIVATE_STREAMS = ("orders", "myTrades", "positions", "balance", "fundingPayments", "transfers", "balanceEvents",
                   "tradeBusts")
BUSTS_CHANNEL = "tradebusts"
# the streams a bust concerns: while one of them is watched, the connection is subscribed to the busts too
BUST_AWARE_STREAMS = ("myTrades", "positions", "balance", "tradeBusts")
# balance_events ``type`` -> ccxt ledger entry type (Paradex's transaction types)
BALANCE_EVENT_TYPES = {"TRANSACTION_FILL": "trade", "TRANSACTION_LIQUIDATE": "liquidation",
                       "TRANSACTION_SETTLE_MARKET": "settlement"}


def _forget(cache, symbol, item_id):
    """Take one row out of an ArrayCacheBySymbolById (ccxt's has no removal: this mirrors its eviction of the
    oldest row, so the new-update counts of both poll scopes stay right)."""
    by_id = cache.hashmap.get(symbol, {})
    if item_id not in by_id:
        return
    index = cache._index.index((symbol, item_id))
    del cache._deque[index]
    del cache._index[index]
    del by_id[item_id]
    if not by_id:
        del cache.hashmap[symbol]
    for seen_map, scope in ((cache._seen_updates_by_symbol, "symbol"), (cache._seen_updates_all, "all")):
        seen = seen_map.get(symbol)
        if seen is not None and item_id in seen:
            seen.discard(item_id)
            if scope == "symbol":
                cache._new_updates_by_symbol[symbol] -= 1
            else:
                cache._all_new_updates -= 1
            if not seen:
                del seen_map[symbol]


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


class ParadexPrivateStreams(ParadexConnection):
    def _init_private(self):
        self._fill_ids = OrderedDict()   # (fill type, fill id) -> None, bounded: exactly-once delivery
        self._event_ids = OrderedDict()  # (stream, id[, state]) of funding payments / transfers delivered, bounded
        self._private_gap_since = None   # ms: private streams missed what happened since (None: in sync)
        self._reconciliation = None      # the running reconciliation task (owned by a session)
        self._private_since_ms = None    # when the first private watch started: history before it is not "missed"
        self._lost_private_channels = set()  # private channels of lost connections, not yet subscribed again
        self._open_at_start = {}         # order id -> /orders row: open when the first orders watch started
        self._open_snapshot = None       # the task taking that snapshot (owned by the session it runs on)
        self.reconcile_failures = 0      # reconciliation attempts that failed (each retried on its connection)
        self._watched = {}               # stream -> {message hash: channel} its watch calls registered, until un_watch
        self._stream_since = {}          # stream -> ms its watching (re)started: older history is not "missed"
        self._busted_fills = OrderedDict()  # fill ids the venue busted, bounded: never (again) a trade of myTrades

    def _cache(self, name, factory):
        cache = getattr(self, name, None)
        if cache is None or isinstance(cache, dict) and not cache:
            cache = factory()
            setattr(self, name, cache)
        return cache

    # ---- which streams are watched ------------------------------------------------------------------
    def _register(self, stream, channels, hashes):
        """A watch call of ``stream``: each hash (with the channel it needs) stays registered until an un_watch."""
        held = self._watched.setdefault(stream, {})
        if not held:
            self._stream_since[stream] = self.milliseconds()
        for channel, message_hash in zip(channels, hashes):
            held[message_hash] = channel
        self._released.difference_update(hashes)  # (before any wait: a pending un_watch of these no longer counts)

    def _stopped(self, stream) -> bool:
        """An un_watch emptied ``stream`` (and no watch registered since): its late frames are ignored."""
        return self._watched.get(stream) == {}

    def _watching(self, stream) -> bool:
        return bool(self._watched.get(stream))

    def _channel_needed(self, channel) -> bool:
        if channel == BUSTS_CHANNEL and any(self._watching(s) for s in BUST_AWARE_STREAMS):
            return True
        return any(channel in held.values() for held in self._watched.values())

    def _channel_hashes(self, channel):
        """The message hashes registered watches need ``channel`` for (whom a refusal of it must reach)."""
        return tuple(h for held in self._watched.values() for h, c in held.items() if c == channel)

    def _publish_stream(self, client, stream, value, hashes):
        """To the hashes of ``stream`` some watch registered (all of them before any watch did: handlers driven
        directly), so nothing is parked for a hash no watcher will read."""
        held = self._watched.get(stream)
        if held is not None:
            hashes = [h for h in hashes if h in held]
        if hashes:
            self._publish(client, value, hashes)

    # ---- watchers ---------------------------------------------------------------------------------
    async def watch_orders(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[Order]:
        return await self._watch_private_stream("orders", "orders", symbol, since, limit)

    async def watch_my_trades(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[Trade]:
        return await self._watch_private_stream("myTrades", "fills", symbol, since, limit)

    async def watch_funding_payments(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}):
        """Extra (ccxt has no such name): the account's funding payments as they are settled (Paradex settles at
        each fill of a market with a position), parsed as fetch_funding_history parses them. The
        ``funding_payments.{market}`` channel (``.ALL`` without a symbol)."""
        return await self._watch_private_stream("fundingPayments", "funding_payments", symbol, since, limit)

    async def _watch_private_stream(self, stream, kind, symbol, since, limit):
        """A per-market or ALL channel feeding an ArrayCacheBySymbolById (orders, fills, funding payments)."""
        await self.load_markets()
        channel, message_hash = self._private_channel(stream, kind, symbol)
        self._register(stream, [channel], [message_hash])
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
        self._register("positions", ["positions"] * len(hashes), hashes)
        positions = await self._watch_channels(["positions"], hashes, private=True)
        if self.newUpdates:  # (a reconciliation's list names every market that changed)
            return self.filter_by_symbols_since_limit(positions, symbols, since, limit, True) if symbols else positions
        return self.filter_by_symbols_since_limit(self.positions, symbols, since, limit, True)

    async def watch_balance(self, params: dict = {}) -> Balances:
        await self.load_markets()
        self._private_started()
        self._register("balance", ["account"], ["balance"])
        return await self._watch_channels(["account"], ["balance"], private=True)

    async def watch_transfers(self, code: Str = None, since: Int = None, limit: Int = None, params: dict = {}):
        """Extra (ccxt has no such name): the account's transfers (deposits, withdrawals, vault moves...) as the
        ``transfers`` channel reports them, each state change an entry, parsed as fetch_transfers parses them."""
        return await self._watch_account_stream("transfers", "transfers", code, since, limit)

    async def watch_balance_events(self, code: Str = None, since: Int = None, limit: Int = None, params: dict = {}):
        """Extra (ccxt has no such name): the ``balance_events`` channel (what each fill did to the settlement
        balance) as ccxt ledger entries: ``amount`` is the realized PnL plus realized funding (``direction`` its
        sign), ``fee`` the fill's fee, ``before`` / ``after`` the venue's balances (after = before +/- amount - fee),
        ``referenceId`` the fill id. Not replayed after a reconnect (the venue has no REST read of them)."""
        return await self._watch_account_stream("balanceEvents", "balance_events", code, since, limit)

    async def watch_trade_busts(self, since: Int = None, limit: Int = None, params: dict = {}):
        """Extra (ccxt has no such name): the account's trade busts - fills the venue voided because they failed
        to settle on chain - from the ``tradebusts`` channel, parsed as fetch_trade_busts parses them: ``{info,
        id (the busted fill id), timestamp (of the bust), datetime, account}``. The busted fill leaves the
        watch_my_trades cache; positions and the balance follow the venue's own updates. After a reconnect the
        busts of the gap are read from /tradebusts."""
        return await self._watch_account_stream("tradeBusts", BUSTS_CHANNEL, None, since, limit)

    async def _watch_account_stream(self, stream, channel, code, since, limit):
        await self.load_markets()
        self._private_started()
        self._register(stream, [channel], [stream])
        cache = await self._watch_channels([channel], [stream], private=True)
        if self.newUpdates:
            limit = cache.getLimit(None, limit)
        return self.filter_by_currency_since_limit(cache, self.safe_currency_code(code) if code else None, since, limit, True)

    def _private_started(self):
        """The first private watch: what happens from now on must survive a reconnect (reconciliation)."""
        if self._private_since_ms is None:
            self._private_since_ms = self.milliseconds()

    def _subscribe_busts(self, session):
        """A private watch went out on ``session``: a my-trades, positions or balance stream being watched keeps
        the connection subscribed to ``tradebusts`` (no watcher of its own; released with the last of them)."""
        if BUSTS_CHANNEL not in session.client.subscriptions and any(self._watching(s) for s in BUST_AWARE_STREAMS):
            session.subscribe_in_background(BUSTS_CHANNEL, self._channel_hashes(BUSTS_CHANNEL))

    def _private_channel(self, stream, kind, symbol):
        self._private_started()
        market_id = self.market_id(symbol) if symbol is not None else "ALL"
        return kind + "." + market_id, self._private_hash(stream, market_id)

    @staticmethod
    def _private_hash(stream, market_id):
        return ("fills" if stream == "myTrades" else stream) + ":" + market_id

    # ---- un-watchers ------------------------------------------------------------------------------------
    async def un_watch_orders(self, symbol: Str = None, params: dict = {}):
        """Stops watch_orders(symbol); without a symbol, every orders stream (all markets and each market)."""
        return await self._unwatch_private_stream("orders", symbol)

    async def un_watch_my_trades(self, symbol: Str = None, params: dict = {}):
        """Stops watch_my_trades(symbol); without a symbol, every fills stream."""
        return await self._unwatch_private_stream("myTrades", symbol)

    async def un_watch_funding_payments(self, symbol: Str = None, params: dict = {}):
        """Extra: stops watch_funding_payments(symbol); without a symbol, every funding payments stream."""
        return await self._unwatch_private_stream("fundingPayments", symbol)

    async def _unwatch_private_stream(self, stream, symbol):
        await self.load_markets()
        if symbol is not None:
            hashes = [self._private_hash(stream, self.market_id(symbol))]
        else:
            hashes = list(self._watched.get(stream, {})) or [self._private_hash(stream, "ALL")]
        return await self._unwatch(stream, hashes)

    async def un_watch_positions(self, symbols: Strings = None, params: dict = {}):
        """Stops watch_positions(symbols); without symbols, every positions watch. The ``positions`` channel is
        unsubscribed once no positions watch is left."""
        await self.load_markets()
        symbols = self.market_symbols(symbols)
        hashes = ["positions:" + s for s in symbols] if symbols else (list(self._watched.get("positions", {})) or ["positions"])
        return await self._unwatch("positions", hashes)

    async def un_watch_balance(self, params: dict = {}):
        """Extra (ccxt has no unWatchBalance): stops watch_balance. The ``account`` channel stays subscribed when
        it is what keeps a socket used for order entry alive (options['wsKeepAliveChannel'])."""
        return await self._unwatch("balance", ["balance"])

    async def un_watch_transfers(self, params: dict = {}):
        """Extra: stops watch_transfers."""
        return await self._unwatch("transfers", ["transfers"])

    async def un_watch_balance_events(self, params: dict = {}):
        """Extra: stops watch_balance_events."""
        return await self._unwatch("balanceEvents", ["balanceEvents"])

    async def un_watch_trade_busts(self, params: dict = {}):
        """Extra: stops watch_trade_busts. ``tradebusts`` stays subscribed while a my-trades, positions or balance
        watch is active (a bust still takes its fill out of the my-trades cache)."""
        return await self._unwatch("tradeBusts", ["tradeBusts"])

    async def _unwatch(self, stream, hashes):
        """Release ``hashes`` of ``stream``: parked watchers get UnsubscribeError, the channels no registered hash
        needs any more are unsubscribed (the answer awaited), and the stream's cache goes with its last hash."""
        held = self._watched.setdefault(stream, {})
        channels = {held.pop(h) for h in hashes if h in held}
        if stream in BUST_AWARE_STREAMS:
            channels.add(BUSTS_CHANNEL)  # (subscribed for this stream too: released once no such stream is left)
        client = (self.clients or {}).get(self.get_ws_url())
        self._release_hashes(client, hashes, lambda h: UnsubscribeError(self.id + " " + h))
        if not held and stream in PRIVATE_STREAMS:
            self._drop_stream_cache(stream)
        if stream in PRIVATE_STREAMS and not any(self._watched.get(s) for s in PRIVATE_STREAMS):
            self._private_since_ms = self._private_gap_since = None  # a later watch starts afresh
        release = sorted(c for c in channels if not self._channel_needed(c))
        self._lost_private_channels.difference_update(release)
        await self._release_channels(client, release)
        return True

    def _drop_stream_cache(self, stream):
        """The last watch of a private stream left: its cache goes, and frames still in flight are ignored."""
        self._stream_since.pop(stream, None)
        if stream == "balance":
            self.balance = {}
            return
        setattr(self, stream, None)
        if stream == "orders":  # the next orders watch notes the open orders again
            snapshot, self._open_snapshot, self._open_at_start = self._open_snapshot, None, {}
            if snapshot is not None and not snapshot.done():
                snapshot.cancel()

    async def _release_channels(self, client, channels):
        """Unsubscribe ``channels`` on the current connection and wait for each answer. A socket that sent orders
        keeps a subscription (Paradex may close an idle one, code 4031): its keep-alive channel stays, or is
        subscribed before the last channel goes."""
        if client is None:
            return
        subscribed = [c for c in channels if c in client.subscriptions]
        session = self.existing_session(client)
        if session is None or session.ended or client.closed():
            for channel in subscribed:
                del client.subscriptions[channel]
            return
        if session.trading:
            keep = self.safe_string(self.options, "wsKeepAliveChannel", "account")
            if keep in subscribed and not any(n != AUTH_HASH and n not in subscribed for n in client.subscriptions):
                subscribed.remove(keep)
        for channel in subscribed:
            del client.subscriptions[channel]
        if session.trading:
            self._keep_subscribed(session)
        timeout = self.safe_number(self.options, "wsOrderTimeout", 10)
        answers = await asyncio.gather(*(session.unsubscribe(c, timeout) for c in subscribed), return_exceptions=True)
        for answer in answers:  # a lost connection took the subscription with it
            if isinstance(answer, BaseException) and not isinstance(answer, NetworkError):
                raise answer

    # ---- handlers (the same for WebSocket frames and REST reconciliation) -----------------------------
    def _on_order(self, client, data, reconciling=False):
        if self._stopped("orders"):
            return
        order = self.parse_order(data)
        cache = self._cache("orders", lambda: ArrayCacheBySymbolById(self.safe_integer(self.options, "ordersLimit", 1000)))
        known = cache.hashmap.get(order["symbol"], {}).get(order["id"])
        if known is not None and (_same_state(known, order) or _progress(known) > _progress(order)):
            # a state already delivered (a duplicate), or an older one than the cache holds: a REST row older than
            # what the stream showed, or a frame published before the REST read that was handled after it
            return
        cache.append(order)
        self._publish_stream(client, "orders", cache, ("orders:" + self.safe_string(data, "market", ""), "orders:ALL"))

    def _on_fill(self, client, data):
        if self._stopped("myTrades"):
            return False
        fill_id = self.safe_string(data, "id")
        # OpenAPI FillResult.id: "Unique string ID of fill per FillType" (FILL, LIQUIDATION, UNWIND_TRANSFER)
        key = (self.safe_string(data, "fill_type", "FILL"), fill_id)
        if fill_id is None or key in self._fill_ids or fill_id in self._busted_fills:
            return False
        self._fill_ids[key] = None
        if len(self._fill_ids) > self.safe_integer(self.options, "fillIdMemory", 20000):
            self._fill_ids.popitem(last=False)
        trade = self.parse_trade(data)
        cache = self._cache("myTrades", lambda: ArrayCacheBySymbolById(self.safe_integer(self.options, "tradesLimit", 1000)))
        cache.append(trade)
        self._publish_stream(client, "myTrades", cache, ("fills:" + self.safe_string(data, "market", ""), "fills:ALL"))
        return True

    def _on_trade_bust(self, client, data):
        """A fill the venue voided: out of the my-trades cache for good (a reconciliation or a late frame does not
        add it back), and to watch_trade_busts when that stream is watched."""
        fill_id = self.safe_string(data, "busted_fill_id")
        if fill_id is None or fill_id in self._busted_fills:
            return
        self._busted_fills[fill_id] = None
        if len(self._busted_fills) > self.safe_integer(self.options, "fillIdMemory", 20000):
            self._busted_fills.popitem(last=False)
        trades = getattr(self, "myTrades", None)
        if trades:
            for symbol in [s for s, by_id in trades.hashmap.items() if fill_id in by_id]:
                _forget(trades, symbol, fill_id)
        if not self._watching("tradeBusts"):
            return  # (subscribed for the other streams only)
        cache = self._cache("tradeBusts", lambda: ArrayCache(self.safe_integer(self.options, "tradesLimit", 1000)))
        cache.append(self.parse_trade_bust(data))
        self._publish_stream(client, "tradeBusts", cache, ("tradeBusts",))

    def _first_time(self, key) -> bool:
        """Funding payments and transfer states: each delivered once (a reconciliation re-reads the gap's edge)."""
        if key in self._event_ids:
            return False
        self._event_ids[key] = None
        if len(self._event_ids) > self.safe_integer(self.options, "fillIdMemory", 20000):
            self._event_ids.popitem(last=False)
        return True

    def _on_funding_payment(self, client, data):
        payment_id = self.safe_string(data, "id")
        if self._stopped("fundingPayments") or payment_id is None or not self._first_time(("funding", payment_id)):
            return
        market = self.safe_market(self.safe_string(data, "market"))
        cache = self._cache("fundingPayments",
                            lambda: ArrayCacheBySymbolById(self.safe_integer(self.options, "tradesLimit", 1000)))
        cache.append(self.parse_income(data, market))
        self._publish_stream(client, "fundingPayments", cache,
                             ("fundingPayments:" + str(market["id"]), "fundingPayments:ALL"))

    def _on_transfer(self, client, data):
        key = ("transfer", self.safe_string(data, "id"), self.safe_string(data, "status"),
               self.safe_integer(data, "last_updated_at"))
        if self._stopped("transfers") or key[1] is None or not self._first_time(key):
            return
        cache = self._cache("transfers", lambda: ArrayCache(self.safe_integer(self.options, "tradesLimit", 1000)))
        cache.append(self.parse_transfer(data))
        self._publish_stream(client, "transfers", cache, ("transfers",))

    def _on_balance_event(self, client, data):
        if self._stopped("balanceEvents"):
            return
        cache = self._cache("balanceEvents", lambda: ArrayCache(self.safe_integer(self.options, "tradesLimit", 1000)))
        cache.append(self.parse_balance_event(data))
        self._publish_stream(client, "balanceEvents", cache, ("balanceEvents",))

    def parse_balance_event(self, event, currency=None):
        """A balance_events payload -> a ccxt ledger entry (see watch_balance_events)."""
        timestamp = self.safe_integer(event, "created_at")
        code = self.safe_currency_code(self.safe_string(event, "settlement_asset_name", "USDC"), currency)
        gross = Precise.string_add(self.safe_string(event, "realized_pnl", "0"), self.safe_string(event, "realized_funding", "0"))
        kind = self.safe_string(event, "type")
        fill_id = self.safe_string(event, "fill_id")
        return self.safe_ledger_entry({
            "info": event, "id": fill_id, "timestamp": timestamp, "datetime": self.iso8601(timestamp),
            "direction": "out" if Precise.string_lt(gross, "0") else "in", "account": "swap", "referenceId": fill_id,
            "referenceAccount": None, "type": self.safe_string(BALANCE_EVENT_TYPES, kind, kind.lower() if kind else None),
            "currency": code, "amount": Precise.string_abs(gross),
            "before": self.safe_string(event, "settlement_asset_balance_before"),
            "after": self.safe_string(event, "settlement_asset_balance_after"),
            "status": "ok" if self.safe_string(event, "status") == "ON_BLOCKCHAIN" else "pending",
            "fee": {"cost": self.safe_string(event, "fees"), "currency": code},
        }, self.safe_currency(code))

    def _on_position(self, client, data):
        if self._stopped("positions"):
            return
        changed = self._apply_position(data)
        if changed:
            self._publish_positions(client, changed)

    def _publish_positions(self, client, changed):
        """To watch_positions() and watch_positions([symbol]) watchers; parked between calls only for hashes a
        watcher has used (a hash nobody watches would otherwise hand a stale list to its first watcher)."""
        hashes = ["positions"] + list(dict.fromkeys("positions:" + p["symbol"] for p in changed))
        held = self._watched.get("positions", {})
        watched = tuple(h for h in hashes if h in held)
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
        self.balance = balance  # (kept current by a keep-alive subscription of the account channel too)
        # a watcher between two calls gets the newest balance on its next call (live and reconciled alike: a
        # parked older one is replaced, never returned after a newer one)
        self._publish_stream(client, "balance", balance, ("balance",))

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
            if channel not in client.subscriptions:  # (a refusal reaches the watchers of the channel)
                session.subscribe_in_background(channel, self._channel_hashes(channel))
        self._lost_private_channels.clear()
        if self._private_gap_since is None or (self._reconciliation is not None and not self._reconciliation.done()):
            return
        self._reconciliation = session.spawn(self._reconcile_private_state(session))

    async def _reconcile_private_state(self, session):
        """Once the new connection's subscriptions are live (nothing can fall between REST and the stream), fetch
        what the watched streams missed: fills, orders (open, and every order that changed since the gap began),
        positions, funding payments, transfers and the balance (``_reconcile_once``)."""
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
        """What the gap hid, for each stream being watched (a released or never-watched one reads nothing)."""
        margin = self.safe_integer(self.options, "wsReconcileMarginMs", 10_000)

        def start(stream):  # from the gap, or from when the stream's watching started if later
            return max(self._stream_start(stream), gap) - margin
        bust_streams = [s for s in ("myTrades", "tradeBusts") if self._watching(s)]
        if bust_streams:  # first: a fill busted in the gap is known busted before /fills is read
            rows = await self._gap_rows(self.privateGetTradebusts, min(start(s) for s in bust_streams))
            for row in self._oldest_first(rows, "created_at"):
                self._on_trade_bust(client, row)
        if self._watching("myTrades"):
            rows = await self._gap_rows(self.privateGetFills, start("myTrades"))
            for row in self._oldest_first(rows, "created_at"):
                self._on_fill(client, row)
        if self._watching("orders"):
            await self._reconcile_orders(client, start("orders"), self._stream_start("orders") - margin)
        positions = None
        if self._watching("positions"):
            positions = self.safe_list(await self.privateGetPositions(), "results", [])
            changed = [p for row in positions for p in self._apply_position(row)]
            if changed:
                self._publish_positions(client, changed)
        if self._watching("fundingPayments"):
            await self._reconcile_funding_payments(client, start("fundingPayments"), positions)
        if self._watching("transfers"):
            rows = await self._gap_rows(self.privateGetTransfers, start("transfers"))
            for row in self._oldest_first(rows, "last_updated_at"):
                self._on_transfer(client, row)
        if self._watching("balance"):
            account = await self.privateGetAccount()
            if isinstance(account, dict) and account:
                self._on_account(client, account)

    def _stream_start(self, stream):
        """ms: when the private watches started, or when this stream's (re)started if later."""
        return max(self._private_since_ms or 0, self._stream_since.get(stream, 0))

    async def _reconcile_funding_payments(self, client, start, positions):
        """/funding/payments is read per market: the markets watched one by one, and for a watch of all markets
        those where the account held a position in the gap (open now, or changed since ``start``)."""
        markets = {h.split(":", 1)[1] for h in self._watched.get("fundingPayments", {})}
        if "ALL" in markets:
            markets.discard("ALL")
            if positions is None:
                positions = self.safe_list(await self.privateGetPositions(), "results", [])
            markets.update(self.safe_string(p, "market") for p in positions
                           if self.safe_string(p, "status") == "OPEN" or self.safe_integer(p, "last_updated_at", 0) >= start)
        rows = []
        for market in sorted(m for m in markets if m):
            rows += await self._gap_rows(lambda request, m=market: self.privateGetFundingPayments(self.extend(request, {"market": m})), start)
        for row in self._oldest_first(rows, "created_at"):
            self._on_funding_payment(client, row)

    async def _reconcile_orders(self, client, start, floor):
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
        history = await self._gap_rows(self.privateGetOrdersHistory, start)
        scanned = {self.safe_string(r, "id") for r in history}  # (their final states are read already)
        history += await self._final_rows({k: v for k, v in vanished.items() if k not in scanned})
        self._open_at_start = {k: v for k, v in self._open_at_start.items() if k in open_ids}
        rows = {}
        for row in history + open_rows:
            rid = self.safe_string(row, "id")
            previous = rows.get(rid)
            if previous is None or self.safe_integer(row, "last_updated_at", 0) >= self.safe_integer(previous, "last_updated_at", 0):
                rows[rid] = row
        for row in sorted(rows.values(), key=lambda r: self.safe_integer(r, "last_updated_at", 0)):
            if self._known_order(row) is None and self.safe_integer(row, "last_updated_at", 0) < floor:
                continue  # ended before the first private watch: not missed
            self._on_order(client, row, reconciling=True)

    async def _final_rows(self, orders):
        """{id: (market id, created_at ms)} -> their /orders-history rows (current state), each read in a window
        around its own creation millisecond on its market: a few rows, however long ago it was placed (a scan from
        its creation would read every order placed since). /orders-history's start_at / end_at bound the
        creation time; whether inclusively is not written down, so the window is widened by 1 ms on each side
        (it holds the creation millisecond either way), the rows are filtered by id, and the cursor is followed
        until the order is found (a burst of orders in those 3 ms may not fit one page)."""
        rows = []
        for oid, (market, created) in orders.items():
            if market is None or created is None:
                continue
            request = {"market": market, "start_at": created - 1, "end_at": created + 1, "page_size": 100}
            for _ in range(GAP_PAGES):
                response = await self.privateGetOrdersHistory(request)
                found = [r for r in self.safe_list(response, "results", []) if self.safe_string(r, "id") == oid]
                cursor = self.safe_string(response, "next")
                if found or not cursor:
                    rows += found
                    break
                request = self.extend(request, {"cursor": cursor})
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

    def _oldest_first(self, rows, key):
        """Gap rows (pages newest first) oldest first; rows of one millisecond keep the venue's order (reversed
        before the stable sort), so two fills of one order arrive as the stream delivered them."""
        return sorted(reversed(rows), key=lambda r: self.safe_integer(r, key, 0))

    def _known_order(self, row):
        cache = getattr(self, "orders", None)
        if not cache:
            return None
        market = self.safe_market(self.safe_string(row, "market"))
        return cache.hashmap.get(market["symbol"], {}).get(self.safe_string(row, "id"))

