"""Cassettes built by hand from real Paradex payloads, not recorded by us.

The simulator-recorded cassettes (cassettes/sim) can only be as right as the simulator. These pin the
client to what Paradex itself sent: every response body below is a real Paradex testnet payload that
ccxt recorded for its static tests (ts/src/test/static/response/paradex.json, MIT; a copy is in
tests/data/paradex_static_response.json), or, for the two endpoints that file lacks, the example in
Paradex's REST spec (the response schemas of tradeparadex/paradex-docs' OpenAPI file). One row is ours: the private
cassette's market list adds SOL-USD-PERP (see ``_with_sol``). Every request is the URL Paradex
documents for the call, the same one ccxt's request fixtures (static/request/paradex.json) pin where
they have one (klines, summary, orderbook, trades).

    python tools/documented_cassettes.py          # (re)write cassettes/documented/*.yaml
    python tools/documented_cassettes.py --check  # exit 1 when the files on disk are stale

A test replays them (tests/rest/test_cassettes_documented.py) and compares the simulator's payloads for the
same requests field by field, so a simulator that drifts from Paradex fails a test.
"""
import json
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATIC = os.path.join(ROOT, "tests", "data", "paradex_static_response.json")
FOLDER = os.path.join(ROOT, "cassettes", "documented")
BASE = "https://api.testnet.paradex.trade/v1"
# the client's frozen clock: the instant of ccxt's recorded klines request (its end_at), and for the
# private calls a moment after the last of those payloads was recorded
CLOCK_MS = {"public": 1719993576989, "private": 1722430000000}
BTC, SOL = "BTC/USD:USDC", "SOL/USD:USDC"
# a throwaway StarkNet key and an address; the payloads are the recorder's, whose key nobody here holds
L2_KEY = "0x" + "3c" * 31
L2_ACCOUNT = "0x5d8d88a069d5f573a0bbd6f5b403788eabda82a941efdcfdab31402ec42d72e"
SOURCE = ("hand-built from real Paradex testnet payloads recorded by ccxt (static/response/paradex.json, MIT) "
          "and the Paradex API reference examples; not recorded by ccxt_paradex")

AUTH_RESPONSE = {"jwt_token": "eyJhbGciOiJub25lIn0.eyJpYXQiOjE3MTk5OTM1NzYsImV4cCI6MTcxOTk5Mzg3Niwic3ViIjoic2NydWJiZWQifQ.scrubbed"}
ACCOUNT_SUMMARY = {  # Paradex OpenAPI responses.AccountSummaryResponse
    "account": L2_ACCOUNT, "account_value": "1000.5", "free_collateral": "900.5",
    "initial_margin_requirement": "100", "maintenance_margin_requirement": "50", "margin_cushion": "950.5",
    "total_collateral": "1000", "settlement_asset": "USDC", "status": "ACTIVE", "seq_no": 20,
    "updated_at": 1718950074249, "last_seen_notification": 1713400000000}


def load_static() -> dict:
    with open(STATIC, encoding="utf-8") as f:
        return json.load(f)


def _recorded(static, method):
    return static["methods"][method][0]["httpResponse"]


# name -> steps; a step is (the ccxt call, [(HTTP method, path?query, response body)])
def _with_sol(markets: dict) -> dict:
    """The recording lists only BTC-USD-PERP, but the recorded account traded SOL-USD-PERP: add a SOL row
    built by us from the BTC row (identifiers and increments changed; every other field is BTC's)."""
    btc = markets["results"][0]
    sol = dict(btc, symbol="SOL-USD-PERP", base_currency="SOL", order_size_increment="0.1", price_tick_size="0.001",
               min_notional="10")
    return dict(markets, results=[btc, sol])


def steps(static) -> dict:
    config = static["options"]["systemConfig"]
    markets = _recorded(static, "fetchMarkets")
    return {
        "public": [
            ("fetch_time", (), [("GET", "/system/time", _recorded(static, "fetchTime"))]),
            ("fetch_status", (), [("GET", "/system/state", _recorded(static, "fetchStatus"))]),
            ("load_markets", (), [("GET", "/system/config", config), ("GET", "/markets", markets)]),
            ("fetch_ohlcv", (BTC, "1m", None, 5), [
                ("GET", "/markets/klines?resolution=1&symbol=BTC-USD-PERP&end_at=1719993576989&start_at=1719993276989",
                 _recorded(static, "fetchOHLCV"))]),
            ("fetch_tickers", ([BTC],), [("GET", "/markets/summary?market=ALL", _recorded(static, "fetchTickers"))]),
            ("fetch_ticker", (BTC,), [("GET", "/markets/summary?market=BTC-USD-PERP", _recorded(static, "fetchTicker"))]),
            ("fetch_order_book", (BTC,), [("GET", "/orderbook/BTC-USD-PERP", _recorded(static, "fetchOrderBook"))]),
            ("fetch_trades", (BTC, None, 1), [("GET", "/trades?market=BTC-USD-PERP&page_size=1", _recorded(static, "fetchTrades"))]),
            ("fetch_open_interest", (BTC,), [
                ("GET", "/markets/summary?market=BTC-USD-PERP", _recorded(static, "fetchOpenInterest"))]),
        ],
        "private": [
            ("load_markets", (), [("GET", "/system/config", config), ("GET", "/markets", _with_sol(markets))]),
            ("fetch_balance", (), [("POST", "/auth", AUTH_RESPONSE), ("GET", "/balance", _recorded(static, "fetchBalance")),
                                   ("GET", "/account", ACCOUNT_SUMMARY)]),
            ("fetch_positions", (), [("GET", "/positions", _recorded(static, "fetchPositions"))]),
            ("fetch_position", (SOL,), [("GET", "/positions", _recorded(static, "fetchPosition"))]),
            ("fetch_orders", (SOL,), [("GET", "/orders-history?market=SOL-USD-PERP", _recorded(static, "fetchOrders"))]),
            ("fetch_deposits", (), [("GET", "/transfers", _recorded(static, "fetchDeposits"))]),
        ],
    }


def client_config(name) -> dict:
    config = {"options": {}}
    if name == "private":
        config["options"]["paradexAccount"] = {"privateKey": L2_KEY, "address": L2_ACCOUNT}
    return config


def cassette_text(step_list) -> str:
    interactions = []
    for _call, _args, exchanges in step_list:
        for method, path, body in exchanges:
            interactions.append({
                "request": {"body": "{}" if method == "POST" and not path.startswith("/auth") else None,  # POST /auth: no body
                             "headers": {}, "method": method, "uri": BASE + path},
                "response": {"status": {"code": 200, "message": "OK"},
                             "headers": {"Content-Type": ["application/json"]},
                             "body": {"string": json.dumps(body, separators=(",", ":"))}}})
    return yaml.safe_dump({"interactions": interactions, "version": 1}, sort_keys=False, width=120)


def expected_files() -> dict:
    static = load_static()
    files = {}
    for name, step_list in steps(static).items():
        files[name + ".yaml"] = cassette_text(step_list)
        files[name + ".meta.json"] = json.dumps({"clock_ms": CLOCK_MS[name], "source": SOURCE}, indent=1) + "\n"
    return files


def main(argv) -> int:
    files = expected_files()
    if "--check" in argv:
        stale = [n for n, text in files.items()
                 if not os.path.exists(os.path.join(FOLDER, n)) or open(os.path.join(FOLDER, n), encoding="utf-8").read() != text]
        for n in stale:
            print("stale: cassettes/documented/" + n)
        return 1 if stale else 0
    os.makedirs(FOLDER, exist_ok=True)
    for n, text in files.items():
        with open(os.path.join(FOLDER, n), "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote cassettes/documented/" + n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
