"""Figures in the cleaned body: value, unit, qualifier, subject.

One compiled pattern finds every numeral with what may sit around it (a
qualifier before, 余/多 after, a range, a unit); small rule functions then
decide whether the match is a quantity or something built from numbers (a
year, an ordinal, a brand like “1+5+N”, a slogan like 三会一课). The rules
are deliberately narrow and each is pinned by a test from a real page.

Conventions (documented here because the warehouse relies on them):

* Ranges (10—20人, 10至20人): `value` is the lower bound, `value_high` the
  upper; single figures have `value_high` None.
* Money keeps the statistical unit as written: 20万元 is value 20, unit 万元;
  any other magnitude is multiplied out: 2万余人次 is 20000 人次.
* A magnitude without a counting unit (受益群众1.2万) has unit "".
* `qualifier` is kept as written (超, 超过, 近, 约, 逾, 达, 达到, 多达,
  不少于, 余, 多, 以上, 左右); one before and one after the number combine
  as 近…余. 达 and 达到 both mean "reached" and are treated alike: the
  qualifier says the figure is a level attained, and `text` keeps it, as a
  reader cites it (满意度达到98% -> "达到98%", qualifier 达到; 受益群众达
  1.2万 -> "达1.2万", qualifier 达). 2000人(次) is unit 人次.
* Lists sharing a unit (14.3、10.3个百分点) give one figure per number.
* A Chinese-numeral count is accepted when it has a qualifier or a magnitude
  (千余名, 二十五个), or is 2-9 with a unit that only counts concrete things
  (三名党员, 两家企业); 一, and 2-9 with 个/项/条/篇/次…, are read as
  rhetoric (一批, 三个转变, 四项职能) and dropped.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from transform.figure_subjects import (
    continues_statistic,
    counted_after,
    counted_before,
    measure_after,
    measure_before,
)
from transform.numerals import (
    CN_MAGNITUDES,
    is_bare_magnitude,
    is_digit_sequence,
    parse_numeral,
)


@dataclass(frozen=True, slots=True)
class Figure:
    """One quantity as written in the body ("培训党员9500余人次").

    `start`/`end` are character offsets of `text` in the cleaned body.
    `subject` is the noun counted (党员) when the sentence makes it plain,
    `measure` the verb that counts it (培训), both None otherwise.
    `value_high` is the upper bound of a range (10至20人), else None.
    """

    value: float
    unit: str
    qualifier: str | None
    text: str
    start: int
    end: int
    sentence: str
    subject: str | None = None
    measure: str | None = None
    value_high: float | None = None


def _optional(part: str) -> str:
    """`part` or nothing, written (?:part|) rather than (?:part)?.

    Both try `part` first and then nothing, so they match alike; but the
    regex engine runs an alternation much faster than a repeated group, which
    takes about a sixth off the pass.
    """
    return f"(?:{part}|)"


_AR = r"[0-9０-９]+(?:,[0-9]{3}(?![0-9]))*" + _optional(r"[.．][0-9０-９]+")
_CN = r"[零〇一二两三四五六七八九十百千万亿]+"
_MAG = r"[百千万亿]+"
_PRE = "将近|接近|超过|大约|多达|高达|长达|不足|不到|不少于|不低于|至少|达到|近|超|逾|约|达"
# Longest first: 个百分点 before 个, 人次 before 人, 平方米 before 米.
_UNITS = (
    "个百分点|百分点|平方公里|平方米|岁|个[多余]?月|个?[多余]?小时|人次|场次|批次|万元|亿元|公里|千米|小时|分钟|课时|学时"
    "|名|人|个|场|次|家|户|栋|幢|件|期|堂|元|%|％|所|支|项|篇|条|天|年|部|座|处|套|份|本|册"
    "|台|辆|吨|亩|米|位|批|轮|门|节|组|张|株|棵|封|类|起"
)
# Every character a unit can start with (个?[多余]?小时 may also start with 多, 余 or 小).
_UNIT_STARTS = "".join(sorted({unit[0] for unit in _UNITS.split("|")} | set("多余小")))
FIGURE_PATTERN = re.compile(
    # The leading class lets the regex engine skip text that cannot start a
    # figure; it alone makes the pass about four times faster.
    r"(?=[近超逾约达将接大多高长不至百0-9０-９零〇一二两三四五六七八九十千万亿])"
    + _optional(rf"(?P<pre>{_PRE})")
    + _optional(r"(?P<pct>百分之)")
    + rf"(?:(?P<a1>{_AR})|(?P<c1>{_CN}))"
    + _optional(r"(?P<qm>[余多])")
    + _optional(rf"(?P<m1>{_MAG})")
    + _optional(
        rf"[ \t]*(?P<dash>[—–~～至到]{{1,2}}|-)[ \t]*(?:(?P<a2>{_AR})|(?P<c2>{_CN}))" + _optional(rf"(?P<m2>{_MAG})")
    )
    + _optional(r"(?P<q2>[余多])")
    # A unit, or nothing after 百分之 or after a closing 万/亿 (1.2万): a bare
    # numeral is never a figure, so the engine drops it without Python work.
    # The lookahead rejects most non-units at once instead of trying every alternative.
    + rf"(?:(?=[{_UNIT_STARTS}])(?P<unit>{_UNITS})|(?(pct)|(?<=[万亿])))"
    + _optional(r"(?P<paren>[(（]次[)）])")
    + _optional(r"(?P<q3>以上|左右|之多)")
)
# A bare number ending right before the list separator of a figure: 14.3、
_LIST_HEAD = re.compile(rf"(?<![0-9.A-Za-z])(?P<num>{_AR})(?P<q>[余多])?[、和与及]$")
# What must sit right before a figure for _LIST_HEAD to match (its $ also matches before a final newline).
_LIST_HEAD_TAILS = frozenset("、和与及\n")
# What may sit between two figures that share a subject: 3724户、8537人.
_FIGURE_SEPARATORS = frozenset("、，,和及与")

# Characters that make a single-character qualifier part of a word instead:
# 签约3家 (not 约), 最近3天 (not 近), 下达3个 (not 达), 赶超 (not 超).
_PRE_BLOCKED_AFTER = {
    "约": frozenset("签制节契预相条邀公婚履特合规"),
    "近": frozenset("最附就临靠亲逼将接贴"),
    "达": frozenset("到抵送下传表发通直雷转长多高"),
    "达到": frozenset("抵送下传表发通直雷转长多高"),
    "超": frozenset("赶高远"),
}
# Units that, followed by these, are the start of a word instead (期间, 支部, 所以).
_UNIT_BLOCKED_BEFORE: dict[str, tuple[str, ...]] = {
    "期": ("间",), "支": ("部",), "所": tuple("以有在属谓得需"), "人": ("大", "民"),
    "次": ("日", "年", "月", "性"), "名": tuple("义称单额誉字片"), "部": tuple("署分长"),
    "元": tuple("素旦宵首"), "条": tuple("件例款"), "天": tuple("津安心河然地下空气"),
    "位": tuple("于置数一"), "门": tuple("口户前"), "本": tuple("地次届科人身土市区县"),
    "节": tuple("日点约能"), "起": tuple("来点步草见初源"), "类": tuple("似型别"), "场": tuple("所景地面"), "处": tuple("理置长室"),
    "组": tuple("织成建"), "户": tuple("口籍外型"), "年": tuple("级代度底初末月份"),
}
# Chinese numerals 2-9 are accepted only with units that count concrete things.
_CONCRETE_UNITS = frozenset("名 人 户 家 栋 幢 所 座 位 万元 亿元 平方米 公里 亩 吨 辆 台".split())
_DURATION_UNITS = frozenset("年 天 个月 小时 分钟".split())
_DURATION_CUES = ("为期", "历时", "连续", "持续", "用时", "耗时", "长达", "期限", "用了")
# Characters before an Arabic numeral that make it part of a code, time or name.
_CODE_BEFORE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+/:-#№")
_CODE_AFTER = frozenset("+ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
# Greedy, so it ends at the last sentence end of the stretch it is matched on.
_THROUGH_LAST_SENTENCE_END = re.compile(r".*[。！？!?\n]", re.DOTALL)
_CLAUSE_END = re.compile(r"[，。；！？\n]")
_ORDINAL_BEFORE = frozenset("第初周")
# Short quoted names and book titles: “万堂示范课”, “1+N”, 《书记党课60讲》.
# Every alternative opens with a literal, so the engine scans for 《, “ and 「 in C.
_QUOTED = r"[^“”「」，。；！？\n]{1,15}[”」]"
_PROTECTED = re.compile(rf"《[^《》\n]{{0,40}}》|“{_QUOTED}|「{_QUOTED}")
# Raw spellings of a unit that are stored as another: 个多月 is 个月, ％ is %.
_UNIT_SPELLINGS = {
    "个多月": "个月", "个余月": "个月",
    "个小时": "小时", "个多小时": "小时", "个余小时": "小时", "多小时": "小时", "余小时": "小时",
    "％": "%", "百分点": "个百分点",
}


def extract_figures(body: str) -> list[Figure]:
    """Every quantity in the cleaned body, in order of appearance."""
    protected = _protected_spans(body)
    sentences = _Sentences(body)
    figures: list[Figure] = []
    for match in FIGURE_PATTERN.finditer(body):
        figure = _figure_from(body, match, protected, sentences)
        if figure is None:
            continue
        heads = _list_heads(body, figure)
        if heads and figure.subject is None and figure.measure is None:
            # 满意度提升14.3、10.3个百分点: the list's subject is written before its first number.
            subject, measure = _counted(body, heads[0].start, match, figure.unit)
            figure = replace(figure, subject=subject, measure=measure)
            heads = _list_heads(body, figure)
        figures.extend(heads)
        if figure.subject is None and _follows_figure(body, figure, figures):
            figure = _with_subject(figure, figures[-1])
        elif figure.subject is None and _compares_with_figure(body, figure, figures):
            figure = replace(figure, subject=figures[-1].subject)
        figures.append(figure)
    return figures


def _protected_spans(body: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PROTECTED.finditer(body)]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect.bisect_right(spans, (pos, pos)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _figure_from(
    body: str, m: re.Match[str], protected: list[tuple[int, int]], sentences: _Sentences
) -> Figure | None:
    unit = _unit_of(m)
    if unit is None or not _is_quantity(body, m, unit):
        return None
    num_start = m.start("pct") if m["pct"] else m.start("a1" if m["a1"] else "c1")
    if _inside(protected, num_start):
        return None
    value, value_high, unit = _values(m, unit)
    if value is None:
        return None
    qualifier, start = _qualifier(body, m, num_start)
    end = m.end()
    subject, measure = _counted(body, start, m, unit)
    return Figure(
        value=value,
        unit=unit,
        qualifier=qualifier,
        text=body[start:end],
        start=start,
        end=end,
        sentence=sentences.around(start, end),
        subject=subject,
        measure=measure,
        value_high=value_high,
    )


def _unit_of(m: re.Match[str]) -> str | None:
    """Normalised unit, "" for a bare magnitude (1.2万), None when there is no quantity."""
    unit, pct = m.group("unit", "pct")
    if pct:
        return "%" if unit is None else None
    if unit is None:
        magnitude = m["m1"] or m["m2"]
        return "" if m["a1"] and magnitude and magnitude[-1] in "万亿" else None
    if unit == "人" and m["paren"]:
        return "人次"
    return _UNIT_SPELLINGS.get(unit, unit)


def _is_quantity(body: str, m: re.Match[str], unit: str) -> bool:
    """The rules that tell a count from a year, ordinal, code or slogan.

    The numeral's own rules go first: they reject most matches (一个, 2024年).
    """
    arabic = m["a1"]
    first = m.start("a1") if arabic else m.start("c1")
    lead = m.start("pct") if m["pct"] else first
    before = body[lead - 1] if lead > 0 else ""
    numeral_ok = _arabic_ok(m, unit, before, body[m.end() : m.end() + 1]) if arabic else _chinese_ok(body, m, unit)
    if not numeral_ok or before in _ORDINAL_BEFORE or body.endswith("星期", 0, first):
        return False
    raw_unit = m["unit"]
    if raw_unit and body.startswith(_UNIT_BLOCKED_BEFORE.get(raw_unit, ()), m.end("unit")):
        return False
    # 35岁以下 is a threshold; 平均年龄52.6岁 (由…下降到44.3岁) a statistic.
    return unit != "岁" or "平均年龄" in _CLAUSE_END.split(body[max(0, m.start() - 24) : m.start()])[-1]


def _arabic_ok(m: re.Match[str], unit: str, before: str, after: str) -> bool:
    if before in _CODE_BEFORE or after in _CODE_AFTER:
        return False
    number_end = m.end("a2") if m["a2"] else m.end("a1")
    if m.string[number_end : number_end + 1] == "+":
        return False
    if unit == "年":
        # 2024年, 04年, 18年3月 are dates; 3年, 2.5年 durations.
        digits = m["a1"].replace(",", "")
        if after.isdigit() or digits.startswith("0"):
            return False
        return "." in digits or (len(digits) <= 2 and not m["m1"])
    return True


def _chinese_ok(body: str, m: re.Match[str], unit: str) -> bool:
    numeral, second = m.group("c1", "c2")
    if is_digit_sequence(numeral) or (second and is_digit_sequence(second)):
        return False
    qualified = bool(_suffix_qualifier(m) or _effective_pre(body, m))
    if is_bare_magnitude(numeral):
        return qualified and numeral != "十"
    if qualified or not CN_MAGNITUDES.isdisjoint(numeral):
        return True
    if numeral == "一" or not unit:
        return False
    if unit in _CONCRETE_UNITS:
        return True
    return unit in _DURATION_UNITS and body.endswith(_DURATION_CUES, max(0, m.start() - 4), m.start())


def _values(m: re.Match[str], unit: str) -> tuple[float | None, float | None, str]:
    a1, c1, m1, dash, a2, c2, m2 = m.group("a1", "c1", "m1", "dash", "a2", "c2", "m2")
    first = (a1 or c1) + (m1 or "")
    second = None
    if dash:
        second = (a2 or c2) + (m2 or "")
        if m2 and not m1:
            first += m2  # 10—20万人: the magnitude applies to both
    if unit == "元" and first[-1] in "万亿":
        unit = first[-1] + "元"
        first = first[:-1]
        second = second[:-1] if second and second[-1] == unit[0] else second
    value = parse_numeral(first)
    value_high = parse_numeral(second) if second else None
    if value is None or value <= 0 or (second and value_high is None):
        return None, None, unit
    return value, value_high, unit


def _effective_pre(body: str, m: re.Match[str]) -> str | None:
    """The qualifier before the number, unless it is the tail of a word (签约, 最近)."""
    pre = m["pre"]
    if pre and m.start() > 0 and body[m.start() - 1] in _PRE_BLOCKED_AFTER.get(pre, ()):
        return None
    return pre


def _suffix_qualifier(m: re.Match[str]) -> str | None:
    """余/多 after the number or magnitude, or 以上/左右/之多 after the unit."""
    qm, q2, q3 = m.group("qm", "q2", "q3")
    return qm or q2 or q3


def _qualifier(body: str, m: re.Match[str], num_start: int) -> tuple[str | None, int]:
    """Normalised qualifier and the start of the figure's text."""
    before = None
    start = num_start
    pre = _effective_pre(body, m)
    if pre:
        before = pre
        start = m.start()
    after = _suffix_qualifier(m)
    if before and after:
        return f"{before}…{after}", start
    return before or after, start


def _counted(body: str, start: int, m: re.Match[str], unit: str) -> tuple[str | None, str | None]:
    """Subject and measure: noun after the unit first (12个党支部), else before the number.

    A duration counts time, so only a head noun names it (服务时长, 党龄) and
    the verb before it is its measure (每天开放不少于8小时).
    """
    if unit in _DURATION_UNITS:
        counted = counted_before(body, start, unit)
        return counted.subject, counted.measure or measure_before(body, start)
    if unit and unit not in ("%", "个百分点"):
        after = counted_after(body, start, m.end())
        if after.subject:
            return after.subject, after.measure
    counted = counted_before(body, start, unit)
    if counted.subject and counted.measure is None and unit not in ("%", "个百分点"):
        return counted.subject, measure_after(body, m.end())  # 共有学员约150人参加
    return counted.subject, counted.measure or measure_before(body, start)  # 修建了两座便民桥


class _Sentences:
    """The sentence around each figure of one body.

    Figures come in order, so the start of a sentence is looked for only
    between the previous figure and this one: each stretch of the body is
    searched once, and none after the last figure.
    """

    def __init__(self, body: str) -> None:
        self.body = body
        self.searched = 0  # the sentence start is known up to here...
        self.start = 0  # ...and is this: just after the last sentence end before `searched`

    def around(self, start: int, end: int) -> str:
        if start < self.searched:  # out of order: search from the top again
            self.searched = self.start = 0
        last_end = _THROUGH_LAST_SENTENCE_END.match(self.body, self.searched, start)
        if last_end:
            self.start = last_end.end()
        self.searched = start
        next_end = _SENTENCE_END.search(self.body, end)
        return self.body[self.start : next_end.end() if next_end else len(self.body)].strip()


def _list_heads(body: str, figure: Figure) -> list[Figure]:
    """Bare numbers listed before a figure share its unit: 14.3、10.3个百分点."""
    heads: list[Figure] = []
    pos = figure.start
    while body[pos - 1 : pos] in _LIST_HEAD_TAILS:  # a cheap test first: most figures start no list
        head = _LIST_HEAD.search(body, max(0, pos - 24), pos)
        if head is None or body[head.start() - 1 : head.start()] in _ORDINAL_BEFORE:
            break
        value = parse_numeral(head["num"])
        if value is None:
            break
        heads.insert(
            0,
            Figure(
                value=value,
                unit=figure.unit,
                qualifier=head["q"],
                text=body[head.start() : head.end() - 1],
                start=head.start(),
                end=head.end() - 1,
                sentence=figure.sentence,
                subject=figure.subject,
                measure=figure.measure,
            ),
        )
        pos = head.start()
    return heads


def _follows_figure(body: str, figure: Figure, figures: list[Figure]) -> bool:
    """居民群众3724户、8537人: a figure right after another shares its subject."""
    if not figures:
        return False
    last = figures[-1]
    # Index one character rather than slice what lies between, which may be the whole body.
    return (
        figure.start - last.end == 1 and body[last.end] in _FIGURE_SEPARATORS and last.sentence == figure.sentence
    )


def _compares_with_figure(body: str, figure: Figure, figures: list[Figure]) -> bool:
    """满意率达到96.8%，较上年提高3.5个百分点: the change is of the figure just given."""
    if not figures or figures[-1].sentence != figure.sentence:
        return False
    return continues_statistic(body[figures[-1].end : figure.start])


def _with_subject(figure: Figure, source: Figure) -> Figure:
    return replace(figure, subject=source.subject, measure=source.measure)
