"""Writing one Batch inside an open transaction: archive, copies, mirror merging, articles, figures.

Every write is set-based (INSERT ... SELECT from the batch's registered Arrow
tables, UPDATE ... FROM them); Python only decides, per URL, whether a row is
new, changed, unchanged or stale, and which article a new copy belongs to.
Re-loading the same batch rewrites rows with identical contents, so a second
identical ingest changes nothing but run bookkeeping (last_seen, last_run_id).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from warehouse.batch import Batch, LoadStats
from warehouse.mirrors import (
    MATCH_NEW, Fingerprint, MirrorIndex, band_values, canonical_rank, letter_count, new_article_id, title_key,
)  # fmt: skip

_LETTERS_SQL = "length(regexp_replace(body, '[^\\p{L}\\p{N}]', '', 'g'))"
_BAD_OUTCOMES = ("failed", "skipped")

# Batch tables are registered under these names for the statements below.
_VIEWS = {"fetches": "b_fetches", "pages": "b_pages", "copies": "b_copies", "removed": "b_removed"}


@dataclass(frozen=True)
class _Existing:
    outcome: str
    body_sha256: str | None
    status: int | None
    fetched_at: datetime


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def _register(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict], schema: pa.Schema) -> None:
    con.register(name, pa.Table.from_pylist(rows, schema=schema))


def _page_action(new: dict, old: _Existing | None) -> str:
    """replace | touch | keep: what a newly archived fetch does to the URL's archived row.

    A body is never overwritten by a failure (the failure is still logged in
    `fetches`), an older fetch never overwrites a newer one (a staged batch
    loaded late), and an identical body only refreshes bookkeeping.
    """
    if old is None:
        return "replace"
    if new["fetched_at"] < old.fetched_at:
        return "keep"
    same = (old.outcome, old.body_sha256, old.status) == (new["outcome"], new["body_sha256"], new["status"])
    if same and (new["outcome"] == "fetched" or new["fetched_at"] == old.fetched_at):
        return "touch"
    if new["outcome"] == "fetched":
        return "replace"
    if new["outcome"] == "not_modified":
        return "touch"
    return "replace" if old.outcome in _BAD_OUTCOMES else "keep"


def _upsert_sources(con: duckdb.DuckDBPyConnection, now: datetime, mirror_sources: set[str] | None) -> set[str]:
    """Add the batch's unknown sources; apply `mirror_sources` when given. Returns sources whose flag changed."""
    names = {r[0] for r in _rows(con, "SELECT DISTINCT source_name FROM b_pages WHERE source_name IS NOT NULL")}
    known = dict(_rows(con, "SELECT source_name, is_mirror FROM sources"))
    fresh = [{"source_name": n, "is_mirror": bool(mirror_sources and n in mirror_sources)} for n in sorted(names - set(known))]
    if fresh:
        _register(con, "b_sources", fresh, pa.schema([("source_name", pa.string()), ("is_mirror", pa.bool_())]))
        con.execute("INSERT INTO sources (source_name, is_mirror, registered_at) SELECT source_name, is_mirror, ? FROM b_sources", [now])
    changed = set()
    if mirror_sources is not None:
        changed = {n for n in names & set(known) if known[n] != (n in mirror_sources)}
        for name in sorted(changed):
            con.execute("UPDATE sources SET is_mirror = ? WHERE source_name = ?", [name in mirror_sources, name])
    return changed


def _write_pages(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    existing = {
        url: _Existing(outcome, sha, status, fetched_at)
        for url, outcome, sha, status, fetched_at in _rows(con, """
            SELECT p.url, p.outcome, p.body_sha256, p.status, p.fetched_at
            FROM pages p JOIN b_pages b USING (url)""")
    }
    actions = [
        {"url": row["url"], "action": _page_action(row, existing.get(row["url"]))}
        for row in batch.pages.select(["url", "outcome", "body_sha256", "status", "fetched_at"]).to_pylist()
    ]
    _register(con, "b_page_actions", actions, pa.schema([("url", pa.string()), ("action", pa.string())]))
    con.execute("DELETE FROM pages WHERE url IN (SELECT url FROM b_page_actions WHERE action = 'replace')")
    con.execute("""
        INSERT INTO pages BY NAME
        SELECT b.*, b.fetched_at AS last_seen, b.run_id AS last_run_id
        FROM b_pages b JOIN b_page_actions a USING (url) WHERE a.action = 'replace'""")
    con.execute("""
        UPDATE pages SET
            last_seen = greatest(pages.last_seen, b.fetched_at),
            last_run_id = b.run_id,
            process_error = CASE WHEN b.outcome = 'fetched' THEN b.process_error ELSE pages.process_error END
        FROM b_pages b JOIN b_page_actions a USING (url)
        WHERE pages.url = b.url AND a.action = 'touch'""")


@dataclass
class _CopyPlan:
    """Per-copy decisions for the batch: rows to (re)write with their article, rows only seen again."""

    written: list[dict]
    touched: list[str]
    affected: set[str]
    seen_again: set[str]
    merged: int


def _candidates(con: duckdb.DuckDBPyConnection, new_rows: list[dict]) -> list[Fingerprint]:
    """Stored copies that may be the same article as a new copy: same content hash or a shared SimHash band."""
    if not new_rows:
        return []
    keys = []
    for row in new_rows:
        bands = band_values(row["simhash"])
        keys.append({"content_hash": row["content_hash"], "title_key": title_key(row["title"]),
                     **{f"b{i}": v for i, v in enumerate(bands)}})  # fmt: skip
    schema = pa.schema([("content_hash", pa.string()), ("title_key", pa.string())]
                       + [(f"b{i}", pa.uint64()) for i in range(len(bands))])  # fmt: skip
    _register(con, "b_keys", keys, schema)
    band_terms = " OR ".join(
        f"((c.simhash >> {16 * i}) & 65535::UBIGINT) IN (SELECT b{i} FROM b_keys)" for i in range(len(bands))
    )
    rows = _rows(con, f"""
        SELECT c.url, c.article_id, c.content_hash, c.simhash, c.title, c.published_at, {_LETTERS_SQL}
        FROM article_copies c
        WHERE c.content_hash IN (SELECT content_hash FROM b_keys)
           OR c.title_key IN (SELECT title_key FROM b_keys) OR {band_terms}
        ORDER BY c.url""")
    return [
        Fingerprint.of(url=u, article_id=a, content_hash=h, simhash=s, title=t, published_at=p, body_letters=n)
        for u, a, h, s, t, p, n in rows
    ]


def _fingerprint(row: dict, article_id: str) -> Fingerprint:
    return Fingerprint.of(
        url=row["url"], article_id=article_id, content_hash=row["content_hash"], simhash=row["simhash"],
        title=row["title"], published_at=row["published_at"], body_letters=letter_count(row["body"]),
    )


def _plan_copies(con: duckdb.DuckDBPyConnection, batch: Batch) -> _CopyPlan:
    existing = {
        r[0]: {"article_id": r[1], "digest": r[2], "fetched_at": r[3], "first_seen": r[4], "last_seen": r[5],
               "matched_by": r[6]}
        for r in _rows(con, """
            SELECT c.url, c.article_id, c.digest, c.fetched_at, c.first_seen, c.last_seen, c.matched_by
            FROM article_copies c JOIN b_copies b USING (url)""")
    }
    mirrors = {name for (name,) in _rows(con, "SELECT source_name FROM sources WHERE is_mirror")}
    written, touched, changed, new = [], [], [], []
    for row in batch.copies.to_pylist():
        old = existing.get(row["url"])
        if old is None:
            new.append(row)
        elif row["fetched_at"] < old["fetched_at"]:
            continue
        elif row["digest"] == old["digest"]:
            touched.append(row["url"])
        else:
            changed.append((row, old))
    index = MirrorIndex(_candidates(con, new))
    for row in new + [r for r, _ in changed]:
        row["title_key"] = title_key(row["title"])
    for row, old in changed:
        written.append({**row, "article_id": old["article_id"], "matched_by": old["matched_by"],
                        "first_seen": old["first_seen"], "last_seen": max(old["last_seen"], row["fetched_at"])})  # fmt: skip
        index.add(_fingerprint(row, old["article_id"]))
    # Best copies first, so the copy that creates an article (and names its id) is the one that will be canonical.
    new.sort(key=lambda r: canonical_rank(is_mirror=r["source_name"] in mirrors, flags=r["flags"],
                                          first_seen=r["fetched_at"], url=r["url"]))  # fmt: skip
    for row in new:
        match = index.match(_fingerprint(row, ""))
        article_id, how = match if match else (new_article_id(row["url"]), MATCH_NEW)
        row.update(article_id=article_id, matched_by=how, first_seen=row["fetched_at"], last_seen=row["fetched_at"])
        written.append(row)
        index.add(_fingerprint(row, article_id))
    seen_again = {r[0] for r in _rows(con, """
        SELECT DISTINCT c.article_id FROM article_copies c JOIN b_pages b USING (url)
        WHERE b.outcome = 'not_modified'""")}
    touched_ids = {existing[u]["article_id"] for u in touched}
    merged = sum(1 for r in new if r["matched_by"] != MATCH_NEW)
    return _CopyPlan(written, touched, {r["article_id"] for r in written}, touched_ids | seen_again, merged)


def _write_copies(con: duckdb.DuckDBPyConnection, batch: Batch, plan: _CopyPlan) -> None:
    schema = (batch.copies.schema.append(pa.field("article_id", pa.string()))
              .append(pa.field("matched_by", pa.string())).append(pa.field("first_seen", pa.timestamp("us")))
              .append(pa.field("last_seen", pa.timestamp("us"))).append(pa.field("title_key", pa.string())))  # fmt: skip
    _register(con, "b_written", plan.written, schema)
    con.execute("DELETE FROM article_copies WHERE url IN (SELECT url FROM b_written)")
    con.execute("INSERT INTO article_copies BY NAME SELECT *, false AS is_canonical FROM b_written")
    con.execute("DELETE FROM removed_fragments WHERE copy_url IN (SELECT url FROM b_written)")
    con.execute("INSERT INTO removed_fragments BY NAME SELECT * FROM b_removed WHERE copy_url IN (SELECT url FROM b_written)")
    _register(con, "b_touched", [{"url": u} for u in plan.touched], pa.schema([("url", pa.string())]))
    con.execute("""
        UPDATE article_copies SET
            last_seen = greatest(article_copies.last_seen, b.fetched_at),
            fetched_at = greatest(article_copies.fetched_at, b.fetched_at),
            cleaner_version = b.cleaner_version
        FROM b_copies b WHERE article_copies.url = b.url AND b.url IN (SELECT url FROM b_touched)""")
    con.execute("""
        UPDATE article_copies SET last_seen = greatest(article_copies.last_seen, b.fetched_at)
        FROM b_pages b WHERE article_copies.url = b.url AND b.outcome = 'not_modified'""")


def _canonical_state(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """article_id -> (canonical copy URL, its digest) for the articles in b_ids."""
    rows = _rows(con, """
        SELECT article_id, url, digest FROM article_copies
        WHERE is_canonical AND article_id IN (SELECT article_id FROM b_ids)""")
    return {a: (u, d) for a, u, d in rows}


def elect_and_rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """For the articles in b_ids: pick the canonical copy, rebuild their articles and article_numbers rows.

    Same order as mirrors.canonical_rank: non-mirror, undamaged, earliest seen, URL.
    """
    con.execute("""
        UPDATE article_copies SET is_canonical = (r.rn = 1)
        FROM (
            SELECT c.url, row_number() OVER (
                PARTITION BY c.article_id
                ORDER BY coalesce(s.is_mirror, false), coalesce(list_contains(c.flags, 'mojibake'), false),
                         c.first_seen, c.url) AS rn
            FROM article_copies c LEFT JOIN sources s USING (source_name)
            WHERE c.article_id IN (SELECT article_id FROM b_ids)
        ) r
        WHERE article_copies.url = r.url AND article_copies.is_canonical <> (r.rn = 1)""")
    con.execute("DELETE FROM articles WHERE article_id IN (SELECT article_id FROM b_ids)")
    con.execute("""
        INSERT INTO articles BY NAME
        SELECT c.article_id, c.url, c.source, c.title, c.published_at, c.body, c.source_name, c.author,
               c.editors, c.province, c.city, c.county, c.adcode, c.flags, c.content_hash, c.simhash,
               c.cleaner_version, g.copies, g.first_seen, g.last_seen
        FROM article_copies c JOIN (
            SELECT article_id, count(*)::INTEGER AS copies, min(first_seen) AS first_seen, max(last_seen) AS last_seen
            FROM article_copies WHERE article_id IN (SELECT article_id FROM b_ids) GROUP BY article_id
        ) g USING (article_id)
        WHERE c.is_canonical""")
    con.execute("DELETE FROM article_numbers WHERE article_id IN (SELECT article_id FROM b_ids)")
    con.execute("""
        INSERT INTO article_numbers BY NAME
        SELECT article_id, position::INTEGER AS position, fig.value, fig.unit, fig.qualifier, fig.text,
               fig.start_pos, fig.end_pos, fig.sentence, fig.subject, fig.measure, url AS copy_url
        FROM (
            SELECT article_id, url, unnest(figures) AS fig, unnest(range(len(figures))) AS position
            FROM article_copies WHERE is_canonical AND article_id IN (SELECT article_id FROM b_ids)
        )""")


def _refresh_last_seen(con: duckdb.DuckDBPyConnection, ids: set[str]) -> None:
    _register(con, "b_seen_ids", [{"article_id": i} for i in sorted(ids)], pa.schema([("article_id", pa.string())]))
    con.execute("""
        UPDATE articles SET last_seen = g.last_seen
        FROM (SELECT article_id, max(last_seen) AS last_seen FROM article_copies
              WHERE article_id IN (SELECT article_id FROM b_seen_ids) GROUP BY article_id) g
        WHERE articles.article_id = g.article_id AND articles.last_seen <> g.last_seen""")


def register_ids(con: duckdb.DuckDBPyConnection, ids: set[str]) -> None:
    _register(con, "b_ids", [{"article_id": i} for i in sorted(ids)], pa.schema([("article_id", pa.string())]))


def articles_of_sources(con: duckdb.DuckDBPyConnection, sources: set[str]) -> set[str]:
    if not sources:
        return set()
    placeholders = ", ".join("?" for _ in sources)
    return {r[0] for r in _rows(con, f"SELECT DISTINCT article_id FROM article_copies WHERE source_name IN ({placeholders})", sorted(sources))}


def batch_counts(batch: Batch) -> LoadStats:
    """The counts a batch carries by itself (pages, figures, removals), before any article decision."""
    outcomes = Counter(batch.fetches.column("outcome").to_pylist())
    kinds = Counter(batch.removed.column("kind").to_pylist())
    figures = sum(len(f) for f in batch.copies.column("figures").to_pylist())
    process_errors = sum(1 for e in batch.pages.column("process_error").to_pylist() if e)
    return LoadStats(
        pages_archived=batch.fetches.num_rows, not_modified=outcomes.get("not_modified", 0),
        failed=outcomes.get("failed", 0), figures=figures, removed_by_kind=dict(sorted(kinds.items())),
        process_errors=process_errors, list_pages=batch.fetches.column("kind").to_pylist().count("list"),
    )  # fmt: skip


def write_batch(con: duckdb.DuckDBPyConnection, batch: Batch, *, now: datetime,
                mirror_sources: set[str] | None = None) -> LoadStats:  # fmt: skip
    """Write `batch` through `con` (inside the caller's transaction) and say what changed."""
    stats = batch_counts(batch)
    for kind, table in batch.tables().items():
        con.register(_VIEWS[kind], table)
    reflagged = _upsert_sources(con, now, mirror_sources)
    con.execute("INSERT INTO fetches BY NAME SELECT * FROM b_fetches b WHERE NOT EXISTS (SELECT 1 FROM fetches f WHERE f.url = b.url AND f.fetched_at = b.fetched_at)")
    _write_pages(con, batch)
    plan = _plan_copies(con, batch)
    affected = plan.affected | articles_of_sources(con, reflagged)
    register_ids(con, affected)
    before = _canonical_state(con)
    _write_copies(con, batch, plan)
    elect_and_rebuild(con)
    after = _canonical_state(con)
    _refresh_last_seen(con, plan.seen_again - affected)
    con.execute("""
        UPDATE articles SET cleaner_version = c.cleaner_version
        FROM article_copies c
        WHERE c.is_canonical AND c.article_id = articles.article_id AND c.url IN (SELECT url FROM b_touched)
          AND articles.cleaner_version IS DISTINCT FROM c.cleaner_version""")
    stats.copies_merged = plan.merged
    stats.articles_new = sum(1 for a in affected if a not in before)
    stats.articles_updated = sum(1 for a in affected if a in before and before[a] != after.get(a))
    stats.articles_unchanged = len(affected) - stats.articles_new - stats.articles_updated
    stats.articles_unchanged += len(plan.seen_again - affected)
    return stats
