"""Writing one Batch inside an open transaction: archive, copies, mirror merging, articles, figures.

Shaped so that a batch costs the same however large the warehouse is. The
large tables carry no index (DuckDB rewrites an ART index whole at every
checkpoint, and the loader checkpoints after every batch: see schema.py), so
finding rows by key means scanning the key column. Every statement therefore
touches a large table in one of two ways only:

- a scan of narrow key columns (url, article_id, content_hash, simhash) that
  returns the few rows the batch concerns, with their `rowid`;
- a read, update or delete of exactly those rows, joined on `rowid`, which
  DuckDB answers without reading the row groups that hold none of them.

Wide columns (page bodies, article bodies, figures) are only read for the rows
a batch rewrites (and a stored copy's body only when a SimHash match needs its
length), no table is read whole into Python, and statements with nothing to
do are not sent, so memory stays flat. What still grows with the file is the
key scans: about 10-20 ms per 100 000 rows each, five or six per batch.

Python decides (whether a row is new, changed, unchanged or stale; which
article a new copy joins; which copy is canonical; what each touched row
becomes), SQL applies the decisions set-based from registered Arrow tables.
Re-loading the same batch rewrites rows with identical contents, so a second
identical ingest changes nothing but run bookkeeping (last_seen, last_run_id).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from warehouse.batch import COPIES_SCHEMA, Batch, LoadStats
from warehouse.mirrors import (
    BAND_BITS, BANDS, MATCH_NEW, MAX_DISTANCE, MAX_DISTANCE_SAME_TITLE, Fingerprint, MirrorIndex, band_values,
    canonical_rank, letter_count, new_article_id, title_key,
)  # fmt: skip

_LETTERS_SQL = "length(regexp_replace(c.body, '[^\\p{L}\\p{N}]', '', 'g'))"
_DISTANCE_SQL = "bit_count(xor(c.simhash, k.simhash))"
_BAD_OUTCOMES = ("failed", "skipped")

# Batch tables are registered under these names for the statements below.
_VIEWS = {"fetches": "b_fetches", "pages": "b_pages", "copies": "b_copies", "removed": "b_removed"}

# The copies a batch (re)writes: the batch's copy rows plus what loading decided about them.
_WRITTEN_SCHEMA = (
    COPIES_SCHEMA.append(pa.field("article_id", pa.string())).append(pa.field("matched_by", pa.string()))
    .append(pa.field("first_seen", pa.timestamp("us"))).append(pa.field("last_seen", pa.timestamp("us")))
    .append(pa.field("title_key", pa.string())).append(pa.field("is_canonical", pa.bool_()))
)  # fmt: skip

# The copy columns an articles row and its article_numbers are built from.
_CANONICAL_COLUMNS = (
    "article_id", "url", "source", "title", "published_at", "body", "source_name", "author", "editors", "province",
    "city", "county", "adcode", "flags", "content_hash", "simhash", "cleaner_version", "figures",
)  # fmt: skip

_ID_SCHEMA = pa.schema([("article_id", pa.string())])
_RID = pa.int64()


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


def _register_ids(con: duckdb.DuckDBPyConnection, ids: set[str]) -> None:
    """The article ids the next statements look up, as b_ids."""
    _register(con, "b_ids", [{"article_id": i} for i in sorted(ids)], _ID_SCHEMA)


# ---------------------------------------------------------------- sources, fetches, pages


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


def _mirror_sources(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {name for (name,) in _rows(con, "SELECT source_name FROM sources WHERE is_mirror")}


def _write_fetches(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """Log each fetch once (a fetch already logged, same URL and time, is skipped).

    The batch's time range bounds the lookup: fetches are appended in time
    order, so DuckDB skips the row groups of every older fetch.
    """
    if batch.fetches.num_rows == 0:
        return
    bounds = pc.min_max(batch.fetches.column("fetched_at"))
    con.execute("""
        INSERT INTO fetches BY NAME SELECT * FROM b_fetches b
        WHERE NOT EXISTS (
            SELECT 1 FROM fetches f
            WHERE f.fetched_at BETWEEN ? AND ? AND f.url = b.url AND f.fetched_at = b.fetched_at)""",
        [bounds["min"].as_py(), bounds["max"].as_py()])  # fmt: skip


def _write_pages(con: duckdb.DuckDBPyConnection, batch: Batch) -> set[str]:
    """Archive the batch's pages; returns the URLs that were archived before (only they can have stored copies)."""
    stored = {
        url: (rid, _Existing(outcome, sha, status, fetched_at))
        for rid, url, outcome, sha, status, fetched_at in _rows(con, """
            SELECT p.rowid, p.url, p.outcome, p.body_sha256, p.status, p.fetched_at
            FROM pages p WHERE p.url IN (SELECT url FROM b_pages)""")
    }
    actions = []
    for row in batch.pages.select(["url", "outcome", "body_sha256", "status", "fetched_at"]).to_pylist():
        rid, old = stored.get(row["url"], (None, None))
        actions.append({"url": row["url"], "rid": rid, "action": _page_action(row, old)})
    _register(con, "b_page_actions", actions, pa.schema([("url", pa.string()), ("rid", _RID), ("action", pa.string())]))
    todo = Counter(a["action"] for a in actions)
    if any(a["action"] == "replace" and a["rid"] is not None for a in actions):
        con.execute("DELETE FROM pages USING b_page_actions a WHERE pages.rowid = a.rid AND a.action = 'replace'")
    if todo["replace"]:
        con.execute("""
            INSERT INTO pages BY NAME
            SELECT b.*, b.fetched_at AS last_seen, b.run_id AS last_run_id
            FROM b_pages b JOIN b_page_actions a USING (url) WHERE a.action = 'replace'""")
    if todo["touch"]:
        con.execute("""
            UPDATE pages SET
                last_seen = greatest(pages.last_seen, b.fetched_at),
                last_run_id = b.run_id,
                process_error = CASE WHEN b.outcome = 'fetched' THEN b.process_error ELSE pages.process_error END
            FROM b_pages b JOIN b_page_actions a USING (url)
            WHERE pages.rowid = a.rid AND a.action = 'touch'""")
    return set(stored)


# ---------------------------------------------------------------- which article each copy belongs to


@dataclass
class _CopyPlan:
    """What the batch does to copies: rows to (re)write with their article, rows only seen again.

    `written` maps a URL to its batch copy row (the planning columns) plus
    what loading decided (article_id, matched_by, first_seen, last_seen,
    title_key); `changed` are the written URLs that replace a stored copy.
    `touched` (same content again) and `not_modified` (a 304) map URLs of
    stored copies to the fetch that saw them, with the cleaner version for
    `touched`. `created` are the ids of articles new copies created, and
    `seen_again` the articles of touched and 304 copies.
    """

    written: dict[str, dict] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    touched: dict[str, tuple[datetime, str | None]] = field(default_factory=dict)
    not_modified: dict[str, datetime] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)
    seen_again: set[str] = field(default_factory=set)
    merged: int = 0

    @property
    def affected(self) -> set[str]:
        return {w["article_id"] for w in self.written.values()}


def _candidates(con: duckdb.DuckDBPyConnection, new_rows: list[dict]) -> list[Fingerprint]:
    """Stored copies a new copy may join: the same content hash, or a SimHash near enough to count.

    Each way is an equality join on narrow columns (content hash, headline, one
    16-bit SimHash band) with the distance checked in SQL, so only copies that
    can match come back (returning every copy sharing a band by chance brought
    back thousands per batch at 100 000 stored). A stored copy's body (for its
    letter count) is read only when a SimHash match could use it: near a new
    copy that has no stored copy with its content hash. The others take part
    in content-hash matching only, which needs neither body nor SimHash: a
    copy near no such new copy can never be a SimHash match in this batch.
    """
    if not new_rows:
        return []
    schema = pa.schema([("content_hash", pa.string()), ("title_key", pa.string()), ("simhash", pa.uint64())]
                       + [(f"b{i}", pa.uint64()) for i in range(BANDS)])  # fmt: skip
    keys = [
        {"content_hash": row["content_hash"], "title_key": row["title_key"], "simhash": row["simhash"],
         **{f"b{i}": v for i, v in enumerate(band_values(row["simhash"]))}}
        for row in new_rows
    ]  # fmt: skip
    _register(con, "b_keys", keys, schema)
    same = _rows(con, """
        SELECT DISTINCT c.rowid, c.url, c.article_id, c.content_hash
        FROM article_copies c JOIN b_keys k USING (content_hash)""")
    mask = (1 << BAND_BITS) - 1
    same_title = (f"SELECT c.rowid, k.content_hash FROM article_copies c JOIN b_keys k USING (title_key)"
                  f" WHERE {_DISTANCE_SQL} <= {MAX_DISTANCE_SAME_TITLE}")  # fmt: skip
    same_band = [
        f"SELECT c.rowid, k.content_hash FROM article_copies c"
        f" JOIN b_keys k ON ((c.simhash >> {BAND_BITS * i}) & {mask}::UBIGINT) = k.b{i} WHERE {_DISTANCE_SQL} <= {MAX_DISTANCE}"
        for i in range(BANDS)
    ]
    near = _rows(con, " UNION ".join([same_title, *same_band]))
    matched = {h for _, _, _, h in same}
    usable = sorted({rid for rid, new_hash in near if new_hash not in matched})
    fingerprints = {rid: Fingerprint(url=u, article_id=a, content_hash=h, simhash=0, title_key=None, day=None, letters=0)
                    for rid, u, a, h in same}  # fmt: skip
    if usable:
        _register(con, "b_near", [{"rid": r} for r in usable], pa.schema([("rid", _RID)]))
        for rid, u, a, h, s, t, p, n in _rows(con, f"""
                SELECT c.rowid, c.url, c.article_id, c.content_hash, c.simhash, c.title, c.published_at, {_LETTERS_SQL}
                FROM article_copies c JOIN b_near r ON c.rowid = r.rid"""):
            fingerprints[rid] = Fingerprint.of(url=u, article_id=a, content_hash=h, simhash=s, title=t, published_at=p,
                                               body_letters=n)  # fmt: skip
    return sorted(fingerprints.values(), key=lambda f: f.url)


def _fingerprint(row: dict, article_id: str) -> Fingerprint:
    """A batch copy's fingerprint (row["title_key"] already computed)."""
    published = row["published_at"]
    return Fingerprint(url=row["url"], article_id=article_id, content_hash=row["content_hash"], simhash=row["simhash"],
                       title_key=row["title_key"], day=published.date() if published else None,
                       letters=letter_count(row["body"]))  # fmt: skip


# The batch copy columns planning reads (not figures or the other metadata).
_PLAN_COLUMNS = ["url", "source_name", "content_hash", "simhash", "digest", "title", "published_at", "body", "flags",
                 "cleaner_version", "fetched_at"]  # fmt: skip


def _stored_copies_of(con: duckdb.DuckDBPyConnection, urls: set[str]) -> dict[str, dict]:
    """The stored copies of `urls` (URLs archived before this batch; a new URL has none, so a backfill asks nothing)."""
    if not urls:
        return {}
    _register(con, "b_known", [{"url": u} for u in sorted(urls)], pa.schema([("url", pa.string())]))
    return {
        r[0]: {"article_id": r[1], "digest": r[2], "fetched_at": r[3], "first_seen": r[4], "last_seen": r[5],
               "matched_by": r[6]}
        for r in _rows(con, """
            SELECT c.url, c.article_id, c.digest, c.fetched_at, c.first_seen, c.last_seen, c.matched_by
            FROM article_copies c WHERE c.url IN (SELECT url FROM b_known)""")
    }  # fmt: skip


def _plan_copies(con: duckdb.DuckDBPyConnection, batch: Batch, mirrors: set[str], archived: set[str]) -> _CopyPlan:
    existing = _stored_copies_of(con, archived)
    plan = _CopyPlan()
    changed, new = [], []
    for row in batch.copies.select(_PLAN_COLUMNS).to_pylist():
        old = existing.get(row["url"])
        if old is None:
            new.append(row)
        elif row["fetched_at"] < old["fetched_at"]:
            continue
        elif row["digest"] == old["digest"]:
            plan.touched[row["url"]] = (row["fetched_at"], row["cleaner_version"])
            plan.seen_again.add(old["article_id"])
        else:
            changed.append((row, old))
    for url, outcome, fetched_at in zip(*(batch.pages.column(c).to_pylist() for c in ("url", "outcome", "fetched_at"))):
        if outcome == "not_modified" and url in existing:
            plan.not_modified[url] = fetched_at
            plan.seen_again.add(existing[url]["article_id"])
    for row in new + [r for r, _ in changed]:
        row["title_key"] = title_key(row["title"])
    index = MirrorIndex(_candidates(con, new))
    for row, old in changed:
        plan.written[row["url"]] = {**row, "article_id": old["article_id"], "matched_by": old["matched_by"],
                                    "first_seen": old["first_seen"], "last_seen": max(old["last_seen"], row["fetched_at"])}  # fmt: skip
        plan.changed.add(row["url"])
        index.add(_fingerprint(row, old["article_id"]))
    # Best copies first, so the copy that creates an article (and names its id) is the one that will be canonical.
    new.sort(key=lambda r: canonical_rank(is_mirror=r["source_name"] in mirrors, flags=r["flags"],
                                          first_seen=r["fetched_at"], url=r["url"]))  # fmt: skip
    for row in new:
        fingerprint = _fingerprint(row, "")
        match = index.match(fingerprint)
        article_id, how = match if match else (new_article_id(row["url"]), MATCH_NEW)
        plan.written[row["url"]] = {**row, "article_id": article_id, "matched_by": how, "first_seen": row["fetched_at"],
                                    "last_seen": row["fetched_at"]}  # fmt: skip
        if how == MATCH_NEW:
            plan.created.add(article_id)
        else:
            plan.merged += 1
        index.add(replace(fingerprint, article_id=article_id))
    return plan


# ---------------------------------------------------------------- copies of the touched articles, canonical election


@dataclass
class _Copy:
    """One copy of an article the load touches: as stored, then as it stands after the load."""

    url: str
    article_id: str
    source_name: str | None
    flags: list[str] | None
    digest: str
    first_seen: datetime
    last_seen: datetime
    fetched_at: datetime
    cleaner_version: str | None
    was_canonical: bool
    rowid: int | None = None  # its stored row; None for a copy the load (re)writes
    is_canonical: bool = False
    dirty: bool = False  # a stored copy whose bookkeeping the load moves on

    def rank(self, mirrors: set[str]) -> tuple:
        return canonical_rank(is_mirror=self.source_name in mirrors, flags=self.flags, first_seen=self.first_seen, url=self.url)


def _stored_copies(con: duckdb.DuckDBPyConnection, ids: set[str]) -> list[_Copy]:
    """Every stored copy of the articles `ids`."""
    _register_ids(con, ids)
    rows = _rows(con, """
        SELECT c.rowid, c.url, c.article_id, c.source_name, c.flags, c.digest, c.first_seen, c.last_seen,
               c.fetched_at, c.cleaner_version, c.is_canonical
        FROM article_copies c WHERE c.article_id IN (SELECT article_id FROM b_ids)""")
    return [
        _Copy(url=u, article_id=a, source_name=s, flags=f, digest=d, first_seen=fs, last_seen=ls, fetched_at=fa,
              cleaner_version=cv, was_canonical=canon, rowid=rid, is_canonical=canon)
        for rid, u, a, s, f, d, fs, ls, fa, cv, canon in rows
    ]  # fmt: skip


def _canonical_of(copies: list[_Copy]) -> tuple[str, str] | None:
    return next(((c.url, c.digest) for c in copies if c.is_canonical), None)


@dataclass
class _Articles:
    """The copies of every article a load touches, grouped by article, and their canonical copy before it."""

    groups: dict[str, list[_Copy]]
    before: dict[str, tuple[str, str]]
    replaced: list[int] = field(default_factory=list)  # rowids of stored copies the load rewrites

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, ids: set[str], fresh: set[str]) -> _Articles:
        """The stored copies of `ids`; ids in `fresh` were created by this load and have none, so are not looked up."""
        lookup = ids - fresh
        groups: dict[str, list[_Copy]] = {i: [] for i in ids}
        for copy in _stored_copies(con, lookup) if lookup else []:
            groups[copy.article_id].append(copy)
        before = {a: canon for a, copies in groups.items() if (canon := _canonical_of(copies))}
        return cls(groups, before)

    def apply(self, plan: _CopyPlan) -> None:
        """Move the copies to their state after the batch: written rows replace or join, the rest are seen again."""
        by_url = {c.url: c for copies in self.groups.values() for c in copies}
        for row in plan.written.values():
            old = by_url.get(row["url"])
            copy = _Copy(url=row["url"], article_id=row["article_id"], source_name=row["source_name"],
                         flags=row["flags"], digest=row["digest"], first_seen=row["first_seen"],
                         last_seen=row["last_seen"], fetched_at=row["fetched_at"],
                         cleaner_version=row["cleaner_version"], was_canonical=bool(old and old.was_canonical))  # fmt: skip
            group = self.groups[row["article_id"]]
            if old is not None:
                self.replaced.append(old.rowid)
                group.remove(old)
            group.append(copy)
        for url, (fetched_at, cleaner_version) in plan.touched.items():
            copy = by_url[url]
            copy.last_seen, copy.fetched_at = max(copy.last_seen, fetched_at), max(copy.fetched_at, fetched_at)
            copy.cleaner_version, copy.dirty = cleaner_version, True
        for url, fetched_at in plan.not_modified.items():
            copy = by_url[url]
            if fetched_at > copy.last_seen:
                copy.last_seen, copy.dirty = fetched_at, True

    def elect(self, ids: set[str], mirrors: set[str]) -> None:
        """Pick the canonical copy of the articles in `ids` (the others keep theirs): mirrors.canonical_rank's order."""
        for article_id in ids:
            copies = self.groups[article_id]
            if not copies:
                continue
            best = min(copies, key=lambda c: c.rank(mirrors))
            for copy in copies:
                copy.is_canonical = copy is best

    def after(self) -> dict[str, tuple[str, str]]:
        return {a: canon for a, copies in self.groups.items() if (canon := _canonical_of(copies))}


def _written_table(batch: Batch, plan: _CopyPlan, articles: _Articles) -> pa.Table:
    """The batch's copy rows the load (re)writes, as Arrow, with what loading decided about each."""
    canonical = {c.url for copies in articles.groups.values() for c in copies if c.is_canonical and c.rowid is None}
    urls = batch.copies.column("url").to_pylist()
    keep = [i for i, url in enumerate(urls) if url in plan.written]
    written = batch.copies.take(pa.array(keep, pa.int64()))
    decided = [plan.written[urls[i]] for i in keep]
    for name in ("article_id", "matched_by", "first_seen", "last_seen", "title_key"):
        column = _WRITTEN_SCHEMA.field(name)
        written = written.append_column(column, pa.array([d[name] for d in decided], column.type))
    return written.append_column(_WRITTEN_SCHEMA.field("is_canonical"), pa.array([urls[i] in canonical for i in keep], pa.bool_()))


def _write_copies(con: duckdb.DuckDBPyConnection, written: pa.Table, changed: set[str], articles: _Articles) -> None:
    """Replace, add and update copy rows, and the removals of the copies rewritten (b_removed holds the new ones)."""
    con.register("b_written", written)
    if articles.replaced:
        _register(con, "b_gone", [{"rid": r} for r in articles.replaced], pa.schema([("rid", _RID)]))
        con.execute("DELETE FROM article_copies USING b_gone g WHERE article_copies.rowid = g.rid")
    if changed:
        _register(con, "b_changed", [{"url": u} for u in sorted(changed)], pa.schema([("url", pa.string())]))
        con.execute("DELETE FROM removed_fragments WHERE copy_url IN (SELECT url FROM b_changed)")
    if written.num_rows:
        con.execute("INSERT INTO article_copies BY NAME SELECT * FROM b_written")
        con.execute("INSERT INTO removed_fragments BY NAME SELECT * FROM b_removed WHERE copy_url IN (SELECT url FROM b_written)")
    _update_stored_copies(con, articles)


def _update_stored_copies(con: duckdb.DuckDBPyConnection, articles: _Articles) -> None:
    """Canonical flags and bookkeeping of stored copies the load did not rewrite, by rowid."""
    updates = [
        {"rid": c.rowid, "is_canonical": c.is_canonical, "last_seen": c.last_seen, "fetched_at": c.fetched_at,
         "cleaner_version": c.cleaner_version}
        for copies in articles.groups.values() for c in copies
        if c.rowid is not None and (c.dirty or c.is_canonical != c.was_canonical)
    ]  # fmt: skip
    if not updates:
        return
    _register(con, "b_copy_updates", updates, pa.schema([
        ("rid", _RID), ("is_canonical", pa.bool_()), ("last_seen", pa.timestamp("us")),
        ("fetched_at", pa.timestamp("us")), ("cleaner_version", pa.string()),
    ]))  # fmt: skip
    con.execute("""
        UPDATE article_copies SET is_canonical = u.is_canonical, last_seen = u.last_seen, fetched_at = u.fetched_at,
                                  cleaner_version = u.cleaner_version
        FROM b_copy_updates u WHERE article_copies.rowid = u.rid""")


# ---------------------------------------------------------------- articles and article_numbers


@dataclass(frozen=True)
class _ArticleRow:
    rowid: int
    url: str
    copies: int
    first_seen: datetime
    last_seen: datetime
    cleaner_version: str | None


def _stored_articles(con: duckdb.DuckDBPyConnection, ids: set[str]) -> dict[str, _ArticleRow]:
    """The articles rows of `ids`."""
    _register_ids(con, ids)
    rows = _rows(con, """
        SELECT rowid, article_id, url, copies, first_seen, last_seen, cleaner_version
        FROM articles WHERE article_id IN (SELECT article_id FROM b_ids)""")
    return {a: _ArticleRow(rid, u, n, fs, ls, cv) for rid, a, u, n, fs, ls, cv in rows}


def _canonical_rows_sql(rebuild: list[dict]) -> str:
    """The canonical copy of each article in b_rebuild: from the batch when it wrote it, else the stored row by rowid.

    A branch with no rows is left out: DuckDB cannot skip row groups for a
    rowid join with nothing on the other side, and would scan article_copies.
    """
    branches = []
    if any(r["copy_rid"] is None for r in rebuild):
        branches.append(f"""
            SELECT {", ".join(_CANONICAL_COLUMNS)} FROM b_written
            WHERE url IN (SELECT url FROM b_rebuild WHERE copy_rid IS NULL)""")
    if any(r["copy_rid"] is not None for r in rebuild):
        branches.append(f"""
            SELECT {", ".join(f"c.{name}" for name in _CANONICAL_COLUMNS)}
            FROM article_copies c JOIN b_rebuild r ON c.rowid = r.copy_rid""")
    return " UNION ALL ".join(branches)


_REBUILD_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("url", pa.string()), ("copy_rid", _RID), ("article_rid", _RID), ("stored", pa.bool_()),
    ("copies", pa.int32()), ("first_seen", pa.timestamp("us")), ("last_seen", pa.timestamp("us")),
])  # fmt: skip
_ARTICLE_UPDATE_SCHEMA = pa.schema([
    ("rid", _RID), ("copies", pa.int32()), ("first_seen", pa.timestamp("us")), ("last_seen", pa.timestamp("us")),
    ("cleaner_version", pa.string()),
])  # fmt: skip


def _write_articles(con: duckdb.DuckDBPyConnection, articles: _Articles, elected: set[str], fresh: set[str]) -> None:
    """Rebuild the articles whose canonical copy changed (row and figures); refresh counts and dates of the rest."""
    lookup = articles.groups.keys() - fresh
    stored = _stored_articles(con, lookup) if lookup else {}
    before = articles.before
    rebuild, updates = [], []
    for article_id, copies in articles.groups.items():
        canonical = next((c for c in copies if c.is_canonical), None)
        if canonical is None:
            continue
        row = stored.get(article_id)
        facts = {"copies": len(copies), "first_seen": min(c.first_seen for c in copies),
                 "last_seen": max(c.last_seen for c in copies)}  # fmt: skip
        changed = article_id in elected and before.get(article_id) != (canonical.url, canonical.digest)
        if row is None or changed or row.url != canonical.url:
            rebuild.append({"article_id": article_id, "url": canonical.url, "copy_rid": canonical.rowid,
                            "article_rid": row.rowid if row else None, "stored": article_id not in fresh, **facts})  # fmt: skip
        elif (row.copies, row.first_seen, row.last_seen, row.cleaner_version) != (
            facts["copies"], facts["first_seen"], facts["last_seen"], canonical.cleaner_version
        ):
            updates.append({"rid": row.rowid, "cleaner_version": canonical.cleaner_version, **facts})
    if updates:
        _register(con, "b_article_updates", updates, _ARTICLE_UPDATE_SCHEMA)
        con.execute("""
            UPDATE articles SET copies = u.copies, first_seen = u.first_seen, last_seen = u.last_seen,
                                cleaner_version = u.cleaner_version
            FROM b_article_updates u WHERE articles.rowid = u.rid""")
    if rebuild:
        _rebuild_articles(con, rebuild)


def _rebuild_articles(con: duckdb.DuckDBPyConnection, rebuild: list[dict]) -> None:
    _register(con, "b_rebuild", rebuild, _REBUILD_SCHEMA)
    canonical = _canonical_rows_sql(rebuild)
    if any(r["article_rid"] is not None for r in rebuild):
        con.execute("DELETE FROM articles USING b_rebuild r WHERE articles.rowid = r.article_rid")
    con.execute(f"""
        INSERT INTO articles BY NAME
        SELECT c.* EXCLUDE (figures), r.copies, r.first_seen, r.last_seen
        FROM ({canonical}) c JOIN b_rebuild r USING (article_id)""")
    if any(r["stored"] for r in rebuild):
        con.execute("DELETE FROM article_numbers WHERE article_id IN (SELECT article_id FROM b_rebuild WHERE stored)")
    con.execute(f"""
        INSERT INTO article_numbers BY NAME
        SELECT article_id, position::INTEGER AS position, fig.value, fig.unit, fig.qualifier, fig.text,
               fig.start_pos, fig.end_pos, fig.sentence, fig.subject, fig.measure, url AS copy_url
        FROM (
            SELECT article_id, url, unnest(figures) AS fig, unnest(range(len(figures))) AS position
            FROM ({canonical})
        )""")


def reelect(con: duckdb.DuckDBPyConnection, ids: set[str]) -> None:
    """Re-pick the canonical copy of `ids` (a source's mirror flag changed) and rebuild what that changes."""
    if not ids:
        return
    articles = _Articles.load(con, ids, set())
    articles.elect(ids, _mirror_sources(con))
    _write_copies(con, _WRITTEN_SCHEMA.empty_table(), set(), articles)
    _write_articles(con, articles, ids, set())


def articles_of_sources(con: duckdb.DuckDBPyConnection, sources: set[str]) -> set[str]:
    if not sources:
        return set()
    placeholders = ", ".join("?" for _ in sources)
    return {r[0] for r in _rows(con, f"SELECT DISTINCT article_id FROM article_copies WHERE source_name IN ({placeholders})", sorted(sources))}


def batch_counts(batch: Batch) -> LoadStats:
    """The counts a batch carries by itself (pages, figures, removals), before any article decision."""
    outcomes = Counter(batch.fetches.column("outcome").to_pylist())
    kinds = Counter(batch.removed.column("kind").to_pylist())
    figures = pc.sum(pc.list_value_length(batch.copies.column("figures"))).as_py() or 0
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
    _write_fetches(con, batch)
    archived = _write_pages(con, batch)
    mirrors = _mirror_sources(con)
    plan = _plan_copies(con, batch, mirrors, archived)
    elected = plan.affected | articles_of_sources(con, reflagged)
    articles = _Articles.load(con, elected | plan.seen_again, plan.created)
    articles.apply(plan)
    articles.elect(elected, mirrors)
    after = articles.after()
    _write_copies(con, _written_table(batch, plan, articles), plan.changed, articles)
    _write_articles(con, articles, elected, plan.created)
    stats.copies_merged = plan.merged
    stats.articles_new = sum(1 for a in elected if a not in articles.before)
    stats.articles_updated = sum(1 for a in elected if a in articles.before and articles.before[a] != after.get(a))
    stats.articles_unchanged = len(articles.groups) - stats.articles_new - stats.articles_updated
    return stats
