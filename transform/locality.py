"""The place an article is about: province, city, county, adcode.

Read from the headline, the lead paragraph (dateline, first sentence) and
the source line, weighted in that order. Every division a name can mean is
a candidate; a candidate scores the weight of each mention of itself or of
its own city or province, so 泸州市江阳区 supports 江阳区 twice, and a county
name that exists in several provinces (朝阳区) is settled by the city or
province named nearby. The best score wins; on a tie the more specific, then
the current, then the earlier-named division wins. When the best readings
lie in different provinces and nothing tells them apart, the article does
not say where it is, and the result is empty.

Conventions:

* A county of a municipality has the municipality as its city
  (上海市金山区 -> 上海市, 上海市, 金山区), as the gazetteer records it.
* A county-level city directly under its province (石河子市, 仙桃市) is also
  its own city (新疆维吾尔自治区, 石河子市, 石河子市), so a city query finds it.
* `adcode` is the code of the most specific division found.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from transform.gazetteer import CITY, COUNTY, PROVINCE, Place
from transform.place_mentions import Mention, find_mentions

# Weights of where a name is read. A short name (长沙) counts a little less
# than a full one (长沙市), so it settles ties rather than deciding alone.
HEADLINE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
SOURCE_WEIGHT = 1.0
SHORT_NAME_FACTOR = 0.75
# The lead is the first paragraph, or the first two when the first is a stub.
_MIN_LEAD_CHARS = 30
_DEPTH = {PROVINCE: 0, CITY: 1, COUNTY: 2}


@dataclass(frozen=True)
class Locality:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None


def locate(title: str | None, body: str, source: str | None) -> Locality:
    """Where the article is about, or an empty Locality when it does not say."""
    weighted: list[tuple[Mention, float]] = []
    for text, weight in ((title, HEADLINE_WEIGHT), (lead_of(body), LEAD_WEIGHT), (source, SOURCE_WEIGHT)):
        if text:
            weighted += [(m, weight * (SHORT_NAME_FACTOR if m.short else 1.0)) for m in find_mentions(text)]
    best = _best_place(weighted)
    return _locality_of(best) if best else Locality()


def lead_of(body: str) -> str:
    """The first paragraph, with the second when the first is only a dateline stub."""
    lead = ""
    for paragraph in body.split("\n"):  # only as far as the lead: bodies run to hundreds of lines
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if lead:
            return lead + "\n" + paragraph
        if len(paragraph) >= _MIN_LEAD_CHARS:
            return paragraph
        lead = paragraph
    return lead


def _best_place(weighted: list[tuple[Mention, float]]) -> Place | None:
    # Weight each name once per place: a name repeated in the headline and
    # source adds up, but a name that means two places supports each fully.
    support: dict[str, float] = defaultdict(float)  # keyed by place name
    candidates: dict[str, tuple[Place, int]] = {}  # adcode+name -> place, first position
    for order, (mention, weight) in enumerate(weighted):
        for place in mention.places:
            key = place.adcode + place.name
            candidates.setdefault(key, (place, order))
        for name in {p.name for p in mention.places}:
            support[name] += weight
    if not candidates:
        return None

    def score(place: Place) -> float:
        names = {place.name}
        if place.level != PROVINCE and place.city:
            names.add(place.city)
        if place.level != PROVINCE and place.province:
            names.add(place.province)
        return sum(support[n] for n in names)

    ranked = sorted(
        candidates.values(),
        key=lambda entry: (-score(entry[0]), -_DEPTH[entry[0].level], not entry[0].current, entry[1]),
    )
    best, _ = ranked[0]
    # Only equals are rivals: a historic division (江北区 of 四川省重庆市 before
    # 1997) never makes a current one (重庆市江北区) ambiguous.
    rivals = [
        p
        for p, _ in ranked[1:]
        if score(p) == score(best) and _DEPTH[p.level] == _DEPTH[best.level] and p.current == best.current
    ]
    if any(p.province != best.province for p in rivals):
        return None  # 朝阳区 alone: Beijing or Changchun, the article does not say
    if any(p.name != best.name for p in rivals):
        same_city = best.level == COUNTY and best.city and all(p.city == best.city for p in rivals)
        return _parent(best, CITY if same_city else PROVINCE)
    return best


def _parent(place: Place, level: str) -> Place:
    """The city or province shared by tied places (江阳区 and 龙马潭区 -> 泸州市)."""
    if level == CITY:
        code, name = place.adcode[:4] + "00", place.city or ""
    else:
        code, name = place.adcode[:2] + "0000", place.province or ""
    return Place(
        adcode=code,
        name=name,
        short_name=name,
        level=level,
        province=place.province,
        city=name if level == CITY else None,
        county=None,
        current=place.current,
    )


def _locality_of(place: Place) -> Locality:
    if place.level == PROVINCE:
        return Locality(province=place.province, adcode=place.adcode)
    if place.level == CITY:
        return Locality(province=place.province, city=place.name, adcode=place.adcode)
    city = place.city
    if city is None and place.name.endswith("市"):
        city = place.name  # 石河子市: a county-level city under its province is its own city
    return Locality(province=place.province, city=city, county=place.name, adcode=place.adcode)
