from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from transform.fingerprint import SHINGLE, _letters, content_hash, hamming, simhash64


def reference_simhash(text: str) -> int:
    """The definition, bit by bit: the fast version must agree with it exactly."""
    letters = _letters(text)
    if not letters:
        return 0
    shingles = {letters[i : i + SHINGLE] for i in range(max(len(letters) - SHINGLE + 1, 1))}
    weights = [0] * 64
    for shingle in shingles:
        h = int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x9FFF), max_size=400))
def test_simhash_matches_its_definition(text: str) -> None:
    assert simhash64(text) == reference_simhash(text)


def test_copies_differing_in_punctuation_and_chrome_stay_close() -> None:
    body = "长沙市天心区文源街道党工委所辖基层党组织55个，直管党员1362名。" * 8
    assert content_hash(body) == content_hash(body.replace("，", " , "))
    assert hamming(simhash64(body), simhash64(body + "责编：张三")) <= 10
    assert hamming(simhash64(body), simhash64("株洲市石峰区开展主题党日活动300余场，受众8600余人次。" * 8)) > 10
