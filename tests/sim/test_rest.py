"""The simulator's REST behaviour: auth, JWT expiry, validation errors, matching rules, paging, rate limits."""
from decimal import Decimal

import aiohttp
import pytest

from ccxt_paradex.core import keys
from ccxt_paradex.sim import Simulator

from simclient import RawClient, onboarded


@pytest.fixture
async def sim():
    async with Simulator(seed=3, liquidity=False, funding_interval=0) as sim:
        yield sim


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as s:
        yield s




async def test_onboarding_and_auth_errors(sim, session):
    c = await onboarded(sim, session, 1, onboard=False, auth=False)
    status, body = await c.authenticate()
    assert (status, body["error"]) == (400, "NOT_ONBOARDED")
    # onboarding with a signature from another key is refused
    other = await onboarded(sim, session, 2, onboard=False, auth=False)
    headers = {"PARADEX-ETHEREUM-ACCOUNT": "0x" + "1" * 40, "PARADEX-STARKNET-ACCOUNT": hex(c.address),
               "PARADEX-STARKNET-SIGNATURE": other.signer.sign_onboarding()}
    status, body, _ = await c.request("POST", "/onboarding", {"public_key": hex(c.public_key)}, headers, auth=False)
    assert (status, body["error"]) == (400, "STARKNET_SIGNATURE_VERIFICATION_FAILED")
    assert (await c.onboard())[0] == 200
    status, body, _ = await c.request("GET", "/onboarding", params={"account_signer_type": "starknet", "public_key": hex(c.public_key)}, auth=False)
    assert body["exists"] is True and int(body["address"], 16) == c.address
    # stale timestamp, bad signature, then success
    now = int(sim.clock.s())
    status, body = await c.authenticate(ts=now - 3600, expiration=now + 60)
    assert (status, body["error"]) == (400, "INVALID_TIMESTAMP")
    status, body = await c.authenticate(signer=other.signer)
    assert status == 401 and body["error"] == "STARKNET_SIGNATURE_VERIFICATION_FAILED"
    status, body = await c.authenticate()
    assert status == 200 and body["jwt_token"].count(".") == 2


async def test_jwt_expiry_and_malformed(sim, session):
    c = await onboarded(sim, session, 3)
    assert (await c.request("GET", "/account"))[0] == 200
    sim.clock.advance(301)
    status, body, _ = await c.request("GET", "/account")
    assert status == 401 and body["message"].startswith("invalid bearer jwt: token is expired by")
    c.jwt = "garbage"
    status, body, _ = await c.request("GET", "/balance")
    assert status == 401 and "malformed jwt" in body["message"]
    c.jwt = None
    assert (await c.request("GET", "/positions"))[0] == 401


async def test_order_validation_errors(sim, session):
    c = await onboarded(sim, session, 4)
    cases = [
        (c.order("BTC-USD-PERP", "BUY", "LIMIT", "0.01", "60000.05"), "VALIDATION_ERROR"),      # off tick
        (c.order("BTC-USD-PERP", "BUY", "LIMIT", "0.000001", "60000"), "INVALID_ORDER_SIZE"),   # off step
        (c.order("BTC-USD-PERP", "BUY", "LIMIT", "0.0001", "60000"), "VALIDATION_ERROR"),       # min notional
        (c.order("NOPE-USD-PERP", "BUY", "LIMIT", "1", "10"), "MARKET_NOT_FOUND"),
        (c.order("BTC-USD-PERP", "BUY", "LIMIT", "0.01", "60000", ts=sim.clock.ms() - 400_000), "INVALID_TIMESTAMP"),
    ]
    for req, code in cases:
        status, body, _ = await c.request("POST", "/orders", req)
        assert (status, body["error"]) == (400, code), (req, body)
    tampered = c.order("BTC-USD-PERP", "BUY", "LIMIT", "0.01", "60000")
    tampered["price"] = "60001"
    status, body, _ = await c.request("POST", "/orders", tampered)
    assert (status, body["error"]) == (400, "INVALID_ORDER_SIGNATURE")
    assert (await c.place("BTC-USD-PERP", "BUY", "LIMIT", "0.01", "60000"))[0] == 201


async def test_matching_rules(sim, session):
    maker = await onboarded(sim, session, 5)
    taker = await onboarded(sim, session, 6)
    # (prices within the price band: at most 5 % below the mark of 3200 for a sell)
    status, resting, _ = await maker.place("ETH-USD-PERP", "SELL", "LIMIT", "1", "3050")
    assert status == 201 and resting["status"] == "NEW"
    # post-only that would cross is closed, not filled
    _, po, _ = await taker.place("ETH-USD-PERP", "BUY", "LIMIT", "0.5", "3050", instruction="POST_ONLY")
    assert sim.engine.orders[po["id"]].cancel_reason == "POST_ONLY_WOULD_CROSS"
    # IOC partially fills and cancels the rest
    _, ioc, _ = await taker.place("ETH-USD-PERP", "BUY", "LIMIT", "1.5", "3050", instruction="IOC")
    o = sim.engine.orders[ioc["id"]]
    assert (o.status, o.cancel_reason, o.remaining) == ("CLOSED", "REMAINING_IOC_CANCEL", o.size - 1)
    status, body, _ = await taker.request("GET", "/positions")
    assert body["results"][0]["size"] == "1" and body["results"][0]["side"] == "LONG"
    # self-trade prevention (default EXPIRE_TAKER)
    await maker.place("ETH-USD-PERP", "SELL", "LIMIT", "1", "3051")
    _, self_trade, _ = await maker.place("ETH-USD-PERP", "BUY", "LIMIT", "1", "3051")
    assert sim.engine.orders[self_trade["id"]].cancel_reason == "SELF_TRADE"
    # reduce-only on the wrong side is refused
    _, ro, _ = await taker.place("ETH-USD-PERP", "BUY", "LIMIT", "0.1", "2900", flags=["REDUCE_ONLY"])
    assert sim.engine.orders[ro["id"]].cancel_reason == "REDUCE_ONLY_WILL_INCREASE"
    # RPI orders are hidden from the API book and visible in the interactive one
    await maker.place("ETH-USD-PERP", "BUY", "LIMIT", "2", "2990", instruction="RPI")
    _, api_book, _ = await maker.request("GET", "/orderbook/ETH-USD-PERP", auth=False)
    _, ui_book, _ = await maker.request("GET", "/orderbook/ETH-USD-PERP/interactive", auth=False)
    assert ["2990", "2"] not in api_book["bids"] and ["2990", "2"] in ui_book["bids"]
    # stop market triggers on the mark crossing
    _, stop, _ = await taker.place("ETH-USD-PERP", "SELL", "STOP_MARKET", "0.5", trigger_price="2950")
    assert sim.engine.orders[stop["id"]].status == "UNTRIGGERED"
    await maker.place("ETH-USD-PERP", "BUY", "LIMIT", "5", "2940")
    sim.engine.set_mark("ETH-USD-PERP", "2945")
    assert sim.engine.orders[stop["id"]].status == "CLOSED" and sim.engine.orders[stop["id"]].remaining == 0


async def test_cancel_modify_history_pagination(sim, session):
    c = await onboarded(sim, session, 7)
    ids = []
    for i in range(7):
        _, o, _ = await c.place("SOL-USD-PERP", "BUY", "LIMIT", "1", str(100 + i), client_id=f"c{i}")
        ids.append(o["id"])
    assert (await c.request("DELETE", f"/orders/{ids[0]}"))[0] == 204
    assert (await c.request("DELETE", "/orders/by_client_id/c1"))[0] == 204
    status, body, _ = await c.request("DELETE", f"/orders/{ids[0]}")
    assert (status, body["error"]) == (400, "ORDER_IS_CLOSED")
    status, body, _ = await c.request("GET", f"/orders/{ids[0]}")
    assert body["error"] == "ORDER_ID_NOT_FOUND"
    ts = sim.clock.ms()
    modify = {"id": ids[2], "market": "SOL-USD-PERP", "side": "BUY", "type": "LIMIT", "size": "2", "price": "99",
              "signature_timestamp": ts, "signature": c.signer.sign_modify_order(ids[2], ts, "SOL-USD-PERP", "BUY", "LIMIT", "2", "99")}
    status, body, _ = await c.request("PUT", f"/orders/{ids[2]}", modify)
    assert status == 200 and body["size"] == "2" and body["price"] == "99" and body["id"] == ids[2]
    status, body, _ = await c.request("DELETE", "/orders/batch", {"order_ids": [ids[3], "999"], "client_order_ids": ["c4"]})
    assert [r["status"] for r in body["results"]] == ["QUEUED_FOR_CANCELLATION", "NOT_FOUND", "QUEUED_FOR_CANCELLATION"]
    seen, cursor = [], None
    while True:
        params = {"page_size": "3", **({"cursor": cursor} if cursor else {})}
        status, page, _ = await c.request("GET", "/orders-history", params=params)
        seen += [o["id"] for o in page["results"]]
        cursor = page["next"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 7
    status, body, _ = await c.request("GET", "/orders-history", params={"cursor": "forged"})
    assert (status, body["error"]) == (400, "INVALID_REQUEST_PARAMETER")
    assert (await c.request("DELETE", "/orders", params={"market": "SOL-USD-PERP"}))[0] == 200
    assert (await c.request("GET", "/orders"))[1]["results"] == []


async def test_batch_and_subkeys(sim, session):
    c = await onboarded(sim, session, 8)
    good = [c.order("BTC-USD-PERP", "BUY", "LIMIT", "0.01", str(50000 + i)) for i in range(3)]
    status, body, _ = await c.request("POST", "/orders/batch", good)
    assert status == 201 and len(body["orders"]) == 3 and body["errors"] == []
    status, body, _ = await c.request("POST", "/orders/batch", good * 4)
    assert (status, body["error"]) == (400, "BATCH_SIZE_OUT_OF_RANGE")
    sub_key = 0x1234567
    sub_pub = keys.public_key(sub_key)
    status, _, _ = await c.request("POST", "/account/keys/subkeys", {"name": "bot", "public_key": hex(sub_pub)})
    assert status == 201
    from ccxt_paradex.core.signing import StarkSigner
    sub = StarkSigner(sub_key, c.address, sim.config["starknet_chain_id"])
    status, body = await c.authenticate(path=f"/auth/{hex(sub_pub)}", signer=sub)
    assert status == 200
    c.signer = sub  # orders signed by the subkey are accepted
    assert (await c.place("BTC-USD-PERP", "BUY", "LIMIT", "0.01", "50000"))[0] == 201
    status, body, _ = await c.request("POST", "/account/keys/subkeys", {"name": "x", "public_key": "0x99"})
    assert status == 403


async def test_rate_limit_headers_and_429(session):
    async with Simulator(seed=1, liquidity=False, funding_interval=0) as sim:
        sim.limiter.limits = dict(sim.limiter.limits, public=[(5, 60)])
        c = RawClient(sim, session, 99)
        statuses = []
        for _ in range(7):
            status, body, headers = await c.request("GET", "/system/time", auth=False)
            statuses.append(status)
            assert "X-RateLimit-Limit" in headers and "X-RateLimit-Remaining" in headers
        assert statuses == [200] * 5 + [429] * 2
        assert int(headers["Retry-After"]) >= 1


async def test_unknown_market_on_public_routes(sim, session):
    c = RawClient(sim, session, 5)
    status, body, _ = await c.request("GET", "/orderbook/NOPE-USD-PERP", auth=False)
    assert (status, body["error"]) == (404, "MARKET_NOT_FOUND")
    status, body, _ = await c.request("GET", "/orderbook/BTC-USD-PERP", params={"depth": "x"}, auth=False)
    assert (status, body["error"]) == (400, "INVALID_REQUEST_PARAMETER")


async def test_klines_have_no_holes_where_a_minute_had_no_trade():
    """A minute without a trade still has its candle (flat at the last close, volume 0): a paginated fetchOHLCV
    over the simulator never sees a hole at a quiet minute (the intermittent seam in test_ohlcv_beyond_one_request
    when the simulator started just before a minute ended)."""
    from decimal import Decimal

    from ccxt_paradex.sim.market_data import MINUTE_MS
    async with Simulator(seed=3, liquidity=False, funding_interval=0) as sim:
        md, market = sim.market_data, "BTC-USD-PERP"
        last = md.candles[market][-1]
        t0 = last[0] + MINUTE_MS
        md._on_event("trade", market, {"price": "65000", "size": "0.1", "created_at": t0 + 5})
        md._on_event("trade", market, {"price": "65100", "size": "0.2", "created_at": t0 + 3 * MINUTE_MS + 7})
        rows = sim.klines(market, 1, t0, t0 + 3 * MINUTE_MS, "last")
        assert [r[0] for r in rows] == [t0, t0 + MINUTE_MS, t0 + 2 * MINUTE_MS, t0 + 3 * MINUTE_MS]
        assert rows[1][1:] == rows[2][1:] == [65000.0, 65000.0, 65000.0, 65000.0, 0.0]
        assert rows[3][1:] == [65100.0, 65100.0, 65100.0, 65100.0, 0.2]
        assert md.candles[market][-1][5] == Decimal("0.2")


async def test_modifies_keep_the_receive_window_and_gets_list_only_what_the_spec_says(sim, session):
    """A modify signed long ago is refused as a create is (INVALID_TIMESTAMP); GET /orders/{id} answers only OPEN or
    NEW orders (an untriggered stop is not one) and GET /orders/by_client_id only OPEN ones (OpenAPI)."""
    c = await onboarded(sim, session, 8)
    _, o, _ = await c.place("SOL-USD-PERP", "BUY", "LIMIT", "1", "100", client_id="keep")
    old = sim.clock.ms() - 3_600_000
    modify = {"id": o["id"], "market": "SOL-USD-PERP", "side": "BUY", "type": "LIMIT", "size": "2", "price": "99",
              "signature_timestamp": old,
              "signature": c.signer.sign_modify_order(o["id"], old, "SOL-USD-PERP", "BUY", "LIMIT", "2", "99")}
    status, body, _ = await c.request("PUT", f"/orders/{o['id']}", modify)
    assert (status, body["error"]) == (400, "INVALID_TIMESTAMP")
    _, stop, _ = await c.place("SOL-USD-PERP", "SELL", "STOP_LIMIT", "1", "50", client_id="stop", trigger_price="60")
    assert stop["status"] in ("NEW", "UNTRIGGERED")
    assert (await c.request("GET", f"/orders/{stop['id']}"))[1]["error"] == "ORDER_ID_NOT_FOUND"
    assert (await c.request("GET", "/orders/by_client_id/stop"))[1]["error"] == "CLIENT_ORDER_ID_NOT_FOUND"
    status, body, _ = await c.request("GET", "/orders/by_client_id/keep")
    assert status == 200 and body["id"] == o["id"]


async def test_a_market_order_beyond_the_margin_is_refused_and_a_closing_one_is_not(session):
    """paper trading must not let a market order spend collateral the account does not have (it was never checked)."""
    async with Simulator(seed=4, liquidity=True, funding_interval=0, summary_interval=0) as sim:
        c = await onboarded(sim, session, 9)
        mark = sim.engine.mark["BTC-USD-PERP"]
        too_big = str((Decimal(100000) * 10 / mark * Decimal("1.5")).quantize(Decimal("0.001")))  # 1.5x 10x leverage
        _, o, _ = await c.place("BTC-USD-PERP", "BUY", "MARKET", too_big)
        order = sim.engine.orders[o["id"]]
        assert (order.status, order.cancel_reason) == ("CLOSED", "NOT_ENOUGH_MARGIN") and order.remaining == order.size
        _, o, _ = await c.place("BTC-USD-PERP", "BUY", "MARKET", "0.01")
        acct = sim.engine.accounts[hex(c.address)]
        assert sim.engine.orders[o["id"]].remaining == 0 and acct.positions["BTC-USD-PERP"].size == Decimal("0.01")
        sim.engine.accounts[hex(c.address)].balance = Decimal(1)  # now far below the position's margin
        _, o, _ = await c.place("BTC-USD-PERP", "SELL", "MARKET", "0.01")  # a close needs no new margin
        assert sim.engine.orders[o["id"]].remaining == 0 and acct.positions["BTC-USD-PERP"].size == 0


async def test_a_resting_reduce_only_order_is_cancelled_when_the_position_shrinks_below_it(session):
    """paradex-api 4.3: reduce-only orders bigger than the remaining position are cancelled when it shrinks (the
    simulator left them resting, and a later fill flipped the position)."""
    async with Simulator(seed=5, liquidity=True, funding_interval=0, summary_interval=0) as sim:
        c = await onboarded(sim, session, 10)
        acct = sim.engine.accounts[hex(c.address)]
        await c.place("BTC-USD-PERP", "BUY", "MARKET", "0.02")
        far = str((sim.engine.mark["BTC-USD-PERP"] * Decimal("1.5")).quantize(Decimal("0.1")))
        _, big, _ = await c.place("BTC-USD-PERP", "SELL", "LIMIT", "0.02", far, flags=["REDUCE_ONLY"])
        _, small, _ = await c.place("BTC-USD-PERP", "SELL", "LIMIT", "0.01", far, flags=["REDUCE_ONLY"])
        assert sim.engine.orders[big["id"]].status == "OPEN"
        await c.place("BTC-USD-PERP", "SELL", "MARKET", "0.01")  # the position halves: 0.01 left
        assert acct.positions["BTC-USD-PERP"].size == Decimal("0.01")
        closed = sim.engine.orders[big["id"]]
        assert (closed.status, closed.cancel_reason) == ("CLOSED", "REDUCE_ONLY_WILL_INCREASE")
        assert sim.engine.orders[small["id"]].status == "OPEN"  # it still fits
        await c.place("BTC-USD-PERP", "SELL", "MARKET", "0.01")  # flat: nothing is left to reduce
        assert sim.engine.orders[small["id"]].cancel_reason == "REDUCE_ONLY_WILL_INCREASE"


async def test_min_notional_is_measured_at_the_mark_and_only_a_closing_reduce_only_order_may_be_smaller(session):
    async with Simulator(seed=6, liquidity=True, funding_interval=0, summary_interval=0) as sim:
        c = await onboarded(sim, session, 11)
        spec, mark = sim.engine.specs["BTC-USD-PERP"], sim.engine.mark["BTC-USD-PERP"]
        tiny = spec.step * ((spec.min_notional / mark / spec.step).to_integral_value() // 2 or 1)  # half the minimum
        high = str((mark * 3).quantize(spec.tick))  # at this limit price the tiny size would pass
        status, body, _ = await c.place("BTC-USD-PERP", "SELL", "LIMIT", str(tiny), high)
        assert status == 400 and "min notional" in body["message"]
        await c.place("BTC-USD-PERP", "BUY", "MARKET", str(tiny * 40))
        status, body, _ = await c.place("BTC-USD-PERP", "SELL", "LIMIT", str(tiny), high, flags=["REDUCE_ONLY"])
        assert status == 400 and "min notional" in body["message"]  # reduces, but does not close
        await c.place("BTC-USD-PERP", "SELL", "MARKET", str(tiny * 39))
        status, body, _ = await c.place("BTC-USD-PERP", "SELL", "LIMIT", str(tiny), high, flags=["REDUCE_ONLY"])
        assert status == 201, body  # closes the whole (tiny) position
