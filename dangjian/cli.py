"""The `dangjian` command line.

Heavy imports (Prefect, DuckDB) happen inside the subcommands that need them,
so `dangjian extract` starts fast enough to run once per page.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
WAREHOUSE_ENV = "DANGJIAN_WAREHOUSE"
DEMO_PORT = 8765


def _warehouse_path(value: str | None) -> str:
    return value or os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE


def _quiet_prefect_defaults() -> None:
    """Defaults for running flows without a server; the user's environment wins."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The temporary server needs ~12 s on 2 busy cores; Prefect's default of 20 s is too tight.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


# ---------------------------------------------------------------- extract

def _read_page(target: str) -> tuple[bytes, str | None, str | None]:
    """Bytes, content type and URL of a page given as a file path or an http(s) URL."""
    if target.startswith(("http://", "https://")):
        from extract.fetch import FETCHED, fetch_one

        page = fetch_one(target)
        if page.outcome != FETCHED:
            raise OSError(f"cannot fetch {target}: {page.error or page.outcome}")
        return page.body, page.content_type, page.final_url or target
    path = Path(target)
    if not path.is_file():
        raise OSError(f"{target}: no such file")
    return path.read_bytes(), None, None


def cmd_extract(args: argparse.Namespace) -> int:
    from dangjian.pipeline import NotAnArticle, process_bytes
    from dangjian.record_json import record_to_json

    if args.url and len(args.pages) > 1:
        print("dangjian extract: --url applies to a single page", file=sys.stderr)
        return 2
    failed = 0
    for target in args.pages:
        try:
            body, content_type, fetched_url = _read_page(target)
            record = process_bytes(body, url=args.url or fetched_url, content_type=content_type)
        except (OSError, NotAnArticle) as exc:
            print(f"dangjian extract: {target}: {exc}", file=sys.stderr)
            failed += 1
            continue
        out = record_to_json(record)
        if args.json:
            print(json.dumps(out, ensure_ascii=False))
        else:
            print(f"# {out['title']}\n{out['published_at']}  {out['source'] or ''}\n\n{out['body']}\n")
    return 1 if failed else 0


# ---------------------------------------------------------------- ingest / demo

def _run_ingest(sources_file: str, warehouse: str, **params) -> dict:
    _quiet_prefect_defaults()
    from flows.ingest import ingest

    return ingest(sources_file=sources_file, warehouse_path=warehouse, **params)


def cmd_ingest(args: argparse.Namespace) -> int:
    from extract.sources import SourcesError, load_sources, select_sources

    try:
        select_sources(load_sources(args.sources), args.source)
    except SourcesError as exc:
        print(f"dangjian ingest: {exc}", file=sys.stderr)
        return 2
    result = _run_ingest(
        args.sources, _warehouse_path(args.warehouse), sources=args.source or None,
        since=args.since, until=args.until, max_pages=args.max_pages, mode=args.mode,
    )
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


DEMO_QUERY = """
SELECT source_name, count(*) AS articles, min(published_at)::DATE AS first, max(published_at)::DATE AS last
FROM articles GROUP BY source_name ORDER BY articles DESC
""".strip()

DEMO_FIGURES_QUERY = """
SELECT a.title[1:24] AS article, n.text, n.value, n.unit, n.subject
FROM article_numbers n JOIN articles a USING (article_id)
WHERE n.subject = '党员' ORDER BY n.value DESC LIMIT 8
""".strip()


def cmd_demo(args: argparse.Namespace) -> int:
    import time

    from samplesites import sources_toml
    from samplesites.server import serve_sample_sites
    from dangjian.output import format_table
    from warehouse.query import run_sql

    warehouse = _warehouse_path(args.warehouse)
    Path(warehouse).parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with serve_sample_sites(port=args.port) as sites:
        print(f"sample sites serving at {sites.base_url}")
        sources_path = Path(warehouse).parent / "sample_sources.toml"
        sources_path.write_text(sources_toml(sites.base_url), encoding="utf-8")
        result = _run_ingest(str(sources_path), warehouse, mode="backfill")
    elapsed = time.perf_counter() - started
    removed = {k.removeprefix("removed_"): v for k, v in result.items() if k.startswith("removed_")}
    print()
    print(f"dangjian demo: {elapsed:.1f} s, warehouse {warehouse}")
    print(f"  pages fetched      {result.get('fetched', 0)} (+{result.get('list_pages', 0)} list pages, {result.get('list_not_modified', 0)} of them 304; "
          f"{result.get('not_modified', 0)} not modified, {result.get('failed', 0)} failed)")
    print(f"  articles loaded    {result.get('articles_new', 0)} new, {result.get('articles_updated', 0)} updated, "
          f"{result.get('articles_unchanged', 0)} unchanged")
    print(f"  figures found      {result.get('figures', 0)}")
    print("  lines removed      " + (", ".join(f"{k} {v}" for k, v in sorted(removed.items())) or "none"))
    for query in (DEMO_QUERY, DEMO_FIGURES_QUERY):
        print(f"\n{query}\n")
        columns, rows = run_sql(warehouse, query)
        print(format_table(columns, rows))
    return 0


def cmd_sample_sites(args: argparse.Namespace) -> int:
    from samplesites.server import main as serve_until_interrupted

    argv = ["--port", str(args.port)] + (["--write-sources", args.write_sources] if args.write_sources else [])
    return serve_until_interrupted(argv)


# ---------------------------------------------------------------- serve / reprocess

def cmd_serve(args: argparse.Namespace) -> int:
    _quiet_prefect_defaults()
    from prefect.settings import PREFECT_API_URL

    from extract.sources import SourcesError
    from flows.deployments import ServeConfig, ServeConfigError, serve_deployments

    if not PREFECT_API_URL.value():
        print("dangjian serve: no Prefect server configured; run `prefect server start` and set "
              "PREFECT_API_URL (e.g. http://127.0.0.1:4200/api)", file=sys.stderr)
        return 2
    config = ServeConfig(
        sources_file=Path(args.sources), warehouse_path=Path(_warehouse_path(args.warehouse)),
        cron=args.cron, timezone=args.timezone,
    )
    try:
        config.check()
    except (SourcesError, ServeConfigError) as exc:
        print(f"dangjian serve: {exc}", file=sys.stderr)
        return 2
    config.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    if args.work_pool:
        from flows.deployments import deploy_to_work_pool

        for deployment_id in deploy_to_work_pool(config, args.work_pool):
            print(f"registered deployment {deployment_id} on work pool {args.work_pool}")
        return 0
    serve_deployments(config, limit=args.limit)
    return 0


def cmd_reprocess(args: argparse.Namespace) -> int:
    _quiet_prefect_defaults()
    from extract.sources import SourcesError, load_sources
    from flows.backfill import BadParameters, RunFilters
    from flows.reprocess import reprocess

    try:
        RunFilters.from_parameters(args.source, args.since, args.until, None, args.max_pages).check(
            load_sources(args.sources))
    except (SourcesError, BadParameters) as exc:
        print(f"dangjian reprocess: {exc}", file=sys.stderr)
        return 2
    result = reprocess(
        sources=args.source or None, since=args.since, until=args.until, max_pages=args.max_pages,
        sources_file=args.sources, warehouse_path=_warehouse_path(args.warehouse),
    )
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


# ---------------------------------------------------------------- sql / export

def cmd_sql(args: argparse.Namespace) -> int:
    from dangjian.output import format_rows
    from warehouse.query import run_sql

    path = _warehouse_path(args.warehouse)
    if not Path(path).exists():
        print(f"dangjian sql: no warehouse at {path} (run `dangjian ingest` or `make demo` first)", file=sys.stderr)
        return 2
    try:
        columns, rows = run_sql(path, args.query)
    except Exception as exc:  # noqa: BLE001 - SQL errors are the user's to read, as one line
        print(f"dangjian sql: {exc}", file=sys.stderr)
        return 1
    print(format_rows(columns, rows, args.format))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from warehouse.query import export

    for path in export(_warehouse_path(args.warehouse), args.format, Path(args.directory)):
        print(path)
    return 0


# ---------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dangjian", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="extract and clean article pages (files or URLs)")
    p.add_argument("pages", nargs="+", help="HTML files (any encoding) or http(s) URLs")
    p.add_argument("--url", help="the page's URL, when PAGE is a file")
    p.add_argument("--json", action="store_true", help="one JSON object per page (JSON Lines)")
    p.set_defaults(func=cmd_extract)

    warehouse_help = f"DuckDB file (default ${WAREHOUSE_ENV} or {DEFAULT_WAREHOUSE})"
    p = sub.add_parser("ingest", help="run one ingestion over a sources file")
    p.add_argument("--sources", required=True, help="TOML file of [[source]] entries")
    p.add_argument("--warehouse", help=warehouse_help)
    p.add_argument("--source", action="append", help="only this source (repeatable)")
    p.add_argument("--since", type=_iso_date)
    p.add_argument("--until", type=_iso_date)
    p.add_argument("--max-pages", type=int, help="at most this many article pages per source")
    p.add_argument("--mode", choices=("nightly", "backfill"), default="nightly")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("demo", help="serve the bundled sample sites and ingest them")
    p.add_argument("--warehouse", help=warehouse_help)
    p.add_argument("--port", type=int, default=DEMO_PORT)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("sample-sites", help="serve the bundled sample sites until interrupted")
    p.add_argument("--port", type=int, default=DEMO_PORT)
    p.add_argument("--write-sources", help="write a sources TOML for them to this path")
    p.set_defaults(func=cmd_sample_sites)

    p = sub.add_parser("serve", help="serve the nightly, backfill and reprocess deployments to a Prefect server")
    p.add_argument("--sources", required=True, help="TOML file of [[source]] entries")
    p.add_argument("--warehouse", help=warehouse_help)
    p.add_argument("--cron", default="0 2 * * *", help="nightly schedule (default: 0 2 * * *)")
    p.add_argument("--timezone", default="Asia/Shanghai", help="time zone of --cron (default: Asia/Shanghai)")
    p.add_argument("--limit", type=int, help="at most this many flow runs at once")
    p.add_argument("--work-pool", help="register the deployments on this work pool and exit; "
                   "its workers run them (nightly: one run per source)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("reprocess", help="re-clean archived pages with the current cleaner (no fetching)")
    p.add_argument("--sources", required=True, help="TOML file of [[source]] entries")
    p.add_argument("--warehouse", help=warehouse_help)
    p.add_argument("--source", action="append", help="only this source (repeatable)")
    p.add_argument("--since", type=_iso_date)
    p.add_argument("--until", type=_iso_date)
    p.add_argument("--max-pages", type=int, help="at most this many archived pages per source")
    p.set_defaults(func=cmd_reprocess)

    p = sub.add_parser("sql", help="run read-only SQL against the warehouse")
    p.add_argument("query")
    p.add_argument("--warehouse", help=warehouse_help)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(func=cmd_sql)

    p = sub.add_parser("export", help="export tables and views as Parquet or CSV")
    p.add_argument("directory")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument("--warehouse", help=warehouse_help)
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
