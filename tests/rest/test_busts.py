"""Trade busts end to end (issue 27 item 3): a fill the venue voids never stays in a user's results as if real.

The simulator's ``engine.bust(fill_id)`` voids a trade (both sides' positions and balances move back, a
/tradebusts row per account, the ``tradebusts`` channel); the client drops the fill from the my-trades cache, reports
the bust to watch_trade_busts (also after a reconnect's gap), lists busts with fetch_trade_busts, leaves busted fills
out of fetch_ledger and, asked to, out of fetch_my_trades. Trades between two real accounts are made on the engine
(a maker resting inside the spread, a taker crossing it); time moves on the simulator's clock.
"""
from decimal import Decimal

import pytest
import pytest_asyncio

from ccxt_paradex.core import keys
from ccxt_paradex.pro import paradex
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.errors import ApiError
from ccxt_paradex.sim.makers import MM_ACCOUNT
from conftest import eventually, within
from recorder import MARKETS
from watching import StandInClient, held as _held, park as _park

pytestmark = pytest.mark.asyncio(loop_scope="module")

S, M = "BTC/USD:USDC", "BTC-USD-PERP"
ZERO = Decimal(0)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sim():
    async with Simulator(seed=127, tick_interval=0, summary_interval=0, funding_interval=0, check_responses=True) as sim:
        yield sim


@pytest.fixture(autouse=True)
def liquidity(sim):
    """A full maker ladder for each test; every answer and channel payload of the test conforms to the spec."""
    sim.liquidity.quote(M)
    yield
    assert not sim.contract.answers, sim.contract.answers


async def _exchange(sim, seed_byte, **options):
    l1 = "0x" + seed_byte * 32
    ex = paradex({"walletAddress": keys.eth_address(l1), "privateKey": l1, "urls": sim.ccxt_urls(), "options": options})
    await ex.load_markets()
    await ex.fetch_balance()  # onboarded: the engine holds the account
    return ex, hex((await ex.stark_signer()).account)


def _place(sim, account, side, otype, size, price=None):
    eng = sim.engine
    req = {"market": M, "side": side, "type": otype, "size": str(size), "signature_timestamp": eng.clock()}
    if price is not None:
        req["price"] = str(price)
    fills = eng.accounts[account].fills
    count = len(fills)
    eng.submit(eng.validate(eng.accounts[account], req))
    return fills[count:]  # the order's fills


def _cross(sim, maker, taker, maker_side, size):
    """One trade between two real accounts: ``maker`` rests one tick inside the spread, ``taker`` takes it at
    market -> (maker's fill, taker's fill)."""
    eng = sim.engine
    book, tick = eng.books[M], eng.specs[M].tick
    price = book.bids.best() + tick if maker_side == "BUY" else book.asks.best() - tick
    _place(sim, maker, maker_side, "LIMIT", size, price)
    _place(sim, taker, "SELL" if maker_side == "BUY" else "BUY", "MARKET", size)
    made, took = eng.accounts[maker].fills[-1], eng.accounts[taker].fills[-1]
    assert made["id"][:-1] == took["id"][:-1] and (made["liquidity"], took["liquidity"]) == ("MAKER", "TAKER")
    return made, took


def _state(sim, account):
    """(size, average entry, realized PnL) of the account's BTC position, and its balance."""
    acct = sim.engine.accounts[account]
    pos = acct.positions.get(M)
    return ((pos.size, pos.avg_entry, pos.realized_pnl) if pos else (ZERO, ZERO, ZERO)), acct.balance


async def test_a_bust_moves_both_sides_back_and_is_listed_by_the_venue(sim):
    a, acct_a = await _exchange(sim, "71")
    b, acct_b = await _exchange(sim, "72")
    try:
        _place(sim, acct_a, "BUY", "MARKET", "0.01")  # A holds a long (bought from the synthetic makers)
        sim.clock.advance(1)
        before_a, before_b = _state(sim, acct_a), _state(sim, acct_b)
        made, took = _cross(sim, acct_a, acct_b, "SELL", "0.004")  # A closes part of it: realized PnL; B opens short
        assert Decimal(made["realized_pnl"]) != 0
        filled = {acct_a: _state(sim, acct_a), acct_b: _state(sim, acct_b)}
        for account, fill, before in ((acct_a, made, before_a), (acct_b, took, before_b)):
            assert filled[account][1] == before[1] + Decimal(fill["realized_pnl"]) - Decimal(fill["fee"])
        sim.clock.advance(1)

        rows = sim.engine.bust(took["id"])
        at = rows[0]["created_at"]
        assert rows == [{"account": acct_b, "busted_fill_id": took["id"], "created_at": at},
                        {"account": acct_a, "busted_fill_id": made["id"], "created_at": at}]
        for account, fill in ((acct_a, made), (acct_b, took)):  # the fill's own numbers, moved back
            (size, entry, realized), balance = _state(sim, account)
            signed = Decimal(fill["size"]) * (1 if fill["side"] == "BUY" else -1)
            assert size == filled[account][0][0] - signed
            assert realized == filled[account][0][2] - Decimal(fill["realized_pnl"])
            assert balance == filled[account][1] - Decimal(fill["realized_pnl"]) + Decimal(fill["fee"])
        assert (_state(sim, acct_a), _state(sim, acct_b)) == (before_a, before_b)  # as if it never happened

        assert (await a.private_get_tradebusts())["results"] == [rows[1]]
        assert (await b.private_get_tradebusts({"start_at": at, "end_at": at}))["results"] == [rows[0]]
        assert made["id"] in {f["id"] for f in (await a.private_get_fills())["results"]}  # the venue keeps history
        # its transaction is reverted, and the account's value history moves as the balance did: not at all
        states = {t["id"]: t["state"] for t in (await b.private_get_transactions())["results"]}
        assert states[took["id"]] == "REVERTED"
        value = await b.private_get_account_history({"type": "value"})
        assert took["created_at"] not in value["timestamps"] and value["data"][-1] == pytest.approx(float(before_b[1]))
        assert (await a.fetch_position(S))["contracts"] == float(before_a[0][0])
        assert (await b.fetch_positions([S])) == []  # B's short was the busted fill only
        assert (await b.fetch_balance())["USDC"]["total"] == float(before_b[1])

        with pytest.raises(ApiError, match="already busted"):
            sim.engine.bust(made["id"])
        with pytest.raises(ApiError) as unknown:
            sim.engine.bust("1" * 28)
        assert unknown.value.code == "NOT_FOUND"
    finally:
        await a.close()
        await b.close()


async def test_a_bust_recomputes_a_position_with_later_fills_and_undoes_the_synthetic_side(sim):
    eng = sim.engine
    address = "0xb05700000000000000000000000000000000000000000000000000000000001"
    acct = eng.open_account(address, 0, "", Decimal("100000"))
    mm = eng.accounts[MM_ACCOUNT].positions[M]
    assert mm.size < 0  # the synthetic maker is short: selling more realizes no PnL
    size = sum(o.remaining for o in eng.books[M].asks.levels[eng.books[M].asks.best()]) * 3  # several levels
    _place(sim, address, "BUY", "MARKET", size)
    fills = list(acct.fills)
    assert len(fills) >= 2
    first, last = fills[0], fills[-1]
    balance, mm_size = acct.balance, mm.size

    eng.bust(first["id"])  # not the position's last fill: what the other fills make it
    rest = fills[1:]
    kept = sum(Decimal(f["size"]) for f in rest)
    pos = acct.positions[M]
    assert (pos.size, pos.avg_entry, pos.realized_pnl) == \
        (kept, sum(Decimal(f["size"]) * Decimal(f["price"]) for f in rest) / kept, ZERO)
    assert acct.balance == balance + Decimal(first["fee"]) and pos.last_fill_id == last["id"]
    assert mm.size == mm_size + Decimal(first["size"])  # the synthetic maker's side: its short gives that size back

    mm_size, mm_balance = mm.size, eng.accounts[MM_ACCOUNT].balance
    eng.bust(last["id"])
    assert mm.size == mm_size + Decimal(last["size"]) and pos.size == kept - Decimal(last["size"])
    maker_fee = (Decimal(last["size"]) * Decimal(last["price"]) * eng.specs[M].maker_fee).quantize(Decimal("1e-8"))
    assert eng.accounts[MM_ACCOUNT].balance == mm_balance + maker_fee  # (its short only grew: no PnL realized)
    assert [b["busted_fill_id"] for b in acct.tradebusts] == [first["id"], last["id"]]


async def test_watchers_drop_the_busted_fill_and_get_the_bust(sim):
    a, acct_a = await _exchange(sim, "73")
    b, acct_b = await _exchange(sim, "74")
    b.newUpdates = False  # each watch_my_trades result is the whole cache
    payloads = sim.contract.payloads["tradebusts"]
    try:
        trades = await _park(b, sim, acct_b, b.watch_my_trades(), "fills.ALL", "fills:ALL")
        await eventually(lambda: "tradebusts" in _held(sim, acct_b))  # subscribed with the fills
        _, took = _cross(sim, acct_a, acct_b, "BUY", "0.003")  # B sells to A
        assert [t["id"] for t in await within(trades)] == [took["id"]]
        busts = await _park(b, sim, acct_b, b.watch_trade_busts(), "tradebusts", "tradeBusts")
        positions = await _park(a, sim, acct_a, a.watch_positions([S]), "positions", "positions:" + S)
        sim.clock.advance(1)

        rows = sim.engine.bust(took["id"])
        got = await within(busts)
        assert [(x["id"], x["account"], x["timestamp"], x["info"]) for x in got] == \
            [(took["id"], acct_b, rows[0]["created_at"], rows[0])]
        assert [(p["symbol"], p["contracts"]) for p in await within(positions)] == [(S, 0.0)]  # the venue's update
        assert sim.contract.payloads["tradebusts"] == payloads + 2  # one per account, each checked

        again = _place(sim, acct_b, "BUY", "MARKET", "0.002")
        assert [t["id"] for t in await within(b.watch_my_trades())] == [f["id"] for f in again]  # the busted one is gone
        assert took["id"] in {t["id"] for t in await b.fetch_my_trades()}  # REST lists what the venue keeps

        await b.un_watch_trade_busts()
        assert "tradebusts" in _held(sim, acct_b)  # still needed by the my-trades watch
        await b.un_watch_my_trades()
        await eventually(lambda: "tradebusts" not in _held(sim, acct_b))
    finally:
        await a.close()
        await b.close()


async def test_a_fill_busted_while_the_socket_was_down_is_not_brought_back(sim):
    a, acct_a = await _exchange(sim, "75")
    b, acct_b = await _exchange(sim, "76")
    b.newUpdates = False
    try:
        trades = await _park(b, sim, acct_b, b.watch_my_trades(), "fills.ALL", "fills:ALL")
        busts = await _park(b, sim, acct_b, b.watch_trade_busts(), "tradebusts", "tradeBusts")
        live = [f["id"] for f in _place(sim, acct_b, "BUY", "MARKET", "0.002")]
        assert [t["id"] for t in await within(trades)] == live
        await sim.feed.disconnect_all()
        assert not _held(sim, acct_b)  # what follows happens in the gap
        _, gone = _cross(sim, acct_a, acct_b, "BUY", "0.003")
        sim.clock.advance(1)
        rows = sim.engine.bust(gone["id"])
        kept = [f["id"] for f in _place(sim, acct_b, "BUY", "MARKET", "0.002")]

        got = await within(busts)  # the waiting bust watcher reconnects; the gap is read from /tradebusts
        assert [(x["id"], x["timestamp"]) for x in got] == [(gone["id"], rows[0]["created_at"])]
        await eventually(lambda: b._private_gap_since is None)
        assert b.reconnects >= 1
        ids = [t["id"] for t in await within(b.watch_my_trades())]
        assert ids == live + kept and gone["id"] not in ids  # the gap's fills without the busted one
    finally:
        await a.close()
        await b.close()


async def test_fetch_ledger_has_no_entry_of_a_busted_fill_and_walks_back_to_zero(sim):
    a, acct_a = await _exchange(sim, "77")
    b, acct_b = await _exchange(sim, "78")
    try:
        _place(sim, acct_a, "BUY", "MARKET", "0.01")
        sim.clock.advance(1)
        made, _ = _cross(sim, acct_a, acct_b, "SELL", "0.004")  # realized PnL and a fee, then voided
        sim.clock.advance(1)
        _place(sim, acct_a, "SELL", "MARKET", "0.002")
        sim.clock.advance(1)
        sim.engine.bust(made["id"])
        ledger = await a.fetch_ledger()
        balance = sim.engine.accounts[acct_a].balance
        # walked back from the balance over every event: the account opened with nothing
        assert ledger[0]["before"] == 0 and ledger[0]["type"] == "transaction"
        assert ledger[-1]["after"] == float(balance)
        assert all(x["after"] == y["before"] for x, y in zip(ledger, ledger[1:]))
        references = {e["referenceId"] for e in ledger}
        assert made["id"] not in references
        assert {f["id"] for f in sim.engine.accounts[acct_a].fills if f["id"] != made["id"]} <= references
    finally:
        await a.close()
        await b.close()


async def test_fetch_trade_busts_pages_and_fetch_my_trades_can_leave_busted_fills_out(sim):
    a, acct_a = await _exchange(sim, "79", historyMaxPageSize=2)
    b, acct_b = await _exchange(sim, "7a")
    reads = []
    read = a.privateGetTradebusts

    async def counting(params={}):
        reads.append(params)
        return await read(params)
    a.privateGetTradebusts = counting
    try:
        made, busted = [], []
        for i in range(5):
            sim.clock.advance(1)
            fill, _ = _cross(sim, acct_a, acct_b, "SELL" if i % 2 else "BUY", "0.002")
            made.append(fill)
            if i != 2:
                sim.engine.bust(fill["id"])
                busted.append(fill["id"])

        every = await a.fetch_trade_busts(params={"paginate": True})
        assert [x["id"] for x in every] == busted and len(reads) == 2  # two pages of two
        assert all(x["account"] == acct_a for x in every)
        assert [x["id"] for x in await a.fetch_trade_busts(limit=3)] == busted[-3:]
        since = every[2]["timestamp"]
        assert [x["id"] for x in await a.fetch_trade_busts(since)] == busted[2:]

        reads.clear()
        listed = [t["id"] for t in await a.fetch_my_trades(S, params={"paginate": True})]
        assert listed == [f["id"] for f in made] and not reads  # the venue's fills as they are, no extra read
        kept = await a.fetch_my_trades(S, params={"paginate": True, "excludeBusted": True})
        assert [t["id"] for t in kept] == [made[2]["id"]] and len(reads) >= 1
        assert [t["id"] for t in await a.fetch_my_trades(limit=1, params={"excludeBusted": "true"})] == [made[2]["id"]]
    finally:
        await a.close()
        await b.close()


async def test_a_busted_fill_leaves_the_cache_and_its_new_update_count(sim):
    """Handlers driven directly: a fill not yet read then busted is neither returned nor counted as new, and a
    busted fill read again (a reconciliation) or arriving after its bust is not added."""
    ex = paradex()
    ex.set_markets(ex.parse_markets(MARKETS["results"]))
    ex._private_since_ms = 0
    client = StandInClient()

    def fill(fill_id):
        return {"id": fill_id, "market": M, "side": "BUY", "size": "0.1", "price": "100", "fee": "0.01",
                "liquidity": "TAKER", "fill_type": "FILL", "order_id": "o" + fill_id, "created_at": int(fill_id)}
    try:
        ex._register("myTrades", ["fills.ALL"], ["fills:ALL"])
        ex._register("tradeBusts", ["tradebusts"], ["tradeBusts"])
        assert ex._on_fill(client, fill("1")) and ex._on_fill(client, fill("2"))  # nobody waiting: both new
        ex._on_trade_bust(client, {"account": "0xa", "busted_fill_id": "1", "created_at": 5})
        cache = ex.myTrades
        limit = cache.getLimit(None, None)
        assert limit == 1 and [t["id"] for t in ex.filter_by_symbol_since_limit(cache, None, None, limit, True)] == ["2"]
        assert list(cache.hashmap[S]) == ["2"] and [t["id"] for t in cache] == ["2"]
        assert ex._on_fill(client, fill("1")) is False  # read again by a reconciliation
        ex._on_trade_bust(client, {"account": "0xa", "busted_fill_id": "3", "created_at": 6})
        ex._on_trade_bust(client, {"account": "0xa", "busted_fill_id": "3", "created_at": 6})  # (the gap's edge)
        assert ex._on_fill(client, fill("3")) is False  # its bust came first
        assert [x["id"] for x in ex._unread["tradeBusts"]] == ["1", "3"]
    finally:
        await ex.close()
