"""ccxt_paradex.pro.paradex against the simulator: SBE streams, books that never silently diverge,
reconnects that lose nothing."""
import asyncio
import json
from decimal import Decimal

import ccxt
import ccxt.test.exchange.base as v
import pytest

from ccxt_paradex.core import keys
from ccxt_paradex.core.book import to_mantissa
from ccxt_paradex.pro import paradex
from ccxt_paradex.pro.session import Session
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.clock import ManualClock
from conftest import advance as _advance, eventually as _eventually, held_channels, within as _within, subscribed as _subscribed

SYMBOL, MARKET = "BTC/USD:USDC", "BTC-USD-PERP"
L1 = "0x" + "4b" * 32


def _record_true_books(sim, market=MARKET):
    """seq_no -> (bids, asks) of the venue's API book (mantissa pairs), captured at every book event."""
    truth = {}
    book = sim.engine.books[market]

    def listener(kind, m, payload):
        if kind == "book" and m == market:
            truth[payload["seq_no"]] = tuple(
                [(to_mantissa(str(p)), to_mantissa(str(s))) for p, s in side.aggregated(None, False, None)]
                for side in (book.bids, book.asks))
    sim.engine.listeners.insert(0, listener)
    truth[book.seq_no] = tuple([(to_mantissa(str(p)), to_mantissa(str(s))) for p, s in side.aggregated(None, False, None)]
                               for side in (book.bids, book.asks))
    return truth


def _levels(book):
    return ([(to_mantissa(repr(p)), to_mantissa(repr(s))) for p, s in book["bids"]],
            [(to_mantissa(repr(p)), to_mantissa(repr(s))) for p, s in book["asks"]])


async def test_public_streams_over_sbe():
    async with Simulator(seed=31, tick_interval=0.02, summary_interval=0.2, funding_interval=0.3) as sim:
        ex = paradex({"urls": sim.ccxt_urls()})
        try:
            book = await _within(ex.watch_order_book(SYMBOL, 10))
            v.test_order_book(ex, {}, "watchOrderBook", book, SYMBOL)
            assert len(book["bids"]) <= 10 and book["bids"][0][0] < book["asks"][0][0]
            nonce = book["nonce"]
            book = await _within(ex.watch_order_book(SYMBOL, 10))
            assert book["nonce"] > nonce
            assert "sbeSchemaVersion=2" in ex.get_ws_url()
            trades = await _within(ex.watch_trades(SYMBOL), 10)
            for t in trades:
                v.test_trade(ex, {}, "watchTrades", t, SYMBOL, ex.milliseconds(), True)
            ticker = await _within(ex.watch_ticker(SYMBOL))
            v.test_ticker(ex, {}, "watchTicker", ticker, SYMBOL)
            mark = await _within(ex.watch_mark_price("ETH/USD:USDC"))
            v.test_ticker(ex, {}, "watchMarkPrice", mark, "ETH/USD:USDC")
            assert abs(mark["markPrice"] / float(sim.engine.mark["ETH-USD-PERP"]) - 1) < 0.01
            assert await ex.un_watch_mark_price("ETH/USD:USDC") is True
            bbo = await _within(ex.watch_bids_asks([SYMBOL]))
            assert set(bbo) == {SYMBOL} and bbo[SYMBOL]["bid"] < bbo[SYMBOL]["ask"]
            rate = await _within(ex.watch_funding_rate(SYMBOL))
            assert rate["symbol"] == SYMBOL and rate["fundingRate"] is not None
            both = await _within(ex.watch_order_book_for_symbols([SYMBOL, "ETH/USD:USDC"], 5))
            assert both["symbol"] in (SYMBOL, "ETH/USD:USDC")
        finally:
            await ex.close()


async def test_book_states_equal_the_venue_at_their_seq_no_under_faults():
    """Gaps, duplicates and reorders injected: every state a watcher sees is the venue's book at that seq_no."""
    async with Simulator(seed=32, tick_interval=0.005, faults="gap=0.03,dup=0.05,reorder=0.05",
                         summary_interval=0, funding_interval=0) as sim:
        truth = _record_true_books(sim)
        ex = paradex({"urls": sim.ccxt_urls()})
        try:
            seen = 0
            for _ in range(150):
                book = await _within(ex.watch_order_book(SYMBOL))
                assert _levels(book) == tuple(truth[book["nonce"]]), book["nonce"]
                seen += 1
            state = ex._books[MARKET]
            assert seen == 150 and state.gaps >= 1 and state.resyncs >= 1
        finally:
            await ex.close()


async def test_snapshot_feed_and_sbe_version_negotiation():
    async with Simulator(seed=33, tick_interval=0.02, summary_interval=0, funding_interval=0) as sim:
        truth = _record_true_books(sim)
        ex = paradex({"urls": sim.ccxt_urls(), "options": {"sbeSchemaVersion": 7, "orderBookFeed": "snapshot"}})
        try:
            book = await _within(ex.watch_order_book(SYMBOL))
            assert ex.options["sbeSchemaVersion"] == 3  # 7 refused with HTTP 400, stepped down
            bids, asks = truth[book["nonce"]]
            assert _levels(book) == (bids[:15], asks[:15])
        finally:
            await ex.close()


@pytest.mark.parametrize("params", [{"feed": "snapshot", "refresh_rate": "75ms"}, {"feed": "snapshot", "price_tick": "0.3"},
                                    {"feed": "interactive", "refresh_rate": "1s"}])
async def test_book_channel_values_outside_the_asyncapi_enums_are_refused_before_subscribing(params):
    async with Simulator(seed=34, tick_interval=0, summary_interval=0, funding_interval=0) as sim:
        ex = paradex({"urls": sim.ccxt_urls()})
        try:
            await ex.load_markets()
            with pytest.raises(ccxt.BadRequest):
                await _within(ex.watch_order_book(SYMBOL, None, params))
            assert not ex.clients  # nothing was connected or subscribed
            book = await _within(ex.watch_order_book(SYMBOL, None, {"feed": "snapshot", "price_tick": "0.1"}))
            assert book["bids"] and any(c.endswith("@15@50ms@0_1") for c in ex._book_channel.values())
        finally:
            await ex.close()


async def test_reconnects_resume_streams_and_deliver_every_fill_once():
    """Trades spread over forced disconnects (the fault fires every 1.5 s of the simulator's clock, which the test
    moves on by 0.25 s after each trade, so the next trade may land while the socket is down): every fill is
    delivered exactly once, the missed ones by the reconciliation after the reconnect."""
    clock = ManualClock()
    async with Simulator(seed=34, tick_interval=0.02, faults="disconnect=1.5", summary_interval=0,
                         funding_interval=0, clock=clock) as sim:
        ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls(),
                      "options": {"wsBackoffBase": 0.02}})
        rest = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls()})
        delivered, books = [], 0

        async def fills():
            while True:
                delivered.extend(t["id"] for t in await ex.watch_my_trades())

        async def book_watcher():
            nonlocal books
            while True:
                await ex.watch_order_book(SYMBOL)
                books += 1

        tasks = [asyncio.ensure_future(fills()), asyncio.ensure_future(book_watcher())]
        try:
            await rest.load_markets()
            await _subscribed(sim, "fills.ALL", "order_book." + MARKET + ".deltas")
            for i in range(24):  # trades spread over four forced disconnects
                await rest.create_order(SYMBOL, "market", "buy" if i % 2 else "sell", 0.001)
                await _advance(clock, 0.25)  # a liquidity step; every sixth time, a forced disconnect
            account = hex((await rest.stark_signer()).account)
            venue_fills = [f["id"] for f in sim.engine.accounts[account].fills]
            # a fill missed at the last disconnect comes back with that reconnect's reconciliation: wait for it
            await _eventually(lambda: set(delivered) >= set(venue_fills), 15, lambda: set(venue_fills) - set(delivered))
            assert not any(t.done() for t in tasks)  # (no watcher gave up)
            assert ex.reconnects >= 2 and books > 20, (ex.reconnects, books)
            assert sorted(delivered) == sorted(venue_fills) and len(set(delivered)) == len(delivered)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await ex.close()
            await rest.close()


async def test_a_fill_between_the_reconciliation_and_the_new_subscription_is_delivered():
    """The flake's root cause, made deterministic: after a reconnect the reconciliation fetched /fills while the
    new connection's fills subscription was not yet live. A fill in that window was in neither (the REST answer
    predates it, the stream was not yet subscribed) and only a later reconnect recovered it. Here the venue
    holds the new subscribe while the fill happens: the reconciliation must wait for the subscription's ack."""
    async with Simulator(seed=42, tick_interval=0, summary_interval=0, funding_interval=0) as sim:
        ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls(),
                      "options": {"wsBackoffBase": 0.01}})
        delivered, held, fetched = [], [], asyncio.Event()
        dispatch, page = sim.feed.dispatch, sim.pager.page

        def holding(conn, text):
            request = json.loads(text)
            if sim.reconnected and request.get("method") == "subscribe" and not held:
                held.append((conn, text))  # answered (and made live) only when the test says so
                return None
            return dispatch(conn, text)

        def noting_page(items, query, *args, **kwargs):
            if sim.reconnected and "start_at" in query:
                fetched.set()  # the reconciliation's /fills
            return page(items, query, *args, **kwargs)
        sim.reconnected, sim.feed.dispatch, sim.pager.page = False, holding, noting_page

        async def fills():
            while True:
                delivered.extend(t["id"] for t in await ex.watch_my_trades())
        task = asyncio.ensure_future(fills())
        try:
            await ex.load_markets()
            await _subscribed(sim, "fills.ALL")
            await ex.create_order(SYMBOL, "market", "buy", 0.001)
            await _eventually(lambda: len(delivered) >= 1)
            sim.reconnected = True
            await sim.feed.disconnect_all()
            await _eventually(lambda: held)
            # the old code fetched /fills now; the fixed one waits for the subscription's ack (Session.settled)
            await _eventually(lambda: any(s._settled for s in ex._sessions.values()),
                              what="no reconciliation waits for the subscription")
            assert not fetched.is_set()
            await ex.create_order(SYMBOL, "market", "sell", 0.001)  # in the window
            conn, text = held[0]
            conn.push(json.dumps(dispatch(conn, text)))  # the subscription goes live
            account = hex((await ex.stark_signer()).account)
            venue = [f["id"] for f in sim.engine.accounts[account].fills]
            await _eventually(lambda: sorted(delivered) == sorted(venue), what=lambda: (delivered, venue))
            assert ex.reconnects == 1
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await ex.close()


async def test_an_update_for_a_cancelled_watch_waits_for_the_next_call():
    """A watch cancelled by its caller (asyncio.wait_for's timeout, as the fault run's loop does) leaves a
    cancelled future behind: the next fill must be kept for the next call, not resolved into that dead future."""
    async with Simulator(seed=43, tick_interval=0, summary_interval=0, funding_interval=0) as sim:
        ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls()})
        try:
            await ex.load_markets()
            watch = asyncio.ensure_future(ex.watch_my_trades())
            await _subscribed(sim, "fills.ALL")
            await _eventually(lambda: "fills:ALL" in ex.client(ex.get_ws_url()).futures)  # the watch is waiting
            watch.cancel()  # what wait_for's timeout does
            with pytest.raises(asyncio.CancelledError):
                await watch
            assert ex.client(ex.get_ws_url()).futures["fills:ALL"].cancelled()
            placed = await ex.create_order(SYMBOL, "market", "buy", 0.001)
            await _eventually(lambda: ex.myTrades)  # the fill arrived while no call was waiting
            trades = await _within(ex.watch_my_trades(), 3)
            assert [t["order"] for t in trades] == [placed["id"]]
        finally:
            await ex.close()


@pytest.mark.parametrize("private_sbe", [False, True], ids=["json-private", "sbe-private"])
async def test_private_streams_and_errors(private_sbe):
    async with Simulator(seed=35, tick_interval=0.05, summary_interval=0, funding_interval=0,
                         private_sbe=private_sbe) as sim:
        ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls()})
        try:
            await ex.load_markets()
            orders_task = asyncio.ensure_future(ex.watch_orders(SYMBOL))
            positions_task = asyncio.ensure_future(ex.watch_positions())
            balance_task = asyncio.ensure_future(ex.watch_balance())
            await _subscribed(sim, "orders." + MARKET, "positions", "account")
            await ex.create_order(SYMBOL, "market", "buy", 0.002)
            orders = await _within(orders_task)
            for o in orders:
                v.test_order(ex, {}, "watchOrders", o, SYMBOL, ex.milliseconds())
            positions = await _within(positions_task)
            assert positions[0]["symbol"] == SYMBOL and positions[0]["contracts"] == 0.002
            balance = await _within(balance_task)
            assert balance["USDC"]["total"] > 0
            trades_task = asyncio.ensure_future(ex.watch_my_trades(SYMBOL))
            await _subscribed(sim, "fills." + MARKET)
            await ex.create_order(SYMBOL, "market", "sell", 0.001)
            fills = await _within(trades_task)
            for t in fills:
                v.test_trade(ex, {}, "watchMyTrades", t, SYMBOL, ex.milliseconds(), False)
            assert fills[-1]["side"] == "sell" and fills[-1]["fee"]["cost"] > 0
            with pytest.raises(ccxt.BadRequest):
                await _within(ex._watch_channels(["nonsense.BTC-USD-PERP"], ["nonsense"]))
        finally:
            await ex.close()


def test_decimal_helpers_agree():
    assert to_mantissa(repr(65000.1)) == int(Decimal("65000.1") * 10**8)


async def test_repeated_private_watches_share_one_auth():
    async with Simulator(seed=36, tick_interval=0.05, summary_interval=0, funding_interval=0) as sim:
        ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls()})
        try:
            await ex.load_markets()
            seen = []
            for i in range(3):  # each call re-enters authenticate(); none may hang
                task = asyncio.ensure_future(ex.watch_my_trades(SYMBOL))
                await _subscribed(sim, "fills." + MARKET)
                await ex.create_order(SYMBOL, "market", "buy" if i % 2 else "sell", 0.001)
                seen += [t["id"] for t in await _within(task)]
            assert len(seen) == len(set(seen)) >= 3
            assert ex.reconnects == 0
        finally:
            await ex.close()


async def test_unwatch_stops_the_channel_and_rejects_the_waiter():
    async with Simulator(seed=37, tick_interval=0.02, summary_interval=0.2, funding_interval=0) as sim:
        ex = paradex({"urls": sim.ccxt_urls()})
        try:
            await _within(ex.watch_order_book(SYMBOL))
            await _within(ex.watch_ticker(SYMBOL))
            waiter = asyncio.ensure_future(ex.watch_trades(SYMBOL))
            await _subscribed(sim, "trades." + MARKET)
            client = ex.client(ex.get_ws_url())
            while not any(h.startswith("trades") for h in client.futures):  # until a watcher is waiting
                if waiter.done():  # a trade answered it first
                    waiter = asyncio.ensure_future(ex.watch_trades(SYMBOL))
                await asyncio.sleep(0)
            assert await ex.un_watch_trades(SYMBOL) is True
            with pytest.raises(ccxt.ExchangeError, match="unsubscribed"):
                await _within(waiter)
            await ex.un_watch_ticker(SYMBOL)
            await ex.un_watch_order_book(SYMBOL)
            await _eventually(lambda: not any(n.startswith(("trades.", "markets_summary.", "order_book."))
                                              for n in held_channels(sim)), what=lambda: held_channels(sim))
            book = await _within(ex.watch_order_book(SYMBOL))  # and it can come back
            assert book["bids"]
        finally:
            await ex.close()


class _StubClient:
    """Enough of a ccxt ws Client for a Session that never touches the network."""
    url = "ws://stub"

    def __init__(self):
        self.subscriptions, self.futures = {}, {}

    def closed(self):
        return False

    def resolve(self, value, message_hash):
        return value

    def reject(self, error, message_hash=None):
        return error


async def test_a_drop_during_reconciliation_cancels_it_and_the_next_connection_runs_it_again():
    """The reconciliation belongs to the session it started on: a drop cancels it (no task outlives its
    connection) and leaves the gap open, so the next connection's first private watch runs it afresh."""
    ex = paradex({})
    calls, gate = [], asyncio.Event()

    async def once(client, gap):
        calls.append((client, gap))
        if len(calls) == 1:
            await gate.wait()  # still fetching when the connection drops
    ex._reconcile_once = once
    ex._private_since_ms, first, second = 500, Session(ex, _StubClient()), Session(ex, _StubClient())
    ex._private_connection_lost(type("Lost", (), {"lost_at": 1000, "client": _StubClient()})())
    ex._maybe_reconcile(first)
    await asyncio.sleep(0)
    assert calls == [(first.client, 1000)] and first.tasks
    first.connection_lost(1500)
    await asyncio.sleep(0)
    assert not first.tasks and ex._reconciliation.cancelled() and ex._private_gap_since == 1000
    ex._maybe_reconcile(second)
    await asyncio.wait_for(ex._reconciliation, 5)
    assert calls[1] == (second.client, 1000) and ex._private_gap_since is None and not second.tasks
    await ex.close()


async def test_a_failed_reconciliation_is_retried_on_its_connection_with_backoff():
    """A watcher waiting on a quiet account makes no call that would start it again: the reconciliation retries
    itself (on ws_clock, injected here: no real sleep) until it reads the gap, while its connection lives."""
    ex = paradex({})
    calls, slept = [], []

    async def once(client, gap):
        calls.append(gap)
        if len(calls) < 4:
            raise ccxt.RateLimitExceeded("429")

    class Clock:
        async def sleep(self, seconds):
            slept.append(seconds)
    ex._reconcile_once, ex.ws_clock = once, Clock()
    ex._private_since_ms, session = 500, Session(ex, _StubClient())
    ex._private_connection_lost(type("Lost", (), {"lost_at": 1000, "client": _StubClient()})())
    ex._maybe_reconcile(session)
    await asyncio.wait_for(ex._reconciliation, 5)
    assert calls == [1000] * 4 and slept == [1.0, 2.0, 4.0] and ex.reconcile_failures == 3
    assert ex._private_gap_since is None and not session.tasks
    await ex.close()


async def test_a_reconciliation_that_cannot_succeed_is_not_retried():
    ex = paradex({})
    calls = []

    async def once(client, gap):
        calls.append(gap)
        raise ccxt.ExchangeError("more than 100000 rows since 1000; the gap is kept")
    ex._reconcile_once = once
    ex._private_since_ms, session = 500, Session(ex, _StubClient())
    ex._private_connection_lost(type("Lost", (), {"lost_at": 1000, "client": _StubClient()})())
    ex._maybe_reconcile(session)
    await asyncio.wait_for(ex._reconciliation, 5)
    assert calls == [1000] and ex._private_gap_since == 1000  # kept for the next private watch, no retry storm
    await ex.close()


async def test_a_connection_replaced_right_after_auth_is_authenticated_again():
    """The venue may close the socket right behind the auth ack: the next private subscribe
    must not go out on the fresh, unauthenticated connection (the venue answers 40300)."""
    async with Simulator(seed=38, tick_interval=0.05, summary_interval=0, funding_interval=0) as sim:
        ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls()})
        original, dropped = ex.authenticate, []

        async def authenticate_then_drop(params={}):
            result = await original(params)
            if not dropped:
                url = ex.get_ws_url()
                old = ex.clients.pop(url)
                dropped.append(old)
                await old.close()
            return result
        ex.authenticate = authenticate_then_drop
        try:
            await ex.load_markets()
            task = asyncio.ensure_future(ex.watch_my_trades(SYMBOL))
            await _subscribed(sim, "fills." + MARKET)
            await ex.create_order(SYMBOL, "market", "buy", 0.001)
            trades = await _within(task)
            assert dropped and trades and trades[0]["symbol"] == SYMBOL
        finally:
            await ex.close()


async def test_a_venue_without_the_deltas_feed_gets_the_snapshot_feed():
    """One reading of the docs has no bare ``order_book.{m}.deltas`` channel: the watcher must still get books."""
    async with Simulator(seed=39, tick_interval=0.02, summary_interval=0, funding_interval=0, deltas_feed=False) as sim:
        ex = paradex({"urls": sim.ccxt_urls()})
        try:
            book = await _within(ex.watch_order_book(SYMBOL, 10))
            v.test_order_book(ex, {}, "watchOrderBook", book, SYMBOL)
            assert len(book["bids"]) == 10 and ex.book_feed_fallbacks == 1
            await _within(ex.watch_order_book("ETH/USD:USDC"))
            held = held_channels(sim)
            assert {n.split("@")[0] for n in held if n.startswith("order_book.")} == {
                "order_book." + MARKET + ".snapshot", "order_book.ETH-USD-PERP.snapshot"}
            assert ex.book_feed_fallbacks == 1
            with pytest.raises(ccxt.BadRequest, match="invalid channel"):  # asked for by name: no silent substitute
                await _within(ex.watch_order_book("SOL/USD:USDC", params={"feed": "deltas"}))
        finally:
            await ex.close()


def _venue_clock_moves(sim, ex, seconds):
    """The venue's clock (the simulator's) and the exchange's view of it (options['timeDifference']) move on
    together: JWTs age without any sleep."""
    sim.clock.advance(seconds)
    ex.options["timeDifference"] = (ex.options.get("timeDifference") or 0) - int(seconds * 1000)


def _count_auths(sim):
    """The connections of every ``auth`` the simulator receives, in order."""
    auths, rpc_auth = [], sim.feed.rpc_auth

    def counting(conn, params):
        auths.append(conn)
        return rpc_auth(conn, params)
    sim.feed.rpc_auth = counting
    return auths


async def _limit_far_below(ex):
    bid = (await ex.fetch_order_book(SYMBOL, 1))["bids"][0][0]
    return float(ex.price_to_precision(SYMBOL, bid * 0.9))


async def test_a_connection_authenticates_once_for_its_lifetime():
    """Paradex's rule: no re-authentication for the lifetime of a connection. A venue that closes the socket on
    a second ``auth``: the JWT ages past two lifetimes, yet new private subscriptions and WS orders go on, on
    the one socket, authenticated once."""
    async with Simulator(seed=40, tick_interval=0.05, summary_interval=0, funding_interval=0, ws_sessions="close") as sim:
        ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls()})
        auths = _count_auths(sim)
        try:
            await ex.load_markets()
            fills = asyncio.ensure_future(ex.watch_my_trades(SYMBOL))
            await _subscribed(sim, "fills." + MARKET)
            _venue_clock_moves(sim, ex, 290)  # 10 s before the JWT's exp: the old code renewed here
            orders = asyncio.ensure_future(ex.watch_orders(SYMBOL))
            await _subscribed(sim, "orders." + MARKET)
            _venue_clock_moves(sim, ex, 310)  # and past it
            positions = asyncio.ensure_future(ex.watch_positions())
            await _subscribed(sim, "positions")
            await ex.create_order(SYMBOL, "market", "buy", 0.001)
            assert await _within(fills) and await _within(orders) and await _within(positions)
            placed = await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.001, await _limit_far_below(ex)))
            assert placed["status"] == "open"
            assert ex.reconnects == 0 and len(auths) == 1 and len(sim.feed.connections) == 1
        finally:
            await ex.close()


async def test_an_expired_session_refused_by_the_venue_reconnects_and_authenticates_afresh():
    """The other reading (paradex-py's client expects 40111 once the token expired): by default the refused
    socket is dropped and a new connection authenticates once with a new JWT, as the official SDK does."""
    async with Simulator(seed=40, tick_interval=0.05, summary_interval=0, funding_interval=0) as sim:
        ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls()})
        auths = _count_auths(sim)
        try:
            await ex.load_markets()
            fills = asyncio.ensure_future(ex.watch_my_trades(SYMBOL))
            await _subscribed(sim, "fills." + MARKET)
            _venue_clock_moves(sim, ex, 301)
            orders = asyncio.ensure_future(ex.watch_orders(SYMBOL))  # refused 40111: a new connection
            await _subscribed(sim, "orders." + MARKET, "fills." + MARKET)
            await ex.create_order(SYMBOL, "market", "buy", 0.001)
            assert await _within(fills) and await _within(orders)
            assert ex.reconnects == 1 and len(auths) == 2 and len(set(map(id, auths))) == 2  # one auth per connection
        finally:
            await ex.close()


@pytest.mark.parametrize("renew_ahead", [True, False], ids=["renewed-before-expiry", "renewed-after-refusal"])
async def test_renewal_in_place_behind_its_option_keeps_the_socket(renew_ahead):
    """options['wsRenewAuthInPlace']: on a venue that refuses expired sessions (40111) and accepts a second auth,
    the socket outlives its JWT: ahead of expiry (or after a refusal) auth is sent again on the same socket."""
    async with Simulator(seed=40, tick_interval=0.05, summary_interval=0, funding_interval=0) as sim:
        options = {"wsRenewAuthInPlace": True}
        if not renew_ahead:
            options["wsSessionMargin"] = -3600  # never renew ahead: meet the refusal
        ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls(),
                      "options": options})
        auths, refused, rpc_subscribe = _count_auths(sim), [], sim.feed.rpc_subscribe

        def noting_subscribe(conn, params):
            try:
                return rpc_subscribe(conn, params)
            except Exception as e:
                refused.append(getattr(e, "code", None))
                raise
        sim.feed.rpc_subscribe = noting_subscribe
        try:
            await ex.load_markets()
            fills = asyncio.ensure_future(ex.watch_my_trades(SYMBOL))
            await _subscribed(sim, "fills." + MARKET)
            positions = asyncio.ensure_future(ex.watch_positions())  # the token is young: no second auth
            await _subscribed(sim, "positions")
            assert len(auths) == 1
            positions.cancel()
            _venue_clock_moves(sim, ex, 301 if not renew_ahead else 290)
            orders = asyncio.ensure_future(ex.watch_orders(SYMBOL))
            await _subscribed(sim, "orders." + MARKET)
            await ex.create_order(SYMBOL, "market", "buy", 0.001)
            assert await _within(fills) and await _within(orders)
            _venue_clock_moves(sim, ex, 301)  # and once more, for an order sent over the socket
            placed = await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.001, await _limit_far_below(ex)))
            assert placed["status"] == "open"
            assert ex.reconnects == 0 and len(auths) == 3 and len(set(map(id, auths))) == 1
            assert refused == ([] if renew_ahead else [40111])
        finally:
            await ex.close()


@pytest.mark.parametrize("renew", [False, True], ids=["default", "wsRenewAuthInPlace"])
async def test_a_venue_that_refuses_a_second_auth_keeps_the_first_session(renew):
    """Sessions last as long as their socket and a second ``auth`` is refused. By default none is sent; with
    renewal in place the refused renewal breaks nothing (the socket keeps its session) and is not retried."""
    async with Simulator(seed=41, tick_interval=0.05, summary_interval=0, funding_interval=0, ws_sessions="fixed") as sim:
        ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls(),
                      "options": {"wsRenewAuthInPlace": renew}})
        auths = _count_auths(sim)
        try:
            await ex.load_markets()
            fills = asyncio.ensure_future(ex.watch_my_trades(SYMBOL))
            await _subscribed(sim, "fills." + MARKET)
            _venue_clock_moves(sim, ex, 301)  # the first token has expired; this venue does not care
            orders = asyncio.ensure_future(ex.watch_orders(SYMBOL))
            positions = asyncio.ensure_future(ex.watch_positions())  # meets the same, refused, renewal
            await _subscribed(sim, "orders." + MARKET, "positions")
            await ex.create_order(SYMBOL, "market", "sell", 0.001)
            assert await _within(fills) and await _within(orders) and await _within(positions)
            placed = await _within(ex.create_order_ws(SYMBOL, "limit", "buy", 0.001, await _limit_far_below(ex)))
            assert placed["status"] == "open"
            assert ex.reconnects == 0 and len(auths) == (2 if renew else 1)  # never one per call
        finally:
            await ex.close()
