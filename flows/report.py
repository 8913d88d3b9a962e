"""Run summaries: per-source counts a person reads at the end of a run.

Kept free of Prefect so the CLI, the flow artifacts and the tests share it.
"""

from dataclasses import dataclass, field

from extract.archive import FAILED, FETCHED, NOT_MODIFIED, SKIPPED, FetchedPage
from transform.article import ProcessedPage


@dataclass
class SourceTally:
    source: str
    list_pages: int = 0
    list_not_modified: int = 0  # list pages answered 304 (nothing new behind them)
    fetched: int = 0
    not_modified: int = 0
    skipped: int = 0
    failed: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    figures: int = 0
    removed_by_kind: dict[str, int] = field(default_factory=dict)

    def count_pages(self, pages: list[FetchedPage]) -> None:
        for page in pages:
            if page.outcome == FETCHED:
                self.fetched += 1
            elif page.outcome == NOT_MODIFIED:
                self.not_modified += 1
            elif page.outcome == SKIPPED:
                self.skipped += 1
            elif page.outcome == FAILED:
                self.failed += 1

    def add_load(self, stats) -> None:
        """Add a warehouse LoadStats."""
        self.articles_new += stats.articles_new
        self.articles_updated += stats.articles_updated
        self.articles_unchanged += stats.articles_unchanged
        self.figures += stats.figures
        for kind, n in stats.removed_by_kind.items():
            self.removed_by_kind[kind] = self.removed_by_kind.get(kind, 0) + n


@dataclass(frozen=True)
class Failure:
    source: str
    url: str
    reason: str


@dataclass
class RunReport:
    tallies: dict[str, SourceTally] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    def tally(self, source: str) -> SourceTally:
        return self.tallies.setdefault(source, SourceTally(source))

    def record_failures(self, source: str, processed: list[ProcessedPage]) -> None:
        for item in processed:
            if item.error and item.page.outcome in (FAILED, SKIPPED, FETCHED):
                url = item.page.requested_url
                self.failures.append(Failure(source, url, f"{item.page.outcome}: {item.error}"))

    def totals(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for t in self.tallies.values():
            for key in ("list_pages", "list_not_modified", "fetched", "not_modified", "skipped", "failed",
                        "articles_new", "articles_updated", "articles_unchanged", "figures"):
                total[key] = total.get(key, 0) + getattr(t, key)
            for kind, n in t.removed_by_kind.items():
                total[f"removed_{kind}"] = total.get(f"removed_{kind}", 0) + n
        return total

    def table_rows(self) -> list[dict[str, object]]:
        kinds = sorted({k for t in self.tallies.values() for k in t.removed_by_kind})
        rows = []
        for t in self.tallies.values():
            row: dict[str, object] = {
                "source": t.source, "list pages": t.list_pages, "list pages 304": t.list_not_modified, "fetched": t.fetched,
                "not modified": t.not_modified, "skipped": t.skipped, "failed": t.failed,
                "articles new": t.articles_new, "updated": t.articles_updated,
                "unchanged": t.articles_unchanged, "figures": t.figures,
            }
            for kind in kinds:
                row[f"removed {kind}"] = t.removed_by_kind.get(kind, 0)
            rows.append(row)
        return rows

    def failures_markdown(self) -> str:
        if not self.failures:
            return "No URL failed in this run."
        lines = ["| source | URL | reason |", "|---|---|---|"]
        lines += [f"| {f.source} | {f.url} | {f.reason.replace('|', '/')} |" for f in self.failures]
        return "\n".join(lines)
