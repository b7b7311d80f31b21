"""What the ranker sees of a passage: its syllables, where each one is, and its terms.

A view is exactly ``Tokenizer.analyze(text, segment=False)`` of the passage: the syllables
(abbreviations followed by their long form) and the terms they make. It is built for every
candidate of every question, so it is made cheap:

- the passage's syllable runs (syllables between punctuation, before abbreviations are
  expanded) are worked out once, when the file is analysed, and kept as one compact string
  per passage (`encode_runs`);
- the terms are not spelled out: membership of an ``f:``, ``a:`` or ``b:`` term is answered
  from the positions of the syllables (`ViewTerms`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.text import Syllable, Tokenizer, normalize_text, phrases, syllables
from bot.core.text import _syllable as _syllable_of

_WORD_SEP = " "
_RUN_SEP = "\n"
_NOWHERE: tuple[int, ...] = ()


def encode_runs(text: str) -> str:
    """The passage's syllable runs as one string: words split by spaces, runs by newlines."""
    return encode_phrases(phrases(normalize_text(text)))


def encode_phrases(runs: Iterable[Sequence[Syllable]]) -> str:
    """`encode_runs` of a text from its runs (`AnalyzedText.runs`) when it is analysed anyway."""
    return _RUN_SEP.join(_WORD_SEP.join(s.surface for s in run) for run in runs)


def decode_runs(encoded: str) -> list[list[Syllable]]:
    if not encoded:
        return []
    of = Syllable.of
    return [[of(word) for word in run.split(_WORD_SEP)] for run in encoded.split(_RUN_SEP)]


@dataclass(frozen=True, slots=True)
class ViewTerms:
    """The set of terms ``Tokenizer.analyze(text, segment=False)`` gives, without the strings.

    ``f:x`` and ``a:x`` are there when a syllable folds or accents to x; ``b:x_y`` when a
    syllable folding to y follows one folding to x in the same run, or follows "số" after it
    when y is a number ("Chỉ thị số 28" also pairs as "thị 28").
    """

    words: tuple[Syllable, ...]
    runs: tuple[int, ...]  # the run of each word
    by_accent: dict[str, tuple[int, ...]]
    by_fold: dict[str, tuple[int, ...]]

    def __contains__(self, term: object) -> bool:
        if not isinstance(term, str) or len(term) < 2 or term[1] != ":":
            return False
        kind, body = term[0], term[2:]
        if kind == "f":
            return body in self.by_fold
        if kind == "a":
            return body in self.by_accent
        if kind != "b":
            return False
        first, sep, second = body.partition("_")
        if not sep or "_" in second:
            return False
        words, runs = self.words, self.runs
        last = len(words)
        for i in self.by_fold.get(first, _NOWHERE):
            j = i + 1
            if j < last and runs[j] == runs[i] and words[j].folded == second:
                return True
            k = i + 2
            if (
                k < last
                and runs[k] == runs[i]
                and words[j].folded == "so"
                and words[k].folded == second
                and second.isdigit()
            ):
                return True
        return False


@dataclass(frozen=True, slots=True)
class PassageView:
    words: tuple[Syllable, ...]
    terms: ViewTerms

    @property
    def by_accent(self) -> dict[str, tuple[int, ...]]:
        return self.terms.by_accent

    @property
    def by_fold(self) -> dict[str, tuple[int, ...]]:
        return self.terms.by_fold

    def starts(self, word: Syllable) -> tuple[int, ...]:
        """Positions of the words that match `word` exactly (by accent when it has marks)."""
        if word.accented is not None:
            return self.terms.by_accent.get(word.accented, _NOWHERE)
        return self.terms.by_fold.get(word.folded, _NOWHERE)


def make_view(runs: Sequence[Sequence[Syllable]], tokenizer: Tokenizer) -> PassageView:
    """The view of a passage from its runs, abbreviations expanded as `tokenizer` does."""
    words: list[Syllable] = []
    run_of: list[int] = []
    by_accent: dict[str, tuple[int, ...]] = {}
    by_fold: dict[str, tuple[int, ...]] = {}
    for number, run in enumerate(tokenizer.expand_runs(runs)):
        for word in run:
            i = len(words)
            words.append(word)
            run_of.append(number)
            # Concatenation, not (*places, i): twice as fast, and this is the hot path.
            by_fold[word.folded] = by_fold.get(word.folded, _NOWHERE) + (i,)  # noqa: RUF005
            if word.accented is not None:
                by_accent[word.accented] = by_accent.get(word.accented, _NOWHERE) + (i,)  # noqa: RUF005
    frozen = tuple(words)
    return PassageView(frozen, ViewTerms(frozen, tuple(run_of), by_accent, by_fold))


def view_of_text(text: str, tokenizer: Tokenizer) -> PassageView:
    return make_view(phrases(normalize_text(text)), tokenizer)


def words_of_runs(encoded: str, tokenizer: Tokenizer) -> list[Syllable]:
    """`view_of_runs(encoded, tokenizer).words`, without the position indexes."""
    words: list[Syllable] = []
    if encoded:
        abbreviations = tokenizer.abbreviations
        candidates = abbreviations.candidates
        for surface in encoded.replace(_RUN_SEP, _WORD_SEP).split(_WORD_SEP):
            words.append(_syllable_of(surface))
            if surface.lower() in candidates:
                long_form = abbreviations.expand(surface)
                if long_form:
                    words.extend(syllables(long_form))
    return words


def view_of_runs(encoded: str, tokenizer: Tokenizer) -> PassageView:
    """`make_view(decode_runs(encoded), tokenizer)` in one pass (this is the hot path).

    Positions are kept in tuples, grown one at a time (most words occur once): unlike lists,
    the garbage collector stops tracking them, and thousands of views are cached."""
    words: list[Syllable] = []
    run_of: list[int] = []
    by_accent: dict[str, tuple[int, ...]] = {}
    by_fold: dict[str, tuple[int, ...]] = {}
    if encoded:
        abbreviations = tokenizer.abbreviations
        candidates = abbreviations.candidates
        for number, run in enumerate(encoded.split(_RUN_SEP)):
            for surface in run.split(_WORD_SEP):
                expanded: Sequence[Syllable] = (_syllable_of(surface),)
                if surface.lower() in candidates:
                    long_form = abbreviations.expand(surface)
                    if long_form:
                        expanded = [*expanded, *syllables(long_form)]
                for word in expanded:
                    i = len(words)
                    words.append(word)
                    run_of.append(number)
                    folded, accented = word.folded, word.accented
                    by_fold[folded] = by_fold.get(folded, _NOWHERE) + (i,)  # noqa: RUF005
                    if accented is not None:
                        by_accent[accented] = by_accent.get(accented, _NOWHERE) + (i,)  # noqa: RUF005
    frozen = tuple(words)
    return PassageView(frozen, ViewTerms(frozen, tuple(run_of), by_accent, by_fold))
