from __future__ import annotations

import pytest

from extract.sources import SourcesError, parse_sources, select_sources

MINIMAL = """
[[source]]
name = "hongxing"
start_urls = ["http://127.0.0.1:8765/hongxing/index.html"]

[[source]]
name = "mirror"
start_urls = ["http://127.0.0.1:8765/mirror/index.html"]
is_mirror = true
min_delay_s = 0.2
enabled = false
"""


def test_minimal_source_needs_only_name_and_start_urls() -> None:
    hongxing, mirror = parse_sources(MINIMAL)
    assert hongxing.name == "hongxing"
    assert hongxing.min_delay_s == 1.0 and hongxing.max_connections == 1  # gentle defaults
    assert hongxing.owns("http://127.0.0.1:8765/hongxing/2024/0109/1.html")
    assert not hongxing.owns("http://127.0.0.1:8765/mirror/2024/0109/1.html")
    assert mirror.is_mirror and mirror.min_delay_s == 0.2


def test_select_sources_defaults_to_enabled_and_rejects_unknown_names() -> None:
    profiles = parse_sources(MINIMAL)
    assert [p.name for p in select_sources(profiles, None)] == ["hongxing"]
    assert [p.name for p in select_sources(profiles, ["mirror"])] == ["mirror"]
    with pytest.raises(SourcesError, match="unknown source.*nosuch"):
        select_sources(profiles, ["nosuch"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[source]]\nname='a'\n", "start_urls"),
        ("[[source]]\nname='A B'\nstart_urls=['http://x/']\n", "name"),
        ("[[source]]\nname='a'\nstart_urls=['ftp://x/']\n", "not http"),
        ("[[source]]\nname='a'\nstart_urls=['http://x/']\ncolour='red'\n", "unknown field"),
        ("[[source]]\nname='a'\nstart_urls=['http://x/']\narticle_url_pattern='('\n", "regex"),
        ("[[source]]\nname='a'\nstart_urls=['http://x/']\n[[source]]\nname='a'\nstart_urls=['http://y/']\n", "duplicate"),
        ("name = 'a'", "no \\[\\[source\\]\\]"),
        ("[[source]\n", "not valid TOML"),
    ],
)
def test_bad_sources_fail_with_a_message_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(SourcesError, match=message):
        parse_sources(text)
