"""The overlapped batch stages both flows share (flows/stages.py), on real parts.

A real Prefect flow run hands batches of the sample sites' pages through
the real stages: processing in the extraction worker processes, one Prefect
task run per batch and stage, loads one at a time into a real DuckDB file.
What is checked is what a person relies on when a run fails half-way: every
batch handed over before the failure is loaded and counted exactly once,
nothing after it is loaded, and the error still fails the run.
"""

from __future__ import annotations

import gc
import weakref
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from prefect import flow

import flows.stages
from extract.archive import FETCHED, FetchedPage
from extract.sources import SourceProfile
from flows.report import RunReport
from flows.stages import LoadChain, Pages, PendingBatch, load_batch, run_overlapped
from samplesites.server import load_files
from warehouse.store import Warehouse

BASE = "http://127.0.0.1:9"
SITES = ("hongxing", "renmin", "sichuan")  # no mirrors: every page is an article of its own


def _pages(site: str) -> list[FetchedPage]:
    """The site's article pages as the fetcher would have returned them."""
    return [
        FetchedPage(BASE + path, BASE + path, 200, {"content-type": served.content_type, "etag": served.etag},
                    served.body, datetime.now(UTC), 0.01, FETCHED, source_name=site)
        for path, served in sorted(load_files().items())
        if path.startswith(f"/{site}/") and path.endswith(".html") and "/index" not in path
    ]  # fmt: skip


def _ready(pages: list[FetchedPage]) -> Future:
    done: Future = Future()
    done.set_result(Pages(pages))
    return done


def _failed(reason: str) -> Future:
    done: Future = Future()
    done.set_exception(RuntimeError(reason))
    return done


def _profile(site: str) -> SourceProfile:
    return SourceProfile(name=site, start_urls=(f"{BASE}/{site}/index.html",))


def _run(warehouse: Path, batches: list[PendingBatch], report: RunReport) -> None:
    """The stages inside a real flow run (the batches and report are closed over, not flow parameters)."""

    @flow(name="stages-test")
    def overlapped() -> None:
        store = Warehouse(warehouse)
        store.migrate()
        run_id = store.start_run("test", {})
        run_overlapped(batches, LoadChain(str(warehouse), run_id, report))

    overlapped()


def _loaded_urls(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {row[0] for row in con.execute("SELECT url FROM pages WHERE kind = 'article'").fetchall()}


def _in_twos(site: str) -> list[PendingBatch]:
    pages = _pages(site)
    return [PendingBatch(_profile(site), _ready(pages[i:i + 2]), of_total=len(pages)) for i in range(0, len(pages), 2)]


def test_every_batch_of_every_source_loads_once_and_counts_exactly(tmp_path: Path) -> None:
    batches = [batch for site in SITES for batch in _in_twos(site)]
    report = RunReport()
    _run(tmp_path / "w.duckdb", batches, report)
    for site in SITES:
        tally = report.tallies[site]
        assert (tally.fetched, tally.articles_new, tally.failed) == (len(_pages(site)), len(_pages(site)), 0), site
    assert _loaded_urls(tmp_path / "w.duckdb") == {p.requested_url for site in SITES for p in _pages(site)}


def test_a_batch_that_cannot_be_read_stops_the_run_after_the_batches_before_it_load(tmp_path: Path) -> None:
    before, after = _in_twos("hongxing"), _in_twos("sichuan")
    failing = PendingBatch(_profile("renmin"), _failed("archive read failed"))
    report = RunReport()
    with pytest.raises(RuntimeError, match="archive read failed"):
        _run(tmp_path / "w.duckdb", [*before, failing, *after], report)
    loaded = _loaded_urls(tmp_path / "w.duckdb")
    assert loaded == {p.requested_url for p in _pages("hongxing")}  # all of them, the last batch too
    assert report.tallies["hongxing"].fetched == len(loaded) and "sichuan" not in report.tallies


def test_a_failed_load_keeps_the_loads_before_it_and_runs_none_after_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(flows.stages, "load_batch", load_batch.with_options(retry_delay_seconds=0))
    good, later = _in_twos("hongxing"), _in_twos("sichuan")
    broken = _pages("renmin")[:2]
    for page in broken:  # pages no archive can hold: the load of their batch fails, whatever the loader
        page.status = "not a status"  # type: ignore[assignment]
        page.fetched_at = "not a time"  # type: ignore[assignment]
    report = RunReport()
    with pytest.raises(Exception):  # noqa: B017 - whatever the loader raises, the run must fail with it
        _run(tmp_path / "w.duckdb", [*good, PendingBatch(_profile("renmin"), _ready(broken)), *later], report)
    loaded = _loaded_urls(tmp_path / "w.duckdb")
    assert loaded == {p.requested_url for p in _pages("hongxing")}
    assert report.tallies["hongxing"].fetched == len(loaded)
    assert "renmin" not in report.tallies and "sichuan" not in report.tallies


def test_a_loaded_batch_is_freed_at_once_not_by_the_collector(tmp_path: Path) -> None:
    """Prefect keeps finished tasks' futures, states and parameters in reference cycles; the batches must not wait in them."""
    batches = _in_twos("hongxing")
    pages = [weakref.ref(page) for batch in batches for page in batch.started.result().items]
    gc.collect()
    gc.disable()  # what is freed below is freed by reference counting alone
    try:
        _run(tmp_path / "w.duckdb", batches, RunReport())
        alive = sum(ref() is not None for ref in pages)
    finally:
        gc.enable()
    assert alive == 0
    assert all(batch.started.result().items == [] for batch in batches)
