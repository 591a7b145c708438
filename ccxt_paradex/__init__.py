"""ccxt_paradex: a fast, complete Paradex connector for ccxt users.

    import ccxt_paradex
    exchange = ccxt_paradex.paradex({...})          # sync, drop-in for ccxt.paradex
    from ccxt_paradex.async_support import paradex  # asyncio
"""
__version__ = "0.1.0"

from .paradex import paradex  # noqa: E402  (the class shadows the module, as in ccxt)

exchanges = ["paradex"]
__all__ = ["paradex", "__version__"]
