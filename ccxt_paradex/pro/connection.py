"""The WebSocket connection life cycle of the pro class (mixin): URL and SBE negotiation,
one ``Session`` per connection (``pro/session.py``), resilient watch (reconnect with backoff,
resubscribe), close.

Every ``watch*`` goes through ``_watch_channels``: it (re)connects, authenticates when
the channel is private, subscribes what the current connection lacks and awaits the
first of the message hashes. A dropped connection rejects the waiting futures with a
NetworkError; the loop here absorbs it, sleeps with exponential backoff (on ``ws_clock``) and
tries again on a fresh connection, which re-sends every subscription its waiters still need.
``close()`` ends every waiter with ExchangeClosedByUser.
"""
import asyncio
import random

from ccxt.async_support.base.ws.future import Future
from ccxt.base.errors import AuthenticationError, ExchangeClosedByUser, ExchangeError, NetworkError, UnsubscribeError

from ..async_support.paradex_auth import _jwt_times
from ..core import errors as paradex_errors
from .reader import ReaderClient
from .session import AUTH, AUTH_HASH, CLOSED, SUBSCRIBE, Session

SBE_VERSIONS = (3, 2, 1, 0)


_TASK_CANCELLING = hasattr(asyncio.Task, "cancelling")  # Python 3.11+


def cancelled_by_another(future) -> bool:
    """True when ``future`` - one per message hash, awaited by every watcher of it - was cancelled although the
    current task was not: asyncio cancels the future a cancelled task awaits, so one watcher's cancellation (a
    wait_for timeout) reaches every other watcher of the hash as a CancelledError that is not theirs. They wait
    again instead. (Python 3.10 cannot tell the two apart: there the CancelledError is raised, as in ccxt.)"""
    if not _TASK_CANCELLING or not future.cancelled():
        return False
    task = asyncio.current_task()
    return task is not None and not task.cancelling()


class VenueClock:
    """What sessions and the reconnect loop read time and sleep on; tests inject their own."""

    def __init__(self, exchange):
        self.exchange = exchange

    def now(self) -> float:
        """Seconds on the venue's clock."""
        return self.exchange.now_ms() / 1000

    async def sleep(self, seconds):
        await asyncio.sleep(seconds)


class ParadexConnection:
    def _init_connection(self):
        self._sessions = {}         # ccxt ws Client -> Session (a reconnect is a new Client, so a new Session)
        self._closing = False
        self._sleepers = set()      # reconnect backoff sleeps, woken by close()
        self.reconnects = 0         # connections re-established after a drop, for diagnostics
        self._connections = 0
        self._unread = {}           # message hash -> cache updated while no watcher was waiting
        self._released = set()      # message hashes an un_watch released (and no watch asked for since)
        self._public_client = None  # the Client the last public watch subscribed on (its fast path)
        self.ws_clock = VenueClock(self)

    def get_ws_url(self) -> str:
        url = self.implode_hostname(self.urls["api"]["ws"])
        if not self.safe_bool(self.options, "sbe", True):
            return url
        return url + "?sbeSchemaId=1&sbeSchemaVersion=" + str(self.options["sbeSchemaVersion"])

    def client(self, url):
        """ccxt's client for ``url``, as a ``ReaderClient`` (one reader task per connection, pro/reader.py)."""
        clients = self.clients
        if clients:
            client = clients.get(url)
            if client is not None:
                return client
        client = super().client(url)
        if type(client) is not ReaderClient and client.connection is None and not client.connecting:
            client.__class__ = ReaderClient  # a fresh ccxt Client (ccxt builds it; we only swap its loop)
            if self._own_dispatch():  # SBE frames skip handle_message's dispatch on the direct path
                client.on_binary = self._handle_binary
        return client

    def _own_dispatch(self) -> bool:
        """handle_message is the one defined beside ``_handle_binary`` (no subclass or instance replaced it), so
        handing binary frames to ``_handle_binary`` directly is what handle_message would do with them."""
        if "handle_message" in self.__dict__:
            return False
        for klass in type(self).__mro__:
            if "_handle_binary" in klass.__dict__:
                return klass.__dict__.get("handle_message") is type(self).handle_message
        return False

    def request_id(self) -> int:
        self.options["requestId"] = self.safe_integer(self.options, "requestId", 0) + 1
        return self.options["requestId"]

    def ws_session(self, client) -> Session:
        """The session of a ccxt ws Client (created with it; a closed one stays closed)."""
        session = self._sessions.get(client)
        if session is None:
            session = self._sessions[client] = Session(self, client)
        return session

    def existing_session(self, client):
        """The session of a Client we connected, or None (a lost connection's session is gone)."""
        return self._sessions.get(client)

    def current_session(self) -> Session:
        return self.ws_session(self.client(self.get_ws_url()))

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
        """ccxt's on_close forgets ``clients[client.url]`` whichever client is there now; a late close of a
        replaced connection must not forget the one that replaced it (the next call would dial a third)."""
        if client.error or self.clients.get(client.url) is client:
            super().on_close(client, error)
        self._connection_lost(client)

    def on_error(self, client, error):
        super().on_error(client, error)
        self._connection_lost(client)

    def _connection_lost(self, client):
        session = self._sessions.pop(client, None)
        if session is None or session.state == CLOSED:
            return
        # what the venue published may be missing from the last sign of life on: a half-open socket is only
        # noticed a ping-pong timeout later (keepAlive x maxPingPongMisses), and nothing arrived meanwhile.
        # The last frame read (pongs included) is that sign; ccxt's ``lastPong`` is not: its ping loop sets it to
        # "now" on its first tick even when no pong ever came.
        now = self.milliseconds()
        last = getattr(client, "last_message_at", None)
        session.connection_lost(min(now, last) if isinstance(last, (int, float)) else now)
        if not self._closing:
            self._after_connection_lost(session)

    def _after_connection_lost(self, session):
        """What the streams do when a connection is lost: defined by the pro class (pro/paradex.py)."""

    def handle_rpc_result(self, client, message) -> bool:
        """Acks and errors of our JSON-RPC requests; True when the message was one."""
        rid = message.get("id")
        if rid is None:
            return False
        session = self._sessions.get(client)
        if session is not None:
            session.on_answer(rid, message)
        return True

    # ---- authentication: once per connection -----------------------------------------------------
    async def authenticate(self, params={}):
        """One ``auth`` per connection, with a JWT fresh enough to outlive the handshake."""
        url = self.get_ws_url()
        for _ in range(3):
            client = self.client(url)
            session = self.ws_session(client)
            if session.live:
                return session.auth_result
            future = client.future(AUTH_HASH)
            if AUTH_HASH not in client.subscriptions:
                token = await self.authenticate_rest()
                if (self.clients or {}).get(url) is not client:  # the connection was replaced meanwhile
                    continue
                if session.live:  # another caller authenticated it while we fetched the token
                    return session.auth_result
                if AUTH_HASH not in client.subscriptions:
                    session.auth_sent(_jwt_times(token), token)
                    self.watch(url, AUTH_HASH, session.rpc("auth", {"bearer": token}, AUTH), AUTH_HASH)
            # shared by every caller authenticating this connection: one caller cancelled (a wait_for timeout, a
            # shutdown) must not cancel it under the others (asyncio cancels the future a cancelled task awaits)
            return await asyncio.shield(future)
        raise NetworkError(self.id + " the connection kept closing while authenticating")

    def _renew_in_place(self) -> bool:
        return self.safe_bool(self.options, "wsRenewAuthInPlace", False)

    async def _live_session(self, attempts=3) -> Session:
        """The current connection's session, authenticated. The venue may close a socket right behind its auth ack,
        and a new one takes its place before we resume: never hand that one out unauthenticated."""
        for _ in range(attempts):
            session = self.current_session()
            if session.live and self._renew_in_place() and not session.renewal_refused \
                    and session.expiring(self.ws_clock.now(), self.safe_number(self.options, "wsSessionMargin", 20)):
                self.invalidate_jwt(session.token)  # (a token fetched since this socket's auth is fresh enough)
                session.renew()  # renewal in place: a second auth on this socket, with a fresh JWT
            await self.authenticate()
            session = self.current_session()
            if session.live:
                return session
        raise NetworkError(self.id + " the connection kept closing right after authenticating")

    def _retry_after_token_refused(self, error, session, refusals) -> bool:
        """A private request refused for its token on a session we had authenticated -> True to try again: the
        session authenticates again in place (options['wsRenewAuthInPlace'], first refusal) or is dropped, so
        the retry runs on a fresh connection. After two refusals, give up."""
        if refusals > 2 or session is None or getattr(error, "ws_code", None) not in paradex_errors.WS_TOKEN_REFUSED:
            return False
        session.token_refused(self._renew_in_place() and refusals == 1)
        return True

    def _publish(self, client, value, hashes):
        """Resolve waiting watchers; remember the update for a watcher that is between two calls
        (streams of events - trades, orders, fills - must not lose what arrived in that gap)."""
        futures = client.futures
        for h in hashes:
            future = futures.get(h)
            if future is not None and not future.done():
                client.resolve(value, h)
            else:
                self._unread[h] = value

    # ---- resilient subscribe-and-wait --------------------------------------------------------------
    def _after_subscribe(self, session, private):
        """Hook of the pro class: the subscriptions of a watch call went out on ``session``."""

    async def _watch_channels(self, channels, hashes, private=False, failed=None):
        """Subscribe ``channels`` (if this connection lacks them) and await the first of ``hashes``. ``failed``: the
        error a watcher parked on the live path met (pro/public.py), handled as this loop's own first failure."""
        attempt = refusals = 0
        url = None
        self._released.difference_update(hashes)
        while True:
            try:
                if failed is not None:
                    failed, error = None, failed
                    raise error
                if attempt and not self._still_watched(hashes):  # un-watched while this call waited to reconnect
                    raise UnsubscribeError(self.id + " " + ", ".join(hashes))
                client = self._public_client
                if private or attempt or client is None or not self._subscribed_on(client, channels):
                    url = self.get_ws_url()
                    session = await self._live_session() if private else self.current_session()
                    client = session.client
                    if client.rejections:  # the venue refused a channel subscribed again for this watcher while
                        for h in hashes:   # it was busy: its refusal, not a second subscribe
                            if h in client.rejections:
                                raise client.rejections.pop(h)
                    for channel, message_hash in zip(channels, hashes):
                        if channel not in client.subscriptions:
                            self.watch(url, message_hash, session.rpc("subscribe", {"channel": channel}, SUBSCRIBE,
                                                                      [message_hash], channel), channel)
                    self._after_subscribe(session, private)
                    if not private:
                        self._public_client = client
                if self._unread:
                    for h in hashes:
                        if h in self._unread:
                            return self._unread.pop(h)
                future = Future.race([client.future(h) for h in hashes]) if len(hashes) > 1 else client.future(hashes[0])
                try:
                    result = await future
                except asyncio.CancelledError:
                    if cancelled_by_another(future):  # another watcher of the hash was cancelled, not this one
                        continue
                    raise
                if self._unread:
                    for h in hashes:  # the caller reads the cache now: what was parked for it is in this result
                        self._unread.pop(h, None)
                return result
            except AuthenticationError as e:
                refusals += 1
                session = self._sessions.get((self.clients or {}).get(url or self.get_ws_url()))  # the one refused (its auth, or a request)
                if not private or not self._retry_after_token_refused(e, session, refusals):
                    raise
            except NetworkError as e:
                if self._closing or self.closed_by_user:
                    raise ExchangeClosedByUser(self.id + " instance was closed by the user") from e
                if self._step_down_sbe(e):
                    continue
                attempt += 1
                if attempt > self.safe_integer(self.options, "wsMaxReconnects", 50):
                    raise
                delay = min(self.safe_number(self.options, "wsBackoffMax", 5.0),
                            self.safe_number(self.options, "wsBackoffBase", 0.05) * 2 ** (attempt - 1))
                await self._backoff(delay * (0.5 + random.random()))

    def _still_watched(self, hashes) -> bool:
        """False once un_watch calls released every one of ``hashes`` (a watch waiting to reconnect then ends)."""
        return not all(h in self._released for h in hashes)

    def _subscribed_on(self, client, channels) -> bool:
        """The fast path of a repeated public watch: ``client`` is still the live connection (its session is
        open) and already carries every channel, so nothing needs to be sent and no URL to be built."""
        if client.connection is None or client.connection.closed or client not in self._sessions:
            return False
        subscriptions = client.subscriptions
        for channel in channels:
            if channel not in subscriptions:
                return False
        return True

    async def _backoff(self, seconds):
        sleeper = asyncio.ensure_future(self.ws_clock.sleep(seconds))
        self._sleepers.add(sleeper)
        try:
            await sleeper
        except asyncio.CancelledError:
            if sleeper.cancelled() and self._closing:
                raise ExchangeClosedByUser(self.id + " instance was closed by the user") from None
            raise
        finally:
            self._sleepers.discard(sleeper)

    def _release_hashes(self, client, hashes, error_for):
        """``hashes`` were un-watched: their parked watchers get ``error_for(hash)`` first (no update may resolve
        them once unwatch was called), a refusal kept for them and a parked result go, and a watcher waiting to
        reconnect ends instead of subscribing again. ``client``: the current connection's, or None."""
        self._released.update(hashes)
        for h in hashes:
            if client is not None:
                if h in client.futures:  # (a rejection without a waiter would be kept for the next watch)
                    client.reject(error_for(h), h)
                client.rejections.pop(h, None)  # a refusal the next watch of the hash must not meet
            self._unread.pop(h, None)

    async def _unwatch_channels(self, channels, hashes):
        client = self.clients.get(self.get_ws_url()) if self.clients else None
        named = dict(zip(hashes, channels))
        self._release_hashes(client, hashes, lambda h: ExchangeError(self.id + " unsubscribed from " + named[h]))
        if client is None:
            return True
        session = self.ws_session(client)
        for channel in channels:
            if channel in client.subscriptions:
                del client.subscriptions[channel]
                await client.send(session.rpc("unsubscribe", {"channel": channel}))
        return True

    async def close(self, clean_instance_data=False):
        self._closing = True
        try:
            for session in list(self._sessions.values()):
                session.closing()
            for sleeper in list(self._sleepers):
                sleeper.cancel()
            await super().close(clean_instance_data)
        finally:
            self._sessions.clear()
            self._closing = False

    def _keep_subscribed(self, session):
        """A socket used only for order entry subscribes to nothing: give it options['wsKeepAliveChannel']
        ('account' by default: small, and it keeps ``balance`` current). A later watcher of it shares it."""
        channel = self.safe_string(self.options, "wsKeepAliveChannel", "account")
        client = session.client
        if not channel or any(name != AUTH_HASH for name in client.subscriptions):
            return
        session.subscribe_in_background(channel)
