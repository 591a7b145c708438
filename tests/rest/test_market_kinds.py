"""Every asset kind Paradex's OpenAPI lists (responses.AssetKind: PERP, PERP_OPTION, SPOT, OPTION, FUTURE) gets its
own ccxt type and symbol: a dated future or a spot pair never takes a perpetual's symbol, and with it its orders.
Rows are the simulator's canned /markets rows, with made-up future, spot and RFQ-only rows of the spec's shape."""
import ccxt_paradex
from ccxt_paradex.sim.markets import default_markets

PERP = next(m.to_json() for m in default_markets() if m.symbol == "BTC-USD-PERP")
EXPIRY = 1774598400000  # 2026-03-27 08:00 UTC


def _exchange(extra_rows):
    ex = ccxt_paradex.paradex()
    rows = [m.to_json() for m in default_markets()] + extra_rows
    ex.set_markets([m for m in (ex.parse_market(r) for r in rows) if m is not None])
    return ex


def test_a_dated_future_keeps_its_own_symbol_and_the_perp_keeps_its_orders():
    future = dict(PERP, symbol="BTC-USD-27MAR26-F", asset_kind="FUTURE", expiry_at=EXPIRY)
    ex = _exchange([future])
    assert ex.market("BTC/USD:USDC")["id"] == "BTC-USD-PERP"
    f = ex.market("BTC/USD:USDC-260327")
    assert (f["id"], f["type"], f["future"], f["swap"], f["expiry"]) == ("BTC-USD-27MAR26-F", "future", True, False, EXPIRY)


def test_a_dated_future_without_its_date_is_left_out_not_given_the_perps_symbol():
    for expiry in (None, 0, "0"):
        future = dict(PERP, symbol="BTC-USD-XXX-F", asset_kind="FUTURE", expiry_at=expiry)
        ex = _exchange([future])
        assert ex.market("BTC/USD:USDC")["id"] == "BTC-USD-PERP" and "BTC-USD-XXX-F" not in ex.markets_by_id


def test_a_spot_pair_is_a_spot_market_and_a_contract_without_a_settlement_currency_is_left_out():
    spot = dict(PERP, symbol="ETH-USDC", asset_kind="SPOT", base_currency="ETH", quote_currency="USDC")
    spot.pop("settlement_currency", None)
    broken = dict(PERP, symbol="XYZ-USD-PERP", base_currency="XYZ")
    broken.pop("settlement_currency")
    ex = _exchange([spot, broken])  # neither row breaks load_markets
    s = ex.market("ETH/USDC")
    assert (s["type"], s["spot"], s["contract"], s["settle"], s["swap"]) == ("spot", True, False, None, False)
    assert "XYZ/USD:USDC" not in ex.markets and "XYZ-USD-PERP" not in ex.markets_by_id


def test_an_rfq_only_market_is_not_active():
    ex = _exchange([dict(PERP, symbol="RFQ-USD-PERP", base_currency="RFQ", trading_mode="RFQ_ONLY")])
    assert ex.market("RFQ/USD:USDC")["active"] is False and ex.market("BTC/USD:USDC")["active"] is True


def test_trading_fees_take_the_rates_of_the_markets_asset_kind():
    perp_option = dict(PERP, symbol="BTC-USD-96000-C", asset_kind="PERP_OPTION", option_type="CALL", strike_price="96000")
    dated = dict(perp_option, symbol="BTC-USD-27MAR26-96000-C", asset_kind="OPTION", expiry_at=EXPIRY)
    ex = _exchange([perp_option, dated])
    fees = {"maker_rate": "0.0001", "taker_rate": "0.0003", "perp_option_maker_rate": "0.0002",
            "perp_option_taker_rate": "0.0005", "dated_option_maker_rate": "0.0004", "dated_option_taker_rate": "0.0006"}
    for market_id, want in (("BTC-USD-96000-C", (0.0002, 0.0005)), ("BTC-USD-27MAR26-96000-C", (0.0004, 0.0006))):
        got = ex.parse_trading_fee({"fees": fees}, ex.markets_by_id[market_id][0])
        assert (got["maker"], got["taker"]) == want, market_id
    perp = ex.parse_trading_fee({"fees": fees}, ex.market("BTC/USD:USDC"))
    assert (perp["maker"], perp["taker"]) == (0.0001, 0.0003)


def test_funding_rate_of_a_market_without_one_is_badsymbol_and_next_rate_is_not_guessed(rec):
    import pytest
    from ccxt.base.errors import BadSymbol
    ex, _ = rec
    row = {"symbol": "BTC-USD-PERP", "funding_rate": "0.0001", "future_funding_rate": "0.0004", "created_at": 1,
           "mark_price": "65000"}
    ex.publicGetMarketsSummary = lambda params: {"results": [row]}
    rate = ex.fetch_funding_rate("BTC/USD:USDC")
    assert rate["fundingRate"] == 0.0001 and rate["nextFundingRate"] is None  # future_funding_rate is an options figure
    row["funding_rate"] = ""
    with pytest.raises(BadSymbol):  # as ccxt's paradex
        ex.fetch_funding_rate("BTC/USD:USDC")


def test_auto_withdrawals_are_withdrawals(rec):
    ex, _ = rec
    rows = [{"id": str(i), "kind": kind, "status": "COMPLETED", "amount": "5", "token": "USDC", "created_at": i,
             "last_updated_at": i, "account": "0x1", "txn_hash": "0x" + str(i)}
            for i, kind in enumerate(["DEPOSIT", "WITHDRAWAL", "AUTO_WITHDRAWAL"], 1)]
    ex.privateGetTransfers = lambda params: {"results": rows, "next": None}
    assert [w["id"] for w in ex.fetch_withdrawals()] == ["2", "3"]
    assert [d["id"] for d in ex.fetch_deposits()] == ["1"]


def test_an_isolated_markets_leverage_is_its_isolated_margin_leverage(rec):
    ex, _ = rec
    cross = ex.parse_leverage({"market": "BTC-USD-PERP", "margin_type": "CROSS", "leverage": 20, "isolated_margin_leverage": 5})
    isolated = ex.parse_leverage({"market": "BTC-USD-PERP", "margin_type": "ISOLATED", "leverage": 50,
                                  "isolated_margin_leverage": 5})
    assert (cross["marginMode"], cross["longLeverage"]) == ("cross", 20)
    assert (isolated["marginMode"], isolated["longLeverage"], isolated["shortLeverage"]) == ("isolated", 5, 5)


def test_the_ledger_walks_back_from_the_settlement_tokens_balance_and_auto_withdrawals_go_out(rec):
    ex, _ = rec
    transfers = [{"id": "d", "kind": "DEPOSIT", "status": "COMPLETED", "amount": "100", "token": "USDC",
                  "created_at": 1, "txn_hash": "0x1"},
                 {"id": "w", "kind": "AUTO_WITHDRAWAL", "status": "COMPLETED", "amount": "10", "token": "USDC",
                  "created_at": 2, "txn_hash": "0x2"}]
    ex.privateGetTransfers = lambda params: {"results": transfers, "next": None}
    ex.privateGetFills = lambda params: {"results": [], "next": None}
    ex.privateGetBalance = lambda params={}: {"results": [{"token": "DIME", "size": "7"}, {"token": "USDC", "size": "90"}]}
    ledger = ex.fetch_ledger()
    assert [(e["id"], e["direction"], e["before"], e["after"]) for e in ledger] == [("d", "in", 0, 100), ("w", "out", 100, 90)]


def test_a_cancel_only_venue_is_not_ok(rec):
    ex, _ = rec
    for state, want in (("ok", "ok"), ("post_only", "ok"), ("cancel_only", "maintenance"), ("maintenance", "maintenance")):
        ex.publicGetSystemState = lambda params={}, state=state: {"status": state}
        assert ex.fetch_status()["status"] == want, state
