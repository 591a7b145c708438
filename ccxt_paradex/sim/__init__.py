"""ccxt_paradex.sim: a local, protocol-faithful Paradex (REST now; WebSocket + SBE in progress)."""
from .server import Simulator

__all__ = ["Simulator"]
