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
    return normalise_lines([raw])[0]


def normalise_lines(raws: list[str]) -> list[NormalisedText]:
    """Run the four character-level steps over each line.

    Script is converted for all lines at once, and the mojibake and pinyin
    steps are skipped for all lines when the page shows none of their signs
    (a `?`, a private-use character, a parenthesis): most pages.
    """
    joined = "\n".join(raws)
    repair = may_be_damaged(joined)
    glossed = "(" in joined or "（" in joined
    removed_per_line: list[list[Removal]] = []
    damaged_per_line: list[bool] = []
    unglossed: list[str] = []
    for raw in raws:
        removed: list[Removal] = []
        damaged = False
        text = raw
        if repair:
            mojibake = repair_mojibake(raw)
            removed.extend(Removal(MOJIBAKE, fragment) for fragment in mojibake.removed)
            removed.extend(Removal(PRIVATE_USE, glyph) for glyph in mojibake.private_use)
            text, damaged = mojibake.text, mojibake.damaged
        if glossed:
            text, annotations = strip_pinyin(text)
            removed.extend(Removal(PINYIN, a) for a in annotations)
        removed_per_line.append(removed)
        damaged_per_line.append(damaged)
        unglossed.append(text)
    out = []
    for simplified, removed, damaged in zip(to_simplified_lines(unglossed), removed_per_line, damaged_per_line):
        spaced = normalise_spaces(simplified)
        out.append(NormalisedText(punctuate(spaced), spaced, removed, damaged))
    return out
