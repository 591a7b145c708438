"""asyncio classes: ``from ccxt_paradex.async_support import paradex``."""
from .paradex import paradex

__all__ = ["paradex"]
