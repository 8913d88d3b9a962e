"""Locality: the five real seeds (cleaned by hand) and synthetic headlines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from opencc import OpenCC

from transform.locality import Locality, lead_of, locate
from transform.place_mentions import find_mentions, without_spam

_T2S = OpenCC("t2s")
_PINYIN = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
_SOURCE = re.compile(r"来源\s*[:：]\s*(\S+)")


def hand_clean(raw: str) -> str:
    """What the cleaner will give for a seed, done by hand: simplified, no pinyin."""
    return _T2S.convert(_PINYIN.sub("", raw))


# seed -> (index of the headline among non-empty lines, index where the body starts, expected)
SEEDS = {
    "000_632c5e00a27818c3": (3, 6, Locality("四川省", "泸州市", "江阳区", "510502")),
    "001_0912670a6280e67b": (0, 2, Locality("湖南省", "长沙市", "天心区", "430103")),
    "002_71c34dad9be37a60": (1, 4, Locality("新疆维吾尔自治区", "石河子市", "石河子市", "659001")),
    "003_6233025c9808fab0": (0, 2, Locality("湖南省", "株洲市", "石峰区", "430204")),
    "004_fa3a5e839215489e": (0, 1, Locality("上海市", "上海市", "金山区", "310116")),
}


@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_seed_locality(seeds_dir: Path, stem: str) -> None:
    title_at, body_at, expected = SEEDS[stem]
    text = hand_clean((seeds_dir / f"{stem}.txt").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    source = _SOURCE.search(text)
    body = "\n".join(lines[body_at:])
    assert locate(lines[title_at], body, source.group(1) if source else None) == expected


def test_seed_spam_runs_name_no_place(seeds_dir: Path) -> None:
    """The seeds' trailing runs of county names are spam: read alone they give nothing."""
    for path in sorted(seeds_dir.glob("*.txt")):
        spam = [line for line in hand_clean(path.read_text(encoding="utf-8")).split("\n") if line.count("|") >= 10]
        for line in spam:
            assert find_mentions(line) == []
            assert locate(None, line, None) == Locality()


@pytest.mark.parametrize(
    ("title", "body", "source", "expected"),
    [
        # County names shared by several provinces, settled by the city or province nearby.
        ("吉林省长春市朝阳区召开党建工作会议", "", None, Locality("吉林省", "长春市", "朝阳区", "220104")),
        ("朝阳区召开党建工作会议", "北京市朝阳区委组织部近日召开会议。", None, Locality("北京市", "北京市", "朝阳区", "110105")),
        ("朝阳区召开党建工作会议", "会议强调要抓好基层党建。", None, Locality()),
        ("鼓楼区：打造红色驿站", "近日，福州市鼓楼区组织开展活动。", None, Locality("福建省", "福州市", "鼓楼区", "350102")),
        ("鼓楼区：打造红色驿站", "", "南京市鼓楼区委组织部", Locality("江苏省", "南京市", "鼓楼区", "320106")),
        # The headline outweighs the lead, the lead the source.
        ("泸州市江阳区建设党群服务体系", "成都市的经验值得借鉴。", "四川党建网", Locality("四川省", "泸州市", "江阳区", "510502")),
        ("召开党建工作推进会", "会议由区委书记主持。", "湖南省委组织部", Locality("湖南省", None, None, "430000")),
        # Short names of cities and provinces; municipalities; province-administered cities.
        ("长沙：党员教育走深走实", "", None, Locality("湖南省", "长沙市", None, "430100")),
        ("上海市金山区石化街道构建党群服务圈", "", None, Locality("上海市", "上海市", "金山区", "310116")),
        # 重庆市江北区 was also a district of 四川省重庆市 before 1997: the current one wins.
        ("重庆市江北区：党群服务中心暖人心", "", None, Locality("重庆市", "重庆市", "江北区", "500105")),
        ("江北区：党群服务中心暖人心", "宁波市江北区委组织部介绍。", None, Locality("浙江省", "宁波市", "江北区", "330205")),
        ("仙桃市：推动党建引领基层治理", "", None, Locality("湖北省", "仙桃市", "仙桃市", "429004")),
        ("新疆：兵团党建工作会议召开", "", None, Locality("新疆维吾尔自治区", None, None, "650000")),
        # Two-character division names are words unless they follow their parent.
        ("益阳市南县开展主题党日活动", "", None, Locality("湖南省", "益阳市", "南县", "430921")),
        ("市委和县委联合开展调研", "城区、郊区党员参加。", None, Locality()),
        # Names of things that are named after places.
        ("金山报：夜间服务更贴心", "", None, Locality()),
        ("中山大学党委召开会议", "", None, Locality()),
        # Place-name spam, and nothing at all.
        ("学习贯彻全会精神", "砚山县| 泰安市| 嘉黎县| 邢台市| 福州市| 诸城市", None, Locality()),
        (None, "", None, Locality()),
    ],
)
def test_synthetic(title: str | None, body: str, source: str | None, expected: Locality) -> None:
    assert locate(title, body, source) == expected


def test_two_districts_of_one_city_give_the_city() -> None:
    assert locate("江阳区、龙马潭区联合开展党员教育", "", None) == Locality("四川省", "泸州市", None, "510500")


def test_historic_county_is_found_when_it_is_all_there_is() -> None:
    place = locate("徐水县召开党建工作会议", "", None)
    assert (place.province, place.county) == ("河北省", "徐水县")


def test_lead_is_the_first_paragraph_or_two_when_it_is_a_stub() -> None:
    assert lead_of("一、背景\n泸州市江阳区按照理念构建体系。\n第三段") == "一、背景\n泸州市江阳区按照理念构建体系。"
    assert lead_of("泸州市江阳区按照“红色引领、立体服务、方寸暖心”理念构建党群服务体系。\n第二段") .startswith("泸州市")


def test_spam_is_blanked_with_offsets_kept() -> None:
    text = "长沙市天心区\n砚山县| 泰安市| 嘉黎县| 邢台市"
    cleaned = without_spam(text)
    assert len(cleaned) == len(text) and cleaned.startswith("长沙市天心区") and "泰安" not in cleaned
