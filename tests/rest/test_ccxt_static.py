"""ccxt's own static request/response tests for Paradex, both flavours, ours next to ccxt's built-in.

ccxt runs these with ``--requestTests`` / ``--responseTests``: every case of
``ts/src/test/static/request/paradex.json`` (the URL and body each unified call sends) and
``ts/src/test/static/response/paradex.json`` (the unified structure each call returns for a recorded
Paradex payload). ``tests/support/ccxt_harness.py`` runs ccxt's harness code from the installed wheel
(``ccxt/test/tests_sync.py`` and ``tests_async.py``) on copies of those fixtures (``tests/data/ccxt_static``),
with our class, or ccxt's built-in ``paradex``, where the harness builds the exchange.

The rule, per case and flavour:

* a case ccxt's built-in passes, ours passes too -- unless the case is in the allow-list below, where ours
  differs on purpose. An entry names the exact field and ours' exact value there; the test checks that
  ours really gives that value, puts the reference's value back in that one place, and then requires
  ccxt's comparison to pass, so nothing else may differ;
* on every case, ours (with the same allow-list) must also equal what ccxt's built-in does, by ccxt's own
  comparison. That is the check for the cases the built-in fails: there the fixture is older than
  ccxt 4.5.90's own code (``BUILTIN_FAILS`` pins why) and the built-in's live output is the reference.

``test_pass_counts`` runs ccxt's harness unmodified (no allow-list) and reports the pass counts of both
classes; the README's "Differences from ccxt's built-in" section lists the same deliberate differences.
"""
import copy
import json

import ccxt
import ccxt.async_support
import pytest

import ccxt_paradex
import ccxt_paradex.async_support
from ccxt_harness import Harness, cases, fixture
from differences import DELIBERATE_DIFFERENCES

FLAVOURS = {
    "sync": (ccxt_paradex.paradex, ccxt.paradex),
    "async": (ccxt_paradex.async_support.paradex, ccxt.async_support.paradex),
}
# Request tests. ccxt's harness passes privateKey with the placeholder walletAddress='wallet': not an Ethereum
# address, so it names no account to compare with the key's (ours refuses it only where it would be sent, the
# onboarding header: tests/rest/test_exchange_auth.py); a real address that is not the key's is refused.
REQUEST_ALLOWED: dict = {}
# Market-family orders send price "0": Paradex's OpenAPI OrderRequest (and OpenRPC order.create) list price as
# required, "0" for market orders (signed at 0 either way); ccxt's built-in omits it (README "Conformance with
# Paradex's official spec"). Pinned: ours' body has price "0" and nothing else differs.
MARKET_PRICE_CASES = {("createOrder", i) for i in (1, 2, 4, 5, 6, 8)}
for _case in MARKET_PRICE_CASES:
    REQUEST_ALLOWED[_case] = {"body": ("price", "0")}

# Response tests: {case: {path into the unified result: ours' value}}; the one-line reasons are those of
# tests/adapters/test_parse_differential.py DELIBERATE_DIFFERENCES (test_allow_list_is_justified checks that each
# field has one there).
RESPONSE_ALLOWED = {
    ("fetchMarkets", 0): {
        "0.active": True,                    # from open_at/expiry_at/trading_mode; ccxt reads a key Paradex never sends
        "0.created": 1698756879745,          # open_at, the listing time; ccxt None
        "0.margin": False,                   # Paradex has no spot margin; ccxt None
        "0.subType": "linear",               # a linear contract; ccxt None (its own test_market rejects that)
        "0.limits.amount.min": 0.001,        # order_size_increment, the smallest size accepted; ccxt None
        "0.limits.leverage.min": 1.0,        # leverage starts at 1; ccxt None
        "0.limits.leverage.max": 50.0,       # 1 / imf_base; ccxt None
    },
    ("fetchTickers", 0): {"BTC/USD:USDC.indexPrice": 66806.71304318},  # underlying_price; ccxt None
    ("fetchTicker", 0): {"indexPrice": 66814.28166666},                 # underlying_price; ccxt None
    ("fetchOpenInterest", 0): {"openInterestValue": 10283828.601080341},  # open_interest x mark_price; ccxt None
    ("fetchOrders", 0): {
        "0.postOnly": False,                 # instruction '' is not post-only; ccxt None
        "0.timeInForce": "GTC",              # instruction '' means GTC; ccxt None
    },
    ("fetchPositions", 0): {
        "0.markPrice": 182.11709854,         # entry + (unrealized - funding pnl) / size; ccxt None
        "0.notional": 546.35129562,          # |size x mark|; ccxt |cost_usd| (the entry value)
        "0.hedged": False,                   # one net position per market; ccxt None
        "0.marginMode": "cross",             # the main account is cross-margined; ccxt None
        "0.realizedPnl": 0.0,                # realized_pnl; ccxt omits the key
        "0.timestamp": 1722426261489,        # last_updated_at (the row has no created_at); ccxt None
        "0.datetime": "2024-07-31T11:44:21.489Z",
    },
    ("fetchPosition", 0): {
        "markPrice": 182.3887433, "notional": 547.1662299, "hedged": False, "marginMode": "cross",
        "realizedPnl": 0.0, "timestamp": 1722426301528, "datetime": "2024-07-31T11:45:01.528Z",
    },
}
STRUCTURE = {"fetchMarkets": "market", "fetchTickers": "ticker", "fetchTicker": "ticker",
             "fetchOpenInterest": "open_interest", "fetchOrders": "order", "fetchBalance": "balance",
             "fetchPositions": "position", "fetchPosition": "position"}

# Cases ccxt's built-in itself fails (ccxt 4.5.90 against these fixtures), and why: ours is compared with the
# built-in's live output there instead.
BUILTIN_FAILS = {
    ("request", "createOrder", 0): '"instruction": "GTC"',  # the fixture predates ccxt sending instruction GTC
    ("request", "createOrder", 1): '"instruction": "GTC"',
    ("request", "createOrder", 2): '"instruction": "GTC"',
    ("request", "createOrder", 4): '"instruction": "GTC"',
    ("request", "createOrder", 5): '"instruction": "GTC"',
    ("request", "createOrder", 6): '"instruction": "GTC"',
    ("request", "createOrder", 7): '"instruction": "GTC"',
    ("request", "createOrder", 8): '"instruction": "GTC"',
    ("request", "createOrder", 9): '"instruction": "GTC"',
    ("request", "fetchLiquidations", 0): "fetchLiquidations() is not supported yet",  # neither class has it
    ("response", "fetchTickers", 0): "[open] computed: 69378.60345932095 stored: null",  # ccxt now derives open
    ("response", "fetchTicker", 0): "[open] computed: 69378.60345932095 stored: null",
    ("response", "fetchOrders", 0): '[status] computed: "canceled" stored: "closed"',  # ccxt now reads cancel_reason
    ("response", "fetchPositions", 0): '"lastUpdateTimestamp": 1722426261489',  # keys ccxt added since
    ("response", "fetchPosition", 0): '"lastUpdateTimestamp": 1722426301528',
}

# ---------------------------------------------------------------------------------------------------------------
# Running (each harness run once per session)
# ---------------------------------------------------------------------------------------------------------------
_HARNESS = {}
_RAW = {}


def _harness(flavour):
    if flavour not in _HARNESS:
        _HARNESS[flavour] = Harness(flavour == "sync")
    return _HARNESS[flavour]


def _raw(flavour, kind, method, index, who):
    """ccxt's harness, unmodified, on one case with ours ('ours') or ccxt's built-in ('builtin')."""
    key = (flavour, kind, method, index, who)
    if key not in _RAW:
        cls = FLAVOURS[flavour][0 if who == "ours" else 1]
        _RAW[key] = _harness(flavour).run(kind, cls, method, index)
    return _RAW[key]


def _split(path):
    return [int(p) if p.isdigit() else p for p in path.split(".")]


def _get(value, path):
    for key in _split(path):
        value = value[key]
    return value


def _put(value, path, new, present):
    *parents, last = _split(path)
    for key in parents:
        value = value[key]
    if present:
        value[last] = new
    else:
        value.pop(last, None)


def _lookup(value, path):
    """(present, value at path)"""
    try:
        return True, _get(value, path)
    except (KeyError, IndexError, TypeError):
        return False, None


def _neutralise(fields, reference):
    """An ``adjust`` that puts the reference's value (or its absence) back on every allow-listed field."""
    def adjust(result):
        result = copy.deepcopy(result)
        for path in fields:
            present, value = _lookup(reference, path)
            _put(result, path, value, present)
        return result
    return adjust


def _request_adjust(method, index):
    entry = REQUEST_ALLOWED.get((method, index))
    if entry is None:
        return None
    if "body" in entry:
        field, ours = entry["body"]

        def adjust_body(exchange):
            body = json.loads(exchange.last_request_body)
            assert body.get(field) == ours and "MARKET" in body["type"], body  # the pinned difference is there
            del body[field]
            exchange.last_request_body = json.dumps(body)
        return adjust_body
    raise AssertionError("unknown allow-list entry %r" % (entry,))


def _ids(kind):
    return [pytest.param(f, m, i, id="%s-%s[%d]-%s" % (f, m, i, d)) for f in FLAVOURS for m, i, d in cases(kind)]


# ---------------------------------------------------------------------------------------------------------------
# Request tests
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("flavour, method, index", _ids("request"))
def test_request(flavour, method, index):
    ours_cls, _ = FLAVOURS[flavour]
    harness = _harness(flavour)
    builtin = _raw(flavour, "request", method, index, "builtin")
    raw = _raw(flavour, "request", method, index, "ours")
    adjust = _request_adjust(method, index)
    stale = BUILTIN_FAILS.get(("request", method, index))
    if stale is None:
        assert builtin.passed, builtin.failure
        run = harness.run("request", ours_cls, method, index, adjust=adjust)
        assert run.passed, run.failure
    else:
        assert not builtin.passed and stale in builtin.failure, builtin.failure
    if builtin.error is not None:  # the built-in raised: ours must raise the same error
        assert type(raw.error) is type(builtin.error), (raw.error, builtin.error)
        return
    # ours against what ccxt's built-in sent, by ccxt's comparison
    run = harness.run("request", ours_cls, method, index, adjust=adjust,
                      entry={"url": builtin.url, "output": builtin.body})
    assert run.passed, run.failure


# ---------------------------------------------------------------------------------------------------------------
# Response tests
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("flavour, method, index", _ids("response"))
def test_response(flavour, method, index):
    ours_cls, _ = FLAVOURS[flavour]
    harness = _harness(flavour)
    builtin = _raw(flavour, "response", method, index, "builtin")
    raw = _raw(flavour, "response", method, index, "ours")
    assert raw.result is not None, raw.failure
    fields = RESPONSE_ALLOWED.get((method, index), {})
    expected = _fixture_parsed(method, index)
    reference = json.loads(json.dumps(builtin.result))
    for path, value in fields.items():  # the pinned difference is there: ours' value, not the built-in's
        assert _lookup(raw.result, path) == (True, value), (path, _lookup(raw.result, path))
        assert _lookup(reference, path) != (True, value), path
    stale = BUILTIN_FAILS.get(("response", method, index))
    if stale is None:
        assert builtin.passed, builtin.failure
        run = harness.run("response", ours_cls, method, index, adjust=_neutralise(fields, expected))
        assert run.passed, run.failure
    else:
        assert not builtin.passed and stale in builtin.failure, builtin.failure
    run = harness.run("response", ours_cls, method, index, adjust=_neutralise(fields, reference),
                      entry={"parsedResponse": reference})
    assert run.passed, run.failure


def _fixture_parsed(method, index):
    return fixture("response")["methods"][method][index]["parsedResponse"]


# ---------------------------------------------------------------------------------------------------------------
# The allow-list itself, and the counts
# ---------------------------------------------------------------------------------------------------------------
def test_allow_list_is_justified():
    """Every allow-listed response field is a deliberate difference tests/adapters/test_parse_differential.py justifies."""
    for (method, _index), fields in RESPONSE_ALLOWED.items():
        reasons = DELIBERATE_DIFFERENCES[STRUCTURE[method]]
        for path in fields:
            key = ".".join(p for p in path.split(".") if not p.isdigit() and "/" not in p)
            assert key in reasons, (method, path)
    assert set(REQUEST_ALLOWED) <= {(m, i) for m, i, _ in cases("request")}


def test_pass_counts(capsys):
    """ccxt's harness, unmodified: every case the built-in passes, ours passes, apart from the allow-list."""
    allowed = {("request",) + c for c in REQUEST_ALLOWED}
    allowed |= {("response",) + c for c in RESPONSE_ALLOWED}
    lines = []
    for flavour in FLAVOURS:
        for kind in ("request", "response"):
            every = [(m, i) for m, i, _ in cases(kind)]
            ours = {c for c in every if _raw(flavour, kind, *c, "ours").passed}
            theirs = {c for c in every if _raw(flavour, kind, *c, "builtin").passed}
            lines.append("%s %s: ours %d/%d, ccxt built-in %d/%d" % (flavour, kind, len(ours), len(every),
                                                                      len(theirs), len(every)))
            if kind == "request":  # no request difference is allowed where the built-in passes
                assert theirs <= ours, "built-in passes, ours fails: %r" % sorted(theirs - ours)
            missing = {c for c in theirs - ours if (kind,) + c not in allowed}
            assert not missing, "built-in passes, ours fails, not allow-listed: %r" % sorted(missing)
    with capsys.disabled():
        print("\nccxt static tests (ccxt's harness, unmodified):\n  " + "\n  ".join(lines))
    # the figures README.md quotes ("Development" > ccxt's own static tests)
    assert lines == [f"{flavour} {kind}" + figures for flavour in FLAVOURS for kind, figures in
                     (("request", ": ours 26/36, ccxt built-in 26/36"), ("response", ": ours 7/14, ccxt built-in 9/14"))]
