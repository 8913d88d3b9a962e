"""Deciding which copies are the same article: exact content hash, else a near SimHash on the same story.

Mirrors (a traditional-script pinyin mirror, an aggregator re-post) carry the
same article with different chrome; after cleaning and OpenCC t2s their
bodies hash equal or their SimHashes differ by a few bits. Candidates are
found through the SimHash split into four 16-bit bands: two hashes within
3 bits agree exactly on at least one band (pigeonhole), so an equality
lookup per band finds every candidate without comparing against all copies.
Copies under the same headline are also found by the headline, and may
differ by more bits.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from transform.fingerprint import hamming

BAND_BITS = 16
BANDS = 64 // BAND_BITS
# Copies this close are near-duplicates. Must stay < BANDS for the band lookup to be exhaustive.
MAX_DISTANCE = 3
# Copies under the same headline may differ more: an aggregator's added line moves a
# short article's SimHash by up to 12 bits (under 400 characters: median 4), while
# distinct articles measured >= 19 bits apart (the real and the sample pages, one line
# appended to each). Found through an index of headlines, not bands.
MAX_DISTANCE_SAME_TITLE = 12
# SimHash of a short text flips many bits with one edit and collides by chance;
# below this many letters only an exact content hash merges copies.
MIN_LETTERS_FOR_SIMHASH = 80
# Dates printed by a mirror may be its re-post day; a day apart is the same story.
MAX_DAYS_APART = 1

MATCH_NEW = "new"
MATCH_HASH = "content_hash"
MATCH_SIMHASH = "simhash"


def band_values(simhash: int) -> tuple[int, ...]:
    mask = (1 << BAND_BITS) - 1
    return tuple((simhash >> (BAND_BITS * i)) & mask for i in range(BANDS))


def title_key(title: str | None) -> str | None:
    """Letters and digits of a title: mirrors re-punctuate and re-space headlines."""
    if not title:
        return None
    key = "".join(ch for ch in unicodedata.normalize("NFKC", title) if ch.isalnum())
    return key or None


_NOT_LETTERS = re.compile(r"[\W_]+")


def letter_count(text: str) -> int:
    """Letters and digits in `text` (what str.isalnum accepts), counted in C via the regex engine."""
    return len(_NOT_LETTERS.sub("", text))


@dataclass(frozen=True)
class Fingerprint:
    """What matching needs to know about one copy."""

    url: str
    article_id: str
    content_hash: str
    simhash: int
    title_key: str | None
    day: date | None
    letters: int

    @classmethod
    def of(cls, *, url: str, article_id: str, content_hash: str, simhash: int, title: str | None,
           published_at: datetime | None, body_letters: int) -> Fingerprint:  # fmt: skip
        return cls(url, article_id, content_hash, simhash, title_key(title),
                   published_at.date() if published_at else None, body_letters)  # fmt: skip


def same_story(a: Fingerprint, b: Fingerprint) -> bool:
    """Near text is only merged when the headline or the date agrees too (or neither copy has either)."""
    if a.title_key and a.title_key == b.title_key:
        return True
    if a.day and b.day and abs((a.day - b.day).days) <= MAX_DAYS_APART:
        return True
    return not (a.title_key or b.title_key or a.day or b.day)


class MirrorIndex:
    """Known copies by content hash and by SimHash band, for finding a new copy's article."""

    def __init__(self, known: Iterable[Fingerprint] = ()) -> None:
        self._by_hash: dict[str, Fingerprint] = {}
        self._by_title: dict[str, list[Fingerprint]] = defaultdict(list)
        self._by_band: list[dict[int, list[Fingerprint]]] = [defaultdict(list) for _ in range(BANDS)]
        for fingerprint in known:
            self.add(fingerprint)

    def add(self, fingerprint: Fingerprint) -> None:
        self._by_hash.setdefault(fingerprint.content_hash, fingerprint)
        if fingerprint.letters >= MIN_LETTERS_FOR_SIMHASH:
            if fingerprint.title_key:
                self._by_title[fingerprint.title_key].append(fingerprint)
            for band, value in zip(self._by_band, band_values(fingerprint.simhash)):
                band[value].append(fingerprint)

    def match(self, fingerprint: Fingerprint) -> tuple[str, str] | None:
        """(article_id, how) of the article this copy belongs to, or None for a new article."""
        exact = self._by_hash.get(fingerprint.content_hash)
        if exact is not None:
            return exact.article_id, MATCH_HASH
        if fingerprint.letters < MIN_LETTERS_FOR_SIMHASH:
            return None
        scored = []
        for known in self._by_title.get(fingerprint.title_key, ()) if fingerprint.title_key else ():
            distance = hamming(known.simhash, fingerprint.simhash)
            if distance <= MAX_DISTANCE_SAME_TITLE:
                scored.append((distance, known.article_id))
        for band, value in zip(self._by_band, band_values(fingerprint.simhash)):
            for known in band.get(value, ()):
                distance = hamming(known.simhash, fingerprint.simhash)
                if distance <= MAX_DISTANCE and same_story(known, fingerprint):
                    scored.append((distance, known.article_id))
        return (min(scored)[1], MATCH_SIMHASH) if scored else None


def new_article_id(url: str) -> str:
    """An article's id: from the URL of the copy that created it, so reloading the same pages gives the same ids.

    Fixed once assigned: it does not change when a better copy later becomes canonical.
    """
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def canonical_rank(*, is_mirror: bool, flags: Iterable[str] | None, first_seen: datetime, url: str) -> tuple:
    """Sort key of copies, best first: a non-mirror source, then an undamaged copy, then earliest seen.

    warehouse/load.py applies the same order in SQL (ROW_NUMBER ... ORDER BY).
    """
    return (bool(is_mirror), "mojibake" in (flags or ()), first_seen, url)
