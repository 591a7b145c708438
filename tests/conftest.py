import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data")  # fixtures and third-party data files shipped with the repo
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

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


@pytest.fixture
def rec():
    """A warmed offline sync exchange (tests/recorder.py) and the list of requests it sends, empty."""
    from recorder import offline, warm
    ex, sent = offline("sync")
    warm(ex)
    sent.clear()
    return ex, sent


@pytest.fixture
def vector():
    return dict(VECTOR)


# ---- asyncio helpers shared by the WebSocket tests ------------------------------------------------
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
