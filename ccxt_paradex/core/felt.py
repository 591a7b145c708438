"""Felt encoding and fixed-point scaling shared by typed data, orders and SBE."""
from decimal import Decimal, InvalidOperation

from ccxt.base.errors import BadRequest

FIELD_PRIME = 2**251 + 17 * 2**192 + 1
SCALE_DECIMALS = 8
_SCALE = 10**SCALE_DECIMALS


def short_string(text: str) -> int:
    """Cairo short string: ASCII bytes read big-endian, at most 31 characters."""
    data = text.encode("ascii")
    if len(data) > 31:
        raise BadRequest(f"short string longer than 31 characters: {text[:40]!r}")
    return int.from_bytes(data, "big")


def to_felt(value) -> int:
    """Typed-data felt: ints as is, 0x-hex, decimal digits as numbers, else short string."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value)
    if text[:2].lower() == "0x":
        return int(text, 16)
    if text.isdigit():
        return int(text)
    if text == "":
        return 0
    return short_string(text)


def scale(value, what: str = "value", exc=BadRequest) -> int:
    """Exact ``value * 10**8`` as an int; more than 8 decimals is an error, never rounded."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise exc(f"{what} is not a number: {value!r}") from None
    if not d.is_finite():
        raise exc(f"{what} is not a finite number: {value!r}")
    scaled = d.scaleb(SCALE_DECIMALS)
    if scaled != scaled.to_integral_value():
        raise exc(f"{what} {value!r} has more than {SCALE_DECIMALS} decimals")
    return int(scaled)
