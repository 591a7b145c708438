"""Our message hashes equal starknet-py's TypedData and ccxt's built-in paradex on random messages."""
import random
from decimal import Decimal

import ccxt
import pytest
from starknet_py.utils.typed_data import TypedData

from ccxt_paradex.core import signing, typed_data

ORDER_TYPES = sorted(signing.ORDER_TYPES)
MARKETS = ["BTC-USD-PERP", "ETH-USD-PERP", "SOL-USD-PERP", "kBONK-USD-PERP", "BTC-USD-15SEP25-55000-C", "ETH-USD"]
CHAINS = ["PRIVATE_SN_POTC_SEPOLIA", "PRIVATE_SN_PARACLEAR_MAINNET"]
N = 240  # 80 each of Order, ModifyOrder, Request


def _decimal(rng, max_int_digits):
    digits = rng.randint(0, 8)
    whole = rng.randint(0, 10**max_int_digits)
    frac = rng.randint(0, 10**digits - 1) if digits else 0
    text = f"{whole}.{frac:0{digits}d}" if digits else str(whole)
    if Decimal(text) == 0:
        text = "0.00000001"
    return text


def _random_messages(seed=2024):
    rng = random.Random(seed)
    out = []
    for i in range(N):
        kind = ("Order", "ModifyOrder", "Request")[i % 3]
        chain = rng.choice(CHAINS)
        account = rng.randrange(1, 2**251)
        if kind == "Request":
            ts = rng.randint(1_600_000_000, 2_000_000_000)
            out.append((kind, chain, account, {"method": rng.choice(["POST", "GET"]), "path": rng.choice(["/v1/auth", "/v1/orders"]),
                                               "body": "", "timestamp": ts, "expiration": ts + rng.randint(1, 604800)}))
            continue
        otype = rng.choice(ORDER_TYPES)
        msg = {
            "timestamp": rng.randint(1_600_000_000, 2_000_000_000) * 1000,  # ccxt signs whole seconds
            "market": rng.choice(MARKETS), "side": rng.choice(["BUY", "SELL"]), "orderType": otype,
            "size": _decimal(rng, 6), "price": None if "MARKET" in otype else _decimal(rng, 6),
        }
        if kind == "ModifyOrder":
            msg["id"] = str(rng.randrange(10**27, 10**28))
        out.append((kind, chain, account, msg))
    return out


MESSAGES = _random_messages()


def _ours(kind, chain, account, msg):
    if kind == "Request":
        return signing.auth_hash(chain, account, msg["timestamp"], msg["expiration"], msg["path"], msg["method"], msg["body"])
    felts = signing.order_felts(msg["timestamp"], msg["market"], msg["side"], msg["orderType"], msg["size"], msg["price"])
    if kind == "ModifyOrder":
        return signing.modify_order_hash(chain, account, felts, msg["id"])
    return signing.order_hash(chain, account, felts)


def _scaled(value):
    return str(int(Decimal(value) * 10**8))


def _starknet_py_doc(kind, chain, msg):
    if kind == "Request":
        fields, message = typed_data.REQUEST_FIELDS, {k: str(v) for k, v in msg.items()}
    else:
        fields = typed_data.MODIFY_ORDER_FIELDS if kind == "ModifyOrder" else typed_data.ORDER_FIELDS
        message = {
            "timestamp": str(msg["timestamp"]), "market": msg["market"], "side": "1" if msg["side"] == "BUY" else "2",
            "orderType": msg["orderType"], "size": _scaled(msg["size"]),
            "price": "0" if msg["price"] is None else _scaled(msg["price"]),
        }
        if kind == "ModifyOrder":
            message["id"] = msg["id"]
    return {
        "domain": {"name": "Paradex", "chainId": chain, "version": "1"},
        "primaryType": kind,
        "types": {
            "StarkNetDomain": [{"name": n, "type": "felt"} for n in ("name", "chainId", "version")],
            kind: [{"name": n, "type": "felt"} for n in fields],
        },
        "message": message,
    }


@pytest.mark.parametrize("index", range(0, N, 40))
def test_against_starknet_py(index):
    for kind, chain, account, msg in MESSAGES[index:index + 40]:
        expected = TypedData.from_dict(_starknet_py_doc(kind, chain, msg)).message_hash(account)
        assert _ours(kind, chain, account, msg) == expected, (kind, msg)


class _CapturingParadex(ccxt.paradex):
    """ccxt's built-in, unmodified maths; only the slow final signature and I/O are replaced."""

    def __init__(self, chain, account):
        super().__init__({"options": {"systemConfig": {"starknet_chain_id": chain},
                                      "paradexAccount": {"address": hex(account), "privateKey": "0x1", "publicKey": "0x1"}}})
        self.hashes = []
        self.fixed_seconds = None

    def nonce(self):
        return self.fixed_seconds

    def starknet_sign(self, msg_hash, pri):
        self.hashes.append(msg_hash)
        return '["0x1","0x1"]'


def _ccxt_hash(kind, chain, account, msg):
    ex = _CapturingParadex(chain, account)
    if kind == "Request":
        types = {"Request": [{"name": n, "type": "felt"} for n in typed_data.REQUEST_FIELDS]}
        return ex.starknet_encode_structured_data(ex.prepare_paradex_domain(), types, msg, hex(account))
    ex.fixed_seconds = msg["timestamp"] // 1000
    request = {"market": msg["market"], "side": msg["side"], "type": msg["orderType"], "size": msg["size"]}
    if msg["price"] is not None:
        request["price"] = msg["price"]
    if kind == "ModifyOrder":
        request["id"] = msg["id"]
    ex.sign_order_request(request, kind == "ModifyOrder")
    return ex.hashes[-1]


@pytest.mark.parametrize("index", range(0, N, 40))
def test_against_ccxt_builtin(index):
    for kind, chain, account, msg in MESSAGES[index:index + 40]:
        assert _ours(kind, chain, account, msg) == _ccxt_hash(kind, chain, account, msg), (kind, msg)


def test_generator_covers_every_kind_and_type():
    kinds = {m[0] for m in MESSAGES}
    types = {m[3].get("orderType") for m in MESSAGES if m[0] != "Request"}
    assert kinds == {"Order", "ModifyOrder", "Request"}
    assert types == set(ORDER_TYPES)
    assert any(len(m[3]["size"].partition(".")[2]) == 8 for m in MESSAGES if m[0] != "Request")
