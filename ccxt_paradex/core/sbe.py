"""Paradex SBE frames (schema id 1, versions 1:0 to 1:3) -> the dicts Paradex sends as JSON.

Pure and I/O-free; the layouts below transcribe ``paradex_1_2.xml`` (plus ccxt's 1:3
``settlementTwapEstimate``) and are checked against it by tests/core/test_sbe_decode.py.

Public API
----------
``decode(frame) -> dict | None``
    ``{"channel", "template", "market", "data"}``: ``channel`` is the channel family
    (``trades``, ``bbo``, ``order_book``, ``markets_summary``, ``funding_data``,
    ``funding_rate_comparison``, ``orders``, ``fills``, ``positions``, ``account``),
    ``market`` the market the frame names (None for ``account``) and ``data`` the JSON payload
    of that channel (Paradex's AsyncAPI channel payloads). ``None`` for heartbeats, the reserved
    SubscribedEvent and unknown template ids (the schema says to skip them).
``decode_book_levels(frame) -> (market, seq_no, last_updated_at, is_snapshot, bids, asks) | None``
    The order-book fast path: ``bids``/``asks`` are lists of mutable ``[price, size]`` floats in
    wire order, ready for ccxt's ``OrderBookSide.storeArray`` (size 0 deletes a level in a
    delta). ``None`` when the frame is not a BookEvent.
``decode_book_mantissas(frame)`` / ``decode_book_flat(frame)``
    The same with int mantissas (x 1e8) as ``(price, size)`` pairs / flat tuples, for ``core.book.L2Book``.
``header(frame) -> (block_length, template_id, schema_id, version)``
``dec8(m)``, ``dec12(m)``: int64 mantissa -> exact decimal string, ``None`` for the null sentinel.

Conventions: decimals are exact strings without trailing zeros ("64852.9", "0", "-0.00000001");
timestamps are JSON milliseconds (microseconds // 1000); null sentinels and enum values outside
the schema (or NON_REPRESENTABLE) are ``None``; account addresses are ``0x`` + lower-case hex
without leading zeros. Fixed fields are chosen by the header's blockLength, never its version,
and var-data starts at ``8 + blockLength``; a field newer than the frame's layout reads ``None``
(``impact_premium_rate``, ``request_info`` and the interactive book fields are left out instead,
as the JSON feed omits them when empty). Deviations from the JSON feed that the binary form
forces: order ``price``/``trigger_price``/``avg_fill_price`` are ``None`` where JSON says "0",
position ``liquidation_price`` ``None`` where JSON says "", order ``stp`` "NONE" when unset, no
order ``timestamp`` (signature time is not on the wire), and a delta book's non-zero levels
are all listed as ``updates`` (SBE does not tell an insert from an update). Extra keys: fill
``trade_id``, markets-summary ``settlement_twap_estimate`` (1:3).

Errors: a frame shorter than its header, block, groups or required var-data, a block shorter
than the template's first layout, a var-data length running past the end, an unknown
``pkgType`` or a schema id other than 1 raise ``SbeDecodeError`` (a ccxt ``BadResponse``).
Nothing else escapes.
"""
import struct

from ccxt.base.errors import BadResponse

SCHEMA_ID = 1
NULL = -(1 << 63)  # INT64_MIN, the null sentinel of every optional int64


class SbeDecodeError(BadResponse):
    """A binary frame that cannot be decoded (truncated, foreign schema, bad group)."""


# template id -> (message, channel family, fixed fields, var-data fields).
# fixed field: (name, block offset, struct code, sinceVersion); var-data: (name, sinceVersion).
# Book groups (bids, asks: {price q, size q}) sit between the block and the var-data.
LAYOUTS = {
    1: ("TradeEvent", "trades", (
        ("ts", 0, "q", 0), ("seq", 8, "q", 0), ("tradeId", 16, "q", 0), ("side", 24, "B", 0),
        ("price", 25, "q", 0), ("size", 33, "q", 0), ("createdAt", 41, "q", 0), ("tradeType", 49, "B", 0),
    ), (("market", 0), ("tradeIdStr", 2))),
    2: ("BboEvent", "bbo", (
        ("ts", 0, "q", 0), ("seq", 8, "q", 0), ("bidPrice", 16, "q", 0), ("bidSize", 24, "q", 0),
        ("askPrice", 32, "q", 0), ("askSize", 40, "q", 0),
    ), (("market", 0),)),
    3: ("BookEvent", "order_book", (
        ("ts", 0, "q", 0), ("seq", 8, "q", 0), ("pkgType", 16, "B", 0),
        ("bestBidPrice", 17, "q", 0), ("bestBidSize", 25, "q", 0), ("bestAskPrice", 33, "q", 0),
        ("bestAskSize", 41, "q", 0), ("relativeSpread", 49, "q", 0), ("bestBidApiPrice", 57, "q", 0),
        ("bestBidApiSize", 65, "q", 0), ("bestAskApiPrice", 73, "q", 0), ("bestAskApiSize", 81, "q", 0),
    ), (("market", 0),)),
    4: ("MarketSummaryEvent", "markets_summary", (
        ("ts", 0, "q", 0), ("seq", 8, "q", 0), ("markPrice", 16, "q", 0), ("indexPrice", 24, "q", 0),
        ("lastPrice", 32, "q", 0), ("volumeUsd24h", 40, "q", 0), ("openInterest", 48, "q", 0),
        ("fundingRate", 56, "q", 0), ("bid", 64, "q", 0), ("ask", 72, "q", 0), ("totalVolume", 80, "q", 0),
        ("priceChangeRate24h", 88, "q", 0), ("markIv", 96, "q", 0), ("bidIv", 104, "q", 0),
        ("askIv", 112, "q", 0), ("lastIv", 120, "q", 0), ("delta", 128, "q", 0), ("gamma", 136, "q", 0),
        ("vega", 144, "q", 0), ("theta", 152, "q", 0), ("rho", 160, "q", 0), ("volga", 168, "q", 0),
        ("vanna", 176, "q", 0), ("futureFundingRate", 184, "q", 0), ("externalFairPrice", 192, "q", 0),
        ("bidSize", 200, "q", 0), ("askSize", 208, "q", 0), ("forwardRate", 216, "q", 1),
        ("riskFreeRate", 224, "q", 1), ("fundingRatePrecise", 232, "q", 1),
        ("settlementTwapEstimate", 240, "q", 3),  # ccxt's 1:3; in no schema file seen
    ), (("market", 0),)),
    5: ("FundingDataEvent", "funding_data", (
        ("ts", 0, "q", 0), ("seq", 8, "q", 0), ("fundingRate", 16, "q", 0), ("fundingIndex", 24, "q", 0),
        ("createdAt", 32, "q", 0), ("fundingPremium", 40, "q", 0), ("fundingRate8h", 48, "q", 0),
        ("fundingPeriodHours", 56, "h", 0), ("impactPremiumRate", 58, "q", 1),
    ), (("market", 0),)),
    6: ("FundingRateComparisonEvent", "funding_rate_comparison", (
        ("ts", 0, "q", 1), ("lastUpdatedAt", 8, "q", 1), ("hourlyFundingRate", 16, "q", 1),
        ("assetKind", 24, "B", 1), ("source", 25, "B", 1),
    ), (("market", 1),)),
    20: ("OrderEvent", "orders", (
        ("ts", 0, "q", 0), ("seq", 8, "q", 0), ("status", 16, "B", 0), ("side", 17, "B", 0),
        ("orderType", 18, "B", 0), ("timeInForce", 19, "B", 0), ("price", 20, "q", 0),
        ("triggerPrice", 28, "q", 0), ("size", 36, "q", 0), ("sizeOpen", 44, "q", 0),
        ("avgFillPrice", 52, "q", 0), ("createdAt", 60, "q", 0), ("updatedAt", 68, "q", 0),
        ("account", 76, "32s", 0), ("receivedAt", 108, "q", 0), ("publishedAt", 116, "q", 0),
        ("stp", 124, "B", 0), ("flags", 125, "B", 0), ("requestStatus", 126, "B", 2), ("requestType", 127, "B", 2),
    ), (("orderId", 0), ("clientOrderId", 0), ("market", 0), ("cancelReason", 0),
        ("requestId", 2), ("requestMessage", 2))),
    21: ("FillEvent", "fills", (
        ("ts", 0, "q", 0), ("seq", 8, "q", 0), ("fillType", 16, "B", 0), ("side", 17, "B", 0),
        ("liquidity", 18, "B", 0), ("price", 19, "q", 0), ("size", 27, "q", 0), ("fee", 35, "q", 0),
        ("realizedPnl", 43, "q", 0), ("createdAt", 51, "q", 0), ("account", 59, "32s", 0),
        ("underlyingPrice", 91, "q", 0), ("realizedFunding", 99, "q", 0), ("flags", 107, "B", 2),
        ("orderbookSeqNo", 108, "Q", 2),
    ), (("fillId", 0), ("orderId", 0), ("clientOrderId", 0), ("tradeId", 0), ("market", 0),
        ("feeCurrency", 2))),
    22: ("PositionEvent", "positions", (
        ("ts", 0, "q", 0), ("seq", 8, "q", 0), ("side", 16, "B", 0), ("size", 17, "q", 0),
        ("avgEntryPrice", 25, "q", 0), ("unrealizedPnl", 33, "q", 0), ("realizedPnl", 41, "q", 0),
        ("markPrice", 49, "q", 0), ("liquidationPrice", 57, "q", 0), ("leverage", 65, "q", 0),
        ("updatedAt", 73, "q", 0), ("account", 81, "32s", 0), ("avgEntryPriceUsd", 113, "q", 0),
        ("cost", 121, "q", 0), ("costUsd", 129, "q", 0), ("cachedFundingIndex", 137, "q", 0),
        ("unrealizedFundingPnl", 145, "q", 0), ("status", 153, "B", 0),
    ), (("market", 0), ("lastFillId", 0))),
    23: ("AccountEvent", "account", (
        ("ts", 0, "q", 0), ("seq", 8, "q", 0), ("totalCollateral", 16, "q", 0), ("freeCollateral", 24, "q", 0),
        ("initialMarginReq", 32, "q", 0), ("maintenanceMarginReq", 40, "q", 0), ("accountValue", 48, "q", 0),
        ("unrealizedPnl", 56, "q", 0), ("updatedAt", 64, "q", 0), ("account", 72, "32s", 0),
        ("marginCushion", 104, "q", 0), ("status", 112, "B", 0), ("lastSeenNotification", 113, "q", 2),
    ), (("settlementAsset", 0),)),
}
MAX_VERSION = 3


def _cuts(fields):
    """[(block length, Struct, padding)] per distinct layout, longest first; padding fills absent fields."""
    out, seen = [], set()
    for v in range(MAX_VERSION, -1, -1):
        present = [f for f in fields if f[3] <= v]
        if not present:
            continue
        end = max(off + struct.calcsize(code) for _, off, code, _ in present)
        if end in seen:
            continue
        seen.add(end)
        fmt, pos = "<", 0
        for _, off, code, _ in present:
            fmt += "x" * (off - pos) + code
            pos = off + struct.calcsize(code)
        out.append((end, struct.Struct(fmt), (None,) * (len(fields) - len(present))))
    return tuple(out)


_CUTS = {tid: _cuts(spec[2]) for tid, spec in LAYOUTS.items()}


def block_lengths(template_id):
    """{version: root block length} for versions 0..MAX_VERSION (versions before the message existed are left out)."""
    fields = LAYOUTS[template_id][2]
    return {v: max(o + struct.calcsize(c) for _, o, c, s in fields if s <= v)
            for v in range(MAX_VERSION + 1) if any(s <= v for *_, s in fields)}


def _fixed(tid, buf, bl):
    for need, st, pad in _CUTS[tid]:
        if bl >= need:
            return st.unpack_from(buf, 8) + pad
    raise SbeDecodeError(f"SBE {LAYOUTS[tid][0]} block of {bl} bytes is shorter than any layout")


def _enum(names, default=None):
    table = [default] * 256
    for i, name in names.items():
        table[i] = name
    return tuple(table)


def _flags(names):
    return tuple(tuple(n for bit, n in enumerate(names) if n and i >> bit & 1) for i in range(256))


SIDE = _enum({1: "BUY", 2: "SELL"})
POSITION_SIDE = _enum({1: "LONG", 2: "SHORT"})
ORDER_TYPE = _enum({1: "LIMIT", 2: "MARKET", 3: "STOP_LIMIT", 4: "STOP_MARKET", 5: "TAKE_PROFIT_LIMIT",
                    6: "TAKE_PROFIT_MARKET", 7: "STOP_LOSS_LIMIT", 8: "STOP_LOSS_MARKET"})
ORDER_STATUS = _enum({1: "NEW", 2: "UNTRIGGERED", 3: "OPEN", 4: "CLOSED"})
TIME_IN_FORCE = _enum({1: "GTC", 2: "IOC", 3: "POST_ONLY", 4: "RPI"})
FILL_TYPE = _enum({1: "FILL", 2: "LIQUIDATION", 3: "UNWIND_TRANSFER", 4: "SETTLE_MARKET", 5: "RPI", 6: "BLOCK_TRADE"})
LIQUIDITY = _enum({1: "MAKER", 2: "TAKER"})
STP_MODE = _enum({0: "NONE", 1: "EXPIRE_MAKER", 2: "EXPIRE_TAKER", 3: "EXPIRE_BOTH"})
POSITION_STATUS = _enum({1: "OPEN", 2: "CLOSED", 3: "UNSPECIFIED"})
ACCOUNT_STATUS = _enum({1: "ACTIVE", 2: "LIQUIDATION"})
REQUEST_STATUS = _enum({0: "UNSPECIFIED", 1: "PENDING", 2: "PROCESSED", 3: "REJECTED", 4: "SUCCESS"})
REQUEST_TYPE = _enum({0: "UNSPECIFIED", 1: "MODIFY_ORDER"})
# the schema says unknown AssetKind / FundingRateSource values decode as UNSPECIFIED
ASSET_KIND = _enum({0: "UNSPECIFIED", 1: "PERPETUAL_FUTURE", 2: "OPTION", 3: "SPOT"}, "UNSPECIFIED")
FUNDING_SOURCE = _enum({0: "UNSPECIFIED", 1: "PARADEX", 2: "BINANCE", 3: "BYBIT", 4: "OKX", 5: "DERIBIT",
                        6: "DERIVE", 7: "HYPERLIQUID", 8: "LIGHTER", 9: "DATABENTO", 10: "PUBLISHER",
                        11: "PYTH", 12: "STORK"}, "UNSPECIFIED")
ORDER_FLAGS = _flags(("REDUCE_ONLY", "STOP_CONDITION_BELOW_TRIGGER", "STOP_CONDITION_ABOVE_TRIGGER",
                      "INTERACTIVE", "TARGET_STRATEGY_VWAP", "MMP"))
# JSON spells fill flags in lower case; bit 7 is the schema's UNKNOWN (a flag it cannot name)
FILL_FLAGS = _flags(("interactive", "rpi", "fastfill", "", "", "", "", "unknown"))


def _decimal_formatter(places):
    scale = 10 ** places

    def fmt(m):
        """int64 mantissa -> exact decimal string ("64852.9"), None for the INT64_MIN null sentinel."""
        if m >= scale:
            s = str(m)
            f = s[-places:].rstrip("0")
            return s[:-places] + "." + f if f else s[:-places]
        if m > 0:
            return "0." + str(m + scale)[1:].rstrip("0")
        if m == 0:
            return "0"
        if m == NULL:
            return None
        return "-" + fmt(-m)
    return fmt


dec8 = _decimal_formatter(8)     # prices, sizes, most rates
dec12 = _decimal_formatter(12)   # Rate12 fields (funding)


def _opt8(m):
    return None if m is None else dec8(m)


def _addr(raw):
    return hex(int.from_bytes(raw, "big"))


_HDR = struct.Struct("<HHHH")
_GROUP = struct.Struct("<HH")
_LEVEL = struct.Struct("<qq")
_LEVEL_STRUCTS: dict[int, struct.Struct] = {}


def header(frame):
    """(block_length, template_id, schema_id, version) of a frame; SbeDecodeError if under 8 bytes."""
    if len(frame) < 8:
        raise SbeDecodeError(f"SBE frame of {len(frame)} bytes has no header")
    return _HDR.unpack_from(frame, 0)


def _strings(buf, pos, end, count, required):
    """count varString8 values from pos; trailing ones missing at the end of the frame read None."""
    out = []
    while len(out) < count and pos < end:
        stop = pos + 1 + buf[pos]
        if stop > end:
            raise SbeDecodeError("SBE var-data runs past the end of the frame")
        out.append(str(buf[pos + 1:stop], "utf-8", "replace"))
        pos = stop
    if len(out) < required:
        raise SbeDecodeError("SBE frame ends before its var-data")
    return out + [None] * (count - len(out))


def _group(buf, pos, end):
    """One book group -> (flat (price, size, price, size, ...) mantissas, position after it)."""
    if pos + 4 > end:
        raise SbeDecodeError("SBE frame ends before a group header")
    size, n = _GROUP.unpack_from(buf, pos)
    pos += 4
    stop = pos + size * n
    if size < 16 or stop > end:
        raise SbeDecodeError("SBE book group is truncated or has entries under 16 bytes")
    if size != 16:  # a future schema widened the entry: read the first 16 bytes of each
        return tuple(x for i in range(n) for x in _LEVEL.unpack_from(buf, pos + i * size)), stop
    st = _LEVEL_STRUCTS.get(n)
    if st is None:
        st = struct.Struct(f"<{2 * n}q")
        if n <= 1024:
            _LEVEL_STRUCTS[n] = st
    return st.unpack_from(buf, pos), stop


def _trade(buf, bl, end):
    ts, seq, _tid, side, price, size, created, ttype = _fixed(1, buf, bl)
    market, trade_id = _strings(buf, 8 + bl, end, 2, 1)
    return {"channel": "trades", "template": 1, "market": market, "data": {
        "id": trade_id, "market": market, "side": SIDE[side], "size": dec8(size), "price": dec8(price),
        "created_at": created // 1000, "trade_type": FILL_TYPE[ttype]}}


def _bbo(buf, bl, end):
    ts, seq, bid, bid_size, ask, ask_size = _fixed(2, buf, bl)
    market = _strings(buf, 8 + bl, end, 1, 1)[0]
    return {"channel": "bbo", "template": 2, "market": market, "data": {
        "market": market, "bid": dec8(bid), "bid_size": dec8(bid_size), "ask": dec8(ask),
        "ask_size": dec8(ask_size), "last_updated_at": ts // 1000, "seq_no": seq}}


def _book_head(buf, bl, end):
    f = _fixed(3, buf, bl)
    if f[2] > 1:
        raise SbeDecodeError(f"SBE BookEvent has unknown pkgType {f[2]}")
    bids, pos = _group(buf, 8 + bl, end)
    asks, pos = _group(buf, pos, end)
    return f, bids, asks, _strings(buf, pos, end, 1, 1)[0]


def _book(buf, bl, end):
    f, bids, asks, market = _book_head(buf, bl, end)
    levels = [{"side": "BUY", "price": dec8(p), "size": dec8(s)} for p, s in zip(bids[::2], bids[1::2])]
    levels += [{"side": "SELL", "price": dec8(p), "size": dec8(s)} for p, s in zip(asks[::2], asks[1::2])]
    if f[2] == 0:
        data = {"seq_no": f[1], "market": market, "last_updated_at": f[0] // 1000, "update_type": "s",
                "inserts": levels, "updates": [], "deletes": []}
    else:
        data = {"seq_no": f[1], "market": market, "last_updated_at": f[0] // 1000, "update_type": "d",
                "inserts": [], "updates": [x for x in levels if x["size"] != "0"],
                "deletes": [x for x in levels if x["size"] == "0"]}
    for key, side, i in (("best_bid_interactive", "BUY", 3), ("best_ask_interactive", "SELL", 5),
                         ("best_bid_api", "BUY", 8), ("best_ask_api", "SELL", 10)):
        if f[i] != NULL:
            data[key] = {"side": side, "price": dec8(f[i]), "size": dec8(f[i + 1])}
    if f[7] != NULL:
        data["relative_spread"] = dec8(f[7])
    return {"channel": "order_book", "template": 3, "market": market, "data": data}


def decode_book_levels(frame):
    """BookEvent fast path -> (market, seq_no, last_updated_at ms, is_snapshot, bids, asks) or None.

    bids/asks: lists of mutable [price, size] floats (correctly rounded mantissa / 1e8).
    """
    out = decode_book_flat(frame)
    if out is None:
        return None
    market, seq, ts, snap, b, a = out
    # int / int true division is correctly rounded, so 6485290000000 -> exactly float("64852.9")
    bids = [[p / 100000000, s / 100000000] for p, s in zip(b[::2], b[1::2])]
    asks = [[p / 100000000, s / 100000000] for p, s in zip(a[::2], a[1::2])]
    return market, seq, ts, snap, bids, asks


def _summary(buf, bl, end):
    (ts, _seq, mark, index, last, vol24, oi, rate, bid, ask, total, change, mark_iv, bid_iv, ask_iv, last_iv,
     delta, gamma, vega, theta, rho, volga, vanna, future_rate, fair, bid_size, ask_size, forward, risk_free,
     precise, twap) = _fixed(4, buf, bl)
    market = _strings(buf, 8 + bl, end, 1, 1)[0]
    return {"channel": "markets_summary", "template": 4, "market": market, "data": {
        "symbol": market, "mark_price": dec8(mark), "underlying_price": dec8(index),
        "last_traded_price": dec8(last), "bid": dec8(bid), "bid_size": dec8(bid_size), "ask": dec8(ask),
        "ask_size": dec8(ask_size), "volume_24h": dec8(vol24), "total_volume": dec8(total),
        "open_interest": dec8(oi),
        # Rate8 truncates to 8 dp; the 1:1 Rate12 copy is the JSON value when present
        "funding_rate": dec8(rate) if precise is None or precise == NULL else dec12(precise),
        "future_funding_rate": dec8(future_rate), "price_change_rate_24h": dec8(change),
        "external_fair_price": dec8(fair), "mark_iv": dec8(mark_iv), "bid_iv": dec8(bid_iv),
        "ask_iv": dec8(ask_iv), "last_iv": dec8(last_iv),
        "greeks": {"delta": dec8(delta), "gamma": dec8(gamma), "vega": dec8(vega), "theta": dec8(theta),
                   "rho": dec8(rho), "vanna": dec8(vanna), "volga": dec8(volga)},
        "forward_rate": _opt8(forward), "risk_free_rate": _opt8(risk_free),
        "settlement_twap_estimate": _opt8(twap), "created_at": ts // 1000}}


def _funding(buf, bl, end):
    ts, _seq, rate, index, created, premium, rate8h, hours, impact = _fixed(5, buf, bl)
    market = _strings(buf, 8 + bl, end, 1, 1)[0]
    data = {"market": market, "funding_rate": dec8(rate), "funding_rate_8h": dec8(rate8h),
            "funding_period_hours": hours, "funding_index": dec8(index), "funding_premium": dec8(premium),
            "created_at": created // 1000}
    if impact is not None and impact != NULL:
        data["impact_premium_rate"] = dec8(impact)
    return {"channel": "funding_data", "template": 5, "market": market, "data": data}


def _funding_comparison(buf, bl, end):
    _ts, updated, rate, kind, source = _fixed(6, buf, bl)
    market = _strings(buf, 8 + bl, end, 1, 1)[0]
    return {"channel": "funding_rate_comparison", "template": 6, "market": market, "data": {
        "symbol": market, "hourly_funding_rate": dec12(rate), "asset_kind": ASSET_KIND[kind],
        "source": FUNDING_SOURCE[source], "last_updated_at": updated // 1000}}


def _order(buf, bl, end):
    (_ts, seq, status, side, otype, tif, price, trigger, size, size_open, avg, created, updated, account,
     received, published, stp, flags, req_status, req_type) = _fixed(20, buf, bl)
    oid, client_id, market, reason, req_id, req_msg = _strings(buf, 8 + bl, end, 6, 4)
    data = {"id": oid, "account": _addr(account), "market": market, "client_id": client_id,
            "side": SIDE[side], "type": ORDER_TYPE[otype], "size": dec8(size), "remaining_size": dec8(size_open),
            "price": dec8(price), "avg_fill_price": dec8(avg), "trigger_price": dec8(trigger),
            "instruction": TIME_IN_FORCE[tif], "flags": list(ORDER_FLAGS[flags]), "stp": STP_MODE[stp],
            "status": ORDER_STATUS[status], "cancel_reason": reason, "received_at": received // 1000,
            "created_at": created // 1000, "last_updated_at": updated // 1000,
            "published_at": published // 1000, "seq_no": seq}
    # both enums UNSPECIFIED (or absent before 1:2) = the JSON order had no request_info
    if req_status or req_type:
        data["request_info"] = {"id": req_id or "", "request_type": REQUEST_TYPE[req_type],
                                "status": REQUEST_STATUS[req_status], "message": req_msg or ""}
    return {"channel": "orders", "template": 20, "market": market, "data": data}


def _fill(buf, bl, end):
    (_ts, _seq, ftype, side, liquidity, price, size, fee, pnl, created, account, underlying, funding,
     flags, book_seq) = _fixed(21, buf, bl)
    fill_id, order_id, client_id, trade_id, market, fee_ccy = _strings(buf, 8 + bl, end, 6, 5)
    return {"channel": "fills", "template": 21, "market": market, "data": {
        "id": fill_id, "account": _addr(account), "market": market, "order_id": order_id,
        "client_id": client_id, "trade_id": trade_id, "side": SIDE[side], "liquidity": LIQUIDITY[liquidity],
        "fill_type": FILL_TYPE[ftype], "price": dec8(price), "size": dec8(size), "fee": dec8(fee),
        "fee_currency": fee_ccy, "realized_pnl": dec8(pnl), "realized_funding": dec8(funding),
        "underlying_price": dec8(underlying), "flags": None if flags is None else list(FILL_FLAGS[flags]),
        "orderbook_seq_no": book_seq, "created_at": created // 1000}}


def _position(buf, bl, end):
    (_ts, seq, side, size, entry, upnl, rpnl, _mark, liq, leverage, updated, account, entry_usd, cost,
     cost_usd, funding_index, ufpnl, status) = _fixed(22, buf, bl)
    market, last_fill = _strings(buf, 8 + bl, end, 2, 1)
    account = _addr(account)
    side = POSITION_SIDE[side]
    # the wire size is absolute; JSON signs it negative for a short
    return {"channel": "positions", "template": 22, "market": market, "data": {
        "id": f"{account}-{market}", "account": account, "market": market, "status": POSITION_STATUS[status],
        "side": side, "size": dec8(-size if side == "SHORT" and size != NULL else size),
        "average_entry_price": dec8(entry), "average_entry_price_usd": dec8(entry_usd),
        "unrealized_pnl": dec8(upnl), "unrealized_funding_pnl": dec8(ufpnl),
        "realized_positional_pnl": dec8(rpnl), "cost": dec8(cost), "cost_usd": dec8(cost_usd),
        "cached_funding_index": dec8(funding_index), "leverage": dec8(leverage),
        "liquidation_price": dec8(liq), "last_fill_id": last_fill, "last_updated_at": updated // 1000,
        "seq_no": seq}}


def _account(buf, bl, end):
    (_ts, seq, total, free, imr, mmr, value, _upnl, updated, account, cushion, status,
     last_seen) = _fixed(23, buf, bl)
    asset = _strings(buf, 8 + bl, end, 1, 1)[0]
    return {"channel": "account", "template": 23, "market": None, "data": {
        "account": _addr(account), "account_value": dec8(value), "free_collateral": dec8(free),
        "initial_margin_requirement": dec8(imr), "maintenance_margin_requirement": dec8(mmr),
        "margin_cushion": dec8(cushion), "total_collateral": dec8(total), "settlement_asset": asset,
        "status": ACCOUNT_STATUS[status], "seq_no": seq, "updated_at": updated // 1000,
        "last_seen_notification": None if last_seen is None else last_seen // 1000}}


_DECODERS = {1: _trade, 2: _bbo, 3: _book, 4: _summary, 5: _funding, 6: _funding_comparison,
             20: _order, 21: _fill, 22: _position, 23: _account}


def _checked_header(frame):
    """-> (block length, template id, frame length), the schema id checked."""
    bl, tid, sid, _ = header(frame)
    if sid != SCHEMA_ID:
        raise SbeDecodeError(f"SBE schema id {sid} is not {SCHEMA_ID}")
    return bl, tid, len(frame)


_BOOK_MIN_BLOCK = min(need for need, _, _ in _CUTS[3])
_BOOK_HEAD = struct.Struct("<qqB")  # ts (us), seq_no, pkgType: the first fields of every BookEvent layout


def _book_flat(frame, bl, end):
    """The nominal BookEvent (16-byte levels, group sizes already met, in bounds) in one pass; anything else goes
    through the general reader below, which decodes it the same way or raises."""
    if bl >= _BOOK_MIN_BLOCK and end >= 8 + bl + 9 and frame[24] <= 1:
        b_at = 12 + bl
        b_size, nb = _GROUP.unpack_from(frame, b_at - 4)
        b_end = b_at + 16 * nb
        if b_size == 16 and b_end + 5 <= end:
            a_size, na = _GROUP.unpack_from(frame, b_end)
            a_end = b_end + 4 + 16 * na
            if a_size == 16 and a_end < end:
                stop = a_end + 1 + frame[a_end]
                sb, sa = _LEVEL_STRUCTS.get(nb), _LEVEL_STRUCTS.get(na)
                if stop <= end and sb is not None and sa is not None:
                    ts, seq, pkg = _BOOK_HEAD.unpack_from(frame, 8)
                    return (str(frame[a_end + 1:stop], "utf-8", "replace"), seq, ts // 1000, pkg == 0,
                            sb.unpack_from(frame, b_at), sa.unpack_from(frame, b_end + 4))
    return _book_flat_general(frame, bl, end)


def _book_flat_general(frame, bl, end):
    if end < 8 + bl:
        raise SbeDecodeError("SBE frame is shorter than its block")
    try:
        f, b, a, market = _book_head(frame, bl, end)
    except (struct.error, IndexError) as e:
        raise SbeDecodeError(f"malformed SBE BookEvent: {e}") from None
    return market, f[1], f[0] // 1000, f[2] == 0, b, a


def book_frame_key(frame):
    """(market, is_snapshot) of a well-formed BookEvent frame, read without decoding its levels (header, the two
    group headers, the market string); None for any other frame, or one ``decode_book_flat`` would refuse."""
    try:
        bl, tid, sid, _ = _HDR.unpack_from(frame, 0)
        end = len(frame)
        if tid != 3 or sid != SCHEMA_ID or bl < 17 or end < 8 + bl:
            return None
        pkg = frame[24]
        if pkg > 1:
            return None
        pos = 8 + bl
        for _ in (0, 1):
            size, n = _GROUP.unpack_from(frame, pos)
            pos += 4 + size * n
            if size < 16 or pos > end:
                return None
        stop = pos + 1 + frame[pos]
        if stop > end:
            return None
        return str(frame[pos + 1:stop], "utf-8", "replace"), pkg == 0
    except (struct.error, IndexError):
        return None


def _maybe_book_snapshot(frame) -> bool:
    """Template 3 (BookEvent), pkgType 0 (snapshot): two bytes compared, so a run of deltas costs next to nothing."""
    return len(frame) > 24 and frame[2] == 3 and frame[3] == 0 and frame[24] == 0


def superseded(frames) -> list:
    """For frames read together, in order: True where a frame is a BookEvent whose market has a snapshot later in
    the run. Applying it cannot change what anyone sees: the later snapshot replaces the whole book, and nothing
    reads the book between frames handled in one pass, so the client skips it unparsed (conflation)."""
    out = [False] * len(frames)
    later: set = set()
    for i in range(len(frames) - 1, -1, -1):
        if not later and not _maybe_book_snapshot(frames[i]):
            continue  # nothing later to supersede it, and it supersedes nothing: its market need not be read
        key = book_frame_key(frames[i])
        if key is None:
            continue
        market, snapshot = key
        if market in later:
            out[i] = True
        elif snapshot:
            later.add(market)
    return out


def decode_book_flat(frame):
    """BookEvent -> (market, seq_no, last_updated_at ms, is_snapshot, bids, asks) where bids/asks are flat
    ``(price, size, price, size, ...)`` int mantissa tuples (value x 1e8) in wire order: the cheapest form,
    consumed by ``core.book.L2Book.snapshot_flat`` / ``delta_flat``. None when the frame is not a book."""
    bl, tid, end = _checked_header(frame)
    return _book_flat(frame, bl, end) if tid == 3 else None


def decode_book_mantissas(frame):
    """Like ``decode_book_flat`` with bids/asks as lists of (price, size) mantissa pairs."""
    out = decode_book_flat(frame)
    if out is None:
        return None
    market, seq, ts, snap, b, a = out
    return market, seq, ts, snap, list(zip(b[::2], b[1::2])), list(zip(a[::2], a[1::2]))


def _message(frame, bl, tid, end):
    fn = _DECODERS.get(tid)
    if fn is None:
        return None  # heartbeat (40), reserved ack (41), or a template newer than this decoder
    if end < 8 + bl:
        raise SbeDecodeError(f"SBE {LAYOUTS[tid][0]} frame of {end} bytes is shorter than its {bl}-byte block")
    try:
        return fn(frame, bl, end)
    except (struct.error, IndexError) as e:
        raise SbeDecodeError(f"malformed SBE {LAYOUTS[tid][0]}: {e}") from None


def decode(frame):
    """One binary WebSocket frame -> {"channel", "template", "market", "data"}, or None to skip it."""
    bl, tid, end = _checked_header(frame)
    return _message(frame, bl, tid, end)


def decode_for_client(frame):
    """The header read once: a BookEvent as ``decode_book_flat``'s tuple (the hot path), any other frame as
    ``decode``'s dict (or None)."""
    end = len(frame)
    if end < 8:
        raise SbeDecodeError(f"SBE frame of {end} bytes has no header")
    bl, tid, sid, _ = _HDR.unpack_from(frame, 0)
    if sid != SCHEMA_ID:
        raise SbeDecodeError(f"SBE schema id {sid} is not {SCHEMA_ID}")
    return _book_flat(frame, bl, end) if tid == 3 else _message(frame, bl, tid, end)
