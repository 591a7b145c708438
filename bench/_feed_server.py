"""bench/ws_feed.py's WebSocket server: JSON-RPC subscribe acks, then pre-encoded SBE book frames (child process).

Only what a client of the public book feed needs: ``GET /v1?sbeSchemaId=1&sbeSchemaVersion=V`` upgrades to a
WebSocket; ``{"method": "subscribe", "params": {"channel": "order_book.M...."}}`` is answered
``{"jsonrpc": "2.0", "id": ID, "result": {"channel": ...}}`` (as ccxt_paradex/sim/ws.py answers it) followed
by a first SNAPSHOT frame of M; other methods get an empty result. Frames are BookEvent SNAPSHOTs (15 + 15
levels) from the simulator's encoder, one small cycle of level sets per market and schema version, with
seq_no (and, paced, the timestamp) patched in at send time. Frames go to the transport as ready-made
WebSocket frames (no compression), so the server stays far ahead of any Python client.

Control over the pipe from the parent: ("mode", "paced", n_markets, rate) | ("mode", "burst", 1, 0) |
("mode", "idle", 0, 0) | ("sent",) -> frames sent so far | ("stop",).
"""
import asyncio
import json
import struct
import time

CYCLE = 32
BURST_CHUNK = 256
_TS_SEQ = struct.Struct("<qq")  # BookEvent: ts (us) at frame offset 8, seq_no at 16


def _wire(payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        return bytes((0x82, n)) + payload
    if n < 65536:
        return b"\x82\x7e" + n.to_bytes(2, "big") + payload
    return b"\x82\x7f" + n.to_bytes(8, "big") + payload


class Frames:
    """Pre-encoded BookEvent payloads per (market, version): CYCLE level sets, sizes moving every frame."""

    def __init__(self, markets):
        self.markets = markets
        self._cache = {}

    def templates(self, market, version):
        key = (market, version)
        if key not in self._cache:
            from ccxt_paradex.sim import sbe_encode
            base = 100 + 10 * (self.markets.index(market) % 50) if market in self.markets else 100
            out = []
            for k in range(CYCLE):
                inserts = []
                for i in range(15):
                    inserts.append({"side": "BUY", "price": f"{base - 0.1 * (i + 1):.1f}",
                                    "size": f"{1 + ((k * 7 + i * 13) % 50) / 10:.1f}"})
                    inserts.append({"side": "SELL", "price": f"{base + 0.1 * (i + 1):.1f}",
                                    "size": f"{1 + ((k * 11 + i * 3) % 50) / 10:.1f}"})
                data = {"seq_no": 1, "market": market, "last_updated_at": 0, "update_type": "s",
                        "inserts": inserts, "updates": [], "deletes": []}
                out.append(bytes(sbe_encode.encode("order_book", data, version, ts_us=0)))
            self._cache[key] = out
        return self._cache[key]


class Conn:
    def __init__(self, ws, transport, version):
        self.ws, self.transport, self.version = ws, transport, version
        self.markets = []   # subscribed market ids, in order
        self.seq = {}       # market -> last seq_no sent
        self.closed = False

    def frame(self, frames, market, ts_us):
        seq = self.seq[market] = self.seq.get(market, 0) + 1
        templates = frames.templates(market, self.version)
        buf = bytearray(templates[seq % CYCLE])
        _TS_SEQ.pack_into(buf, 8, ts_us, seq)
        return _wire(bytes(buf))


class FeedServer:
    def __init__(self, markets):
        self.frames = Frames(markets)
        self.conns = set()
        self.mode = ("idle", 0, 0.0)
        self.sent = 0
        self.wake = asyncio.Event()

    async def handle(self, request):
        from aiohttp import WSMsgType, web
        version = int(request.query.get("sbeSchemaVersion", "2"))
        ws = web.WebSocketResponse(compress=False, max_msg_size=1 << 20)
        await ws.prepare(request)
        conn = Conn(ws, request.transport, version)
        self.conns.add(conn)
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                        break
                    continue
                try:
                    req = json.loads(msg.data)
                except ValueError:
                    continue
                params = req.get("params") or {}
                channel = params.get("channel") if isinstance(params, dict) else None
                result = {"channel": channel} if channel else {}
                await ws.send_str(json.dumps({"jsonrpc": "2.0", "id": req.get("id"), "result": result}))
                if req.get("method") == "subscribe" and isinstance(channel, str) and channel.startswith("order_book."):
                    market = channel.split(".")[1]
                    if market not in conn.markets:
                        conn.markets.append(market)
                    conn.transport.write(conn.frame(self.frames, market, int(time.time() * 1e6)))
                elif req.get("method") == "unsubscribe" and isinstance(channel, str):
                    market = channel.split(".")[1] if channel.startswith("order_book.") else None
                    if market in conn.markets:
                        conn.markets.remove(market)
        finally:
            conn.closed = True
            self.conns.discard(conn)
        return ws

    def live(self):
        return [c for c in self.conns if not c.closed and c.markets and not c.transport.is_closing()]

    async def run(self):
        loop = asyncio.get_running_loop()
        while True:
            kind, n, rate = self.mode
            if kind == "idle":
                self.wake.clear()
                await self.wake.wait()
                continue
            if kind == "paced":
                await self._paced(loop, n, rate)
            else:
                await self._burst()

    async def _paced(self, loop, n, rate):
        mode = self.mode
        interval = 1.0 / (n * rate)
        due = loop.time()
        i = 0
        while self.mode == mode:
            now = loop.time()
            while due <= now:
                ts = int(time.time() * 1e6)
                for conn in self.live():
                    markets = conn.markets[:n]
                    conn.transport.write(conn.frame(self.frames, markets[i % len(markets)], ts))
                    self.sent += 1
                i += 1
                due += interval
            await asyncio.sleep(max(0.0, due - loop.time()))

    async def _burst(self):
        mode = self.mode
        while self.mode == mode:
            conns = self.live()
            if not conns:
                await asyncio.sleep(0.01)
                continue
            for conn in conns:
                if conn.transport.get_write_buffer_size() > (1 << 20):
                    continue
                market = conn.markets[0]
                ts = int(time.time() * 1e6)
                conn.transport.write(b"".join(conn.frame(self.frames, market, ts) for _ in range(BURST_CHUNK)))
                self.sent += BURST_CHUNK
            await asyncio.sleep(0.0005 if all(c.transport.get_write_buffer_size() > (1 << 20) for c in conns) else 0)


def serve(pipe, markets, use_uvloop=False):
    if use_uvloop:
        import uvloop
        uvloop.install()
    asyncio.run(_serve(pipe, markets))


async def _serve(pipe, markets):
    from aiohttp import web
    server = FeedServer(markets)
    for m in markets:  # encode before any client connects
        for v in (2, 3):
            server.frames.templates(m, v)
    app = web.Application()
    app.router.add_get("/v1", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    runner_task = asyncio.ensure_future(server.run())
    pipe.send(port)
    loop = asyncio.get_running_loop()
    try:
        while True:
            cmd = await loop.run_in_executor(None, pipe.recv)
            if cmd[0] == "mode":
                server.mode = tuple(cmd[1:])
                server.wake.set()
                pipe.send("ok")
            elif cmd[0] == "sent":
                pipe.send(server.sent)
            else:
                break
    finally:
        runner_task.cancel()
        await runner.cleanup()
