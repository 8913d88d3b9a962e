"""The page pipeline without orchestration: bytes -> decoded HTML -> fields -> cleaned article -> record.

Both `dangjian extract` and the Prefect flows call this, so a page comes out
the same whichever way it went in. Nothing here does I/O.
"""

from __future__ import annotations

from extract.charset import decode_html
from extract.archive import FETCHED, FetchedPage
from extract.fields import FieldSelectors, extract_fields
from extract.sources import SourceProfile
from transform.article import ArticleRecord, ProcessedPage
from transform.clean import CLEANER_VERSION, clean_article
from transform.fingerprint import fingerprints
from transform.locality import locate
from transform.numbers import extract_figures

HTML_TYPES = ("text/html", "application/xhtml+xml")


class NotAnArticle(ValueError):
    """The page holds no article text we can read; the message says why."""


def selectors_for(profile: SourceProfile | None) -> FieldSelectors | None:
    if profile is None or not (profile.title_selector or profile.body_selector or profile.date_selector):
        return None
    return FieldSelectors(title=profile.title_selector, body=profile.body_selector, date=profile.date_selector)


def process_bytes(
    body: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    profile: SourceProfile | None = None,
) -> ArticleRecord:
    """Run one page's bytes through decode, extract, clean, figures and locality."""
    if not body.strip():
        raise NotAnArticle("the page is empty")
    decoded = decode_html(body, content_type, hint=profile.encoding if profile else None)
    fields = extract_fields(decoded.text, url, selectors=selectors_for(profile))
    cleaned = clean_article(fields)
    if not cleaned.body.strip():
        raise NotAnArticle("no article body found")
    prints = fingerprints(cleaned.body)
    return ArticleRecord(
        url=url,
        source_name=profile.name if profile else None,
        cleaned=cleaned,
        figures=extract_figures(cleaned.body),
        locality=locate(cleaned.title, cleaned.body, cleaned.source),
        content_hash=prints.content_hash,
        simhash=prints.simhash,
        encoding=decoded.encoding,
        cleaner_version=CLEANER_VERSION,
    )


def process_page(page: FetchedPage, profile: SourceProfile | None = None) -> ProcessedPage:
    """Process a fetched page; any failure becomes the page's recorded error, never an exception."""
    if page.outcome != FETCHED:
        return ProcessedPage(page=page, error=page.error)
    try:
        record = process_bytes(
            page.body,
            url=page.final_url or page.requested_url,
            content_type=page.content_type,
            profile=profile,
        )
    except NotAnArticle as exc:
        return ProcessedPage(page=page, error=f"not an article: {exc}")
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop a run; the error is stored with it
        return ProcessedPage(page=page, error=f"processing failed: {type(exc).__name__}: {exc}")
    return ProcessedPage(page=page, record=record)
