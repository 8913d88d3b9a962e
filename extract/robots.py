"""robots.txt: parsed by RFC 9309, cached per origin for the life of the process.

The stdlib `urllib.robotparser` ignores `*` and `$` wildcards and applies the
first matching rule rather than the longest, so a site that writes
`Disallow: /` then `Allow: /news/` would be wrongly closed to us; hence this
small parser.

What an unfetchable robots.txt means follows RFC 9309 section 2.3.1: a 4xx
(except 429) means "no rules" (crawl allowed); a 5xx, a 429 or a network
failure means "unreachable" (crawl nothing on that origin this run), because
an overloaded site should not get more load from us.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from extract.urls import normalise_percent_encoding

# RFC 9309: crawlers must parse at least 500 KiB; we parse no more.
MAX_ROBOTS_BYTES = 500 * 1024
# How long a cached robots.txt is trusted (RFC 9309 advises at most 24 hours).
CACHE_TTL_S = 6 * 3600
# An unreachable robots.txt closes the origin; a long-lived process should look again sooner.
UNREACHABLE_TTL_S = 120


@dataclass(frozen=True)
class Rule:
    allow: bool
    pattern: str  # percent-normalised path pattern, may hold '*' and a final '$'

    def matches(self, path: str) -> bool:
        return _compile(self.pattern).match(path) is not None


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one origin's robots.txt for one crawler, or a blanket verdict."""

    rules: tuple[Rule, ...] = ()
    crawl_delay_s: float | None = None
    # Set when the file could not be read and the origin is closed to us; says why.
    unreachable: str | None = None

    def allows(self, url: str) -> bool:
        """Longest matching pattern wins; on a tie Allow wins; no match allows (RFC 9309 2.2.2)."""
        if self.unreachable is not None:
            return False
        parts = urlsplit(url)
        path = parts.path or "/"
        if path == "/robots.txt":
            return True
        target = normalise_percent_encoding(path + (f"?{parts.query}" if parts.query else ""))
        best: Rule | None = None
        for rule in self.rules:
            if not rule.matches(target):
                continue
            if best is None or len(rule.pattern) > len(best.pattern) or (
                len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow
            ):
                best = rule
        return best is None or best.allow


ALLOW_ALL = RobotsRules()


@lru_cache(maxsize=64)
def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against: 'dangjian' in 'dangjian/0.1 (+...)'.

    Cached: every request looks its host's rules up by it (twice), and there is one user agent per run.
    """
    token = user_agent.strip().split("/", 1)[0].split(" ", 1)[0]
    return token.lower()


def parse_robots(text: str, user_agent: str) -> RobotsRules:
    """Rules of the group(s) naming our product token, else of the '*' group(s)."""
    groups = _groups(text)
    token = product_token(user_agent)
    chosen = [g for g in groups if token in g.agents] or [g for g in groups if "*" in g.agents]
    rules = tuple(rule for g in chosen for rule in g.rules)
    delays = [g.crawl_delay for g in chosen if g.crawl_delay is not None]
    return RobotsRules(rules=rules, crawl_delay_s=max(delays) if delays else None)


def _groups(text: str) -> list[_Group]:
    groups: list[_Group] = []
    current: _Group | None = None
    in_agent_lines = False
    for raw_line in text.splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower().replace("_", "-")
        if key == "user-agent":
            if not in_agent_lines:
                current = _Group()
                groups.append(current)
                in_agent_lines = True
            current.agents.append(product_token(value) if value != "*" else "*")
            continue
        in_agent_lines = False
        if current is None:
            continue  # rules before any user-agent line belong to no group
        if key in ("allow", "disallow"):
            if value:  # an empty Disallow is "allow everything", i.e. no rule
                current.rules.append(Rule(allow=key == "allow", pattern=_normalise_pattern(value)))
        elif key == "crawl-delay":
            try:
                delay = float(value)
            except ValueError:
                continue
            if delay >= 0:
                current.crawl_delay = delay
    return groups


def _normalise_pattern(value: str) -> str:
    anchored = value.endswith("$")
    body = value[:-1] if anchored else value
    if not body.startswith(("/", "*")):
        body = "/" + body
    body = "*".join(normalise_percent_encoding(piece) for piece in body.split("*"))
    return body + ("$" if anchored else "")


_PATTERN_CACHE: dict[str, re.Pattern[str]] = {}


def _compile(pattern: str) -> re.Pattern[str]:
    compiled = _PATTERN_CACHE.get(pattern)
    if compiled is None:
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        regex = ".*".join(re.escape(piece) for piece in body.split("*"))
        compiled = re.compile(regex + ("$" if anchored else ""), re.DOTALL)
        _PATTERN_CACHE[pattern] = compiled
    return compiled


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class RobotsCache:
    """Parsed robots.txt per origin, shared by every fetcher in the process (thread-safe).

    `fetch_pages` makes a Fetcher per call, so a per-Fetcher cache would ask
    for robots.txt again and again; one per process means once per origin
    (the ingest flow's fetch process lives for one run: once per origin per run).
    """

    def __init__(self, ttl_s: float = CACHE_TTL_S) -> None:
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[float, RobotsRules]] = {}

    def get(self, origin_url: str, user_agent: str) -> RobotsRules | None:
        with self._lock:
            entry = self._entries.get((origin_url, product_token(user_agent)))
        if entry is None:
            return None
        ttl = UNREACHABLE_TTL_S if entry[1].unreachable is not None else self._ttl_s
        if time.monotonic() - entry[0] > min(ttl, self._ttl_s):
            return None
        return entry[1]

    def put(self, origin_url: str, user_agent: str, rules: RobotsRules) -> None:
        with self._lock:
            self._entries[(origin_url, product_token(user_agent))] = (time.monotonic(), rules)
