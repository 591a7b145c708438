"""ccxt_paradex.async_support.paradex: the asyncio Paradex class (source of the sync twin).

Each unified method builds a request, calls one endpoint, and parses with the
shared parsers. ``tools/gen_sync.py`` derives ``ccxt_paradex/paradex.py`` from this file.
"""
from ccxt.base.types import AllGreeks, FundingRate, FundingRateHistory, FundingRates, Greeks, Int, Market, OpenInterest, Option, OptionChain, OrderBook, Status, Str, Strings, Ticker, Tickers, Trade, TradingFeeInterface, TradingFees
import asyncio
import os
import time

from ccxt.async_support.base.exchange import Exchange
from ccxt.base.errors import ArgumentsRequired, AuthenticationError, BadRequest, BadSymbol, ExchangeError, OrderNotFound
from ccxt.base.decimal_to_precision import TICK_SIZE

from ..core import errors as paradex_errors
from ..core import redact
from ..core import validate
from ..core.features import features
from ..core import history
from ..core.history import MAX_PAGE
from ..core import api as paradex_api
from ..core.api_table import ImplicitAPI
from ..adapters.parse import ParadexParsers
from ..core.ratelimit import BucketLimiter
from .paradex_account import ParadexAccount
from .paradex_algo import ParadexAlgo
from .paradex_auth import ParadexAuth
from .paradex_history import ParadexHistory
from .paradex_trading import ParadexTrading

# createOrders / createOrdersWs hash and sign a batch in this many threads (the native backend releases the GIL;
# core/signing.StarkSigner.sign_orders); options['signThreads'] = 1 signs in the caller's thread only
SIGN_THREADS = min(2, os.cpu_count() or 1)
# ccxt's parameter names for the headers of a signed login / onboarding (its paradex sign() maps them the same way)
AUTH_HEADERS = {"account": "PARADEX-STARKNET-ACCOUNT", "signature": "PARADEX-STARKNET-SIGNATURE",
                "timestamp": "PARADEX-TIMESTAMP", "expiration": "PARADEX-SIGNATURE-EXPIRATION"}
ONBOARDING_HEADERS = {"account": "PARADEX-STARKNET-ACCOUNT", "signature": "PARADEX-STARKNET-SIGNATURE"}
# the EVM (SIWE) login and onboarding: the account's StarkNet address, the EVM signature and the SIWE message
EVM_HEADERS = {"account": "PARADEX-STARKNET-ACCOUNT", "signature": "PARADEX-EVM-SIGNATURE",
               "message": "PARADEX-SIWE-MESSAGE"}
SIGNED_PARAMS = {"auth": AUTH_HEADERS, "auth/{public_key}": AUTH_HEADERS, "onboarding": ONBOARDING_HEADERS,
                 "v2/auth": EVM_HEADERS, "v2/onboarding": EVM_HEADERS}
#: the names ccxt's fetch2 looks up (params, options[path], options) before each request
FETCH2_OPTIONS = frozenset({"maxRetriesOnFailure", "defaultMaxRetriesOnFailure", "maxRetriesOnFailureDelay",
                            "defaultMaxRetriesOnFailureDelay", "callerMethodName"})
#: requests that place or change orders: never re-sent by ccxt's retry on failure (fetch2)
NOT_RETRIED = frozenset({("POST", "orders"), ("POST", "orders/batch"), ("PUT", "orders/{order_id}")})
TIMEFRAMES = {"1m": 1, "3m": 3, "5m": 5, "15m": 15, "30m": 30, "1h": 60}


class paradex(ImplicitAPI, ParadexParsers, ParadexAuth, ParadexTrading, ParadexAlgo, ParadexAccount, ParadexHistory,
              Exchange):
    def __init__(self, config={}):
        super().__init__(config)
        self._limiter = BucketLimiter()
        self._markets_lock = asyncio.Lock()  # single-flight load_markets (the sync twin: a threading.Lock)
        self._init_auth()
        if not isinstance(self.logger, redact.RedactingLogger):
            self.logger = redact.RedactingLogger(self.logger)

    def log(self, *args):
        """ccxt's verbose output (REST and WebSocket), without JWTs or signature headers."""
        super().log(*(redact.redact(a) for a in args))

    def __repr__(self):
        """``ccxt_paradex.paradex()`` (or ``.async_support.`` / ``.pro.``): which class this is, also after
        ``ccxt_paradex.install()`` put it under ccxt's names (ccxt's own says ``ccxt.paradex()``)."""
        for cls in type(self).__mro__:
            if cls.__module__.startswith("ccxt_paradex."):
                return cls.__module__ + "()"
        return super().__repr__()

    def describe(self) -> object:
        return self.deep_extend(super().describe(), {
            "id": "paradex", "name": "Paradex", "countries": [], "version": "v1", "rateLimit": 10,
            "certified": False, "pro": True, "dex": True,
            "has": {
                "CORS": None, "spot": False, "margin": False, "swap": True, "future": False, "option": True,
                "cancelAllOrders": True, "cancelOrder": True, "cancelOrders": True, "createOrder": True,
                "createOrders": True, "createMarketOrder": True, "createLimitOrder": True, "createPostOnlyOrder": True,
                "createReduceOnlyOrder": True, "createStopOrder": True, "createTriggerOrder": True,
                "createStopLossOrder": True, "createTakeProfitOrder": True, "createTwapOrder": True, "editOrder": True,
                "fetchAccounts": True, "fetchBalance": True, "fetchBidsAsks": True, "fetchCanceledOrders": True,
                "fetchClosedOrders": True, "fetchCurrencies": True, "fetchDeposits": True, "fetchFundingHistory": True,
                "fetchFundingRate": True, "fetchFundingRateHistory": True, "fetchFundingRates": True,
                "fetchGreeks": True, "fetchAllGreeks": True, "fetchOption": True, "fetchOptionChain": True,
                "fetchPositionsHistory": True, "fetchPositionHistory": True, "fetchLeverages": True,
                "fetchMarginModes": True, "fetchOpenInterests": True, "fetchLastPrices": True,
                "fetchMarkPrice": True, "fetchMarkPrices": True, "fetchFundingInterval": True,
                "fetchFundingIntervals": True,
                "fetchIndexOHLCV": True, "fetchLeverage": True, "fetchMarginMode": True, "fetchMarkets": True,
                "fetchMarkOHLCV": True, "fetchMyLiquidations": True, "fetchMyTrades": True, "fetchOrderTrades": True, "fetchOHLCV": True,
                "fetchOpenInterest": True, "fetchOpenOrders": True, "fetchOrder": True, "fetchOrderBook": True,
                "fetchOrders": True, "fetchPosition": True, "fetchPositions": True, "fetchStatus": True,
                "fetchTicker": True, "fetchTickers": True, "fetchTime": True, "fetchTrades": True,
                "fetchTradingFee": True, "fetchTradingFees": True, "fetchTransfers": True, "fetchWithdrawals": True,
                "sandbox": True, "setLeverage": True, "setMarginMode": True, "fetchLedger": True,
                "withdraw": False, "transfer": False, "fetchDepositAddress": False,
            },
            "timeframes": {k: str(v) for k, v in TIMEFRAMES.items()},
            "hostname": "paradex.trade",
            "urls": {
                "logo": "https://github.com/user-attachments/assets/84628770-784e-4ec4-a759-ec2fbb2244ea",
                "api": {"v1": "https://api.prod.{hostname}/v1", "v2": "https://api.prod.{hostname}/v2",
                        "ws": "wss://ws.api.prod.{hostname}/v1"},
                "test": {"v1": "https://api.testnet.{hostname}/v1", "v2": "https://api.testnet.{hostname}/v2",
                         "ws": "wss://ws.api.testnet.{hostname}/v1"},
                "www": "https://www.paradex.trade/", "doc": "https://docs.paradex.trade/",
                "fees": "https://docs.paradex.trade/getting-started/trading-fees",
            },
            "api": paradex_api.describe_api(),
            "fees": {"swap": {"taker": self.parse_number("0.0003"), "maker": self.parse_number("-0.00005")}},
            "requiredCredentials": {"apiKey": False, "secret": False, "walletAddress": False, "privateKey": False},
            "precisionMode": TICK_SIZE,
            "exceptions": {"exact": paradex_errors.EXACT, "broad": paradex_errors.BROAD},
            "options": {"broker": "CCXT", "batchSize": 10, "signThreads": SIGN_THREADS, "authSignatureTtl": 300, "historyPageSize": 100,
                        "historyMaxPageSize": MAX_PAGE, "historyMaxRequests": 100, "historyOnBound": "raise",
                        "paradexAccount": None},  # an L2 account {privateKey, address}; None as in ccxt
            "features": features(),
        })

    # ---- transport --------------------------------------------------------------------------------
    def calculate_rate_limiter_cost(self, api, method, path, params, config={}):
        """-> (bucket, cost). An implicit method's config names its bucket; a bare ``request(path, api, method)``
        takes the table's entry for that route, or the rules' bucket for a route the table lacks."""
        if "bucket" not in config:
            config = paradex_api.endpoint(method, path, api[0] if isinstance(api, list) else api)
        return (config["bucket"], self.safe_number(config, "cost", 1))

    async def load_markets(self, reload=False, params={}):
        """ccxt's load_markets, single-flight: however many threads or tasks ask at once, one GET /markets."""
        if not reload and self.markets and self.markets_by_id:
            return self.markets
        async with self._markets_lock:
            if not reload and self.markets and self.markets_by_id:
                return self.markets
            return await super().load_markets(reload, params)

    async def throttle(self, cost=None):
        """Sleep until the planned send time, then until the windows of real hand-over times have room: what
        counts is when a request reaches the transport (core/ratelimit.py), not when it was meant to."""
        bucket, units = cost if isinstance(cost, tuple) else ("public", cost or 1)
        limiter = self._limiter
        wait = limiter.reserve(bucket, units, time.monotonic())
        if wait > 0:
            await self.sleep(wait * 1000)
        wait = limiter.admit(bucket, units, time.monotonic())
        while wait > 0:
            await self.sleep(wait * 1000)
            wait = limiter.admit(bucket, units, time.monotonic())

    async def request(self, path: str, api: list[str] = ["public"], method="GET", params: dict = {}, config: dict = {}):
        access = api[0] if isinstance(api, list) else api
        if "bucket" not in config:
            config = paradex_api.endpoint(method, path, access)
        if access != "private" or config.get("jwt") is False:
            return await self.fetch2(path, api, method, params, config)
        used = await self.authenticate_rest()
        try:
            return await self.fetch2(path, api, method, params, config)
        except AuthenticationError as e:
            if not getattr(e, "jwt_expired", False):
                raise
            self.invalidate_jwt(used)  # (a no-op when another request already brought a fresh token)
            await self.authenticate_rest()
            return await self.fetch2(path, api, method, params, config)

    async def fetch2(self, path, api=["public"], method="GET", params={}, config={}):
        """ccxt's fetch2 without its four option lookups per request when no retry option is set anywhere (the
        usual case): the same throttle, sign(), last-request bookkeeping and fetch, once. With a retry option,
        a fetch cache, or options for this path, ccxt's own fetch2 runs."""
        options = self.options
        if type(params) is not dict or self.fetchHistoryCacheSize > 0 or options.get(path) is not None \
                or not FETCH2_OPTIONS.isdisjoint(params) or not FETCH2_OPTIONS.isdisjoint(options):
            if (method, path) in NOT_RETRIED and type(params) is dict:
                # an order request that failed in transit may have reached the venue: sending the same signed
                # order again could fill it twice, so options['maxRetriesOnFailure'] never applies to it
                params = dict(params, maxRetriesOnFailure=0)
            return await super().fetch2(path, api, method, params, config)
        if self.enableRateLimit:
            await self.throttle(self.calculate_rate_limiter_cost(api, method, path, params, config))
        self.set_last_rest_request_timestamp()
        request = self.sign(path, api, method, params)
        self.set_last_request(request)
        return await self.fetch(request["url"], request["method"], request["headers"], request["body"])

    def sign(self, path: str, api: list[str] = ["public"], method: str = "GET", params: dict = {}, headers=None, body=None) -> dict:
        access = api[0] if isinstance(api, list) else api
        version, route = paradex_api.split_version(path)  # v2/auth -> the v2 base, as ccxt's paradex sends it
        names = self.extract_params(route)
        bases = self.urls["api"]
        base = bases.get(version) if isinstance(bases, dict) else None
        if base is None:
            raise ExchangeError(self.id + " has no API URL for " + version + ": urls['api'] must be a dict such as "
                                "{'v1': 'http://127.0.0.1:8080/v1', 'v2': 'http://127.0.0.1:8080/v2', 'ws': "
                                "'ws://127.0.0.1:8080/v1'} (a simulator gives it as sim.ccxt_urls()), got " + repr(bases))
        url = self.implode_hostname(base) + "/" + self._implode_path(route, params, names)
        query = self.omit(params, names)
        extra_headers = query.pop("__headers", None)
        payload = query.pop("__body", None)
        headers = None
        if access == "private":
            headers = {"Accept": "application/json", "PARADEX-PARTNER": self.safe_string(self.options, "broker", "CCXT")}
            signed = (method, path) in paradex_api.signed_routes()  # signed by the account, no JWT
            if signed:
                # ccxt's paradex takes a login's or onboarding's signature as params (account, signature, ...):
                # they are headers, never query or body fields; so is any param named as a Paradex header
                for key, header in SIGNED_PARAMS.get(path, {}).items():
                    if key in query:
                        headers[header] = str(query.pop(key))
                if path == "onboarding" and "PARADEX-STARKNET-ACCOUNT" in headers and self.walletAddress:
                    headers.setdefault("PARADEX-ETHEREUM-ACCOUNT", self.walletAddress)
                for key in [k for k in query if k[:8].upper() == "PARADEX-"]:
                    headers[key.upper()] = str(query.pop(key))
            if extra_headers:
                headers.update(extra_headers)
            if not signed:
                headers["Authorization"] = "Bearer " + self.options["authToken"]
            # POST /auth carries no body (its signed Request has body ""; ccxt and paradex-py send none): its
            # params (token_usage) go in the query, as paradex-py sends its auth_params
            if payload is None and not (method == "POST" and path in paradex_api.AUTH_PATHS) and \
                    (method in ("POST", "PUT") or (method == "DELETE" and path == "orders/batch")):
                payload, query = query, {}
            if payload is not None:
                headers["Content-Type"] = "application/json"
                body = self.json(payload)
        if query:
            url += "?" + self.urlencode(query)
        return {"url": url, "method": method, "body": body, "headers": headers}

    def _implode_path(self, path, params, names):
        """ccxt's implode_params over ``names`` (the path's parameters) with every value percent-escaped
        (``grid#2`` -> ``grid%232``) and ids that could name another path ('../orders', 'a/b', '') refused: a
        request always names exactly its order."""
        for name in names:
            if name not in params:
                raise validate.ArgumentsRequired(self.id + " " + path + " requires " + name)
            path = path.replace("{" + name + "}", validate.path_segment(params[name], name, self.id))
        return path

    def handle_errors(self, code, reason: str, url: str, method: str, headers: dict, body: str, response: object, request_headers, request_body):
        payload = response if isinstance(response, dict) else None
        if code < 400 and not (payload and "error" in payload and "message" in payload):
            return None
        order_endpoint = "/orders" in url and method in ("POST", "PUT")
        exc = paradex_errors.exception_for(code, payload, order_endpoint)
        if paradex_errors.is_order_lookup_miss(url, code, payload):
            exc = OrderNotFound
        if exc is None:
            return None
        error = exc(self.id + " " + method + " " + url.split("?")[0] + " " + str(code) + " " + (body or ""))
        error.paradex_code = payload.get("error") if payload else None
        error.jwt_expired = paradex_errors.is_jwt_expired(code, payload or body)
        raise error

    # ---- public data ------------------------------------------------------------------------------
    async def fetch_time(self, params: dict = {}) -> Int:
        response = await self.publicGetSystemTime(params)
        return self.safe_integer(response, "server_time")

    async def fetch_status(self, params: dict = {}) -> Status:
        response = await self.publicGetSystemState(params)
        state = self.safe_string(response, "status")
        # post_only still takes (post-only) orders; cancel_only takes none: a bot that checks for 'ok' must not trade
        return {"status": "ok" if state in ("ok", "post_only") else "maintenance",
                "updated": None, "eta": None, "url": None, "info": response}

    async def _raw_markets(self, params={}):
        """GET /markets, shared by fetchCurrencies and fetchMarkets within one load_markets()."""
        cached = getattr(self, "_markets_response", None)
        if not params and cached is not None and time.monotonic() - cached[0] < 5:
            return cached[1]
        response = await self.publicGetMarkets(params)
        if not params:
            self._markets_response = (time.monotonic(), response)
        return response

    async def fetch_markets(self, params: dict = {}) -> list[Market]:
        response = await self._raw_markets(params)
        markets = [m for m in self.parse_markets(self.safe_list(response, "results", [])) if m is not None]
        if not params:  # the whole list: has[kind] says whether this venue lists markets of that kind (ccxt's checks)
            for kind in ("spot", "future", "option"):
                self.has[kind] = any(m["type"] == kind for m in markets)
        return markets

    async def fetch_currencies(self, params={}):
        """Bridged tokens (USDC: depositable) plus every market's base asset (synthetic, not transferable)."""
        config = await self.get_system_config()
        result = {}
        for token in self.safe_list(config, "bridged_tokens", []) or [{"symbol": "USDC", "decimals": 6}]:
            currency_id = self.safe_string(token, "symbol")
            code = self.safe_currency_code(currency_id)
            result[code] = self._currency(currency_id, code, token, self.safe_integer(token, "decimals", 6), True)
        for market in self.safe_list(await self._raw_markets(), "results", []):
            for key in ("base_currency", "quote_currency"):
                currency_id = self.safe_string(market, key)
                code = self.safe_currency_code(currency_id)
                if code and code not in result:
                    result[code] = self._currency(currency_id, code, {}, 8, False)
        return result

    def _currency(self, currency_id, code, info, decimals, transferable):
        return self.safe_currency_structure({
            "id": currency_id, "code": code, "name": self.safe_string(info, "name", code), "active": True,
            "deposit": transferable, "withdraw": transferable, "fee": None,
            "precision": self.parse_number(self.parse_precision(str(decimals))),
            "limits": {"amount": {"min": None, "max": None}, "withdraw": {"min": None, "max": None}},
            "networks": {}, "info": info, "type": "crypto" if transferable else "other"})

    async def _summaries(self, symbols=None, params={}, one_market=True):
        """/markets/summary rows for ``symbols`` -> (rows, the symbols normalised). One symbol asks for that market
        where ccxt's built-in does (fetchFundingRates); ``one_market=False`` always asks for ALL, as ccxt's
        fetchTickers / fetchAllGreeks send (its request test pins ``market=ALL``)."""
        await self.load_markets()
        symbols = self.market_symbols(symbols)
        one = one_market and symbols is not None and len(symbols) == 1
        response = await self.publicGetMarketsSummary(self.extend({"market": self.market(symbols[0])["id"] if one else "ALL"},
                                                                  params))
        return self.safe_list(response, "results", []), symbols

    async def _summary(self, symbol, params):
        """One market's /markets/summary row (ticker, funding rate and open interest all read it) -> (row, market)."""
        await self.load_markets()
        market = self.market(symbol)
        response = await self.publicGetMarketsSummary(self.extend({"market": market["id"]}, params))
        return self.safe_dict(self.safe_list(response, "results", []), 0, {}), market

    async def fetch_ticker(self, symbol: str, params: dict = {}) -> Ticker:
        return self.parse_ticker(*await self._summary(symbol, params))

    async def fetch_tickers(self, symbols: Strings = None, params: dict = {}) -> Tickers:
        rows, symbols = await self._summaries(symbols, params, one_market=False)
        return self.filter_by_array_tickers([self.parse_ticker(t) for t in rows], "symbol", symbols)

    async def fetch_bids_asks(self, symbols: Strings = None, params: dict = {}):
        return await self.fetch_tickers(symbols, params)

    async def fetch_order_book(self, symbol: str, limit: Int = None, params: dict = {}) -> OrderBook:
        await self.load_markets()
        market = self.market(symbol)
        request = {"market": market["id"]}
        if limit is not None:
            request["depth"] = limit
        interactive = self.safe_bool(params, "interactive", False)
        params = self.omit(params, "interactive")
        call = self.publicGetOrderbookMarketInteractive if interactive else self.publicGetOrderbookMarket
        response = await call(self.extend(request, params))
        return self.parse_order_book_response(response, market, limit)

    async def fetch_trades(self, symbol: str, since: Int = None, limit: Int = None, params: dict = {}) -> list[Trade]:
        rows, market = await self._history("fetchTrades", self.publicGetTrades, symbol, since, limit, params, 1000,
                                           annotate=history.cursor_on_every_row)
        return self.parse_trades(rows, market, since, limit)

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1m", since: Int = None, limit: Int = None, params: dict = {}) -> list[list]:
        await self.load_markets()
        market = self.market(symbol)
        minutes = TIMEFRAMES.get(timeframe)
        if minutes is None:
            raise BadRequest(self.id + " fetchOHLCV() timeframe must be one of " + ", ".join(TIMEFRAMES) + ", got "
                             + repr(timeframe))
        paginate, params = self._paginate("fetchOHLCV", params)
        if paginate:  # ranges beyond 1,000 candles: ccxt's deterministic windows, fetched concurrently
            return await self.fetch_paginated_call_deterministic("fetchOHLCV", symbol, since, limit, timeframe, params, 1000)
        span = minutes * 60000
        limit = min(limit or 500, 1000)
        now = self.milliseconds()
        until = self.safe_integer(params, "until", now if since is None else min(now, since + span * limit))
        start = since if since is not None else until - span * limit
        request = {"symbol": market["id"], "resolution": minutes, "start_at": start, "end_at": until}
        price = self.safe_string(params, "price")
        if price is not None:
            request["price_kind"] = {"mark": "mark", "index": "underlying"}.get(price, price)
        response = await self.publicGetMarketsKlines(self.extend(request, self.omit(params, ["price", "until"])))
        return self.parse_ohlcvs(self.safe_list(response, "results", []), market, timeframe, since, limit)

    async def fetch_funding_rate(self, symbol: str, params: dict = {}) -> FundingRate:
        rate = self.parse_funding_rate(*await self._summary(symbol, params))
        if rate["symbol"] is None:  # an option, or a row without a funding rate: as ccxt's paradex, BadSymbol
            raise BadSymbol(self.id + " fetchFundingRate() could not find a funding rate for " + symbol)
        return rate

    async def fetch_funding_rates(self, symbols: Strings = None, params: dict = {}) -> FundingRates:
        rows, symbols = await self._summaries(symbols, params)
        return self.filter_by_array([self.parse_funding_rate(s) for s in rows], "symbol", symbols)

    async def fetch_open_interest(self, symbol: str, params: dict = {}) -> OpenInterest:
        return self.parse_open_interest(*await self._summary(symbol, params))

    async def fetch_open_interests(self, symbols: Strings = None, params: dict = {}):
        return self.parse_open_interests(*await self._summaries(symbols, params))

    async def fetch_last_prices(self, symbols: Strings = None, params: dict = {}):
        return self.parse_last_prices(*await self._summaries(symbols, params))

    async def fetch_mark_prices(self, symbols: Strings = None, params: dict = {}):
        """Tickers (``markPrice``, ``indexPrice``), as ccxt's fetchMarkPrice(s) return."""
        return await self.fetch_tickers(symbols, params)

    async def fetch_funding_intervals(self, symbols: Strings = None, params: dict = {}):
        """Funding-rate structures whose ``interval`` is each market's funding period."""
        return await self.fetch_funding_rates(symbols, params)

    async def fetch_greeks(self, symbol: str, params: dict = {}) -> Greeks:
        await self.load_markets()
        if not self.market(symbol)["option"]:
            raise BadSymbol(self.id + " fetchGreeks() needs an option market, " + symbol + " is not one")
        return self.parse_greeks(*await self._summary(symbol, params))

    async def fetch_all_greeks(self, symbols: Strings = None, params: dict = {}) -> AllGreeks:
        """Every option market's greeks (one /markets/summary call), or those of ``symbols``."""
        rows, symbols = await self._summaries(symbols, params, one_market=False)
        rows = [r for r in rows if self.safe_market(self.safe_string(r, "symbol"))["option"]]
        return self.parse_all_greeks(rows, symbols)

    async def fetch_option(self, symbol: str, params: dict = {}) -> Option:
        await self.load_markets()
        if not self.market(symbol)["option"]:
            raise BadSymbol(self.id + " fetchOption() needs an option market, " + symbol + " is not one")
        row, market = await self._summary(symbol, params)
        return self.parse_option(row, None, market)

    async def fetch_option_chain(self, code: str, params: dict = {}) -> OptionChain:
        """{symbol: option} of every option market on ``code`` (one /markets/summary call)."""
        rows, _ = await self._summaries(None, params, one_market=False)
        currency = self.currency(code)
        chain = {}
        for row in rows:
            market = self.safe_market(self.safe_string(row, "symbol"))
            if market["option"] and market["base"] == currency["code"]:
                chain[market["symbol"]] = self.parse_option(row, currency, market)
        return chain

    async def fetch_funding_rate_history(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[FundingRateHistory]:
        if symbol is None:
            raise ArgumentsRequired(self.id + " fetchFundingRateHistory() requires a symbol argument")
        rows, market = await self._history("fetchFundingRateHistory", self.publicGetFundingData, symbol, since, limit, params)
        entries = [self.parse_funding_rate_history_entry(r, market) for r in rows]
        return self.filter_by_symbol_since_limit(self.sort_by(entries, "timestamp"), market["symbol"], since, limit)

    async def fetch_trading_fees(self, params: dict = {}) -> TradingFees:
        await self.load_markets()
        response = await self.privateGetAccountInfo(params)
        info = self.safe_dict(self.safe_list(response, "results", []), 0, response)
        return {symbol: self.parse_trading_fee(info, market) for symbol, market in self.markets.items()}

    async def fetch_trading_fee(self, symbol: str, params: dict = {}) -> TradingFeeInterface:
        fees = await self.fetch_trading_fees(params)
        return fees[self.market(symbol)["symbol"]]


validate.guard_methods(paradex)
