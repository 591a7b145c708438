# GENERATED from ccxt_paradex/async_support/paradex_account.py by tools/gen_sync.py -- do not edit by hand.
"""Balances, positions, fills, funding, transfers, leverage and margin mode (mixin of the paradex class)."""
from ccxt.base.types import Balances, FundingHistory, Int, Leverage, Liquidation, MarginMode, Position, Str, Strings, Trade, Transaction, TransferEntry
from ccxt.base.errors import ArgumentsRequired, BadRequest
from ccxt.base.precise import Precise

from .core import history, validate
from .paradex_history import ParadexHistory

# OpenAPI responses.TransferKind -> what fetchDeposits / fetchWithdrawals list (an AUTO_WITHDRAWAL is a withdrawal)
TRANSFER_KINDS = {"DEPOSIT": ("DEPOSIT",), "WITHDRAWAL": ("WITHDRAWAL", "AUTO_WITHDRAWAL")}


class ParadexAccount(ParadexHistory):
    def fetch_balance(self, params: dict = {}) -> Balances:
        """Totals from /balance; free/used from the account's free collateral (/account)."""
        response = self.privateGetBalance(params)
        summary = self.privateGetAccount() if self.safe_bool(self.options, "balanceFreeCollateral", True) else None
        return self.parse_balance(response, summary)

    def fetch_positions(self, symbols: Strings = None, params: dict = {}) -> list[Position]:
        self.load_markets()
        symbols = self.market_symbols(symbols)
        response = self.privateGetPositions(params)
        rows = [p for p in self.safe_list(response, "results", []) if self.safe_string(p, "status") != "CLOSED"]
        return self.filter_by_array_positions(self.parse_positions(rows), "symbol", symbols)

    def fetch_positions_history(self, symbols: Strings = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[Position]:
        """Closed positions: Paradex keeps one row per market in /positions, and a CLOSED one carries when it closed
        (``lastUpdateTimestamp``), its average exit price (``exitPrice``) and realized PnL, so this is each market's
        last closed position (a market reopened since shows in fetchPositions instead). ``since`` and
        ``params['until']`` bound the closing time; newest last."""
        self.load_markets()
        symbols = self.market_symbols(symbols)
        until = self.safe_integer(params, "until")
        response = self.privateGetPositions(self.omit(params, "until"))
        closed = [self.parse_position(p) for p in self.safe_list(response, "results", [])
                  if self.safe_string(p, "status") == "CLOSED" and self.safe_integer(p, "closed_at")]
        for position in closed:  # (only a closed row has exitPrice: ccxt's static tests pin the keys of open ones)
            position["lastUpdateTimestamp"] = self.safe_integer(position["info"], "closed_at")
            position["exitPrice"] = self.safe_number(position["info"], "average_exit_price")
        closed = [p for p in self.filter_by_array_positions(closed, "symbol", symbols)
                  if (since is None or p["lastUpdateTimestamp"] >= since) and (until is None or p["lastUpdateTimestamp"] <= until)]
        return self.filter_by_limit(self.sort_by(closed, "lastUpdateTimestamp"), limit, "lastUpdateTimestamp")

    def fetch_position_history(self, symbol: str, since: Int = None, limit: Int = None, params: dict = {}) -> list[Position]:
        return self.fetch_positions_history([symbol], since, limit, params)

    def fetch_position(self, symbol: str, params: dict = {}) -> Position:
        positions = self.fetch_positions([symbol], params)
        return positions[0] if positions else self.safe_position({"symbol": self.market(symbol)["symbol"], "contracts": 0, "info": {}})

    def fetch_my_trades(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[Trade]:
        """The account's fills as the venue lists them (/fills keeps busted fills: fetch_trade_busts names them);
        ``params['excludeBusted']`` leaves the busted ones out (one more paged read, of /tradebusts from ``since``),
        and ``limit`` then counts the fills kept."""
        exclude = validate.flag(self.safe_value(params, "excludeBusted"), "excludeBusted", self.id)
        params = self.omit(params, "excludeBusted")
        busted = self._busted_ids("fetchMyTrades", since) if exclude else set()
        keep = (lambda row: self.safe_string(row, "id") not in busted) if exclude else None
        rows, market = self._history("fetchMyTrades", self.privateGetFills, symbol, since, limit, params,
                                           keep=keep, annotate=history.cursor_on_every_row)
        return self.parse_trades(rows, market, since, limit)

    def fetch_trade_busts(self, since: Int = None, limit: Int = None, params: dict = {}):
        """Extra (ccxt has no such name): the account's trade busts, GET /tradebusts - fills the venue voided
        because they failed to settle on chain (their position and balance changes are reverted; the /fills row
        stays). Oldest first, walked as every history read (``since``, ``until``, ``limit``, ``paginate``);
        each ``{info, id (the busted fill id), timestamp, datetime, account}``."""
        rows, _ = self._history("fetchTradeBusts", self.privateGetTradebusts, None, since, limit, params)
        return self.filter_by_since_limit([self.parse_trade_bust(r) for r in rows], since, limit)

    def _busted_ids(self, method, since):
        """Ids of the fills busted from ``since`` on: every bust of a fill from ``since`` (a bust follows its fill),
        in one paged read of /tradebusts (not bounded by ``until``: a fill before it may be busted after it)."""
        rows, _ = self._history(method, self.privateGetTradebusts, None, since, None, {"paginate": True})
        return {self.safe_string(r, "busted_fill_id") for r in rows}

    def fetch_order_trades(self, id: str, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}):
        """The fills of one order. /fills cannot filter by order, so the account's fills on the order's market
        since it was placed (``since`` skips looking that up) are walked, every page, and matched by order id."""
        if symbol is None:
            raise ArgumentsRequired(self.id + " fetchOrderTrades() requires a symbol argument")
        if since is None:
            since = (self.fetch_order(id, symbol))["timestamp"]
        trades = self.fetch_my_trades(symbol, since, None, self.extend({"paginate": True}, params))
        return self.filter_by_limit([t for t in trades if t["order"] == str(id)], limit)

    def fetch_funding_history(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[FundingHistory]:
        if symbol is None:
            raise ArgumentsRequired(self.id + " fetchFundingHistory() requires a symbol argument")
        rows, market = self._history("fetchFundingHistory", self.privateGetFundingPayments, symbol, since, limit, params)
        incomes = [self.parse_income(r, market) for r in rows]
        return self.filter_by_symbol_since_limit(self.sort_by(incomes, "timestamp"), market["symbol"], since, limit)

    def _transfers(self, since, limit, params, method="fetchTransfers", keep=None):
        rows, _ = self._history(method, self.privateGetTransfers, None, since, limit, params, None, keep)
        return rows

    def fetch_transfers(self, code: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[TransferEntry]:
        rows = self._transfers(since, limit, params)
        currency = self.currency(code) if code is not None and self.currencies else None
        return self.filter_by_currency_since_limit([self.parse_transfer(r, currency) for r in rows], code, since, limit)

    def _transactions(self, kind, code, since, limit, params):
        method = "fetchDeposits" if kind == "DEPOSIT" else "fetchWithdrawals"
        kinds = TRANSFER_KINDS[kind]
        rows = self._transfers(since, limit, params, method, lambda r: self.safe_string(r, "kind") in kinds)
        txs = [self.parse_transaction(r) for r in rows]
        return self.filter_by_currency_since_limit(txs, code, since, limit)

    def fetch_deposits(self, code: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[Transaction]:
        return self._transactions("DEPOSIT", code, since, limit, params)

    def fetch_withdrawals(self, code: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[Transaction]:
        return self._transactions("WITHDRAWAL", code, since, limit, params)

    def fetch_ledger(self, code: Str = None, since: Int = None, limit: Int = None, params: dict = {}):
        """The settlement currency's history, rebuilt from transfers and fills (fee, realized PnL, realized
        funding); ``before``/``after`` are walked back from the current balance, so every event up to now
        is fetched (``until`` only filters the answer). A busted fill's fee and PnL are not in that balance
        (the venue moved them back): /tradebusts over the same window names those fills and they have no
        entries; the funding such a fill settled (accrued before it) stays, as the simulator reads busts."""
        self.load_markets()
        until = self.safe_integer(params, "until")
        params = self.omit(params, ["until", "paginate"])
        transfers = self._transfers(since, None, self.extend({"paginate": True}, params))
        fills, _ = self._history("fetchLedger", self.privateGetFills, None, since, None, {"paginate": True})
        busted = self._busted_ids("fetchLedger", since)
        rows = self.safe_list(self.privateGetBalance(), "results", [])
        # the settlement token's row (USDC), wherever the venue lists it among other holdings
        balance = next((r for r in rows if self.safe_string(r, "token") == "USDC"), self.safe_dict(rows, 0, {}))
        settle = self.safe_string(balance, "token", "USDC")
        currency = self.safe_currency_code(settle)
        if code is not None and self.safe_currency_code(code) != currency:
            return []
        events = [e for t in transfers for e in self._transfer_ledger_events(t)]
        events += [e for f in fills for e in self._fill_ledger_events(f, self.safe_string(f, "id") in busted)]
        events.sort(key=lambda e: (e[1], e[0]))
        running = self.safe_string(balance, "size", "0")
        currency_info = self.safe_currency(settle)
        entries = []
        for event_id, timestamp, kind, signed, reference, info in reversed(events):
            before = Precise.string_sub(running, signed)
            entries.append(self.safe_ledger_entry({
                "info": info, "id": event_id, "timestamp": timestamp, "datetime": self.iso8601(timestamp),
                "direction": "out" if Precise.string_lt(signed, "0") else "in", "account": "swap",
                "referenceId": reference, "referenceAccount": None, "type": kind, "currency": currency,
                "amount": self.parse_number(Precise.string_abs(signed)), "before": self.parse_number(before),
                "after": self.parse_number(running), "status": "ok", "fee": {"cost": 0, "currency": currency},
            }, currency_info))
            running = before
        entries.reverse()
        if until is not None:
            entries = [e for e in entries if e["timestamp"] <= until]
        return self.filter_by_since_limit(entries, since, limit)

    def _transfer_ledger_events(self, transfer):
        amount = self.safe_string(transfer, "amount", "0")
        if self.safe_string(transfer, "status") != "COMPLETED" or Precise.string_eq(amount, "0"):
            return []
        kind = self.safe_string(transfer, "kind")
        outgoing = kind in TRANSFER_KINDS["WITHDRAWAL"] or self.safe_string(transfer, "direction") == "OUT"
        signed = Precise.string_neg(amount) if outgoing else amount
        return [(self.safe_string(transfer, "id"), self.safe_integer(transfer, "created_at"), "transaction", signed,
                 self.safe_string(transfer, "txn_hash"), transfer)]

    def _fill_ledger_events(self, fill, busted=False):
        """A fill moves the balance three ways: its fee (negative = rebate), realized PnL, realized funding; a
        busted one only by the funding it settled."""
        fill_id, timestamp = self.safe_string(fill, "id"), self.safe_integer(fill, "created_at")
        out = []
        for suffix, kind, signed in (("fee", "fee", Precise.string_neg(self.safe_string(fill, "fee", "0"))),
                                     ("pnl", "trade", self.safe_string(fill, "realized_pnl", "0")),
                                     ("funding", "fee", self.safe_string(fill, "realized_funding", "0"))):
            if busted and suffix != "funding":
                continue
            if signed and not Precise.string_eq(signed, "0"):
                out.append((fill_id + ":" + suffix, timestamp, kind, signed, fill_id, fill))
        return out

    def fetch_my_liquidations(self, symbol: Str = None, since: Int = None, limit: Int = None, params: dict = {}) -> list[Liquidation]:
        self.load_markets()
        request = {}
        if since is not None:
            request["from"] = since
        request, params = self.handle_until_option("to", request, params)
        response = self.privateGetLiquidations(self.extend(request, params))
        market = self.market(symbol) if symbol is not None else None
        rows = [self.parse_liquidation(r, market) for r in self.safe_list(response, "results", [])]
        return self.filter_by_symbol_since_limit(rows, symbol, since, limit)

    def fetch_accounts(self, params: dict = {}):
        main = self.privateGetAccount(params)
        subs = self.privateGetAccountSubaccounts()
        accounts = [{"id": self.safe_string(main, "account"), "type": "main", "code": "USDC", "info": main}]
        for sub in self.safe_list(subs, "results", []):
            accounts.append({"id": self.safe_string(sub, "account"), "type": "subaccount", "code": "USDC", "info": sub})
        return accounts

    def _margin_config(self, symbol, params={}):
        self.load_markets()
        market = self.market(symbol)
        response = self.privateGetAccountMargin(self.extend({"market": market["id"]}, params))
        configs = self.safe_list(response, "configs", [])
        return market, next((c for c in configs if self.safe_string(c, "market") == market["id"]), {})

    def fetch_leverage(self, symbol: str, params: dict = {}) -> Leverage:
        market, config = self._margin_config(symbol, params)
        return self.parse_leverage(config, market)

    def fetch_margin_mode(self, symbol: str, params: dict = {}) -> MarginMode:
        market, config = self._margin_config(symbol, params)
        return self.parse_margin_mode(config, market)

    def _margin_configs(self, symbols, params):
        """GET /account/margin names one market (OpenAPI: ``market`` required): one request per market, paced by the
        private GET bucket. ``symbols`` None: every active perpetual and future market."""
        self.load_markets()
        if symbols is None:
            symbols = [m["symbol"] for m in self.markets.values() if m["active"] and (m["swap"] or m["future"])]
        out = []
        for symbol in self.market_symbols(symbols):
            out.append(self._margin_config(symbol, params))
        return out

    def fetch_leverages(self, symbols: Strings = None, params: dict = {}):
        """{symbol: leverage structure}; see ``_margin_configs`` for the requests it makes."""
        return {market["symbol"]: self.parse_leverage(config, market) for market, config in self._margin_configs(symbols, params)}

    def fetch_margin_modes(self, symbols: Strings = None, params: dict = {}):
        """{symbol: margin mode structure}; see ``_margin_configs`` for the requests it makes."""
        return {market["symbol"]: self.parse_margin_mode(config, market) for market, config in self._margin_configs(symbols, params)}

    def _set_margin(self, method, symbol, leverage, margin_type, params):
        """POST /account/margin/{market} sets both; the one not given keeps its current value (read first)."""
        if symbol is None:
            raise ArgumentsRequired(self.id + " " + method + "() requires a symbol argument")
        if leverage is not None and margin_type:
            self.load_markets()
            market, config = self.market(symbol), {}
        else:
            market, config = self._margin_config(symbol)
        request = {"market": market["id"],
                   "leverage": leverage if leverage is not None else self.safe_integer(config, "leverage", 1),
                   "margin_type": margin_type or self.safe_string(config, "margin_type", "CROSS")}
        return self.privatePostAccountMarginMarket(self.extend(request, params))

    def set_leverage(self, leverage: int, symbol: Str = None, params: dict = {}):
        return self._set_margin("setLeverage", symbol, leverage, self.safe_string_upper(params, "marginMode"),
                                      self.omit(params, "marginMode"))

    def set_margin_mode(self, marginMode: str, symbol: Str = None, params: dict = {}):
        mode = str(marginMode).upper()
        if mode not in ("CROSS", "ISOLATED"):
            raise BadRequest(self.id + " setMarginMode() marginMode must be 'cross' or 'isolated'")
        leverage = params.get("leverage")  # (the leverage argument of setLeverage: the guard checks it the same way)
        if leverage is not None:
            leverage = validate.leverage(leverage, "setMarginMode() params['leverage']", self.id)
        return self._set_margin("setMarginMode", symbol, leverage, mode, self.omit(params, "leverage"))
