"""The simulator's SBE encoder, checked against the official schema XML, ccxt's built-in decoder and encoded test vectors.

Three independent readers: layouts derived from paradex_1_2.xml, a small XML-driven decoder with its own
JSON-to-field mapping written from the schema's field tables (covers every field and every template), and
ccxt.pro.paradex.parse_sbe_message (covers the templates and fields ccxt reads).

Version 3: the XML stops at 1:2 and no 1:3 schema file has been published. ccxt 4.5.90 requests 1:3 and its
decoder (ccxt/pro/paradex.py, parse_sbe_market_summary) names exactly one 1:3 change: MarketSummaryEvent gains
settlementTwapEstimate, a Price8NULL read at frame offset 248 (block offset 240) when the block is 248 bytes
("240 before 1:3"); no Paradex source confirms it. The XML reader below therefore
treats 1:3 as 1:2 plus that one field, stated in V3_ADDITIONS, and nothing else changes at 1:3.
"""
import asyncio
import json
import os
import random
import struct
import xml.etree.ElementTree as ET
from decimal import ROUND_DOWN, Decimal, localcontext

import aiohttp
import ccxt.pro
import pytest

from ccxt_paradex.core import curve
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim import sbe_encode as sbe
from conftest import DATA
from simclient import RawClient

XML = os.path.join(DATA, "sbe", "paradex_1_2.xml")  # paradex-py's schema file (MIT, see LICENSE-paradex-py)
NULL = -(1 << 63)
PRIM = {"int8": 1, "uint8": 1, "char": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4, "int64": 8, "uint64": 8}
SCALES = {"Price8": 8, "Qty8": 8, "Value8": 8, "Rate8": 8, "Rate12": 12}
MARKETS = ["BTC-USD-PERP", "ETH-USD-PERP", "kBONK-USD-PERP", "BTC-USD-27MAR26-80000-C"]
GREEKS = ("delta", "gamma", "vega", "theta", "rho", "volga", "vanna")
CCXT_KINDS = ["trades", "order_book", "markets_summary", "funding_data", "orders", "fills", "positions", "account"]
# template id -> fields appended at 1:3 (name, XML type, sinceVersion, explicit offset): ccxt's decoder, not the XML
V3_ADDITIONS = {4: [("settlementTwapEstimate", "Price8NULL", 3, None)]}


# ---- the schema, read from the XML ------------------------------------------------------------------
class Schema:
    def __init__(self, path):
        root = ET.parse(path).getroot()
        self.sizes, self.signed, self.enums, self.sets = dict(PRIM), {p: p.startswith("int") for p in PRIM}, {}, {}
        for el in root.find("types"):
            name = el.get("name")
            if el.tag == "type":
                self.sizes[name] = PRIM[el.get("primitiveType")] * int(el.get("length", 1))
                self.signed[name] = el.get("primitiveType").startswith("int")
            elif el.tag == "composite":
                parts = [t for t in el if t.get("presence") != "constant"]
                self.sizes[name] = sum(PRIM[t.get("primitiveType")] * int(t.get("length", 1)) for t in parts)
                self.signed[name] = parts[0].get("primitiveType").startswith("int")
            elif el.tag == "enum":
                self.sizes[name], self.signed[name] = PRIM[el.get("encodingType")], False
                self.enums[name] = {v.get("name"): int(v.text) for v in el}
            elif el.tag == "set":
                self.sizes[name], self.signed[name] = PRIM[el.get("encodingType")], False
                self.sets[name] = {c.get("name"): (int(c.text), int(c.get("sinceVersion", 0))) for c in el}
        self.messages = {}
        for msg in root.findall("{http://fixprotocol.io/2016/sbe}message"):
            self.messages[int(msg.get("id"))] = {
                "name": msg.get("name"),
                "fields": [(f.get("name"), f.get("type"), int(f.get("sinceVersion", 0)), f.get("offset"))
                           for f in msg.findall("field")],
                "groups": [(g.get("name"), [(f.get("name"), f.get("type")) for f in g.findall("field")])
                           for g in msg.findall("group")],
                "data": [(d.get("name"), int(d.get("sinceVersion", 0))) for d in msg.findall("data")]}
        for tid, fields in V3_ADDITIONS.items():
            self.messages[tid]["fields"].extend(fields)

    def layout(self, tid, version):
        out, offset = [], 0
        for name, typ, since, explicit in self.messages[tid]["fields"]:
            if since <= version:
                offset = int(explicit) if explicit is not None else offset
                out.append((name, offset, typ))
                offset += self.sizes[typ]
        return out, offset

    def decode(self, frame):
        """Every field, group and var-data string of a frame, read by the XML layout of its header version."""
        block, tid, schema_id, version = struct.unpack_from("<HHHH", frame)
        layout, size = self.layout(tid, version)
        assert schema_id == 1 and block == size and len(frame) >= 8 + block
        out = {"_header": (block, tid, version)}
        for name, offset, typ in layout:
            raw = frame[8 + offset:8 + offset + self.sizes[typ]]
            out[name] = raw if typ == "AccountAddress" else int.from_bytes(raw, "little", signed=self.signed[typ])
        pos = 8 + block
        for name, fields in self.messages[tid]["groups"]:
            entry, count = struct.unpack_from("<HH", frame, pos)
            assert entry == sum(self.sizes[t] for _, t in fields)
            out[name] = [struct.unpack_from("<qq", frame, pos + 4 + i * entry) for i in range(count)]
            pos += 4 + count * entry
        for name, since in self.messages[tid]["data"]:
            if since <= version:
                out[name] = frame[pos + 1:pos + 1 + frame[pos]].decode()
                pos += 1 + frame[pos]
        assert pos == len(frame), "trailing bytes or truncated var-data"
        return out


@pytest.fixture(scope="module")
def schema():
    return Schema(XML)


@pytest.fixture(scope="module")
def ccxt_paradex():
    return ccxt.pro.paradex()


# ---- the JSON -> field mapping, written from the schema's field tables (independent of sbe_encode) --------------
def key(*path):
    def get(d, v):
        for p in path:
            d = d.get(p) if isinstance(d, dict) else None
        return d
    return get


def nonzero(name):
    return lambda d, v: None if d.get(name) in (None, "") or Decimal(d[name]) == 0 else d[name]


def low64(d, v):
    return (int(d["id"]) + (1 << 63)) % (1 << 64) - (1 << 63)


NONE = key("__absent__")
BOOK_BEST = {f"best{s}{k}{f}": key(f"best_{s.lower()}_{'api' if k else 'interactive'}", f.lower())
             for s in ("Bid", "Ask") for k in ("", "Api") for f in ("Price", "Size")}
MAPPING = {
    1: dict(ts=key("created_at"), seq=key("seq_no"), tradeId=low64, side=key("side"), price=key("price"),
            size=key("size"), createdAt=key("created_at"), tradeType=key("trade_type"), market=key("market"),
            tradeIdStr=key("id")),
    2: dict(ts=key("last_updated_at"), seq=key("seq_no"), bidPrice=key("bid"), bidSize=key("bid_size"),
            askPrice=key("ask"), askSize=key("ask_size"), market=key("market")),
    3: dict(ts=key("last_updated_at"), seq=key("seq_no"), relativeSpread=key("relative_spread"), market=key("market"),
            pkgType=lambda d, v: {"s": "SNAPSHOT", "d": "DELTA"}[d["update_type"]], **BOOK_BEST),
    4: dict(ts=key("created_at"), seq=key("seq_no"), markPrice=key("mark_price"), indexPrice=key("underlying_price"),
            lastPrice=key("last_traded_price"), volumeUsd24h=key("volume_24h"), openInterest=key("open_interest"),
            fundingRate=key("funding_rate"), bid=key("bid"), ask=key("ask"), totalVolume=key("total_volume"),
            priceChangeRate24h=key("price_change_rate_24h"), markIv=key("mark_iv"), bidIv=key("bid_iv"),
            askIv=key("ask_iv"), lastIv=key("last_iv"), futureFundingRate=key("future_funding_rate"),
            externalFairPrice=key("external_fair_price"), bidSize=key("bid_size"), askSize=key("ask_size"),
            forwardRate=key("forward_rate"), riskFreeRate=key("risk_free_rate"),
            fundingRatePrecise=key("funding_rate"), settlementTwapEstimate=key("settlement_twap_estimate"),
            market=key("symbol"),
            **{g: key("greeks", g) for g in GREEKS}),
    5: dict(ts=key("created_at"), seq=key("seq_no"), fundingRate=key("funding_rate"), fundingIndex=key("funding_index"),
            createdAt=key("created_at"), fundingPremium=key("funding_premium"), fundingRate8h=key("funding_rate_8h"),
            fundingPeriodHours=key("funding_period_hours"), impactPremiumRate=key("impact_premium_rate"),
            market=key("market")),
    6: dict(ts=key("last_updated_at"), lastUpdatedAt=key("last_updated_at"),
            hourlyFundingRate=key("hourly_funding_rate"), assetKind=key("asset_kind"), source=key("source"),
            market=key("symbol")),
    20: dict(ts=key("published_at"), seq=key("seq_no"), status=key("status"), side=key("side"), orderType=key("type"),
             timeInForce=key("instruction"), price=nonzero("price"), triggerPrice=nonzero("trigger_price"),
             size=key("size"), sizeOpen=key("remaining_size"), avgFillPrice=nonzero("avg_fill_price"),
             createdAt=key("created_at"), updatedAt=key("last_updated_at"), account=key("account"),
             receivedAt=key("received_at"), publishedAt=key("published_at"),
             stp=lambda d, v: d.get("stp") or "NONE", flags=key("flags"),
             requestStatus=lambda d, v: key("request_info", "status")(d, v) or "UNSPECIFIED",
             requestType=lambda d, v: key("request_info", "request_type")(d, v) or "UNSPECIFIED",
             orderId=key("id"), clientOrderId=key("client_id"), market=key("market"),
             cancelReason=key("cancel_reason"), requestId=key("request_info", "id"),
             requestMessage=key("request_info", "message")),
    21: dict(ts=key("created_at"), seq=lambda d, v: d.get("orderbook_seq_no", NULL if v >= 2 else None),
             fillType=key("fill_type"), side=key("side"), liquidity=key("liquidity"), price=key("price"),
             size=key("size"), fee=key("fee"), realizedPnl=key("realized_pnl"), createdAt=key("created_at"),
             account=key("account"), underlyingPrice=key("underlying_price"),
             realizedFunding=key("realized_funding"), flags=key("flags"), orderbookSeqNo=key("orderbook_seq_no"),
             fillId=key("id"), orderId=key("order_id"), clientOrderId=key("client_id"), tradeId=key("trade_id"),
             market=key("market"), feeCurrency=key("fee_currency")),
    22: dict(ts=key("last_updated_at"), seq=key("seq_no"), side=key("side"), size=lambda d, v: d["size"].lstrip("-"),
             avgEntryPrice=key("average_entry_price"), unrealizedPnl=key("unrealized_pnl"),
             realizedPnl=key("realized_positional_pnl"), liquidationPrice=key("liquidation_price"),
             leverage=key("leverage"), updatedAt=key("last_updated_at"), account=key("account"),
             avgEntryPriceUsd=key("average_entry_price_usd"), cost=key("cost"), costUsd=key("cost_usd"),
             cachedFundingIndex=key("cached_funding_index"), unrealizedFundingPnl=key("unrealized_funding_pnl"),
             status=key("status"), market=key("market"), lastFillId=key("last_fill_id")),
    23: dict(ts=key("updated_at"), seq=key("seq_no"), totalCollateral=key("total_collateral"),
             freeCollateral=key("free_collateral"), initialMarginReq=key("initial_margin_requirement"),
             maintenanceMarginReq=key("maintenance_margin_requirement"), accountValue=key("account_value"),
             updatedAt=key("updated_at"), account=key("account"), marginCushion=key("margin_cushion"),
             status=key("status"), lastSeenNotification=key("last_seen_notification"),
             settlementAsset=key("settlement_asset")),
}


def wire(schema, typ, value, version):
    """What a field of XML type ``typ`` must hold for the JSON ``value``."""
    base = typ[:-4] if typ.endswith("NULL") else typ
    if base in SCALES:
        if value in (None, ""):
            return NULL
        with localcontext() as ctx:
            ctx.prec = 100
            return int(Decimal(value).scaleb(SCALES[base]).to_integral_value(ROUND_DOWN))
    if typ == "Timestamp":
        return 0 if value is None else value * 1000
    if typ in ("int64", "uint64", "int16"):
        return 0 if value is None else value
    if typ == "AccountAddress":
        return bytes.fromhex(value[2:].rjust(64, "0"))
    if typ in schema.enums:
        values = schema.enums[typ]
        name = {"LONG": "BUY", "SHORT": "SELL", "TRANSFER": "UNWIND_TRANSFER"}.get(value, value)
        return values.get(name, values.get("NON_REPRESENTABLE", 0))
    choices, bits = schema.sets[typ], 0
    for flag in value or ():
        bit, since = choices.get(flag.upper(), choices.get("UNKNOWN", (None, 0)))
        bits |= (1 << bit) if bit is not None and since <= version else 0
    return bits


def book_groups(d):
    levels = [(lvl, "0" if part == "deletes" else lvl["size"]) for part in ("inserts", "updates", "deletes")
              for lvl in d[part]]
    return {side: [(wire(None, "Price8", lvl["price"], 0), wire(None, "Qty8", size, 0))
                   for lvl, size in levels if lvl["side"] == s] for side, s in (("bids", "BUY"), ("asks", "SELL"))}


# ---- random channel payloads ------------------------------------------------------------------------
def dec(rng, hi=10 ** 6, neg=False, null=0.0, dps=(0, 2, 8, 10)):
    if rng.random() < null:
        return ""
    dp = rng.choice(dps)
    q = rng.randrange(hi * 10 ** dp) * (-1 if neg and rng.random() < 0.5 else 1)
    return format(Decimal(q).scaleb(-dp).normalize(), "f") if q else "0"


def ms(rng):
    return rng.randrange(1_600_000_000_000, 1_900_000_000_000)


def addr(rng):
    return hex(rng.getrandbits(rng.choice((64, 251))) | 1)


def ident(rng, digits=28):
    return str(rng.randrange(10 ** (digits - 1), 10 ** digits))


def make(kind, rng):
    m, side = rng.choice(MARKETS), rng.choice(["BUY", "SELL"])
    if kind == "trades":
        return {"id": ident(rng), "market": m, "side": side, "size": dec(rng, 1000), "price": dec(rng),
                "created_at": ms(rng), "trade_type": rng.choice(["FILL", "LIQUIDATION", "RPI", "BLOCK_TRADE"]),
                "seq_no": rng.randrange(1 << 40)}
    if kind == "bbo":
        return {"market": m, "bid": dec(rng, null=0.2), "bid_size": dec(rng, 100, null=0.2), "ask": dec(rng, null=0.2),
                "ask_size": dec(rng, 100, null=0.2), "seq_no": rng.randrange(1 << 40), "last_updated_at": ms(rng)}
    if kind == "order_book":
        levels = lambda s, n: [{"side": s, "price": dec(rng), "size": dec(rng, 50)} for _ in range(n)]  # noqa: E731
        snapshot = rng.random() < 0.6
        d = {"seq_no": rng.randrange(1 << 40), "market": m, "last_updated_at": ms(rng),
             "update_type": "s" if snapshot else "d",
             "inserts": levels("BUY", rng.randrange(16)) + levels("SELL", rng.randrange(16)),
             "updates": [] if snapshot else levels(side, rng.randrange(4)),
             "deletes": [] if snapshot else [dict(lvl, size=rng.choice(["0", lvl["size"]])) for lvl in levels(side, 3)]}
        if rng.random() < 0.4:
            for name in ("best_bid_interactive", "best_ask_interactive", "best_bid_api", "best_ask_api"):
                d[name] = {"side": "BUY" if "bid" in name else "SELL", "price": dec(rng), "size": dec(rng, 50)}
            d["relative_spread"] = dec(rng, 1)
        return d
    if kind == "markets_summary":
        d = {"symbol": m, "mark_price": dec(rng), "last_traded_price": dec(rng), "underlying_price": dec(rng),
             "bid": dec(rng, null=0.2), "bid_size": dec(rng, 100, null=0.2), "ask": dec(rng, null=0.2),
             "ask_size": dec(rng, 100, null=0.2), "volume_24h": dec(rng, 10 ** 9), "total_volume": dec(rng, 10 ** 10),
             "open_interest": dec(rng, 10 ** 5), "funding_rate": dec(rng, 1, neg=True, dps=(12, 14)),
             "future_funding_rate": dec(rng, 1, neg=True, null=0.3), "price_change_rate_24h": dec(rng, 1, neg=True),
             "created_at": ms(rng)}
        if rng.random() < 0.5:  # an option
            d.update({k: dec(rng, 5) for k in ("mark_iv", "bid_iv", "ask_iv", "last_iv", "forward_rate",
                                                "risk_free_rate", "external_fair_price")})
            d["greeks"] = {g: dec(rng, 10, neg=True) for g in GREEKS}
            if rng.random() < 0.5:  # a dated market inside its pre-expiry settlement window
                d["settlement_twap_estimate"] = dec(rng)
        return d
    if kind == "funding_data":
        d = {"market": m, "funding_rate": dec(rng, 1, neg=True, dps=(8, 12)), "funding_rate_8h": dec(rng, 1, neg=True),
             "funding_period_hours": rng.choice([1, 4, 8]), "funding_index": dec(rng, 10 ** 8, neg=True),
             "funding_premium": dec(rng, 10, neg=True), "created_at": ms(rng), "seq_no": rng.randrange(1 << 30)}
        if rng.random() < 0.5:
            d["impact_premium_rate"] = dec(rng, 1, neg=True)
        return d
    if kind == "funding_rate_comparison":
        return {"symbol": m, "last_updated_at": ms(rng), "hourly_funding_rate": dec(rng, 1, neg=True, dps=(12, 13)),
                "asset_kind": rng.choice(["PERPETUAL_FUTURE", "OPTION", "SPOT", "SOMETHING_NEW"]),
                "source": rng.choice(["PARADEX", "BINANCE", "HYPERLIQUID", "STORK", "NEW_VENUE"])}
    if kind == "orders":
        t = rng.choice(["LIMIT", "MARKET", "STOP_LIMIT", "TAKE_PROFIT_MARKET"])
        d = {"id": ident(rng), "account": addr(rng), "market": m, "client_id": rng.choice(["", "c-ü" + ident(rng, 6)]),
             "side": side, "type": t, "size": dec(rng, 100), "remaining_size": dec(rng, 100),
             "price": "0" if t.endswith("MARKET") else dec(rng), "avg_fill_price": rng.choice(["0", dec(rng)]),
             "trigger_price": "0" if t in ("LIMIT", "MARKET") else dec(rng),
             "instruction": rng.choice(["GTC", "IOC", "POST_ONLY", "RPI"]),
             "flags": rng.sample(list(sbe.SETS["OrderFlags"]), rng.randrange(3)),
             "stp": rng.choice([None, "EXPIRE_MAKER", "EXPIRE_BOTH"]), "status": rng.choice(["NEW", "OPEN", "CLOSED"]),
             "cancel_reason": rng.choice(["", "USER_CANCELED"]), "timestamp": ms(rng), "received_at": ms(rng),
             "created_at": ms(rng), "last_updated_at": ms(rng), "published_at": ms(rng), "seq_no": rng.randrange(100)}
        if rng.random() < 0.3:
            d["request_info"] = {"id": ident(rng, 10), "request_type": "MODIFY_ORDER",
                                 "status": rng.choice(["PENDING", "SUCCESS", "REJECTED"]),
                                 "message": rng.choice(["", "nope"])}
        return d
    if kind == "fills":
        d = {"id": ident(rng), "account": addr(rng), "market": m, "order_id": ident(rng), "client_id": "",
             "trade_id": ident(rng), "side": side, "liquidity": rng.choice(["MAKER", "TAKER"]),
             "fill_type": rng.choice(["FILL", "LIQUIDATION", "TRANSFER", "SETTLE_MARKET"]), "price": dec(rng),
             "size": dec(rng, 100), "fee": dec(rng, 100, neg=True), "fee_currency": rng.choice(["USDC", "DIME"]),
             "realized_pnl": dec(rng, 10 ** 4, neg=True, null=0.3), "realized_funding": dec(rng, 10, neg=True),
             "underlying_price": dec(rng), "created_at": ms(rng),
             "flags": rng.sample(["interactive", "rpi", "fastfill", "mystery"], rng.randrange(3))}
        if rng.random() < 0.8:  # a position transfer has no orderbook sequence
            d["orderbook_seq_no"] = rng.randrange(1 << 40)
        return d
    if kind == "positions":
        size, account = dec(rng, 100, neg=True), addr(rng)
        return {"id": f"{account}-{m}", "account": account, "market": m, "status": "OPEN" if size != "0" else "CLOSED",
                "side": "SHORT" if size.startswith("-") else "LONG", "size": size,
                "average_entry_price": dec(rng), "average_entry_price_usd": dec(rng),
                "unrealized_pnl": dec(rng, 10 ** 4, neg=True), "unrealized_funding_pnl": dec(rng, 10, neg=True),
                "realized_positional_pnl": dec(rng, 10 ** 4, neg=True), "cost": dec(rng, 10 ** 6, neg=True),
                "cost_usd": dec(rng, 10 ** 6, neg=True), "cached_funding_index": dec(rng, 10 ** 4, neg=True),
                "leverage": str(rng.randrange(1, 51)), "liquidation_price": dec(rng, null=0.5),
                "last_fill_id": ident(rng), "last_updated_at": ms(rng), "seq_no": rng.randrange(1000),
                "mark_price": dec(rng)}  # not a JSON position field; markPrice stays null regardless
    if kind == "account":
        return {"account": addr(rng), "account_value": dec(rng, 10 ** 7, neg=True),
                "free_collateral": dec(rng, 10 ** 7, neg=True), "initial_margin_requirement": dec(rng, 10 ** 6),
                "maintenance_margin_requirement": dec(rng, 10 ** 6), "margin_cushion": dec(rng, 10 ** 7, neg=True),
                "total_collateral": dec(rng, 10 ** 7), "settlement_asset": "USDC",
                "status": rng.choice(["ACTIVE", "LIQUIDATION"]), "seq_no": rng.randrange(1000),
                "updated_at": ms(rng), "last_seen_notification": ms(rng)}
    raise AssertionError(kind)


def payloads(kind, seed, n=25):
    rng = random.Random(f"{kind}-{seed}")
    return [make(kind, rng) for _ in range(n)]


def versions(tid):
    return [v for v in sbe.VERSIONS if v >= sbe.MESSAGES[tid].since]


# ---- tests ------------------------------------------------------------------------------------------
def test_layouts_enums_and_sets_match_the_xml(schema):
    assert set(schema.messages) - set(sbe.MESSAGES) == {41}  # SubscribedEvent is reserved, never sent
    for tid, message in sbe.MESSAGES.items():
        xml = schema.messages[tid]
        assert message.name == xml["name"]
        for version in versions(tid):
            layout, size = schema.layout(tid, version)
            assert sbe.layout(tid, version) == layout, (message.name, version)
            assert sbe.block_length(tid, version) == size
            assert [n for n, _, s in message.var_data if s <= version] == [n for n, s in xml["data"] if s <= version]
        assert bool(message.groups) == bool(xml["groups"])
    for name, values in schema.enums.items():
        if name in sbe.ENUMS:  # ReduceOnly is defined but used by no message
            assert {k: sbe.ENUMS[name][k] for k in values if k != "NON_REPRESENTABLE"} == \
                {k: v for k, v in values.items() if k != "NON_REPRESENTABLE"}, name
            assert set(sbe.ENUMS[name].values()) <= set(values.values()), name
    assert sbe.SETS == schema.sets
    # the expected block lengths per version 0-3, written out by hand (3: ccxt's decoder)
    assert {t: [sbe.block_length(t, v) for v in versions(t)] for t in (4, 5, 20, 21, 23)} == {
        4: [216, 240, 240, 248], 5: [58, 66, 66, 66], 20: [126, 126, 128, 128], 21: [107, 107, 116, 116],
        23: [113, 113, 121, 121]}
    assert sbe.VERSIONS == (0, 1, 2, 3)
    # 1:3 is 1:2 plus settlementTwapEstimate at block offset 240 and nothing else
    for tid in sbe.MESSAGES:
        v2, v3 = sbe.layout(tid, 2), sbe.layout(tid, 3)
        added = v3[len(v2):]
        assert v3[:len(v2)] == v2 and added == ([("settlementTwapEstimate", 240, "Price8NULL")] if tid == 4 else [])


@pytest.mark.parametrize("kind", [*sbe.KINDS, "heartbeat"])
def test_every_field_against_an_xml_driven_decoder(schema, kind):
    tid = sbe.KINDS.get(kind, 40)
    items = [{"seq": s} for s in (0, 1, 2 ** 40)] if kind == "heartbeat" else payloads(kind, 1)
    mapping = MAPPING.get(tid, {"seq": key("seq")})
    for version in versions(tid):
        for d in items:
            ts_us = 1_791_906_071_000_123 if kind == "heartbeat" else None
            frame = sbe.encode_heartbeat(ts_us, d["seq"], version) if ts_us else sbe.encode(kind, d, version)
            got = schema.decode(frame)
            assert got["_header"] == (schema.layout(tid, version)[1], tid, version)
            for name, _, typ in schema.layout(tid, version)[0]:
                value = mapping.get(name, NONE)(d, version)
                want = ts_us if name == "ts" and ts_us else wire(schema, typ, value, version)
                assert got[name] == want, (kind, version, name, d)
            for name, since in schema.messages[tid]["data"]:
                assert got.get(name) == (str(mapping[name](d, version) or "") if since <= version else None), name
            if tid == 3:
                assert {k: got[k] for k in ("bids", "asks")} == book_groups(d)


def _norm(value, truncate=False):
    """Comparable form of a JSON value: None for null/empty, sets for flag lists, Decimal for numbers."""
    if value in (None, ""):
        return None
    if isinstance(value, list):
        return set(value)
    try:
        d = Decimal(str(value))
    except ArithmeticError:
        return value
    return d.quantize(Decimal("1e-8"), ROUND_DOWN) if truncate and d.as_tuple().exponent < -8 else d


CCXT_OVERRIDES = {
    "trades": {"id": lambda d, v: d["id"] if v >= 2 else None},
    "markets_summary": {"settlement_twap_estimate": lambda d, v: d.get("settlement_twap_estimate") if v >= 3 else None},
    "orders": {"price": nonzero("price"), "trigger_price": nonzero("trigger_price"),
               "avg_fill_price": nonzero("avg_fill_price"), "timestamp": key("published_at"),
               "stp": lambda d, v: d["stp"] or "NONE",
               "flags": lambda d, v: [f for f in d["flags"] if v >= 2 or f != "MMP"]},
    "fills": {"fill_type": lambda d, v: {"TRANSFER": "UNWIND_TRANSFER"}.get(d["fill_type"], d["fill_type"]),
              "fee_currency": lambda d, v: d["fee_currency"] if v >= 2 else None,
              "orderbook_seq_no": lambda d, v: d.get("orderbook_seq_no", 0),
              "flags": lambda d, v: [f if f in ("interactive", "rpi", "fastfill") else "unknown" for f in d["flags"]]},
}


@pytest.mark.parametrize("version", sbe.VERSIONS)
@pytest.mark.parametrize("kind", CCXT_KINDS)
def test_ccxt_builtin_decoder_reads_what_was_encoded(ccxt_paradex, kind, version):
    decoded = 0
    for d in payloads(kind, 2 + version, 40):
        parsed = ccxt_paradex.parse_sbe_message(sbe.encode(kind, d, version))
        if kind == "order_book" and d["update_type"] == "d":
            assert parsed is None  # ccxt decodes snapshots only
            continue
        channel, out = parsed["params"]["channel"], parsed["params"]["data"]
        market = d.get("market") or d.get("symbol")
        assert channel == {"trades": f"trades.{market}", "order_book": f"order_book.{market}.snapshot@15@100ms",
                           "orders": f"orders.{market}", "fills": f"fills.{market}"}.get(kind, kind)
        overrides = CCXT_OVERRIDES.get(kind, {})
        for name, got in out.items():
            if name == "inserts":
                want = [lvl for s in ("BUY", "SELL") for lvl in d["inserts"] if lvl["side"] == s]
                assert [(x["side"], Decimal(x["price"]), Decimal(x["size"])) for x in got] == \
                    [(x["side"], _norm(x["price"], True), _norm(x["size"], True)) for x in want]
                continue
            want = overrides[name](d, version) if name in overrides else d.get(name)
            assert _norm(got) == _norm(want, truncate=True), (kind, version, name, got, want)
        assert len(out) >= 7
        if kind == "orders":
            assert ("cancel_reason" in out) == (d["cancel_reason"] != "")
        if kind == "fills":
            assert ("flags" in out) == ("orderbook_seq_no" in out) == (version >= 2)
        if kind == "account":
            assert ("last_seen_notification" in out) == (version >= 2)
        if kind == "markets_summary" and version >= 3 and d.get("settlement_twap_estimate"):
            assert out["settlement_twap_estimate"] is not None
        decoded += 1
    assert decoded >= 15


def test_spec_vectors():
    ts = 1791906071000123
    bbo = {"market": "BTC-USD-PERP", "seq_no": 7687292570, "bid": "64852.9", "bid_size": "0.5", "ask": "64853.0",
           "ask_size": "1.2"}
    assert sbe.encode("bbo", bbo, 1, ts_us=ts).hex() == (
        "30000200010001003b34d5a4ba5d06009ac632ca01000000801e68f9e505000080f0fa020000000000b500fae505000000"
        "0e2707000000000c4254432d5553442d50455250")
    book = {"market": "BTC-USD-PERP", "seq_no": 7687292571, "update_type": "s", "updates": [], "deletes": [],
            "inserts": [{"side": "BUY", "price": "64852.9", "size": "0.5"},
                        {"side": "SELL", "price": "64853.0", "size": "1.2"}]}
    assert sbe.encode_book(book, 1, ts_us=ts).hex() == (
        "59000300010001003b34d5a4ba5d06009bc632ca01000000000000000000000080" + "0000000000000080" * 8 +
        "10000100801e68f9e505000080f0fa02000000001000010000b500fae5050000000e2707000000000c4254432d5553442d50455250")


def test_scaling_nulls_saturation_and_version_gates():
    assert sbe.mantissa("42000.50") == 4200050000000 and sbe.mantissa("0.001") == 100000
    assert sbe.mantissa("0.0001") == 10000 and sbe.mantissa("0.00010000001298", 12) == 100000012
    assert sbe.mantissa("-0.000000019") == -1 and sbe.mantissa("1E+2") == 10 ** 10
    assert sbe.mantissa("") == sbe.mantissa(None) == NULL
    assert sbe.mantissa("92233720368.54775807") == sbe.mantissa("1e40") == 2 ** 63 - 1
    assert sbe.mantissa("-1e40") == NULL + 1
    with pytest.raises(ValueError):
        sbe.mantissa("NaN")
    with pytest.raises(ValueError):
        sbe.encode("funding_rate_comparison", {}, 0)
    with pytest.raises(ValueError):
        sbe.encode("trades", {}, 4)
    with pytest.raises(ValueError):
        sbe.encode("nope", {}, 2)
    long_name = "ü" * 200  # 400 bytes: cut to whole characters within 255
    frame = sbe.encode("bbo", {"market": long_name}, 2)
    assert frame[8 + 48] == 254 and frame[8 + 49:].decode() == "ü" * 127


@pytest.mark.parametrize("version", [2, 3])
async def test_simulator_streams_sbe_frames_ccxt_decodes(schema, ccxt_paradex, version):
    market = "BTC-USD-PERP"
    channels = [f"trades.{market}", f"bbo.{market}", f"order_book.{market}.snapshot@15@50ms",
                f"markets_summary.{market}", f"funding_data.{market}"]
    seen = {}
    async with Simulator(seed=7, tick_interval=0.02, funding_interval=0.2, summary_interval=0.2) as sim, \
            aiohttp.ClientSession() as session, \
            session.ws_connect(sim.ws_url + f"?sbeSchemaId=1&sbeSchemaVersion={version}") as ws:
        for i, channel in enumerate(channels):
            await ws.send_str(json.dumps({"jsonrpc": "2.0", "method": "subscribe", "params": {"channel": channel},
                                          "id": i}))
        acks = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while (len(seen) < 5 or acks < len(channels)) and loop.time() < deadline:
            msg = await ws.receive(timeout=5)
            if msg.type == aiohttp.WSMsgType.TEXT:
                assert "result" in json.loads(msg.data), msg.data
                acks += 1
                continue
            assert msg.type == aiohttp.WSMsgType.BINARY
            frame = msg.data
            raw = schema.decode(frame)
            assert raw["_header"][2] == version and raw["market"] == market
            seen.setdefault(raw["_header"][1], []).append((raw, ccxt_paradex.parse_sbe_message(frame)))
    assert set(seen) == {1, 2, 3, 4, 5}, sorted(seen)
    for raw, parsed in seen[1]:
        trade = parsed["params"]["data"]
        assert Decimal(trade["price"]) > 0 and Decimal(trade["size"]) > 0 and trade["side"] in ("BUY", "SELL")
        assert trade["id"] and raw["seq"] > 0
    two_sided = [raw for raw, _ in seen[2] if NULL not in (raw["bidPrice"], raw["askPrice"])]
    assert two_sided and all(0 < r["bidPrice"] < r["askPrice"] and r["bidSize"] > 0 and r["askSize"] > 0
                             for r in two_sided)
    assert all((r["bidPrice"] == NULL) == (r["bidSize"] == NULL) for r, _ in seen[2])
    for _, parsed in seen[3]:
        book = parsed["params"]["data"]
        bids = [Decimal(x["price"]) for x in book["inserts"] if x["side"] == "BUY"]
        asks = [Decimal(x["price"]) for x in book["inserts"] if x["side"] == "SELL"]
        assert 0 < len(bids) <= 15 and 0 < len(asks) <= 15
        assert bids == sorted(bids, reverse=True) and asks == sorted(asks) and bids[0] < asks[0]
        assert all(Decimal(x["size"]) > 0 for x in book["inserts"])
    for _, parsed in seen[4]:
        assert Decimal(parsed["params"]["data"]["mark_price"]) > 0
    for raw, parsed in seen[4]:  # ccxt reads the 8dp fundingRate; the 12dp fundingRatePrecise agrees with it
        precise = Decimal(raw["fundingRatePrecise"]).scaleb(-12)
        assert precise.quantize(Decimal("1e-8"), ROUND_DOWN) == Decimal(parsed["params"]["data"]["funding_rate"])
        # a perpetual has no settlement window: null at 1:3, absent before
        assert raw.get("settlementTwapEstimate", "absent") == (NULL if version >= 3 else "absent")
        assert parsed["params"]["data"]["settlement_twap_estimate"] is None
    for raw, parsed in seen[5]:
        assert parsed["params"]["data"]["funding_period_hours"] == raw["fundingPeriodHours"] > 0


async def test_handshake_accepts_versions_0_to_3_and_refuses_4():
    async with Simulator(seed=8, liquidity=False, funding_interval=0, summary_interval=0) as sim, \
            aiohttp.ClientSession() as session:
        for version in (0, 1, 2, 3):
            async with session.ws_connect(sim.ws_url + f"?sbeSchemaId=1&sbeSchemaVersion={version}") as ws:
                assert not ws.closed
        for query in ("?sbeSchemaId=1&sbeSchemaVersion=4", "?sbeSchemaId=1&sbeSchemaVersion=-1",
                      "?sbeSchemaId=2&sbeSchemaVersion=3"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as err:
                await session.ws_connect(sim.ws_url + query)
            assert err.value.status == 400, query


async def test_fill_trade_id_reaches_the_sbe_fill_event_only(schema):
    """The engine's fill event carries the trade id for FillEvent.tradeId; FillResult (REST /fills and the JSON
    fills channel, Paradex OpenAPI) has no trade_id, so neither of those shows it."""
    events = []
    async with Simulator(seed=9, tick_interval=0, funding_interval=0, summary_interval=0) as sim, \
            aiohttp.ClientSession() as session:
        sim.engine.listeners.append(lambda kind, market, p: kind in ("trade", "fill") and events.append((kind, p)))
        client = RawClient(sim, session, random.Random(9).randrange(1, curve.EC_ORDER))
        await client.onboard()
        await client.authenticate()
        async with session.ws_connect(sim.ws_url + "?sbeSchemaId=1&sbeSchemaVersion=3") as ws:
            await ws.send_str(json.dumps({"jsonrpc": "2.0", "method": "auth", "params": {"bearer": client.jwt},
                                          "id": 1}))
            await ws.send_str(json.dumps({"jsonrpc": "2.0", "method": "subscribe",
                                          "params": {"channel": "fills.ALL"}, "id": 2}))
            acks = 0
            while acks < 2:
                assert "result" in json.loads((await ws.receive(timeout=5)).data)
                acks += 1
            status, _, _ = await client.place("BTC-USD-PERP", "BUY", "MARKET", "0.01")
            assert status == 201
            pushed = json.loads((await ws.receive(timeout=5)).data)["params"]["data"]  # private: JSON text
        status, rest_fills, _ = await client.request("GET", "/fills")
        assert status == 200 and rest_fills["results"]
    trade_ids = {p["id"] for kind, p in events if kind == "trade"}
    fills = [p for kind, p in events if kind == "fill"]
    assert fills and all(f["trade_id"] in trade_ids for f in fills)
    assert "trade_id" not in pushed and pushed["id"] == fills[0]["id"]
    assert all("trade_id" not in f for f in rest_fills["results"])
    for f in fills:
        assert schema.decode(sbe.encode("fills", f, 3))["tradeId"] == f["trade_id"]
