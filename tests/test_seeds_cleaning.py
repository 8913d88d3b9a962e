"""The five real seed pages, cleaned: what must stay, what must go.

Each seed (read at test time from ../shared/seeds; never copied here) is
wrapped as a page: the headline line in <h1>, every other non-empty line as
<p>. It then goes through extract.fields.extract_fields and clean_article
(the end-to-end path), and also straight into clean_article as hand-built
PageFields with every non-title line as a block (the cleaner alone must
then make every decision).

Expectations are written as line numbers of the seed's non-empty lines,
checked by hand: which lines are body, which must go. A body line is found in
the cleaned body by its first and last four letters after simplification.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from extract.fields import PageFields, extract_fields
from transform.clean import CleanedArticle, clean_article
from transform.headline import title_key
from transform.pinyin import strip_pinyin
from transform.removal import CHROME, METADATA, MOJIBAKE, SPAM
from transform.script import to_simplified


@dataclass(frozen=True)
class Seed:
    prefix: str
    title_line: int
    body: list[int]
    gone: list[int]
    title_start: str
    title_end: str
    published_at: datetime | None
    figures: list[str] = field(default_factory=list)
    spam_line: int | None = None
    source: str | None = None
    editors: list[str] = field(default_factory=list)
    mojibake: bool = False
    # Body lines the extractor leaves out of `blocks` (its head-zone reading), see test_extractor_keeps_*.
    extractor_drops: list[int] = field(default_factory=list)


SEEDS = [
    Seed(
        "000", 3, [4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], [0, 1, 2, 5, 16, 17, 18, 19, 20, 21, 22],
        "泸州市江阳区", "党群服务体系", None, ["2000", "3000", "200"],
        editors=["州委组织部党员教育中心"],
    ),
    Seed(
        "001", 0, [2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20, 22], [1, 3, 14, 21, 24, 25, 26, 27, 28],
        "长沙市天心区", "走深走实", datetime(2024, 1, 9, 18, 54), ["1362", "9500", "58", "109", "3000"],
        spam_line=29, source="红星网", mojibake=True,
    ),
    Seed(
        "002", 1, [4, *range(5, 26)], [0, 2, 3, 26, 27, 28, 29, 30],
        "新疆兵团第八师", "战斗堡垒作用", datetime(2018, 10, 31, 13, 58), ["1993", "3724", "8537", "448"],
        editors=["黄瑾", "乔业琼"],
    ),
    Seed(
        "003", 0, [2, 3, 4, 5, 6, 7, 8], [1, 10, 11, 12, 13, 14],
        "株洲市石峰区", "主题党日活动", datetime(2024, 9, 26, 17, 3), ["300", "800", "8600", "450", "900"],
        spam_line=15, source="红星网",
    ),
    Seed(
        "004", 0, [2, 3, 4, 5, 6, 7, 8, 9, 10], [1, *range(11, 21)],
        "金山区石化街道", "红色服务初心", None, ["1+26+10", "8+3", "40"],
        source="金山区委组织部",
    ),
]  # fmt: skip

_TONE = re.compile("[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]")
_PUA = re.compile("[\ue000-\uf8ff]")
# A leading （credit） or 【copy of the headline】 is not part of the paragraph's text.
_LEADING_MARK = re.compile(r"^(?:\([^)]*网\)|（[^）]*网）|【[^】]*[|｜][^】]*】)")


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _seed_path(seeds_dir: Path, seed: Seed) -> Path:
    matches = sorted(seeds_dir.glob(f"{seed.prefix}_*.txt"))
    if not matches:
        pytest.skip(f"../shared not present: seed {seed.prefix} missing from {seeds_dir}")
    return matches[0]


def _page(lines: list[str], title_line: int) -> str:
    parts = ["<html><body>"]
    for i, line in enumerate(lines):
        tag = "h1" if i == title_line else "p"
        parts.append(f"<{tag}>{html.escape(line)}</{tag}>")
    parts.append("</body></html>")
    return "".join(parts)


def _key(line: str) -> str:
    return title_key(to_simplified(strip_pinyin(line)[0]))


def _ends(line: str) -> tuple[str, str]:
    """First and last four letters of a seed line as the cleaned body should hold them."""
    rest = _LEADING_MARK.sub("", line, count=1)
    key = _key(rest) or _key(line)
    return key[:4], key[-4:]


def _end_to_end(lines: list[str], seed: Seed) -> CleanedArticle:
    return clean_article(extract_fields(_page(lines, seed.title_line)))


def _hand_built(lines: list[str], seed: Seed) -> CleanedArticle:
    blocks = [line for i, line in enumerate(lines) if i != seed.title_line]
    return clean_article(PageFields(url=None, title=lines[seed.title_line], published_at=seed.published_at, blocks=blocks))


@pytest.fixture(params=SEEDS, ids=[s.prefix for s in SEEDS])
def seed(request: pytest.FixtureRequest) -> Seed:
    return request.param


@pytest.fixture(params=["end_to_end", "hand_built"])
def path(request: pytest.FixtureRequest) -> str:
    return request.param


def _cleaned(seeds_dir: Path, seed: Seed, path: str) -> tuple[list[str], CleanedArticle]:
    lines = _lines(_seed_path(seeds_dir, seed))
    cleaned = _end_to_end(lines, seed) if path == "end_to_end" else _hand_built(lines, seed)
    return lines, cleaned


def _expected_body(seed: Seed, path: str) -> list[int]:
    if path == "end_to_end":
        return [i for i in seed.body if i not in seed.extractor_drops]
    return seed.body


def test_body_paragraphs_kept_in_order(seeds_dir: Path, seed: Seed, path: str) -> None:
    lines, cleaned = _cleaned(seeds_dir, seed, path)
    paragraphs = cleaned.body.split("\n")
    expected = _expected_body(seed, path)
    assert len(paragraphs) == len(expected)
    for paragraph, index in zip(paragraphs, expected, strict=True):
        head, tail = _ends(lines[index])
        key = title_key(paragraph)
        assert key.startswith(head), (index, head, paragraph[:30])
        assert key.endswith(tail), (index, tail, paragraph[-30:])


def test_figures_survive(seeds_dir: Path, seed: Seed, path: str) -> None:
    _, cleaned = _cleaned(seeds_dir, seed, path)
    for figure in seed.figures:
        assert figure in cleaned.body, figure


def test_chrome_and_metadata_lines_gone(seeds_dir: Path, seed: Seed, path: str) -> None:
    lines, cleaned = _cleaned(seeds_dir, seed, path)
    body_key = title_key(cleaned.body)
    for index in seed.gone:
        key = _key(lines[index])
        assert key not in body_key, (index, lines[index][:30])
    if path == "hand_built":
        recorded = {title_key(r.text) for r in cleaned.removed if r.kind in (CHROME, METADATA)}
        for index in seed.gone:
            if index != 1 or seed.prefix != "004":  # 004's line 1 is the 原题为 copy, checked below
                assert _key(lines[index]) in recorded, (index, lines[index][:30])


def test_spam_tokens_gone(seeds_dir: Path, seed: Seed, path: str) -> None:
    if seed.spam_line is None:
        pytest.skip("no spam run in this seed")
    lines, cleaned = _cleaned(seeds_dir, seed, path)
    tokens = [t.strip() for t in lines[seed.spam_line].split("|") if t.strip()]
    assert len(tokens) == 41
    for token in tokens:
        assert f"{token}|" not in cleaned.body and not cleaned.body.endswith(token), token
    spam = [r for r in cleaned.removed if r.kind == SPAM]
    assert len(spam) == 1 and all(t in spam[0].text for t in tokens)


def test_title_date_and_byline(seeds_dir: Path, seed: Seed, path: str) -> None:
    _, cleaned = _cleaned(seeds_dir, seed, path)
    assert cleaned.title is not None
    assert cleaned.title.startswith(seed.title_start) and cleaned.title.endswith(seed.title_end), cleaned.title
    assert cleaned.title == to_simplified(cleaned.title)
    if path == "end_to_end":
        assert cleaned.published_at == seed.published_at
        if seed.source:
            assert cleaned.source == seed.source
        assert cleaned.editors == seed.editors
    else:
        assert set(seed.editors) <= set(cleaned.editors)


def test_no_annotations_or_damage_left(seeds_dir: Path, seed: Seed, path: str) -> None:
    _, cleaned = _cleaned(seeds_dir, seed, path)
    text = (cleaned.title or "") + "\n" + cleaned.body
    assert not _TONE.search(text)
    assert not _PUA.search(text)
    assert "?" not in text
    assert cleaned.body == to_simplified(cleaned.body)
    assert cleaned.flags == (["mojibake"] if seed.mojibake else [])


def test_seed_001_mojibake_repaired(seeds_dir: Path) -> None:
    seed = SEEDS[1]
    _, cleaned = _cleaned(seeds_dir, seed, "end_to_end")
    assert "“三篇文章”" in (cleaned.title or "")
    assert "总体规划" in cleaned.body  # 校 before it lost its lead byte: removed, not guessed
    assert "“源课堂”" in cleaned.body
    damaged = [r for r in cleaned.removed if r.kind == MOJIBAKE]
    assert len(damaged) == 4  # the title's stray `?`, its shifted run, and two in the body


def test_seed_004_headline_copies(seeds_dir: Path) -> None:
    seed = SEEDS[4]
    _, cleaned = _cleaned(seeds_dir, seed, "end_to_end")
    assert "|" not in (cleaned.title or "")
    assert "原题" not in cleaned.body and "【" not in cleaned.body
    assert [r.kind for r in cleaned.removed].count("duplicate_title") == 2
    assert cleaned.body.startswith("自“四史”")


def test_seed_002_org_byline_is_author(seeds_dir: Path) -> None:
    _, cleaned = _cleaned(seeds_dir, SEEDS[2], "hand_built")
    assert cleaned.author is not None and cleaned.author.endswith("街道党委")


def test_extractor_keeps_lines_under_headline(seeds_dir: Path) -> None:
    """The subtitle (line 4) and the 【背景】 section head (line 6) sit between the
    headline and the first paragraph, around a 来源 line: they are body, in order."""
    seed = SEEDS[0]
    lines, cleaned = _cleaned(seeds_dir, seed, "end_to_end")
    paragraphs = cleaned.body.split("\n")
    assert title_key(paragraphs[0]) == _key(lines[4])
    assert title_key(paragraphs[1]) == _key(lines[6])
    assert not any(_key(lines[5]) == title_key(p) for p in paragraphs)  # the 来源 line between them
