"""Paradex message signing: Order, ModifyOrder, auth Request, Onboarding.

``StarkSigner`` binds a STARK private key to an account address and chain; it
is what the exchange classes (and the simulator's tests) sign with. Its repr
and exceptions never contain the private key.
"""
import json
from functools import lru_cache

from ccxt.base.errors import InvalidOrder

from . import backend
from .felt import scale, short_string, to_felt
from .keys import parse_address, parse_stark_private_key, public_key as derive_public_key
from .typed_data import (
    CONSTANT_FIELDS, MODIFY_ORDER_FIELDS, ORDER_FIELDS, REQUEST_FIELDS, message_hash, struct_hash,
)

SIDES = {"BUY": 1, "SELL": 2}
ORDER_TYPES = frozenset({
    "MARKET", "LIMIT", "STOP_LIMIT", "STOP_MARKET", "TAKE_PROFIT_LIMIT", "TAKE_PROFIT_MARKET",
    "STOP_LOSS_LIMIT", "STOP_LOSS_MARKET",
})
# TP/SL that close the whole position may carry size 0 (ccxt sends "0").
_ZERO_SIZE_TYPES = frozenset({"TAKE_PROFIT_LIMIT", "TAKE_PROFIT_MARKET", "STOP_LOSS_LIMIT", "STOP_LOSS_MARKET"})


@lru_cache(maxsize=1024)
def _market_felt(market: str) -> int:
    if not isinstance(market, str) or not market:
        raise InvalidOrder(f"market must be a non-empty string, got {market!r}")
    return short_string(market)


_TYPE_FELTS = {t: short_string(t) for t in ORDER_TYPES}


def order_felts(timestamp_ms, market, side, order_type, size, price=None) -> tuple:
    """Validate and encode the signed fields of an order, in ``Order`` field order.

    The signed price is 0 for MARKET-family types (and must then be absent or 0);
    other types need a positive price. Sizes and prices are scaled by 1e8 exactly.
    """
    side_felt = SIDES.get(str(side).upper()) if side is not None else None
    if side_felt is None:
        raise InvalidOrder(f"unknown order side {side!r}: expected BUY or SELL")
    otype = str(order_type).upper() if order_type is not None else ""
    if otype not in ORDER_TYPES:
        raise InvalidOrder(f"unknown order type {order_type!r}: expected one of {sorted(ORDER_TYPES)}")
    size_q = scale(size, "order size", InvalidOrder)
    if size_q < 0 or (size_q == 0 and otype not in _ZERO_SIZE_TYPES):
        raise InvalidOrder(f"order size must be positive, got {size!r}")
    if "MARKET" in otype:
        price_q = 0 if price is None else scale(price, "order price", InvalidOrder)
        if price_q != 0:
            price_q = 0  # the venue signs market-family orders at price 0
    else:
        if price is None:
            raise InvalidOrder(f"{otype} orders need a price")
        price_q = scale(price, "order price", InvalidOrder)
        if price_q <= 0:
            raise InvalidOrder(f"order price must be positive, got {price!r}")
    ts = int(timestamp_ms)
    if ts <= 0:
        raise InvalidOrder(f"signature timestamp must be positive, got {timestamp_ms!r}")
    return ts, _market_felt(market), side_felt, _TYPE_FELTS[otype], size_q, price_q


def format_signature(r: int, s: int) -> str:
    """The ``PARADEX-STARKNET-SIGNATURE`` / ``signature`` wire form: JSON array of hex strings."""
    return '["' + hex(r) + '","' + hex(s) + '"]'


def parse_signature(text) -> tuple:
    values = json.loads(text) if isinstance(text, str) else text
    if not isinstance(values, (list, tuple)) or len(values) != 2:
        raise ValueError("signature must be a JSON array [r, s]")
    return tuple(int(v, 0) if isinstance(v, str) else int(v) for v in values)


def order_hash(chain_id, account: int, felts: tuple) -> int:
    return message_hash(chain_id, account, struct_hash("Order", ORDER_FIELDS, felts))


def modify_order_hash(chain_id, account: int, felts: tuple, order_id) -> int:
    return message_hash(chain_id, account, struct_hash("ModifyOrder", MODIFY_ORDER_FIELDS, felts + (to_felt(str(order_id)),)))


def auth_hash(chain_id, account: int, timestamp: int, expiration: int, path: str = "/v1/auth",
              method: str = "POST", body: str = "") -> int:
    values = (to_felt(method), to_felt(path), to_felt(body), int(timestamp), int(expiration))
    return message_hash(chain_id, account, struct_hash("Request", REQUEST_FIELDS, values))


def onboarding_hash(chain_id, account: int) -> int:
    return message_hash(chain_id, account, struct_hash("Constant", CONSTANT_FIELDS, (to_felt("Onboarding"),)))


class StarkSigner:
    """Signs Paradex messages for one (account, key, chain)."""

    __slots__ = ("_key", "public_key", "account", "chain_id")

    def __init__(self, private_key, account, chain_id):
        self._key = parse_stark_private_key(private_key)
        self.public_key = derive_public_key(self._key)
        self.account = parse_address(account)
        self.chain_id = chain_id
        backend.warm_up()

    def __repr__(self):
        return f"StarkSigner(account={hex(self.account)}, public_key={hex(self.public_key)}, chain_id={self.chain_id!r})"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("StarkSigner holds a private key and cannot be pickled")

    def sign_hash(self, msg_hash: int) -> str:
        r, s = backend.sign(msg_hash, self._key)
        return format_signature(r, s)

    def sign_order(self, timestamp_ms, market, side, order_type, size, price=None) -> str:
        felts = order_felts(timestamp_ms, market, side, order_type, size, price)
        return self.sign_hash(order_hash(self.chain_id, self.account, felts))

    def sign_modify_order(self, order_id, timestamp_ms, market, side, order_type, size, price=None) -> str:
        felts = order_felts(timestamp_ms, market, side, order_type, size, price)
        return self.sign_hash(modify_order_hash(self.chain_id, self.account, felts, order_id))

    def sign_auth(self, timestamp: int, expiration: int, path: str = "/v1/auth") -> str:
        return self.sign_hash(auth_hash(self.chain_id, self.account, timestamp, expiration, path))

    def sign_onboarding(self) -> str:
        return self.sign_hash(onboarding_hash(self.chain_id, self.account))


def verify(public_key: int, msg_hash: int, signature) -> bool:
    try:
        r, s = parse_signature(signature)
    except (ValueError, TypeError):
        return False
    return backend.verify(public_key, msg_hash, r, s)
