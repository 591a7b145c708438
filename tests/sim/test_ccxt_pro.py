"""ccxt's own built-in WebSocket client, ``ccxt.pro.paradex`` (async, unmodified), against the simulator.

The independent client test for the WebSocket feed: nothing here comes from ccxt_paradex except the simulator.
ccxt builds its URL from ``urls['api']['ws']`` and appends ``?sbeSchemaId=1&sbeSchemaVersion=3`` itself
(``get_ws_url``; options ``sbe`` / ``sbeSchemaVersion``), so every public channel arrives as SBE 1:3 binary
frames and goes through ccxt's own decoder (``parse_sbe_message``) into its JSON handlers. Only ``urls`` is
overridden, with ``sim.ccxt_urls()``.
"""
import asyncio
import contextlib

import ccxt
import ccxt.pro
import pytest

from ccxt_paradex.sim import Simulator

SYMBOL, MARKET = "BTC/USD:USDC", "BTC-USD-PERP"
TIMEOUT = 5  # seconds per watch call: a feed that stops fails fast instead of hanging


@contextlib.asynccontextmanager
async def connected(seed, **options):
    async with Simulator(seed=seed, tick_interval=0.05, summary_interval=0.2, funding_interval=0.3) as sim:
        exchange = ccxt.pro.paradex({"urls": sim.ccxt_urls(), "enableRateLimit": False, "options": options})
        try:
            await asyncio.wait_for(exchange.load_markets(), TIMEOUT)
            yield sim, exchange
        finally:
            await exchange.close()


async def watch(coro):
    return await asyncio.wait_for(coro, TIMEOUT)


def sbe_sessions(sim):
    return sorted(conn.sbe_version for conn in sim.feed.connections)


def check_book(book):
    bids, asks = book["bids"], book["asks"]
    assert book["symbol"] == SYMBOL and bids and asks and len(bids) <= 15 and len(asks) <= 15
    assert all(price > 0 and size > 0 for price, size in bids + asks)
    assert [p for p, _ in bids] == sorted({p for p, _ in bids}, reverse=True)  # strictly descending
    assert [p for p, _ in asks] == sorted({p for p, _ in asks})  # strictly ascending
    assert bids[0][0] < asks[0][0]  # not crossed
    assert isinstance(book["nonce"], int) and book["nonce"] > 0 and book["timestamp"] > 0


async def test_ccxt_asks_for_sbe_1_3_on_the_ws_url_and_the_simulator_accepts_it():
    async with connected(1) as (sim, exchange):
        assert exchange.get_ws_url() == sim.ws_url + "?sbeSchemaId=1&sbeSchemaVersion=3"
        await watch(exchange.watch_order_book(SYMBOL))
        assert sbe_sessions(sim) == [3]


async def test_a_version_above_the_cap_is_refused_at_the_handshake():
    async with connected(2, sbeSchemaVersion="4") as (sim, exchange):
        with pytest.raises(ccxt.NetworkError, match="400"):
            await watch(exchange.watch_order_book(SYMBOL))
        assert sbe_sessions(sim) == []


async def test_watch_order_book_is_sane_and_live():
    async with connected(3) as (sim, exchange):
        first = await watch(exchange.watch_order_book(SYMBOL))
        check_book(first)
        nonce, ts = first["nonce"], first["timestamp"]
        second = await watch(exchange.watch_order_book(SYMBOL))
        check_book(second)
        # ccxt mutates one book object in place, hence the values captured above
        assert second["nonce"] > nonce and second["timestamp"] >= ts
        assert second["nonce"] <= sim.engine.books[MARKET].seq_no


async def test_watch_trades_is_sane_and_live():
    async with connected(4) as (sim, exchange):
        batches = [await watch(exchange.watch_trades(SYMBOL)) for _ in range(2)]
        seen = set()
        for batch in batches:
            assert batch
            for trade in batch:
                assert trade["symbol"] == SYMBOL and trade["price"] > 0 and trade["amount"] > 0
                assert trade["side"] in ("buy", "sell") and trade["timestamp"] > 0
                # the full 28-digit id comes from the 1:2+ tradeIdStr, not the truncated int64 tradeId
                assert trade["id"] and len(trade["id"]) == 28 and trade["id"] not in seen
                seen.add(trade["id"])
        assert min(t["timestamp"] for t in batches[1]) >= max(t["timestamp"] for t in batches[0])
        published = {t["id"]: t for t in sim.engine.trades[MARKET]}
        for trade in batches[0] + batches[1]:
            assert float(published[trade["id"]]["price"]) == trade["price"]


async def test_watch_ticker_is_sane_and_live():
    async with connected(5) as (sim, exchange):
        first = await watch(exchange.watch_ticker(SYMBOL))
        ts = first["timestamp"]
        second = await watch(exchange.watch_ticker(SYMBOL))
        assert second["timestamp"] > ts
        for ticker in (first, second):
            assert ticker["symbol"] == SYMBOL and 0 < ticker["bid"] < ticker["ask"]
            assert ticker["last"] > 0 and ticker["markPrice"] > 0 and ticker["quoteVolume"] >= 0
            # decoded from a 248-byte 1:3 block: the field is there, null for a perpetual
            assert "settlement_twap_estimate" in ticker["info"] and ticker["info"]["settlement_twap_estimate"] is None


async def test_watch_funding_rate_is_live():
    async with connected(6) as (sim, exchange):
        first = await watch(exchange.watch_funding_rate(SYMBOL))
        ts = first["timestamp"]
        second = await watch(exchange.watch_funding_rate(SYMBOL))
        assert second["timestamp"] > ts
        assert second["symbol"] == SYMBOL and second["fundingRate"] is not None and second["interval"] == "8h"
