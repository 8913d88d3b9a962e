"""Content fingerprints: an exact hash and a near-duplicate SimHash of the cleaned text.

Mirrors re-dress the same article with slightly different chrome, so exact
hashes miss them; a 64-bit SimHash over character shingles of the cleaned,
simplified text stays within a few bits across such copies.
"""

from __future__ import annotations

import hashlib
import unicodedata

SHINGLE = 3
_MASK64 = (1 << 64) - 1


def _letters(text: str) -> str:
    """Letters and digits only: punctuation and spacing vary between copies."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def content_hash(text: str) -> str:
    """SHA-256 of the letters of `text`, hex: equal for copies that differ only in punctuation."""
    return hashlib.sha256(_letters(text).encode("utf-8")).hexdigest()


def simhash64(text: str) -> int:
    """64-bit SimHash of the character 3-shingles of `text` (0 for empty text)."""
    letters = _letters(text)
    if not letters:
        return 0
    weights = [0] * 64
    shingles = {letters[i : i + SHINGLE] for i in range(max(len(letters) - SHINGLE + 1, 1))}
    for shingle in shingles:
        h = int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if (h >> bit) & 1 else -1
    value = 0
    for bit in range(64):
        if weights[bit] > 0:
            value |= 1 << bit
    return value & _MASK64


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()
