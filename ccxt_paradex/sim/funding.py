"""Continuous funding and liquidation prices, from the simulator's margin model.

Paradex (docs.paradex.trade, "Funding Mechanism"): funding is continuous. The funding premium (rate x price,
USDC per unit, for one funding period, 8 h by default) is updated every few seconds and the market's funding
index advances by premium x elapsed time / period. A position caches the index when it opens (a position
opened from flat owes nothing for the time the account held nothing); its accrued funding,
-(index - cached index) x signed size, is part of its unrealized PnL and is settled against the balance
whenever the position changes (each fill: the fill's ``realized_funding`` and a /funding/payments row with
its ``fill_id``).

Simulator settings (``Simulator(...)``): ``funding_interval`` seconds between index updates (5, as Paradex);
``funding_time_scale`` how many seconds of funding time pass per second of wall time (1 = real time; 3600 makes
an 8 h period pass in 8 s for demos); ``funding_settlement`` "trade" (Paradex: settled at fills) or
"periodic" (also settled at every index update, so payments appear without trading).
"""
from decimal import Decimal

from .state import ZERO, fmt

SETTLEMENTS = ("trade", "periodic")
CENT = Decimal("1e-8")
HOUR_MS = 3_600_000


def advance(engine, market, premium, elapsed_ms, period_hours, time_scale):
    """index += premium x elapsed funding time / period."""
    engine.funding_index[market] += premium * Decimal(elapsed_ms) * Decimal(str(time_scale)) / (period_hours * HOUR_MS)


def accrued(engine, pos) -> Decimal:
    """The position's unrealized funding (positive: received)."""
    if not pos.size:
        return ZERO
    return -(engine.funding_index[pos.market] - pos.funding_index) * pos.size


def realize(engine, acct, pos, now, fill_id="") -> Decimal:
    """Settle ``pos``'s accrued funding against the balance (at a fill, or periodically) -> the payment.
    A flat position only takes the current index: what it opens next accrues from now."""
    index = engine.funding_index[pos.market]
    if not pos.size:
        pos.funding_index = index
        return ZERO
    payment = accrued(engine, pos).quantize(CENT)  # what is recorded is exactly what the balance moves by
    pos.funding_index = index
    if payment:
        acct.balance += payment
        pos.realized_funding += payment
        if acct.address not in engine.ephemeral:
            row = {"id": engine.new_id(), "account": acct.address, "market": pos.market, "payment": fmt(payment),
                   "index": fmt(index), "fill_id": fill_id or pos.last_fill_id, "created_at": now}
            acct.funding_payments.append(row)
            engine.emit("funding_payment", pos.market, row)  # the funding_payments.{market} channel
    return payment


def liquidation_price(engine, acct, market):
    """The mark of ``market`` at which the cross account's value meets its maintenance requirement, the
    other positions' marks held: value(p) = B + (p - entry) x size, requirement(p) = M + |size| x p x k with
    k = 1 / (2 x leverage) (the engine's maintenance margin) and B, M the rest of the account -> p. None when
    no positive price liquidates the position."""
    pos = acct.positions.get(market)
    if pos is None or not pos.size:
        return None
    value, _, mmr = engine.margin(acct)
    mark = engine.mark[market]
    k = Decimal(1) / engine.leverage(acct, market) / 2
    size = pos.size
    rest_value = value - (mark - pos.avg_entry) * size          # balance, other PnL, all unrealized funding
    rest_mmr = mmr - abs(size) * mark * k
    denominator = size - abs(size) * k
    price = (rest_mmr - rest_value + size * pos.avg_entry) / denominator
    return price if price > 0 else None
