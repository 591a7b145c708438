"""Paper trading against live books (sim/mirror.py): one simulator mirrors another, no network.

The source simulator plays the venue (its synthetic makers, gaps, disconnects, going away); the local one is built
from the source's markets, without makers, and its engine is fed by a Mirror.
"""
import asyncio
import contextlib
import json
from decimal import Decimal

import pytest

from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim import mirror as M
from ccxt_paradex.sim.makers import MM_ACCOUNT
from ccxt_paradex.sim.state import fmt

from conftest import eventually

MARKET = "BTC-USD-PERP"
USER = "0x" + "77" * 31
QUIET = {"summary_interval": 0, "funding_interval": 0}
FAST = {"wsBackoffBase": 0.02, "wsBackoffMax": 0.1}  # the mirror's client reconnects quickly in tests
SHIPPED = M.SAMPLE_RECORDING  # package data (ccxt_paradex/sim/data/)


def levels(sim, market=MARKET):
    book = sim.engine.books[market]
    return (book.bids.aggregated(), book.asks.aggregated())


def str_levels(sim, market=MARKET):
    bids, asks = levels(sim, market)
    return ([[fmt(p), fmt(s)] for p, s in bids], [[fmt(p), fmt(s)] for p, s in asks])


@contextlib.asynccontextmanager
async def mirrored(source_kw=None, record=None, **mirror_kw):
    """-> (source, local, mirror) once the local book equals the source's (when the source is static)."""
    source_kw = {"seed": 5, "tick_interval": 0, **QUIET, **(source_kw or {})}
    async with Simulator(**source_kw) as source:
        specs = [M.spec_from_json(m) for m in await M.fetch_markets(source.ccxt_urls(), [MARKET])]
        async with Simulator(markets=specs, liquidity=False, tick_interval=0, **QUIET) as local:
            local.engine.open_account(USER, 1, "", Decimal("100000"))
            mirror = M.Mirror(local, source.ccxt_urls(), [MARKET], record=record,
                              client_options=FAST, **mirror_kw)
            async with mirror:
                await eventually(lambda: mirror.books[MARKET].source_seq is not None, 5, "nothing mirrored")
                yield source, local, mirror


def order(sim, side, otype, size, price=None, account=USER):
    eng = sim.engine
    req = {"market": MARKET, "side": side, "type": otype, "size": str(size), "signature_timestamp": eng.clock()}
    if price is not None:
        req["price"] = str(price)
    o = eng.validate(eng.accounts[account], req)
    eng.submit(o)
    return o


def source_place(source, side, price, size):
    """A maker order at the source venue (its market maker's account)."""
    return order(source, side, "LIMIT", size, price, account=MM_ACCOUNT)


def walk(asks, size):
    """What a market buy of ``size`` fills against these ask levels: [(price, size)]."""
    fills = []
    for price, avail in asks:
        if size <= 0:
            break
        take = min(size, avail)
        fills.append((price, take))
        size -= take
    return fills


async def test_a_market_order_on_the_mirror_walks_the_source_levels_at_the_mirrored_seq():
    async with mirrored() as (source, local, mirror):
        await eventually(lambda: mirror.books[MARKET].source_seq == source.engine.books[MARKET].seq_no)
        seq = mirror.books[MARKET].source_seq
        source_bids, source_asks = levels(source)
        assert levels(local) == (source_bids, source_asks) and len(source_asks) >= 3
        step = local.engine.specs[MARKET].step
        size = source_asks[0][1] + source_asks[1][1] + (source_asks[2][1] / 2) // step * step
        taker = order(local, "BUY", "MARKET", size)
        fills = [(Decimal(f["price"]), Decimal(f["size"]), f["liquidity"]) for f in local.engine.accounts[USER].fills]
        assert fills == [(p, s, "TAKER") for p, s in walk(source_asks, size)]
        assert taker.status == "CLOSED" and taker.remaining == 0
        pos = local.engine.accounts[USER].positions[MARKET]
        assert pos.size == size
        fee = sum(Decimal(f["fee"]) for f in local.engine.accounts[USER].fills)
        assert fee == sum((p * s * local.engine.specs[MARKET].taker_fee).quantize(Decimal("1e-8")) for p, s, _ in fills)
        # the source never saw it: same seq, same book
        assert source.engine.books[MARKET].seq_no == seq and levels(source) == (source_bids, source_asks)
        # the mirrored level the taker consumed comes back with the next source state
        source_place(source, "BUY", source_bids[-1][0] - 100, Decimal("0.001"))
        await eventually(lambda: mirror.books[MARKET].source_seq == source.engine.books[MARKET].seq_no)
        assert levels(local) == levels(source)


async def test_a_ccxt_user_on_the_mirror_sees_the_source_book_and_trades_against_it():
    from ccxt_paradex.core import keys
    from ccxt_paradex.pro import paradex
    key = "0x" + "6c" * 32
    async with mirrored() as (source, local, mirror):
        await eventually(lambda: mirror.books[MARKET].source_seq == source.engine.books[MARKET].seq_no)
        ex = paradex({"walletAddress": keys.eth_address(key), "privateKey": key, "urls": local.ccxt_urls()})
        try:
            book = await asyncio.wait_for(ex.watch_order_book("BTC/USD:USDC"), 5)  # WebSocket (SBE) of the mirror
            bids, asks = levels(source)
            assert book["bids"] == [[float(p), float(s)] for p, s in bids]
            assert book["asks"] == [[float(p), float(s)] for p, s in asks]
            await ex.create_order("BTC/USD:USDC", "market", "buy", float(asks[0][1]))  # REST, signed
            trades = await ex.fetch_my_trades("BTC/USD:USDC")
            assert [(t["price"], t["amount"], t["takerOrMaker"]) for t in trades] == [
                (float(asks[0][0]), float(asks[0][1]), "taker")]
            # the level it took is gone from the mirror's stream (ex.orderbooks: the latest applied book) ...
            await eventually(lambda: ex.orderbooks["BTC/USD:USDC"]["asks"][0][0] == float(asks[1][0]))
            assert levels(source)[1] == asks  # ... and only locally
        finally:
            await ex.close()


async def test_a_resting_order_on_the_mirror_fills_when_the_source_book_crosses_it():
    async with mirrored() as (source, local, mirror):
        bids, asks = levels(source)
        tick = local.engine.specs[MARKET].tick
        price = bids[0][0] + tick  # inside the spread: rests locally, nothing at the source
        assert price < asks[0][0]
        mine = order(local, "BUY", "LIMIT", Decimal("0.002"), price)
        assert mine.status == "OPEN" and local.engine.accounts[USER].fills == []
        source_place(source, "SELL", price, Decimal("0.0015"))  # the source's ask moves down onto my bid
        await eventually(lambda: local.engine.accounts[USER].fills, 5, "the crossing source ask never filled me")
        fill = local.engine.accounts[USER].fills[0]
        assert (Decimal(fill["price"]), Decimal(fill["size"]), fill["liquidity"]) == (price, Decimal("0.0015"), "MAKER")
        assert mine.remaining == Decimal("0.0005") and mine.status == "OPEN"
        # mirror orders never traded against each other, and the rest of the ask ladder is the source's
        assert levels(local)[1] == levels(source)[1][1:]


async def test_a_source_trade_through_a_resting_order_fills_it_though_the_book_never_crossed_it():
    from ccxt_paradex.sim.makers import TAKER_ACCOUNT
    async with mirrored() as (source, local, mirror):
        bids, asks = levels(source)
        tick = local.engine.specs[MARKET].tick
        mine = order(local, "BUY", "LIMIT", Decimal("0.003"), bids[0][0] + tick)  # better than every source bid
        step = local.engine.specs[MARKET].step
        sold = max(step, min(bids[0][1] / 2, Decimal("0.002")) // step * step)  # less than mine: it stays
        order(source, "SELL", "MARKET", sold, account=TAKER_ACCOUNT)  # a seller hits the source's best bid
        await eventually(lambda: local.engine.accounts[USER].fills, 5, "the trade through my bid never filled it")
        fill = local.engine.accounts[USER].fills[0]
        take = min(sold, Decimal("0.003"))
        assert (Decimal(fill["price"]), Decimal(fill["size"]), fill["liquidity"]) == (mine.price, take, "MAKER")
        await eventually(lambda: mirror.books[MARKET].source_seq == source.engine.books[MARKET].seq_no)
        assert len(local.engine.accounts[USER].fills) == 1 and mine.remaining == Decimal("0.003") - take
        assert levels(local)[1] == levels(source)[1] and levels(local)[0][1:] == levels(source)[0]


async def test_the_mirror_sends_nothing_upstream_but_public_subscriptions():
    async with Simulator(seed=6, tick_interval=0.02, **QUIET) as source:
        methods = []
        dispatch = source.feed.dispatch
        source.feed.dispatch = lambda conn, text: (methods.append(json.loads(text).get("method")), dispatch(conn, text))[1]
        real = set(source.engine.accounts)
        specs = [M.spec_from_json(m) for m in await M.fetch_markets(source.ccxt_urls(), [MARKET])]
        async with Simulator(markets=specs, liquidity=False, tick_interval=0, **QUIET) as local:
            local.engine.open_account(USER, 1, "", Decimal("100000"))
            async with M.Mirror(local, source.ccxt_urls(), [MARKET], client_options=FAST) as mirror:
                await eventually(lambda: mirror.applied > 3)
                order(local, "BUY", "MARKET", Decimal("0.001"))
                order(local, "SELL", "LIMIT", Decimal("0.001"), levels(local)[1][0][0] + 1000)
                applied = mirror.applied  # the mirror goes on after the local orders (and sends nothing for them)
                await eventually(lambda: mirror.applied >= applied + 3)
        assert local.engine.accounts[USER].fills
        assert set(methods) == {"subscribe"} and methods
        assert set(source.engine.accounts) == real  # no onboarding, no account, no order at the source
        assert not any(o.account not in source.engine.ephemeral for o in source.engine.orders.values())
        assert all(conn.account is None for conn in source.feed.connections)


async def test_a_gap_upstream_is_resynced_and_no_mirrored_state_was_ever_wrong():
    source_states = {}  # source seq -> its full book then

    async with mirrored({"tick_interval": 0.01, "faults": "gap=0.05", "seed": 7}) as (source, local, mirror):
        def on_book(kind, market, payload):
            if kind == "book" and market == MARKET:
                source_states[payload["seq_no"]] = levels(source)
        source.engine.listeners.insert(0, on_book)
        applied = []
        apply = mirror.apply

        def spy(market, seq, bids, asks):
            applied.append((seq, (list(bids), list(asks))))
            return apply(market, seq, bids, asks)
        mirror.apply = spy
        client_book = mirror.client._books[MARKET]
        await eventually(lambda: client_book.resyncs >= 2, 6, "no resync after gaps")
        source.liquidity.exclude(MARKET)  # the source stops moving: the mirror must converge on its last state
        del source.faults.settings["gap"]  # and stops losing frames: the next ones reveal a last lost one
        o = source_place(source, "BUY", Decimal(60000), Decimal("0.001"))
        source.engine.cancel(o)
        await eventually(lambda: mirror.books[MARKET].source_seq == source.engine.books[MARKET].seq_no
                         and levels(local) == levels(source), 5, "the mirror did not converge after the gaps")
        assert client_book.gaps >= 1
        checked = [(seq, state) for seq, state in applied if seq in source_states]
        assert len(checked) > 5
        for seq, (bids, asks) in checked:
            assert (bids, asks) == tuple(list(x) for x in source_states[seq]), f"wrong mirrored state at seq {seq}"


async def test_a_disconnect_clears_the_mirrored_book_and_it_comes_back():
    async with mirrored({"faults": "disconnect=0.4"}) as (source, local, mirror):
        cleared = []
        clear = mirror.books[MARKET].clear

        def spy():
            clear()
            cleared.append(levels(local))
        mirror.books[MARKET].clear = spy
        await eventually(lambda: mirror.lost >= 1, 5, "no disconnect seen")
        assert cleared and cleared[0] == ([], [])  # cleared, not stale
        applied = mirror.applied
        await eventually(lambda: mirror.applied > applied and levels(local) == levels(source), 5, "not back")


async def test_a_source_that_goes_away_clears_the_book_and_its_return_refills_it():
    async with mirrored() as (source, local, mirror):
        port = source.port
        await source.stop()
        await eventually(lambda: levels(local) == ([], []), 5, "the mirrored book was not cleared")
        assert mirror.lost >= 1
        async with Simulator(port=port, seed=8, tick_interval=0, **QUIET) as back:
            await eventually(lambda: levels(local) == levels(back) and levels(local)[0], 8, "not refilled")


def replay_states(path):
    """Run a recording through a fresh simulator: the local book after every state, as text."""
    async def run():
        async with Simulator(markets=M.recording_specs(path), liquidity=False, tick_interval=0, **QUIET) as sim:
            out = []
            replay = M.Replay(sim, path, speed=0)
            await replay.run(lambda market, seq: out.append(json.dumps([market, seq, str_levels(sim, market)])))
            return out
    return run()


async def test_record_then_replay_is_deterministic_byte_for_byte(tmp_path):
    path = str(tmp_path / "btc.jsonl.gz")
    async with mirrored({"tick_interval": 0.01, "seed": 9}, record=path) as (source, local, mirror):
        applied = []
        apply = mirror.apply
        mirror.apply = lambda market, seq, bids, asks: (applied.append((seq, str_pairs(bids), str_pairs(asks))),
                                                         apply(market, seq, bids, asks))[1]
        await eventually(lambda: len(applied) >= 20 and mirror.trades, 5)
    recorded = M.book_states(path)
    assert [(seq, b, a) for _, seq, b, a in recorded][-len(applied):] == applied  # the file holds what was mirrored
    first, second = await replay_states(path), await replay_states(path)
    assert first == second and len(first) == len(recorded)
    assert [json.loads(x)[2] for x in first] == [[[list(p) for p in b], [list(p) for p in a]] for _, _, b, a in recorded]


def str_pairs(pairs):
    return [(fmt(p), fmt(s)) for p, s in pairs]


class _Enough(Exception):
    """Ends a replay from its callback."""


async def test_the_shipped_recording_replays_and_a_strategy_rerun_gets_the_same_fills():
    """A strategy trading on the shipped recording's first states gets the same fills (and leaves the same book)
    on every re-run. (Its 13,000 states replay whole in tests/project/test_first_contact.py, through the CLI.)"""
    header, events = M.read_recording(SHIPPED)
    assert "simulator" in header["note"] and header["markets"][0]["symbol"] == MARKET
    assert any(e["k"] == "t" for e in events) and sum(e["k"] == "b" for e in events) > 50

    async def run():
        async with Simulator(markets=M.recording_specs(SHIPPED), liquidity=False, tick_interval=0, **QUIET) as sim:
            sim.engine.open_account(USER, 1, "", Decimal("100000"))
            replay = M.Replay(sim, SHIPPED, speed=0)
            n = []

            def strategy(market, seq):  # buy at the 10th state, sell at the 40th, stop at the 400th
                n.append(seq)
                if len(n) in (10, 40):
                    order(sim, "BUY" if len(n) == 10 else "SELL", "MARKET", Decimal("0.002"))
                if len(n) == 400:
                    raise _Enough
            with pytest.raises(_Enough):
                await replay.run(strategy)
            return [(f["price"], f["size"], f["side"]) for f in sim.engine.accounts[USER].fills], str_levels(sim)
    first, second = await run(), await run()
    assert first == second and len(first[0]) >= 2 and {side for _, _, side in first[0]} == {"BUY", "SELL"}


def test_a_recording_is_read_once_per_use(tmp_path):
    """The markets come from the header line alone; a replay's book states come from the events it read."""
    header, events = M.read_recording(SHIPPED)
    assert M.book_states(events) == M.book_states(SHIPPED) and M.book_states(events)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(header) + "\n{not json\n", encoding="utf-8")
    assert [s.symbol for s in M.recording_specs(str(broken))] == [m["symbol"] for m in header["markets"]]
    with pytest.raises(ValueError):  # the events are read (and fail) only where they are used
        M.read_recording(str(broken))
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    (tmp_path / "v2.jsonl").write_text(json.dumps({"v": 2}) + "\n", encoding="utf-8")
    for name in ("empty.jsonl", "v2.jsonl"):
        for read in (M.read_header, M.read_recording):
            with pytest.raises(ValueError, match="not a mirror recording"):
                read(str(tmp_path / name))


async def test_the_cli_builds_a_mirroring_or_replaying_simulator():
    from ccxt_paradex.sim.__main__ import build, main
    with pytest.raises(SystemExit):
        main(["--mirror", "mainnet", "--replay", SHIPPED])
    assert M.source_urls("mainnet")["api"]["ws"] == "wss://ws.api.prod.paradex.trade/v1"
    assert M.source_urls("http://127.0.0.1:9/v1")["api"] == {
        "v1": "http://127.0.0.1:9/v1", "v2": "http://127.0.0.1:9/v2", "ws": "ws://127.0.0.1:9/v1"}

    class Args:
        host, port, seed, initial_balance, faults, json, sbe_private, options = "127.0.0.1", 0, 1, "1000", "", False, False, False
        no_deltas, funding_scale, funding_settlement, record, speed = False, 1.0, "trade", None, 0
        mirror, replay, markets = None, SHIPPED, None
    async with Simulator(seed=3, tick_interval=0, **QUIET) as source, \
            Simulator(markets=6, liquidity=False, tick_interval=0, **QUIET) as local:
        with pytest.raises(ValueError, match="SIM5-USD-PERP"):
            await M.Mirror(local, source.ccxt_urls(), ["BTC-USD-PERP", "SIM5-USD-PERP"]).start()
        with pytest.raises(ValueError, match="SIM5-USD-PERP"):
            await M.fetch_markets(source.base_url, ["SIM5-USD-PERP"])
    sim, replay = await build(Args)
    assert list(sim.engine.specs) == [MARKET] and sim.liquidity is None and isinstance(replay, M.Replay)
    async with Simulator(seed=3, tick_interval=0, **QUIET) as source:
        Args.mirror, Args.replay, Args.markets = source.base_url, None, "BTC-USD-PERP,ETH-USD-PERP"
        sim, mirror = await build(Args)
        assert list(sim.engine.specs) == ["BTC-USD-PERP", "ETH-USD-PERP"] and isinstance(mirror, M.Mirror)
        assert sim.engine.specs[MARKET].tick == source.engine.specs[MARKET].tick
        assert mirror.urls == source.ccxt_urls()
