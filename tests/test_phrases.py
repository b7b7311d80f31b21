"""PhraseSet's lookups equal the plain reading of `match_at`: the longest phrase found at a
position or ending before one, and the spans found left to right."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import lexicon
from bot.core.phrases import PhraseSet, Span, match_at
from bot.core.text import Syllable, fold, syllables

SETS = [
    PhraseSet(lexicon.QUESTION_WORDS),
    PhraseSet(lexicon.STOPWORDS),
    PhraseSet(lexicon.SHARE_WORDS),
    PhraseSet(lexicon.NUMBER_WORDS),
    PhraseSet(lexicon.COUNT_UNITS),
    PhraseSet(lexicon.PLACE_PREPOSITIONS),
    PhraseSet(lexicon.PLACE_NOUNS),
    PhraseSet(lexicon.TIME_EXPRESSIONS),
    PhraseSet(("có", "hội nghị", "hội", "a2", "gì", "số 5", "2014")),
    PhraseSet(()),
]
# The sets' own syllables, as typed with marks, without them and capitalised, and others.
_SPELLINGS = sorted(
    {
        form
        for phrases in SETS
        for phrase in phrases
        for word in phrase
        for form in (word.surface, fold(word.surface), word.surface.capitalize())
    }
    | {"co", "cơ", "Hôi", "a", "à", "a2", "so", "2014", "15", "x"}
)
WORDS = st.lists(st.sampled_from(_SPELLINGS), max_size=14).map(
    lambda forms: [w for form in forms for w in syllables(form)]
)


def _longest_at(phrases: PhraseSet, words: Sequence[Syllable], i: int, lenient: bool) -> int:
    if i >= len(words):
        return 0
    return max(
        (
            len(phrase)
            for phrase in phrases
            if phrase[0].folded == words[i].folded and match_at(words, i, phrase, lenient=lenient)
        ),
        default=0,
    )


def _ending_at(phrases: PhraseSet, words: Sequence[Syllable], end: int) -> int:
    best = 0
    for phrase in phrases:
        size = len(phrase)
        if size > best and size <= end and match_at(words, end - size, phrase):
            best = size
    return best


def _find(
    phrases: PhraseSet, words: Sequence[Syllable], start: int, end: int, lenient: bool
) -> list[Span]:
    spans: list[Span] = []
    i = start
    while i < end:
        size = _longest_at(phrases, words, i, lenient)
        if size and i + size <= end:
            spans.append((i, i + size))
            i += size
        else:
            i += 1
    return spans


@settings(max_examples=300, deadline=None)
@given(WORDS, st.integers(0, 16), st.integers(0, 16), st.booleans())
def test_lookups_equal_matching_each_phrase(
    words: list[Syllable], start: int, end: int, lenient: bool
) -> None:
    for phrases in SETS:
        for i in range(len(words) + 2):
            assert phrases.longest_at(words, i, lenient=lenient) == _longest_at(
                phrases, words, i, lenient
            )
            assert phrases.ending_at(words, i) == _ending_at(phrases, words, i)
            if i < len(words) and words[i].folded not in phrases.firsts:  # the finders' skip
                assert phrases.longest_at(words, i, lenient=True) == 0
        assert phrases.find(words, start, end, lenient=lenient) == _find(
            phrases, words, start, end, lenient
        )
        assert phrases.find(words) == _find(phrases, words, 0, len(words), False)
