"""Figures: numerals, the quantity rules, and precision/recall on two golds.

The seed gold (tests/gold/seed_figures.json) lists by hand every figure of
the five real seed pages; the seeds themselves are read from ../shared at
test time. The held-out gold (tests/gold/heldout_figures.json) is sentences
written for this project, to check the rules are not fitted to the seeds.
"""

from __future__ import annotations

import json
import pickle
import re
from collections import Counter
from dataclasses import FrozenInstanceError, asdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from opencc import OpenCC

from transform.figure_subjects import (
    _inside_noun,
    _longest_head_suffix,
    _verb_ending_at,
)
from transform.numbers import _UNIT_STARTS, _UNITS, Figure, _Sentences, extract_figures
from transform.numerals import is_digit_sequence, parse_numeral

GOLD = Path(__file__).parent / "gold"
_T2S = OpenCC("t2s")
_PINYIN = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def hand_clean(raw: str) -> str:
    """What the cleaner will give for a seed, done by hand: simplified, no pinyin."""
    return _T2S.convert(_PINYIN.sub("", raw))


def _key(item: Figure | dict) -> tuple:
    if isinstance(item, Figure):
        return (item.text, float(item.value), item.unit, item.qualifier, item.value_high)
    return (item["text"], float(item["value"]), item["unit"], item["qualifier"], item.get("value_high"))


def _subject_ok(predicted: str | None, gold: str | None) -> bool:
    """Same noun, or one is the other with modifiers (党员 / 直管党员)."""
    if predicted is None or gold is None:
        return predicted is gold
    p, g = predicted.strip("“”"), gold.strip("“”")
    return p == g or p.endswith(g) or g.endswith(p)


class Score:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.subject_hits = self.subject_scored = 0
        self.measure_hits = self.measure_scored = 0
        self.misses: list[str] = []

    def add(self, label: str, predicted: list[Figure], gold: list[dict]) -> None:
        pred, want = Counter(_key(f) for f in predicted), Counter(_key(g) for g in gold)
        tp = sum((pred & want).values())
        self.tp += tp
        self.fp += sum(pred.values()) - tp
        self.fn += sum(want.values()) - tp
        self.misses += [f"{label} extra {k}" for k in (pred - want).elements()]
        self.misses += [f"{label} missed {k}" for k in (want - pred).elements()]
        by_key = {}
        for f in predicted:
            by_key.setdefault(_key(f), []).append(f)
        for g in gold:
            if not by_key.get(_key(g)):
                continue
            f = by_key[_key(g)].pop(0)
            if g["subject"] != "*":
                self.subject_scored += 1
                if _subject_ok(f.subject, g["subject"]):
                    self.subject_hits += 1
                else:
                    self.misses.append(f"{label} subject {f.text}: {f.subject!r} != {g['subject']!r}")
            if g.get("measure", "*") != "*":
                self.measure_scored += 1
                if f.measure == g["measure"]:
                    self.measure_hits += 1
                else:
                    self.misses.append(f"{label} measure {f.text}: {f.measure!r} != {g['measure']!r}")

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    @property
    def subject_accuracy(self) -> float:
        return self.subject_hits / max(1, self.subject_scored)

    @property
    def measure_accuracy(self) -> float:
        return self.measure_hits / max(1, self.measure_scored)

    def report(self, name: str) -> str:
        return (
            f"{name}: P={self.precision:.3f} R={self.recall:.3f} "
            f"(tp={self.tp} fp={self.fp} fn={self.fn}) "
            f"subject={self.subject_accuracy:.3f} ({self.subject_hits}/{self.subject_scored}) "
            f"measure={self.measure_accuracy:.3f} ({self.measure_hits}/{self.measure_scored})"
        )


# --- numerals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1362", 1362), ("1,038", 1038), ("2万", 20000), ("1.2万", 12000), ("728.5万", 7_285_000),
        ("三千", 3000), ("千", 1000), ("二十五", 25), ("十五", 15), ("两千", 2000),
        ("一万二千", 12000), ("1亿2000万", 120_000_000), ("四万万", 400_000_000), ("３０", 30), ("百分", None),
    ],
)
def test_parse_numeral(text: str, value: float | None) -> None:
    assert parse_numeral(text) == value


def test_digit_sequences_are_years_not_counts() -> None:
    assert is_digit_sequence("一九八九") and is_digit_sequence("二〇二四")
    assert not is_digit_sequence("二十五") and not is_digit_sequence("三千")


# --- forms --------------------------------------------------------------------


def _one(body: str) -> Figure:
    figures = extract_figures(body)
    assert len(figures) == 1, figures
    return figures[0]


@pytest.mark.parametrize(
    ("body", "value", "unit", "qualifier"),
    [
        ("直管党员1362名。", 1362, "名", None),
        ("居住在小区的千余名在职党员到社区报到。", 1000, "名", "余"),
        ("服务群众2万余人次。", 20000, "人次", "余"),
        ("受益群众达1.2万。", 12000, "", "达"),
        ("全市有党员728.5万名。", 7_285_000, "名", None),
        ("组建宣讲队伍二十五个。", 25, "个", None),
        ("开展活动三千场。", 3000, "场", None),
        ("近400余名在职党员参加。", 400, "名", "近…余"),
        ("服务对象逾500户。", 500, "户", "逾"),
        ("培训100人以上。", 100, "人", "以上"),
        ("参会约300人左右。", 300, "人", "约…左右"),
        ("学习超2000人(次)。", 2000, "人次", "超"),
        ("学习超2000人（次）。", 2000, "人次", "超"),
        ("投入资金300余万元。", 300, "万元", "余"),
        ("总投资1.2亿元。", 1.2, "亿元", None),
        ("满意度达到98%。", 98, "%", "达到"),
        ("满意度达98%。", 98, "%", "达"),
        ("亮明身份的达到1300余名。", 1300, "名", "达到…余"),
        ("上级下达到村3个名额。", 3, "个", None),
        ("平均年龄52.6岁。", 52.6, "岁", None),
        ("书记平均年龄下降到44.3岁。", 44.3, "岁", None),
        ("满意度为百分之九十五。", 95, "%", None),
        ("为期三个月的集训。", 3, "个月", None),
        ("历时1个多月。", 1, "个月", None),
        ("连续奋战近两个小时。", 2, "小时", "近"),
        ("签约3家企业。", 3, "家", None),
    ],
)
def test_forms(body: str, value: float, unit: str, qualifier: str | None) -> None:
    figure = _one(body)
    assert (figure.value, figure.unit, figure.qualifier) == (value, unit, qualifier)
    assert body[figure.start : figure.end] == figure.text


@pytest.mark.parametrize(
    ("body", "low", "high"),
    [("每组10—20人。", 10, 20), ("每组10至20人。", 10, 20), ("新增10-20万人。", 100_000, 200_000)],
)
def test_ranges_keep_both_bounds(body: str, low: float, high: float) -> None:
    figure = _one(body)
    assert (figure.value, figure.value_high) == (low, high)


def test_list_sharing_a_unit_gives_one_figure_each() -> None:
    figures = extract_figures("两项指标分别提高14.3、10.3个百分点。")
    assert [(f.value, f.unit, f.text) for f in figures] == [(14.3, "个百分点", "14.3"), (10.3, "个百分点", "10.3个百分点")]


def test_list_of_figures_shares_the_subject() -> None:
    figures = extract_figures("有居民群众3724户、8537人。")
    assert [(f.value, f.unit, f.subject) for f in figures] == [(3724, "户", "居民群众"), (8537, "人", "居民群众")]


@pytest.mark.parametrize(
    ("body", "subject", "measure"),
    [
        ("直管党员1362名。", "党员", "直管"),
        ("已培训党员9500余人次。", "党员", "培训"),
        ("下设12个党支部。", "党支部", None),
        ("共选派95名党建指导员。", "党建指导员", "选派"),
        ("共有900余名党员志愿者广泛参与。", "党员志愿者", None),
        ("开展小区宣讲活动200余次。", "小区宣讲活动", "开展"),
        ("帮助解决“关键小事”100余件。", "关键小事", "解决"),
        ("将7名在职党员委派到支部。", "在职党员", "委派"),
        ("全区312个住宅小区成立党支部。", "住宅小区", "成立"),
        ("263个党支部按月落实“三会一课”制度。", "党支部", None),
        ("党组织覆盖率达到85%。", "党组织覆盖率", None),
        ("有从业人员1320人。", "从业人员", None),
        ("其中党员46名。", "党员", None),
        ("带动500余户农户户均增收。", "农户", "带动"),
        # A measure verb before the counted noun, and the object after it.
        ("累计培训入党积极分子300余人。", "入党积极分子", "培训"),
        ("累计吸纳青年人才85名。", "青年人才", "吸纳"),
        ("各支部开展集中学习48场。", "集中学习", "开展"),
        ("今年共召开院坝会600余场。", "院坝会", "召开"),
        ("清理沟渠30条。", "沟渠", "清理"),
        ("今年已举办培训9期。", "培训", "举办"),
        ("认领服务项目40个。", "服务项目", "认领"),
        ("转移安置群众210户。", "群众", "转移安置"),
        ("帮助企业招聘员工500余名。", "员工", "招聘"),
        ("新发展党员12名。", "党员", "新发展"),
        ("惠及居民2000余户。", "居民", "惠及"),
        ("参与白领青年900多人次。", "白领青年", "参与"),
        # The verb opening a noun list before the subject.
        ("共解决道路破损、路灯不亮等问题60余个。", "问题", "解决"),
        ("走访慰问困难党员和老党员80名。", "老党员", "走访慰问"),
        ("在村里建立党支部或党小组9个。", "党小组", "建立"),
        ("帮助群众办理医保、社保等业务300多件。", "业务", "办理"),
        ("建成书屋、活动室等服务阵地5处。", "服务阵地", "建成"),
        ("召回调整不称职的村干部4名。", "村干部", "召回调整"),
        # A quoted or titled name before the number, and the verb before it.
        ("打造“党员之家”12个。", "党员之家", "打造"),
        ("编印《党员学习手册》500册。", "党员学习手册", "编印"),
        # The noun after the number, and the action its people perform.
        ("组织300名在职党员到社区报到。", "在职党员", "报到"),
        ("目前已有600多名党员注册。", "党员", "注册"),
        # A verb that ends the phrase: 改造 counts 院落, 授课 counts itself.
        ("完成老旧院落改造35个。", "院落", "改造"),
        ("邀请党校教师授课6次。", "党校教师授课", "授课"),
        ("在职党员到社区服务3000余人次。", "在职党员", "服务"),
        # Statistics: a change has its verb as measure, a new level has none.
        ("游客投诉量同比下降12.5%。", "游客投诉量", "下降"),
        ("知晓率较上年提高6个百分点。", "知晓率", "提高"),
        ("参与比例由不足三成提高到85%。", "参与比例", None),
        ("党龄30年以上的老党员共220名。", "老党员", None),
        ("收入全部超过20万元。", "收入", None),
        ("每天开放不少于6小时。", None, "开放"),
        ("服务时长超过5万小时。", "服务时长", None),
        ("为企业节约成本300万元。", "成本", "节约"),
        ("村民修建了两座便民桥。", None, "修建"),
    ],
)
def test_subject_and_measure(body: str, subject: str | None, measure: str | None) -> None:
    figures = extract_figures(body)
    figure = figures[-1]
    assert (figure.subject, figure.measure) == (subject, measure)


def test_comparison_clause_takes_the_subject_of_the_figure_before() -> None:
    figures = extract_figures("群众满意率达到96%，较上年提高2.5个百分点。")
    assert [(f.text, f.subject, f.measure) for f in figures] == [
        ("达到96%", "群众满意率", None), ("2.5个百分点", "群众满意率", "提高")]


def test_list_of_changes_takes_the_subject_before_the_list() -> None:
    figures = extract_figures("两项满意度分别提升8.1、6.4个百分点。")
    assert [(f.text, f.measure) for f in figures] == [("8.1", "提升"), ("6.4个百分点", "提升")]


def test_adverb_between_counted_people_and_verb_is_no_measure() -> None:
    figure = _one("共有300余名党员志愿者主动参与。")
    assert (figure.subject, figure.measure) == ("党员志愿者", None)


@pytest.mark.parametrize(
    "body",
    [
        "2024年3月召开。", "发布于2018年10月31日13:58。", "7月1日前完成。", "时间：2024-01-09 18:54",
        "党的第二十届三中全会。", "学习二十大精神。", "十九大以来。", "选派第一书记。",
        "构建“1+5+N”体系。", "深化“1+26+10”体系建设。", "一中心、多站点。", "落实三会一课制度。",
        "开展四史学习教育。", "两学一做。", "提炼“12580”工作经验。", "参加“8+3”志愿服务。",
        "联系电话：0731-88886666。", "湘ICP备17016663号-1", "做好三篇文章。", "实现三个转变。",
        "一是搭建平台，二是开展培训。", "推出一批精品课程。", "开展一系列活动。", "完善四级架构。",
        "深入开展“万堂示范课”送教活动。", "入选《书记党课60讲》。", "建于1993年。",
        "一九八九年四月。", "每周二、周四晚集中教学。", "作为一名党员。", "发挥四项工作职能。",
        "一个党员一面旗。", "国庆节、十一期间。", "二十五社区党总支。", "通过5G网络直播。",
        "最近一次集中学习。", "35岁以下党员。", "构建四位一体格局。", "第二季于18年3月开播。", "该车04年上市。",
    ],
)
def test_not_figures(body: str) -> None:
    assert extract_figures(body) == []


@given(st.integers(min_value=1, max_value=10**7), st.sampled_from(["名", "人次", "个", "户", "家", "场"]))
def test_any_arabic_count_reads_back(n: int, unit: str) -> None:
    body = f"累计服务党员{n}{unit}。"
    figure = _one(body)
    assert (figure.value, figure.unit) == (n, unit)


@given(st.text(alphabet="一二三十百千万年月日名个次余多近超第的党员、，。0123456789.%（）()", max_size=60))
def test_offsets_always_point_at_the_text(body: str) -> None:
    for figure in extract_figures(body):
        assert body[figure.start : figure.end] == figure.text
        assert figure.value > 0


# --- fast paths: each keeps the result of the plain form it replaces ----------


def _unit_spellings() -> list[str]:
    """Every unit FIGURE_PATTERN accepts, its two patterned entries spelled out."""
    patterned = {
        "个[多余]?月": ["个月", "个多月", "个余月"],
        "个?[多余]?小时": ["小时", "个小时", "多小时", "余小时", "个多小时", "个余小时"],
    }
    spellings = []
    for unit in _UNITS.split("|"):
        assert unit in patterned or not re.search(r"[][?*+()]", unit), unit
        spellings += patterned.get(unit, [unit])
    return spellings


def test_unit_lookahead_admits_every_unit() -> None:
    guarded = re.compile(f"(?=[{_UNIT_STARTS}])(?:{_UNITS})")
    for spelling in _unit_spellings():
        assert guarded.fullmatch(spelling), spelling


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0), ("007", 7), ("1.50", 1.5), ("1,200", 1200), ("１,２００", 1200), ("1.2.3", None), ("12.", 12)],
)
def test_plain_arabic_numerals(text: str, value: float | None) -> None:
    assert parse_numeral(text) == value


def test_sentence_is_found_far_into_a_long_body() -> None:
    """A sentence start is looked for only after the figure before; sentences may be long."""
    sentence = "共有党员1362名" + "乙" * 600 + "。"
    body = "甲" * 500 + "。" + sentence + "结束。" + "丙" * 900 + "，发展党员12名。"
    figures = extract_figures(body)
    assert [(f.text, f.sentence) for f in figures] == [("1362名", sentence), ("12名", "丙" * 900 + "，发展党员12名。")]


def test_sentences_are_found_in_any_order() -> None:
    sentences = _Sentences("第一句有3人。\n第二句有5人！")
    assert sentences.around(9, 11) == "第二句有5人！"
    assert sentences.around(4, 6) == "第一句有3人。"


def test_list_broken_by_a_line_break_is_still_one_list() -> None:
    figures = extract_figures("两项指标分别提高14.3、\n10.3个百分点。")
    assert [(f.text, f.unit) for f in figures] == [("14.3", "个百分点"), ("10.3个百分点", "个百分点")]


def test_figure_is_a_slotted_frozen_value() -> None:
    figure = _one("直管党员1362名。")
    assert not hasattr(figure, "__dict__")
    assert pickle.loads(pickle.dumps(figure)) == figure
    assert asdict(figure)["subject"] == "党员"
    with pytest.raises(FrozenInstanceError):
        figure.value = 1  # type: ignore[misc]


def test_word_lookups_prefer_the_longest_word() -> None:
    assert _verb_ending_at("新发展党员", 3) == "新发展"
    assert _verb_ending_at("新发展党员", 3, floor=1) == "发展"
    assert _verb_ending_at("新发展党员", 2) is None
    assert _longest_head_suffix("优秀党员志愿者") == "党员志愿者"
    assert _inside_noun("党组织覆盖率", 1, 3) and not _inside_noun("组织活动", 0, 2)


# --- golds --------------------------------------------------------------------


def test_seed_gold_precision_and_recall(seeds_dir: Path) -> None:
    gold = json.loads((GOLD / "seed_figures.json").read_text(encoding="utf-8"))["figures"]
    score = Score()
    for stem, figures in gold.items():
        body = hand_clean((seeds_dir / f"{stem}.txt").read_text(encoding="utf-8"))
        score.add(stem[:3], extract_figures(body), figures)
    print("\n" + score.report("seeds"), *score.misses, sep="\n  ")
    assert score.precision >= 0.95 and score.recall >= 0.95
    assert score.subject_accuracy >= 0.8
    assert score.measure_accuracy >= 0.85


def test_heldout_gold_precision_and_recall() -> None:
    cases = json.loads((GOLD / "heldout_figures.json").read_text(encoding="utf-8"))["cases"]
    assert 20 <= len(cases) <= 30
    score = Score()
    for i, case in enumerate(cases):
        score.add(f"#{i}", extract_figures(case["sentence"]), case["figures"])
    print("\n" + score.report("held-out"), *score.misses, sep="\n  ")
    assert score.precision >= 0.95 and score.recall >= 0.95
    assert score.subject_accuracy >= 0.7
    assert score.measure_accuracy >= 0.85


def test_real_pages_give_no_years_or_ordinals(realpages_dir: Path) -> None:
    """Over 57 general news pages, nothing that is plainly a year or an ordinal is read as a count."""
    for path in sorted((realpages_dir / "cleaned").glob("*.txt")):
        body = hand_clean(path.read_text(encoding="utf-8", errors="replace"))
        for figure in extract_figures(body):
            assert body[figure.start : figure.end] == figure.text
            assert not re.search(r"(?:1[89]|20)\d\d年|[〇一二三四五六七八九]{4}年", figure.text), (path.name, figure.text)
            assert body[figure.start - 1 : figure.start] != "第", (path.name, figure.text)
