"""Property-based fuzzing of the unified order / cancel / fetch signatures (hypothesis, offline recorder).

For any arguments: a ccxt exception, or requests that conform (the path names exactly the id given, an
order body carries a known market, a BUY/SELL side, a Paradex type, a positive size at the market's step,
only OrderRequest fields) - never a raw Python exception, never a request for a different order.
"""
import json
import math
from decimal import Decimal
from urllib.parse import unquote, urlsplit

import ccxt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccxt_paradex.core.signing import ORDER_TYPES
from recorder import offline, warm

FUZZ = settings(max_examples=250, deadline=None, derandomize=True,  # the same examples in every run (CI)
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
ORDER_FIELDS = {"market", "side", "type", "size", "price", "instruction", "flags", "client_id", "stp", "trigger_price",
                "recv_window", "on_behalf_of_account", "dime_discount", "vwap_price", "signature", "signature_timestamp"}
SYMBOLS = ["BTC/USD:USDC", "ETH/USD:USDC", "NOPE/USD:USDC", "", "BTC-USD-PERP"]

weird_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["grid#2", "../orders", "..", "a/b", "a?b", "%2F", "x\\y", " ", "0", "1" * 70])
numbers = (st.integers(-10, 10**20) | st.floats(allow_nan=True, allow_infinity=True) |
           st.decimals(allow_nan=False, allow_infinity=False, places=8).map(str) | st.sampled_from(
               ["abc", "", "1e999", "nan", "-0", "0.01", "60000"]) | st.booleans() | st.none())
anything = st.none() | st.booleans() | numbers | weird_text | st.lists(st.integers(), max_size=3) | \
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)
param_keys = st.sampled_from(["postOnly", "reduceOnly", "timeInForce", "clientOrderId", "triggerPrice", "stopLossPrice",
                              "takeProfitPrice", "stp", "triggerDirection", "closePosition", "recvWindow", "foo",
                              "stopLoss", "flags", "instruction", "dime_discount", "cost", "rpi"])
params = st.dictionaries(param_keys, anything, max_size=3) | st.none() | st.sampled_from(["x", 5, []])


@pytest.fixture(scope="module")
def rec():
    ex, sent = offline("sync")
    warm(ex)
    return ex, sent


def _run(rec, call):
    ex, sent = rec
    sent.clear()
    try:
        call(ex)
    except ccxt.BaseError:
        assert sent == [], sent  # refused before anything was signed or sent
        return None
    # anything else propagates and fails the test: a raw Python exception
    return list(sent)


def _path(url):
    return urlsplit(url).path.split("/v1/", 1)[1]


def _check_order_body(ex, body):
    assert set(body) <= ORDER_FIELDS, set(body) - ORDER_FIELDS
    market = ex.markets_by_id[body["market"]][0]
    assert body["side"] in ("BUY", "SELL") and body["type"] in ORDER_TYPES
    size = Decimal(body["size"])
    assert size >= 0 and size.is_finite()
    step = Decimal(str(market["precision"]["amount"]))
    assert size % step == 0
    if size == 0:
        assert body["type"].startswith(("STOP_LOSS", "TAKE_PROFIT")) and "REDUCE_ONLY" in body["flags"]
    if "MARKET" not in body["type"]:
        assert Decimal(body["price"]) > 0
    if body["type"] not in ("LIMIT", "MARKET"):
        assert Decimal(body["trigger_price"]) > 0


@FUZZ
@given(symbol=st.sampled_from(SYMBOLS) | anything, type=st.sampled_from(["limit", "market", "STOP_LIMIT", "twap"]) | anything,
       side=st.sampled_from(["buy", "sell", "BUY"]) | anything, amount=numbers, price=numbers, params=params)
def test_create_order_fuzz(rec, symbol, type, side, amount, price, params):
    sent = _run(rec, lambda ex: ex.create_order(symbol, type, side, amount, price, params))
    if sent is not None:
        assert [(m, _path(u)) for m, u, _ in sent] == [("POST", "orders")]
        _check_order_body(rec[0], json.loads(sent[0][2]))


@FUZZ
@given(id=anything, symbol=st.sampled_from(SYMBOLS[:2]) | st.none() | anything, client_id=st.none() | anything)
def test_cancel_and_fetch_order_fuzz_never_name_another_order(rec, id, symbol, client_id):
    p = {} if client_id is None else {"clientOrderId": client_id}
    for method, call in (("DELETE", lambda ex: ex.cancel_order(id, symbol, dict(p))),
                         ("GET", lambda ex: ex.fetch_order(id, symbol, dict(p)))):
        sent = _run(rec, call)
        if sent is None:
            continue
        m, url, _ = sent[0]
        path = _path(url)
        assert m == method
        if client_id is not None:
            prefix = "orders/by_client_id/"
            assert path.startswith(prefix) and unquote(path[len(prefix):]) == str(client_id)
        else:
            assert path.startswith("orders/") and unquote(path[len("orders/"):]) == str(id)
        assert path.count("/") == (2 if client_id is not None else 1)  # exactly one segment: this order


@FUZZ
@given(ids=anything | st.lists(anything, max_size=4), client_ids=st.none() | st.lists(anything, max_size=3) | anything)
def test_cancel_orders_fuzz(rec, ids, client_ids):
    p = {} if client_ids is None else {"clientOrderIds": client_ids}
    sent = _run(rec, lambda ex: ex.cancel_orders(ids, None, p))
    if sent is not None:
        body = json.loads(sent[0][2])
        assert body["order_ids"] == [str(i) for i in (ids or [])]
        assert body["order_ids"] or body.get("client_order_ids")
        assert all(isinstance(i, str) and i for i in body["order_ids"] + body.get("client_order_ids", []))


@FUZZ
@given(method=st.sampled_from(["fetch_trades", "fetch_my_trades", "fetch_orders", "fetch_open_orders", "fetch_closed_orders",
                               "fetch_funding_history", "fetch_ohlcv", "fetch_order_book", "fetch_positions",
                               "fetch_tickers"]),
       symbol=st.sampled_from(SYMBOLS[:2]) | anything, since=st.none() | numbers, limit=st.none() | numbers, params=params)
def test_fetch_fuzz(rec, method, symbol, since, limit, params):
    def call(ex):
        fn = getattr(ex, method)
        if method == "fetch_ohlcv":
            return fn(symbol, "1m", since, limit, params)
        if method == "fetch_order_book":
            return fn(symbol, limit, params)
        if method in ("fetch_positions", "fetch_tickers"):
            return fn(symbol, params)
        return fn(symbol, since, limit, params)
    sent = _run(rec, call)
    if sent is not None:
        for _, url, _ in sent:
            query = urlsplit(url).query
            for part in filter(None, query.split("&")):
                key, _, value = part.partition("=")
                if key in ("start_at", "end_at", "page_size", "depth"):
                    assert value.isdigit(), url
        if isinstance(since, (int, float)) and not isinstance(since, bool) and sent \
                and method not in ("fetch_order_book", "fetch_positions", "fetch_tickers"):
            assert math.isfinite(since) and since >= 0
