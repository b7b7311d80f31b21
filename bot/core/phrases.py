"""Finding the lexicon's phrases in a question's or a passage's syllables.

A syllable typed with marks matches a phrase syllable exactly (tone style aside); one typed
without marks matches on its letters alone, except where that would be ambiguous: a
one-syllable phrase such as "có" is only matched by "co" when the letters cannot easily be a
content word (``UNAMBIGUOUS_FOLDS``: "co" may be "cơ sở").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from bot.core.lexicon import UNAMBIGUOUS_FOLDS
from bot.core.text import Syllable, syllables

Span = tuple[int, int]  # (start, end) in a sequence of syllables


def _syllable_matches(typed: Syllable, phrase: Syllable, *, strict: bool) -> bool:
    if typed.accented is not None:
        return typed.accented == (phrase.accented or phrase.folded)
    if typed.folded != phrase.folded:
        return False
    return phrase.accented is None or not strict or typed.folded in UNAMBIGUOUS_FOLDS


def match_at(
    words: Sequence[Syllable], start: int, phrase: Sequence[Syllable], *, lenient: bool = False
) -> bool:
    """Whether `phrase` starts at `start`; single ambiguous syllables need marks unless lenient."""
    if start + len(phrase) > len(words):
        return False
    strict = len(phrase) == 1 and not lenient
    return all(
        _syllable_matches(words[start + i], part, strict=strict) for i, part in enumerate(phrase)
    )


class PhraseSet:
    """Phrases written with diacritics, indexed by the letters of their first syllable."""

    def __init__(self, items: Iterable[str]) -> None:
        self.phrases = tuple(p for p in (tuple(syllables(item)) for item in items) if p)
        self._by_first: dict[str, list[tuple[Syllable, ...]]] = {}
        for phrase in sorted(self.phrases, key=len, reverse=True):  # longest first
            self._by_first.setdefault(phrase[0].folded, []).append(phrase)

    def __len__(self) -> int:
        return len(self.phrases)

    def __iter__(self) -> Iterator[tuple[Syllable, ...]]:
        return iter(self.phrases)

    def longest_at(self, words: Sequence[Syllable], i: int, *, lenient: bool = False) -> int:
        """The length of the longest phrase starting at `i`, 0 when none does."""
        if i >= len(words):
            return 0
        for phrase in self._by_first.get(words[i].folded, ()):
            if match_at(words, i, phrase, lenient=lenient):
                return len(phrase)
        return 0

    def find(
        self,
        words: Sequence[Syllable],
        start: int = 0,
        end: int | None = None,
        *,
        lenient: bool = False,
    ) -> list[Span]:
        """Spans of the longest phrases found, left to right, not overlapping."""
        end = len(words) if end is None else end
        spans: list[Span] = []
        i = start
        while i < end:
            size = self.longest_at(words, i, lenient=lenient)
            if size and i + size <= end:
                spans.append((i, i + size))
                i += size
            else:
                i += 1
        return spans

    def contains(self, words: Sequence[Syllable], *, lenient: bool = False) -> bool:
        if lenient:
            return any(self.longest_at(words, i, lenient=True) for i in range(len(words)))
        return bool(self.find(words))

    def at_start(self, words: Sequence[Syllable]) -> bool:
        return self.longest_at(words, 0) > 0

    def ending_at(self, words: Sequence[Syllable], end: int) -> int:
        """The length of the longest phrase that ends right before `end`, 0 when none."""
        best = 0
        for phrase in self.phrases:
            size = len(phrase)
            if size > best and size <= end and match_at(words, end - size, phrase):
                best = size
        return best
