"""The simulator's conformance gate: every incoming REST request and WebSocket JSON-RPC call is checked
against Paradex's request contract (``core/contract.py``, generated from the official OpenAPI / OpenRPC
files) before any handler sees it, and refused as Paradex refuses a malformed request:

- REST: HTTP 400 ``{"error": "BINDING_ERROR", ...}`` for a body or header, ``INVALID_REQUEST_PARAMETER`` for
  a path or query parameter, ``BATCH_SIZE_OUT_OF_RANGE`` for a batch outside 1..10 (which code Paradex gives
  for each shape is not documented; all three map to ``BadRequest``/``OperationRejected`` in ccxt);
- WebSocket: JSON-RPC -32602 with ``data = {"error": "BINDING_ERROR", "message": ...}``.

Modes (``Simulator(contract="strict"|"spec"|"off")``):

- ``strict`` (default): spec violations and fields the spec does not list are refused. Paradex's servers
  ignore unknown fields; refusing them is a deliberate difference, so a field the venue would silently drop
  (a typo, a parameter of another API) fails a test instead of passing unnoticed;
- ``spec``: only what the spec itself refuses;
- ``off``: nothing is checked (for replaying traffic of other clients as it came).

Readings where the simulator knowingly accepts what the spec refuses, all of them here:

- REST ``price`` may be omitted on market-family orders (``POST /orders``, ``POST /orders/batch``,
  ``PUT /orders/{id}``): the OpenAPI file marks it required, yet ccxt's built-in class and the official SDK
  (paradex-py) send none for MARKET orders and Paradex fills them. ccxt_paradex sends ``"0"`` as the spec asks.
- ``POST /auth/{public_key}`` (subkeys): documented on the API authentication page and used by paradex-py,
  absent from the OpenAPI file; checked with ``POST /auth``'s shape (``core.contract.BEYOND_SPEC``).
- ``GET /referrals/config`` and ``GET /rfqs/markets``: defined by ccxt's built-in class (implicit methods),
  absent from the OpenAPI file; checked as operations that take no parameters (``core.contract.BEYOND_SPEC``).
- ``POST /account/profile/username``, ``/account/profile/referral_code``, ``/account/referrer`` with a body of the
  one field each updates (``core.contract.BEYOND_SPEC_BODY``): the OpenAPI file lists no body for them.
- ``POST /auth?token_usage=interactive`` (a retail / interactive JWT): documented on the API authentication page,
  sent in the query by paradex-py (its ``auth_params``), absent from the OpenAPI file
  (``core.contract.BEYOND_SPEC_QUERY``).
- a batch of orders (``POST /orders/batch``, ``order.create_batch``) of more than the spec's 10 orders, up to the
  simulator's ``batch_limit`` when that is set above 10 (the 2024-11 release note and best-practice page say 50;
  ``orders.py`` refuses what lies beyond ``batch_limit`` with ``BATCH_SIZE_OUT_OF_RANGE``).
- ``order.create_batch`` with a bare array as params, only when the simulator plays that reading
  (``create_batch_shape="array"`` or ``"both"``).
- ``subscribe`` to the bare full-depth ``order_book.{market}.deltas`` / ``.interactive_deltas`` channels while
  the simulator serves them (``deltas_feed=True``, the default): the AsyncAPI file lists only
  ``order_book.{market}.{feed_type}@15@{refresh_rate}[@{price_tick}]``, yet a third-party probe of the live SBE
  socket (Oct 2026) found the suffixed ``deltas@...`` refused and the bare names served. ccxt_paradex subscribes to
  the bare name and falls back to ``snapshot@15@...`` when a venue refuses it.
- ``subscribe`` to ``funding_data`` (every market): the AsyncAPI file lists only ``funding_data.{market_symbol}``;
  ccxt's built-in class subscribes to the bare name.

Answers (``check_responses=True``): success bodies against the operation's response schema, channel payloads
against the AsyncAPI schema, and error bodies against ``responses.ApiError``: ``{error, message, data}`` with
``error`` one of the documented codes (``responses.ErrorCode``). Error readings, all of them here: HTTP 429 answers
``RATE_LIMIT_EXCEEDED`` (the spec documents no body for 429; any body maps to RateLimitExceeded in ccxt), and an
auth signature expiration out of range ``INVALID_SIGNATURE_EXPIRATION`` (400; a code the enum no longer lists and
ccxt's built-in class still maps).

``checked`` counts the requests checked per operation, ``refused`` keeps the refusals and ``excused`` what a
reading above let through, so a test can show that a kind of request was seen and that it conformed; ``answers``
keeps the answers that break the response schemas, ``payloads`` and ``errors`` count the channel messages and
error answers checked.
"""
from collections import Counter

from ..core import contract
from .errors import ApiError

MARKET_FAMILY = ("MARKET", "STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP_LOSS_MARKET")
_PRICE_OPTIONAL_ON_MARKET = ("POST /orders", "POST /orders/batch", "PUT /orders/{order_id}")
_ERROR_FIELDS = ("error", "message", "data")
_ERROR_READINGS = {(429, "RATE_LIMIT_EXCEEDED"), (400, "INVALID_SIGNATURE_EXPIRATION")}


class ContractRefusal(Exception):
    def __init__(self, violations):
        super().__init__("; ".join(str(v) for v in violations[:6]))
        self.violations = violations


class ContractGate:
    def __init__(self, mode: str = "strict", check_responses: bool = False, batch_limit: int = 10):
        if mode not in ("strict", "spec", "off"):
            raise ValueError(f"contract mode must be strict, spec or off, not {mode!r}")
        self.mode = mode
        # the simulator's own answers checked against the spec's response schemas (recorded, never refused)
        self.check_responses = check_responses
        self.batch_limit = batch_limit  # the largest order batch taken (the spec says 10; see the readings above)
        self.answers: list = []   # (operation, [Violation, ...]) of answers that break or go beyond the spec
        self.payloads: Counter = Counter()  # channel messages checked, per channel
        self.errors: Counter = Counter()    # error answers checked, per (operation, error code)
        self.checked: Counter = Counter()
        self.refused: list = []   # (operation, [Violation, ...])
        self.excused: list = []   # (operation, Violation) accepted by a reading listed above

    def _keep(self, violations):
        return contract.spec_violations(violations) if self.mode == "spec" else violations

    # ---- REST -------------------------------------------------------------------------------------
    def rest(self, method: str, template: str, path: dict, query: dict, headers, body):
        """Raise ``ApiError`` (400) when the request breaks the contract."""
        if self.mode == "off":
            return
        key = f"{method} {template}"
        self.checked[key] += 1
        violations = contract.check_rest(method, template, path=path, query=query, headers=headers, body=body)
        kept = []
        for v in violations:
            if _price_omitted_on_market(key, v, body) or self._within_batch_limit(v, body):
                self.excused.append((key, v))
            else:
                kept.append(v)
        violations = kept
        violations = self._keep(violations)
        if violations:
            self.refused.append((key, violations))
            # a malformed body or header is a binding error; a bad path or query parameter an invalid parameter
            code = "BINDING_ERROR"
            if all(v.where.startswith(("query.", "path.")) for v in violations):
                code = "INVALID_REQUEST_PARAMETER"
            message = "; ".join(str(v) for v in violations[:6])
            if any("batch size" in v.problem for v in violations):
                code = "BATCH_SIZE_OUT_OF_RANGE"
                if self.batch_limit > _spec_batch_limit():  # the limit this simulator takes, not the spec's
                    message = f"batch size must be within 1..{self.batch_limit}"
            raise ApiError(code, message, 400)

    def _within_batch_limit(self, violation, rows) -> bool:
        """A batch-size violation of a batch the simulator's own ``batch_limit`` (above the spec's) allows."""
        return ("batch size" in violation.problem and isinstance(rows, list)
                and 1 <= len(rows) <= self.batch_limit)

    def response(self, method: str, template: str, status: int, body):
        violations = contract.check_rest_response(method, template, status, body)
        if violations:
            self.answers.append((f"{method} {template}", violations))

    def error_answer(self, method: str, template: str, status: int, body):
        """An error body of an operation of the spec: the ApiError shape, with a documented error code."""
        if contract.rest_operation(method, template) is None:
            return  # (routes beyond the spec and the catch-all)
        self.errors[(f"{method} {template}", body.get("error") if isinstance(body, dict) else None)] += 1
        violations = []
        if not isinstance(body, dict):
            violations.append(contract.Violation("response", "expected an object"))
        else:
            code = body.get("error")
            if code not in contract.contract()["rest_error_codes"] and (status, code) not in _ERROR_READINGS:
                violations.append(contract.Violation("response.error", f"{code!r} is not a documented error code"))
            for name in body:
                if name not in _ERROR_FIELDS:
                    violations.append(contract.Violation(f"response.{name}", "not a field of this request", "unknown"))
            if not isinstance(body.get("message"), str):
                violations.append(contract.Violation("response.message", "expected string"))
        if violations:
            self.answers.append((f"{method} {template} {status}", violations))

    def channel_payload(self, channel: str, data):
        self.payloads[channel] += 1
        violations = contract.check_channel_payload(channel, data)
        if violations:
            self.answers.append((channel, violations))

    # ---- WebSocket --------------------------------------------------------------------------------
    def ws(self, method: str, params, *, array_batch: bool = False, bare_deltas: bool = False):
        """Raise ``ContractRefusal`` when the call breaks the contract."""
        if self.mode == "off":
            return
        self.checked[method] += 1
        if method == "order.create_batch" and isinstance(params, list) and array_batch:
            params = {"orders": params}
        violations = []
        for v in contract.check_ws(method, params):
            channel = str(params.get("channel")) if isinstance(params, dict) else ""
            if v.where == "params.channel" and ((bare_deltas and contract.BARE_DELTAS.match(channel)) or channel == "funding_data"):
                self.excused.append((method, v))
            elif method == "order.create_batch" and self._within_batch_limit(v, params.get("orders") if isinstance(params, dict) else None):
                self.excused.append((method, v))
            else:
                violations.append(v)
        violations = self._keep(violations)
        if violations:
            self.refused.append((method, violations))
            raise ContractRefusal(violations)


def _price_omitted_on_market(key, violation, body) -> bool:
    if key not in _PRICE_OPTIONAL_ON_MARKET or violation.problem != "required":
        return False
    where = violation.where
    if not where.endswith(".price"):
        return False
    row = body
    if where.startswith("body[") and isinstance(body, list):
        try:
            row = body[int(where[5:where.index("]")])]
        except (ValueError, IndexError):
            return False
    return isinstance(row, dict) and row.get("type") in MARKET_FAMILY


def _spec_batch_limit() -> int:
    return contract.contract()["prose_rules"]["rest"]["POST /orders/batch"]["body_array"]["maxItems"]
