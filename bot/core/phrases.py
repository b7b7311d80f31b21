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


# A phrase syllable as `_syllable_matches` reads it: what a syllable typed with marks must
# equal, what one typed without them must fold to, and whether the phrase's has marks.
_Part = tuple[str, str, bool]


def _compiled(phrase: Sequence[Syllable]) -> tuple[_Part, ...]:
    return tuple((p.accented or p.folded, p.folded, p.accented is not None) for p in phrase)


def _matches_at(
    words: Sequence[Syllable], start: int, parts: tuple[_Part, ...], strict: bool
) -> bool:
    """`match_at` of a compiled phrase that fits in `words` from `start`."""
    for k, (key, folded, marked) in enumerate(parts):
        word = words[start + k]
        accented = word.accented
        if accented is not None:
            if accented != key:
                return False
        elif word.folded != folded or (marked and strict and folded not in UNAMBIGUOUS_FOLDS):
            return False
    return True


class PhraseSet:
    """Phrases written with diacritics, indexed by the letters of their first syllable."""

    def __init__(self, items: Iterable[str]) -> None:
        self.phrases = tuple(p for p in (tuple(syllables(item)) for item in items) if p)
        self._by_first: dict[str, list[tuple[Syllable, ...]]] = {}
        for phrase in sorted(self.phrases, key=len, reverse=True):  # longest first
            self._by_first.setdefault(phrase[0].folded, []).append(phrase)
        # The same, compiled for matching: (size, parts), longest first.
        self._first_parts = {
            first: [(len(phrase), _compiled(phrase)) for phrase in phrases]
            for first, phrases in self._by_first.items()
        }
        # The letters of the phrases' first syllables: no phrase starts at a word whose
        # letters are not among them (a cheap test before `longest_at` in a hot loop).
        self.firsts = frozenset(self._first_parts)
        # For `ending_at`: the phrases a syllable can end, by what it is typed as (its accent
        # key when typed with marks, else its letters), longest first.
        self._by_last_accent: dict[str, list[tuple[int, tuple[_Part, ...]]]] = {}
        self._by_last_fold: dict[str, list[tuple[int, tuple[_Part, ...]]]] = {}
        for phrase in sorted(self.phrases, key=len, reverse=True):
            last = phrase[-1]
            entry = (len(phrase), _compiled(phrase))
            self._by_last_accent.setdefault(last.accented or last.folded, []).append(entry)
            self._by_last_fold.setdefault(last.folded, []).append(entry)

    def __len__(self) -> int:
        return len(self.phrases)

    def __iter__(self) -> Iterator[tuple[Syllable, ...]]:
        return iter(self.phrases)

    def longest_at(self, words: Sequence[Syllable], i: int, *, lenient: bool = False) -> int:
        """The length of the longest phrase starting at `i`, 0 when none does."""
        if i >= len(words):
            return 0
        candidates = self._first_parts.get(words[i].folded)
        if candidates is None:
            return 0
        room = len(words) - i
        for size, parts in candidates:
            if size <= room and _matches_at(words, i, parts, size == 1 and not lenient):
                return size
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
        firsts = self._first_parts
        last = min(end, len(words))  # no phrase starts past the words
        spans: list[Span] = []
        i = start
        while i < last:
            if words[i].folded in firsts:
                size = self.longest_at(words, i, lenient=lenient)
                if size and i + size <= end:
                    spans.append((i, i + size))
                    i += size
                    continue
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
        if end < 1 or end > len(words):
            return 0  # no phrase fits (`match_at` would refuse each one)
        typed = words[end - 1]
        if typed.accented is not None:
            candidates = self._by_last_accent.get(typed.accented, ())
        else:
            candidates = self._by_last_fold.get(typed.folded, ())
        for size, parts in candidates:
            if size <= end and _matches_at(words, end - size, parts, size == 1):
                return size
        return 0
