"""Quotes centred on the answer: the sentence that answers, and the neighbours of its
paragraph that fit in QUOTE_CHARS.

Neighbours are added one at a time, the one the ranker scored higher first (the answer is
sometimes in the next sentence, when the best one only sets the scene); a sentence ending in
":" always brings what follows it, and a sentence that follows one ending in ":" brings its
introduction, as long as they fit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.model import Passage, Span

QUOTE_CHARS = 600
_TOKEN_RE = re.compile(r"[^\W_]+")  # a written word, as the views count them


@dataclass(frozen=True, slots=True)
class QuotePiece:
    position: int  # of the passage
    sentence: int  # in the passage
    start: int  # where the sentence starts in the quote


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    pieces: tuple[QuotePiece, ...]
    centre: QuotePiece

    def covers(self, position: int, sentence: int) -> bool:
        return any(p.position == position and p.sentence == sentence for p in self.pieces)


def paragraph_sentences(
    passages: Sequence[Passage], position: int
) -> tuple[list[tuple[int, int, str]], int]:
    """Every sentence of the paragraph holding passage `position` as (passage, sentence,
    text), and where that passage's first sentence is among them."""
    here = passages[position]
    first = position
    while first > 0 and _same_paragraph(passages[first - 1], here):
        first -= 1
    out: list[tuple[int, int, str]] = []
    start_of_here = 0
    k = first
    while k < len(passages) and _same_paragraph(passages[k], here):
        if k == position:
            start_of_here = len(out)
        out.extend((k, i, text) for i, text in enumerate(passages[k].sentences))
        k += 1
    return out, start_of_here


def _same_paragraph(a: Passage, b: Passage) -> bool:
    return a.article_id == b.article_id and a.paragraph == b.paragraph


def build_quote(
    passages: Sequence[Passage],
    position: int,
    sentence: int,
    scores: Mapping[tuple[int, int], float],
    limit: int = QUOTE_CHARS,
    *,
    announces: bool = False,
) -> Quote:
    """The quote around sentence `sentence` of passage `position`. A centre that
    `announces` what follows it (a list) brings the next sentence, as ":" does."""
    sentences, offset = paragraph_sentences(passages, position)
    centre = min(offset + sentence, len(sentences) - 1)
    after = centre + 1
    too_long = after < len(sentences) and (
        len(sentences[centre][2]) + 1 + len(sentences[after][2]) > limit
    )
    if announces and too_long:
        centre = after  # the list announced, rather than its announcement
    lo = hi = centre
    length = len(sentences[centre][2])

    def fits(k: int) -> bool:
        return length + 1 + len(sentences[k][2]) <= limit

    def score(k: int) -> float:
        return scores.get(sentences[k][:2], float("-inf"))

    while True:
        choices = []
        if hi + 1 < len(sentences) and fits(hi + 1):
            needed = sentences[hi][2].endswith(":") or (announces and hi + 1 == after)
            choices.append((needed, score(hi + 1), 1, hi + 1))
        if lo > 0 and fits(lo - 1):
            needed = sentences[lo - 1][2].endswith(":")
            choices.append((needed, score(lo - 1), 0, lo - 1))
        if not choices:
            break
        _, _, _, k = max(choices)
        length += 1 + len(sentences[k][2])
        lo, hi = min(lo, k), max(hi, k)
    pieces = []
    cursor = 0
    for k in range(lo, hi + 1):
        pieces.append(QuotePiece(sentences[k][0], sentences[k][1], cursor))
        cursor += len(sentences[k][2]) + 1
    text = " ".join(sentences[k][2] for k in range(lo, hi + 1))
    return Quote(text, tuple(pieces), pieces[centre - lo])


def token_spans(text: str) -> list[Span]:
    """Character spans of the written words of a text, in order."""
    return [m.span() for m in _TOKEN_RE.finditer(text)]


def sentence_start(passage: Passage, sentence: int) -> int:
    """Where sentence `sentence` starts in the passage's text (its first non-space)."""
    start = passage.sentence_ends[sentence - 1] if sentence and passage.sentence_ends else 0
    while start < len(passage.text) and passage.text[start].isspace():
        start += 1
    return start


def in_quote(
    quote: Quote, passage: Passage, sentence: int, tokens: Sequence[int], spans: Sequence[Span]
) -> list[Span]:
    """Word spans of one sentence of a passage's view (`tokens`: each view word's written
    word) as character spans of the quote; none when the quote does not hold that sentence."""
    piece = next(
        (p for p in quote.pieces if p.position == passage.passage_id and p.sentence == sentence),
        None,
    )
    if piece is None:
        return []
    written = token_spans(passage.text)
    base = sentence_start(passage, sentence)
    shift = piece.start - base
    end_of_sentence = (
        passage.sentence_ends[sentence] if passage.sentence_ends else len(passage.text)
    )
    out: list[Span] = []
    for a, b in spans:
        if not (0 <= a < b <= len(tokens)):
            continue
        first, last = tokens[a], tokens[b - 1]
        if last >= len(written):
            continue
        start, end = written[first][0], written[last][1]
        if start < base or end > end_of_sentence:
            continue
        out.append((start + shift, end + shift))
    return _merged(out)


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
