"""The audit record every cleaning step leaves behind."""

from __future__ import annotations

from dataclasses import dataclass

# Kinds of removed fragments, as stored in the warehouse's removed_fragments.kind.
CHROME = "chrome"
SPAM = "spam"
PINYIN = "pinyin"
DUPLICATE_TITLE = "duplicate_title"
METADATA = "metadata"
MOJIBAKE = "mojibake"
# Private-use characters outside any damaged run: icon-font glyphs, not text.
PRIVATE_USE = "private_use"


@dataclass(frozen=True, slots=True)
class Removal:
    """One fragment that cleaning dropped, kept so a user can audit the cut.

    Slotted: a crawl holds many of them, and without a __dict__ each is
    smaller and one object fewer for the garbage collector to walk.
    """

    kind: str
    text: str
