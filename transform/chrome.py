"""Site chrome inside the content area: footers, counters, share prompts, file names, link lists.

Every rule matches a whole line (after script and punctuation
normalisation), never a word inside a sentence: `技术支持：湖南红网新媒体集团`
is a footer, `为企业提供技术支持。` is body. Lines are short by construction
(`_MAX_CHROME` characters); a long line is body whatever it contains.

Also here: byline lines left in the body (`（责编：黄瑾、乔业琼）`,
`2018年10月31日13:58 来源：人民网`), which are removed as metadata with the
editors' names kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MAX_CHROME = 80
_C = "[:：]"  # a colon, either width

_CHROME_LINES = [
    # Footers.
    rf"(?:主办单位|主办|承办单位|承办|协办单位|技术支持|技术服务|运营维护|网站维护|维护单位|网站管理|投稿邮箱){_C}.*",
    r".*ICP(?:备案号|证|备)?[:：]?\s*\S*ICP备.*",
    r".*[A-Za-z\u4e00-\u9fff]ICP备\d+号(?:-\d+)?.*",
    r".*公网安备\s*\d+号?.*",
    r".*(?:版权所有|Copyright\s*©|Copyright\s*\(c\)|©\s*\d{4}|All Rights Reserved).*",
    rf"网站标识码{_C}?.*",
    # Visitor counters and greetings.
    r"您是第\s*\d*\s*位(?:来访者|访问者|访客)[。！]?",
    r"(?:欢迎您?访问|欢迎光临)\S{1,20}",
    r"(?:今日)?访问量[:：]?\s*\d*",
    # Share prompts.
    r"(?:微信|手机)?[“\"]?扫一扫[”\"]?.{0,30}",
    r"(?:微信)?扫码.{0,20}(?:关注|分享|阅读|添加).{0,20}",
    r"长按(?:识别)?(?:二维码|图片).{0,30}",
    rf"分享到{_C}?.{{0,40}}",
    r"(?:[【\[]?(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|纠错|字号|大|中|小)[】\]]?\s*){1,6}",
    rf"【?字体{_C}?.{{0,10}}】?",
    r"(?:上一篇|下一篇|上一页|下一页|首页|尾页|末页)(?:[:：].{0,60})?",
    r"(?:相关(?:新闻|文章|阅读|链接)|延伸阅读|推荐阅读|热点推荐)[:：]?",
    # Breadcrumbs with a 当前位置 label; those without one are _BREADCRUMB.
    r"(?:当前位置|您的位置|您现在的位置|所在位置)[:：]?.{0,80}",
    # Fold and read-more controls, alone on their line: 展开全文, 阅读原文, 查看剩余60%.
    r"(?:点击)?(?:展开|阅读|查看)(?:全文|原文|剩余\s*\d{1,3}\s*%)\W{0,3}",
    # Prompts of image carousels.
    r"▲?\s*(?:上下|左右)?滑动查看(?:更多)?",
    r"▲?\s*点击(?:查看|图片)(?:大图|原图)?",
    # File names and placeholders.
    r"[^\s，。]{0,60}\.(?:jpe?g|png|gif|webp|bmp|JPE?G|PNG|GIF)",
    r"[A-Za-z]{1,8}\d{0,3}\s+(?:webp|jpe?g|png|gif)",
    # Pagers.
    r"(?:[【\[]\d{1,3}[】\]]\s*){2,}",
    r"第\s*\d+\s*页\s*/?\s*共\s*\d+\s*页",
]
_CHROME = re.compile("(?:" + "|".join(_CHROME_LINES) + ")")
# Most short lines are body text, and trying every rule on one costs a few
# times more than ruling it out by two cheap signs first: each rule above
# opens with one of these characters (or a space), or holds one of the marks
# a rule looks for anywhere in the line (footer marks, a file name's `.`).
# A test runs lines of every rule through is_chrome_line: a new rule must
# keep it passing.
_RULE_OPENERS = frozenset(
    "主承协技运网维投"  # footers
    "您欢今访"  # counters and greetings
    "微手“\"扫长分【[打关返收纠字大中小"  # share prompts, print and close controls
    "上下首尾末相延推热当所"  # article pagers, related-article headings, breadcrumb labels
    "点展阅查▲左滑"  # fold controls and carousel prompts
    "第"  # pagers
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # placeholders (`image1 webp`)
)
_MARK_ANYWHERE = re.compile(r"ICP|公网安备|版权所有|Copyright|©|All Rights Reserved|\.")
# Breadcrumbs: `中国共产党新闻网>>党建>>…`, two separators at least. Apart from
# _CHROME because the pattern retries every length of its first item on every
# line; it runs only on lines holding a separator character.
_BREADCRUMB = re.compile(r"[^>»＞]{1,30}(?:(?:\s*(?:>>|»|＞)\s*|\s+>\s+)[^>»＞]{1,40}){2,6}")

# `- 机构|标题`: one item of a related-articles list.
_LIST_ITEM = re.compile(r"^[-•·●◆■□▪\*]\s*\S.{0,40}[|｜]\S.*$")
_LIST_MIN_RUN = 2
# `《 红色瞬间|柴云振：… 》`: a video/column link above the headline. The sloppy
# inner spacing or the `|` betrays the template; a book title alone stays.
_TOP_LINK = re.compile(r"^《(?: .*|.*[|｜].*|.* )》$")
# A body line ends in sentence punctuation or is long; lines above the first one are the "top zone".
_SENTENCE_END = re.compile(r"[。！？…”」』）)]$")

_EDITOR_LABELS = ("责编", "责任编辑", "编辑", "网络编辑", "值班编辑", "审核", "审校", "校对", "终审", "二审", "初审")
_EDITOR_LINE = re.compile(
    rf"^[（(【\[]?\s*(?:{'|'.join(_EDITOR_LABELS)})\s*[:：]\s*(?P<names>[^）)】\]]{{1,40}})[）)】\]]?$"
)
# The value of a byline is a name or a list of names, never a sentence: an
# interview's `记者：你们的市场在哪？` is body.
_OTHER_LABELS = (
    "来源", "文章来源", "稿件来源", "信息来源", "作者", "文", "记者", "通讯员", "供稿", "摄影", "文/图", "撰稿",
    "发布时间", "发布日期", "点击数", "浏览次数", "阅读量", "阅读",
)  # fmt: skip
_OTHER_META = re.compile(rf"^[（(【\[]?\s*(?:{'|'.join(_OTHER_LABELS)})\s*[:：/]\s*[^，。？！；,?!;]{{0,60}}$")
_DATE = r"\d{4}\s*(?:年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|[-/.]\d{1,2}(?:[-/.]\d{1,2})?)"
_DATELINE = re.compile(
    rf"^(?:发布时间[:：]?\s*)?{_DATE}\s*(?:\d{{1,2}}[:：]\d{{2}}(?:[:：]\d{{2}})?)?\s*(?:(?:来源|作者|编辑|责编|浏览次数|点击数)[:：].{{0,40}})?$"
)
# Every byline opens, after an optional bracket and spaces, with the first
# character of a label; every dateline with its year or 发布时间. Most lines
# open otherwise, and a test of the first character saves three regex calls.
_LABEL_INITIALS = frozenset(label[0] for label in (*_EDITOR_LABELS, *_OTHER_LABELS, "发布时间"))
_NAME_SPLIT = re.compile(r"[、，,；;\s]+")


def is_page_number(line: str) -> bool:
    """A line holding only a small number: a pager when it follows the body, a table cell inside it."""
    # One to three decimal digits (re's \d is isdecimal()), without a regex call per line.
    return len(line) <= 3 and line.isdecimal()


def is_chrome_line(line: str) -> bool:
    """True when the whole line is a footer, counter, share prompt, file name or pager."""
    if len(line) > _MAX_CHROME:
        return False
    if _may_match_rule(line) and _CHROME.fullmatch(line) is not None:
        return True
    return _has_breadcrumb_separator(line) and _BREADCRUMB.fullmatch(line) is not None


def _may_match_rule(line: str) -> bool:
    """False for a line no rule of _CHROME_LINES can match (see _RULE_OPENERS)."""
    opener = line[:1]
    return opener in _RULE_OPENERS or opener.isspace() or _MARK_ANYWHERE.search(line) is not None


def _has_breadcrumb_separator(line: str) -> bool:
    """True when `line` holds a character every breadcrumb separator needs."""
    return ">" in line or "»" in line or "＞" in line


@dataclass
class MetadataLine:
    """A byline or dateline found among the body blocks."""

    text: str
    editors: list[str] = field(default_factory=list)


def metadata_line(line: str) -> MetadataLine | None:
    """The line as metadata (with any editor names) when it is a byline or dateline, else None."""
    if len(line) > 90 or not _may_be_metadata(line):
        return None
    match = _EDITOR_LINE.match(line)
    if match:
        names = [n for n in _NAME_SPLIT.split(match["names"].strip()) if n]
        return MetadataLine(line, names)
    if _OTHER_META.match(line) or _DATELINE.match(line):
        return MetadataLine(line)
    return None


def _may_be_metadata(line: str) -> bool:
    """False for a line that opens like neither a byline nor a dateline (see _LABEL_INITIALS)."""
    opener = line.lstrip("（(【[").lstrip()[:1]
    return opener in _LABEL_INITIALS or opener.isdecimal()


def related_list_lines(lines: list[str]) -> set[int]:
    """Indices of lines in runs (of two or more) of related-article items `- 机构|标题`."""
    found: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, ""]):
        if _LIST_ITEM.match(line):
            run.append(i)
            continue
        if len(run) >= _LIST_MIN_RUN:
            found.update(run)
        run = []
    return found


def top_link_lines(lines: list[str]) -> set[int]:
    """Indices of `《 … 》` link lines above the first sentence of the body."""
    found: set[int] = set()
    for i, line in enumerate(lines):
        if _TOP_LINK.match(line):
            found.add(i)
        elif _SENTENCE_END.search(line) or len(line) > 60:
            break
    return found


# `兵团第八师石河子市红山街道党委` alone on a line above the body: the author unit.
_ORG_BYLINE = re.compile(
    r"^[\u4e00-\u9fff]{4,30}(?:党委|党工委|党总支|党支部|党组|组织部|宣传部|委员会|人民政府|机关工委)$"
)
# `（上海基层党建网）自…`: the publishing site credited at the start of the first paragraph.
_LEADING_CREDIT = re.compile(r"^[（(](?P<source>[\u4e00-\u9fff]{2,14}(?:网|报|日报|社|电视台|广播电视台|融媒体中心))[)）]")


def org_byline(line: str) -> bool:
    """True for a line that is only the name of the unit that wrote the piece."""
    return _ORG_BYLINE.match(line) is not None


def leading_credit(line: str) -> str | None:
    """The site credited in parentheses at the very start of `line` (`（上海基层党建网）`), else None."""
    match = _LEADING_CREDIT.match(line)
    return match["source"] if match else None
