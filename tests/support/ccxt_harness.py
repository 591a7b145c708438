"""ccxt's own static request/response test runner, pointed at a class of our choosing.

ccxt 4.5.90 ships its exchange test harness in the wheel: ``ccxt/test/tests_async.py`` and
``ccxt/test/tests_sync.py`` (class ``testMainClass``: ``init_offline_exchange``,
``test_exchange_request_statically`` / ``test_exchange_response_statically``, ``test_request_statically`` /
``test_response_statically`` and the comparison ``assert_new_and_stored_output``). Both import their
plumbing from ``tests_helpers``, which cannot be imported here (it parses ``sys.argv`` at import, refuses to
run from site-packages and replaces ``sys.excepthook``). So this module loads the two harness files unchanged
with a stand-in ``tests_helpers`` whose functions are ccxt's (same bodies) except these:

* ``init_exchange`` builds the class under test (ours or ccxt's built-in) instead of ``ccxt.<id>``;
* ``get_root_dir`` / ``io_file_read`` read the fixtures from ``tests/data/ccxt_static`` (copies of
  ``ts/src/test/static/<type>/paradex.json``) instead of a ccxt checkout;
* ``dump`` records the ``[TEST_FAILURE]`` lines the harness prints, so each case can be a pytest case
  (and ``close`` sets ``timeout_on_exit = 0``: ccxt's async ``close()`` would sleep 250 ms a case);
* ``Harness.run`` wraps ``call_exchange_method_dynamically`` to record what the call sent or returned and, for an
  allow-listed case only, to put the reference's value back on one pinned field before ccxt compares.

Everything else -- the offline exchange's credentials and options, the per-case option snapshot, the proxy
trick that stops a request before it leaves (``InvalidProxySettings`` then ``last_request_url`` /
``last_request_body``), the mocked ``fetch`` of the response tests and the comparison rules -- is ccxt's code.
"""
import asyncio
import copy
import importlib.util
import json
import os
import re
import sys
import types
from traceback import format_exception

import ccxt
from ccxt.base.errors import (AuthenticationError, ExchangeNotAvailable, InvalidProxySettings, NotSupported,
                              OnMaintenance, OperationFailed)

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "ccxt_static")
ROOT_MARK = "<ccxt-root>/"
CCXT_TEST_DIR = os.path.join(os.path.dirname(ccxt.__file__), "test")
LOG_CHARS_LENGTH = 10000


def fixture(kind):
    with open(os.path.join(DATA, kind, "paradex.json"), encoding="utf-8") as f:
        return json.load(f)


def _local(path):
    """ccxt's '<root>./ts/src/test/static/<type>/<id>.json' -> the copy in tests/data/ccxt_static."""
    rest = path[len(ROOT_MARK):] if path.startswith(ROOT_MARK) else path
    rest = rest.lstrip("./")
    prefix = "ts/src/test/static/"
    if rest.startswith(prefix):
        return os.path.join(DATA, rest[len(prefix):])
    return path


def _unsupported(*args, **kwargs):
    raise NotImplementedError("not used by the static request/response tests")


def _helpers(sync, state):
    """A stand-in for ccxt/test/tests_helpers.py: the names tests_async/tests_sync import."""
    m = types.ModuleType("tests_helpers")
    m.AuthenticationError, m.NotSupported, m.InvalidProxySettings = AuthenticationError, NotSupported, InvalidProxySettings
    m.ExchangeNotAvailable, m.OperationFailed, m.OnMaintenance = ExchangeNotAvailable, OperationFailed, OnMaintenance

    def dump(*args):
        line = " ".join(str(a) for a in args)
        state["dumped"].append(line)

    def io_file_exists(path):
        return os.path.isfile(_local(path))

    def io_file_read(path, decode=True):
        with open(_local(path), encoding="utf-8") as f:
            content = f.read()
        return json.loads(content) if decode else content

    def exception_message(exc):  # ccxt's, verbatim
        message = "[" + type(exc).__name__ + "] " + "".join(format_exception(type(exc), exc, exc.__traceback__, limit=6))
        return message[0:LOG_CHARS_LENGTH] if len(message) > LOG_CHARS_LENGTH else message

    def init_exchange(exchange_id, args, is_ws=False):
        if exchange_id == "Exchange":  # the harness's scratch instance for its own arithmetic
            return ccxt.Exchange(args)
        return state["cls"](dict(args, **state["config"]))

    def convert_to_snake_case(content):
        res = re.sub(r"(?<!^)(?=[A-Z])", "_", content).lower()
        return res.replace("o_h_l_c_v", "ohlcv")

    def set_exchange_prop(exchange, prop, value):
        setattr(exchange, prop, value)
        setattr(exchange, convert_to_snake_case(prop), value)

    def get_exchange_prop(exchange, prop, default_value=None):
        res = getattr(exchange, prop, None)
        return res if res is not None and res != "" else default_value

    # ccxt's set_fetch_response / set_fetch_response_by_url, verbatim apart from the sync switch
    def set_fetch_response(exchange, data):
        if sync:
            def fetch(url, method="GET", headers=None, body=None):
                return data
        else:
            async def fetch(url, method="GET", headers=None, body=None):
                return data
        exchange.fetch = fetch
        return exchange

    def set_fetch_response_by_url(exchange, responses_by_url):
        def pick(url):
            for fragment, body in responses_by_url.items():
                if fragment in url:
                    return body
            return list(responses_by_url.values())[0]
        if sync:
            def fetch(url, method="GET", headers=None, body=None):
                return pick(url)
        else:
            async def fetch(url, method="GET", headers=None, body=None):
                return pick(url)
        exchange.fetch = fetch
        return exchange

    async def call_exchange_method_dynamically(exchange, method_name, args):
        return await getattr(exchange, method_name)(*args)

    def call_exchange_method_dynamically_sync(exchange, method_name, args):
        return getattr(exchange, method_name)(*args)

    async def close(exchange):
        if not sync and hasattr(exchange, "close"):
            exchange.timeout_on_exit = 0  # ccxt's close() otherwise sleeps 250 ms on the wall clock
            await exchange.close()

    def exit_script(code=0):
        raise AssertionError("ccxt's harness called exit_script(%r): %s" % (code, state["dumped"][-3:]))

    m.__dict__.update(
        get_cli_arg_value=lambda arg: False, get_root_dir=lambda: ROOT_MARK, is_sync=lambda: sync, dump=dump,
        json_parse=json.loads, json_stringify=json.dumps, convert_ascii=lambda s: s,
        io_file_exists=io_file_exists, io_file_read=io_file_read, io_dir_read=lambda p: os.listdir(_local(p)),
        call_method=_unsupported, call_method_sync=_unsupported,
        call_exchange_method_dynamically=call_exchange_method_dynamically,
        call_exchange_method_dynamically_sync=call_exchange_method_dynamically_sync,
        get_root_exception=lambda e: e, exception_message=exception_message, exit_script=exit_script,
        get_exchange_prop=get_exchange_prop, set_exchange_prop=set_exchange_prop, init_exchange=init_exchange,
        get_test_files_sync=_unsupported, get_test_files=_unsupported, set_fetch_response=set_fetch_response,
        set_fetch_response_by_url=set_fetch_response_by_url, setup_ws_mock_transport=_unsupported,
        inject_ws_message=_unsupported, reject_pending_ws_futures=_unsupported,
        ws_client_has_pending_futures=_unsupported, mark_ws_test_completed=_unsupported,
        is_ws_test_completed=_unsupported, get_ws_sent_messages=_unsupported, is_null_value=lambda v: v is None,
        close=close, get_env_vars=dict, get_lang=lambda: "PY", get_ext=lambda: "py",
        is_windows=lambda: False, is_linux=lambda: True, is_amd64=lambda: True)
    return m


def _load(sync, state):
    """tests_sync.py / tests_async.py from the installed ccxt wheel, bound to a stand-in tests_helpers."""
    name = "tests_sync" if sync else "tests_async"
    path = os.path.join(CCXT_TEST_DIR, name + ".py")
    spec = importlib.util.spec_from_file_location("ccxt_harness_" + name, path)
    module = importlib.util.module_from_spec(spec)
    saved = sys.modules.get("tests_helpers")
    sys.modules["tests_helpers"] = _helpers(sync, state)
    try:
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            sys.modules.pop("tests_helpers", None)
        else:
            sys.modules["tests_helpers"] = saved
    return module


class Outcome:
    """One case's run: ``failure`` (None when ccxt's harness passed it, else its [TEST_FAILURE] text), and what
    the exchange did: the unified ``result`` (response tests), the request's ``url`` and ``body`` (request
    tests) and the exception a call raised (``error``)."""

    def __init__(self):
        self.failure = self.result = self.url = self.body = self.error = None

    @property
    def passed(self):
        return self.failure is None


class Harness:
    """One flavour (sync or async) of ccxt's static runner; ``run`` executes one fixture case."""

    def __init__(self, sync):
        self.sync = sync
        self.state = {"cls": None, "dumped": [], "config": {}}
        self.module = _load(sync, self.state)
        self._call_async = self.module.call_exchange_method_dynamically
        self._call_sync = self.module.call_exchange_method_dynamically_sync

    def run(self, kind, cls, method, index, config=None, entry=None, adjust=None):
        """Run case ``methods[method][index]`` of the ``kind`` ('request' or 'response') fixture through
        ccxt's ``test_exchange_<kind>_statically`` with ``cls`` as the exchange -> Outcome.

        ``config`` overrides keys of the constructor config ccxt's ``init_offline_exchange`` passes; ``entry``
        overrides keys of the fixture case (another expected ``url``/``output``/``parsedResponse``);
        ``adjust`` is applied before ccxt compares: ``adjust(result) -> result`` for a response test,
        ``adjust(exchange)`` (edit ``last_request_url`` / ``last_request_body``) for a request test. They
        neutralise one pinned, deliberate difference so that everything else is still compared."""
        data = fixture(kind)
        one = copy.deepcopy(data)
        case = dict(copy.deepcopy(data["methods"][method][index]), **(entry or {}))
        one["methods"] = {method: [case]}
        self.state.update(cls=cls, dumped=[], config=config or {})
        out = Outcome()
        main = self.module.testMainClass()
        main.lang, main.ext = "PY", "py"
        ran = []

        def observe_request(exchange):
            out.url, out.body = exchange.last_request_url, exchange.last_request_body
            if adjust is not None and kind == "request":
                adjust(exchange)

        def observe_result(result):
            out.result = copy.deepcopy(result)
            return adjust(result) if adjust is not None and kind == "response" else result

        def call_sync(exchange, method_name, args):
            ran.append(method_name)
            try:
                result = self._call_sync(exchange, method_name, args)
            except InvalidProxySettings:
                observe_request(exchange)
                raise
            except Exception as e:
                out.error = e
                raise
            return observe_result(result)

        async def call_async(exchange, method_name, args):
            ran.append(method_name)
            try:
                result = await self._call_async(exchange, method_name, args)
            except InvalidProxySettings:
                observe_request(exchange)
                raise
            except Exception as e:
                out.error = e
                raise
            return observe_result(result)

        self.module.call_exchange_method_dynamically = call_async
        self.module.call_exchange_method_dynamically_sync = call_sync
        call = main.test_exchange_request_statically if kind == "request" else main.test_exchange_response_statically
        try:
            if self.sync:
                call("paradex", one)
            else:
                asyncio.run(call("paradex", one))
        except Exception as e:  # ccxt's run_static_tests catches this too and marks the run failed
            out.failure = "raised out of the harness: " + self.module.exception_message(e)
            return out
        finally:
            self.module.call_exchange_method_dynamically = self._call_async
            self.module.call_exchange_method_dynamically_sync = self._call_sync
        assert ran == [method], "ccxt's harness did not run %s[%d] (ran %r)" % (method, index, ran)
        failed = main.request_tests_failed if kind == "request" else main.response_tests_failed
        if failed:
            out.failure = "\n".join(line for line in self.state["dumped"] if "TEST_FAILURE" in line) or "failed"
        return out


def cases(kind):
    """(method, index, description) of every case in a fixture, in file order."""
    data = fixture(kind)
    return [(method, i, entry.get("description", method))
            for method, entries in data["methods"].items() for i, entry in enumerate(entries)]
