"""Derived public data: candles, funding samples, summaries and BBOs."""
import random
from decimal import Decimal

from . import funding, options
from .state import fmt

MINUTE_MS = 60_000


MAX_FLAT_MINUTES = 7 * 24 * 60  # a clock jump (tests) fills at most a week of empty minutes


class MarketData:
    def __init__(self, engine, clock, seed=None, history_minutes=24 * 60, funding_time_scale=1.0,
                 funding_settlement="trade"):
        if funding_settlement not in funding.SETTLEMENTS:
            raise ValueError(f"funding_settlement must be one of {funding.SETTLEMENTS}")
        self.engine = engine
        self.funding_time_scale = funding_time_scale
        self.funding_settlement = funding_settlement
        self.clock = clock
        self.rng = random.Random(seed)
        self.candles = {}   # market -> list of [ts, o, h, l, c, v] (1 minute, Decimal)
        self.funding = {}   # market -> list of FundingDataResult
        self.funding_index = engine.funding_index
        self._funding_at = clock.ms()
        self.opened_at = clock.ms()  # when this simulated venue listed its markets (GET /markets/history, /insurance)
        now = clock.ms() // MINUTE_MS * MINUTE_MS
        for market, spec in engine.specs.items():
            self.candles[market] = self._history(spec, now, history_minutes)
            self.funding[market] = []
        engine.listeners.append(self._on_event)

    def _history(self, spec, now, minutes):
        """A seeded random walk ending at the market's initial price."""
        closes = [spec.price]
        for _ in range(minutes):
            closes.append(max(spec.tick, closes[-1] * Decimal(1 + self.rng.gauss(0, 0.0008))))
        closes.reverse()
        out = []
        for i in range(minutes):
            o, c = closes[i], closes[i + 1]
            hi = max(o, c) * Decimal(1 + abs(self.rng.gauss(0, 0.0003)))
            lo = min(o, c) * Decimal(1 - abs(self.rng.gauss(0, 0.0003)))
            q = lambda x: (x // spec.tick) * spec.tick  # noqa: E731
            out.append([now - (minutes - i) * MINUTE_MS, q(o), q(hi), q(lo), q(c),
                        (Decimal(self.rng.randint(1, 500)) * spec.step).normalize()])
        return out

    def _on_event(self, kind, market, payload):
        if kind != "trade":
            return
        price, size, ts = Decimal(payload["price"]), Decimal(payload["size"]), payload["created_at"]
        start = ts // MINUTE_MS * MINUTE_MS
        candles = self.candles[market]
        if candles and candles[-1][0] == start:
            c = candles[-1]
            c[2], c[3], c[4], c[5] = max(c[2], price), min(c[3], price), price, c[5] + size
        else:
            if candles:  # minutes without a trade: flat candles at the last close (volume 0), so the series has no holes
                close = candles[-1][4]
                first = max(candles[-1][0] + MINUTE_MS, start - MAX_FLAT_MINUTES * MINUTE_MS)
                candles.extend([t, close, close, close, close, Decimal(0)] for t in range(first, start, MINUTE_MS))
            candles.append([start, price, price, price, price, size])

    def klines(self, market, resolution, start, end, price_kind="last"):
        span = resolution * MINUTE_MS
        buckets = {}
        for ts, o, h, lo, c, v in self.candles[market]:
            if not start <= ts <= end:
                continue
            key = ts // span * span
            b = buckets.get(key)
            if b is None:
                buckets[key] = [key, o, h, lo, c, v]
            else:
                b[2], b[3], b[4], b[5] = max(b[2], h), min(b[3], lo), c, b[5] + v
        return [[k, float(o), float(h), float(lo), float(c), float(v)]
                for k, o, h, lo, c, v in (buckets[t] for t in sorted(buckets))]

    def sample_funding(self):
        """A new funding rate per market (for its own funding period); the index advances by the premium over
        the funding time elapsed since the last sample (sim/funding.py). "periodic" settlement also pays every
        open position now; "trade" (Paradex) leaves that to the position's next fill."""
        now = self.clock.ms()
        elapsed, self._funding_at = max(0, now - self._funding_at), now
        for market, spec in self.engine.specs.items():
            rate = Decimal(self.rng.gauss(0.0001, 0.00005)).quantize(Decimal("1e-12"))
            mark = self.engine.mark[market]
            premium = rate * mark
            funding.advance(self.engine, market, premium, elapsed, spec.funding_period_hours, self.funding_time_scale)
            self.funding[market].append({
                "market": market, "funding_rate": fmt(rate), "funding_rate_8h": fmt(rate * 8 / spec.funding_period_hours),
                "funding_period_hours": spec.funding_period_hours, "funding_index": fmt(self.funding_index[market]),
                "funding_premium": fmt(premium.quantize(Decimal("1e-12"))), "created_at": now,
            })
            if self.funding_settlement != "periodic":
                continue
            for acct in self.engine.accounts.values():
                pos = acct.positions.get(market)
                if pos is not None and pos.size:
                    funding.realize(self.engine, acct, pos, now)

    def bbo(self, market, include_rpi=False):
        book = self.engine.books[market]
        bid = book.bids.aggregated(1, include_rpi)
        ask = book.asks.aggregated(1, include_rpi)
        return {"market": market, "bid": fmt(bid[0][0]) if bid else "", "bid_size": fmt(bid[0][1]) if bid else "",
                "ask": fmt(ask[0][0]) if ask else "", "ask_size": fmt(ask[0][1]) if ask else "",
                "seq_no": book.seq_no, "last_updated_at": book.last_updated_at}

    def summary(self, market):
        eng = self.engine
        bbo = self.bbo(market)
        now = self.clock.ms()
        day = [c for c in self.candles[market] if c[0] >= now - 24 * 3600_000]
        volume = sum((c[4] * c[5] for c in day), Decimal(0))
        change = (day[-1][4] - day[0][1]) / day[0][1] if day else Decimal(0)
        trades = eng.trades[market]
        last = trades[-1]["price"] if trades else fmt(day[-1][4] if day else eng.mark[market])
        oi = sum((a.positions[market].size for a in eng.accounts.values()
                  if market in a.positions and a.positions[market].size > 0), Decimal(0))
        funding = self.funding[market][-1]["funding_rate"] if self.funding[market] else "0"
        spec = eng.specs[market]
        extra = {} if spec.option_type is None else options.option_summary(
            spec, eng.mark[spec.underlying], bbo["bid"], bbo["ask"])
        return {
            "symbol": market, "mark_price": fmt(eng.mark[market]), "last_traded_price": last,
            "bid": bbo["bid"], "bid_size": bbo["bid_size"], "ask": bbo["ask"], "ask_size": bbo["ask_size"],
            "volume_24h": fmt(volume.quantize(Decimal("1e-8"))), "total_volume": fmt(volume.quantize(Decimal("1e-8"))),
            "open_interest": fmt(oi), "funding_rate": funding, "future_funding_rate": funding,
            "price_change_rate_24h": fmt(change.quantize(Decimal("1e-8"))), "underlying_price": fmt(eng.mark[market]),
            "created_at": now,
        } | extra
