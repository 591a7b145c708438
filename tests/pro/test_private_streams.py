"""Private stream state (pro/private.py, review of 2026-12-04): no older state replaces a newer one, a position
flip flattens the other side as ccxt's paradex does, watchPositions(symbols) waits for those markets, a parked
balance is always the newest, a reconnect's gap starts at the last sign of life and is never read in part.

The handlers are driven directly with a stand-in client (what ``client.futures`` / ``resolve`` do); the
exchange's markets come from the simulator's canned rows, so nothing here needs a connection.
"""
import asyncio

import pytest
from ccxt.base.errors import ExchangeError

from ccxt_paradex.pro import paradex
from ccxt_paradex.pro.private import GAP_PAGE_SIZE, GAP_PAGES
from recorder import MARKETS
from watching import StandInClient

S, M = "BTC/USD:USDC", "BTC-USD-PERP"


@pytest.fixture
def ex(stand_in):
    return stand_in  # (conftest: a never-connected pro exchange with the recorded markets)


def order(status, remaining, updated, **extra):
    row = {"id": "o1", "market": M, "side": "BUY", "type": "LIMIT", "size": "1", "remaining_size": remaining,
           "price": "100", "status": status, "created_at": 1000, "last_updated_at": updated, "cancel_reason": "",
           "instruction": "GTC", "flags": [], "client_id": "", "avg_fill_price": "0"}
    return dict(row, **extra)


def position(side, size, updated):
    return {"id": "a-" + M, "market": M, "status": "OPEN" if size != "0" else "CLOSED", "side": side, "size": size,
            "average_entry_price": "100", "unrealized_pnl": "0", "unrealized_funding_pnl": "0", "leverage": "10",
            "last_updated_at": updated, "created_at": 1}


def test_an_order_frame_older_than_the_cached_state_is_not_applied(ex):
    client = StandInClient()
    ex._on_order(client, order("OPEN", "1", 2000))
    ex._on_order(client, order("CLOSED", "0", 3000), reconciling=True)  # the REST history: filled and closed
    ex._on_order(client, order("OPEN", "0.5", 2500))  # a live frame published before that read, handled after it
    cached = ex.orders.hashmap[S]["o1"]
    assert (cached["status"], cached["lastUpdateTimestamp"]) == ("closed", 3000)
    ex._on_order(client, order("OPEN", "0.5", 2500, id="o2"))
    ex._on_order(client, order("OPEN", "0.2", 2600, id="o2"))  # newer: applied
    assert ex.orders.hashmap[S]["o2"]["filled"] == 0.8


def test_a_stop_order_triggering_in_the_same_millisecond_is_a_new_state(ex):
    client, published = StandInClient(), []
    publish = ex._publish
    ex._publish = lambda c, value, hashes: (published.append(value), publish(c, value, hashes))
    stop = {"type": "STOP_LIMIT", "trigger_price": "90"}
    ex._on_order(client, order("UNTRIGGERED", "1", 5000, **stop))
    ex._on_order(client, order("NEW", "1", 5000, **stop))  # triggered: ccxt calls both 'open'
    assert ex.orders.hashmap[S]["o1"]["info"]["status"] == "NEW" and len(published) == 2
    ex._on_order(client, order("NEW", "1", 5000, **stop))  # a true duplicate is still dropped
    assert len(published) == 2


def test_a_position_flip_flattens_the_other_side_and_an_older_row_changes_nothing(ex):
    client = StandInClient()
    ex._on_position(client, position("LONG", "1", 10))
    ex._on_position(client, position("SHORT", "-1", 20))
    sides = {p["side"]: p["contracts"] for p in ex.filter_by_symbols_since_limit(ex.positions, [S], None, None, True)}
    assert sides == {"long": 0.0, "short": 1.0}
    ex._on_position(client, position("SHORT", "-2", 40))
    assert ex._apply_position(position("SHORT", "-1.5", 30)) == []  # a /positions row read before that update
    assert ex._apply_position(position("LONG", "2", 35)) == []  # an older row of the other side: no flattening
    assert ex.positions.hashmap[S]["short"]["contracts"] == 2.0
    assert ex.positions.hashmap[S]["short"]["contracts"] == 2.0


async def test_watch_positions_for_symbols_waits_for_those_markets():
    ex = paradex()
    ex.set_markets(ex.parse_markets(MARKETS["results"]))
    client = StandInClient()
    waited = []

    async def watch_channels(channels, hashes, private=False):
        waited.append(hashes)
        future = client.futures[hashes[0]] = asyncio.get_running_loop().create_future()
        return await future
    ex._watch_channels = watch_channels
    try:
        task = asyncio.ensure_future(ex.watch_positions([S]))
        await asyncio.sleep(0)
        assert waited == [["positions:" + S]] and ex._private_since_ms is not None  # a gap would be reconciled
        eth = dict(position("LONG", "1", 5), market="ETH-USD-PERP", id="a-ETH")
        ex._on_position(client, eth)
        await asyncio.sleep(0)
        assert not task.done()  # another market's change does not wake it
        ex._on_position(client, position("LONG", "1", 6))
        assert [p["symbol"] for p in await task] == [S]
    finally:
        await ex.close()


def test_a_parked_balance_is_the_newest_and_an_older_one_never_replaces_it(ex):
    client = StandInClient()  # no watcher waiting: each update is parked for the next watch_balance call
    account = {"account_value": "100", "free_collateral": "90", "settlement_asset": "USDC", "updated_at": 1}
    ex._on_account(client, account)
    ex._on_account(client, dict(account, account_value="50", updated_at=2))
    assert ex._unread["balance"]["USDC"]["total"] == 50 and ex.balance["USDC"]["total"] == 50
    ex._on_account(client, dict(account, account_value="70", updated_at=1))  # an /account read answered late
    assert ex._unread["balance"]["USDC"]["total"] == 50 and ex.balance["USDC"]["total"] == 50


def test_a_gap_starts_at_the_last_sign_of_life_not_when_the_loss_was_noticed(ex):
    class Quiet:  # a half-open socket: its last frame, a pong, 45 s before the ping-pong timeout noticed it
        last_message_at = ex.milliseconds() - 45_000  # every frame read sets it, pongs too
        lastPong = last_message_at
    class StandInSession:
        state, lost_at = "live", None
        client = type("Client", (), {"subscriptions": {"fills.ALL": True, "trades.BTC-USD-PERP": True}})()

        def connection_lost(self, now_ms):
            self.lost_at = now_ms
    session = StandInSession()
    ex._sessions = {Quiet: session}
    ex._connection_lost(Quiet)
    assert session.lost_at == Quiet.last_message_at  # the last sign of life, not the moment the loss was noticed
    assert ex._private_gap_since == Quiet.last_message_at  # what the reconciliation reads from
    assert ex._lost_private_channels == {"fills.ALL"}  # subscribed again before the gap is read


async def test_a_gap_too_long_to_read_whole_is_kept():
    ex = paradex()
    pages = []

    async def endless(request):
        pages.append(request)
        return {"results": [{"id": str(len(pages))}], "next": "more"}
    try:
        with pytest.raises(ExchangeError, match="gap is kept"):
            await ex._gap_rows(endless, 1000)
        assert len(pages) == GAP_PAGES and pages[0] == {"start_at": 1000, "page_size": GAP_PAGE_SIZE}

        async def two(request):
            return {"results": [{"id": request.get("cursor", "first")}], "next": None if "cursor" in request else "c"}
        assert [r["id"] for r in await ex._gap_rows(two, 1000)] == ["first", "c"]
    finally:
        await ex.close()


async def test_a_reconnect_resubscribes_every_private_channel_before_reading_the_gap():
    """A watcher still busy with its last batch when the socket drops would resubscribe only on its next call,
    after the reconciliation: its channel is subscribed again with the first private watch, so nothing it
    publishes in between is lost."""
    from ccxt_paradex.core import keys
    from ccxt_paradex.sim import Simulator
    from conftest import eventually, held_channels

    l1 = "0x" + "4b" * 32
    async with Simulator(seed=42, tick_interval=0, summary_interval=0, funding_interval=0) as sim:
        ex = paradex({"walletAddress": keys.eth_address(l1), "privateKey": l1, "urls": sim.ccxt_urls(),
                      "options": {"wsBackoffBase": 0.01}})
        delivered, release = [], asyncio.Event()

        async def orders():
            while True:
                await ex.watch_orders()

        async def fills():  # a bot that holds each batch until released
            while True:
                delivered.extend(t["id"] for t in await ex.watch_my_trades())
                await release.wait()
                release.clear()
        try:
            await ex.load_markets()
            tasks = [asyncio.ensure_future(orders()), asyncio.ensure_future(fills())]
            await eventually(lambda: {"orders.ALL", "fills.ALL"} <= held_channels(sim))
            await ex.create_order(S, "market", "buy", 0.001)
            await eventually(lambda: delivered)  # the fills watcher is now busy
            await sim.feed.disconnect_all()
            await eventually(lambda: ex._private_gap_since is None and ex._reconciliation is not None
                             and ex._reconciliation.done())
            assert "fills.ALL" in held_channels(sim)  # subscribed again though its watcher has not called yet
            await ex.create_order(S, "market", "sell", 0.001)  # a fill before the watcher's next call
            release.set()
            account = hex((await ex.stark_signer()).account)
            venue = lambda: [f["id"] for f in sim.engine.accounts[account].fills]  # noqa: E731
            await eventually(lambda: len(venue()) == 2 and sorted(delivered) == sorted(venue()))
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await ex.close()


async def test_an_order_open_before_the_first_watch_that_closes_in_a_gap_reaches_watch_orders():
    """The stream shows only changes after the first watch: the orders open then are noted (one GET /orders), so
    one that closes while the socket is down is looked up (in a window of its own creation) and delivered."""
    import json

    from ccxt_paradex.core import keys
    from ccxt_paradex.sim import Simulator
    from conftest import eventually, held_channels

    l1 = "0x" + "4b" * 32
    async with Simulator(seed=42, tick_interval=0, summary_interval=0, funding_interval=0) as sim:
        ex = paradex({"walletAddress": keys.eth_address(l1), "privateKey": l1, "urls": sim.ccxt_urls(),
                      "options": {"wsBackoffBase": 0.01, "wsReconcileMarginMs": 0}})  # no scan of earlier orders
        seen, held, hold = {}, [], []
        dispatch = sim.feed.dispatch

        def holding(conn, text):  # the first subscribe after the drop waits: the cancels fall in the gap
            if hold and json.loads(text).get("method") == "subscribe" and not held:
                held.append((conn, text))
                return None
            return dispatch(conn, text)
        sim.feed.dispatch = holding

        async def orders():
            while True:
                for o in await ex.watch_orders():
                    seen[o["id"]] = o["status"]
        task = None
        try:
            await ex.load_markets()
            low = (await ex.fetch_order_book(S))["bids"][-1][0]
            resting = await ex.create_order(S, "limit", "buy", 0.001, low)  # placed before any watch
            task = asyncio.ensure_future(orders())
            await eventually(lambda: "orders.ALL" in held_channels(sim))
            watched = await ex.create_order(S, "limit", "buy", 0.001, low)
            await eventually(lambda: watched["id"] in seen and resting["id"] in ex._open_at_start)
            hold.append(True)
            await sim.feed.disconnect_all()
            await eventually(lambda: held)
            await ex.cancel_order(resting["id"], S)  # both close in the gap
            await ex.cancel_order(watched["id"], S)
            conn, text = held[0]
            conn.push(json.dumps(dispatch(conn, text)))
            await eventually(lambda: seen.get(resting["id"]) == "canceled" and seen.get(watched["id"]) == "canceled")
            assert ex._private_gap_since is None and resting["id"] not in ex._open_at_start
        finally:
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            await ex.close()


def test_fill_ids_are_unique_per_fill_type(ex):
    """OpenAPI FillResult.id: unique per FillType: a liquidation may carry a plain fill's id."""
    client = StandInClient()
    row = {"id": "7", "market": M, "side": "BUY", "size": "0.1", "price": "100", "created_at": 1, "order_id": "o",
           "liquidity": "TAKER", "fee": "0", "fee_currency": "USDC"}
    assert ex._on_fill(client, dict(row, fill_type="FILL"))
    assert not ex._on_fill(client, dict(row, fill_type="FILL"))  # the same fill again
    assert ex._on_fill(client, dict(row, fill_type="LIQUIDATION"))
    assert ex._fill_ids.keys() == {("FILL", "7"), ("LIQUIDATION", "7")}
