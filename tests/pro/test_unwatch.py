"""un_watch_* of the private streams and of funding rates, and the funding_payments / transfers / balance_events
streams, against one simulator (pro/private.py, pro/public.py, sim/ws.py).

An un_watch rejects the watchers parked on its stream with ccxt's UnsubscribeError, sends ``unsubscribe`` only when
no other stream needs the channel (the simulator's JSON-RPC log says which went out), drops the stream's cache and
lets a later watch start again; after the ``unsubscribe`` answer nothing more arrives on that channel. Events are
made by the test (orders, a funding index moved by sampling after ``sim.clock.advance``, a transfer): no sleeps.
"""
import asyncio
import json
from decimal import Decimal

import pytest
import pytest_asyncio
from ccxt.base.errors import UnsubscribeError

from ccxt_paradex.core import keys
from ccxt_paradex.pro import paradex
from ccxt_paradex.sim import Simulator
from conftest import eventually, within
from watching import futures as _futures, held as _held, park as _park

pytestmark = pytest.mark.asyncio(loop_scope="module")

S, M = "BTC/USD:USDC", "BTC-USD-PERP"
E, EM = "ETH/USD:USDC", "ETH-USD-PERP"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sim():
    # funding time runs 10^5 times faster than the (injectable) clock: a 1 s advance moves the index visibly
    async with Simulator(seed=97, tick_interval=0, summary_interval=0, funding_interval=0, funding_time_scale=100_000,
                         check_responses=True) as sim:
        yield sim


@pytest.fixture(autouse=True)
def liquidity(sim):
    """A full maker ladder for each test (no ticks replenish what the previous tests' market orders took)."""
    sim.liquidity.quote(M)


@pytest.fixture
def rpc(sim):
    """The JSON-RPC requests the simulator receives during the test, in arrival order."""
    seen, dispatch = [], sim.feed.dispatch

    def recording(conn, text):
        seen.append((conn, json.loads(text)))
        return dispatch(conn, text)
    sim.feed.dispatch = recording
    yield seen
    sim.feed.dispatch = dispatch


def _sent(rpc, method, account=None):
    return [r["params"]["channel"] for conn, r in rpc if r.get("method") == method
            and (account is None or conn.account == account)]


async def _exchange(sim, seed_byte, **options):
    l1 = "0x" + seed_byte * 32
    ex = paradex({"walletAddress": keys.eth_address(l1), "privateKey": l1, "urls": sim.ccxt_urls(), "options": options})
    await ex.load_markets()
    return ex, hex((await ex.stark_signer()).account)


async def _unsubscribed(task):
    with pytest.raises(UnsubscribeError):
        await within(task, 3)


async def test_un_watch_orders_and_my_trades_release_their_own_channels_and_start_clean(sim, rpc):
    ex, account = await _exchange(sim, "61")
    try:
        await ex.create_order(S, "market", "buy", 0.002)  # before any watch: in no stream's result
        every = await _park(ex, sim, account, ex.watch_orders(), "orders.ALL", "orders:ALL")
        one = await _park(ex, sim, account, ex.watch_orders(S), "orders." + M, "orders:" + M)
        fills = await _park(ex, sim, account, ex.watch_my_trades(S), "fills." + M, "fills:" + M)
        placed = await ex.create_order(S, "market", "buy", 0.001)
        assert [o["id"] for o in await within(every)] == [placed["id"]]
        assert placed["id"] in {t["order"] for t in await within(fills)}
        one.cancel()  # (answered too: the per-market watcher waits again)
        one = await _park(ex, sim, account, ex.watch_orders(S), "orders." + M, "orders:" + M)

        assert await ex.un_watch_orders(S) is True
        await _unsubscribed(one)
        assert _sent(rpc, "unsubscribe", account) == ["orders." + M]  # orders.ALL still has a watcher
        assert {"orders.ALL", "fills." + M} <= _held(sim, account) and "orders." + M not in _held(sim, account)
        assert ex.orders is not None  # still the ALL stream's cache

        every = await _park(ex, sim, account, ex.watch_orders(), "orders.ALL", "orders:ALL")
        fills = await _park(ex, sim, account, ex.watch_my_trades(S), "fills." + M, "fills:" + M)
        await ex.un_watch_orders()  # every orders stream
        await ex.un_watch_my_trades(S)
        await _unsubscribed(every)
        await _unsubscribed(fills)
        # (tradebusts came with the my-trades watch: released with it)
        assert _sent(rpc, "unsubscribe", account) == ["orders." + M, "orders.ALL", "fills." + M, "tradebusts"]
        assert not {c for c in _held(sim, account) if c.startswith(("orders.", "fills."))}
        assert ex.orders is None and ex.myTrades is None and not ex._unread

        again = await _park(ex, sim, account, ex.watch_orders(), "orders.ALL", "orders:ALL")  # subscribes again
        assert _sent(rpc, "subscribe", account).count("orders.ALL") == 2
        later = await ex.create_order(S, "market", "sell", 0.001)
        assert [o["id"] for o in await within(again)] == [later["id"]]
        assert [o["id"] for o in ex.orders] == [later["id"]]  # started clean: nothing from before the un_watch
    finally:
        await ex.close()


async def test_un_watch_positions_unsubscribes_only_when_no_positions_watch_is_left(sim, rpc):
    ex, account = await _exchange(sim, "62")
    try:
        every = await _park(ex, sim, account, ex.watch_positions(), "positions", "positions")
        one = await _park(ex, sim, account, ex.watch_positions([S]), "positions", "positions:" + S)
        assert await ex.un_watch_positions([S]) is True
        await _unsubscribed(one)
        assert _sent(rpc, "unsubscribe", account) == [] and "positions" in _held(sim, account)  # shared channel
        await ex.create_order(S, "market", "buy", 0.003)
        assert [(p["symbol"], p["contracts"]) for p in await within(every)] == [(S, 0.003)]

        every = await _park(ex, sim, account, ex.watch_positions(), "positions", "positions")
        await ex.un_watch_positions()
        await _unsubscribed(every)
        assert _sent(rpc, "unsubscribe", account) == ["positions", "tradebusts"] and "positions" not in _held(sim, account)
        assert ex.positions is None

        again = await _park(ex, sim, account, ex.watch_positions([S]), "positions", "positions:" + S)
        await ex.create_order(S, "market", "sell", 0.001)
        assert [(p["symbol"], p["contracts"]) for p in await within(again)] == [(S, 0.002)]
    finally:
        await ex.close()


async def test_un_watch_balance_keeps_the_keep_alive_of_an_order_entry_socket(sim, rpc):
    ex, account = await _exchange(sim, "63")
    try:
        parked = await _park(ex, sim, account, ex.watch_balance(), "account", "balance")
        low = float(ex.price_to_precision(S, (await ex.fetch_order_book(S))["bids"][0][0] * 0.9))
        await within(ex.create_order_ws(S, "limit", "buy", 0.001, low))  # this socket now enters orders
        assert not parked.done()
        await ex.un_watch_balance()
        await _unsubscribed(parked)
        # its only subscription left: kept, or Paradex would close the socket (and cancel-on-disconnect fire)
        assert _sent(rpc, "unsubscribe", account) == ["tradebusts"] and _held(sim, account) == {"account"}
        assert ex.balance == {}

        trades = await _park(ex, sim, account, ex.watch_my_trades(), "fills.ALL", "fills:ALL")
        parked = await _park(ex, sim, account, ex.watch_balance(), "account", "balance")
        await ex.un_watch_balance()  # another channel keeps the socket alive now
        await _unsubscribed(parked)
        assert _sent(rpc, "unsubscribe", account) == ["tradebusts", "account"] and "account" not in _held(sim, account)
        await ex.un_watch_my_trades()  # the last one: the keep-alive channel is subscribed before it goes
        await _unsubscribed(trades)
        await eventually(lambda: _held(sim, account) == {"account"}, what=lambda: _held(sim, account))
        assert _sent(rpc, "unsubscribe", account) == ["tradebusts", "account", "fills.ALL", "tradebusts"]
        assert _sent(rpc, "subscribe", account).count("account") == 2
    finally:
        await ex.close()


async def test_un_watch_funding_rate_and_rates_share_channels_until_the_last_leaves(sim, rpc):
    ex = paradex({"urls": sim.ccxt_urls()})
    try:
        await ex.load_markets()
        held = lambda: {n for conn in sim.feed.connections if conn.account is None and not conn.closed  # noqa: E731
                        for n in conn.subs}
        one = asyncio.ensure_future(ex.watch_funding_rate(S))
        both = asyncio.ensure_future(ex.watch_funding_rates([S, E]))
        await eventually(lambda: {"funding_data." + M, "funding_data." + EM} <= held()
                         and {"funding:" + M, "fundings:" + M, "fundings:" + EM} <= set(_futures(ex)))
        assert await ex.un_watch_funding_rate(S) is True
        await _unsubscribed(one)
        assert not both.done() and _sent(rpc, "unsubscribe") == []  # funding_data.BTC is still watched
        sim.feed.publish_funding()
        assert set(await within(both)) in ({S}, {E})
        assert S in ex.fundingRates

        await ex.un_watch_funding_rates([S, E])
        assert sorted(_sent(rpc, "unsubscribe")) == ["funding_data." + M, "funding_data." + EM]
        assert not held() and S not in ex.fundingRates and E not in ex.fundingRates

        again = asyncio.ensure_future(ex.watch_funding_rate(S))
        await eventually(lambda: "funding:" + M in _futures(ex) and "funding_data." + M in held())
        sim.feed.publish_funding()
        rate = await within(again)
        sample = sim.funding[M][-1]  # the newest (SBE carries the rate to 1e-7)
        assert rate["symbol"] == S and rate["info"]["created_at"] == sample["created_at"]
        assert abs(rate["fundingRate"] - float(sample["funding_rate"])) < 1e-7
    finally:
        await ex.close()


async def test_funding_payments_reach_their_watcher_parsed_and_stop_after_un_watch(sim, rpc):
    ex, account = await _exchange(sim, "64")
    try:
        await ex.create_order(S, "market", "buy", 0.01)  # a position: accrues funding from now
        parked = await _park(ex, sim, account, ex.watch_funding_payments(S), "funding_payments." + M, "fundingPayments:" + M)
        every = await _park(ex, sim, account, ex.watch_funding_payments(), "funding_payments.ALL", "fundingPayments:ALL")
        sim.clock.advance(1)
        sim.market_data.sample_funding()  # the index moves; Paradex settles at the position's next fill
        await ex.create_order(S, "market", "sell", 0.004)
        payments = await within(parked)
        venue = sim.engine.accounts[account].funding_payments
        assert [(p["id"], p["symbol"], p["code"], p["amount"], p["timestamp"]) for p in payments] == \
            [(r["id"], S, "USDC", float(r["payment"]), r["created_at"]) for r in venue] and payments[0]["amount"]
        assert payments == await within(every)
        assert payments == await ex.fetch_funding_history(S)  # parsed as fetchFundingHistory parses them

        await ex.un_watch_funding_payments(S)
        assert _sent(rpc, "unsubscribe", account) == ["funding_payments." + M]
        every = await _park(ex, sim, account, ex.watch_funding_payments(), "funding_payments.ALL", "fundingPayments:ALL")
        await ex.un_watch_funding_payments()
        await _unsubscribed(every)
        assert _sent(rpc, "unsubscribe", account) == ["funding_payments." + M, "funding_payments.ALL"]
        assert ex.fundingPayments is None and not {c for c in _held(sim, account) if c.startswith("funding_payments")}
        assert sim.contract.payloads["funding_payments." + M] >= 1 and not sim.contract.answers
    finally:
        await ex.close()


async def test_transfers_reach_their_watcher_and_nothing_arrives_after_the_unsubscribe_answer(sim, rpc):
    ex, account = await _exchange(sim, "65")
    frames = []  # (channel of a subscription message | the id of an answer), as the client receives them
    handle = ex.handle_message

    def recording(client, message):
        parsed = json.loads(message) if isinstance(message, str) else message  # (ccxt hands JSON over decoded)
        if isinstance(parsed, dict):
            frames.append(parsed["params"]["channel"] if parsed.get("method") == "subscription" else parsed.get("id"))
        return handle(client, message)
    ex.handle_message = recording
    try:
        parked = await _park(ex, sim, account, ex.watch_transfers(), "transfers", "transfers")
        row = sim.engine.transfer(account, "25")
        [transfer] = await within(parked)
        assert (transfer["id"], transfer["amount"], transfer["currency"], transfer["status"], transfer["toAccount"]) == \
            (row["id"], 25.0, "USDC", "ok", "account")
        assert transfer == next(t for t in await ex.fetch_transfers() if t["id"] == row["id"])
        assert sim.contract.payloads["transfers"] == 1 and not sim.contract.answers

        parked = await _park(ex, sim, account, ex.watch_transfers(), "transfers", "transfers")
        balance = await _park(ex, sim, account, ex.watch_balance(), "account", "balance")
        await ex.un_watch_transfers()
        await _unsubscribed(parked)
        [(conn, request)] = [(c, r) for c, r in rpc if r.get("method") == "unsubscribe"]
        assert request["params"] == {"channel": "transfers"} and request["id"] in frames  # answered
        sim.engine.transfer(account, "7", "WITHDRAWAL")  # publishes transfers (nobody now), then account
        assert (await within(balance))["info"]["total_collateral"] == \
            sim.engine.account_summary(sim.engine.accounts[account])["total_collateral"]
        answer = frames.index(request["id"])
        assert "transfers" in frames[:answer] and "transfers" not in frames[answer:], frames
        assert ex.transfers is None and sim.contract.payloads["transfers"] == 1  # none was even published

        again = await _park(ex, sim, account, ex.watch_transfers("USDC"), "transfers", "transfers")
        row = sim.engine.transfer(account, "3")
        assert [t["id"] for t in await within(again)] == [row["id"]]
    finally:
        await ex.close()


async def test_balance_events_are_ledger_entries_of_each_fill(sim, rpc):
    ex, account = await _exchange(sim, "66")
    try:
        await ex.create_order(S, "market", "buy", 0.004)
        parked = await _park(ex, sim, account, ex.watch_balance_events(), "balance_events", "balanceEvents")
        sim.clock.advance(1)
        sim.market_data.sample_funding()
        await ex.create_order(S, "market", "sell", 0.004)  # closes: realized PnL, funding and fees
        fills = {f["id"]: f for f in sim.engine.accounts[account].fills}
        entries = await within(parked)
        assert entries and all(e["referenceId"] in fills for e in entries)
        for e in entries:
            fill = fills[e["referenceId"]]
            gross = Decimal(fill["realized_pnl"]) + Decimal(fill["realized_funding"])
            signed = Decimal(str(e["amount"])) * (-1 if e["direction"] == "out" else 1)
            assert (signed, Decimal(str(e["fee"]["cost"])), e["currency"], e["type"]) == \
                (gross, Decimal(fill["fee"]), "USDC", "trade")
            assert abs(Decimal(str(e["before"])) + signed - Decimal(str(e["fee"]["cost"])) - Decimal(str(e["after"]))) < Decimal("1e-8")
        assert entries[-1]["after"] == float(sim.engine.accounts[account].balance)
        assert any(Decimal(fills[e["referenceId"]]["realized_funding"]) for e in entries)
        assert sim.contract.payloads["balance_events"] >= len(entries) and not sim.contract.answers

        parked = await _park(ex, sim, account, ex.watch_balance_events(), "balance_events", "balanceEvents")
        await ex.un_watch_balance_events()
        await _unsubscribed(parked)
        assert _sent(rpc, "unsubscribe", account) == ["balance_events"] and ex.balanceEvents is None
    finally:
        await ex.close()


async def test_a_released_stream_is_not_resubscribed_nor_read_after_a_reconnect_and_new_streams_are(sim, rpc):
    """A reconnect resubscribes the lost connection's private channels and reads the gap over REST: only for the
    streams still watched. Funding payments and transfers missed in the gap reach their watchers, once."""
    ex, account = await _exchange(sim, "67", wsBackoffBase=0.01)
    reads = []

    def counting(name):
        call = getattr(ex, name)

        def counted(params={}):
            reads.append(name)
            return call(params)
        return counted
    for name in ("privateGetFills", "privateGetTransfers", "privateGetFundingPayments", "privateGetOrders"):
        setattr(ex, name, counting(name))
    try:
        await ex.create_order(S, "market", "buy", 0.01)
        payments = await _park(ex, sim, account, ex.watch_funding_payments(), "funding_payments.ALL", "fundingPayments:ALL")
        transfers = await _park(ex, sim, account, ex.watch_transfers(), "transfers", "transfers")
        trades = await _park(ex, sim, account, ex.watch_my_trades(), "fills.ALL", "fills:ALL")
        await ex.un_watch_my_trades()
        await _unsubscribed(trades)
        hold = []
        dispatch = sim.feed.dispatch

        def holding(conn, text):  # the first subscribe after the drop waits: the events fall in the gap
            if hold is not None and json.loads(text).get("method") == "subscribe" and conn.account == account:
                hold.append((conn, text))
                return None
            return dispatch(conn, text)
        sim.feed.dispatch = holding
        try:
            await sim.feed.disconnect_all()
            await eventually(lambda: hold)
            sim.clock.advance(1)
            sim.market_data.sample_funding()
            await ex.create_order(S, "market", "sell", 0.005)  # settles funding while the socket is down
            row = sim.engine.transfer(account, "11")
            held, hold = hold, None
            for conn, text in held:
                conn.push(json.dumps(dispatch(conn, text)))
        finally:
            sim.feed.dispatch = dispatch
        venue = sim.engine.accounts[account].funding_payments
        assert [p["id"] for p in await within(payments)] == [r["id"] for r in venue]
        assert row["id"] in [t["id"] for t in await within(transfers)]
        await eventually(lambda: ex._private_gap_since is None and ex._reconciliation is not None
                         and ex._reconciliation.done())
        assert "privateGetFills" not in reads and "privateGetOrders" not in reads  # released / never watched
        assert {"privateGetTransfers", "privateGetFundingPayments"} <= set(reads)
        assert {"funding_payments.ALL", "transfers"} <= _held(sim, account) and "fills.ALL" not in _held(sim, account)
        assert ex.myTrades is None
    finally:
        await ex.close()


class _Gate:
    """A ws_clock whose reconnect backoff sleeps wait for the test (``sleeping`` set, until ``open``)."""

    def __init__(self, real):
        self.real, self.open, self.sleeping = real, asyncio.Event(), asyncio.Event()

    def now(self):
        return self.real.now()

    async def sleep(self, seconds):
        self.sleeping.set()
        await self.open.wait()


async def test_a_watcher_waiting_to_reconnect_ends_with_unsubscribe_error_when_its_stream_is_released(sim, rpc):
    ex, account = await _exchange(sim, "68")
    ex.ws_clock = gate = _Gate(ex.ws_clock)
    try:
        parked = await _park(ex, sim, account, ex.watch_transfers(), "transfers", "transfers")
        await sim.feed.disconnect_all()
        await within(gate.sleeping.wait())
        assert await ex.un_watch_transfers() is True  # no connection: nothing to send
        gate.open.set()
        await _unsubscribed(parked)
        assert _sent(rpc, "subscribe", account) == ["transfers"]  # the first one: it did not subscribe again
        assert ex.reconnects == 0 and not _held(sim, account)
    finally:
        await ex.close()


async def test_a_book_watcher_waiting_to_reconnect_ends_when_its_book_is_un_watched(sim, rpc):
    """The public un_watch releases as the private ones do: a watch_order_book loop parked on the live path, its
    connection lost, ends instead of subscribing the book again after the backoff (it waited forever before)."""
    ex = paradex({"urls": sim.ccxt_urls()})
    ex.ws_clock = gate = _Gate(ex.ws_clock)
    try:
        await within(ex.watch_order_book("BTC/USD:USDC"))
        parked = asyncio.ensure_future(ex.watch_order_book("BTC/USD:USDC"))  # the live path
        await eventually(lambda: "orderbook:BTC-USD-PERP" in _futures(ex))
        await sim.feed.disconnect_all()
        await within(gate.sleeping.wait())
        await ex.un_watch_order_book("BTC/USD:USDC")
        gate.open.set()
        with pytest.raises(UnsubscribeError):
            await within(parked, 3)
        assert [c for c in _sent(rpc, "subscribe") if c.startswith("order_book")] == ["order_book.BTC-USD-PERP.deltas"]
    finally:
        await ex.close()
