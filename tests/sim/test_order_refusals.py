"""The simulator's order refusals: every error answer fits the spec's ApiError shape with a documented code (the
response check covers error bodies too), and the simulator's own batch limit honoured by the contract gate."""

import aiohttp
import pytest

from ccxt_paradex.core import contract
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.contract_gate import ContractRefusal

from simclient import onboarded

QUIET = dict(tick_interval=0, summary_interval=0, funding_interval=0, algo_interval=0)
SOL = "SOL-USD-PERP"  # tick 0.001, step 0.01, mark 150
CODES = set(contract.contract()["rest_error_codes"])


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as s:
        yield s


def _modify(c, order, ts, **change):
    body = {"id": order["id"], "market": order["market"], "side": order["side"], "type": order["type"],
            "size": order["size"], "price": order["price"], "signature_timestamp": ts, **change}
    body["signature"] = c.signer.sign_modify_order(order["id"], ts, body["market"], body["side"], body["type"],
                                                   body["size"], body["price"])
    return body


# ---- error answers --------------------------------------------------------------------------------
async def test_every_refusal_is_a_documented_error_answer(session):
    async with Simulator(seed=71, check_responses=True, liquidity=False, **QUIET) as sim:
        c = await onboarded(sim, session, 71)
        ts = sim.clock.ms()
        refusals = [
            await c.place(SOL, "BUY", "LIMIT", "1", "100.0005"),                       # off the tick
            await c.place(SOL, "BUY", "LIMIT", "1.005", "100"),                        # off the size step
            await c.place(SOL, "BUY", "LIMIT", "0.01", "100"),                         # below min notional
            await c.place("NOPE-USD-PERP", "BUY", "LIMIT", "1", "100"),                # no such market
            await c.place(SOL, "BUY", "LIMIT", "1", "100", ts=ts - 3_600_000),         # outside the receive window
            await c.request("GET", "/orders/123"),
            await c.request("DELETE", "/orders/123"),
            await c.request("GET", "/orders/by_client_id/nobody"),
            await c.request("POST", "/orders/batch", [c.order(SOL, "BUY", "LIMIT", "1", "100")] * 11),
            await c.request("GET", "/fills", params={"page_size": "-1"}),
            await c.request("GET", "/positions", auth=False),
        ]
        _, resting, _ = await c.place(SOL, "BUY", "LIMIT", "1", "100", client_id="twice")
        refusals.append(await c.place(SOL, "BUY", "LIMIT", "1", "100", client_id="twice"))
        refusals.append(await c.request("PUT", f"/orders/{resting['id']}", _modify(c, resting, ts, size="0.005")))
        assert (await c.request("DELETE", f"/orders/{resting['id']}"))[0] == 204
        refusals.append(await c.request("DELETE", f"/orders/{resting['id']}"))
        refusals.append(await c.request("PUT", f"/orders/{resting['id']}", _modify(c, resting, sim.clock.ms(), price="101")))
        codes = [(status, body["error"]) for status, body, _ in refusals]
        assert codes == [
            (400, "VALIDATION_ERROR"), (400, "INVALID_ORDER_SIZE"), (400, "VALIDATION_ERROR"), (400, "MARKET_NOT_FOUND"),
            (400, "INVALID_TIMESTAMP"), (400, "ORDER_ID_NOT_FOUND"), (400, "ORDER_ID_NOT_FOUND"),
            (400, "CLIENT_ORDER_ID_NOT_FOUND"), (400, "BATCH_SIZE_OUT_OF_RANGE"), (400, "INVALID_REQUEST_PARAMETER"),
            (401, "UNAUTHORIZED_ERROR"), (400, "DUPLICATED_CLIENT_ID"), (400, "INVALID_ORDER_SIZE"),
            (400, "ORDER_IS_CLOSED"), (400, "ORDER_IS_NOT_OPEN")]
        assert {code for _, code in codes} <= CODES
        assert sum(sim.contract.errors.values()) == len(refusals)  # each one went through the check
        assert sim.contract.answers == [], sim.contract.answers


def test_the_error_check_records_an_undocumented_code_or_field():
    sim = Simulator(seed=72, check_responses=True, liquidity=False, **QUIET)
    sim.contract.error_answer("POST", "/orders", 400, {"error": "VALIDATION_ERROR", "message": "m", "data": None})
    assert sim.contract.answers == []
    sim.contract.error_answer("POST", "/orders", 400, {"error": "ORDER_TOO_SHINY", "message": "m", "data": None})
    sim.contract.error_answer("GET", "/fills", 400, {"error": "NOT_FOUND", "message": "m", "hint": "x"})
    sim.contract.error_answer("GET", "/fills", 429, {"error": "RATE_LIMIT_EXCEEDED", "message": "m", "data": None})
    assert [(op, [str(v) for v in vs]) for op, vs in sim.contract.answers] == [
        ("POST /orders 400", ["response.error: 'ORDER_TOO_SHINY' is not a documented error code"]),
        ("GET /fills 400", ["response.hint: not a field of this request"])]


# ---- batch limit ----------------------------------------------------------------------------------
async def test_the_batch_limit_option_is_what_the_gate_and_the_handler_take(session):
    async with Simulator(seed=77, batch_limit=20, check_responses=True, liquidity=False, **QUIET) as sim:
        c = await onboarded(sim, session, 77)
        rows = [c.order(SOL, "BUY", "LIMIT", "1", str(100 + i)) for i in range(21)]
        status, body, _ = await c.request("POST", "/orders/batch", rows[:20])
        assert status == 201 and len(body["orders"]) == 20 and body["errors"] in ([], None), body
        assert [(op, v.problem) for op, v in sim.contract.excused] == [
            ("POST /orders/batch", "batch size must be within 1..10")]
        status, body, _ = await c.request("POST", "/orders/batch", rows)
        assert (status, body["error"]) == (400, "BATCH_SIZE_OUT_OF_RANGE") and "1..20" in body["message"]
        sim.contract.ws("order.create_batch", {"orders": rows[:20]})  # the WebSocket batch: the same limit
        with pytest.raises(ContractRefusal):
            sim.contract.ws("order.create_batch", {"orders": rows})
        assert sim.contract.answers == [], sim.contract.answers
    async with Simulator(seed=78, batch_limit=5, liquidity=False, **QUIET) as sim:  # below the spec's 10
        c = await onboarded(sim, session, 78)
        status, body, _ = await c.request("POST", "/orders/batch", [c.order(SOL, "BUY", "LIMIT", "1", "100")] * 6)
        assert (status, body["error"]) == (400, "BATCH_SIZE_OUT_OF_RANGE") and "1..5" in body["message"]
        with pytest.raises(ContractRefusal):  # the default gate: the spec's 10
            Simulator(seed=79, liquidity=False, **QUIET).contract.ws("order.create_batch", {"orders": [{}] * 11})
