"""Perpetual options for the simulator (opt-in: ``Simulator(option_markets=True)``, ``--options``).

Paradex lists perp options as ``BTC-USD-70000-C`` (asset_kind PERP_OPTION, no expiry) and reports
implied volatilities and greeks in /markets/summary. How Paradex prices them is not documented, so the
simulator uses Black-Scholes with no rates, a fixed volatility per market and a horizon of one funding
period (24 h): plausible, internally consistent numbers, not Paradex's.
"""
import math
from decimal import Decimal

from .markets import MarketSpec

HORIZON_YEARS = 1 / 365
_SQRT_2PI = math.sqrt(2 * math.pi)


def _pdf(x):
    return math.exp(-x * x / 2) / _SQRT_2PI


def _cdf(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def black_scholes(spot: float, strike: float, vol: float, call: bool, years: float = HORIZON_YEARS) -> dict:
    """Price and greeks (vega, rho per 1.0 of vol / rate; theta per year), zero rates."""
    root = vol * math.sqrt(years)
    d1 = (math.log(spot / strike) + 0.5 * vol * vol * years) / root
    d2 = d1 - root
    pdf = _pdf(d1)
    vega = spot * pdf * math.sqrt(years)
    if call:
        price, delta, rho = spot * _cdf(d1) - strike * _cdf(d2), _cdf(d1), strike * years * _cdf(d2)
    else:
        price, delta, rho = strike * _cdf(-d2) - spot * _cdf(-d1), _cdf(d1) - 1, -strike * years * _cdf(-d2)
    return {"price": price, "delta": delta, "gamma": pdf / (spot * root), "vega": vega,
            "theta": -spot * pdf * vol / (2 * math.sqrt(years)), "rho": rho,
            "vanna": -pdf * d2 / vol, "volga": vega * d1 * d2 / vol}


def option_markets(underlyings: dict) -> list:
    """A call above and a put below each underlying's price: {perp symbol: spec} -> option specs."""
    out = []
    for perp, strike_step, vol in (("BTC-USD-PERP", 5000, Decimal("0.55")), ("ETH-USD-PERP", 200, Decimal("0.65"))):
        spec = underlyings.get(perp)
        if spec is None:
            continue
        base = spec.base
        atm = int(spec.price) // strike_step * strike_step
        for strike, kind in ((atm + strike_step, "CALL"), (atm - strike_step, "PUT")):
            price = black_scholes(float(spec.price), strike, float(vol), kind == "CALL")["price"]
            tick = spec.tick
            out.append(MarketSpec(f"{base}-USD-{strike}-{kind[0]}", base, max(tick, Decimal(str(round(price, 1)))), tick,
                                  spec.step, spec.min_notional, max_leverage=10, funding_period_hours=24,
                                  option_type=kind, strike=Decimal(strike), underlying=perp, volatility=vol))
    return out


def option_summary(spec, underlying_mark: Decimal, bid: str, ask: str) -> dict:
    """The option fields of a MarketSummaryResp row."""
    vol = float(spec.volatility)
    g = black_scholes(float(underlying_mark), float(spec.strike), vol, spec.option_type == "CALL")

    def implied(price):  # the simulator quotes around the model price: bid/ask vols by a vega step
        if not price:
            return ""
        return _dec((vol + (float(price) - g["price"]) / g["vega"]) if g["vega"] > 1e-12 else vol)
    greeks = {k: _dec(g[k]) for k in ("delta", "gamma", "vega", "theta", "rho", "vanna", "volga")}
    return {"mark_iv": _dec(vol), "bid_iv": implied(bid), "ask_iv": implied(ask), "last_iv": _dec(vol),
            "delta": greeks["delta"], "greeks": greeks, "underlying_price": str(underlying_mark)}


def model_mark(spec, underlying_mark: Decimal) -> Decimal:
    price = black_scholes(float(underlying_mark), float(spec.strike), float(spec.volatility), spec.option_type == "CALL")["price"]
    return max(spec.tick, Decimal(str(price)) // spec.tick * spec.tick)


def _dec(x: float) -> str:
    return format(Decimal(repr(x)).quantize(Decimal("1e-8")).normalize(), "f")
