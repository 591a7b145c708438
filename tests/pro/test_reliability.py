"""Reliability residuals of issue 29 in the pro class: a reconnect's order lookups read on any reading of
/orders-history's time bounds and only for what the gap scan did not return.

The reconciliation is driven directly on a stand-in venue (a REST double of /orders and /orders-history).
"""
import pytest

from ccxt_paradex.pro import paradex
from recorder import MARKETS

S, M = "BTC/USD:USDC", "BTC-USD-PERP"


class StandInClient:
    def __init__(self):
        self.futures = {}

    def resolve(self, value, message_hash):
        future = self.futures.pop(message_hash, None)
        if future is not None and not future.done():
            future.set_result(value)


def order_row(oid, created, status="OPEN", updated=None, reason="", market=M):
    return {"id": oid, "market": market, "side": "BUY", "type": "LIMIT", "size": "1",
            "remaining_size": "1", "price": "100", "status": status, "created_at": created,
            "last_updated_at": updated or created, "cancel_reason": reason, "instruction": "GTC", "flags": [],
            "client_id": "", "avg_fill_price": "0"}


class StandInVenue:
    """/orders and /orders-history over ``rows``: start_at / end_at bound created_at, exclusively by default (the
    other reading from the simulator's) or inclusively; newest first, paged by page_size and an offset cursor."""

    def __init__(self, rows, inclusive=False):
        self.rows = rows
        self.inclusive = inclusive
        self.history_requests = []

    async def open_orders(self, params={}):
        return {"results": [r for r in self.rows if r["status"] == "OPEN"]}

    async def history(self, params={}):
        self.history_requests.append(dict(params))
        items = sorted(self.rows, key=lambda r: r["created_at"], reverse=True)
        if params.get("market"):
            items = [r for r in items if r["market"] == params["market"]]
        slack = 1 if self.inclusive else 0
        if params.get("start_at") is not None:
            items = [r for r in items if r["created_at"] + slack > int(params["start_at"])]
        if params.get("end_at") is not None:
            items = [r for r in items if r["created_at"] - slack < int(params["end_at"])]
        offset, size = int(params.get("cursor") or 0), int(params.get("page_size", 100))
        return {"results": items[offset:offset + size],
                "next": str(offset + size) if offset + size < len(items) else None}


@pytest.fixture
async def stand_in():
    exchange = paradex()
    exchange.set_markets(exchange.parse_markets(MARKETS["results"]))
    exchange._private_since_ms = 0
    yield exchange
    await exchange.close()


def _venue(ex, rows, inclusive=False):
    venue = StandInVenue(rows, inclusive)
    ex.privateGetOrders, ex.privateGetOrdersHistory = venue.open_orders, venue.history
    return venue


def _statuses(ex):
    return {oid: o["status"] for oid, o in ex.orders.hashmap[S].items()}


@pytest.mark.parametrize("inclusive", [False, True], ids=["exclusive-bounds", "inclusive-bounds"])
async def test_vanished_orders_are_found_on_either_reading_of_the_bounds_and_the_gap_scan_is_not_read_twice(
        stand_in, inclusive):
    """Two orders the stream showed open close while the socket is down: ``old`` was created before the gap (so
    the gap scan cannot return it: one lookup in a window around its creation), ``young`` inside it (the gap
    scan returned its final state: no lookup of its own). Before: a lookup each, with start_at = end_at = the
    creation ms, which found nothing on a venue with exclusive bounds (``old`` stayed open)."""
    ex, client = stand_in, StandInClient()
    ex._on_order(client, order_row("old", 1_000))
    ex._on_order(client, order_row("young", 50_000))
    venue = _venue(ex, [
        order_row("old", 1_000, "CLOSED", 60_000, "USER_CANCELED"),
        order_row("young", 50_000, "CLOSED", 60_000, "USER_CANCELED"),
        order_row("neighbour", 999, "CLOSED", 1_500, "USER_CANCELED"),  # (in the widened window: filtered by id)
    ], inclusive)
    await ex._reconcile_orders(client, 40_000, 0)
    assert _statuses(ex) == {"old": "canceled", "young": "canceled"}
    assert venue.history_requests == [
        {"start_at": 40_000, "page_size": 5000},  # the gap scan: young is in it
        {"market": M, "start_at": 999, "end_at": 1_001, "page_size": 100},  # old only
    ]


async def test_a_lookup_follows_the_cursor_until_it_finds_its_order(stand_in):
    """A burst of 150 orders in the creation window of a vanished one: it is on the second page."""
    ex, client = stand_in, StandInClient()
    ex._on_order(client, order_row("old", 1_000))
    burst = [order_row("b%d" % i, 1_000, "CLOSED", 1_000, "USER_CANCELED") for i in range(150)]
    venue = _venue(ex, burst + [order_row("old", 1_000, "CLOSED", 70_000, "USER_CANCELED")])  # (listed last)
    await ex._reconcile_orders(client, 40_000, 0)
    assert _statuses(ex)["old"] == "canceled"
    lookups = venue.history_requests[1:]
    assert [r.get("cursor") for r in lookups] == [None, "100"]  # found on page 2, and no further page read
    assert list(ex.orders.hashmap[S]) == ["old"]  # (the lookup keeps only its own order's row)
