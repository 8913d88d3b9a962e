"""Read-only access for people: ad-hoc SQL and exports, never holding the file longer than one query."""

from __future__ import annotations

from pathlib import Path

from warehouse.connection import reading

# How long a reader waits for a loader's write transaction to finish.
READ_TIMEOUT_S = 30.0
FORMATS = ("parquet", "csv")


def run_sql(path: str | Path, query: str, *, timeout_s: float = READ_TIMEOUT_S) -> tuple[list[str], list[tuple]]:
    """Run `query` on a read-only connection: (column names, rows). Writes fail with DuckDB's error."""
    with reading(Path(path), timeout_s=timeout_s) as con:
        result = con.execute(query)
        columns = [d[0] for d in result.description] if result.description else []
        rows = result.fetchall() if result.description else []
    return columns, rows


def _relations(con) -> list[tuple[str, str]]:
    """(name, 'table'|'view') of the user tables and views, tables first."""
    rows = con.execute("""
        SELECT table_name, CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END AS kind
        FROM information_schema.tables WHERE table_schema = 'main'
        ORDER BY kind, table_name""").fetchall()
    return [(name, kind) for name, kind in rows]


def _select_for_csv(con, name: str) -> str:
    """CSV has no bytes type: BLOB columns (page bodies) are exported base64-encoded."""
    columns = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        [name],
    ).fetchall()
    parts = [f'base64("{c}") AS "{c}"' if t == "BLOB" else f'"{c}"' for c, t in columns]
    return f'SELECT {", ".join(parts)} FROM "{name}"'


def export(path: str | Path, fmt: str, out_dir: Path, *, timeout_s: float = READ_TIMEOUT_S) -> list[Path]:
    """Write one file per table and view (`<name>.parquet` or `<name>.csv`) into `out_dir`."""
    if fmt not in FORMATS:
        raise ValueError(f"export format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with reading(Path(path), timeout_s=timeout_s) as con:
        for name, _kind in _relations(con):
            target = out_dir / f"{name}.{fmt}"
            if fmt == "parquet":
                select = f'SELECT * FROM "{name}"'
                options = "FORMAT parquet, COMPRESSION zstd"
            else:
                select = _select_for_csv(con, name)
                options = "FORMAT csv, HEADER true"
            escaped = str(target).replace("'", "''")
            con.execute(f"COPY ({select}) TO '{escaped}' ({options})").fetchall()
            written.append(target)
    return written
