"""core.sbe against the official schema XML, ccxt's built-in decoder and two encoded test vectors.

Frames come from a small encoder in this file whose layouts are read from paradex_1_2.xml (never
from core.sbe), filled with seeded random values. Every decode is checked against the values that
were encoded and, field for field, against ccxt.pro.paradex.parse_sbe_message on the same bytes.
"""
import os
import random
import re
import struct
import xml.etree.ElementTree as ET
from decimal import Decimal

import ccxt.pro
import pytest
from ccxt.base.errors import BadResponse

from conftest import DATA
from ccxt_paradex.core import sbe

XML = os.path.join(DATA, "sbe", "paradex_1_2.xml")  # paradex-py's schema file (MIT, see LICENSE-paradex-py)
NULL, INT64_MAX = -(1 << 63), (1 << 63) - 1
CODES = {"int64": "q", "uint64": "Q", "int16": "h", "uint8": "B"}
# the XML gives FundingRateComparisonEvent no sinceVersion; its header says it was added in 1:1
INTRODUCED = {6: 1}
# in-place 1:2 additions (XML header): a 1:2 frame may carry them or not
IN_PLACE_1_2 = {1: {"tradeIdStr"}, 20: {"requestStatus", "requestType", "requestId", "requestMessage"},
                23: {"lastSeenNotification"}}
# 1:3 exists only in ccxt (and the API notes): MarketSummaryEvent.settlementTwapEstimate, Price8NULL
V3_EXTRA = {4: ("settlementTwapEstimate", "q", ("dec", 8, True))}
CANONICAL = re.compile(r"-?(0|[1-9]\d*)(\.\d*[1-9])?")


def load_schema():
    root = ET.parse(XML).getroot()
    types = root.find("types")
    kinds = {"Timestamp": ("q", ("ts",)), "AccountAddress": ("32s", ("addr",))}
    for c in types.findall("composite"):
        parts = {t.get("name"): t for t in c.findall("type")}
        if "mantissa" in parts:
            kinds[c.get("name")] = ("q", ("dec", -int(parts["exponent"].text),
                                          parts["mantissa"].get("presence") == "optional"))
    enums = {e.get("name"): {int(v.text): v.get("name") for v in e.findall("validValue")}
             for e in types.findall("enum")}
    sets = {s.get("name"): {int(c.text): c.get("name") for c in s.findall("choice")} for s in types.findall("set")}
    for name in enums:
        kinds[name] = ("B", ("enum", name))
    for name in sets:
        kinds[name] = ("B", ("set", name))
    messages = {}
    for m in root.findall("{http://fixprotocol.io/2016/sbe}message"):
        tid = int(m.get("id"))
        fields = []
        for f in m.findall("field"):
            t = f.get("type")
            code, kind = kinds.get(t) or (CODES[t], ("int", f.get("presence") == "optional"))
            fields.append((f.get("name"), code, kind, max(int(f.get("sinceVersion", 0)), INTRODUCED.get(tid, 0))))
        data = [(d.get("name"), max(int(d.get("sinceVersion", 0)), INTRODUCED.get(tid, 0))) for d in m.findall("data")]
        groups = [[(f.get("name"), kinds[f.get("type")][0]) for f in g.findall("field")] for g in m.findall("group")]
        messages[tid] = {"name": m.get("name"), "fields": fields, "data": data, "groups": groups}
    return messages, enums, sets


SCHEMA, ENUMS, SETS = load_schema()


def fields_at(tid, version, drop=()):
    fields = [f for f in SCHEMA[tid]["fields"] if f[3] <= version and f[0] not in drop]
    if version >= 3 and tid in V3_EXTRA:
        name, code, kind = V3_EXTRA[tid]
        fields.append((name, code, kind, 3))
    return fields


def encode(tid, version, values, strings, groups=(), entry_size=16, extra_block=b"", drop=()):
    """Test-only SBE encoder driven by the XML layouts."""
    block = b"".join(struct.pack("<" + code, values[name]) for name, code, *_ in fields_at(tid, version, drop))
    block += extra_block
    out = struct.pack("<HHHH", len(block), tid, 1, version) + block
    for levels in groups:
        out += struct.pack("<HH", entry_size, len(levels))
        out += b"".join(struct.pack("<qq", p, s) + bytes(entry_size - 16) for p, s in levels)
    for name, since in SCHEMA[tid]["data"]:
        if since <= version and name not in drop:
            raw = strings[name].encode()
            out += bytes([len(raw)]) + raw
    return out


# ---------------------------------------------------------------- random frames

def rand_mantissa(rng, optional):
    r = rng.random()
    if r < (0.2 if optional else 0.03):
        return NULL
    if r < 0.3:
        return rng.choice([0, 1, -1, INT64_MAX, -INT64_MAX, 100000000, -100000000, 10 ** 12, 5 * 10 ** 7])
    return rng.choice([1, -1, 1, 1]) * rng.randrange(10 ** rng.randint(1, 18))


def rand_string(rng):
    pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_abcxyz"
    r = rng.random()
    if r < 0.1:
        return ""
    if r < 0.2:
        return "".join(rng.choice("é日本-X") for _ in range(rng.randint(1, 20)))
    if r < 0.25:
        return "".join(rng.choice(pool) for _ in range(255))
    return "".join(rng.choice(pool) for _ in range(rng.randint(1, 40)))


def rand_value(rng, code, kind):
    k = kind[0]
    if k == "dec":
        return rand_mantissa(rng, kind[2])
    if k == "ts":
        return rng.choice([rng.randrange(1 << 62), rng.randint(1_600_000_000_000_000, 2_000_000_000_000_000), 0, 999])
    if k == "addr":
        lead = rng.choice([0, 1, 2, 31, 32])
        return bytes(lead) + bytes(rng.randrange(256) for _ in range(32 - lead))
    if k == "enum":
        valid = list(ENUMS[kind[1]])
        return rng.choice(valid) if rng.random() < 0.85 else rng.randrange(256)
    if k == "set":
        return rng.randrange(256)
    if code == "h":
        return rng.randint(-32768, 32767)
    if code == "Q":
        return rng.choice([0, 1, 1 << 63, (1 << 64) - 1, rng.randrange(1 << 64)])
    return rng.choice([NULL, 0, INT64_MAX, rng.randrange(-(1 << 63), 1 << 63), rng.randrange(1 << 40)])


def rand_content(rng, tid, version, drop=()):
    values = {name: rand_value(rng, code, kind) for name, code, kind, _ in fields_at(tid, version, drop)}
    strings = {name: rand_string(rng) for name, since in SCHEMA[tid]["data"] if since <= version and name not in drop}
    groups = ()
    if tid == 3:
        values["pkgType"] = rng.choice([0, 0, 1])
        groups = [[(rng.randrange(10 ** 15), rng.choice([0, rng.randrange(10 ** 12)]))
                   for _ in range(rng.choice([0, 1, 15, rng.randint(0, 40)]))] for _ in range(2)]
    return values, strings, groups


def rand_frame(rng, tid, version):
    drop = ()
    if version >= 2 and tid in IN_PLACE_1_2 and rng.random() < 0.3:
        drop = IN_PLACE_1_2[tid]
    values, strings, groups = rand_content(rng, tid, version, drop)
    frame = encode(tid, version, values, strings, groups, drop=drop)
    # an optional trailing var-data field may be absent at the end of the frame (appended-field rule)
    last = [n for n, s in SCHEMA[tid]["data"] if n in strings][-1]
    if last in ("tradeIdStr", "requestMessage", "feeCurrency", "lastFillId") and rng.random() < 0.2:
        frame = frame[:-1 - len(strings[last].encode())]
        strings[last] = None
    return frame, values, strings, groups


# ---------------------------------------------------------------- expected values

def d8(m, scale=8):
    return None if m is None or m == NULL else Decimal(m).scaleb(-scale)


def ms(us):
    return None if us is None else us // 1000


def E(enum, value, fallback=None):
    name = ENUMS[enum].get(value)
    return fallback if name in (None, "NON_REPRESENTABLE") else name


def flag_names(set_name, bits, lower=False):
    names = [SETS[set_name][b] for b in sorted(SETS[set_name]) if bits >> b & 1]
    return [n.lower() for n in names] if lower else names


def addr(raw):
    return "0x" + format(int.from_bytes(raw, "big"), "x")


def expected(tid, v, s, groups):
    g = v.get
    if tid == 1:
        return {"id": s.get("tradeIdStr"), "market": s["market"], "side": E("Side", v["side"]), "size": d8(v["size"]),
                "price": d8(v["price"]), "created_at": ms(v["createdAt"]), "trade_type": E("FillType", v["tradeType"])}
    if tid == 2:
        return {"market": s["market"], "bid": d8(v["bidPrice"]), "bid_size": d8(v["bidSize"]), "ask": d8(v["askPrice"]),
                "ask_size": d8(v["askSize"]), "last_updated_at": ms(v["ts"]), "seq_no": v["seq"]}
    if tid == 3:
        levels = [{"side": side, "price": d8(p), "size": d8(q)}
                  for side, lv in zip(("BUY", "SELL"), groups) for p, q in lv]
        out = {"seq_no": v["seq"], "market": s["market"], "last_updated_at": ms(v["ts"])}
        if v["pkgType"] == 0:
            out.update(update_type="s", inserts=levels, updates=[], deletes=[])
        else:
            out.update(update_type="d", inserts=[], updates=[x for x in levels if x["size"] != 0],
                       deletes=[x for x in levels if x["size"] == 0])
        for key, side, p, q in (("best_bid_interactive", "BUY", "bestBidPrice", "bestBidSize"),
                                ("best_ask_interactive", "SELL", "bestAskPrice", "bestAskSize"),
                                ("best_bid_api", "BUY", "bestBidApiPrice", "bestBidApiSize"),
                                ("best_ask_api", "SELL", "bestAskApiPrice", "bestAskApiSize")):
            if v[p] != NULL:
                out[key] = {"side": side, "price": d8(v[p]), "size": d8(v[q])}
        if v["relativeSpread"] != NULL:
            out["relative_spread"] = d8(v["relativeSpread"])
        return out
    if tid == 4:
        precise = g("fundingRatePrecise")
        return {"symbol": s["market"], "mark_price": d8(v["markPrice"]), "underlying_price": d8(v["indexPrice"]),
                "last_traded_price": d8(v["lastPrice"]), "bid": d8(v["bid"]), "bid_size": d8(v["bidSize"]),
                "ask": d8(v["ask"]), "ask_size": d8(v["askSize"]), "volume_24h": d8(v["volumeUsd24h"]),
                "total_volume": d8(v["totalVolume"]), "open_interest": d8(v["openInterest"]),
                "funding_rate": d8(v["fundingRate"]) if d8(precise) is None else d8(precise, 12),
                "future_funding_rate": d8(v["futureFundingRate"]),
                "price_change_rate_24h": d8(v["priceChangeRate24h"]), "external_fair_price": d8(v["externalFairPrice"]),
                "mark_iv": d8(v["markIv"]), "bid_iv": d8(v["bidIv"]), "ask_iv": d8(v["askIv"]),
                "last_iv": d8(v["lastIv"]),
                "greeks": {k: d8(v[k]) for k in ("delta", "gamma", "vega", "theta", "rho", "vanna", "volga")},
                "forward_rate": d8(g("forwardRate")), "risk_free_rate": d8(g("riskFreeRate")),
                "settlement_twap_estimate": d8(g("settlementTwapEstimate")), "created_at": ms(v["ts"])}
    if tid == 5:
        out = {"market": s["market"], "funding_rate": d8(v["fundingRate"]), "funding_rate_8h": d8(v["fundingRate8h"]),
               "funding_period_hours": v["fundingPeriodHours"], "funding_index": d8(v["fundingIndex"]),
               "funding_premium": d8(v["fundingPremium"]), "created_at": ms(v["createdAt"])}
        if d8(g("impactPremiumRate")) is not None:
            out["impact_premium_rate"] = d8(v["impactPremiumRate"])
        return out
    if tid == 6:
        return {"symbol": s["market"], "hourly_funding_rate": d8(v["hourlyFundingRate"], 12),
                "asset_kind": E("AssetKind", v["assetKind"], "UNSPECIFIED"),
                "source": E("FundingRateSource", v["source"], "UNSPECIFIED"), "last_updated_at": ms(v["lastUpdatedAt"])}
    if tid == 20:
        out = {"id": s["orderId"], "account": addr(v["account"]), "market": s["market"],
               "client_id": s["clientOrderId"],
               "side": E("Side", v["side"]), "type": E("OrderType", v["orderType"]), "size": d8(v["size"]),
               "remaining_size": d8(v["sizeOpen"]), "price": d8(v["price"]), "avg_fill_price": d8(v["avgFillPrice"]),
               "trigger_price": d8(v["triggerPrice"]), "instruction": E("TimeInForce", v["timeInForce"]),
               "flags": flag_names("OrderFlags", v["flags"]), "stp": E("STPMode", v["stp"]),
               "status": E("OrderStatus", v["status"]), "cancel_reason": s["cancelReason"],
               "received_at": ms(v["receivedAt"]), "created_at": ms(v["createdAt"]),
               "last_updated_at": ms(v["updatedAt"]), "published_at": ms(v["publishedAt"]), "seq_no": v["seq"]}
        if g("requestStatus", 0) or g("requestType", 0):
            out["request_info"] = {"id": s.get("requestId") or "", "request_type": E("RequestType", v["requestType"]),
                                   "status": E("RequestStatus", v["requestStatus"]),
                                   "message": s.get("requestMessage") or ""}
        return out
    if tid == 21:
        return {"id": s["fillId"], "account": addr(v["account"]), "market": s["market"], "order_id": s["orderId"],
                "client_id": s["clientOrderId"], "trade_id": s["tradeId"], "side": E("Side", v["side"]),
                "liquidity": E("LiquiditySide", v["liquidity"]), "fill_type": E("FillType", v["fillType"]),
                "price": d8(v["price"]), "size": d8(v["size"]), "fee": d8(v["fee"]),
                "fee_currency": s.get("feeCurrency"),
                "realized_pnl": d8(v["realizedPnl"]), "realized_funding": d8(v["realizedFunding"]),
                "underlying_price": d8(v["underlyingPrice"]),
                "flags": None if "flags" not in v else flag_names("FillFlags", v["flags"], lower=True),
                "orderbook_seq_no": g("orderbookSeqNo"), "created_at": ms(v["createdAt"])}
    if tid == 22:
        side = {"BUY": "LONG", "SELL": "SHORT"}.get(E("Side", v["side"]))  # XML: BUY=long, SELL=short
        size = d8(v["size"])
        return {"id": addr(v["account"]) + "-" + s["market"], "account": addr(v["account"]), "market": s["market"],
                "status": E("PositionStatus", v["status"]), "side": side,
                "size": -size if side == "SHORT" and size is not None else size,
                "average_entry_price": d8(v["avgEntryPrice"]), "average_entry_price_usd": d8(v["avgEntryPriceUsd"]),
                "unrealized_pnl": d8(v["unrealizedPnl"]), "unrealized_funding_pnl": d8(v["unrealizedFundingPnl"]),
                "realized_positional_pnl": d8(v["realizedPnl"]), "cost": d8(v["cost"]), "cost_usd": d8(v["costUsd"]),
                "cached_funding_index": d8(v["cachedFundingIndex"]), "leverage": d8(v["leverage"]),
                "liquidation_price": d8(v["liquidationPrice"]), "last_fill_id": s["lastFillId"],
                "last_updated_at": ms(v["updatedAt"]), "seq_no": v["seq"]}
    if tid == 23:
        return {"account": addr(v["account"]), "account_value": d8(v["accountValue"]),
                "free_collateral": d8(v["freeCollateral"]), "initial_margin_requirement": d8(v["initialMarginReq"]),
                "maintenance_margin_requirement": d8(v["maintenanceMarginReq"]),
                "margin_cushion": d8(v["marginCushion"]),
                "total_collateral": d8(v["totalCollateral"]), "settlement_asset": s["settlementAsset"],
                "status": E("AccountStatus", v["status"]), "seq_no": v["seq"], "updated_at": ms(v["updatedAt"]),
                "last_seen_notification": ms(g("lastSeenNotification"))}
    raise AssertionError(tid)


def check(ours, exp, path="data"):
    """ours (decoder output) against exp, where Decimal marks an exact canonical decimal string."""
    if isinstance(exp, Decimal):
        assert isinstance(ours, str) and CANONICAL.fullmatch(ours) and ours != "-0", (path, ours)
        assert Decimal(ours) == exp, (path, ours, exp)
    elif isinstance(exp, dict):
        assert isinstance(ours, dict) and set(ours) == set(exp), (path, sorted(ours), sorted(exp))
        for k in exp:
            check(ours[k], exp[k], f"{path}.{k}")
    elif isinstance(exp, list):
        assert isinstance(ours, list) and len(ours) == len(exp), (path, ours, exp)
        for i, (a, b) in enumerate(zip(ours, exp)):
            check(a, b, f"{path}[{i}]")
    else:
        assert ours == exp and type(ours) is type(exp), (path, ours, exp)


# ---------------------------------------------------------------- ccxt's decoder

CHANNELS = {1: "trades", 2: "bbo", 3: "order_book", 4: "markets_summary", 5: "funding_data",
            6: "funding_rate_comparison", 20: "orders", 21: "fills", 22: "positions", 23: "account"}


def same_as_ccxt(tid, ours, theirs, values, path="data"):
    """ccxt's value for every key it reports, allowing only its documented departures."""
    for key, t in theirs.items():
        if tid == 20 and key == "timestamp":  # ccxt fills it with the feed ts; SBE has no signature time
            assert t == ms(values["ts"])
            continue
        assert key in ours, (path, key)
        o = ours[key]
        if key == "seq_no":  # ccxt: int64 as a decimal string, INT64_MIN -> None
            assert (o == NULL) if t is None else int(t) == o, (key, o, t)
        elif key == "orderbook_seq_no":  # ccxt reads the uint64 as a signed int64
            assert (o == 1 << 63) if t is None else int(t) % (1 << 64) == o, (key, o, t)
        elif key == "funding_period_hours":  # ccxt reads the int16 as unsigned
            assert t == o & 0xFFFF
        elif tid == 4 and key == "funding_rate":  # ccxt ignores the 1:1 Rate12 fundingRatePrecise
            assert (None if t is None else Decimal(t)) == d8(values["fundingRate"])
        elif tid == 22 and key == "status" and o == "UNSPECIFIED":  # PositionStatus 3 is not in ccxt's table
            assert t is None
        elif t is None and o == "" and key in ("id", "fee_currency", "last_fill_id"):
            pass  # ccxt reads these optional strings with safe_string, which turns "" into None
        elif isinstance(t, list):
            assert len(t) == len(o)
            for a, b in zip(o, t):
                if isinstance(b, dict):
                    same_as_ccxt(tid, a, b, values, f"{path}.{key}")
                else:
                    assert a == b, (path, key, o, t)
        elif o != t:  # decimals: equal as numbers (ccxt formats with Precise)
            assert isinstance(o, str) and isinstance(t, str) and Decimal(o) == Decimal(t), (path, key, o, t)
    if tid == 20 and ours["cancel_reason"] == "":  # ccxt drops an empty reason
        assert "cancel_reason" not in theirs


@pytest.fixture(scope="module")
def ccxt_ex():
    return ccxt.pro.paradex()


@pytest.mark.parametrize("tid", sorted(CHANNELS))
def test_random_frames_match_truth_and_ccxt(tid, ccxt_ex):
    rng = random.Random(1000 + tid)
    for version in range(INTRODUCED.get(tid, 0), 4):
        for _ in range(50):
            frame, values, strings, groups = rand_frame(rng, tid, version)
            got = sbe.decode(frame)
            assert got["channel"] == CHANNELS[tid] and got["template"] == tid
            assert got["market"] == (None if tid == 23 else strings["market"])
            check(got["data"], expected(tid, values, strings, groups))
            assert sbe.decode(memoryview(frame)) == got == sbe.decode(bytearray(frame))
            theirs = ccxt_ex.parse_sbe_message(frame)
            if tid in (2, 6) or (tid == 3 and values["pkgType"] == 1):
                assert theirs is None  # ccxt decodes neither BBO, funding comparison nor book deltas
                continue
            assert theirs is not None, (tid, version, frame.hex())
            assert theirs["params"]["channel"].split(".")[0] == CHANNELS[tid]
            same_as_ccxt(tid, got["data"], theirs["params"]["data"], values)


def test_book_fast_path_matches_dict_path_and_floats():
    rng = random.Random(3)
    for version in range(4):
        for _ in range(100):
            frame, values, strings, groups = rand_frame(rng, 3, version)
            market, seq, ts, snap, bids, asks = sbe.decode_book_levels(frame)
            assert (market, seq, ts, snap) == (strings["market"], values["seq"], values["ts"] // 1000,
                                               values["pkgType"] == 0)
            for got, levels in ((bids, groups[0]), (asks, groups[1])):
                assert got == [[float(d8(p)), float(d8(q))] for p, q in levels]
                assert all(type(x) is list for x in got)
    assert sbe.decode_book_levels(encode(2, 1, {"ts": 1, "seq": 2, "bidPrice": 1, "bidSize": 1, "askPrice": 1,
                                                "askSize": 1}, {"market": "X"})) is None


# ---------------------------------------------------------------- layouts and enums

@pytest.mark.parametrize("tid", sorted(sbe.LAYOUTS))
def test_layouts_match_xml(tid):
    assert set(SCHEMA) == set(sbe.LAYOUTS) | {40, 41}
    name, _channel, fields, data = sbe.LAYOUTS[tid]
    assert name == SCHEMA[tid]["name"]
    assert [(n, s) for n, s in data] == SCHEMA[tid]["data"]
    lengths = sbe.block_lengths(tid)
    for version in range(4):
        xml, off = [], 0
        for fname, code, _kind, _since in fields_at(tid, version):
            xml.append((fname, off, code))
            off += struct.calcsize(code)
        ours = [(n, o, c) for n, o, c, s in fields if s <= version]
        assert ours == xml, (tid, version)
        assert lengths.get(version) == (off or None), (tid, version)
    if tid == 3:
        assert SCHEMA[3]["groups"] == [[("price", "q"), ("size", "q")]] * 2


def test_block_lengths_as_documented():
    documented = {1: (50,), 2: (48,), 3: (89,), 4: (216, 240, 240, 248), 5: (58, 66), 20: (126, 126, 128),
                  21: (107, 107, 116), 22: (154,), 23: (113, 113, 121)}
    for tid, lengths in documented.items():
        for version in range(4):
            assert sbe.block_lengths(tid)[version] == lengths[min(version, len(lengths) - 1)], (tid, version)
    assert sbe.block_lengths(6) == {1: 26, 2: 26, 3: 26}


ENUM_TABLES = {"Side": sbe.SIDE, "OrderType": sbe.ORDER_TYPE, "OrderStatus": sbe.ORDER_STATUS,
               "TimeInForce": sbe.TIME_IN_FORCE, "FillType": sbe.FILL_TYPE, "LiquiditySide": sbe.LIQUIDITY,
               "STPMode": sbe.STP_MODE, "PositionStatus": sbe.POSITION_STATUS, "AccountStatus": sbe.ACCOUNT_STATUS,
               "RequestStatus": sbe.REQUEST_STATUS, "RequestType": sbe.REQUEST_TYPE, "AssetKind": sbe.ASSET_KIND,
               "FundingRateSource": sbe.FUNDING_SOURCE}


def test_enums_and_sets_match_xml():
    assert set(ENUMS) - set(ENUM_TABLES) == {"PkgType", "ReduceOnly"}  # PkgType checked via decode, ReduceOnly unused
    for name, table in ENUM_TABLES.items():
        fallback = "UNSPECIFIED" if name in ("AssetKind", "FundingRateSource") else None
        assert list(table) == [E(name, i, fallback) for i in range(256)], name
    assert [list(sbe.ORDER_FLAGS[i]) for i in range(256)] == [flag_names("OrderFlags", i) for i in range(256)]
    assert [list(sbe.FILL_FLAGS[i]) for i in range(256)] == [flag_names("FillFlags", i, True) for i in range(256)]
    assert [sbe.POSITION_SIDE[i] for i in (1, 2)] == ["LONG", "SHORT"]


def test_decimal_formatting_is_exact():
    rng = random.Random(5)
    samples = [0, 1, -1, 10 ** 8, -10 ** 8, 10 ** 12, INT64_MAX, -INT64_MAX, 99999999, 100000001]
    samples += [rng.randrange(-(1 << 63) + 1, 1 << 63) for _ in range(3000)]
    samples += [rng.randrange(10 ** rng.randint(0, 14)) * 10 ** rng.randint(0, 6) for _ in range(3000)]
    for m in samples:
        for fn, scale in ((sbe.dec8, 8), (sbe.dec12, 12)):
            s = fn(m)
            assert CANONICAL.fullmatch(s) and s != "-0" and Decimal(s) == Decimal(m).scaleb(-scale), (m, s)
    assert sbe.dec8(NULL) is None and sbe.dec12(NULL) is None
    assert (sbe.dec8(6485290000000), sbe.dec8(-50000000), sbe.dec8(INT64_MAX)) == \
        ("64852.9", "-0.5", "92233720368.54775807")


# ---------------------------------------------------------------- encoded test vectors (BBO, book snapshot)

BBO_VECTOR = ("30000200010001003b34d5a4ba5d06009ac632ca01000000801e68f9e505000080f0fa020000000000b500fae505000000"
              "0e2707000000000c4254432d5553442d50455250")
BOOK_VECTOR = ("59000300010001003b34d5a4ba5d06009bc632ca01000000000000000000000080000000000000008000000000000000"
               "80000000000000008000000000000000800000000000000080000000000000008000000000000000800000000000000080"
               "10000100801e68f9e505000080f0fa02000000001000010000b500fae5050000000e2707000000000c4254432d5553442d"
               "50455250")


def test_encoded_vectors(ccxt_ex):
    bbo = sbe.decode(bytes.fromhex(BBO_VECTOR))
    assert len(bytes.fromhex(BBO_VECTOR)) == 69 and bbo["channel"] == "bbo"
    check(bbo["data"], {"market": "BTC-USD-PERP", "bid": Decimal("64852.9"), "bid_size": Decimal("0.5"),
                        "ask": Decimal("64853.0"), "ask_size": Decimal("1.2"), "last_updated_at": 1791906071000,
                        "seq_no": 7687292570})
    frame = bytes.fromhex(BOOK_VECTOR)
    book = sbe.decode(frame)
    assert len(frame) == 150 and book["channel"] == "order_book"
    check(book["data"], {"seq_no": 7687292571, "market": "BTC-USD-PERP", "last_updated_at": 1791906071000,
                         "update_type": "s", "updates": [], "deletes": [],
                         "inserts": [{"side": "BUY", "price": Decimal("64852.9"), "size": Decimal("0.5")},
                                     {"side": "SELL", "price": Decimal("64853"), "size": Decimal("1.2")}]})
    assert sbe.decode_book_levels(frame) == ("BTC-USD-PERP", 7687292571, 1791906071000, True,
                                             [[64852.9, 0.5]], [[64853.0, 1.2]])
    same_as_ccxt(3, book["data"], ccxt_ex.parse_sbe_message(frame)["params"]["data"], {})
    # the vectors are what this file's XML-driven encoder produces
    assert encode(2, 1, {"ts": 1791906071000123, "seq": 7687292570, "bidPrice": 6485290000000, "bidSize": 50000000,
                         "askPrice": 6485300000000, "askSize": 120000000}, {"market": "BTC-USD-PERP"}) == \
        bytes.fromhex(BBO_VECTOR)


# ---------------------------------------------------------------- robustness

def valid_frames():
    rng = random.Random(9)
    return [rand_frame(rng, tid, version)[0] for tid in sorted(CHANNELS) for version in (1, 2, 3) for _ in range(3)]


def test_every_truncation_raises_cleanly_or_drops_only_trailing_var_data():
    for frame in valid_frames():
        full = sbe.decode(frame)
        bl = struct.unpack_from("<H", frame)[0]
        for n in range(len(frame)):
            try:
                got = sbe.decode(frame[:n])
            except sbe.SbeDecodeError:
                continue
            # only the loss of an optional trailing string may pass, and it changes nothing else
            assert n >= 8 + bl and got["template"] == full["template"]
            changed = {k for k in full["data"] if got["data"].get(k) != full["data"][k]}
            assert changed <= {"id" if full["template"] == 1 else "", "request_info", "fee_currency", "last_fill_id"}


def test_fuzzed_frames_only_raise_sbe_errors():
    rng = random.Random(11)
    for frame in valid_frames():
        for _ in range(40):
            b = bytearray(frame)
            for _ in range(rng.randint(1, 4)):
                i = rng.randrange(len(b))
                b[i] = rng.randrange(256)
            b[4:6] = b"\x01\x00"
            for fn in (sbe.decode, sbe.decode_book_levels, sbe.decode_book_flat):
                try:
                    fn(bytes(b))
                except sbe.SbeDecodeError:
                    pass


def test_skipped_and_rejected_frames():
    assert issubclass(sbe.SbeDecodeError, BadResponse)
    heartbeat = struct.pack("<HHHHqq", 16, 40, 1, 2, 1, 2)
    assert sbe.decode(heartbeat) is None
    assert sbe.decode(struct.pack("<HHHHqqB", 17, 41, 1, 2, 1, 2, 0) + b"\x03abc") is None
    for tid in (0, 7, 19, 24, 60, 65535):
        assert sbe.decode(struct.pack("<HHHH", 500, tid, 1, 9) + b"\xff" * 3) is None  # unknown: skipped
    with pytest.raises(sbe.SbeDecodeError, match="schema id 2"):
        sbe.decode(struct.pack("<HHHH", 16, 40, 2, 0) + bytes(16))
    with pytest.raises(sbe.SbeDecodeError, match="schema id"):
        sbe.decode_book_levels(bytes.fromhex(BOOK_VECTOR)[:4] + b"\x07\x00" + bytes.fromhex(BOOK_VECTOR)[6:])
    for short in (b"", b"\x30\x00\x02", bytes(7)):
        with pytest.raises(sbe.SbeDecodeError):
            sbe.decode(short)
    bbo = bytes.fromhex(BBO_VECTOR)
    with pytest.raises(sbe.SbeDecodeError, match="shorter than any layout"):
        sbe.decode(b"\x2f\x00" + bbo[2:8] + bbo[8:55] + bbo[56:])  # 47-byte block
    with pytest.raises(sbe.SbeDecodeError, match="past the end"):
        sbe.decode(bbo[:-13] + b"\x20" + bbo[-12:])
    with pytest.raises(sbe.SbeDecodeError, match="before its var-data"):
        sbe.decode(bbo[:-13])
    book = bytearray(bytes.fromhex(BOOK_VECTOR))
    book[24] = 2
    with pytest.raises(sbe.SbeDecodeError, match="pkgType"):
        sbe.decode(bytes(book))
    book = bytearray(bytes.fromhex(BOOK_VECTOR))
    book[97] = 15  # entries under 16 bytes
    with pytest.raises(sbe.SbeDecodeError, match="group"):
        sbe.decode(bytes(book))
    with pytest.raises(sbe.SbeDecodeError, match="group"):
        sbe.decode_book_levels(bytes(book))


def test_longer_blocks_and_wider_group_entries_are_skipped_over():
    rng = random.Random(13)
    for tid in sorted(CHANNELS):
        values, strings, groups = rand_content(rng, tid, 3)
        bl = struct.unpack_from("<H", encode(tid, 3, values, strings, groups))[0]
        wider = encode(tid, 3, values, strings, groups, entry_size=24, extra_block=b"\xee" * 9)
        assert struct.unpack_from("<H", wider)[0] == bl + 9
        check(sbe.decode(wider)["data"], expected(tid, values, strings, groups))


# ---------------------------------------------------------------- the simulator's encoder (optional)

ACCOUNT = "0x4638e3041366aa71720be63e32e53e1223316c7f0d56f7aa617542ed1e7512b"
PAYLOADS = {  # JSON channel payloads shaped like Paradex's documented examples (OpenAPI / AsyncAPI)
    "trades": {"id": "1718179273230201709233240002", "market": "kBONK-USD-PERP", "side": "BUY", "size": "34028",
               "price": "0.028776", "created_at": 1718179273230, "trade_type": "FILL"},
    "bbo": {"market": "BTC-USD-PERP", "bid": "30112.22", "bid_size": "0.04", "ask": "30130.15", "ask_size": "0.05",
            "last_updated_at": 1681493939981, "seq_no": 20784},
    "order_book": {"seq_no": 14127815, "market": "BTC-USD-PERP", "last_updated_at": 1718267837265, "update_type": "d",
                   "inserts": [], "updates": [{"side": "BUY", "price": "67629.7", "size": "0.992"}],
                   "deletes": [{"side": "SELL", "price": "69378.6", "size": "0"}],
                   "best_bid_api": {"side": "BUY", "price": "67629.7", "size": "0.5"}, "relative_spread": "0.0002"},
    "markets_summary": {"symbol": "ETH-USD-4OCT26-2600-C", "mark_price": "61.2", "underlying_price": "2601.5",
                        "last_traded_price": "60", "bid": "59.9", "bid_size": "3", "ask": "62.1", "ask_size": "1.5",
                        "volume_24h": "120345.67", "total_volume": "98765432.1", "open_interest": "812.4",
                        "funding_rate": "0.00010000001298", "future_funding_rate": "0.0001",
                        "price_change_rate_24h": "-0.0123", "external_fair_price": "61.1", "mark_iv": "0.55",
                        "bid_iv": "0.54", "ask_iv": "0.56", "last_iv": "0.55",
                        "greeks": {"delta": "0.52", "gamma": "0.0011", "vega": "2.1", "theta": "-5.3", "rho": "0.4",
                                   "vanna": "0.01", "volga": "0.02"},
                        "forward_rate": "0.05", "risk_free_rate": "0.04", "settlement_twap_estimate": None,
                        "created_at": 1718179273230},
    "funding_data": {"market": "TRUMP-USD-PERP", "funding_index": "-0.551694014226244835",
                     "funding_premium": "-0.000509914923994872836", "funding_rate": "-0.00014969570582",
                     "funding_rate_8h": "-0.00014969", "funding_period_hours": 8, "created_at": 1771506636154,
                     "impact_premium_rate": "0.00001"},
    "funding_rate_comparison": {"symbol": "BTC-USD-PERP", "hourly_funding_rate": "0.000001234567",
                                "asset_kind": "PERPETUAL_FUTURE", "source": "BINANCE",
                                "last_updated_at": 1771506636154},
    "orders": {"id": "123456", "account": ACCOUNT, "market": "BTC-USD-PERP", "client_id": "x1234", "side": "BUY",
               "type": "LIMIT", "size": "0.05", "remaining_size": "0.05", "price": "26000", "avg_fill_price": None,
               "trigger_price": None, "instruction": "GTC", "flags": ["REDUCE_ONLY"], "stp": "EXPIRE_TAKER",
               "status": "NEW", "cancel_reason": "", "received_at": 1681493746016, "created_at": 1681493746016,
               "last_updated_at": 1681493746016, "published_at": 1681493746016, "seq_no": 1681471234972000000,
               "request_info": {"id": "r-1", "request_type": "MODIFY_ORDER", "status": "PENDING", "message": ""}},
    "fills": {"id": "1718947571560201703986670002", "account": ACCOUNT, "market": "BTC-USD-PERP",
              "order_id": "1718947571540201703992340000", "client_id": "", "trade_id": "1718947571560201703986670001",
              "side": "BUY", "liquidity": "TAKER", "fill_type": "FILL", "price": "64852.9", "size": "0.01",
              "fee": "0.1945587", "fee_currency": "USDC", "realized_pnl": "0", "realized_funding": "0",
              "underlying_price": "64850.1", "flags": ["interactive", "rpi"], "orderbook_seq_no": 12345,
              "created_at": 1718947571569},
    "positions": {"id": ACCOUNT + "-BTC-USD-PERP", "account": ACCOUNT, "market": "BTC-USD-PERP", "status": "OPEN",
                  "side": "SHORT", "size": "-0.01", "average_entry_price": "64839.96053748",
                  "average_entry_price_usd": "64839.96", "unrealized_pnl": "-2.39677214",
                  "unrealized_funding_pnl": "0.1", "realized_positional_pnl": "0", "cost": "648.39",
                  "cost_usd": "648.529", "cached_funding_index": "1234.3", "leverage": "5", "liquidation_price": None,
                  "last_fill_id": "1718947571560201703986670001", "last_updated_at": 1718950074249,
                  "seq_no": 1681471234972000000},
    "account": {"account": ACCOUNT, "account_value": "1000.5", "free_collateral": "900.5",
                "initial_margin_requirement": "100", "maintenance_margin_requirement": "50", "margin_cushion": "950.5",
                "total_collateral": "1000", "settlement_asset": "USDC", "status": "ACTIVE", "seq_no": 20,
                "updated_at": 1718950074249, "last_seen_notification": 1713400000000},
}
ADDED = {1: {"forward_rate", "risk_free_rate", "impact_premium_rate"},  # version -> fields new in it
         2: {"request_info", "fee_currency", "flags", "orderbook_seq_no", "last_seen_notification"}}


@pytest.mark.parametrize("channel", sorted(PAYLOADS))
def test_simulator_encoder_round_trip(channel):
    """JSON payload -> the simulator's encoder (written separately) -> this decoder -> the same payload,
    decimals truncated to the wire's 8 (Rate12: 12) decimals."""
    from ccxt_paradex.sim import sbe_encode as enc
    payload = PAYLOADS[channel]
    for version in range(1 if channel == "funding_rate_comparison" else 0, 3):
        got = sbe.decode(enc.encode(channel, payload, version))
        assert got["channel"] == channel
        data = got["data"]
        for key, value in payload.items():
            since = next((v for v, keys in ADDED.items() if key in keys), 0)
            if channel == "trades" and key == "id":
                since = 2
            elif channel == "orders" and key == "flags":
                since = 0
            if version < since:
                assert data.get(key) is None, (channel, version, key)
                continue
            precise = key == "hourly_funding_rate" or key == "funding_rate" and channel == "markets_summary" and version
            check(data[key], truncate(key, value, 12 if precise else 8), f"{channel}@{version}.{key}")


def truncate(key, value, scale):
    """What a JSON value reads as after the wire: decimals truncated toward zero to `scale` places."""
    if isinstance(value, dict):
        return {k: truncate(k, v, scale) for k, v in value.items()}
    if isinstance(value, list):
        return [truncate(key, v, scale) for v in value]
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value) and not key.endswith("id"):
        return Decimal(value).quantize(Decimal(1).scaleb(-scale), rounding="ROUND_DOWN")
    return value


def test_book_mantissa_fast_path_agrees_with_the_dict_path():
    from ccxt_paradex.core.book import to_mantissa
    from ccxt_paradex.sim import sbe_encode as enc

    rng = random.Random(9)
    for snapshot in (True, False):
        levels = [{"side": side, "price": str(Decimal(rng.randrange(1, 10**12)) / 10**8), "size": str(Decimal(rng.randrange(0 if not snapshot else 1, 10**9)) / 10**8)}
                  for side in ("BUY", "SELL") for _ in range(15)]
        data = {"seq_no": 77, "market": "BTC-USD-PERP", "last_updated_at": 1_700_000_000_123, "update_type": "s" if snapshot else "d",
                "inserts": levels if snapshot else [], "updates": [] if snapshot else [x for x in levels if x["size"] != "0"],
                "deletes": [] if snapshot else [x for x in levels if x["size"] == "0"]}
        frame = enc.encode("order_book", data, 2)
        market, seq, ts, is_snap, bids, asks = sbe.decode_book_mantissas(frame)
        assert (market, seq, ts, is_snap) == ("BTC-USD-PERP", 77, 1_700_000_000_123, snapshot)
        want = {(lv["side"], int(Decimal(lv["price"]) * 10**8), int(Decimal(lv["size"]) * 10**8)) for lv in levels}
        got = {("BUY", p, q) for p, q in bids} | {("SELL", p, q) for p, q in asks}
        assert got == want
        slow = sbe.decode(frame)["data"]
        rows = slow["inserts"] + slow["updates"] + slow["deletes"]
        assert {(r["side"], to_mantissa(r["price"]), to_mantissa(r["size"] or "0")) for r in rows} == got
        assert (slow["seq_no"], slow["last_updated_at"]) == (77, 1_700_000_000_123)
    assert sbe.decode_book_mantissas(enc.encode("bbo", {"market": "BTC-USD-PERP", "bid": "1", "bid_size": "1", "ask": "2",
                                                      "ask_size": "1", "last_updated_at": 1, "seq_no": 1}, 2)) is None


def test_the_one_pass_book_reader_agrees_with_the_general_one_on_good_and_broken_frames():
    """core.sbe._book_flat reads a nominal BookEvent in one pass and hands anything else to the general reader:
    on encoded frames of every schema version, then the same frames truncated or with a byte changed (group
    headers, level counts, pkgType, the market's length), both give the same tuple or both raise."""
    from ccxt_paradex.core import sbe as core_sbe
    from ccxt_paradex.sim import sbe_encode
    rng = random.Random(15)

    def outcome(fn, frame):
        try:
            bl, tid, _sid, _ = struct.unpack_from("<HHHH", frame, 0)
            return fn(frame, bl, len(frame))
        except core_sbe.SbeDecodeError as e:
            return ("error", type(e))
    checked = fast = 0
    for version in range(core_sbe.MAX_VERSION + 1):
        for trial in range(40):
            n_b, n_a = rng.randrange(0, 20), rng.randrange(0, 20)
            levels = [{"side": "BUY", "price": f"{100 - i}.5", "size": f"{i + 1}"} for i in range(n_b)]
            levels += [{"side": "SELL", "price": f"{101 + i}.25", "size": f"{i + 2}"} for i in range(n_a)]
            snap = trial % 2 == 0
            data = {"market": rng.choice(["BTC-USD-PERP", "E", ""]), "seq_no": rng.randrange(1, 10**9),
                    "last_updated_at": rng.randrange(10**12), "update_type": "s" if snap else "d",
                    "inserts": levels if snap else [], "updates": [] if snap else levels, "deletes": []}
            try:
                good = bytes(sbe_encode.encode("order_book", data, version, ts_us=data["last_updated_at"] * 1000))
            except Exception:
                continue  # a version without BookEvent
            variants = [good, good[:-1], good[:len(good) // 2], good + b"\x00"]
            for _ in range(6):
                broken = bytearray(good)
                at = rng.randrange(8, len(broken))
                broken[at] = rng.randrange(256)
                variants.append(bytes(broken))
            for frame in variants:
                one, general = outcome(core_sbe._book_flat, frame), outcome(core_sbe._book_flat_general, frame)
                assert one == general, (version, frame.hex())
                checked += 1
            calls = []
            general_reader = core_sbe._book_flat_general
            core_sbe._book_flat_general = lambda *a, _c=calls, _g=general_reader: _c.append(a) or _g(*a)
            try:
                outcome(core_sbe._book_flat, good)
            finally:
                core_sbe._book_flat_general = general_reader
            fast += not calls  # a good frame is read in the one pass
    assert checked > 500 and fast > 50
