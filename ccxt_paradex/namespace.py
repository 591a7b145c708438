"""Opt-in switch: ccxt's own namespaces hand out these classes for the id ``paradex``.

Multi-exchange code picks venues by id (``getattr(ccxt.pro, exchange_id)``, ``ccxt.exchanges``) and never names
``ccxt_paradex``. After ``ccxt_paradex.install()`` it gets ours for Paradex, unmodified::

    import ccxt_paradex
    ccxt_paradex.install()          # ccxt.paradex, ccxt.async_support.paradex, ccxt.pro.paradex are ours
    ...
    ccxt_paradex.uninstall()        # ccxt's built-in classes again

    with ccxt_paradex.installed():  # or for a block only
        ...

Only the ``paradex`` attribute of the three ccxt packages changes (and ``'paradex'`` is added to their
``exchanges`` lists should a ccxt version lack it); ccxt's own modules, classes and every other exchange are
untouched. A name bound before the switch (``from ccxt.pro import paradex`` at import time) keeps the class it
was bound to. ``install`` is idempotent and ``uninstall`` restores exactly what was there.
"""
import contextlib
import importlib
from typing import Any
import threading

# (ccxt package, our package) pairs whose ``paradex`` attribute the switch replaces
NAMESPACES = (("ccxt", "ccxt_paradex"), ("ccxt.async_support", "ccxt_paradex.async_support"),
              ("ccxt.pro", "ccxt_paradex.pro"))
_MISSING = object()
_lock = threading.Lock()
_saved = None  # {ccxt package name: (its original paradex attribute, whether 'paradex' was added to exchanges)}


def install() -> None:
    """Make ``ccxt.paradex``, ``ccxt.async_support.paradex`` and ``ccxt.pro.paradex`` ours (idempotent)."""
    global _saved
    with _lock:
        if _saved is not None:
            return
        pairs: list[tuple[Any, Any]] = [(importlib.import_module(theirs), importlib.import_module(ours)) for theirs, ours in NAMESPACES]
        saved = {}
        for theirs, ours in pairs:
            exchanges = getattr(theirs, "exchanges", None)
            added = isinstance(exchanges, list) and "paradex" not in exchanges
            saved[theirs.__name__] = (theirs.__dict__.get("paradex", _MISSING), added)
            if added and isinstance(exchanges, list):
                exchanges.append("paradex")
            theirs.paradex = ours.paradex
        _saved = saved


def uninstall() -> None:
    """Put ccxt's own classes back (a no-op when the switch is off)."""
    global _saved
    with _lock:
        if _saved is None:
            return
        for name, (original, added) in _saved.items():
            module: Any = importlib.import_module(name)
            if original is _MISSING:
                module.__dict__.pop("paradex", None)
            else:
                module.paradex = original
            if added and "paradex" in module.exchanges:
                module.exchanges.remove("paradex")
        _saved = None


def is_installed() -> bool:
    return _saved is not None


@contextlib.contextmanager
def installed():
    """``with ccxt_paradex.installed(): ...`` -- the switch on for the block, and off again after it (even on an
    exception); leaves it on when it was already on before the block."""
    was_on = is_installed()
    install()
    try:
        yield
    finally:
        if not was_on:
            uninstall()
