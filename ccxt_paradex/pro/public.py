"""Public streams of the pro class (mixin): books, trades, tickers, BBO, funding.

Order books live in ``core.book.L2Book`` (integer mantissas, seq_no checks). A watcher
only ever receives a book that is in sync: after a lost frame the book waits for the
next snapshot (the deltas channel is re-subscribed to get one) and after a reconnect
for the snapshot the new subscription starts with.
"""

from asyncio import CancelledError

from ccxt.base.types import FundingRate, FundingRates, Int, OrderBook, Strings, Ticker, Tickers, Trade
from ccxt.async_support.base.ws.cache import ArrayCache
from ccxt.base.errors import ArgumentsRequired, BadRequest, NetworkError

from ..core import contract, validate
from ..core.book import APPLIED, GAP, L2Book, to_mantissa
from .connection import cancelled_by_another
from .private import ParadexPrivateStreams
from .session import SUBSCRIBE

BOOK_FEEDS = ("deltas", "snapshot", "interactive", "interactive_deltas")
_BOOK_ENUMS: dict = {}


def _book_channel_enums() -> dict:
    """{'refresh_rate': [...], 'price_tick': [...]}: the values Paradex's AsyncAPI order_book channel takes."""
    if not _BOOK_ENUMS:
        entry = next(v for k, v in contract.contract()["channels"].items() if k.startswith("order_book."))
        _BOOK_ENUMS.update({name: list(entry["params"][name]["enum"]) for name in ("refresh_rate", "price_tick")})
    return _BOOK_ENUMS


class BookView(dict):
    """What watch_order_book returns: a ccxt order-book dict (bids, asks, nonce, timestamp...)."""

    def limit(self, n=None):
        """The view cut to ``n`` levels a side: a copy when it has more (the view is shared by every watcher of
        the market and by ``exchange.orderbooks``, so one watcher's limit never shortens another's book)."""
        if n is None or (len(self["bids"]) <= n and len(self["asks"]) <= n):
            return self
        view = BookView(self)
        view["bids"], view["asks"] = self["bids"][:n], self["asks"][:n]
        return view


class LiveOrderBooks(dict):
    """``exchange.orderbooks``: {symbol: the latest applied book}, as in ccxt, between awaits too.

    Frames only update the integer book (``core.book.L2Book``); a symbol's view is built when it is read and
    its book has moved since the last view (compared by sequence number), so the hot path stays as cheap as
    before and a script reading ``exchange.orderbooks[symbol]`` never sees an older state than was applied."""

    def __init__(self, exchange, items=()):
        super().__init__(items)
        self._exchange = exchange
        self._fresh = exchange._refresh_book_view  # (symbol) -> None: rebuilds that view when its book moved

    def __getitem__(self, symbol):
        self._fresh(symbol)
        return dict.__getitem__(self, symbol)

    def get(self, symbol, default=None):
        self._fresh(symbol)
        return dict.get(self, symbol, default)

    def __contains__(self, symbol):
        self._fresh(symbol)
        return dict.__contains__(self, symbol)

    def _fresh_all(self):
        for symbol in self._exchange._live_book_symbols():
            self._fresh(symbol)

    def __iter__(self):
        self._fresh_all()
        return dict.__iter__(self)

    def keys(self):
        self._fresh_all()
        return dict.keys(self)

    def values(self):
        self._fresh_all()
        return dict.values(self)

    def items(self):
        self._fresh_all()
        return dict.items(self)

    def __len__(self):
        self._fresh_all()
        return dict.__len__(self)


class ParadexPublicStreams(ParadexPrivateStreams):
    @property
    def orderbooks(self):
        return self.__dict__.get("_live_orderbooks")

    @orderbooks.setter
    def orderbooks(self, value):
        """ccxt assigns a fresh dict (construction, clean_ws_data): keep it live."""
        self.__dict__["_live_orderbooks"] = value if isinstance(value, LiveOrderBooks) else \
            LiveOrderBooks(self, value or {})

    def _live_book_symbols(self):
        books = self.__dict__.get("_books") or {}
        return [self._book_symbol(market_id) for market_id, book in list(books.items()) if book.synced]

    def _book_symbol(self, market_id):
        symbol = self._symbols_by_id.get(market_id)
        if symbol is None:
            symbol = self._symbols_by_id[market_id] = self.safe_market(market_id)["symbol"]
        return symbol

    def _refresh_book_view(self, symbol):
        """Rebuild orderbooks[symbol] when its book applied a frame since the view was built."""
        books = self.__dict__.get("_books")
        if not books or not isinstance(symbol, str) or not self.markets or symbol not in self.markets:
            return
        market_id = self.markets[symbol]["id"]
        book = books.get(market_id)
        if book is None or not book.synced:
            return
        view = dict.get(self.orderbooks, symbol)
        if view is None or view.get("nonce") != book.seq:
            self._book_view(market_id, book)

    def _init_public(self):
        self._books = {}          # market id -> L2Book
        self._book_channel = {}   # market id -> channel name of its (single) order_book subscription
        self._book_limits = {}    # market id -> largest limit a watcher asked for (None: one asked for all)
        self._book_plans = {}     # (symbols, limit, params) -> (channels, hashes)
        self._symbols_by_id = {}
        self._iso_second = (None, "")
        self.book_feed_fallbacks = 0  # times a refused deltas channel made us switch to the snapshot feed

    def _books_connection_lost(self):
        """A connection was lost: every book waits for the snapshot its new subscription starts with."""
        for book in self._books.values():
            book.mark_out_of_sync()

    # ---- order books ------------------------------------------------------------------------------
    def _book_channel_name(self, market_id, params):
        feed = self.safe_string(params, "feed", self.safe_string(self.options, "orderBookFeed", "deltas"))
        if self.safe_bool(params, "interactive", False) and not feed.startswith("interactive"):
            feed = "interactive_deltas" if feed == "deltas" else "interactive"
        if feed not in BOOK_FEEDS:
            raise self._bad_request("orderBookFeed must be one of " + ", ".join(BOOK_FEEDS))
        if feed.endswith("deltas"):
            return "order_book." + market_id + "." + feed
        refresh = self.safe_string(params, "refresh_rate", "100ms" if feed == "interactive" else "50ms")
        allowed = _book_channel_enums()
        if refresh not in allowed["refresh_rate"]:
            raise self._bad_request(f"watchOrderBook() refresh_rate must be one of {', '.join(allowed['refresh_rate'])}"
                                    f" (AsyncAPI order_book channel), got {refresh!r}")
        channel = "order_book." + market_id + "." + feed + "@15@" + refresh
        tick = self.safe_string(params, "price_tick")
        if tick is not None:
            tick = tick.replace(".", "_")
            if tick not in allowed["price_tick"]:
                raise self._bad_request(f"watchOrderBook() price_tick must be one of "
                                        f"{', '.join(t.replace('_', '.') for t in allowed['price_tick'])}, got "
                                        f"{params.get('price_tick')!r}")
            channel += "@" + tick
        return channel

    def _bad_request(self, message):
        return BadRequest(self.id + " " + message)

    async def watch_order_book(self, symbol: str, limit: Int = None, params: dict = {}) -> OrderBook:
        """params: feed ('deltas' full depth, default | 'snapshot' top 15), refresh_rate, price_tick, interactive.

        The hot loop, ``while True: await ex.watch_order_book(symbol)``, takes the live-channel path: a plan
        exists only for arguments that passed the guard, and the path is taken only for values of the exact
        types the guard passes unchanged (str, int or None, no params), so every other call is checked
        (``_watch_order_book_checked``) before anything is sent. On the live path (the connection the last
        public watch used is open, its session registered, the market's channel subscribed, nothing parked
        for the hash) the call parks on the market's one future in ``client.futures`` - ccxt's
        ``client.future(hash)``, shared by every watcher of the market, rejected by errors, un-watch and
        close() like any other - and returns what resolves it: no ``watch()`` round trip, no subscription
        bookkeeping, no URL. Anything else goes through ``_watch_channels`` as before."""
        if not params and type(symbol) is str and (limit is None or type(limit) is int):
            plan = self._book_plans.get((symbol, limit))
            if plan is not None:
                channels, hashes = plan
                message_hash = hashes[0]
                client = self._public_client
                connection = client.connection if client is not None else None
                if connection is None or connection.closed or client not in self._sessions \
                        or channels[0] not in client.subscriptions or message_hash in client.rejections:
                    return await self._watch_planned_books(plan, (symbol,), limit, {})
                future = client.future(message_hash)  # the market's one future (a plain asyncio future: reader.py)
                try:
                    try:
                        book = await future
                    except NetworkError as e:
                        book = await self._watch_channels(channels, hashes, failed=e)  # reconnects, resubscribes
                except BadRequest:
                    if not self._fall_back_to_snapshot_feed(channels, {}):
                        raise
                    return await self._watch_books([symbol], limit, {})
                except CancelledError:
                    if cancelled_by_another(future):  # another watcher of the market was cancelled, not this one
                        return await self.watch_order_book(symbol, limit)
                    raise
                return book if limit is None else book.limit(limit)
        return await self._watch_order_book_checked(symbol, limit, params)

    async def _watch_order_book(self, symbol, limit=None, params={}):
        await self.load_markets()
        market = self.market(symbol)
        return await self._watch_books([market["symbol"]], limit, params, symbol)

    _watch_order_book_checked = validate.checked(_watch_order_book, "watch_order_book")
    watch_order_book.__guarded__ = True  # type: ignore[attr-defined]  # its slow path is; the live one needs no check

    async def watch_order_book_for_symbols(self, symbols: list[str], limit: Int = None, params: dict = {}):
        return await self._watch_books(symbols, limit, params)

    async def _watch_books(self, symbols, limit, params, alias=None):
        key = (tuple(symbols), limit, tuple(sorted((k, str(v)) for k, v in params.items())))
        plan = self._book_plans.get(key)
        if plan is None:
            plan = self._book_plans[key] = await self._plan_books(symbols, limit, params)
            if alias is not None and not params:  # watch_order_book(alias, limit) finds it without re-planning
                self._book_plans[(alias, limit)] = plan
        return await self._watch_planned_books(plan, symbols, limit, params)

    async def _watch_planned_books(self, plan, symbols, limit, params):
        channels, hashes = plan
        try:
            book = await self._watch_channels(channels, hashes)
        except BadRequest:
            if not self._fall_back_to_snapshot_feed(channels, params):
                raise
            return await self._watch_books(list(symbols), limit, params)
        return book.limit(limit)

    def _fall_back_to_snapshot_feed(self, channels, params) -> bool:
        """The venue refused a full-depth ``deltas`` channel (one reading of the docs has no such feed): when the
        caller did not ask for a feed by name, use the documented snapshot feed (15 levels) from now on."""
        refused = [c for c in channels if c.endswith("deltas")]
        if not refused or "feed" in params:
            return False
        self.options["orderBookFeed"] = "snapshot"
        self.book_feed_fallbacks += 1
        for channel in refused:
            self._drop_book(channel.split(".")[1])
        return True

    def _drop_book(self, market_id):
        """Forget a market's book and channel (and every cached plan that named them) -> its channel or None."""
        self._books.pop(market_id, None)
        self._book_plans = {}
        return self._book_channel.pop(market_id, None)

    async def _plan_books(self, symbols, limit, params):
        """Channels and hashes for a watch_order_book_for_symbols call (cached: a hot loop re-calls it)."""
        await self.load_markets()
        markets = [self.market(s) for s in symbols]
        channels = []
        for m in markets:
            channel = self._book_channel_name(m["id"], params)
            previous = self._book_channel.get(m["id"])
            if previous is not None and previous != channel:
                await self._unwatch_channels([previous], ["orderbook:" + m["id"]])
                self._drop_book(m["id"])
            self._book_channel[m["id"]] = channel
            if m["id"] not in self._books:
                self._books[m["id"]] = L2Book(self.safe_integer(self.options, "bookMaxPending", 8))
            limits = self._book_limits  # None: some watcher wants the whole book, so every view carries it
            if limit is None or (m["id"] in limits and limits[m["id"]] is None):
                limits[m["id"]] = None
            else:
                limits[m["id"]] = max(limit, limits.get(m["id"], 0))
            channels.append(channel)
        return channels, ["orderbook:" + m["id"] for m in markets]

    async def un_watch_order_book(self, symbol: str, params: dict = {}):
        await self.load_markets()
        market_id = self.market_id(symbol)
        channel = self._drop_book(market_id)
        return await self._unwatch_channels([channel] if channel else [], ["orderbook:" + market_id])

    def _on_book(self, client, market_id, seq, timestamp, is_snapshot, bids, asks):
        """bids/asks: flat (price, size, price, size, ...) mantissa sequences."""
        book = self._books.get(market_id)
        if book is None:
            return
        if is_snapshot:
            status = book.snapshot_flat(seq, bids, asks, timestamp)
        else:
            status = book.delta_flat(seq, bids, asks, timestamp)
        if status == GAP:
            session = self.existing_session(client)
            if session is not None:  # the resync belongs to the connection: cancelled with it
                session.spawn(self._resync_book(session, market_id))
            return
        if status == APPLIED and book.synced:  # wake the market's watchers (the one future of its hash) with this state
            future = client.futures.pop("orderbook:" + market_id, None)
            if future is not None and not future.done():
                future.set_result(self._book_view(market_id, book))

    def _book_view(self, market_id, book):
        """The ccxt view of the book's state, shared by every watcher woken with it and kept in orderbooks."""
        symbol = self._symbols_by_id.get(market_id) or self._book_symbol(market_id)
        bids, asks = book.top(self._book_limits.get(market_id))
        ts = book.timestamp
        view = BookView(
            {"symbol": symbol, "bids": bids, "asks": asks, "timestamp": ts, "datetime": self._iso(ts), "nonce": book.seq})
        dict.__setitem__(self.__dict__["_live_orderbooks"], symbol, view)
        return view

    def _iso(self, ms):
        """ccxt's iso8601, with the per-second part cached (it is most of a book view's cost)."""
        if ms is None:
            return None
        second, prefix = self._iso_second
        if ms // 1000 != second:
            prefix = self.iso8601(ms // 1000 * 1000)[:-4]
            self._iso_second = (ms // 1000, prefix)
        return prefix + "%03dZ" % (ms % 1000)

    async def _resync_book(self, session, market_id):
        """A frame was lost on a deltas channel: re-subscribe for a fresh full snapshot."""
        channel = self._book_channel.get(market_id)
        client = session.client
        if channel is None or client.closed():
            return
        try:
            await client.send(session.rpc("unsubscribe", {"channel": channel}))
            # a refusal of the fresh subscription reaches the market's watchers (a gap must not park them forever)
            await client.send(session.rpc("subscribe", {"channel": channel}, SUBSCRIBE, ["orderbook:" + market_id],
                                          channel))
        except Exception:  # the connection is going away; the reconnect path resubscribes
            pass

    def _per_market(self, symbols, channel, key):
        """-> (["channel.MARKET", ...], ["key:MARKET", ...]) for unified symbols."""
        ids = [self.market_id(s) for s in symbols]
        return [channel + "." + i for i in ids], [key + ":" + i for i in ids]

    # ---- trades -----------------------------------------------------------------------------------
    async def watch_trades(self, symbol: str, since: Int = None, limit: Int = None, params: dict = {}) -> list[Trade]:
        return await self.watch_trades_for_symbols([symbol], since, limit, params)

    async def watch_trades_for_symbols(self, symbols: list[str], since: Int = None, limit: Int = None, params: dict = {}):
        await self.load_markets()
        trades = await self._watch_channels(*self._per_market(symbols, "trades", "trades"))
        if self.newUpdates:
            limit = trades.getLimit(trades[-1]["symbol"] if trades else None, limit)
        return self.filter_by_since_limit(trades, since, limit, "timestamp", True)

    async def un_watch_trades(self, symbol: str, params: dict = {}):
        return await self.un_watch_trades_for_symbols([symbol], params)

    async def un_watch_trades_for_symbols(self, symbols: list[str], params: dict = {}):
        await self.load_markets()
        return await self._unwatch_channels(*self._per_market(symbols, "trades", "trades"))

    async def un_watch_ticker(self, symbol: str, params: dict = {}):
        await self.load_markets()
        return await self._unwatch_channels(*self._per_market([symbol], "markets_summary", "ticker"))

    async def un_watch_bids_asks(self, symbols: Strings = None, params: dict = {}):
        await self.load_markets()
        symbols = self.market_symbols(symbols) or list(self.symbols)
        return await self._unwatch_channels(*self._per_market(symbols, "bbo", "bbo"))

    def _on_trade(self, client, data):
        market = self.safe_market(self.safe_string(data, "market"))
        symbol = market["symbol"]
        cache = self.trades.get(symbol)
        if cache is None:
            cache = self.trades[symbol] = ArrayCache(self.safe_integer(self.options, "tradesLimit", 1000))
        cache.append(self.parse_trade(data, market))
        self._publish(client, cache, ("trades:" + market["id"],))

    # ---- tickers, BBO, funding ------------------------------------------------------------------------
    async def watch_ticker(self, symbol: str, params: dict = {}) -> Ticker:
        await self.load_markets()
        return await self._watch_channels(*self._per_market([symbol], "markets_summary", "ticker"))

    async def watch_tickers(self, symbols: Strings = None, params: dict = {}) -> Tickers:
        await self.load_markets()
        symbols = self.market_symbols(symbols)
        if not symbols:
            ticker = await self._watch_channels(["markets_summary"], ["tickers"])
            return {ticker["symbol"]: ticker}
        ticker = await self._watch_channels(*self._per_market(symbols, "markets_summary", "ticker"))
        return {ticker["symbol"]: ticker}

    async def watch_mark_price(self, symbol: str, params: dict = {}):
        """A ticker (``markPrice``, ``indexPrice``) from the market summary stream, as ccxt's watchMarkPrice returns."""
        return await self.watch_ticker(symbol, params)

    async def watch_mark_prices(self, symbols: Strings = None, params: dict = {}):
        return await self.watch_tickers(symbols, params)

    async def un_watch_mark_price(self, symbol: str, params: dict = {}):
        return await self.un_watch_ticker(symbol, params)

    def _on_summary(self, client, data):
        market = self.safe_market(self.safe_string(data, "symbol"))
        if market.get("id") is None:
            return
        ticker = self.parse_ticker(data, market)
        self.tickers[market["symbol"]] = ticker
        client.resolve(ticker, "ticker:" + market["id"])
        client.resolve(ticker, "tickers")

    async def watch_bids_asks(self, symbols: Strings = None, params: dict = {}):
        await self.load_markets()
        symbols = self.market_symbols(symbols) or list(self.symbols)
        ticker = await self._watch_channels(*self._per_market(symbols, "bbo", "bbo"))
        return {ticker["symbol"]: ticker}

    def _on_bbo(self, client, data):
        market = self.safe_market(self.safe_string(data, "market"))
        timestamp = self.safe_integer(data, "last_updated_at")
        ticker = self.safe_ticker({
            "symbol": market["symbol"], "timestamp": timestamp, "datetime": self.iso8601(timestamp),
            "bid": self.safe_string(data, "bid"), "bidVolume": self.safe_string(data, "bid_size"),
            "ask": self.safe_string(data, "ask"), "askVolume": self.safe_string(data, "ask_size"), "info": data,
        }, market)
        self.bidsasks[market["symbol"]] = ticker
        client.resolve(ticker, "bbo:" + market["id"])

    async def watch_funding_rate(self, symbol: str, params: dict = {}) -> FundingRate:
        await self.load_markets()
        channels, hashes = self._per_market([symbol], "funding_data", "funding")
        self._register("fundingRate", channels, hashes)
        return await self._watch_channels(channels, hashes)

    async def watch_funding_rates(self, symbols: Strings = None, params: dict = {}) -> FundingRates:
        """Hashes of their own (``fundings:{market}``): un_watch_funding_rate(symbol) leaves these watchers, and
        the markets' channels, alone (and un_watch_funding_rates those of watch_funding_rate)."""
        if not symbols:  # one funding_data.{market} channel per symbol; the venue has no documented all-markets one
            raise ArgumentsRequired(self.id + " watchFundingRates() requires a list of symbols")
        await self.load_markets()
        channels, hashes = self._per_market(self.market_symbols(symbols), "funding_data", "fundings")
        self._register("fundingRates", channels, hashes)
        rate = await self._watch_channels(channels, hashes)
        return {rate["symbol"]: rate}

    async def un_watch_funding_rate(self, symbol: str, params: dict = {}):
        """Parked watch_funding_rate(symbol) calls get UnsubscribeError; ``funding_data.{market}`` is unsubscribed
        unless a watch_funding_rates call still has it; fundingRates[symbol] goes with the market's last watch."""
        await self.load_markets()
        return await self._unwatch_funding("fundingRate", "funding", [self.symbol(symbol)])

    async def un_watch_funding_rates(self, symbols: Strings = None, params: dict = {}):
        """As un_watch_funding_rate for watch_funding_rates(symbols); without symbols, every market it watches."""
        await self.load_markets()
        symbols = self.market_symbols(symbols)
        if not symbols:
            symbols = [self._book_symbol(h.split(":", 1)[1]) for h in self._watched.get("fundingRates", {})]
        return await self._unwatch_funding("fundingRates", "fundings", symbols)

    async def _unwatch_funding(self, stream, key, symbols):
        await self._unwatch(stream, self._per_market(symbols, "funding_data", key)[1])
        for symbol in symbols:
            market_id = self.market_id(symbol)
            if not self._funding_watched(market_id):
                self.fundingRates.pop(symbol, None)
        return True

    def _funding_watched(self, market_id) -> bool:
        return "funding:" + market_id in self._watched.get("fundingRate", {}) or \
            "fundings:" + market_id in self._watched.get("fundingRates", {})

    def _on_funding(self, client, data):
        market = self.safe_market(self.safe_string(data, "market"))
        market_id = market["id"]
        if not self._funding_watched(market_id) and ("funding:" + str(market_id) in self._released
                                                     or "fundings:" + str(market_id) in self._released):
            return  # a late frame of an un-watched market (the unsubscribe's answer is on its way)
        rate = self.parse_funding_rate(data, market)
        self.fundingRates[market["symbol"]] = rate
        client.resolve(rate, "funding:" + market_id)
        client.resolve(rate, "fundings:" + market_id)


def json_book_levels(data):
    """A JSON order_book payload -> (is_snapshot, bids, asks) as flat mantissa lists (size 0 deletes)."""
    bids, asks = [], []
    for kind in ("inserts", "updates"):
        for level in data.get(kind) or ():
            (bids if level["side"] == "BUY" else asks).extend((to_mantissa(level["price"]), to_mantissa(level["size"])))
    for level in data.get("deletes") or ():
        (bids if level["side"] == "BUY" else asks).extend((to_mantissa(level["price"]), 0))
    return data.get("update_type") == "s", bids, asks

