"""The WebSocket client of the pro class: ccxt's ``Client``, read without a task wake per frame.

ccxt's ``Client.receive_loop`` creates a task for every ``receive()`` and handles the message in that
task's done callback, then schedules itself again: three event-loop passes and a Task per frame.

Here, by default, frames are handled where they arrive (the *direct* path): aiohttp's socket callback
(``data_received``) parses a read into its message queue as usual, and right after it returns the client
takes the data messages (BINARY, TEXT) off that queue and hands each to ccxt's ``handle_message`` in the
same callback. No future, task step or event-loop pass sits between a frame and the book it moves; the
watcher it resolves wakes in the next pass. Every other message (CLOSE, PING, PONG, ERROR, end of stream)
still goes through aiohttp's ``receive()``, in the one reader task the connection owns, which is parked
while frames are handled directly and woken for those only. The queue's own read settles its size
accounting (flow control, a parser stalled on a full queue), so aiohttp's back-pressure is untouched.
Book frames read together with a later snapshot of their market are skipped unparsed
(``core.sbe.superseded``; counted in ``conflated``).

The direct path needs aiohttp's connection internals (the protocol, its transport, the queue's buffer);
where they are not as expected, or ``exchange.streaming['directRead']`` is False, the reader task awaits
``receive()`` in a loop instead (a frame already buffered returns without suspending) - the path before
this one, kept whole and tested. Binary frames (SBE) skip ccxt's text/compression dispatch when the client
neither decompresses nor logs. End of stream is as in ccxt: the loop stops when the connection is closed
and calls ``on_close(1006)``; a failing ``receive()`` rejects every waiter with a NetworkError.
"""
import asyncio
import time
from collections import deque
from typing import Any

from aiohttp import WSMsgType
from ccxt.async_support.base.ws.client import MSG_SIZE_OVERHEAD, Client
from ccxt.base.errors import NetworkError

from ..core.sbe import superseded

# what a handler's failure may be: its own exceptions, and a CancelledError it raised itself (a cancelled future's
# result(); a BaseException). The handlers are synchronous, so the reader task's own cancellation arrives only at
# its awaits, never inside these try blocks.
_HANDLER_FAILURES = (Exception, asyncio.CancelledError)
_BINARY = WSMsgType.BINARY
_DATA = frozenset((WSMsgType.BINARY, WSMsgType.TEXT))
CONFLATE_FROM = 3  # frames read together before a pass looks for superseded ones (a paced feed brings 1-3 a read)
_PARK_AFTER = _DATA | {WSMsgType.PING, WSMsgType.PONG}  # control frames after which the stream goes on


def _retrieved(future):
    """Mark a rejected future's exception as retrieved (whoever awaits it still gets it raised)."""
    if not future.cancelled():
        future.exception()


class ReaderClient(Client):
    reader = None  # the reader task, once connected
    plain_binary = None  # binary frames skip ccxt's dispatch (no decompression, no logging): read once
    conflated = 0  # book frames skipped unparsed: a later snapshot of their market was read with them
    directRead = True  # exchange.streaming['directRead']: frames handled in the socket callback
    direct = False  # this connection is read on the direct path
    _queue: Any = None  # aiohttp's message queue of the connection (direct path)
    _parked = None  # the future the reader task waits on while frames are handled directly
    on_binary = None  # (client, bytes) -> None: the exchange's SBE handler, called straight from the direct path
    wakes = 0  # times the parked reader task was woken (direct path: control frames and the end only)

    # ---- futures: plain asyncio futures, so a task awaiting one takes asyncio's fast path ----------------
    # ccxt's Client keeps ccxt ``Future`` objects (a Python subclass of asyncio.Future); a task parked on a
    # subclass goes through asyncio's generic path (attribute lookups and method calls per await) and the
    # subclass costs more to create. Every future of this client is ``loop.create_future()``'s exact type;
    # resolve / reject do what ccxt's Future.resolve / reject do (nothing on a done future).
    def future(self, message_hash):
        future = self.futures.get(message_hash)
        if future is None or future.cancelled():
            future = self.futures[message_hash] = self.asyncio_loop.create_future()
        if message_hash in self.rejections:
            error = self.rejections.pop(message_hash)
            if not future.done():
                future.set_exception(error)
        return future

    reusableFuture = future

    def resolve(self, result, message_hash):
        future = self.futures.pop(message_hash, None)
        if future is not None and not future.done():
            future.set_result(result)
        return result

    def reject(self, result, message_hash=None):
        if message_hash is None:
            for h in list(self.futures):
                self.reject(result, h)
        elif message_hash in self.futures:
            future = self.futures.pop(message_hash)
            if not future.done():
                future.set_exception(result)
                # a future nobody awaits any more (its caller failed before awaiting it, e.g. a login refused before
                # the auth was sent) must not make asyncio log "Future exception was never retrieved" at close
                future.add_done_callback(_retrieved)
        else:
            self.rejections[message_hash] = result
        return result

    def receive_loop(self):
        """Called once by ``open()`` (ccxt calls it again after every message; we never do)."""
        if self.closed():
            self.on_close(1006)
            return True
        if self.reader is None:
            self._plain()
            self.direct = bool(self.directRead) and self._hook()
            self.reader = self.asyncio_loop.create_task(self._read_direct() if self.direct else self._read())
        return False

    # ---- the direct path ---------------------------------------------------------------------------
    def _hook(self) -> bool:
        """Handle data messages in the connection's ``data_received`` from now on -> False where aiohttp's
        internals are not the ones this was written against (the task path is used then)."""
        ws = self.connection
        queue: Any = getattr(ws, "_reader", None)
        protocol: Any = getattr(getattr(ws, "_conn", None), "protocol", None)
        transport: Any = getattr(protocol, "transport", None)
        own = getattr(protocol, "__dict__", None)  # instance attributes can be set (and none is hooked yet)
        if (not isinstance(getattr(queue, "_buffer", None), deque) or getattr(protocol, "_payload", None) is not queue
                or not all(callable(getattr(queue, name, None)) for name in ("read", "is_eof"))
                or not callable(getattr(transport, "set_protocol", None))
                or not isinstance(own, dict) or "data_received" in own or "connection_lost" in own):
            return False
        data_received, connection_lost = protocol.data_received, protocol.connection_lost

        def on_data(data):  # (_pump_safely, inline: this runs once per read)
            data_received(data)
            parked = self._parked
            if parked is not None and not parked.done():
                try:
                    if self._pump():
                        return
                except _HANDLER_FAILURES as e:
                    self._handler_failed(e)
                self._wake()

        def on_lost(exc):
            connection_lost(exc)
            self._wake()

        protocol.data_received, protocol.connection_lost = on_data, on_lost
        transport.set_protocol(protocol)  # transports that cache the protocol's callbacks (uvloop) re-read them
        self._queue = queue
        return True

    def _wake(self):
        parked = self._parked
        if parked is not None and not parked.done():
            self.wakes += 1
            parked.set_result(None)

    def _pump_safely(self) -> bool:
        try:
            return self._pump()
        except _HANDLER_FAILURES as e:
            self._handler_failed(e)
            return False

    def _handler_failed(self, e):
        """A handler failed: the connection's state is unknown, so it is dropped (watchers are rejected and
        reconnect); ``error`` is set, and no later frame of it reaches a handler, on either path."""
        self.on_error(NetworkError("handling a WebSocket message failed: " + repr(e)))

    def _pump(self) -> bool:
        """Hand every data message at the head of the queue to ``handle_message`` -> True when the queue was
        emptied that way, False when the reader must call ``receive()`` (a control message is next, the
        stream ended, or the connection is closing)."""
        queue, ws = self._queue, self.connection
        if ws is None or ws.closed or self.error is not None:
            return False
        buffer = queue._buffer
        if not buffer:
            return not queue.is_eof()
        handle = self.handle_message
        on_binary = self.on_binary if self.plain_binary else None
        if on_binary is not None:  # what handle_message would do per binary frame, once per read
            self.last_message_at = int(time.time() * 1000)
        skip = None
        if len(buffer) > CONFLATE_FROM and self.plain_binary:
            skip = superseded([m.data if m.type is _BINARY else b"" for m, _ in buffer])
        i = skipped = carried = 0  # carried: sizes of messages taken off the queue, owed to the entry at its head
        try:
            while buffer:
                message, size = buffer[0]
                if message.type not in _DATA:
                    return False
                if len(buffer) > 1:  # its size moves onto the next entry, settled when that one is read
                    buffer.popleft()
                    carried += size + MSG_SIZE_OVERHEAD
                else:
                    if carried:
                        buffer[0] = (message, size + carried)
                        carried = 0
                    self._read_one(queue)
                if skip is not None and i < len(skip) and skip[i]:
                    skipped += 1
                elif on_binary is not None and message.type is _BINARY:
                    on_binary(self, message.data)
                else:
                    handle(message)
                i += 1
                if ws.closed or self.error is not None:
                    return False
            return not queue.is_eof()
        finally:  # whatever ends the pass (a control message, a failing handler), the queue's sizes add up
            if carried and buffer:
                head, head_size = buffer[0]
                buffer[0] = (head, head_size + carried)
            if skipped:
                self.conflated += skipped

    @staticmethod
    def _read_one(queue):
        """The queue's own read of a message that is already there (it does not suspend): it settles the
        queue's size, resumes a stalled parser or a paused transport."""
        read = queue.read()
        try:
            read.send(None)
        except StopIteration:
            return
        read.close()
        raise RuntimeError("aiohttp's queue waited on a non-empty buffer")

    async def _read_direct(self):
        receive = self.connection.receive
        handle = self.handle_message
        ending = False  # a CLOSE (or an error) was read: from then on every read is aiohttp's, as on the task path
        while not self.closed() and self.error is None:
            if not ending and self._pump_safely():
                self._parked = self.asyncio_loop.create_future()
                try:
                    await self._parked
                finally:
                    self._parked = None
                continue
            if self.closed() or self.error is not None:
                break
            try:
                message = await receive()
            except Exception as exception:
                self.reject(NetworkError(str(exception)))
                return
            ending = ending or message.type not in _PARK_AFTER
            try:
                handle(message)
            except _HANDLER_FAILURES as e:
                self._handler_failed(e)
                break
        self.on_close(1006)

    # ---- the task path -----------------------------------------------------------------------------
    async def _read(self):
        receive = self.connection.receive
        handle = self.handle_message
        while not self.closed() and self.error is None:
            buffer = self.buffer
            try:
                if buffer and len(buffer) > 1:  # frames already read: handle them without a pass of the loop each
                    self._drain(buffer, handle)
                    if self.error is not None:
                        break
                message = await receive()
            except Exception as exception:  # CancelledError is a BaseException: a cancelled reader just ends
                self.reject(NetworkError(str(exception)))
                return
            try:
                handle(message)
            except _HANDLER_FAILURES as e:
                self._handler_failed(e)
                break
        self.on_close(1006)

    def _drain(self, buffer, handle):
        """All but the last buffered message, as ccxt's receive_loop drains them (the last one goes through
        ``receive()``, which settles aiohttp's flow-control size for the whole batch). A book frame whose market
        has a snapshot later in the buffer is skipped unparsed (``core.sbe.superseded``): the client reads a
        burst's newest book instead of working through states nobody can see."""
        skip = None
        if self.plain_binary:
            skip = superseded([m.data if m.type is _BINARY else b"" for m, _ in buffer])
        size_delta = 0
        i = 0
        try:
            while len(buffer) > 1:
                message, size = buffer.popleft()
                size_delta += size + MSG_SIZE_OVERHEAD
                if skip is not None and skip[i]:
                    self.conflated += 1
                else:
                    handle(message)
                i += 1
        except _HANDLER_FAILURES as e:  # the sizes of what was taken still move onto what is left (flow control stays settled)
            self._handler_failed(e)
        finally:
            buffer[0] = (buffer[0][0], buffer[0][1] + size_delta)

    def _plain(self) -> bool:
        plain = self.plain_binary
        if plain is None:  # the client's options are fixed once it reads
            plain = self.plain_binary = not (self.verbose or self.gunzip or self.inflate or self.decompressBinary)
        return plain

    def handle_message(self, message):
        plain = self.plain_binary
        if plain is None:
            plain = self._plain()
        if message.type is _BINARY and plain:
            self.last_message_at = int(time.time() * 1000)
            self.on_message_callback(self, message.data)
            return
        super().handle_message(message)
