"""Property tests of the cleaning transforms: idempotent, never lose prose, never raise."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from extract.fields import PageFields
from transform import chrome, pinyin
from transform.chrome import is_chrome_line, is_page_number, metadata_line
from transform.clean import clean_article
from transform.headline import clean_headline, title_key
from transform.mojibake import repair_mojibake
from transform.normalise import NormalisedText, normalise_lines, normalise_text
from transform.pinyin import strip_pinyin
from transform.punctuation import normalise_punctuation, normalise_spaces, punctuate
from transform.removal import MOJIBAKE, PINYIN, PRIVATE_USE, Removal
from transform.script import to_simplified, to_simplified_lines
from transform.spam import strip_spam

# Text that looks like the pages: Han (simplified and traditional), both widths
# of punctuation, digits, Latin, pinyin vowels, separators, PUA, spaces.
_PAGE_CHARS = st.sampled_from(
    list("党员教育黨員長沙市县区天心街道工作组织的了是在和与")
    + list("，。、；：？！“”（）《》【】|,.:;?!()-_ 　")
    + list("0123456789abcxyzāǎàěíǒūǚ")
    + ["\ue42f", "\ue02d", "\ufffd", "\n", "\u00a0"]
)
page_text = st.text(_PAGE_CHARS, max_size=80)
any_text = st.text(max_size=80)
# No deadline: the first call builds the gazetteer and the OpenCC tables.
settings.register_profile("transforms", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("transforms")


@given(st.one_of(page_text, any_text))
def test_punctuation_idempotent(text: str) -> None:
    once = normalise_punctuation(text)
    assert normalise_punctuation(once) == once


@given(st.one_of(page_text, any_text))
def test_pinyin_idempotent(text: str) -> None:
    once, _ = strip_pinyin(text)
    assert strip_pinyin(once) == (once, [])


@given(st.one_of(page_text, any_text))
def test_script_idempotent(text: str) -> None:
    once = to_simplified(text)
    assert to_simplified(once) == once


@given(st.one_of(page_text, any_text))
def test_mojibake_idempotent(text: str) -> None:
    once = repair_mojibake(text).text
    again = repair_mojibake(once)
    assert again.text == once


@given(st.one_of(page_text, any_text))
def test_spam_idempotent(text: str) -> None:
    once = strip_spam(text).text
    assert strip_spam(once).text == once


@given(st.one_of(page_text, any_text))
def test_line_normalisation_idempotent(text: str) -> None:
    for line in text.splitlines() or [text]:
        once = normalise_text(line).text
        assert normalise_text(once).text == once


@given(st.one_of(page_text, any_text))
def test_headline_idempotent(text: str) -> None:
    once = clean_headline(text).title
    if once is not None:
        assert clean_headline(once).title == once


# Prose lines: Han words and commas, ending in a full stop; no colon, bar,
# bracket or file-name pattern, so no chrome/spam/metadata rule can apply.
_PROSE_CHARS = st.sampled_from(list("党员教育长沙市天心区街道工作组织学习群众服务活动开展推进建设") + list("，、0123456789"))
prose_line = st.builds(lambda s: "坚持" + s + "。", st.text(_PROSE_CHARS, min_size=2, max_size=60))


@given(st.lists(prose_line, min_size=1, max_size=12))
def test_prose_lines_never_removed(lines: list[str]) -> None:
    cleaned = clean_article(PageFields(url=None, title=None, published_at=None, blocks=lines))
    paragraphs = cleaned.body.split("\n")
    assert [title_key(p) for p in paragraphs] == [title_key(line) for line in lines]
    assert cleaned.removed == []


@given(
    st.one_of(st.none(), any_text, page_text),
    st.lists(st.one_of(any_text, page_text), max_size=8),
    st.lists(any_text, max_size=3),
)
def test_clean_article_never_raises(title: str | None, blocks: list[str], metadata: list[str]) -> None:
    cleaned = clean_article(
        PageFields(url=None, title=title, published_at=None, blocks=blocks, metadata_lines=metadata, editors=metadata)
    )
    assert isinstance(cleaned.body, str)
    assert "\n\n" not in cleaned.body


# --- batched forms equal the line-by-line forms ------------------------------
# Cleaning converts a page's lines in one OpenCC call and skips the mojibake and
# pinyin steps for a page without their signs; the result must not change.

# Traditional characters and phrases with one-to-many conversions (乾/干, 著/着, 後/后).
_TRAD_CHARS = st.sampled_from(list("乾隆乾燥著作顯著後來黨員長沙區網發展門戶麵條頭髮理髮") + list("，。 |?!()（）\ue42f"))
trad_line = st.text(_TRAD_CHARS, max_size=30)


@example(["乾", "燥", "乾隆", "乾燥"])
@given(st.lists(st.one_of(trad_line, page_text, any_text), max_size=8))
def test_script_lines_equal_line_by_line(lines: list[str]) -> None:
    assert to_simplified_lines(lines) == [to_simplified(line) for line in lines]


@given(st.lists(st.one_of(trad_line, page_text), max_size=8))
def test_normalise_lines_equal_line_by_line(lines: list[str]) -> None:
    lines = [line for line in lines if "\n" not in line]
    assert normalise_lines(lines) == [normalise_text(line) for line in lines]


@example("e，\u0301")  # a combining mark after a full-width comma stays off the letter
@example("ｶ？ﾞ")
@example("①，Ａ…２")
@given(st.one_of(page_text, any_text))
def test_title_key_keeps_exactly_the_alphanumerics(text: str) -> None:
    expected = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())
    assert title_key(text) == expected


@given(st.one_of(page_text, any_text))
def test_punctuate_after_spacing_equals_normalise_punctuation(text: str) -> None:
    assert punctuate(normalise_spaces(text)) == normalise_punctuation(text)


def _normalise_by_steps(raw: str) -> NormalisedText:
    """The four character-level steps applied to one line, one after the other, as documented."""
    mojibake = repair_mojibake(raw)
    text, annotations = strip_pinyin(mojibake.text)
    spaced = normalise_spaces(to_simplified(text))
    removed = (
        [Removal(MOJIBAKE, f) for f in mojibake.removed]
        + [Removal(PRIVATE_USE, g) for g in mojibake.private_use]
        + [Removal(PINYIN, a) for a in annotations]
    )
    return NormalisedText(punctuate(spaced), spaced, removed, mojibake.damaged)


@given(st.lists(st.one_of(trad_line, page_text, any_text), max_size=8))
def test_normalise_lines_equal_the_steps_line_by_line(lines: list[str]) -> None:
    assert normalise_lines(lines) == [_normalise_by_steps(line) for line in lines]


# --- fast paths equal the rules as written -----------------------------------
# Several steps skip work by a cheap test first, or use a pattern written for
# re's speed rather than for reading; each must agree with the plain rule.

_SPACE_RUN = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_ODD_CHARS = st.sampled_from(
    [ch for ch in map(chr, range(0x3001)) if ch.isspace() or not ch.isprintable()] + list("  党a，")
)


@given(st.one_of(st.text(_ODD_CHARS, max_size=12), page_text, any_text))
def test_normalise_spaces_equals_the_pattern(text: str) -> None:
    assert normalise_spaces(text) == _SPACE_RUN.sub(" ", text).strip()


_PAUSING, _OPENING, _CLOSING = "，。、；：？！…", "“‘（《【「『〈〔", "”’）》】」』〉〕"


def _rule_4(text: str) -> str:
    """Punctuation rule 4 read literally: a run of spaces goes when a pausing or
    closing mark follows it or a pausing or opening mark precedes it."""

    def drop(run: re.Match[str]) -> str:
        after = text[run.end() : run.end() + 1]
        before = text[run.start() - 1 : run.start()] if run.start() else ""
        return "" if (after and after in _PAUSING + _CLOSING) or (before and before in _PAUSING + _OPENING) else run[0]

    return re.sub(" +", drop, text)


_RULE_4_CHARS = st.sampled_from(list(_PAUSING + _OPENING + _CLOSING + "党员a1.-") + [" ", " ", "\u3000"])


@given(st.text(_RULE_4_CHARS, max_size=20))
def test_rule_4_alone_equals_its_reading(text: str) -> None:
    spaced = normalise_spaces(text)  # no half-width mark or parenthesis: only rule 4 applies
    assert punctuate(spaced) == _rule_4(spaced)


_PLAIN_ANNOTATION = re.compile(rf"(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])[(（](?P<syl>{pinyin._SYLLABLE})[)）]")
_PINYIN_CHARS = st.sampled_from(list("長沙區中党(（)）zhǎngqūgèaeiou 1"))


@given(st.one_of(st.text(_PINYIN_CHARS, max_size=20), page_text))
def test_pinyin_pattern_equals_the_lookbehind_reading(text: str) -> None:
    assert [m.span() for m in pinyin._ANNOTATION.finditer(text)] == [m.span() for m in _PLAIN_ANNOTATION.finditer(text)]


@given(st.text(st.sampled_from(list("0123456789٠١٢３４a ")), max_size=5))
def test_page_number_is_one_to_three_decimal_digits(line: str) -> None:
    assert is_page_number(line) == (re.fullmatch(r"\d{1,3}", line) is not None)


# Lines each byline or dateline pattern matches, no longer than such a line
# may be (built once: building a regex strategy per example is slow).
_METADATA_RULE_LINES = {
    pattern.pattern: st.from_regex(pattern, fullmatch=True).filter(lambda line: len(line) <= 90)
    for pattern in (chrome._EDITOR_LINE, chrome._OTHER_META, chrome._DATELINE)
}


@pytest.mark.parametrize("rule", list(_METADATA_RULE_LINES))
@settings(max_examples=50)
@given(data=st.data())
def test_every_byline_rule_passes_the_prefilter(rule: str, data: st.DataObject) -> None:
    """A line a byline or dateline pattern matches is metadata: the first-character test never turns one away."""
    assert metadata_line(data.draw(_METADATA_RULE_LINES[rule])) is not None


# Lines each chrome rule matches, no longer than a chrome line may be.
_CHROME_RULE_LINES = {
    rule: st.from_regex(rule, fullmatch=True).filter(lambda line: len(line) <= 80)
    for rule in [*chrome._CHROME_LINES, chrome._BREADCRUMB.pattern]
}


@pytest.mark.parametrize("rule", list(_CHROME_RULE_LINES))
@settings(max_examples=50)
@given(data=st.data())
def test_every_chrome_rule_passes_the_prefilters(rule: str, data: st.DataObject) -> None:
    """A line any rule matches is chrome: the cheap tests run first never turn one away."""
    assert is_chrome_line(data.draw(_CHROME_RULE_LINES[rule]))
