"""Venue-wide reads of the simulator beyond trading (insurance fund, volume tiers, announcements, markets history,
settlement and impact prices, staking, vaults, XP): answers derived from the simulator's state, shaped as the
OpenAPI file's response schemas say (``Simulator(check_responses=True)`` checks them).

Where the simulator has state, the answer is read from it: markets (``/markets/history``, ``/system/volume-tiers``,
``/markets/settlement-price``), books (``/orderbook/{market}/impact-price``), the clock. Where it has none
(vaults, staking, XP, announcements, portfolio margin, an insurance fund fed by liquidations), the answer is what
Paradex gives for a venue without any: empty lists and pages, zero values, and the documented not-found error for a
named vault, transfer or asset. Nothing is invented.

Readings (the spec leaves them open):

- ``/orderbook/{market}/impact-price?size=``: ``size`` is in base units (the answer's ``size`` is "size of the
  order") and an integer, as the spec types it; its sign picks the side (``size > 0``: a BUY walks the asks,
  ``size < 0``: a SELL walks the bids), so one object per call, as the schema has, covers both sides. The impact
  price is the volume-weighted average price of that walk over the API book (RPI orders excluded), as Paradex's
  funding documentation defines impact bid / ask prices. A side too thin for the size is refused (400).
- ``/markets/history``: the simulator's markets never change after listing, so each has one ``CREATED`` event, at
  the moment this simulator listed it (``MarketData.opened_at``); events older than the 7 days the endpoint covers
  drop out.
- ``/markets/settlement-price``: perpetuals and perpetual options never settle: ``MARKET_NOT_SETTLED`` (404, the
  status the spec gives for "not settled").
- A vault address: ``VAULT_NOT_FOUND``, with 404 where the spec documents it (``/vaults/analytics``) and 400 (the
  only error status the spec lists) elsewhere.
"""
import hashlib
from decimal import Decimal

from ..core import contract
from .errors import ApiError
from .paging import MAX_PAGE
from .state import fmt

HISTORY_WINDOW_MS = 7 * 24 * 3600_000
XP_PAGE_DEFAULT, XP_PAGE_MAX = 50, 50
# the simulated insurance fund's StarkNet address: a fixed felt (251 bits) so every run names the same account
INSURANCE_ACCOUNT = hex(int.from_bytes(hashlib.sha256(b"ccxt_paradex simulator insurance fund").digest(), "big") >> 5)


def _response_schema(op: str, *path: str) -> dict:
    """The 200 schema of ``op`` (``"GET /markets/history"``), descended through ``path`` (property names; ``[]``
    for array items)."""
    schema = contract.contract()["rest"][op]["responses"]["200"]
    for part in path:
        schema = schema["items"] if part == "[]" else schema["properties"][part]
    return schema


def _fit(properties: dict, source: dict) -> dict:
    """The fields of ``source`` the schema lists, typed as it types them (MarketHistoryFields has numbers where
    MarketResp has strings)."""
    out = {}
    for name, schema in properties.items():
        if name not in source:
            continue
        value, kind = source[name], schema.get("type")
        if kind == "number":
            value = float(Decimal(str(value)))
        elif kind == "integer":
            value = int(value)
        elif kind == "string":
            value = str(value)
        out[name] = value
    return out


def routes(api) -> list:
    """-> [(METHOD, /path as the OpenAPI file writes it, handler)]; ``api`` is the RestApi
    (``sim/rest.py``). A handler takes the aiohttp request and returns (status, body)."""
    sim, engine = api.sim, api.engine

    def page(items, query, max_page=MAX_PAGE, default_size=None):
        query = dict(query)
        if default_size is not None:  # an operation whose default page is not the pager's 100
            query.setdefault("page_size", str(default_size))
        return sim.pager.page(items, query, max_page=max_page)

    def no_vault(address, status=400):
        raise ApiError("VAULT_NOT_FOUND", f"vault {address!r} not found", status)

    # ---- system -------------------------------------------------------------------------------
    async def insurance(request):
        # no liquidations happen in the simulator, so nothing was ever paid into (or out of) its insurance fund:
        # it holds zero of the markets' settlement currency, unchanged since the venue opened
        settlement = next(iter(engine.specs.values())).to_json()["settlement_currency"]
        return 200, {"account": INSURANCE_ACCOUNT, "account_value": "0", "settlement_asset": settlement,
                     "updated_at": sim.market_data.opened_at}

    async def jwks(request):
        # The simulator signs its JWTs with HS256 and a per-process secret (sim/auth.py): a shared secret is not a
        # public key, so the honest key set is empty. A verifier of these tokens has to ask the simulator itself.
        return 200, {"keys": []}

    async def announcements(request):
        return 200, page([], request.query)

    async def portfolio_margin_config(request):
        # the simulator margins every account cross-margin (imf / mmf per market): no portfolio-margin parameters
        base = request.query.get("base_asset")
        if base:
            raise ApiError("PORTFOLIO_MARGIN_CONFIG_NOT_FOUND", f"no portfolio margin config for {base!r}", 404)
        return 200, {"results": []}

    async def volume_tiers(request):
        # One base tier per profile: the simulator charges every account its markets' fees, whatever its volume.
        # retail = the interactive (UI) fee, pro = the API fee; a rate per asset kind and role (the highest among
        # that kind's markets, should they differ: the base tier is the dearest one).
        rows = []
        for order, (kind, source) in enumerate((("retail", "interactive_fee"), ("pro", "api_fee"))):
            rates: dict = {}
            for spec in engine.specs.values():
                market = spec.to_json()
                for role in ("maker", "taker"):
                    key = f"{market['asset_kind'].lower()}_{role}"
                    fee = Decimal(market["fee_config"][source][f"{role}_fee"]["fee"])
                    rates[key] = max(rates.get(key, fee), fee)
            rows.append({"kind": kind, "tier_name": "VIP 0", "min_volume": "0", "min_volume_duration": "14d",
                         "nft_min_volume": "0", "sort_order": order,
                         "fee_rates": {k: fmt(v) for k, v in sorted(rates.items())}})
        return 200, {"results": rows}

    # ---- markets ------------------------------------------------------------------------------
    history_fields = _response_schema("GET /markets/history", "results", "[]", "changed_fields")["properties"]

    async def markets_history(request):
        name = request.query.get("market")
        specs = engine.specs.values() if not name or name == "ALL" else [api._market(name)]
        listed = sim.market_data.opened_at
        if listed < sim.clock.ms() - HISTORY_WINDOW_MS:
            return 200, {"results": []}
        return 200, {"results": [{"symbol": s.symbol, "event_type": "CREATED", "updated_at": listed,
                                  "changed_fields": _fit(history_fields, s.to_json())} for s in specs]}

    async def settlement_price(request):
        spec = api._market(request.query.get("market", ""))
        kind = spec.to_json()["asset_kind"]
        raise ApiError("MARKET_NOT_SETTLED", f"{spec.symbol} is a {kind} market: it has no expiry and never settles", 404)

    async def impact_price(request):
        spec = api._market(request.match_info["market"])
        try:
            size = int(request.query.get("size", ""))
        except ValueError:
            raise ApiError("INVALID_REQUEST_PARAMETER", "size must be an integer", 400) from None
        if size == 0:
            raise ApiError("INVALID_REQUEST_PARAMETER", "size must not be 0 (> 0: BUY, < 0: SELL)", 400)
        side = "BUY" if size > 0 else "SELL"
        book = engine.books[spec.symbol]
        levels = book.asks if side == "BUY" else book.bids
        wanted = left = Decimal(abs(size))
        cost = Decimal(0)
        for price in levels.best_first():
            take = min(left, levels.level_size(price, False))
            cost += take * price
            left -= take
            if not left:
                break
        if left:
            raise ApiError("INVALID_REQUEST_PARAMETER",
                           f"the {'asks' if side == 'BUY' else 'bids'} of {spec.symbol} hold less than {wanted}", 400)
        return 200, {"market": spec.symbol, "side": side, "size": fmt(wanted),
                     "impact_price": fmt((cost / wanted).quantize(Decimal("1e-8")))}

    # ---- staking (the simulator has no DIME staking) -------------------------------------------
    async def staking_history_global(request):
        return 200, {"data": [], "timestamps": []}

    async def staking_config(request):
        return 200, {"dime_fee_discount_pct": "0", "tiers": []}

    # ---- vaults (the simulator has none) ---------------------------------------------------------
    async def vaults(request):
        address = request.query.get("address")
        if address:
            no_vault(address)
        return 200, {"results": []}

    async def vaults_summary(request):
        return await vaults(request)

    async def vaults_by_address(request):
        no_vault(request.query.get("address", ""))

    async def vaults_analytics(request):
        no_vault(request.query.get("address", ""), 404)  # the spec: 404 only when the vault does not exist

    async def vaults_config(request):
        # no vault factory: every limit unset ("0"; profit_share_period "0" is the spec's "not configured")
        return 200, {"vault_factory_address": "", "min_initial_deposit": "0", "min_lockup_period_days": "0",
                     "max_lockup_period_days": "0", "min_owner_share_percentage": "0",
                     "max_profit_share_percentage": "0", "profit_share_period": "0"}

    # ---- XP (the simulator has no XP) ------------------------------------------------------------
    async def xp_fee_config(request):
        return 200, {"fee_percentage": 0}

    async def xp_public_transfers(request):
        return 200, page([], request.query, max_page=XP_PAGE_MAX, default_size=XP_PAGE_DEFAULT)

    async def xp_transfer(request):
        raise ApiError("NOT_FOUND", f"xp transfer {request.match_info['transfer_id']!r} not found", 404)

    # ---- referrals ------------------------------------------------------------------------------
    async def referrals_config(request):
        # Not in the OpenAPI file (ccxt's built-in lists it as a public GET), so no response schema of its own: the
        # fields are those of the spec's responses.ReferralConfigResp (the "referral" of GET /account/profile); the
        # simulator runs no referral program, so every rate and cap is zero. The strict contract gate refuses this
        # path as an operation the spec lacks until core/contract.py lists it as a reading beyond the spec.
        return 200, {"name": "Referral", "referral_type": "Referral", "commission_rate": "0",
                     "commission_volume_cap": "0", "discount_rate": "0", "discount_volume_cap": "0",
                     "minimum_volume": "0", "points_bonus_rate": "0", "points_bonus_volume_cap": "0"}

    table = [
        ("/insurance", insurance),
        ("/jwks.json", jwks),
        ("/markets/history", markets_history),
        ("/markets/settlement-price", settlement_price),
        ("/orderbook/{market}/impact-price", impact_price),
        ("/staking/balance/history/global", staking_history_global),
        ("/staking/config", staking_config),
        ("/system/announcements", announcements),
        ("/system/portfolio-margin-config", portfolio_margin_config),
        ("/system/volume-tiers", volume_tiers),
        ("/vaults", vaults),
        ("/vaults/analytics", vaults_analytics),
        ("/vaults/balance", vaults_by_address),
        ("/vaults/config", vaults_config),
        ("/vaults/history", vaults_by_address),
        ("/vaults/positions", vaults_by_address),
        ("/vaults/summary", vaults_summary),
        ("/vaults/transfers", vaults_by_address),
        ("/xp/fee-config", xp_fee_config),
        ("/xp/public-transfers", xp_public_transfers),
        ("/xp/transfer/{transfer_id}", xp_transfer),
        ("/referrals/config", referrals_config),
    ]
    return [("GET", path, handler) for path, handler in table]
