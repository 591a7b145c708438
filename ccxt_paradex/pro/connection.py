"""The WebSocket connection life cycle of the pro class (mixin): URL and SBE negotiation,
JSON-RPC ids and errors, resilient watch (reconnect with backoff, resubscribe), close.

Every ``watch*`` goes through ``_watch_channels``: it (re)connects, authenticates when
the channel is private, subscribes what the current connection lacks and awaits the
first of the message hashes. A dropped connection rejects the waiting futures with a
NetworkError; the loop here absorbs it, sleeps with exponential backoff and tries again
on a fresh connection, which re-sends every subscription its waiters still need.
"""
import asyncio
import random

from ccxt.async_support.base.ws.future import Future
from ccxt.base.errors import AuthenticationError, ExchangeError, NetworkError

from ..async_support.paradex_auth import _jwt_times
from ..core import errors as paradex_errors

SBE_VERSIONS = (3, 2, 1, 0)
AUTH_STATE = "_paradex_auth"  # set on a ccxt ws Client once its auth was acknowledged (a reconnect = a new Client)
AUTH_EXP = "_paradex_auth_exp"  # (iat, exp) (venue clock, s) of the JWT that Client authenticated with
NO_REAUTH = "_paradex_no_reauth"  # set on a Client whose venue refused a second auth on it
PREV_SESSION = "_paradex_prev_auth"  # the session a renewal replaces, restored if the venue refuses the renewal


class ParadexConnection:
    def _init_connection(self):
        self._rpc_pending = {}      # request id -> (message hashes, channel, is order method)
        self._closing = False
        self.reconnects = 0         # connections re-established after a drop, for diagnostics
        self._connections = 0
        self._unread = {}           # message hash -> cache updated while no watcher was waiting

    def get_ws_url(self) -> str:
        url = self.implode_hostname(self.urls["api"]["ws"])
        if not self.safe_bool(self.options, "sbe", True):
            return url
        return url + "?sbeSchemaId=1&sbeSchemaVersion=" + str(self.options["sbeSchemaVersion"])

    def request_id(self) -> int:
        self.options["requestId"] = self.safe_integer(self.options, "requestId", 0) + 1
        return self.options["requestId"]

    def _rpc(self, method, params, hashes=(), channel=None, order_method=False) -> dict:
        rid = self.request_id()
        self._rpc_pending[rid] = (tuple(hashes), channel, order_method)
        return {"jsonrpc": "2.0", "method": method, "params": params, "id": rid}

    # ---- negotiation and failures -----------------------------------------------------------------
    def _step_down_sbe(self, error) -> bool:
        """HTTP 400 at the handshake: the venue does not serve our schema version; try the next lower one."""
        text = str(error)
        if "400" not in text or not self.safe_bool(self.options, "sbe", True):
            return False
        current = int(self.options["sbeSchemaVersion"])
        lower = [v for v in SBE_VERSIONS if v < current]
        if not lower:
            return False
        self.options["sbeSchemaVersion"] = lower[0]
        return True

    def on_connected(self, client, message=None):
        super().on_connected(client, message)
        self._connections += 1
        if self._connections > 1:
            self.reconnects += 1

    def on_close(self, client, error):
        super().on_close(client, error)
        self._on_connection_lost(client)

    def on_error(self, client, error):
        super().on_error(client, error)
        self._on_connection_lost(client)

    def _on_connection_lost(self, client):
        setattr(client, AUTH_STATE, None)
        if self._closing:
            return
        for book in self._books.values():
            book.mark_out_of_sync()
        self._private_state_stale = True

    def handle_rpc_result(self, client, message) -> bool:
        """Acks and errors of our JSON-RPC requests; True when the message was one."""
        rid = message.get("id")
        if rid is None:
            return False
        hashes, channel, order_method = self._rpc_pending.pop(rid, ((), None, False))
        error = message.get("error")
        if error is None:
            if "auth" in hashes:
                setattr(client, PREV_SESSION, None)
                setattr(client, AUTH_STATE, message.get("result") or {})
                client.resolve(message.get("result"), "authenticated")
            self.handle_order_rpc_result(client, rid, message.get("result"))
            return True
        exc = paradex_errors.ws_exception(error, order_method, self.id + " " + self.json(error))
        if "auth" in hashes:
            previous = getattr(client, PREV_SESSION, None)
            if previous is not None:  # a refused renewal: this venue keeps the first session for the socket's life
                setattr(client, PREV_SESSION, None)
                setattr(client, AUTH_STATE, previous)
                setattr(client, NO_REAUTH, True)
                client.resolve(previous, "authenticated")
                return True
            self.invalidate_jwt()
            self._forget_session(client)
            client.reject(exc, "authenticated")
            return True
        if channel is not None and channel in client.subscriptions:
            del client.subscriptions[channel]
        for h in hashes:
            client.reject(exc, h)
        self.handle_order_rpc_error(client, rid, exc)
        return True

    def handle_order_rpc_result(self, client, rid, result):
        """Overridden by the WebSocket trading mixin."""

    def handle_order_rpc_error(self, client, rid, exc):
        """Overridden by the WebSocket trading mixin."""

    # ---- resilient subscribe-and-wait --------------------------------------------------------------
    async def authenticate(self, params={}):
        """One ``auth`` per connection, with a JWT fresh enough to outlive the handshake."""
        url = self.get_ws_url()
        client = self.client(url)
        done = getattr(client, AUTH_STATE, None)
        if done is not None:
            return done
        future = client.future("authenticated")
        if "authenticated" not in client.subscriptions:
            token = await self.authenticate_rest()
            setattr(client, AUTH_EXP, _jwt_times(token))
            request = self._rpc("auth", {"bearer": token}, ["auth"])
            self.watch(url, "authenticated", request, "authenticated")
        return await future

    async def _authenticated_socket(self, attempts=3):
        """The current socket, authenticated. The venue may close a socket right behind its auth ack,
        and a new one takes its place before we resume: never hand that one out unauthenticated."""
        for _ in range(attempts):
            client = self.client(self.get_ws_url())
            if getattr(client, AUTH_STATE, None) is not None and self._session_expiring(client) \
                    and not getattr(client, NO_REAUTH, False):
                setattr(client, PREV_SESSION, getattr(client, AUTH_STATE))  # see handle_rpc_result
                self._forget_session(client)  # authenticate this socket again, with a fresh JWT
            await self.authenticate()
            client = self.client(self.get_ws_url())
            if getattr(client, AUTH_STATE, None) is not None:
                return client
        raise NetworkError(self.id + " the connection kept closing right after authenticating")

    def _session_expiring(self, client) -> bool:
        """The JWT this socket authenticated with expires within options['wsSessionMargin'] seconds (at most a
        quarter of its life): a live socket outlives its 5-minute token, and a venue may then refuse its
        private requests."""
        iat, exp = getattr(client, AUTH_EXP, None) or (None, None)
        if exp is None:
            return False
        margin = self.safe_number(self.options, "wsSessionMargin", 20)
        if iat is not None:
            margin = min(margin, (exp - iat) / 4)
        return exp - self.now_ms() / 1000 < margin

    def _forget_session(self, client):
        setattr(client, AUTH_STATE, None)
        client.subscriptions.pop("authenticated", None)

    def _retry_after_token_refused(self, error, client, refusals) -> bool:
        """A private request refused for its token on a socket we had authenticated. First time: authenticate that
        socket again with a new JWT (a drop would fire cancel-on-disconnect). Second: drop the socket, as a lost
        connection, so every watcher reconnects afresh. Then give up. -> True to try again."""
        if refusals > 2 or client is None or getattr(error, "ws_code", None) not in paradex_errors.WS_TOKEN_REFUSED:
            return False
        self.invalidate_jwt()
        if refusals == 1:
            self._forget_session(client)
        elif not client.closed():
            client.on_error(NetworkError(self.id + " the venue refused this socket's token; reconnecting"))
        return True

    def _publish(self, client, value, hashes):
        """Resolve waiting watchers; remember the update for a watcher that is between two calls
        (streams of events - trades, orders, fills - must not lose what arrived in that gap)."""
        for h in hashes:
            if h in client.futures:
                client.resolve(value, h)
            else:
                self._unread[h] = value

    async def _watch_channels(self, channels, hashes, private=False):
        """Subscribe ``channels`` (if this connection lacks them) and await the first of ``hashes``."""
        retries = self.safe_integer(self.options, "wsMaxReconnects", 50)
        attempt = refusals = 0
        while True:
            url = self.get_ws_url()
            try:
                client = await self._authenticated_socket() if private else self.client(url)
                for channel, message_hash in zip(channels, hashes):
                    if channel not in client.subscriptions:
                        self.watch(url, message_hash, self._rpc("subscribe", {"channel": channel}, [message_hash], channel), channel)
                if private and self._private_state_stale:
                    self._private_state_stale = False
                    asyncio.ensure_future(self._reconcile_private_state())
                for h in hashes:
                    if h in self._unread:
                        return self._unread.pop(h)
                future = Future.race([client.future(h) for h in hashes]) if len(hashes) > 1 else client.future(hashes[0])
                result = await future
                for h in hashes:  # the caller reads the cache now: what was parked for it is in this result
                    self._unread.pop(h, None)
                return result
            except AuthenticationError as e:
                refusals += 1
                if not private or not self._retry_after_token_refused(e, (self.clients or {}).get(url), refusals):
                    raise
            except NetworkError as e:
                if self._closing:
                    raise
                if self._step_down_sbe(e):
                    continue
                attempt += 1
                if attempt > retries:
                    raise
                delay = min(self.safe_number(self.options, "wsBackoffMax", 5.0),
                            self.safe_number(self.options, "wsBackoffBase", 0.05) * 2 ** (attempt - 1))
                await asyncio.sleep(delay * (0.5 + random.random()))

    async def _unwatch_channels(self, channels, hashes):
        url = self.get_ws_url()
        client = self.clients.get(url) if self.clients else None
        if client is None:
            return True
        for channel, message_hash in zip(channels, hashes):
            # the waiter first: no update may resolve it once unwatch was called
            # (a rejection without a waiter would be kept for the next watch)
            if message_hash in client.futures:
                client.reject(ExchangeError(self.id + " unsubscribed from " + channel), message_hash)
            self._unread.pop(message_hash, None)
            if channel in client.subscriptions:
                del client.subscriptions[channel]
                await client.send(self._rpc("unsubscribe", {"channel": channel}))
        return True

    async def close(self, clean_instance_data=False):
        self._closing = True
        try:
            await super().close(clean_instance_data)
        finally:
            self._closing = False
