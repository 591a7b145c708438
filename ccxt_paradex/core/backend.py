"""Crypto primitive selection: Pedersen hash, STARK sign / verify / public key.

Measured on the 2-core x86_64 reference machine (full-width 252-bit inputs):
  pedersen    fast_stark_crypto 28-52 us | crypto-cpp (starknet-py) 240 us
  sign        curve.sign (comb table) 0.18 ms | fast_stark_crypto 0.26 ms | crypto-cpp 107 ms
  verify      fast_stark_crypto 0.6 ms | curve.verify 4.4 ms
  public key  fast_stark_crypto 0.2 ms | curve (comb) 0.1 ms, but its table costs 0.12 s once
Where the native wheel is installed it does every operation, signing included: an audited library on the
money path is worth the ~0.08 ms per signature the hand-written comb signer would save. Both use RFC 6979
nonces, so they produce the same (r, s). ``core/curve.py`` is the portable fallback (and the independent
cross-check in the tests).
``PARADEX_CRYPTO_BACKEND=portable`` forces the wheel-free path (used by tests).
"""
import os
import platform
import sys
from typing import Any

from . import curve

try:  # native Rust wheel (CPython 3.10-3.13 on Linux x86_64, macOS arm64, Windows AMD64: setup.cfg's marker)
    from fast_stark_crypto.fast_stark_crypto import (
        rs_compute_pedersen_hash as _rs_pedersen,
        rs_get_public_key as _rs_get_public_key,
        rs_sign_message as _rs_sign,
        rs_verify_signature as _rs_verify,
    )
except ImportError:  # pragma: no cover - depends on the platform
    _rs_pedersen = _rs_sign = _rs_verify = None

NATIVE_AVAILABLE = _rs_pedersen is not None
_FORCED_PORTABLE = os.environ.get("PARADEX_CRYPTO_BACKEND", "").lower() == "portable"
_native = NATIVE_AVAILABLE and not _FORCED_PORTABLE

_cpp_pedersen: Any = None
if not _native:  # starknet-py's C++ Pedersen; imported only when needed (crypto_cpp_py pulls in sympy, ~0.5 s)
    try:
        from crypto_cpp_py.cpp_bindings import cpp_hash
        _cpp_pedersen = cpp_hash
    except ImportError:  # pragma: no cover
        pass


def _pedersen_native(a: int, b: int) -> int:
    return int(_rs_pedersen(hex(a), hex(b)))


if _native:
    pedersen = _pedersen_native
elif _cpp_pedersen is not None:
    pedersen = _cpp_pedersen
else:  # pragma: no cover
    def pedersen(a: int, b: int) -> int:
        raise ImportError("no Pedersen implementation: install crypto-cpp-py or fast-stark-crypto")

BACKEND_NAME = "native" if _native else "portable"


# where fast-stark-crypto 0.5.0 publishes a wheel (CPython 3.10-3.13), as setup.cfg's marker selects it
NATIVE_WHEEL_PLATFORMS = frozenset({("Linux", "x86_64"), ("Darwin", "arm64"), ("Windows", "AMD64")})
NATIVE_WHEEL_PYTHONS = ((3, 10), (3, 13))


def native_wheel_exists(implementation=None, system=None, machine=None, version=None) -> bool:
    """Whether setup.cfg installs the native wheel on this interpreter (or on the one described: ``version`` a
    (major, minor) tuple)."""
    implementation = implementation or platform.python_implementation()
    version = tuple(version or sys.version_info[:2])
    low, high = NATIVE_WHEEL_PYTHONS
    return (implementation == "CPython" and low <= version <= high
            and (system or platform.system(), machine or platform.machine()) in NATIVE_WHEEL_PLATFORMS)


def describe() -> dict:
    """Which backend signs and hashes here, and why -> {"name", "reason", "pedersen", "signer"}
    (``python -m ccxt_paradex doctor`` prints it)."""
    if _native:
        reason = f"fast-stark-crypto {_dist_version('fast-stark-crypto')} is installed"
        return {"name": "native", "reason": reason, "pedersen": "fast-stark-crypto", "signer": "fast-stark-crypto"}
    if NATIVE_AVAILABLE:
        reason = "PARADEX_CRYPTO_BACKEND=portable is set (fast-stark-crypto is installed but not used)"
    elif native_wheel_exists():
        reason = ("fast-stark-crypto is not installed, though a wheel exists for this platform: "
                  "pip install fast-stark-crypto==0.5.0")
    else:
        reason = (f"no fast-stark-crypto wheel for {platform.python_implementation()} "
                  f"{sys.version_info[0]}.{sys.version_info[1]} on {platform.system()} {platform.machine()} "
                  "(wheels: CPython 3.10-3.13 on Linux x86_64, macOS arm64, Windows AMD64)")
    pedersen_impl = f"crypto-cpp-py {_dist_version('crypto-cpp-py')}" if _cpp_pedersen is not None else \
        "missing (install crypto-cpp-py)"
    return {"name": "portable", "reason": reason, "pedersen": pedersen_impl, "signer": "core/curve.py (pure Python)"}


def _dist_version(name: str) -> str:
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "(version unknown)"
# fast_stark_crypto's calls release the GIL (measured: two threads hash and sign two halves of a batch in half the
# wall time, same CPU; tests/core/signing/test_parallel.py checks the signatures, bench/orders.py the time); the portable
# signer is pure Python and holds it, so a thread pool would only add overhead there.
RELEASES_GIL = _native


def native_sign(private_key: int, msg_hash: int) -> tuple:
    # the same range check and error as curve.sign (the Rust side would panic, a BaseException)
    if not 0 <= msg_hash < curve.ECDSA_BOUND:
        raise ValueError("message hash out of range")
    r, s = _rs_sign(hex(private_key), hex(msg_hash))
    return int(r), int(s)


def _sign_native(msg_hash: int, private_key: int) -> tuple:
    return native_sign(private_key, msg_hash)


def _no_warm_up():
    """The native signer needs no table."""


def _native_verify(public_key: int, msg_hash: int, r: int, s: int) -> bool:
    # The Rust side panics (a BaseException) on out-of-range inputs: check first.
    if not (0 <= msg_hash < curve.ECDSA_BOUND and 1 <= r < curve.ECDSA_BOUND
            and 1 <= s < curve.EC_ORDER and 0 < public_key < curve.FIELD_PRIME):
        return False
    try:
        return _rs_verify(hex(public_key), hex(msg_hash), hex(r), hex(s)) is True
    except BaseException:  # noqa: B036 - pyo3 PanicException derives from BaseException
        return False


def _native_public_key(private_key: int) -> int:
    return int(_rs_get_public_key(hex(private_key)))


sign = _sign_native if _native else curve.sign  # (msg_hash, private_key) -> (r, s)
# the portable signer's comb table is built at login, so the first order is as fast as the others
warm_up = _no_warm_up if _native else curve.warm_up
# One derivation must not pay for the comb table; signing builds it anyway.
public_key = _native_public_key if _native else curve.public_key
verify = _native_verify if _native else curve.verify  # (public_key, msg_hash, r, s)
