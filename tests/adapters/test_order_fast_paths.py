"""The order path's shortcuts give exactly what the long way gives (issue 15 item 4: less CPU per order,
no weaker checks).

- a price or size already on the market's grid skips ccxt's rounding helpers: the text sent must be what
  ``price_to_precision`` / ``amount_to_precision`` return, for every tick shape;
- a call without params skips reading them: the request must equal the one built with params that are
  all absent;
- ``fetch2`` skips ccxt's retry-option lookups when no retry option is set: the same request goes out, and
  a set option still gets ccxt's retries;
- a handed-in JWT's expiry is decoded once per token, and a new token is decoded again.
"""
import json
import random
from decimal import Decimal

import ccxt
import pytest
from ccxt.base.decimal_to_precision import DECIMAL_PLACES, NO_PADDING, PAD_WITH_ZERO
from ccxt.base.errors import InvalidOrder
from ccxt.base.exchange import Exchange

from ccxt_paradex.adapters import orders
from recorder import _jwt

S = "BTC/USD:USDC"
TICKS = [0.1, 0.01, 0.001, 1e-05, 1e-08, 0.5, 0.25, 5, 1, 10, 2.5, 0.0005]


def _with_tick(ex, tick):
    market = dict(ex.market(S))
    market["precision"] = {"amount": tick, "price": tick}
    ex.markets[S] = market
    return market


def _values(tick, rnd):
    d = Decimal(str(tick))
    for k in [1, 2, 3, 7, 10, 99, 1000, 12345, 650001] + [rnd.randrange(1, 10**7) for _ in range(40)]:
        on = d * k
        yield on  # on the grid
        yield float(on)
        yield format(on, "f")
        yield on + d / 3  # off the grid: ccxt's helpers round / truncate
        yield float(on + d * Decimal("0.5"))  # a tie for ROUND
        yield format(on - d / 7, "f")


@pytest.mark.parametrize("tick", TICKS)
def test_on_grid_shortcut_matches_ccxt_precision_helpers(rec, tick):
    ex, _ = rec
    market = _with_tick(ex, tick)
    rnd = random.Random(tick)
    shortcut = 0
    for value in _values(tick, rnd):
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
        if number >= Decimal("1e15"):
            continue
        if orders._on_step_text(ex, market, "price", number) is not None:
            shortcut += 1
        for key, helper in (("price", ex.price_to_precision), ("amount", ex.amount_to_precision)):
            try:
                expected = helper(S, format(number, "f"))
            except Exception:  # noqa: BLE001 - rounds to 0: ours must refuse it too
                expected = None
            if expected is None or Decimal(expected) <= 0:
                with pytest.raises(InvalidOrder):
                    orders._number(ex, value, key, market, key, False)
            else:
                assert orders._number(ex, value, key, market, key, False) == expected, (tick, value, key)
    assert shortcut >= 50  # the shortcut was really taken (not everything fell through to ccxt's helpers)


def test_on_grid_shortcut_only_in_ccxts_tick_size_mode_without_padding(rec):
    ex, _ = rec
    market = ex.market(S)
    number = Decimal(str(market["precision"]["price"])) * 100
    assert orders._on_step_text(ex, market, "price", number) is not None
    ex.paddingMode = PAD_WITH_ZERO
    assert orders._on_step_text(ex, market, "price", number) is None
    ex.paddingMode = NO_PADDING
    ex.precisionMode = DECIMAL_PLACES
    assert orders._on_step_text(ex, market, "price", number) is None


def test_strict_precision_still_refuses_off_grid_values(rec):
    ex, _ = rec
    ex.options["strictPrecision"] = True
    with pytest.raises(InvalidOrder):
        ex.create_order(S, "limit", "buy", 0.000015, 60000)
    with pytest.raises(InvalidOrder):
        ex.create_order(S, "limit", "buy", 0.01, 60000.05)
    ex.create_order(S, "limit", "buy", 0.01, 60000.1)  # on the grid: accepted


@pytest.mark.parametrize("call", [
    ("limit", "buy", 0.01, 60000.1), ("market", "sell", 0.02, None), ("limit", "sell", "0.003", "61000"),
])
def test_no_params_builds_what_absent_params_build(rec, call):
    ex, _ = rec
    market = ex.market(S)
    absent = {"clientOrderId": None, "postOnly": None, "reduceOnly": None, "stp": None, "triggerPrice": None,
              "timeInForce": None, "flags": None, "recvWindow": None, "onBehalfOfAccount": None, "rpi": None}
    assert orders.build_order(ex, market, *call, {}) == orders.build_order(ex, market, *call, absent)
    assert orders.build_order(ex, market, *call, None) == orders.build_order(ex, market, *call, absent)


def test_option_flags_read_as_before(rec):
    ex, _ = rec
    for value, expected in [(None, False), ("", False), (True, True), (False, False), ("true", True), (1, True),
                            ("off", False)]:
        ex.options["strictPrecision"] = value
        assert orders._option(ex, "strictPrecision", False) is expected
    ex.options["strictPrecision"] = "maybe"
    with pytest.raises(ccxt.BadRequest):
        orders._option(ex, "strictPrecision", False)


def test_fetch2_shortcut_sends_what_ccxts_fetch2_sends(rec):
    ex, sent = rec
    ex.create_order(S, "limit", "buy", 0.01, 60000.1, {"clientOrderId": "a"})
    ours = sent[-1]
    sent.clear()
    ex.fetch2 = lambda *a, **k: Exchange.fetch2(ex, *a, **k)  # ccxt's own fetch2
    ex.create_order(S, "limit", "buy", 0.01, 60000.1, {"clientOrderId": "a"})
    theirs = sent[-1]

    def strip(req):  # the signature timestamp (and so the signature) differ between the two calls
        method, url, body = req[0], req[1], json.loads(req[2])
        body.pop("signature"), body.pop("signature_timestamp")
        return method, url, body
    assert strip(ours) == strip(theirs)


def test_fetch2_retry_options_still_retry(rec):
    ex, sent = rec
    calls = []
    real = ex.fetch

    def flaky(url, method="GET", headers=None, body=None):
        calls.append(url)
        if len(calls) < 3:
            raise ccxt.NetworkError("down")
        return real(url, method, headers, body)
    ex.fetch = flaky
    with pytest.raises(ccxt.NetworkError):
        ex.fetch_balance()
    calls.clear()
    ex.options["maxRetriesOnFailure"] = 2
    ex.fetch_balance()
    assert sum(u.endswith("/balance") for u in calls) == 3  # two failures retried, then the answer


def test_handed_in_jwt_decoded_once_per_token(rec, monkeypatch):
    ex, sent = rec
    from ccxt_paradex import paradex_auth
    decoded = []
    real = paradex_auth._jwt_times
    monkeypatch.setattr(paradex_auth, "_jwt_times", lambda t: decoded.append(t) or real(t))
    token = ex.options["authToken"]
    for _ in range(5):
        ex.fetch_balance()
    assert decoded.count(token) <= 1
    expired = _jwt(1)  # a new token (already expired) is decoded and refused: a fresh login is needed
    ex.options["authToken"] = expired
    assert not ex._jwt_fresh() and expired in decoded
