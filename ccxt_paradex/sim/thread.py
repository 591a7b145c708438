"""Run a Simulator on a background event loop, for synchronous code (tests, the demo)."""
import asyncio
import threading

from .server import Simulator


class SimulatorThread:
    """``with SimulatorThread(seed=1) as sim: ccxt.paradex({'urls': sim.ccxt_urls()})``"""

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.sim = None
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="paradex-sim", daemon=True)

    def call(self, fn, *args):
        """Run ``fn(*args)`` on the simulator's loop (its state is not thread-safe) and return the result."""
        async def run():
            return fn(*args)
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(30)

    def __enter__(self) -> Simulator:
        self._thread.start()

        async def start():
            self.sim = Simulator(**self.kwargs)
            return await self.sim.start()
        asyncio.run_coroutine_threadsafe(start(), self.loop).result(30)
        self.sim.thread = self
        return self.sim

    def __exit__(self, *exc):
        asyncio.run_coroutine_threadsafe(self.sim.stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()
