"""Bad input is refused with a clear ccxt error that never echoes key material."""
import pytest
from ccxt.base.errors import AuthenticationError, BadRequest, InvalidOrder

from ccxt_paradex.core import curve, keys, signing

ACCOUNT = "0x129c135ed63df9353885e292be4426b8ed6122b13c6c0e1bb787288a1f5adfa"
CHAIN = "PRIVATE_SN_POTC_SEPOLIA"


@pytest.mark.parametrize("bad", ["0xzz12", "hello", "", "0x", "0x" + "1" * 65, "1" * 70, None, 3.5, "0x" + "f" * 64])
def test_bad_stark_keys(bad):
    with pytest.raises(AuthenticationError) as err:
        signing.StarkSigner(bad, ACCOUNT, CHAIN)
    if isinstance(bad, str) and len(bad) > 4:
        assert bad[2:12] not in str(err.value)


def test_zero_key_rejected():
    with pytest.raises(AuthenticationError):
        keys.parse_stark_private_key("0x0")


def test_63_hex_digit_key_is_left_padded():
    key63 = "543b6cf6c91817a87174aaea4fb370ac1c694e864d7740d728f8344d53e815a"
    assert len(key63) == 63
    signer = signing.StarkSigner(key63, ACCOUNT, CHAIN)
    assert signer.public_key == curve.public_key(int(key63, 16))
    assert keys.parse_stark_private_key("0x0" + key63) == int(key63, 16)
    l1_63 = "8e4d1d772cdd44e5e77615ad11cc071c94e4c06dc21150d903f28e6aa6abdff"
    assert keys.derive_l2_private_key(l1_63, 11155111) == keys.derive_l2_private_key("0x0" + l1_63, 11155111)


def test_bad_l1_keys():
    for bad in ["0x" + "g" * 64, "0x" + "1" * 66, "0x0"]:
        with pytest.raises(AuthenticationError):
            keys.derive_l2_private_key(bad, 1)


def test_bad_account_address():
    with pytest.raises(AuthenticationError):
        signing.StarkSigner("0x1234", "not-an-address", CHAIN)


def test_repr_hides_the_key():
    key = "0x543b6cf6c91817a87174aaea4fb370ac1c694e864d7740d728f8344d53e815"
    signer = signing.StarkSigner(key, ACCOUNT, CHAIN)
    for text in (repr(signer), str(signer)):
        assert key[2:] not in text and str(int(key, 16)) not in text
    with pytest.raises(TypeError):
        import pickle
        pickle.dumps(signer)


@pytest.mark.parametrize("kwargs, needle", [
    (dict(size="0.123456789"), "decimals"),
    (dict(price="100.000000001"), "decimals"),
    (dict(size="0"), "positive"),
    (dict(size="-1"), "positive"),
    (dict(price="0"), "positive"),
    (dict(price="-5"), "positive"),
    (dict(price=None), "price"),
    (dict(size="abc"), "not a number"),
    (dict(size=float("nan")), "finite"),
    (dict(side="LONG"), "side"),
    (dict(side=None), "side"),
    (dict(order_type="FOK"), "type"),
    (dict(market=""), "market"),
    (dict(market="X" * 32), "31"),
    (dict(timestamp_ms=0), "timestamp"),
])
def test_bad_order_fields(kwargs, needle):
    args = dict(timestamp_ms=1700000000000, market="BTC-USD-PERP", side="BUY", order_type="LIMIT", size="1", price="100")
    args.update(kwargs)
    with pytest.raises((InvalidOrder, BadRequest)) as err:
        signing.order_felts(**args)
    assert needle in str(err.value)


def test_accepted_order_forms():
    f = signing.order_felts(1, "btc-usd-perp".upper(), "sell", "market", 0.5)
    assert f[2] == 2 and f[5] == 0 and f[4] == 50000000
    # market-family orders are signed at price 0 whatever price was passed
    assert signing.order_felts(1, "BTC-USD-PERP", "BUY", "STOP_MARKET", "1", "100")[5] == 0
    # position-closing TP/SL may carry size 0
    assert signing.order_felts(1, "BTC-USD-PERP", "SELL", "TAKE_PROFIT_MARKET", "0")[4] == 0
    assert signing.order_felts(1, "BTC-USD-PERP", "BUY", "LIMIT", "1e-8", "0.00000001")[4:] == (1, 1)
