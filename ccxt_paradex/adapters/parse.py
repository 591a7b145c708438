"""Paradex JSON -> ccxt unified structures (mixin of the paradex classes; no I/O).

Shared by REST and WebSocket paths. Money stays in strings until ``safe_*``
structures convert, as ccxt does. Differences from ccxt's built-in parsers are
deliberate and listed in tests/adapters/test_parse_differential.py.
"""
from ccxt.base.precise import Precise

ORDER_TYPES = {"LIMIT": "limit", "MARKET": "market", "STOP_LIMIT": "limit", "STOP_MARKET": "market",
               "TAKE_PROFIT_LIMIT": "limit", "TAKE_PROFIT_MARKET": "market", "STOP_LOSS_LIMIT": "limit",
               "STOP_LOSS_MARKET": "market"}
TIME_IN_FORCE = {"GTC": "GTC", "IOC": "IOC", "POST_ONLY": "PO", "RPI": "PO"}
TRANSFER_STATUS = {"PENDING": "pending", "AVAILABLE": "pending", "COMPLETED": "ok", "FAILED": "failed"}


def _nonzero(value):
    """Paradex sends "0" (or "") for absent prices; ccxt wants None."""
    if value is None or value == "" or Precise.string_eq(value, "0"):
        return None
    return value


_FEE_PREFIX = {"PERP_OPTION": "perp_option_", "OPTION": "dated_option_", "SPOT": "spot_"}


class ParadexParsers:
    # ---- markets ----------------------------------------------------------------------------------
    def parse_market(self, market):
        # OpenAPI responses.AssetKind: PERP, PERP_OPTION, SPOT, OPTION, FUTURE; each gets its own ccxt type and
        # symbol, so no dated future or spot pair can take a perpetual's symbol (and its orders)
        kind = self.safe_string(market, "asset_kind", "PERP")
        is_option = kind in ("PERP_OPTION", "OPTION")
        is_spot, is_future = kind == "SPOT", kind == "FUTURE"
        market_id = self.safe_string(market, "symbol")
        base_id, quote_id = self.safe_string(market, "base_currency"), self.safe_string(market, "quote_currency")
        settle_id = None if is_spot else self.safe_string(market, "settlement_currency")
        if base_id is None or quote_id is None or (settle_id is None and not is_spot):
            return None  # (a contract market must name its settlement currency)
        if is_future and not self.safe_integer(market, "expiry_at"):
            return None  # a dated future without its date would take the perpetual's symbol (and its orders)
        base, quote = self.safe_currency_code(base_id), self.safe_currency_code(quote_id)
        settle = None if is_spot else self.safe_currency_code(settle_id)
        symbol = base + "/" + quote + ("" if is_spot else ":" + settle)
        expiry = self.safe_integer(market, "expiry_at")
        if is_option:
            suffix = "C" if self.safe_string(market, "option_type") == "CALL" else "P"
            delivery = "" if not expiry else self.yymmdd(expiry) + "-"
            symbol += "-" + delivery + self.safe_string(market, "strike_price", "") + "-" + suffix
        elif is_future and expiry:
            symbol += "-" + self.yymmdd(expiry)
        expiry = expiry or None
        fees = self.safe_dict(self.safe_dict(market, "fee_config", {}), "api_fee", {})
        maker = self.safe_string(self.safe_dict(fees, "maker_fee", {}), "fee")
        taker = self.safe_string(self.safe_dict(fees, "taker_fee", {}), "fee")
        defaults = self.safe_dict(self.fees, "swap", {})
        imf_base = self.safe_string(self.safe_dict(market, "delta1_cross_margin_params", {}), "imf_base")
        max_leverage = None
        if imf_base is not None and Precise.string_gt(imf_base, "0"):
            max_leverage = self.parse_number(Precise.string_div("1", imf_base, 0))
        open_at = self.safe_integer(market, "open_at")
        now = self.milliseconds()
        mode = self.safe_string(market, "trading_mode", "STANDARD")
        # OpenAPI responses.TradingMode: STANDARD, RFQ_ONLY (an RFQ-only market takes no order-book orders)
        active = (open_at is None or open_at <= now) and (expiry is None or expiry > now) \
            and mode not in ("RFQ_ONLY", "CANCEL_ONLY", "CLOSE_ONLY", "DELISTED", "SETTLED")
        market_type = "option" if is_option else "spot" if is_spot else "future" if is_future else "swap"
        return self.safe_market_structure({
            "id": market_id, "symbol": symbol, "base": base, "quote": quote, "settle": settle,
            "baseId": base_id, "quoteId": quote_id, "settleId": settle_id,
            "type": market_type, "spot": is_spot, "margin": False,
            "swap": market_type == "swap", "future": is_future, "option": is_option, "active": active,
            "contract": not is_spot, "linear": None if is_spot else True, "inverse": None if is_spot else False,
            "subType": None if is_spot else "linear", "contractSize": None if is_spot else self.parse_number("1"),
            "taker": self.parse_number(taker) if taker else self.safe_number(defaults, "taker"),
            "maker": self.parse_number(maker) if maker else self.safe_number(defaults, "maker"),
            "expiry": expiry, "expiryDatetime": self.iso8601(expiry) if expiry else None,
            "strike": self.safe_number(market, "strike_price"), "optionType": self.safe_string_lower(market, "option_type"),
            "precision": {"amount": self.safe_number(market, "order_size_increment"),
                          "price": self.safe_number(market, "price_tick_size")},
            "limits": {"leverage": {"min": self.parse_number("1"), "max": max_leverage},
                       "amount": {"min": self.safe_number(market, "order_size_increment"),
                                  "max": self.safe_number(market, "max_order_size")},
                       "price": {"min": None, "max": None},
                       "cost": {"min": self.safe_number(market, "min_notional"), "max": None}},
            "created": open_at, "info": market,
        })

    # ---- market data ------------------------------------------------------------------------------
    def parse_ticker(self, ticker, market=None):
        market = self.safe_market(self.safe_string(ticker, "symbol"), market)
        timestamp = self.safe_integer(ticker, "created_at")
        last = _nonzero(self.safe_string(ticker, "last_traded_price"))
        change = self.safe_string(ticker, "price_change_rate_24h")
        return self.safe_ticker({
            "symbol": market["symbol"], "timestamp": timestamp, "datetime": self.iso8601(timestamp),
            "high": None, "low": None, "bid": _nonzero(self.safe_string(ticker, "bid")),
            "bidVolume": self.safe_string(ticker, "bid_size"), "ask": _nonzero(self.safe_string(ticker, "ask")),
            "askVolume": self.safe_string(ticker, "ask_size"), "vwap": None, "open": None, "close": last, "last": last,
            "previousClose": None, "change": None,
            "percentage": Precise.string_mul(change, "100") if change else None, "average": None,
            "baseVolume": None, "quoteVolume": self.safe_string(ticker, "volume_24h"),
            "markPrice": self.safe_string(ticker, "mark_price"), "indexPrice": self.safe_string(ticker, "underlying_price"),
            "info": ticker,
        }, market)

    def parse_order_book_response(self, response, market, limit=None):
        timestamp = self.safe_integer(response, "last_updated_at")
        book = self.parse_order_book(response, market["symbol"], timestamp, "bids", "asks")
        book["nonce"] = self.safe_integer(response, "seq_no")
        if limit is not None:
            book["bids"], book["asks"] = book["bids"][:limit], book["asks"][:limit]
        return book

    def parse_trade(self, trade, market=None):
        market = self.safe_market(self.safe_string(trade, "market"), market)
        timestamp = self.safe_integer(trade, "created_at")
        liquidity = self.safe_string_lower(trade, "liquidity")
        fee_cost = self.safe_string(trade, "fee")
        fee = None
        if fee_cost is not None:
            fee = {"cost": fee_cost, "currency": self.safe_currency_code(self.safe_string(trade, "fee_currency", "USDC"))}
        return self.safe_trade({
            "info": trade, "id": self.safe_string(trade, "id"), "order": self.safe_string(trade, "order_id"),
            "timestamp": timestamp, "datetime": self.iso8601(timestamp), "symbol": market["symbol"], "type": None,
            "takerOrMaker": liquidity if liquidity in ("taker", "maker") else "taker",
            "side": self.safe_string_lower(trade, "side"), "price": self.safe_string(trade, "price"),
            "amount": self.safe_string(trade, "size"), "cost": None, "fee": fee,
        }, market)

    def parse_ohlcv(self, ohlcv, market=None):
        return [self.safe_integer(ohlcv, 0), self.safe_number(ohlcv, 1), self.safe_number(ohlcv, 2),
                self.safe_number(ohlcv, 3), self.safe_number(ohlcv, 4), self.safe_number(ohlcv, 5)]

    def _funding_interval(self, contract, market):
        hours = self.safe_string(contract, "funding_period_hours",
                                 self.safe_string(self.safe_dict(market, "info", {}), "funding_period_hours"))
        return hours + "h" if hours is not None and Precise.string_gt(hours, "0") else None

    def parse_funding_rate(self, contract, market=None):
        """A /markets/summary row (``symbol``) or a funding_data channel payload (``market``)."""
        market = self.safe_market(self.safe_string_2(contract, "symbol", "market"), market, None, "swap")
        timestamp = self.safe_integer(contract, "created_at")
        rate = self.safe_string(contract, "funding_rate")
        funds = market["swap"] is True and rate not in (None, "")
        return {
            "info": contract, "symbol": market["symbol"] if funds else None,
            "markPrice": self.safe_number(contract, "mark_price"), "indexPrice": self.safe_number(contract, "underlying_price"),
            "interestRate": self.safe_number(self.safe_dict(market, "info", {}), "interest_rate"),
            "estimatedSettlePrice": None, "timestamp": timestamp, "datetime": self.iso8601(timestamp),
            "fundingRate": self.parse_number(rate) if funds else None, "fundingTimestamp": None, "fundingDatetime": None,
            # (MarketSummaryResp.future_funding_rate is an options figure, "a smoothed version of future's funding
            # rate", not a prediction of the next one: ccxt's paradex leaves nextFundingRate None too)
            "nextFundingRate": None, "nextFundingTimestamp": None,
            "nextFundingDatetime": None, "previousFundingRate": None, "previousFundingTimestamp": None,
            "previousFundingDatetime": None, "interval": self._funding_interval(contract, market),
        }

    def parse_funding_rate_history_entry(self, row, market=None):
        market = self.safe_market(self.safe_string(row, "market"), market)
        timestamp = self.safe_integer(row, "created_at")
        return {"info": row, "symbol": market["symbol"], "fundingRate": self.safe_number(row, "funding_rate"),
                "timestamp": timestamp, "datetime": self.iso8601(timestamp)}

    def parse_open_interest(self, interest, market=None):
        market = self.safe_market(self.safe_string(interest, "symbol"), market)
        timestamp = self.safe_integer(interest, "created_at")
        amount = self.safe_string(interest, "open_interest")
        mark = self.safe_string(interest, "mark_price")
        return self.safe_open_interest({
            "symbol": market["symbol"], "openInterestAmount": amount,
            "openInterestValue": Precise.string_mul(amount, mark) if amount and mark else None,
            "timestamp": timestamp, "datetime": self.iso8601(timestamp), "info": interest,
        }, market)

    def parse_last_price(self, entry, market=None):
        """A /markets/summary row: its last traded price (the summary does not say which side traded)."""
        market = self.safe_market(self.safe_string(entry, "symbol"), market)
        timestamp = self.safe_integer(entry, "created_at")
        price = _nonzero(self.safe_string(entry, "last_traded_price"))
        return {"symbol": market["symbol"], "timestamp": timestamp, "datetime": self.iso8601(timestamp),
                "price": self.parse_number(price) if price else None, "side": None, "info": entry}

    def parse_greeks(self, greeks, market=None):
        """A /markets/summary row of an option market (or the WS markets_summary payload)."""
        market = self.safe_market(self.safe_string(greeks, "symbol"), market, None, "option")
        timestamp = self.safe_integer(greeks, "created_at")
        g = self.safe_dict(greeks, "greeks", {})
        number = lambda key: self.safe_number(greeks, key) if _nonzero(self.safe_string(greeks, key)) else None  # noqa: E731
        return {
            "symbol": market["symbol"], "timestamp": timestamp, "datetime": self.iso8601(timestamp),
            "delta": self.safe_number(g, "delta", self.safe_number(greeks, "delta")), "gamma": self.safe_number(g, "gamma"),
            "theta": self.safe_number(g, "theta"), "vega": self.safe_number(g, "vega"), "rho": self.safe_number(g, "rho"),
            "vanna": self.safe_number(g, "vanna"), "volga": self.safe_number(g, "volga"), "charm": None,
            "bidSize": self.safe_number(greeks, "bid_size"), "askSize": self.safe_number(greeks, "ask_size"),
            "bidImpliedVolatility": self.safe_number(greeks, "bid_iv"), "askImpliedVolatility": self.safe_number(greeks, "ask_iv"),
            "markImpliedVolatility": self.safe_number(greeks, "mark_iv"),
            "bidPrice": number("bid"), "askPrice": number("ask"), "markPrice": self.safe_number(greeks, "mark_price"),
            "lastPrice": number("last_traded_price"), "underlyingPrice": self.safe_number(greeks, "underlying_price"),
            "info": greeks,
        }

    def parse_option(self, chain, currency=None, market=None):
        """A /markets/summary row of an option market -> ccxt's option structure (fetchOption, fetchOptionChain)."""
        market = self.safe_market(self.safe_string(chain, "symbol"), market, None, "option")
        timestamp = self.safe_integer(chain, "created_at")
        bid, ask = _nonzero(self.safe_string(chain, "bid")), _nonzero(self.safe_string(chain, "ask"))
        change = self.safe_string(chain, "price_change_rate_24h")
        return {
            "info": chain, "currency": currency["code"] if currency else market["base"], "symbol": market["symbol"],
            "timestamp": timestamp, "datetime": self.iso8601(timestamp),
            "impliedVolatility": self.safe_number(chain, "mark_iv"),
            "openInterest": self.safe_number(chain, "open_interest"),
            "bidPrice": self.parse_number(bid), "askPrice": self.parse_number(ask),
            "midPrice": self.parse_number(Precise.string_div(Precise.string_add(bid, ask), "2")) if bid and ask else None,
            "markPrice": self.safe_number(chain, "mark_price"),
            "lastPrice": self.parse_number(_nonzero(self.safe_string(chain, "last_traded_price"))),
            "underlyingPrice": self.safe_number(chain, "underlying_price"), "change": None,
            "percentage": self.parse_number(Precise.string_mul(change, "100")) if change else None,
            "baseVolume": None, "quoteVolume": self.safe_number(chain, "volume_24h"),
        }

    def parse_trading_fee(self, info, market=None):
        """Account fee rates (``/account/info``) win over the market's published api_fee."""
        fees = self.safe_dict(info, "fees", {})
        # OpenAPI responses.Fees: perpetuals' maker_rate / taker_rate, and a pair per other asset kind
        prefix = _FEE_PREFIX.get(self.safe_string(market.get("info") or {}, "asset_kind"), "")
        return {"info": info, "symbol": market["symbol"],
                "maker": self.safe_number(fees, prefix + "maker_rate", self.safe_number(market, "maker")),
                "taker": self.safe_number(fees, prefix + "taker_rate", self.safe_number(market, "taker")),
                "percentage": True, "tierBased": True}

    # ---- orders -----------------------------------------------------------------------------------
    def parse_order_status(self, status, cancel_reason=None):
        """NEW/UNTRIGGERED/OPEN -> open; CLOSED -> canceled when the venue gives a cancel reason (user cancel,
        IOC remainder, post-only cross, margin or size rejection: see info.cancel_reason), else closed.
        ccxt's validators accept only open/closed/canceled for orders, so rejections are canceled too."""
        if status in ("NEW", "OPEN", "UNTRIGGERED"):
            return "open"
        if status == "CLOSED":
            return "canceled" if cancel_reason else "closed"
        return status.lower() if isinstance(status, str) else None

    def _sizes(self, order):
        """An order row's (amount, remaining, filled) as strings (filled = size - remaining_size; None if either is)."""
        amount = self.safe_string(order, "size")
        remaining = self.safe_string(order, "remaining_size")
        filled = Precise.string_sub(amount, remaining) if amount is not None and remaining is not None else None
        return amount, remaining, filled

    def parse_order(self, order, market=None):
        market = self.safe_market(self.safe_string(order, "market"), market)
        timestamp = self.safe_integer(order, "created_at")
        raw_type = self.safe_string(order, "type")
        amount, remaining, filled = self._sizes(order)
        trigger = _nonzero(self.safe_string(order, "trigger_price"))
        flags = self.safe_list(order, "flags", []) or []
        instruction = self.safe_string(order, "instruction") or "GTC"  # the venue sends "" for GTC
        client_id = self.safe_string(order, "client_id") or None
        is_market = raw_type is not None and "MARKET" in raw_type
        status = self.parse_order_status(self.safe_string(order, "status"), self.safe_string(order, "cancel_reason"))
        updated = self.safe_integer(order, "last_updated_at")
        return self.safe_order({
            "id": self.safe_string(order, "id"), "clientOrderId": client_id,
            "timestamp": timestamp, "datetime": self.iso8601(timestamp),
            "lastTradeTimestamp": self._last_trade_timestamp(status, filled, updated),
            "lastUpdateTimestamp": updated, "status": status,
            "symbol": market["symbol"], "type": ORDER_TYPES.get(raw_type, self.safe_string_lower(order, "type")),
            "timeInForce": "IOC" if is_market else TIME_IN_FORCE.get(instruction), "postOnly": instruction in ("POST_ONLY", "RPI"),
            "reduceOnly": "REDUCE_ONLY" in flags, "side": self.safe_string_lower(order, "side"),
            "price": None if is_market else _nonzero(self.safe_string(order, "price")),
            "triggerPrice": trigger,
            "takeProfitPrice": trigger if raw_type and raw_type.startswith("TAKE_PROFIT") else None,
            "stopLossPrice": trigger if raw_type and raw_type.startswith("STOP_LOSS") else None,
            "average": _nonzero(self.safe_string(order, "avg_fill_price")), "amount": amount, "filled": filled,
            "remaining": remaining, "cost": None, "trades": None, "info": order,
            "fee": {"cost": None, "currency": None},  # OrderResp carries no fee; ccxt's shape (fees: one such item)
        }, market)

    def _last_trade_timestamp(self, status, filled, updated):
        """ccxt: the time of the order's most recent trade. An order Paradex closed itself (no cancel reason)
        after filling closed at its last fill, and last_updated_at does not change once CLOSED: that is
        the time. A canceled order's last update is its cancel, an open order's may be a modify: None."""
        if status == "closed" and filled is not None and Precise.string_gt(filled, "0"):
            return updated
        return None

    # ---- algo (TWAP) orders: AlgoOrderResp, as an order whose fills are its children's --------------------------
    def parse_algo_status(self, order):
        """As an order's: CLOSED with all of its size filled is 'closed', with size left 'canceled' (cancelled, or
        ended with unfilled size)."""
        remaining = self.safe_string(order, "remaining_size")
        done = remaining is not None and Precise.string_eq(remaining, "0")
        return self.parse_order_status(self.safe_string(order, "status"), None if done else "unfilled")

    def parse_algo_order(self, order, market=None):
        """AlgoOrderResp -> a ccxt order: a market order of ``size`` whose fills are its children's."""
        market = self.safe_market(self.safe_string(order, "market"), market)
        timestamp = self.safe_integer(order, "created_at")
        updated = self.safe_integer(order, "last_updated_at")
        amount, remaining, filled = self._sizes(order)
        average = _nonzero(self.safe_string(order, "avg_fill_price"))
        cost = None
        if filled is not None:
            cost = "0" if Precise.string_eq(filled, "0") else (Precise.string_mul(filled, average) if average else None)
        status = self.parse_algo_status(order)
        return self.safe_order({
            "id": self.safe_string(order, "id"), "clientOrderId": None,
            "timestamp": timestamp, "datetime": self.iso8601(timestamp),
            "lastTradeTimestamp": self._last_trade_timestamp(status, filled, updated), "lastUpdateTimestamp": updated,
            "status": status, "symbol": market["symbol"], "type": "market", "timeInForce": None,
            "postOnly": False, "reduceOnly": False, "side": self.safe_string_lower(order, "side"),
            "price": None, "triggerPrice": None, "takeProfitPrice": None, "stopLossPrice": None,
            "average": average, "amount": amount, "filled": filled, "remaining": remaining, "cost": cost,
            "trades": None, "info": order, "fee": {"cost": None, "currency": None},
        }, market)

    def parse_algo_orders(self, rows, market=None, since=None, limit=None):
        orders = self.sort_by([self.parse_algo_order(r, market) for r in rows or []], "timestamp")
        return self.filter_by_symbol_since_limit(orders, self.safe_string(market, "symbol"), since, limit)

    # ---- account ----------------------------------------------------------------------------------
    def parse_balance(self, response, summary=None):
        """``/balance`` rows; with the ``/account`` summary, free = free collateral (capped at the total)."""
        rows = response if isinstance(response, list) else self.safe_list(response, "results", [])
        result = {"info": rows}  # ccxt's built-in: info is the /balance results list
        free_collateral = self.safe_string(summary, "free_collateral") if summary else None
        settlement = self.safe_currency_code(self.safe_string(summary, "settlement_asset", "USDC")) if summary else None
        for row in rows:
            code = self.safe_currency_code(self.safe_string(row, "token"))
            account = self.account()
            total = self.safe_string(row, "size")
            account["total"] = total
            if free_collateral is not None and code == settlement and total is not None:
                free = Precise.string_max("0", Precise.string_min(free_collateral, total))
                account["free"], account["used"] = free, Precise.string_sub(total, free)
            result[code] = account
        # no timestamp, as ccxt's built-in: a row's last_updated_at is when that balance last changed, not when it
        # was read (ccxt's response test pins the key's absence)
        return self.safe_balance(result)

    def parse_position(self, position, market=None):
        market = self.safe_market(self.safe_string(position, "market"), market)
        size = self.safe_string(position, "size", "0")
        side = self.safe_string_lower(position, "side") or ("short" if Precise.string_lt(size, "0") else "long")
        timestamp = self.safe_integer_2(position, "created_at", "last_updated_at")  # 2024 payloads lack created_at
        mark = self._position_mark(position, size)
        leverage = self.safe_string(position, "leverage")
        notional = Precise.string_abs(Precise.string_mul(size, mark)) if mark else self.safe_string(position, "cost_usd")
        return self.safe_position({
            "info": position, "id": self.safe_string(position, "id"), "symbol": market["symbol"],
            "entryPrice": self.parse_number(_nonzero(self.safe_string(position, "average_entry_price"))),
            "markPrice": self.parse_number(mark),
            "notional": self.parse_number(Precise.string_abs(notional)) if notional else None,
            "collateral": self.parse_number(Precise.string_div(Precise.string_abs(notional), leverage, 8))
            if notional and leverage and Precise.string_gt(leverage, "0") else None,
            "unrealizedPnl": self.safe_number(position, "unrealized_pnl"),
            "realizedPnl": self.safe_number_2(position, "realized_positional_pnl", "realized_pnl"), "side": side,
            "contracts": self.parse_number(Precise.string_abs(size)), "contractSize": self.parse_number("1"),
            "timestamp": timestamp, "datetime": self.iso8601(timestamp),
            "lastUpdateTimestamp": self.safe_integer(position, "last_updated_at"), "hedged": False,
            "maintenanceMargin": None, "maintenanceMarginPercentage": None, "initialMargin": None,
            "initialMarginPercentage": None, "leverage": self.parse_number(leverage),
            "liquidationPrice": self.parse_number(_nonzero(self.safe_string(position, "liquidation_price"))),
            "marginRatio": None, "marginMode": "cross", "percentage": None,
        })

    def _position_mark(self, position, size):
        """Paradex sends no mark price on positions: entry + (unrealized pnl - unrealized funding) / size."""
        entry = self.safe_string(position, "average_entry_price")
        upnl = self.safe_string(position, "unrealized_pnl")
        if entry is None or upnl is None or Precise.string_eq(size, "0"):
            return None
        price_pnl = Precise.string_sub(upnl, self.safe_string(position, "unrealized_funding_pnl", "0"))
        return Precise.string_add(entry, Precise.string_div(price_pnl, size, 8))

    def parse_income(self, income, market=None):
        market = self.safe_market(self.safe_string(income, "market"), market)
        timestamp = self.safe_integer(income, "created_at")
        return {"info": income, "symbol": market["symbol"], "code": market["settle"], "timestamp": timestamp,
                "datetime": self.iso8601(timestamp), "id": self.safe_string(income, "id"),
                "amount": self.safe_number(income, "payment")}

    def parse_transfer(self, transfer, currency=None):
        timestamp = self.safe_integer(transfer, "created_at")
        kind = self.safe_string(transfer, "kind")
        direction = {"DEPOSIT": ("external", "account"), "WITHDRAWAL": ("account", "external")}.get(kind, (None, None))
        return {"info": transfer, "id": self.safe_string(transfer, "id"), "timestamp": timestamp,
                "datetime": self.iso8601(timestamp),
                "currency": self.safe_currency_code(self.safe_string(transfer, "token"), currency),
                "amount": self.safe_number(transfer, "amount"), "fromAccount": direction[0], "toAccount": direction[1],
                "status": self.safe_string(TRANSFER_STATUS, self.safe_string(transfer, "status"))}

    def parse_transaction(self, transaction, currency=None):
        timestamp = self.safe_integer(transaction, "created_at")
        address = self.safe_string(transaction, "account")
        status = self.safe_string(transaction, "status")
        code = self.safe_currency_code(self.safe_string(transaction, "token"), currency)
        fee = self.safe_string(transaction, "auto_withdrawal_fee")
        return {"info": transaction, "id": self.safe_string(transaction, "id"),
                "txid": self._txid(transaction),
                "timestamp": timestamp, "datetime": self.iso8601(timestamp),
                "network": None, "address": address,
                "addressTo": address, "addressFrom": None, "tag": None, "tagTo": None, "tagFrom": None,
                "type": "deposit" if self.safe_string(transaction, "kind") == "DEPOSIT" else "withdrawal",
                "amount": self.safe_number(transaction, "amount"), "currency": code,
                "status": self.safe_string(TRANSFER_STATUS, status, status),
                "updated": self.safe_integer(transaction, "last_updated_at"), "internal": None, "comment": None,
                "fee": {"cost": self.parse_number(fee), "currency": code} if fee else None}

    def _txid(self, transaction):
        """txn_hash, Paradex's own (StarkNet) transaction, as ccxt's built-in reports it; None when empty or all
        zeros. The bridge side stays in info: external_txn_hash on the chain info['external_chain'] names."""
        value = self.safe_string(transaction, "txn_hash")
        return value if value and value.strip("0x") else None

    def parse_liquidation(self, liquidation, market=None):
        timestamp = self.safe_integer(liquidation, "created_at")
        return self.safe_liquidation({
            "info": liquidation, "symbol": self.safe_string(market, "symbol"), "contracts": None, "contractSize": None,
            "price": None, "side": None, "baseValue": None, "quoteValue": None, "timestamp": timestamp,
            "datetime": self.iso8601(timestamp)})

    def parse_trade_bust(self, bust):
        """A /tradebusts row or ``tradebusts`` channel payload -> {info, id (the busted fill's id: a trade of
        fetchMyTrades / watchMyTrades), timestamp (when the venue voided it), datetime, account}."""
        timestamp = self.safe_integer(bust, "created_at")
        return {"info": bust, "id": self.safe_string(bust, "busted_fill_id"), "timestamp": timestamp,
                "datetime": self.iso8601(timestamp), "account": self.safe_string(bust, "account")}

    def parse_leverage(self, config, market=None):
        market = self.safe_market(self.safe_string(config, "market"), market)
        mode = self.safe_string_lower(config, "margin_type")
        # OpenAPI responses.AccountMarginEntry carries both: an isolated market trades at isolated_margin_leverage
        leverage = self.safe_integer(config, "isolated_margin_leverage") if mode == "isolated" else None
        if leverage is None:
            leverage = self.safe_integer(config, "leverage")
        return {"info": config, "symbol": market["symbol"], "marginMode": mode,
                "longLeverage": leverage, "shortLeverage": leverage}

    def parse_margin_mode(self, config, market=None):
        market = self.safe_market(self.safe_string(config, "market"), market)
        return {"info": config, "symbol": market["symbol"], "marginMode": self.safe_string_lower(config, "margin_type")}
