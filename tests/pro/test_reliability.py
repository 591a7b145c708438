"""Reliability residuals of issue 29 in the pro class: a reconnect's order lookups read on any reading of
/orders-history's time bounds and only for what the gap scan did not return; a venue refusal of a channel
subscribed again after a reconnect reaches that channel's watchers; a WebSocket token refusal discards only the
token it refused.

The reconciliation is driven directly on a stand-in venue (a REST double of /orders and /orders-history); the
rest runs against the simulator.
"""
import asyncio

import ccxt
import pytest

from ccxt_paradex.core import keys
from ccxt_paradex.pro import paradex
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.ws import ChannelError
from conftest import eventually, held_channels, subscribed
from watching import StandInClient

S, M = "BTC/USD:USDC", "BTC-USD-PERP"
L1 = "0x" + "5c" * 32
QUIET = {"tick_interval": 0, "summary_interval": 0, "funding_interval": 0}


def order_row(oid, created, status="OPEN", updated=None, reason="", market=M):
    return {"id": oid, "market": market, "side": "BUY", "type": "LIMIT", "size": "1",
            "remaining_size": "1", "price": "100", "status": status, "created_at": created,
            "last_updated_at": updated or created, "cancel_reason": reason, "instruction": "GTC", "flags": [],
            "client_id": "", "avg_fill_price": "0"}


class StandInVenue:
    """/orders and /orders-history over ``rows``: start_at / end_at bound created_at, exclusively by default (the
    other reading from the simulator's) or inclusively; newest first, paged by page_size and an offset cursor."""

    def __init__(self, rows, inclusive=False):
        self.rows = rows
        self.inclusive = inclusive
        self.history_requests = []

    async def open_orders(self, params={}):
        return {"results": [r for r in self.rows if r["status"] == "OPEN"]}

    async def history(self, params={}):
        self.history_requests.append(dict(params))
        items = sorted(self.rows, key=lambda r: r["created_at"], reverse=True)
        if params.get("market"):
            items = [r for r in items if r["market"] == params["market"]]
        slack = 1 if self.inclusive else 0
        if params.get("start_at") is not None:
            items = [r for r in items if r["created_at"] + slack > int(params["start_at"])]
        if params.get("end_at") is not None:
            items = [r for r in items if r["created_at"] - slack < int(params["end_at"])]
        offset, size = int(params.get("cursor") or 0), int(params.get("page_size", 100))
        return {"results": items[offset:offset + size],
                "next": str(offset + size) if offset + size < len(items) else None}


def _venue(ex, rows, inclusive=False):
    venue = StandInVenue(rows, inclusive)
    ex.privateGetOrders, ex.privateGetOrdersHistory = venue.open_orders, venue.history
    return venue


def _statuses(ex):
    return {oid: o["status"] for oid, o in ex.orders.hashmap[S].items()}


@pytest.mark.parametrize("inclusive", [False, True], ids=["exclusive-bounds", "inclusive-bounds"])
async def test_vanished_orders_are_found_on_either_reading_of_the_bounds_and_the_gap_scan_is_not_read_twice(
        stand_in, inclusive):
    """Two orders the stream showed open close while the socket is down: ``old`` was created before the gap (so
    the gap scan cannot return it: one lookup in a window around its creation), ``young`` inside it (the gap
    scan returned its final state: no lookup of its own). Before: a lookup each, with start_at = end_at = the
    creation ms, which found nothing on a venue with exclusive bounds (``old`` stayed open)."""
    ex, client = stand_in, StandInClient()
    ex._on_order(client, order_row("old", 1_000))
    ex._on_order(client, order_row("young", 50_000))
    venue = _venue(ex, [
        order_row("old", 1_000, "CLOSED", 60_000, "USER_CANCELED"),
        order_row("young", 50_000, "CLOSED", 60_000, "USER_CANCELED"),
        order_row("neighbour", 999, "CLOSED", 1_500, "USER_CANCELED"),  # (in the widened window: filtered by id)
    ], inclusive)
    await ex._reconcile_orders(client, 40_000, 0)
    assert _statuses(ex) == {"old": "canceled", "young": "canceled"}
    assert venue.history_requests == [
        {"start_at": 40_000, "page_size": 5000},  # the gap scan: young is in it
        {"market": M, "start_at": 999, "end_at": 1_001, "page_size": 100},  # old only
    ]


async def test_a_lookup_follows_the_cursor_until_it_finds_its_order(stand_in):
    """A burst of 150 orders in the creation window of a vanished one: it is on the second page."""
    ex, client = stand_in, StandInClient()
    ex._on_order(client, order_row("old", 1_000))
    burst = [order_row("b%d" % i, 1_000, "CLOSED", 1_000, "USER_CANCELED") for i in range(150)]
    venue = _venue(ex, burst + [order_row("old", 1_000, "CLOSED", 70_000, "USER_CANCELED")])  # (listed last)
    await ex._reconcile_orders(client, 40_000, 0)
    assert _statuses(ex)["old"] == "canceled"
    lookups = venue.history_requests[1:]
    assert [r.get("cursor") for r in lookups] == [None, "100"]  # found on page 2, and no further page read
    assert list(ex.orders.hashmap[S]) == ["old"]  # (the lookup keeps only its own order's row)


async def test_a_refused_resubscription_reaches_the_watchers_of_its_channel():
    """A watcher busy with its last batch when the socket drops has its channel subscribed again by the first
    private watch on the new connection. The venue refuses that subscription (40112): the refusal reaches the
    busy watcher's next call as ccxt's PermissionDenied. Before, the background resubscription carried no
    message hash: the refusal was dropped, the next call subscribed again and waited on a channel it had lost."""
    async with Simulator(seed=91, **QUIET) as sim:
        ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls(),
                      "options": {"wsBackoffBase": 0.01}})
        refuse, subscribes, rpc_subscribe = [], [], sim.feed.rpc_subscribe

        def refusing(conn, params):
            subscribes.append(params.get("channel"))
            if params.get("channel") in refuse:
                refuse.remove(params["channel"])
                raise ChannelError(40112, "channel not permitted")
            return rpc_subscribe(conn, params)
        sim.feed.rpc_subscribe = refusing
        batches, outcome, release = [], [], asyncio.Event()

        async def fills():  # a bot that holds each batch until released
            while True:
                try:
                    batches.append(await ex.watch_my_trades())
                except Exception as e:
                    outcome.append(e)
                    return
                await release.wait()
                release.clear()

        async def orders():
            while True:
                await ex.watch_orders()
        tasks = []
        try:
            await ex.load_markets()
            tasks = [asyncio.ensure_future(orders()), asyncio.ensure_future(fills())]
            await subscribed(sim, "orders.ALL", "fills.ALL")
            await ex.create_order(S, "market", "buy", 0.001)
            await eventually(lambda: batches)  # the fills watcher is busy now
            refuse.append("fills.ALL")
            await sim.feed.disconnect_all()
            await eventually(lambda: not refuse and "orders.ALL" in held_channels(sim))  # resubscribed, refused
            release.set()
            await eventually(lambda: outcome, 3, "the refusal reached no watcher")
            assert isinstance(outcome[0], ccxt.PermissionDenied) and outcome[0].ws_code == 40112
            assert subscribes.count("fills.ALL") == 2  # the first one and the refused one: no third
            assert "fills.ALL" not in held_channels(sim) and "fills.ALL" not in ex.current_session().client.subscriptions
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await ex.close()


def _venue_clock_moves(sim, ex, seconds):
    """The venue's clock and the exchange's view of it move on together: JWTs age without any sleep."""
    sim.clock.advance(seconds)
    ex.options["timeDifference"] = (ex.options.get("timeDifference") or 0) - int(seconds * 1000)


async def test_a_socket_token_refusal_does_not_discard_a_fresher_token():
    """The socket authenticated with T1; a REST request meanwhile met T1's refusal and logged in again (T2). When
    the venue then refuses T1 on the socket (40111: expired), only T1 is invalid: the reconnect authenticates with
    T2, and no third login is made. Before, the socket's refusal discarded whichever token was current (T2)."""
    async with Simulator(seed=92, **QUIET) as sim:
        ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls(),
                      "options": {"wsBackoffBase": 0.01}})
        bearers, rpc_auth = [], sim.feed.rpc_auth

        def recording(conn, params):
            bearers.append(params.get("bearer"))
            return rpc_auth(conn, params)
        sim.feed.rpc_auth = recording
        tasks = []
        try:
            await ex.load_markets()
            tasks.append(asyncio.ensure_future(ex.watch_my_trades(S)))
            await subscribed(sim, "fills." + M)
            first, logins = ex.options["authToken"], ex.auth_requests  # (onboarding took a second POST /auth)
            assert bearers == [first]
            _venue_clock_moves(sim, ex, 290)
            ex.invalidate_jwt(first)  # a REST request refused for T1 ...
            await ex.fetch_balance()  # ... and the next one logs in again
            second = ex.options["authToken"]
            assert second != first and ex.auth_requests == logins + 1
            _venue_clock_moves(sim, ex, 15)  # T1 has expired on the venue's clock, T2 has not
            tasks.append(asyncio.ensure_future(ex.watch_orders(S)))  # refused 40111 on the old socket
            await subscribed(sim, "orders." + M, "fills." + M)
            assert ex.reconnects == 1 and bearers == [first, second]  # the reconnect used T2 ...
            assert ex.auth_requests == logins + 1 and ex.options["authToken"] == second  # ... and logged in no more
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await ex.close()


class StandInSocket:
    """What a Session touches of ccxt's Client."""

    def __init__(self):
        self.subscriptions, self.resolved, self.rejected, self.errors = {}, [], [], []

    def resolve(self, value, message_hash):
        self.resolved.append(message_hash)

    def reject(self, error, message_hash=None):
        self.rejected.append(message_hash)

    def closed(self):
        return False

    def on_error(self, error):
        self.errors.append(error)


async def test_an_auth_refusal_and_a_refused_renewal_name_their_own_token(stand_in):
    """Session.auth_refused discards the token the refused auth carried (not a fresher current one); a renewal
    in place the venue refused leaves the socket on its first token, and a later refusal on it names that one."""
    import time

    from ccxt_paradex.pro.session import LIVE, Session

    ex = stand_in

    def current(token):  # a token this class fetched itself, fresh
        ex.options["authToken"], ex._jwt_own, ex._jwt_refresh_at = token, token, time.time() + 100
    current("T2")
    session = Session(ex, StandInSocket())
    session.auth_sent((None, None), "T1")  # an auth that went out with the older token
    session.auth_refused(ccxt.AuthenticationError("40111"))
    assert ex._jwt_fresh() and ex.options["authToken"] == "T2"  # before: T2 discarded
    session.auth_sent((None, None), "T2")
    session.auth_refused(ccxt.AuthenticationError("40111"))
    assert not ex._jwt_fresh()  # the refused token itself is discarded

    current("T3")
    renewed = Session(ex, StandInSocket())
    renewed.auth_sent((1, 301), "T3")
    renewed.auth_acknowledged({})
    renewed.renew()
    current("T4")
    renewed.auth_sent((200, 500), "T4")
    renewed.auth_refused(ccxt.BadRequest("already authenticated"))  # the venue keeps the first session
    assert (renewed.state, renewed.token, renewed.jwt_times, renewed.renewal_refused) == (LIVE, "T3", (1, 301), True)
    renewed.token_refused(False)  # T3 refused on the socket: it is dropped, T4 stays
    assert ex._jwt_fresh() and len(renewed.client.errors) == 1


async def test_a_refused_resubscription_after_a_book_gap_reaches_the_books_watcher():
    """A lost delta frame makes the client subscribe its book channel again for a fresh snapshot; when the venue
    refuses that, the market's parked watcher gets the mapped exception instead of waiting forever."""
    async with Simulator(seed=8, **QUIET) as sim:
        ex = paradex({"urls": sim.ccxt_urls()})
        try:
            await ex.watch_order_book(S)
            session = next(iter(ex._sessions.values()))
            waiting = asyncio.ensure_future(ex.watch_order_book(S))
            await eventually(lambda: "orderbook:" + M in session.client.futures)
            sent = []
            send = session.client.send

            async def recording(message):
                sent.append(message)
                return await send(message)
            session.client.send = recording
            await ex._resync_book(session, M)
            subscribe = next(m for m in sent if m["method"] == "subscribe")
            session.on_answer(subscribe["id"], {"id": subscribe["id"], "error": {"code": 40112, "message": "refused"}})
            with pytest.raises(ccxt.PermissionDenied):
                await asyncio.wait_for(waiting, 3)
        finally:
            await ex.close()
