"""Render every sample site's static pages from the authored articles.

    python -m samplesites.build           # rewrite samplesites/sites/
    python -m samplesites.build --check   # fail if sites/ is not what the articles render

Checks before writing, so the authored data stays the exact expected result:
every text survives OpenCC t2s(s2t(text)); every expected figure's text
occurs in the body; every page encodes strictly in its site's codec; no two
articles share a URL. `sites/_manifest.json` records, per served path, the
Content-Type the server sends and the Last-Modified date (the article's
publication time, so rebuilds give identical headers).
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shutil
import sys
from datetime import timedelta, timezone
from pathlib import Path

from samplesites.catalog import SITES_DIR, SampleArticle, load_articles
from samplesites.render import Link, PageContext, in_script, list_page_name
from samplesites.script import check_round_trip
from samplesites.sitelist import CHARSET_TRAPS, LIST_PAGE_SIZE, SITES

MANIFEST = "_manifest.json"
CHINA = timezone(timedelta(hours=8))
RELATED_COUNT = 4


class BuildError(ValueError):
    """The authored articles cannot be rendered as they stand; the message says why."""


def check_articles(articles: list[SampleArticle]) -> None:
    paths: dict[str, str] = {}
    for a in articles:
        texts = [a.title, *(a.paragraphs), *(x for x in (a.subtitle, a.source, a.author) if x), *a.editors]
        for i, text in enumerate(texts):
            check_round_trip(text, where=f"{a.id} text #{i}")
        body = a.body
        for fig in a.figures:
            if fig.text not in body:
                raise BuildError(f"{a.id}: figure text {fig.text!r} is not in the body")
            if re.search(r"[\d.]" + re.escape(fig.text), body):
                raise BuildError(f"{a.id}: figure text {fig.text!r} also occurs inside a longer number; reword")
        for text in a.non_figures:
            if text not in body and text not in a.title:
                raise BuildError(f"{a.id}: non-figure {text!r} is not in the body")
        if a.mojibake and a.mojibake not in a.title:
            raise BuildError(f"{a.id}: mojibake fragment {a.mojibake!r} is not in the title")
        if "aggregator" in a.sites and any("," in p or "。 " in p for p in a.paragraphs):
            raise BuildError(f"{a.id}: the aggregator spaces punctuation; ASCII commas would not come back")
        if len(a.sites) != len(set(a.sites)):
            raise BuildError(f"{a.id}: a site is listed twice")
        for copy in a.copies:
            if copy.path in paths:
                raise BuildError(f"{a.id} and {paths[copy.path]} share {copy.path}")
            paths[copy.path] = a.id


def _link(site: str, a: SampleArticle) -> Link:
    copy = a.copy_on(site)
    return Link(copy.path, copy.shown_title or in_script(site, a.title), f"{a.published_at:%Y-%m-%d}")


def _related(site: str, a: SampleArticle, on_site: list[SampleArticle]) -> tuple[Link, ...]:
    index = on_site.index(a)
    others = on_site[index + 1:] + on_site[:index]
    return tuple(_link(site, o) for o in others[:RELATED_COUNT])


def _content_type(site: str, charset: str | None) -> str:
    return f"text/html; charset={charset}" if charset else "text/html"


def _apply_trap(html: str, trap: str | None, declared: str) -> tuple[str, str | None]:
    """The page text and the charset its Content-Type names, after a trap if any."""
    if trap == "missing":
        return html.replace('<meta charset="utf-8"/>\n', ""), None
    if trap == "wrong":
        return html.replace('<meta charset="utf-8"/>', '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"/>'), None
    return html, declared


def render_site(site: str, articles: list[SampleArticle]) -> dict[str, tuple[bytes, dict]]:
    """Path -> (bytes, manifest entry) for every page of one site."""
    spec = SITES[site]
    skin = importlib.import_module(f"samplesites.skins.{site}")
    on_site = [a for a in articles if site in a.sites]  # newest first
    pages: dict[str, tuple[bytes, dict]] = {}
    for a in on_site:
        copy = a.copy_on(site)
        html = skin.article_page(PageContext(a, copy, _related(site, a, on_site)))
        html, charset = _apply_trap(html, CHARSET_TRAPS.get((site, a.id)), spec.declared_charset)
        try:
            data = html.encode(spec.codec)
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start:exc.end]
            raise BuildError(f"{a.id} on {site}: {bad!r} is not in {spec.codec}; reword it") from None
        stamp = a.published_at.replace(tzinfo=CHINA).isoformat()
        entry = {"content_type": _content_type(site, charset), "last_modified": stamp, "article_id": a.id}
        if copy.title_damaged:
            entry["shown_title"] = copy.shown_title
        pages[copy.path] = (data, entry)
    chunks = [on_site[i:i + LIST_PAGE_SIZE] for i in range(0, len(on_site), LIST_PAGE_SIZE)]
    for number, chunk in enumerate(chunks, start=1):
        html = skin.list_page([_link(site, a) for a in chunk], number, len(chunks))
        stamp = chunks[0][0].published_at.replace(tzinfo=CHINA).isoformat()
        pages[f"/{site}/{list_page_name(number)}"] = (
            html.encode(spec.codec),
            {"content_type": _content_type(site, spec.declared_charset), "last_modified": stamp},
        )
    return pages


def render_all() -> dict[str, tuple[bytes, dict]]:
    articles = load_articles()
    check_articles(articles)
    pages: dict[str, tuple[bytes, dict]] = {}
    for site in SITES:
        pages.update(render_site(site, articles))
    return pages


def write(pages: dict[str, tuple[bytes, dict]], root: Path = SITES_DIR) -> None:
    if root.exists():
        shutil.rmtree(root)
    for path, (data, _) in pages.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    manifest = {path: entry for path, (_, entry) in sorted(pages.items())}
    (root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def stale_paths(pages: dict[str, tuple[bytes, dict]], root: Path = SITES_DIR) -> list[str]:
    """Paths whose committed bytes differ from what the articles render now."""
    stale = [p for p, (data, _) in pages.items() if not (root / p.lstrip("/")).is_file() or (root / p.lstrip("/")).read_bytes() != data]
    manifest = root / MANIFEST
    wanted = {path: entry for path, (_, entry) in sorted(pages.items())}
    if not manifest.is_file() or json.loads(manifest.read_text(encoding="utf-8")) != wanted:
        stale.append(MANIFEST)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samplesites.build", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that sites/ is up to date")
    args = parser.parse_args(argv)
    try:
        pages = render_all()
    except ValueError as exc:
        print(f"samplesites.build: {exc}", file=sys.stderr)
        return 1
    if args.check:
        stale = stale_paths(pages)
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        return 1 if stale else 0
    write(pages)
    sites = sorted({p.split("/")[1] for p in pages})
    print(f"wrote {len(pages)} pages for {len(sites)} sites ({', '.join(sites)}) under {SITES_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
