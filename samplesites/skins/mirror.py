"""A content-farm mirror: 红星网's layout copied wholesale into traditional script
with pinyin glossed after some characters (長(zhǎng)沙), the original dateline
kept ("文章來(lái)源: 紅星網(wǎng)  時(shí)間: …"), and a run of place names ending
every page (`砚山县| 泰安市| …`, simplified, with abolished counties, short
names and junk tokens) to catch searches for any place.
"""

from __future__ import annotations

import random

from samplesites.render import Link, PageContext, esc, in_script, list_items, pager
from samplesites.skins.hongxing import article_chrome, footer

SITE = "mirror"

# County-level names as such spam lists print them: current and abolished
# (徐水县, 满城县, 新建县, 邹平县 are now districts or cities), short forms
# without 县 (本溪, 化隆, 玉龙, 道真, 连山) and the odd junk token.
PLACE_POOL = (
    "砚山县", "泰安市", "嘉黎县", "邢台市", "诸城市", "河北区", "久治县", "瑞安市", "钟山县", "本溪",
    "化隆", "天水市", "秭归县", "邹平县", "福清市", "蒲城县", "新密市", "玉龙", "阿荣旗", "道真",
    "新建县", "英德市", "巴塘县", "宾川县", "察雅县", "平乐县", "莒南县", "冷水江市", "营山县", "遂溪县",
    "衢州市", "镇坪县", "德保县", "忻州市", "资中县", "托里县", "满城县", "进贤县", "青川县", "贵德县",
    "建阳市", "江陵县", "临汾市", "丰县", "庆城县", "侯马市", "北安市", "青田县", "廉江市", "调兵山市",
    "葫芦岛市", "隆德县", "郸城县", "徐水县", "青铜峡市", "华容县", "根河市", "兴安盟", "连山", "福贡县",
    "红安县", "江津市", "郯城县", "台山市", "桂东县", "盐源县", "灵璧县", "南雄市", "龙门县", "枣强县",
    "得荣县", "洞头县", "醴陵市", "浏阳市", "宁乡县", "攸县", "茶陵县", "安化县", "桃江县", "新化县",
)
JUNK = ("客服", "明星", "下载")


def place_spam(seed: str, count: int = 36) -> list[str]:
    """30-40 names for one page, chosen by the article id so rebuilds are identical."""
    rng = random.Random(seed)
    names = rng.sample(PLACE_POOL, count - 2) + rng.sample(JUNK, 2)
    rng.shuffle(names)
    return names


def spam_html(seed: str) -> str:
    return '<div class="links">' + " ".join(f"{esc(n)}|" for n in place_spam(seed)) + "</div>"


def article_page(ctx: PageContext) -> str:
    title = ctx.copy.shown_title or in_script(SITE, ctx.article.title)
    return article_chrome(SITE, ctx, title, after_footer=spam_html(ctx.article.id))


def list_page(links: list[Link], number: int, count: int) -> str:
    return f"""<!DOCTYPE html>
<html>
<head><meta charset="utf-8"/><title>{esc(in_script(SITE, "党建文章大全"))}</title></head>
<body>
<div class="top"><a href="/{SITE}/index.html">{esc(in_script(SITE, "首页"))}</a> | {esc(in_script(SITE, "党建文章"))} | {esc(in_script(SITE, "工作总结"))} | {esc(in_script(SITE, "心得体会"))}</div>
<div class="list"><ul>
{list_items(SITE, links)}
</ul>
{pager(SITE, number, count)}
</div>
{footer(SITE)}
{spam_html(f"list-{number}")}
</body>
</html>
"""
