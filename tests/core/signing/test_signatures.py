"""Every signing backend's signatures verify under every verifier; tampering or a wrong key fails."""
import os
import random
import subprocess
import sys

import pytest
from starknet_py.hash.utils import message_signature, verify_message_signature

from ccxt_paradex.core import backend, curve, signing

from conftest import ROOT

KEY = 0x543B6CF6C91817A87174AAEA4FB370AC1C694E864D7740D728F8344D53E815
PUB = 0x2C144D2F2D4FC61B6F8967F3BA0012A87D90140BCFE5A3E92E8DF83258C960F
ACCOUNT = 0x129C135ED63DF9353885E292BE4426B8ED6122B13C6C0E1BB787288A1F5ADFA
CHAIN = "PRIVATE_SN_POTC_SEPOLIA"


def _signers():
    out = {"curve": lambda h, k: curve.sign(h, k),
           "starknet-py": lambda h, k: tuple(message_signature(h, k))}
    if backend.NATIVE_AVAILABLE:
        out["fast_stark_crypto"] = lambda h, k: backend.native_sign(k, h)
    return out


def _verifiers():
    out = {"curve": curve.verify,
           "starknet-py": lambda pub, h, r, s: verify_message_signature(h, [r, s], pub)}
    if backend.NATIVE_AVAILABLE:
        out["fast_stark_crypto"] = backend._native_verify
    return out


@pytest.mark.parametrize("signer_name", sorted(_signers()))
def test_every_backend_signature_verifies_everywhere(signer_name):
    rng = random.Random(signer_name)
    sign = _signers()[signer_name]
    rounds = 2 if signer_name == "starknet-py" else 6  # crypto-cpp signs in ~110 ms
    for _ in range(rounds):
        key = rng.randrange(1, curve.EC_ORDER)
        pub = curve.public_key(key)
        msg = rng.randrange(0, 2**251)
        r, s = sign(msg, key)
        for vname, verify in _verifiers().items():
            assert verify(pub, msg, r, s), (signer_name, vname)
            assert not verify(pub, msg ^ 1, r, s), (signer_name, vname, "tampered message")
            assert not verify(curve.public_key(key + 1), msg, r, s), (signer_name, vname, "wrong key")


def test_both_backends_sign_the_same_hash_verifiably():
    """The native signer (the default where the wheel is installed) and the pure-Python fallback sign one
    message hash; each signature verifies under both verifiers and under starknet-py's, and, both using
    RFC 6979 nonces, they are the same (r, s)."""
    if not backend.NATIVE_AVAILABLE:
        pytest.skip("fast-stark-crypto is not installed on this platform")
    rng = random.Random(2024)
    for msg in [0, 1, curve.ECDSA_BOUND - 1] + [rng.randrange(curve.ECDSA_BOUND) for _ in range(20)]:
        key = rng.randrange(1, curve.EC_ORDER)
        pub = curve.public_key(key)
        native, portable = backend.native_sign(key, msg), curve.sign(msg, key)
        assert native == portable, hex(msg)
        for r, s in (native, portable):
            assert curve.verify(pub, msg, r, s) and backend._native_verify(pub, msg, r, s)
            assert msg == 0 or verify_message_signature(msg, [r, s], pub)  # starknet-py refuses a zero hash
            assert not curve.verify(pub, (msg + 1) % curve.ECDSA_BOUND, r, s)
    with pytest.raises(ValueError):
        backend.native_sign(KEY, curve.ECDSA_BOUND)  # the range check of curve.sign, not a Rust panic


def test_native_signer_is_the_default_where_installed():
    """``backend.sign`` (what StarkSigner calls) is the native wheel unless it is missing or disabled."""
    forced = os.environ.get("PARADEX_CRYPTO_BACKEND", "").lower() == "portable"
    if backend.NATIVE_AVAILABLE and not forced:
        assert backend.BACKEND_NAME == "native" and backend.sign is backend._sign_native
        assert backend.verify is backend._native_verify and backend.pedersen is backend._pedersen_native
    else:
        assert backend.BACKEND_NAME == "portable" and backend.sign is curve.sign
    signer = signing.StarkSigner(KEY, ACCOUNT, CHAIN)
    h = signing.order_hash(CHAIN, ACCOUNT, signing.order_felts(1, "BTC-USD-PERP", "BUY", "LIMIT", "1", "2"))
    assert signer.sign_hash(h) == signing.format_signature(*backend.sign(h, KEY))
    assert signing.verify(PUB, h, signer.sign_hash(h))


def test_public_keys_agree_across_backends():
    rng = random.Random(7)
    for _ in range(10):
        key = rng.randrange(1, curve.EC_ORDER)
        expected = curve.public_key(key)
        assert backend.public_key(key) == expected
        from starknet_py.hash.utils import private_to_stark_key
        assert private_to_stark_key(key) == expected


def test_pedersen_backends_agree():
    from crypto_cpp_py.cpp_bindings import cpp_hash
    rng = random.Random(11)
    for _ in range(100):
        a, b = rng.randrange(curve.FIELD_PRIME), rng.randrange(1 << rng.randint(1, 251))
        assert backend.pedersen(a, b) == cpp_hash(a, b)
        if backend.NATIVE_AVAILABLE:
            assert backend._pedersen_native(a, b) == cpp_hash(a, b)


def test_signed_order_fails_when_any_field_changes():
    signer = signing.StarkSigner(KEY, ACCOUNT, CHAIN)
    base = dict(timestamp_ms=1700000000123, market="BTC-USD-PERP", side="BUY", order_type="LIMIT", size="0.5", price="65000.5")
    sig = signer.sign_order(**base)
    good = signing.order_hash(CHAIN, ACCOUNT, signing.order_felts(*base.values()))
    assert signing.verify(PUB, good, sig)
    for field, value in [("timestamp_ms", 1700000000124), ("market", "ETH-USD-PERP"), ("side", "SELL"),
                         ("order_type", "STOP_LIMIT"), ("size", "0.50000001"), ("price", "65000.6")]:
        changed = dict(base, **{field: value})
        h = signing.order_hash(CHAIN, ACCOUNT, signing.order_felts(*changed.values()))
        assert not signing.verify(PUB, h, sig), field
    assert not signing.verify(PUB, signing.order_hash(CHAIN, ACCOUNT + 1, signing.order_felts(*base.values())), sig)
    assert not signing.verify(PUB, signing.order_hash("PRIVATE_SN_PARACLEAR_MAINNET", ACCOUNT, signing.order_felts(*base.values())), sig)


def test_signer_messages_verify():
    signer = signing.StarkSigner(hex(KEY), hex(ACCOUNT), CHAIN)
    assert signer.public_key == PUB
    assert signing.verify(PUB, signing.auth_hash(CHAIN, ACCOUNT, 1700000000, 1700000300), signer.sign_auth(1700000000, 1700000300))
    assert signing.verify(PUB, signing.onboarding_hash(CHAIN, ACCOUNT), signer.sign_onboarding())
    felts = signing.order_felts(1, "ETH-USD-PERP", "SELL", "MARKET", "2", None)
    assert signing.verify(PUB, signing.modify_order_hash(CHAIN, ACCOUNT, felts, "42"),
                          signer.sign_modify_order("42", 1, "ETH-USD-PERP", "SELL", "MARKET", "2"))
    assert not signing.verify(PUB, 5, "not json")
    assert not signing.verify(PUB, 5, '["0x0","0x1"]')


def test_portable_backend_in_a_fresh_process():
    """With the wheel disabled, hashes are identical and signatures still verify."""
    code = (
        "from ccxt_paradex.core import backend, signing;"
        "from ccxt_paradex.core import curve;"
        "assert backend.BACKEND_NAME == 'portable' and backend.sign is curve.sign;"
        f"f = signing.order_felts(1634736000000, 'ETH-USD-PERP', 'BUY', 'LIMIT', '0.1', '1500');"
        f"h = signing.order_hash('{CHAIN}', {ACCOUNT}, f);"
        "assert h == 0x357f784e57d5c5b56410bfd988055f93958794f4e550742849e6c82b943c92d, hex(h);"
        f"s = signing.StarkSigner({KEY}, {ACCOUNT}, '{CHAIN}');"
        f"assert signing.verify({PUB}, h, s.sign_order(1634736000000, 'ETH-USD-PERP', 'BUY', 'LIMIT', '0.1', '1500'));"
        "print('ok')"
    )
    env = dict(os.environ, PARADEX_CRYPTO_BACKEND="portable")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
