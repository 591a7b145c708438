"""One session per WebSocket connection (ccxt_paradex/pro/session.py) against the simulator: the venue's
connection rules as defaults (an order-entry socket is never idle; a reconnect delivers what changed while
the socket was down; close() ends every waiter with a ccxt error) and the reconnect backoff on an injected
clock (no wall-clock sleeps)."""
import asyncio
import itertools
import json

import aiohttp
import ccxt
import pytest

from ccxt_paradex.pro.connection import ParadexConnection
from ccxt_paradex.pro.private import ParadexPrivateStreams
from ccxt_paradex.pro.public import ParadexPublicStreams
from ccxt_paradex.pro.trading import ParadexWsTrading
from ccxt_paradex.pro.session import CLOSED, LIVE
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.clock import ManualClock
from conftest import advance as _advance, eventually as _eventually, held_channels, pro_exchange, subscribed as _subscribed, within as _within

SYMBOL, MARKET = "BTC/USD:USDC", "BTC-USD-PERP"
L1 = "0x" + "4e" * 32
QUIET = {"tick_interval": 0, "summary_interval": 0, "funding_interval": 0}


def _exchange(sim, **options):
    return pro_exchange(sim, L1, **options)


class GatedClock:
    """An injected ws_clock: the venue's time as usual, but reconnect backoff sleeps return at once - or, while
    the gate is closed, wait for the test to open it (the socket stays down for exactly as long as the test
    wants). Every requested delay is recorded."""

    def __init__(self, ex):
        self.real = ex.ws_clock
        self.gate = asyncio.Event()
        self.gate.set()
        self.sleeps = []

    def now(self):
        return self.real.now()

    async def sleep(self, seconds):
        self.sleeps.append(seconds)
        await self.gate.wait()


async def _far_bid(ex, factor=0.9):
    bid = (await ex.fetch_order_book(SYMBOL))["bids"][0][0]
    return float(ex.price_to_precision(SYMBOL, bid * factor))


def test_the_mixins_override_nothing_of_each_other_so_their_order_cannot_matter():
    """Each mixin of the pro class keeps its own names: none overrides another through super(), so no behaviour
    depends on the order of the base classes (only the pro class itself composes them)."""
    mixins = (ParadexConnection, ParadexPublicStreams, ParadexPrivateStreams, ParadexWsTrading)
    names = {m: {k for k in vars(m) if not (k.startswith("__") and k.endswith("__"))} for m in mixins}
    for a, b in itertools.combinations(mixins, 2):
        assert not names[a] & names[b], (a.__name__, b.__name__, names[a] & names[b])


async def test_a_socket_used_only_for_order_entry_keeps_one_private_subscription():
    """Paradex may close a connection without any subscription (close code 4031): the simulator does so after
    0.3 s of its clock; a socket that only places orders keeps the 'account' channel and is never closed."""
    clock = ManualClock()  # (its idle timers fire when the test advances it)
    async with Simulator(seed=81, idle_close=0.3, clock=clock, **QUIET) as sim:
        # the simulator plays the rule: a bare authenticated socket is closed with 4031
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(sim.ws_url + "?sbeSchemaId=1&sbeSchemaVersion=2") as raw:
                await raw.send_str(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "order.cancel_all", "params": {}}))
                assert json.loads((await raw.receive(timeout=5)).data)["error"]["code"] == 40300
                await _advance(clock, 0.3)
                closing = await raw.receive(timeout=5)
                assert closing.type == aiohttp.WSMsgType.CLOSE and closing.data == 4031
        ex = _exchange(sim)
        try:
            await ex.load_markets()
            low = await _far_bid(ex)
            first = await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low))
            await _subscribed(sim, "account")
            await _advance(clock, 0.8)  # the simulator's idle timer ran out twice over
            second = await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low - 1))
            assert (first["status"], second["status"]) == ("open", "open")
            assert ex.reconnects == 0 and len(sim.feed.connections) == 1 and held_channels(sim) == {"account"}
            client = ex.client(ex.get_ws_url())
            assert not [k for k in vars(client) if k.startswith("_paradex")]  # the session holds it all
            assert ex.current_session().client is client and ex.current_session().live
            balance = asyncio.ensure_future(ex.watch_balance())  # a watcher shares the keep-alive channel
            await _subscribed(sim, "account", "tradebusts")
            await _within(ex.create_order_ws(SYMBOL, "market", "buy", 0.001))
            # (a balance watch brings the trade busts along)
            assert (await _within(balance))["USDC"]["total"] > 0 and held_channels(sim) == {"account", "tradebusts"}
        finally:
            await ex.close()


async def test_a_reconnect_delivers_once_what_changed_while_the_socket_was_down():
    """While the socket is down an open order is canceled and a market order is created and filled: after the
    reconnect watch_orders delivers each final state exactly once (and nothing it had already delivered),
    watch_positions the venue's position and watch_balance the venue's collateral."""
    async with Simulator(seed=82, **QUIET) as sim:
        ex = _exchange(sim, wsBackoffBase=0.01)
        clock = ex.ws_clock = GatedClock(ex)
        orders_seen, positions_seen, balances = [], [], []

        async def orders_loop():
            while True:
                for o in await ex.watch_orders():
                    orders_seen.append((o["id"], o["status"], o["filled"]))

        async def positions_loop():
            while True:
                positions_seen.append({p["symbol"]: p["contracts"] for p in await ex.watch_positions()})

        async def balance_loop():
            while True:
                balances.append((await ex.watch_balance())["info"])

        tasks = [asyncio.ensure_future(f()) for f in (orders_loop, positions_loop, balance_loop)]
        try:
            await ex.load_markets()
            await _subscribed(sim, "orders.ALL", "positions", "account")
            low = await _far_bid(ex)
            kept = await ex.create_order(SYMBOL, "limit", "buy", 0.01, low)
            canceled = await ex.create_order(SYMBOL, "limit", "buy", 0.01, low - 1)
            await _eventually(lambda: {kept["id"], canceled["id"]} <= {o[0] for o in orders_seen})

            clock.gate.clear()  # the socket goes down and stays down
            await sim.feed.disconnect_all()
            await _eventually(lambda: len(clock.sleeps) >= 3 and not sim.feed.connections)  # all three watchers wait
            await ex.cancel_order(canceled["id"], SYMBOL)
            filled = await ex.create_order(SYMBOL, "market", "buy", 0.002)
            account = hex((await ex.stark_signer()).account)
            venue_collateral = sim.engine.account_summary(sim.engine.accounts[account])["total_collateral"]
            seen_before, balances_before = len(orders_seen), len(balances)
            clock.gate.set()

            await _eventually(lambda: (canceled["id"], "canceled", 0.0) in orders_seen
                              and (filled["id"], "closed", 0.002) in orders_seen, what=lambda: orders_seen)
            await _eventually(lambda: positions_seen and positions_seen[-1].get(SYMBOL) == 0.002, what=lambda: positions_seen)
            await _eventually(lambda: len(balances) > balances_before
                              and balances[-1]["total_collateral"] == venue_collateral, what=lambda: balances[-3:])
            # and nothing more arrives: the reconciliation has finished, and an order placed after it comes
            # through the same stream behind anything the reconciliation or the venue could still deliver
            await _eventually(lambda: ex._reconciliation is not None and ex._reconciliation.done())
            marker = await ex.create_order(SYMBOL, "limit", "buy", 0.01, low - 2)
            await _eventually(lambda: marker["id"] in {o[0] for o in orders_seen}, what=lambda: orders_seen)
            after = [o for o in orders_seen[seen_before:] if o[0] != marker["id"]]
            assert sorted(after) == sorted([(canceled["id"], "canceled", 0.0), (filled["id"], "closed", 0.002)]), after
            assert all(o[1] == "open" for o in orders_seen if o[0] == kept["id"])  # unchanged: not re-delivered
            assert ex.reconnects == 1 and ex._private_gap_since is None
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await ex.close()


async def test_close_ends_every_waiter_with_exchange_closed_by_user():
    """Watchers waiting for data, an order request waiting for its answer and a watcher waiting to reconnect:
    each ends with ccxt's ExchangeClosedByUser, not asyncio.CancelledError, and no session task outlives close()."""
    async with Simulator(seed=83, **QUIET) as sim:
        ex = _exchange(sim)
        try:
            await ex.load_markets()
            low = await _far_bid(ex)
            trades = asyncio.ensure_future(ex.watch_trades(SYMBOL))
            orders = asyncio.ensure_future(ex.watch_orders(SYMBOL))
            await _subscribed(sim, "trades." + MARKET, "orders." + MARKET)
            dispatch = sim.feed.dispatch
            sim.feed.dispatch = lambda conn, text: None if json.loads(text).get("method") == "order.create" else dispatch(conn, text)
            in_flight = asyncio.ensure_future(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, low))
            await _eventually(lambda: any(s.requests for s in ex._sessions.values()))
            sessions = list(ex._sessions.values())
        finally:
            await ex.close()
        for waiter in (trades, orders, in_flight):
            with pytest.raises(ccxt.ExchangeClosedByUser):
                await _within(waiter)
        assert all(s.state == CLOSED or s.state == "closing" for s in sessions) and not any(s.tasks for s in sessions)

        ex = _exchange(sim)
        clock = ex.ws_clock = GatedClock(ex)
        clock.gate.clear()
        async def books():
            while True:  # a quiet book: after its first snapshot the watcher waits
                await ex.watch_order_book(SYMBOL)
        try:
            book = asyncio.ensure_future(books())
            await _subscribed(sim, "order_book." + MARKET + ".deltas")
            await sim.feed.disconnect_all()
            await _eventually(lambda: clock.sleeps)  # waiting to reconnect
        finally:
            await ex.close()
        with pytest.raises(ccxt.ExchangeClosedByUser):
            await _within(book)


async def test_reconnect_backoff_grows_on_the_injected_clock():
    """Connections that close before their subscription is answered: each retry waits base x 2^(n-1) (capped,
    x0.5-1.5 jitter) on ws_clock - 10 s, 20 s, 25 s here, and the test takes no wall-clock time for them."""
    async with Simulator(seed=84, **QUIET) as sim:
        ex = _exchange(sim, wsBackoffBase=10, wsBackoffMax=25)
        clock = ex.ws_clock = GatedClock(ex)
        dispatch, dropped = sim.feed.dispatch, []

        def drop_three(conn, text):
            if len(dropped) < 3:
                dropped.append(conn)
                conn.closed = True
                asyncio.ensure_future(conn.ws.close(code=1011, message=b"injected"))
                return None
            return dispatch(conn, text)
        sim.feed.dispatch = drop_three
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            book = await _within(ex.watch_order_book(SYMBOL))
            assert book["bids"] and len(dropped) == 3 and ex.reconnects == 3
            assert len(clock.sleeps) == 3
            for delay, nominal in zip(clock.sleeps, (10, 20, 25)):
                assert nominal * 0.5 <= delay <= nominal * 1.5
            assert loop.time() - started < 5
            session = ex.current_session()
            assert session.state != LIVE and not session.tasks  # a public socket: never authenticated
        finally:
            await ex.close()


async def test_a_refused_auth_is_retried_on_the_same_socket():
    """The first ``auth`` of a connection refused for its token (40111): no session existed on that socket, so a
    new JWT is sent on it (not a re-authentication; the connection is kept)."""
    async with Simulator(seed=85, **QUIET) as sim:
        from ccxt_paradex.sim.ws import ERR_INVALID_TOKEN, ChannelError
        ex = _exchange(sim)
        auths, rpc_auth = [], sim.feed.rpc_auth

        def refuse_first(conn, params):
            auths.append(conn)
            if len(auths) == 1:
                raise ChannelError(ERR_INVALID_TOKEN, "invalid bearer token: token is expired")
            return rpc_auth(conn, params)
        sim.feed.rpc_auth = refuse_first
        try:
            await ex.load_markets()
            task = asyncio.ensure_future(ex.watch_orders(SYMBOL))
            await _subscribed(sim, "orders." + MARKET)
            assert len(auths) == 2 and auths[0] is auths[1] and ex.reconnects == 0 and ex.current_session().live
            task.cancel()
        finally:
            await ex.close()
        ex = _exchange(sim)  # the same for a socket opened by an order
        auths.clear()
        try:
            await ex.load_markets()
            placed = await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, await _far_bid(ex)))
            assert placed["status"] == "open" and len(auths) == 2 and auths[0] is auths[1] and ex.reconnects == 0
        finally:
            await ex.close()
