"""exchange.orderbooks[symbol] is the latest applied book, as in ccxt, also when no watcher is waiting."""
import json
import os

from ccxt_paradex.pro import paradex
from ccxt_paradex.pro.public import LiveOrderBooks
from conftest import DATA

BTC, BTC_ID = "BTC/USD:USDC", "BTC-USD-PERP"
MARKETS = os.path.join(DATA, "ccxt_static", "markets", "paradex.json")


class FakeClient:
    """What _on_book needs of ccxt's WebSocket client: the waiting futures and resolve()."""

    def __init__(self):
        self.futures, self.resolved = {}, []

    def resolve(self, result, message_hash):
        self.resolved.append(message_hash)

    def closed(self):
        return False


def frame(seq, kind, **levels):
    data = {"market": BTC_ID, "seq_no": seq, "last_updated_at": 1700000000000 + seq, "update_type": kind,
            "inserts": [], "updates": [], "deletes": []}
    for key, rows in levels.items():
        data[key] = [{"side": side, "price": price, "size": size} for side, price, size in rows]
    return {"method": "subscription", "params": {"channel": "order_book." + BTC_ID + ".deltas", "data": data}}


async def _exchange():
    ex = paradex({})
    with open(MARKETS) as f:
        ex.set_markets(list(json.load(f).values()))
    await ex._plan_books([BTC], None, {})  # what watch_order_book does before subscribing
    return ex


async def test_orderbooks_follows_every_applied_frame_without_a_watcher():
    ex = await _exchange()
    client = FakeClient()
    assert isinstance(ex.orderbooks, LiveOrderBooks) and BTC not in ex.orderbooks  # nothing applied yet
    ex.handle_message(client, frame(1, "s", inserts=[("BUY", "100", "1"), ("SELL", "101", "2")]))
    book = ex.orderbooks[BTC]
    assert (book["bids"], book["asks"], book["nonce"]) == ([[100.0, 1.0]], [[101.0, 2.0]], 1)
    ex.handle_message(client, frame(2, "d", updates=[("BUY", "100", "3")], inserts=[("BUY", "99.5", "4")]))
    ex.handle_message(client, frame(3, "d", deletes=[("SELL", "101", "0")], inserts=[("SELL", "102", "1")]))
    assert dict.get(ex.orderbooks, BTC)["nonce"] == 1  # frames alone build nothing (the hot path stays cheap)
    book = ex.orderbooks[BTC]  # ... the view is built on access
    assert (book["bids"], book["asks"], book["nonce"]) == ([[100.0, 3.0], [99.5, 4.0]], [[102.0, 1.0]], 3)
    assert ex.orderbooks.get(BTC) is book and list(ex.orderbooks) == [BTC]  # unchanged: the same view
    assert client.resolved == []  # nobody was waiting, nothing was resolved
    assert book["timestamp"] == 1700000000003 and book["datetime"] == ex.iso8601(1700000000003)


async def test_a_gap_keeps_the_last_applied_book_and_clean_ws_data_keeps_it_live():
    ex = await _exchange()
    client = FakeClient()
    ex.handle_message(client, frame(1, "s", inserts=[("BUY", "100", "1"), ("SELL", "101", "2")]))
    ex.handle_message(client, frame(5, "d", updates=[("BUY", "100", "9")]))  # seq 2-4 lost: not applied
    assert ex.orderbooks[BTC]["bids"] == [[100.0, 1.0]]
    ex.clean_ws_data()  # ccxt's own reset assigns a new dict
    assert isinstance(ex.orderbooks, LiveOrderBooks)
    ex.handle_message(client, frame(7, "s", inserts=[("BUY", "98", "1"), ("SELL", "99", "1")]))  # resync snapshot
    assert (ex.orderbooks[BTC]["bids"], ex.orderbooks[BTC]["nonce"]) == ([[98.0, 1.0]], 7)
    await ex.close()
