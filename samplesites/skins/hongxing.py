"""红星网-like (湖南省委组织部) pages: UTF-8, "文章来源: 红星网  时间: …" dateline,
photos shown with their mangled file names, ▲captions, a page counter "1",
the footer with 主办单位/技术支持/ICP备案号 and an empty visitor counter.

The mirror skin reuses `article_chrome` to copy these pages in traditional script.
"""

from __future__ import annotations

from samplesites.render import Link, PageContext, body_html, esc, in_script, list_items, pager, related_box

SITE = "hongxing"
NAV = ("首页", "组工要闻", "基层党建", "党员教育", "干部工作", "人才工作", "红星视频")


def _nav(site: str) -> str:
    items = "".join(f'<li><a href="/{site}/index.html">{esc(in_script(site, n))}</a></li>' for n in NAV)
    return f'<div class="top"><div class="logo"><img src="/{site}/images/logo.png" alt="{esc(in_script(site, "红星网"))}"/></div><ul class="nav">{items}</ul></div>'


def footer(site: str) -> str:
    lines = (
        "主办单位：中共湖南省委组织部",
        "技术支持：湖南红网新媒体集团",
        "ICP备案号：湘ICP备10002233号-1",
        "湘公网安备 43010502000881号",
        "版权所有 红星网 未经授权禁止复制",
    )
    ps = "".join(f"<p>{esc(in_script(site, line))}</p>" for line in lines)
    welcome = esc(in_script(site, "欢迎您访问红星网"))
    counter = esc(in_script(site, "您是第")) + ' <span id="visitor"></span> ' + esc(in_script(site, "位来访者"))
    return f'<div class="footer">{ps}<p>{welcome}</p><p>{counter}</p></div>'


def dateline(ctx: PageContext) -> str:
    a = ctx.article
    return f"文章来源: {a.source}\u00a0\u00a0时间: {a.published_at:%Y-%m-%d %H:%M}"


def article_chrome(site: str, ctx: PageContext, title_text: str, after_footer: str = "") -> str:
    """The 红星网 article layout in `site`'s script; `title_text` is printed as given."""
    a = ctx.article
    crumb = esc(in_script(site, "当前位置：")) + f'<a href="/{site}/index.html">{esc(in_script(site, "首页"))}</a> &gt; ' + esc(
        in_script(site, "基层党建")
    ) + " &gt; " + esc(in_script(site, "正文"))
    tools = (
        f'<div class="share">{esc(in_script(site, "分享到："))}<a href="javascript:;">{esc(in_script(site, "微信"))}</a>'
        f'<a href="javascript:;">{esc(in_script(site, "微博"))}</a><a href="javascript:;">QQ</a>'
        f'<div class="wx-qr"><img src="/{site}/images/qr.png" alt=""/>{esc(in_script(site, "微信扫一扫 分享到朋友圈"))}</div></div>'
    )
    bottom = (
        f'<div class="tool"><a href="javascript:window.print()">{esc(in_script(site, "打印本页"))}</a> '
        f'<a href="javascript:window.close()">{esc(in_script(site, "关闭窗口"))}</a></div>'
    )
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8"/>
<title>{esc(title_text)}</title>
<meta name="keywords" content="{esc(in_script(site, "红星网,组织工作,党员教育"))}"/>
<link rel="stylesheet" href="/{site}/css/style.css"/>
</head>
<body>
{_nav(site)}
<div class="crumb">{crumb}</div>
<div class="main">
<div class="article">
<h1 class="title">{esc(title_text)}</h1>
<div class="info">{esc(in_script(site, dateline(ctx)))}</div>
{tools}
<div class="content" id="content">
{body_html(site, a)}
</div>
<div class="pagination"><span>1</span></div>
{bottom}
{related_box(site, "相关文章", ctx.related)}
</div>
</div>
{footer(site)}
{after_footer}
</body>
</html>
"""


def article_page(ctx: PageContext) -> str:
    return article_chrome(SITE, ctx, ctx.article.title)


def list_page(links: list[Link], number: int, count: int) -> str:
    return f"""<!DOCTYPE html>
<html>
<head><meta charset="utf-8"/><title>基层党建_红星网</title></head>
<body>
{_nav(SITE)}
<div class="crumb">当前位置：<a href="/{SITE}/index.html">首页</a> &gt; 基层党建</div>
<div class="list"><ul>
{list_items(SITE, links)}
</ul>
{pager(SITE, number, count)}
</div>
{footer(SITE)}
</body>
</html>
"""
