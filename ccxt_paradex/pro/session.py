"""One WebSocket connection's life, owned by one object: ``Session``.

The pro class keeps ``{ccxt ws Client: Session}`` (``ParadexConnection._sessions``); a reconnect is a new
Client, so a new Session. Nothing is set on ccxt's Client. The session owns its state, the JWT times of its
``auth``, the JSON-RPC ids it is waiting on, its in-flight ``order.*`` and ``unsubscribe`` requests, its
cancel-on-disconnect arming and every background task started for it (book resyncs, reconciliation, arming),
all ended with it.

States and the events that move them::

                  auth_sent                  auth_acknowledged
    connecting ---------------> authenticating ---------------> live
        ^                            |                           |
        +-------- auth_refused ------+                           |   (a refused renewal stays live)
        +---- renew() / token_refused, wsRenewAuthInPlace only --+
    live --token_refused (default)--> the socket is dropped --connection_lost--> closed
    any  --closing (exchange.close())--> closing --connection_lost--> closed
    any  --connection_lost--> closed          (a reconnect is a new Client, so a new Session)

Paradex's rule (docs, WebSocket authentication): a connection needs no re-authentication for its lifetime,
so by default ``auth`` goes out once per session; a token refusal on a live session drops the socket and
the reconnect authenticates afresh (as the official SDK does).
"""
import asyncio

from ccxt.base.errors import BaseError, ExchangeClosedByUser, NetworkError, RequestTimeout

from ..core import errors as paradex_errors

CONNECTING, AUTHENTICATING, LIVE, CLOSING, CLOSED = "connecting", "authenticating", "live", "closing", "closed"
AUTH_HASH = "authenticated"  # the client future an ``auth`` answer settles

# kinds of the JSON-RPC requests a session waits on
AUTH, SUBSCRIBE, UNSUBSCRIBE, ORDER, OTHER = "auth", "subscribe", "unsubscribe", "order", "other"


def _retrieve(task):
    if not task.cancelled():
        task.exception()


class Session:
    __slots__ = ("owner", "client", "state", "auth_result", "token", "jwt_times", "previous",
                 "renewal_refused", "pending", "requests", "tasks", "cod", "lost_at", "trading", "_unacked",
                 "_settled")

    def __init__(self, owner, client):
        self.owner = owner              # the pro exchange: ids, options, throttling, the JWT
        self.client = client
        self.state = CONNECTING
        self.auth_result = None
        self.token = None               # the JWT this session authenticated with (a refusal names it)
        self.jwt_times = (None, None)   # (iat, exp), venue clock, s, of that JWT
        self.previous = None            # (auth result, token, jwt_times) a renewal in place replaces: restored if
                                        # the venue refuses the renewal
        self.renewal_refused = False    # the venue refused a second auth on this socket: never again
        self.pending = {}               # JSON-RPC id -> (kind, message hashes, channel)
        self.requests = {}              # JSON-RPC id -> (asyncio future, method) of in-flight order.* requests
        self.tasks = set()
        self.cod = None                 # task of the order.cancel_on_disconnect that armed this connection
        self.lost_at = None             # ms, when the connection was lost
        self.trading = False            # an order.* request went out on it: it must never be left idle (4031)
        self._unacked = set()           # ids of subscribe requests not answered yet
        self._settled = []              # futures waiting for _unacked to empty

    @property
    def live(self) -> bool:
        return self.state == LIVE

    @property
    def ended(self) -> bool:
        return self.state in (CLOSING, CLOSED)

    def __repr__(self):
        return "<Session " + self.state + " " + str(self.client.url) + ">"

    # ---- JSON-RPC ---------------------------------------------------------------------------------
    def rpc(self, method, params, kind=OTHER, hashes=(), channel=None) -> dict:
        rid = self.owner.request_id()
        self.pending[rid] = (kind, tuple(hashes), channel)
        if kind == SUBSCRIBE:
            self._unacked.add(rid)
        return {"jsonrpc": "2.0", "method": method, "params": params, "id": rid}

    def on_answer(self, rid, message):
        """An answer (result or error) to one of this session's requests."""
        kind, hashes, channel = self.pending.pop(rid, (None, (), None))
        error = message.get("error")
        if kind == SUBSCRIBE:
            self._acked(rid)
        if error is None:
            if kind == AUTH:
                self.auth_acknowledged(message.get("result"))
            elif kind in (ORDER, UNSUBSCRIBE):
                entry = self.requests.get(rid)
                if entry is not None and not entry[0].done():
                    entry[0].set_result(message.get("result"))
            return
        owner = self.owner
        exc = paradex_errors.ws_exception(error, kind == ORDER, owner.id + " " + owner.json(error))
        if kind == AUTH:
            self.auth_refused(exc)
            return
        if kind in (ORDER, UNSUBSCRIBE):
            entry = self.requests.get(rid)
            if entry is not None and not entry[0].done():
                entry[0].set_exception(exc)
            return
        if channel is not None:
            self.client.subscriptions.pop(channel, None)
        for h in hashes:
            self.client.reject(exc, h)

    def _acked(self, rid):
        self._unacked.discard(rid)
        if not self._unacked:
            waiters, self._settled = self._settled, []
            for w in waiters:
                if not w.done():
                    w.set_result(None)

    async def settled(self):
        """Every subscribe sent on this session so far has been answered (its channel is live, or refused)."""
        if not self._unacked:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._settled.append(waiter)
        await waiter

    # ---- events -------------------------------------------------------------------------------------
    def auth_sent(self, jwt_times, token=None):
        """``auth`` went out with ``token`` (the first, or a renewal in place after renew())."""
        self.state = AUTHENTICATING
        self.auth_result = None
        self.token, self.jwt_times = token, jwt_times

    def auth_acknowledged(self, result):
        if self.ended:
            return
        self.state, self.auth_result, self.previous = LIVE, result or {}, None
        self.client.resolve(self.auth_result, AUTH_HASH)
        if self.owner.safe_bool(self.owner.options, "cancelOnDisconnect", False):
            self.arm_cancel_on_disconnect()

    def auth_refused(self, exc):
        if self.ended:
            return
        if self.previous is not None:  # a refused renewal: the venue keeps the first session for the socket's life
            self.auth_result, self.token, self.jwt_times = self.previous
            self.state, self.previous = LIVE, None
            self.renewal_refused = True
            self.client.resolve(self.auth_result, AUTH_HASH)
            return
        self.owner.invalidate_jwt(self.token)  # (a token fetched since, by REST or another socket, stays)
        self._unauthenticated()
        self.client.reject(exc, AUTH_HASH)

    def token_refused(self, renew_in_place):
        """A private request on this session was refused for its token: if its auth itself was refused, it
        authenticates again; with renewal in place it authenticates this live socket again; else the socket is
        dropped as a lost connection and the reconnect authenticates. Only this session's token is discarded: a
        fresher one (REST logged in again meanwhile) is what the new auth uses."""
        self.owner.invalidate_jwt(self.token)
        if self.state == CONNECTING:  # the auth itself was refused (auth_refused): this socket has no session yet
            return
        if renew_in_place and not self.renewal_refused and self.state == LIVE:
            self._unauthenticated()
            return
        if not self.client.closed():
            self.client.on_error(NetworkError(self.owner.id + " the venue refused this socket's token; reconnecting"))

    def renew(self):
        """Renewal in place (options['wsRenewAuthInPlace']): the next authenticate() sends a second auth; if the
        venue refuses it, the session keeps its first one."""
        if self.state == LIVE:
            previous = (self.auth_result, self.token, self.jwt_times)
            self._unauthenticated()
            self.previous = previous

    def _unauthenticated(self):
        self.state, self.auth_result, self.previous = CONNECTING, None, None
        self.client.subscriptions.pop(AUTH_HASH, None)

    def connection_lost(self, now_ms):
        """The socket closed or failed (ccxt rejects the client's futures itself)."""
        if self.state == CLOSED:
            return
        if self.state != CLOSING:
            self._end(NetworkError, "connection lost before the answer; the request may or may not have been executed")
        self.state = CLOSED
        self.lost_at = now_ms

    def closing(self):
        """exchange.close(): every waiter ends with ExchangeClosedByUser (not asyncio.CancelledError)."""
        if self.ended:
            return
        self.state = CLOSING
        self._end(ExchangeClosedByUser, "exchange closed before the answer")
        self.client.reject(ExchangeClosedByUser(self.owner.id + " instance was closed by the user"))

    def _end(self, error_class, reason):
        for rid, (future, method) in list(self.requests.items()):
            if not future.done():
                future.set_exception(error_class(self.owner.id + " " + method + " (id " + str(rid) + "): " + reason))
        for task in list(self.tasks):
            task.cancel()
        self.tasks.clear()
        self.cod = None
        self.pending.clear()
        self._unacked.clear()
        for w in self._settled:
            if not w.done():
                w.cancel()
        self._settled = []

    # ---- background tasks ---------------------------------------------------------------------------
    def subscribe_in_background(self, channel, hashes=()):
        """Subscribe ``channel`` without waiting for it (marked subscribed at once; the send is owned here). A
        refusal rejects ``hashes``: the watchers the channel was subscribed for (a resubscription after a
        reconnect), as a watch's own subscribe does."""
        self.client.subscriptions[channel] = True
        self.spawn(self.client.send(self.rpc("subscribe", {"channel": channel}, SUBSCRIBE, hashes, channel)))

    def spawn(self, coro):
        """Run ``coro`` for this session; cancelled when the session ends. None (and not run) once it has."""
        if self.ended:
            coro.close()
            return None
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task):
        self.tasks.discard(task)
        _retrieve(task)

    # ---- the JWT ------------------------------------------------------------------------------------
    def expiring(self, now_s, margin) -> bool:
        """The JWT this session authenticated with expires within ``margin`` s (at most a quarter of its life)."""
        iat, exp = self.jwt_times
        if exp is None or self.state != LIVE:
            return False
        if iat is not None:
            margin = min(margin, (exp - iat) / 4)
        return exp - now_s < margin

    # ---- unsubscribe: answered like a request -----------------------------------------------------------
    async def unsubscribe(self, channel, timeout):
        """``unsubscribe`` ``channel`` and wait for the venue's answer (after it, nothing more arrives on that
        channel): its result, the venue's refusal, RequestTimeout, or the end of the session (as ``request``)."""
        message = self.rpc("unsubscribe", {"channel": channel}, UNSUBSCRIBE)
        return await self._send_and_wait(message, "unsubscribe", "unsubscribe " + channel, timeout)

    # ---- order.* requests -----------------------------------------------------------------------------
    async def request(self, method, params, timeout):
        """One order.* request on this connection, settled by its answer, ``timeout`` s (RequestTimeout) or the end
        of the session (NetworkError when the connection is lost, ExchangeClosedByUser on close)."""
        owner = self.owner
        if owner.enableRateLimit:
            await owner.throttle(("orders", 1))  # the venue counts WS order methods in the REST orders bucket
        message = self.rpc(method, params, ORDER)
        self.trading = True
        if self.state == CLOSING:
            self.pending.pop(message["id"], None)
            raise ExchangeClosedByUser(owner.id + " " + method + ": exchange closed before send")
        return await self._send_and_wait(message, method, method + " (id " + str(message["id"]) + ")", timeout)

    async def _send_and_wait(self, message, method, what, timeout):
        """Send one of this session's JSON-RPC requests and wait for its answer (settled by ``on_answer``, or by the
        end of the session: NetworkError), or RequestTimeout after ``timeout`` s; never left registered."""
        rid = message["id"]
        future = asyncio.get_running_loop().create_future()
        self.requests[rid] = (future, method)
        try:
            if self.ended or self.client.closed():
                raise NetworkError(self.owner.id + " " + method + ": connection closed before send")
            try:
                await self.client.send(message)
            except BaseError:
                raise
            except Exception as e:
                raise NetworkError(self.owner.id + " " + method + ": " + str(e)) from e
            sent_at = self.owner.milliseconds()
            try:
                return await asyncio.wait_for(future, timeout)
            except asyncio.TimeoutError:
                if self._silent_since(sent_at):
                    self.spawn(self._probe(sent_at, timeout))
                raise RequestTimeout(self.owner.id + " " + what + " got no answer within " + str(timeout) + " s") from None
        finally:
            self.requests.pop(rid, None)
            self.pending.pop(rid, None)

    def _silent_since(self, sent_at) -> bool:
        """Not one frame arrived on this open connection since ``sent_at`` (ms)."""
        client = self.client
        last = getattr(client, "last_message_at", None)
        return not (self.ended or client.closed() or (isinstance(last, (int, float)) and last >= sent_at))

    async def _probe(self, sent_at, timeout):
        """A request got no answer and not one frame arrived since it went out: a slow venue on a quiet connection
        (an orders-only socket may carry nothing for longer than wsOrderTimeout), or a dead path (a half-open
        socket). A ping tells them apart: a live path answers it. When nothing at all arrives within
        ``wsProbeTimeout`` s, the socket is dropped as a lost connection, so the next request and every watcher
        go on a fresh one (the private streams read the gap) at once, rather than a ping-pong keep-alive later
        (ccxt's: up to keepAlive x (maxPingPongMisses + 1), a minute by default). A live connection is never dropped
        for a slow answer: with cancel-on-disconnect armed, dropping it would cancel every resting order."""
        client = self.client
        try:
            await client.connection.ping()
        except Exception:  # the socket is already failing: its reader reports the loss
            return
        wait = self.owner.safe_number(self.owner.options, "wsProbeTimeout", 5)
        clock = self.owner.ws_clock
        deadline = clock.now() + wait
        while self._silent_since(sent_at):
            if clock.now() >= deadline:
                client.on_error(NetworkError(self.owner.id + " nothing arrived on this connection for " + str(timeout)
                                             + " s while a request waited for its answer, nor within " + str(wait)
                                             + " s of a ping; reconnecting"))
                return
            await clock.sleep(min(0.05, wait))

    def arm_cancel_on_disconnect(self):
        """One ``order.cancel_on_disconnect {"enabled": true}`` per connection, shared by every waiter -> its task."""
        if self.cod is None:
            timeout = self.owner.safe_number(self.owner.options, "wsOrderTimeout", 10)
            self.cod = self.spawn(self.request("order.cancel_on_disconnect", {"enabled": True}, timeout))
        return self.cod

    async def armed(self):
        task = self.arm_cancel_on_disconnect()
        if task is None:
            raise NetworkError(self.owner.id + " connection closed before cancel-on-disconnect was armed")
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled() and self.state == CLOSING:
                raise ExchangeClosedByUser(self.owner.id + " instance was closed by the user") from None
            if task.cancelled():
                raise NetworkError(self.owner.id + " connection lost before cancel-on-disconnect was armed") from None
            raise
        except BaseException:
            if self.cod is task and task.done():
                self.cod = None  # the next request tries again
            raise

    def disarmed(self):
        self.cod = None
