"""Fault injection: ``gap=P,dup=P,reorder=P,disconnect=SECONDS,auth_fail=P,http5xx=P`` (``Faults``, for the
simulator's lifetime), and ``Chaos``: single faults fired on demand on a running simulator (tools/soak.py)."""
import asyncio
import os
import random

from .errors import ApiError

KNOWN = {"gap": float, "dup": float, "reorder": float, "disconnect": float, "auth_fail": float, "http5xx": float}


def parse_faults(spec: str) -> dict:
    out = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        name, sep, value = part.partition("=")
        if not sep or name not in KNOWN:
            raise ValueError(f"unknown fault {part!r}; expected one of {sorted(KNOWN)} as name=value")
        number = KNOWN[name](value)
        if name != "disconnect" and not 0 <= number <= 1:
            raise ValueError(f"fault probability {name}={value} must be within 0..1")
        out[name] = number
    return out


class Faults:
    def __init__(self, spec="", seed=None):
        self.settings = parse_faults(spec) if isinstance(spec, str) else dict(spec)
        self.rng = random.Random(seed)

    def chance(self, name) -> bool:
        p = self.settings.get(name, 0.0)
        return p > 0 and self.rng.random() < p

    def maybe_http5xx(self):
        if self.chance("http5xx"):
            raise ApiError("SERVICE_UNAVAILABLE", "injected fault: service unavailable", 503)

    def maybe_auth_fail(self):
        if self.chance("auth_fail"):
            raise ApiError("UNAUTHORIZED_ERROR", "injected fault: auth failed", 401)


# ---- faults fired on demand (soak runs, tests) ------------------------------------------------------------
CHAOS_KINDS = ("disconnect", "drop", "stall", "delay", "book_faults", "http5xx", "rate_limit", "auth_fail", "revoke")


class Chaos:
    """Faults fired one at a time on a running Simulator, from its own event loop (``SimulatorThread.call``):

    - ``disconnect``: every WebSocket closed by the venue (close frame 1001), as ``disconnect=SECONDS`` does;
    - ``drop``: one connection's TCP transport closed abruptly (no close frame);
    - ``stall``: one connection goes silent: the venue sends nothing on it (what it would have sent is lost with
      the connection) and answers no ping, until the client gives it up, or ``stall_max`` s later the venue does;
    - ``delay``: one connection's outgoing frames held for ``seconds``, then sent in order (a slow path, no loss);
    - ``book_faults`` / ``http5xx`` / ``auth_fail``: the probability faults of ``Faults`` raised for ``seconds``;
    - ``rate_limit``: an account's rate-limit buckets emptied (its next requests get 429 until they refill);
    - ``revoke``: the JWT signing secret rotated: every token issued so far is refused (as an expired one).

    Bursts end on the simulator's clock (a ``ManualClock`` ends them when advanced). ``counts`` tallies what fired;
    ``disrupted()`` is true while a connection is stalled or delayed (what a client cannot see yet)."""

    def __init__(self, sim, seed=None, stall_max=90.0):
        self.sim = sim
        self.rng = random.Random(seed)
        self.stall_max = stall_max
        self.counts: dict = {}
        self._base = dict(sim.faults.settings)
        self._bursts: dict = {}  # fault setting -> bursts in progress
        self._held: set = set()  # connections stalled or delayed
        self._tasks: set = set()

    def fire(self, kind, account=None, seconds=None) -> str:
        """Fire ``kind`` now -> what was done (``''`` when there was nothing to do it to, e.g. no connection)."""
        if kind not in CHAOS_KINDS:
            raise ValueError(f"unknown chaos fault {kind!r}; expected one of {CHAOS_KINDS}")
        done = getattr(self, "_" + kind)(account, seconds)
        if done:
            self.counts[kind] = self.counts.get(kind, 0) + 1
        return done

    def fire_random(self, kinds=CHAOS_KINDS, account=None) -> str:
        return self.fire(self.rng.choice(list(kinds)), account)

    def disrupted(self) -> bool:
        self._held = {c for c in self._held if not c.closed}
        return bool(self._held)

    def end(self):
        """End every burst now, release every delayed connection and close every stalled one (no close frame)."""
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        self._bursts.clear()
        self.sim.faults.settings = dict(self._base)
        for conn in list(self._held):
            release = getattr(conn, "_chaos_release", None)
            if release is not None:
                release()
            elif not conn.closed:  # a dead path ends: the client sees the end of the stream and reconnects
                conn.closed = True
                transport = self._transport(conn)
                if transport is not None:
                    transport.close()
        self._held.clear()

    # ---- helpers -------------------------------------------------------------------------------------
    def _later(self, seconds, fn):
        async def run():
            await self.sim.clock.sleep(seconds)
            fn()
        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _connection(self, account):
        conns = sorted((c for c in self.sim.feed.connections if not c.closed and c not in self._held
                        and (account is None or c.account == account)), key=id)
        return self.rng.choice(conns) if conns else None

    @staticmethod
    def _transport(conn):
        request = getattr(conn.ws, "_req", None)
        return getattr(request, "transport", None)

    def _burst(self, settings, seconds):
        faults = self.sim.faults
        for name, p in settings.items():
            self._bursts[name] = self._bursts.get(name, 0) + 1
            faults.settings[name] = max(p, faults.settings.get(name, 0.0))

        def stop():
            for name in settings:
                self._bursts[name] -= 1
                if not self._bursts[name]:
                    del self._bursts[name]
                    if name in self._base:
                        faults.settings[name] = self._base[name]
                    else:
                        faults.settings.pop(name, None)
        self._later(seconds, stop)

    # ---- the faults ------------------------------------------------------------------------------------
    def _disconnect(self, account, seconds):
        conns = [c for c in self.sim.feed.connections if not c.closed]
        if not conns:
            return ""
        task = asyncio.ensure_future(self.sim.feed.disconnect_all())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return f"disconnect: {len(conns)} connection(s) closed (1001)"

    def _drop(self, account, seconds):
        conn = self._connection(account)
        transport = self._transport(conn) if conn is not None else None
        if transport is None:
            return ""
        conn.closed = True
        transport.close()
        return "drop: one connection's transport closed"

    def _stall(self, account, seconds):
        conn = self._connection(account)
        transport = self._transport(conn) if conn is not None else None
        if transport is None:
            return ""
        conn.push = lambda frame: None  # (instance attributes: what it would send is lost with the connection)

        async def no_pong(*args, **kwargs):
            return None

        async def silent_close(*args, **kwargs):  # no close frame gets through a dead path either: the client
            conn.closed = True                     # sees the end of the stream, as after a keep-alive timeout
            transport.close()
            return True
        conn.ws.pong = no_pong  # the client's pings go unanswered: its keep-alive gives the connection up
        conn.ws.close = silent_close
        self._held.add(conn)

        def give_up():
            if not conn.closed:
                conn.closed = True
                transport.close()
        self._later(self.stall_max, give_up)
        return "stall: one connection half-open"

    def _delay(self, account, seconds):
        conn = self._connection(account)
        if conn is None:
            return ""
        seconds = self.rng.uniform(0.5, 4.0) if seconds is None else seconds
        held: list = []
        conn.push = held.append
        close = conn.ws.close

        def release():
            if conn.__dict__.pop("push", None) is None:
                return
            conn.__dict__.pop("_chaos_release", None)
            conn.ws.__dict__.pop("close", None)
            self._held.discard(conn)
            for frame in held:
                conn.push(frame)

        async def close_after_held(*args, **kwargs):  # a slow path delivers what it holds before the close frame
            frames = list(held)
            held.clear()
            release()
            for frame in frames:  # (sent here: a connection being closed takes nothing more on its queue)
                try:
                    await (conn.ws.send_bytes(frame) if isinstance(frame, bytes) else conn.ws.send_str(frame))
                except (ConnectionError, RuntimeError):
                    break
            return await close(*args, **kwargs)
        conn.ws.close = close_after_held
        conn._chaos_release = release
        self._held.add(conn)
        self._later(seconds, release)
        return f"delay: one connection's frames held {seconds:.1f} s"

    def _book_faults(self, account, seconds):
        self._burst({"gap": 0.05, "dup": 0.05, "reorder": 0.05}, self.rng.uniform(2, 8) if seconds is None else seconds)
        return "book_faults: gap/dup/reorder on book deltas"

    def _http5xx(self, account, seconds):
        self._burst({"http5xx": 0.3}, self.rng.uniform(1, 5) if seconds is None else seconds)
        return "http5xx: 30% of REST requests answered 503"

    def _auth_fail(self, account, seconds):
        self._burst({"auth_fail": 0.5}, self.rng.uniform(1, 5) if seconds is None else seconds)
        return "auth_fail: half the logins refused"

    def _rate_limit(self, account, seconds):
        emptied = 0
        now = self.sim.limiter.clock()
        for (_scope, key), buckets in self.sim.limiter._buckets.items():
            if account is None or key == account:
                for bucket in buckets:
                    bucket.refill(now)  # empty as of now: the next refill counts from the fault, not from the
                    bucket.tokens = 0.0  # account's previous request (which would refill it at once)
                emptied += 1
        return f"rate_limit: {emptied} bucket set(s) emptied" if emptied else ""

    def _revoke(self, account, seconds):
        self.sim.authority._secret = os.urandom(32)
        return "revoke: every JWT issued so far refused"
