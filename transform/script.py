"""Traditional -> simplified script with the official OpenCC binding.

Some sites serve traditional script (or a traditional rendering of a
simplified original); the warehouse stores one script so that searches and
fingerprints match across mirrors. One `OpenCC("t2s")` instance is built per
process: building it loads the dictionaries, converting is cheap.
"""

from __future__ import annotations

from functools import cache

from opencc import OpenCC


@cache
def _converter() -> OpenCC:
    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """`text` in simplified script; characters without a traditional form pass through."""
    if not text or text.isascii():
        return text
    return _converter().convert(text)


def to_simplified_lines(lines: list[str]) -> list[str]:
    """Each line in simplified script, converted in one OpenCC call.

    A call costs far more than a short line's characters (a page has
    hundreds of lines), so the lines are joined with newlines, converted
    once and split again. No dictionary phrase holds a newline, so the
    segmentation, and the result, is the same as line by line. Lines that
    themselves hold a newline are converted one by one.
    """
    if len(lines) < 2 or any("\n" in line for line in lines):
        return [to_simplified(line) for line in lines]
    joined = "\n".join(lines)
    if joined.isascii():
        return list(lines)
    converted = _converter().convert(joined).split("\n")
    if len(converted) != len(lines):  # never seen; the safe path if it happens
        return [to_simplified(line) for line in lines]
    return converted
