"""Start-up cost of `dangjian extract`, and proof that its path imports neither Prefect nor DuckDB.

    .venv/bin/python bench/bench_cli_startup.py [--runs 5] [--pages N]

Measures, each in a fresh interpreter:
- `python -c pass`: the interpreter alone, the floor;
- `dangjian extract ONE_PAGE --json`: wall time of one page, start-up included;
- `dangjian extract N_PAGES --json`: the same with N pages in one process, so
  the per-page cost after start-up shows as the difference;
- `python -X importtime -m dangjian extract ONE_PAGE`: the slowest imports;
and lists any prefect / duckdb / pyarrow / httpx module loaded on that path.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITES = REPO / "samplesites" / "sites"
HEAVY = ("prefect", "duckdb", "pyarrow", "httpx", "sqlalchemy", "pydantic")

_PROBE = """
import sys, runpy
sys.argv = ["dangjian", "extract", *{pages!r}, "--json"]
import io, contextlib
with contextlib.redirect_stdout(io.StringIO()):
    try:
        runpy.run_module("dangjian", run_name="__main__")
    except SystemExit:
        pass
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
print(__import__("json").dumps(heavy))
"""


def article_pages() -> list[Path]:
    manifest = json.loads((SITES / "_manifest.json").read_text(encoding="utf-8"))
    return [SITES / p.lstrip("/") for p, e in sorted(manifest.items()) if "article_id" in e]


def wall(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def import_tree(page: Path, min_ms: float) -> list[tuple[float, int, str]]:
    """(cumulative ms, depth, module) of every import costing at least `min_ms`, from -X importtime.

    importtime prints a module after the modules it pulled in; reversed, the
    list reads as a tree: a module, then what made it slow.
    """
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "dangjian", "extract", str(page), "--json"],
                          cwd=REPO, capture_output=True, text=True, check=True)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self_us, cumulative, name = line.removeprefix("import time:").split("|", 2)
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        if int(cumulative) >= min_ms * 1000:
            rows.append((int(cumulative) / 1000, depth, name.strip()))
    return rows[::-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per figure (median)")
    parser.add_argument("--pages", type=int, default=30, help="pages in the batch run")
    parser.add_argument("--min-import-ms", type=float, default=20, help="show imports at least this slow")
    args = parser.parse_args(argv)

    pages = article_pages()
    one = str(pages[0])
    batch = [str(p) for p in (pages * (args.pages // len(pages) + 1))[: args.pages]]
    python = sys.executable
    floor = wall([python, "-c", "pass"], args.runs)
    single = wall([python, "-m", "dangjian", "extract", one, "--json"], args.runs)
    many = wall([python, "-m", "dangjian", "extract", *batch, "--json"], args.runs)
    probe = subprocess.run([python, "-c", _PROBE.format(pages=[one], heavy=HEAVY)], cwd=REPO,
                           capture_output=True, text=True, check=True)
    heavy = json.loads(probe.stdout.strip().splitlines()[-1])

    print(f"interpreter alone (python -c pass)        {floor:7.0f} ms")
    print(f"dangjian extract, 1 page (wall)           {single:7.0f} ms   start-up ~{single - floor:.0f} ms over the"
          " interpreter")
    print(f"dangjian extract, {len(batch)} pages in one process  {many:7.0f} ms   "
          f"~{(many - single) / max(len(batch) - 1, 1):.1f} ms per extra page")
    print(f"heavy modules imported on that path: {', '.join(heavy) if heavy else 'none'}"
          f" (checked: {', '.join(HEAVY)})")
    print(f"\nimports costing >= {args.min_import_ms:g} ms (python -X importtime, cumulative, one run):")
    for ms, depth, name in import_tree(pages[0], args.min_import_ms):
        print(f"  {ms:7.1f} ms  {'  ' * depth}{name}")
    print(f"\nmachine: {os.cpu_count()} cores; reproduce with:\n  .venv/bin/python bench/bench_cli_startup.py "
          + " ".join(argv if argv is not None else sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
