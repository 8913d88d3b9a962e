"""Source profiles: what to crawl and how, read from a TOML file.

A source needs only a `name` and `start_urls` (its list pages); generic link
discovery and generic extraction do the rest. Optional fields tune it:
selectors for known layouts, an encoding hint, politeness limits.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from extract.urls import canonical_url

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class SourcesError(ValueError):
    """The sources file cannot be used; the message says which entry and why."""


@dataclass(frozen=True)
class SourceProfile:
    name: str
    start_urls: tuple[str, ...]
    label: str | None = None
    enabled: bool = True
    is_mirror: bool = False
    encoding: str | None = None
    # Discovery: a regex an article URL must match, or a CSS selector for its links.
    article_url_pattern: str | None = None
    link_selector: str | None = None
    max_list_pages: int = 50
    # Extraction overrides for a known layout; the generic path is used when absent.
    title_selector: str | None = None
    body_selector: str | None = None
    date_selector: str | None = None
    # Politeness, per host.
    min_delay_s: float = 1.0
    max_connections: int = 1

    @property
    def url_prefixes(self) -> tuple[str, ...]:
        """URL prefixes this source owns: the directory of each start URL."""
        prefixes = []
        for url in self.start_urls:
            parts = urlsplit(url)
            directory = parts.path.rsplit("/", 1)[0] + "/"
            prefixes.append(f"{parts.scheme}://{parts.netloc}{directory}")
        return tuple(dict.fromkeys(prefixes))

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset((urlsplit(u).hostname or "").lower() for u in self.start_urls)

    def owns(self, url: str) -> bool:
        """True when `url` lies under one of this source's URL prefixes."""
        canonical = canonical_url(url)
        return any(canonical.startswith(canonical_url(p)) for p in self.url_prefixes)


_FIELDS = {f for f in SourceProfile.__dataclass_fields__}


def _profile(entry: dict, index: int) -> SourceProfile:
    where = f"source #{index + 1}" + (f" ({entry['name']!r})" if "name" in entry else "")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise SourcesError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise SourcesError(f"{where}: `name` must be lower-case letters, digits, - or _ (got {name!r})")
    urls = entry.get("start_urls")
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise SourcesError(f"{where}: `start_urls` must be a non-empty list of URLs")
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https"):
            raise SourcesError(f"{where}: start URL {url!r} is not http(s)")
    if entry.get("article_url_pattern"):
        try:
            re.compile(entry["article_url_pattern"])
        except re.error as exc:
            raise SourcesError(f"{where}: article_url_pattern is not a valid regex: {exc}") from exc
    values = dict(entry)
    values["start_urls"] = tuple(urls)
    try:
        return SourceProfile(**values)
    except TypeError as exc:
        raise SourcesError(f"{where}: {exc}") from exc


def parse_sources(text: str, *, origin: str = "<string>") -> list[SourceProfile]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{origin}: not valid TOML: {exc}") from exc
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{origin}: no [[source]] entries")
    profiles = [_profile(entry, i) for i, entry in enumerate(entries)]
    names = [p.name for p in profiles]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SourcesError(f"{origin}: duplicate source name(s) {', '.join(duplicates)}")
    return profiles


def load_sources(path: str | Path) -> list[SourceProfile]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"sources file {path} does not exist") from None
    return parse_sources(text, origin=str(path))


def select_sources(profiles: list[SourceProfile], names: list[str] | None) -> list[SourceProfile]:
    """The enabled profiles, or exactly the named ones (an unknown name is an error)."""
    if not names:
        return [p for p in profiles if p.enabled]
    by_name = {p.name: p for p in profiles}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise SourcesError(f"unknown source(s) {', '.join(missing)}; configured: {', '.join(by_name)}")
    return [by_name[n] for n in names]
