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
