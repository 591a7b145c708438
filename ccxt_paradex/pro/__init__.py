"""WebSocket classes: ``from ccxt_paradex.pro import paradex`` (drop-in for ``ccxt.pro.paradex``)."""
from .paradex import paradex

exchanges = ["paradex"]
__all__ = ["paradex"]
