"""Score the in-process extractor on ../shared/realpages with the shared scorer's metric.

Runs decode_html -> extract_fields over every original page (no subprocess, so
it also measures extraction speed), joins `blocks` with newlines as the body,
and scores it with the functions of ../shared/tools/score_extraction.py,
imported by path so the metric is the reference one, not a copy.

    .venv/bin/python bench/score_realpages.py [--verbose] [--only ID] [--shared PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extract.charset import decode_html  # noqa: E402
from extract.fields import PageFields, extract_fields  # noqa: E402


def load_scorer(shared: Path) -> ModuleType:
    path = shared / "tools" / "score_extraction.py"
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class PageScore:
    id: str
    p: float | None
    r: float | None
    f1: float | None
    date_ok: bool | None
    ms: float
    fields: PageFields


def published(fields: PageFields) -> str | None:
    return fields.published_at.isoformat(sep=" ") if fields.published_at else None


def score_pages(shared: Path, only: str | None = None, repeat: int = 3) -> list[PageScore]:
    scorer = load_scorer(shared)
    scores = []
    for case in scorer.load_cases(shared / "realpages"):
        if only and not case["id"].startswith(only):
            continue
        raw = Path(case["html"]).read_bytes()
        ms = float("inf")
        for _ in range(repeat):  # best of N: the machine's noise is not the extractor's cost
            started = time.perf_counter()
            fields = extract_fields(decode_html(raw).text, case.get("url"))
            ms = min(ms, (time.perf_counter() - started) * 1000)
        body = "\n".join(fields.blocks)
        p = r = f1 = None
        if "body" in case:
            p, r, f1 = scorer.prf(body, case["body"])
        date_ok = None
        if case.get("date"):
            date_ok = scorer.date_digits(published(fields)) == scorer.date_digits(case["date"])
        scores.append(PageScore(case["id"], p, r, f1, date_ok, ms, fields))
    return scores


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--verbose", action="store_true", help="one line per page, worst F1 first")
    parser.add_argument("--only", help="score only pages whose id starts with this")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per page (best is kept)")
    args = parser.parse_args()
    if not (args.shared / "realpages").is_dir():
        print(f"no realpages under {args.shared}", file=sys.stderr)
        return 2
    scores = score_pages(args.shared, args.only, args.repeat)
    if args.verbose:
        for s in sorted(scores, key=lambda s: s.f1 if s.f1 is not None else 2):
            row = {
                "id": s.id[:8],
                "p": round(s.p, 3) if s.p is not None else None,
                "r": round(s.r, 3) if s.r is not None else None,
                "f1": round(s.f1, 3) if s.f1 is not None else None,
                "date_ok": s.date_ok,
                "date": published(s.fields),
                "title": s.fields.title,
                "ms": round(s.ms, 2),
            }
            print(json.dumps(row, ensure_ascii=False))
    with_body = [s for s in scores if s.f1 is not None]
    dated = [s for s in scores if s.date_ok is not None]
    times = [s.ms for s in scores]
    print(
        f"body precision {mean([s.p for s in with_body]):.3f}, recall {mean([s.r for s in with_body]):.3f}, "
        f"F1 {mean([s.f1 for s in with_body]):.3f} over {len(with_body)}"
    )
    print(f"dates {sum(s.date_ok for s in dated)}/{len(dated)}")
    if times:
        print(f"decode+extract ms/page: median {statistics.median(times):.2f}, max {max(times):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
