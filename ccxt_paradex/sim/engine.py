"""Matching engine: validation, price-time matching, triggers, fills, positions, balances.

Everything here is synchronous and driven by an injectable clock. Subscribers
(the WebSocket feed) receive ``(kind, market, payload)`` events after each
change; every book mutation bumps the market's ``seq_no``, which trades, BBO
and fills share.
"""
import itertools
from collections import OrderedDict, deque
from decimal import Decimal, InvalidOperation

from . import funding
from .book import Book
from .errors import ApiError, validation_error
from .state import ZERO, Account, Order, Position, fmt

SIDES = ("BUY", "SELL")
TYPES = ("MARKET", "LIMIT", "STOP_LIMIT", "STOP_MARKET", "TAKE_PROFIT_LIMIT", "TAKE_PROFIT_MARKET",
         "STOP_LOSS_LIMIT", "STOP_LOSS_MARKET")
INSTRUCTIONS = ("GTC", "POST_ONLY", "IOC", "RPI")
STP_MODES = ("EXPIRE_MAKER", "EXPIRE_TAKER", "EXPIRE_BOTH")
FLAGS = ("REDUCE_ONLY", "STOP_CONDITION_BELOW_TRIGGER", "STOP_CONDITION_ABOVE_TRIGGER", "INTERACTIVE")
TPSL = ("TAKE_PROFIT_LIMIT", "TAKE_PROFIT_MARKET", "STOP_LOSS_LIMIT", "STOP_LOSS_MARKET")
DEFAULT_RECV_WINDOW = 300_000
SYNTHETIC_FILLS_KEPT = 40_000  # fills of synthetic accounts bust() can still void (they keep no /fills history)


# what a fill changes in a position beyond its funding (recomputed when one of the account's fills is busted)
_FILL_STATE = ("size", "avg_entry", "realized_pnl", "avg_exit", "avg_exit_size")


def _decimal(value, name, required=True):
    if value is None or value == "":
        if required:
            raise validation_error(f"{name} is required")
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise validation_error(f"invalid {name}: {value!r}") from None
    if not d.is_finite():
        raise validation_error(f"invalid {name}: {value!r}")
    return d


class Engine:
    def __init__(self, specs, clock, initial_leverage=10):
        self.specs = {s.symbol: s for s in specs}
        self.books = {s.symbol: Book(s.symbol) for s in specs}
        self.mark = {s.symbol: s.price for s in specs}
        self.funding_index = {s.symbol: Decimal(0) for s in specs}  # advanced by sim/funding.py
        self.trades = {s.symbol: deque(maxlen=20000) for s in specs}
        self.clock = clock  # () -> ms
        self.tpsl_reduce_only = "optional"  # "required": TP/SL orders without REDUCE_ONLY are refused
        self.price_bands = True  # aggressive LIMIT prices beyond the price band around the mark are refused
        self.accounts = {}
        self.orders = {}          # every order of real accounts; open orders of synthetic ones
        self.open_orders = {}     # account -> {order id: Order} (NEW / UNTRIGGERED / OPEN)
        self.open_by_market = {}  # (account, market) -> {order id: Order}: the same orders, per market
        self.ephemeral = set()    # synthetic accounts: no history kept for them
        self.untriggered = {s.symbol: [] for s in specs}
        self.listeners = []
        self.initial_leverage = initial_leverage
        self._ids = itertools.count(1)
        self.status = "ok"  # SystemState: "cancel_only" and "post_only" refuse orders (validate)
        self.busted = set()       # trade ids bust() voided
        self._synthetic_fills = OrderedDict()  # fill id -> settlement of a synthetic account's side (bounded)

    # ---- ids / events -------------------------------------------------------------------------
    def new_id(self) -> str:
        """28 digits like Paradex's; the last digit is 0 so fills can put their role (1 taker, 2 maker) there."""
        return f"{self.clock():013d}{next(self._ids) * 10:015d}"

    def emit(self, kind, market, payload):
        for listener in list(self.listeners):
            listener(kind, market, payload)

    def _bump(self, market, changes):
        book = self.books[market]
        book.seq_no += 1
        book.last_updated_at = self.clock()
        self.emit("book", market, {"seq_no": book.seq_no, "changes": changes})
        return book.seq_no

    # ---- accounts -----------------------------------------------------------------------------
    def open_account(self, address, public_key, eth_address="", balance=ZERO):
        acct = self.accounts.get(address)
        if acct is None:
            acct = self.accounts[address] = Account(address, public_key, eth_address, Decimal(balance), self.clock())
            if balance:
                self._record_transfer(acct, "DEPOSIT", Decimal(balance))
        return acct

    def transfer(self, address, amount, kind="DEPOSIT") -> dict:
        """A completed transfer into (DEPOSIT) or out of (WITHDRAWAL) an account: the balance moves, a /transfers
        row is kept and the transfers and account channels publish it."""
        acct = self.accounts[address]
        amount = _decimal(amount, "amount")
        acct.balance += amount if kind == "DEPOSIT" else -amount
        acct.seq_no += 1
        row = self._record_transfer(acct, kind, amount)
        self.emit("account", None, self.account_summary(acct))
        return row

    def _record_transfer(self, acct, kind, amount) -> dict:
        now = self.clock()
        row = {
            "id": self.new_id(), "account": acct.address, "kind": kind, "status": "COMPLETED",
            "direction": "IN" if kind == "DEPOSIT" else "OUT", "token": "USDC", "amount": fmt(amount), "bridge": "STARKGATE",
            "counterparty": "", "external_account": acct.eth_address, "external_chain": "ethereum",
            "external_txn_hash": "0x" + "0" * 64, "txn_hash": "0x" + "1" * 63, "failure_reason": "",
            "auto_withdrawal_fee": "0", "socialized_loss_factor": "0", "vault_address": "",
            "vault_unwind_completion_percentage": "0", "created_at": now, "last_updated_at": now,
        }
        acct.transfers.append(row)
        self.emit("transfer", None, row)  # the transfers channel (nobody can listen yet when an account opens)
        return row

    def leverage(self, acct, market):
        return acct.leverage.get(market, min(self.initial_leverage, self.specs[market].max_leverage))

    def margin(self, acct):
        """(account value, initial margin requirement incl. open orders, maintenance requirement)."""
        upnl = ZERO
        imr = mmr = ZERO
        for market, pos in acct.positions.items():
            if pos.size:
                mark = self.mark[market]
                upnl += (mark - pos.avg_entry) * pos.size + funding.accrued(self, pos)
                notional = abs(pos.size) * mark
                imr += notional / self.leverage(acct, market)
                mmr += notional / self.leverage(acct, market) / 2
        for order in self.open_orders.get(acct.address, {}).values():
            if not order.reduce_only:
                price = order.price or self.mark[order.market]
                imr += order.remaining * price / self.leverage(acct, order.market)
        return acct.balance + upnl, imr, mmr

    def position_json(self, acct, market) -> dict:
        """PositionResp: unrealized funding and the liquidation price from the margin model (sim/funding.py)."""
        pos = acct.positions[market]
        return pos.to_json(self.mark[market], self.leverage(acct, market), funding.accrued(self, pos),
                           funding.liquidation_price(self, acct, market))

    def account_summary(self, acct) -> dict:
        value, imr, mmr = self.margin(acct)
        q = Decimal("1e-8")
        return {
            "account": acct.address, "account_value": fmt(value.quantize(q)),
            "free_collateral": fmt((value - imr).quantize(q)), "initial_margin_requirement": fmt(imr.quantize(q)),
            "maintenance_margin_requirement": fmt(mmr.quantize(q)), "margin_cushion": fmt((value - mmr).quantize(q)),
            "total_collateral": fmt(acct.balance.quantize(q)), "settlement_asset": "USDC", "status": "ACTIVE",
            "seq_no": acct.seq_no, "updated_at": self.clock(),
            "last_seen_notification": acct.profile["last_seen_notification"],
        }

    # ---- order entry --------------------------------------------------------------------------
    def validate(self, acct, req: dict, interactive=False) -> Order:
        market = req.get("market")
        spec = self.specs.get(market)
        if spec is None:
            raise ApiError("MARKET_NOT_FOUND", f"market {market!r} not found", 400)
        side, otype = req.get("side"), req.get("type")
        if side not in SIDES:
            raise validation_error(f"invalid side: {side!r}")
        if otype not in TYPES:
            raise validation_error(f"invalid order type: {otype!r}")
        instruction = req.get("instruction") or "GTC"
        if instruction not in INSTRUCTIONS:
            raise validation_error(f"invalid instruction: {instruction!r}")
        flags = req.get("flags") or []
        if not isinstance(flags, list) or any(f not in FLAGS for f in flags):
            raise validation_error(f"invalid flags: {flags!r}")
        stp = req.get("stp") or "EXPIRE_TAKER"
        if stp not in STP_MODES:
            raise validation_error(f"invalid stp: {stp!r}")
        size = _decimal(req.get("size"), "size")
        is_market = "MARKET" in otype
        price = _decimal(req.get("price"), "price", required=not is_market)
        if is_market:
            price = None  # omitted, "0", or ignored: market orders are signed and matched without a price
            if instruction in ("POST_ONLY", "RPI"):
                raise validation_error(f"{instruction} is not valid for market orders")
        elif price <= 0 or price % spec.tick != 0:
            raise validation_error(f"price {fmt(price)} is not a positive multiple of the tick size {fmt(spec.tick)}")
        elif otype == "LIMIT":
            self._check_band(spec, side, price)
        trigger = None
        if otype not in ("MARKET", "LIMIT"):
            trigger = _decimal(req.get("trigger_price"), "trigger_price")
            if trigger <= 0 or trigger % spec.tick != 0:
                raise validation_error(f"trigger_price {fmt(trigger)} is not a positive multiple of the tick size")
        reduce_only = "REDUCE_ONLY" in flags
        if otype in TPSL and not reduce_only and self.tpsl_reduce_only == "required":
            # one reading (ccxt's built-in: "Reduce_Only must be provided for TPSL orders"); the spec does not say
            raise validation_error(f"{otype} orders must carry the REDUCE_ONLY flag")
        if size < 0 or (size == 0 and not (otype in TPSL and reduce_only)):
            raise ApiError("INVALID_ORDER_SIZE", f"invalid order size {fmt(size)}", 400)
        if size % spec.step != 0:
            raise ApiError("INVALID_ORDER_SIZE", f"size {fmt(size)} is not a multiple of {fmt(spec.step)}", 400)
        if size > spec.max_order_size:
            raise ApiError("INVALID_ORDER_SIZE", f"size {fmt(size)} above max order size {fmt(spec.max_order_size)}", 400)
        # paradex-api 4.3: min notional is size x mark price; a reduce-only order may be smaller only when it closes
        # the whole position
        notional = size * self.mark[market]
        if size and notional < spec.min_notional and not (reduce_only and self._closes_position(acct, market, side, size)):
            raise validation_error(f"order notional {fmt(notional)} below min notional {fmt(spec.min_notional)}")
        client_id = req.get("client_id") or ""
        if len(client_id) > 64:
            raise validation_error("client_id longer than 64 characters")
        if client_id and client_id in acct.last_client_ids:
            raise ApiError("DUPLICATED_CLIENT_ID", f"client id {client_id} already used by an open order", 400)
        open_count = 0 if acct.address in self.ephemeral else len(self.open_by_market.get((acct.address, market), ()))
        if open_count >= spec.max_open_orders:
            raise validation_error(f"max open orders ({spec.max_open_orders}) reached for {market}")
        ts, now = self._check_signature_time(req), self.clock()
        if self.status == "cancel_only":
            raise ApiError("SYSTEM_STATUS_CANCEL_ONLY", "exchange is in cancel-only mode", 400)
        if self.status == "post_only" and instruction not in ("POST_ONLY", "RPI"):
            raise ApiError("SYSTEM_STATUS_POST_ONLY", "exchange is in post-only mode: only POST_ONLY orders", 400)
        if spec.open_at > now:
            raise ApiError("MARKET_NOT_OPEN", f"market {market} opens at {spec.open_at}", 400)
        return Order(
            id=self.new_id(), account=acct.address, market=market, side=side, type=otype, size=size, remaining=size,
            price=price, trigger_price=trigger, instruction=instruction, flags=list(flags), stp=stp,
            client_id=client_id, status="NEW", cancel_reason="", filled_notional=ZERO, timestamp=ts,
            received_at=now, created_at=now, last_updated_at=now, seq_no=0, request_info=None,
            interactive=interactive, signer_key=None,
        )

    def _check_band(self, spec, side, price):
        """With ``price_bands`` on: MarketResp.price_bands_width is the largest fraction an aggressive LIMIT price
        may lie from the mark (Paradex's Price Bands page: mark 100 and 5 %, a sell at 94 is refused, a passive buy
        at 90 is not). So a BUY above mark x (1 + width) and a SELL below mark x (1 - width) are refused
        (VALIDATION_ERROR: the spec names no code of its own for it); prices on the passive side rest at any
        distance. Option markets are not checked (Paradex bands them by ``iv_bands_width``, not by price).
        Readings: the band is checked when a LIMIT order is placed or its price modified, against the mark of that
        moment; conditional limit orders (STOP_LIMIT, TP/SL limits) are not checked, as their mark is the one of
        their trigger; market orders are not limited by it here."""
        width, mark = spec.price_bands_width, self.mark[spec.symbol]
        if not self.price_bands or not width or mark <= 0 or spec.option_type is not None:
            return
        low, high = mark * (1 - width), mark * (1 + width)
        if price > high if side == "BUY" else price < low:
            limit = f"above {fmt(high)}" if side == "BUY" else f"below {fmt(low)}"
            raise validation_error(f"{side} price {fmt(price)} is outside the price band: {limit} "
                                   f"(mark {fmt(mark)} +/- {fmt(width * 100)}%)")

    def submit(self, order: Order) -> dict:
        """Accept a validated order; returns its NEW snapshot (Paradex answers 201 before matching)."""
        acct = self.accounts[order.account]
        self.orders[order.id] = order
        self.open_orders.setdefault(order.account, {})[order.id] = order
        self.open_by_market.setdefault((order.account, order.market), {})[order.id] = order
        if order.account not in self.ephemeral:
            acct.orders.append(order)
        if order.client_id:
            acct.last_client_ids[order.client_id] = order.id
        snapshot = order.to_json()
        self._emit_order(order)
        self._process(order)
        return snapshot

    def _process(self, order: Order):
        acct = self.accounts[order.account]
        if order.reduce_only and not self._fit_reduce_only(acct, order):
            return
        if acct.address not in self.ephemeral and self._exceeds_position_limit(acct, order):
            return self._close(order, "ORDER_EXCEEDS_POSITION_LIMIT")
        # synthetic makers/takers (ephemeral: nobody holds their keys) have unbounded collateral: no margin scan.
        # A market-family order is checked at the mark price too (margin() counts it there), unless it only
        # reduces the position it trades against (a close needs no new margin)
        if not order.reduce_only and acct.address not in self.ephemeral and not self._only_reduces(acct, order):
            if self._margin_short(acct, order):
                return self._close(order, "NOT_ENOUGH_MARGIN")
        if order.type not in ("MARKET", "LIMIT"):
            order.status = "UNTRIGGERED"
            self.untriggered[order.market].append(order)
            self._touch(order)
            self._check_triggers(order.market)
            return
        self._execute(order)

    def _exceeds_position_limit(self, acct, order) -> bool:
        """Paradex's position-limit rule (its Position Limit page): an order is taken only while the market's
        ``position_limit`` is at least the order's size + the size of the account's other open orders on the same
        side + the position, counted positive on the order's side and negative against it. A risk check: the
        order is accepted (201) and closes with ORDER_EXCEEDS_POSITION_LIMIT, the reason ccxt's built-in class
        reads as a rejection (the spec's examples list only two cancel reasons). Open orders counted: every NEW,
        UNTRIGGERED or OPEN one (a reading: the page does not say whether untriggered orders count)."""
        limit = self.specs[order.market].position_limit
        pos = acct.positions.get(order.market)
        held = pos.size if pos else ZERO
        same_side = sum((o.remaining for o in self.open_by_market.get((acct.address, order.market), {}).values()
                         if o is not order and o.side == order.side), ZERO)
        return order.remaining + same_side + (held if order.side == "BUY" else -held) > limit

    @staticmethod
    def _closes_position(acct, market, side, size) -> bool:
        """An order of ``side`` and ``size`` against the position, at least its size: reduce-only, it closes the
        whole position (``_fit_reduce_only`` lets it trade only the position's size), so it is exempt from min notional."""
        pos = acct.positions.get(market)
        held = pos.size if pos else ZERO
        return held != 0 and (held > 0) != (side == "BUY") and size >= abs(held)

    def _margin_short(self, acct, order) -> bool:
        """The account's initial margin requirement with ``order`` exceeds its value. margin() counts an open order
        in full; a market-family order that flips the position closes it first, and that closing part frees the
        position's margin instead of needing more: only the flipped remainder is new, so the requirement checked
        is the one after the trade (the position's margin out, the order's whole size out, the remainder in)."""
        value, imr, _ = self.margin(acct)
        if "MARKET" in order.type:
            pos = acct.positions.get(order.market)
            held = pos.size if pos else ZERO
            after = held + (order.remaining if order.side == "BUY" else -order.remaining)
            if held != 0 and after * held < 0:
                per_unit = self.mark[order.market] / self.leverage(acct, order.market)
                imr += (abs(after) - abs(held) - order.remaining) * per_unit
        return imr > value

    def _only_reduces(self, acct, order) -> bool:
        if "MARKET" not in order.type:
            return False  # (resting orders are checked with the margin they reserve, as before)
        pos = acct.positions.get(order.market)
        held = pos.size if pos else ZERO
        signed = order.remaining if order.side == "BUY" else -order.remaining
        after = held + signed
        return held != 0 and after * held >= 0 and abs(after) <= abs(held)  # (a flip opens a new position)

    def _fit_reduce_only(self, acct, order, triggered=False) -> bool:
        """A reduce-only order trades at most the position it reduces. One bigger than the position keeps the size
        it was signed with; what of it lies beyond the position is withheld (not traded while the position is
        smaller, traded again as far as the position grows) and reported in its ``remaining_size``, and once the
        rest is done the order closes with REDUCE_ONLY_WILL_INCREASE (Paradex
        documents cancelling reduce-only orders bigger than the position; it documents no resizing). So size,
        remaining_size and the fills always agree: filled = size - remaining_size = the sum of its fills.
        A TP/SL of size 0 closes the whole position: its size becomes the position's when it triggers.
        -> False when the order was closed (nothing to reduce)."""
        pos = acct.positions.get(order.market)
        held = pos.size if pos else ZERO
        if held == 0 or (held > 0) == (order.side == "BUY"):
            if not triggered and (order.status == "UNTRIGGERED" or order.type in TPSL):
                return True  # may become valid when triggered
            self._close(order, "REDUCE_ONLY_WILL_INCREASE")
            return False
        if order.size == 0:
            order.size = order.remaining = abs(held)
        elif order.remaining > abs(held):
            order.withheld += order.remaining - abs(held)
            order.remaining = abs(held)
        else:
            self._give_back_withheld(order, held)
        return True

    @staticmethod
    def _give_back_withheld(order, held):
        """The position the order reduces grew: what of its withheld part now fits the position may trade again
        (Paradex's Order Instructions page: existing reduce-only orders keep their size when the position grows).
        -> the size given back (the order's remaining_size, remaining + withheld, is unchanged)."""
        back = min(order.withheld, abs(held) - order.remaining)
        if back <= 0:
            return ZERO
        order.withheld -= back
        order.remaining += back
        return back

    @staticmethod
    def _done_reason(order) -> str:
        """The cancel reason of an order with nothing left that may trade: none when it filled in full."""
        return "REDUCE_ONLY_WILL_INCREASE" if order.withheld else ""

    def _execute(self, order: Order):
        book = self.books[order.market]
        opposite = book.opposite(order.side)
        best = opposite.best()
        crosses = best is not None and (order.price is None or
                                        (order.price >= best if order.side == "BUY" else order.price <= best))
        if order.instruction in ("POST_ONLY", "RPI") and crosses:
            return self._close(order, "POST_ONLY_WOULD_CROSS")
        if crosses:
            self._match(order, book)
        if order.status == "CLOSED" or order.remaining == 0:
            if order.status != "CLOSED":
                self._close(order, self._done_reason(order))
            return
        if order.price is None:  # a market remainder: the book ran out (or holds only what it may not take)
            return self._close(order, "EMPTY_MARKET")  # even after a partial fill: "" would read as filled in full
        if order.instruction == "IOC":
            return self._close(order, "REMAINING_IOC_CANCEL")
        order.status = "OPEN"
        book.side(order.side).add(order)
        self._touch(order)
        self._bump(order.market, [(order.side, order.price, book.side(order.side).level_size(order.price, False),
                                   book.side(order.side).level_size(order.price, True))])

    def _match(self, taker: Order, book: Book):
        opposite = book.opposite(taker.side)
        for price in list(opposite.best_first()):
            if taker.remaining == 0 or taker.status == "CLOSED":
                break
            if taker.price is not None and (price > taker.price if taker.side == "BUY" else price < taker.price):
                break
            for maker in list(opposite.levels.get(price, ())):
                if taker.remaining == 0 or taker.status == "CLOSED":
                    break
                if maker.status != "OPEN":  # cancelled by a fill before it in this match (a reduce-only trimmed)
                    continue
                if maker.is_rpi and not taker.interactive:
                    continue
                if maker.account == taker.account:
                    if taker.stp in ("EXPIRE_MAKER", "EXPIRE_BOTH"):
                        self._cancel_resting(maker, "SELF_TRADE")
                    if taker.stp in ("EXPIRE_TAKER", "EXPIRE_BOTH"):
                        self._close(taker, "SELF_TRADE")
                        return
                    continue
                self._fill(taker, maker, min(taker.remaining, maker.remaining), price, book)

    def _fill(self, taker, maker, size, price, book):
        now = self.clock()
        trade_id = self.new_id()
        for order in (taker, maker):
            order.remaining -= size
            order.filled_notional += size * price
        side_book = book.opposite(taker.side)
        if maker.remaining == 0:
            side_book.remove(maker)
        seq = self._bump(taker.market, [(maker.side, price, side_book.level_size(price, False),
                                         side_book.level_size(price, True))])
        trade = {"id": trade_id, "market": taker.market, "side": taker.side, "size": fmt(size), "price": fmt(price),
                 "created_at": now, "trade_type": "FILL", "seq_no": seq}
        self.trades[taker.market].append(trade)
        self.mark[taker.market] = price
        self.emit("trade", taker.market, trade)
        for order, role in ((taker, "TAKER"), (maker, "MAKER")):
            self._settle(order, role, size, price, trade_id, seq, now)
        if maker.remaining == 0:
            self._close(maker, self._done_reason(maker))
        else:
            self._touch(maker)
        self._check_triggers(taker.market)

    def _settle(self, order, role, size, price, trade_id, seq, now):
        acct = self.accounts[order.account]
        spec = self.specs[order.market]
        pos = acct.positions.get(order.market)
        if pos is None:
            pos = acct.positions[order.market] = Position(acct.address, order.market, now)
        cent = Decimal("1e-8")  # what the fill reports is exactly what the balance moves by
        fill_id = f"{trade_id[:-1]}{1 if role == 'TAKER' else 2}"
        realized_funding = funding.realize(self, acct, pos, now, fill_id)  # from flat: the index at open, no charge
        realized = pos.apply_fill(order.side, size, price).quantize(cent)
        fee = (size * price * (spec.taker_fee if role == "TAKER" else spec.maker_fee)).quantize(cent)
        acct.balance += realized - fee
        acct.seq_no += 1
        pos.seq_no += 1
        pos.last_updated_at = now
        pos.closed_at = now if pos.size == 0 else 0
        pos.last_fill_id = fill_id
        if acct.address in self.ephemeral:
            # a synthetic account keeps no history, and no one can subscribe to its private channels; what a
            # bust() of this trade needs to undo its side is kept for the latest SYNTHETIC_FILLS_KEPT fills
            self._synthetic_fills[fill_id] = (acct.address, order.market, order.side, size, price, realized - fee)
            if len(self._synthetic_fills) > SYNTHETIC_FILLS_KEPT:
                self._synthetic_fills.popitem(last=False)
            return
        fill = {
            "id": fill_id, "account": acct.address, "market": order.market, "order_id": order.id,
            "client_id": order.client_id or "", "side": order.side, "liquidity": role, "fill_type": "FILL",
            "price": fmt(price), "size": fmt(size), "remaining_size": fmt(order.unfilled),
            "fee": fmt(fee), "fee_currency": "USDC", "realized_pnl": fmt(realized), "realized_funding": fmt(realized_funding),
            "underlying_price": fmt(self.mark[order.market]), "flags": ["interactive"] if order.interactive else [],
            "orderbook_seq_no": seq, "created_at": now,
        }
        acct.fills.append(fill)  # REST /fills serves FillResult, which has no trade id
        # the fills channel's SBE FillEvent carries the trade id (var-data tradeId); its JSON form drops it
        self.emit("fill", order.market, {**fill, "trade_id": trade_id})
        self.emit("position", order.market, self.position_json(acct, order.market))
        self._trim_reduce_only(acct, order.market, order)
        self.emit("account", order.market, self.account_summary(acct))

    def _emit_order(self, order):
        if order.account not in self.ephemeral:  # synthetic accounts have no subscribers
            self.emit("order", order.market, order.to_json())

    def _touch(self, order):
        order.last_updated_at = self.clock()
        order.seq_no += 1
        self._emit_order(order)

    def _close(self, order, reason):
        acct = self.accounts[order.account]
        order.status = "CLOSED"
        order.cancel_reason = reason
        if order.client_id and acct.last_client_ids.get(order.client_id) == order.id:
            del acct.last_client_ids[order.client_id]
        if order in self.untriggered[order.market]:
            self.untriggered[order.market].remove(order)
        self.open_orders.get(order.account, {}).pop(order.id, None)
        self.open_by_market.get((order.account, order.market), {}).pop(order.id, None)
        if order.account in self.ephemeral:
            self.orders.pop(order.id, None)
        self._touch(order)

    def _trim_reduce_only(self, acct, market, filled=None):
        """The position moved: a resting reduce-only order bigger than what is left of it, or on the side that
        would now increase it, is cancelled (paradex-api 4.3: "reduce-only orders bigger than the remaining
        position are cancelled when the position shrinks"); one that still reduces it takes back what of its
        withheld part the position now allows (``_give_back_withheld``). Untriggered ones are checked when they trigger; a
        TP/SL limit order that triggered and rests is held to the position like any other."""
        pos = acct.positions.get(market)
        held = pos.size if pos else ZERO
        for order in list(self.open_by_market.get((acct.address, market), {}).values()):
            if order is filled or not order.reduce_only or order.status == "UNTRIGGERED":
                continue
            reduces = held != 0 and (held > 0) != (order.side == "BUY")
            if not reduces or order.remaining > abs(held):
                self._cancel_resting(order, "REDUCE_ONLY_WILL_INCREASE")
            elif self._give_back_withheld(order, held) and order.status == "OPEN":
                side = self.books[market].side(order.side)  # (it keeps its place in the queue)
                self._bump(market, [(order.side, order.price, side.level_size(order.price, False),
                                     side.level_size(order.price, True))])

    def _cancel_resting(self, order, reason):
        book = self.books[order.market]
        if order.status == "OPEN" and order.price is not None:
            side = book.side(order.side)
            side.remove(order)
            self._bump(order.market, [(order.side, order.price, side.level_size(order.price, False),
                                       side.level_size(order.price, True))])
        self._close(order, reason)

    # ---- trade busts (a test / operator hook) --------------------------------------------------
    def bust(self, fill_id) -> list:
        """Void the trade of ``fill_id`` (either side's fill id) as Paradex does when a fill fails to settle on
        chain. For each side: the position becomes what the account's other fills make it (size, average entry
        and exit, realized PnL recomputed without the busted ones), the balance moves back by the fill's realized
        PnL net of its fee, the account gets a /tradebusts row ``{account, busted_fill_id, created_at}``, and the
        ``tradebusts``, ``positions`` and ``account`` channels publish, in that order. The /fills and
        /transactions rows stay (the venue keeps history; /tradebusts says which are void), as do the order's
        filled size, the public trade and the mark price.

        Readings (the spec is silent): the funding the fill settled was accrued on the position held before it,
        so it stays settled (with its /funding/payments row); later fills keep the PnL they reported. A synthetic
        account's side (no /fills history to recompute from) gets its size and balance back, its average entry
        kept; after ``SYNTHETIC_FILLS_KEPT`` newer synthetic fills that side is left as it is.

        -> the /tradebusts rows written (one per real account of the trade). ``ApiError`` (NOT_FOUND) for a fill
        no account holds, (VALIDATION_ERROR) for a trade already busted."""
        fill_id = str(fill_id)
        trade_id = fill_id[:-1] + "0"
        if trade_id in self.busted:
            raise validation_error(f"fill {fill_id} is already busted")
        sides = []
        for fid in (trade_id[:-1] + "1", trade_id[:-1] + "2"):  # the taker's and the maker's fill of the trade
            fill = self._real_fill(fid)
            if fill is not None:
                sides.append((fid, fill))
            elif fid in self._synthetic_fills:
                sides.append((fid, None))
        if not fill_id.isdigit() or not sides:
            raise ApiError("NOT_FOUND", f"fill {fill_id} not found", 404)
        self.busted.add(trade_id)
        now = self.clock()
        rows, published = [], []
        for fid, fill in sides:
            if fill is None:
                acct, market = self._unsettle_synthetic(fid)
            else:
                acct, market = self.accounts[fill["account"]], fill["market"]
                row = {"account": acct.address, "busted_fill_id": fid, "created_at": now}
                acct.tradebusts.append(row)
                self._replay_position(acct, market)
                acct.balance -= Decimal(fill["realized_pnl"]) - Decimal(fill["fee"])
                rows.append(row)
                published.append((acct, market, row))
            pos = acct.positions[market]
            acct.seq_no += 1
            pos.seq_no += 1
            pos.last_updated_at = now
            pos.closed_at = now if pos.size == 0 else 0
        for acct, market, row in published:  # both sides settled back before anything is published
            self.emit("tradebust", market, row)
            self.emit("position", market, self.position_json(acct, market))
            self._trim_reduce_only(acct, market)
            self.emit("account", market, self.account_summary(acct))
        return rows

    def _real_fill(self, fill_id):
        """The /fills row of ``fill_id`` in a real account, or None (newest first: busts void recent fills)."""
        for address, acct in self.accounts.items():
            if address in self.ephemeral:
                continue
            for fill in reversed(acct.fills):
                if fill["id"] == fill_id:
                    return fill
        return None

    def _replay_position(self, acct, market):
        """The account's position on ``market`` as its fills not busted make it (funding left as it is)."""
        busted = {b["busted_fill_id"] for b in acct.tradebusts}
        pos = acct.positions[market]
        replayed = Position(acct.address, market, pos.created_at)
        last = ""
        for fill in acct.fills:
            if fill["market"] == market and fill["id"] not in busted:
                replayed.apply_fill(fill["side"], Decimal(fill["size"]), Decimal(fill["price"]))
                last = fill["id"]
        for name in _FILL_STATE:
            setattr(pos, name, getattr(replayed, name))
        if pos.last_fill_id in busted:
            pos.last_fill_id = last

    def _unsettle_synthetic(self, fill_id):
        address, market, side, size, price, moved = self._synthetic_fills.pop(fill_id)
        acct = self.accounts[address]
        pos = acct.positions[market]
        pos.size -= size if side == "BUY" else -size
        if pos.size == 0:
            pos.avg_entry = ZERO
        elif pos.avg_entry == 0:  # (the fill had closed it: the entry it closed is not kept)
            pos.avg_entry = price
        acct.balance -= moved
        return acct, market

    # ---- triggers and marks -------------------------------------------------------------------
    def _triggered(self, order, mark) -> bool:
        if "STOP_CONDITION_BELOW_TRIGGER" in order.flags:
            return mark <= order.trigger_price
        if "STOP_CONDITION_ABOVE_TRIGGER" in order.flags:
            return mark >= order.trigger_price
        above = order.side == "BUY"
        if order.type.startswith("TAKE_PROFIT"):
            above = not above
        return mark >= order.trigger_price if above else mark <= order.trigger_price

    def _check_triggers(self, market):
        mark = self.mark[market]
        for order in [o for o in self.untriggered[market] if self._triggered(o, mark)]:
            self.untriggered[market].remove(order)
            order.status = "NEW"
            if order.reduce_only and not self._fit_reduce_only(self.accounts[order.account], order, triggered=True):
                continue
            if order.remaining == 0:
                self._close(order, "REDUCE_ONLY_WILL_INCREASE")
                continue
            self._execute(order)

    def set_mark(self, market, price):
        self.mark[market] = Decimal(price)
        self._check_triggers(market)

    # ---- cancel / modify ----------------------------------------------------------------------
    def owned(self, acct, order_id) -> Order:
        order = self.orders.get(str(order_id))
        if order is None or order.account != acct.address:
            raise ApiError("ORDER_ID_NOT_FOUND", f"order {order_id} not found", 400)
        return order

    def by_client_id(self, acct, client_id, market=None) -> Order:
        """The account's latest order with ``client_id``; with ``market`` (a cancel by client id names it), only
        an order on that market: another market's order of the same client id is not found, never cancelled."""
        order_id = acct.last_client_ids.get(client_id)
        if order_id is None or market is not None and self.orders[order_id].market != market:
            where = "" if market is None else f" on {market}"
            raise ApiError("CLIENT_ORDER_ID_NOT_FOUND", f"client order id {client_id} not found{where}", 400)
        return self.orders[order_id]

    def cancel(self, order: Order):
        if not order.is_open:
            raise ApiError("ORDER_IS_CLOSED", f"order {order.id} is closed", 400)
        self._cancel_resting(order, "USER_CANCELED")

    def cancel_all(self, acct, market=None) -> list:
        source = self.open_orders.get(acct.address, {}) if market is None else self.open_by_market.get((acct.address, market), {})
        victims = list(source.values())
        for order in victims:
            self._cancel_resting(order, "USER_CANCELED")
        return victims

    def _check_signature_time(self, req):
        """signature_timestamp: ms, refused outside the receive window (paradex-api 4.3), for creates and modifies."""
        now = self.clock()
        ts = req.get("signature_timestamp")
        if not isinstance(ts, int) or isinstance(ts, bool):
            raise validation_error("signature_timestamp must be an integer (ms)")
        recv_window = req.get("recv_window") or DEFAULT_RECV_WINDOW
        if now > ts + int(recv_window) or ts > now + 60_000:
            raise ApiError("INVALID_TIMESTAMP", f"signature_timestamp {ts} outside the receive window", 400)
        return ts

    def modify(self, order: Order, req: dict) -> dict:
        if order.status != "OPEN" and order.status != "UNTRIGGERED":
            raise ApiError("ORDER_IS_NOT_OPEN", f"order {order.id} is not open", 400)
        self._check_signature_time(req)
        spec = self.specs[order.market]
        if req.get("market") != order.market or req.get("side", order.side) != order.side \
                or req.get("type", order.type) != order.type:
            raise validation_error("market, side and type cannot be modified")
        size = _decimal(req.get("size"), "size")
        price = _decimal(req.get("price"), "price", required="MARKET" not in order.type)
        filled = order.filled
        if size <= filled or size % spec.step != 0:
            raise ApiError("INVALID_ORDER_SIZE", f"invalid size for modify order: {fmt(size)}", 400)
        if price is not None and price != 0 and price % spec.tick != 0:
            raise validation_error(f"price {fmt(price)} is not a multiple of the tick size {fmt(spec.tick)}")
        if price and order.type == "LIMIT":
            self._check_band(spec, order.side, price)
        trigger = req.get("trigger_price")
        book = self.books[order.market]
        resting = order.status == "OPEN"
        if resting:
            book.side(order.side).remove(order)
            self._bump(order.market, [(order.side, order.price, book.side(order.side).level_size(order.price, False),
                                       book.side(order.side).level_size(order.price, True))])
        order.size, order.remaining, order.withheld = size, size - filled, ZERO  # (refitted below when it rests)
        if price:
            order.price = price
        if trigger:
            order.trigger_price = Decimal(str(trigger))
        order.timestamp = req.get("signature_timestamp", order.timestamp)
        order.request_info = {"id": self.new_id(), "request_type": "MODIFY_ORDER", "status": "SUCCESS", "message": ""}
        snapshot = order.to_json()
        if resting:
            order.status = "NEW"
            # (a resting TP/SL limit order has triggered: refitted as one)
            if order.reduce_only and not self._fit_reduce_only(self.accounts[order.account], order, triggered=True):
                return snapshot
            self._execute(order)
        else:
            self._touch(order)
            self._check_triggers(order.market)
        return snapshot
