"""Bytes -> text for Chinese web pages whose charset declarations often lie.

Chinese sites label GB18030 bytes as GB2312, UTF-8 bytes as GB2312 (templates
copied across a migration), or declare nothing at all. A declaration is
therefore a hint to be checked, not an order: a label only wins when it
decodes the bytes strictly, and GB2312/GBK labels are read as their superset
GB18030 (GB2312 pages routinely carry GBK-only characters such as 镕 or 堃).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache

# How the encoding was decided; stored with the page so odd decodes can be audited.
HEADER = "header"
BOM = "bom"
META = "meta"
UTF8 = "utf-8"
GUESS = "guess"
HINT = "hint"

_PRESCAN_BYTES = 4096

# <meta charset=x>, <meta http-equiv content="...; charset=x">, <?xml encoding="x"?>.
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)

# Labels read as a wider encoding: what browsers actually do with them.
_GB_FAMILY = ("gb18030",)
_BIG5_FAMILY = ("cp950", "big5hkscs")
_FAMILIES = {
    "gb2312": _GB_FAMILY,
    "gbk": _GB_FAMILY,
    "gb18030": _GB_FAMILY,
    "hz": ("hz",),
    "big5": _BIG5_FAMILY,
    "cp950": _BIG5_FAMILY,
    "big5hkscs": _BIG5_FAMILY,
    "utf-8": ("utf-8",),
}
# Single-byte Western labels on a page with high bytes are template defaults,
# never the truth for a Chinese page: they decode anything, so they prove nothing.
_SINGLE_BYTE = frozenset({"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"})

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class DecodedHtml:
    """A page as text, with the encoding used and why it was chosen.

    `had_errors` is True when no candidate decoded the bytes strictly and
    undecodable bytes were replaced by U+FFFD (truncated or corrupt pages).
    """

    text: str
    encoding: str
    decided_by: str
    had_errors: bool = False


def _family(label: str | None) -> tuple[str, ...]:
    """The codecs to try for a declared label, widest-compatible first; () if unknown."""
    if not label:
        return ()
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return ()
    if name in _FAMILIES:
        return _FAMILIES[name]
    return (name,)


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def meta_charset(body: bytes) -> str | None:
    """The charset a <meta> tag or XML declaration names in the first 4 KB."""
    head = body[:_PRESCAN_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def _is_ascii(body: bytes) -> bool:
    return body.isascii()


def _try_label(body: bytes, label: str | None, is_utf8: bool) -> tuple[str, str] | None:
    """(text, codec) when the declared label decodes strictly and is believable.

    A non-UTF-8 label loses to valid UTF-8 bytes containing multi-byte text:
    GB or Big5 text that happens to be valid UTF-8 does not occur in practice,
    while UTF-8 pages keeping a stale GB2312 label do.
    """
    family = _family(label)
    if not family:
        return None
    if family[0] in _SINGLE_BYTE and not _is_ascii(body):
        return None
    if is_utf8 and family != ("utf-8",) and not _is_ascii(body):
        return None
    for encoding in family:
        text = _strict(body, encoding)
        if text is not None:
            return text, encoding
    return None


# Common characters: GB2312 level 1 (rows 0xB0-0xD7) and Big5 frequent
# characters (0xA440-0xC67E). Text decoded with the wrong one of the two
# codecs yields mostly rare characters, so the share of common ones tells them apart.
_GUESS_SAMPLE = 3000


_HAN_RUN = re.compile("[\u4e00-\u9fff]+")


@cache
def _common_chars(encoding: str) -> dict[int, None]:
    """A str.translate table deleting the common characters of `encoding`'s family.

    The set is built once by decoding every code of the common range and
    keeping the characters that encode back into it (Big5 maps a few
    characters twice).
    """
    if encoding == "gb18030":
        codec, codes = "gb2312", (bytes((lead, trail)) for lead in range(0xB0, 0xD8) for trail in range(0xA1, 0xFF))
    else:
        codec, codes = "big5", (code.to_bytes(2, "big") for code in range(0xA440, 0xC67F))
    table: dict[int, None] = {}
    for raw in codes:
        try:
            ch = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if len(ch) == 1 and "\u4e00" <= ch <= "\u9fff" and ch.encode(codec) == raw:
            table[ord(ch)] = None
    return table


def _common_share(text: str, encoding: str) -> float:
    """Share of common characters among the first Han characters of `text`.

    Counted in C: the Han runs are found by a regex and the common characters
    deleted by str.translate (a Python loop over a 60 KB page took milliseconds).
    """
    runs = []
    total = 0
    for run in _HAN_RUN.finditer(text):
        runs.append(run.group())
        total += len(runs[-1])
        if total >= _GUESS_SAMPLE:
            break
    han = "".join(runs)[:_GUESS_SAMPLE]
    if not han:
        return 0.0
    common = len(han) - len(han.translate(_common_chars(encoding)))
    return common / len(han)


def _guess(body: bytes) -> tuple[str, str] | None:
    """The Chinese encoding that decodes the bytes strictly into the most common characters."""
    best: tuple[float, str, str] | None = None
    for encoding in _GB_FAMILY + _BIG5_FAMILY:
        text = _strict(body, encoding)
        if text is None:
            continue
        score = _common_share(text, encoding)
        if best is None or score > best[0]:
            best = (score, text, encoding)
    return (best[1], best[2]) if best else None


def _lossy(body: bytes, declared: list[tuple[str, str | None]]) -> DecodedHtml:
    """Nothing decodes strictly (a truncated or corrupt page): fewest U+FFFD wins.

    Declared labels are tried first so that, on a tie, the page's own word
    decides; `decided_by` names the declaration that supplied the winner.
    """
    candidates: dict[str, str] = {}
    for decided_by, label in declared:
        for encoding in _family(label):
            candidates.setdefault(encoding, decided_by)
    for encoding in ("utf-8",) + _GB_FAMILY + _BIG5_FAMILY:
        candidates.setdefault(encoding, GUESS)
    best: tuple[int, str, str] | None = None
    for encoding in candidates:
        if encoding in _SINGLE_BYTE:
            continue
        text = body.decode(encoding, errors="replace")
        bad = text.count("\ufffd")
        if best is None or bad < best[0]:
            best = (bad, text, encoding)
    assert best is not None
    return DecodedHtml(best[1], best[2], candidates[best[2]], had_errors=True)


def decode_html(body: bytes, content_type: str | None = None, hint: str | None = None) -> DecodedHtml:
    """Decode a page: BOM, header, <meta>, source hint, UTF-8, then a Chinese guess.

    The BOM is checked first because it is the one signal that cannot be a
    stale template default (WHATWG gives it precedence over the header too).
    Each declared label must decode the bytes strictly to win.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            text = _strict(body[len(bom) :], encoding)
            if text is not None:
                return DecodedHtml(text, encoding, BOM)
    utf8_text = _strict(body, "utf-8")
    is_utf8 = utf8_text is not None
    declared = [(HEADER, header_charset(content_type)), (META, meta_charset(body)), (HINT, hint)]
    for decided_by, label in declared:
        if utf8_text is not None and _family(label) == ("utf-8",):
            return DecodedHtml(utf8_text, "utf-8", decided_by)  # already decoded strictly above
        found = _try_label(body, label, is_utf8)
        if found is not None:
            return DecodedHtml(found[0], found[1], decided_by)
    if utf8_text is not None:
        return DecodedHtml(utf8_text, "utf-8", UTF8)
    guessed = _guess(body)
    if guessed is not None:
        return DecodedHtml(guessed[0], guessed[1], GUESS)
    return _lossy(body, declared)
