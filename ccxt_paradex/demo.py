"""Offline demo: derive a Paradex account from an Ethereum key, sign and verify orders.

Runs with no network. (The exchange-level demo against the embedded simulator
replaces this once the simulator lands.)
"""
import os
import time

from .core import backend, keys, signing

# Paradex testnet's config as published in paradex-py's mock (read /system/config when online).
TESTNET_CONFIG = {
    "starknet_chain_id": "PRIVATE_SN_POTC_SEPOLIA",
    "l1_chain_id": 11155111,
    "paraclear_account_proxy_hash": "0x3530cc4759d78042f1b543bf797f5f3d647cde0388c33734cf91b7f7b9314a9",
    "paraclear_account_hash": "0x41cb0280ebadaa75f996d8d92c6f265f6d040bb3ba442e5f86a554f1765244e",
}
# A throw-away key (paradex-py's published test key); override with PARADEX_DEMO_L1_KEY.
DEMO_L1_KEY = "0xf8e4d1d772cdd44e5e77615ad11cc071c94e4c06dc21150d903f28e6aa6abdff"


def run(orders: int = 200, out=print) -> dict:
    cfg = TESTNET_CONFIG
    l1_key = os.environ.get("PARADEX_DEMO_L1_KEY", DEMO_L1_KEY)
    out("ccxt_paradex offline signing demo (no network; the simulator demo arrives with the simulator)")
    out(f"crypto backend: {backend.BACKEND_NAME} (native wheel installed: {backend.NATIVE_AVAILABLE})")

    t = time.perf_counter()
    l2_key = keys.derive_l2_private_key(l1_key, cfg["l1_chain_id"])
    pub = keys.public_key(l2_key)
    address = keys.account_address(pub, cfg["paraclear_account_proxy_hash"], cfg["paraclear_account_hash"])
    derive_ms = (time.perf_counter() - t) * 1e3
    out(f"L1 address        {keys.eth_address(l1_key)}")
    out(f"L2 account        {hex(address)}")
    out(f"L2 public key     {hex(pub)}")
    out(f"derivation        {derive_ms:.2f} ms (first call, includes importing eth-account)")

    signer = signing.StarkSigner(l2_key, address, cfg["starknet_chain_id"])
    now_ms = int(time.time() * 1000)
    order = dict(timestamp_ms=now_ms, market="BTC-USD-PERP", side="BUY", order_type="LIMIT", size="0.01", price="65000.5")
    sig = signer.sign_order(**order)
    digest = signing.order_hash(signer.chain_id, address, signing.order_felts(*order.values()))
    ok = signing.verify(pub, digest, sig)
    out(f"order             BUY 0.01 BTC-USD-PERP @ 65000.5  hash {hex(digest)}")
    out(f"signature         {sig}  verifies: {ok}")

    t = time.perf_counter()
    for i in range(orders):
        signer.sign_order(now_ms + i, "ETH-USD-PERP", "SELL", "LIMIT", "0.5", str(3000 + i))
    per_order = (time.perf_counter() - t) * 1e3 / orders
    out(f"signed {orders} orders: {per_order:.3f} ms per order (hash + sign)")
    return {"address": hex(address), "verified": ok, "per_order_ms": per_order}
