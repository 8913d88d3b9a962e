"""A content aggregator re-posting 上海基层党建网 articles: headline "机构|标题"
(the prefix names the source), a ":原题为_<headline>。" line, the body with
spaced punctuation (" , " and " 。 "), "(上海基层党建网)" opening the first
paragraph, the headline pasted again in 【】 at the head of one paragraph,
and a trailing list of other "- 机构|标题" headlines.
"""

from __future__ import annotations

import hashlib

from samplesites.render import Link, PageContext, body_html, esc, list_items, pager

SITE = "aggregator"
ORIGIN_TAG = "(上海基层党建网)"
# Headlines of other re-posts that pad the related list (not served here).
FILLER = (
    "东方网|闵行区召开基层党建工作推进会",
    "金山报|吕巷镇“美丽庭院”建设助力乡村振兴",
    "上海市金山区人民政府|金山区法律援助在线申请正式开通",
)


def space_punctuation(text: str) -> str:
    """The aggregator's own spacing: "，" -> " , " and "。" -> " 。 " (trailing space dropped)."""
    return text.replace("，", " , ").replace("。", " 。 ").rstrip()


def pasted_paragraph(article_id: str, count: int) -> int:
    """Which body paragraph gets the headline pasted in front (stable per article)."""
    return 1 + int(hashlib.sha1(article_id.encode()).hexdigest(), 16) % max(1, count - 1)


def _paragraphs(ctx: PageContext) -> str:
    a = ctx.article
    headline = ctx.copy.shown_title or a.title
    target = pasted_paragraph(a.id, len(a.paragraphs))
    seen = -1

    def dress(text: str) -> str:
        nonlocal seen
        seen += 1
        text = space_punctuation(text)
        if seen == 0:
            return ORIGIN_TAG + text
        if seen == target:
            return f"【{headline}】" + text
        return text

    return body_html(SITE, a, para=dress)


def article_page(ctx: PageContext) -> str:
    a = ctx.article
    headline = ctx.copy.shown_title or a.title
    related = "".join(f'<li><a href="{esc(link.path)}">- {esc(link.title)}</a></li>' for link in ctx.related)
    related += "".join(f"<li>- {esc(t)}</li>" for t in FILLER)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8"/>
<title>{esc(headline)}</title>
</head>
<body>
<div class="header"><a href="/{SITE}/index.html">首页</a> <a href="/{SITE}/index.html">党建</a> <a href="/{SITE}/index.html">社区</a></div>
<div class="post">
<h1 class="post-title">{esc(headline)}</h1>
<div class="post-meta"><span class="time">{a.published_at:%Y-%m-%d %H:%M}</span> <span class="views">阅读 {int(a.published_at.timestamp()) % 9000 + 312}</span></div>
<div class="post-body">
<p>:原题为_{esc(headline)}。</p>
{_paragraphs(ctx)}
</div>
<ul class="post-related">{related}</ul>
</div>
<div class="footer"><p>本站内容来自互联网，如有侵权请联系删除</p></div>
</body>
</html>
"""


def list_page(links: list[Link], number: int, count: int) -> str:
    return f"""<!DOCTYPE html>
<html>
<head><meta charset="UTF-8"/><title>基层党建资讯</title></head>
<body>
<div class="header"><a href="/{SITE}/index.html">首页</a></div>
<ul class="posts">
{list_items(SITE, links)}
</ul>
{pager(SITE, number, count)}
</body>
</html>
"""
