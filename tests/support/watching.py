"""What the private-stream tests share: a stand-in for ccxt's WebSocket client, and parking a watch call on the
simulator (its channel held by the simulator, its future in the client)."""
import asyncio

from conftest import eventually


class StandInClient:
    """ccxt's ws Client as the private streams use it: futures by message hash, resolved once."""

    def __init__(self):
        self.futures = {}

    def resolve(self, value, message_hash):
        future = self.futures.pop(message_hash, None)
        if future is not None and not future.done():
            future.set_result(value)


def held(sim, account):
    """The channels the simulator holds for this account's open connections."""
    return {name for conn in sim.feed.connections if conn.account == account and not conn.closed for name in conn.subs}


def futures(ex):
    """The exchange's parked futures by message hash on its WebSocket client ({} before it connects)."""
    client = (ex.clients or {}).get(ex.get_ws_url())
    return client.futures if client is not None else {}


async def park(ex, sim, account, coro, channel, message_hash):
    """A watch call waiting for data: its channel held by the simulator, its future in the client."""
    task = asyncio.ensure_future(coro)
    await eventually(lambda: channel in held(sim, account) and message_hash in futures(ex) or task.done(),
                     what=lambda: (channel, held(sim, account), list(futures(ex))))
    assert not task.done(), task
    return task
