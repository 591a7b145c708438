"""vcrpy cassettes: the scenarios, the recorder and the replay settings (shared by tools and tests).

Record from the embedded simulator (CI-safe, no network):
    python tools/cassettes.py record --target sim
Re-record against Paradex testnet with real credentials (places and cancels small testnet orders):
    PARADEX_STARKNET_ACCOUNT=0x... PARADEX_STARKNET_PRIVATE_KEY=0x... tox -e record-testnet
    (or PARADEX_L1_PRIVATE_KEY=0x... PARADEX_L1_ADDRESS=0x... for an Ethereum key)

A cassette pins every request exactly (method, path, query, body incl. signatures): the client's clock is
frozen at the recording instant (kept in ``<name>.meta.json``) and STARK signatures use RFC 6979 nonces,
so a replay re-creates identical bodies. Credentials, JWTs and signature headers are scrubbed before
anything is written.
"""
import argparse
import base64
import json
import os
import sys
import time

import vcr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASSETTES = os.path.join(ROOT, "cassettes")
SYMBOL = "ETH/USD:USDC"
SIM_L1_KEY = "0x" + "5e" * 32  # a throwaway key that only ever exists in the simulator
SECRET_HEADERS = ["Authorization", "PARADEX-STARKNET-SIGNATURE", "PARADEX-STARKNET-ACCOUNT", "PARADEX-ETHEREUM-ACCOUNT",
                  "Cookie", "Set-Cookie"]


def fake_jwt(iat: int, ttl: int = 300) -> str:
    def b64(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")
    return b64({"alg": "none"}) + "." + b64({"iat": iat, "exp": iat + ttl, "sub": "scrubbed"}) + ".scrubbed"


def _scrub_response(response):
    body = response.get("body", {}).get("string")
    if body and b"jwt_token" in (body if isinstance(body, bytes) else body.encode()):
        text = json.loads(body)
        text["jwt_token"] = fake_jwt(int(time.time()))
        response["body"]["string"] = json.dumps(text).encode()
    for name in list(response.get("headers", {})):
        if name.lower() in ("set-cookie", "cookie"):
            del response["headers"][name]
    return response


def _unsigned(body):
    """A JSON body without its STARK signature fields (testnet cassettes replay without the recorder's key)."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        return body
    strip = lambda o: {k: v for k, v in o.items() if k != "signature"} if isinstance(o, dict) else o  # noqa: E731
    return [strip(o) for o in data] if isinstance(data, list) else strip(data)


def body_sans_signature(r1, r2):
    assert _unsigned(r1.body) == _unsigned(r2.body), "bodies differ beyond their signatures"


def make_vcr(record_mode: str, folder: str, match_signatures: bool = True) -> vcr.VCR:
    v = vcr.VCR(cassette_library_dir=os.path.join(CASSETTES, folder), record_mode=record_mode,
                filter_headers=SECRET_HEADERS, before_record_response=_scrub_response,
                decode_compressed_response=True, serializer="yaml")
    v.register_matcher("body_sans_signature", body_sans_signature)
    v.match_on = ["method", "path", "query", "body" if match_signatures else "body_sans_signature"]
    return v


def freeze_clock(ex, clock_ms: int):
    ex.milliseconds = lambda: clock_ms
    ex.seconds = lambda: clock_ms // 1000
    return ex


# ---- scenarios: plain ccxt calls; each returns what the replay test checks ------------------------------
def scenario_public(ex):
    ex.load_markets()
    return {"markets": sorted(ex.symbols), "ticker": ex.fetch_ticker(SYMBOL), "book": ex.fetch_order_book(SYMBOL, 5),
            "trades": ex.fetch_trades(SYMBOL, limit=5), "ohlcv": ex.fetch_ohlcv(SYMBOL, "1m", limit=10),
            "funding": ex.fetch_funding_rate(SYMBOL), "status": ex.fetch_status(), "time": ex.fetch_time()}


def scenario_trading(ex):
    ex.load_markets()
    out = {"balance": ex.fetch_balance()}
    bid = ex.fetch_order_book(SYMBOL, 5)["bids"][0][0]
    low = float(ex.price_to_precision(SYMBOL, bid * 0.8))
    out["created"] = ex.create_order(SYMBOL, "limit", "buy", 0.01, low, {"clientOrderId": "cassette-1", "postOnly": True})
    out["edited"] = ex.edit_order(out["created"]["id"], SYMBOL, price=low - 1)
    out["open"] = ex.fetch_open_orders(SYMBOL)
    out["canceled"] = ex.cancel_order(out["created"]["id"], SYMBOL)
    batch = [{"symbol": SYMBOL, "type": "limit", "side": "buy", "amount": 0.01, "price": low - 2 - i} for i in range(3)]
    out["batch"] = ex.create_orders(batch)
    out["batch_canceled"] = ex.cancel_orders([o["id"] for o in out["batch"][:2]])
    out["cancel_all"] = ex.cancel_all_orders(SYMBOL)
    out["market"] = ex.create_order(SYMBOL, "market", "buy", 0.01)
    out["positions"] = ex.fetch_positions([SYMBOL])
    out["fills"] = ex.fetch_my_trades(SYMBOL, limit=10)
    return out


SCENARIOS = {"public": scenario_public, "trading": scenario_trading}


def _meta_path(folder, name):
    return os.path.join(CASSETTES, folder, name + ".meta.json")


def load_meta(folder, name) -> dict:
    with open(_meta_path(folder, name), encoding="utf-8") as f:
        return json.load(f)


def record(target: str, names=None):
    import ccxt_paradex
    from ccxt_paradex.core import keys
    names = names or list(SCENARIOS)
    sim_thread = None
    if target == "sim":
        from ccxt_paradex.sim.thread import SimulatorThread
        sim_thread = SimulatorThread(seed=7, tick_interval=0, initial_balance="10000")
        sim = sim_thread.__enter__()
        config = {"walletAddress": keys.eth_address(SIM_L1_KEY), "privateKey": SIM_L1_KEY, "urls": sim.ccxt_urls()}
        source = "recorded from ccxt_paradex.sim (the embedded simulator), not from Paradex"
        ccxt_paradex.paradex(dict(config)).onboarding()  # steady state, as on testnet: the account exists already
    else:
        config = {}
        if os.environ.get("PARADEX_L1_PRIVATE_KEY"):
            config = {"privateKey": os.environ["PARADEX_L1_PRIVATE_KEY"], "walletAddress": os.environ.get("PARADEX_L1_ADDRESS")}
        elif not os.environ.get("PARADEX_STARKNET_PRIVATE_KEY"):
            sys.exit("testnet recording needs PARADEX_STARKNET_ACCOUNT + PARADEX_STARKNET_PRIVATE_KEY or PARADEX_L1_PRIVATE_KEY")
        source = "recorded from Paradex testnet"
    try:
        for name in names:
            clock_ms = int(time.time() * 1000)
            ex = freeze_clock(ccxt_paradex.paradex(dict(config)), clock_ms)
            if target == "testnet":
                ex.set_sandbox_mode(True)
            path = os.path.join(CASSETTES, target, name + ".yaml")
            if os.path.exists(path):
                os.remove(path)
            with make_vcr("all", target).use_cassette(name + ".yaml"):
                SCENARIOS[name](ex)
            meta = {"clock_ms": clock_ms, "source": source, "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "account": hex(ex._signer.account) if ex._signer is not None else None}
            with open(_meta_path(target, name), "w", encoding="utf-8") as f:
                json.dump(meta, f, indent=1)
            print(f"recorded cassettes/{target}/{name}.yaml ({source})")
    finally:
        if sim_thread is not None:
            sim_thread.__exit__(None, None, None)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=["record"])
    ap.add_argument("--target", choices=["sim", "testnet"], default="sim")
    ap.add_argument("--scenario", action="append", choices=list(SCENARIOS))
    args = ap.parse_args(argv)
    sys.path.insert(0, ROOT)
    record(args.target, args.scenario)


if __name__ == "__main__":
    main(sys.argv[1:])
