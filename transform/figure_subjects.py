"""What a figure counts (subject) and the verb that counts it (measure).

Chinese news writes a count two ways, and each needs its own rule:

* noun before number: 直管党员1362名, 培训党员9500余人次, 居民群众3724户.
  The subject is the noun phrase that ends right before the number; a verb
  from MEASURE_VERBS at its front is split off as the measure (培训 | 党员).
* number before noun: 12个党支部, 800余名党员, 62户贫困家庭.
  The subject is the longest stretch after the unit that ends in a head noun;
  the measure is the verb before the number (选派|95名指导员), or the verb the
  counted people perform after it (268名在职党员|到社区|报到).

Both rules prefer a phrase that ends in a known head noun (HEAD_NOUNS), so a
clause like 引导商圈党员实名制入群3000余人 gives no subject rather than a
wrong one. Two narrower rules accept other nouns: the object right after a
measure verb (开展|集中学习|320余场, 清理|河道|42条) and the category noun
after 等 (医保、社保等|业务|5600多件). For 居民群众3724户 the subject is
居民群众 (what is counted is written before the number; the unit 户 says how
it is counted).

Statistics are read through their predicate: 投诉量同比下降41.2% has subject
投诉量 and measure 下降 (the figure is a change); 比例由不足五成提高到92% has
subject 比例 and no measure (the figure is the new level).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Self


class _WordList(tuple[str, ...]):
    """Words looked for at a position of a text, longer words listed first.

    A tuple, so str.startswith/endswith take it whole; `starts` and `ends`
    hold the words' first and last characters, which reject most positions
    before any word is compared.
    """

    starts: frozenset[str]
    ends: frozenset[str]

    def __new__(cls, words: Iterable[str]) -> Self:
        self = super().__new__(cls, words)
        self.starts = frozenset(w[0] for w in self)
        self.ends = frozenset(w[-1] for w in self)
        return self


def _by_char(words: Iterable[str], at: int) -> dict[str, tuple[str, ...]]:
    """Words grouped by their character at `at` (0 first, -1 last), longest first.

    A position is then tried only against the words its character allows,
    each with one startswith/endswith instead of a slice per length.
    """
    groups: dict[str, list[str]] = {}
    for word in sorted(words, key=len, reverse=True):
        groups.setdefault(word[at], []).append(word)
    return {ch: tuple(group) for ch, group in groups.items()}


# Nouns that end a counted phrase in party-building and general news. Longer
# entries win, so 党员志愿者 is not cut to 志愿者.
HEAD_NOUNS: frozenset[str] = frozenset(
    """
    党员 在职党员 流动党员 两新组织 农村党员 党员志愿者 党员干部 党员群众 党员代表 预备党员 入党积极分子 积极分子
    党组织 基层党组织 党支部 支部 党小组 党总支 党委 党工委 支委 委员 书记 第一书记
    群众 居民群众 居民 村民 农户 住户 家庭 贫困家庭 贫困户 脱贫户 困难群众 困难户 老人 儿童 学生 青少年 青年
    干部 职工 员工 工作人员 人员 人才 师资 讲师 教师 专家 学员 代表 志愿者 网格员 楼长 骑手 小哥 快递员 外卖员
    受众 人次 户 人 员 者 队 组 室 工作室 服务队 志愿服务队 督导组 指导员 党建指导员 成员 队员 骨干 导游 游客 群体
    单位 驻区单位 企业 非公企业 社会组织 组织 机构 部门 商户 网点 商业网点 个体工商户 合作社 农场 家庭农场
    学校 医院 高校 省份 街区 楼宇
    社区 小区 村 行政村 村庄 街道 乡镇 片区 网格 楼栋 住宅楼 楼 楼院 院落 站 站点 服务站 驿站 阵地 中心 之家 基地 点
    教学点 课堂 党课 微党课 课程 课 讲座 培训班 班次 活动 宣讲活动 主题活动 志愿活动 志愿服务 行动 会议 讲堂 宣讲 授课 观摩
    教育片 电视片 影片 视频 短视频 作品 文章 书籍 图书 资料 清单 问题 事项 小事 实事 难题 矛盾 纠纷 诉求 意见 建议
    项目 工程 措施 制度 岗位 平台 场所 设施 资金 经费 台账 案例 资源 慰问金 慰问品 补助 补贴 收入 隐患
    率 满意度 知晓率 覆盖率 参与率 达标率 完成率 增长率 增幅 比例 比重 占比 年龄 平均年龄 党龄 时长 服务时长 面积 量 人数 次数 数量
    """.split()
)
_HEADS_BY_LAST = _by_char(HEAD_NOUNS, -1)

# Verbs that count the subject: 培训党员, 受益群众, 开展活动.
MEASURE_VERBS: frozenset[str] = frozenset(
    """
    培训 轮训 受益 惠及 服务 覆盖 吸引 带动 组织 开展 举办 召开 发展 新发展 慰问 走访 帮扶 结对 联系 帮助
    建成 选派 设立 建立 组建 划分 配备 注册 报到 认领 处理 提供 改造 发布 推进 编印 清理 拆除 种植
    引进 增收 摸排 反映 参训 参学 上线 开放 收录 梳理 加装 提高 提升 下降 增长 体检 借阅 召回 接待 开设 评选
    直管 管理 受理 发放 投入 筹集 解决 化解 办理 办结 收集 征集 录制 制作 观看 建设 新建 打造 培育 挖掘
    派驻 委派 拍摄 完成 实施 招募 招聘 登记 排查 吸纳 动员 发动 参加 参与 出动 整改 调解 流转 联建 共建 成立
    协调 调整 转移 安置 发现 报告 节约 授课 宣讲 观摩 辐射 联合 形成 修建
    """.split()
)
_MAX_VERB = max(len(w) for w in MEASURE_VERBS)
_VERBS_BY_FIRST = _by_char(MEASURE_VERBS, 0)
_VERBS_BY_LAST = _by_char(MEASURE_VERBS, -1)
# Verbs that make others act: in 组织268名在职党员到社区报到 what is counted is 报到.
_CAUSATIVES = frozenset("组织 动员 发动 引导 带领 鼓励 号召 推动".split())
# Verbs that also modify a noun (服务项目, 帮扶资金): never the second half of a compound verb.
_MODIFIER_VERBS = frozenset("服务 帮扶 培训 管理 发展 建设 宣讲 观摩 授课".split())
# Light verbs that never start a compound verb (组织开展 is 开展).
_LIGHT_VERBS = _CAUSATIVES | frozenset("帮助 联合 形成".split())
_NEVER_SECOND_VERBS = _MODIFIER_VERBS | _LIGHT_VERBS

# Linking words between a subject and its number: 满意率达到96.8%, 收入全部超过10万元.
_LINKS = _WordList((
    "达到", "已达", "稳定在", "保持在", "控制在", "均为", "为", "是", "全部", "均", "都", "已", "共计", "共", "累计",
    "总计", "合计", "由", "有", "预计", "可以", "可", "能", "将",
))
# A change states a difference (measure: the verb); a change "到" states the new level (no measure).
_CHANGE_VERBS = _WordList(("提高", "提升", "增长", "增加", "下降", "降低", "减少", "上升", "缩短", "扩大"))
_CHANGE_TO_LEVEL = _WordList(verb + to for verb in _CHANGE_VERBS for to in ("到", "至"))
_COMPARISONS = _WordList((
    "较上年同期", "较去年同期", "比上年同期", "比去年同期", "较上年", "较去年", "比上年", "比去年", "较同期",
    "同比", "环比",
))
# Adverbs between a verb and its number: 共开展36场, 累计服务2万人次.
_COUNTING_ADVERBS = _WordList(("累计", "共计", "先后", "共", "已", "还", "再", "新", "每天", "每月", "每年", "每周"))
# Characters that end the phrase before a number: punctuation, function words.
_BEFORE_STOP = frozenset("，。；：、！？,.;:!?（）()《》【】 \t\n—-…等的了和与及或并共达超近约逾余多在为对向把被将已有按")
# Characters that end the phrase after a unit.
_AFTER_STOP = frozenset("，。；：、！？,.;:!?（）()《》【】 \t\n—-…的了和与及或等在为是从对向把被将已到都也还又再就才")
# Characters that end a clause: a measure is never looked for across them.
_CLAUSE_STOP = frozenset("，。；：！？,;:!?（）()【】\n")
# Separators inside a noun list: 停车管理、绿化养护等问题, 党支部或党小组.
_LIST_SEPARATORS = frozenset("、和与及或等的")
# Words after a unit that start the predicate: 900余名党员志愿者|广泛深入群众.
_AFTER_STOP_WORDS = _WordList((
    "积极", "主动", "广泛", "深入", "常态化", "定期", "集中", "分别", "共同", "先后", "全部",
    "登台", "走上", "参加", "参与", "开展", "进行", "完成", "实现", "成为", "获得", "受到", "通过",
    "选派", "成立", "建立", "推行", "落实", "实施", "组建", "设立", "按月", "按时", "全部", "每月", "每年",
))
# Words before a number that end the counted phrase: 其中党员46名, 累计借阅图书.
_BEFORE_STOP_WORDS = _WordList(("其中", "累计", "共计", "总计", "合计", "现有", "共有", "下设", "下辖", "所辖", "邀请"))
# Units that count an action, not a thing: in 邀请教师授课8次 the 8 counts 授课.
_EVENT_UNITS = frozenset("次 场 期 轮 场次 批次 堂 节 课时 学时".split())
# Units whose figure is never the count of a noun written before it without a head noun.
_NOT_COUNTS = frozenset("% 个百分点 岁".split())
# 在 starts a phrase in 在职党员, and ends one everywhere else.
_KEEPS_ZAI = "在职"
_MAX_SUBJECT = 10
_MAX_OBJECT = 5  # an object accepted without a head noun: 集中学习, 违法建筑
_MAX_LIST_ITEM = 8
_QUOTES_CLOSE = "”」’\""
_QUOTES_OPEN = "“「‘\""
_NAME_CLOSE = _QUOTES_CLOSE + "》"


@dataclass(frozen=True)
class Counted:
    """The subject a figure counts and the verb that counts it, either may be None."""

    subject: str | None = None
    measure: str | None = None


_UNCOUNTED = Counted()  # shared: most lookups find nothing, and a Counted is immutable


def _ends_in_head(phrase: str) -> bool:
    return bool(phrase) and phrase.endswith(_HEADS_BY_LAST.get(phrase[-1], ()))


def _longest_head_suffix(run: str) -> str | None:
    if not run:
        return None
    for noun in _HEADS_BY_LAST.get(run[-1], ()):
        if run.endswith(noun):
            return noun
    return None


def _ends_in_long_head(phrase: str) -> bool:
    return len(_longest_head_suffix(phrase) or "") >= 2


def _verb_ending_at(text: str, end: int, floor: int = 0) -> str | None:
    """The longest measure verb that ends at `end` (新发展 before 发展), not before `floor`."""
    if end <= floor:
        return None
    for verb in _VERBS_BY_LAST.get(text[end - 1], ()):
        if text.endswith(verb, floor, end):
            return verb
    return None


def _verb_starting_at(text: str, start: int) -> str | None:
    if start >= len(text):
        return None
    for verb in _VERBS_BY_FIRST.get(text[start], ()):
        if text.startswith(verb, start):
            return verb
    return None


def _with_compound(text: str, start: int, verb: str, floor: int = 0) -> str:
    """走访慰问, 排查化解, 召回调整: two measure verbs in a row are one measure."""
    first = _verb_ending_at(text, start, floor)
    if first and first not in _LIGHT_VERBS and verb not in _MODIFIER_VERBS:
        return first + verb
    return verb


# --- number before noun: 12个党支部 ------------------------------------------------


def subject_after(text: str, start: int) -> str | None:
    """Longest phrase from `start` ending in a head noun (12个党支部 -> 党支部).

    A one-character head (户, 人, 村) ends the phrase only where the phrase
    ends anyway, so 500余户农户户均增收 gives 农户, not 农户户.
    """
    end = start
    limit = min(len(text), start + _MAX_SUBJECT + 2)
    while end < limit:
        ch = text[end]
        if ch.isdigit() or (ch in _AFTER_STOP and not text.startswith(_KEEPS_ZAI, end)):
            break
        if end > start and (
            ch in _QUOTES_OPEN or (ch in _AFTER_STOP_WORDS.starts and text.startswith(_AFTER_STOP_WORDS, end))
        ):
            break
        end += 1
    run = text[start:end]
    if run and _ends_in_head(run):
        return run
    for stop in range(len(run) - 1, 0, -1):
        if run[stop - 1] in _HEADS_BY_LAST and _ends_in_long_head(run[:stop]):
            return run[:stop]
    return None


def measure_before(text: str, start: int) -> str | None:
    """The verb right before a number whose subject follows it: 选派|95名指导员.

    Adverbs of counting between verb and number (共, 累计, 先后) are skipped.
    """
    end = start - 1 if text.endswith("了", 0, start) else start  # 修建了两座
    end -= len(_word_ending_at(text, end, _COUNTING_ADVERBS) or "")
    verb = _verb_ending_at(text, end)
    return _with_compound(text, end - len(verb), verb) if verb else None


def measure_after(text: str, subject_end: int) -> str | None:
    """The verb the counted people perform: 4700多名党员|注册借阅, 268名在职党员|到社区报到.

    Taken only when it follows the subject directly, or closes a short 到/在
    clause (到居住小区报到); an adverb in between (广泛参与) says the number is
    not the count of that action.
    """
    direct = _verb_starting_at(text, subject_end)
    if direct:
        return direct
    if subject_end >= len(text) or text[subject_end] not in "到在":
        return None
    end = subject_end + 1
    while end < len(text) and end - subject_end <= _MAX_LIST_ITEM + _MAX_VERB and text[end] not in _CLAUSE_STOP:
        end += 1
    if end >= len(text) or text[end] not in _CLAUSE_STOP:
        return None
    return _verb_ending_at(text, end, subject_end + 2)


def counted_after(text: str, start: int, end: int) -> Counted:
    """Subject after the unit (start = figure start, end = figure end) and its measure."""
    subject = subject_after(text, end)
    if subject is None:
        return _UNCOUNTED
    measure = measure_before(text, start)
    if measure is None or measure in _CAUSATIVES:
        measure = measure_after(text, end + len(subject)) or measure
    return Counted(subject, measure)


# --- noun before number: 直管党员1362名 ----------------------------------------------


def _quoted_before(text: str, end: int) -> tuple[str, int] | None:
    """“关键小事”100余件, 《操作手册》2000册: a short name right before the number is the subject.

    Returns the name and where its opening mark is.
    """
    if end == 0 or text[end - 1] not in _NAME_CLOSE:
        return None
    marks = "《" if text[end - 1] == "》" else _QUOTES_OPEN
    floor = max(0, end - _MAX_SUBJECT - 4)
    opening = max(text.rfind(q, floor, end - 1) for q in marks)
    if opening < 0:
        return None
    inner = text[opening + 1 : end - 1]
    stops = _BEFORE_STOP - set("“”") if marks == "《" else _BEFORE_STOP
    return (inner, opening) if inner and not any(ch in stops for ch in inner) else None


def _before_names(text: str, opening: int) -> int:
    """发布“微心愿”“微项目”210个: step back over names listed before the counted one."""
    while opening > 0 and text[opening - 1] in _QUOTES_CLOSE:
        previous = _quoted_before(text, opening)
        if previous is None:
            break
        opening = previous[1]
    return opening


def _strip_predicate(text: str, end: int) -> tuple[int, str | None]:
    """Step back over what links a subject to its number; a change verb is the measure.

    满意度达到98% -> 满意度; 投诉量同比下降41.2% -> 投诉量, 下降;
    平均年龄由52.6岁下降到44.3岁 -> 平均年龄 (a new level has no measure).
    """
    measure = None
    level = _word_ending_at(text, end, _CHANGE_TO_LEVEL)
    change = None if level else _word_ending_at(text, end, _CHANGE_VERBS)
    if level or change:
        end -= len(level or change)
        measure = change
        end -= len(_word_ending_at(text, end, _COMPARISONS) or "")
        end = _before_starting_level(text, end)
    for _ in range(3):
        link = _word_ending_at(text, end, _LINKS)
        if link is None:
            break
        end -= len(link)
    return end, measure


def _word_ending_at(text: str, end: int, words: _WordList) -> str | None:
    """The first of `words` that ends at `end` (list longer words first)."""
    if end == 0 or text[end - 1] not in words.ends:
        return None
    return next((w for w in words if text.endswith(w, 0, end)), None)


def _before_starting_level(text: str, end: int) -> int:
    """比例由不足五成提高到92%: the subject is before 由."""
    floor = max(0, end - _MAX_LIST_ITEM - 4)
    for pos in range(end - 1, floor - 1, -1):
        if text[pos] in _CLAUSE_STOP:
            return end
        if text[pos] == "由":
            return pos
    return end


def counted_before(text: str, end: int, unit: str = "") -> Counted:
    """Subject written before the number (直管党员1362名), with its measure verb."""
    quoted = _quoted_before(text, end)
    if quoted:
        name, opening = quoted
        opening = _before_names(text, opening)
        return Counted(name, measure_before(text, opening) or _measure_across_list(text, opening))
    end, change = _strip_predicate(text, end)
    start = _run_start(text, end)
    counted = _split_run(text, start, end, unit, start > 0 and text[start - 1] in _LIST_SEPARATORS)
    if change:
        return Counted(counted.subject, change)
    if counted.subject and counted.measure is None and unit not in _NOT_COUNTS:
        return Counted(counted.subject, _measure_across_list(text, start) or _trailing_verb(text, start, end))
    return counted


def _trailing_verb(text: str, start: int, end: int) -> str | None:
    """能人专题授课15次: a subject that is itself an action is its measure (not 组织 in 党组织)."""
    verb = _verb_ending_at(text, end, start)
    if verb is None or _inside_noun(text, end - len(verb), end):
        return None
    return verb


def _run_start(text: str, end: int) -> int:
    start = end
    floor = max(0, end - _MAX_SUBJECT - _MAX_VERB)
    while start > floor:
        ch = text[start - 1]
        if ch.isdigit() or (ch in _BEFORE_STOP and not _keeps_stop(text, start)):
            break
        if ch in _BEFORE_STOP_WORDS.ends and text.endswith(_BEFORE_STOP_WORDS, 0, start):
            break
        start -= 1
    return start


def _keeps_stop(text: str, end: int) -> bool:
    """在职, and the tails of 惠及 参与 节约: stop characters that are inside a word."""
    return text.startswith(_KEEPS_ZAI, end - 1) or _verb_ending_at(text, end, max(0, end - _MAX_VERB)) is not None


def _split_run(text: str, start: int, end: int, unit: str, after_list: bool) -> Counted:
    """Subject and measure inside the phrase right before the number.

    After a list (助老助残等|服务岗位) the phrase is a noun, so a verb that
    also modifies nouns is not split off its front.
    """
    run = text[start:end]
    if not run:
        return _UNCOUNTED
    if unit in _NOT_COUNTS:
        # A rate is named whole: 参与比例, 培训合格率 (the verb is part of the name).
        return Counted(run if len(run) <= _MAX_SUBJECT else _longest_head_suffix(run), None) if _ends_in_head(run) else _UNCOUNTED
    points = _split_points(run, after_list)
    split = _verb_split(run, points, _ends_in_head_subject)
    if split:
        return split
    if _ends_in_head(run):
        return Counted(run if len(run) <= _MAX_SUBJECT else _longest_head_suffix(run), None)
    split = _verb_split(run, points, _is_object)
    if split:
        return split
    if start > 0 and text[start - 1] == "等" and 2 <= len(run) <= 4:
        return Counted(run, None)  # 医保、社保等业务5600多件: 等 closes a list, the category follows
    trailing = _verb_ending_at(run, len(run))
    if trailing:
        # 老旧院落改造210个 counts 院落; 邀请教师授课8次 counts 授课; 党员到社区服务 counts 党员.
        noun = run[: len(run) - len(trailing)]
        noun = noun[: noun.rfind("到")] if "到" in noun else noun
        subject = None if unit in _EVENT_UNITS else _longest_head_suffix(noun)
        return Counted(subject, trailing)
    return _UNCOUNTED


def _ends_in_head_subject(phrase: str) -> bool:
    return len(phrase) >= 2 and _ends_in_head(phrase)


def _is_object(phrase: str) -> bool:
    """集中学习, 违法建筑: a short object right after a measure verb, even without a head noun.

    An object that ends in a verb is a clause (院落改造), unless it is that
    verb alone, used as a noun (举办|培训).
    """
    if not 2 <= len(phrase) <= _MAX_OBJECT or _has_inner_verb(phrase, 1):
        return False
    tail = _verb_ending_at(phrase, len(phrase))
    return tail is None or tail == phrase


def _split_points(run: str, after_list: bool) -> list[tuple[str, int]]:
    """The measure verbs the run may be split after, with where each ends.

    A verb that is the tail of a noun (组织 in 党组织) or the head of one
    (服务 in 服务时长) is not split off. Found once per run, for both tries
    of _verb_split.
    """
    points: list[tuple[str, int]] = []
    for cut in range(2, len(run)):
        if run[cut - 1] not in _VERBS_BY_LAST:
            continue  # the common case, decided without a call
        verb = _verb_ending_at(run, cut)
        if verb is None or _inside_noun(run, cut - len(verb), cut) or run[cut - len(verb) :] in HEAD_NOUNS:
            continue
        if after_list and cut == len(verb) and verb in _MODIFIER_VERBS:
            continue
        points.append((verb, cut))
    return points


def _verb_split(run: str, points: list[tuple[str, int]], accepts: Callable[[str], bool]) -> Counted | None:
    """Split the run into measure verb and subject at one of its split points.

    The earliest verb whose remainder holds no other verb wins (认领|服务项目,
    开展|小区宣讲活动); else the last verb (帮助企业招聘|员工).
    """
    chosen = None
    for verb, cut in points:
        subject = run[cut:]
        if accepts(subject):
            chosen = verb, subject, cut - len(verb)
            if not _has_inner_verb(subject, 1):
                break
    if chosen is None:
        return None
    verb, subject, at = chosen
    lead = _verb_starting_at(subject, 0)
    if lead and lead not in _NEVER_SECOND_VERBS and accepts(subject[len(lead) :]):
        # 转移安置|群众 is one measure; in 组织组建|队伍 the light verb gives way.
        verb = lead if verb in _LIGHT_VERBS else verb + lead
        subject = subject[len(lead) :]
    return Counted(subject, _with_compound(run, at, verb))


def _has_inner_verb(phrase: str, first: int) -> bool:
    """A measure verb in the phrase from `first` on that is not part of a noun.

    Verbs that modify nouns (党群服务中心, 帮扶资金) do not count.
    """
    for cut in range(first + 2, len(phrase) + 1):
        if phrase[cut - 1] not in _VERBS_BY_LAST:
            continue  # the common case, decided without a call
        verb = _verb_ending_at(phrase, cut, first)
        if (
            verb
            and verb not in _MODIFIER_VERBS
            and not _inside_noun(phrase, cut - len(verb), cut)
            and phrase[cut - len(verb) :] not in HEAD_NOUNS
        ):
            return True
    return False


def _measure_across_list(text: str, start: int) -> str | None:
    """解决|停车管理、绿化养护等|问题: the verb that opens a noun list before the subject."""
    pos = start
    for _ in range(5):
        if pos == 0 or text[pos - 1] not in _LIST_SEPARATORS:
            return None
        pos -= 1
        item_end = pos
        while pos > 0 and item_end - pos < _MAX_LIST_ITEM + _MAX_VERB and text[pos - 1] not in _BEFORE_STOP:
            pos -= 1
        item = text[pos:item_end]
        # The list opens with its verb and first item: 协调解决|电梯加装、停车难…等问题;
        # a verb that ends an item is part of it (电梯加装).
        for cut in range(len(item) - 1, 1, -1):
            verb = _verb_ending_at(item, cut)
            if verb and not _inside_noun(item, cut - len(verb), cut):
                return _with_compound(item, cut - len(verb), verb)
    return None


def continues_statistic(between: str) -> bool:
    """满意率达到96.8%，较上年提高3.5个百分点: a comparison clause that leaves out its subject."""
    rest = between.lstrip("，,")
    rest = rest[len(next((c for c in _COMPARISONS if rest.startswith(c)), "")) :]
    if rest == between.lstrip("，,"):
        return False
    return any(rest in (verb, verb + "了") for verb in _CHANGE_VERBS)


def _inside_noun(run: str, start: int, end: int) -> bool:
    """组织 in 党组织覆盖率 is part of a noun, not the verb 组织."""
    nouns = _HEADS_BY_LAST.get(run[end - 1])
    if start == 0 or nouns is None:
        return False
    # A head noun that ends where the verb ends and starts before it.
    return any(len(noun) > end - start and run.endswith(noun, 0, end) for noun in nouns)
