"""vcrpy cassettes pin the exact requests the client sends (method, path, query, body incl. signatures).

cassettes/sim/*.yaml       recorded from the embedded simulator (tools/cassettes.py record --target sim)
cassettes/testnet/*.yaml   recorded from Paradex testnet by `tox -e record-testnet` (absent until someone does)
A replay that sends any request not in the cassette fails (record_mode="none").
"""
import os
import sys

import ccxt.test.exchange.base as v
import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

import ccxt_paradex
from ccxt_paradex.core import keys
from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "tools"))
import cassettes  # noqa: E402

SIM_URLS = {"api": {"v1": "http://127.0.0.1:1/v1", "v2": "http://127.0.0.1:1/v2", "ws": "ws://127.0.0.1:1/v1"}}


def _replay(folder, name, **config_extra):
    meta = cassettes.load_meta(folder, name)
    config = {"walletAddress": keys.eth_address(cassettes.SIM_L1_KEY), "privateKey": cassettes.SIM_L1_KEY, "urls": SIM_URLS}
    config.update(config_extra)
    ex = cassettes.freeze_clock(ccxt_paradex.paradex(config), meta["clock_ms"])
    with cassettes.make_vcr("none", folder).use_cassette(name + ".yaml") as cassette:
        result = cassettes.SCENARIOS[name](ex)
        assert cassette.all_played, f"{len(cassette.data) - cassette.play_count} recorded requests were never sent"
    return ex, result, meta


def test_sim_cassettes_say_where_they_come_from():
    for name in cassettes.SCENARIOS:
        assert "simulator" in cassettes.load_meta("sim", name)["source"]


def test_public_replay_pins_requests_and_parses():
    ex, out, meta = _replay("sim", "public")
    now = meta["clock_ms"]
    assert cassettes.SYMBOL in out["markets"]
    v.test_ticker(ex, {}, "fetchTicker", out["ticker"], cassettes.SYMBOL)
    v.test_order_book(ex, {}, "fetchOrderBook", out["book"], cassettes.SYMBOL)
    assert len(out["book"]["bids"]) == 5 and out["book"]["nonce"] is not None
    for trade in out["trades"]:
        v.test_trade(ex, {}, "fetchTrades", trade, cassettes.SYMBOL, now, True)
    assert len(out["ohlcv"]) == 10
    assert out["funding"]["symbol"] == cassettes.SYMBOL and out["status"]["status"] == "ok"


def test_trading_replay_pins_signed_bodies():
    ex, out, meta = _replay("sim", "trading")
    now = meta["clock_ms"]
    for key in ("created", "edited", "market"):
        v.test_order(ex, {}, "createOrder", out[key], cassettes.SYMBOL, now)
    assert out["created"]["clientOrderId"] == "cassette-1" and out["created"]["postOnly"] is True
    assert out["edited"]["price"] == out["created"]["price"] - 1
    assert [o["id"] for o in out["open"]] == [out["created"]["id"]]
    assert len(out["batch"]) == 3 and len(out["batch_canceled"]) == 2
    assert out["positions"][0]["contracts"] == 0.01
    v.test_balance(ex, {}, "fetchBalance", out["balance"])


def test_a_changed_request_is_caught():
    """If the client built a different order (here: another price), the replay refuses it."""
    meta = cassettes.load_meta("sim", "trading")
    ex = cassettes.freeze_clock(ccxt_paradex.paradex({"walletAddress": keys.eth_address(cassettes.SIM_L1_KEY),
                                                      "privateKey": cassettes.SIM_L1_KEY, "urls": SIM_URLS}), meta["clock_ms"])
    with cassettes.make_vcr("none", "sim").use_cassette("trading.yaml"):
        ex.load_markets()
        ex.fetch_balance()
        bid = ex.fetch_order_book(cassettes.SYMBOL, 5)["bids"][0][0]
        low = float(ex.price_to_precision(cassettes.SYMBOL, bid * 0.8))
        with pytest.raises(CannotOverwriteExistingCassetteException):
            ex.create_order(cassettes.SYMBOL, "limit", "buy", 0.01, low + 0.01, {"clientOrderId": "cassette-1", "postOnly": True})


def test_cassettes_hold_no_secrets():
    l2 = keys.derive_l2_private_key(cassettes.SIM_L1_KEY, 11155111)
    forbidden = [cassettes.SIM_L1_KEY[2:], format(l2, "x"), "Bearer ", "PARADEX-STARKNET-SIGNATURE"]
    env_key = os.environ.get("PARADEX_STARKNET_PRIVATE_KEY")
    if env_key:
        forbidden.append(env_key.lower().removeprefix("0x"))
    for folder, _, files in os.walk(cassettes.CASSETTES):
        for name in files:
            text = open(os.path.join(folder, name), encoding="utf-8").read()
            for secret in forbidden:
                assert secret.lower() not in text.lower(), (name, secret[:6])
            for line in text.splitlines():
                if "jwt_token" in line:
                    assert "scrubbed" in line, name


TESTNET = os.path.join(cassettes.CASSETTES, "testnet")


@pytest.mark.skipif(not os.path.isdir(TESTNET), reason="no testnet cassettes recorded yet (tox -e record-testnet)")
@pytest.mark.parametrize("name", list(cassettes.SCENARIOS))
def test_testnet_cassettes_replay(name):
    """Real Paradex answers through the same scenarios; signatures are not matched (the recorder's key stays private)."""
    if not os.path.exists(os.path.join(TESTNET, name + ".yaml")):
        pytest.skip(name + " not recorded")
    meta = cassettes.load_meta("testnet", name)
    assert "testnet" in meta["source"]
    ex = ccxt_paradex.paradex({"urls": SIM_URLS, "options": {"paradexAccount": {"privateKey": "0x1234", "address": meta["account"]}}})
    cassettes.freeze_clock(ex, meta["clock_ms"])
    with cassettes.make_vcr("none", "testnet", match_signatures=False).use_cassette(name + ".yaml"):
        out = cassettes.SCENARIOS[name](ex)
    assert out


def test_rerecord_and_unsigned_replay_machinery(tmp_path, monkeypatch):
    """The testnet path end to end, with the simulator standing in: record fresh, replay with another key."""
    monkeypatch.setattr(cassettes, "CASSETTES", str(tmp_path))
    (tmp_path / "sim").mkdir()
    cassettes.record("sim", ["trading"])
    meta = cassettes.load_meta("sim", "trading")
    assert meta["account"].startswith("0x")
    ex = ccxt_paradex.paradex({"urls": SIM_URLS, "options": {"paradexAccount": {"privateKey": "0x1234", "address": meta["account"]}}})
    cassettes.freeze_clock(ex, meta["clock_ms"])
    with cassettes.make_vcr("none", "sim", match_signatures=False).use_cassette("trading.yaml") as cassette:
        out = cassettes.SCENARIOS["trading"](ex)
        assert cassette.all_played
    assert out["created"]["clientOrderId"] == "cassette-1"
    ex2 = cassettes.freeze_clock(ccxt_paradex.paradex({"urls": SIM_URLS, "options": {"paradexAccount": {
        "privateKey": "0x1234", "address": meta["account"]}}}), meta["clock_ms"])
    with cassettes.make_vcr("none", "sim", match_signatures=True).use_cassette("trading.yaml"):
        with pytest.raises(CannotOverwriteExistingCassetteException):
            cassettes.SCENARIOS["trading"](ex2)  # with signatures matched, another key's orders are refused
