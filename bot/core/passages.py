"""Splitting articles into focused passages that a reply can quote.

A passage is at most MAX_PASSAGE_CHARS characters of one paragraph, made of whole sentences:
paragraphs are split first (underthesea's sent_tokenize does not split on blank lines), a
sentence ending in ":" stays with the one that follows, and a sentence too long on its own is
cut at ";" (then at "," as a last resort). Within a paragraph the fewest passages are made,
as even in length as possible. A passage knows where its sentences end: the ranker judges
sentences, and a quote is built around the one that answers.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

MAX_PASSAGE_CHARS = 600

_SENT_LOCK = threading.Lock()
_sent_tokenize = None


def split_sentences(paragraph: str) -> list[str]:
    global _sent_tokenize
    if _sent_tokenize is None:
        with _SENT_LOCK:
            if _sent_tokenize is None:
                from underthesea import sent_tokenize

                _sent_tokenize = sent_tokenize
    sentences = [s.strip() for s in _sent_tokenize(paragraph) if s.strip()]
    return sentences or [paragraph.strip()]


def _cut(text: str, separator: str) -> list[str]:
    """Cut after each separator; packing re-joins the pieces evenly later."""
    return [p.strip() for p in re.split(f"(?<={re.escape(separator)})\\s+", text) if p.strip()]


def _hard_cut(text: str, limit: int) -> list[str]:
    """Last resort for a sentence without ';' or ',': cut at white space."""
    out: list[str] = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit + 1)
        cut = cut if cut > limit // 2 else limit
        out.append(text[:cut].strip())
        text = text[cut:].strip()
    return [*out, text] if text else out


def _fit(sentence: str, limit: int) -> list[str]:
    if len(sentence) <= limit:
        return [sentence]
    out: list[str] = []
    for part in _cut(sentence, ";"):
        if len(part) <= limit:
            out.append(part)
            continue
        for piece in _cut(part, ","):
            out.extend(_hard_cut(piece, limit) if len(piece) > limit else [piece])
    return out


def sentence_units(paragraph: str, limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Sentences that must stay whole, each at most `limit` characters."""
    units: list[str] = []
    carry = ""
    for sentence in split_sentences(paragraph):
        sentence = f"{carry} {sentence}".strip() if carry else sentence
        carry = ""
        if sentence.endswith(":") and len(sentence) < limit:
            carry = sentence  # an introduction belongs with what it introduces
            continue
        units.extend(_fit(sentence, limit))
    if carry:
        units.extend(_fit(carry, limit))
    return units


def _pack_units(units: Sequence[str], limit: int) -> list[Sequence[str]]:
    """Fewest chunks of consecutive units within the limit, lengths as even as possible."""
    n = len(units)
    inf = (n + 1, 0)
    best: list[tuple[int, int]] = [(0, 0)] + [inf] * n
    cut_at = [0] * (n + 1)
    for end in range(1, n + 1):
        length = -1
        for start in range(end - 1, -1, -1):
            length += len(units[start]) + 1
            if length > limit and start < end - 1:
                break
            count, cost = best[start]
            candidate = (count + 1, cost + length * length)
            if candidate < best[end]:
                best[end] = candidate
                cut_at[end] = start
    chunks: list[Sequence[str]] = []
    end = n
    while end > 0:
        start = cut_at[end]
        chunks.append(units[start:end])
        end = start
    return chunks[::-1]


@dataclass(frozen=True, slots=True)
class PlannedPassage:
    """A passage's text and where each of its sentences ends in it (the last one: its end)."""

    text: str
    sentence_ends: tuple[int, ...]

    @property
    def sentences(self) -> list[str]:
        return sentence_texts(self.text, self.sentence_ends)


def sentence_texts(text: str, ends: Sequence[int]) -> list[str]:
    out = []
    start = 0
    for end in ends:
        out.append(text[start:end].strip())
        start = end
    return out


def _located(text: str, units: Sequence[str]) -> tuple[int, ...]:
    """Where each unit ends in `text`, found in order; the whole text as one sentence when
    the sentence splitter did not keep a unit verbatim."""
    ends = []
    cursor = 0
    for unit in units:
        found = text.find(unit, cursor)
        if found < 0:
            return (len(text),)
        cursor = found + len(unit)
        ends.append(cursor)
    if not ends:
        return (len(text),)
    ends[-1] = len(text)
    return tuple(ends)


def plan_paragraph(paragraph: str, limit: int = MAX_PASSAGE_CHARS) -> list[PlannedPassage]:
    """The passages of one paragraph, in order, each with its sentences."""
    paragraph = paragraph.strip()
    if not paragraph:
        return []
    units = sentence_units(paragraph, limit)
    if len(paragraph) <= limit:
        return [PlannedPassage(paragraph, _located(paragraph, units))]
    planned = []
    for chunk in _pack_units(units, limit):
        text = " ".join(chunk)
        planned.append(PlannedPassage(text, _located(text, chunk)))
    return planned


def split_paragraph(paragraph: str, limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    """The passages of one paragraph, in order."""
    return [passage.text for passage in plan_paragraph(paragraph, limit)]
