"""Per-order hash + sign and L1 -> L2 derivation: ccxt_paradex vs ccxt's built-in paradex, same run.

    python bench/sign.py [--orders N]      (or: tox -e bench)
"""
import argparse
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ccxt  # noqa: E402

from ccxt_paradex.core import backend, keys, signing  # noqa: E402
from _results import emit  # noqa: E402

L1_KEY = "0xf8e4d1d772cdd44e5e77615ad11cc071c94e4c06dc21150d903f28e6aa6abdff"
CONFIG = {
    "starknet_chain_id": "PRIVATE_SN_POTC_SEPOLIA",
    "l1_chain_id": "11155111",
    "paraclear_account_hash": "0x41cb0280ebadaa75f996d8d92c6f265f6d040bb3ba442e5f86a554f1765244e",
    "paraclear_account_proxy_hash": "0x3530cc4759d78042f1b543bf797f5f3d647cde0388c33734cf91b7f7b9314a9",
}


def _median_ms(fn, n):
    samples = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t) * 1e3)
    return statistics.median(samples)


def _ccxt_exchange():
    return ccxt.paradex({"walletAddress": "0x0", "privateKey": L1_KEY, "options": {"systemConfig": dict(CONFIG)}})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=300)
    ap.add_argument("--ccxt-orders", type=int, default=30)
    ap.add_argument("--batch-runs", type=int, default=15, help="runs of the 50-signature batch, 1 and 2 threads")
    args = ap.parse_args()

    # derivation: a fresh L1 -> L2 -> address each time (no caches involved on either side)
    def ours_derive(i):
        l2 = keys.derive_l2_private_key(L1_KEY, CONFIG["l1_chain_id"])
        keys.account_address(keys.public_key(l2), CONFIG["paraclear_account_proxy_hash"], CONFIG["paraclear_account_hash"])

    def ccxt_derive(i):
        _ccxt_exchange().retrieve_account()

    ours_derive(0), ccxt_derive(0)  # imports
    d_ours = _median_ms(ours_derive, 30)
    d_ccxt = _median_ms(ccxt_derive, 10)

    ex = _ccxt_exchange()
    account = ex.retrieve_account()
    signer = signing.StarkSigner(account["privateKey"], account["address"], CONFIG["starknet_chain_id"])
    signer.sign_order(1, "BTC-USD-PERP", "BUY", "LIMIT", "0.001", "1")  # builds the comb table once

    def ours_order(i):
        signer.sign_order(1_700_000_000_000 + i, "BTC-USD-PERP", "BUY", "LIMIT", "0.123", str(60000 + i))

    def ccxt_order(i):
        ex.sign_order_request({"market": "BTC-USD-PERP", "side": "BUY", "type": "LIMIT", "size": "0.123", "price": str(60000 + i)})

    o_ours = _median_ms(ours_order, args.orders)
    o_ccxt = _median_ms(ccxt_order, args.ccxt_orders)

    # 50 order signatures (a create_orders batch's signing) in one thread, then split over two threads: the
    # native calls release the GIL, so two threads can overlap where a second core is free. CPU is summed
    # over threads (process_time), so parallel signing can only cut wall time, never CPU.
    batch = [(1_700_000_000_000 + i, "BTC-USD-PERP", "BUY" if i % 2 else "SELL", "LIMIT", "0.01", str(60000 + i))
             for i in range(50)]

    def serial():
        return [signer.sign_order(*o) for o in batch]

    def two_threads():
        half = [None]
        t = threading.Thread(target=lambda: half.__setitem__(0, [signer.sign_order(*o) for o in batch[25:]]))
        t.start()
        first = [signer.sign_order(*o) for o in batch[:25]]
        t.join()
        return first + half[0]

    assert serial() == two_threads()
    timings = {serial: [], two_threads: []}
    for _ in range(args.batch_runs):
        for fn in (serial, two_threads):
            w, c = time.perf_counter(), time.process_time()
            fn()
            timings[fn].append(((time.perf_counter() - w) * 1e3, (time.process_time() - c) * 1e3))
    (w1, c1), (w2, c2) = ([statistics.median(x[k] for x in timings[fn]) for k in (0, 1)] for fn in (serial, two_threads))

    print(f"crypto backend: {backend.BACKEND_NAME} (native wheel installed: {backend.NATIVE_AVAILABLE}); ccxt {ccxt.__version__}")
    print(f"{'benchmark':34} {'ccxt_paradex':>14} {'ccxt built-in':>14} {'speed-up':>9}")
    print(f"{'order hash + sign (median)':34} {o_ours:11.3f} ms {o_ccxt:11.3f} ms {o_ccxt / o_ours:8.1f}x")
    print(f"{'L1 -> L2 key + address (median)':34} {d_ours:11.3f} ms {d_ccxt:11.3f} ms {d_ccxt / d_ours:8.1f}x")
    if backend.BACKEND_NAME == "native":  # does the native call release the GIL? CPU/wall of 2 threads, against
        def cpu_per_wall(work):  # a pure-Python control run the same way (which holds the GIL: <= 1.0)
            w, c = time.perf_counter(), time.process_time()
            pair = [threading.Thread(target=work) for _ in range(2)]
            [t.start() for t in pair]
            [t.join() for t in pair]
            return (time.process_time() - c) / (time.perf_counter() - w)

        def native():
            for _ in range(100):
                backend.sign(0x1234 + 1, signer._key)

        def python():
            for _ in range(100):
                sum(i * i for i in range(2000))
        ratios = [(cpu_per_wall(native), cpu_per_wall(python)) for _ in range(3)]
        print("2 threads, CPU/wall (1.0 = one thread at a time, 2.0 = both cores): native sign "
              + ", ".join(f"{n:.2f}" for n, _ in ratios) + "; pure-Python control "
              + ", ".join(f"{p:.2f}" for _, p in ratios))
    print(f"50 order signatures, 1 thread: wall {w1:.1f} ms, CPU {c1:.1f} ms; 2 threads: wall {w2:.1f} ms, "
          f"CPU {c2:.1f} ms (medians of {args.batch_runs}; {os.cpu_count()} cores; wall speed-up {w1 / w2:.2f}x)")
    suffix = "" if backend.BACKEND_NAME == "native" else f" ({backend.BACKEND_NAME} backend)"
    emit("sign", "order typed-data hash + STARK signature" + suffix, "ms", o_ours, o_ccxt)
    emit("sign", "L1 -> L2 key derivation + account address" + suffix, "ms", d_ours, d_ccxt)
    if backend.BACKEND_NAME == "native":  # the portable signer is pure Python: it holds the GIL
        emit("sign", "50 order signatures, 1 thread, wall", "ms", w1, note="ours only")
        emit("sign", "50 order signatures split over 2 threads, wall", "ms", w2, note="ours only")
        emit("sign", "50 order signatures, 1 thread, CPU", "ms", c1, note="ours only")
        emit("sign", "50 order signatures split over 2 threads, CPU (summed over threads)", "ms", c2, note="ours only")


if __name__ == "__main__":
    main()
