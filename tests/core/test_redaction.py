"""JWTs and signature headers never reach ccxt's verbose output or its debug log (REST and WebSocket)."""
import asyncio
import contextlib
import io
import logging
import re

import ccxt_paradex
from ccxt_paradex.core import keys
from ccxt_paradex.core.redact import REDACTED, RedactingLogger, redact
from ccxt_paradex.pro import paradex as paradex_pro
from ccxt_paradex.sim import Simulator
from ccxt_paradex.sim.thread import SimulatorThread

L1 = "0x" + "7a" * 32
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIweDEyIn0.c2lnbmF0dXJl"


def test_redact_replaces_tokens_and_secret_headers_without_touching_the_input():
    headers = {"authorization": "Bearer " + JWT, "PARADEX-STARKNET-SIGNATURE": '["0x1","0x2"]', "Accept": "*/*"}
    body = '{"jwt_token":"%s","account":"0xabc"}' % JWT
    out = redact(("GET", headers, body, body.encode(), [JWT], 7))
    assert out[1] == {"authorization": REDACTED, "PARADEX-STARKNET-SIGNATURE": REDACTED, "Accept": "*/*"}
    assert out[2] == '{"jwt_token":"%s","account":"0xabc"}' % REDACTED and JWT not in out[3] and out[4] == [REDACTED]
    assert out[5] == 7 and headers["authorization"] == "Bearer " + JWT  # a copy, the request itself is intact
    assert redact("eyJ is a prefix, not a token") == "eyJ is a prefix, not a token"


def test_redacting_logger_keeps_levels_and_name():
    inner = logging.getLogger("test.redaction")
    logger = RedactingLogger(inner)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    inner.addHandler(handler)
    inner.setLevel(logging.INFO)
    try:
        logger.debug("hidden %s", JWT)
        logger.info("shown %s %s", {"Authorization": JWT}, JWT)
    finally:
        inner.removeHandler(handler)
    assert stream.getvalue().strip() == "shown {'Authorization': '%s'} %s" % (REDACTED, REDACTED)
    assert logger.name == "test.redaction" and logger.getEffectiveLevel() == logging.INFO


def _assert_clean(text, jwt, l1=L1):
    assert jwt and jwt not in text and jwt.split(".")[1] not in text
    assert l1[2:] not in text.lower() and format(keys.derive_l2_private_key(l1, 11155111), "x") not in text.lower()
    assert not re.search(r"PARADEX-STARKNET-SIGNATURE['\"]?: ['\"]?\[", text, re.I)
    assert REDACTED in text


def test_verbose_rest_and_debug_log_carry_no_credentials():
    with SimulatorThread(seed=2, tick_interval=0) as sim:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        logger = logging.getLogger("ccxt")
        logger.addHandler(handler)
        old_level = logger.level
        logger.setLevel(logging.DEBUG)
        try:
            with contextlib.redirect_stdout(stream):
                ex = ccxt_paradex.paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1,
                                           "urls": sim.ccxt_urls(), "verbose": True})
                ex.fetch_balance()  # onboarding, /auth, then a request with the bearer token
                ex.create_order("BTC/USD:USDC", "limit", "buy", 0.001, 30000)
        finally:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
    text = stream.getvalue()
    assert "fetch Request:" in text and "/v1/auth" in text and "Request: {" in text  # verbose and debug both ran
    _assert_clean(text, ex.options["authToken"])


def test_verbose_websocket_auth_carries_no_credentials():
    async def run():
        async with Simulator(seed=3, tick_interval=0.05, summary_interval=0, funding_interval=0) as sim:
            ex = paradex_pro({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": sim.ccxt_urls()})
            try:
                await ex.load_markets()
                await ex.fetch_balance()  # onboarded and logged in before the socket opens
                ex.verbose = True
                stream = io.StringIO()
                with contextlib.redirect_stdout(stream):
                    task = asyncio.ensure_future(ex.watch_balance())
                    await asyncio.wait_for(ex.authenticate(), 5)
                    task.cancel()
                return stream.getvalue(), ex.options["authToken"]
            finally:
                await ex.close()
    text, jwt = asyncio.run(run())
    assert "sending" in text and '"auth"' in text.replace("'", '"')
    _assert_clean(text, jwt)
