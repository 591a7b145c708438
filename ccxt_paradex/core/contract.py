"""Paradex's request contract (``paradex_contract.json``, generated from the official OpenAPI / OpenRPC
files by ``tools/gen_contract.py``) and a pure validator for it.

``check_rest(method, template, ...)`` and ``check_ws(method, params)`` return a list of
:class:`Violation` (empty when the request conforms). The simulator refuses a request with any violation
(``sim/contract_gate.py``); the tests validate every request kind the classes send. Two kinds:

- ``spec``: what the spec's schemas and stated rules refuse (a missing required field, a wrong type, a value
  outside an enum or a limit, a batch of 11, a cancel by client id without its market);
- ``unknown``: a field the spec does not list. Paradex (Go) ignores those; the simulator refuses them in its
  default ``strict`` mode, because a field the venue silently drops is a bug in whoever sent it.

I/O free apart from reading the JSON file once.
"""
import json
import os
import re
from dataclasses import dataclass
from typing import Mapping, Optional

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "paradex_contract.json")

# Routes the docs, the official SDK or ccxt's built-in use that the OpenAPI file does not list: (the listed
# operation whose shape it shares, or None for none; its path parameters; whether it carries the JWT, for those
# without a listed twin). One place for every such reading: the simulator's gate and tools/gen_api.py (the
# implicit API) both read it.
BEYOND_SPEC = {
    # API authentication page + paradex-py: subkeys authenticate at /auth/{their public key}
    "POST /auth/{public_key}": ("POST /auth", {"public_key": {"required": True, "schema": {"type": "string"}}}, None),
    # ccxt 4.5.90's built-in paradex defines these reads (implicit publicGetReferralsConfig, privateGetRfqsMarkets);
    # the OpenAPI file has no shape for them: no parameters, no body, no response schema
    "GET /referrals/config": (None, {}, False),
    "GET /rfqs/markets": (None, {}, True),
}
# Query parameters the docs give an operation the OpenAPI file lists without them. One place for every such reading.
BEYOND_SPEC_QUERY = {
    # API authentication page ("POST /auth?token_usage=interactive": a retail / interactive JWT); paradex-py sends
    # its auth_params in the query
    "POST /auth": {"token_usage": {"required": False, "schema": {"type": "string", "enum": ["interactive"]}}},
}

# Bodies of operations the OpenAPI file lists without one, though each updates the one field its path names (the
# simulator's reading, sim/rest_account.py: the field as PUT /account/profile names it). One place for every such reading.
BEYOND_SPEC_BODY = {
    "POST /account/profile/username": "username",
    "POST /account/profile/referral_code": "referral_code",
    "POST /account/referrer": "referral_code",
}

_INT = re.compile(r"-?\d+\Z")
_NUM = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z")


@dataclass(frozen=True)
class Violation:
    where: str      # e.g. "body.orders[2].type", "query.page_size", "params.market"
    problem: str    # e.g. "required", "not one of [...]", "expected integer"
    kind: str = "spec"

    def __str__(self):
        return f"{self.where}: {self.problem}"


_CONTRACT: Optional[dict] = None


def contract() -> dict:
    global _CONTRACT
    if _CONTRACT is None:
        with open(PATH) as f:
            _CONTRACT = json.load(f)
    return _CONTRACT


def rest_operation(method: str, template: str):
    """The contract entry for ``METHOD /template`` (``template`` without the ``/v1`` prefix), or None."""
    key = f"{method.upper()} {template}"
    rest = contract()["rest"]
    if key in rest:
        op = rest[key]
    elif key in BEYOND_SPEC:
        base, path, auth = BEYOND_SPEC[key]
        if base is None:
            op = {"operation": None, "auth": auth, "path": path, "query": {}, "headers": {}}
        else:
            op = {**rest[base], "path": path}
            key = base
    else:
        return None
    extra = BEYOND_SPEC_QUERY.get(key)
    if extra:
        op = {**op, "query": {**op.get("query", {}), **extra}}
    field = BEYOND_SPEC_BODY.get(key)
    if field and "body" not in op:
        op = {**op, "body": {"required": False, "schema": {"type": "object", "properties": {field: {"type": "string"}}}}}
    return op


_TEMPLATES: Optional[dict] = None


def match_rest(method: str, path: str):
    """-> (template, path params) of the operation a concrete request path (without ``/v1``) names, or None.
    Literal segments win over parameters (``/orders/batch`` is not ``/orders/{order_id}``)."""
    global _TEMPLATES
    if _TEMPLATES is None:
        _TEMPLATES = {}
        for key in list(contract()["rest"]) + list(BEYOND_SPEC):
            m, template = key.split(" ", 1)
            parts = template.strip("/").split("/")
            _TEMPLATES.setdefault(m, []).append((sum(p.startswith("{") for p in parts), template, parts))
        for rows in _TEMPLATES.values():
            rows.sort()
    given = path.split("?", 1)[0].strip("/").split("/")
    for _, template, parts in _TEMPLATES.get(method.upper(), ()):
        if len(parts) != len(given):
            continue
        params = {}
        for want, got in zip(parts, given):
            if want.startswith("{"):
                params[want[1:-1]] = got
            elif want != got:
                break
        else:
            return template, params
    return None


# ---- schema checking ------------------------------------------------------------------------------------
def check_value(schema: dict, value, where: str, out: list, *, text: bool = False):
    """Append the violations of ``value`` against reduced schema ``schema``. ``text``: the value came from a
    query string or header, so numbers and booleans arrive as their text."""
    if value is None:
        if not schema.get("nullable"):
            out.append(Violation(where, "null is not allowed"))
        return
    t = schema.get("type")
    if t == "string":
        if not isinstance(value, str):
            out.append(Violation(where, f"expected string, got {type(value).__name__}"))
            return
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(Violation(where, f"longer than {schema['maxLength']}"))
        if "minLength" in schema and len(value) < schema["minLength"]:
            out.append(Violation(where, f"shorter than {schema['minLength']}"))
    elif t == "integer":
        if text and isinstance(value, str) and _INT.match(value):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            out.append(Violation(where, f"expected integer, got {value!r}"))
            return
    elif t == "number":
        if text and isinstance(value, str) and _NUM.match(value):
            value = float(value)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            out.append(Violation(where, f"expected number, got {value!r}"))
            return
    elif t == "boolean":
        if text and value in ("true", "false"):
            value = value == "true"
        if not isinstance(value, bool):
            out.append(Violation(where, f"expected boolean, got {value!r}"))
            return
    elif t == "array":
        if not isinstance(value, list):
            out.append(Violation(where, f"expected array, got {type(value).__name__}"))
            return
        if "minItems" in schema and len(value) < schema["minItems"]:
            out.append(Violation(where, f"fewer than {schema['minItems']} items"))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(Violation(where, f"more than {schema['maxItems']} items"))
        items = schema.get("items", {})
        for i, v in enumerate(value):
            check_value(items, v, f"{where}[{i}]", out, text=text)
    elif t == "object" or "properties" in schema:
        if not isinstance(value, dict):
            out.append(Violation(where, f"expected object, got {type(value).__name__}"))
            return
        check_object(schema, value, where, out)
    if "enum" in schema and value not in schema["enum"]:
        out.append(Violation(where, f"{value!r} is not one of {schema['enum']}"))
    if "minimum" in schema and isinstance(value, (int, float)) and value < schema["minimum"]:
        out.append(Violation(where, f"below the minimum {schema['minimum']}"))
    if "maximum" in schema and isinstance(value, (int, float)) and value > schema["maximum"]:
        out.append(Violation(where, f"above the maximum {schema['maximum']}"))


def check_object(schema: dict, value: dict, where: str, out: list):
    props = schema.get("properties")
    for name in schema.get("required", ()):
        if name not in value:
            out.append(Violation(f"{where}.{name}", "required"))
    if props is None:
        return
    extra = schema.get("additionalProperties")
    for name, v in value.items():
        if name in props:
            check_value(props[name], v, f"{where}.{name}", out)
        elif isinstance(extra, dict):
            check_value(extra, v, f"{where}.{name}", out)
        elif extra is not True:
            out.append(Violation(f"{where}.{name}", "not a field of this request", "unknown"))


def _check_params(spec: dict, given: Mapping, where: str, out: list, *, text: bool, fold_case: bool = False):
    if fold_case:
        given = {k.lower(): v for k, v in given.items()}
        spec = {k.lower(): v for k, v in spec.items()}
    for name, p in spec.items():
        if name not in given:
            if p["required"]:
                out.append(Violation(f"{where}.{name}", "required"))
            continue
        check_value(p["schema"], given[name], f"{where}.{name}", out, text=text)
    if not fold_case:
        for name in given:
            if name not in spec:
                out.append(Violation(f"{where}.{name}", "not a parameter of this operation", "unknown"))


MISSING = object()   # check_rest(body=MISSING): the request had no body


def check_rest(method: str, template: str, *, path: Optional[dict] = None, query: Optional[dict] = None,
               headers: Optional[Mapping] = None, body=MISSING) -> list:
    """Violations of one REST request. ``template`` is the route as the spec writes it (``/orders/{order_id}``);
    ``headers`` are checked for the spec's required ones only (HTTP carries many others)."""
    op = rest_operation(method, template)
    if op is None:
        return [Violation(f"{method.upper()} {template}", "no such operation in the spec", "unknown")]
    out: list = []
    _check_params(op["path"], path or {}, "path", out, text=True)
    _check_params(op["query"], query or {}, "query", out, text=True)
    if headers is not None:
        _check_params(op["headers"], headers, "headers", out, text=True, fold_case=True)
    spec_body = op.get("body")
    if spec_body is None:
        if body is not MISSING and body not in (None, b"", "", {}):
            out.append(Violation("body", "this operation takes no body", "unknown"))
    elif body is MISSING or body is None:
        if spec_body["required"]:
            out.append(Violation("body", "required"))
    else:
        check_value(spec_body["schema"], body, "body", out)
    rules = contract()["prose_rules"]["rest"].get(f"{method.upper()} {template}", {})
    _prose(rules, body if isinstance(body, dict) else {}, "body", out)
    arr = rules.get("body_array")
    if arr and isinstance(body, list) and not arr["minItems"] <= len(body) <= arr["maxItems"]:
        out.append(Violation("body", f"batch size must be within {arr['minItems']}..{arr['maxItems']}"))
    match = rules.get("path_matches_body", {})
    for p, b in match.items():
        if isinstance(body, dict) and b in body and (path or {}).get(p) != body[b]:
            out.append(Violation(f"body.{b}", f"differs from the path's {p}"))
    return out


def check_rest_response(method: str, template: str, status: int, body) -> list:
    """Violations of a success answer against the spec's response schema (``unknown``: fields it does not list)."""
    op = rest_operation(method, template)
    schema = (op or {}).get("responses", {}).get(str(status))
    if schema is None:
        return []
    out: list = []
    check_value(schema, body, "response", out)
    # Paradex answers null for fields it has no value for (``"prev": null`` in the real payloads ccxt recorded),
    # which the spec does not mark nullable: the world's reading wins for answers
    return [v for v in out if v.problem != "null is not allowed"]


def check_ws(method: str, params) -> list:
    """Violations of one JSON-RPC call's ``params``."""
    m = contract()["ws"].get(method)
    if m is None:
        return [Violation(f"method {method}", "no such method in the spec", "unknown")]
    if params is None:
        params = {}
    if not isinstance(params, dict):
        return [Violation("params", "expected an object (methods take parameters by name)")]
    out: list = []
    _check_params(m["params"], params, "params", out, text=False)
    rules = contract()["prose_rules"]["ws"].get(method, {})
    _prose(rules, params, "params", out)
    if method in ("subscribe", "unsubscribe") and "channel" in params:
        out += check_channel(params["channel"])
    for name, lim in rules.get("param_array", {}).items():
        v = params.get(name)
        if isinstance(v, list) and not lim["minItems"] <= len(v) <= lim["maxItems"]:
            out.append(Violation(f"params.{name}", f"batch size must be within {lim['minItems']}..{lim['maxItems']}"))
    return out


_CHANNEL_RES: Optional[list] = None
# the bare full-depth delta channels: a reading beyond the AsyncAPI file (sim/contract_gate.py lists it)
BARE_DELTAS = re.compile(r"order_book\.[^.@]+\.(interactive_)?deltas\Z")


def _channel_res():
    global _CHANNEL_RES
    if _CHANNEL_RES is None:
        _CHANNEL_RES = [(key, re.compile(ch["pattern"]), ch) for key, ch in contract()["channels"].items()]
    return _CHANNEL_RES


def channel_entry(name: str):
    """-> (channel key, its entry, {param: value}) for a channel name the AsyncAPI file lists, else None."""
    for key, rx, ch in _channel_res():
        m = rx.match(name)
        if m is not None:
            return key, ch, {k: v for k, v in m.groupdict().items() if v is not None}
    return None


def check_channel(name) -> list:
    """Violations of a channel name given to ``subscribe`` / ``unsubscribe``."""
    if not isinstance(name, str):
        return [Violation("params.channel", "expected string")]
    found = channel_entry(name)
    if found is None:
        return [Violation("params.channel", f"{name!r} matches no channel of the spec")]
    _, ch, values = found
    out: list = []
    for param, value in values.items():
        check_value(ch["params"].get(param, {}), value, f"params.channel.{param}", out)
    return out


def check_channel_payload(name: str, data) -> list:
    """Violations of one message's ``params.data`` on channel ``name`` against the spec's payload schema."""
    found = channel_entry(name)
    if found is None and BARE_DELTAS.match(name):
        # the bare full-depth delta channels (a reading beyond the AsyncAPI file) carry the book channel's payload
        found = channel_entry(name.split(".", 2)[0] + "." + name.split(".", 2)[1] + ".deltas@15@50ms")
    if found is None:
        return []
    out: list = []
    check_value(found[1]["payload"], data, "data", out)
    return [v for v in out if v.problem != "null is not allowed"]  # as for REST answers


def _prose(rules: dict, given: dict, where: str, out: list):
    groups = rules.get("one_of_required")
    if groups and not any(all(given.get(k) not in (None, "", []) for k in g) for g in groups):
        names = " or ".join("+".join(g) for g in groups)
        out.append(Violation(where, f"needs {names}"))


def immutable_fields(kind: str, key: str) -> tuple:
    """The fields a modify must repeat unchanged (``kind`` 'rest' or 'ws')."""
    return tuple(contract()["prose_rules"][kind].get(key, {}).get("immutable", ()))


def spec_violations(violations) -> list:
    return [v for v in violations if v.kind == "spec"]
