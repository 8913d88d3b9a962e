"""The character-level steps every line goes through, in their one correct order.

1. mojibake repair: works on the damaged characters as decoded, so it must
   see them before anything rewrites them (t2s would "simplify" a shifted
   character; punctuation would turn the telltale `?` into `？`);
2. pinyin annotations out: before numbers read `個(gè)月`;
3. traditional -> simplified;
4. punctuation and spacing.

Line-level decisions (chrome, spam, metadata) are made on the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from transform.mojibake import may_be_damaged, repair_mojibake
from transform.pinyin import strip_pinyin
from transform.punctuation import normalise_spaces, punctuate
from transform.removal import MOJIBAKE, PINYIN, PRIVATE_USE, Removal
from transform.script import to_simplified_lines


@dataclass(slots=True)
class NormalisedText:
    """A line after the character-level steps.

    `spaced` is the simplified text before punctuation normalisation (its
    spacing is evidence for template lines such as `《 标题 》`); `text` is
    the final form. `damaged` is True when mojibake was seen.
    """

    text: str
    spaced: str
    removed: list[Removal] = field(default_factory=list)
    damaged: bool = False


def normalise_text(raw: str) -> NormalisedText:
    """Run the four character-level steps over one line."""
    return normalise_lines([raw])[0]


def normalise_lines(raws: list[str]) -> list[NormalisedText]:
    """Run the four character-level steps over each line.

    A page has hundreds of short lines, and most show no sign of mojibake (a
    `?`, a private-use character) or of pinyin (a parenthesis): those two
    steps visit only the lines that do. Script is converted for all lines in
    one OpenCC call.
    """
    texts = list(raws)
    removed: list[list[Removal]] = [[] for _ in raws]
    damaged = [False] * len(raws)
    if may_be_damaged("".join(raws)):  # joined without a separator: a newline is unprintable
        for i, raw in enumerate(raws):
            if may_be_damaged(raw):
                mojibake = repair_mojibake(raw)
                removed[i].extend(Removal(MOJIBAKE, fragment) for fragment in mojibake.removed)
                removed[i].extend(Removal(PRIVATE_USE, glyph) for glyph in mojibake.private_use)
                texts[i], damaged[i] = mojibake.text, mojibake.damaged
    for i, text in enumerate(texts):
        if "(" in text or "（" in text:
            texts[i], annotations = strip_pinyin(text)
            removed[i].extend(Removal(PINYIN, a) for a in annotations)
    spaced = [normalise_spaces(text) for text in to_simplified_lines(texts)]
    return [NormalisedText(punctuate(s), s, r, d) for s, r, d in zip(spaced, removed, damaged)]
