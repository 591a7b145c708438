"""The Paradex endpoint map (ccxt ``describe()['api']`` form) and its implicit methods.

Each endpoint's config names its venue rate-limit bucket. ``implicit_api``
turns the map into ccxt-style descriptors (``publicGetMarkets`` /
``public_get_markets``) the way ccxt's generated abstract classes do.
"""
import re

from ccxt.base.types import Entry


def _e(bucket):
    return {"cost": 1, "bucket": bucket}


API = {
    "public": {
        "get": {p: _e("public") for p in (
            "system/config", "system/state", "system/time", "markets", "markets/summary", "markets/klines",
            "orderbook/{market}", "orderbook/{market}/interactive", "bbo/{market}", "bbo/{market}/interactive",
            "trades", "funding/data", "onboarding", "insurance", "jwks.json")},
    },
    "private": {
        "get": {p: _e("private_get") for p in (
            "account", "account/info", "account/summary", "account/subaccounts", "account/history", "account/margin",
            "account/keys/subkeys", "balance", "positions", "fills", "funding/payments", "transfers", "liquidations",
            "orders", "orders-history", "orders/{order_id}", "orders/by_client_id/{client_id}", "tradebusts",
            "transactions")},
        "post": {"onboarding": _e("onboarding"), "auth": _e("auth"), "auth/{public_key}": _e("auth"),
                 "orders": _e("orders"), "orders/batch": _e("orders"), "account/margin/{market}": _e("orders"),
                 "account/keys/subkeys": _e("orders")},
        "put": {"orders/{order_id}": _e("orders")},
        "delete": {"orders": _e("orders"), "orders/{order_id}": _e("orders"), "orders/batch": _e("orders"),
                   "orders/by_client_id/{client_id}": _e("orders"), "account/keys/subkeys/{public_key}": _e("orders")},
    },
}


def _camel(parts):
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def implicit_api(api: dict) -> type:
    attrs = {}
    for access, methods in api.items():
        for method, endpoints in methods.items():
            for path, config in endpoints.items():
                words = [w for w in re.split(r"[^a-zA-Z0-9]+", path) if w]
                entry = Entry(path, [access], method.upper(), config)
                attrs[_camel([access, method] + words)] = entry
                attrs["_".join([access, method] + [w.lower() for w in words])] = entry
    return type("ParadexImplicitAPI", (), attrs)


ImplicitAPI = implicit_api(API)
