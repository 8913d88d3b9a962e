"""The JSON form of an ArticleRecord: the `dangjian extract --json` contract.

Contract keys (never removed or renamed): url, title, published_at, source,
author, body, numbers (value, unit, qualifier, text, ...), flags. Everything
else here is an extension.
"""

from __future__ import annotations

from dataclasses import asdict

from transform.article import ArticleRecord


def record_to_json(record: ArticleRecord) -> dict[str, object]:
    cleaned = record.cleaned
    return {
        "url": record.url,
        "title": cleaned.title,
        "published_at": cleaned.published_at.isoformat() if cleaned.published_at else None,
        "source": cleaned.source,
        "author": cleaned.author,
        "editors": list(cleaned.editors),
        "body": cleaned.body,
        "numbers": [asdict(figure) for figure in record.figures],
        "flags": list(cleaned.flags),
        "locality": asdict(record.locality),
        "removed": [{"kind": r.kind, "text": r.text} for r in cleaned.removed],
        "encoding": record.encoding,
        "content_hash": record.content_hash,
        "cleaner_version": record.cleaner_version,
    }
