"""The rules behind Paradex's implicit API, and lookups over the generated endpoint table (``api_table.py``).

``tools/gen_api.py`` writes ``api_table.py`` from the contract (every OpenAPI operation plus the endpoints ccxt's
built-in defines beyond it) using the rules below; the exchange classes use the same rules for a request the
table does not know (``exchange.request(path, 'private', 'GET')``). Pure: no I/O.

Rate-limit buckets, as Paradex's rate-limit page gives them (``core/ratelimit.py`` holds the numbers):

- ``auth``: ``POST /auth`` (and ``/auth/{public_key}``, ``/v2/auth``), 600/min per IP;
- ``onboarding``: ``POST /onboarding`` (and ``/v2/onboarding``), 600/min per IP;
- ``orders``: ``POST``, ``DELETE``, ``PUT /orders`` (batch, cancel-all, modify, by client id), per account;
- ``private_get``: every private ``GET``, per account;
- ``public``: everything else sent without the JWT (the default, per IP).

A private write outside ``/orders`` (``POST /algo/orders``, ``PUT /account/profile``, ...) is not placed by the docs:
it goes in the private write bucket they give (``orders``), and the table marks it ``placed``.
"""
import re
from typing import Optional

AUTH_PATHS = frozenset({"auth", "auth/{public_key}", "v2/auth"})
ONBOARDING_PATHS = frozenset({"onboarding", "v2/onboarding"})
VERSIONS = ("v2",)


def bucket_for(access: str, method: str, path: str, jwt: bool = True) -> tuple:
    """-> (bucket, documented): the rate-limit bucket of ``METHOD path`` and whether the docs place it there."""
    method = method.upper()
    if method == "POST" and path in AUTH_PATHS:
        return "auth", True
    if method == "POST" and path in ONBOARDING_PATHS:
        return "onboarding", True
    if access != "private" or not jwt:
        return "public", access != "private" or method == "GET"
    if method == "GET":
        return "private_get", True
    if path == "orders" or path.startswith("orders/"):
        return "orders", True
    return "orders", False


def method_names(access: str, method: str, path: str) -> tuple:
    """-> (snake_case, camelCase) implicit method names, as ccxt derives them from the api table."""
    words = [w for w in re.split(r"[^a-zA-Z0-9]+", path) if w]
    snake = "_".join([access, method.lower()] + [w.lower() for w in words])
    parts = [access, method.lower()] + words
    camel = parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
    return snake, camel


def split_version(path: str, default: str = "v1") -> tuple:
    """``v2/auth`` -> ('v2', 'auth'); ``markets`` -> (default, 'markets'): which base URL a path is sent to."""
    head, _, rest = path.partition("/")
    if head in VERSIONS and rest:
        return head, rest
    return default, path


_BY_ROUTE: Optional[dict] = None


def _routes() -> dict:
    global _BY_ROUTE
    if _BY_ROUTE is None:
        from .api_table import ImplicitAPI
        _BY_ROUTE = {}
        for entry in vars(ImplicitAPI).values():
            if hasattr(entry, "config"):
                _BY_ROUTE[(entry.method, entry.path)] = (entry.api[0], entry.config)
    return _BY_ROUTE


def endpoint(method: str, path: str, access: Optional[str] = None) -> dict:
    """The config of ``METHOD path`` (``{'cost', 'bucket', ...}``): the table's, or the rules' for a path it lacks."""
    found = _routes().get((method.upper(), path))
    if found is not None and (access is None or found[0] == access):
        return found[1]
    bucket, _ = bucket_for(access or "public", method, path)
    return {"cost": 1, "bucket": bucket}


_SIGNED: Optional[frozenset] = None


def signed_routes() -> frozenset:
    """{(METHOD, path)} of the private requests signed by the account instead of carrying the JWT (login,
    onboarding, vault creation, subkey activation): their signature and account travel as headers."""
    global _SIGNED
    if _SIGNED is None:
        _SIGNED = frozenset(route for route, (_, config) in _routes().items() if config.get("jwt") is False)
    return _SIGNED


def describe_api() -> dict:
    """The table in ccxt's ``describe()['api']`` form: {access: {method: {path: config}}}."""
    api: dict = {}
    for (method, path), (access, config) in sorted(_routes().items()):
        api.setdefault(access, {}).setdefault(method.lower(), {})[path] = config
    return api
