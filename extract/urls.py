"""URL canonicalisation: one spelling per page, so a page is fetched and stored once.

`canonical_url` is the identity of a page in discovery, the fetcher and the
warehouse. It must stay *fetchable* (discovery fetches the canonical form), so
every rule below only removes differences that servers never act on:

- whitespace around the URL and tabs/newlines inside it are dropped, and
  backslashes in the path become slashes (what browsers do with sloppy hrefs,
  which Chinese CMS templates produce often);
- scheme and host are lower-cased, a trailing dot on the host goes, a
  non-ASCII host is IDNA-encoded (中国.cn -> xn--fiqs8s.cn);
- the default port goes (http:80, https:443);
- **http/https twins fold to http.** On the default ports they are the same
  page; folding to https would make http-only sites (many government sites,
  and the bundled sample sites) unfetchable, while an https-only site still
  answers the http form with a redirect. The fetcher remembers hosts that
  speak https and asks them over https directly, so the fold costs no extra
  requests after the first. A non-default port keeps its scheme (8443 speaks
  TLS; http://x:8443 would not work).
- the path gets its dot segments resolved, an empty path becomes "/", and
  percent-encoding is normalised (upper-case hex, unreserved characters
  decoded, non-ASCII characters UTF-8 encoded);
- the fragment goes;
- tracking parameters go (utm_*, spm, from, WeChat share parameters, ...);
  remaining parameters keep their order and spelling (some old ASP/JSP sites
  care about order, and `?a` is not always `?a=`);
- on mp.weixin.qq.com only the parameters that name an article survive.

**`index.html` is kept.** `/a/index.html` and `/a/` are usually one page, but
not on object-storage and CDN hosts without an index document, where `/a/`
is a 403/404; and a site's own links spell a page consistently, so the
duplicate rarely arises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_",)
_TRACKING_KEYS = frozenset(
    {
        "spm", "from", "share_token", "fbclid", "gclid", "msclkid", "yclid", "isappinstalled",
        # WeChat and other Chinese share sheets
        "scene", "sharer_sharetime", "sharer_shareid", "share_source", "share_medium",
        "share_plat", "clicktime", "enterid", "wxfrom", "subscene", "sessionid",
    }
)
# Hosts where only some parameters name the page; everything else is session or share state.
_KEEP_ONLY = {"mp.weixin.qq.com": frozenset({"__biz", "mid", "idx", "sn"})}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_FOLDED_SCHEME = "http"

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters left as they are in a path or query (RFC 3986 reserved + unreserved + '%').
_SAFE_PATH = _UNRESERVED | frozenset("!$&'()*+,;=:@/%")
_SAFE_QUERY = _SAFE_PATH | frozenset("?")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_INVISIBLE = re.compile(r"[\t\n\r]")
# A URL every rule leaves as it is: http, a lower-case ASCII host without a trailing dot, a port
# (checked apart: not 80, at most 65535), a path of characters kept as they are, no '%', no query,
# no fragment. Most article links are spelled so, and matching is ~1 us against ~40 for the rules.
_PLAIN = re.compile(r"http://[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::([1-9][0-9]{0,4}))?/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*")


def canonical_url(url: str) -> str:
    """The one spelling of `url` used to fetch, deduplicate and store it (rules in the module docstring)."""
    if _already_canonical(url):
        return url
    return _canonicalise(url)


def _already_canonical(url: str) -> bool:
    """Whether `url` is its own canonical form by its spelling alone (the fast path of canonical_url).

    Discovery, the fetcher and the loader each canonicalise every URL, which
    already is canonical from the second time on. "/." rules out dot segments
    (and, harmlessly, any segment starting with a dot).
    """
    plain = _PLAIN.fullmatch(url)
    if plain is None or "/." in url:
        return False
    port = plain[1]
    return port is None or (int(port) != 80 and int(port) <= 65535)


def _canonicalise(url: str) -> str:
    url = _INVISIBLE.sub("", url.strip())
    parts = urlsplit(_fix_backslashes(url))
    scheme = parts.scheme.lower()
    host = _canonical_host(parts.hostname or "")
    port = _port(parts)
    if scheme in _DEFAULT_PORTS and (port is None or port == _DEFAULT_PORTS[scheme]):
        scheme, port = _FOLDED_SCHEME, None
    netloc = host if port is None else f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    path = _canonical_path(parts.path)
    query = _canonical_query(parts.query, host)
    return urlunsplit((scheme, netloc, path, query, ""))


def absolute_url(base: str, href: str) -> str:
    """The canonical form of a link `href` found on page `base`."""
    return canonical_url(urljoin(base, _INVISIBLE.sub("", href.strip())))


def unique_urls(urls: Iterable[str]) -> list[str]:
    """Canonical forms of `urls`, first occurrence kept, in order."""
    return list(dict.fromkeys(canonical_url(u) for u in urls))


def _fix_backslashes(url: str) -> str:
    r"""Browsers read `\` as `/` before the query in http(s) URLs; so do we."""
    if not url.lower().startswith(("http:", "https:")):
        return url
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    return url[:cut].replace("\\", "/") + url[cut:]


def _port(parts) -> int | None:
    try:
        return parts.port
    except ValueError:  # a non-numeric port: leave the URL to fail at fetch time, but do not crash here
        return None


def _canonical_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if ":" in host:  # IPv6 literal; urlsplit strips the brackets
        return f"[{host}]"
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _canonical_path(path: str) -> str:
    if not path:
        return "/"
    return _normalise_percent(_remove_dot_segments(path), _SAFE_PATH)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: resolve '.' and '..' without touching '//' (servers may care)."""
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                out.append("")
        elif segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    resolved = "/".join(out)
    return resolved if resolved.startswith("/") else "/" + resolved


def _canonical_query(query: str, host: str) -> str:
    keep_only = _KEEP_ONLY.get(host)
    kept = []
    for piece in query.split("&"):
        if not piece:
            continue
        key = _decode_unreserved(piece.split("=", 1)[0]).lower()
        if keep_only is not None:
            if key in keep_only:
                kept.append(piece)
        elif not key.startswith(_TRACKING_PREFIXES) and key not in _TRACKING_KEYS:
            kept.append(piece)
    return "&".join(_normalise_percent(p, _SAFE_QUERY) for p in kept)


def _normalise_percent(text: str, safe: frozenset[str]) -> str:
    """Upper-case escapes, decode escaped unreserved characters, escape what must be escaped."""
    text = _decode_unreserved(text)
    out = []
    for ch in text:
        if ch in safe:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    encoded = "".join(out)
    # A '%' not starting a valid escape is itself escaped, so the URL stays valid.
    return re.sub(r"%(?![0-9A-F]{2})", "%25", encoded)


def _decode_unreserved(text: str) -> str:
    def decode(match: re.Match[str]) -> str:
        char = chr(int(match[1], 16))
        return char if char in _UNRESERVED else f"%{match[1].upper()}"

    return _PERCENT.sub(decode, text)


def normalise_percent_encoding(path_and_query: str) -> str:
    """The percent-encoding normal form `canonical_url` uses, for comparing paths (robots.txt rules)."""
    return _normalise_percent(path_and_query, _SAFE_QUERY)
