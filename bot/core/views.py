"""What the ranker sees of a passage: its syllables, where each one is, and its terms.

A view is exactly ``Tokenizer.analyze(text, segment=False, sentence_ends=...)`` of the
passage: the syllables (abbreviations followed by their long form), the terms they make, and
which sentence each syllable belongs to. It is built for every candidate of every question,
so it is made cheap:

- the passage's syllable runs (syllables between punctuation, before abbreviations are
  expanded) are worked out once, when the file is analysed, and kept as one compact string
  per passage (`encode_phrases`): words split by spaces, runs by newlines, sentences by tabs;
- the terms are not spelled out: membership of an ``f:``, ``a:`` or ``b:`` term is answered
  from the positions of the syllables (`ViewTerms`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from bot.core import terms as index_terms
from bot.core.terms import TermKind
from bot.core.text import Syllable, Tokenizer, normalize_text, phrases, syllables
from bot.core.text import _syllable as _syllable_of

_WORD_SEP = " "
_RUN_SEP = "\n"
_SENTENCE_SEP = "\t"
_NOWHERE: tuple[int, ...] = ()
_FOLDED = attrgetter("folded")
# One position, shared by every view (most words occur once in a passage).
_SINGLE = [(i,) for i in range(1024)]


def encode_runs(text: str) -> str:
    """The text's syllable runs as one string (one sentence)."""
    return encode_phrases(phrases(normalize_text(text)))


def encode_phrases(
    runs: Sequence[Sequence[Syllable]], sentence_starts: Sequence[int] = (0,)
) -> str:
    """`encode_runs` of a text from its runs (`AnalyzedText.runs` and `.sentence_starts`);
    a sentence without a word is kept, empty, so that sentences keep their numbers."""
    bounds = [*sentence_starts[1:], len(runs)]
    sentences = [runs[start:end] for start, end in zip(sentence_starts, bounds, strict=True)]
    return _SENTENCE_SEP.join(
        _RUN_SEP.join(_WORD_SEP.join(s.surface for s in run) for run in sentence)
        for sentence in sentences
    )


def decode_runs(encoded: str) -> list[list[Syllable]]:
    of = Syllable.of
    return [
        [of(word) for word in run.split(_WORD_SEP)]
        for sentence in encoded.split(_SENTENCE_SEP)
        if sentence
        for run in sentence.split(_RUN_SEP)
    ]


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
        parsed = index_terms.parse(term) if isinstance(term, str) else None
        if parsed is None:
            return False
        kind, parts = parsed
        if kind is TermKind.FOLDED:
            return parts[0] in self.by_fold
        if kind is TermKind.ACCENTED:
            return parts[0] in self.by_accent
        if kind is TermKind.PAIR:
            return self.has_pair(*parts)
        return False

    def has_pair(self, first: str, second: str) -> bool:
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
    tokens: tuple[int, ...]  # per word, the passage's written word it stands for
    sentences: tuple[int, ...]  # per word, its sentence
    sentence_starts: tuple[int, ...]  # the first word of each sentence, then len(words)
    # What the answer types found in a sentence, by (finder, start, end): it depends on the
    # passage alone, and the same passages come back question after question.
    found: dict[tuple[object, int, int], list[tuple[int, int]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def by_accent(self) -> dict[str, tuple[int, ...]]:
        return self.terms.by_accent

    @property
    def by_fold(self) -> dict[str, tuple[int, ...]]:
        return self.terms.by_fold

    @property
    def sentence_count(self) -> int:
        return len(self.sentence_starts) - 1

    def starts(self, word: Syllable) -> tuple[int, ...]:
        """Positions of the words that match `word` exactly (by accent when it has marks)."""
        if word.accented is not None:
            return self.terms.by_accent.get(word.accented, _NOWHERE)
        return self.terms.by_fold.get(word.folded, _NOWHERE)


def view_of_text(text: str, tokenizer: Tokenizer, sentence_ends: Sequence[int] = ()) -> PassageView:
    analysis = tokenizer.analyze(text, segment=False, sentence_ends=sentence_ends)
    return view_of_runs(encode_phrases(analysis.runs, analysis.sentence_starts), tokenizer)


def words_of_runs(encoded: str, tokenizer: Tokenizer) -> list[Syllable]:
    """`view_of_runs(encoded, tokenizer).words`, without the position indexes."""
    if not encoded:
        return []
    abbreviations = tokenizer.abbreviations
    candidates = abbreviations.candidates
    surfaces = encoded.replace(_SENTENCE_SEP, _WORD_SEP).replace(_RUN_SEP, _WORD_SEP).split()
    found = list(map(_syllable_of, surfaces))
    # No word written like an abbreviation: as `view_of_runs` tests a run.
    if candidates.isdisjoint(map(_FOLDED, found)) or candidates.isdisjoint(
        map(str.lower, surfaces)
    ):
        return found
    words: list[Syllable] = []
    for surface, word in zip(surfaces, found, strict=True):
        words.append(word)
        if surface.lower() in candidates:
            long_form = abbreviations.expand(surface)
            if long_form:
                words.extend(syllables(long_form))
    return words


def view_of_runs(encoded: str, tokenizer: Tokenizer) -> PassageView:
    """The view of a passage from its encoded runs (this is the hot path).

    Positions are kept in tuples, grown one at a time (most words occur once): unlike lists,
    the garbage collector stops tracking them, and thousands of views are cached."""
    abbreviations = tokenizer.abbreviations
    candidates = abbreviations.candidates
    words: list[Syllable] = []
    run_of: list[int] = []
    token_of: list[int] | None = None  # while each written word is one syllable: None
    sentence_of: list[int] = []
    sentence_starts = [0]
    number = written = 0
    for sentence, text in enumerate(encoded.split(_SENTENCE_SEP) if encoded else ()):
        if sentence:
            sentence_starts.append(len(words))
        if not text:
            continue
        before = len(words)
        for run in text.split(_RUN_SEP):
            surfaces = run.split(_WORD_SEP)
            found = list(map(_syllable_of, surfaces))
            # No word written like an abbreviation (a candidate in lower case, and then its
            # letters are one too: the cheaper test first).
            if candidates.isdisjoint(map(_FOLDED, found)) or candidates.isdisjoint(
                map(str.lower, surfaces)
            ):
                words += found
                run_of += [number] * len(surfaces)
                if token_of is not None:
                    token_of += range(written, written + len(surfaces))
            else:
                if token_of is None:
                    token_of = list(range(len(words)))
                for token, surface in enumerate(surfaces, written):
                    expanded = [_syllable_of(surface)]
                    if surface.lower() in candidates:
                        long_form = abbreviations.expand(surface)
                        if long_form:
                            expanded += syllables(long_form)
                    words += expanded
                    run_of += [number] * len(expanded)
                    token_of += [token] * len(expanded)
            written += len(surfaces)
            number += 1
        sentence_of += [sentence] * (len(words) - before)
    sentence_starts.append(len(words))
    tokens = range(len(words)) if token_of is None else token_of
    return _view(words, run_of, tokens, sentence_of, sentence_starts)


def _view(
    words: Sequence[Syllable],
    run_of: Sequence[int],
    token_of: Sequence[int],
    sentence_of: Sequence[int],
    sentence_starts: Sequence[int],
) -> PassageView:
    by_accent: dict[str, tuple[int, ...]] = {}
    by_fold: dict[str, tuple[int, ...]] = {}
    single = _SINGLE if len(words) <= len(_SINGLE) else [(i,) for i in range(len(words))]
    for i, word in enumerate(words):
        folded, accented = word.folded, word.accented
        if folded in by_fold:
            by_fold[folded] += single[i]
        else:
            by_fold[folded] = single[i]
        if accented is not None:
            if accented in by_accent:
                by_accent[accented] += single[i]
            else:
                by_accent[accented] = single[i]
    frozen = tuple(words)
    return PassageView(
        frozen,
        ViewTerms(frozen, tuple(run_of), by_accent, by_fold),
        tuple(token_of),
        tuple(sentence_of),
        tuple(sentence_starts),
    )
