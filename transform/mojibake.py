"""Byte-shifted GBK damage: detect, repair what the bytes still hold, drop the rest.

What the damage looks like (seed 001, a GBK page decoded by a broken
converter): one byte of a two-byte character is lost and shows as `?`; from
there every following pair of bytes is read one byte late, so the text turns
into characters made of the trail byte of one character and the lead byte of
the next: `黨?!叭\\ue42f\\ue02d恼隆?` was `黨校“三篇文章”`. Pairs that fall into
GBK's user-defined area come out as private-use characters (U+E000-U+F8FF),
the A3 row as full-width `！`/`？` (often folded to ASCII later). The stream
realigns at the next single-byte (ASCII) character or at the next lost byte
(another `?`).

Repair: from the `?` that marks the lost byte, re-encode the following
characters to GB18030 (which maps the private-use characters back to their
user-defined byte pairs), drop the first byte (the orphaned trail byte of the
lost character), and decode again. The repair is accepted only when the
re-decoded text is plain Han text and punctuation; the lost character itself
cannot be recovered and is removed (recorded). A span that cannot be
repaired but holds private-use characters or U+FFFD is removed and recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PUA = re.compile("[\ue000-\uf8ff\ufffd]")
# The characters a repair pass acts on: the `?` of a lost byte and _PUA.
_SUSPECT = re.compile("[?\ue000-\uf8ff\ufffd]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# The longest run of shifted characters tried after one lost byte.
_MAX_SPAN = 40
# Characters a shifted run may re-decode to: Han and the punctuation of GBK row A1/A3.
_PLAUSIBLE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e“”‘’…—·]")
# A `?` or `!` inside a shifted run stands for the full-width form it was decoded as.
_FOLDED = {"?": "？", "!": "！"}


@dataclass
class MojibakeResult:
    """The repaired text and the damaged fragments that could not be kept."""

    text: str
    removed: list[str] = field(default_factory=list)
    repaired: int = 0
    # Private-use characters outside any shifted run (icon-font glyphs): dropped, not damage.
    private_use: list[str] = field(default_factory=list)

    @property
    def damaged(self) -> bool:
        return bool(self.removed) or self.repaired > 0


def _char_bytes(ch: str) -> bytes | None:
    try:
        return _FOLDED.get(ch, ch).encode("gb18030")
    except UnicodeEncodeError:
        return None


def _decode_pairs(data: bytes) -> str | None:
    """Strict GBK-family decode of `data`, or None when any pair is not a character."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if _PUA.search(text):
        return None
    return text


def _plausible(text: str | None) -> bool:
    return bool(text) and all(_PLAUSIBLE.match(c) for c in text)  # type: ignore[union-attr]


def _repair_at(text: str, lost: int) -> tuple[str, int] | None:
    """Re-read the characters after the lost byte at `lost` one byte early.

    Returns the repaired text for text[lost+1:end] and `end`, or None when no
    realignment point gives plausible text. The run must hold at least one
    character that betrays the shift (private-use, a full-width or folded
    `?`/`!`, an ASCII letter): ordinary prose never "repairs".
    """
    data = bytearray()
    telltale = False
    for end in range(lost + 1, min(len(text), lost + 1 + _MAX_SPAN)):
        ch = text[end]
        if ch == "?" and data and len(data) % 2 == 0 and telltale:
            # Perhaps another lost byte: the run ends here, its last pair missing the trail byte.
            head = _decode_pairs(bytes(data[1:-1]))
            if _plausible(head):
                return head + _guess_last(head, data[-1]), end + 1  # type: ignore[operator]
        encoded = _char_bytes(ch)
        if encoded is None:
            return None
        if len(encoded) == 1 and not (ch.isascii() and ch.isalnum()):
            return None  # spaces, ASCII punctuation: not part of a shifted run
        if _PUA.match(ch) or ch in "?!？！" or len(encoded) == 1:
            telltale = True
        data.extend(encoded)
        if len(data) % 2 == 1 and len(data) > 1 and telltale:
            # Odd total: without the orphaned first byte the run is whole pairs again.
            repaired = _decode_pairs(bytes(data[1:]))
            if _plausible(repaired):
                return repaired, end + 1  # type: ignore[return-value]
            return None
    return None


def _guess_last(head: str, lead: int) -> str:
    """The character whose trail byte was lost: only a closing quote is certain enough to restore."""
    if lead == 0xA1 and head.count("“") > head.count("”"):
        return "”"
    return ""


def _is_lost_byte(text: str, i: int) -> bool:
    """A `?` that stands for a lost byte: after a Han character and before a shifted run."""
    if i == 0 or not _HAN.match(text[i - 1]) or i + 1 >= len(text):
        return False
    nxt = text[i + 1]
    return nxt in "?!？！" or bool(_PUA.match(nxt))


# GBK A3A0 is not a character, but some converters write it for a full-width
# space; GB18030 decodes it to U+E5E5. It is a space, not damage.
_SPACE_PUA = "\ue5e5"


def may_be_damaged(text: str) -> bool:
    """False when repair_mojibake would return `text` untouched: no `?`, no private-use or U+FFFD."""
    if "?" in text or "\ufffd" in text:
        return True
    # Private-use characters are unprintable, so printable text (most pages)
    # holds none: a far quicker test than the pattern's search.
    return not text.isprintable() and _PUA.search(text) is not None


def repair_mojibake(text: str) -> MojibakeResult:
    """`text` with byte-shifted spans repaired and unrecoverable fragments removed.

    One pass can expose damage it did not see: dropping a U+FFFD or an icon
    glyph moves a `?` to the start of the line or next to a Han character.
    Passes repeat until nothing changes (each pass that changes the text
    shortens it), so repairing repaired text changes nothing.
    """
    if _SPACE_PUA in text:
        text = text.replace(_SPACE_PUA, "\u3000")
    if "?" not in text and not _PUA.search(text):
        return MojibakeResult(text)
    result = _repair_pass(text)
    while result.text != text and ("?" in result.text or _PUA.search(result.text)):
        text = result.text
        again = _repair_pass(text)
        if again.text == text:
            break
        result = MojibakeResult(
            again.text,
            result.removed + again.removed,
            result.repaired + again.repaired,
            result.private_use + again.private_use,
        )
    return result


def _repair_pass(text: str) -> MojibakeResult:
    """One left-to-right pass of repairs and removals."""
    out: list[str] = []
    removed: list[str] = []
    private_use: list[str] = []
    repaired = 0
    i = 0
    n = len(text)
    while i < n:
        # Only `?`, private-use characters and U+FFFD start a repair or a
        # removal: copy the run of other characters before the next one whole.
        suspect = _SUSPECT.search(text, i)
        if suspect is None:
            out.append(text[i:])
            break
        if suspect.start() > i:
            out.append(text[i : suspect.start()])
            i = suspect.start()
        ch = text[i]
        if ch == "?" and _is_lost_byte(text, i):
            fixed = _repair_at(text, i)
            if fixed is not None:
                repaired_text, end = fixed
                removed.append(text[i:end])
                out.append(repaired_text)
                repaired += 1
                i = end
                continue
        if ch == "?" and i == 0 and n > 1 and _HAN.match(text[1]):
            # A line never opens with a question mark: the byte before the first character was lost.
            removed.append(ch)
            i += 1
            continue
        if ch == "\ufffd":
            removed.append(ch)  # undecodable bytes
            i += 1
            continue
        if _PUA.match(ch):
            j = i
            while j < n and _PUA.match(text[j]) and text[j] != "\ufffd":
                j += 1
            private_use.append(text[i:j])
            i = j
            continue
        out.append(ch)
        i += 1
    return MojibakeResult("".join(out), removed, repaired, private_use)
