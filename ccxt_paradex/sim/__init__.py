"""ccxt_paradex.sim: a local, protocol-faithful Paradex (REST, WebSocket, SBE).

``Simulator`` runs on an asyncio loop; ``SimulatorThread`` runs one on a background thread for
synchronous code: ``with SimulatorThread(seed=1) as sim: ccxt_paradex.paradex({'urls': sim.ccxt_urls()})``.
"""
from .server import Simulator
from .thread import SimulatorThread

__all__ = ["Simulator", "SimulatorThread"]
