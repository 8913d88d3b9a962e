"""Content fingerprints: an exact hash and a near-duplicate SimHash of the cleaned text.

Mirrors re-dress the same article with slightly different chrome, so exact
hashes miss them; a 64-bit SimHash over character shingles of the cleaned,
simplified text stays within a few bits across such copies.

Both are computed for every page, so they are written to run at C speed:
no Python-level step per character or per shingle beyond building the set
of distinct shingles.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

SHINGLE = 3

# `\w` is exactly str.isalnum() plus the underscore.
_NOT_LETTER = re.compile(r"[\W_]+")

# Punctuation and spacing that is common in the text and that NFKC can neither
# turn into a letter nor compose with a neighbour (none is a combining mark;
# `test_fingerprint` checks both). Dropping these first leaves mostly Han
# characters, which NFKC leaves alone, so the costly normalisation is usually
# skipped: the quick check says the rest is already normal.
_PLAIN_PUNCTUATION = (
    "，。、；：？！“”‘’（）《》〈〉【】〔〕「」『』—–―…·•．～　 \t\r\n\u00a0"
    + "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum())
    + "".join(chr(c) for c in range(0xFF01, 0xFF5F) if not chr(c - 0xFEE0).isalnum())
)
_PLAIN_PUNCTUATION_RUN = re.compile("[" + re.escape(_PLAIN_PUNCTUATION) + "]+")


def letters_of(text: str) -> str:
    """Letters and digits only, NFKC-folded: punctuation, spacing and full-width forms vary between copies.

    Exactly the str.isalnum() characters of NFKC(text). Dropping the plain
    punctuation first is safe when what is left is already in NFKC form: had
    the removal let two neighbours compose, it would not be. Otherwise
    (full-width digits, ①, a mark such as ﾞ that NFKC turns into a combining
    one) the whole text is folded as it was, as in ｶ:ﾞ, where the colon keeps
    the mark off the ｶ.
    """
    letters = _PLAIN_PUNCTUATION_RUN.sub("", text)
    if not unicodedata.is_normalized("NFKC", letters):
        letters = unicodedata.normalize("NFKC", text)
    return _NOT_LETTER.sub("", letters)


@dataclass(frozen=True)
class Fingerprints:
    content_hash: str
    simhash: int


def fingerprints(text: str) -> Fingerprints:
    """Both fingerprints of `text`, folding it to letters once."""
    letters = letters_of(text)
    return Fingerprints(_sha256_hex(letters), _simhash_of_letters(letters))


def content_hash(text: str) -> str:
    """SHA-256 of the letters of `text`, hex: equal for copies that differ only in punctuation."""
    return _sha256_hex(letters_of(text))


def simhash64(text: str) -> int:
    """64-bit SimHash of the character 3-shingles of `text` (0 for text without letters).

    Bit b of the result is set when more than half of the shingles (every
    position, so a repeated shingle counts each time: Charikar's weighting
    by frequency) have bit b set in their hash. A shingle's hash is simple
    tabulation hashing: one random 64-bit word per (position in the shingle,
    character), XORed together.
    """
    return _simhash_of_letters(letters_of(text))


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def _sha256_hex(letters: str) -> str:
    return hashlib.sha256(letters.encode("utf-8")).hexdigest()


class _CharWords(dict):
    """Character -> its random words, one 8-byte word per shingle position, derived on first use.

    Derived from BLAKE2b of the character, so they are the same in every
    process and every run (Python's own str hash is not).
    """

    # Past this many characters, words are derived without being kept: a page
    # of random Unicode must not grow the table without bound.
    LIMIT = 1 << 16

    def __missing__(self, char: str) -> bytes:
        words = hashlib.blake2b(char.encode("utf-8", "surrogatepass"), digest_size=_WORD * SHINGLE,
                                person=b"dangjian-simhash").digest()  # fmt: skip
        if len(self) < self.LIMIT:
            self[char] = words
        return words


_WORD = 8
_WORDS = _CharWords()


def shingle_hash(shingle: str) -> int:
    """The 64-bit hash of one shingle (up to SHINGLE characters): the definition the fast path computes."""
    value = 0
    for position, char in enumerate(shingle):
        value ^= int.from_bytes(_WORDS[char][_WORD * position : _WORD * (position + 1)], "big")
    return value


def _simhash_of_letters(letters: str) -> int:
    if not letters:
        return 0
    if len(letters) < SHINGLE:
        return shingle_hash(letters)  # one shingle: every bit is its own majority
    count = len(letters) - SHINGLE + 1
    # Column by column instead of shingle by shingle: `words` holds each
    # character's words end to end, so words[stride*i + 8*p + k] is byte k of
    # character i's word for shingle position p, and the step slice
    # words[8*p + k :: stride] is that byte for every character. Byte k of all
    # the shingle hashes is then three such columns, offset by the position and
    # XORed as big integers; its bit j is counted with one AND and bit_count.
    stride = _WORD * SHINGLE
    words = b"".join(map(_WORDS.__getitem__, letters))
    low_bits = int.from_bytes(b"\x01" * count, "big")  # bit 0 of every byte of a column
    masks = [low_bits << j for j in range(8)]
    value = 0
    for k in range(_WORD):
        column = 0
        for position in range(SHINGLE):
            bytes_k = words[_WORD * position + k :: stride]
            column ^= int.from_bytes(bytes_k[position : position + count], "big")
        for j, mask in enumerate(masks):
            if 2 * (column & mask).bit_count() > count:
                value |= 1 << (8 * (_WORD - 1 - k) + j)  # byte 0 is the most significant (big-endian)
    return value
