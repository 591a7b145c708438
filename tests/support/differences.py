"""Every field where our parsers deliberately differ from ccxt 4.5.90's built-in, with the reason: the one list that
tests/adapters/test_parse_differential.py (parser against parser) and tests/rest/test_ccxt_static.py (ccxt's own static
fixtures) both hold us to.

Keys are dotted paths into the unified structure ("limits.leverage.max"); "info" and "fee" are compared whole. A
field absent from one side counts as a difference.
"""

DELIBERATE_DIFFERENCES = {
    "market": {
        "active": "ccxt reads a non-existent 'enableTrading' key (always None); we derive it from open_at <= now, "
                  "expiry_at and trading_mode (CANCEL_ONLY/CLOSE_ONLY/DELISTED/SETTLED are inactive)",
        "created": "ccxt sets None; we report open_at (the market's listing time)",
        "margin": "ccxt sets None; Paradex has no spot-margin trading, so we say False",
        "limits.amount.min": "ccxt sets None; we use order_size_increment (the smallest size Paradex accepts)",
        "limits.leverage.min": "ccxt sets None; leverage starts at 1 (POST /account/margin requires leverage >= 1)",
        "limits.leverage.max": "ccxt sets None; we derive 1 / delta1_cross_margin_params.imf_base (imf 0.02 -> 50x)",
        "subType": "ccxt leaves None, which its own test_market rejects for a linear contract; we say 'linear'",
    },
    "ticker": {
        "indexPrice": "ccxt ignores underlying_price; we report it (the spot index the perp tracks)",
    },
    "open_interest": {
        "openInterestValue": "ccxt sets None; we compute open_interest (base units) x mark_price",
    },
    "order": {
        "postOnly": "ccxt sets None for an empty instruction; we derive it from instruction (only POST_ONLY and "
                    "RPI are post-only, so '' is False)",
        "timeInForce": "Paradex sends instruction '' for a plain GTC order; ccxt reports None, we report GTC",
    },
    "balance": {},
    "position": {
        "markPrice": "Paradex sends no mark price on positions and ccxt sets None; we derive it as "
                     "average_entry_price + (unrealized_pnl - unrealized_funding_pnl) / size",
        "notional": "ccxt reports |cost_usd| (the entry value); we report |size x derived mark price|",
        "collateral": "ccxt sets None; when the row carries leverage we report notional / leverage",
        "realizedPnl": "ccxt omits the key; we read realized_positional_pnl (Paradex OpenAPI responses.PositionResp), "
                       "falling back to realized_pnl, the name in the 2024 recordings",
        "hedged": "ccxt sets None; Paradex nets one position per market, so we say False",
        "marginMode": "ccxt sets None; positions of the main account are cross-margined, so we say 'cross'",
        "initialMargin": "follows from 'notional': safe_position fills notional / leverage when the row has leverage",
        "percentage": "follows from 'initialMargin': safe_position fills unrealizedPnl / initialMargin x 100",
        "timestamp": "ccxt reads created_at only; the 2024 rows lack it, so we fall back to last_updated_at "
                     "(ccxt's own validators require a position timestamp)",
        "datetime": "follows from 'timestamp'",
    },
}
