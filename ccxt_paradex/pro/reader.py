"""The WebSocket client of the pro class: ccxt's ``Client`` with one reader task per connection.

ccxt's ``Client.receive_loop`` creates a task for every ``receive()`` and handles the message in that
task's done callback, then schedules itself again: three event-loop passes and a Task per frame. Here one
task awaits ``receive()`` in a loop (a frame already buffered by aiohttp returns without suspending) and
hands each message to ccxt's ``handle_message`` (messages already buffered are drained first, as ccxt's
loop drains them); binary frames (SBE) skip ccxt's text/compression
dispatch when the client neither decompresses nor logs. End of stream is as in ccxt: the loop stops when
the connection is closed and calls ``on_close(1006)``; a failing ``receive()`` rejects every waiter with a
NetworkError.
"""
import time

from aiohttp import WSMsgType
from ccxt.async_support.base.ws.client import MSG_SIZE_OVERHEAD, Client
from ccxt.base.errors import NetworkError

from ..core.sbe import superseded

_BINARY = WSMsgType.BINARY


class ReaderClient(Client):
    reader = None  # the reader task, once connected
    plain_binary = None  # binary frames skip ccxt's dispatch (no decompression, no logging): read once
    conflated = 0  # book frames skipped unparsed: a later snapshot of their market was read with them

    def receive_loop(self):
        """Called once by ``open()`` (ccxt calls it again after every message; we never do)."""
        if self.closed():
            self.on_close(1006)
            return True
        if self.reader is None:
            self.reader = self.asyncio_loop.create_task(self._read())
        return False

    async def _read(self):
        receive = self.connection.receive
        handle = self.handle_message
        while not self.closed():
            buffer = self.buffer
            if buffer and len(buffer) > 1:  # frames already read: handle them without a pass of the loop each
                self._drain(buffer, handle)
            try:
                message = await receive()
            except Exception as exception:  # CancelledError is a BaseException: a cancelled reader just ends
                self.reject(NetworkError(str(exception)))
                return
            handle(message)
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
        while len(buffer) > 1:
            message, size = buffer.popleft()
            size_delta += size + MSG_SIZE_OVERHEAD
            if skip is not None and skip[i]:
                self.conflated += 1
            else:
                handle(message)
            i += 1
        buffer[0] = (buffer[0][0], buffer[0][1] + size_delta)

    def handle_message(self, message):
        plain = self.plain_binary
        if plain is None:  # the client's options are fixed once it handles messages
            plain = self.plain_binary = not (self.verbose or self.gunzip or self.inflate or self.decompressBinary)
        if message.type is _BINARY and plain:
            self.last_message_at = int(time.time() * 1000)
            self.on_message_callback(self, message.data)
            return
        super().handle_message(message)
