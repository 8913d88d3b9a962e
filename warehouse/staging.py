"""Batches that could not be written because the file stayed locked, kept on disk as Arrow IPC files.

A staged batch is a directory of one Arrow IPC file per batch table, named so
that sorting the names gives staging order. It is written under a temporary
name and renamed into place, so a reader never sees half a batch; it is
deleted only after its load has committed.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

from warehouse.batch import TABLE_SCHEMAS, Batch

_TMP_PREFIX = ".tmp-"
_BATCH_SUFFIX = ".batch"
_RUN_SUFFIX = ".run.json"


@dataclass(frozen=True)
class StagedRunEnd:
    """A finish_run that could not be written: applied when the staged batches are."""

    run_id: str
    status: str
    counts: dict[str, int]
    finished_at: datetime


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def stage_batch(batch: Batch, staging_dir: Path) -> Path:
    staging_dir.mkdir(parents=True, exist_ok=True)
    name = f"{_stamp()}-{batch.run_id}-{uuid.uuid4().hex[:8]}{_BATCH_SUFFIX}"
    tmp = staging_dir / f"{_TMP_PREFIX}{name}"
    tmp.mkdir()
    for kind, table in batch.tables().items():
        with pa.OSFile(str(tmp / f"{kind}.arrow"), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
    (tmp / "run_id").write_text(batch.run_id, encoding="utf-8")
    final = staging_dir / name
    os.rename(tmp, final)
    return final


def read_staged_batch(path: Path) -> Batch:
    tables = {}
    for kind, schema in TABLE_SCHEMAS.items():
        with pa.memory_map(str(path / f"{kind}.arrow"), "r") as source:
            tables[kind] = _with_defaults(ipc.open_file(source).read_all(), schema).cast(schema)
    return Batch(run_id=(path / "run_id").read_text(encoding="utf-8"), **tables)


# Columns added after staging existed, with the value a batch staged before them means.
_ADDED_COLUMNS = {"kind": "article"}


def _with_defaults(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A batch staged by an older version, given the columns added since (in schema order, for the cast)."""
    missing = [name for name in schema.names if name not in table.column_names]
    for name in missing:
        table = table.append_column(name, pa.array([_ADDED_COLUMNS[name]] * table.num_rows, schema.field(name).type))
    return table.select(schema.names) if missing else table


def staged_batches(staging_dir: Path) -> list[Path]:
    """Staged batches, oldest first (a missing directory has none)."""
    if not staging_dir.is_dir():
        return []
    return sorted(p for p in staging_dir.iterdir() if p.name.endswith(_BATCH_SUFFIX) and p.is_dir())


def discard(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def stage_run_end(end: StagedRunEnd, staging_dir: Path) -> Path:
    staging_dir.mkdir(parents=True, exist_ok=True)
    name = f"{_stamp()}-{end.run_id}{_RUN_SUFFIX}"
    tmp = staging_dir / f"{_TMP_PREFIX}{name}"
    payload = {"run_id": end.run_id, "status": end.status, "counts": end.counts, "finished_at": end.finished_at.isoformat()}
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    final = staging_dir / name
    os.rename(tmp, final)
    return final


def staged_run_ends(staging_dir: Path) -> list[tuple[Path, StagedRunEnd]]:
    if not staging_dir.is_dir():
        return []
    ends = []
    for path in sorted(p for p in staging_dir.iterdir() if p.name.endswith(_RUN_SUFFIX)):
        data = json.loads(path.read_text(encoding="utf-8"))
        ends.append((path, StagedRunEnd(data["run_id"], data["status"], data["counts"],
                                        datetime.fromisoformat(data["finished_at"]))))  # fmt: skip
    return ends
