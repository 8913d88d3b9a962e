"""The Warehouse: what the flows call to record runs, archive fetches and load articles.

Each method opens the DuckDB file for one short transaction and closes it, so
analysts can query the file between batches (see warehouse/connection.py).
A batch that cannot get the file within `busy_timeout_s` is staged on disk
and loaded first by the next run (`start_run` calls `load_staged`).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from extract.archive import FETCHED, FetchedPage, Validators
from extract.sources import SourceProfile
from extract.urls import canonical_url
from transform.article import ProcessedPage
from warehouse.batch import ARTICLE, Batch, LoadStats, build_batch
from warehouse.connection import WarehouseBusy, reading, transaction
from warehouse.load import articles_of_sources, batch_counts, reelect, write_batch
from warehouse.schema import LATEST_VERSION, apply_migrations, current_version, utc_now
from warehouse.staging import (
    StagedRunEnd, discard, read_staged_batch, stage_batch, stage_run_end, staged_batches, staged_run_ends,
)  # fmt: skip

log = logging.getLogger("dangjian.warehouse")

# Pages read per short read-only connection when streaming the archive.
ARCHIVE_CHUNK = 200
# Counts the runs table keeps as columns; every count is also in runs.counts (JSON).
_RUN_COUNT_COLUMNS = ("fetched", "not_modified", "failed", "articles_new", "articles_updated", "articles_unchanged", "figures")


def _ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    if current_version(con) < LATEST_VERSION:
        apply_migrations(con)


def _bound(value: date | datetime | None, *, end: bool) -> datetime | None:
    """A since/until bound as naive UTC; a date `until` includes its whole day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    start = datetime.combine(value, time())
    return start + timedelta(days=1) if end else start


class Warehouse:
    """One DuckDB warehouse file.

    `mirror_sources`, when given, marks those source names as mirrors (and the
    other sources in loaded batches as not); otherwise the `sources` table
    decides, as written by `register_sources`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout_s: float = 60.0,
        staging_dir: Path | None = None,
        mirror_sources: Iterable[str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.staging_dir = Path(staging_dir) if staging_dir else self.path.with_name(self.path.name + ".staging")
        self.mirror_sources = set(mirror_sources) if mirror_sources is not None else None

    # ------------------------------------------------------------ schema and runs

    def _writing(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return transaction(self.path, timeout_s=self.busy_timeout_s, before=_ensure_schema)

    def _reading(self):
        return reading(self.path, timeout_s=self.busy_timeout_s)

    def migrate(self) -> None:
        """Bring the file to the latest schema version (creating it if needed); a no-op when current."""
        with self._writing():
            pass

    def schema_version(self) -> int:
        with self._reading() as con:
            return current_version(con)

    def start_run(self, flow: str, parameters: dict) -> str:
        """Record a run as started (after loading any batches earlier runs had to stage)."""
        self.load_staged()
        run_id = f"{utc_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        with self._writing() as con:
            con.execute(
                "INSERT INTO runs (run_id, flow, parameters, started_at, status) VALUES (?, ?, ?, ?, 'running')",
                [run_id, flow, json.dumps(parameters, ensure_ascii=False, sort_keys=True, default=str), utc_now()],
            )
        log.info("run %s (%s) started", run_id, flow)
        return run_id

    def finish_run(self, run_id: str, status: str, counts: dict[str, int]) -> None:
        """Record a run's end and counts; staged for the next run when the file stays busy."""
        finished_at = utc_now()
        try:
            with self._writing() as con:
                self._write_run_end(con, StagedRunEnd(run_id, status, dict(counts), finished_at))
        except WarehouseBusy:
            path = stage_run_end(StagedRunEnd(run_id, status, dict(counts), finished_at), self.staging_dir)
            log.warning("run %s end staged at %s: the warehouse stayed busy", run_id, path)

    @staticmethod
    def _write_run_end(con: duckdb.DuckDBPyConnection, end: StagedRunEnd) -> None:
        columns = ", ".join(f"{c} = ?" for c in _RUN_COUNT_COLUMNS)
        con.execute(
            f"UPDATE runs SET status = ?, finished_at = ?, counts = ?, {columns} WHERE run_id = ?",
            [end.status, end.finished_at, json.dumps(end.counts, sort_keys=True),
             *(end.counts.get(c) for c in _RUN_COUNT_COLUMNS), end.run_id],
        )  # fmt: skip

    def register_sources(self, profiles: Iterable[SourceProfile]) -> None:
        """Record the configured sources (label, mirror flag); re-pick canonical copies if a mirror flag changed."""
        rows = [
            {"source_name": p.name, "label": p.label, "is_mirror": p.is_mirror, "enabled": p.enabled}
            for p in profiles
        ]
        if not rows:
            return
        schema = pa.schema([("source_name", pa.string()), ("label", pa.string()), ("is_mirror", pa.bool_()),
                            ("enabled", pa.bool_())])  # fmt: skip
        with self._writing() as con:
            con.register("b_profiles", pa.Table.from_pylist(rows, schema=schema))
            changed = {r[0] for r in con.execute("""
                SELECT s.source_name FROM sources s JOIN b_profiles p USING (source_name)
                WHERE s.is_mirror <> p.is_mirror""").fetchall()}
            con.execute("""
                INSERT INTO sources (source_name, label, is_mirror, enabled, registered_at)
                SELECT source_name, label, is_mirror, enabled, ? FROM b_profiles
                ON CONFLICT (source_name) DO UPDATE SET
                    label = excluded.label, is_mirror = excluded.is_mirror, enabled = excluded.enabled""",
                [utc_now()])
            reelect(con, articles_of_sources(con, changed))

    # ------------------------------------------------------------ loading

    def load_batch(self, run_id: str, processed: list[ProcessedPage]) -> LoadStats:
        """Archive and load one batch in one short write transaction, or stage it if the file stays busy."""
        batch = build_batch(run_id, processed)
        try:
            return self._write(batch)
        except WarehouseBusy as exc:
            path = stage_batch(batch, self.staging_dir)
            log.warning("batch of %d pages staged at %s (loaded at the start of the next run): %s",
                        batch.pages.num_rows, path, exc)  # fmt: skip
            stats = batch_counts(batch)
            stats.staged = True
            return stats

    def _write(self, batch: Batch) -> LoadStats:
        with self._writing() as con:
            return write_batch(con, batch, now=utc_now(), mirror_sources=self.mirror_sources)

    def load_staged(self) -> list[LoadStats]:
        """Load the batches earlier runs staged, oldest first, deleting each once committed."""
        results = []
        for path in staged_batches(self.staging_dir):
            stats = self._write(read_staged_batch(path))
            discard(path)
            log.info("loaded staged batch %s: %d new, %d updated articles", path.name,
                     stats.articles_new, stats.articles_updated)  # fmt: skip
            results.append(stats)
        for path, end in staged_run_ends(self.staging_dir):
            with self._writing() as con:
                self._write_run_end(con, end)
            discard(path)
        return results

    # ------------------------------------------------------------ reading

    def _table_exists(self, con: duckdb.DuckDBPyConnection) -> bool:
        return current_version(con) > 0

    def known_urls(self, source_name: str, *, kind: str = ARTICLE) -> set[str]:
        """Canonical URLs of the source's pages of `kind` archived with any outcome but a failure.

        Article pages by default: a nightly run stops at a list page showing one,
        and a list page's URL must never pass for an article we already have.
        """
        if not self.path.exists():
            return set()
        with self._reading() as con:
            if not self._table_exists(con):
                return set()
            rows = con.execute(
                "SELECT url FROM pages WHERE source_name = ? AND kind = ? AND outcome <> 'failed'", [source_name, kind]
            ).fetchall()
        return {r[0] for r in rows}

    def validators(self, urls: Iterable[str]) -> dict[str, Validators]:
        """ETag / Last-Modified of each URL's last good fetch (article or list page), keyed by the URL as given."""
        given = {canonical_url(u): u for u in urls}
        if not given or not self.path.exists():
            return {}
        with self._reading() as con:
            if not self._table_exists(con):
                return {}
            con.register("b_urls", pa.table({"url": list(given)}))
            rows = con.execute("""
                SELECT url, etag, last_modified FROM pages
                WHERE outcome = 'fetched' AND (etag IS NOT NULL OR last_modified IS NOT NULL)
                  AND url IN (SELECT url FROM b_urls)""").fetchall()
        return {given[url]: Validators(etag=etag, last_modified=lm) for url, etag, lm in rows}

    def archived_page(self, url: str) -> FetchedPage | None:
        """The archived body of one URL (outcome fetched), any kind; None when there is none.

        A list page answered 304 is parsed from here: the server said the body
        we archived is still the page.
        """
        if not self.path.exists():
            return None
        with self._reading() as con:
            if not self._table_exists(con):
                return None
            rows = con.execute(
                f"SELECT {_PAGE_COLUMNS} FROM pages WHERE url = ? AND outcome = ?", [canonical_url(url), FETCHED]
            ).fetchall()
        return _fetched_page(rows[0]) if rows else None

    def archived_pages(
        self,
        *,
        source_names: Iterable[str] | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        chunk_size: int = ARCHIVE_CHUNK,
        kind: str | None = ARTICLE,
    ) -> Iterator[FetchedPage]:
        """Every archived page body (outcome fetched), in URL order, read a chunk per short connection.

        The file is not held open between chunks, so loading re-processed pages
        while iterating works; `since`/`until` bound the fetch time (UTC).
        Article pages only by default (what reprocessing rebuilds articles
        from); `kind="list"` gives the list pages, `kind=None` both.
        """
        if not self.path.exists():
            return
        names = sorted(source_names) if source_names is not None else None
        conditions, params = ["outcome = ?", "url > ?"], [FETCHED]
        if kind is not None:
            conditions.append("kind = ?")
            params.append(kind)
        if names is not None:
            conditions.append(f"source_name IN ({', '.join('?' for _ in names)})" if names else "false")
            params += names
        if (low := _bound(since, end=False)) is not None:
            conditions.append("fetched_at >= ?")
            params.append(low)
        if (high := _bound(until, end=True)) is not None:
            conditions.append("fetched_at < ?")
            params.append(high)
        # url > ? is second: its parameter is spliced in per chunk.
        sql = f"""
            SELECT {_PAGE_COLUMNS}
            FROM pages WHERE {' AND '.join(conditions)} ORDER BY url LIMIT {int(chunk_size)}"""
        after = ""
        while True:
            with self._reading() as con:
                if not self._table_exists(con):
                    return
                rows = con.execute(sql, [params[0], after, *params[1:]]).fetchall()
            for row in rows:
                yield _fetched_page(row)
            if len(rows) < chunk_size:
                return
            after = rows[-1][0]


# The pages columns a FetchedPage is rebuilt from, in _fetched_page's order.
_PAGE_COLUMNS = (
    "url, requested_url, final_url, status, headers, body, fetched_at, elapsed_s, outcome, error, source_name,"
    " redirects, kind"
)


def _fetched_page(row: tuple) -> FetchedPage:
    _url, requested, final, status, headers, body, fetched_at, elapsed, outcome, error, source, redirects, kind = row
    return FetchedPage(
        requested_url=requested, final_url=final, status=status, headers=json.loads(headers or "{}"),
        body=bytes(body or b""), fetched_at=fetched_at.replace(tzinfo=timezone.utc), elapsed_s=elapsed,
        outcome=outcome, error=error, source_name=source, redirects=list(redirects or []), kind=kind or ARTICLE,
    )  # fmt: skip
