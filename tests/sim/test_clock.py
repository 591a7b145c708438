"""The simulator's injectable clock (sim/clock.py): on a ManualClock nothing time-driven happens until the test
advances it, and advancing it fires exactly the timers that came due (keepalive pings, idle close, snapshot
cadence, liquidity ticks, funding samples, injected disconnects); the default clock's timers run by themselves."""
import asyncio
import json
import threading

import aiohttp
import pytest

from ccxt_paradex.sim import Simulator, SimulatorThread
from ccxt_paradex.sim.clock import Clock, ManualClock
from conftest import advance as _advance, eventually

QUIET = {"tick_interval": 0, "summary_interval": 0, "funding_interval": 0, "algo_interval": 0}
SBE = "?sbeSchemaId=1&sbeSchemaVersion=2"
MARKET = "BTC-USD-PERP"


async def _rpc(ws, method, params=None, rid=1, before=None):
    """The answer to a request (``before``: a list getting the channel messages that came ahead of it)."""
    await ws.send_str(json.dumps({"jsonrpc": "2.0", "method": method, "params": params or {}, "id": rid}))
    while True:
        msg = await ws.receive(timeout=5)
        if msg.type == aiohttp.WSMsgType.TEXT:
            data = json.loads(msg.data)
            if data.get("id") == rid:
                return data
            if before is not None:
                before.append(data)


async def test_a_manual_clock_stands_still_and_wakes_exactly_the_sleepers_it_passes():
    clock = ManualClock(start=1_800_000_000)
    woke = []

    async def sleeper(name, seconds):
        await clock.sleep(seconds)
        woke.append((name, clock.s()))
    tasks = [asyncio.ensure_future(sleeper(n, s)) for n, s in (("a", 1), ("b", 2), ("c", 5))]
    await eventually(lambda: len(clock.timers()) == 3)
    assert clock.timers() == [1, 2, 5]
    assert clock.s() == 1_800_000_000 and clock.ms() == 1_800_000_000_000 and not woke
    await _advance(clock, 2)
    assert woke == [("a", 1_800_000_002), ("b", 1_800_000_002)] and clock.overdue() == 0
    clock.advance(-10)  # back in time: nothing wakes
    await asyncio.sleep(0)
    assert len(woke) == 2
    await _advance(clock, 13)
    assert [n for n, _ in woke] == ["a", "b", "c"]
    await asyncio.gather(*tasks)
    await clock.sleep(0)  # no wait, no sleeper left behind
    await clock.sleep(1e-9)  # too small to move a unix time held in a float: due already, not a sleeper forever
    await clock.sleep_until(clock.s())
    assert clock.timers() == []


async def test_a_manual_clock_advanced_from_another_thread_wakes_the_loop():
    clock = ManualClock()
    task = asyncio.ensure_future(clock.sleep(30))
    await eventually(clock.timers)
    thread = threading.Thread(target=clock.advance, args=(30,))
    thread.start()
    thread.join()
    await asyncio.wait_for(task, 5)


async def test_keepalive_pings_a_silent_client_and_drops_it_without_a_pong():
    clock = ManualClock()
    async with Simulator(seed=61, clock=clock, ping_interval=10, **QUIET) as sim:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(sim.ws_url + SBE, autoping=False) as mute, \
                    http.ws_connect(sim.ws_url + SBE) as polite:
                reading = asyncio.ensure_future(polite.receive())  # aiohttp answers pings while it reads
                await eventually(lambda: len(sim.feed.connections) == 2)
                await _advance(clock, 9.9)
                assert len(sim.feed.connections) == 2
                await _advance(clock, 0.1)  # 10 s of silence: a ping to each
                ping = await mute.receive(timeout=5)
                assert ping.type == aiohttp.WSMsgType.PING
                await eventually(lambda: sum(c.heard for c in sim.feed.connections) == 1)  # the polite pong
                await _advance(clock, 5)  # half the interval, no pong from the mute one: dropped
                assert (await mute.receive(timeout=5)).type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
                await eventually(lambda: len(sim.feed.connections) == 1)
                assert not reading.done() and not polite.closed
                reading.cancel()


async def test_a_client_ping_is_answered_and_counts_as_a_sign_of_life():
    """The simulator answers pings itself (its keepalive takes the frames aiohttp's autoping would swallow):
    a client's PING gets a PONG with its payload and resets the silence the keepalive measures."""
    clock = ManualClock()
    async with Simulator(seed=67, clock=clock, ping_interval=10, **QUIET) as sim:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(sim.ws_url + SBE, autoping=False) as ws:
                await eventually(lambda: sim.feed.connections)
                await _advance(clock, 8)
                await ws.ping(b"are you there")
                pong = await ws.receive(timeout=5)
                assert (pong.type, pong.data) == (aiohttp.WSMsgType.PONG, b"are you there")
                await _advance(clock, 8)  # 16 s since the connection opened, 8 since the ping: no ping yet
                (conn,) = sim.feed.connections
                assert conn.heard == 1 and [round(t, 6) for t in clock.timers()] == [2]


async def test_an_unsubscribed_connection_closes_when_the_clock_passes_idle_close():
    clock = ManualClock()
    async with Simulator(seed=62, clock=clock, idle_close=30, **QUIET) as sim:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(sim.ws_url + SBE) as ws:
                await _rpc(ws, "subscribe", {"channel": "trades." + MARKET})
                await _advance(clock, 100)  # subscribed: never idle
                await _rpc(ws, "unsubscribe", {"channel": "trades." + MARKET}, 2)
                await _advance(clock, 29)
                assert len(sim.feed.connections) == 1
                await _advance(clock, 1)
                closing = await ws.receive(timeout=5)
                assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 4031


async def test_periodic_steps_and_snapshot_feeds_run_on_the_injected_clock():
    clock = ManualClock()
    async with Simulator(seed=63, clock=clock, tick_interval=0.5, funding_interval=5, summary_interval=0,
                         algo_interval=0, json_public=True) as sim:
        book, funding = sim.engine.books[MARKET], sim.funding[MARKET]
        seq, samples = book.seq_no, len(funding)
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(sim.ws_url) as ws:
                channel = f"order_book.{MARKET}.snapshot@15@100ms"
                first = []
                await _rpc(ws, "subscribe", {"channel": channel}, before=first)
                assert [m["params"]["data"]["seq_no"] for m in first] == [seq]  # the snapshot on subscribe
                # every timer sleeps on the clock: the snapshot cadence, the liquidity tick, the funding sample,
                # the connection's keepalive (ping_interval 55 s)
                await eventually(lambda: len(clock.timers()) == 4)
                assert [round(t, 6) for t in clock.timers()] == [0.1, 0.5, 5, 55]
                for _ in range(20):
                    await asyncio.sleep(0)
                assert (book.seq_no, len(funding)) == (seq, samples)  # the clock stands still: so does the venue
                await _advance(clock, 0.5)  # one liquidity step (the snapshot feed's cadence too, maybe before it)
                assert book.seq_no > seq and len(funding) == samples
                await _advance(clock, 0.1)  # the cadence again: the new state goes out once
                snap = json.loads((await ws.receive(timeout=5)).data)["params"]["data"]
                assert snap["seq_no"] == book.seq_no
                await _advance(clock, 4.5)
                assert len(funding) == samples + 1 and funding[-1]["created_at"] == clock.ms()


async def test_injected_disconnects_follow_the_clock():
    clock = ManualClock()
    async with Simulator(seed=64, clock=clock, faults="disconnect=20", **QUIET) as sim:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(sim.ws_url + SBE) as ws:
                await _advance(clock, 19)
                assert len(sim.feed.connections) == 1
                await _advance(clock, 1)
                closing = await ws.receive(timeout=5)
                assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 1001


def test_a_simulator_thread_takes_the_clock_and_sync_code_advances_it():
    clock = ManualClock(start=1_800_000_000)
    with SimulatorThread(seed=65, clock=clock, **QUIET) as sim:
        assert sim.clock is clock and sim.market_data.opened_at == 1_800_000_000_000
        clock.advance(3600)
        assert sim.thread.call(sim.clock.ms) == 1_800_003_600_000


@pytest.mark.parametrize("clock", [None, Clock()], ids=["default", "explicit"])
async def test_the_default_clock_is_wall_time_and_its_timers_run_by_themselves(clock):
    async with Simulator(seed=66, clock=clock, tick_interval=0.01, summary_interval=0, funding_interval=0) as sim:
        assert type(sim.clock) is Clock and sim.clock.overdue() == 0
        seq = sim.engine.books[MARKET].seq_no
        await eventually(lambda: sim.engine.books[MARKET].seq_no > seq)  # ticks with nobody advancing anything
        before = sim.clock.s()
        sim.clock.advance(600)
        assert sim.clock.s() - before >= 600
