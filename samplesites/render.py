"""What every skin shares: escaping, per-site script, list pages, photos.

A skin (samplesites/skins/<site>.py) lays out one site's chrome; this module
holds the pieces whose behaviour must be the same on every site, such as how
a list page links its articles (discoverable by the generic rules: headline
anchor text, date beside it, "下一页" for the next page).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from samplesites.catalog import IMAGE_MARK, SampleArticle, SiteCopy
from samplesites.script import gloss_with_pinyin, to_traditional
from samplesites.sitelist import SITES


@dataclass(frozen=True)
class Link:
    """One article as a list page or a related-articles box shows it."""

    path: str
    title: str  # exactly as the site prints it (script converted, prefixes, damage)
    day: str  # YYYY-MM-DD


@dataclass(frozen=True)
class PageContext:
    article: SampleArticle
    copy: SiteCopy
    related: tuple[Link, ...]


def in_script(site: str, text: str) -> str:
    """Authored simplified text as `site` prints it (traditional, glossed with pinyin)."""
    if site == "mirror":
        return gloss_with_pinyin(text)
    if SITES[site].script == "traditional":
        return to_traditional(text)
    return text


def esc(text: str) -> str:
    return escape(text, quote=True)


def photo_name(stamp: str) -> str:
    """The name a CMS prints under an upload whose Chinese file name it mangled."""
    return f"????_{stamp}.jpg"


def photo_html(site: str, stamp: str) -> str:
    name = photo_name(stamp)
    return (
        f'<p style="text-align: center;"><img src="/{site}/uploads/{stamp}.jpg" alt="{esc(name)}" '
        f'title="{esc(name)}" border="0"/></p>\n<p class="pic-name" style="text-align: center;">{esc(name)}</p>'
    )


def body_html(site: str, article: SampleArticle, *, indent: str = "", para=None) -> str:
    """The article's blocks as <p> elements in `site`'s script; photos as image + file name.

    `para` may rewrite each paragraph's (already converted) text, e.g. the
    aggregator's spaced punctuation.
    """
    out = []
    for block in article.blocks:
        if block.startswith(IMAGE_MARK):
            out.append(photo_html(site, block[len(IMAGE_MARK):].strip()))
            continue
        text = in_script(site, block)
        if para is not None:
            text = para(text)
        style = ' style="text-align: center;"' if block.startswith("▲") else ""
        out.append(f"<p{style}>{indent}{esc(text)}</p>")
    return "\n".join(out)


def list_items(site: str, links: list[Link]) -> str:
    return "\n".join(
        f'<li><a href="{esc(link.path)}" target="_blank" title="{esc(link.title)}">'
        f"{esc(link.title)}</a><span class=\"date\">{link.day}</span></li>"
        for link in links
    )


def list_page_name(number: int) -> str:
    return "index.html" if number == 1 else f"index_{number}.html"


def pager(site: str, number: int, count: int) -> str:
    """首页 / 上一页 / numbered pages / 下一页 / 尾页, as CMS list pages print them."""
    parts = [f'<a href="{list_page_name(1)}">{esc(in_script(site, "首页"))}</a>']
    if number > 1:
        parts.append(f'<a href="{list_page_name(number - 1)}">{esc(in_script(site, "上一页"))}</a>')
    for n in range(1, count + 1):
        parts.append(f"<span class=\"current\">{n}</span>" if n == number else f'<a href="{list_page_name(n)}">{n}</a>')
    if number < count:
        parts.append(f'<a href="{list_page_name(number + 1)}">{esc(in_script(site, "下一页"))}</a>')
    parts.append(f'<a href="{list_page_name(count)}">{esc(in_script(site, "尾页"))}</a>')
    return '<div class="page">' + " ".join(parts) + "</div>"


def related_box(site: str, heading: str, links: tuple[Link, ...]) -> str:
    items = "".join(
        f'<li><a href="{esc(link.path)}" target="_blank">{esc(link.title)}</a></li>' for link in links
    )
    return f'<div class="related"><h3>{esc(in_script(site, heading))}</h3><ul>{items}</ul></div>'
