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

``--record FILE`` writes the mirrored stream as compact JSON lines (gzip when FILE ends in ``.gz``); a
:class:`Replay` plays such a file back into a simulator, applying the same book states in the same order through
the same :class:`MirrorBook`, so a strategy can be re-run on the same market data.

Record format, one JSON object a line: a header ``{"v":1,"source":..,"t0":ms,"note":..,"markets":[MarketResp + "mark"]}``,
then events with ``"t"`` (ms since t0) and ``"m"`` (market): books ``{"k":"b","s":source seq_no,"b":[[price,
size],..],"a":[..]}`` (changed levels only, size "0" removes; ``"r":1`` a full state after a start or a loss),
trades ``{"k":"t","id","side","p","q"}``, and losses ``{"k":"x"}`` (the source went away: book cleared).
"""
import asyncio
import gzip
import json
import os
import logging
from decimal import Decimal

import aiohttp

from .markets import MarketSpec
from .state import ZERO, Order, fmt

log = logging.getLogger("ccxt_paradex.sim")

MIRROR_ACCOUNT = "0x5afe0000000000000000000000000000000000000000000000000000000003"
# Paradex's public endpoints (as ccxt's paradex class has them). Not exercised from this repository: no network.
VENUES = {
    "mainnet": {"v1": "https://api.prod.paradex.trade/v1", "ws": "wss://ws.api.prod.paradex.trade/v1"},
    "testnet": {"v1": "https://api.testnet.paradex.trade/v1", "ws": "wss://ws.api.testnet.paradex.trade/v1"},
}
SCALE = Decimal(100_000_000)
#: the recording shipped with the package (``--replay sample``): 150 s of BTC-USD-PERP mirrored from a simulator
#: source, not from Paradex (tools/record_mirror_sample.py writes it)
SAMPLE_RECORDING = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "btc_sim_source.jsonl.gz")


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


def spec_from_json(m: dict) -> MarketSpec:
    """A MarketResp (plus an optional "mark") -> the local MarketSpec the mirrored market trades under."""
    fees = (m.get("fee_config") or {}).get("api_fee") or {}
    imf = Decimal(str((m.get("delta1_cross_margin_params") or {}).get("imf_base") or "0.1"))

    def fee(key, default):
        return Decimal(str((fees.get(key) or {}).get("fee") or default))
    return MarketSpec(
        m["symbol"], m.get("base_currency") or m["symbol"].split("-")[0], Decimal(str(m.get("mark") or "1")),
        Decimal(str(m["price_tick_size"])), Decimal(str(m["order_size_increment"])),
        Decimal(str(m.get("min_notional") or "10")), Decimal(str(m.get("max_order_size") or "1000000")),
        Decimal(str(m.get("position_limit") or "10000000")), int(m.get("max_open_orders") or 100),
        max(1, int((1 / imf).to_integral_value())) if imf > 0 else 10, fee("maker_fee", "0.00003"),
        fee("taker_fee", "0.0002"), int(m.get("funding_period_hours") or 8), int(m.get("open_at") or 0))


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


class MirrorBook:
    """The mirror account's resting orders in one market, kept equal to the latest applied source state."""

    def __init__(self, engine, market):
        self.engine, self.market = engine, market
        self.state = None       # {(side, price): size} last applied (None: nothing mirrored)
        self.source_seq = None  # source seq_no of that state

    def _resting(self):
        out = {}
        for order in list(self.engine.open_by_market.get((MIRROR_ACCOUNT, self.market), {}).values()):
            out.setdefault((order.side, order.price), []).append(order)
        return out

    def apply(self, seq, bids, asks):
        """bids/asks: [(Decimal price, Decimal size)] of the whole source book -> number of levels changed."""
        target = {("BUY", p): s for p, s in bids if s > 0}
        target.update({("SELL", p): s for p, s in asks if s > 0})
        best_ask = min((p for (side, p) in target if side == "SELL"), default=None)
        if best_ask is not None:  # a crossed source state is never mirrored into a self-crossing book
            target = {k: s for k, s in target.items() if k[0] == "SELL" or k[1] < best_ask}
        resting = self._resting()
        changed = 0
        for key, orders in resting.items():  # removals and decreases first
            want = target.get(key, ZERO)
            have = sum(o.remaining for o in orders)
            if have > want:
                changed += 1
                self._reduce(orders, have - want)
        for key, size in sorted(target.items(), key=lambda kv: (kv[0][0], kv[0][1])):  # then additions
            have = sum(o.remaining for o in resting.get(key, ()) if o.status == "OPEN")
            if size > have:
                changed += 1
                self._rest(key[0], key[1], size - have)
        self.state, self.source_seq = target, seq
        bid = max((p for (side, p) in target if side == "BUY"), default=None)
        if bid is not None and best_ask is not None:
            tick = self.engine.specs[self.market].tick
            self.engine.set_mark(self.market, max(tick, ((bid + best_ask) / 2) // tick * tick))
        return changed

    def clear(self):
        for orders in self._resting().values():
            self._reduce(orders, sum(o.remaining for o in orders))
        self.state, self.source_seq = None, None

    def _reduce(self, orders, amount):
        eng = self.engine
        for order in reversed(orders):  # the newest first: the oldest keeps its queue position
            if amount <= 0:
                break
            if order.status != "OPEN":
                continue
            if order.remaining <= amount:
                amount -= order.remaining
                eng._cancel_resting(order, "USER_CANCELED")
            else:
                order.remaining -= amount
                order.size -= amount
                amount = ZERO
                side = eng.books[self.market].side(order.side)
                eng._bump(self.market, [(order.side, order.price, side.level_size(order.price, False),
                                         side.level_size(order.price, True))])

    def _rest(self, side, price, size):
        eng = self.engine
        now = eng.clock()
        order = Order(id=eng.new_id(), account=MIRROR_ACCOUNT, market=self.market, side=side, type="LIMIT",
                      size=size, remaining=size, price=price, trigger_price=None, instruction="GTC", flags=[],
                      stp="EXPIRE_TAKER", client_id="", status="NEW", cancel_reason="", filled_notional=ZERO,
                      timestamp=now, received_at=now, created_at=now, last_updated_at=now, seq_no=0,
                      request_info=None, interactive=False, signer_key=None)
        eng.submit(order)  # crosses local resting orders only (mirror orders were reduced first)


def _attach(sim, markets):
    eng = sim.engine
    if MIRROR_ACCOUNT not in eng.accounts:
        eng.open_account(MIRROR_ACCOUNT, 0, "", Decimal("1000000000000000"))
        eng.ephemeral.add(MIRROR_ACCOUNT)
    if sim.liquidity is not None:
        for market in markets:
            sim.liquidity.exclude(market)
    return {m: MirrorBook(eng, m) for m in markets}


def _levels(pairs):
    return [(Decimal(p) / SCALE, Decimal(s) / SCALE) for p, s in pairs]


class Recorder:
    """Compact JSON lines of the mirrored stream (gzip when the path ends in .gz)."""

    def __init__(self, path, clock_ms, source, specs, note=""):
        self.clock_ms = clock_ms
        self.t0 = clock_ms()
        self.file = gzip.open(path, "wt", encoding="utf-8") if str(path).endswith(".gz") else \
            open(path, "w", encoding="utf-8")
        self.last = {}
        self._write({"v": 1, "source": source, "t0": self.t0, "note": note, "markets": specs})

    def _write(self, obj):
        self.file.write(json.dumps(obj, separators=(",", ":")) + "\n")

    def book(self, market, seq, bids, asks):
        state = {("b", fmt(p)): fmt(s) for p, s in bids if s > 0}
        state.update({("a", fmt(p)): fmt(s) for p, s in asks if s > 0})
        before = self.last.get(market)
        line = {"t": self.clock_ms() - self.t0, "m": market, "k": "b", "s": seq, "b": [], "a": []}
        if before is None:
            line["r"] = 1
            changes = state
        else:
            changes = {k: v for k, v in state.items() if before.get(k) != v}
            changes.update({k: "0" for k in before if k not in state})
        for (side, price), size in changes.items():
            line[side].append([price, size])
        self.last[market] = state
        self._write(line)

    def trade(self, market, trade):
        self._write({"t": self.clock_ms() - self.t0, "m": market, "k": "t", "id": trade["id"],
                     "side": trade["side"], "p": trade["price"], "q": trade["size"]})

    def lost(self, market):
        self.last.pop(market, None)
        self._write({"t": self.clock_ms() - self.t0, "m": market, "k": "x"})

    def close(self):
        self.file.close()


def publish_trade(sim, market, trade_id, side, price, size):
    """A source trade on the local trades channel (and candles), stamped with the local book's seq_no."""
    eng = sim.engine
    trade = {"id": str(trade_id), "market": market, "side": side, "size": size, "price": price,
             "created_at": eng.clock(), "trade_type": "FILL", "seq_no": eng.books[market].seq_no}
    eng.trades[market].append(trade)
    eng.emit("trade", market, trade)


def trade_through(sim, market, side, price, size):
    """A source trade (taker ``side``) at ``price`` fills local resting orders strictly better than it on the other
    side (a bid above a sell's price, an ask below a buy's), best first, up to the trade's size, at their own price:
    on the venue they would have been hit before the level that traded. -> the size filled locally."""
    eng = sim.engine
    price, left = Decimal(price), Decimal(size)
    book = eng.books[market]
    makers_side = book.opposite(side)
    filled = ZERO
    for level in list(makers_side.best_first()):
        if left <= 0 or (level <= price if side == "SELL" else level >= price):
            break
        for maker in [o for o in makers_side.levels.get(level, ()) if o.account != MIRROR_ACCOUNT and not o.is_rpi]:
            if left <= 0:
                break
            now = eng.clock()
            take = min(left, maker.remaining)
            taker = Order(id=eng.new_id(), account=MIRROR_ACCOUNT, market=market, side=side, type="MARKET",
                          size=take, remaining=take, price=None, trigger_price=None, instruction="IOC", flags=[],
                          stp="EXPIRE_TAKER", client_id="", status="CLOSED", cancel_reason="", filled_notional=ZERO,
                          timestamp=now, received_at=now, created_at=now, last_updated_at=now, seq_no=0,
                          request_info=None, interactive=False, signer_key=None)
            eng._fill(taker, maker, take, level, book)
            left -= take
            filled += take
    return filled


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
        self.books = _attach(sim, self.markets)
        self.record_path = record
        self.note = note  # written in the recording's header
        self.recorder = None
        self.trades = trades
        self.client_options = client_options or {}
        self.client = None
        self.tasks = []
        self.applied = 0   # book states applied
        self.lost = 0      # times the source went away (books cleared)
        self.states = []   # (market, source seq) applied, for tests and logs (bounded)

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
        self.states.append((market, seq))
        del self.states[:-1000]
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


def _open(path):
    return gzip.open(path, "rt", encoding="utf-8") if str(path).endswith(".gz") else open(path, encoding="utf-8")


def _checked_header(path, line):
    if not isinstance(line, dict) or line.get("v") != 1:
        raise ValueError(f"{path}: not a mirror recording (version 1 header expected)")
    return line


def read_recording(path):
    """-> (header, [event lines])."""
    with _open(path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return _checked_header(path, lines[0] if lines else None), lines[1:]


def read_header(path) -> dict:
    """The header line alone (the events are not read)."""
    with _open(path) as f:
        first = next((line for line in f if line.strip()), None)
    return _checked_header(path, None if first is None else json.loads(first))


def recording_specs(path) -> list:
    return [spec_from_json(m) for m in read_header(path)["markets"]]


def book_states(recording):
    """The sequence of full book states a recording describes: [(market, seq, bids, asks)], prices as strings,
    bids best first; what a replay applies, in order. ``recording``: a path, or the event lines
    ``read_recording`` gave (a replay has them already and does not read the file again)."""
    events = read_recording(recording)[1] if isinstance(recording, (str, os.PathLike)) else recording
    state, out = {}, []
    for ev in events:
        if ev["k"] == "x":
            state.pop(ev["m"], None)
            out.append((ev["m"], None, [], []))
        elif ev["k"] == "b":
            book = {} if ev.get("r") else dict(state.get(ev["m"], {}))
            for side in ("b", "a"):
                for price, size in ev[side]:
                    if Decimal(size) == 0:
                        book.pop((side, price), None)
                    else:
                        book[(side, price)] = size
            state[ev["m"]] = book
            bids = sorted(((p, s) for (side, p), s in book.items() if side == "b"), key=lambda x: -Decimal(x[0]))
            asks = sorted(((p, s) for (side, p), s in book.items() if side == "a"), key=lambda x: Decimal(x[0]))
            out.append((ev["m"], ev["s"], bids, asks))
    return out


class Replay:
    """Play a recording back into ``sim`` (which lists its markets: ``Simulator(markets=recording_specs(path))``).

    ``speed``: 1 real time, 10 ten times faster, 0 as fast as possible. The same file always applies the same
    book states in the same order (the timing does not change them). After the last line the books stay as they
    are (frozen): ``done`` is set."""

    def __init__(self, sim, path, speed=1.0, trades=True):
        self.sim, self.path, self.speed, self.trades = sim, path, speed, trades
        self.header, self.events = read_recording(path)
        self.markets = [m["symbol"] for m in self.header["markets"] if m["symbol"] in sim.engine.specs]
        self.books = _attach(sim, self.markets)
        self.applied = 0
        self.done = asyncio.Event()
        self.task = None

    async def start(self):
        self.task = asyncio.ensure_future(self.run())
        return self

    async def stop(self):
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)

    async def run(self, on_state=None):
        states = iter(book_states(self.events))
        last_t = 0
        for ev in self.events:
            if self.speed and ev["t"] > last_t:
                await asyncio.sleep((ev["t"] - last_t) / 1000 / self.speed)
            last_t = max(last_t, ev["t"])
            market = ev["m"]
            if market not in self.books:
                if ev["k"] != "t":
                    next(states)
                continue
            if ev["k"] == "t":
                if self.trades:
                    trade_through(self.sim, market, ev["side"], ev["p"], ev["q"])
                    publish_trade(self.sim, market, ev["id"], ev["side"], ev["p"], ev["q"])
                continue
            _, seq, bids, asks = next(states)
            if ev["k"] == "x":
                self.books[market].clear()
            else:
                self.books[market].apply(seq, [(Decimal(p), Decimal(s)) for p, s in bids],
                                         [(Decimal(p), Decimal(s)) for p, s in asks])
                self.applied += 1
            if on_state is not None:
                on_state(market, seq)
        self.done.set()
