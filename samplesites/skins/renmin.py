"""人民网党建-like pages, in GB2312-declared GBK bytes (and, for `renmin_big5`,
the same layout in traditional script and Big5).

Chrome: breadcrumb "中国共产党新闻网>>党建>>…", the reporting unit under the
headline, dateline "2018年10月31日13:58    来源：人民网-中国共产党新闻网",
paragraphs indented with ideographic spaces, "(责编：甲、乙)" closing the
body, and the "微信“扫一扫”添加…" prompts, each printed twice (image alt and
caption) as on the real site.
"""

from __future__ import annotations

from samplesites.render import Link, PageContext, body_html, esc, in_script, list_items, pager, related_box
from samplesites.sitelist import SITES

INDENT = "\u3000\u3000"  # paragraphs open with two ideographic spaces
CHANNEL = "“全国城市基层党建创新案例”征集评选活动"
NAV = ("首页", "高层动态", "党建", "反腐倡廉", "理论", "党史", "图片", "视频")


def _top(site: str) -> str:
    items = "".join(f'<a href="/{site}/index.html">{esc(in_script(site, n))}</a>|' for n in NAV)
    return f'<div class="w1000 top"><div class="logo">{esc(in_script(site, "人民网"))} {esc(in_script(site, "中国共产党新闻网"))}</div><div class="nav">{items}</div></div>'


def _footer(site: str) -> str:
    notice = esc(in_script(site, "人民网版权所有，未经书面授权禁止使用"))
    # &copy; as an entity: neither GB2312 nor Big5 has the sign itself.
    return f'<div class="footer"><p>{notice}</p><p>Copyright &copy; 1997-2024 by www.people.com.cn. all rights reserved</p></div>'


def _qr_prompts(site: str) -> str:
    out = []
    for account in ("学习大国", "人民党建云"):
        text = esc(in_script(site, f"微信“扫一扫”添加“{account}”"))
        out.append(f'<div class="ewm"><img src="/{site}/img/ewm.jpg" alt="{text}"/><p>{text}</p><p>{text}</p></div>')
    return "\n".join(out)


def _editors(site: str, editors: tuple[str, ...]) -> str:
    if not editors:
        return ""
    return f'<div class="edit clearfix">{esc(in_script(site, "(责编：" + "、".join(editors) + ")"))}</div>'


def article_html(site: str, ctx: PageContext) -> str:
    a = ctx.article
    charset = SITES[site].declared_charset
    title = esc(in_script(site, a.title))
    crumb = ">>".join(
        f'<a href="/{site}/index.html">{esc(in_script(site, part))}</a>' for part in ("中国共产党新闻网", "党建", CHANNEL)
    )
    day = f"{a.published_at:%Y年%m月%d日%H:%M}"
    source = esc(in_script(site, "来源："))
    author = f'<h4 class="author">{esc(in_script(site, a.author))}</h4>' if a.author else ""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="content-type" content="text/html;charset={charset}"/>
<title>{title}--{esc(in_script(site, "党建-人民网"))}</title>
<meta name="publishdate" content="{a.published_at:%Y-%m-%d}"/>
</head>
<body>
{_top(site)}
<div class="w1000 d2nav clearfix"><span class="fl">{crumb}</span></div>
<div class="w1000 d2txt clearfix">
<h1>{title}</h1>
{author}
<p class="sou">{day}&nbsp;&nbsp;&nbsp;&nbsp;{source}<a href="/{site}/index.html" target="_blank">{esc(in_script(site, a.source or ""))}</a></p>
<div class="fx">{esc(in_script(site, "分享到："))}<a href="javascript:;">{esc(in_script(site, "微信"))}</a><a href="javascript:;">{esc(in_script(site, "微博"))}</a></div>
<div class="show_text">
{body_html(site, a, indent=INDENT)}
{_editors(site, a.editors)}
</div>
{_qr_prompts(site)}
{related_box(site, "相关新闻", ctx.related)}
</div>
{_footer(site)}
</body>
</html>
"""


def list_html(site: str, links: list[Link], number: int, count: int) -> str:
    charset = SITES[site].declared_charset
    return f"""<!DOCTYPE html>
<html>
<head><meta http-equiv="content-type" content="text/html;charset={charset}"/>
<title>{esc(in_script(site, "城市基层党建--党建-人民网"))}</title></head>
<body>
{_top(site)}
<div class="w1000 d2nav">{esc(in_script(site, "中国共产党新闻网>>党建>>城市基层党建"))}</div>
<div class="w1000 list"><ul>
{list_items(site, links)}
</ul>
{pager(site, number, count)}
</div>
{_footer(site)}
</body>
</html>
"""


def article_page(ctx: PageContext) -> str:
    return article_html("renmin", ctx)


def list_page(links: list[Link], number: int, count: int) -> str:
    return list_html("renmin", links, number, count)
