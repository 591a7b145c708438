"""The implicit API (issue 26): every Paradex endpoint callable under ccxt's names, generated from the contract."""
import os
import shutil
import subprocess
import sys

from conftest import ROOT

from ccxt_paradex.core import api as paradex_api
from ccxt_paradex.core.api_table import ImplicitAPI

GEN = os.path.join(ROOT, "tools", "gen_api.py")


def _entries():
    return {name: e for name, e in vars(ImplicitAPI).items() if hasattr(e, "config")}


def test_the_table_is_current():
    out = subprocess.run([sys.executable, GEN, "--check"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_check_detects_a_hand_edit(tmp_path):
    tools, core = tmp_path / "tools", tmp_path / "ccxt_paradex" / "core"
    tools.mkdir()
    core.mkdir(parents=True)
    shutil.copy(GEN, tools / "gen_api.py")
    for name in ("api.py", "api_table.py", "contract.py", "paradex_contract.json"):
        shutil.copy(os.path.join(ROOT, "ccxt_paradex", "core", name), core / name)
    run = [sys.executable, str(tools / "gen_api.py"), "--check"]
    assert subprocess.run(run, capture_output=True, timeout=60).returncode == 0
    with open(core / "api_table.py", "a", encoding="utf-8") as f:
        f.write("    private_get_nothing = privateGetNothing = None\n")
    assert subprocess.run(run, capture_output=True, timeout=60).returncode == 1


def test_every_operation_of_the_contract_is_in_the_table():
    from ccxt_paradex.core import contract
    routes = {(e.method, e.path) for e in _entries().values()}
    ops = {tuple(k.split(" ", 1)) for k in contract.contract()["rest"]}
    assert {(m, p.lstrip("/")) for m, p in ops} <= routes
    assert len(ops) == 125 and len(routes) == 128  # + ccxt's referrals/config, rfqs/markets; + /auth/{public_key}


def test_buckets_follow_the_documented_rules():
    config = {(e.method, e.path): e.config for e in _entries().values()}
    assert config[("POST", "auth")]["bucket"] == config[("POST", "v2/auth")]["bucket"] == "auth"
    assert config[("POST", "onboarding")]["bucket"] == config[("POST", "v2/onboarding")]["bucket"] == "onboarding"
    for route in (("POST", "orders"), ("POST", "orders/batch"), ("DELETE", "orders"), ("PUT", "orders/{order_id}"),
                  ("DELETE", "orders/by_client_id/{client_id}")):
        assert config[route] == {"cost": 1, "bucket": "orders"}, route
    assert config[("GET", "algo/orders")]["bucket"] == config[("GET", "orders")]["bucket"] == "private_get"
    assert config[("GET", "markets")] == {"cost": 1, "bucket": "public"}
    # not placed by the docs: a private write outside /orders takes the private write bucket, and says so
    assert config[("POST", "algo/orders")] == {"cost": 1, "bucket": "orders", "placed": "by method and access"}
    assert config[("POST", "auth")]["jwt"] is False and "jwt" not in config[("GET", "account")]
    # the counts README.md quotes: 35 private writes in the orders bucket, 2 signed ones in the per-IP default
    placed = [c["bucket"] for c in config.values() if "placed" in c]
    assert (placed.count("orders"), placed.count("public"), len(placed)) == (35, 2, 37)
    # a bare request() is throttled in the bucket of its route, or by the rules for a route the table lacks
    assert paradex_api.endpoint("GET", "account", "private")["bucket"] == "private_get"
    assert paradex_api.endpoint("GET", "not/in/the/table", "private")["bucket"] == "private_get"
    assert paradex_api.endpoint("DELETE", "not/in/the/table", "private")["bucket"] == "orders"
    assert paradex_api.endpoint("GET", "not/in/the/table", "public")["bucket"] == "public"


# ---- parity with ccxt's built-in: every name, the same request line ---------------------------------------
import json  # noqa: E402
from urllib.parse import parse_qsl, urlsplit  # noqa: E402

import ccxt  # noqa: E402
import ccxt.abstract.paradex as builtin_abstract  # noqa: E402
import pytest  # noqa: E402

import ccxt_paradex  # noqa: E402
import ccxt_paradex.async_support  # noqa: E402
import ccxt_paradex.pro  # noqa: E402
from ccxt_paradex.core import contract  # noqa: E402

CLASSES = {"sync": ccxt_paradex.paradex, "async": ccxt_paradex.async_support.paradex, "pro": ccxt_paradex.pro.paradex}
BUILTIN = {name: e for name, e in vars(builtin_abstract.ImplicitAPI).items() if hasattr(e, "config")}
SAMPLE_PATH = {"market": "BTC-USD-PERP", "public_key": "0x2c144d2f", "client_id": "grid-1"}
# ccxt's paradex reads a login's and an onboarding's signature from these params (its sign())
SIGNED = {"account": "0x129c", "signature": "[\"1\",\"2\"]", "timestamp": 1700000000, "expiration": 1700000300}


def test_ccxt_builtin_table_is_what_this_test_walks():
    assert len(BUILTIN) == 254  # 127 endpoints, camelCase and snake_case


@pytest.mark.parametrize("flavour", sorted(CLASSES))
def test_every_builtin_implicit_name_exists_with_the_same_endpoint(flavour):
    cls = CLASSES[flavour]
    missing, different = [], []
    for name, theirs in BUILTIN.items():
        ours = vars(ImplicitAPI).get(name)
        if ours is None or not callable(getattr(cls, name, None)):
            missing.append(name)
        elif (ours.path, ours.api, ours.method) != (theirs.path, theirs.api, theirs.method):
            different.append((name, (ours.path, ours.method), (theirs.path, theirs.method)))
    assert not missing and not different, (missing, different)


def _path_params(path):
    return {name: SAMPLE_PATH.get(name, "id-7") for name in ccxt.Exchange.extract_params(path)}


def _request_lines(exchange, entries, sandbox=False):
    """-> {name: (METHOD, URL path)} of every implicit call as ``exchange.sign`` builds it."""
    if sandbox:
        exchange.set_sandbox_mode(True)
    exchange.options["authToken"] = "jwt"
    exchange.walletAddress = "0x00000000000000000000000000000000000000aa"
    out = {}
    for name, e in entries.items():
        params = dict(_path_params(e.path), **SIGNED) if e.path.endswith(("auth", "onboarding")) else \
            _path_params(e.path)
        if e.path.endswith("onboarding"):
            params["public_key"] = "0x2c144d2f"
        request = exchange.sign(e.path, e.api, e.method, dict(params))
        out[name] = (request["method"], urlsplit(request["url"]).netloc, urlsplit(request["url"]).path)
    return out


@pytest.mark.parametrize("sandbox", [False, True], ids=["mainnet", "testnet"])
def test_every_builtin_implicit_call_builds_the_same_request_line(sandbox):
    theirs = _request_lines(ccxt.paradex(), BUILTIN, sandbox)
    for flavour, cls in CLASSES.items():
        ours = _request_lines(cls(), BUILTIN, sandbox)
        diff = {n: (ours[n], theirs[n]) for n in BUILTIN if ours[n] != theirs[n]}
        assert not diff, (flavour, diff)
    # v2 goes to the v2 base, on testnet too
    assert theirs["privatePostV2Auth"][1:] == (("api.testnet." if sandbox else "api.prod.") + "paradex.trade", "/v2/auth")


def test_signed_login_params_become_headers_as_in_ccxts_paradex():
    ex = ccxt_paradex.paradex()
    ex.walletAddress = "0x00000000000000000000000000000000000000aa"
    auth = ex.sign("auth", ["private"], "POST", dict(SIGNED, token_usage="interactive"))
    assert urlsplit(auth["url"]).query == "token_usage=interactive" and auth["body"] is None
    assert {k: auth["headers"][k] for k in auth["headers"] if k.startswith("PARADEX-") and k != "PARADEX-PARTNER"} == {
        "PARADEX-STARKNET-ACCOUNT": "0x129c", "PARADEX-STARKNET-SIGNATURE": SIGNED["signature"],
        "PARADEX-TIMESTAMP": "1700000000", "PARADEX-SIGNATURE-EXPIRATION": "1700000300"}
    assert "Authorization" not in auth["headers"]
    onboarding = ex.sign("onboarding", ["private"], "POST", {"account": "0x1", "signature": "[]", "public_key": "0x2"})
    assert json.loads(onboarding["body"]) == {"public_key": "0x2"}
    assert onboarding["headers"]["PARADEX-ETHEREUM-ACCOUNT"] == ex.walletAddress
    evm = ex.sign("v2/auth", ["private"], "POST", {"account": "0x1", "signature": "0xsig", "message": "siwe"})
    assert evm["url"] == "https://api.prod.paradex.trade/v2/auth"
    assert (evm["headers"]["PARADEX-EVM-SIGNATURE"], evm["headers"]["PARADEX-SIWE-MESSAGE"]) == ("0xsig", "siwe")
    # any param named as a Paradex header travels as that header (POST /vaults' parent account, ...)
    vault = ex.sign("vaults", ["private"], "POST", {"PARADEX-PARENT-ACCOUNT": "0x9", "name": "v"})
    assert vault["headers"]["PARADEX-PARENT-ACCOUNT"] == "0x9" and json.loads(vault["body"]) == {"name": "v"}
    assert "Authorization" not in vault["headers"]  # signed by the account, no JWT (OpenAPI: no security)


# ---- every generated request conforms to the contract -----------------------------------------------------
def _sample(schema, name=""):
    """A value the reduced schema accepts (the first enum value, the minimum, one item, every property)."""
    if "enum" in schema:
        return schema["enum"][0]
    t = schema.get("type")
    if t == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if t == "number":
        return max(1, schema.get("minimum", 1))
    if t == "boolean":
        return True
    if t == "array":
        return [_sample(schema.get("items", {}), name)] * max(1, schema.get("minItems", 1))
    if t == "object" or "properties" in schema:
        return {k: _sample(v, k) for k, v in schema.get("properties", {}).items()}
    return SAMPLE_PATH.get(name, "id-7")


def _params_for(op, path):
    params = _path_params(path)
    for where in ("query", "headers"):
        for name, p in op[where].items():
            params[name] = _sample(p["schema"], name)
    body = op.get("body")
    if body is not None and body["schema"].get("type") == "array":
        params["__body"] = _sample(body["schema"])
    elif body is not None:
        params.update(_sample(body["schema"]))
    if path in ("orders/{order_id}",) and "id" in params:
        params["id"] = params["order_id"]  # the path's order_id and the body's id name one order
    return params


def _conformance(flavour):
    ex = CLASSES[flavour]({"enableRateLimit": False})
    ex.options["authToken"] = "jwt"
    sent = []
    if flavour == "sync":
        def fetch(url, method="GET", headers=None, body=None):
            sent.append((method, url, headers or {}, body))
            return {}
    else:
        async def fetch(url, method="GET", headers=None, body=None):
            sent.append((method, url, headers or {}, body))
            return {}
    ex.fetch = fetch
    ex.authenticate_rest = (lambda *a, **k: None) if flavour == "sync" else _async_none
    problems = {}
    for key, op in contract.contract()["rest"].items():
        method, template = key.split(" ", 1)
        path = template.lstrip("/")
        entry = next(e for e in vars(ImplicitAPI).values() if hasattr(e, "config") and (e.method, e.path) == (method, path))
        snake = paradex_api.method_names(entry.api[0], method, path)[0]
        call = getattr(ex, snake)(_params_for(op, path))
        if flavour != "sync":
            import asyncio
            asyncio.run(call)
        m, url, headers, body = sent.pop()
        parts = urlsplit(url)
        route = parts.path if parts.path.startswith("/v2/") else parts.path.split("/", 2)[2]  # /v1 is the prefix
        found = contract.match_rest(m, route)
        assert found is not None and found[0] == template, (key, url)
        violations = contract.check_rest(m, template, path=found[1], query=dict(parse_qsl(parts.query)),
                                         headers=headers, body=json.loads(body) if body else contract.MISSING)
        if violations:
            problems[key] = [str(v) for v in violations]
    return problems


async def _async_none(*args, **kwargs):
    return None


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_every_operation_called_through_its_implicit_method_conforms_to_the_contract(flavour):
    """Each of the 125 operations, called with the fields its schema lists, leaves as the spec says: the route,
    path parameters, the query for GET/DELETE, the JSON body for POST/PUT (and DELETE /orders/batch), headers."""
    assert _conformance(flavour) == {}
