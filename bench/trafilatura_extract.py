"""trafilatura behind the `dangjian extract PAGE --json` contract, to score both the same way.

    .venv/bin/python ../shared/tools/score_extraction.py ../shared/realpages \
        --cmd ".venv/bin/python bench/trafilatura_extract.py {html}"

Benchmark dependency only (`pip install trafilatura`); prints title, published_at and body.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: str) -> int:
    import trafilatura

    raw = Path(path).read_bytes()
    result = trafilatura.bare_extraction(raw, with_metadata=True, output_format="python")
    if result is None:
        print(json.dumps({"title": None, "published_at": None, "body": ""}))
        return 0
    data = result if isinstance(result, dict) else result.as_dict()
    print(json.dumps({"title": data.get("title"), "published_at": data.get("date"),
                      "body": data.get("text") or ""}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
