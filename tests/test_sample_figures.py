"""The figure extractor against the sample catalogue's hand-listed figures.

The catalogue (samplesites/articles/*.toml) was written independently of the
extractor, so agreement here is a second check that its conventions hold on
whole articles: text, value, unit, qualifier and range must match exactly;
subject and measure are scored separately, as agreement rates.
"""

from __future__ import annotations

from collections import Counter

from samplesites.catalog import ExpectedFigure, SampleArticle, load_articles
from transform.numbers import Figure, extract_figures

ARTICLES = load_articles()


def _key(item: Figure | ExpectedFigure) -> tuple:
    high = item.value_high if isinstance(item, Figure) else item.value_max
    return (item.text, float(item.value), item.unit, item.qualifier, None if high is None else float(high))


def _same_subject(predicted: str | None, expected: str) -> bool:
    """Same noun, or one is the other with modifiers (党员 / 农村党员)."""
    if predicted is None:
        return False
    p, e = predicted.strip("“”"), expected.strip("“”")
    return p == e or p.endswith(e) or e.endswith(p)


class Agreement:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.subject = Counter()
        self.measure = Counter()
        self.notes: list[str] = []

    def add(self, article: SampleArticle) -> None:
        predicted = extract_figures(article.body)
        pred = Counter(_key(f) for f in predicted)
        want = Counter(_key(f) for f in article.figures)
        tp = sum((pred & want).values())
        self.tp += tp
        self.fp += sum(pred.values()) - tp
        self.fn += sum(want.values()) - tp
        self.notes += [f"{article.id} extra {k}" for k in (pred - want).elements()]
        self.notes += [f"{article.id} missed {k}" for k in (want - pred).elements()]
        by_text: dict[str, list[Figure]] = {}
        for f in predicted:
            by_text.setdefault(f.text, []).append(f)
        for expected in article.figures:
            found = by_text.get(expected.text)
            if not found:
                continue
            figure = found.pop(0)
            if expected.subject is not None:
                ok = _same_subject(figure.subject, expected.subject)
                self.subject[ok] += 1
                if not ok:
                    self.notes.append(f"{article.id} subject {figure.text}: {figure.subject!r} != {expected.subject!r}")
            if expected.measure is not None:
                ok = figure.measure == expected.measure
                self.measure[ok] += 1
                if not ok:
                    self.notes.append(f"{article.id} measure {figure.text}: {figure.measure!r} != {expected.measure!r}")

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    @staticmethod
    def rate(counts: Counter) -> float:
        return counts[True] / max(1, counts[True] + counts[False])

    def report(self) -> str:
        return (
            f"catalogue: P={self.precision:.3f} R={self.recall:.3f} (tp={self.tp} fp={self.fp} fn={self.fn}) "
            f"subject={self.subject[True]}/{sum(self.subject.values())} "
            f"measure={self.measure[True]}/{sum(self.measure.values())}"
        )


def _agreement() -> Agreement:
    agreement = Agreement()
    for article in ARTICLES:
        agreement.add(article)
    print("\n" + agreement.report(), *agreement.notes, sep="\n  ")
    return agreement


def test_catalogue_figures_are_what_the_extractor_finds() -> None:
    agreement = _agreement()
    assert agreement.tp >= 150  # the catalogue is not empty
    assert agreement.precision >= 0.95 and agreement.recall >= 0.95


def test_catalogue_subjects_and_measures_mostly_agree() -> None:
    agreement = _agreement()
    assert Agreement.rate(agreement.subject) >= 0.9
    assert Agreement.rate(agreement.measure) >= 0.9
