"""What a figure counts (subject) and the verb that counts it (measure).

Chinese news writes a count two ways, and each needs its own rule:

* noun before number: 直管党员1362名, 培训党员9500余人次, 居民群众3724户.
  The subject is the noun phrase that ends right before the number; a verb
  from MEASURE_VERBS at its front is split off as the measure (培训 | 党员).
* number before noun: 12个党支部, 800余名党员, 62户贫困家庭.
  The subject is the longest stretch after the unit that ends in a head noun.

Both rules only accept a phrase that ends in a known head noun (HEAD_NOUNS),
so a clause like 引导商圈党员实名制入群3000余人 gives no subject rather than a
wrong one. For 居民群众3724户 the subject is 居民群众 (what is counted is
written before the number; the unit 户 says how it is counted).
"""

from __future__ import annotations

from dataclasses import dataclass

# Nouns that end a counted phrase in party-building and general news. Longer
# entries win, so 党员志愿者 is not cut to 志愿者.
HEAD_NOUNS: frozenset[str] = frozenset(
    """
    党员 在职党员 流动党员 农村党员 党员志愿者 党员干部 党员群众 党员代表 预备党员 入党积极分子 积极分子
    党组织 基层党组织 党支部 支部 党小组 党总支 党委 党工委 支委 委员 书记 第一书记
    群众 居民群众 居民 村民 农户 住户 家庭 贫困家庭 贫困户 脱贫户 困难群众 困难户 老人 儿童 学生 青少年
    干部 职工 员工 工作人员 人员 人才 师资 讲师 教师 专家 学员 代表 志愿者 网格员 楼长 骑手 小哥 快递员 外卖员
    受众 人次 户 人 员 者 队 组 室 工作室 服务队 志愿服务队 督导组 指导员 党建指导员 成员 队员
    单位 驻区单位 企业 非公企业 社会组织 组织 机构 部门 商户 网点 商业网点 个体工商户 合作社 学校 医院 高校
    社区 小区 村 行政村 村庄 街道 乡镇 片区 网格 楼栋 住宅楼 楼 楼院 院落 站点 服务站 驿站 阵地 中心 之家 基地 点
    教学点 课堂 党课 微党课 课程 课 讲座 培训班 班次 活动 宣讲活动 主题活动 志愿活动 会议 讲堂 宣讲 授课 观摩
    教育片 电视片 影片 视频 短视频 作品 文章 书籍 图书 资料 清单 问题 事项 小事 实事 难题 矛盾 纠纷 诉求 意见 建议
    项目 工程 措施 制度 岗位 平台 阵地 场所 设施 资金 经费 台账 案例
    率 满意度 知晓率 覆盖率 参与率 达标率 完成率 增长率 增幅 比例 比重 占比
    """.split()
)
_MAX_HEAD = max(len(w) for w in HEAD_NOUNS)

# Verbs that count the subject: 培训党员, 受益群众, 开展活动.
MEASURE_VERBS: frozenset[str] = frozenset(
    """
    培训 轮训 受益 惠及 服务 覆盖 吸引 带动 组织 开展 举办 召开 发展 慰问 走访 帮扶 结对 联系
    建成 选派 设立 建立 组建 划分 配备 注册 报到 认领 处理 提供 改造 发布 推进 编印 清理 拆除 种植
    引进 增收 摸排 反映 参训 上线 开放 收录 梳理 加装 提高 下降 增长 体检 借阅 走访 慰问 召回 接待 开设 评选
    直管 管理 受理 发放 投入 筹集 解决 化解 办理 办结 收集 征集 录制 制作 观看 建成 建设 新建 打造 培育 挖掘
    选派 派驻 拍摄 完成 实施 招募 登记 排查 吸纳 动员 发动 参加 参与 报到 出动 整改 调解 接待 流转 联建 共建 设立 成立
    """.split()
)
_MAX_VERB = max(len(w) for w in MEASURE_VERBS)

# Linking words between a subject and its number: 满意率达到96.8%.
_COPULAS = ("达到", "已达", "为", "是", "有")
# Adverbs between a verb and its number: 共开展36场, 累计服务2万人次.
_COUNTING_ADVERBS = ("累计", "共计", "先后", "共", "已", "还", "再", "新")
# Characters that end the phrase before a number: punctuation, function words.
_BEFORE_STOP = frozenset("，。；：、！？,.;:!?（）()《》【】 \t\n等的了和与及或共达超近约逾余多在为对向把被将已有")
# Characters that end the phrase after a unit.
_AFTER_STOP = frozenset("，。；：、！？,.;:!?（）()《》【】 \t\n的了和与及或等在为从对向把被将已到都也还又再就才")
# Words after a unit that start the predicate: 900余名党员志愿者|广泛深入群众.
_AFTER_STOP_WORDS = (
    "积极", "主动", "广泛", "深入", "常态化", "定期", "集中", "分别", "共同", "先后", "全部",
    "登台", "走上", "参加", "参与", "开展", "进行", "完成", "实现", "成为", "获得", "受到", "通过",
    "选派", "成立", "建立", "推行", "落实", "实施", "组建", "设立", "按月", "按时", "全部", "每月", "每年",
)
# Words before a number that end the counted phrase: 其中党员46名, 累计借阅图书.
_BEFORE_STOP_WORDS = ("其中", "累计", "共计", "总计", "合计", "现有", "共有", "下设", "下辖", "所辖")
# 在 starts a phrase in 在职党员, and ends one everywhere else.
_KEEPS_ZAI = "在职"
_MAX_SUBJECT = 10
_QUOTES_CLOSE = "”」’\""
_QUOTES_OPEN = "“「‘\""


@dataclass(frozen=True)
class Counted:
    """The subject a figure counts and the verb that counts it, either may be None."""

    subject: str | None = None
    measure: str | None = None


def _ends_in_head(phrase: str) -> bool:
    for n in range(min(_MAX_HEAD, len(phrase)), 0, -1):
        if phrase[-n:] in HEAD_NOUNS:
            return True
    return False


def _ends_in_long_head(phrase: str) -> bool:
    for n in range(min(_MAX_HEAD, len(phrase)), 1, -1):
        if phrase[-n:] in HEAD_NOUNS:
            return True
    return False


def subject_after(text: str, start: int) -> str | None:
    """Longest phrase from `start` ending in a head noun (12个党支部 -> 党支部).

    A one-character head (户, 人, 村) ends the phrase only where the phrase
    ends anyway, so 500余户农户户均增收 gives 农户, not 农户户.
    """
    end = start
    limit = min(len(text), start + _MAX_SUBJECT + 2)
    while end < limit and not text[end].isdigit():
        if text[end] in _AFTER_STOP and not text.startswith(_KEEPS_ZAI, end):
            break
        if end > start and (text.startswith(_AFTER_STOP_WORDS, end) or text[end] in _QUOTES_OPEN):
            break
        end += 1
    run = text[start:end]
    if run and _ends_in_head(run):
        return run
    for stop in range(len(run) - 1, 0, -1):
        if _ends_in_long_head(run[:stop]):
            return run[:stop]
    return None


def _quoted_before(text: str, end: int) -> str | None:
    """“关键小事”100余件: a short quoted name right before the number is the subject."""
    if end == 0 or text[end - 1] not in _QUOTES_CLOSE:
        return None
    opening = max(text.rfind(q, max(0, end - _MAX_SUBJECT - 2), end - 1) for q in _QUOTES_OPEN)
    if opening < 0:
        return None
    inner = text[opening + 1 : end - 1]
    return inner if inner and not any(ch in _BEFORE_STOP for ch in inner) else None


def counted_before(text: str, end: int) -> Counted:
    """Subject written before the number (直管党员1362名), with its measure verb."""
    quoted = _quoted_before(text, end)
    if quoted:
        return Counted(quoted, None)
    end = _before_copula(text, end)
    start = end
    floor = max(0, end - _MAX_SUBJECT - _MAX_VERB)
    while start > floor and not text[start - 1].isdigit():
        if text[start - 1] in _BEFORE_STOP and not text.startswith(_KEEPS_ZAI, start - 1):
            break
        if any(text.startswith(w, start - len(w)) for w in _BEFORE_STOP_WORDS):
            break
        start -= 1
    run = text[start:end]
    if not run or not _ends_in_head(run):
        return Counted()
    # Split off the last measure verb in the run: 开展小区宣讲活动 -> 开展 | 小区宣讲活动.
    for cut in range(len(run) - 1, 0, -1):
        for n in range(min(_MAX_VERB, cut), 1, -1):
            verb = run[cut - n : cut]
            if verb in MEASURE_VERBS and not _inside_noun(run, cut - n, cut):
                subject = run[cut:]
                if len(subject) >= 2 and _ends_in_head(subject):
                    return Counted(subject, verb)
    if len(run) > _MAX_SUBJECT:
        return Counted(_longest_head_suffix(run), None)
    return Counted(run, None)


def _before_copula(text: str, end: int) -> int:
    """满意度达到98%: the phrase ends before 达到/为/是, not at the number."""
    for word in _COPULAS:
        if text.startswith(word, end - len(word)):
            return end - len(word)
    return end


def measure_before(text: str, start: int) -> str | None:
    """The verb right before a number whose subject follows it: 选派|95名指导员.

    Adverbs of counting between verb and number (共, 累计, 先后) are skipped.
    """
    end = start
    for word in _COUNTING_ADVERBS:
        if text.startswith(word, end - len(word)):
            end -= len(word)
            break
    for n in range(min(_MAX_VERB, end), 1, -1):
        if text[end - n : end] in MEASURE_VERBS:
            return text[end - n : end]
    return None


def _inside_noun(run: str, start: int, end: int) -> bool:
    """组织 in 党组织覆盖率 is part of a noun, not the verb 组织."""
    return any(run[start - k : end] in HEAD_NOUNS for k in range(1, min(start, _MAX_HEAD) + 1))


def _longest_head_suffix(run: str) -> str | None:
    for n in range(min(_MAX_HEAD, len(run)), 0, -1):
        if run[-n:] in HEAD_NOUNS:
            return run[-n:]
    return None
