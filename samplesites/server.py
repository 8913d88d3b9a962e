"""A real HTTP server for the sample sites, on 127.0.0.1.

Serves the committed bytes under samplesites/sites/ at /<site>/…, with the
Content-Type (and charset, or deliberately none) recorded in the build
manifest, Last-Modified and ETag validators, 304 answers to conditional
GETs, a robots.txt at the root and 404 for anything else. Every request is
logged so tests can count what a crawler fetched.

    with serve_sample_sites() as sites:
        httpx.get(sites.url("hongxing", "index.html"))

    python -m samplesites.server --port 8765
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from samplesites.catalog import SITES_DIR
from samplesites.sitelist import SITES

MANIFEST = "_manifest.json"
ROBOTS = (
    "User-agent: *\n"
    "Disallow: /hongxing/admin/\n"
    "Disallow: /renmin/cgi-bin/\n"
    "Disallow: /aggregator/search\n"
    "\n"
    "User-agent: BadBot\n"
    "Disallow: /\n"
)


@dataclass(frozen=True)
class ServedFile:
    """One page as the server answers it: bytes and the validators it sends."""

    body: bytes
    content_type: str
    last_modified: datetime
    etag: str


def load_files(root: Path = SITES_DIR) -> dict[str, ServedFile]:
    """Every page listed in the build manifest, keyed by URL path, read once."""
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{manifest_path} is missing; run `python -m samplesites.build`")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    files = {}
    for path, entry in manifest.items():
        body = (root / path.lstrip("/")).read_bytes()
        files[path] = ServedFile(
            body=body,
            content_type=entry["content_type"],
            last_modified=datetime.fromisoformat(entry["last_modified"]).astimezone(timezone.utc),
            etag='"' + hashlib.sha1(body).hexdigest()[:16] + '"',
        )
    return files


def _not_modified(headers, served: ServedFile) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or served.etag in tags
    since = headers.get("If-Modified-Since")
    if since:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return served.last_modified.replace(microsecond=0) <= when
    return False


NOT_FOUND_PAGE = b"<html><body><h1>404 Not Found</h1></body></html>"


@dataclass(frozen=True)
class Answer:
    """What the sample server answers one GET or HEAD with (the body is left out of a HEAD by the caller)."""

    status: HTTPStatus
    body: bytes
    content_type: str | None
    headers: dict[str, str] = field(default_factory=dict)


def answer(pages, target: str, headers) -> Answer:
    """The answer to a request for `target` (path and query as sent): robots.txt, a page, a 304, or a 404.

    `pages` is anything with `.get(path) -> ServedFile | None`; `headers` is
    the request's headers, looked up case-insensitively with `.get`. Both
    sample-site servers answer through here, so they answer alike.
    """
    path = unquote(urlsplit(target).path)
    if path == "/robots.txt":
        return Answer(HTTPStatus.OK, ROBOTS.encode(), "text/plain; charset=utf-8")
    if path.endswith("/") and path.strip("/") in SITES:
        path += "index.html"
    served = pages.get(path)
    if served is None:
        return Answer(HTTPStatus.NOT_FOUND, NOT_FOUND_PAGE, "text/html")
    validators = {"ETag": served.etag, "Last-Modified": format_datetime(served.last_modified, usegmt=True)}
    if _not_modified(headers, served):
        return Answer(HTTPStatus.NOT_MODIFIED, b"", None, validators)
    return Answer(HTTPStatus.OK, served.body, served.content_type, validators)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without TCP_NODELAY, Nagle's algorithm and the client's delayed ACK hold
    # each small response back ~40 ms on a kept-alive connection.
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return "nginx"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def _answer(self, *, with_body: bool) -> None:
        found = answer(self.server.files, self.path, self.headers)  # type: ignore[attr-defined]
        self._send(found.status, found.body, found.content_type, with_body=with_body and bool(found.body),
                   extra=found.headers)  # fmt: skip

    def _send(self, status: HTTPStatus, body: bytes, content_type: str | None, *, with_body: bool, extra=None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if with_body and body:
            self.wfile.write(body)
        self.server.log_request_line(self.command, self.path, int(status))  # type: ignore[attr-defined]

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - silence stderr; request_log records
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64  # a burst of new connections must not be refused

    def __init__(self, address, files: dict[str, ServedFile]):
        super().__init__(address, _Handler)
        self.files = files
        self.request_log: list[tuple[str, str, int]] = []
        self._log_lock = threading.Lock()

    def log_request_line(self, method: str, path: str, status: int) -> None:
        with self._log_lock:
            self.request_log.append((method, path, status))


@dataclass
class SampleSites:
    """A running sample-site server; stop it with `.stop()` or by leaving the `with` block."""

    host: str
    port: int
    _server: _Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, site: str, path: str = "index.html") -> str:
        """Absolute URL of `path` on `site` ("index.html", "/hongxing/2024/0314/55038.html" or "2024/…")."""
        if path.startswith(f"/{site}/"):
            return self.base_url + path
        return f"{self.base_url}/{site}/{path.lstrip('/')}"

    @property
    def request_log(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request answered so far, in order."""
        with self._server._log_lock:
            return list(self._server.request_log)

    def clear_log(self) -> None:
        with self._server._log_lock:
            self._server.request_log.clear()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C raises KeyboardInterrupt here)."""
        while self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def __enter__(self) -> SampleSites:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_sample_sites(host: str = "127.0.0.1", port: int = 0, root: Path = SITES_DIR) -> SampleSites:
    server = _Server((host, port), load_files(root))
    thread = threading.Thread(target=server.serve_forever, name="samplesites", daemon=True)
    thread.start()
    return SampleSites(host=host, port=server.server_address[1], _server=server, _thread=thread)


def serve_sample_sites(host: str = "127.0.0.1", port: int = 0, root: Path = SITES_DIR) -> SampleSites:
    """Start the server (port 0 = any free port); use as a context manager."""
    return start_sample_sites(host, port, root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samplesites.server", description="Serve the sample sites.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--write-sources", metavar="PATH", help="also write a sources TOML for this server")
    args = parser.parse_args(argv)
    from samplesites import sources_toml

    with serve_sample_sites(args.host, args.port) as sites:
        print(f"sample sites serving at {sites.base_url} (Ctrl-C stops)")
        for site in SITES:
            print(f"  {sites.url(site)}")
        if args.write_sources:
            Path(args.write_sources).write_text(sources_toml(sites.base_url), encoding="utf-8")
            print(f"sources written to {args.write_sources}")
        try:
            sites.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
