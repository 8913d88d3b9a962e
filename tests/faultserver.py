"""A misbehaving HTTP/1.1 server on 127.0.0.x for fetcher tests.

Raw asyncio sockets rather than http.server, because several faults live on
the wire: a Content-Length larger than what is sent, a TCP reset mid-body, a
body that drips forever. It runs its own event loop on a thread and logs
every request with a time.monotonic() timestamp taken when the request
arrived, so tests measure delays on the server side.

Routes (all GET):
  /robots.txt             Disallow /private/ (text and status configurable), counted
  /ok/<name>.html         200 HTML with ETag and Last-Modified; 304 on a matching conditional request
  /slow.html              headers only after `slow_s` seconds (past a read timeout)
  /drip.html              headers, then one byte every 50 ms forever (past a total timeout only)
  /flaky/<name>.html      500 the first time each name is asked for, 200 after
  /busy/<name>.html       429 with Retry-After: 1 the first time, 200 after
  /always-busy.html       429 with Retry-After: 3600
  /always-500.html        500 every time
  /truncated.html         Content-Length 5000, 1234 bytes sent, connection closed
  /reset.html             Content-Length 100000, 2000 bytes sent, then a TCP reset
  /gbk-declared-utf8.html GBK bytes under `charset=utf-8`
  /doc.pdf                application/pdf
  /big.html               50 MB of HTML with Content-Length
  /big-chunked.html       50 MB of HTML, chunked (no length to refuse up front), generated on the fly
  /bomb.html              100 MB of zeros gzip'ed to ~100 KB, Content-Encoding: gzip
  /gzip.html              a normal gzip'ed page
  /plain-html.txt         an HTML page served as text/plain
  /plain-text.txt         real plain text
  /loop-a.html            302 -> /loop-b.html -> 302 -> /loop-a.html
  /hops/<n>.html          302 -> /hops/<n-1>.html ... /hops/0.html is 200
  /to-private.html        302 -> /private/secret.html
  /missing.html           404
  /private/...            200 (but robots.txt disallows it)
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field

HTML_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>测试页</title></head>"
    "<body><h1>测试标题</h1><p>正文第一段。</p></body></html>"
).encode("utf-8")
GBK_PAGE = (
    "<html><head><meta charset='utf-8'><title>党建</title></head><body><p>基层党组织</p></body></html>"
).encode("gbk")
ETAG = '"v1-abc"'
LAST_MODIFIED = "Mon, 05 Feb 2024 08:00:00 GMT"
BIG_SIZE = 50 * 1024 * 1024
BOMB_SIZE = 100 * 1024 * 1024
DEFAULT_ROBOTS = "User-agent: *\nDisallow: /private/\n"


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() when the request line arrived
    path: str
    headers: dict[str, str]


@dataclass
class FaultServer:
    host: str = "127.0.0.1"
    slow_s: float = 2.0
    robots: str = DEFAULT_ROBOTS
    robots_status: int = 200
    hits: list[Hit] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._bomb = _gzip_bomb(BOMB_SIZE)  # cached: built once per test session

    # ------------------------------------------------------------ lifecycle

    def start(self) -> FaultServer:
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._handle, self.host, 0, reuse_address=True)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name=f"faultserver-{self.host}", daemon=True)
        self._thread.start()
        ready.wait(5)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return

        async def shutdown() -> None:
            assert self._server is not None
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None
        self._thread.join(5)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def hits_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def reset_log(self) -> None:
        with self._lock:
            self.hits.clear()

    # ------------------------------------------------------------ requests

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    return
                arrived = time.monotonic()
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    key, _, value = line.decode("latin-1").partition(":")
                    headers[key.strip().lower()] = value.strip()
                path = request_line.decode("latin-1").split(" ")[1]
                with self._lock:
                    self.hits.append(Hit(arrived, path, headers))
                    self._seen[path] += 1
                    nth = self._seen[path]
                keep_open = await self._route(path, nth, headers, writer)
                if not keep_open:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            try:
                writer.close()
            except RuntimeError:
                pass

    async def _route(self, path: str, nth: int, headers: dict[str, str], w: asyncio.StreamWriter) -> bool:
        """Answer one request; False closes the connection."""
        if path == "/robots.txt":
            return await _send(w, self.robots_status, self.robots.encode(), "text/plain")
        if path.startswith("/ok/") or path.startswith("/private/") or path == "/hops/0.html":
            if headers.get("if-none-match") == ETAG or headers.get("if-modified-since") == LAST_MODIFIED:
                return await _send(w, 304, b"", None, extra={"ETag": ETAG})
            return await _send(w, 200, HTML_PAGE, "text/html; charset=utf-8",
                               extra={"ETag": ETAG, "Last-Modified": LAST_MODIFIED})
        if path == "/slow.html":
            await asyncio.sleep(self.slow_s)
            return await _send(w, 200, HTML_PAGE, "text/html")
        if path == "/drip.html":
            w.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
            for _ in range(100000):
                w.write(b" ")
                await w.drain()
                await asyncio.sleep(0.05)
            return False
        if path.startswith("/flaky/"):
            if nth == 1:
                return await _send(w, 500, b"<html>server error</html>", "text/html")
            return await _send(w, 200, HTML_PAGE, "text/html")
        if path.startswith("/busy/"):
            if nth == 1:
                return await _send(w, 429, b"slow down", "text/plain", extra={"Retry-After": "1"})
            return await _send(w, 200, HTML_PAGE, "text/html")
        if path == "/always-busy.html":
            return await _send(w, 429, b"slow down", "text/plain", extra={"Retry-After": "3600"})
        if path == "/always-500.html":
            return await _send(w, 500, b"<html>server error</html>", "text/html")
        if path == "/truncated.html":
            w.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n" + b"x" * 1234)
            await w.drain()
            return False
        if path == "/reset.html":
            w.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n" + b"x" * 2000)
            await w.drain()
            await asyncio.sleep(0.05)
            _reset(w)
            return False
        if path == "/gbk-declared-utf8.html":
            return await _send(w, 200, GBK_PAGE, "text/html; charset=utf-8")
        if path == "/doc.pdf":
            return await _send(w, 200, b"%PDF-1.4\n" + b"0" * 5000, "application/pdf")
        if path == "/big.html":
            w.write(f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {BIG_SIZE}\r\n\r\n".encode())
            await _stream_filler(w, BIG_SIZE, chunked=False)
            return False
        if path == "/big-chunked.html":
            w.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
            await _stream_filler(w, BIG_SIZE, chunked=True)
            return False
        if path == "/bomb.html":
            return await _send(w, 200, self._bomb, "text/html", extra={"Content-Encoding": "gzip"})
        if path == "/gzip.html":
            return await _send(w, 200, gzip.compress(HTML_PAGE), "text/html; charset=utf-8",
                               extra={"Content-Encoding": "gzip"})
        if path == "/plain-html.txt":
            return await _send(w, 200, HTML_PAGE, "text/plain")
        if path == "/plain-text.txt":
            return await _send(w, 200, "只是一段纯文本。\n".encode(), "text/plain; charset=utf-8")
        if path == "/loop-a.html":
            return await _send(w, 302, b"", None, extra={"Location": "/loop-b.html"})
        if path == "/loop-b.html":
            return await _send(w, 302, b"", None, extra={"Location": self.url("/loop-a.html")})
        if path.startswith("/hops/"):
            n = int(path.removeprefix("/hops/").removesuffix(".html"))
            return await _send(w, 302, b"", None, extra={"Location": f"/hops/{n - 1}.html"})
        if path == "/to-private.html":
            return await _send(w, 302, b"", None, extra={"Location": "/private/secret.html"})
        return await _send(w, 404, b"<html>not found</html>", "text/html")


async def _send(w: asyncio.StreamWriter, status: int, body: bytes, content_type: str | None,
                extra: dict[str, str] | None = None) -> bool:
    reason = {200: "OK", 302: "Found", 304: "Not Modified", 404: "Not Found", 429: "Too Many Requests",
              500: "Internal Server Error"}.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    if status != 304:
        lines.append(f"Content-Length: {len(body)}")
    lines.extend(f"{k}: {v}" for k, v in (extra or {}).items())
    w.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body if status != 304 else b""))
    await w.drain()
    return True


async def _stream_filler(w: asyncio.StreamWriter, size: int, *, chunked: bool) -> None:
    """Send `size` bytes of HTML-ish filler in 64 KB pieces without ever holding it whole."""
    piece = (b"<p>" + "填充".encode() * 10 + b"</p>\n") * 1000
    piece = piece[: 64 * 1024]
    sent = 0
    while sent < size:
        data = piece[: size - sent]
        w.write(f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data)
        await w.drain()
        sent += len(data)
    if chunked:
        w.write(b"0\r\n\r\n")
        await w.drain()


def _reset(w: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0: the peer gets a TCP RST instead of a FIN."""
    sock = w.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    w.transport.abort()


@functools.cache
def _gzip_bomb(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)
