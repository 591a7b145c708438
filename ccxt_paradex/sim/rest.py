"""REST /v1 routes of the simulator (aiohttp)."""
import json
from decimal import Decimal

from aiohttp import web

from ..core import api as paradex_api
from ..core import contract
from . import algo, evm, rest_account, rest_venue
from .errors import ApiError, json_object
from .orders import cancel_batch, create_batch, modify_order, new_order
from .paging import history_page
from .state import fmt

CLAIMS = web.RequestKey("claims", dict) if hasattr(web, "RequestKey") else "claims"


def _ip(request):
    return request.remote or "local"


class RestApi:
    claims_key = CLAIMS  # where a private request carries its JWT claims (sim/rest_account.py reads it here)

    def __init__(self, sim):
        self.sim = sim
        self.engine = sim.engine

    # ---- plumbing -----------------------------------------------------------------------------
    def routes(self, prefix="/v1"):
        r = [
            ("GET", "/system/config", self.system_config),
            ("GET", "/system/state", self.system_state),
            ("GET", "/system/time", self.system_time),
            ("GET", "/markets", self.markets),
            ("GET", "/markets/summary", self.markets_summary),
            ("GET", "/markets/klines", self.klines),
            ("GET", "/orderbook/{market}", self.orderbook),
            ("GET", "/orderbook/{market}/interactive", self.orderbook_interactive),
            ("GET", "/bbo/{market}", self.bbo),
            ("GET", "/bbo/{market}/interactive", self.bbo_interactive),
            ("GET", "/trades", self.trades),
            ("GET", "/funding/data", self.funding_data),
            ("GET", "/onboarding", self.onboarding_get),
            ("POST", "/onboarding", self.onboarding_post),
            ("POST", "/auth", self.auth),
            ("POST", "/auth/{public_key}", self.auth),
            ("GET", "/account", self.account),
            ("GET", "/account/info", self.account_info),
            ("GET", "/account/subaccounts", self.subaccounts),
            ("GET", "/account/margin", self.margin_get),
            ("POST", "/account/margin/{market}", self.margin_set),
            ("GET", "/balance", self.balance),
            ("GET", "/positions", self.positions),
            ("GET", "/fills", self.fills),
            ("GET", "/funding/payments", self.funding_payments),
            ("GET", "/transfers", self.transfers),
            ("GET", "/liquidations", self.liquidations),
            ("GET", "/orders", self.orders_open),
            ("POST", "/orders", self.order_create),
            ("DELETE", "/orders", self.orders_cancel_all),
            ("GET", "/orders-history", self.orders_history),
            ("POST", "/orders/batch", self.orders_batch_create),
            ("DELETE", "/orders/batch", self.orders_batch_cancel),
            ("GET", "/orders/by_client_id/{client_id}", self.order_by_client_get),
            ("DELETE", "/orders/by_client_id/{client_id}", self.order_by_client_cancel),
            ("GET", "/orders/{order_id}", self.order_get),
            ("PUT", "/orders/{order_id}", self.order_modify),
            ("DELETE", "/orders/{order_id}", self.order_cancel),
        ]
        r += rest_venue.routes(self) + rest_account.routes(self)
        r += algo.routes(self)  # TWAP orders (sim/algo.py)
        r += evm.routes(self)   # EVM (SIWE) login and onboarding (sim/evm.py)
        # each route's rate-limit scope is its bucket in the implicit API's table (core/api.py: one place); /v2/...
        # (EVM login and onboarding) sit beside the v1 prefix, as on Paradex
        return [web.route(m, p if p.startswith("/v2/") else prefix + p,
                          self._wrap(h, paradex_api.endpoint(m, p.lstrip("/"))["bucket"], m, p))
                for m, p, h in r]

    @staticmethod
    async def not_found(request):
        """Any other path under the API's prefixes: 404 with Paradex's error body (never an HTML page)."""
        return web.json_response({"error": "NOT_FOUND", "message": f"no route {request.method} {request.path}",
                                  "data": None}, status=404)

    async def _conform(self, request, method, template):
        """The conformance gate (``sim/contract_gate.py``): refuse what Paradex's spec refuses."""
        gate = self.sim.contract
        if gate.mode == "off":
            return
        body = await self._json(request) if request.body_exists else contract.MISSING
        gate.rest(method, template, dict(request.match_info), dict(request.query), request.headers, body)

    def _wrap(self, handler, scope, method, template):
        private = scope in ("private_get", "orders")

        async def wrapped(request):
            sim = self.sim
            headers = {}
            try:
                sim.faults.maybe_http5xx()
                claims = sim.authority.check_bearer(request.headers.get("Authorization")) if private else None
                key = claims["sub"] if claims else _ip(request)
                allowed, headers = sim.limiter.take(scope, key)
                if not allowed:
                    raise ApiError("RATE_LIMIT_EXCEEDED", "rate limit exceeded", 429)
                request[CLAIMS] = claims
                await self._conform(request, method, template)
                status, body = await handler(request)
                if sim.contract.check_responses:
                    sim.contract.response(method, template, status, body)
            except ApiError as err:
                if sim.contract.check_responses:
                    sim.contract.error_answer(method, template, err.status, err.body())
                headers.update(err.headers)
                if err.status == 429 and "Retry-After" not in headers:
                    headers["Retry-After"] = "1"
                return web.json_response(err.body(), status=err.status, headers=headers)
            if status == 204:
                return web.Response(status=204, headers=headers)
            return web.json_response(body, status=status, headers=headers,
                                     dumps=lambda o: json.dumps(o, separators=(",", ":")))
        return wrapped

    def _acct(self, request):
        acct = self.engine.accounts.get(request[CLAIMS]["sub"])
        if acct is None:
            raise ApiError("ACCOUNT_NOT_FOUND", "account not found", 400)
        return acct

    async def _json(self, request):
        try:
            return await request.json()
        except (ValueError, UnicodeDecodeError):
            raise ApiError("BINDING_ERROR", "request body is not valid JSON", 400) from None

    def _market(self, name):
        if name not in self.engine.specs:
            raise ApiError("MARKET_NOT_FOUND", f"market {name!r} not found", 404)
        return self.engine.specs[name]

    # ---- public -------------------------------------------------------------------------------
    async def system_config(self, request):
        return 200, self.sim.system_config()

    async def system_state(self, request):
        return 200, {"status": self.engine.status}

    async def system_time(self, request):
        return 200, {"server_time": str(self.sim.clock.ms())}

    async def markets(self, request):
        market = request.query.get("market")
        specs = self.engine.specs.values() if not market else [self._market(market)]
        return 200, {"results": [s.to_json() for s in specs]}

    async def markets_summary(self, request):
        market = request.query.get("market")
        if not market:
            raise ApiError("INVALID_REQUEST_PARAMETER", "market is required", 400)
        names = list(self.engine.specs) if market == "ALL" else [self._market(market).symbol]
        return 200, {"results": [self.sim.market_summary(n) for n in names]}

    async def klines(self, request):
        q = request.query
        spec = self._market(q.get("symbol", ""))
        try:
            resolution = int(q.get("resolution", ""))
            start, end = int(q["start_at"]), int(q["end_at"])
        except (KeyError, ValueError):
            raise ApiError("INVALID_REQUEST_PARAMETER", "symbol, resolution, start_at and end_at are required", 400) from None
        if resolution not in (1, 3, 5, 15, 30, 60):
            raise ApiError("INVALID_REQUEST_PARAMETER", f"unsupported resolution {resolution}", 400)
        return 200, {"results": self.sim.klines(spec.symbol, resolution, start, end, q.get("price_kind", "last"))}

    def _levels(self, request, include_rpi):
        spec = self._market(request.match_info["market"])
        book = self.engine.books[spec.symbol]
        try:
            depth = int(request.query.get("depth", 20))
        except ValueError:
            raise ApiError("INVALID_REQUEST_PARAMETER", "invalid depth", 400) from None
        tick = request.query.get("price_tick")
        tick = Decimal(tick.replace("_", ".")) if tick else None
        bids = book.bids.aggregated(depth, include_rpi, tick)
        asks = book.asks.aggregated(depth, include_rpi, tick)
        return spec, book, bids, asks

    async def orderbook(self, request, include_rpi=False):
        spec, book, bids, asks = self._levels(request, include_rpi)
        body = {"market": spec.symbol, "seq_no": book.seq_no, "last_updated_at": book.last_updated_at,
                "asks": [[fmt(p), fmt(s)] for p, s in asks], "bids": [[fmt(p), fmt(s)] for p, s in bids]}
        for name, side, rpi in (("best_ask_api", book.asks, False), ("best_bid_api", book.bids, False),
                                ("best_ask_interactive", book.asks, True), ("best_bid_interactive", book.bids, True)):
            top = side.aggregated(1, rpi)
            body[name] = [fmt(top[0][0]), fmt(top[0][1])] if top else []
        return 200, body

    async def orderbook_interactive(self, request):
        return await self.orderbook(request, include_rpi=True)

    async def bbo(self, request, include_rpi=False):
        spec = self._market(request.match_info["market"])
        return 200, self.sim.bbo(spec.symbol, include_rpi)

    async def bbo_interactive(self, request):
        return await self.bbo(request, include_rpi=True)

    async def trades(self, request):
        market = request.query.get("market")
        if not market:
            raise ApiError("INVALID_REQUEST_PARAMETER", "market is required", 400)
        spec = self._market(market)
        items = [{k: v for k, v in t.items() if k != "seq_no"} for t in reversed(self.engine.trades[spec.symbol])]
        return 200, self.sim.pager.page(items, request.query, max_page=1000)

    async def funding_data(self, request):
        spec = self._market(request.query.get("market", ""))
        return 200, self.sim.pager.page(list(reversed(self.sim.funding[spec.symbol])), request.query)

    async def onboarding_get(self, request):
        q = request.query
        if q.get("account_signer_type") != "starknet" or not q.get("public_key"):
            raise ApiError("INVALID_REQUEST_PARAMETER", "account_signer_type=starknet and public_key are required", 400)
        try:
            public_key = int(q["public_key"], 16)
        except ValueError:
            raise ApiError("PUBLIC_KEY_INVALID", "invalid public_key", 400) from None
        address = hex(self.sim.authority.address_for(public_key))
        cfg = self.sim.config
        return 200, {"address": address, "exists": address in self.engine.accounts, "account_signer_type": "starknet",
                     "derivation_info": {"class_hash": cfg["paraclear_account_hash"],
                                         "proxy_class_hash": cfg["paraclear_account_proxy_hash"]}}

    async def onboarding_post(self, request):
        body = await self._json(request)
        address, public_key, eth = self.sim.authority.check_onboarding(request.headers, body)
        self.sim.onboard(address, public_key, eth)
        return 200, {}

    async def auth(self, request):
        self.sim.faults.maybe_auth_fail()
        acct, signer_key = self.sim.authority.check_auth(request.headers, self.engine.accounts,
                                                         request.match_info.get("public_key"))
        interactive = request.query.get("token_usage") == "interactive"
        return 200, {"jwt_token": self.sim.authority.issue_jwt(acct.address, signer_key, interactive)}

    # ---- account ------------------------------------------------------------------------------
    async def account(self, request):
        return 200, self.engine.account_summary(self._acct(request))

    async def account_info(self, request):
        acct = self._acct(request)
        spec = next(iter(self.engine.specs.values()))
        return 200, {"results": [{
            "account": acct.address, "created_at": acct.created_at, "derivation_path": "", "kind": "main",
            "parent_account": "", "public_key": hex(acct.public_key), "username": "", "isolated_market": "",
            "has_ecosystem_nft": False,
            "fees": {"maker_rate": str(spec.maker_fee), "taker_rate": str(spec.taker_fee),
                     "spot_maker_rate": str(spec.maker_fee), "spot_taker_rate": str(spec.taker_fee)},
        }]}

    async def subaccounts(self, request):
        self._acct(request)
        return 200, {"results": []}

    async def margin_get(self, request):
        acct = self._acct(request)
        spec = self._market(request.query.get("market", ""))
        return 200, {"account": acct.address, "margin_methodology": "cross_margin", "configs": [{
            "market": spec.symbol, "leverage": self.engine.leverage(acct, spec.symbol),
            "margin_type": acct.margin_type.get(spec.symbol, "CROSS"), "isolated_margin_leverage": 0}]}

    async def margin_set(self, request):
        acct = self._acct(request)
        spec = self._market(request.match_info["market"])
        body = await self._json(request)
        leverage, margin_type = body.get("leverage"), body.get("margin_type", "CROSS")
        if not isinstance(leverage, int) or not 1 <= leverage <= spec.max_leverage:
            raise ApiError("INVALID_REQUEST_PARAMETER", f"leverage must be an integer in 1..{spec.max_leverage}", 400)
        if margin_type not in ("CROSS", "ISOLATED"):
            raise ApiError("INVALID_REQUEST_PARAMETER", "margin_type must be CROSS or ISOLATED", 400)
        acct.leverage[spec.symbol] = leverage
        acct.margin_type[spec.symbol] = margin_type
        return 200, {"account": acct.address, "market": spec.symbol, "leverage": leverage, "margin_type": margin_type}

    async def balance(self, request):
        acct = self._acct(request)
        return 200, {"results": [{"token": "USDC", "size": fmt(acct.balance.quantize(Decimal("1e-8"))),
                                  "last_updated_at": self.sim.clock.ms()}]}

    async def positions(self, request):
        acct = self._acct(request)
        return 200, {"results": [self.engine.position_json(acct, m) for m in acct.positions]}

    def _history_page(self, request, rows, field):
        """Newest first, filtered on ``field`` when the query names it, then paged."""
        wanted = request.query.get(field)
        items = [r for r in reversed(rows) if not wanted or r[field] == wanted]
        return 200, self.sim.pager.page(items, request.query)

    async def fills(self, request):
        return self._history_page(request, self._acct(request).fills, "market")

    async def funding_payments(self, request):
        return self._history_page(request, self._acct(request).funding_payments, "market")

    async def transfers(self, request):
        return self._history_page(request, self._acct(request).transfers, "status")

    async def liquidations(self, request):
        self._acct(request)
        return 200, {"results": []}

    # ---- orders -------------------------------------------------------------------------------
    def _interactive(self, request):
        return request[CLAIMS].get("token_usage") == "interactive"

    async def order_create(self, request):
        req = await self._json(request)
        order = new_order(self.sim, self._acct(request), req, self._interactive(request))
        return 201, self.engine.submit(order)

    async def orders_batch_create(self, request):
        reqs = await self._json(request)
        results = create_batch(self.sim, self._acct(request), reqs, self._interactive(request))
        return 201, {"orders": [r for o, r in results if o is not None],
                     "errors": [r for o, r in results if o is None]}

    async def orders_open(self, request):
        acct = self._acct(request)
        market = request.query.get("market")
        return 200, {"results": [o.to_json() for o in self.engine.open_orders.get(acct.address, {}).values()
                                 if not market or o.market == market]}

    async def orders_history(self, request):
        return 200, history_page(self.sim.pager, self._acct(request).orders[::-1], request.query)

    async def order_get(self, request):
        order = self.engine.owned(self._acct(request), request.match_info["order_id"])
        if order.status not in ("NEW", "OPEN"):  # (an UNTRIGGERED stop too)
            # the spec: "Only return orders in OPEN or NEW status"; which error a closed one gets is not written down:
            # ORDER_ID_NOT_FOUND/400 (default) or the generic NOT_FOUND/404 (Simulator(closed_order_get="NOT_FOUND"))
            if self.sim.closed_order_get == "NOT_FOUND":
                raise ApiError("NOT_FOUND", f"order {order.id} not found", 404)
            raise ApiError("ORDER_ID_NOT_FOUND", f"order {order.id} is closed; see /orders-history", 400)
        return 200, order.to_json()

    async def order_by_client_get(self, request):
        order = self.engine.by_client_id(self._acct(request), request.match_info["client_id"])
        if order.status != "OPEN":  # the spec: "Only returns orders in OPEN status"
            raise ApiError("CLIENT_ORDER_ID_NOT_FOUND", f"no open order with client id {order.client_id}", 400)
        return 200, order.to_json()

    async def order_cancel(self, request):
        self.engine.cancel(self.engine.owned(self._acct(request), request.match_info["order_id"]))
        return 204, None

    async def order_by_client_cancel(self, request):
        market = request.query.get("market") or None  # OpenAPI: the market the client id is looked up in
        self.engine.cancel(self.engine.by_client_id(self._acct(request), request.match_info["client_id"], market))
        return 204, None

    async def orders_cancel_all(self, request):
        market = request.query.get("market")
        if market:
            self._market(market)
        self.engine.cancel_all(self._acct(request), market)
        return 200, {}

    async def orders_batch_cancel(self, request):
        acct = self._acct(request)
        body = json_object(await self._json(request))
        return 200, {"results": cancel_batch(self.engine, acct, body)}

    async def order_modify(self, request):
        acct = self._acct(request)
        order = self.engine.owned(acct, request.match_info["order_id"])
        req = await self._json(request)
        if str(req.get("id", order.id)) != order.id:
            raise ApiError("INVALID_REQUEST_PARAMETER", "id in body does not match the path", 400)
        return 200, modify_order(self.sim, order, acct, req)
