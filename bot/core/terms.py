"""Index terms: how they are spelled, made and read, in one place.

Four kinds, so that matching survives missing diacritics and inconsistent segmentation:

- ``f:`` a syllable without diacritics ("hội" -> ``f:hoi``): matches unaccented typing;
- ``a:`` a syllable that carries diacritics, its tone as a digit ("hội" -> ``a:hôi5``):
  tells "hội" from "hồi" when the user typed marks;
- ``b:`` two adjacent syllables without diacritics ("hội nghị" -> ``b:hoi_nghi``): phrase
  matching independent of segmentation; "Chỉ thị số 28" also pairs as ``b:thi_28``;
- ``w:`` a compound word found by underthesea ("w:hôi5_nghi5"), for accented text only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Protocol


class TermKind(StrEnum):
    FOLDED = "f"
    ACCENTED = "a"
    PAIR = "b"
    WORD = "w"


TERM_KINDS = tuple(TermKind)
_SEPARATOR = "_"


class SyllableLike(Protocol):
    @property
    def folded(self) -> str: ...

    @property
    def accented(self) -> str | None: ...


def folded_term(folded: str) -> str:
    return "f:" + folded


def accented_term(accent_key: str) -> str:
    return "a:" + accent_key


def pair_term(first_folded: str, second_folded: str) -> str:
    return f"b:{first_folded}_{second_folded}"


def word_term(keys: Sequence[str]) -> str:
    return "w:" + _SEPARATOR.join(keys)


def lookup_term(syllable: SyllableLike) -> str:
    """The term a question's syllable is looked up by: with its marks when typed with them."""
    if syllable.accented is not None:
        return accented_term(syllable.accented)
    return folded_term(syllable.folded)


def kind_of(term: str) -> TermKind:
    return TermKind(term[0])


_KIND_OF = {kind.value: kind for kind in TermKind}


def parse(term: str) -> tuple[TermKind, tuple[str, ...]] | None:
    """(kind, parts) of a term; None for a string that is not one."""
    if len(term) < 3 or term[1] != ":" or term[0] not in "fabw":
        return None
    kind = _KIND_OF[term[0]]
    body = term[2:]
    if kind in (TermKind.FOLDED, TermKind.ACCENTED):
        return kind, (body,)
    parts = tuple(body.split(_SEPARATOR))
    if kind is TermKind.PAIR and len(parts) != 2:
        return None
    return kind, parts


def run_terms(run: Sequence[SyllableLike]) -> Iterator[str]:
    """The ``f:``, ``a:`` and ``b:`` terms of a run of syllables between punctuation marks."""
    for i, syllable in enumerate(run):
        yield folded_term(syllable.folded)
        if syllable.accented is not None:
            yield accented_term(syllable.accented)
        if i:
            yield pair_term(run[i - 1].folded, syllable.folded)
        # "Chỉ thị số 28" also pairs as "Chỉ thị 28", the way people ask.
        if i >= 2 and run[i - 1].folded == "so" and syllable.folded.isdigit():
            yield pair_term(run[i - 2].folded, syllable.folded)
