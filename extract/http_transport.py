"""httpx's transport on plain asyncio sockets, for the fetch process.

httpcore reaches the network through a pluggable backend; its default goes
through anyio, whose cancel scopes, library lookups and attribute queries
cost about 0.15 ms of CPU a request in a process that only ever runs
asyncio. The backend here opens connections with asyncio's own transports
and protocols and gives httpcore the same interface (reads, writes, TLS
upgrade, the idle-connection check), so every request still goes through
httpx and httpcore: only the socket layer underneath changes.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from functools import lru_cache

import httpcore
import httpx

# Bytes a connection buffers before it stops reading the socket (a body is read in 64 KB steps, and
# a big or bombed one must not pile up in memory ahead of the cap in extract/body.py).
_READ_BUFFER_HIGH = 256 * 1024


class _SocketProtocol(asyncio.Protocol):
    """What one connection has received and whether it ended; wakes the one reader waiting for it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.received = bytearray()
        self.ended = False
        self.error: Exception | None = None
        self.reading_paused = False
        self.writing_paused = False
        self._waiter: asyncio.Future | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.received += data
        if len(self.received) > _READ_BUFFER_HIGH and not self.reading_paused:
            self.reading_paused = True
            self.transport.pause_reading()
        self._wake()

    def take(self, max_bytes: int) -> bytes:
        """Up to `max_bytes` of what was received, reading the socket again once the buffer has drained."""
        data = bytes(self.received[:max_bytes])
        del self.received[:max_bytes]
        if self.reading_paused and len(self.received) <= _READ_BUFFER_HIGH // 4:
            self.reading_paused = False
            self.transport.resume_reading()
        return data

    def eof_received(self) -> bool:
        self.ended = True
        self._wake()
        return False  # close our side too: HTTP/1.1 never half-closes

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended, self.error = True, exc
        self._wake()

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        self._wake()

    async def wait(self, timeout: float | None) -> bool:
        """Wait for data, the end, or room to write: False when `timeout` passed first."""
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(timeout):
                await self._waiter
        except TimeoutError:
            return False
        finally:
            self._waiter = None
        return True

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class _SocketStream(httpcore.AsyncNetworkStream):
    """One connection as httpcore reads and writes it, on asyncio's own transport.

    httpcore's default backend goes through anyio: a cancel scope for every
    read and write, a lookup of the running library, attribute queries that
    walk class hierarchies on each check of an idle connection. That was
    ~0.15 ms of the fetch process's ~1 ms of CPU a page, for nothing this
    process needs: it only ever runs asyncio.
    """

    def __init__(self, transport: asyncio.Transport, protocol: _SocketProtocol) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        if not protocol.received and not protocol.ended and not await protocol.wait(timeout):
            raise httpcore.ReadTimeout(f"no data within {timeout} s")
        if protocol.received:
            return protocol.take(max_bytes)
        if protocol.error is not None:
            raise httpcore.ReadError(str(protocol.error) or type(protocol.error).__name__)
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._transport.is_closing():
            raise httpcore.WriteError("connection closed")
        self._transport.write(buffer)
        while self._protocol.writing_paused and not self._protocol.ended:
            if not await self._protocol.wait(timeout):
                raise httpcore.WriteTimeout(f"could not write within {timeout} s")

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(self._transport, self._protocol, ssl_context,
                                                 server_hostname=server_hostname)
        except TimeoutError:
            self._transport.close()
            raise httpcore.ConnectTimeout(f"TLS handshake not done within {timeout} s") from None
        except OSError as exc:  # ssl.SSLError is one
            self._transport.close()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        self._protocol.transport = transport  # type: ignore[assignment] - reading is paused and resumed on TLS's now
        return _SocketStream(transport, self._protocol)  # type: ignore[arg-type]

    def get_extra_info(self, info: str) -> object:
        if info == "is_readable":  # asked of idle connections: data or an end there means the server closed it
            return bool(self._protocol.received) or self._protocol.ended
        names = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername", "socket": "socket"}
        return self._transport.get_extra_info(names[info]) if info in names else None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's connections opened on asyncio directly (see _SocketStream for why)."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[tuple] | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(
                    _SocketProtocol, host, port, local_addr=(local_address, 0) if local_address else None)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"no connection within {timeout} s") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        sock = transport.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return _SocketStream(transport, protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def asyncio_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's transport, its connection pool on the asyncio backend above.

    httpx takes no backend parameter, so the pool it built is replaced by one
    made with the same settings (the ones the Fetcher uses) and the backend.
    """
    transport = httpx.AsyncHTTPTransport(verify=shared_ssl_context(), limits=limits)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=shared_ssl_context(), max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
        network_backend=AsyncioBackend(),
    )
    return transport


@lru_cache(maxsize=1)
def shared_ssl_context() -> ssl.SSLContext:
    """The verifying SSL context every client of this process shares.

    Building one loads the whole CA bundle (30-60 ms of CPU); httpx would build
    a new one for every client, and a client is made per batch and per walk.
    An SSLContext is safe to share between clients and threads.
    """
    return httpx.create_ssl_context()
