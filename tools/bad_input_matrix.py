"""The bad-input matrix of issue 10: unified calls with one bad argument each, on the offline recorder.

    python tools/bad_input_matrix.py          # prints cases, refused cleanly, raw exceptions, sent anyway,
                                              # and requests naming another path, per method family

"Sent anyway" counts a bad case that reached the transport (a request went out, whatever came after);
"raw" counts Python exceptions that are not ccxt ones. Run it on two checkouts to compare versions.
"""
import math
import os
import sys
from collections import Counter
from urllib.parse import unquote, urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests"), os.path.join(ROOT, "tests", "support")]

import ccxt  # noqa: E402
from recorder import offline, warm  # noqa: E402

S = "BTC/USD:USDC"
NUM = [math.inf, -math.inf, math.nan, True, 1e30, "abc", "", -1, 0, [1], {"a": 1}, None]
IDS = ["../orders", "a/b", "", None, True, 1.5, [1], "..", "x\\y"]
# legitimate ids that need escaping: they must be sent, naming exactly themselves
ESCAPED = ["grid#2", "a?b=1", "50%", "x y"]
SYMS = [5, "", [S], None, "NOPE/USD:USDC", {"s": 1}]
SINCE = ["abc", "1700000000000", -1, math.nan, math.inf, 1.5, True, [1]]
LIMIT = ["10", 0, -5, 1.5, math.nan, math.inf, True, {}]
PARAMS = [{"postOnly": "maybe"}, {"reduceOnly": 2}, {"foo": 1}, {"stopLoss": {"triggerPrice": 1}},
          {"takeProfit": {"triggerPrice": 1}}, {"trailingPercent": 1}, {"cost": 5}, "x", 5, [1]]
ORDER_LISTS = [None, "abc", [], [None], [1], [{"symbol": S}], [{"symbol": 5, "type": "limit", "side": "buy", "amount": 1}]]


def cases():
    for a in NUM:
        yield "create_order", lambda ex, a=a: ex.create_order(S, "limit", "buy", a, 60000), None
        yield "create_order", lambda ex, a=a: ex.create_order(S, "limit", "buy", 0.01, a), None
        if a is not None:  # a missing amount is fine for editOrder
            yield "edit_order", lambda ex, a=a: ex.edit_order("1", S, "limit", "buy", a, 60000), None
    for s in SYMS:
        yield "create_order", lambda ex, s=s: ex.create_order(s, "limit", "buy", 0.01, 60000), None
        for m in ("fetch_ticker", "fetch_order_book", "fetch_trades", "fetch_funding_rate"):
            yield "fetch", lambda ex, s=s, m=m: getattr(ex, m)(s), None
    for p in PARAMS:
        yield "create_order", lambda ex, p=p: ex.create_order(S, "limit", "buy", 0.01, 60000, p), None
    for t in ("sideways", None, 5, ""):
        yield "create_order", lambda ex, t=t: ex.create_order(S, t, "buy", 0.01, 60000), None
        yield "create_order", lambda ex, t=t: ex.create_order(S, "limit", t, 0.01, 60000), None
    for i in IDS:
        yield "cancel_order", lambda ex, i=i: ex.cancel_order(i, S), i
        yield "cancel_order", lambda ex, i=i: ex.cancel_order(None, S, {"clientOrderId": i}), i
        yield "fetch_order", lambda ex, i=i: ex.fetch_order(i, S), i
    for i in ESCAPED:
        yield "escaped id", lambda ex, i=i: ex.cancel_order(None, S, {"clientOrderId": i}), i
        yield "escaped id", lambda ex, i=i: ex.fetch_order(i, S), i
    for ids in ("123", None, [], [None], [""], 5, {"1": 1}):
        yield "cancel_orders", lambda ex, ids=ids: ex.cancel_orders(ids, S), None
    for o in ORDER_LISTS:
        yield "create_orders", lambda ex, o=o: ex.create_orders(o), None
    for v in SINCE:
        for m in ("fetch_trades", "fetch_my_trades", "fetch_orders", "fetch_funding_history"):
            yield "fetch", lambda ex, v=v, m=m: getattr(ex, m)(S, v), None
    for v in LIMIT:
        for m in ("fetch_trades", "fetch_my_trades", "fetch_open_orders", "fetch_orders"):
            yield "fetch", lambda ex, v=v, m=m: getattr(ex, m)(S, None, v), None
        yield "fetch", lambda ex, v=v: ex.fetch_order_book(S, v), None


def main():
    ex, sent = offline("sync")
    warm(ex)
    stats = Counter()
    for family, call, bad_id in cases():
        sent.clear()
        stats[family, "cases"] += 1
        try:
            call(ex)
            outcome = "accepted"
        except ccxt.BaseError:
            outcome = "refused"
        except Exception:
            outcome = "raw"
        stats[family, outcome] += 1
        if sent and family != "escaped id":
            stats[family, "sent anyway"] += 1
        for _, url, _ in sent:
            path = unquote(urlsplit(url).path.split("/v1/", 1)[1])
            if isinstance(bad_id, str) and bad_id and not (path.endswith("/" + bad_id) and path.count("/") == 1 + bad_id.count("/")
                                                           + ("by_client_id" in path)):
                stats[family, "wrong path"] += 1
    families = sorted({f for f, _ in stats})
    cols = ["cases", "refused", "raw", "accepted", "sent anyway", "wrong path"]
    print("| family | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for f in families + ["total"]:
        row = [sum(stats[g, c] for g in families) if f == "total" else stats[f, c] for c in cols]
        print(f"| {f} | " + " | ".join(str(v) for v in row) + " |")


if __name__ == "__main__":
    main()
