"""Shared by every test folder (core/, rest/, pro/, sim/, project/): paths, the ``sim`` marker, fixtures.

Tests import their helpers by module name (``from conftest import ROOT``, ``from recorder import offline``): this
file puts tests/ and tests/support/ on sys.path (pytest runs in importlib mode, so test files in different
folders may share a name).
"""
import os
import sys

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
DATA = os.path.join(TESTS, "data")  # fixtures and third-party data files shipped with the repo
for _path in (os.path.join(TESTS, "support"), TESTS, ROOT):
    if _path not in sys.path:
        sys.path.insert(0, _path)


def pytest_collection_modifyitems(config, items):
    """``sim``: every test of a module that starts a simulator (``pytest -m "not sim"`` is the fast loop)."""
    uses_sim: dict = {}
    for item in items:
        path = str(item.fspath)
        if path not in uses_sim:
            with open(path, encoding="utf-8") as f:
                source = f.read()
            uses_sim[path] = "Simulator" in source or "ccxt_paradex.sim" in source or "simclient" in source
        if uses_sim[path] or "sim" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.sim)

# paradex-py's key-derivation unit test (tradeparadex/paradex-py tests/api/test_account.py, testnet mock config);
# the L2 values were recomputed locally with ccxt's bundled starknet libraries
VECTOR = {
    "l1_address": "0xd2c7314539dCe7752c8120af4eC2AA750Cf2035e",
    "l1_private_key": "0xf8e4d1d772cdd44e5e77615ad11cc071c94e4c06dc21150d903f28e6aa6abdff",
    "l1_chain_id": 11155111,
    "account_hash": "0x41cb0280ebadaa75f996d8d92c6f265f6d040bb3ba442e5f86a554f1765244e",
    "proxy_hash": "0x3530cc4759d78042f1b543bf797f5f3d647cde0388c33734cf91b7f7b9314a9",
    "l2_private_key": 0x543B6CF6C91817A87174AAEA4FB370AC1C694E864D7740D728F8344D53E815,
    "l2_public_key": 0x2C144D2F2D4FC61B6F8967F3BA0012A87D90140BCFE5A3E92E8DF83258C960F,
    "l2_address": 0x129C135ED63DF9353885E292BE4426B8ED6122B13C6C0E1BB787288A1F5ADFA,
    "chain_id": "PRIVATE_SN_POTC_SEPOLIA",
}


@pytest.fixture(scope="module")
def sim(request):
    """A simulator on a background thread for a module's synchronous tests, started once per module with the
    module's ``SIM_OPTIONS`` (a module that needs another kind of simulator defines its own ``sim``)."""
    from ccxt_paradex.sim.thread import SimulatorThread
    with SimulatorThread(**getattr(request.module, "SIM_OPTIONS", {})) as sim:
        yield sim


@pytest.fixture(scope="module")
def ex(sim, request):
    """The sync exchange of the module's ``L1_KEY`` on that simulator, markets loaded."""
    import ccxt_paradex
    from ccxt_paradex.core import keys
    key = request.module.L1_KEY
    ex = ccxt_paradex.paradex({"walletAddress": keys.eth_address(key), "privateKey": key, "urls": sim.ccxt_urls()})
    ex.load_markets()
    return ex


@pytest.fixture
async def stand_in():
    """A pro exchange with the recorded markets and its private streams started at 0, never connected: handlers
    and reconciliations are driven by hand (tests/support/watching.py's StandInClient plays the connection)."""
    from ccxt_paradex.pro import paradex
    from recorder import MARKETS
    exchange = paradex()
    exchange.set_markets(exchange.parse_markets(MARKETS["results"]))
    exchange._private_since_ms = 0
    yield exchange
    await exchange.close()


@pytest.fixture
def rec():
    """A warmed offline sync exchange (tests/support/recorder.py) and the list of requests it sends, empty."""
    from recorder import offline, warm
    ex, sent = offline("sync")
    warm(ex)
    sent.clear()
    return ex, sent


@pytest.fixture
def vector():
    return dict(VECTOR)


# ---- asyncio helpers shared by the WebSocket tests ------------------------------------------------
QUIET = {"tick_interval": 0, "summary_interval": 0, "funding_interval": 0}  # a simulator that moves only when told


def pro_exchange(sim, l1_key, **options):
    """ccxt_paradex.pro.paradex for an Ethereum key on ``sim`` (options as given)."""
    from ccxt_paradex.core import keys
    from ccxt_paradex.pro import paradex
    return paradex({"walletAddress": keys.eth_address(l1_key), "privateKey": l1_key, "urls": sim.ccxt_urls(),
                    "options": options})


async def within(coro, seconds=5):
    import asyncio
    return await asyncio.wait_for(coro, seconds)


async def eventually(condition, seconds=5.0, what="condition not reached in time"):
    """Poll a condition the simulator reaches asynchronously (a subscription, its cleanup of a closed socket)."""
    import asyncio
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, what() if callable(what) else what
        await asyncio.sleep(0.02)


async def advance(clock, seconds):
    """Move the simulator's ManualClock on and wait until every timer it made due (idle close, pings, periodic
    steps, injected disconnects) has run."""
    clock.advance(seconds)
    await eventually(lambda: clock.overdue() == 0, what=lambda: f"timers still due: {clock.timers()}")


def held_channels(sim):
    """Every channel name the simulator's connections are subscribed to."""
    return {name for conn in sim.feed.connections for name in conn.subs}


async def subscribed(sim, *channels, seconds=5):
    """Wait until the simulator holds these subscriptions (events before that are, rightly, not delivered)."""
    await eventually(lambda: set(channels) <= held_channels(sim), seconds,
                     lambda: f"not subscribed in time: {set(channels) - held_channels(sim)}")


def record_rpc(sim):
    """Every JSON-RPC request the simulator receives from now on, parsed, in arrival order."""
    import json
    seen = []
    dispatch = sim.feed.dispatch

    def recording(conn, text):
        seen.append(json.loads(text))
        return dispatch(conn, text)
    sim.feed.dispatch = recording
    return seen


async def far_bid(ex, symbol, factor=0.9):
    """A bid price ``factor`` of the best bid: an order there rests (it neither fills nor crosses)."""
    bid = (await ex.fetch_order_book(symbol))["bids"][0][0]
    return float(ex.price_to_precision(symbol, bid * factor))
