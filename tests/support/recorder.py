"""An offline transport for request-level tests: the exchange classes with ccxt's HTTP call replaced by a
recorder, so a test sees exactly what would be sent (method, URL, body) and nothing leaves the process.

Markets are the simulator's defaults (as GET /markets would return them), the system config the
simulator's, the StarkNet key a fixed test key and the JWT a handed-in one, so no /auth is needed.
"""
import base64
import json
import time
from urllib.parse import parse_qsl

import ccxt_paradex
import ccxt_paradex.async_support
from ccxt_paradex.core import keys
from ccxt_paradex.sim.markets import default_markets
from ccxt_paradex.sim.server import SYSTEM_CONFIG

L2_KEY = 0x1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF1234567890ABCDE
MARKETS = {"results": [m.to_json() for m in default_markets()]}


def _jwt(exp):
    def part(d):
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    return part({"alg": "none"}) + "." + part({"iat": int(time.time()), "exp": exp}) + ".sig"


def respond(method, url, body):
    """A plausible answer per endpoint (enough for the parsers; the tests look at what was sent)."""
    path = url.split("/v1/", 1)[-1].split("?")[0]
    if path == "markets":
        return MARKETS
    if path == "system/config":
        return SYSTEM_CONFIG
    if path == "markets/summary":  # one row for the market asked about (ALL: a perpetual's)
        market = dict(parse_qsl(url.partition("?")[2])).get("market", "BTC-USD-PERP")
        return {"results": [{"symbol": "BTC-USD-PERP" if market == "ALL" else market, "funding_rate": "0.0001",
                             "mark_price": "60000", "created_at": int(time.time() * 1000)}]}
    if path == "orders/batch" and method == "POST":
        return {"orders": [dict(o, id=str(1000 + i), status="NEW") for i, o in enumerate(json.loads(body))], "errors": []}
    if path == "orders/batch" and method == "DELETE":
        return {"results": []}
    if method in ("POST", "PUT") and path.startswith("orders"):
        return dict(json.loads(body), id="999", status="NEW")
    if method == "GET" and path.startswith("orders/"):
        return {"id": path.split("/")[-1], "market": "BTC-USD-PERP", "side": "BUY", "type": "LIMIT", "size": "0.01",
                "price": "60000", "status": "OPEN", "remaining_size": "0.01"}
    return {"results": []}


def offline(flavour="sync", options=None):
    """-> (exchange, sent): ``sent`` collects (method, url, body) of every request the exchange makes."""
    cls = ccxt_paradex.paradex if flavour == "sync" else ccxt_paradex.async_support.paradex
    account = keys.account_address(keys.public_key(L2_KEY), SYSTEM_CONFIG["paraclear_account_proxy_hash"],
                                   SYSTEM_CONFIG["paraclear_account_hash"])
    opts = {"paradexAccount": {"privateKey": hex(L2_KEY), "address": hex(account)},
            "systemConfig": dict(SYSTEM_CONFIG), "authToken": _jwt(int(time.time()) + 3600)}
    opts.update(options or {})
    ex = cls({"options": opts, "enableRateLimit": False})
    ex._jwt_refresh_at = time.time() + 3600  # versions before handed-in JWTs were honoured (bad-input matrix)
    sent = []
    if flavour == "sync":
        def fetch(url, method="GET", headers=None, body=None):
            sent.append((method, url, body))
            return respond(method, url, body)
    else:
        async def fetch(url, method="GET", headers=None, body=None):
            sent.append((method, url, body))
            return respond(method, url, body)
    ex.fetch = fetch
    return ex, sent


def warm(ex):
    """Load markets through the recorder (sync) and forget that request."""
    ex.load_markets()
    return ex
