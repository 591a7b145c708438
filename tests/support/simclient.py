"""A raw HTTP client for simulator tests, signing with the core (no exchange-class code)."""
import json

import aiohttp

from ccxt_paradex.core import keys, signing
from ccxt_paradex.sim.server import SYSTEM_CONFIG


class RawClient:
    def __init__(self, sim, session: aiohttp.ClientSession, stark_key: int):
        self.sim = sim
        self.session = session
        self.key = stark_key
        self.public_key = keys.public_key(stark_key)
        self.address = keys.account_address(self.public_key, SYSTEM_CONFIG["paraclear_account_proxy_hash"],
                                             SYSTEM_CONFIG["paraclear_account_hash"])
        self.signer = signing.StarkSigner(stark_key, self.address, SYSTEM_CONFIG["starknet_chain_id"])
        self.jwt = None

    async def request(self, method, path, body=None, headers=None, params=None, auth=True):
        hdrs = dict(headers or {})
        if auth and self.jwt:
            hdrs["Authorization"] = "Bearer " + self.jwt
        data = None if body is None else json.dumps(body)
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        async with self.session.request(method, self.sim.rest_url + path, data=data, headers=hdrs, params=params) as r:
            text = await r.text()
            return r.status, (json.loads(text) if text else None), r.headers

    async def onboard(self):
        headers = {"PARADEX-ETHEREUM-ACCOUNT": "0x" + "1" * 40, "PARADEX-STARKNET-ACCOUNT": hex(self.address),
                   "PARADEX-STARKNET-SIGNATURE": self.signer.sign_onboarding()}
        return await self.request("POST", "/onboarding", {"public_key": hex(self.public_key)}, headers, auth=False)

    def auth_headers(self, ts=None, expiration=None, signer=None):
        ts = int(self.sim.clock.s()) if ts is None else ts
        expiration = ts + 300 if expiration is None else expiration
        signer = signer or self.signer
        return {"PARADEX-STARKNET-ACCOUNT": hex(self.address), "PARADEX-STARKNET-SIGNATURE": signer.sign_auth(ts, expiration),
                "PARADEX-TIMESTAMP": str(ts), "PARADEX-SIGNATURE-EXPIRATION": str(expiration)}

    async def authenticate(self, path="/auth", **kw):
        status, body, _ = await self.request("POST", path, headers=self.auth_headers(**kw), auth=False)
        if status == 200:
            self.jwt = body["jwt_token"]
        return status, body

    def order(self, market, side, otype, size, price=None, ts=None, **extra):
        ts = self.sim.clock.ms() if ts is None else ts
        req = {"market": market, "side": side, "type": otype, "size": str(size), "instruction": "GTC",
               "signature_timestamp": ts, "signature": self.signer.sign_order(ts, market, side, otype, size, price)}
        if price is not None:
            req["price"] = str(price)
        req.update(extra)
        return req

    async def place(self, *args, **kw):
        return await self.request("POST", "/orders", self.order(*args, **kw))


def stark_key(seed) -> int:
    """A STARK private key of its own per ``seed`` (the same every run)."""
    import random

    from ccxt_paradex.core import curve
    return random.Random(seed).randrange(1, curve.EC_ORDER)


async def onboarded(sim, session, seed=1, onboard=True, auth=True) -> RawClient:
    """A raw client of the key of ``seed``, onboarded and authenticated (each step asserted) unless told not to."""
    c = RawClient(sim, session, stark_key(seed))
    if onboard:
        status, _, _ = await c.onboard()
        assert status == 200
    if auth:
        status, body = await c.authenticate()
        assert status == 200, body
    return c
