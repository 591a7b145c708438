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
    for name in ("api.py", "api_table.py", "paradex_contract.json"):
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
    # a bare request() is throttled in the bucket of its route, or by the rules for a route the table lacks
    assert paradex_api.endpoint("GET", "account", "private")["bucket"] == "private_get"
    assert paradex_api.endpoint("GET", "not/in/the/table", "private")["bucket"] == "private_get"
    assert paradex_api.endpoint("DELETE", "not/in/the/table", "private")["bucket"] == "orders"
    assert paradex_api.endpoint("GET", "not/in/the/table", "public")["bucket"] == "public"
