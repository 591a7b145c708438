"""Simulator records: orders, positions, accounts, and their Paradex JSON forms."""
from typing import Any
from decimal import Decimal

ZERO = Decimal(0)


def fmt(value) -> str:
    """Decimal -> plain decimal string as Paradex prints it ("0.05", "65000", "-1.5")."""
    if value is None:
        return ""
    d = Decimal(value)
    if d == 0:
        return "0"
    text = format(d.normalize(), "f")
    return text


class Order:
    __slots__ = ("id", "account", "market", "side", "type", "size", "remaining", "price", "trigger_price",
                 "instruction", "flags", "stp", "client_id", "status", "cancel_reason", "filled_notional",
                 "timestamp", "received_at", "created_at", "last_updated_at", "seq_no", "request_info",
                 "interactive", "signer_key", "withheld")
    # set from keyword arguments in __init__ (slots: no per-order __dict__)
    id: str
    account: str
    market: str
    side: str
    type: str
    size: Any
    remaining: Any
    price: Any
    trigger_price: Any
    instruction: str
    flags: list
    stp: str
    client_id: str
    status: str
    cancel_reason: str
    filled_notional: Any
    timestamp: int
    received_at: int
    created_at: int
    last_updated_at: int
    seq_no: int
    request_info: Any
    interactive: bool
    signer_key: Any
    # of a reduce-only order bigger than the position it reduces: the size it may not trade while the position
    # stays smaller (sim/engine.py _fit_reduce_only); ``remaining`` is what may trade, ``remaining_size`` reports both
    withheld: Any

    def __init__(self, **kw):
        for name in self.__slots__:
            setattr(self, name, kw.get(name))
        if self.withheld is None:
            self.withheld = ZERO

    @property
    def is_rpi(self):
        return self.instruction == "RPI"

    @property
    def reduce_only(self):
        return "REDUCE_ONLY" in self.flags

    @property
    def is_open(self):
        return self.status in ("NEW", "OPEN", "UNTRIGGERED")

    @property
    def unfilled(self):
        """What of the order's size has not traded: what may still trade and what it never will (withheld)."""
        return self.remaining + self.withheld

    @property
    def filled(self):
        return self.size - self.unfilled

    def to_json(self) -> dict:
        filled = self.filled
        avg = self.filled_notional / filled if filled > 0 else ZERO
        out = {
            "id": self.id, "account": self.account, "market": self.market, "client_id": self.client_id or "",
            "side": self.side, "type": self.type, "size": fmt(self.size), "remaining_size": fmt(self.unfilled),
            "price": fmt(self.price or ZERO), "avg_fill_price": fmt(avg.quantize(Decimal("1e-8")) if filled > 0 else ZERO),
            "trigger_price": fmt(self.trigger_price or ZERO), "instruction": self.instruction,
            "flags": list(self.flags), "stp": self.stp, "status": self.status, "cancel_reason": self.cancel_reason,
            "timestamp": self.timestamp, "received_at": self.received_at, "created_at": self.created_at,
            "last_updated_at": self.last_updated_at, "published_at": self.last_updated_at, "seq_no": self.seq_no,
        }
        if self.request_info:
            out["request_info"] = dict(self.request_info)
        return out


class Position:
    __slots__ = ("account", "market", "size", "avg_entry", "realized_pnl", "realized_funding", "created_at",
                 "last_updated_at", "closed_at", "last_fill_id", "seq_no", "avg_exit", "avg_exit_size", "funding_index")

    def __init__(self, account, market, now):
        self.account, self.market = account, market
        self.size = self.avg_entry = self.realized_pnl = self.realized_funding = self.avg_exit = self.avg_exit_size = ZERO
        self.funding_index = ZERO
        self.created_at = self.last_updated_at = now
        self.closed_at = 0
        self.last_fill_id = ""
        self.seq_no = 0

    def apply_fill(self, side: str, size: Decimal, price: Decimal) -> Decimal:
        """Update for a fill; returns the realized PnL of the closed part."""
        signed = size if side == "BUY" else -size
        realized = ZERO
        if self.size == 0 or (self.size > 0) == (signed > 0):
            if self.size == 0:  # a new position: its exits start over
                self.avg_exit = self.avg_exit_size = ZERO
            total = abs(self.size) + size
            self.avg_entry = (self.avg_entry * abs(self.size) + price * size) / total
            self.size += signed
            return realized
        closing = min(size, abs(self.size))
        direction = 1 if self.size > 0 else -1
        realized = (price - self.avg_entry) * closing * direction
        self.realized_pnl += realized
        # the average price of every closing fill since the position opened (the closed size is the entry size
        # minus what is still open: avg_exit_size keeps it)
        exited = self.avg_exit_size + closing
        self.avg_exit = (self.avg_exit * self.avg_exit_size + price * closing) / exited
        self.avg_exit_size = exited
        self.size += signed
        if self.size == 0:
            self.avg_entry = ZERO
        elif (self.size > 0) != (direction > 0):  # flipped: the remainder opened at price
            self.avg_entry = price
            self.avg_exit = self.avg_exit_size = ZERO
        return realized

    def to_json(self, mark: Decimal, leverage, unrealized_funding=ZERO, liquidation_price=None) -> dict:
        """``unrealized_pnl`` includes the unrealized funding, as Paradex's does."""
        upnl = (mark - self.avg_entry) * self.size + unrealized_funding if self.size else ZERO
        q = Decimal("1e-8")
        return {
            "id": f"{self.account}-{self.market}", "account": self.account, "market": self.market,
            "status": "OPEN" if self.size != 0 else "CLOSED", "side": "LONG" if self.size >= 0 else "SHORT",
            "size": fmt(self.size), "average_entry_price": fmt(self.avg_entry.quantize(Decimal("1e-8"))),
            "average_entry_price_usd": fmt(self.avg_entry.quantize(Decimal("1e-8"))),
            "average_exit_price": fmt(self.avg_exit.quantize(q)), "unrealized_pnl": fmt(upnl.quantize(Decimal("1e-8"))),
            "unrealized_funding_pnl": fmt(unrealized_funding.quantize(q)),
            "realized_positional_pnl": fmt(self.realized_pnl.quantize(Decimal("1e-8"))),
            "realized_positional_funding_pnl": fmt(self.realized_funding),
            "cost": fmt((self.avg_entry * self.size).quantize(Decimal("1e-8"))),
            "cost_usd": fmt((self.avg_entry * self.size).quantize(Decimal("1e-8"))),
            "cached_funding_index": fmt(self.funding_index), "leverage": str(leverage),
            "liquidation_price": fmt(liquidation_price.quantize(q)) if liquidation_price else "",
            "last_fill_id": self.last_fill_id, "created_at": self.created_at, "last_updated_at": self.last_updated_at,
            "closed_at": self.closed_at, "seq_no": self.seq_no,
        }


class Account:
    def __init__(self, address: str, public_key: int, eth_address: str, balance: Decimal, now: int):
        self.address = address
        self.public_key = public_key
        self.eth_address = eth_address
        self.balance = balance
        self.created_at = now
        self.positions: dict = {}
        self.leverage: dict = {}
        self.margin_type: dict = {}
        self.fills: list = []
        self.orders: list = []           # every order placed, oldest first
        self.funding_payments: list = []
        self.transfers: list = []
        self.subkeys: dict = {}          # public key int -> state
        self.seq_no = 0
        self.last_client_ids: dict = {}  # client_id -> order id (open orders)
        # beyond trading (sim/rest_account.py): what the account's own writes set and its reads show
        self.profile: dict = new_profile()
        self.settings: dict = {"trading_value_display": ""}
        self.compliance: list = []       # {action_type, action_version, created_at}, oldest first
        self.tokens: dict = {}           # lookup_id -> ApiToken record (POST /account/tokens)
        self.subkey_meta: dict = {}      # subkey public key int -> {name, allowed_cidrs, created_at, ...} (ns times)
        self.tradebusts: list = []       # {account, busted_fill_id, created_at}, oldest first (no busts yet)

    def subkey_json(self, key: int) -> dict:
        """A subkey as the Subkey schema shapes it (``id``: its registration order, from 1; times in ns)."""
        meta = self.subkey_meta.get(key, {})
        return {"id": list(self.subkeys).index(key) + 1, "account_id": self.address, "public_key": hex(key),
                "state": self.subkeys[key], "name": meta.get("name", ""), "allowed_cidrs": list(meta.get("allowed_cidrs", ())),
                "created_at": meta.get("created_at", 0), "updated_at": meta.get("updated_at", 0),
                "revoked_at": meta.get("revoked_at", 0)}


def new_profile() -> dict:
    """An account's profile before it sets anything (GET /account/profile): no username, no referral code."""
    return {"username": "", "is_username_private": False, "referral_code": "", "referred_by": "",
            "size_currency_display": "", "market_max_slippage": {}, "max_slippage": "", "ai_agent_url": "",
            "notifications": {"announcements": True, "fill_sound": True, "fills": True, "orders": True, "transfers": True},
            "last_seen_notification": 0, "tap_share_rate": None, "xp_share_rate": None}
