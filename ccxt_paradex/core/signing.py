"""Paradex message signing: Order, ModifyOrder, auth Request, Onboarding.

``StarkSigner`` binds a STARK private key to an account address and chain; it
is what the exchange classes (and the simulator's tests) sign with. Its repr
and exceptions never contain the private key.
"""
import json
import threading
from functools import lru_cache

from ccxt.base.errors import InvalidOrder

from . import backend
from .felt import scale, short_string, to_felt
from .keys import parse_address, parse_stark_private_key, public_key as derive_public_key
from .typed_data import (
    CONSTANT_FIELDS, MODIFY_ORDER_FIELDS, ORDER_FIELDS, REQUEST_FIELDS, message_hash, struct_hash, struct_hashes,
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


def order_hashes(chain_id, account: int, felts_list) -> list:
    """``order_hash`` of each, with the chain links that equal prefixes share computed once."""
    return [message_hash(chain_id, account, h) for h in struct_hashes("Order", ORDER_FIELDS, felts_list)]


def modify_order_hash(chain_id, account: int, felts: tuple, order_id) -> int:
    return message_hash(chain_id, account, struct_hash("ModifyOrder", MODIFY_ORDER_FIELDS, felts + (to_felt(str(order_id)),)))


def auth_hash(chain_id, account: int, timestamp: int, expiration: int, path: str = "/v1/auth",
              method: str = "POST", body: str = "") -> int:
    values = (to_felt(method), to_felt(path), to_felt(body), int(timestamp), int(expiration))
    return message_hash(chain_id, account, struct_hash("Request", REQUEST_FIELDS, values))


def onboarding_hash(chain_id, account: int) -> int:
    return message_hash(chain_id, account, struct_hash("Constant", CONSTANT_FIELDS, (to_felt("Onboarding"),)))


# below this many orders per thread, starting a thread (~0.1 ms) costs more than the slice it would sign saves
MIN_ORDERS_PER_THREAD = 4


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
        return self.sign_order_felts(order_felts(timestamp_ms, market, side, order_type, size, price))

    def sign_order_felts(self, felts: tuple) -> str:
        return self.sign_hash(order_hash(self.chain_id, self.account, felts))

    def sign_orders(self, felts_list, threads: int = 1) -> list:
        """Signatures of many orders (their ``order_felts``, already validated), in order. With ``threads`` > 1
        and a backend that releases the GIL, contiguous slices are hashed and signed in that many threads at
        once (the caller's thread takes the first slice; the others are started and joined here, none outlives
        the call). Deterministic (RFC 6979): the same signatures as one thread."""
        n = len(felts_list)
        threads = max(1, min(int(threads), n // MIN_ORDERS_PER_THREAD)) if backend.RELEASES_GIL else 1
        if threads == 1:
            return self._sign_order_slice(felts_list)
        bounds = [(n * k // threads, n * (k + 1) // threads) for k in range(threads)]
        parts: list = [None] * threads
        failures: list = []

        def run(k):
            try:
                parts[k] = self._sign_order_slice(felts_list[bounds[k][0]:bounds[k][1]])
            except BaseException as e:  # noqa: B036 - re-raised in the caller's thread below
                failures.append(e)

        helpers = [threading.Thread(target=run, args=(k,), name="ccxt_paradex-sign", daemon=True)
                   for k in range(1, threads)]
        for t in helpers:
            t.start()
        run(0)
        for t in helpers:
            t.join()
        if failures:
            raise failures[0]
        return [signature for part in parts for signature in part]

    def _sign_order_slice(self, felts_list) -> list:
        return [self.sign_hash(h) for h in order_hashes(self.chain_id, self.account, felts_list)]

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
