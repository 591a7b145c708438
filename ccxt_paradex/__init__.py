"""ccxt_paradex: a fast, complete Paradex connector for ccxt users.

    import ccxt_paradex
    exchange = ccxt_paradex.paradex({...})          # sync, drop-in for ccxt.paradex
    from ccxt_paradex.async_support import paradex  # asyncio

    ccxt_paradex.install()                          # opt-in: ccxt.paradex / ccxt.async_support.paradex /
                                                    # ccxt.pro.paradex become ours; uninstall() reverts
"""
__version__ = "0.1.0"

from .paradex import paradex  # noqa: E402  (the class shadows the module, as in ccxt)
from .namespace import install, installed, is_installed, uninstall  # noqa: E402

exchanges = ["paradex"]
__all__ = ["paradex", "__version__", "install", "uninstall", "installed", "is_installed"]
