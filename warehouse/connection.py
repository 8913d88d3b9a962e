"""Opening the DuckDB file for one short transaction, waiting while another process holds it.

DuckDB lets one process write a file, and a writer cannot open it while any
other process (the DuckDB CLI, a notebook, `dangjian sql`) has it open, even
read-only. So the loader never keeps the file open between batches: it
connects, writes, closes; and when the file is locked it waits and retries,
logging each wait, until `timeout_s` has passed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

log = logging.getLogger("dangjian.warehouse")

# Files are written so that DuckDB 1.4+ tools (the DuckDB CLI on PyPI is 1.5.x)
# can open them; DuckDB 2.0's default storage format is unreadable to 1.x.
STORAGE_COMPATIBILITY = "v1.4.0"
# Rows per row group in what the loader writes (DuckDB's default is 122 880). Each
# batch's commit appends a row group per table, and its checkpoint merges the small
# row groups at the end of each table, each merge doubling one, up to this size. At
# the default size a row loaded in a batch of 1 000 was rewritten about seven times,
# and the last merges rewrote up to 122 880 page bodies in one commit: seconds, and
# most of the loader's peak memory (0.9 GB). Small row groups bound every merge and
# its memory. Not merging is worse: each row group costs at least a block of its
# own and time in every scan (key lookups ran three times slower over a hundred
# 1 000-row groups than over thirteen merged ones), and merging them later, in one
# commit, takes the memory back. 4 096 measured cheapest for batches of 500 and
# 1 000 pages (2 048-16 384 tried). Readers need no setting.
ROW_GROUP_SIZE = 4096
_FIRST_WAIT_S = 0.1
_MAX_WAIT_S = 2.0


class WarehouseBusy(RuntimeError):
    """Another process kept the warehouse file locked for longer than we were willing to wait."""


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    """True for the errors that waiting can cure: another process (or connection) holds the file."""
    message = str(exc)
    return "Could not set lock" in message or "Conflicting lock" in message or "different configuration" in message


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    # The row group size is an ATTACH option, so the file is attached to an empty in-memory database and made the default.
    # storage_compatibility_version applies to files created here; an existing file keeps its format.
    con = duckdb.connect(config={"storage_compatibility_version": STORAGE_COMPATIBILITY})
    try:
        escaped = str(path).replace("'", "''")
        con.execute(f"ATTACH '{escaped}' AS warehouse (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        con.execute("USE warehouse")
        # Checkpoint at each commit rather than when the connection closes: a large
        # commit then goes straight into the file instead of first through the WAL
        # (a batch was written twice; the commit and close cost a quarter less).
        con.execute("SET checkpoint_threshold = '1kB'")
    except BaseException:
        con.close()
        raise
    return con


def connect_waiting(path: Path, *, read_only: bool, timeout_s: float) -> duckdb.DuckDBPyConnection:
    """Connect, retrying with growing waits while the file is locked; WarehouseBusy after `timeout_s`."""
    started = time.monotonic()
    wait = _FIRST_WAIT_S
    while True:
        try:
            return _connect(path, read_only)
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not _is_lock_conflict(exc):
                raise
            waited = time.monotonic() - started
            if waited >= timeout_s:
                raise WarehouseBusy(
                    f"warehouse {path} stayed locked by another process for {waited:.1f} s: {exc}"
                ) from exc
            wait = min(wait, max(timeout_s - waited, 0.01))
            log.warning(
                "warehouse %s is locked by another process; retrying in %.1f s (waited %.1f of %.0f s): %s",
                path, wait, waited, timeout_s, str(exc).split(". ")[0],
            )
            time.sleep(wait)
            wait = min(wait * 2, _MAX_WAIT_S)


@contextmanager
def transaction(
    path: Path, *, timeout_s: float, before: Callable[[duckdb.DuckDBPyConnection], None] | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """One write transaction on a freshly opened connection, closed (and the file released) afterwards.

    `before` runs on the connection ahead of the transaction (schema migrations
    manage their own transactions).
    """
    con = connect_waiting(path, read_only=False, timeout_s=timeout_s)
    try:
        if before is not None:
            before(con)
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()


@contextmanager
def reading(path: Path, *, timeout_s: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, closed afterwards so that a loader can take the file."""
    con = connect_waiting(path, read_only=True, timeout_s=timeout_s)
    try:
        yield con
    finally:
        con.close()
