"""The warehouse schema as numbered migrations, applied once each and recorded in schema_version.

Every table and column is documented in warehouse/SCHEMA.md; keep the two in
step. A migration is never edited once released: change the schema by
appending a new one, so files written by older versions upgrade in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb

# A figure as stored inside article_copies.figures (one list per copy); the
# DuckDB spelling of the Arrow struct built in warehouse/batch.py.
FIGURE_STRUCT = (
    "STRUCT(value DOUBLE, unit VARCHAR, qualifier VARCHAR, text VARCHAR, start_pos INTEGER,"
    " end_pos INTEGER, sentence VARCHAR, subject VARCHAR, measure VARCHAR)"
)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


# Only the small tables carry PRIMARY KEY constraints. DuckDB rewrites a table's
# whole ART index at every checkpoint, and the loader checkpoints at the end of
# each short transaction: keyed archive tables made a batch's close cost grow
# with the warehouse (4.3 s vs 0.6 s at 20 000 pages). The loader keeps their
# keys unique itself (delete-then-insert by key); the keys are documented in
# SCHEMA.md and checked by tests/test_warehouse.py.
_V1_TABLES = (
    """
    CREATE TABLE sources (
        source_name VARCHAR PRIMARY KEY,
        label VARCHAR,
        is_mirror BOOLEAN NOT NULL DEFAULT false,
        enabled BOOLEAN NOT NULL DEFAULT true,
        registered_at TIMESTAMP
    )
    """,
    """
    CREATE TABLE runs (
        run_id VARCHAR PRIMARY KEY,
        flow VARCHAR NOT NULL,
        parameters VARCHAR,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        status VARCHAR NOT NULL,
        fetched BIGINT,
        not_modified BIGINT,
        failed BIGINT,
        articles_new BIGINT,
        articles_updated BIGINT,
        articles_unchanged BIGINT,
        figures BIGINT,
        counts VARCHAR
    )
    """,
    """
    CREATE TABLE fetches (
        url VARCHAR NOT NULL,
        fetched_at TIMESTAMP NOT NULL,
        requested_url VARCHAR NOT NULL,
        final_url VARCHAR,
        status INTEGER,
        outcome VARCHAR NOT NULL,
        error VARCHAR,
        elapsed_s DOUBLE,
        body_sha256 VARCHAR,
        body_bytes BIGINT,
        source_name VARCHAR,
        run_id VARCHAR
    )
    """,
    """
    CREATE TABLE pages (
        url VARCHAR NOT NULL,
        requested_url VARCHAR NOT NULL,
        final_url VARCHAR,
        redirects VARCHAR[],
        status INTEGER,
        headers VARCHAR,
        etag VARCHAR,
        last_modified VARCHAR,
        body BLOB,
        body_sha256 VARCHAR,
        fetched_at TIMESTAMP NOT NULL,
        elapsed_s DOUBLE,
        outcome VARCHAR NOT NULL,
        error VARCHAR,
        process_error VARCHAR,
        source_name VARCHAR,
        run_id VARCHAR,
        last_seen TIMESTAMP,
        last_run_id VARCHAR
    )
    """,
    f"""
    CREATE TABLE article_copies (
        url VARCHAR NOT NULL,
        article_id VARCHAR NOT NULL,
        is_canonical BOOLEAN NOT NULL DEFAULT false,
        matched_by VARCHAR NOT NULL,
        final_url VARCHAR,
        source_name VARCHAR,
        content_hash VARCHAR NOT NULL,
        simhash UBIGINT NOT NULL,
        digest VARCHAR NOT NULL,
        title VARCHAR,
        title_key VARCHAR,
        published_at TIMESTAMP,
        source VARCHAR,
        author VARCHAR,
        editors VARCHAR[],
        body VARCHAR NOT NULL,
        flags VARCHAR[],
        province VARCHAR,
        city VARCHAR,
        county VARCHAR,
        adcode VARCHAR,
        encoding VARCHAR,
        cleaner_version VARCHAR,
        figures {FIGURE_STRUCT}[],
        fetched_at TIMESTAMP NOT NULL,
        first_seen TIMESTAMP NOT NULL,
        last_seen TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE removed_fragments (
        copy_url VARCHAR NOT NULL,
        position INTEGER NOT NULL,
        kind VARCHAR NOT NULL,
        text VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE articles (
        article_id VARCHAR NOT NULL,
        url VARCHAR NOT NULL,
        source VARCHAR,
        title VARCHAR,
        published_at TIMESTAMP,
        body VARCHAR NOT NULL,
        source_name VARCHAR,
        author VARCHAR,
        editors VARCHAR[],
        province VARCHAR,
        city VARCHAR,
        county VARCHAR,
        adcode VARCHAR,
        flags VARCHAR[],
        content_hash VARCHAR NOT NULL,
        simhash UBIGINT NOT NULL,
        cleaner_version VARCHAR,
        copies INTEGER NOT NULL,
        first_seen TIMESTAMP NOT NULL,
        last_seen TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE article_numbers (
        article_id VARCHAR NOT NULL,
        position INTEGER NOT NULL,
        value DOUBLE NOT NULL,
        unit VARCHAR NOT NULL,
        qualifier VARCHAR,
        text VARCHAR NOT NULL,
        start_pos INTEGER,
        end_pos INTEGER,
        sentence VARCHAR,
        subject VARCHAR,
        measure VARCHAR,
        copy_url VARCHAR NOT NULL
    )
    """,
)

_V1_VIEWS = (
    """
    CREATE VIEW v_articles AS
    SELECT a.article_id, a.url, a.source, a.title, a.published_at,
           CAST(a.published_at AS DATE) AS published_date, a.body, a.author, a.editors,
           a.province, a.city, a.county, a.adcode, a.source_name, s.label AS source_label,
           a.copies, list_contains(a.flags, 'mojibake') AS damaged, a.flags,
           a.first_seen, a.last_seen
    FROM articles a LEFT JOIN sources s USING (source_name)
    """,
    """
    CREATE VIEW v_numbers AS
    SELECT n.article_id, n.position, n.value, n.unit, n.qualifier, n.text, n.subject, n.measure,
           n.sentence, n.start_pos, n.end_pos, a.published_at, CAST(a.published_at AS DATE) AS published_date, a.title,
           a.source, a.source_name, a.url, a.province, a.city, a.county, a.adcode
    FROM article_numbers n JOIN articles a USING (article_id)
    """,
)

# List pages are archived beside article pages (their validators make a nightly
# run's list request conditional). Existing rows were all article pages.
_V2_PAGE_KIND = (
    "ALTER TABLE pages ADD COLUMN kind VARCHAR DEFAULT 'article'",
    "ALTER TABLE fetches ADD COLUMN kind VARCHAR DEFAULT 'article'",
    "UPDATE pages SET kind = 'article' WHERE kind IS NULL",
    "UPDATE fetches SET kind = 'article' WHERE kind IS NULL",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "raw archive, articles with mirrors merged, figures, removals, runs, views", _V1_TABLES + _V1_VIEWS),
    Migration(2, "page kind (article | list) in pages and fetches: list pages are archived too", _V2_PAGE_KIND),
)

LATEST_VERSION = MIGRATIONS[-1].version


def utc_now() -> datetime:
    """Now as a naive UTC timestamp: every TIMESTAMP column in the warehouse is UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to the open file, 0 for a new file.

    Asked at every connection: reading schema_version directly is a few times
    cheaper than asking information_schema whether it exists first.
    """
    try:
        return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]
    except duckdb.CatalogException:
        return 0


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration newer than the file's version, each in its own transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    applied = []
    for migration in MIGRATIONS:
        if migration.version <= current_version(con):
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            for statement in migration.statements:
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)",
                [migration.version, migration.description, utc_now()],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied
