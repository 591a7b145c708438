"""A batch of orders hashed and signed together (issue 15 item 4): shared hash-chain prefixes computed once, slices
signed in parallel threads where the native backend releases the GIL, and the result identical, order for order,
to signing each one alone. No timing here (bench/orders.py measures it)."""
import threading

import pytest
from ccxt.base.errors import InvalidOrder

from ccxt_paradex.adapters import orders
from ccxt_paradex.core import backend, signing, typed_data

ACCOUNT = "0x129c135ed63df9353885e292be4426b8ed6122b13c6c0e1bb787288a1f5adfa"
CHAIN = "PRIVATE_SN_POTC_SEPOLIA"
KEY = "0x" + "3" * 63
TS = 1760000000000


def _felts(n, ts=TS):
    return [signing.order_felts(ts, "BTC-USD-PERP" if i % 3 else "ETH-USD-PERP", "BUY" if i % 2 else "SELL", "LIMIT",
                                "0.01" if i % 4 else "0.02", str(60000 + i / 10)) for i in range(n)]


@pytest.fixture(scope="module")
def signer():
    return signing.StarkSigner(KEY, ACCOUNT, CHAIN)


def test_struct_hashes_equal_one_by_one_and_share_prefixes(monkeypatch):
    rows = _felts(12)
    expected = [typed_data.struct_hash("Order", typed_data.ORDER_FIELDS, r) for r in rows]
    calls = []
    real = backend.pedersen
    monkeypatch.setattr(backend, "pedersen", lambda a, b: calls.append(1) or real(a, b))
    assert typed_data.struct_hashes("Order", typed_data.ORDER_FIELDS, rows) == expected
    # one timestamp link; per (market, side, type, size) prefix its own links; each order its price and length
    distinct = sum(len({r[:k] for r in rows}) for k in range(1, 7))
    assert len(calls) == distinct + len(rows)
    assert len(calls) < 7 * len(rows)  # fewer than one by one (6 fields + length each)


def test_order_hashes_match_order_hash():
    rows = _felts(9)
    assert signing.order_hashes(CHAIN, int(ACCOUNT, 16), rows) == [signing.order_hash(CHAIN, int(ACCOUNT, 16), r)
                                                                   for r in rows]


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_sign_orders_equals_signing_each(signer, threads):
    rows = _felts(14)
    signatures = signer.sign_orders(rows, threads)
    assert signatures == [signer.sign_order_felts(r) for r in rows]  # RFC 6979: deterministic
    for r, sig in zip(rows, signatures):
        assert signing.verify(signer.public_key, signing.order_hash(CHAIN, signer.account, r), sig)


def test_sign_orders_uses_threads_only_where_the_backend_releases_the_gil(signer, monkeypatch):
    names = set()
    real = backend.sign
    monkeypatch.setattr(backend, "sign", lambda h, k: names.add(threading.current_thread().name) or real(h, k))
    signer.sign_orders(_felts(16), 2)
    if backend.RELEASES_GIL:
        assert names == {threading.current_thread().name, "ccxt_paradex-sign"}
    else:
        assert names == {threading.current_thread().name}
    names.clear()
    signer.sign_orders(_felts(3), 2)  # too few orders to be worth a thread
    assert names == {threading.current_thread().name}
    assert not [t for t in threading.enumerate() if t.name == "ccxt_paradex-sign"]  # none outlives the call


def test_a_failure_in_a_signing_thread_reaches_the_caller(signer, monkeypatch):
    rows = _felts(16)
    bad = signing.order_hash(CHAIN, signer.account, rows[-1])  # the last slice: a helper thread's when threaded
    real = backend.sign

    def sign(h, k):
        if h == bad:
            raise ValueError("boom")
        return real(h, k)
    monkeypatch.setattr(backend, "sign", sign)
    with pytest.raises(ValueError, match="boom"):
        signer.sign_orders(rows, 2)


def _requests(n):
    return [{"market": "BTC-USD-PERP", "side": "BUY", "type": "LIMIT", "size": "0.01", "price": str(60000 + i)}
            for i in range(n)]


def test_a_batch_is_signed_at_one_timestamp_and_repeats_get_the_next_ms(signer):
    reqs = _requests(5) + _requests(2)  # the last two repeat the first two's signed fields
    clock = iter(range(TS, TS + 100))
    out = orders.sign_orders(signer, reqs, lambda: next(clock), 2)
    assert [r["signature_timestamp"] for r in out] == [TS] * 5 + [TS + 1] * 2
    assert len({r["signature"] for r in out}) == len(out)  # no two orders of a batch share a signature
    for r in out:
        felts = signing.order_felts(r["signature_timestamp"], r["market"], r["side"], r["type"], r["size"], r["price"])
        assert signing.verify(signer.public_key, signing.order_hash(CHAIN, signer.account, felts), r["signature"])
        assert list(r)[-2:] == ["signature", "signature_timestamp"]


def test_a_bad_order_in_a_batch_stops_it_before_anything_is_signed(signer, monkeypatch):
    signed = []
    real = backend.sign
    monkeypatch.setattr(backend, "sign", lambda h, k: signed.append(h) or real(h, k))
    reqs = _requests(6)
    reqs[4]["size"] = "-1"
    with pytest.raises(InvalidOrder):
        orders.sign_orders(signer, reqs, lambda: TS, 2)
    assert signed == [] and not any("signature" in r for r in reqs)
