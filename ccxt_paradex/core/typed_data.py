"""StarkNet typed data, revision 0 (Pedersen), as Paradex signs it.

message_hash = H("StarkNet Message", H(domain), account, H(struct)) where
H(x0..xn-1) = pedersen(...pedersen(pedersen(0, x0), x1)..., n).
The first three links of the outer chain depend only on (chain, account), and
pedersen(0, type_hash) only on the type, so both are cached: an Order costs
9 Pedersen evaluations (6 fields + length + 2 outer links).
"""
from functools import lru_cache

from eth_hash.auto import keccak

from . import backend
from .felt import to_felt

_MASK_250 = 2**250 - 1
STARKNET_MESSAGE_PREFIX = to_felt("StarkNet Message")
DOMAIN_TYPE = (("name", "felt"), ("chainId", "felt"), ("version", "felt"))

REQUEST_FIELDS = ("method", "path", "body", "timestamp", "expiration")
ORDER_FIELDS = ("timestamp", "market", "side", "orderType", "size", "price")
MODIFY_ORDER_FIELDS = ORDER_FIELDS + ("id",)
CONSTANT_FIELDS = ("action",)


def starknet_keccak(data: bytes) -> int:
    return int.from_bytes(keccak(data), "big") & _MASK_250


def selector(name: str) -> int:
    return starknet_keccak(name.encode("ascii"))


def hash_on_elements(values) -> int:
    h = 0
    n = 0
    for v in values:
        h = backend.pedersen(h, v)
        n += 1
    return backend.pedersen(h, n)


@lru_cache(maxsize=None)
def type_hash(name: str, fields: tuple) -> int:
    """``fields`` is a tuple of (name, type) pairs, or of names (all felt)."""
    pairs = [f if isinstance(f, tuple) else (f, "felt") for f in fields]
    encoded = name + "(" + ",".join(f"{n}:{t}" for n, t in pairs) + ")"
    return starknet_keccak(encoded.encode("ascii"))


@lru_cache(maxsize=None)
def _struct_seed(name: str, fields: tuple) -> int:
    return backend.pedersen(0, type_hash(name, fields))


def struct_hash(name: str, fields: tuple, values) -> int:
    """Hash of a struct whose felts are already encoded, in ``fields`` order."""
    return struct_hashes(name, fields, (tuple(values),))[0]


def struct_hashes(name: str, fields: tuple, rows) -> list:
    """The hashes of many structs of one type (tuples of encoded felts, in ``fields`` order), sharing work: a chain
    link is computed once per distinct prefix of field values (orders of one batch signed at one timestamp share
    their first links: timestamp, market, often side and type), so N such orders cost fewer than N times the
    Pedersen calls. ``struct_hash`` is the one-struct case."""
    seed = _struct_seed(name, fields)
    tail = len(fields) + 1
    memo: dict = {}
    out = []
    for values in rows:
        h = seed
        for k in range(len(values)):
            key = values[:k + 1]
            link = memo.get(key)
            if link is None:
                link = memo[key] = backend.pedersen(h, values[k])
            h = link
        out.append(backend.pedersen(h, tail))
    return out


@lru_cache(maxsize=64)
def domain_hash(chain_id, name: str = "Paradex", version=1) -> int:
    return struct_hash("StarkNetDomain", DOMAIN_TYPE, (to_felt(name), to_felt(chain_id), to_felt(version)))


@lru_cache(maxsize=256)
def _account_seed(chain_id, account: int) -> int:
    h = backend.pedersen(0, STARKNET_MESSAGE_PREFIX)
    h = backend.pedersen(h, domain_hash(chain_id))
    return backend.pedersen(h, account)


def message_hash(chain_id, account: int, struct: int) -> int:
    """Final Paradex-domain message hash around an already computed struct hash."""
    return backend.pedersen(backend.pedersen(_account_seed(chain_id, account), struct), 4)


def typed_data_hash(typed_data: dict, account: int) -> int:
    """Generic hash of a JSON typed-data document (single primary struct, felt fields).

    Slow path for tools and tests; the signer uses the cached per-message helpers.
    """
    types = typed_data["types"]
    primary = typed_data["primaryType"]
    domain = typed_data["domain"]
    dom_fields = tuple(f["name"] for f in types["StarkNetDomain"])
    dom = struct_hash("StarkNetDomain", tuple((f, "felt") for f in dom_fields),
                      [to_felt(domain[f]) for f in dom_fields])
    fields = tuple(f["name"] for f in types[primary])
    for f in types[primary]:
        if f["type"] != "felt":
            raise ValueError(f"only felt fields are supported, got {f['type']}")
    body = struct_hash(primary, fields, [to_felt(typed_data["message"][f]) for f in fields])
    return hash_on_elements([STARKNET_MESSAGE_PREFIX, dom, account, body])
