"""The sample articles as authored: the expected result of extraction and cleaning.

Every article is written once, in clean simplified script, in
`samplesites/articles/*.toml`; every site page is rendered from it. So for any
page the sample server serves, the catalog says what a perfect pipeline
would produce: title, date, source, author, editors, body paragraphs and the
figures in them.

Article file format (one article per file)::

    id = "hx-tianxin"                  # stable; file name is <id>.toml
    sites = ["hongxing", "mirror"]     # every site that serves it (first = original)
    title = "…"                        # clean headline, simplified
    subtitle = "…"                     # optional second headline line (sichuan)
    published_at = "2024-01-09 18:54"
    source = "红星网"                  # what the 来源 line names
    author = "…"                       # optional (renmin: the reporting unit)
    editors = ["…"]                    # optional (责编 / 编辑)
    place = "湖南省长沙市天心区"        # optional: where it happened
    mojibake = "校“三篇文章”"           # optional: title fragment the mirror damages
    paragraphs = ["…", "@img 20240105165228", "▲caption", …]
    non_figures = ["1+5+N", "三会一课"] # text with digits/numerals that is not a figure
    figures = [{ text = "1362名", value = 1362, unit = "名", subject = "党员", measure = "直管" }, …]

Paragraphs starting with "@img " are photos (rendered as an image plus its
file name, which is chrome); every other paragraph is body, ▲captions
included. Figure conventions: `text` is the number with its qualifier and
unit as written ("9500余人次", "千余名", "近400名"); `value` is the number
in units of `unit` (2万余人次 -> 20000 人次, but 500万元 -> 500 万元 since 万元
and 亿元 are units); `qualifier` is the word that hedges the number (余 多 近 超过 以上 左右 不少于) or absent; a range
("3至5个") has `value` = low end and `value_max` = high end.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from samplesites.sitelist import SITES

PACKAGE = Path(__file__).resolve().parent
ARTICLES_DIR = PACKAGE / "articles"
SITES_DIR = PACKAGE / "sites"
IMAGE_MARK = "@img "


@dataclass(frozen=True)
class ExpectedFigure:
    text: str
    value: float
    unit: str
    qualifier: str | None = None
    subject: str | None = None
    measure: str | None = None
    value_max: float | None = None


@dataclass(frozen=True)
class SiteCopy:
    """Where and how one site serves an article."""

    site: str
    path: str  # URL path, e.g. "/hongxing/2024/0109/31520.html"
    script: str  # "simplified" or "traditional"
    charset: str  # declared charset
    # The headline as this copy prints it when it differs from the clean one
    # (aggregator "机构|标题", the mirror's mojibake); None when it is the same.
    shown_title: str | None = None
    title_damaged: bool = False

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path


@dataclass(frozen=True)
class SampleArticle:
    id: str
    sites: tuple[str, ...]
    title: str
    published_at: datetime
    source: str | None
    paragraphs: tuple[str, ...]  # body only, in order (photos left out)
    blocks: tuple[str, ...]  # as authored, "@img" photos included (for rendering)
    author: str | None = None
    editors: tuple[str, ...] = ()
    subtitle: str | None = None
    place: str | None = None
    mojibake: str | None = None
    figures: tuple[ExpectedFigure, ...] = ()
    non_figures: tuple[str, ...] = ()
    copies: tuple[SiteCopy, ...] = field(default=())

    @property
    def body(self) -> str:
        """The expected cleaned body: paragraphs joined by single newlines."""
        return "\n".join(self.paragraphs)

    def copy_on(self, site: str) -> SiteCopy:
        for copy in self.copies:
            if copy.site == site:
                return copy
        raise KeyError(f"article {self.id} is not on site {site}")


def _number(site: str, article_id: str, digits: int) -> int:
    """A stable article number per site, like a CMS's, from the article id."""
    digest = int(hashlib.sha1(f"{site}:{article_id}".encode()).hexdigest(), 16)
    low = 10 ** (digits - 1)
    return low + digest % (9 * low)


def site_path(site: str, published: datetime, number: int) -> str:
    """The URL path of article `number`, in the style of that kind of site's real article URLs."""
    if site == "hongxing":
        return f"/hongxing/{published:%Y}/{published:%m%d}/{number}.html"
    if site in ("renmin", "renmin_big5"):
        return f"/{site}/n1/{published:%Y}/{published:%m%d}/c117092-{number}.html"
    if site == "sichuan":
        return f"/sichuan/dyjy/{published:%Y%m}/t{published:%Y%m%d}_{number}.html"
    if site == "aggregator":
        return f"/aggregator/news/{published:%Y-%m-%d}/{number}.html"
    if site == "mirror":
        return f"/mirror/wz/{number}.html"
    raise ValueError(f"unknown site {site!r}")


_NUMBER_DIGITS = {"hongxing": 5, "renmin": 8, "renmin_big5": 8, "sichuan": 6, "aggregator": 7, "mirror": 6}


def article_path(site: str, article_id: str, published: datetime) -> str:
    """The URL path a site serves an article at (a big5 mirror reuses the original's number)."""
    if site not in _NUMBER_DIGITS:
        raise ValueError(f"unknown site {site!r}")
    numbered_as = "renmin" if site == "renmin_big5" else site
    return site_path(site, published, _number(numbered_as, article_id, _NUMBER_DIGITS[site]))


def _copies(article: SampleArticle) -> tuple[SiteCopy, ...]:
    copies = []
    for site in article.sites:
        spec = SITES[site]
        shown, damaged = None, False
        if site == "aggregator":
            shown = f"{article.source}|{article.title}"
        elif site == "mirror" and article.mojibake:
            path = article_path(site, article.id, article.published_at)
            shown = _damaged_title(article) if _can_gloss() else _committed_titles().get(path)
            damaged = True
        copies.append(
            SiteCopy(
                site=site,
                path=article_path(site, article.id, article.published_at),
                script=spec.script,
                charset=spec.declared_charset,
                shown_title=shown,
                title_damaged=damaged,
            )
        )
    return tuple(copies)


def _damaged_title(article: SampleArticle) -> str:
    """The mirror's headline: glossed traditional script around byte-shifted mojibake."""
    from samplesites.mojibake import shift_gbk
    from samplesites.script import gloss_with_pinyin  # needs pypinyin (build time only)

    before, _, after = article.title.partition(article.mojibake or "")
    return gloss_with_pinyin(before) + shift_gbk(article.mojibake or "") + gloss_with_pinyin(after)


def _can_gloss() -> bool:
    try:
        import pypinyin  # noqa: F401 - a dev-only dependency
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _committed_titles() -> dict[str, str]:
    """Shown titles the build recorded: the catalog's source when pypinyin is not installed."""
    manifest = SITES_DIR / "_manifest.json"
    if not manifest.is_file():
        return {}
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    return {path: e["shown_title"] for path, e in entries.items() if e.get("shown_title")}


def _figure(entry: dict) -> ExpectedFigure:
    return ExpectedFigure(**entry)


def parse_article(data: dict, *, origin: str) -> SampleArticle:
    try:
        blocks = tuple(data["paragraphs"])
        article = SampleArticle(
            id=data["id"],
            sites=tuple(data["sites"]),
            title=data["title"],
            published_at=datetime.strptime(data["published_at"], "%Y-%m-%d %H:%M"),
            source=data.get("source"),
            paragraphs=tuple(b for b in blocks if not b.startswith(IMAGE_MARK)),
            blocks=blocks,
            author=data.get("author"),
            editors=tuple(data.get("editors", ())),
            subtitle=data.get("subtitle"),
            place=data.get("place"),
            mojibake=data.get("mojibake"),
            figures=tuple(_figure(f) for f in data.get("figures", ())),
            non_figures=tuple(data.get("non_figures", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{origin}: {exc!r}") from exc
    unknown = [s for s in article.sites if s not in SITES]
    if unknown:
        raise ValueError(f"{origin}: unknown site(s) {unknown}")
    return _with_copies(article)


def _with_copies(article: SampleArticle) -> SampleArticle:
    from dataclasses import replace

    return replace(article, copies=_copies(article))


@lru_cache(maxsize=1)
def _load(directory: str) -> tuple[SampleArticle, ...]:
    articles = []
    for path in sorted(Path(directory).glob("*.toml")):
        with path.open("rb") as handle:
            articles.append(parse_article(tomllib.load(handle), origin=str(path)))
    return tuple(sorted(articles, key=lambda a: (a.published_at, a.id), reverse=True))


def load_articles(directory: Path = ARTICLES_DIR) -> list[SampleArticle]:
    """All sample articles, newest first."""
    return list(_load(str(directory)))


def articles_on(site: str, directory: Path = ARTICLES_DIR) -> list[SampleArticle]:
    """The articles a site serves, newest first (the order of its list pages)."""
    return [a for a in load_articles(directory) if site in a.sites]
