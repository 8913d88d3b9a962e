"""The `backfill` flow and the parameter checks it shares with `reprocess`.

A backfill is started by hand, from the Prefect UI or the API, long after the
sources were configured. A wrong parameter there (dates swapped, a typo in a
source name, an article URL from a site we do not crawl) would otherwise
surface as a run that quietly does nothing, so the parameters are checked
against the sources file before any page is fetched, and every problem is
named in one message.

No `from __future__ import annotations` here: Prefect builds the parameter
schema of deployed runs from real annotations (`date | None` breaks otherwise).
"""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from prefect import flow, get_run_logger

from extract.sources import SourceProfile, load_sources, select_sources
from flows.ingest import ingest

# A backfill over years of list pages is bounded per source unless the user says otherwise.
DEFAULT_MAX_PAGES = 500


class BadParameters(ValueError):
    """Backfill or reprocess parameters that cannot be run; the message names each and says why."""


@dataclass(frozen=True)
class RunFilters:
    """What a backfill or reprocess run covers: the same filters for both flows.

    Empty `sources` means every enabled source; `urls` (backfill only) skips
    list-page discovery; `max_pages` bounds the article pages per source.
    """

    sources: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    urls: tuple[str, ...] = ()
    max_pages: int | None = DEFAULT_MAX_PAGES

    @classmethod
    def from_parameters(
        cls,
        sources: list[str] | None,
        since: date | None,
        until: date | None,
        urls: list[str] | None = None,
        max_pages: int | None = DEFAULT_MAX_PAGES,
    ) -> "RunFilters":
        return cls(
            sources=tuple(s.strip() for s in sources or () if s and s.strip()),
            since=since,
            until=until,
            urls=tuple(u.strip() for u in urls or () if u and u.strip()),
            max_pages=max_pages,
        )

    def problems(self, profiles: list[SourceProfile]) -> list[str]:
        """Every reason these filters cannot run against `profiles`, each naming its parameter."""
        found: list[str] = []
        if self.since and self.until and self.since > self.until:
            found.append(f"since ({self.since}) is after until ({self.until}); no date can match both")
        if self.max_pages is not None and self.max_pages < 1:
            found.append(f"max_pages must be at least 1 (got {self.max_pages})")
        configured = {p.name: p for p in profiles}
        unknown = [name for name in self.sources if name not in configured]
        if unknown:
            found.append(
                f"sources: unknown source(s) {', '.join(unknown)}; configured: {', '.join(configured) or 'none'}"
            )
        chosen = [configured[n] for n in self.sources if n in configured] or [p for p in profiles if p.enabled]
        for url in self.urls:
            problem = _url_problem(url, profiles, chosen)
            if problem:
                found.append(f"urls: {problem}")
        return found

    def check(self, profiles: list[SourceProfile]) -> list[SourceProfile]:
        """The profiles to run, or BadParameters listing every problem at once."""
        problems = self.problems(profiles)
        if problems:
            raise BadParameters("bad parameters: " + "; ".join(problems))
        return select_sources(profiles, list(self.sources) or None)


def _url_problem(url: str, profiles: list[SourceProfile], chosen: list[SourceProfile]) -> str | None:
    """Why an explicit article URL cannot be fetched by this run, or None when it can."""
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        return f"{url!r} is not an http(s) URL"
    owners = [p.name for p in profiles if p.owns(url)]
    if not owners:
        prefixes = sorted({prefix for p in profiles for prefix in p.url_prefixes})
        return f"{url} is outside every configured source (accepted prefixes: {', '.join(prefixes)})"
    if not any(p.name in owners for p in chosen):
        return f"{url} belongs to source {owners[0]}, which this run does not include"
    return None


@flow(name="backfill", log_prints=True)
def backfill(
    sources: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    urls: list[str] | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    sources_file: str = "sources.toml",
    warehouse_path: str = "data/warehouse.duckdb",
) -> dict:
    """Crawl the configured sources' list pages back to a date, or fetch given article URLs.

    Args:
        sources: Sources to crawl, by name, from the sources file; empty means every enabled source.
        since: Earliest publication date to fetch (YYYY-MM-DD); empty means no lower bound.
        until: Latest publication date to fetch (YYYY-MM-DD); empty means no upper bound.
        urls: Explicit article URLs to fetch instead of walking list pages; each must lie under a configured source's URL prefix.
        max_pages: Safety bound: at most this many article pages per source (at least 1).
        sources_file: The sources TOML this deployment serves (fixed by `dangjian serve`).
        warehouse_path: The DuckDB warehouse this deployment loads into (fixed by `dangjian serve`).
    """
    filters = RunFilters.from_parameters(sources, since, until, urls, max_pages)
    profiles = filters.check(load_sources(sources_file))
    get_run_logger().info(
        "backfill over %s, %s to %s, %s", ", ".join(p.name for p in profiles),
        since or "the beginning", until or "today",
        f"{len(filters.urls)} explicit URLs" if filters.urls else "list pages walked",
    )
    return ingest.fn(
        sources_file=sources_file,
        warehouse_path=warehouse_path,
        sources=[p.name for p in profiles],
        since=since,
        until=until,
        urls=list(filters.urls) or None,
        max_pages=max_pages,
        mode="backfill",
    )
