"""The cold build's remembered values and shortcuts give what the plain computation gives."""

from __future__ import annotations

import numpy as np
import pytest

import bot.core.index as index_module
import bot.core.text as text_module
from bot.core.index import FilePostings, term_key
from bot.core.terms import word_term
from bot.core.text import (
    Abbreviations,
    Tokenizer,
    compound_words,
    normalize_text,
    syllables,
)

PASSAGES = [
    "Ngày 25/2, TAND TP. Đà Nẵng tuyên phạt Hồ Xuân Huy 12 năm tù về tội Lừa đảo.",
    "Ban Chỉ đạo 389 tỉnh (gọi tắt là BCĐ 389) họp ngày 10/12/2014; UBND tỉnh chi 3,2 tỷ.",
    "Theo Bộ Y tế, 60.542.000 liều vắc-xin COVID-19 đã được tiêm cho trẻ em ở Hà Nội.",
    "Ai chu tri hoi nghi trien khai nhiem vu nam 2014?",
]


def _plain_postings(passages: list[list[str]]) -> tuple[list[str], list[int], list[int]]:
    """Terms in order of first appearance, per-passage term ids and counts, by hand."""
    local: dict[str, int] = {}
    terms, counts = [], []
    for passage in passages:
        frequencies: dict[int, int] = {}
        for term in passage:
            i = local.setdefault(term, len(local))
            frequencies[i] = frequencies.get(i, 0) + 1
        terms += list(frequencies)
        counts += list(frequencies.values())
    return list(local), terms, counts


def test_file_postings_count_as_the_plain_loop_does() -> None:
    tokenizer = Tokenizer()
    passages = [list(tokenizer.analyze(p).terms) for p in PASSAGES]
    passages.append(passages[0] + passages[0])  # repeats within one passage
    for _ in range(2):  # the second time, every term's key is a remembered one
        postings = FilePostings.of(passages)
        keys, terms, counts = _plain_postings(passages)
        assert postings.keys.tolist() == [term_key(t) for t in keys]
        assert postings.terms.tolist() == terms
        assert postings.counts.tolist() == counts
        assert postings.lengths.tolist() == [len(p) for p in passages]
        assert postings.ends.tolist() == np.cumsum([len(set(p)) for p in passages]).tolist()


def test_remembered_term_keys_are_cleared_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "_REMEMBERED_KEYS", 3)
    terms = [f"f:x{i}" for i in range(10)]
    postings = FilePostings.of([terms, terms[::-1]])
    assert postings.keys.tolist() == [term_key(t) for t in terms]
    assert len(index_module._KEY_BYTES) <= 3


def test_remembered_word_terms_equal_compound_words() -> None:
    """analyze() remembers each token's w: term; the terms are compound_words' own."""
    for text in PASSAGES:
        normalized = normalize_text(text)
        expected = [
            word_term([s.accented or s.folded for s in w]) for w in compound_words(normalized)
        ]
        if not any(s.accented for s in syllables(normalized)):
            expected = []  # text typed without marks is not segmented
        for _ in range(2):
            terms = Tokenizer().analyze(text).terms
            assert [t for t in terms if t.startswith("w:")] == expected
        text_module._WORD_TERMS.clear()
        assert Tokenizer().analyze(text).terms == terms


def test_abbreviation_tables_built_from_remembered_entries_are_the_same() -> None:
    table = {
        "BCĐ": "Ban Chỉ đạo",
        "UBND": "Ủy ban nhân dân",
        "bcd": "Ban chỉ huy",
        "SYT": "Sở Y tế",
    }
    first, second = Abbreviations(table), Abbreviations(table)
    assert first.items() == second.items()
    assert first.candidates == second.candidates
    for token in ("BCĐ", "bcd", "BCD", "ubnd", "SYT", "syt", "Sở"):
        assert first.expand(token) == second.expand(token)
