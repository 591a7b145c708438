"""SBE encoder for the simulator's WebSocket feed: Paradex schema id 1, versions 0-3.

Layouts follow paradex-py's schema file paradex_1_2.xml (a copy is in tests/data/sbe/) and are written out here,
not read from the XML. Version 3 is 1:2 plus one field, MarketSummaryEvent.settlementTwapEstimate (Price8NULL at
block offset 240, block 248): no schema file for 1:3 exists, so it is taken from ccxt 4.5.90's decoder, which
requests 1:3 and reads that field at frame offset 248 (no Paradex source confirms it).

Input is the JSON-shaped dict the simulator would send on the channel. Decimals are scaled to int64 mantissas
with integer arithmetic and truncated toward zero; JSON millisecond timestamps become microseconds; missing
decimals become the INT64_MIN null sentinel. Fields and var-data newer than the negotiated version are left out,
so each frame carries that version's block length.
"""
import struct
from decimal import Decimal

SCHEMA_ID = 1
VERSIONS = (0, 1, 2, 3)
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
NULL = INT64_MIN
HEADER = struct.Struct("<HHHH")
GROUP = struct.Struct("<HH")
LEVEL = struct.Struct("<qq")

_CODES = {"Timestamp": "q", "int64": "q", "uint64": "Q", "int16": "h", "AccountAddress": "32s"}
_SCALE = {"Price8": 8, "Qty8": 8, "Value8": 8, "Rate8": 8, "Rate12": 12}

ENUMS = {
    "Side": {"BUY": 1, "SELL": 2, "LONG": 1, "SHORT": 2},
    "OrderType": {"LIMIT": 1, "MARKET": 2, "STOP_LIMIT": 3, "STOP_MARKET": 4, "TAKE_PROFIT_LIMIT": 5,
                  "TAKE_PROFIT_MARKET": 6, "STOP_LOSS_LIMIT": 7, "STOP_LOSS_MARKET": 8},
    "OrderStatus": {"NEW": 1, "UNTRIGGERED": 2, "OPEN": 3, "CLOSED": 4},
    "TimeInForce": {"GTC": 1, "IOC": 2, "POST_ONLY": 3, "RPI": 4},
    "FillType": {"FILL": 1, "LIQUIDATION": 2, "UNWIND_TRANSFER": 3, "TRANSFER": 3, "SETTLE_MARKET": 4, "RPI": 5,
                 "BLOCK_TRADE": 6},
    "PkgType": {"SNAPSHOT": 0, "DELTA": 1},
    "AssetKind": {"UNSPECIFIED": 0, "PERPETUAL_FUTURE": 1, "OPTION": 2, "SPOT": 3},
    "FundingRateSource": {name: i for i, name in enumerate(
        ("UNSPECIFIED", "PARADEX", "BINANCE", "BYBIT", "OKX", "DERIBIT", "DERIVE", "HYPERLIQUID", "LIGHTER",
         "DATABENTO", "PUBLISHER", "PYTH", "STORK"))},
    "LiquiditySide": {"MAKER": 1, "TAKER": 2},
    "STPMode": {"NONE": 0, "EXPIRE_MAKER": 1, "EXPIRE_TAKER": 2, "EXPIRE_BOTH": 3},
    "PositionStatus": {"OPEN": 1, "CLOSED": 2, "UNSPECIFIED": 3},
    "AccountStatus": {"ACTIVE": 1, "LIQUIDATION": 2},
    "RequestStatus": {"UNSPECIFIED": 0, "PENDING": 1, "PROCESSED": 2, "REJECTED": 3, "SUCCESS": 4},
    "RequestType": {"UNSPECIFIED": 0, "MODIFY_ORDER": 1},
}
# an unknown name encodes as NON_REPRESENTABLE, except where the schema makes 0 the fallback
ENUM_FALLBACK = {"AssetKind": 0, "FundingRateSource": 0}
# set name -> {choice: (bit, sinceVersion)}; JSON spells fill flags in lower case
SETS = {
    "OrderFlags": {"REDUCE_ONLY": (0, 0), "STOP_CONDITION_BELOW_TRIGGER": (1, 0),
                   "STOP_CONDITION_ABOVE_TRIGGER": (2, 0), "INTERACTIVE": (3, 0), "TARGET_STRATEGY_VWAP": (4, 0),
                   "MMP": (5, 2)},
    "FillFlags": {"INTERACTIVE": (0, 0), "RPI": (1, 0), "FASTFILL": (2, 0), "UNKNOWN": (7, 0)},
}


def mantissa(value, exponent=8):
    """Decimal string/int/Decimal -> int64 mantissa at 10**-exponent, truncated toward zero; null if empty."""
    if value is None or value == "":
        return NULL
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if not d.is_finite():
        raise ValueError(f"not a finite decimal: {value!r}")
    sign, digits, exp = d.as_tuple()
    n = int("".join(map(str, digits)))
    shift = exp + exponent
    if shift > 20 and n:  # far beyond int64: saturate without building a huge integer
        n = 1 << 64
    else:
        n = n * 10 ** shift if shift >= 0 else n // 10 ** -shift
    # saturate (totalVolume does on the real feed) and never emit the null sentinel for a real value
    return max(INT64_MIN + 1, min(INT64_MAX, -n if sign else n))


def _address(value):
    return int(value, 16).to_bytes(32, "big") if value else bytes(32)


def _convert(xml_type, value, version):
    base = xml_type[:-4] if xml_type.endswith("NULL") else xml_type
    if base in _SCALE:
        return mantissa(value, _SCALE[base])
    if xml_type == "Timestamp":
        return int(value) * 1000 if value not in (None, "") else 0
    if xml_type in ("int64", "uint64", "int16"):
        return int(value) if value not in (None, "") else 0
    if xml_type == "AccountAddress":
        return _address(value)
    if xml_type in ENUMS:
        return ENUMS[xml_type].get(str(value).upper(), ENUM_FALLBACK.get(xml_type, 254))
    bits = 0
    for flag in value or ():
        bit, since = SETS[xml_type].get(str(flag).upper(), SETS[xml_type].get("UNKNOWN", (None, 0)))
        if bit is not None and since <= version:
            bits |= 1 << bit
    return bits


def _code(xml_type):
    if xml_type in ENUMS or xml_type in SETS:
        return "B"
    return _CODES.get(xml_type, "q")


def _get(getter, data, version):
    return getter(data, version) if callable(getter) else data.get(getter)


class Message:
    """One template: fixed fields (name, XML type, getter, sinceVersion), optional groups, var-data."""

    def __init__(self, name, template_id, fields, var_data, groups=None, since=0):
        self.name, self.template_id, self.since = name, template_id, since
        self.fields = [f if len(f) == 4 else (*f, 0) for f in fields]
        self.var_data = [v if len(v) == 3 else (*v, 0) for v in var_data]
        self.groups = groups  # (data) -> [[(price, size), ...] per group] (BookEvent only)
        self.structs = {v: struct.Struct("<" + "".join(_code(t) for _, t, _, s in self.fields if s <= v))
                        for v in VERSIONS if v >= since}

    def layout(self, version):
        """[(field name, block offset, XML type)] of the fields sent at ``version``."""
        out, offset = [], 0
        for name, xml_type, _, since in self.fields:
            if since <= version:
                out.append((name, offset, xml_type))
                offset += struct.calcsize("<" + _code(xml_type))
        return out

    def encode(self, data, version=2, ts_us=None):
        if version not in self.structs:
            raise ValueError(f"{self.name} is not defined at schema version {SCHEMA_ID}:{version}")
        values = [_convert(t, _get(g, data, version), version) for _, t, g, s in self.fields if s <= version]
        if ts_us is not None:
            values[0] = ts_us  # ts leads every block
        block = self.structs[version]
        parts = [HEADER.pack(block.size, self.template_id, SCHEMA_ID, version), block.pack(*values)]
        for levels in (self.groups(data) if self.groups else ()):
            parts.append(GROUP.pack(LEVEL.size, len(levels)))
            parts.extend(LEVEL.pack(mantissa(p), mantissa(s)) for p, s in levels)
        for _, getter, since in self.var_data:
            if since <= version:
                raw = str(_get(getter, data, version) or "").encode()
                if len(raw) > 255:
                    raw = raw[:255].decode("utf-8", "ignore").encode()
                parts.append(bytes((len(raw),)) + raw)
        return b"".join(parts)


def _path(*keys):
    def get(data, version):
        for key in keys:
            data = data.get(key) if isinstance(data, dict) else None
        return data
    return get


def _nonzero(key):
    """The order feed sends "0" where SBE carries null (MARKET price, no trigger, nothing filled)."""
    def get(data, version):
        value = data.get(key)
        return None if value in (None, "") or Decimal(str(value)) == 0 else value
    return get


def _trade_id_low64(data, version):
    # deprecated int64 tradeId: the low 64 bits of the 28-digit id, read as signed
    text = str(data.get("id") or "")
    return (((int(text) + (1 << 63)) % (1 << 64)) - (1 << 63)) if text.isdigit() else 0


def _book_levels(data):
    levels = {"BUY": [], "SELL": []}
    for key in ("inserts", "updates", "deletes"):
        for lvl in data.get(key) or ():
            levels[lvl["side"]].append((lvl["price"], "0" if key == "deletes" else lvl["size"]))
    return [levels["BUY"], levels["SELL"]]


def _none(data, version):
    return None


TS = ("ts", "Timestamp")
MESSAGES = {m.template_id: m for m in (
    Message("TradeEvent", 1, [
        (*TS, "created_at"), ("seq", "int64", "seq_no"), ("tradeId", "int64", _trade_id_low64),
        ("side", "Side", "side"), ("price", "Price8", "price"), ("size", "Qty8", "size"),
        ("createdAt", "Timestamp", "created_at"), ("tradeType", "FillType", "trade_type")],
        [("market", "market"), ("tradeIdStr", "id", 2)]),
    Message("BboEvent", 2, [
        (*TS, "last_updated_at"), ("seq", "int64", "seq_no"), ("bidPrice", "Price8NULL", "bid"),
        ("bidSize", "Qty8NULL", "bid_size"), ("askPrice", "Price8NULL", "ask"), ("askSize", "Qty8NULL", "ask_size")],
        [("market", "market")]),
    Message("BookEvent", 3, [
        (*TS, "last_updated_at"), ("seq", "int64", "seq_no"),
        ("pkgType", "PkgType", lambda d, v: "DELTA" if d.get("update_type") == "d" else "SNAPSHOT"),
        ("bestBidPrice", "Price8NULL", _path("best_bid_interactive", "price")),
        ("bestBidSize", "Qty8NULL", _path("best_bid_interactive", "size")),
        ("bestAskPrice", "Price8NULL", _path("best_ask_interactive", "price")),
        ("bestAskSize", "Qty8NULL", _path("best_ask_interactive", "size")),
        ("relativeSpread", "Rate8NULL", "relative_spread"),
        ("bestBidApiPrice", "Price8NULL", _path("best_bid_api", "price")),
        ("bestBidApiSize", "Qty8NULL", _path("best_bid_api", "size")),
        ("bestAskApiPrice", "Price8NULL", _path("best_ask_api", "price")),
        ("bestAskApiSize", "Qty8NULL", _path("best_ask_api", "size"))],
        [("market", "market")], groups=_book_levels),
    Message("MarketSummaryEvent", 4, [
        (*TS, "created_at"), ("seq", "int64", "seq_no"), ("markPrice", "Price8", "mark_price"),
        ("indexPrice", "Price8", "underlying_price"), ("lastPrice", "Price8", "last_traded_price"),
        ("volumeUsd24h", "Value8", "volume_24h"), ("openInterest", "Qty8", "open_interest"),
        ("fundingRate", "Rate8", "funding_rate"), ("bid", "Price8NULL", "bid"), ("ask", "Price8NULL", "ask"),
        ("totalVolume", "Value8", "total_volume"), ("priceChangeRate24h", "Rate8", "price_change_rate_24h"),
        ("markIv", "Rate8NULL", "mark_iv"), ("bidIv", "Rate8NULL", "bid_iv"), ("askIv", "Rate8NULL", "ask_iv"),
        ("lastIv", "Rate8NULL", "last_iv"),
        *[(g, "Rate8NULL", _path("greeks", g)) for g in ("delta", "gamma", "vega", "theta", "rho", "volga", "vanna")],
        ("futureFundingRate", "Rate8NULL", "future_funding_rate"),
        ("externalFairPrice", "Price8NULL", "external_fair_price"),
        ("bidSize", "Qty8NULL", "bid_size"), ("askSize", "Qty8NULL", "ask_size"),
        ("forwardRate", "Rate8NULL", "forward_rate", 1), ("riskFreeRate", "Rate8NULL", "risk_free_rate", 1),
        ("fundingRatePrecise", "Rate12NULL", "funding_rate", 1),
        # 1:3, from ccxt's decoder only: null outside the pre-expiry settlement window and for undated markets
        ("settlementTwapEstimate", "Price8NULL", "settlement_twap_estimate", 3)],
        [("market", "symbol")]),
    Message("FundingDataEvent", 5, [
        (*TS, "created_at"), ("seq", "int64", "seq_no"), ("fundingRate", "Rate8", "funding_rate"),
        ("fundingIndex", "Price8", "funding_index"), ("createdAt", "Timestamp", "created_at"),
        ("fundingPremium", "Rate8", "funding_premium"), ("fundingRate8h", "Rate8", "funding_rate_8h"),
        ("fundingPeriodHours", "int16", "funding_period_hours"),
        ("impactPremiumRate", "Rate8NULL", "impact_premium_rate", 1)],
        [("market", "market")]),
    Message("FundingRateComparisonEvent", 6, [
        (*TS, "last_updated_at"), ("lastUpdatedAt", "Timestamp", "last_updated_at"),
        ("hourlyFundingRate", "Rate12", "hourly_funding_rate"), ("assetKind", "AssetKind", "asset_kind"),
        ("source", "FundingRateSource", "source")],
        [("market", "symbol")], since=1),
    Message("OrderEvent", 20, [
        (*TS, "published_at"), ("seq", "int64", "seq_no"), ("status", "OrderStatus", "status"),
        ("side", "Side", "side"), ("orderType", "OrderType", "type"), ("timeInForce", "TimeInForce", "instruction"),
        ("price", "Price8NULL", _nonzero("price")), ("triggerPrice", "Price8NULL", _nonzero("trigger_price")),
        ("size", "Qty8", "size"), ("sizeOpen", "Qty8", "remaining_size"),
        ("avgFillPrice", "Price8NULL", _nonzero("avg_fill_price")), ("createdAt", "Timestamp", "created_at"),
        ("updatedAt", "Timestamp", "last_updated_at"), ("account", "AccountAddress", "account"),
        ("receivedAt", "Timestamp", "received_at"), ("publishedAt", "Timestamp", "published_at"),
        ("stp", "STPMode", lambda d, v: d.get("stp") or "NONE"), ("flags", "OrderFlags", "flags"),
        ("requestStatus", "RequestStatus", lambda d, v: _path("request_info", "status")(d, v) or "UNSPECIFIED", 2),
        ("requestType", "RequestType", lambda d, v: _path("request_info", "request_type")(d, v) or "UNSPECIFIED", 2)],
        [("orderId", "id"), ("clientOrderId", "client_id"), ("market", "market"), ("cancelReason", "cancel_reason"),
         ("requestId", _path("request_info", "id"), 2), ("requestMessage", _path("request_info", "message"), 2)]),
    Message("FillEvent", 21, [
        (*TS, "created_at"),
        # optional since 1:2: null for position transfers, which carry no orderbook sequence
        ("seq", "int64", lambda d, v: next((d[k] for k in ("seq_no", "orderbook_seq_no") if d.get(k) is not None),
                                           NULL if v >= 2 else 0)),
        ("fillType", "FillType", "fill_type"), ("side", "Side", "side"), ("liquidity", "LiquiditySide", "liquidity"),
        ("price", "Price8", "price"), ("size", "Qty8", "size"), ("fee", "Value8", "fee"),
        ("realizedPnl", "Value8NULL", "realized_pnl"), ("createdAt", "Timestamp", "created_at"),
        ("account", "AccountAddress", "account"), ("underlyingPrice", "Price8", "underlying_price"),
        ("realizedFunding", "Value8", "realized_funding"), ("flags", "FillFlags", "flags", 2),
        ("orderbookSeqNo", "uint64", "orderbook_seq_no", 2)],
        [("fillId", "id"), ("orderId", "order_id"), ("clientOrderId", "client_id"), ("tradeId", "trade_id"),
         ("market", "market"), ("feeCurrency", "fee_currency", 2)]),
    Message("PositionEvent", 22, [
        (*TS, "last_updated_at"), ("seq", "int64", "seq_no"),
        ("side", "Side", lambda d, v: d.get("side") or ("SHORT" if str(d.get("size", "")).startswith("-") else "LONG")),
        ("size", "Qty8", lambda d, v: str(d.get("size") or "").lstrip("-")),  # absolute; side carries the sign
        ("avgEntryPrice", "Price8", "average_entry_price"), ("unrealizedPnl", "Value8", "unrealized_pnl"),
        ("realizedPnl", "Value8", "realized_positional_pnl"), ("markPrice", "Price8NULL", _none),
        ("liquidationPrice", "Price8NULL", "liquidation_price"), ("leverage", "Rate8", "leverage"),
        ("updatedAt", "Timestamp", "last_updated_at"), ("account", "AccountAddress", "account"),
        ("avgEntryPriceUsd", "Price8", "average_entry_price_usd"), ("cost", "Value8", "cost"),
        ("costUsd", "Value8", "cost_usd"), ("cachedFundingIndex", "Price8", "cached_funding_index"),
        ("unrealizedFundingPnl", "Value8", "unrealized_funding_pnl"), ("status", "PositionStatus", "status")],
        [("market", "market"), ("lastFillId", "last_fill_id")]),
    Message("AccountEvent", 23, [
        (*TS, "updated_at"), ("seq", "int64", "seq_no"), ("totalCollateral", "Value8", "total_collateral"),
        ("freeCollateral", "Value8", "free_collateral"), ("initialMarginReq", "Value8", "initial_margin_requirement"),
        ("maintenanceMarginReq", "Value8", "maintenance_margin_requirement"),
        ("accountValue", "Value8", "account_value"), ("unrealizedPnl", "Value8NULL", _none),
        ("updatedAt", "Timestamp", "updated_at"), ("account", "AccountAddress", "account"),
        ("marginCushion", "Value8", "margin_cushion"), ("status", "AccountStatus", "status"),
        ("lastSeenNotification", "Timestamp", "last_seen_notification", 2)],
        [("settlementAsset", "settlement_asset")]),
    Message("HeartbeatEvent", 40, [("ts", "Timestamp", _none), ("seq", "int64", "seq")], []),
)}
KINDS = {"trades": 1, "bbo": 2, "order_book": 3, "markets_summary": 4, "funding_data": 5,
         "funding_rate_comparison": 6, "orders": 20, "fills": 21, "positions": 22, "account": 23}


def encode(kind, data, version=2, ts_us=None) -> bytes:
    """The SBE frame for one channel message (``kind`` as in the channel name, ``data`` its JSON payload)."""
    try:
        message = MESSAGES[KINDS[kind]]
    except KeyError:
        raise ValueError(f"no SBE template for channel kind {kind!r}") from None
    return message.encode(data, version, ts_us)


def block_length(template_id, version) -> int:
    return MESSAGES[template_id].structs[version].size


def layout(template_id, version) -> list:
    return MESSAGES[template_id].layout(version)


def encode_book(data, version=2, ts_us=None):
    return MESSAGES[3].encode(data, version, ts_us)


def encode_heartbeat(ts_us, seq=0, version=2):
    return MESSAGES[40].encode({"seq": seq}, version, ts_us)
