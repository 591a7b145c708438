"""Published / independently computed vectors: paradex-py's key-derivation test (tests/conftest.py VECTOR) and
type, domain and message hashes computed locally with ccxt's bundled starknet libraries."""
from ccxt_paradex.core import keys, signing, typed_data


def test_l1_to_l2_derivation_matches_paradex_py_vector(vector):
    l2 = keys.derive_l2_private_key(vector["l1_private_key"], vector["l1_chain_id"])
    assert l2 == vector["l2_private_key"]
    pub = keys.public_key(l2)
    assert pub == vector["l2_public_key"]
    assert keys.account_address(pub, vector["proxy_hash"], vector["account_hash"]) == vector["l2_address"]
    # (the vector's L1 address is a config value in paradex-py's test, not the key's address)


def test_derivation_depends_on_l1_chain(vector):
    other = keys.derive_l2_private_key(vector["l1_private_key"], 1)
    assert other != vector["l2_private_key"]


def test_type_and_domain_hashes():
    assert typed_data.type_hash("Request", typed_data.REQUEST_FIELDS) == 0x186CDEF6B179923C411C13C11B8A825F12BF34203BDDA0A984DA9D6F2313C2
    assert typed_data.type_hash("Order", typed_data.ORDER_FIELDS) == 0xA56D5225B97B257C15AE2CB1CC0EA605381A886CD75463DB45FD2EF9FBC255
    assert typed_data.type_hash("ModifyOrder", typed_data.MODIFY_ORDER_FIELDS) == 0x201789BB587C17B251FD38DAF43B14807010EA721C2929A8C2FC33BF15C2E2C
    assert typed_data.type_hash("Constant", typed_data.CONSTANT_FIELDS) == 0xE84BBCB68E0F7C73A9058BA82B6DA9C1FFDC502EFCF034E78B0C003C22ECC9
    assert typed_data.type_hash("StarkNetDomain", typed_data.DOMAIN_TYPE) == 0x98D1932052FC5137543DE5ED85B7A88555A4CD1FF5D5BFEDB62ED9B9A1F0DB
    assert typed_data.domain_hash("PRIVATE_SN_PARACLEAR_MAINNET") == 0x6F74F207280B65CF663FB8D7763FAC1E7398CD6D7DA5D7681DC300EE4278A0A
    # chain id given as the hex of its short string encodes identically (paradex-py style)
    assert typed_data.domain_hash(hex(int.from_bytes(b"PRIVATE_SN_PARACLEAR_MAINNET", "big"))) == typed_data.domain_hash("PRIVATE_SN_PARACLEAR_MAINNET")


def test_message_hash_vectors(vector):
    chain, account = vector["chain_id"], vector["l2_address"]
    felts = signing.order_felts(1634736000000, "ETH-USD-PERP", "BUY", "LIMIT", "0.1", "1500")
    assert felts[4] == 10000000 and felts[5] == 150000000000
    assert signing.order_hash(chain, account, felts) == 0x357F784E57D5C5B56410BFD988055F93958794F4E550742849E6C82B943C92D
    assert signing.modify_order_hash(chain, account, felts, "1681462103821101699438490000") == 0x799A110CE70E28CCFE5296ECFE8831121F835A1DB5A1F78B56DAC5FF71C919A
    assert signing.auth_hash(chain, account, 1700000000, 1700000300) == 0x5DF41969A9B0BAB4F12817F612A14C0F874CE1D3D9845A06CFE0352D873D47E
    assert signing.onboarding_hash(chain, account) == 0xD38FCA3E24662DEA69B9BC6699DBAF95D018C8FB7C9940F51AABB813E8D8BF


def test_documented_signatures_verify(vector):
    """The recorded (r, s) pairs were produced by another signer (ccxt's bundled one): they must verify with ours."""
    pub = vector["l2_public_key"]
    order = 0x357F784E57D5C5B56410BFD988055F93958794F4E550742849E6C82B943C92D
    auth = 0x5DF41969A9B0BAB4F12817F612A14C0F874CE1D3D9845A06CFE0352D873D47E
    order_sig = '["0x68bf8dc67c85eea20c30eadd927ab0fe1a9f4b0102788addf1ee6bb63f212bc","0x24ca640f6e8ce6975f3752023910465049be641bfdfb96a615a359b985a560f"]'
    auth_sig = '["0x411acb0f6d75d8671218efd5f6758be4e2bffaaca41722d97e62021b3a6caec","0x4f0408541071a75c4fedb27a78e99e18cbe7a32827eca492646e6642b3bab70"]'
    assert signing.verify(pub, order, order_sig)
    assert signing.verify(pub, auth, auth_sig)
    assert not signing.verify(pub, auth, order_sig)


def test_typed_data_document_hash_matches_cached_path(vector):
    doc = {
        "domain": {"name": "Paradex", "chainId": vector["chain_id"], "version": "1"},
        "primaryType": "Order",
        "types": {
            "StarkNetDomain": [{"name": n, "type": "felt"} for n in ("name", "chainId", "version")],
            "Order": [{"name": n, "type": "felt"} for n in typed_data.ORDER_FIELDS],
        },
        "message": {"timestamp": "1634736000000", "market": "ETH-USD-PERP", "side": "1",
                    "orderType": "LIMIT", "size": "10000000", "price": "150000000000"},
    }
    assert typed_data.typed_data_hash(doc, vector["l2_address"]) == 0x357F784E57D5C5B56410BFD988055F93958794F4E550742849E6C82B943C92D


def test_l1_derivation_matches_eth_account_for_random_keys():
    """Our keccak-only EIP-712 path (no eth_account import) equals eth_account's, key for key."""
    import random

    from eth_account import Account
    from eth_account.messages import _hash_eip191_message, encode_typed_data

    from ccxt_paradex.core import keys

    rng = random.Random(12)
    for _ in range(20):
        l1 = "0x" + format(rng.randrange(1, 2**256 - 2**200), "064x")
        chain = rng.choice([1, 11155111, rng.randrange(1, 2**40)])
        signable = encode_typed_data(full_message=keys.stark_key_typed_data(chain))
        assert _hash_eip191_message(signable) == keys.stark_key_message_hash(chain)
        signed = Account.sign_message(signable, l1)
        assert keys.derive_l2_private_key(l1, chain) == keys.grind_key(signed.r)
        assert keys.eth_address(l1) == Account.from_key(l1).address
