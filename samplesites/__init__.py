"""Bundled offline sample sites standing in for real party-building sites.

`samplesites.server.serve_sample_sites()` serves them on 127.0.0.1;
`samplesites.catalog.load_articles()` says what each page should yield;
`sources_toml(base_url)` is a sources file listing them for the pipeline.
"""

from __future__ import annotations

from samplesites.sitelist import SITES


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sources_toml(base_url: str) -> str:
    """A sources TOML (extract/sources.py format) with every sample site's list start page."""
    base = base_url.rstrip("/")
    entries = []
    for spec in SITES.values():
        lines = [
            "[[source]]",
            f"name = {_toml_string(spec.name)}",
            f"label = {_toml_string(spec.label)}",
            f"start_urls = [{_toml_string(f'{base}/{spec.name}/index.html')}]",
            # Local server: no need to wait between requests.
            "min_delay_s = 0.0",
            "max_connections = 4",
        ]
        if spec.is_mirror:
            lines.append("is_mirror = true")
        entries.append("\n".join(lines))
    return "# Sample sites served by samplesites.server\n\n" + "\n\n".join(entries) + "\n"


__all__ = ["SITES", "sources_toml"]
