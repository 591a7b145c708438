"""Default simulated markets: realistic ticks, size increments and minimum notionals."""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

D = Decimal


@dataclass
class MarketSpec:
    symbol: str
    base: str
    price: Decimal              # initial mark price
    tick: Decimal
    step: Decimal
    min_notional: Decimal = D("10")
    max_order_size: Decimal = D("1000000")
    position_limit: Decimal = D("10000000")
    max_open_orders: int = 100
    max_leverage: int = 50
    maker_fee: Decimal = D("0.00003")
    taker_fee: Decimal = D("0.0002")
    funding_period_hours: int = 8
    open_at: int = 1_700_000_000_000
    tags: list = field(default_factory=list)
    option_type: Optional[str] = None     # CALL / PUT for perp options (sim/options.py)
    strike: Optional[Decimal] = None
    underlying: Optional[str] = None      # the perp whose mark prices the option
    volatility: Optional[Decimal] = None
    price_bands_width: Decimal = D("0.05")  # a limit price may be at most this fraction away from the mark

    @property
    def quote(self):
        return "USD"

    def to_json(self) -> dict:
        fee = {"maker_fee": {"fee": str(self.maker_fee), "fee_cap": "", "fee_floor": ""},
               "taker_fee": {"fee": str(self.taker_fee), "fee_cap": "", "fee_floor": ""}}
        return {
            "symbol": self.symbol, "base_currency": self.base, "quote_currency": "USD",
            "settlement_currency": "USDC", "asset_kind": "PERP", "market_kind": "cross", "trading_mode": "STANDARD",
            "order_size_increment": str(self.step), "price_tick_size": str(self.tick),
            "min_notional": str(self.min_notional), "max_order_size": str(self.max_order_size),
            "position_limit": str(self.position_limit), "max_open_orders": self.max_open_orders,
            "max_slippage": "0.05", "price_bands_width": str(self.price_bands_width), "open_at": self.open_at, "expiry_at": 0,
            "funding_period_hours": self.funding_period_hours, "funding_multiplier": 1,
            "max_funding_rate": "0.05", "max_funding_rate_change": "0.0005", "max_tob_spread": "0.2",
            "interest_rate": "0.0001", "clamp_rate": "0.0005", "oracle_ewma_factor": "0.2",
            "price_feed_id": f"SIM-{self.base}", "tags": list(self.tags),
            "delta1_cross_margin_params": {"imf_base": str(D(1) / self.max_leverage), "imf_shift": "0",
                                           "imf_factor": "0", "mmf_factor": "0.5"},
            "fee_config": {"api_fee": fee, "interactive_fee": fee, "rpi_fee": fee},
        } | ({} if self.option_type is None else {
            "asset_kind": "PERP_OPTION", "option_type": self.option_type, "strike_price": str(self.strike),
            "iv_bands_width": "0.05",
        })


def default_markets() -> list:
    return [
        MarketSpec("BTC-USD-PERP", "BTC", D("65000"), D("0.1"), D("0.00001"), D("10"), max_leverage=50),
        MarketSpec("ETH-USD-PERP", "ETH", D("3200"), D("0.01"), D("0.0001"), D("10"), max_leverage=50),
        MarketSpec("SOL-USD-PERP", "SOL", D("150"), D("0.001"), D("0.01"), D("10"), max_leverage=20),
        MarketSpec("DOGE-USD-PERP", "DOGE", D("0.15"), D("0.00001"), D("1"), D("10"), max_leverage=10),
        MarketSpec("kBONK-USD-PERP", "kBONK", D("0.025"), D("0.000001"), D("10"), D("10"), max_leverage=10),
    ]


def synthetic_markets(count: int) -> list:
    """``count`` markets: the defaults, then generated SIMn-USD-PERP ones (for load tests)."""
    specs = default_markets()[:count]
    for i in range(len(specs), count):
        specs.append(MarketSpec(f"SIM{i}-USD-PERP", f"SIM{i}", D("100"), D("0.01"), D("0.1"), D("10")))
    return specs


def spec_from_json(m: dict) -> MarketSpec:
    """A MarketResp (plus an optional "mark") -> the local MarketSpec a mirrored or replayed market trades under."""
    fees = (m.get("fee_config") or {}).get("api_fee") or {}
    imf = Decimal(str((m.get("delta1_cross_margin_params") or {}).get("imf_base") or "0.1"))

    def fee(key, default):
        return Decimal(str((fees.get(key) or {}).get("fee") or default))
    return MarketSpec(
        m["symbol"], m.get("base_currency") or m["symbol"].split("-")[0], Decimal(str(m.get("mark") or "1")),
        Decimal(str(m["price_tick_size"])), Decimal(str(m["order_size_increment"])),
        Decimal(str(m.get("min_notional") or "10")), Decimal(str(m.get("max_order_size") or "1000000")),
        Decimal(str(m.get("position_limit") or "10000000")), int(m.get("max_open_orders") or 100),
        max(1, int((1 / imf).to_integral_value())) if imf > 0 else 10, fee("maker_fee", "0.00003"),
        fee("taker_fee", "0.0002"), int(m.get("funding_period_hours") or 8), int(m.get("open_at") or 0),
        price_bands_width=Decimal(str(m.get("price_bands_width") or "0.05")))
