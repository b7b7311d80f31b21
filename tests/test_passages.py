"""Passages: focused, whole sentences, at most 600 characters, each knowing its paragraph."""

from __future__ import annotations

from bot.core.engine import Engine
from bot.core.passages import MAX_PASSAGE_CHARS, split_paragraph


def test_short_paragraph_is_one_passage() -> None:
    assert split_paragraph("  Câu một. Câu hai.  ") == ["Câu một. Câu hai."]


def test_long_paragraph_splits_on_sentences_evenly() -> None:
    sentence = "Tỉnh tổ chức hội nghị triển khai nhiệm vụ năm 2014 với nhiều nội dung quan trọng."
    paragraph = " ".join([sentence] * 12)  # ~1,000 characters
    parts = split_paragraph(paragraph)
    assert len(parts) == 2
    assert all(len(p) <= MAX_PASSAGE_CHARS for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == paragraph
    assert abs(len(parts[0]) - len(parts[1])) <= len(sentence) + 1


def test_a_sentence_ending_in_colon_stays_with_what_follows() -> None:
    intro = "Đồng chí Bí thư nhấn mạnh các nhiệm vụ sau:"
    body = "Một là tăng cường tuyên truyền về an toàn thông tin mạng cho cán bộ. " * 6
    parts = split_paragraph(f"{'Mở đầu hội nghị. ' * 8}{intro} {body.strip()}")
    holder = next(p for p in parts if intro in p)
    assert not holder.endswith(":")


def test_very_long_sentence_is_cut_at_semicolons() -> None:
    clause = "triển khai quán triệt và thực hiện các nghị quyết về an toàn thông tin mạng"
    sentence = "; ".join([clause] * 12) + "."
    parts = split_paragraph(sentence)
    assert len(parts) >= 2
    assert all(len(p) <= MAX_PASSAGE_CHARS for p in parts)
    assert all(p.endswith((";", ".")) for p in parts)


def test_unpunctuated_text_is_still_bounded() -> None:
    parts = split_paragraph("chữ " * 400)
    assert all(0 < len(p) <= MAX_PASSAGE_CHARS for p in parts)


def test_seed_passages_know_their_article_and_paragraph(seed_engine: Engine) -> None:
    passages = seed_engine.passages
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert [p.paragraph for p in passages] == [1, 2, 2, 3, 3, 3, 4, 4, 5, 5]
    assert {p.article_id for p in passages} == {0}
    for passage in passages:
        assert passage.text in seed_engine.paragraph_text(passage)
    keys = [seed_engine.passage_key(p) for p in passages]
    assert len(set(keys)) == len(keys) and all(len(k) <= 40 for k in keys)
    assert seed_engine.passage_by_key(keys[3]) == passages[3]
    assert seed_engine.passage_by_key("nope") is None
