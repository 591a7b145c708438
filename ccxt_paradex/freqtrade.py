"""Run freqtrade (https://www.freqtrade.io) on Paradex perpetuals through ccxt_paradex.

freqtrade builds its exchanges with ``getattr(ccxt, name)`` / ``getattr(ccxt.pro, name)`` and refuses futures on
an exchange it has no subclass for. ``install()`` does both halves:

1. ``ccxt_paradex.install()``: ``ccxt.paradex``, ``ccxt.async_support.paradex`` and ``ccxt.pro.paradex`` become
   ccxt_paradex's classes (the namespace switch);
2. registers ``freqtrade.exchange.Paradex``: cross-margined futures, and fees in USDC read as the quote currency
   (Paradex quotes its perpetuals in USD and settles in USDC; without this freqtrade needs ``unknown_fee_rate``).

Command line (freqtrade's own, after ``install()``)::

    python -m ccxt_paradex.freqtrade trade --config config.json --strategy MyStrategy

with, in ``config.json``: ``"trading_mode": "futures"``, ``"margin_mode": "cross"``, ``"stake_currency": "USD"``,
``"exchange": {"name": "paradex", "private_key": "0x...", "wallet_address": "0x...", "pair_whitelist":
["BTC/USD:USDC"]}``; ``"exchange": {"ccxt_config": {"urls": ...}}`` points it at the simulator
(``python -m ccxt_paradex.sim``) for paper trading. The README's freqtrade section has a full example.
"""
import sys

_REGISTERED = None


def exchange_class():
    """-> the ``freqtrade.exchange.Paradex`` subclass (freqtrade must be installed: ``pip install freqtrade``)."""
    from freqtrade.enums import MarginMode, TradingMode
    from freqtrade.exchange import Exchange

    class Paradex(Exchange):
        """Paradex perpetuals (USD-quoted, USDC-settled, cross margin) through ccxt_paradex."""

        _ft_has = {
            "ohlcv_candle_limit": 1000,       # /markets/klines returns at most 1,000 candles (features['swap'])
            "l2_limit_range": [5, 10, 15, 20, 50, 100],
            "trades_has_history": False,
            "order_time_in_force": ["GTC", "IOC", "PO"],
            "stoploss_on_exchange": False,
            "ws_enabled": True,
        }
        _ft_has_futures = {
            "stoploss_on_exchange": True,
            "stoploss_order_types": {"limit": "limit", "market": "market"},
            "stop_price_prop": "triggerPrice",
            "stop_price_param": "triggerPrice",
            "funding_fee_candle_limit": 1000,
            "uses_leverage_tiers": False,
        }
        _supported_trading_mode_margin_pairs = [(TradingMode.FUTURES, MarginMode.CROSS)]

        def calculate_fee_rate(self, fee: dict, symbol: str, cost: float, amount: float):
            """Paradex charges fees in USDC, its settlement currency, on USD-quoted markets: a USDC fee is a
            quote-currency fee (one USDC is one of Paradex's USD)."""
            market = self.markets.get(symbol, {})
            if fee.get("rate") is None and fee.get("currency") is not None and fee.get("currency") == market.get("settle") \
                    and fee.get("cost") is not None and cost:
                return round(float(fee["cost"]) / cost, 8)
            return super().calculate_fee_rate(fee, symbol, cost, amount)

        def get_balances(self):
            """freqtrade looks its stake up by the quote currency (USD); Paradex holds the collateral as USDC."""
            balances = super().get_balances()
            if "USD" not in balances and "USDC" in balances:
                balances["USD"] = dict(balances["USDC"])
            return balances

    return Paradex


def install():
    """Switch ccxt's ``paradex`` to ccxt_paradex's and register ``freqtrade.exchange.Paradex`` (idempotent)."""
    global _REGISTERED
    import freqtrade.exchange as exchanges

    import ccxt_paradex
    ccxt_paradex.install()
    if _REGISTERED is None:
        _REGISTERED = exchange_class()
    exchanges.Paradex = _REGISTERED
    return _REGISTERED


def uninstall():
    """Undo ``install()``: ccxt's own classes back, freqtrade's registry without Paradex."""
    import freqtrade.exchange as exchanges

    import ccxt_paradex
    ccxt_paradex.uninstall()
    if getattr(exchanges, "Paradex", None) is _REGISTERED and _REGISTERED is not None:
        delattr(exchanges, "Paradex")


def main(argv=None):
    install()
    from freqtrade.main import main as freqtrade_main
    return freqtrade_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
