"""Content fingerprints: an exact hash and a near-duplicate SimHash of the cleaned text.

Mirrors re-dress the same article with slightly different chrome, so exact
hashes miss them; a 64-bit SimHash over character shingles of the cleaned,
simplified text stays within a few bits across such copies.
"""

from __future__ import annotations

import hashlib
import unicodedata

SHINGLE = 3


def _letters(text: str) -> str:
    """Letters and digits only: punctuation and spacing vary between copies."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def content_hash(text: str) -> str:
    """SHA-256 of the letters of `text`, hex: equal for copies that differ only in punctuation."""
    return hashlib.sha256(_letters(text).encode("utf-8")).hexdigest()


# Bit counting without a 64-step Python loop per shingle: each digest byte is
# looked up in a table that spreads its 8 bits into 8 lanes of a big integer
# (one lane per hash bit, 32 bits wide), so one addition per byte counts the
# ones of every bit at once. Same result as counting bit by bit, ~4x faster.
_LANE = 32
_LANE_MASK = (1 << _LANE) - 1
_SPREAD = tuple(
    tuple(sum(1 << (_LANE * (8 * k + j)) for j in range(8) if byte >> j & 1) for byte in range(256))
    for k in range(8)
)


def simhash64(text: str) -> int:
    """64-bit SimHash of the character 3-shingles of `text` (0 for empty text).

    Bit b of the result is set when more than half of the distinct shingles'
    BLAKE2b-64 hashes have bit b set.
    """
    letters = _letters(text)
    if not letters:
        return 0
    shingles = {letters[i : i + SHINGLE] for i in range(max(len(letters) - SHINGLE + 1, 1))}
    s0, s1, s2, s3, s4, s5, s6, s7 = _SPREAD
    total = 0
    for shingle in shingles:
        d = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()  # big-endian: d[7] holds bits 0-7
        total += s0[d[7]] + s1[d[6]] + s2[d[5]] + s3[d[4]] + s4[d[3]] + s5[d[2]] + s6[d[1]] + s7[d[0]]
    half = len(shingles)
    value = 0
    for bit in range(64):
        if 2 * (total >> (_LANE * bit) & _LANE_MASK) > half:
            value |= 1 << bit
    return value


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()
