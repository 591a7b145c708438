"""Algo (TWAP) orders of the simulator: ``POST /algo/orders``, ``GET /algo/orders``, ``GET /algo/orders-history``,
``GET`` / ``DELETE /algo/orders/{algo_id}``, and the engine that places their child orders on the simulator's clock.

A TWAP of ``size`` over ``duration_seconds`` with ``frequency`` seconds between children places
``n = duration_seconds // frequency`` MARKET child orders, at ``created_at + k * frequency`` (k = 1..n): each of
``size / n`` rounded down to the market's size step, the last one of what is left. Children are regular orders of
the account (``/orders-history``, ``/fills``, the private channels), retail (interactive), and need no signature:
the algo order's own signature covers them. ``AlgoEngine.tick()`` places the children that are due by
``sim.clock`` (the server calls it every ``algo_interval`` seconds; tests advance the clock and call it).

Readings where the spec is silent (all here):

- the first child is placed one ``frequency`` after creation; the algo order is NEW until then, OPEN while
  children remain, and CLOSED after its last child (``cancel_reason`` "") or when cancelled ("USER_CANCELED");
- a child the venue closes for margin (``NOT_ENOUGH_MARGIN``) ends the algo order with that cancel reason (the
  spec's own example of an algo ``cancel_reason``); a child refused or left unfilled for any other reason (an
  empty book, a validation the market fails at that moment) is skipped: its size is not placed again, the
  TWAP goes on, and its ``remaining_size`` at the end shows what did not fill;
- a size too small for ``n`` children of at least one size step is refused (``INVALID_ORDER_SIZE``), and so is a
  child notional below the market's minimum at the mark price when the order is created (``VALIDATION_ERROR``);
- ``GET`` / ``DELETE /algo/orders/{id}`` of an ended (or another account's, or unknown) algo order answer
  ``ALGO_ID_NOT_FOUND`` with 404 (the spec: only OPEN / NEW orders are returned; both routes list a 404).
"""
import itertools
from decimal import Decimal

from .errors import ApiError, json_object, validation_error
from .orders import verify_order_signature
from .paging import history_page
from .state import ZERO, fmt

DURATION_MIN_S, DURATION_MAX_S, DURATION_STEP_S = 30, 86_400, 30
DEFAULT_FREQUENCY_S = 30
QUANTUM = Decimal("1e-8")


def _int(body, key, default=None):
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise validation_error(f"{key} must be an integer, got {value!r}")
    return value


class Algo:
    """One algo order and the child orders it placed (their fills are its fills)."""
    type = "MARKET"   # (what an order history filters on: a TWAP is a market order without a client id)
    client_id = ""

    def __init__(self, algo_id, account, market, side, size, duration, frequency, now) -> None:
        self.id, self.account, self.market, self.side, self.size = algo_id, account, market, side, size
        self.duration, self.frequency = duration, frequency
        self.slices = duration // frequency
        self.created_at = self.last_updated_at = now
        self.end_at = now + duration * 1000
        self.status, self.cancel_reason = "NEW", ""
        self.children: list = []  # the engine's Order objects
        self.placed = 0           # child slots used (a refused child uses its slot)
        self.submitted = ZERO     # size sent in children so far

    @property
    def is_open(self):
        return self.status in ("NEW", "OPEN")

    def due(self, k) -> int:
        """The time (ms) child ``k`` (1-based) is due."""
        return self.created_at + k * self.frequency * 1000

    def slice_size(self, step) -> Decimal:
        """The next child's size: an equal share rounded down to the step; the last one takes what is left."""
        if self.placed + 1 == self.slices:
            return self.size - self.submitted
        return (self.size / self.slices // step) * step

    def filled(self):
        size = sum((c.filled for c in self.children), ZERO)
        notional = sum((c.filled_notional for c in self.children), ZERO)
        return size, notional

    def to_json(self) -> dict:
        filled, notional = self.filled()
        avg = (notional / filled).quantize(QUANTUM) if filled > 0 else ZERO
        return {
            "id": self.id, "account": self.account, "algo_type": "TWAP",
            "algo_params": {"duration_seconds": str(self.duration), "frequency": str(self.frequency),
                            "interval_seconds": str(self.frequency)},
            "market": self.market, "side": self.side, "size": fmt(self.size), "remaining_size": fmt(self.size - filled),
            "avg_fill_price": fmt(avg), "status": self.status, "cancel_reason": self.cancel_reason,
            "created_at": self.created_at, "last_updated_at": self.last_updated_at, "end_at": self.end_at,
        }


class AlgoEngine:
    def __init__(self, sim) -> None:
        self.sim = sim
        self.algos: dict = {}   # id -> Algo
        self.by_account: dict = {}  # address -> [Algo], oldest first
        self._ids = itertools.count(1)

    @property
    def engine(self):
        return self.sim.engine

    # ---- create / cancel ------------------------------------------------------------------------
    def create(self, acct, body) -> dict:
        """Validate (as an order, then as a TWAP), verify the signature (a MARKET order of the whole size at
        price 0) -> the NEW algo order's JSON."""
        json_object(body)
        if body.get("algo_type") != "TWAP":
            raise validation_error(f"unsupported algo_type {body.get('algo_type')!r}: only TWAP")
        if body.get("type") != "MARKET":
            raise validation_error(f"unsupported algo order type {body.get('type')!r}: only MARKET")
        spec = self.engine.specs.get(body.get("market"))
        if spec is None:
            raise ApiError("MARKET_NOT_FOUND", f"market {body.get('market')!r} not found", 400)
        if body.get("side") not in ("BUY", "SELL"):
            raise validation_error(f"invalid side: {body.get('side')!r}")
        try:
            size = Decimal(str(body.get("size")))
        except ArithmeticError:
            raise validation_error(f"invalid size: {body.get('size')!r}") from None
        if not size.is_finite() or size <= 0 or size % spec.step != 0:
            raise ApiError("INVALID_ORDER_SIZE", f"size {body.get('size')!r} is not a positive multiple of {fmt(spec.step)}", 400)
        duration = _int(body, "duration_seconds")
        if not DURATION_MIN_S <= duration <= DURATION_MAX_S or duration % DURATION_STEP_S:
            raise validation_error(f"duration_seconds must be {DURATION_MIN_S}..{DURATION_MAX_S} in multiples of "
                              f"{DURATION_STEP_S}, got {duration}")
        frequency = _int(body, "frequency", DEFAULT_FREQUENCY_S)
        if not 1 <= frequency <= duration:
            raise validation_error(f"frequency must be 1..duration_seconds ({duration}), got {frequency}")
        slices = duration // frequency
        base = size / slices // spec.step * spec.step
        if base <= 0:
            raise ApiError("INVALID_ORDER_SIZE", f"size {fmt(size)} is too small for {slices} child orders of at least "
                                                 f"{fmt(spec.step)}", 400)
        if base * self.engine.mark[spec.symbol] < spec.min_notional:
            raise validation_error(f"child order notional {fmt(base * self.engine.mark[spec.symbol])} below min notional "
                              f"{fmt(spec.min_notional)}")
        if "dime_discount" in body and not isinstance(body["dime_discount"], bool):
            raise validation_error("dime_discount must be a boolean")
        self.engine._check_signature_time(body)  # signature_timestamp within recv_window, as for an order
        if self.engine.status == "cancel_only":
            raise ApiError("SYSTEM_STATUS_CANCEL_ONLY", "exchange is in cancel-only mode", 400)
        if self.engine.status == "post_only":  # its children are market orders
            raise ApiError("SYSTEM_STATUS_POST_ONLY", "exchange is in post-only mode: only POST_ONLY orders", 400)
        verify_order_signature(self.sim, acct, {"signature_timestamp": body.get("signature_timestamp"),
                                                "market": spec.symbol, "side": body["side"], "type": "MARKET",
                                                "size": body.get("size"), "price": None,
                                                "signature": body.get("signature")})
        now = self.sim.clock.ms()
        algo = Algo(str(next(self._ids) + 10_000_000), acct.address, spec.symbol, body["side"], size, duration,
                    frequency, now)
        self.algos[algo.id] = algo
        self.by_account.setdefault(acct.address, []).append(algo)
        return algo.to_json()

    def owned_open(self, acct, algo_id) -> Algo:
        algo = self.algos.get(algo_id)
        if algo is None or algo.account != acct.address or not algo.is_open:
            raise ApiError("ALGO_ID_NOT_FOUND", f"algo order {algo_id} not found", 404)
        return algo

    def cancel(self, acct, algo_id):
        algo = self.owned_open(acct, algo_id)
        self._close(algo, "USER_CANCELED")

    def _close(self, algo, reason):
        algo.status, algo.cancel_reason = "CLOSED", reason
        algo.last_updated_at = self.sim.clock.ms()

    # ---- the clock ------------------------------------------------------------------------------
    def tick(self):
        """Place every child that is due by the simulator's clock (several when the clock jumped)."""
        now = self.sim.clock.ms()
        for algo in [a for a in self.algos.values() if a.is_open]:
            while algo.is_open and algo.placed < algo.slices and algo.due(algo.placed + 1) <= now:
                self._place_child(algo, now)
            if algo.is_open and algo.placed >= algo.slices:
                self._close(algo, "")

    def _place_child(self, algo, now):
        engine = self.engine
        spec = engine.specs[algo.market]
        acct = engine.accounts[algo.account]
        size = algo.slice_size(spec.step)
        algo.placed += 1
        algo.submitted += size
        algo.status = "OPEN"
        algo.last_updated_at = now
        # an internal order: signed at "now" by the venue itself (the algo's signature was verified at create),
        # so the engine's receive-window check passes and no signature is verified
        req = {"market": algo.market, "side": algo.side, "type": "MARKET", "size": fmt(size), "instruction": "GTC",
               "signature_timestamp": now}
        try:
            child = engine.validate(acct, req, interactive=True)  # TWAP children are retail orders
        except ApiError:
            return  # this child is skipped (see the module docstring); the TWAP goes on
        algo.children.append(child)
        engine.submit(child)
        if child.status == "CLOSED" and child.cancel_reason == "NOT_ENOUGH_MARGIN":
            self._close(algo, "NOT_ENOUGH_MARGIN")

    # ---- reads ----------------------------------------------------------------------------------
    def open_for(self, acct) -> list:
        return [a.to_json() for a in reversed(self.by_account.get(acct.address, [])) if a.is_open]



def routes(api) -> list:
    """-> [(METHOD, /path, handler)] for ``sim/rest.py``; ``api`` is its RestApi."""
    algos = api.sim.algos

    async def create(request):
        acct = api._acct(request)
        return 201, algos.create(acct, await api._json(request))

    async def open_orders(request):
        return 200, {"results": algos.open_for(api._acct(request))}

    async def orders_history(request):
        records = list(reversed(algos.by_account.get(api._acct(request).address, [])))
        return 200, history_page(api.sim.pager, records, request.query)

    async def get_one(request):
        return 200, algos.owned_open(api._acct(request), request.match_info["algo_id"]).to_json()

    async def cancel(request):
        algos.cancel(api._acct(request), request.match_info["algo_id"])
        return 204, None

    return [
        ("POST", "/algo/orders", create),
        ("GET", "/algo/orders", open_orders),
        ("GET", "/algo/orders-history", orders_history),
        ("GET", "/algo/orders/{algo_id}", get_one),
        ("DELETE", "/algo/orders/{algo_id}", cancel),
    ]
