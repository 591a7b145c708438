"""One message hash, one future, many waiters: cancelling one waiter must not cancel the others.

asyncio cancels the future a cancelled task awaits. Every watcher of a market's book, every watcher of a private
stream and every caller authenticating a connection await the same future of the client (ccxt's
``client.future(hash)``), so a ``wait_for`` timeout or a shutdown of one task used to reach every other waiter as a
CancelledError of its own: a bot's order entry could die because an unrelated watch was cancelled during login.
Now the others wait on (Python 3.11+ for watchers; the login's future is shielded on every version).
"""
import asyncio
import gc
import sys

import pytest

from ccxt_paradex.pro import paradex
from ccxt_paradex.pro.session import AUTH_HASH
from ccxt_paradex.sim import Simulator
from conftest import QUIET, pro_exchange, within
from watching import park

SYMBOL, MARKET = "BTC/USD:USDC", "BTC-USD-PERP"
L1 = "0x" + "5c" * 32
needs_cancelling = pytest.mark.skipif(sys.version_info < (3, 11), reason="Task.cancelling() is Python 3.11+")


def _exchange(sim):
    return pro_exchange(sim, L1)


def _account(sim):
    return next(a for a in sim.engine.accounts if a not in sim.engine.ephemeral)


async def _parked_on(client, message_hash, waiters):
    """The hash's future, once every waiter task awaits it (``_fut_waiter``: what a task is suspended on)."""
    for _ in range(200):
        future = client.futures.get(message_hash)
        if future is not None and not future.done() and all(w._fut_waiter is future for w in waiters):
            return future
        await asyncio.sleep(0)
    raise AssertionError(message_hash + ": not parked")


@needs_cancelling
async def test_cancelling_one_book_watcher_leaves_the_other_watching():
    async with Simulator(seed=41, **QUIET) as sim:
        ex = paradex({"urls": sim.ccxt_urls()})
        try:
            await within(ex.watch_order_book(SYMBOL))
            client = ex.clients[ex.get_ws_url()]
            first, other = (asyncio.ensure_future(ex.watch_order_book(SYMBOL)) for _ in range(2))
            shared = await _parked_on(client, "orderbook:" + MARKET, [first, other])
            first.cancel()
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            assert first.cancelled() and shared.cancelled()  # (what asyncio does to the future first awaited)
            assert not other.done()  # ... the other watcher waits on, on the market's next future
            before = sim.engine.books[MARKET].seq_no
            sim.liquidity.step()
            book = await within(other)
            assert before < book["nonce"] <= sim.engine.books[MARKET].seq_no and book["bids"][0][0] < book["asks"][0][0]
        finally:
            await ex.close()


@needs_cancelling
async def test_cancelling_one_private_watcher_leaves_the_other_watching():
    async with Simulator(seed=42, **QUIET) as sim:
        ex = _exchange(sim)
        try:
            await ex.load_markets()
            await within(ex.fetch_balance())  # onboarded, so the account exists on the simulator
            first = await park(ex, sim, _account(sim), ex.watch_orders(SYMBOL), "orders." + MARKET, "orders:" + MARKET)
            other = asyncio.ensure_future(ex.watch_orders(SYMBOL))
            client = ex.clients[ex.get_ws_url()]
            await _parked_on(client, "orders:" + MARKET, [first, other])
            first.cancel()
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            assert first.cancelled() and not other.done()
            bid = (await ex.fetch_order_book(SYMBOL))["bids"][0][0]
            placed = await within(ex.create_order(SYMBOL, "limit", "buy", 0.01, float(ex.price_to_precision(SYMBOL, bid * 0.9))))
            orders = await within(other)
            assert placed["id"] in [o["id"] for o in orders]
        finally:
            await ex.close()


async def test_cancelling_a_watch_during_login_leaves_order_entry_alone():
    """A private watch and an order request authenticate one fresh connection together; the watch is cancelled
    while the login is under way. The order goes through (it used to raise CancelledError from the login)."""
    async with Simulator(seed=43, **QUIET) as sim:
        ex = _exchange(sim)
        try:
            await ex.load_markets()
            bid = (await ex.fetch_order_book(SYMBOL))["bids"][0][0]
            price = float(ex.price_to_precision(SYMBOL, bid * 0.9))
            watch = asyncio.ensure_future(ex.watch_orders(SYMBOL))
            order = asyncio.ensure_future(ex.create_order_ws(SYMBOL, "limit", "buy", 0.01, price))
            for _ in range(2000):  # until the auth request is out, its answer not in
                client = (ex.clients or {}).get(ex.get_ws_url())
                if client is not None and AUTH_HASH in client.subscriptions and AUTH_HASH in client.futures:
                    break
                await asyncio.sleep(0)
            else:
                raise AssertionError("no login under way")
            login = client.futures[AUTH_HASH]
            for _ in range(5):  # both callers reach their wait for the login
                await asyncio.sleep(0)
            assert not login.done() and not watch.done() and not order.done()
            watch.cancel()
            placed = await within(order)
            assert watch.cancelled() and placed["status"] == "open" and placed["price"] == price
        finally:
            await ex.close()


async def test_a_login_refused_before_it_was_sent_leaves_nothing_for_close_to_report():
    """watch_orders without a key fails in the login; close() then rejects what the login left in the client, and
    asyncio must not log 'Future exception was never retrieved' for it."""
    async with Simulator(seed=44, **QUIET) as sim:
        loop = asyncio.get_running_loop()
        reported = []
        handler = loop.get_exception_handler()
        loop.set_exception_handler(lambda lp, context: reported.append(context.get("message")))
        try:
            ex = paradex({"urls": sim.ccxt_urls()})
            with pytest.raises(Exception) as refused:
                await within(ex.watch_orders(SYMBOL))
            assert type(refused.value).__name__ in ("AuthenticationError", "ArgumentsRequired")
            client = ex.clients[ex.get_ws_url()]
            left = list(client.futures.values())
            assert left  # what the refused login left behind: close() rejects it
            await ex.close()
            assert all(f.done() for f in left)
            del left, client, ex, refused  # (the refusal's traceback holds the client too)
            gc.collect()
            await asyncio.sleep(0)
            assert not [m for m in reported if m and "never retrieved" in m], reported
        finally:
            loop.set_exception_handler(handler)
