"""The simulator process: state, background activity, and the aiohttp server."""
import asyncio
import logging
from decimal import Decimal

from aiohttp import web

from .algo import AlgoEngine
from .auth import JWT_TTL_S, Authority
from .clock import Clock  # noqa: F401 (importable from here, as it always was)
from .contract_gate import ContractGate
from .engine import Engine
from .faults import Faults
from .makers import DEPTH, Liquidity
from .market_data import MarketData
from . import options
from .markets import default_markets, synthetic_markets
from .paging import Pager
from .ratelimit import RateLimiter
from .rest import RestApi
from .ws import Feed

log = logging.getLogger("ccxt_paradex.sim")

# Paradex testnet's identifiers, so clients derive the same addresses as on testnet.
SYSTEM_CONFIG = {
    "starknet_chain_id": "PRIVATE_SN_POTC_SEPOLIA",
    "l1_chain_id": "11155111",
    "paraclear_address": "0x286003f7c7bfc3f94e8f0af48b48302e7aee2fb13c23b141479ba00832ef2c6",
    "paraclear_decimals": 8,
    "paraclear_account_proxy_hash": "0x3530cc4759d78042f1b543bf797f5f3d647cde0388c33734cf91b7f7b9314a9",
    "paraclear_account_hash": "0x41cb0280ebadaa75f996d8d92c6f265f6d040bb3ba442e5f86a554f1765244e",
    # the Argent account class EVM-keyed accounts are derived with (testnet's value, as paradex-py's test config has it)
    "paraclear_evm_account_hash": "0x073414441639dcd11d1846f287650a00c60c416b9d3ba45d31c651672125b2c2",
    "oracle_address": "0x2c6a867917ef858d6b193a0ff9e62b46d0dc760366920d631715d58baeaca1f",
    "bridged_tokens": [{"name": "TEST USDC", "symbol": "USDC", "decimals": 6,
                        "l1_token_address": "0x29A873159D5e14AcBd63913D4A7E2df04570c666",
                        "l1_bridge_address": "0x8586e05adc0C35aa11609023d4Ae6075Cb813b4C",
                        "l2_token_address": "0x6f373b346561036d98ea10fb3e60d2f459c872b1933b50b21fe6ef4fda3b75e",
                        "l2_bridge_address": "0x46e9237f5408b5f899e72125dd69bd55485a287aaf24663d3ebe00d237fc7ef"}],
    "l1_core_contract_address": "0x582CC5d9b509391232cd544cDF9da036e55833Af",
    "l1_operator_address": "0x11bACdFbBcd3Febe5e8CEAa75E0Ef6444d9B45FB",
    # informational links of the real testnet; nothing in the simulator serves them
    "block_explorer_url": "https://voyager.testnet.paradex.trade/",
    "starknet_fullnode_rpc_url": "https://rpc.api.testnet.paradex.trade/rpc/v0_10",
    "starknet_fullnode_rpc_base_url": "https://rpc.api.testnet.paradex.trade",
    "starknet_gateway_url": "(deprecated)",
    "liquidation_fee": "0.2", "partial_liquidation_buffer": "0.2", "partial_liquidation_share_increment": "0.05",
    "assets_limit_per_account": 550, "environment": "simulator",
}


class Simulator:
    """A local Paradex. ``async with Simulator() as sim: sim.rest_url ...``

    ``clock``: the venue's time (``sim/clock.py``), read by everything time-dependent (JWT expiry, funding,
    TWAPs, timestamps, rate limits) and slept on by every timer (the periodic steps below, the WebSocket
    timers); default: wall time plus an offset tests move with ``sim.clock.advance(s)``. A ``ManualClock``
    stands still until advanced, and advancing it fires the timers that came due."""

    def __init__(self, host="127.0.0.1", port=0, seed=None, markets=None, initial_balance="100000",
                 faults="", json_public=False, tick_interval=0.2, liquidity=True, jwt_ttl=JWT_TTL_S,
                 batch_limit=10, rate_limits=True, funding_interval=5.0, ping_interval=55.0, backlog_limit=2000,
                 summary_interval=1.0, private_sbe=False, option_markets=False, deltas_feed=True,
                 create_batch_shape="object", ws_sessions="renewable", funding_time_scale=1.0,
                 funding_settlement="trade", contract="strict", closed_order_get="ORDER_ID_NOT_FOUND",
                 tpsl_reduce_only="optional", check_responses=False, idle_close=0.0,
                 algo_interval=1.0, price_bands=True, clock=None, depth=DEPTH):
        self.host, self.port = host, port
        self.clock = clock if clock is not None else Clock()
        specs = markets if isinstance(markets, list) else (
            synthetic_markets(markets) if isinstance(markets, int) else default_markets())
        if option_markets:
            specs = specs + options.option_markets({s.symbol: s for s in specs})
        self.config = dict(SYSTEM_CONFIG)
        self.engine = Engine(specs, self.clock.ms)
        self.engine.tpsl_reduce_only = tpsl_reduce_only  # "required": TP/SL orders must be REDUCE_ONLY (a reading)
        self.engine.price_bands = price_bands  # aggressive LIMIT prices beyond the price band refused (sim/engine.py)
        # funding: continuous, index updated every funding_interval s, funding time = wall time x funding_time_scale,
        # settled at fills ("trade", as Paradex) or also at every update ("periodic"): sim/funding.py
        self.market_data = MarketData(self.engine, self.clock, seed, funding_time_scale=funding_time_scale,
                                      funding_settlement=funding_settlement)
        # synthetic makers (sim/makers.py): each side of a book holds about ``depth`` USD (0: the thinnest ladder)
        self.liquidity = Liquidity(self.engine, seed, depth=depth) if liquidity else None
        self.authority = Authority(self.config, self.clock.s, jwt_ttl)
        self.limiter = RateLimiter(self.clock.s, enabled=rate_limits)
        self.pager = Pager(b"sim-cursor-" + str(seed).encode())
        self.faults = Faults(faults, seed)
        self.initial_balance = Decimal(str(initial_balance))
        self.json_public = json_public
        self.deltas_feed = deltas_feed  # False: order_book.{m}.deltas is refused, as some readings of the docs have it
        # "renewable": expired sessions refused, re-auth accepted; "fixed": neither (re-auth refused);
        # "close": neither, and a second auth closes the socket (sim/ws.py rpc_auth)
        self.ws_sessions = ws_sessions
        self.idle_close = idle_close  # s: close a connection without subscriptions with code 4031 (0: never)
        self.create_batch_shape = create_batch_shape  # order.create_batch params: "both", "object" or "array"
        self.private_sbe = private_sbe  # encode orders/fills/positions/account as SBE 20-23 on SBE sessions
        self.tick_interval = tick_interval
        self.funding_interval = funding_interval
        self.batch_limit = batch_limit
        self.summary_interval = summary_interval
        # every request checked against Paradex's spec (sim/contract_gate.py): "strict", "spec" or "off"
        self.contract = ContractGate(contract, check_responses, batch_limit)
        self.closed_order_get = closed_order_get  # GET /orders/{id} of a closed order: "ORDER_ID_NOT_FOUND" or "NOT_FOUND"
        self.feed = Feed(self, ping_interval, backlog_limit)
        # TWAP orders (sim/algo.py): children placed on the simulator's clock, checked every algo_interval s
        # (0: only when a test calls sim.algos.tick())
        self.algos = AlgoEngine(self)
        self.algo_interval = algo_interval
        self._runner = None
        self._tasks = []
        if self.liquidity:
            self.liquidity.warm_up()
        self.market_data.sample_funding()

    # ---- state helpers used by the routes -------------------------------------------------------
    @property
    def funding(self):
        return self.market_data.funding

    def system_config(self):
        return dict(self.config)

    def market_summary(self, market):
        return self.market_data.summary(market)

    def bbo(self, market, include_rpi=False):
        return self.market_data.bbo(market, include_rpi)

    def klines(self, market, resolution, start, end, price_kind):
        return self.market_data.klines(market, resolution, start, end, price_kind)

    def onboard(self, address, public_key, eth_address=""):
        return self.engine.open_account(address, public_key, eth_address, self.initial_balance)

    # ---- lifecycle ------------------------------------------------------------------------------
    def build_app(self) -> web.Application:
        app = web.Application()
        rest = RestApi(self)
        app.add_routes(rest.routes("/v1"))
        app.add_routes([web.get("/v1", self.feed.handle), web.get("/v1/", self.feed.handle)])
        # last: whatever no route above took
        app.add_routes([web.route("*", "/v1/{tail:.+}", rest.not_found), web.route("*", "/v2/{tail:.*}", rest.not_found)])
        return app

    @property
    def base_url(self):
        return f"http://{self.host}:{self.port}"

    @property
    def rest_url(self):
        return self.base_url + "/v1"

    @property
    def ws_url(self):
        return f"ws://{self.host}:{self.port}/v1"

    def ccxt_urls(self) -> dict:
        """The ``urls`` override that points any ccxt paradex class at this simulator."""
        return {"api": {"v1": self.rest_url, "v2": self.base_url + "/v2", "ws": self.ws_url}}

    async def start(self):
        self._runner = web.AppRunner(self.build_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        if self.liquidity and self.tick_interval:
            self._tasks.append(asyncio.ensure_future(self._every(self.tick_interval, self.liquidity.step)))
        if self.funding_interval:
            self._tasks.append(asyncio.ensure_future(self._every(self.funding_interval, self._funding)))
        if self.algo_interval:
            self._tasks.append(asyncio.ensure_future(self._every(self.algo_interval, self.algos.tick)))
        if self.summary_interval:
            self._tasks.append(asyncio.ensure_future(self._every(self.summary_interval, self.feed.publish_summaries)))
        disconnect = self.faults.settings.get("disconnect")
        if disconnect:
            self._tasks.append(asyncio.ensure_future(self._every_async(disconnect, self.feed.disconnect_all)))
        log.info("paradex simulator listening on %s (markets: %s)", self.rest_url, ", ".join(self.engine.specs))
        return self

    async def _every(self, seconds, fn):
        while True:
            await self.clock.sleep(seconds)
            try:
                fn()
            except Exception:  # keep the simulator alive; a bug shows in the log
                log.exception("simulator background step failed")

    def _funding(self):
        self.market_data.sample_funding()
        self.feed.publish_funding()

    async def _every_async(self, seconds, fn):
        while True:
            await self.clock.sleep(seconds)
            await fn()

    async def stop(self):
        await self.feed.disconnect_all()
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self):
        return await self.start()

    async def __aexit__(self, *exc):
        await self.stop()
