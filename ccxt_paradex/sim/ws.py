"""WebSocket /v1: JSON-RPC control plane, public channels (SBE or JSON), private JSON channels.

A Feed listens to the engine and fans events out to Connections. Each
connection has its own outbound queue drained by a writer task; a client that
lets more than ``backlog_limit`` messages pile up is disconnected, as Paradex
does. Faults (gap / dup / reorder) are applied to order-book delta frames.

Every timer of a connection (the ping after ``ping_interval`` s of client silence and the drop when its pong
does not come within half that, the idle close, the snapshot feeds' cadence) sleeps on the simulator's clock
(``sim/clock.py``): on a ``ManualClock`` a test fires them by advancing it.
"""
import asyncio
import json
import logging
from decimal import Decimal

from aiohttp import WSMsgType, web

from . import sbe_encode
from .contract_gate import ContractRefusal
from .errors import ApiError
from .jsonrpc import (ERR_AUTH_REQUIRED, ERR_INVALID_TOKEN, ERR_MALFORMED_TOKEN, JSONRPC_INVALID, JSONRPC_METHOD,
                      JSONRPC_PARAMS, ChannelError)
from .state import fmt
from .ws_orders import WsOrders

log = logging.getLogger("ccxt_paradex.sim")
# 1:3 is what ccxt 4.5.90 asks for; anything newer is refused with HTTP 400 at the handshake, as Paradex does
SUPPORTED_SBE = {sbe_encode.SCHEMA_ID: sbe_encode.VERSIONS}
# keys engine events carry for the SBE encoder only: not part of the channel's JSON payload (Paradex's AsyncAPI / OpenAPI payloads)
SBE_ONLY_KEYS = {"trades": ("seq_no",), "fills": ("trade_id",)}
BOOK_DEPTH = 15
PUBLIC_KINDS = {"trades", "bbo", "order_book", "markets_summary", "funding_data"}
PRIVATE_KINDS = {"orders", "fills", "positions", "account", "balance_events", "funding_payments", "transfers", "tradebusts"}
SBE_PRIVATE_KINDS = {"orders", "fills", "positions", "account"}  # templates 20-23
# engine event -> the private channel kind it is published on (to the event's account)
PRIVATE_EVENTS = {"order": "orders", "fill": "fills", "position": "positions", "account": "account",
                  "funding_payment": "funding_payments", "transfer": "transfers",
                  "tradebust": "tradebusts"}  # engine.bust(): {account, busted_fill_id, created_at}
CLOSE_IDLE = 4031     # a connection without any subscription, closed after ``idle_close`` s (reported by a client library)
CLOSE_REAUTH = 1008   # ``ws_sessions="close"``: a second auth on a connection closes it


def parse_channel(name: str, markets) -> dict:
    """channel name -> {kind, market, feed, refresh_ms, tick}; raises ChannelError."""
    parts = name.split(".")
    kind = parts[0]
    if kind not in PUBLIC_KINDS | PRIVATE_KINDS:
        raise ChannelError(JSONRPC_INVALID, "invalid subscribe request", "invalid channel")
    market = parts[1] if len(parts) > 1 else "ALL"
    if kind in ("positions", "account", "balance_events", "transfers", "tradebusts") or (kind in ("markets_summary", "funding_data") and len(parts) == 1):
        market = "ALL"
    if market != "ALL" and market not in markets:
        raise ChannelError(JSONRPC_INVALID, "invalid subscribe request", f"unknown market {market}")
    out: dict = {"kind": kind, "market": market, "feed": None, "refresh_ms": None, "tick": None, "interactive": False}
    if kind == "order_book":
        if market == "ALL" or len(parts) < 3:
            raise ChannelError(JSONRPC_INVALID, "invalid subscribe request", "order_book needs a market and feed")
        feed, *params = ".".join(parts[2:]).split("@")
        if feed not in ("snapshot", "deltas", "interactive", "interactive_deltas"):
            raise ChannelError(JSONRPC_INVALID, "invalid subscribe request", f"unknown feed {feed}")
        if feed.endswith("deltas") and params:
            raise ChannelError(JSONRPC_INVALID, "no parameters expected for deltas topic.")
        if not feed.endswith("deltas"):
            if len(params) < 2 or params[0] != "15" or params[1] not in ("50ms", "100ms", "200ms", "400ms"):
                raise ChannelError(JSONRPC_INVALID, "invalid subscribe request", "expected @15@{50ms|100ms}[@tick]")
            out["refresh_ms"] = int(params[1][:-2])
            out["tick"] = params[2].replace("_", ".") if len(params) > 2 else None
        out["feed"] = "deltas" if feed.endswith("deltas") else "snapshot"
        out["interactive"] = feed.startswith("interactive")
    elif kind == "bbo" and len(parts) > 2:
        out["interactive"] = parts[2] == "interactive"
    return out


class Connection:
    def __init__(self, feed, ws, sbe_version, now=0.0):
        self.feed = feed
        self.ws = ws
        self.sbe_version = sbe_version
        self.account = None
        self.claims = None  # the JWT claims of its auth
        self.subs = {}
        self.queue = asyncio.Queue()
        self.closed = False
        self.held = None  # a delta frame held back by the reorder fault
        self.idle_since = now  # when it last had no subscription (None while it has one)
        self.heard_at, self.heard = now, 0  # when the client last sent a frame (any: pongs too), and how many

    def push(self, frame):
        if self.closed:
            return
        self.queue.put_nowait(frame)
        if self.queue.qsize() > self.feed.backlog_limit:
            log.info("disconnecting a slow consumer (%d unread messages)", self.queue.qsize())
            self.closed = True
            asyncio.ensure_future(self.ws.close(code=1008, message=b"too many unread messages"))

    def push_book(self, frame):
        faults = self.feed.sim.faults
        if faults.chance("gap"):
            return
        if self.held is not None:
            held, self.held = self.held, None
            self.push(frame)
            self.push(held)
            return
        if faults.chance("reorder"):
            self.held = frame
            return
        self.push(frame)
        if faults.chance("dup"):
            self.push(frame)

    async def writer(self):
        while True:
            frame = await self.queue.get()
            if isinstance(frame, bytes):
                await self.ws.send_bytes(frame)
            else:
                await self.ws.send_str(frame)

    def publish(self, channel, kind, data):
        """A channel message: SBE binary for public kinds on an SBE session, JSON otherwise (private channels
        too, as documented, unless the simulator runs with ``private_sbe``: templates 20-23)."""
        gate = self.feed.sim.contract
        if gate.check_responses:  # the payload as the JSON channel carries it, against the AsyncAPI schema
            gate.channel_payload(channel, {k: v for k, v in data.items() if k not in SBE_ONLY_KEYS.get(kind, ())})
        if self.sbe_version is not None and (kind in PUBLIC_KINDS or (kind in SBE_PRIVATE_KINDS and self.feed.sim.private_sbe)):
            return sbe_encode.encode(kind, data, self.sbe_version)
        if kind in SBE_ONLY_KEYS:
            data = {k: v for k, v in data.items() if k not in SBE_ONLY_KEYS[kind]}
        return json.dumps({"jsonrpc": "2.0", "method": "subscription", "params": {"channel": channel, "data": data}},
                          separators=(",", ":"))


class Feed:
    def __init__(self, sim, ping_interval=55.0, backlog_limit=2000):
        self.sim = sim
        self.engine = sim.engine
        self.ping_interval = ping_interval
        self.backlog_limit = backlog_limit
        self.connections = set()
        self.published_levels = {m: {} for m in self.engine.specs}  # (side, price, interactive) -> size
        self.engine.listeners.append(self.on_event)
        self._last_bbo = {}
        self.orders = WsOrders(sim)  # order.* methods

    # ---- handshake and control plane --------------------------------------------------------------
    async def handle(self, request):
        q = request.query
        sbe_version = None
        if "sbeSchemaId" in q or "sbeSchemaVersion" in q:
            try:
                schema, version = int(q.get("sbeSchemaId", "")), int(q.get("sbeSchemaVersion", ""))
            except ValueError:
                raise web.HTTPBadRequest(text="invalid sbeSchemaId / sbeSchemaVersion") from None
            if version not in SUPPORTED_SBE.get(schema, ()):
                raise web.HTTPBadRequest(text=f"unsupported SBE schema {schema}:{version}")
            sbe_version = version
        elif not self.sim.json_public:
            raise web.HTTPBadRequest(text="SBE is required on public channels: add ?sbeSchemaId=1&sbeSchemaVersion=2")
        # pings are ours (_keepalive, on the simulator's clock), so PING / PONG frames come through to this loop
        ws = web.WebSocketResponse(autoping=False, max_msg_size=1 << 20)
        await ws.prepare(request)
        conn = Connection(self, ws, sbe_version, self.sim.clock.s())
        self.connections.add(conn)
        timers = [asyncio.ensure_future(conn.writer())]
        if self.ping_interval:
            timers.append(asyncio.ensure_future(self._keepalive(conn, request)))
        if self.sim.idle_close:
            timers.append(asyncio.ensure_future(self._close_when_idle(conn)))
        try:
            async for msg in ws:
                conn.heard_at, conn.heard = self.sim.clock.s(), conn.heard + 1
                if msg.type == WSMsgType.TEXT:
                    reply = self.dispatch(conn, msg.data)
                    if reply is not None:
                        conn.push(json.dumps(reply, separators=(",", ":")))
                elif msg.type == WSMsgType.PING:
                    await ws.pong(msg.data)
                elif msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                    break
        finally:
            conn.closed = True
            self.connections.discard(conn)
            for task in timers:
                task.cancel()
            self.orders.connection_closed(conn)
        return ws

    async def _keepalive(self, conn, request):
        """A client silent for ``ping_interval`` s is pinged; no frame back within half that: the connection is
        dropped (no close frame, as a heartbeat failure does)."""
        interval, clock = self.ping_interval, self.sim.clock
        while not conn.closed:
            due = conn.heard_at + interval
            if clock.s() < due:
                await clock.sleep_until(min(due, clock.s() + interval))
                continue
            heard = conn.heard
            try:
                await conn.ws.ping()
            except (ConnectionError, RuntimeError):  # closing already
                return
            await clock.sleep(interval / 2)
            if conn.heard == heard and not conn.closed:
                log.info("dropping a connection that did not answer a ping within %.1f s", interval / 2)
                conn.closed = True
                if request.transport is not None:
                    request.transport.close()
                return

    async def _close_when_idle(self, conn):
        """``idle_close`` s without any subscription: the venue closes the connection with code 4031."""
        limit, clock = self.sim.idle_close, self.sim.clock
        while not conn.closed:
            if conn.idle_since is None:  # subscribed: looked at again in a while
                await clock.sleep(limit / 4)
                continue
            due = conn.idle_since + limit
            if clock.s() >= due:
                log.info("closing a connection without subscriptions (idle %.1f s)", limit)
                conn.closed = True
                await conn.ws.close(code=CLOSE_IDLE, message=b"no active subscription")
                return
            await clock.sleep_until(min(due, clock.s() + limit))

    def _us(self):
        return int(self.sim.clock.s() * 1_000_000)

    def dispatch(self, conn, text):
        us_in = self._us()
        try:
            req = json.loads(text)
        except ValueError:
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}}
        rid = req.get("id") if isinstance(req, dict) else None
        try:
            if not isinstance(req, dict) or req.get("jsonrpc") != "2.0" or "method" not in req:
                raise ChannelError(JSONRPC_INVALID, "invalid request")
            method, params = req["method"], req.get("params") or {}
            handler = {"auth": self.rpc_auth, "subscribe": self.rpc_subscribe,
                       "unsubscribe": self.rpc_unsubscribe}.get(method) or self.orders.handler(method)
            if handler is None:
                raise ChannelError(JSONRPC_METHOD, "method does not exist")
            if method.startswith("order."):
                self.require_live_token(conn)   # 40300 before anything else on order methods
            self._conform(method, req.get("params"))
            result = handler(conn, params)
            if result is None and conn.closed:  # the handler closed the connection instead of answering
                return None
        except ChannelError as err:
            error = {"code": err.code, "message": err.message}
            if err.data is not None:
                error["data"] = err.data
            return {"jsonrpc": "2.0", "id": rid, "error": error, "usIn": us_in, "usOut": self._us(), "usDiff": self._us() - us_in}
        return {"jsonrpc": "2.0", "id": rid, "result": result, "usIn": us_in, "usOut": self._us(), "usDiff": self._us() - us_in}

    def _conform(self, method, params):
        """The conformance gate (``sim/contract_gate.py``): -32602 for what Paradex's OpenRPC spec refuses."""
        try:
            self.sim.contract.ws(method, params, array_batch=self.sim.create_batch_shape != "object",
                                 bare_deltas=self.sim.deltas_feed)
        except ContractRefusal as err:
            if all(v.where.startswith("params.channel") for v in err.violations):
                # Paradex's answer to an unknown channel, as observed: -32600 "invalid subscribe request"
                raise ChannelError(JSONRPC_INVALID, f"invalid {method} request", "invalid channel") from None
            message = str(err)
            raise ChannelError(JSONRPC_PARAMS, "invalid method parameters",
                               {"error": "BINDING_ERROR", "message": message}) from None

    def rpc_auth(self, conn, params):
        token = params.get("bearer") if isinstance(params, dict) else None
        if not token:
            raise ChannelError(ERR_MALFORMED_TOKEN, "malformed bearer token")
        if conn.account is not None and self.sim.ws_sessions == "fixed":
            raise ChannelError(JSONRPC_INVALID, "invalid request", "already authenticated")
        if conn.account is not None and self.sim.ws_sessions == "close":
            conn.closed = True
            asyncio.ensure_future(conn.ws.close(code=CLOSE_REAUTH, message=b"already authenticated"))
            return None
        try:
            claims = self.sim.authority.check_bearer("Bearer " + token)
        except ApiError as err:
            # OpenRPC auth errors: 40110 "Malformed bearer token" (not a JWT at all), 40111 "Invalid bearer token"
            code = ERR_MALFORMED_TOKEN if "malformed" in err.message else ERR_INVALID_TOKEN
            raise ChannelError(code, err.message) from None
        conn.account = claims["sub"]
        conn.claims = claims
        return {"node_id": "sim0"}

    def require_live_token(self, conn):
        """Private requests need an ``auth`` on this connection and, with ``ws_sessions="renewable"`` (one reading of
        paradex-py's client, which reconnects with a fresh token on 40111), a token that has not expired since;
        ``"fixed"``: a session lasts as long as its socket and a second ``auth`` is refused; ``"close"``: it lasts as
        long as its socket (Paradex's docs) and a second ``auth`` closes the socket."""
        if conn.account is None:
            raise ChannelError(ERR_AUTH_REQUIRED, "authentication required")
        if self.sim.ws_sessions == "renewable" and conn.claims["exp"] <= self.sim.clock.s():
            raise ChannelError(ERR_INVALID_TOKEN, "invalid bearer token: token is expired")

    def rpc_subscribe(self, conn, params):
        name = params.get("channel") if isinstance(params, dict) else None
        if not isinstance(name, str):
            raise ChannelError(JSONRPC_PARAMS, "channel is required")
        if name in conn.subs:
            raise ChannelError(JSONRPC_INVALID, "invalid subscribe request", "already subscribed")
        sub = parse_channel(name, self.engine.specs)
        if sub["kind"] == "order_book" and sub["feed"] == "deltas" and not self.sim.deltas_feed:
            # the AsyncAPI reading: only the @15@{50ms|100ms} feeds exist (a third-party live probe of the SBE
            # socket saw the bare deltas channel refused)
            raise ChannelError(JSONRPC_INVALID, "invalid subscribe request", f"unknown feed {name.split('.')[2]}")
        if sub["kind"] in PRIVATE_KINDS:
            self.require_live_token(conn)
        if sub["kind"] == "order_book" and conn.sbe_version is not None and any(
                s["kind"] == "order_book" and s["market"] == sub["market"] for s in conn.subs.values()):
            raise ChannelError(JSONRPC_INVALID, f"channel {name} cannot share an SBE session with another order_book channel of {sub['market']}")
        sub["name"] = name
        sub["last_seq"] = -1
        conn.subs[name] = sub
        conn.idle_since = None
        if sub["kind"] == "order_book":
            conn.push(conn.publish(name, "order_book", self.book_snapshot(sub)))
            if sub["feed"] == "snapshot":
                sub["task"] = asyncio.ensure_future(self._snapshots(conn, sub))
        return {"channel": name}

    def rpc_unsubscribe(self, conn, params):
        name = params.get("channel") if isinstance(params, dict) else None
        sub = conn.subs.pop(name, None)
        if sub is None:
            raise ChannelError(JSONRPC_INVALID, "invalid unsubscribe request", "not subscribed")
        if sub.get("task"):
            sub["task"].cancel()
        if not conn.subs:
            conn.idle_since = self.sim.clock.s()
        return {"channel": name}

    # ---- order books ------------------------------------------------------------------------------
    def book_snapshot(self, sub):
        market = sub["market"]
        book = self.engine.books[market]
        depth = BOOK_DEPTH if sub["feed"] == "snapshot" else None
        tick = Decimal(sub["tick"]) if sub.get("tick") else None
        inserts = [{"side": "BUY", "price": fmt(p), "size": fmt(s)} for p, s in book.bids.aggregated(depth, sub["interactive"], tick)]
        inserts += [{"side": "SELL", "price": fmt(p), "size": fmt(s)} for p, s in book.asks.aggregated(depth, sub["interactive"], tick)]
        sub["last_seq"] = book.seq_no
        return {"seq_no": book.seq_no, "market": market, "last_updated_at": book.last_updated_at, "update_type": "s",
                "inserts": inserts, "updates": [], "deletes": []}

    async def _snapshots(self, conn, sub):
        clock = self.sim.clock
        period = sub["refresh_ms"] / 1000
        due = clock.s() + period
        while not conn.closed:
            await clock.sleep_until(min(due, clock.s() + period))
            due = max(due + period, clock.s())  # a fixed cadence (50 ms = 20/s), not 50 ms plus the work
            if self.engine.books[sub["market"]].seq_no != sub["last_seq"]:
                conn.push(conn.publish(sub["name"], "order_book", self.book_snapshot(sub)))

    def _delta(self, market, seq_no, changes, interactive):
        book = self.engine.books[market]
        levels = self.published_levels[market]
        inserts, updates, deletes = [], [], []
        for side, price, api_size, ui_size in changes:
            size = ui_size if interactive else api_size
            key = (side, price, interactive)
            before = levels.get(key, 0)
            if size == before:
                continue
            entry = {"side": side, "price": fmt(price), "size": fmt(size)}
            (deletes if size == 0 else inserts if before == 0 else updates).append(entry)
            if size:
                levels[key] = size
            else:
                levels.pop(key, None)
        return {"seq_no": seq_no, "market": market, "last_updated_at": book.last_updated_at, "update_type": "d",
                "inserts": inserts, "updates": updates, "deletes": deletes}

    # ---- engine events -----------------------------------------------------------------------------
    def on_event(self, kind, market, payload):
        try:
            self._route(kind, market, payload)
        except Exception:  # a feed bug must never break matching
            log.exception("feed failed on a %s event", kind)

    def _route(self, kind, market, payload):
        if kind == "book":
            self._on_book(market, payload)
        elif kind == "trade":
            self._fanout("trades", market, payload)
        elif kind in PRIVATE_EVENTS:
            self._private(PRIVATE_EVENTS[kind], market, payload.get("account"), payload)
            if kind == "fill":  # what the fill did to the balance: the balance_events channel
                self._private("balance_events", market, payload.get("account"), lambda: self.balance_event(payload))

    def _private(self, channel_kind, market, account, payload):
        """To the account's subscriptions of ``channel_kind`` (``payload`` a callable: built only if one exists)."""
        for conn in list(self.connections):
            if conn.account != account:
                continue
            for name, sub in conn.subs.items():
                if sub["kind"] == channel_kind and sub["market"] in ("ALL", market):
                    if callable(payload):
                        payload = payload()
                    conn.push(conn.publish(name, channel_kind, payload))

    def balance_event(self, fill) -> dict:
        """BalanceEventResponse of a fill (published right after it settled: the account's balance is the after)."""
        after = self.engine.accounts[fill["account"]].balance
        moved = Decimal(fill["realized_pnl"]) + Decimal(fill["realized_funding"]) - Decimal(fill["fee"])
        token: dict = next((t for t in self.sim.config["bridged_tokens"] if t["symbol"] == "USDC"), {})
        return {"type": "TRANSACTION_FILL", "status": "ON_BLOCKCHAIN", "market": fill["market"], "fill_id": fill["id"],
                "fees": fill["fee"], "realized_pnl": fill["realized_pnl"], "realized_funding": fill["realized_funding"],
                "funding_index": fmt(self.engine.funding_index[fill["market"]]), "settlement_asset_name": "USDC",
                "settlement_asset_address": token.get("l2_token_address", ""), "settlement_asset_price": "1",
                "settlement_asset_balance_before": fmt(after - moved), "settlement_asset_balance_after": fmt(after),
                "created_at": fill["created_at"]}

    def _on_book(self, market, payload):
        deltas = {}
        for conn in list(self.connections):
            for name, sub in conn.subs.items():
                if sub["kind"] != "order_book" or sub["market"] != market or sub["feed"] != "deltas":
                    continue
                if payload["seq_no"] <= sub["last_seq"]:
                    continue
                interactive = sub["interactive"]
                if interactive not in deltas:
                    deltas[interactive] = self._delta(market, payload["seq_no"], payload["changes"], interactive)
                sub["last_seq"] = payload["seq_no"]
                conn.push_book(conn.publish(name, "order_book", deltas[interactive]))
        for interactive in (False, True):
            if interactive not in deltas:  # keep the published-level map current for later subscribers
                self._delta(market, payload["seq_no"], payload["changes"], interactive)
        self._maybe_bbo(market)

    def _maybe_bbo(self, market):
        if not any(sub["kind"] == "bbo" and sub["market"] in ("ALL", market)
                   for conn in self.connections for sub in conn.subs.values()):
            self._last_bbo.pop((market, False), None)  # a later subscriber gets the next top of book
            self._last_bbo.pop((market, True), None)
            return
        for interactive in (False, True):
            bbo = self.sim.bbo(market, interactive)
            key = (market, interactive)
            top = (bbo["bid"], bbo["bid_size"], bbo["ask"], bbo["ask_size"])
            if self._last_bbo.get(key) == top:
                continue
            self._last_bbo[key] = top
            for conn in list(self.connections):
                for name, sub in conn.subs.items():
                    if sub["kind"] == "bbo" and sub["market"] in ("ALL", market) and sub["interactive"] == interactive:
                        conn.push(conn.publish(name, "bbo", bbo))

    def _fanout(self, kind, market, data):
        for conn in list(self.connections):
            for name, sub in conn.subs.items():
                if sub["kind"] == kind and sub["market"] in ("ALL", market):
                    conn.push(conn.publish(name, kind, data))

    def publish_summaries(self):
        for market in self.engine.specs:
            summary = self.sim.market_summary(market)
            self._fanout("markets_summary", market, summary)

    def publish_funding(self):
        for market in self.engine.specs:
            if self.sim.funding[market]:
                self._fanout("funding_data", market, self.sim.funding[market][-1])

    async def disconnect_all(self):
        for conn in list(self.connections):
            conn.closed = True
            await conn.ws.close(code=1001, message=b"injected disconnect")
