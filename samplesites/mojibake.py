"""Byte-shifted GBK mojibake, as content farms produce it.

A scraper that loses one byte of a GBK stream re-pairs every following byte
with its neighbour: 党校“三篇文章” (GBK b5b3 d0a3 a1b0 c8fd …) read one byte
late becomes ?！叭恼隆?. The mirror site carries one such title so the
cleaner's mojibake detection has a real case, and the hongxing site the
undamaged original.
"""

from __future__ import annotations

import unicodedata


def shift_gbk(fragment: str) -> str:
    """`fragment` as a reader one byte out of step with its GBK bytes sees it.

    The first byte is left orphaned ("?"); the rest is decoded as GB18030
    (which accepts the user-defined rows GBK refuses), characters from the
    private-use area vanish as they do on screen, and undecodable bytes show
    as "?".
    """
    data = fragment.encode("gbk")
    shifted = data[1:].decode("gb18030", errors="replace")
    visible = "".join(c for c in shifted if unicodedata.category(c) != "Co")
    return "?" + visible.replace("\ufffd", "?")
