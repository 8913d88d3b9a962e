from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transform.fingerprint import (
    _PLAIN_PUNCTUATION, SHINGLE, content_hash, fingerprints, hamming, letters_of, shingle_hash, simhash64,
)  # fmt: skip


def reference_letters(text: str) -> str:
    """The definition the fast letters_of follows."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def reference_simhash(text: str) -> int:
    """The definition, shingle by shingle and bit by bit: the column-wise version must agree with it exactly."""
    letters = letters_of(text)
    if not letters:
        return 0
    shingles = [letters[i : i + SHINGLE] for i in range(max(len(letters) - SHINGLE + 1, 1))]
    weights = [0] * 64
    for shingle in shingles:
        h = shingle_hash(shingle)
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


# Text as the cleaner leaves it: Han, Latin, digits, full-width and ASCII punctuation, spacing.
_CLEANED_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
        st.sampled_from("，。、；：？！“”（）《》【】…　\n①㈠ｶﾞ"),
    ),
    max_size=400,
)


@settings(max_examples=300, deadline=None)
@given(_CLEANED_TEXT)
def test_simhash_matches_its_definition(text: str) -> None:
    assert simhash64(text) == reference_simhash(text)


@settings(max_examples=300, deadline=None)
@given(_CLEANED_TEXT)
def test_letters_match_nfkc_alnum(text: str) -> None:
    assert letters_of(text) == reference_letters(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200))
def test_letters_match_nfkc_alnum_on_any_text(text: str) -> None:
    assert letters_of(text) == reference_letters(text)


@pytest.mark.parametrize(
    "text",
    [
        "ｶ:ﾞ",  # NFKC turns ﾞ into a combining mark: the colon keeps it off the ｶ
        "e:\u0316\u0301",  # the acute would compose with e past the grave below
        "\u1100,\u1161",  # Hangul jamo compose once the comma is gone
        "a，\u0301b",
    ],
)
def test_letters_keep_marks_apart_where_punctuation_stood(text: str) -> None:
    assert letters_of(text) == reference_letters(text)


@given(st.text(max_size=300))
def test_fingerprints_never_raise_and_agree(text: str) -> None:
    both = fingerprints(text)
    assert both.content_hash == content_hash(text)
    assert both.simhash == simhash64(text)


def test_plain_punctuation_can_be_dropped_before_nfkc() -> None:
    """Each character dropped first is no letter, folds to no letter, and combines with nothing."""
    for char in _PLAIN_PUNCTUATION:
        assert not char.isalnum(), char
        assert not any(c.isalnum() for c in unicodedata.normalize("NFKC", char)), char
        assert unicodedata.combining(char) == 0, char


def test_fingerprints_are_stable_across_processes() -> None:
    """Stored in the warehouse and compared across runs: fixed values, not Python's salted str hash."""
    body = "长沙市天心区文源街道党工委所辖基层党组织55个，直管党员1362名。"
    assert content_hash(body) == "7b4c6679bc39cb769431ea5a9682b544b1aac56b7b80c5a6f1f4ac8fdda8b32d"
    assert simhash64(body) == 0x781AE0AB9A3C11AA


def test_copies_differing_in_punctuation_and_chrome_stay_close() -> None:
    body = "长沙市天心区文源街道党工委所辖基层党组织55个，直管党员1362名。" * 8
    assert content_hash(body) == content_hash(body.replace("，", " , "))
    assert content_hash(body) == content_hash(body.replace("55", "５５"))
    assert hamming(simhash64(body), simhash64(body + "责编：张三")) <= 10
    assert hamming(simhash64(body), simhash64("株洲市石峰区开展主题党日活动300余场，受众8600余人次。" * 8)) > 10
