"""The simulator's WebSocket: handshake, JSON-RPC control plane, channels, sequence numbers, backlog rule."""
import asyncio
import json
import random
from decimal import Decimal

import aiohttp
import pytest

from ccxt_paradex.core import curve
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.ws import Connection

from simclient import RawClient


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as s:
        yield s


async def _rpc(ws, method, params=None, rid=1):
    await ws.send_str(json.dumps({"jsonrpc": "2.0", "method": method, "params": params or {}, "id": rid}))
    while True:
        msg = json.loads((await ws.receive(timeout=5)).data)
        if msg.get("id") == rid:
            return msg


async def test_handshake_requires_supported_sbe(session):
    async with Simulator(seed=1, liquidity=False, funding_interval=0, summary_interval=0) as sim:
        for query in ("", "?sbeSchemaId=1&sbeSchemaVersion=9", "?sbeSchemaId=2&sbeSchemaVersion=1", "?sbeSchemaId=x"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as err:
                await session.ws_connect(sim.ws_url + query)
            assert err.value.status == 400, query


async def test_control_plane_and_private_channels(session):
    async with Simulator(seed=2, liquidity=False, json_public=True, funding_interval=0, summary_interval=0) as sim:
        async with session.ws_connect(sim.ws_url) as ws:
            ack = await _rpc(ws, "subscribe", {"channel": "trades.BTC-USD-PERP"})
            assert ack["result"] == {"channel": "trades.BTC-USD-PERP"} and {"usIn", "usOut", "usDiff"} <= set(ack)
            dup = await _rpc(ws, "subscribe", {"channel": "trades.BTC-USD-PERP"}, 2)
            assert dup["error"]["code"] == -32600
            unknown = await _rpc(ws, "subscribe", {"channel": "nonsense.BTC-USD-PERP"}, 3)
            assert unknown["error"]["code"] == -32600
            bad_market = await _rpc(ws, "subscribe", {"channel": "trades.NOPE-USD-PERP"}, 4)
            assert bad_market["error"]["code"] == -32600
            private = await _rpc(ws, "subscribe", {"channel": "orders.ALL"}, 5)
            assert private["error"]["code"] == 40300
            bad_auth = await _rpc(ws, "auth", {"bearer": "x.y.z"}, 6)
            assert bad_auth["error"]["code"] == 40111  # a JWT, not ours: invalid
            not_a_jwt = await _rpc(ws, "auth", {"bearer": "garbage"}, 16)
            assert not_a_jwt["error"]["code"] == 40110  # OpenRPC: "Malformed bearer token"
            assert (await _rpc(ws, "nope", {}, 7))["error"]["code"] == -32601
            deltas_params = await _rpc(ws, "subscribe", {"channel": "order_book.BTC-USD-PERP.deltas@15@50ms"}, 8)
            assert deltas_params["error"]["message"] == "no parameters expected for deltas topic."

            client = RawClient(sim, session, random.Random(5).randrange(1, curve.EC_ORDER))
            await client.onboard()
            await client.authenticate()
            assert "result" in await _rpc(ws, "auth", {"bearer": client.jwt}, 9)
            assert "result" in await _rpc(ws, "subscribe", {"channel": "orders.ALL"}, 10)
            status, order, _ = await client.place("BTC-USD-PERP", "BUY", "LIMIT", "0.01", "50000")
            assert status == 201
            seen = []
            while len(seen) < 2:
                msg = json.loads((await ws.receive(timeout=5)).data)
                assert msg["method"] == "subscription" and msg["params"]["channel"] == "orders.ALL"
                seen.append(msg["params"]["data"])
            assert [o["status"] for o in seen] == ["NEW", "OPEN"] and seen[0]["id"] == order["id"]
            assert (await _rpc(ws, "unsubscribe", {"channel": "orders.ALL"}, 11))["result"] == {"channel": "orders.ALL"}
            assert (await _rpc(ws, "unsubscribe", {"channel": "orders.ALL"}, 12))["error"]["code"] == -32600


def _apply(book, data):
    if data["update_type"] == "s":
        book.clear()
    for entry in data["inserts"] + data["updates"]:
        book[(entry["side"], Decimal(entry["price"]))] = Decimal(entry["size"])
    for entry in data["deletes"]:
        book.pop((entry["side"], Decimal(entry["price"])), None)


async def test_json_deltas_rebuild_the_true_book(session):
    async with Simulator(seed=4, json_public=True, tick_interval=0.02, funding_interval=0, summary_interval=0) as sim:
        truth = {}
        sim.engine.listeners.append(lambda kind, market, p: kind == "book" and market == "SOL-USD-PERP" and truth.__setitem__(
            p["seq_no"], {(s, price): size for s, book_side in (("BUY", sim.engine.books[market].bids), ("SELL", sim.engine.books[market].asks))
                          for price, size in book_side.aggregated()}))
        async with session.ws_connect(sim.ws_url) as ws:
            await ws.send_str(json.dumps({"jsonrpc": "2.0", "method": "subscribe", "params": {"channel": "order_book.SOL-USD-PERP.deltas"}, "id": 1}))
            local, last_seq, checked = {}, None, 0
            while checked < 150:
                msg = json.loads((await ws.receive(timeout=5)).data)
                if "params" not in msg:
                    continue
                data = msg["params"]["data"]
                if last_seq is not None:
                    assert data["update_type"] == "d" and data["seq_no"] == last_seq + 1
                _apply(local, data)
                last_seq = data["seq_no"]
                if last_seq in truth:
                    assert local == truth[last_seq], last_seq
                    checked += 1


async def test_gap_fault_is_visible_as_a_seq_jump(session):
    async with Simulator(seed=5, json_public=True, tick_interval=0.02, faults="gap=0.2", funding_interval=0, summary_interval=0) as sim:
        async with session.ws_connect(sim.ws_url) as ws:
            await ws.send_str(json.dumps({"jsonrpc": "2.0", "method": "subscribe", "params": {"channel": "order_book.BTC-USD-PERP.deltas"}, "id": 1}))
            seqs = []
            while len(seqs) < 60:
                msg = json.loads((await ws.receive(timeout=5)).data)
                if "params" in msg:
                    seqs.append(msg["params"]["data"]["seq_no"])
            assert any(b - a > 1 for a, b in zip(seqs, seqs[1:]))
            assert all(b > a for a, b in zip(seqs, seqs[1:]))


async def test_snapshot_feed_bbo_trades_summary(session):
    async with Simulator(seed=6, json_public=True, tick_interval=0.02, summary_interval=0.1, funding_interval=0) as sim:
        async with session.ws_connect(sim.ws_url) as ws:
            for i, ch in enumerate(["order_book.ETH-USD-PERP.snapshot@15@50ms", "bbo.ETH-USD-PERP", "trades.ALL", "markets_summary"]):
                await ws.send_str(json.dumps({"jsonrpc": "2.0", "method": "subscribe", "params": {"channel": ch}, "id": i}))
            got = {}
            deadline = asyncio.get_running_loop().time() + 10
            while len(got) < 4 and asyncio.get_running_loop().time() < deadline:
                msg = json.loads((await ws.receive(timeout=5)).data)
                if "params" in msg:
                    got.setdefault(msg["params"]["channel"].split(".")[0], msg["params"]["data"])
            assert set(got) == {"order_book", "bbo", "trades", "markets_summary"}
            book = got["order_book"]
            assert book["update_type"] == "s" and 0 < len(book["inserts"]) <= 30
            assert Decimal(got["bbo"]["bid"]) < Decimal(got["bbo"]["ask"])
            assert {"id", "market", "side", "size", "price", "created_at", "trade_type"} == set(got["trades"])


def test_backlog_rule_disconnects_slow_consumers():
    class FakeWs:
        closed_with = None

        async def close(self, code, message):
            self.closed_with = code

    class FakeFeed:
        backlog_limit = 10

    async def run():
        ws = FakeWs()
        conn = Connection(FakeFeed(), ws, None)
        for _ in range(10):
            conn.push("m")
        assert not conn.closed
        conn.push("m")
        await asyncio.sleep(0)
        return conn, ws

    conn, ws = asyncio.run(run())
    assert conn.closed and ws.closed_with == 1008
