"""Paradex error codes -> ccxt exceptions, and client-side rate limiting per venue bucket."""
import asyncio
import bisect
import json
import os
import time

import ccxt
import pytest

from ccxt_paradex.async_support import paradex
from ccxt_paradex.core import errors, keys
from ccxt_paradex.core.ratelimit import BUCKETS, BucketLimiter
from ccxt_paradex.sim import Simulator
from conftest import DATA

# the documented codes (tests/data/paradex_error_codes.json says where they come from)
CODES = os.path.join(DATA, "paradex_error_codes.json")

EXPECTED = {  # the classes a ccxt user's except-clause relies on
    "ORDER_ID_NOT_FOUND": ccxt.OrderNotFound, "CLIENT_ORDER_ID_NOT_FOUND": ccxt.OrderNotFound,
    "ORDER_IS_CLOSED": ccxt.OrderNotFound, "INVALID_ORDER_SIZE": ccxt.InvalidOrder,
    "DUPLICATED_CLIENT_ID": ccxt.DuplicateOrderId, "NOT_ENOUGH_MARGIN": ccxt.InsufficientFunds,
    "INVALID_ORDER_SIGNATURE": ccxt.AuthenticationError, "STARKNET_SIGNATURE_VERIFICATION_FAILED": ccxt.AuthenticationError,
    "NOT_ONBOARDED": ccxt.AccountNotEnabled, "GEO_IP_BLOCK": ccxt.PermissionDenied, "IP_NOT_ALLOWED": ccxt.PermissionDenied,
    "MARKET_NOT_FOUND": ccxt.BadSymbol, "INVALID_SYMBOL": ccxt.BadSymbol, "INVALID_TIMESTAMP": ccxt.InvalidNonce,
    "SYSTEM_STATUS_CANCEL_ONLY": ccxt.OnMaintenance, "RATE_LIMIT_EXCEEDED": ccxt.RateLimitExceeded,
    "SERVICE_UNAVAILABLE": ccxt.ExchangeNotAvailable, "BATCH_SIZE_OUT_OF_RANGE": ccxt.BadRequest,
    "ETHEREUM_ADDRESS_BLOCKED": ccxt.AccountSuspended, "RPI_ACCOUNT_NOT_WHITELISTED": ccxt.PermissionDenied,
}


def _documented_codes():
    with open(CODES, encoding="utf-8") as f:
        data = json.load(f)
    return set(data["codes"]) | set(data["legacy_aliases"])


def test_every_documented_code_maps_to_a_ccxt_exception():
    codes = _documented_codes()
    assert len(codes) > 100 and "NOT_ONBOARDED" in codes
    for code in codes:
        exc = errors.exception_for(400, {"error": code, "message": "x"})
        assert issubclass(exc, ccxt.BaseError), code
    for code, cls in EXPECTED.items():
        assert errors.exception_for(400, {"error": code, "message": "x"}) is cls, code


def test_statuses_messages_and_order_context():
    assert errors.exception_for(200, {"results": []}) is None
    assert errors.exception_for(429, None) is ccxt.RateLimitExceeded
    assert errors.exception_for(503, None) is ccxt.ExchangeNotAvailable
    assert errors.exception_for(502, "<html>") is ccxt.ExchangeNotAvailable
    assert errors.exception_for(418, None) is ccxt.ExchangeError
    expired = {"error": "UNAUTHORIZED_ERROR", "message": "invalid bearer jwt: token is expired by 5s"}
    assert errors.exception_for(401, expired) is ccxt.AuthenticationError and errors.is_jwt_expired(401, expired)
    assert not errors.is_jwt_expired(401, {"error": "STARKNET_SIGNATURE_VERIFICATION_FAILED", "message": "bad sig"})
    assert not errors.is_jwt_expired(400, expired)
    rejected = {"error": "VALIDATION_ERROR", "message": "order notional below min"}
    assert errors.exception_for(400, rejected) is ccxt.BadRequest
    assert errors.exception_for(400, rejected, order_endpoint=True) is ccxt.InvalidOrder
    assert errors.exception_for(400, {"error": "SOMETHING_NEW", "message": "?"}) is ccxt.BadRequest


def test_websocket_error_objects():
    assert errors.ws_exception_for({"code": 42901, "message": "rate limit"}) is ccxt.RateLimitExceeded
    assert errors.ws_exception_for({"code": 40111, "message": "invalid bearer"}) is ccxt.AuthenticationError
    assert errors.ws_exception_for({"code": -32601, "message": "method"}) is ccxt.NotSupported
    assert errors.ws_exception_for({"code": 100, "message": "m", "data": {"error": "ORDER_ID_NOT_FOUND"}}) is ccxt.OrderNotFound
    assert errors.ws_exception_for({"code": -32602, "message": "bad"}, order_method=True) is ccxt.InvalidOrder


def test_limiter_buckets_are_independent_and_match_the_venue():
    lim = BucketLimiter(safety=1.0)
    assert all(lim.reserve("orders", 1, 0.0) == 0 for _ in range(800))  # the venue's 800/s burst goes out at once
    assert lim.reserve("orders", 1, 0.0) > 0
    assert lim.reserve("public", 1, 0.0) == 0  # a saturated order bucket never delays market data
    assert all(lim.reserve("private_get", 1, 0.0) == 0 for _ in range(120))
    # sliding window: the 121st waits until the first send leaves the 1 s window (a token bucket said ~8 ms,
    # which let 2x the limit through in one sliding second)
    assert lim.reserve("private_get", 1, 0.0) == pytest.approx(1.0)
    assert BUCKETS["orders"] == ((800, 1.0), (17250, 60.0)) and BUCKETS["private_get"] == ((120, 1.0), (600, 60.0))


def test_a_request_is_never_scheduled_before_one_reserved_ahead_of_it():
    """A small request that would fit its window sooner still waits for a larger one queued before it."""
    lim = BucketLimiter({"x": ((10, 1.0),), "public": ((10, 1.0),)}, safety=1.0)
    assert lim.reserve("x", 10, 0.0) == 0.0
    assert lim.reserve("x", 10, 0.0) == pytest.approx(1.0)
    assert lim.reserve("x", 1, 0.5) == pytest.approx(1.5)   # sent at 2.0: the window [1, 2) is full at 1.0
    assert lim.reserve("x", 1, 5.0) == 0.0                  # long after: the queue has drained


def _peak(times, seconds):
    """Most sends inside any window [t, t + seconds) of the send timestamps."""
    times = sorted(times)
    return max(bisect.bisect_left(times, t + seconds) - i for i, t in enumerate(times))


@pytest.mark.parametrize("bucket,per_second,per_minute", [("private_get", 120, 600), ("orders", 800, 17250)])
@pytest.mark.parametrize("rate", [150.0, 1000.0, 20000.0])
def test_sliding_windows_never_exceed_the_venue_limits_measured_from_send_times(bucket, per_second, per_minute, rate):
    """Callers trying ``rate`` requests/s for 90 s (injected time): every 1 s and 60 s window of the scheduled
    send times stays within Paradex's documented limits, with the default safety margin below them."""
    lim = BucketLimiter()
    n = int(min(rate * 90, 30000))
    sends = [i / rate + lim.reserve(bucket, 1, i / rate) for i in range(n)]
    assert sends == sorted(sends)  # first come, first sent
    assert _peak(sends, 1.0) <= per_second and _peak(sends, 60.0) <= per_minute
    # and the limiter is not needlessly slow: it reaches 90 % of the binding limit
    if rate * 60 > per_minute:
        assert _peak(sends, 60.0) >= int(per_minute * 0.9)


async def test_client_stays_under_the_simulators_limits():
    """200 concurrent private GETs (more than the 120/s burst): the client paces itself, the venue never says 429."""
    l1 = "0x" + "3a" * 32
    async with Simulator(seed=5, liquidity=False, tick_interval=0, funding_interval=0, summary_interval=0) as sim:
        ex = paradex({"walletAddress": keys.eth_address(l1), "privateKey": l1, "urls": sim.ccxt_urls()})
        try:
            await ex.load_markets()
            results = await asyncio.gather(*[ex.fetch_open_orders() for _ in range(200)])
            assert all(r == [] for r in results)
            ex.enableRateLimit = False  # without pacing the simulator enforces Paradex's limit
            with pytest.raises(ccxt.RateLimitExceeded):
                await asyncio.gather(*[ex.fetch_open_orders() for _ in range(200)])
        finally:
            await ex.close()


def _burn(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def _wire_exchange(flavour, buckets, sends, cpu):
    """An offline exchange whose transport timestamps each request as it is handed over, then costs ``cpu`` seconds
    of CPU (a request's real work: building, writing, reading, parsing)."""
    from recorder import offline
    ex, _ = offline(flavour)
    ex.enableRateLimit = True
    ex._limiter = BucketLimiter(buckets)
    if flavour == "sync":
        def fetch(url, method="GET", headers=None, body=None):
            sends.append(time.monotonic())
            time.sleep(0.002)
            _burn(cpu)  # (holds the GIL: other threads' wake-ups come late)
            return {"results": []}
    else:
        async def fetch(url, method="GET", headers=None, body=None):
            sends.append(time.monotonic())
            await asyncio.sleep(0.002)  # the round trip; then the answer's CPU blocks the loop, delaying other wake-ups
            _burn(cpu)
            return {"results": []}
    ex.fetch = fetch
    return ex


# Paradex's private GET windows scaled down 20x in time (120/s -> 6 per 50 ms, 600/min -> 30 per 3 s would take
# minutes at full scale): 10 per 50 ms and 40 per 0.5 s, with a transport costing 7 ms of CPU per request, so one
# burst's hand-overs take longer than the short window (the case that put 153-173 requests in a 1 s window)
WIRE_BUCKETS = {"private_get": ((10, 0.05), (40, 0.5)), "public": ((1000, 1.0),)}


@pytest.mark.parametrize("flavour", ["async", "sync"])
def test_limits_hold_at_the_wire_when_requests_cost_cpu(flavour):
    """Every window measured from the moments requests reach the transport stays within the limits (with the
    limiter's margin), however late a paced request leaves its sleep."""
    from recorder import warm
    sends: list = []
    ex = _wire_exchange(flavour, WIRE_BUCKETS, sends, 0.007)
    n = 120
    if flavour == "async":
        async def run():
            await ex.load_markets()
            sends.clear()
            await asyncio.gather(*[ex.fetch_open_orders() for _ in range(n)])
        asyncio.run(run())
    else:
        import concurrent.futures
        warm(ex)
        sends.clear()
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            list(pool.map(lambda _: ex.fetch_open_orders(), range(n)))
    assert len(sends) == n
    assert _peak(sends, 0.05) <= 10 and _peak(sends, 0.5) <= 40, (_peak(sends, 0.05), _peak(sends, 0.5))
    # and the pacing is not needlessly slow: the long window is what binds (40 x 0.9 per 0.5 s)
    assert sends[-1] - sends[0] < (n / 36) * 0.5 + 0.5
