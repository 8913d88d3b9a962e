"""Every sample page, through decode -> extract -> clean, yields exactly its authored article."""

from __future__ import annotations

import pytest

from dangjian.pipeline import process_bytes
from samplesites.catalog import SITES_DIR, SampleArticle, load_articles

CASES = [(article, copy) for article in load_articles() for copy in article.copies]


def _page_bytes(path: str) -> bytes:
    return (SITES_DIR / path.lstrip("/")).read_bytes()


@pytest.mark.parametrize(("article", "copy"), CASES, ids=lambda v: getattr(v, "id", None) or getattr(v, "site", ""))
def test_sample_page_yields_its_article(article: SampleArticle, copy) -> None:
    record = process_bytes(_page_bytes(copy.path), url="http://sample" + copy.path)
    cleaned = record.cleaned
    assert cleaned.body == article.body
    assert cleaned.published_at is not None and cleaned.published_at.date() == article.published_at.date()
    if copy.title_damaged:
        # The shifted bytes lost the first character's lead byte: what remains is
        # repaired, the lost character cannot be, and the damage is flagged.
        assert "mojibake" in cleaned.flags
        assert cleaned.title in (article.title, article.title.replace(article.mojibake, article.mojibake[1:]))
    else:
        assert cleaned.title == article.title
