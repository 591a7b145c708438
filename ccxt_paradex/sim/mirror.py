"""Paper trading against live books: the simulator mirrors a source venue's public market data.

A :class:`Mirror` subscribes, as a client without keys (public channels only), to a source venue's order books
and trades with ``ccxt_paradex.pro.paradex`` (so SBE decoding, seq_no checks and gap resyncs are the client's),
and turns every applied book state into resting liquidity of a dedicated, ephemeral mirror account in the local
engine (:class:`MirrorBook`):

- each state is diffed against what the mirror account has resting (removals first, then additions, so mirror
  orders never meet each other); a local taker walks the visible levels, a local resting order fills (as maker,
  at its own price) when the mirrored book crosses it; fees, margin and positions are the simulator's;
- a source trade fills local resting orders strictly better than its price (up to its size, :func:`trade_through`):
  on the venue they would have been hit first, though the book never crossed them;
- a level a local taker consumed comes back with the next source state (no market impact is kept);
- the mark of a mirrored market follows the mirrored mid;
- a gap upstream: the client resyncs, and its next synced state is applied whole (a full diff), so the local
  book is never a silently wrong one;
- the source going away (the connection is lost): the mirrored books are **cleared** (every mirror order is
  cancelled, ``Mirror.lost`` counts it) and refilled from the first snapshot after the client reconnects;
- nothing is ever sent upstream but ``subscribe`` / ``unsubscribe`` (and REST ``GET /markets``).

``--record FILE`` writes the mirrored stream as compact JSON lines (format and reading: ``sim/recording.py``); a
:class:`Replay` (``sim/replay.py``) plays such a file back into a simulator, applying the same book states in the
same order through the same :class:`MirrorBook` (``sim/mirror_book.py``), so a strategy can be re-run on the same
market data. The names of those modules stay importable from here.
"""
import asyncio
import logging
from decimal import Decimal

import aiohttp

from .markets import spec_from_json
from .mirror_book import MIRROR_ACCOUNT, MirrorBook, attach, publish_trade, trade_through
from .recording import SAMPLE_RECORDING, Recorder, book_states, read_header, read_recording, recording_specs
from .replay import Replay
from .state import fmt

log = logging.getLogger("ccxt_paradex.sim")

# Paradex's public endpoints (as ccxt's paradex class has them). Not exercised from this repository: no network.
VENUES = {
    "mainnet": {"v1": "https://api.prod.paradex.trade/v1", "ws": "wss://ws.api.prod.paradex.trade/v1"},
    "testnet": {"v1": "https://api.testnet.paradex.trade/v1", "ws": "wss://ws.api.testnet.paradex.trade/v1"},
}
SCALE = Decimal(100_000_000)


def source_urls(source) -> dict:
    """'mainnet' | 'testnet' | 'http://host:port[/v1]' | a ``sim.ccxt_urls()`` dict -> ccxt ``urls`` override."""
    if isinstance(source, dict):
        return source
    if source in VENUES:
        return {"api": dict(VENUES[source])}
    base = source.rstrip("/")
    if base.endswith("/v1"):
        base = base[:-3]
    if base.startswith(("ws://", "wss://")):
        http = "http" + base[2:]
    elif base.startswith(("http://", "https://")):
        http = base
    else:
        raise ValueError(f"mirror source must be mainnet, testnet or an http(s)/ws(s) URL, not {source!r}")
    ws = "ws" + http[4:]
    return {"api": {"v1": http + "/v1", "v2": http + "/v2", "ws": ws + "/v1"}}


async def fetch_markets(source, markets=None) -> list:
    """The source's perp markets (MarketResp dicts with the summary's mark price as "mark"), via public REST."""
    rest = source_urls(source)["api"]["v1"]
    async with aiohttp.ClientSession() as http:
        async with http.get(rest + "/markets") as resp:
            resp.raise_for_status()
            listed = (await resp.json())["results"]
        async with http.get(rest + "/markets/summary", params={"market": "ALL"}) as resp:
            marks = {s["symbol"]: s.get("mark_price") for s in (await resp.json()).get("results", [])} \
                if resp.status == 200 else {}
    by_symbol = {m["symbol"]: m for m in listed if m.get("asset_kind", "PERP") == "PERP"}
    wanted = list(markets) if markets else sorted(by_symbol)
    missing = [w for w in wanted if w not in by_symbol]
    if missing:
        raise ValueError(f"the source lists no perp market {', '.join(missing)}")
    return [dict(by_symbol[w], mark=marks.get(w) or by_symbol[w].get("mark") or "1") for w in wanted]


def _levels(pairs):
    return [(Decimal(p) / SCALE, Decimal(s) / SCALE) for p, s in pairs]


def _client_class():
    from ..pro import paradex

    class MirrorClient(paradex):
        """The pro client, telling the mirror when its connection to the source is lost."""
        on_lost = None

        def _after_connection_lost(self, session):
            super()._after_connection_lost(session)
            if self.on_lost is not None:
                self.on_lost()
    return MirrorClient


class Mirror:
    """``Mirror(sim, "http://127.0.0.1:8080", ["BTC-USD-PERP"])``; ``await mirror.start()`` ... ``await mirror.stop()``.

    The local simulator must list the mirrored markets (build it from :func:`fetch_markets`, as the CLI does)."""

    def __init__(self, sim, source, markets=None, record=None, trades=True, client_options=None, note=""):
        self.sim = sim
        self.urls = source_urls(source)
        self.markets = list(markets or sim.engine.specs)
        self.books = attach(sim, self.markets)
        self.record_path = record
        self.note = note  # written in the recording's header
        self.recorder = None
        self.trades = trades
        self.client_options = client_options or {}
        self.client = None
        self.tasks = []
        self.applied = 0   # book states applied
        self.lost = 0      # times the source went away (books cleared)

    async def start(self):
        cls = _client_class()
        self.client = cls({"urls": self.urls, "enableRateLimit": False, "options": dict(self.client_options)})
        self.client.on_lost = self._on_lost
        await self.client.load_markets()
        missing = [m for m in self.markets if m not in (self.client.markets_by_id or {})]
        if missing:
            await self.client.close()
            raise ValueError(f"the source lists no market {', '.join(missing)}")
        if self.record_path:
            specs = [dict(self.sim.engine.specs[m].to_json(), mark=fmt(self.sim.engine.mark[m])) for m in self.markets]
            self.recorder = Recorder(self.record_path, self.sim.clock.ms, self.urls["api"]["ws"], specs, self.note)
        for market in self.markets:
            symbol = self.client.safe_market(market)["symbol"]
            self.tasks.append(asyncio.ensure_future(self._books(symbol, market)))
            if self.trades:
                self.tasks.append(asyncio.ensure_future(self._trades(symbol, market)))
        return self

    async def stop(self):
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()
        if self.client is not None:
            await self.client.close()
        if self.recorder is not None:
            self.recorder.close()

    async def __aenter__(self):
        return await self.start()

    async def __aexit__(self, *exc):
        await self.stop()

    def _on_lost(self):
        self.lost += 1
        for market, book in self.books.items():
            if book.state is not None:
                book.clear()
                if self.recorder is not None:
                    self.recorder.lost(market)
        log.info("mirror: the source connection was lost; mirrored books cleared until it is back")

    async def _books(self, symbol, market):
        client = self.client
        while True:
            try:
                await client.watch_order_book(symbol)
            except asyncio.CancelledError:
                raise
            except Exception as err:  # the client retries reconnects itself; this is what it gave up on
                log.info("mirror: order book of %s: %s", market, err)
                self._on_lost()
                await asyncio.sleep(1.0)
                continue
            book = client._books.get(market)
            if book is None or not book.synced or book.seq == self.books[market].source_seq:
                continue
            bids, asks = book.levels()
            self.apply(market, book.seq, _levels(bids), _levels(asks))

    def apply(self, market, seq, bids, asks):
        self.books[market].apply(seq, bids, asks)
        self.applied += 1
        if self.recorder is not None:
            self.recorder.book(market, seq, bids, asks)

    async def _trades(self, symbol, market):
        seen = {}  # trade ids already republished, oldest first
        while True:
            try:
                trades = await self.client.watch_trades(symbol)
            except asyncio.CancelledError:
                raise
            except Exception as err:
                log.info("mirror: trades of %s: %s", market, err)
                await asyncio.sleep(1.0)
                continue
            for t in trades:
                if t["id"] in seen:
                    continue
                seen[t["id"]] = None
                info = t.get("info") or {}
                side = str(info.get("side") or t["side"]).upper()
                price = str(info.get("price") or self.client.number_to_string(t["price"]))
                size = str(info.get("size") or self.client.number_to_string(t["amount"]))
                trade_through(self.sim, market, side, price, size)
                publish_trade(self.sim, market, t["id"], side, price, size)
                if self.recorder is not None:
                    self.recorder.trade(market, {"id": t["id"], "side": side, "price": price, "size": size})
            if len(seen) > 10000:
                seen = dict.fromkeys(list(seen)[-5000:])


# the live mirror's names, and (re-exported) the recording's, the replay's and the mirrored books' that the CLI,
# tools and tests have always imported from here
__all__ = ["VENUES", "Mirror", "source_urls", "fetch_markets", "spec_from_json", "MIRROR_ACCOUNT", "MirrorBook",
           "publish_trade", "trade_through", "SAMPLE_RECORDING", "Recorder", "read_recording", "read_header",
           "recording_specs", "book_states", "Replay"]
