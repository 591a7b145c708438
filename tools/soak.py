"""Soak and fault run of the WebSocket client (``ccxt_paradex.pro.paradex``) against the simulator.

    python tools/soak.py --minutes 3 --seed 1 [--loop uvloop] [--stuck 20] [--json]

A simulator runs on a background thread (its own asyncio loop); the client runs on the main loop (asyncio or
uvloop) with long-running watchers - order books of several markets, trades, ticker(s), orders, my trades,
positions, balance - and an order flow (create / edit / cancel over REST and ``*_ws``, some orders crossing the
spread to fill against the simulator's makers), while ``sim.faults.Chaos`` fires faults at random (seeded):
disconnects, dropped and stalled connections, delayed frames, book-delta gaps / duplicates / reordering,
HTTP 503 and 429 bursts, refused logins and revoked JWTs.

Checked while it runs: no watcher waits longer than ``--stuck`` s for something the venue published once the
connection is back; ``client.futures``, asyncio tasks and memory (tracemalloc, the client's allocations) do not
grow without bound; no "exception was never retrieved". Checked at the end (faults off, the simulator's makers
paused, quiescence): every order of the account has the simulator's state in the watch_orders cache and in a
REST fetch; watch_my_trades returned every fill exactly once; each order book view equals the simulator's book;
close() leaves no task behind. Prints a summary; exit status 1 when an invariant was violated.
Not part of the test run (it takes minutes).
"""
import argparse
import asyncio
import collections
import gc
import json
import os
import random
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ccxt.base.errors import BaseError  # noqa: E402

from ccxt_paradex.core import keys  # noqa: E402
from ccxt_paradex.pro import paradex  # noqa: E402
from ccxt_paradex.sim.faults import CHAOS_KINDS, Chaos  # noqa: E402
from ccxt_paradex.sim.thread import SimulatorThread  # noqa: E402

BOOKS = ("BTC/USD:USDC", "ETH/USD:USDC", "SOL/USD:USDC")
TRADED = ("BTC/USD:USDC", "ETH/USD:USDC")
SIZE = {"BTC/USD:USDC": 0.0005, "ETH/USD:USDC": 0.01}
L1 = "0x" + "5d" * 32
DELIVERY_BLOCKING = ("disconnect", "drop", "stall", "delay")


class Soak:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.violations = []
        self.counts = collections.Counter()
        self.errors = collections.Counter()
        self.last_return = {}
        self.first_unseen = {}
        self.trade_seen = collections.Counter()
        self.created = {}             # client id -> order id ("" while unknown)
        self.open_ids = {}            # order id -> symbol, orders the flow believes open
        self.loop_errors = []
        self.samples = []
        self.last_disruption = time.monotonic()
        self.stop = asyncio.Event()
        self.seq = 0
        self.venue_orders = 0

    # ---- bookkeeping -------------------------------------------------------------------------------
    def violation(self, text):
        self.violations.append(text)
        print("VIOLATION:", text, flush=True)

    def on_engine_event(self, kind, market, payload):  # simulator thread
        now = time.monotonic()
        key = None
        if kind in ("order", "fill", "position", "account"):
            if isinstance(payload, dict) and payload.get("account") == self.account:
                key = {"order": "orders", "fill": "myTrades", "position": "positions", "account": "balance"}[kind]
        elif kind == "book" and market in self.book_ids:
            key = "book:" + market
        elif kind == "trade" and market in self.traded_ids:
            key = "trades"
        if key is not None and self.first_unseen.get(key) is None:
            self.first_unseen[key] = now

    def at(self, ms):
        """A venue time (ms) as seconds since the run started (what -v prints)."""
        return "%.1f s" % (ms / 1000 - self.wall0)

    def log(self, text):
        if self.args.verbose:
            print("%7.1f s  %s" % (time.time() - self.wall0, text), flush=True)

    def returned(self, key):
        self.last_return[key] = time.monotonic()
        self.first_unseen[key] = None
        self.counts["returns:" + key] += 1

    # ---- watchers -----------------------------------------------------------------------------------
    async def watcher(self, key, call, after=None):
        while not self.stop.is_set():
            try:
                result = await call()
            except asyncio.CancelledError:
                raise
            except BaseError as e:
                self.errors[key + ":" + type(e).__name__] += 1
                await asyncio.sleep(0.2)
                continue
            self.returned(key)
            if after is not None:
                after(result)

    def saw_trades(self, trades):
        for t in trades:
            self.trade_seen[t["id"]] += 1

    # ---- the order flow -----------------------------------------------------------------------------
    def _client_id(self):
        self.seq += 1
        return "soak%d-%d" % (self.args.seed, self.seq)

    def _prices(self, symbol):
        book = self.ex.orderbooks.get(symbol)
        if not book or not book["bids"] or not book["asks"]:
            return None
        return book["bids"][0][0], book["asks"][0][0]

    async def flow(self):
        ex = self.ex
        while not self.stop.is_set():
            await asyncio.sleep(self.rng.uniform(0.05, 0.4))
            symbol = self.rng.choice(TRADED)
            prices = self._prices(symbol)
            if prices is None:
                continue
            bid, ask = prices
            size = SIZE[symbol]
            action = self.rng.choices(["rest", "cross", "edit", "cancel", "batch", "cancel_all"], [30, 15, 20, 25, 8, 2])[0]
            ws = self.rng.random() < 0.5
            try:
                if action == "rest" or (action in ("edit", "cancel") and not self.open_ids):
                    side = self.rng.choice(["buy", "sell"])
                    price = float(ex.price_to_precision(symbol, bid * self.rng.uniform(0.97, 0.995) if side == "buy"
                                                        else ask * self.rng.uniform(1.005, 1.03)))
                    await self._create(symbol, "limit", side, size, price, {"postOnly": True}, ws)
                elif action == "cross":
                    side = self._rebalancing_side(symbol)
                    if self.rng.random() < 0.5:
                        await self._create(symbol, "market", side, size, None, {}, ws)
                    else:
                        price = float(ex.price_to_precision(symbol, ask * 1.003 if side == "buy" else bid * 0.997))
                        await self._create(symbol, "limit", side, size, price, {"timeInForce": "IOC"}, ws)
                elif action == "edit":
                    oid, sym = self.rng.choice(sorted(self.open_ids.items()))
                    order = self._known(oid, sym)
                    if order is None:
                        continue
                    side, price = order["side"], order["price"]
                    new_price = float(ex.price_to_precision(sym, price * self.rng.uniform(0.998, 1.002)))
                    top = self._prices(sym)  # None while the book resyncs
                    if top is None or side == "buy" and new_price >= top[1] or side == "sell" and new_price <= top[0]:
                        continue
                    self.counts["edit" + ("_ws" if ws else "")] += 1
                    if ws:
                        await ex.edit_order_ws(oid, sym, "limit", side, order["amount"], new_price, {"postOnly": True})
                    else:
                        await ex.edit_order(oid, sym, "limit", side, order["amount"], new_price, {"postOnly": True})
                elif action == "cancel":
                    oid, sym = self.rng.choice(sorted(self.open_ids.items()))
                    self.counts["cancel" + ("_ws" if ws else "")] += 1
                    self.open_ids.pop(oid, None)
                    if ws:
                        await ex.cancel_order_ws(oid, sym)
                    else:
                        await ex.cancel_order(oid, sym)
                elif action == "batch":
                    reqs = []
                    for side in ("buy", "sell"):
                        price = float(ex.price_to_precision(symbol, bid * 0.98 if side == "buy" else ask * 1.02))
                        cid = self._client_id()
                        self.created[cid] = ""
                        reqs.append({"symbol": symbol, "type": "limit", "side": side, "amount": size, "price": price,
                                     "params": {"postOnly": True, "clientOrderId": cid}})
                    self.counts["create_batch_ws"] += 1
                    for order in await ex.create_orders_ws(reqs):
                        self._note_created(order, symbol)
                elif action == "cancel_all":
                    self.counts["cancel_all_ws"] += 1
                    await ex.cancel_all_orders_ws(symbol)
                    for oid, sym in list(self.open_ids.items()):
                        if sym == symbol:
                            self.open_ids.pop(oid, None)
                if len(self.open_ids) > 25:  # keep the book of our own orders small
                    oid, sym = sorted(self.open_ids.items())[0]
                    self.open_ids.pop(oid, None)
                    await ex.cancel_order(oid, sym)
            except asyncio.CancelledError:
                raise
            except BaseError as e:
                self.errors["flow:" + action + ":" + type(e).__name__] += 1
                self.log("flow %s: %s" % (action, str(e)[:200]))

    def _known(self, oid, symbol):
        cache = getattr(self.ex, "orders", None)
        order = cache.hashmap.get(symbol, {}).get(oid) if cache else None
        if order is None or order["status"] != "open":
            self.open_ids.pop(oid, None)
            return None
        return order

    def _rebalancing_side(self, symbol):
        net = self.net.get(symbol, 0.0)
        if abs(net) > 5 * SIZE[symbol]:
            return "sell" if net > 0 else "buy"
        return self.rng.choice(["buy", "sell"])

    async def _create(self, symbol, otype, side, size, price, params, ws):
        cid = self._client_id()
        self.created[cid] = ""
        params = dict(params, clientOrderId=cid)
        self.counts["create" + ("_ws" if ws else "")] += 1
        if ws:
            order = await self.ex.create_order_ws(symbol, otype, side, size, price, params)
        else:
            order = await self.ex.create_order(symbol, otype, side, size, price, params)
        self._note_created(order, symbol)
        if otype == "market" or params.get("timeInForce") == "IOC":
            self.net[symbol] = self.net.get(symbol, 0.0) + (size if side == "buy" else -size)

    def _note_created(self, order, symbol):
        cid = order.get("clientOrderId")
        if order.get("id") and cid in self.created:
            self.created[cid] = order["id"]
            if order.get("status") == "open":
                self.open_ids[order["id"]] = symbol

    # ---- faults -------------------------------------------------------------------------------------
    async def faults(self):
        kinds = [k for k in CHAOS_KINDS if k not in self.args.skip]
        while not self.stop.is_set():
            await asyncio.sleep(self.rng.expovariate(1 / self.args.fault_every))
            if self.stop.is_set():
                break
            kind = self.rng.choice(kinds)
            done = self.sim_thread.call(self.chaos.fire, kind, self.account if kind == "rate_limit" else None)
            if done:
                self.counts["fault:" + kind] += 1
                if kind in DELIVERY_BLOCKING:
                    self.last_disruption = time.monotonic()
                self.log(done)

    # ---- continuous checks --------------------------------------------------------------------------
    async def monitor(self):
        connections, failures = self.ex._connections, 0
        next_sample = time.monotonic()
        while not self.stop.is_set():
            await asyncio.sleep(0.5)
            now = time.monotonic()
            if self.ex._connections != connections:
                connections = self.ex._connections
                self.last_disruption = now
                self.log("client connected (%d connections, %d reconnects)" % (connections, self.ex.reconnects))
            if self.ex.reconcile_failures != failures:
                failures = self.ex.reconcile_failures
                self.log("reconciliation failed (%d so far)" % failures)
            if self.sim_thread.call(self.chaos.disrupted):
                self.last_disruption = now
            for key, since in list(self.first_unseen.items()):
                if since is None or key not in self.watch_keys:
                    continue
                waited = now - max(since, self.last_disruption)
                if waited > self.args.stuck:
                    self.violation("watcher %s stuck: published %.1f s ago (connection back for %.1f s), last "
                                   "returned %.1f s ago" % (key, now - since, now - self.last_disruption,
                                                            now - self.last_return.get(key, self.t0)))
                    self.first_unseen[key] = None  # (reported once per episode)
            if now >= next_sample:
                next_sample = now + self.args.sample_every
                self.sample()

    def sample(self):
        gc.collect()
        if not tracemalloc.is_tracing():
            self.snapshot = None
            self.samples.append(self._counts(0))
            return
        snapshot = tracemalloc.take_snapshot().filter_traces([
            tracemalloc.Filter(False, "*/ccxt_paradex/sim/*", all_frames=True),
            tracemalloc.Filter(False, "*/tracemalloc.py"),
            tracemalloc.Filter(False, "*/soak.py", all_frames=True)])
        self.samples.append(self._counts(sum(s.size for s in snapshot.statistics("filename"))))
        if len(self.samples) == 3:
            self.first_snapshot = snapshot  # (what grew since then is printed at the end with -v)
        self.snapshot = snapshot

    def _counts(self, memory):
        return {"t": round(time.monotonic() - self.t0, 1), "memory": memory,
                "futures": sum(len(c.futures) for c in (self.ex.clients or {}).values()),
                "tasks": len(asyncio.all_tasks()), "session_tasks": sum(len(s.tasks) for s in self.ex._sessions.values()),
                "unread": len(self.ex._unread), "clients": len(self.ex.clients or {}), "sessions": len(self.ex._sessions)}

    def growth_checks(self):
        if len(self.samples) < 6:
            return
        third = len(self.samples) // 3
        middle, last = self.samples[third:2 * third], self.samples[2 * third:]
        for key, slack in (("futures", 10), ("tasks", 15), ("session_tasks", 10), ("unread", 20), ("clients", 1),
                           ("sessions", 1)):
            a, b = max(s[key] for s in middle), max(s[key] for s in last)
            if b > a + slack:
                self.violation("%s grow: max %d in the middle third, %d in the last" % (key, a, b))
        a = sorted(s["memory"] for s in middle)[len(middle) // 2]
        b = sorted(s["memory"] for s in last)[len(last) // 2]
        if self.snapshot is not None and b > a * 1.3 and b - a > 4 << 20:
            self.violation("memory grows: median %.1f MB in the middle third, %.1f MB in the last" % (a / 2**20, b / 2**20))
            for stat in self.snapshot.statistics("lineno")[:8]:
                print("   ", stat)
        if self.args.verbose and self.snapshot is not None and getattr(self, "first_snapshot", None) is not None:
            print("memory grown since the third sample, by line:")
            for stat in self.snapshot.compare_to(self.first_snapshot, "lineno")[:10]:
                print("   ", stat)

    # ---- the end ------------------------------------------------------------------------------------
    async def settle_and_compare(self):
        """Faults off, makers paused: wait until the client's view equals the simulator's, then compare."""
        self.sim_thread.call(self.chaos.end)
        sim = self.sim
        self.sim_thread.call(lambda: sim.liquidity.excluded.update(sim.engine.specs))
        deadline = time.monotonic() + self.args.settle
        while True:
            problems = self.compare()
            if not problems or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        for p in problems:
            self.violation(p)
        # a REST read of every order agrees with the venue as well
        truth = self.sim_thread.call(self._venue_orders)
        for row in self.rng.sample(truth, min(len(truth), 40)):
            try:
                fetched = await self.ex.fetch_order(row["id"], self.ex.safe_market(row["market"])["symbol"])
            except BaseError as e:
                self.violation("fetch_order %s: %r" % (row["id"], e))
                continue
            want = self.ex.parse_order(row)
            if (fetched["status"], fetched["filled"]) != (want["status"], want["filled"]):
                self.violation("fetch_order %s: %s/%s, venue %s/%s" % (row["id"], fetched["status"], fetched["filled"],
                                                                     want["status"], want["filled"]))

    def _venue_orders(self):
        acct = self.sim.engine.accounts[self.account]
        return [o.to_json() for o in acct.orders]

    def _venue_state(self):
        acct = self.sim.engine.accounts[self.account]
        books = {}
        for market in self.book_ids:
            book = self.sim.engine.books[market]
            books[market] = (book.seq_no, [(float(p), float(s)) for p, s in book.bids.aggregated()],
                             [(float(p), float(s)) for p, s in book.asks.aggregated()])
        return [o.to_json() for o in acct.orders], [dict(f) for f in acct.fills], books

    def compare(self):
        ex = self.ex
        orders, fills, books = self.sim_thread.call(self._venue_state)
        problems = []
        cache = getattr(ex, "orders", None)
        for row in orders:
            want = ex.parse_order(row)
            got = cache.hashmap.get(want["symbol"], {}).get(row["id"]) if cache else None
            if got is None:
                problems.append("order %s (%s %s): never seen by watch_orders (created at %s, last update at %s)" % (
                    row["id"], row["client_id"], row["status"], self.at(row["created_at"]), self.at(row["last_updated_at"])))
            elif (got["status"], got["filled"], got["price"]) != (want["status"], want["filled"], want["price"]):
                problems.append("order %s: watch_orders %s/%s/%s, venue %s/%s/%s" % (
                    row["id"], got["status"], got["filled"], got["price"], want["status"], want["filled"], want["price"]))
        venue_ids = {r["id"] for r in orders}
        by_cid = {r["client_id"]: r["id"] for r in orders}
        for cid, oid in self.created.items():
            if oid and oid not in venue_ids:
                problems.append("order %s (%s) was answered but the venue has none" % (oid, cid))
            if oid and by_cid.get(cid, oid) != oid:
                problems.append("order %s: answered id %s, venue id %s" % (cid, oid, by_cid[cid]))
        fill_ids = {f["id"] for f in fills}
        missing = fill_ids - set(self.trade_seen)
        if missing:
            problems.append("watch_my_trades missed %d of %d fills (e.g. %s)" % (len(missing), len(fill_ids), [
                (f["id"], self.at(f["created_at"])) for f in fills if f["id"] in missing][:3]))
        twice = {k: n for k, n in self.trade_seen.items() if n > 1}
        if twice:
            problems.append("watch_my_trades returned %d fills more than once (e.g. %s)" % (len(twice), list(twice.items())[:3]))
        extra = set(self.trade_seen) - fill_ids
        if extra:
            problems.append("watch_my_trades returned %d fills the venue does not have" % len(extra))
        for market, (seq, bids, asks) in books.items():
            view = ex.orderbooks.get(ex.safe_market(market)["symbol"])
            if view is None:
                problems.append("order book %s: no view" % market)
                continue
            got_bids = [(float(p), float(s)) for p, s in view["bids"]]
            got_asks = [(float(p), float(s)) for p, s in view["asks"]]
            if (view["nonce"], got_bids, got_asks) != (seq, bids, asks):
                problems.append("order book %s: view seq %s (%d bids, %d asks), venue seq %s (%d bids, %d asks)%s" % (
                    market, view["nonce"], len(got_bids), len(got_asks), seq, len(bids), len(asks),
                    "" if view["nonce"] != seq else ", same seq, different levels"))
        return problems

    # ---- the run ------------------------------------------------------------------------------------
    async def run(self):
        args = self.args
        if args.trace_frames:
            tracemalloc.start(args.trace_frames)
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda loop, context: self.loop_errors.append(context.get("message", "")))
        self.sim_thread = SimulatorThread(seed=args.seed, jwt_ttl=args.jwt_ttl, summary_interval=1.0)
        self.sim = self.sim_thread.__enter__()
        self.chaos = Chaos(self.sim, args.seed, stall_max=args.stall_max)
        self.ex = ex = paradex({"walletAddress": keys.eth_address(L1), "privateKey": L1, "urls": self.sim.ccxt_urls(),
                                "options": {"ordersLimit": 100000, "tradesLimit": 100000}})
        self.net = {}
        self.t0, self.wall0 = time.monotonic(), time.time()
        try:
            await ex.load_markets()
            await ex.fetch_balance()  # logs in (onboards) -> the account exists on the venue
            self.account = next(a for a in self.sim.engine.accounts if a not in self.sim.engine.ephemeral)
            self.book_ids = {ex.market_id(s) for s in BOOKS}
            self.traded_ids = {ex.market_id(s) for s in TRADED}
            self.sim_thread.call(self.sim.engine.listeners.append, self.on_engine_event)
            reconcile_once = ex._reconcile_once

            async def logged_reconcile(client, gap):
                self.log("reconciling from %s" % self.at(gap))
                try:
                    return await reconcile_once(client, gap)
                except BaseException as e:
                    self.log("reconciliation raised %r" % e)
                    raise
            ex._reconcile_once = logged_reconcile
            watchers = {("book:" + ex.market_id(s)): (lambda s=s: ex.watch_order_book(s)) for s in BOOKS}
            watchers.update({
                "trades": lambda: ex.watch_trades_for_symbols(list(TRADED)),
                "ticker": lambda: ex.watch_ticker(TRADED[0]),
                "tickers": lambda: ex.watch_tickers(list(BOOKS)),
                "orders": lambda: ex.watch_orders(),
                "myTrades": lambda: ex.watch_my_trades(),
                "positions": lambda: ex.watch_positions(),
                "balance": lambda: ex.watch_balance(),
            })
            self.watch_keys = set(watchers)
            tasks = [asyncio.ensure_future(self.watcher(k, c, self.saw_trades if k == "myTrades" else None))
                     for k, c in watchers.items()]
            await asyncio.sleep(2)  # every watcher subscribed before the flow and the faults start
            tasks += [asyncio.ensure_future(self.flow()), asyncio.ensure_future(self.faults()),
                      asyncio.ensure_future(self.monitor())]
            await asyncio.sleep(args.minutes * 60)
            self.stop.set()
            flow_and_faults = tasks[-3:]
            for t in flow_and_faults:
                t.cancel()
            for r in await asyncio.gather(*flow_and_faults, return_exceptions=True):
                if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError):
                    self.violation("the flow or the fault task ended with %r" % r)
            self.sample()
            await self.settle_and_compare()
            self.growth_checks()
            for t in tasks:
                t.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            for r in results:
                if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError):
                    self.violation("a watcher task ended with %r" % r)
            self.venue_orders = len(self.sim_thread.call(self._venue_orders))
        finally:
            await ex.close()
            for _ in range(5):
                await asyncio.sleep(0.05)
            left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
            if left:
                self.violation("close() left %d pending task(s): %s" % (len(left), [repr(t)[:160] for t in left[:5]]))
            gc.collect()
            await asyncio.sleep(0)
            self.sim_thread.__exit__(None, None, None)
        for message in self.loop_errors:
            self.violation("event loop: " + message)
        return self.summary()

    def summary(self):
        faults = {k[6:]: n for k, n in sorted(self.counts.items()) if k.startswith("fault:")}
        orders = {k: n for k, n in sorted(self.counts.items()) if k.startswith(("create", "edit", "cancel"))}
        out = {"seed": self.args.seed, "loop": self.args.loop, "minutes": self.args.minutes, "faults": faults,
               "reconnects": self.ex.reconnects, "orders": orders, "venue_orders": self.venue_orders,
               "fills": len(self.trade_seen), "reconcile_failures": self.ex.reconcile_failures,
               "returns": {k[8:]: n for k, n in sorted(self.counts.items()) if k.startswith("returns:")},
               "errors": dict(sorted(self.errors.items())), "violations": len(self.violations),
               "peak": {k: max(s[k] for s in self.samples) for k in ("futures", "tasks", "session_tasks", "unread")}
               if self.samples else {},
               "memory_mb": [round(s["memory"] / 2**20, 1) for s in self.samples[::max(1, len(self.samples) // 8)]]}
        return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    ap.add_argument("--stuck", type=float, default=20.0, help="seconds a watcher may wait once the connection is back")
    ap.add_argument("--fault-every", type=float, default=6.0, help="mean seconds between faults")
    ap.add_argument("--skip", default="", help="fault kinds not to fire, comma-separated")
    ap.add_argument("--jwt-ttl", type=int, default=60, help="the simulator's JWT lifetime (s): tokens expire during the run")
    ap.add_argument("--stall-max", type=float, default=90.0)
    ap.add_argument("--settle", type=float, default=30.0, help="seconds the end waits for quiescence")
    ap.add_argument("--sample-every", type=float, default=10.0)
    ap.add_argument("--trace-frames", type=int, default=1, help="tracemalloc frames (0: memory not traced)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    args.skip = {s for s in args.skip.split(",") if s}
    soak = Soak(args)

    if args.loop == "uvloop":
        import uvloop
        summary = uvloop.run(soak.run())
    else:
        summary = asyncio.run(soak.run())
    print(json.dumps(summary, indent=None if args.json else 1))
    for v in soak.violations:
        print("VIOLATION:", v)
    return 1 if soak.violations else 0


if __name__ == "__main__":
    sys.exit(main())
