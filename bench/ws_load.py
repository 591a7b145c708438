"""One WebSocket, 50 markets x ~20 book frames/s + trades, simulator -> pro client: messages/s, client CPU, backlog.

    python bench/ws_load.py [--seconds S] [--markets N] [--phases ours,ours-books,ccxt] [--feed snapshot|deltas]
                            [--tick T] [--profile]

The simulator (ccxt_paradex.sim, SBE public feed) runs in a child process so that the client's CPU
(time.process_time of this process) is the client's alone. Each phase connects a fresh exchange to it:

  ours        ccxt_paradex.pro.paradex: watch_order_book_for_symbols(all N) + watch_trades_for_symbols(all N),
              one consumer loop each (every frame is materialised for the racing watcher, as in production)
  ours-books  the same without trades (same workload as the ccxt phase)
  ccxt        ccxt.pro.paradex (4.5.90, SBE 1:3): watch_order_book per symbol, N consumer loops. It subscribes
              order_book.M.snapshot@15@100ms; the subscribe request is overridden to @50ms so both clients
              get the same feed (its frames resolve the same message hash: SBE frames carry no channel name)

Book feed: ``snapshot@15@50ms`` (default; a frame every 50 ms per market while the book changes, i.e. <= 20/s)
or ``--feed deltas`` (ours only: one frame per book change). Frames are counted by wrapping handle_message
(binary frames split by SBE template id). Staleness = arrival wall time - the book frame's own timestamp
(the book's last change; the snapshot feed adds up to one 50 ms refresh of conflation by design).
Falling behind shows as: the server's outbound queue for the connection growing (sampled every 10 ms in the
simulator), a slow-consumer disconnect (queue > 2000 frames, as Paradex does), reconnects, or staleness growth.

Simulator settings: the synthetic maker/taker accounts are exempt from margin and open-order scans (the
simulator does that itself), takers trade with probability --taker per step, and the maker step runs every
--tick seconds.
"""
import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SLOW_CONSUMER = "disconnecting a slow consumer"

from _child import ChildServer  # noqa: E402

try:
    from _results import emit  # bench/report.py's collector (JSON lines when BENCH_JSON is set)
except ImportError:  # pragma: no cover
    def emit(*args, **kwargs):
        pass


# ---- simulator (child process) -----------------------------------------------------------------------
def sim_process(pipe, markets, tick, taker, seed):
    asyncio.run(_sim_serve(pipe, markets, tick, taker, seed))


class _Counter(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.slow = 0

    def emit(self, record):
        if SLOW_CONSUMER in record.getMessage():
            self.slow += 1


async def _sim_serve(pipe, markets, tick, taker, seed):
    from ccxt_paradex.sim import ws as sim_ws
    from ccxt_paradex.sim.server import Simulator

    counter = _Counter()
    logger = logging.getLogger("ccxt_paradex.sim")
    logger.setLevel(logging.INFO)
    logger.addHandler(counter)
    sim = Simulator(markets=markets, seed=seed, tick_interval=tick, funding_interval=0, summary_interval=0)
    sim.liquidity.taker_probability = taker

    stats = {}
    pushed = {"book": 0, "trade": 0, "other": 0}
    push = sim_ws.Connection.push

    def counting_push(self, frame):
        if isinstance(frame, bytes) and len(frame) > 3:
            tid = frame[2]
            pushed["book" if tid == 3 else "trade" if tid == 1 else "other"] += 1
        else:
            pushed["other"] += 1
        push(self, frame)
    sim_ws.Connection.push = counting_push

    def reset():
        stats.update(max_backlog=0, connections=set(), cpu0=time.process_time(), wall0=time.perf_counter(),
                     slow0=counter.slow, pushed0=dict(pushed))

    async def monitor():
        while True:
            for conn in list(sim.feed.connections):
                stats["connections"].add(id(conn))
                q = conn.queue.qsize()
                if q > stats["max_backlog"]:
                    stats["max_backlog"] = q
            await asyncio.sleep(0.01)

    reset()
    await sim.start()
    mon = asyncio.ensure_future(monitor())
    pipe.send(sim.port)
    loop = asyncio.get_running_loop()
    try:
        while True:
            cmd = await loop.run_in_executor(None, pipe.recv)
            if cmd == "reset":
                reset()
                pipe.send("ok")
            elif cmd == "stats":
                wall = time.perf_counter() - stats["wall0"]
                pipe.send({"max_backlog": stats["max_backlog"], "connections": len(stats["connections"]),
                           "slow_disconnects": counter.slow - stats["slow0"], "wall": wall,
                           "cpu": (time.process_time() - stats["cpu0"]) / wall,
                           "pushed": {k: (v - stats["pushed0"][k]) / wall for k, v in pushed.items()}})
            else:
                break
    finally:
        mon.cancel()
        await sim.stop()


class Sim(ChildServer):
    what = "the simulator"
    stop_message = "stop"

    def __init__(self, args):
        super().__init__(sim_process, (args.markets, args.tick, args.taker, 1))

    def call(self, cmd):
        return self.ask(cmd)

    def urls(self):
        base = f"http://127.0.0.1:{self.port}"
        return {"api": {"v1": base + "/v1", "v2": base + "/v2", "ws": f"ws://127.0.0.1:{self.port}/v1"}}


# ---- client (this process) -----------------------------------------------------------------------------
class Meter:
    def __init__(self):
        self.books = self.trades = self.text = self.closes = 0
        self.lags = []
        self.delivered = 0
        self.seen = set()

    def wrap(self, ex):
        handle, on_close, on_error = ex.handle_message, ex.on_close, ex.on_error
        now = time.time

        def count_binary(message):
            tid = message[2]
            if tid == 3:
                self.books += 1
                self.lags.append(now() * 1000 - int.from_bytes(message[8:16], "little", signed=True) / 1000)
            elif tid == 1:
                self.trades += 1

        binary = getattr(ex, "_handle_binary", None)
        if binary is not None:
            # ours: SBE frames reach _handle_binary straight from the direct reader (handle_message only on the
            # task path, which calls _handle_binary too), so they are counted there, once either way
            def counted_binary(client, message):
                count_binary(message)
                binary(client, message)
            ex._handle_binary = counted_binary

        def counted(client, message):
            if isinstance(message, (bytes, bytearray)):
                if binary is None:
                    count_binary(message)
            else:
                self.text += 1
            handle(client, message)

        def closed(client, error):
            self.closes += 1
            on_close(client, error)

        def errored(client, error):
            self.closes += 1
            on_error(client, error)
        if binary is None:
            ex.handle_message = counted
        # ours: handle_message is left alone (an instance's own handle_message takes the direct path's SBE frames
        # through it, pro/connection._own_dispatch), so its JSON messages are not counted
        ex.on_close, ex.on_error = closed, errored

    def mark(self):
        self.lags = []
        return self.books, self.trades, self.text, self.delivered, time.process_time(), time.perf_counter()


async def run_phase(name, sim, args, profile=None):
    import ccxt.pro

    from ccxt_paradex.pro import paradex as OursPro

    meter = Meter()
    ours = name.startswith("ours")
    if ours:
        ex = OursPro({"urls": sim.urls(), "options": {"orderBookFeed": args.feed}})
    else:
        ex = ccxt.pro.paradex({"urls": sim.urls()})
    meter.wrap(ex)
    await ex.load_markets()
    symbols = [ex.safe_symbol(m) for m in sorted(ex.markets_by_id)][:args.markets]
    stop = asyncio.Event()
    tasks = []

    async def ours_books():
        while not stop.is_set():
            book = await ex.watch_order_book_for_symbols(symbols)
            meter.delivered += 1
            meter.seen.add(book["symbol"])

    async def ours_trades():
        while not stop.is_set():
            await ex.watch_trades_for_symbols(symbols)

    async def ccxt_book(symbol):
        market_id = ex.market_id(symbol)
        params = {}
        if args.ccxt_refresh == "50ms":
            params = {"params": {"channel": f"order_book.{market_id}.snapshot@15@50ms"}}
        while not stop.is_set():
            await ex.watch_order_book(symbol, None, params)
            meter.delivered += 1
            meter.seen.add(symbol)

    if ours:
        tasks.append(asyncio.ensure_future(ours_books()))
        if name == "ours":
            tasks.append(asyncio.ensure_future(ours_trades()))
    else:
        tasks += [asyncio.ensure_future(ccxt_book(s)) for s in symbols]

    deadline = time.perf_counter() + 10
    while len(meter.seen) < len(symbols) and time.perf_counter() < deadline and not any(t.done() for t in tasks):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # past the subscribe burst
    sim.call("reset")
    b0, t0, x0, d0, c0, w0 = meter.mark()
    if profile is not None:
        profile.enable()
    await asyncio.sleep(args.seconds)
    if profile is not None:
        profile.disable()
    c1, w1 = time.process_time(), time.perf_counter()
    b1, t1, x1, d1 = meter.books, meter.trades, meter.text, meter.delivered
    lags = sorted(meter.lags)
    closes = meter.closes  # before ex.close(), which fires on_close itself
    server = sim.call("stats")
    stop.set()
    failed = [t.exception() for t in tasks if t.done() and not t.cancelled() and t.exception()]
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await ex.close()
    wall = w1 - w0
    reconnects = getattr(ex, "reconnects", None)
    return {
        "name": name, "symbols": len(symbols), "wall": wall,
        "books": (b1 - b0) / wall, "trades": (t1 - t0) / wall, "text": (x1 - x0) / wall,
        "delivered": (d1 - d0) / wall, "cpu": (c1 - c0) / wall,
        "lag50": lags[len(lags) // 2] if lags else None, "lag99": lags[int(len(lags) * 0.99)] if lags else None,
        "lagmax": lags[-1] if lags else None, "closes": closes, "reconnects": reconnects,
        "server": server, "errors": [repr(e) for e in failed],
    }


def report(r, args):
    s = r["server"]
    total = r["books"] + r["trades"] + r["text"]
    # behind: dropped by the server, reconnected, or frames piling up in the server queue / kernel socket buffers
    # (receiving clearly slower than the server sends, or frames seconds old). A short server-queue peak is a
    # burst (a re-quote on the deltas feed is 40 frames per market), not lag, so it is only reported.
    behind = (s["slow_disconnects"] > 0 or r["closes"] > 0 or (r["reconnects"] or 0) > 0
              or r["books"] < 0.9 * s["pushed"]["book"] or (r["lag99"] or 0) > 1000)
    print(f"[{r['name']}] {r['symbols']} markets, {r['wall']:.1f} s: received {total:,.0f} msg/s "
          f"(book {r['books']:,.0f}/s = {r['books'] / r['symbols']:.1f}/s/market, trades {r['trades']:,.0f}/s, "
          f"json {r['text']:,.0f}/s); server sent book {s['pushed']['book']:,.0f}/s, "
          f"trades {s['pushed']['trade']:,.0f}/s")
    print(f"[{r['name']}]   client CPU {r['cpu'] * 100:.1f}% of one core "
          f"({r['cpu'] / max(total, 1) * 1e6:.0f} us/msg); watcher wake-ups {r['delivered']:,.0f}/s; "
          f"simulator CPU {s['cpu'] * 100:.0f}%")
    if r["lag50"] is not None:
        print(f"[{r['name']}]   book staleness at arrival (now - frame ts): p50 {r['lag50']:.0f} ms, "
              f"p99 {r['lag99']:.0f} ms, max {r['lagmax']:.0f} ms")
    print(f"[{r['name']}]   server max outbound backlog {s['max_backlog']} frames; slow-consumer disconnects "
          f"{s['slow_disconnects']}; client closes {r['closes']}; reconnects {r['reconnects']}; "
          f"fell behind: {'YES' if behind else 'no'}" + (f"; errors {r['errors']}" if r["errors"] else ""))


async def main(args):
    results = []
    with Sim(args) as sim:
        for phase in args.phases.split(","):
            prof = cProfile.Profile() if args.profile and phase.startswith("ours") else None
            r = await run_phase(phase, sim, args, prof)
            results.append(r)
            report(r, args)
            if prof is not None:
                out = io.StringIO()
                pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(22)
                print(f"[{phase}]   cProfile (CPU figures above are inflated by the profiler):")
                print("\n".join("      " + x for x in out.getvalue().splitlines() if x.strip()))
    by = {r["name"]: r for r in results}
    if "ccxt" in by:
        for name in ("ours-books", "ours"):
            if name in by:
                o, c = by[name], by["ccxt"]
                per_o = o["cpu"] / max(o["books"] + o["trades"], 1)
                per_c = c["cpu"] / max(c["books"], 1)
                print(f"client CPU per received frame: {name} {per_o * 1e6:.0f} us, ccxt {per_c * 1e6:.0f} us "
                      f"({per_c / per_o:.0f}x); client CPU {o['cpu'] * 100:.0f}% vs {c['cpu'] * 100:.0f}% of a core")
                if name == "ours-books":  # same workload on both sides
                    what = f"{o['symbols']} markets, book feed on one socket"
                    emit("ws_load", f"client CPU per received book frame ({what})", "us/frame",
                         per_o * 1e6, per_c * 1e6)
                    emit("ws_load", f"client CPU ({what})", "% of a core", o["cpu"] * 100, c["cpu"] * 100)
                    emit("ws_load", f"book frames handled ({what})", "msg/s", o["books"], c["books"], "higher",
                         f"server sent {o['server']['pushed']['book']:,.0f} / {c['server']['pushed']['book']:,.0f}")
                    emit("ws_load", f"p99 book staleness at arrival ({what})", "ms", o["lag99"], c["lag99"])


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="measurement window per phase")
    ap.add_argument("--markets", type=int, default=50)
    ap.add_argument("--phases", default="ours,ours-books,ccxt")
    ap.add_argument("--feed", default="snapshot", choices=("snapshot", "deltas"), help="book feed of ours")
    ap.add_argument("--ccxt-refresh", default="50ms", choices=("50ms", "100ms"),
                    help="ccxt's book feed refresh (its own default is 100ms)")
    ap.add_argument("--tick", type=float, default=0.02, help="simulator maker step interval, s")
    ap.add_argument("--taker", type=float, default=0.05, help="taker probability per market per step")
    ap.add_argument("--profile", action="store_true", help="cProfile the ours phases")
    asyncio.run(main(ap.parse_args()))
