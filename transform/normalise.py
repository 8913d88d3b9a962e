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

from transform.mojibake import repair_mojibake
from transform.pinyin import strip_pinyin
from transform.punctuation import normalise_punctuation, normalise_spaces
from transform.removal import MOJIBAKE, PINYIN, PRIVATE_USE, Removal
from transform.script import to_simplified


@dataclass
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
    removed: list[Removal] = []
    mojibake = repair_mojibake(raw)
    removed.extend(Removal(MOJIBAKE, fragment) for fragment in mojibake.removed)
    removed.extend(Removal(PRIVATE_USE, glyph) for glyph in mojibake.private_use)
    text, annotations = strip_pinyin(mojibake.text)
    removed.extend(Removal(PINYIN, a) for a in annotations)
    spaced = normalise_spaces(to_simplified(text))
    return NormalisedText(normalise_punctuation(spaced), spaced, removed, mojibake.damaged)
