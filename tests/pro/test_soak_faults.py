"""What the soak run (tools/soak.py) found, each as a fast test against the simulator and its ``Chaos`` faults.

- A silent (half-open) connection: the venue reads the client's requests but nothing it sends gets through. An
  order request that waits ``wsOrderTimeout`` s without one frame arriving drops the socket, so the next request
  and the watchers move to a fresh connection at once; before, every request on it timed out until ccxt's
  ping-pong keep-alive gave it up (40-60 s with the defaults: the soak saw six order requests time out in a row).
  A connection that is alive but does not answer one request (frames keep arriving) is kept.
- ``Chaos`` itself: a stalled connection lets no close frame through either, a delayed one delivers what it
  held before its close frame (a path never loses frames and then delivers later ones), ``end()`` closes the
  stalled ones.
"""
import asyncio
import json

import ccxt
import pytest

from ccxt_paradex.pro import paradex
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.faults import Chaos
from conftest import QUIET, eventually, far_bid, pro_exchange, subscribed, within

SYMBOL, MARKET = "BTC/USD:USDC", "BTC-USD-PERP"
L1 = "0x" + "6a" * 32


def _exchange(sim, **options):
    return pro_exchange(sim, L1, **options)


def _account(sim):
    return next(a for a in sim.engine.accounts if a not in sim.engine.ephemeral)


async def test_an_unanswered_request_on_a_silent_connection_drops_it():
    async with Simulator(seed=91, **QUIET) as sim:
        ex = _exchange(sim, wsProbeTimeout=0.3)
        try:
            await ex.load_markets()
            low = await far_bid(ex, SYMBOL)
            await within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low))
            dead = ex.clients[ex.get_ws_url()]
            # the first order's account update arrives after its answer: the socket is quiet once it is in
            await eventually(lambda: ex.milliseconds() - (dead.last_message_at or 0) > 100, 3, "no quiet socket")
            assert Chaos(sim, 1).fire("stall", _account(sim))
            ex.options["wsOrderTimeout"] = 0.3  # short for the request meant to time out only (a busy machine)
            with pytest.raises(ccxt.RequestTimeout):
                await within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low - 1))
            ex.options["wsOrderTimeout"] = 10
            # the silent socket answered no ping either: given up (before: it stayed, and the next request timed out)
            await eventually(lambda: dead.closed() and dead not in ex._sessions, 5, "the silent socket was kept")
            order = await within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low - 2))
            assert order["status"] == "open" and ex.clients[ex.get_ws_url()] is not dead and ex.reconnects == 1
            # the request that timed out did reach the venue: only its answer was lost
            prices = sorted(float(o.price) for o in sim.engine.orders.values() if o.account == _account(sim))
            assert prices == [low - 2, low - 1, low]
        finally:
            await ex.close()


async def test_a_live_connection_that_leaves_one_request_unanswered_is_kept():
    async with Simulator(seed=92, **QUIET) as sim:
        ex = _exchange(sim)
        try:
            await ex.load_markets()
            low = await far_bid(ex, SYMBOL)
            await within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low))
            ex.options["wsOrderTimeout"] = 0.3  # short for the request meant to time out only (a busy machine)
            watcher = asyncio.ensure_future(ex.watch_ticker(SYMBOL))  # (its frames: the connection is alive)
            await subscribed(sim, "markets_summary." + MARKET)
            client = ex.clients[ex.get_ws_url()]
            dispatch = sim.feed.dispatch

            def swallow_creates(conn, text):  # the venue leaves order.create unanswered
                if json.loads(text).get("method") == "order.create":
                    asyncio.get_running_loop().call_soon(sim.feed.publish_summaries)  # ...while frames still arrive
                    return None
                return dispatch(conn, text)
            sim.feed.dispatch = swallow_creates
            with pytest.raises(ccxt.RequestTimeout):
                await within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low - 1))
            assert watcher.done() and not client.closed() and client in ex._sessions and ex.reconnects == 0
        finally:
            await ex.close()


async def test_a_slow_venue_on_a_quiet_connection_keeps_it_and_the_resting_orders():
    """An orders-only socket (cancel-on-disconnect armed) carries nothing for longer than the order timeout while the
    venue does not answer an order request: the ping the socket is then sent is answered, so it stays and the venue
    cancels nothing (dropping it would have cancelled every resting order)."""
    async with Simulator(seed=94, **QUIET) as sim:
        ex = _exchange(sim, cancelOnDisconnect=True, wsProbeTimeout=2)
        try:
            await ex.load_markets()
            low = await far_bid(ex, SYMBOL)
            resting = await within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low))
            client = ex.clients[ex.get_ws_url()]
            session = ex._sessions[client]
            dispatch = sim.feed.dispatch

            def swallow_creates(conn, text):  # the venue leaves order.create unanswered and sends nothing else
                return None if json.loads(text).get("method") == "order.create" else dispatch(conn, text)
            sim.feed.dispatch = swallow_creates
            # the first order's account update arrives after its answer: the socket is quiet once it is in
            await eventually(lambda: ex.milliseconds() - (client.last_message_at or 0) > 100, 3, "no quiet socket")
            pings, ping = [], client.connection.ping

            async def counted_ping(*args):
                pings.append(1)
                return await ping(*args)
            client.connection.ping = counted_ping
            ex.options["wsOrderTimeout"] = 0.3
            with pytest.raises(ccxt.RequestTimeout):
                await within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low - 1))
            # the silent socket was probed with a ping, and the probe ended on its pong
            await eventually(lambda: pings == [1] and not session.tasks, 3, lambda: (pings, session.tasks))
            sim.feed.dispatch = dispatch
            assert not client.closed() and client in ex._sessions and ex.reconnects == 0
            assert (await within(ex.fetch_order(resting["id"], SYMBOL)))["status"] == "open"
        finally:
            await ex.close()


async def test_chaos_stall_lets_no_close_frame_through_and_delay_delivers_before_closing():
    async with Simulator(seed=93, **QUIET) as sim:
        ex = paradex({"urls": sim.ccxt_urls()})
        try:
            codes = []  # the close codes the client saw (1006: the stream ended without a close frame)
            on_close = ex.on_close
            ex.on_close = lambda client, code: (codes.append(code), on_close(client, code))
            await within(ex.watch_order_book(SYMBOL))
            chaos = Chaos(sim, 2)
            assert chaos.fire("delay", seconds=30) and chaos.disrupted()
            for _ in range(5):
                sim.liquidity.step()  # book changes while the path is slow: held, not lost
            venue_seq = sim.engine.books[MARKET].seq_no
            client = ex.clients[ex.get_ws_url()]
            assert ex._books[MARKET].seq < venue_seq
            await sim.feed.disconnect_all()  # the held frames go out before the close frame
            await eventually(lambda: client.closed())
            assert ex._books[MARKET].seq == venue_seq and codes[0] == 1001
            codes.clear()

            await within(ex.watch_order_book(SYMBOL))  # reconnected
            codes.clear()
            assert chaos.fire("stall")
            client = ex.clients[ex.get_ws_url()]
            await sim.feed.disconnect_all()  # on a dead path: the client sees the stream end, no close frame
            await eventually(lambda: client.closed())
            assert codes == [1006]

            await within(ex.watch_order_book(SYMBOL))
            assert chaos.fire("stall") and chaos.disrupted()
            chaos.end()  # faults off: the stalled connection is closed, the client reconnects
            await eventually(lambda: not chaos.disrupted() and not sim.feed.connections or ex.reconnects == 3)
            await within(ex.watch_order_book(SYMBOL))
            assert chaos.counts == {"delay": 1, "stall": 2}
        finally:
            await ex.close()


async def test_the_gap_of_a_connection_silent_from_its_start_begins_at_its_last_frame():
    """A connection goes silent right after its last frame at t=1000 ms; ccxt's ping loop, on its first tick at
    t=21000 ms, sets ``lastPong`` to now although no pong ever came (``self.lastPong = now if self.lastPong is None``),
    and the keep-alive gives the connection up later. The private streams' gap must start at 1000 ms: from 21000 ms
    (less the 10 s margin) the reconciliation would not read what the venue published between 1000 and 11000 ms."""
    ex = paradex({"urls": {"api": {"ws": "ws://127.0.0.1:9/v1"}}})
    try:
        ex._private_since_ms = 0
        client = ex.client(ex.get_ws_url())
        session = ex.ws_session(client)
        client.last_message_at, client.lastPong = 1_000, 21_000  # (no PONG was read: last_message_at counts those)
        ex._connection_lost(client)
        assert session.lost_at == 1_000 and ex._private_gap_since == 1_000
    finally:
        await ex.close()
