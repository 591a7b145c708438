"""EVM-keyed accounts in the simulator: ``POST /v2/onboarding`` and ``POST /v2/auth`` (SIWE + EIP-191).

An EVM account is the Argent account its Ethereum key owns (address from ``paraclear_evm_account_hash``,
``core/keys.evm_account_address``). It has no STARK key: the simulator records it with public key 0, which
no STARK signature verifies against, so the account's orders must be signed by a subkey it registered
(``POST /account/keys/subkeys`` with its JWT, whose ``pub`` claim is that 0: the main key's), as on Paradex.
The JWT is the one ``/auth`` issues: every private route takes it.
"""
from ..core import siwe
from .errors import ApiError, json_object, not_onboarded

#: what an EVM account is recorded with in place of a STARK public key (none: it cannot sign STARK messages)
NO_STARK_KEY = 0


def routes(api) -> list:
    """(method, path, handler) rows for ``RestApi.routes`` (``/v2/...`` paths stay unprefixed)."""
    handlers = EvmRoutes(api)
    return [("POST", "/v2/onboarding", handlers.onboarding), ("POST", "/v2/auth", handlers.auth)]


class EvmRoutes:
    def __init__(self, api):
        self.api = api
        self.sim = api.sim

    async def onboarding(self, request):
        body = json_object(await self.api._json(request))
        address, eth = self.sim.authority.check_siwe(request.headers, siwe.ONBOARDING_STATEMENT, auth=False)
        try:
            key_owner = siwe.address_of_public_key(body.get("public_key"))
        except ValueError as e:
            raise ApiError("PUBLIC_KEY_INVALID", f"public_key: {e}", 400) from None
        if key_owner != eth:
            raise ApiError("PUBLIC_KEY_INVALID", "public_key is not the key of the message's address", 400)
        if address in self.sim.engine.accounts:
            raise ApiError("EVM_ADDRESS_ALREADY_ONBOARDED", f"{eth} is already onboarded", 400)
        self.sim.onboard(address, NO_STARK_KEY, eth)
        return 200, {}

    async def auth(self, request):
        self.sim.faults.maybe_auth_fail()
        address, _ = self.sim.authority.check_siwe(request.headers, siwe.AUTH_STATEMENT, auth=True)
        acct = self.sim.engine.accounts.get(address)
        if acct is None:
            raise not_onboarded()
        if acct.public_key != NO_STARK_KEY:  # (the derivation makes this impossible; kept as the invariant)
            raise ApiError("INVALID_STARKNET_ADDRESS", "not an EVM account", 400)
        authority = self.sim.authority
        return 200, {"jwt_token": authority.issue_jwt(acct.address, NO_STARK_KEY)}
