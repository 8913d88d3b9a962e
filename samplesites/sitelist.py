"""The sample sites: what each stands in for and how it encodes its pages.

Each entry mirrors one kind of real party-building site, down to the charset
its server declares, because decoding and cleaning must be tested against the
same lies and defects the real sites tell.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteSpec:
    name: str
    label: str
    # Python codec the page bytes are written with (strict: the build fails on
    # a character the codec cannot encode, rather than writing '?').
    codec: str
    # Charset the pages and the server declare (renmin writes GBK bytes but,
    # like the real site, calls them gb2312).
    declared_charset: str
    script: str  # "simplified" or "traditional"
    is_mirror: bool = False


SITES: dict[str, SiteSpec] = {
    spec.name: spec
    for spec in (
        SiteSpec("hongxing", "红星网", "utf-8", "utf-8", "simplified"),
        SiteSpec("renmin", "人民网党建", "gbk", "gb2312", "simplified"),
        SiteSpec("renmin_big5", "人民网党建(繁体)", "big5", "big5", "traditional", is_mirror=True),
        SiteSpec("sichuan", "四川党建网", "utf-8", "utf-8", "simplified"),
        SiteSpec("aggregator", "党建资讯聚合", "utf-8", "utf-8", "simplified"),
        SiteSpec("mirror", "党建文摘镜像站", "utf-8", "utf-8", "traditional", is_mirror=True),
    )
}

# Articles listed per list page; with 6-8 articles a site gets 2-3 list pages.
LIST_PAGE_SIZE = 3

# Pages whose charset declaration is missing or wrong, as on real sites:
# "missing" = no <meta charset> and no charset in Content-Type (UTF-8 bytes);
# "wrong" = <meta charset=gb2312> left over from an old template on UTF-8
# bytes, and no charset in Content-Type.
CHARSET_TRAPS: dict[tuple[str, str], str] = {
    ("hongxing", "hx-yuetang-zhutidangri"): "missing",
    ("sichuan", "sc-jiangyang-hongnifang"): "wrong",
}
