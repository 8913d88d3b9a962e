"""The place an article is about: province, city, county, adcode.

Interface only for now.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Locality:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None


def locate(title: str | None, body: str, source: str | None) -> Locality:
    raise NotImplementedError
