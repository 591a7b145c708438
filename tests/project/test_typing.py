"""Typed public API (issue 12 item 4): every unified method carries ccxt's own annotations, parameter names and
defaults (ccxt.base.types: Order, OrderBook, Ticker, Balances, Str, Num, ...), as ccxt's built-in class does, in
all three flavours; the package ships py.typed; the package type-checks under mypy where mypy is installed."""
import inspect
import os
import subprocess
import sys
import typing

import ccxt
import ccxt.async_support
import ccxt.pro
import pytest
from ccxt.async_support.base.exchange import Exchange as AsyncBase
from ccxt.base.exchange import Exchange as SyncBase

import ccxt_paradex
import ccxt_paradex.async_support
import ccxt_paradex.pro
from conftest import ROOT

FLAVOURS = {
    "sync": (ccxt_paradex.paradex, ccxt.paradex, SyncBase),
    "async": (ccxt_paradex.async_support.paradex, ccxt.async_support.paradex, AsyncBase),
    "pro": (ccxt_paradex.pro.paradex, ccxt.pro.paradex, AsyncBase),
}
# deliberate: both may be left out (the live order supplies them; README "Input validation and order safety")
OPTIONAL_HERE = {("edit_order", "type"), ("edit_order", "side"), ("edit_order_ws", "type"), ("edit_order_ws", "side")}


def _unified(cls):
    """Our public methods whose ccxt name is unified: fetch_*, create_*, cancel_*, edit_*, watch_*, set_*, ..."""
    prefixes = ("fetch_", "create_", "cancel_", "edit_", "watch_", "set_", "un_watch_", "load_markets")
    for name in sorted(dir(cls)):
        if not name.startswith(prefixes):
            continue
        fn = inspect.unwrap(getattr(cls, name))
        owner = fn.__qualname__.split(".")[0]
        if fn.__module__.startswith("ccxt_paradex") and owner != "Exchange":
            yield name, fn


def _reference(name, builtin, base):
    for cls in (builtin, base):
        fn = cls.__dict__.get(name) or (getattr(cls, name, None) if cls is base else None)
        if fn is not None and inspect.isfunction(fn):
            return fn
    return None


def _hints(fn):
    try:
        return typing.get_type_hints(fn)
    except Exception:  # a reference annotated with a name its module does not define
        return dict(getattr(fn, "__annotations__", {}))


def _without_none(hint):
    """``Optional[X]`` -> ``X``; anything else as it is."""
    if typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


@pytest.mark.parametrize("flavour", sorted(FLAVOURS))
def test_unified_methods_carry_ccxts_signatures_and_types(flavour):
    ours_cls, builtin, base = FLAVOURS[flavour]
    compared, problems = 0, []
    for name, fn in _unified(ours_cls):
        ref = _reference(name, builtin, base)
        if ref is None:
            continue
        ref_hints = _hints(ref)
        if not ref_hints:
            continue
        compared += 1
        mine, theirs = inspect.signature(fn).parameters, inspect.signature(ref).parameters
        if list(mine) != list(theirs):
            problems.append(f"{name}: parameters {list(mine)} != ccxt's {list(theirs)}")
            continue
        for p in list(mine)[1:]:
            if mine[p].default != theirs[p].default and (name, p) not in OPTIONAL_HERE:
                problems.append(f"{name}({p}): default {mine[p].default!r} != ccxt's {theirs[p].default!r}")
        hints = _hints(fn)
        for key, want in ref_hints.items():
            got = hints.get(key)
            if (name, key) in OPTIONAL_HERE:  # (Python 3.10's get_type_hints makes a None default Optional[...])
                got = _without_none(got)
            if got != want:
                problems.append(f"{name}: {key} annotated {hints.get(key)!r}, ccxt {want!r}")
    assert compared >= (15 if flavour == "pro" else 40), compared
    assert not problems, "\n".join(problems)


def test_the_package_ships_py_typed(tmp_path):
    out = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py",
                          "--build-lib", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "ccxt_paradex" / "py.typed").is_file()
    assert os.path.isfile(os.path.join(ROOT, "ccxt_paradex", "py.typed"))


def test_the_package_type_checks_under_mypy():
    """mypy over the whole package with pyproject.toml's [tool.mypy] (the mixin classes' lookups on ``self``
    excepted, as configured there)."""
    if subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode != 0:
        pytest.skip("mypy is not installed (the test extra installs it)")
    out = subprocess.run([sys.executable, "-m", "mypy", "ccxt_paradex", "--no-error-summary"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
