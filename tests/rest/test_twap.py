"""TWAP (algo) orders end to end: createTwapOrder and ccxt's order methods with params['algo'] (sync and async)
against the simulator's algo engine (sim/algo.py), driven by the simulator's clock (no sleeping); every bad
argument refused before anything is sent; every request conforming to the contract."""
import json
import math
from decimal import Decimal

import aiohttp
import ccxt
import pytest

import ccxt_paradex
import ccxt_paradex.async_support
from ccxt_paradex import paradex_algo
from ccxt_paradex.core import contract, keys, signing
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.server import SYSTEM_CONFIG

from recorder import L2_KEY, offline
from simclient import onboarded

L1_KEY = "0x" + "7c" * 32
ETH, BTC = "ETH/USD:USDC", "BTC/USD:USDC"
QUIET = {"tick_interval": 0, "summary_interval": 0, "funding_interval": 0, "algo_interval": 0, "check_responses": True}


SIM_OPTIONS = dict(seed=21, **QUIET)  # (the sim and ex fixtures: tests/conftest.py)


def advance(sim, ex, seconds):
    """Move the venue's clock (the client's clock follows it, as after a /system/time resync), then let the algo
    engine place what is due."""
    sim.thread.call(sim.clock.advance, seconds)
    ex.options["timeDifference"] = (ex.options.get("timeDifference") or 0) - seconds * 1000
    sim.thread.call(sim.algos.tick)


def children(sim, algo_id):
    """The child orders the simulator placed for an algo order (its own record, to compare the client's with)."""
    return list(sim.algos.algos[algo_id].children)


def vwap(trades):
    size = sum(Decimal(str(t["amount"])) for t in trades)
    return sum(Decimal(str(t["amount"])) * Decimal(str(t["price"])) for t in trades) / size


def conforms(sim):
    assert sim.contract.refused == [] and sim.contract.answers == []


def test_children_every_frequency_fill_and_close_the_twap(sim, ex):
    position = {p["symbol"]: p["contracts"] for p in ex.fetch_positions([ETH])}.get(ETH) or 0
    twap = ex.create_twap_order(ETH, "buy", 0.1003, 120_000)  # 4 children: 3 x 0.025, then 0.0253 (the rest)
    assert (twap["status"], twap["type"], twap["side"], twap["amount"], twap["filled"]) == ("open", "market", "buy", 0.1003, 0)
    assert twap["info"]["algo_params"]["duration_seconds"] == "120" and twap["info"]["status"] == "NEW"
    algo_id = twap["id"]
    assert [o["id"] for o in ex.fetch_open_orders(ETH, params={"algo": True})] == [algo_id]
    assert algo_id not in [o["id"] for o in ex.fetch_open_orders(ETH)]  # regular open orders: not an order
    sizes = []
    for k in range(1, 5):
        advance(sim, ex, 25)
        assert len(children(sim, algo_id)) == k - 1, "a child before its time"
        advance(sim, ex, 5)
        placed = children(sim, algo_id)
        assert len(placed) == k
        sizes.append(placed[-1].size)
        if k == 2:  # running: fetchOrder routes by itself (this instance created the id); it is still listed
            running = ex.fetch_order(algo_id)
            assert running["status"] == "open" and running["info"]["status"] == "OPEN"
            assert running["filled"] == pytest.approx(float(sum(c.size - c.remaining for c in placed)))
            assert [o["id"] for o in ex.fetch_open_orders(params={"algo": True})] == [algo_id]
    assert sizes == [Decimal("0.025")] * 3 + [Decimal("0.0253")]
    ids = {c.id for c in children(sim, algo_id)}
    # the children are regular orders of the account: in its order history and its fills, as retail orders
    history = [o for o in ex.fetch_orders(ETH, since=twap["timestamp"]) if o["id"] in ids]
    assert len(history) == 4 and all(o["type"] == "market" and o["status"] == "closed" for o in history)
    trades = [t for t in ex.fetch_my_trades(ETH, since=twap["timestamp"]) if t["order"] in ids]
    assert sum(Decimal(str(t["amount"])) for t in trades) == Decimal("0.1003")
    assert all(t["info"]["flags"] == ["interactive"] for t in trades)
    assert {p["symbol"]: p["contracts"] for p in ex.fetch_positions([ETH])}[ETH] == pytest.approx(position + 0.1003)
    done = ex.fetch_order(algo_id)  # ended: found in /algo/orders-history
    assert (done["status"], done["filled"], done["remaining"]) == ("closed", 0.1003, 0)
    assert done["average"] == pytest.approx(float(vwap(trades)), rel=1e-9)
    assert done["cost"] == pytest.approx(0.1003 * done["average"], rel=1e-9)
    assert done["lastTradeTimestamp"] == done["lastUpdateTimestamp"] >= max(t["timestamp"] for t in trades)
    assert ex.fetch_open_orders(params={"algo": True}) == []
    closed = ex.fetch_closed_orders(ETH, params={"algo": True})
    assert algo_id in [o["id"] for o in closed] and algo_id not in [o["id"] for o in ex.fetch_canceled_orders(ETH, params={"algo": True})]
    conforms(sim)


def test_cancel_stops_the_children_and_history_shows_it_canceled(sim, ex):
    twap = ex.create_twap_order(BTC, "sell", 0.01, 300_000, {"frequency": 60})  # 5 children of 0.002
    assert twap["info"]["algo_params"]["frequency"] == "60"
    advance(sim, ex, 30)
    assert children(sim, twap["id"]) == []
    advance(sim, ex, 30)
    first = children(sim, twap["id"])
    assert [c.size for c in first] == [Decimal("0.002")]
    canceled = ex.cancel_order(twap["id"], BTC)  # routed to DELETE /algo/orders/{id} by itself
    assert canceled["id"] == twap["id"]
    advance(sim, ex, 180)
    assert len(children(sim, twap["id"])) == 1, "a child after the cancel"
    got = ex.fetch_order(twap["id"], BTC)
    child_trades = [t for t in ex.fetch_my_trades(BTC, since=twap["timestamp"]) if t["order"] == first[0].id]
    assert got["status"] == "canceled" and got["info"]["cancel_reason"] == "USER_CANCELED"
    assert got["filled"] == 0.002 and got["remaining"] == pytest.approx(0.008)
    assert got["average"] == pytest.approx(float(vwap(child_trades)), rel=1e-9)
    assert twap["id"] in [o["id"] for o in ex.fetch_canceled_orders(BTC, params={"algo": True})]
    assert twap["id"] in [o["id"] for o in ex.fetch_orders(params={"algo": True, "paginate": True})]
    with pytest.raises(ccxt.OrderNotFound):  # it is not open any more
        ex.cancel_order(twap["id"])
    conforms(sim)


def test_params_algo_reaches_algo_orders_this_instance_did_not_create(sim, ex):
    twap = ex.create_twap_order(ETH, "buy", 0.01, 60_000)
    other = ccxt_paradex.paradex({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY, "urls": sim.ccxt_urls(),
                                  "options": {"timeDifference": ex.options.get("timeDifference")}})
    with pytest.raises(ccxt.OrderNotFound):  # not one of its ids: the regular order endpoints, which do not know it
        other.fetch_order(twap["id"])
    assert other.fetch_order(twap["id"], params={"algo": True})["status"] == "open"
    other.cancel_order(twap["id"], params={"algo": True})
    assert ex.fetch_order(twap["id"])["status"] == "canceled"
    with pytest.raises(ccxt.OrderNotFound):  # {'algo': False} forces the regular endpoints, even for a TWAP's id
        ex.fetch_order(twap["id"], params={"algo": False})
    conforms(sim)


BAD_TWAPS = [
    ((ETH, "buy", 0.1, 10_000), {}), ((ETH, "buy", 0.1, 45_000), {}), ((ETH, "buy", 0.1, 0), {}),
    ((ETH, "buy", 0.1, 100 * 86_400_000), {}), ((ETH, "buy", 0.1, 30_500), {}), ((ETH, "buy", 0.1, -30_000), {}),
    ((ETH, "buy", 0.1, None), {}), ((ETH, "buy", 0.1, math.nan), {}), ((ETH, "buy", 0.1, True), {}),
    ((ETH, "buy", 0.1, "abc"), {}), ((ETH, "buy", 0.1, 86_430_000), {}),
    ((ETH, "buy", 0.1, 60_000), {"reduceOnly": True}), ((ETH, "buy", 0.1, 60_000), {"clientOrderId": "t-1"}),
    ((ETH, "buy", 0.1, 60_000), {"foo": 1}), ((ETH, "buy", 0.1, 60_000), {"postOnly": True}),
    ((ETH, "buy", 0.1, 60_000), {"price": 3000}), ((ETH, "buy", 0.1, 60_000), {"timeInForce": "IOC"}),
    ((ETH, "buy", 0.1, 60_000), {"stopLossPrice": 3000}), ((ETH, "buy", 0.1, 60_000), {"algo": True}),
    ((ETH, "buy", 0.1, 60_000), {"frequency": 0}), ((ETH, "buy", 0.1, 60_000), {"frequency": 1.5}),
    ((ETH, "buy", 0.1, 60_000), {"frequency": "30"}), ((ETH, "buy", 0.1, 60_000), {"frequency": 90}),
    ((ETH, "buy", 0.1, 60_000), {"recvWindow": 5}), ((ETH, "buy", 0.1, 60_000), {"dimeDiscount": "maybe"}),
    ((ETH, "sideways", 0.1, 60_000), {}), ((ETH, "buy", 0, 60_000), {}), ((ETH, "buy", -1, 60_000), {}),
    (("NOPE/USD:USDC", "buy", 0.1, 60_000), {}), ((ETH, "buy", 0.1, 60_000), "x"),
]


@pytest.mark.parametrize("args, params", BAD_TWAPS)
def test_a_bad_argument_is_refused_before_anything_is_signed_or_sent(rec, monkeypatch, args, params):
    ex, sent = rec

    def signing_is_too_late(*a, **k):
        raise AssertionError("signed before the arguments were checked")
    monkeypatch.setattr(paradex_algo, "sign_order", signing_is_too_late)
    with pytest.raises(ccxt.BaseError):
        ex.create_twap_order(*args, params)
    assert sent == []


@pytest.mark.parametrize("call", [
    lambda ex: ex.fetch_open_orders(ETH, params={"algo": True, "status": "OPEN"}),  # GET /algo/orders takes no filters
    lambda ex: ex.fetch_order("123", params={"algo": True, "clientOrderId": "x"}),  # algo orders have no client id
    lambda ex: ex.cancel_order("123", params={"algo": True, "trigger": True}),
    lambda ex: ex.cancel_order(None, params={"algo": True}),
    lambda ex: ex.fetch_order("123", params={"algo": "maybe"}),
    lambda ex: ex.cancel_all_orders(ETH, {"algo": True}),  # no algo cancel-all: refused, not all regular orders cancelled
])
def test_algo_routing_refuses_what_the_algo_endpoints_cannot_take(rec, call):
    ex, sent = rec
    with pytest.raises(ccxt.BaseError):
        call(ex)
    assert sent == []


def test_the_request_is_the_contracts_and_signed_as_a_market_order(rec):
    ex, sent = rec
    ex.create_twap_order(ETH, "sell", 0.25, 3_600_000, {"frequency": 60, "recvWindow": 5000,
                                                          "onBehalfOfAccount": "0xabc", "dimeDiscount": True})
    [(method, url, body)] = sent
    assert method == "POST" and url.endswith("/v1/algo/orders")
    body = json.loads(body)
    assert contract.check_rest("POST", "/algo/orders", body=body) == []
    assert {k: body[k] for k in ("algo_type", "market", "side", "type", "size", "duration_seconds", "frequency",
                                 "recv_window", "on_behalf_of_account", "dime_discount")} == {
        "algo_type": "TWAP", "market": "ETH-USD-PERP", "side": "SELL", "type": "MARKET", "size": "0.25",
        "duration_seconds": 3600, "frequency": 60, "recv_window": 5000, "on_behalf_of_account": "0xabc",
        "dime_discount": True}
    assert set(body) == {"algo_type", "market", "side", "type", "size", "duration_seconds", "frequency", "recv_window",
                         "on_behalf_of_account", "dime_discount", "signature", "signature_timestamp"}
    felts = signing.order_felts(body["signature_timestamp"], "ETH-USD-PERP", "SELL", "MARKET", "0.25", None)
    account = int(ex.options["paradexAccount"]["address"], 16)
    digest = signing.order_hash(SYSTEM_CONFIG["starknet_chain_id"], account, felts)
    assert signing.verify(keys.public_key(L2_KEY), digest, body["signature"])
    assert ex.has["createTwapOrder"] is True


async def test_async_bad_arguments_are_refused_before_anything_is_sent():
    ex, sent = offline("async")
    try:
        await ex.load_markets()
        sent.clear()
        for args, params in BAD_TWAPS:
            with pytest.raises(ccxt.BaseError):
                await ex.create_twap_order(*args, params)
        assert sent == []
        await ex.create_twap_order(ETH, "buy", 0.1, 60_000)  # (the recorder works: a good one is sent)
        assert [(m, u.rsplit("/v1/", 1)[1]) for m, u, _ in sent] == [("POST", "algo/orders")]
    finally:
        await ex.close()


def test_bad_arguments_reach_no_simulator_endpoint(sim, ex):
    before = sum(n for op, n in sim.contract.checked.items() if "algo" in op)
    for args, params in BAD_TWAPS:
        with pytest.raises(ccxt.BaseError):
            ex.create_twap_order(*args, params)
    assert sum(n for op, n in sim.contract.checked.items() if "algo" in op) == before


async def test_async_twap_round_trip():
    async with Simulator(seed=22, **QUIET) as sim:
        ex = ccxt_paradex.async_support.paradex({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY,
                                                 "urls": sim.ccxt_urls()})
        try:
            twap = await ex.create_twap_order(ETH, "buy", 0.06, 90_000)
            assert (await ex.fetch_open_orders(params={"algo": True}))[0]["id"] == twap["id"]
            sim.clock.advance(30)
            ex.options["timeDifference"] = -30_000
            sim.algos.tick()
            assert [c.size for c in children(sim, twap["id"])] == [Decimal("0.02")]
            await ex.cancel_order(twap["id"])
            sim.clock.advance(60)
            sim.algos.tick()
            assert len(children(sim, twap["id"])) == 1
            got = (await ex.fetch_canceled_orders(ETH, params={"algo": True}))[-1]
            assert (got["id"], got["filled"], got["status"]) == (twap["id"], 0.02, "canceled")
            with pytest.raises(ccxt.InvalidOrder):
                await ex.create_twap_order(ETH, "buy", 0.06, 45_000)
            assert sim.contract.checked["POST /algo/orders"] == 1
            conforms(sim)
        finally:
            await ex.close()


# ---- the simulator's algo endpoints, raw --------------------------------------------------------------------


def _twap(c, market, side, size, duration, ts=None, signer=None, **extra):
    ts = c.sim.clock.ms() if ts is None else ts
    body = {"algo_type": "TWAP", "market": market, "side": side, "type": "MARKET", "size": str(size),
            "duration_seconds": duration, "signature_timestamp": ts,
            "signature": (signer or c.signer).sign_order(ts, market, side, "MARKET", size, None)}
    body.update(extra)
    return body


async def test_the_simulator_refuses_as_the_contract_and_the_venue_would():
    async with Simulator(seed=23, liquidity=False, **QUIET) as sim, aiohttp.ClientSession() as session:
        c = await onboarded(sim, session, 1)
        other = await onboarded(sim, session, 2)

        async def post(body):
            status, answer, _ = await c.request("POST", "/algo/orders", body)
            return status, (answer or {}).get("error")
        assert await post(_twap(c, "BTC-USD-PERP", "BUY", "0.01", 45)) == (400, "VALIDATION_ERROR")
        assert await post(_twap(c, "BTC-USD-PERP", "BUY", "0.01", 60, frequency=0)) == (400, "VALIDATION_ERROR")
        assert await post(_twap(c, "BTC-USD-PERP", "BUY", "0.00001", 60)) == (400, "INVALID_ORDER_SIZE")  # < 2 steps
        assert await post(_twap(c, "BTC-USD-PERP", "BUY", "0.01", 60, signer=other.signer)) == (400, "INVALID_ORDER_SIGNATURE")
        assert await post(_twap(c, "BTC-USD-PERP", "BUY", "0.01", 60, ts=sim.clock.ms() - 600_000)) == (400, "INVALID_TIMESTAMP")
        assert await post(_twap(c, "BTC-USD-PERP", "BUY", "0.01", 60, reduce_only=True)) == (400, "BINDING_ERROR")  # the gate
        assert await post(_twap(c, "BTC-USD-PERP", "BUY", "0.01", 60, duration_seconds="60")) == (400, "BINDING_ERROR")
        assert len(sim.contract.refused) == 2 and sim.algos.algos == {}
        status, created, _ = await c.request("POST", "/algo/orders", _twap(c, "BTC-USD-PERP", "BUY", "0.01", 60))
        assert status == 201 and created["status"] == "NEW" and created["end_at"] == created["created_at"] + 60_000
        algo_id = created["id"]
        assert (await other.request("GET", f"/algo/orders/{algo_id}"))[:2] == (404, {"error": "ALGO_ID_NOT_FOUND",
                                                                                       "message": f"algo order {algo_id} not found", "data": None})
        assert (await other.request("DELETE", f"/algo/orders/{algo_id}"))[0] == 404  # another account's
        assert (await other.request("GET", "/algo/orders"))[1] == {"results": []}
        # an empty book: each child closes EMPTY_MARKET, is skipped, and the TWAP runs to its end unfilled
        sim.clock.advance(60)
        sim.algos.tick()
        assert [ch.cancel_reason for ch in children(sim, algo_id)] == ["EMPTY_MARKET"] * 2
        status, page, _ = await c.request("GET", "/algo/orders-history", params={"status": "CLOSED", "page_size": "1"})
        row = page["results"][0]
        assert (row["id"], row["remaining_size"], row["avg_fill_price"], row["cancel_reason"]) == (algo_id, "0.01", "0", "")
        assert (await c.request("GET", f"/algo/orders/{algo_id}"))[0] == 404  # only NEW / OPEN ones
        assert sim.contract.answers == []


async def test_a_child_refused_for_margin_ends_the_twap_with_that_reason():
    async with Simulator(seed=24, initial_balance="100", **QUIET) as sim, aiohttp.ClientSession() as session:
        c = await onboarded(sim, session, 3)
        # 2 children of 0.01 BTC (650 USD at 10x: 65 of margin each); the second cannot be margined
        status, created, _ = await c.request("POST", "/algo/orders", _twap(c, "BTC-USD-PERP", "BUY", "0.02", 60))
        assert status == 201
        sim.clock.advance(60)
        sim.algos.tick()
        placed = children(sim, created["id"])
        assert [ch.cancel_reason for ch in placed] == ["", "NOT_ENOUGH_MARGIN"] and placed[0].remaining < placed[0].size
        algo = sim.algos.algos[created["id"]].to_json()
        assert (algo["status"], algo["cancel_reason"]) == ("CLOSED", "NOT_ENOUGH_MARGIN")
        assert Decimal(algo["remaining_size"]) == Decimal("0.02") - (placed[0].size - placed[0].remaining)
