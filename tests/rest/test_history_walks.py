"""History reads the way bots use them (issue 17 item 1, issue 10 item 8), against the simulator.

Pages are made small (options historyPageSize / historyMaxPageSize = 10) so a few dozen rows span several
pages; the deep-history tests use the default page sizes with thousands of rows put into the simulator.
"""
import warnings

import ccxt
import pytest

import ccxt_paradex
from ccxt_paradex.core import history, keys
from ccxt_paradex.sim.state import Order
from ccxt_paradex.sim.thread import SimulatorThread

L1_KEY = "0x" + "5c" * 32
SYMBOL, MARKET = "SOL/USD:USDC", "SOL-USD-PERP"
PAGE = 10


@pytest.fixture(scope="module")
def sim():
    # funding updates only when a test asks (funding_interval=0), paid at each update, fast enough to be non-zero
    with SimulatorThread(seed=17, tick_interval=0.05, initial_balance="50000", funding_interval=0,
                         funding_settlement="periodic", funding_time_scale=360_000) as sim:
        yield sim


def _client(sim, **options):
    ex = ccxt_paradex.paradex({"walletAddress": keys.eth_address(L1_KEY), "privateKey": L1_KEY, "urls": sim.ccxt_urls(),
                               "options": options})
    ex.load_markets()
    return ex


@pytest.fixture(scope="module")
def ex(sim):
    return _client(sim, historyPageSize=PAGE, historyMaxPageSize=PAGE)


def _account(sim):
    accounts = [a for a in sim.engine.accounts.values() if a.address not in sim.engine.ephemeral]
    assert len(accounts) == 1  # this module's simulator has one real account
    return accounts[0]


@pytest.fixture(scope="module")
def session(sim, ex):
    """25 market orders (every one fills), 12 canceled limit orders, 15 funding payments, 15 deposits."""
    t0 = ex.milliseconds() - 1
    orders = [ex.create_order(SYMBOL, "market", "buy" if i % 2 == 0 else "sell", 0.1) for i in range(25)]
    ex.create_order(SYMBOL, "market", "buy", 0.1)  # hold a position for the funding payments
    mark = float(sim.thread.call(lambda: sim.engine.mark[MARKET]))
    canceled = []
    for i in range(12):
        o = ex.create_order(SYMBOL, "limit", "buy", 0.1, float(ex.price_to_precision(SYMBOL, mark * 0.8 - i * 0.01)))
        ex.cancel_order(o["id"], SYMBOL)
        canceled.append(o)
    acct = _account(sim)
    ended = sim.thread.call(lambda: [(o.status, o.cancel_reason, o.remaining < o.size) for o in acct.orders[-38:]])
    assert ended == [("CLOSED", "", True)] * 26 + [("CLOSED", "USER_CANCELED", False)] * 12  # every market order filled
    def funding_update():
        sim.clock.advance(0.01)  # 10 ms of wall time between updates (funding time: 10 ms x 360,000 = 1 h)
        sim.market_data.sample_funding()
    for _ in range(15):
        sim.thread.call(funding_update)

    def deposits():
        base = acct.transfers[0]
        for i in range(15):
            acct.transfers.append(dict(base, id=sim.engine.new_id(), amount="1", created_at=sim.clock.ms() + i))
    sim.thread.call(deposits)
    return {"t0": t0, "orders": orders, "canceled": canceled, "acct": acct}


def test_my_trades_since_return_every_fill_from_since_oldest_first(ex, session):
    acct = session["acct"]
    expected = [f["id"] for f in acct.fills if f["created_at"] >= session["t0"] and f["market"] == MARKET]
    assert len(expected) > 2 * PAGE
    trades = ex.fetch_my_trades(SYMBOL, session["t0"])
    assert [t["id"] for t in trades] == expected  # before: the newest page only (the first orders' fills missing)
    first_order = session["orders"][0]["id"]
    assert trades[0]["order"] == first_order
    assert [t["id"] for t in ex.fetch_my_trades(SYMBOL, session["t0"], 5)] == expected[:5]
    assert [t["id"] for t in ex.fetch_my_trades(SYMBOL, None, 3)] == expected[-3:]  # no since: the newest
    assert len(ex.fetch_my_trades(SYMBOL)) == PAGE  # neither: one page, as before


def test_orders_since_closed_and_canceled(ex, session):
    placed = [o["id"] for o in session["orders"]]
    orders = ex.fetch_orders(SYMBOL, session["t0"])
    assert [o["id"] for o in orders][:25] == placed and len(orders) == 25 + 1 + 12
    closed = ex.fetch_closed_orders(SYMBOL, session["t0"], 3)
    assert [o["id"] for o in closed] == placed[:3] and all(o["status"] == "closed" for o in closed)
    canceled = ex.fetch_canceled_orders(SYMBOL, session["t0"])
    assert [o["id"] for o in canceled] == [o["id"] for o in session["canceled"]]
    newest = ex.fetch_canceled_orders(SYMBOL, None, 11)  # limit counts canceled orders, across pages
    assert [o["id"] for o in newest] == [o["id"] for o in session["canceled"]][-11:]


def test_funding_history_since(ex, session):
    payments = [p["id"] for p in session["acct"].funding_payments if p["market"] == MARKET and p["created_at"] >= session["t0"]]
    assert len(payments) >= 15
    assert [f["id"] for f in ex.fetch_funding_history(SYMBOL, session["t0"])] == payments
    assert [f["id"] for f in ex.fetch_funding_history(SYMBOL, session["t0"], 4)] == payments[:4]


def test_transfers_deposits_and_ledger_since(ex, session):
    acct = session["acct"]
    expected = [t["id"] for t in acct.transfers if t["created_at"] >= session["t0"]]
    assert len(expected) == 16  # the first deposit (at onboarding, after t0) and 15 more
    assert [t["id"] for t in ex.fetch_transfers(None, session["t0"])] == expected
    assert [t["id"] for t in ex.fetch_deposits(None, session["t0"])] == expected
    assert [t["id"] for t in ex.fetch_deposits("USDC", session["t0"], 2)] == expected[:2]
    assert ex.fetch_withdrawals(None, session["t0"]) == []
    ledger = ex.fetch_ledger("USDC", session["t0"])
    fills = [f for f in acct.fills if f["created_at"] >= session["t0"]]
    assert len([e for e in ledger if e["type"] == "transaction"]) == 16 and len(ledger) >= 15 + len(fills)
    assert ledger == sorted(ledger, key=lambda e: e["timestamp"])


def test_public_trades_and_funding_rate_history_since(ex, sim):
    since = ex.milliseconds() - 3000
    until = ex.milliseconds()
    trades = ex.fetch_trades("BTC/USD:USDC", since, None, {"until": until})
    expected = sim.thread.call(lambda: [t["id"] for t in sim.engine.trades["BTC-USD-PERP"] if since <= t["created_at"] <= until])
    assert len(expected) > PAGE and [t["id"] for t in trades] == expected
    rates = ex.fetch_funding_rate_history(SYMBOL, since - 60_000)
    samples = [r for r in sim.funding[MARKET] if r["created_at"] >= since - 60_000]
    assert len(samples) > PAGE and [r["timestamp"] for r in rates] == [r["created_at"] for r in samples]


def test_a_walk_past_its_bound_raises_or_warns_never_truncates_silently(sim, session):
    ex = _client(sim, historyPageSize=PAGE, historyMaxPageSize=PAGE, historyMaxRequests=2)
    with pytest.raises(history.HistoryBoundExceeded, match="historyMaxRequests") as info:
        ex.fetch_my_trades(SYMBOL, session["t0"])
    assert isinstance(info.value, ccxt.BadRequest)
    with pytest.raises(ccxt.BadRequest):
        ex.fetch_orders(SYMBOL, None, None, {"paginate": True})
    ex.options["historyOnBound"] = "warn"
    with pytest.warns(history.HistoryTruncatedWarning):
        rows = ex.fetch_my_trades(SYMBOL, session["t0"])
    assert len(rows) == 2 * PAGE
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(ex.fetch_my_trades(SYMBOL, None, 15)) == 15  # within the bound: no warning


def _bury(sim, acct, template, count):
    """``count`` closed orders newer than every order so far (copies of ``template``, new ids)."""
    def run():
        for _ in range(count):
            copy = Order(**{name: getattr(template, name) for name in Order.__slots__})
            copy.id, copy.client_id = sim.engine.new_id(), ""
            copy.created_at = copy.last_updated_at = sim.clock.ms() + 1
            acct.orders.append(copy)
    sim.thread.call(run)


def test_fetch_order_finds_an_old_canceled_order_and_paginate_walks_everything(sim, session):
    """Issue 10 item 8: fetch_order(id) without a symbol gave up beyond the newest 2,000 history rows,
    fetch_orders(paginate=True) stopped silently at 5,000 rows."""
    ex = _client(sim)  # default page sizes
    acct = session["acct"]
    old = session["canceled"][0]["id"]
    template = sim.engine.orders[old]
    _bury(sim, acct, template, 7100)
    found = ex.fetch_order(old)  # before: OrderNotFound
    assert found["id"] == old and found["status"] == "canceled"
    every = ex.fetch_orders(None, None, None, {"paginate": True})
    assert len(every) == len(acct.orders) > 7090  # before: 5,000
    with pytest.raises(ccxt.OrderNotFound):
        ex.fetch_order("1" * 28)
