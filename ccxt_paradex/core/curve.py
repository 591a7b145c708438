"""Pure-Python STARK curve arithmetic: the portable signing backend.

Used when the native ``fast_stark_crypto`` wheel is not installed, and as an
independent implementation the tests cross-check the native one against.
Fixed-base multiplication uses a byte-wise comb table (32 windows x 255
affine points, built lazily once per process, ~0.1 s), so a signature costs
32 mixed additions instead of ~380 doublings/additions.
"""
import hashlib
import hmac

FIELD_PRIME = 2**251 + 17 * 2**192 + 1
ALPHA = 1
BETA = 0x6F21413EFBE40DE150E596D72F7A8C5609AD26C15C915C1F4CDFCB99CEE9E89
EC_ORDER = 0x0800000000000010FFFFFFFFFFFFFFFFB781126DCAE7B2321E66A241ADC64D2F
GEN = (
    0x1EF15C18599971B7BECED415A40F0C7DEACFD9B0D1819E03D723D8BC943CFCA,
    0x5668060AA49730B7BE4801DF46EC62DE53ECD11ABE43A32873000C36E8DC1F,
)
ECDSA_BOUND = 2**251  # r, w and the message hash must be below this

_P = FIELD_PRIME


def _affine_add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    x1, y1 = p1
    x2, y2 = p2
    if x1 == x2:
        if (y1 + y2) % _P == 0:
            return None
        lam = (3 * x1 * x1 + ALPHA) * pow(2 * y1, -1, _P) % _P
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, _P) % _P
    x3 = (lam * lam - x1 - x2) % _P
    return x3, (lam * (x1 - x3) - y1) % _P


# Jacobian coordinates (X, Y, Z) with x = X/Z^2, y = Y/Z^3; None is infinity.
def _jac_double(p):
    if p is None:
        return None
    x, y, z = p
    if y == 0:
        return None
    yy = y * y % _P
    s = 4 * x * yy % _P
    zz = z * z % _P
    m = (3 * x * x + ALPHA * zz * zz) % _P
    x3 = (m * m - 2 * s) % _P
    return x3, (m * (s - x3) - 8 * yy * yy) % _P, 2 * y * z % _P


def _jac_add_affine(p, q):
    """Jacobian p + affine q."""
    if q is None:
        return p
    if p is None:
        return q[0], q[1], 1
    x1, y1, z1 = p
    z1z1 = z1 * z1 % _P
    u2 = q[0] * z1z1 % _P
    s2 = q[1] * z1 * z1z1 % _P
    h = (u2 - x1) % _P
    r = (s2 - y1) % _P
    if h == 0:
        return _jac_double(p) if r == 0 else None
    hh = h * h % _P
    hhh = h * hh % _P
    v = x1 * hh % _P
    x3 = (r * r - hhh - 2 * v) % _P
    return x3, (r * (v - x3) - y1 * hhh) % _P, z1 * h % _P


def _to_affine(p):
    if p is None:
        return None
    x, y, z = p
    zi = pow(z, -1, _P)
    zi2 = zi * zi % _P
    return x * zi2 % _P, y * zi2 * zi % _P


class _Comb:
    """Byte-wise fixed-base table: row i holds j * 256**i * base for j = 1..255."""

    def __init__(self, base):
        self.rows = []
        b = base
        for _ in range(32):
            row = [b]
            acc = b
            for _ in range(254):
                acc = _affine_add(acc, b)
                row.append(acc)
            self.rows.append(row)
            b = _affine_add(acc, b)  # 256 * previous base

    def mul(self, k):
        acc = None
        rows = self.rows
        i = 0
        while k:
            byte = k & 0xFF
            if byte:
                acc = _jac_add_affine(acc, rows[i][byte - 1])
            k >>= 8
            i += 1
        return acc


_gen_comb = None


def _gen_mul_jac(k):
    global _gen_comb
    if _gen_comb is None:
        _gen_comb = _Comb(GEN)
    return _gen_comb.mul(k % EC_ORDER)


def warm_up():
    """Build the generator's comb table now (0.1-0.3 s, once per process) rather than in the first signature."""
    _gen_mul_jac(1)


def _point_mul_jac(k, point):
    acc = None
    for bit in bin(k)[2:]:
        acc = _jac_double(acc)
        if bit == "1":
            acc = _jac_add_affine(acc, point)
    return acc


def _jac_add(p, q):
    if q is None:
        return p
    return _jac_add_affine(p, _to_affine(q))


def y_from_x(x):
    """A y with (x, y) on the curve, or None if x is not a curve abscissa."""
    rhs = (pow(x, 3, _P) + ALPHA * x + BETA) % _P
    y = _sqrt_mod(rhs)
    return y


def _sqrt_mod(a):
    # Tonelli-Shanks; p - 1 = 2^192 * odd
    a %= _P
    if a == 0:
        return 0
    if pow(a, (_P - 1) // 2, _P) != 1:
        return None
    q, s = _P - 1, 0
    while q % 2 == 0:
        q //= 2
        s += 1
    z = 3
    while pow(z, (_P - 1) // 2, _P) != _P - 1:
        z += 1
    m, c, t, r = s, pow(z, q, _P), pow(a, q, _P), pow(a, (q + 1) // 2, _P)
    while t != 1:
        i, t2 = 0, t
        while t2 != 1:
            t2 = t2 * t2 % _P
            i += 1
        b = pow(c, 1 << (m - i - 1), _P)
        m, c, t, r = i, b * b % _P, t * b * b % _P, r * b % _P
    return r


def public_key(private_key: int) -> int:
    return _to_affine(_gen_mul_jac(private_key))[0]


def _bits2octets_int(value: int) -> bytes:
    return (value % EC_ORDER).to_bytes(32, "big")


def rfc6979_k(msg_hash: int, private_key: int, attempt: int = 0) -> int:
    """Deterministic nonce per RFC 6979 (HMAC-SHA256), ``attempt`` as extra data."""
    x = private_key.to_bytes(32, "big")
    h = _bits2octets_int(msg_hash)
    extra = attempt.to_bytes(32, "big") if attempt else b""
    v = b"\x01" * 32
    key = b"\x00" * 32
    key = hmac.new(key, v + b"\x00" + x + h + extra, hashlib.sha256).digest()
    v = hmac.new(key, v, hashlib.sha256).digest()
    key = hmac.new(key, v + b"\x01" + x + h + extra, hashlib.sha256).digest()
    v = hmac.new(key, v, hashlib.sha256).digest()
    while True:
        v = hmac.new(key, v, hashlib.sha256).digest()
        k = int.from_bytes(v, "big") >> 4  # EC_ORDER has 252 bits
        if 1 <= k < EC_ORDER:
            return k
        key = hmac.new(key, v + b"\x00", hashlib.sha256).digest()
        v = hmac.new(key, v, hashlib.sha256).digest()


def sign(msg_hash: int, private_key: int) -> tuple:
    if not 0 <= msg_hash < ECDSA_BOUND:
        raise ValueError("message hash out of range")
    attempt = 0
    while True:
        k = rfc6979_k(msg_hash, private_key, attempt)
        attempt += 1
        r = _to_affine(_gen_mul_jac(k))[0]
        if not 1 <= r < ECDSA_BOUND:
            continue
        t = (msg_hash + r * private_key) % EC_ORDER
        if t == 0:
            continue
        s = t * pow(k, -1, EC_ORDER) % EC_ORDER
        w = pow(s, -1, EC_ORDER)
        if not 1 <= w < ECDSA_BOUND:
            continue
        return r, s


def verify(public_key_x: int, msg_hash: int, r: int, s: int) -> bool:
    """STARK ECDSA verification against an x-only public key (either y)."""
    if not (0 <= msg_hash < ECDSA_BOUND and 1 <= r < ECDSA_BOUND and 1 <= s < EC_ORDER):
        return False
    w = pow(s, -1, EC_ORDER)
    if not 1 <= w < ECDSA_BOUND:
        return False
    y = y_from_x(public_key_x)
    if y is None:
        return False
    a = _gen_mul_jac(msg_hash * w)
    b = _to_affine(_point_mul_jac(r * w % EC_ORDER, (public_key_x, y)))
    for q in (b, None if b is None else (b[0], (-b[1]) % _P)):
        total = _to_affine(_jac_add_affine(a, q)) if q is not None else _to_affine(a)
        if total is not None and total[0] == r:
            return True
    return False
