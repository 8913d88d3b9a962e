"""Figures in the cleaned body: value, unit, qualifier, subject.

Interface only for now; the extractor is being written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One quantity as written in the body ("培训党员9500余人次").

    `start`/`end` are character offsets of `text` in the cleaned body.
    `subject` is the noun counted (党员) when the sentence makes it plain,
    `measure` the verb that counts it (培训), both None otherwise.
    """

    value: float
    unit: str
    qualifier: str | None
    text: str
    start: int
    end: int
    sentence: str
    subject: str | None = None
    measure: str | None = None


def extract_figures(body: str) -> list[Figure]:
    raise NotImplementedError
