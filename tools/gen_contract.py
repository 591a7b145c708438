"""Generate ``ccxt_paradex/core/paradex_contract.json``: Paradex's API as its official machine-readable specs
state it (facts only: paths, methods, parameters, body fields, success-response shapes, types, enums, limits),
plus the few rules the specs give only in prose, written in by hand below with the spec field they come from.

Inputs (not part of this repository; Paradex's public repository tradeparadex/paradex-docs, files
``fern/apis/prod_rest/openapi/openapi.json``, ``fern/apis/prod_ws/openrpc.json`` and
``fern/apis/prod_ws/asyncapi-2.6.0.yaml``)::

    python tools/gen_contract.py [--spec-dir ../shared/spec] [--check]

``--check`` regenerates in memory and exits 1 if the committed file differs (tests/core/test_contract.py runs the
same comparison where the spec directory is present). Descriptions, examples and other prose are dropped:
only what a validator needs is kept. Each input's version and sha256 are recorded in the output.
"""
import argparse
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "ccxt_paradex", "core", "paradex_contract.json")
DEFAULT_SPEC_DIR = os.path.join(ROOT, "..", "shared", "spec")

# the JSON-schema keywords a request validator uses; everything else (description, example, x-enum-*,
# title, default) is prose or presentation and is left out
KEEP = ("type", "enum", "maxLength", "minLength", "minimum", "maximum", "minItems", "maxItems", "nullable",
        "format", "pattern")

# ---- rules stated in the specs' prose, not in their schemas (each cites where it is written) -------------
PROSE_RULES = {
    "rest": {
        "POST /orders/batch": {
            # openapi paths./orders/batch.post.description: "Valid batch size is between 1-10 order(s)"
            "body_array": {"minItems": 1, "maxItems": 10},
            "error": "BATCH_SIZE_OUT_OF_RANGE",
        },
        "DELETE /orders/batch": {
            # openapi paths./orders/batch.delete.description: "either or both of" order_ids, client_order_ids
            "one_of_required": [["order_ids"], ["client_order_ids"]],
        },
        "PUT /orders/{order_id}": {
            # openapi requests.ModifyOrderRequest.side/type/market: "Existing side/type of the order";
            # paths./orders/{order_id}.put.description: only price, size and trigger_price can change
            "immutable": ["market", "side", "type"],
            # the path's order_id and the body's id name the same order
            "path_matches_body": {"order_id": "id"},
        },
    },
    "ws": {
        "order.cancel": {
            # openrpc methods[order.cancel].description: "Either id or (client_id + market) must be provided."
            "one_of_required": [["id"], ["client_id", "market"]],
        },
        "order.create_batch": {
            # openrpc methods[order.create_batch].params.orders: "max batch size enforced server-side";
            # the REST batch states 1..10 and the WebSocket method shares its limits
            "param_array": {"orders": {"minItems": 1, "maxItems": 10}},
        },
        "order.modify": {
            # openrpc methods[order.modify]: market, side and type are the order's own and cannot change
            "immutable": ["market", "side", "type"],
        },
    },
}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Resolver:
    def __init__(self, doc):
        self.doc = doc

    def ref(self, ref):
        node = self.doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return node

    def schema(self, s, depth=0):
        """A reduced, fully resolved copy of JSON schema ``s``."""
        if depth > 12:
            return {}
        if "$ref" in s:
            base = self.schema(self.ref(s["$ref"]), depth + 1)
            extra = {k: v for k, v in s.items() if k != "$ref"}
            return {**base, **self.schema(extra, depth + 1)} if extra else base
        out = {}
        for part in s.get("allOf", ()):
            _merge(out, self.schema(part, depth + 1))
        for k in KEEP:
            if k in s:
                out[k] = s[k]
        if "items" in s:
            out["items"] = self.schema(s["items"], depth + 1)
        own = {}
        if "properties" in s:
            own["properties"] = {name: self.schema(p, depth + 1) for name, p in sorted(s["properties"].items())}
        if s.get("required"):
            own["required"] = sorted(s["required"])
        _merge(out, own)
        if "additionalProperties" in s:
            ap = s["additionalProperties"]
            out["additionalProperties"] = ap if isinstance(ap, bool) else self.schema(ap, depth + 1)
        return out


def _merge(into: dict, part: dict):
    """allOf: every part's properties and required fields together (a later part refines an earlier one)."""
    for k, v in part.items():
        if k == "properties":
            merged = into.setdefault("properties", {})
            for name, sub in v.items():
                merged[name] = {**merged.get(name, {}), **sub}
            into["properties"] = dict(sorted(merged.items()))
        elif k == "required":
            into["required"] = sorted(set(into.get("required", ())) | set(v))
        else:
            into[k] = v


def rest_contract(openapi):
    r = Resolver(openapi)
    ops = {}
    for path, item in sorted(openapi["paths"].items()):
        common = item.get("parameters", [])
        for method, op in sorted(item.items()):
            if method not in ("get", "post", "put", "delete", "patch"):
                continue
            entry = {"operation": op.get("operationId"),
                     "auth": bool(op.get("security")), "path": {}, "query": {}, "headers": {}}
            for p in common + op.get("parameters", []):
                if "$ref" in p:
                    p = r.ref(p["$ref"])
                where = {"path": "path", "query": "query", "header": "headers"}.get(p["in"])
                if where is None:
                    continue
                entry[where][p["name"]] = {"required": bool(p.get("required")),
                                           "schema": r.schema(p.get("schema", {}))}
            body = op.get("requestBody")
            if body is not None:
                if "$ref" in body:
                    body = r.ref(body["$ref"])
                content = body.get("content", {})
                media = content.get("application/json") or next(iter(content.values()), {})
                entry["body"] = {"required": bool(body.get("required")),
                                 "schema": r.schema(media.get("schema", {}))}
            responses = {}
            for status, resp in sorted(op.get("responses", {}).items()):
                if "$ref" in resp:
                    resp = r.ref(resp["$ref"])
                schema = resp.get("content", {}).get("application/json", {}).get("schema")
                if status.startswith("2") and schema is not None:
                    responses[status] = r.schema(schema)
            if responses:
                entry["responses"] = responses
            ops[f"{method.upper()} {path}"] = entry
    error_codes = openapi["components"]["schemas"]["responses.ErrorCode"]["enum"]
    return ops, sorted(error_codes)


def ws_contract(openrpc):
    methods = {}
    for m in sorted(openrpc["methods"], key=lambda m: m["name"]):
        params = {}
        for p in m["params"]:
            params[p["name"]] = {"required": bool(p.get("required")), "schema": _ws_schema(p.get("schema", {}))}
        errors = sorted({e["code"] for e in m.get("errors", [])})
        methods[m["name"]] = {"params": params, "error_codes": errors}
    return methods


def _ws_schema(s):
    """The OpenRPC file puts an array's item enum on the array itself (``{"type": "array", "enum": [...],
    "items": {"type": "string"}}``): move it onto the items, where it means something."""
    s = Resolver({}).schema(s)
    _fix_array_enums(s)
    return s


def _fix_array_enums(s):
    if s.get("type") == "array" and "enum" in s:
        s.setdefault("items", {})["enum"] = s.pop("enum")
    for sub in list(s.get("properties", {}).values()) + ([s["items"]] if "items" in s else []):
        _fix_array_enums(sub)


def channel_pattern(name: str) -> str:
    """``order_book.{market_symbol}.{feed_type}@15@{refresh_rate}[@{price_tick}]`` -> an anchored regex with one
    named group per parameter; ``[...]`` is an optional part."""
    out, i = [], 0
    while i < len(name):
        c = name[i]
        if c == "{":
            j = name.index("}", i)
            out.append(f"(?P<{name[i + 1:j]}>[^.@]+)")
            i = j + 1
            continue
        out.append("(?:" if c == "[" else ")?" if c == "]" else re.escape(c))
        i += 1
    return "^" + "".join(out) + "$"


def channels_contract(asyncapi):
    """Subscribable channels (AsyncAPI ``subscribe``-only entries; the JSON-RPC methods are in the OpenRPC file):
    the name pattern, each parameter's schema, the payload schema."""
    r = Resolver(asyncapi)
    out = {}
    for key, ch in sorted(asyncapi["channels"].items()):
        if "publish" in ch or "subscribe" not in ch:
            continue
        name = key.lstrip("/")
        params = {}
        for pname, p in ch.get("parameters", {}).items():
            if "$ref" in p:
                p = r.ref(p["$ref"])
            params[pname] = r.schema(p.get("schema", {}))
        payload = ch["subscribe"]["message"].get("payload", {})
        out[name] = {"pattern": channel_pattern(name), "params": params, "payload": r.schema(payload)}
    return out


def build(spec_dir):
    api_path = os.path.join(spec_dir, "openapi.json")
    rpc_path = os.path.join(spec_dir, "openrpc.json")
    with open(api_path) as f:
        openapi = json.load(f)
    with open(rpc_path) as f:
        openrpc = json.load(f)
    channels_path = os.path.join(spec_dir, "asyncapi-2.6.0.yaml")
    import yaml  # only the generator needs it (the test extra installs PyYAML)
    with open(channels_path) as f:
        asyncapi = yaml.safe_load(f)
    rest, error_codes = rest_contract(openapi)
    return {
        "about": ("Generated by tools/gen_contract.py from Paradex's official OpenAPI and OpenRPC files "
                  "(facts only). Do not edit by hand: change the generator and regenerate."),
        "sources": {
            "openapi.json": {"title": openapi["info"]["title"], "version": openapi["info"]["version"],
                             "sha256": sha256(api_path)},
            "openrpc.json": {"title": openrpc["info"]["title"], "version": openrpc["info"]["version"],
                             "sha256": sha256(rpc_path)},
            "asyncapi-2.6.0.yaml": {"title": asyncapi["info"]["title"], "version": asyncapi["info"]["version"],
                                    "sha256": sha256(channels_path)},
        },
        "rest_prefix": "/v1",
        "rest": rest,
        "rest_error_codes": error_codes,
        "ws": ws_contract(openrpc),
        "channels": channels_contract(asyncapi),
        "prose_rules": {"rest": PROSE_RULES["rest"], "ws": PROSE_RULES["ws"]},
    }


def dumps(contract):
    return json.dumps(contract, indent=1, sort_keys=True) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec-dir", default=DEFAULT_SPEC_DIR)
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed contract is stale")
    args = ap.parse_args(argv)
    text = dumps(build(args.spec_dir))
    if args.check:
        with open(OUT) as f:
            same = f.read() == text
        print("contract is current" if same else "contract is STALE: run python tools/gen_contract.py")
        return 0 if same else 1
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(OUT, ROOT)} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
