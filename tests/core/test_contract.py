"""Paradex's request contract (issue 11): the generated file, its validator, the simulator's conformance gate,
every request kind the classes send checked against it, and the readings where the spec and the world differ."""
import asyncio
import json
import os
import subprocess
import sys

import aiohttp
import pytest
from ccxt.base.errors import InvalidOrder, NotSupported, NullResponse, OrderNotFound

import ccxt_paradex.async_support
import ccxt_paradex.pro
from ccxt_paradex.core import contract, keys, signing
from ccxt_paradex.sim import Simulator
from conftest import ROOT, subscribed, within
from recorder import L2_KEY, offline
from simclient import onboarded

S, M = "BTC/USD:USDC", "BTC-USD-PERP"
L1 = "0x" + "5e" * 32
QUIET = {"tick_interval": 0, "summary_interval": 0, "funding_interval": 0}
# Paradex's spec files where a workspace keeps them beside the checkout (optional; see tools/gen_contract.py)
SPEC_DIR = os.environ.get("PARADEX_SPEC_DIR") or os.path.join(ROOT, "..", "shared", "spec")


# ---- the contract file ----------------------------------------------------------------------------------
def test_contract_is_current_with_the_official_specs():
    if not os.path.exists(os.path.join(SPEC_DIR, "openapi.json")):
        pytest.skip(f"Paradex's spec files are not in {SPEC_DIR} (set PARADEX_SPEC_DIR); the committed contract "
                    "records the versions and hashes it was generated from")
    pytest.importorskip("yaml", reason="the generator reads the AsyncAPI file with PyYAML (test extra)")
    out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_contract.py"), "--check", "--spec-dir", SPEC_DIR],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_contract_records_its_sources_and_keeps_facts_only():
    c = contract.contract()
    assert c["sources"]["openapi.json"]["version"] == "1.132.1"
    assert c["sources"]["openrpc.json"]["version"] == "1.3.1"
    assert c["sources"]["asyncapi-2.6.0.yaml"]["version"] == "1.3.1"
    assert all(len(s["sha256"]) == 64 for s in c["sources"].values())
    strings = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                strings.append(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            strings.append(node)
    walk({k: c[k] for k in ("rest", "ws", "channels", "prose_rules", "rest_error_codes")})
    prose = [t for t in strings if " " in t and t.split(" ")[0] not in ("GET", "POST", "PUT", "DELETE", "PATCH")]
    assert len(strings) > 1000 and not prose  # operations, names, types, enums: no prose copied
    order = c["rest"]["POST /orders"]["body"]["schema"]
    assert {"market", "side", "type", "size", "price", "instruction", "signature", "signature_timestamp"} <= set(order["required"])
    assert c["ws"]["order.create"]["params"]["type"]["schema"]["enum"] == ["LIMIT", "MARKET", "STOP_LIMIT", "STOP_MARKET"]
    assert c["ws"]["order.create"]["params"]["flags"]["schema"]["items"]["enum"] == ["REDUCE_ONLY"]
    assert c["prose_rules"]["ws"]["order.cancel"]["one_of_required"] == [["id"], ["client_id", "market"]]
    assert len(c["rest"]) > 100 and "BINDING_ERROR" in c["rest_error_codes"]


# ---- the validator (pure) -------------------------------------------------------------------------------
def _order(**over):
    base = {"market": M, "side": "BUY", "type": "LIMIT", "size": "0.01", "price": "60000", "instruction": "GTC",
            "signature": "[1,2]", "signature_timestamp": 1}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def _problems(violations):
    return sorted((v.where, v.kind) for v in violations)


def test_validator_names_each_kind_of_violation():
    assert contract.check_rest("POST", "/orders", body=_order()) == []
    assert _problems(contract.check_rest("POST", "/orders", body=_order(price=None))) == [("body.price", "spec")]
    assert _problems(contract.check_rest("POST", "/orders", body=_order(type="TRAILING"))) == [("body.type", "spec")]
    assert _problems(contract.check_rest("POST", "/orders", body=_order(signature_timestamp="1"))) == [("body.signature_timestamp", "spec")]
    assert _problems(contract.check_rest("POST", "/orders", body=_order(flags=["REDUCE_ONLY", "HIDDEN"]))) == [("body.flags[1]", "spec")]
    assert _problems(contract.check_rest("POST", "/orders", body=_order(client_id="x" * 65))) == [("body.client_id", "spec")]
    assert _problems(contract.check_rest("POST", "/orders", body=_order(reduceOnly=True))) == [("body.reduceOnly", "unknown")]
    batch = contract.check_rest("POST", "/orders/batch", body=[_order()] * 11)
    assert [v.problem for v in batch] == ["batch size must be within 1..10"]
    assert contract.check_rest("POST", "/orders/batch", body=[_order()] * 10) == []
    assert _problems(contract.check_rest("GET", "/orders-history", query={"page_size": "5001"})) == [("query.page_size", "spec")]
    assert _problems(contract.check_rest("GET", "/orders-history", query={"page_size": "x"})) == [("query.page_size", "spec")]
    assert contract.check_rest("GET", "/orders-history", query={"page_size": "100", "market": M}) == []
    assert _problems(contract.check_rest("GET", "/orders-history", query={"symbol": M})) == [("query.symbol", "unknown")]
    assert _problems(contract.check_rest("DELETE", "/orders/batch", body={})) == [("body", "spec")]
    modify = dict(_order(instruction=None), id="2")
    assert _problems(contract.check_rest("PUT", "/orders/{order_id}", path={"order_id": "1"}, body=modify)) == [
        ("body.id", "spec")]
    assert _problems(contract.check_rest("POST", "/auth", headers={"paradex-starknet-account": "0x1"})) == [
        ("headers.paradex-starknet-signature", "spec"), ("headers.paradex-timestamp", "spec")]
    assert contract.check_rest("POST", "/auth/{public_key}", path={"public_key": "0x1"}, headers={
        "PARADEX-STARKNET-ACCOUNT": "0x1", "PARADEX-STARKNET-SIGNATURE": "[1,2]", "PARADEX-TIMESTAMP": "1"}) == []
    assert _problems(contract.check_rest("GET", "/nowhere")) == [("GET /nowhere", "unknown")]


def test_validator_applies_the_rules_the_spec_states_in_prose():
    assert _problems(contract.check_ws("order.cancel", {"client_id": "a"})) == [("params", "spec")]
    assert contract.check_ws("order.cancel", {"client_id": "a", "market": M}) == []
    assert contract.check_ws("order.cancel", {"id": "1"}) == []
    ws_order = {k: v for k, v in _order().items()}
    assert contract.check_ws("order.create", ws_order) == []
    assert _problems(contract.check_ws("order.create", dict(ws_order, type="TAKE_PROFIT_MARKET"))) == [("params.type", "spec")]
    assert _problems(contract.check_ws("order.create", dict(ws_order, flags=["STOP_CONDITION_BELOW_TRIGGER"]))) == [
        ("params.flags[0]", "spec")]
    assert _problems(contract.check_ws("order.create", {k: v for k, v in ws_order.items() if k != "price"})) == [
        ("params.price", "spec")]
    assert [v.problem for v in contract.check_ws("order.create_batch", {"orders": [ws_order] * 11})] == [
        "batch size must be within 1..10"]
    assert _problems(contract.check_ws("order.create_batch", [ws_order])) == [("params", "spec")]
    assert _problems(contract.check_ws("order.cancel_batch", {"order_ids": ["1"], "client_order_ids": ["a"]})) == [
        ("params.client_order_ids", "unknown")]
    assert contract.immutable_fields("rest", "PUT /orders/{order_id}") == ("market", "side", "type")


def test_channels_come_from_the_asyncapi_file():
    assert contract.check_channel("order_book.BTC-USD-PERP.snapshot@15@50ms@0_1") == []
    assert contract.check_channel("trades.BTC-USD-PERP") == [] and contract.check_channel("markets_summary") == []
    assert [v.where for v in contract.check_channel("order_book.BTC-USD-PERP.snapshot@15@70ms")] == [
        "params.channel.refresh_rate"]
    assert [v.where for v in contract.check_channel("order_book.BTC-USD-PERP.deltas")] == ["params.channel"]
    assert [v.where for v in contract.check_ws("subscribe", {"channel": "tickers.BTC-USD-PERP"})] == ["params.channel"]
    book = {"seq_no": 1, "market": M, "last_updated_at": 1, "update_type": "d", "inserts": [], "updates": [], "deletes": []}
    assert contract.check_channel_payload("order_book.BTC-USD-PERP.snapshot@15@50ms", book) == []
    bad = dict(book, inserts=[{"side": "BID", "price": "1", "size": "1"}], depth=15)
    del bad["deletes"]
    assert _problems(contract.check_channel_payload("order_book.BTC-USD-PERP.deltas", bad)) == [
        ("data.deletes", "spec"), ("data.depth", "unknown"), ("data.inserts[0].side", "spec")]


# ---- the simulator refuses what the spec refuses --------------------------------------------------------


async def test_simulator_refuses_non_conforming_rest_requests():
    async with Simulator(seed=5, liquidity=False, **QUIET) as sim, aiohttp.ClientSession() as session:
        c = await onboarded(sim, session)
        good = c.order(M, "BUY", "LIMIT", "0.001", "50000")
        bad = {k: v for k, v in good.items() if k != "signature_timestamp"}
        status, body, _ = await c.request("POST", "/orders", bad)
        assert (status, body["error"]) == (400, "BINDING_ERROR") and "signature_timestamp" in body["message"]
        status, body, _ = await c.request("POST", "/orders", dict(good, reduceOnly=True))
        assert (status, body["error"]) == (400, "BINDING_ERROR") and "reduceOnly" in body["message"]
        status, body, _ = await c.request("POST", "/orders/batch", [good] * 11)
        assert (status, body["error"]) == (400, "BATCH_SIZE_OUT_OF_RANGE")
        status, body, _ = await c.request("GET", "/orders-history", params={"page_size": "6000"})
        assert (status, body["error"]) == (400, "INVALID_REQUEST_PARAMETER")
        assert sim.engine.orders == {} or all(o.account != hex(c.address) for o in sim.engine.orders.values())
        status, body, _ = await c.request("POST", "/orders", good)
        assert status == 201, body
        assert [key for key, _ in sim.contract.refused] == ["POST /orders", "POST /orders", "POST /orders/batch",
                                                            "GET /orders-history"]


async def test_spec_mode_lets_unknown_fields_through_and_off_checks_nothing():
    async with Simulator(seed=6, liquidity=False, contract="spec", **QUIET) as sim, aiohttp.ClientSession() as session:
        c = await onboarded(sim, session)
        status, body, _ = await c.request("POST", "/orders", dict(c.order(M, "BUY", "LIMIT", "0.001", "50000"), note="x"))
        assert status == 201, body
        bad = {k: v for k, v in c.order(M, "BUY", "LIMIT", "0.001", "50000").items() if k != "instruction"}
        status, body, _ = await c.request("POST", "/orders", bad)
        assert (status, body["error"]) == (400, "BINDING_ERROR")
    async with Simulator(seed=6, liquidity=False, contract="off", **QUIET) as sim, aiohttp.ClientSession() as session:
        c = await onboarded(sim, session)
        status, body, _ = await c.request("POST", "/orders", bad)
        assert status == 201, body  # the engine defaults a missing instruction to GTC, as before the gate
        assert sim.contract.checked == {} and sim.contract.refused == []


async def test_simulator_refuses_non_conforming_ws_calls():
    async with Simulator(seed=7, liquidity=False, **QUIET) as sim, aiohttp.ClientSession() as session:
        c = await onboarded(sim, session)
        async with session.ws_connect(sim.ws_url + "?sbeSchemaId=1&sbeSchemaVersion=2") as ws:
            async def call(i, method, params):
                await ws.send_str(json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}))
                while True:
                    msg = json.loads((await ws.receive(timeout=5)).data)
                    if msg.get("id") == i:
                        return msg
            assert "result" in await call(1, "auth", {"bearer": c.jwt})
            reply = await call(2, "order.cancel", {"client_id": "a"})
            assert reply["error"]["code"] == -32602 and reply["error"]["data"]["error"] == "BINDING_ERROR"
            assert "client_id+market" in reply["error"]["data"]["message"]
            order = c.order(M, "SELL", "TAKE_PROFIT_MARKET", "0", None, trigger_price="90000", flags=["REDUCE_ONLY"])
            reply = await call(3, "order.create", dict(order, price="0"))
            assert reply["error"]["code"] == -32602 and "params.type" in reply["error"]["data"]["message"]
            reply = await call(4, "subscribe", {"channel": "trades." + M, "extra": 1})
            assert reply["error"]["code"] == -32602
            assert "result" in await call(5, "subscribe", {"channel": "trades." + M})
        assert [m for m, _ in sim.contract.refused] == ["order.cancel", "order.create", "subscribe"]


# ---- every request kind the classes send conforms ---------------------------------------------------------
async def _session_of_every_request_kind(ex, sim):
    await ex.load_markets()
    bid = (await ex.fetch_order_book(S, 10))["bids"][0][0]
    low, high = float(ex.price_to_precision(S, bid * 0.8)), float(ex.price_to_precision(S, bid * 1.2))
    # REST orders: each type
    limit = await ex.create_order(S, "limit", "buy", 0.01, low, {"clientOrderId": "c-limit"})
    await ex.create_order(S, "limit", "buy", 0.01, low, {"postOnly": True})
    await ex.create_order(S, "limit", "buy", 0.01, low, {"timeInForce": "IOC"})
    await ex.create_order(S, "market", "buy", 0.02)
    stop_limit = await ex.create_order(S, "limit", "buy", 0.01, high, {"triggerPrice": high})
    await ex.create_order(S, "market", "buy", 0.01, None, {"triggerPrice": high, "triggerDirection": "above"})
    await ex.create_order(S, "limit", "sell", 0.01, high, {"takeProfitPrice": high})
    await ex.create_order(S, "market", "sell", 0, None, {"takeProfitPrice": high})
    await ex.create_order(S, "limit", "sell", 0.01, low, {"stopLossPrice": low})
    await ex.create_order(S, "market", "sell", None, None, {"stopLossPrice": low, "closePosition": True})
    await ex.create_order(S, "limit", "buy", 0.01, low, {"reduceOnly": False, "stp": "EXPIRE_MAKER", "recvWindow": 5000})
    batch = await ex.create_orders([{"symbol": S, "type": "limit", "side": "buy", "amount": 0.01, "price": low - i}
                                    for i in range(3)] + [{"symbol": S, "type": "market", "side": "sell", "amount": 0.01}])
    # edits: every argument, missing arguments, a stop limit's trigger
    await ex.edit_order(limit["id"], S, "limit", "buy", 0.02, low)
    await ex.edit_order(limit["id"], S, None, None, 0.03)
    await ex.edit_order(stop_limit["id"], S, "limit", "buy", 0.01, high, {"triggerPrice": high + 10})
    # reads
    await ex.fetch_order(limit["id"])
    await ex.fetch_order(None, S, {"clientOrderId": "c-limit"})
    await ex.fetch_open_orders(S)
    await ex.fetch_orders(S, None, 5)
    await ex.fetch_closed_orders(S, ex.milliseconds() - 60_000, 10)
    await ex.fetch_my_trades(S, ex.milliseconds() - 60_000, 10)
    await ex.fetch_positions()
    await ex.fetch_balance()
    await ex.fetch_funding_history(S)
    await ex.fetch_trades(S, None, 5)
    await ex.fetch_ticker(S)
    await ex.fetch_ohlcv(S, "1m", ex.milliseconds() - 3_600_000, 10)
    await ex.fetch_funding_rate(S)
    await ex.fetch_deposits()
    # cancels: by id, by client id, batch by ids and client ids, all of a market, all
    await ex.cancel_order(batch[0]["id"], S)
    await ex.cancel_order(None, S, {"clientOrderId": "c-limit"})
    await ex.cancel_orders([batch[1]["id"]], S)
    await ex.cancel_orders([], S, {"clientOrderIds": ["nope"]})
    await ex.cancel_all_orders(S)
    # WebSocket: each order type it takes, batch, edit, each cancel form, cancel-on-disconnect, subscriptions
    ws_limit = await within(ex.create_order_ws(S, "limit", "buy", 0.01, low, {"clientOrderId": "w-limit"}))
    await within(ex.create_order_ws(S, "market", "buy", 0.01))
    await within(ex.create_order_ws(S, "limit", "buy", 0.01, high, {"triggerPrice": high}))
    await within(ex.create_order_ws(S, "market", "buy", 0.01, None, {"triggerPrice": high, "reduceOnly": True}))
    ws_batch = await within(ex.create_orders_ws([{"symbol": S, "type": "limit", "side": "buy", "amount": 0.01, "price": low - i}
                                                 for i in range(2)]))
    await within(ex.edit_order_ws(ws_limit["id"], S, "limit", "buy", 0.02, low))
    await within(ex.edit_order_ws(ws_batch[0]["id"], S, None, None, None, low - 5))
    await within(ex.cancel_order_ws(ws_batch[0]["id"]))
    await within(ex.cancel_order_ws(None, S, {"clientOrderId": "w-limit"}))
    await within(ex.cancel_orders_ws([ws_batch[1]["id"]]))
    await within(ex.cancel_all_orders_ws(S))
    await within(ex.cancel_all_orders_ws())
    await within(ex.set_cancel_on_disconnect_ws(True))
    await within(ex.watch_order_book(S))
    orders = asyncio.ensure_future(ex.watch_orders(S))
    await subscribed(sim, "orders." + M)  # the stream does not replay
    await within(ex.create_order_ws(S, "limit", "buy", 0.01, low))
    await within(orders)
    await ex.cancel_all_orders()


EXPECTED = {
    "POST /onboarding", "POST /auth", "GET /markets", "GET /orderbook/{market}", "POST /orders", "POST /orders/batch",
    "PUT /orders/{order_id}", "GET /orders/{order_id}", "GET /orders/by_client_id/{client_id}", "GET /orders",
    "GET /orders-history", "GET /fills", "GET /positions", "GET /balance", "GET /funding/payments", "GET /trades",
    "GET /markets/summary", "GET /markets/klines", "GET /transfers", "DELETE /orders/{order_id}",
    "DELETE /orders/by_client_id/{client_id}", "DELETE /orders/batch", "DELETE /orders",
    "auth", "subscribe", "order.create", "order.create_batch", "order.modify", "order.cancel", "order.cancel_batch",
    "order.cancel_all", "order.cancel_on_disconnect",
}


async def test_every_request_kind_the_classes_send_conforms_to_the_spec():
    """One session of every request kind (each order type over REST and WebSocket, batches, edits with all and
    with missing arguments, each cancel form, reads, auth, onboarding, subscriptions) through the strict gate:
    nothing refused, nothing let through by a leniency, every kind seen."""
    async with Simulator(seed=8, check_responses=True, **QUIET) as sim:
        ex = ccxt_paradex.pro.paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls()})
        try:
            await _session_of_every_request_kind(ex, sim)
        finally:
            await ex.close()
        assert sim.contract.refused == []
        # the one listed reading the classes rely on: the bare full-depth deltas book channel (observed live; the
        # AsyncAPI file lists only the @15@ forms, which the classes fall back to where it is refused)
        assert [(m, p) for m, v in sim.contract.excused for p in [v.problem]] == [
            ("subscribe", "'order_book.BTC-USD-PERP.deltas' matches no channel of the spec")]
        missing = EXPECTED - set(sim.contract.checked)
        assert not missing, missing
        # the simulator's own answers fit the spec's response schemas (nothing missing, mistyped or beyond it)
        assert sim.contract.answers == [], _answers(sim.contract.answers)
        assert {"orders." + M, "order_book.BTC-USD-PERP.deltas"} <= set(sim.contract.payloads)


async def test_ccxt_builtin_needs_the_listed_price_leniency():
    """ccxt's built-in omits price on market orders: the gate lets that one reading through, and says so."""
    import ccxt.async_support
    async with Simulator(seed=9, **QUIET) as sim:
        creds = {"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls()}
        ours = ccxt_paradex.async_support.paradex(dict(creds))
        try:
            await ours.onboarding()  # ccxt's built-in does not onboard
        finally:
            await ours.close()
        ex = ccxt.async_support.paradex(creds)
        try:
            await ex.load_markets()
            await ex.create_order(S, "market", "buy", 0.01)
        finally:
            await ex.close()
        assert sim.contract.refused == []
        assert [(key, v.where) for key, v in sim.contract.excused] == [("POST /orders", "body.price")]


# ---- item 3 (REST half) and item 5 --------------------------------------------------------------------
def test_rest_market_family_orders_send_price_zero_and_verify():
    ex, sent = offline("sync")
    ex.create_order(S, "market", "buy", 0.01)
    ex.create_order(S, "market", "buy", 0.01, None, {"triggerPrice": 70000})
    ex.create_order(S, "market", "sell", 0, None, {"takeProfitPrice": 70000})
    ex.create_orders([{"symbol": S, "type": "market", "side": "sell", "amount": 0.01}])
    bodies = [json.loads(b) for m, u, b in sent if m == "POST" and "/orders" in u]
    rows = bodies[:3] + bodies[3]
    assert [r["price"] for r in rows] == ["0"] * 4
    pub = keys.public_key(L2_KEY)
    signer = ex.stark_signer()
    for r in rows:
        felts = signing.order_felts(r["signature_timestamp"], r["market"], r["side"], r["type"], r["size"], r["price"])
        assert signing.verify(pub, signing.order_hash(signer.chain_id, signer.account, felts), r["signature"])
        assert contract.check_rest("POST", "/orders", body=r) == []


@pytest.mark.parametrize("params,why", [
    ({"stopLossPrice": 50000}, "STOP_LOSS"),
    ({"takeProfitPrice": 90000}, "TAKE_PROFIT"),
    ({"triggerPrice": 90000, "triggerDirection": "above"}, "STOP_CONDITION_ABOVE_TRIGGER"),
])
async def test_ws_orders_the_websocket_cannot_take_are_refused_naming_rest(params, why):
    ex_rest, _ = offline("async")
    ex = ccxt_paradex.pro.paradex({"options": dict(ex_rest.options), "enableRateLimit": False})
    ex.fetch = ex_rest.fetch
    sent = []

    async def order_request(method, p):
        sent.append(method)
        return {}
    ex._order_request = order_request
    try:
        with pytest.raises(NotSupported, match=f"{why}.*createOrder\\(\\) \\(REST\\)"):
            await ex.create_order_ws(S, "limit", "sell", 0.01, 70000, params)
        with pytest.raises(NotSupported, match="createOrders\\(\\)"):
            await ex.create_orders_ws([{"symbol": S, "type": "limit", "side": "sell", "amount": 0.01, "price": 70000,
                                        "params": params}])
        assert sent == []
        await ex.create_order_ws(S, "limit", "sell", 0.01, 70000, {"triggerPrice": 90000, "reduceOnly": True})
        assert sent == ["order.create"]
    finally:
        await ex.close()
        await ex_rest.close()


# ---- item 4 of "what to build": both readings where the spec and the world differ ---------------------------
@pytest.mark.parametrize("reading", ["ORDER_ID_NOT_FOUND", "NOT_FOUND"])
async def test_fetch_order_of_a_closed_order_falls_back_to_history_on_both_answers(reading):
    async with Simulator(seed=10, closed_order_get=reading, **QUIET) as sim:
        ex = ccxt_paradex.async_support.paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1,
                                                 "urls": sim.ccxt_urls()})
        try:
            await ex.load_markets()
            bid = (await ex.fetch_order_book(S))["bids"][0][0]
            order = await ex.create_order(S, "limit", "buy", 0.01, float(ex.price_to_precision(S, bid * 0.8)))
            await ex.cancel_order(order["id"], S)
            with pytest.raises(OrderNotFound):
                await ex.privateGetOrdersOrderId({"order_id": order["id"]})  # the venue's answer, as ccxt maps it
            fetched = await ex.fetch_order(order["id"], S)
            assert fetched["id"] == order["id"] and fetched["status"] == "canceled"
            edited_closed = ex.edit_order(order["id"], S, None, None, 0.02)
            with pytest.raises(InvalidOrder) as err:  # history has it, the venue refuses to modify a closed order
                await edited_closed
            # the PUT was sent (found in history, not OrderNotFound, a subclass of InvalidOrder) and refused
            assert type(err.value) is InvalidOrder and err.value.paradex_code == "ORDER_IS_NOT_OPEN"
        finally:
            await ex.close()


@pytest.mark.parametrize("reading", ["optional", "required"])
async def test_tp_sl_orders_carry_reduce_only_so_either_reading_takes_them(reading):
    async with Simulator(seed=11, tpsl_reduce_only=reading, **QUIET) as sim:
        ex = ccxt_paradex.async_support.paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1,
                                                 "urls": sim.ccxt_urls()})
        try:
            await ex.load_markets()
            await ex.create_order(S, "market", "buy", 0.02)
            ask = (await ex.fetch_order_book(S))["asks"][0][0]
            tp = await ex.create_order(S, "limit", "sell", 0.01, ask * 1.2, {"takeProfitPrice": ask * 1.2})
            sl = await ex.create_order(S, "TAKE_PROFIT_LIMIT", "sell", 0.01, ask * 1.3, {"triggerPrice": ask * 1.3})
            assert tp["info"]["type"] == "TAKE_PROFIT_LIMIT" and sl["info"]["type"] == "TAKE_PROFIT_LIMIT"
            assert "REDUCE_ONLY" in tp["info"]["flags"] and "REDUCE_ONLY" in sl["info"]["flags"]
            assert tp["reduceOnly"] is True and sl["reduceOnly"] is True
        finally:
            await ex.close()
    if reading == "required":  # the reading refuses a TP/SL without the flag, as ccxt's built-in warns
        async with Simulator(seed=12, liquidity=False, tpsl_reduce_only="required", **QUIET) as sim, \
                aiohttp.ClientSession() as session:
            c = await onboarded(sim, session)
            status, body, _ = await c.request("POST", "/orders", c.order(M, "SELL", "TAKE_PROFIT_LIMIT", "0.01", "90000",
                                                                         trigger_price="90000"))
            assert status == 400 and "REDUCE_ONLY" in body["message"]



def _answers(answers):
    return sorted({(key, v.where.split("[")[0], v.problem) for key, vs in answers for v in vs})


# ---- offline: every unified REST call's requests, sync flavour, against the contract ------------------------
_OFFLINE_CALLS = {
    "fetch_funding_history": lambda ex: ex.fetch_funding_history(S),
    "fetch_tickers": lambda ex: ex.fetch_tickers(),
    "fetch_tickers(symbols)": lambda ex: ex.fetch_tickers([S]),
    "fetch_ticker": lambda ex: ex.fetch_ticker(S),
    "fetch_ohlcv": lambda ex: ex.fetch_ohlcv(S),
    "fetch_ohlcv(since, limit)": lambda ex: ex.fetch_ohlcv(S, "1h", 1_700_000_000_000, 10),
    "fetch_funding_rate": lambda ex: ex.fetch_funding_rate(S),
    "fetch_funding_rates": lambda ex: ex.fetch_funding_rates(),
    "fetch_funding_rate_history": lambda ex: ex.fetch_funding_rate_history(S),
    "fetch_leverage": lambda ex: ex.fetch_leverage(S),
    "fetch_margin_mode": lambda ex: ex.fetch_margin_mode(S),
    "fetch_trades": lambda ex: ex.fetch_trades(S, 1_700_000_000_000, 5),
    "fetch_my_trades": lambda ex: ex.fetch_my_trades(),
    "fetch_orders": lambda ex: ex.fetch_orders(S, 1_700_000_000_000, 5),
    "fetch_open_orders": lambda ex: ex.fetch_open_orders(),
    "fetch_closed_orders": lambda ex: ex.fetch_closed_orders(),
    "fetch_positions": lambda ex: ex.fetch_positions(),
    "fetch_ledger": lambda ex: ex.fetch_ledger(),
    "fetch_deposits": lambda ex: ex.fetch_deposits(),
    "fetch_withdrawals": lambda ex: ex.fetch_withdrawals(),
    "fetch_balance": lambda ex: ex.fetch_balance(),
    "fetch_time": lambda ex: ex.fetch_time(),
    "fetch_status": lambda ex: ex.fetch_status(),
    "fetch_open_interests": lambda ex: ex.fetch_open_interests(),
    "fetch_last_prices": lambda ex: ex.fetch_last_prices(),
    "fetch_my_liquidations": lambda ex: ex.fetch_my_liquidations(S),
    "fetch_order_book": lambda ex: ex.fetch_order_book(S, 20),
    "fetch_accounts": lambda ex: ex.fetch_accounts(),
    "set_leverage": lambda ex: ex.set_leverage(5, S),
    "set_margin_mode": lambda ex: ex.set_margin_mode("cross", S, {"leverage": 5}),
    "fetch_all_greeks": lambda ex: ex.fetch_all_greeks(),
    "create_order limit": lambda ex: ex.create_order(S, "limit", "buy", 0.01, 60000, {"clientOrderId": "a#1"}),
    "create_order stop market": lambda ex: ex.create_order(S, "market", "sell", 0.01, None, {"triggerPrice": 50000}),
    "create_order tp limit": lambda ex: ex.create_order(S, "limit", "sell", 0.01, 70000, {"takeProfitPrice": 70000}),
    "create_orders": lambda ex: ex.create_orders([{"symbol": S, "type": "limit", "side": "buy", "amount": 0.01, "price": 60000}] * 2),
    "edit_order": lambda ex: ex.edit_order("1", S, "limit", "buy", 0.02, 60000),
    "edit_order (amount only)": lambda ex: ex.edit_order("1", S, None, None, 0.02),
    "cancel_order": lambda ex: ex.cancel_order("1", S),
    "cancel_order by client id": lambda ex: ex.cancel_order(None, S, {"clientOrderId": "a#1"}),
    "cancel_orders": lambda ex: ex.cancel_orders(["1", "2"], S),
    "cancel_all_orders": lambda ex: ex.cancel_all_orders(S),
    "fetch_order": lambda ex: ex.fetch_order("1"),
    "fetch_order by client id": lambda ex: ex.fetch_order(None, S, {"clientOrderId": "a#1"}),
}


@pytest.mark.parametrize("name", sorted(_OFFLINE_CALLS))
def test_every_rest_call_builds_conforming_requests(name):
    from urllib.parse import parse_qsl, unquote, urlsplit
    ex, sent = offline("sync")
    ex.load_markets()
    before = len(sent)
    try:
        _OFFLINE_CALLS[name](ex)
    except NullResponse:
        pass  # the recorder's canned answers are not every endpoint's; what was sent is what is checked
    requests = sent[before:]
    assert requests, "nothing was sent"
    for method, url, body in requests:
        parts = urlsplit(url)
        found = contract.match_rest(method, unquote(parts.path.split("/v1", 1)[1]))
        assert found is not None, (method, parts.path)
        template, path_params = found
        violations = contract.check_rest(method, template, path=path_params, query=dict(parse_qsl(parts.query)),
                                         body=json.loads(body) if body else contract.MISSING)
        assert violations == [], (method, template, [str(v) for v in violations])
