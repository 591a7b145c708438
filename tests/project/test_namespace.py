"""The opt-in namespace switch: ccxt_paradex.install() / uninstall() / installed()."""
import asyncio
import importlib.util
import os

import ccxt
import ccxt.async_support
import ccxt.pro
import pytest

import ccxt_paradex
import ccxt_paradex.async_support
import ccxt_paradex.pro
from ccxt_paradex.sim import Simulator
from conftest import ROOT

BUILTIN = {"ccxt": ccxt.paradex, "async": ccxt.async_support.paradex, "pro": ccxt.pro.paradex}
OURS = {"ccxt": ccxt_paradex.paradex, "async": ccxt_paradex.async_support.paradex, "pro": ccxt_paradex.pro.paradex}
EXAMPLE = os.path.join(ROOT, "examples", "multi_exchange.py")


def _current():
    exchange_id = "paradex"  # looked up by id, as multi-exchange code does
    return {"ccxt": getattr(ccxt, exchange_id), "async": getattr(ccxt.async_support, exchange_id),
            "pro": getattr(ccxt.pro, exchange_id)}


@pytest.fixture(autouse=True)
def switched_off():
    ccxt_paradex.uninstall()
    yield
    ccxt_paradex.uninstall()
    assert _current() == BUILTIN


def test_install_and_uninstall():
    assert _current() == BUILTIN and not ccxt_paradex.is_installed()
    ccxt_paradex.install()
    assert _current() == OURS and ccxt_paradex.is_installed()
    assert ccxt.paradex({}).__class__ is ccxt_paradex.paradex  # what code picking by id builds
    assert "paradex" in ccxt.exchanges and "paradex" in ccxt.pro.exchanges and "paradex" in ccxt.async_support.exchanges
    ccxt_paradex.install()  # idempotent: uninstall still restores ccxt's own
    ccxt_paradex.uninstall()
    assert _current() == BUILTIN and not ccxt_paradex.is_installed()
    ccxt_paradex.uninstall()  # a no-op when off
    assert _current() == BUILTIN
    assert sum(e == "paradex" for e in ccxt.pro.exchanges) == 1  # the lists are as they were


def test_repr_names_our_class_also_under_ccxts_names():
    import ccxt
    import ccxt.async_support
    import ccxt.pro
    with ccxt_paradex.installed():
        assert [repr(m.paradex()) for m in (ccxt, ccxt.async_support, ccxt.pro)] == [
            "ccxt_paradex.paradex()", "ccxt_paradex.async_support.paradex()", "ccxt_paradex.pro.paradex()"]
    assert repr(ccxt.paradex()) == "ccxt.paradex()"  # ccxt's own, once uninstalled


def test_a_name_bound_before_the_switch_keeps_what_it_was_bound_to():
    from ccxt.pro import paradex as bound_before
    ccxt_paradex.install()
    try:
        from ccxt.pro import paradex as bound_after
        assert bound_before is BUILTIN["pro"] and bound_after is OURS["pro"]
    finally:
        ccxt_paradex.uninstall()


def test_context_manager_restores_on_an_exception():
    with pytest.raises(RuntimeError):
        with ccxt_paradex.installed():
            assert _current() == OURS
            raise RuntimeError("boom")
    assert _current() == BUILTIN
    ccxt_paradex.install()
    with ccxt_paradex.installed():  # already on: stays on after the block
        assert _current() == OURS
    assert _current() == OURS


def _example():
    spec = importlib.util.spec_from_file_location("multi_exchange_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_an_unmodified_multi_exchange_script_gets_ours_by_id_and_ccxts_after_uninstall():
    example = _example()  # examples/multi_exchange.py: getattr(ccxt.pro, id), nothing about ccxt_paradex
    async with Simulator(seed=5, tick_interval=0.05) as sim:
        symbols = {"paradex": "BTC/USD:USDC", "notanexchange": "X/Y"}
        configs = {"paradex": {"urls": sim.ccxt_urls(), "enableRateLimit": False}}
        with ccxt_paradex.installed():
            ((exchange_id, cls, bid, ask),) = await asyncio.wait_for(example.best_quotes(symbols, configs), 10)
        assert (exchange_id, cls) == ("paradex", ccxt_paradex.pro.paradex) and 0 < bid < ask
        ((exchange_id, cls, bid, ask),) = await asyncio.wait_for(example.best_quotes(symbols, configs), 10)
        assert (exchange_id, cls) == ("paradex", BUILTIN["pro"]) and 0 < bid < ask
