"""TWAP (algo) orders of the simulator (sim/algo.py): its algo endpoints and engine, driven by the simulator's clock
(no sleeping)."""
import random
from decimal import Decimal

import aiohttp

from ccxt_paradex.core import curve
from ccxt_paradex.sim import Simulator

from simclient import RawClient

QUIET = {"tick_interval": 0, "summary_interval": 0, "funding_interval": 0, "algo_interval": 0, "check_responses": True}


def children(sim, algo_id):
    """The child orders the simulator placed for an algo order (its own record, to compare the client's with)."""
    return list(sim.algos.algos[algo_id].children)


# ---- the simulator's algo endpoints, raw --------------------------------------------------------------------
async def _raw(sim, session, seed):
    c = RawClient(sim, session, random.Random(seed).randrange(1, curve.EC_ORDER))
    assert (await c.onboard())[0] == 200
    assert (await c.authenticate())[0] == 200
    return c


def _twap(c, market, side, size, duration, ts=None, signer=None, **extra):
    ts = c.sim.clock.ms() if ts is None else ts
    body = {"algo_type": "TWAP", "market": market, "side": side, "type": "MARKET", "size": str(size),
            "duration_seconds": duration, "signature_timestamp": ts,
            "signature": (signer or c.signer).sign_order(ts, market, side, "MARKET", size, None)}
    body.update(extra)
    return body


async def test_the_simulator_refuses_as_the_contract_and_the_venue_would():
    async with Simulator(seed=23, liquidity=False, **QUIET) as sim, aiohttp.ClientSession() as session:
        c = await _raw(sim, session, 1)
        other = await _raw(sim, session, 2)

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
        c = await _raw(sim, session, 3)
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
