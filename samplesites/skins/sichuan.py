"""四川党建网-like pages: UTF-8; a month bar and recommended-video titles in
《 》 above the article; headline plus a second headline line; "来源:<unit>"
under it; 【背景】【做法】【成效】 sections; a photo gallery closed by
"▲滑动查看"; "来源:四川党建网" and "编辑:…" after the body; "ad1 webp"
placeholders where the ad images failed to load.
"""

from __future__ import annotations

from samplesites.render import Link, PageContext, body_html, esc, list_items, pager, photo_html, related_box

SITE = "sichuan"
NAV = ("首页", "要闻", "基层党建", "党员教育", "组织工作", "人才工作", "微视频")
RECOMMENDED = ("初心如磐 使命在肩", "红色瞬间|大凉山里的“背篓党支部”")


def _header() -> str:
    nav = "".join(f'<li><a href="/{SITE}/index.html">{n}</a></li>' for n in NAV)
    return f'<div class="header"><div class="logo"><img src="/{SITE}/images/logo.png" alt="四川党建网"/></div><ul class="nav">{nav}</ul></div>'


def _footer() -> str:
    return (
        '<div class="footer"><p>主办单位：中共四川省委组织部</p><p>版权所有：四川党建网 未经许可不得转载</p>'
        "<p>蜀ICP备05003366号-2</p><p>川公网安备 51010402000655号</p></div>"
    )


def _ads() -> str:
    return '<div class="ad">' + "".join(f'<p><img src="/{SITE}/ad/{n}.webp" alt=""/>{n} webp</p>' for n in ("ad1", "ad2", "ad1", "ad2")) + "</div>"


def article_page(ctx: PageContext) -> str:
    a = ctx.article
    subtitle = f'<h2 class="subtitle">{esc(a.subtitle)}</h2>' if a.subtitle else ""
    recommended = "".join(f'<li><a href="/{SITE}/index.html">《 {esc(t)} 》</a></li>' for t in RECOMMENDED)
    editors = "".join(f"<p>编辑:{esc(e)}</p>" for e in a.editors)
    gallery = photo_html(SITE, f"{a.published_at:%Y%m%d}101500")
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8"/>
<title>{esc(a.title)}-四川党建网</title>
<meta name="description" content="{esc(a.title)}"/>
</head>
<body>
{_header()}
<div class="month-bar">{a.published_at.year}年{a.published_at.month}月</div>
<div class="recommend"><ul>{recommended}</ul></div>
<div class="article">
<h1>{esc(a.title)}</h1>
{subtitle}
<p class="source">来源:{esc(a.source or "")}</p>
<p class="time">发布时间:{a.published_at:%Y-%m-%d %H:%M}</p>
<div class="TRS_Editor">
{body_html(SITE, a)}
<div class="swiper">{gallery}<p class="swipe-tip">▲滑动查看</p></div>
</div>
<div class="article-foot"><p>来源:四川党建网</p>{editors}</div>
{_ads()}
{related_box(SITE, "相关阅读", ctx.related)}
</div>
{_footer()}
</body>
</html>
"""


def list_page(links: list[Link], number: int, count: int) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"/><title>党员教育-四川党建网</title></head>
<body>
{_header()}
<div class="crumb">您当前的位置：<a href="/{SITE}/index.html">首页</a> &gt; 党员教育</div>
<div class="list"><ul>
{list_items(SITE, links)}
</ul>
{pager(SITE, number, count)}
</div>
{_footer()}
</body>
</html>
"""
