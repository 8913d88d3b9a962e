"""The `dangjian extract` contract and the read-only SQL command, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from samplesites.catalog import SITES_DIR, load_articles
from samplesites.server import serve_sample_sites

CONTRACT_KEYS = {"url", "title", "published_at", "source", "author", "body", "numbers", "flags"}
ARTICLE = next(a for a in load_articles() if "renmin" in a.sites)  # a GBK page
COPY = ARTICLE.copy_on("renmin")


def dangjian(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dangjian", *args], capture_output=True, text=True, timeout=120)


def check_contract(out: dict) -> None:
    assert CONTRACT_KEYS <= out.keys()
    assert out["title"] == ARTICLE.title
    assert out["body"] == ARTICLE.body
    assert out["published_at"].startswith(ARTICLE.published_at.strftime("%Y-%m-%d"))
    assert all({"value", "unit", "qualifier", "text"} <= n.keys() for n in out["numbers"])
    assert {f.text for f in ARTICLE.figures} <= {n["text"] for n in out["numbers"]}


def test_extract_a_file_in_its_own_encoding() -> None:
    done = dangjian("extract", str(SITES_DIR / COPY.path.lstrip("/")), "--json")
    assert done.returncode == 0, done.stderr
    check_contract(json.loads(done.stdout))


def test_extract_a_url_and_many_pages_as_json_lines() -> None:
    other = SITES_DIR / load_articles()[0].copies[0].path.lstrip("/")
    with serve_sample_sites() as sites:
        done = dangjian("extract", COPY.url(sites.base_url), str(other), "--json")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    check_contract(first)
    assert first["url"] == COPY.url(sites.base_url)


@pytest.mark.parametrize("make_page", [
    lambda tmp: tmp / "missing.html",
    lambda tmp: (tmp / "empty.html", (tmp / "empty.html").write_bytes(b""))[0],
])
def test_unreadable_page_exits_nonzero_with_one_line(tmp_path: Path, make_page) -> None:
    done = dangjian("extract", str(make_page(tmp_path)), "--json")
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "dangjian extract" in done.stderr


def test_sql_on_a_missing_warehouse_says_how_to_make_one(tmp_path: Path) -> None:
    done = dangjian("sql", "SELECT 1", "--warehouse", str(tmp_path / "none.duckdb"))
    assert done.returncode == 2 and "no warehouse" in done.stderr
