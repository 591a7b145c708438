"""The bad inputs left by the last outside run (issue 29), each refused before anything is sent, and an edit that
reads the live order only for what its arguments truly leave out (offline recorder: exactly what would be sent)."""
import json
import math

import pytest
from ccxt.base.errors import ArgumentsRequired, BadRequest, BadSymbol, InvalidOrder

S = "BTC/USD:USDC"


@pytest.mark.parametrize("leverage,error", [("abc", BadRequest), (None, ArgumentsRequired), (math.nan, BadRequest),
                                            (math.inf, BadRequest), (2.5, BadRequest), (0, BadRequest), (-3, BadRequest),
                                            (True, BadRequest), ([5], BadRequest)])
def test_set_leverage_refuses_what_is_not_a_whole_leverage(rec, leverage, error):
    ex, sent = rec
    with pytest.raises(error):
        ex.set_leverage(leverage, S)
    assert sent == []


@pytest.mark.parametrize("leverage", [5, 5.0, "5"])
def test_set_leverage_sends_an_integer(rec, leverage):
    ex, sent = rec
    ex.set_leverage(leverage, S, {"marginMode": "cross"})
    (method, url, body), = sent
    assert method == "POST" and url.endswith("/account/margin/BTC-USD-PERP")
    assert json.loads(body)["leverage"] == 5 and type(json.loads(body)["leverage"]) is int


def test_cancel_orders_refuses_an_unknown_symbol(rec):
    ex, sent = rec
    with pytest.raises(BadSymbol):
        ex.cancel_orders(["1", "2"], "NOPE/USD:USDC")
    assert sent == []
    ex.cancel_orders(["1"], S)
    assert [m for m, _, _ in sent] == ["DELETE"]


@pytest.mark.parametrize("amount,price", [(1e-30, None), (None, 1e-30), (1e-30, 60000)])
def test_edit_order_refuses_a_value_below_the_precision_before_reading_the_order(rec, amount, price):
    ex, sent = rec
    with pytest.raises(InvalidOrder, match="precision"):
        ex.edit_order("123", S, None, None, amount, price)
    assert sent == []


def test_a_client_id_no_order_can_carry_is_not_sent(rec):
    ex, sent = rec
    for call in (lambda: ex.cancel_order(None, S, {"clientOrderId": "x" * 65}),
                 lambda: ex.fetch_order(None, S, {"clientOrderId": "x" * 10000}),
                 lambda: ex.cancel_orders([], S, {"clientOrderIds": ["ok", "y" * 65]})):
        with pytest.raises(BadRequest, match="longer than 64"):
            call()
    assert sent == []
    ex.cancel_order(None, S, {"clientOrderId": "x" * 64})  # the longest an order carries
    assert sent[0][1].split("?")[0].endswith("/orders/by_client_id/" + "x" * 64)


def test_hedged_false_is_one_way_mode_and_accepted(rec):
    ex, sent = rec
    ex.create_order(S, "limit", "buy", 0.01, 60000, {"hedged": False})
    assert "hedged" not in json.loads(sent[-1][2])
    with pytest.raises(Exception, match="hedge mode"):
        ex.create_order(S, "limit", "buy", 0.01, 60000, {"hedged": True})
    assert len(sent) == 1


@pytest.mark.parametrize("params,paradex_type", [({"triggerPrice": 61000}, "STOP_LIMIT"),
                                                 ({"stopLossPrice": 59000}, "STOP_LOSS_LIMIT"),
                                                 ({"takeProfitPrice": 61000}, "TAKE_PROFIT_LIMIT")])
def test_edit_with_a_unified_type_and_a_trigger_maps_as_create_order_and_reads_nothing(rec, params, paradex_type):
    ex, sent = rec
    ex.edit_order("77", S, "limit", "buy", 0.01, 60000, params)
    assert [m for m, _, _ in sent] == ["PUT"]  # no GET of the order first
    body = json.loads(sent[0][2])
    assert body["type"] == paradex_type and body["trigger_price"] == str(list(params.values())[0])


def test_edit_refuses_two_kinds_of_trigger(rec):
    ex, sent = rec
    with pytest.raises(InvalidOrder, match="one of"):
        ex.edit_order("77", S, "limit", "buy", 0.01, 60000, {"triggerPrice": 61000, "stopLossPrice": 59000})
    assert sent == []


@pytest.mark.parametrize("leverage", [2.5, "abc", math.nan, 0])
def test_set_margin_mode_takes_its_leverage_param_as_set_leverage_takes_its_argument(rec, leverage):
    ex, sent = rec
    with pytest.raises(BadRequest):
        ex.set_margin_mode("isolated", S, {"leverage": leverage})
    assert sent == []
    ex.set_margin_mode("isolated", S, {"leverage": 3.0})
    assert json.loads(sent[-1][2]) == {"leverage": 3, "margin_type": "ISOLATED"}


def test_fetch_leverages_forwards_params_as_fetch_leverage_does(rec):
    ex, sent = rec
    ex.fetch_leverages([S], {"tag": "a"})
    ex.fetch_margin_modes([S], {"tag": "b"})
    assert [url.split("?", 1)[1] for _, url, _ in sent] == ["market=BTC-USD-PERP&tag=a", "market=BTC-USD-PERP&tag=b"]


def test_fetch_ohlcv_refuses_an_unknown_timeframe_as_a_bad_request(rec):
    ex, sent = rec
    with pytest.raises(BadRequest, match="7m"):
        ex.fetch_ohlcv(S, "7m")
    assert sent == []


def test_urls_api_given_as_one_string_says_what_it_must_be():
    import ccxt_paradex
    from ccxt.base.errors import ExchangeError
    ex = ccxt_paradex.paradex({"urls": {"api": "http://127.0.0.1:8080/v1"}})
    with pytest.raises(ExchangeError, match=r"urls\['api'\] must be a dict") as refused:
        ex.fetch_time()
    assert type(refused.value) is ExchangeError  # not a raw AttributeError from the string
