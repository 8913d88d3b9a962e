"""Synthetic variants of the sample sites, as many as a benchmark asks for, served from another process.

The end-to-end benchmark needs 1 000 - 100 000 distinct article pages that
look like the six sample sites (same skins, charsets, chrome, traps) yet
clean to different articles, so the warehouse neither merges them as
mirrors nor short-cuts them by content hash. Each variant is derived, not
stored: article `serial` on `site` is built on demand from one of that
site's authored articles, with

- its own URL in the site's style (the serial is the CMS number in the path),
- a publication time `serial` steps back from a fixed start (list pages run
  newest first, as real ones do),
- another place in the headline and the text,
- its paragraphs shuffled and mixed with paragraphs of the site's other
  articles (so the SimHash moves by far more than the mirror threshold),
- every count in the text redrawn (so figures differ too).

Everything is seeded by (seed, site, serial): the same URL always answers the
same bytes, so validators and 304s behave as on a real site.

List pages (`index.html`, `index_2.html`, ...) link `per_list` articles each and
chain with 下一页. The server answers as the sample sites' own does (same
answers through samplesites.server.answer: validators, 304s, robots.txt, 404s;
a request log), on one event-loop thread, in its own process so its CPU
shows apart from the crawler's. It stands in for the internet, so it must not
take the crawler's cores: the pages are rendered before serving starts (in
parallel, and kept on disk for the next run with the same catalog, see
PageStore) and each request costs one read and a few header lines:

    python -m samplesites.synthetic --pages 100000 [--port 0] [--write-sources PATH] [--cache-dir DIR]

It prints `serving <base_url>` once its pages are ready and then answers
commands on stdin, one per line: `log` (a JSON summary of the requests
answered since the last `clear`: counts per source, kind and status),
`clear`, `usage` (its own CPU seconds and peak memory), `quit` (or end of input).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib
import json
import math
import multiprocessing
import os
import random
import re
import resource
import socket
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path

from samplesites.catalog import IMAGE_MARK, SampleArticle, SiteCopy, articles_on, load_articles, site_path
from samplesites.render import Link, PageContext, in_script, list_page_name
from samplesites.server import ServedFile, answer  # the sample server's answers: same validators, 304s, robots.txt
from samplesites.sitelist import CHARSET_TRAPS, SITES

CHINA = timezone(timedelta(hours=8))
# Newest synthetic article; older ones step back from here.
NEWEST = datetime(2025, 6, 30, 18, 0)
# Variants of one site spread over about this span (a step never exceeds a day).
SPAN = timedelta(days=5 * 365)
PER_LIST = 50
# Streets and towns a headline may name after its county (common names, in GBK and Big5).
TOWNS = (
    "城关镇", "东城街道", "西城街道", "南湖街道", "北山街道", "新华街道", "解放街道", "人民路街道", "中山街道",
    "建设街道", "朝阳街道", "向阳街道", "红星街道", "和平街道", "胜利街道", "长江街道", "黄河路街道", "青山镇",
    "白云镇", "石桥镇", "马桥镇", "新市镇", "龙泉镇", "金山镇", "花园镇", "太平镇", "永兴镇", "安宁镇", "长安镇",
    "平安镇", "东风镇", "大河镇", "清水镇", "双河镇", "三江镇", "五里镇", "七星镇", "九龙镇", "十里铺镇", "高桥镇",
)
RELATED_COUNT = 4
# Paragraphs a variant borrows from the site's other articles.
BORROWED = (2, 4)
# A count in running text: digits not part of a decimal or a date, year, phone or code.
_COUNT = re.compile(r"(?<![\d.\-])[1-9]\d{0,4}(?![\d.\-]|[年月日号时点期届])", re.ASCII)
_LIST_PATH = re.compile(r"^/([a-z_0-9]+)/index(?:_(\d+))?\.html$")
_SERIAL = re.compile(r"(\d+)\.html$")
# Per-site offset of the number in article URLs, so each is as long as the site's real ones.
DEFAULT_CACHE_DIR = Path(tempfile.gettempdir()) / "dangjian-synthetic"
_NUMBER_BASE = {"hongxing": 10_000, "renmin": 30_000_000, "renmin_big5": 30_000_000, "sichuan": 100_000,
                "aggregator": 1_000_000, "mirror": 100_000}


def _short_place(place: str) -> str:
    """'湖南省常德市武陵区' -> '常德市武陵区': what a headline puts before its colon."""
    return re.sub(r"^(.{2,3}省|.{2,8}自治区)", "", place)


@lru_cache(maxsize=1)
def _places() -> tuple[str, ...]:
    return tuple(sorted({_short_place(a.place) for a in load_articles() if a.place}))


@dataclass(frozen=True)
class SiteShare:
    """One site's part of the synthetic catalog."""

    site: str
    count: int  # article pages
    per_list: int
    step: timedelta  # between consecutive publication times

    @property
    def list_pages(self) -> int:
        return max(1, math.ceil(self.count / self.per_list))


class SyntheticSites:
    """`pages` article pages spread evenly over the six sample sites, each derived on demand."""

    def __init__(self, pages: int, *, seed: int = 8, per_list: int = PER_LIST) -> None:
        if pages < 1:
            raise ValueError("pages must be at least 1")
        self.pages = pages
        self.seed = seed
        names = list(SITES)
        self.shares: dict[str, SiteShare] = {}
        for index, site in enumerate(names):
            count = pages // len(names) + (1 if index < pages % len(names) else 0)
            step = min(timedelta(days=1), SPAN / max(count, 1))
            self.shares[site] = SiteShare(site, count, per_list, step)
        self.templates = {site: articles_on(site) for site in names}
        self.pools = {site: _paragraph_pool(self.templates[site]) for site in names}
        self.skins = {site: importlib.import_module(f"samplesites.skins.{site}") for site in names}
        _cache_script_conversion()

    # ------------------------------------------------------------ articles

    def published(self, site: str, serial: int) -> datetime:
        return NEWEST - self.shares[site].step * serial

    def path(self, site: str, serial: int) -> str:
        """The article's URL path, in the style of the site's real article URLs."""
        return site_path(site, self.published(site, serial), _NUMBER_BASE[site] + serial)

    def serial_of(self, path: str) -> tuple[str, int] | None:
        """(site, serial) of an article path this catalog serves, else None."""
        site = path.split("/", 2)[1] if path.count("/") >= 2 else ""
        share = self.shares.get(site)
        match = _SERIAL.search(path)
        if share is None or match is None:
            return None
        serial = int(match[1]) - _NUMBER_BASE[site]
        if not 0 <= serial < share.count or self.path(site, serial) != path:
            return None
        return site, serial

    def _rng(self, site: str, serial: int) -> random.Random:
        return random.Random(f"{self.seed}:{site}:{serial}")

    def _template(self, site: str, serial: int) -> SampleArticle:
        templates = self.templates[site]
        return templates[serial % len(templates)]

    def _place(self, site: str, serial: int, template: SampleArticle) -> tuple[str | None, str, str]:
        """(the template's place as its text names it, the variant's place, the variant's headline place).

        Drawn from the variant's number among its template's variants, not at
        random, so no two variants of a template share a headline: the
        warehouse merges copies under one headline whose SimHashes are within
        10 bits, which variants of one template can be.
        """
        old = _short_place(template.place) if template.place else None
        places = _places()
        k = serial // len(self.templates[site])
        place = places[k % len(places)]
        town = TOWNS[(k // len(places)) % len(TOWNS)]
        round_ = k // (len(places) * len(TOWNS))
        headline = f"{place}{town}" + (f"（{round_ + 1}）" if round_ else "")
        return old, place, headline

    def title(self, site: str, serial: int) -> str:
        """The variant's clean headline (cheap: related boxes and list pages need only this)."""
        template = self._template(site, serial)
        old, _, headline = self._place(site, serial, template)
        return _retitle(template.title, old, headline)

    def article(self, site: str, serial: int) -> SampleArticle:
        """The variant as authored: what a perfect pipeline would extract from its page."""
        rng = self._rng(site, serial)
        template = self._template(site, serial)
        old, new, headline = self._place(site, serial, template)
        own = [b for b in template.blocks if not b.startswith(IMAGE_MARK) and not b.startswith("▲")]
        pool = [p for p in self.pools[site] if p not in own]
        borrowed = rng.sample(pool, min(len(pool), rng.randint(*BORROWED)))
        texts = [_recount(_replace_place(p, old, new), rng) for p in own + borrowed]
        rng.shuffle(texts)
        blocks = _keep_photos(template.blocks, texts)
        article = replace(
            template,
            id=f"{template.id}-v{serial}",
            title=_retitle(template.title, old, headline),
            published_at=self.published(site, serial),
            blocks=tuple(blocks),
            paragraphs=tuple(b for b in blocks if not b.startswith(IMAGE_MARK)),
            place=new,
            mojibake=None,
            figures=(),
            non_figures=(),
            sites=(site,),
        )
        return replace(article, copies=(self._copy(site, serial, article.title, article.source),))

    def _copy(self, site: str, serial: int, title: str, source: str | None) -> SiteCopy:
        spec = SITES[site]
        shown = f"{source}|{title}" if site == "aggregator" else None
        return SiteCopy(site=site, path=self.path(site, serial), script=spec.script,
                        charset=spec.declared_charset, shown_title=shown)

    def link(self, site: str, serial: int) -> Link:
        title = self.title(site, serial)
        template = self._template(site, serial)
        shown = f"{template.source}|{title}" if site == "aggregator" else in_script(site, title)
        return Link(self.path(site, serial), shown, f"{self.published(site, serial):%Y-%m-%d}")

    # ------------------------------------------------------------ pages

    def article_page(self, site: str, serial: int) -> ServedFile:
        article = self.article(site, serial)
        count = self.shares[site].count
        related = tuple(self.link(site, (serial + k) % count) for k in range(1, RELATED_COUNT + 1) if count > k)
        html = self.skins[site].article_page(PageContext(article, article.copies[0], related))
        trap = CHARSET_TRAPS.get((site, self._template(site, serial).id))
        html, charset = _apply_trap(html, trap, SITES[site].declared_charset)
        return self._served(site, html, charset, article.published_at)

    def list_page(self, site: str, number: int) -> ServedFile | None:
        share = self.shares[site]
        if not 1 <= number <= share.list_pages:
            return None
        first = (number - 1) * share.per_list
        serials = range(first, min(first + share.per_list, share.count))
        links = [self.link(site, s) for s in serials]
        html = self.skins[site].list_page(links, number, share.list_pages)
        return self._served(site, html, SITES[site].declared_charset, self.published(site, 0))

    def _served(self, site: str, html: str, charset: str | None, published: datetime) -> ServedFile:
        body = html.encode(SITES[site].codec, errors="xmlcharrefreplace")
        content_type = f"text/html; charset={charset}" if charset else "text/html"
        # CRC-32, not SHA-1: the same bytes always get the same tag, at a fraction of the cost.
        return ServedFile(body=body, content_type=content_type,
                          last_modified=published.replace(tzinfo=CHINA).astimezone(timezone.utc),
                          etag=f'"{self.seed:x}-{len(body):x}-{zlib.crc32(body):08x}"')

    def get(self, path: str) -> ServedFile | None:
        """The page at a URL path, or None (404): what samplesites.server looks pages up with."""
        listing = _LIST_PATH.match(path)
        if listing and listing[1] in self.shares:
            return self.list_page(listing[1], int(listing[2] or 1))
        found = self.serial_of(path)
        return self.article_page(*found) if found else None

    def all_paths(self):
        """Every article path, site by site (for tests and for fetching without discovery)."""
        for site, share in self.shares.items():
            for serial in range(share.count):
                yield self.path(site, serial)

    def sources_toml(self, base_url: str) -> str:
        """A sources file for these sites: politeness delays off, enough list pages to reach every article."""
        base = base_url.rstrip("/")
        entries = []
        for spec in SITES.values():
            share = self.shares[spec.name]
            lines = [
                "[[source]]",
                f'name = "{spec.name}"',
                f'label = "{spec.label}"',
                f'start_urls = ["{base}/{spec.name}/index.html"]',
                "min_delay_s = 0.0",
                "max_connections = 4",
                f"max_list_pages = {share.list_pages + 1}",
            ]
            if spec.is_mirror:
                lines.append("is_mirror = true")
            entries.append("\n".join(lines))
        return f"# {self.pages} synthetic sample-site pages (samplesites.synthetic)\n\n" + "\n\n".join(entries) + "\n"


_DIGITS = re.compile(r"(\d+)", re.ASCII)


def _by_segment(convert):
    """`convert` applied to the text between digit runs, each segment converted once per process.

    Variants differ from their templates mostly in their numbers, so nearly
    every segment repeats; the mirror's pinyin gloss costs ~18 ms a page
    uncached (pypinyin) and would make the server, not the crawler, the
    bottleneck of the benchmark.
    """
    cached = lru_cache(maxsize=1 << 16)(convert)

    def segmented(text: str) -> str:
        return "".join(part if part.isdigit() else cached(part) for part in _DIGITS.split(text))

    segmented.__wrapped__ = convert
    return segmented


def _cache_script_conversion() -> None:
    """Make samplesites.render's script conversions (traditional, pinyin gloss) reuse segments."""
    from samplesites import render

    for name in ("to_traditional", "gloss_with_pinyin"):
        current = getattr(render, name)
        if not hasattr(current, "__wrapped__"):
            setattr(render, name, _by_segment(current))


def _paragraph_pool(articles: list[SampleArticle]) -> tuple[str, ...]:
    """Body paragraphs a variant may borrow (not photos or captions, which belong to their article)."""
    return tuple(dict.fromkeys(p for a in articles for p in a.paragraphs if not p.startswith("▲")))


def _retitle(title: str, old: str | None, new: str) -> str:
    """The headline with its place swapped: the part before the colon when it names a place, else a prefix."""
    head, colon, rest = title.partition("：")
    if colon and ((old and old in head) or len(head) <= 12):
        return f"{new}：{rest}"
    if old and old in title:
        return title.replace(old, new, 1)
    return f"{new}：{title}"


def _replace_place(text: str, old: str | None, new: str) -> str:
    return text.replace(old, new) if old else text


def _recount(text: str, rng: random.Random) -> str:
    """Every count redrawn with as many digits, so the variant's figures are its own."""

    def redraw(match: re.Match) -> str:
        digits = len(match[0])
        return str(rng.randint(10 ** (digits - 1), 10**digits - 1))

    return _COUNT.sub(redraw, text)


def _keep_photos(blocks: tuple[str, ...], texts: list[str]) -> list[str]:
    """The template's photos and captions where they were, the variant's paragraphs in the text slots."""
    out, queue = [], list(texts)
    for block in blocks:
        if block.startswith(IMAGE_MARK) or block.startswith("▲"):
            out.append(block)
        elif queue:
            out.append(queue.pop(0))
    return out + queue


def _apply_trap(html: str, trap: str | None, declared: str) -> tuple[str, str | None]:
    """The charset traps of samplesites.build, on the variants of a trapped article."""
    if trap == "missing":
        return html.replace('<meta charset="utf-8"/>\n', ""), None
    if trap == "wrong":
        return html.replace('<meta charset="utf-8"/>',
                            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"/>'), None
    return html, declared


# ---------------------------------------------------------------- request log summary

def request_kind(path: str) -> str:
    if path == "/robots.txt":
        return "robots"
    return "list" if _LIST_PATH.match(path.split("?", 1)[0]) else "article"


def summarise(log: list[tuple[str, str, int]]) -> dict:
    """Requests per source, per kind (list, article, robots) and per status."""
    counts: Counter = Counter()
    for _method, path, status in log:
        source = "-" if path == "/robots.txt" else path.split("/", 2)[1]
        counts[(source, request_kind(path), status)] += 1
    by_source: dict[str, dict[str, int]] = {}
    for (source, kind, status), n in sorted(counts.items()):
        by_source.setdefault(source, {})[f"{kind} {status}"] = n
    return {"total": len(log), "by_source": by_source}


# ---------------------------------------------------------------- pages rendered ahead

_STORE_FORMAT = 1


def _generator_fingerprint() -> str:
    """A hash of everything a page's bytes depend on: this package's code, skins and authored articles."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"format {_STORE_FORMAT}".encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".toml", ".json", ".txt")
                       and "__pycache__" not in p.parts and "sites" not in p.relative_to(root).parts[:1]):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _forget_other_versions(cache_dir: Path, fingerprint: str) -> None:
    """Delete pages rendered by other versions of the generator: no run of this one can use them (100,000 pages are ~450 MB)."""
    for stale in cache_dir.glob("synthetic-*"):
        if not stale.name.split(".", 1)[0].endswith(f"-{fingerprint}"):
            stale.unlink(missing_ok=True)


def _every_path(sites: SyntheticSites) -> list[str]:
    """Every page the catalog serves: list pages first (a crawl asks for them first), then articles."""
    lists = [f"/{site}/{list_page_name(n)}" for site, share in sites.shares.items()
             for n in range(1, share.list_pages + 1)]
    return lists + list(sites.all_paths())


_worker_sites: SyntheticSites | None = None


def _start_render_worker(pages: int, seed: int, per_list: int) -> None:
    global _worker_sites
    _worker_sites = SyntheticSites(pages, seed=seed, per_list=per_list)


def _render(paths: list[str]) -> list[tuple[str, ServedFile]]:
    assert _worker_sites is not None
    return [(path, _worker_sites.get(path)) for path in paths]


class PageStore:
    """Every page of a SyntheticSites catalog rendered once, ahead of the crawl, and served from a file.

    The server stands in for the internet: what it costs must not come off
    the crawler's cores. Rendering a variant costs ~0.4 ms of Python, as much
    as answering the request, so the pages are rendered before serving starts
    (in parallel, once: the file is kept under `cache_dir`, keyed by the
    catalog's size, seed and list size and by a hash of the generator's code
    and articles) and read back with one pread per request, which keeps the
    server's memory flat (the kernel's page cache holds the bytes). A path
    not in the file (none a crawl asks for) is rendered on demand, so the
    answers are exactly the catalog's.
    """

    def __init__(self, sites: SyntheticSites, data_path: Path, index: dict[str, list]) -> None:
        self.sites = sites
        self.data_path = data_path
        self._index = index
        self._fd = os.open(data_path, os.O_RDONLY)

    @classmethod
    def open(cls, sites: SyntheticSites, cache_dir: Path, *, processes: int | None = None) -> PageStore:
        """The store for `sites` under `cache_dir`, rendering and writing it first when it is not there yet."""
        fingerprint = _generator_fingerprint()
        key = f"synthetic-{sites.pages}-{sites.seed}-{sites.shares[next(iter(sites.shares))].per_list}-{fingerprint}"
        data_path, index_path = cache_dir / f"{key}.pages", cache_dir / f"{key}.json"
        if not (data_path.is_file() and index_path.is_file()):
            cache_dir.mkdir(parents=True, exist_ok=True)
            _forget_other_versions(cache_dir, fingerprint)
            cls._write(sites, data_path, index_path, processes or os.cpu_count() or 1)
        return cls(sites, data_path, json.loads(index_path.read_text(encoding="utf-8")))

    @staticmethod
    def _write(sites: SyntheticSites, data_path: Path, index_path: Path, processes: int) -> None:
        paths = _every_path(sites)
        chunks = [paths[i:i + 200] for i in range(0, len(paths), 200)]
        per_list = sites.shares[next(iter(sites.shares))].per_list
        index: dict[str, list] = {}
        partial = data_path.with_name(f"{data_path.name}.partial-{os.getpid()}")
        with open(partial, "wb") as out, ExitStack() as stack:
            if processes > 1:  # spawn: safe whatever threads this process runs
                pool = stack.enter_context(ProcessPoolExecutor(
                    processes, mp_context=multiprocessing.get_context("spawn"), initializer=_start_render_worker,
                    initargs=(sites.pages, sites.seed, per_list)))
                rendered_chunks = pool.map(_render, chunks)
            else:
                rendered_chunks = ([(path, sites.get(path)) for path in chunk] for chunk in chunks)
            offset = 0
            for rendered in rendered_chunks:
                for path, served in rendered:
                    out.write(served.body)
                    index[path] = [offset, len(served.body), served.content_type,
                                   served.last_modified.isoformat(), served.etag]
                    offset += len(served.body)
        index_partial = index_path.with_name(f"{index_path.name}.partial-{os.getpid()}")
        index_partial.write_text(json.dumps(index), encoding="utf-8")
        os.replace(partial, data_path)  # the data first: an index never names a file that is not complete
        os.replace(index_partial, index_path)

    def get(self, path: str) -> ServedFile | None:
        entry = self._index.get(path)
        if entry is None:
            return self.sites.get(path)
        offset, length, content_type, last_modified, etag = entry
        return ServedFile(body=os.pread(self._fd, length, offset), content_type=content_type,
                          last_modified=datetime.fromisoformat(last_modified), etag=etag)

    def close(self) -> None:
        os.close(self._fd)


# ---------------------------------------------------------------- server

class _Headers(dict):
    """Request headers by lower-case name, looked up case-insensitively (what samplesites.server.answer needs)."""

    def get(self, name: str, default=None):
        return super().get(name.lower(), default)


class _Connection(asyncio.Protocol):
    """One client connection: HTTP/1.1 requests in, whole responses out, one write each.

    The sample server's http.server handler costs ~0.3 ms of Python a request
    (header parsing through the email package, a thread per connection
    contending for the GIL); requests here are split by hand and the answers
    come from samplesites.server.answer, so both servers answer alike.
    """

    def __init__(self, server: SyntheticServer) -> None:
        self._server = server
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:  # as nginx does: no Nagle delay on small responses
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while (end := self._buffer.find(b"\r\n\r\n")) >= 0:
            head = bytes(self._buffer[:end])
            del self._buffer[:end + 4]
            response, keep_alive = self._server.respond(head)
            assert self._transport is not None
            self._transport.write(response)
            if not keep_alive:
                self._transport.close()
                return
        if len(self._buffer) > 64 * 1024:  # no end of headers in sight
            assert self._transport is not None
            self._transport.close()


@dataclass
class SyntheticServer:
    """The sample sites' answers for a SyntheticSites catalog (or its PageStore), served on an event-loop thread."""

    sites: SyntheticSites
    pages: object  # anything with .get(path): the catalog itself or its PageStore
    host: str = "127.0.0.1"
    port: int = 0
    request_log: list[tuple[str, str, int]] = field(default_factory=list)
    _log_lock: threading.Lock = field(default_factory=threading.Lock)
    _loop: asyncio.AbstractEventLoop | None = None
    _server: asyncio.Server | None = None
    _thread: threading.Thread | None = None
    _date: tuple[int, str] = (0, "")

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SyntheticServer:
        self._loop = asyncio.new_event_loop()
        self._server = self._loop.run_until_complete(
            self._loop.create_server(lambda: _Connection(self), self.host, self.port, backlog=128))
        self.port = self._server.sockets[0].getsockname()[1]
        self._thread = threading.Thread(target=self._loop.run_forever, name="synthetic", daemon=True)
        self._thread.start()
        return self

    def respond(self, head: bytes) -> tuple[bytes, bool]:
        """The whole response to one request head, and whether the connection stays open."""
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            return self._plain(HTTPStatus.BAD_REQUEST), False
        method, target, version = parts
        headers = _Headers()
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        connection = headers.get("connection", "").lower()
        keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
        if method not in ("GET", "HEAD"):
            return self._plain(HTTPStatus.NOT_IMPLEMENTED), False
        found = answer(self.pages, target, headers)
        lines = [f"HTTP/1.1 {found.status.value} {found.status.phrase}", "Server: nginx", f"Date: {self._now()}"]
        if found.content_type:
            lines.append(f"Content-Type: {found.content_type}")
        if found.status != HTTPStatus.NOT_MODIFIED:
            lines.append(f"Content-Length: {len(found.body)}")
        lines += [f"{name}: {value}" for name, value in found.headers.items()]
        if not keep_alive:
            lines.append("Connection: close")
        response = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if method == "GET":
            response += found.body
        with self._log_lock:
            self.request_log.append((method, target, int(found.status)))
        return response, keep_alive

    def _plain(self, status: HTTPStatus) -> bytes:
        return (f"HTTP/1.1 {status.value} {status.phrase}\r\nServer: nginx\r\nDate: {self._now()}\r\n"
                "Content-Length: 0\r\nConnection: close\r\n\r\n").encode("latin-1")

    def _now(self) -> str:
        """The Date header, formatted once a second."""
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, formatdate(second, usegmt=True))
        return self._date[1]

    def log(self) -> dict:
        with self._log_lock:
            return summarise(list(self.request_log))

    def clear(self) -> None:
        with self._log_lock:
            self.request_log.clear()

    def stop(self) -> None:
        if self._loop is None or self._server is None or self._thread is None:
            return
        loop, server = self._loop, self._server

        async def shut() -> None:
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(shut(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout=5)
        loop.close()
        self._loop = self._server = self._thread = None


def start_synthetic(sites: SyntheticSites, host: str = "127.0.0.1", port: int = 0, *,
                    store: PageStore | None = None) -> SyntheticServer:
    """Serve `sites` (from `store`, its pages rendered ahead, when given) until `.stop()`."""
    return SyntheticServer(sites, store or sites, host, port).start()


def usage() -> dict:
    """This process's CPU seconds and peak resident memory."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": round(own.ru_utime + own.ru_stime, 3), "peak_rss_mb": round(own.ru_maxrss / 1024, 1)}


def _commands(server: SyntheticServer) -> None:
    for line in sys.stdin:
        command = line.strip()
        if command == "log":
            reply: dict = server.log()
        elif command == "clear":
            server.clear()
            reply = {"cleared": True}
        elif command == "usage":
            reply = usage()
        elif command in ("quit", "exit"):
            break
        else:
            reply = {"error": f"unknown command {command!r}"}
        print(json.dumps(reply, ensure_ascii=False), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samplesites.synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="article pages in all (default 1000)")
    parser.add_argument("--per-list", type=int, default=PER_LIST, help="articles per list page")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--write-sources", metavar="PATH", help="write a sources TOML for this server")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR,
                        help=f"where pages rendered ahead are kept between runs (default {DEFAULT_CACHE_DIR})")
    parser.add_argument("--render-on-demand", action="store_true",
                        help="render each page when it is asked for instead of ahead (the server then costs more CPU)")
    args = parser.parse_args(argv)
    sites = SyntheticSites(args.pages, seed=args.seed, per_list=args.per_list)
    store = None if args.render_on_demand else PageStore.open(sites, args.cache_dir)
    server = start_synthetic(sites, args.host, args.port, store=store)
    if args.write_sources:
        Path(args.write_sources).write_text(sites.sources_toml(server.base_url), encoding="utf-8")
    print(f"serving {server.base_url}", flush=True)
    try:
        _commands(server)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if store is not None:
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
