"""The traditional-script Big5 mirror of 人民网党建: same layout, other script and bytes."""

from __future__ import annotations

from samplesites.render import Link, PageContext
from samplesites.skins.renmin import article_html, list_html

SITE = "renmin_big5"


def article_page(ctx: PageContext) -> str:
    return article_html(SITE, ctx)


def list_page(links: list[Link], number: int, count: int) -> str:
    return list_html(SITE, links, number, count)
