"""Golden tests of the text pipeline: the exact terms a question or passage becomes."""

from __future__ import annotations

import unicodedata

import pytest

from bot.core.text import (
    Abbreviations,
    Tokenizer,
    accent_key,
    find_defined_abbreviations,
    fold,
    normalize_question,
    normalize_syllable,
    normalize_text,
)

ACCENTED = (
    "f:ai",
    "f:chu",
    "a:chu3",
    "b:ai_chu",
    "f:tri",
    "a:tri2",
    "b:chu_tri",
    "f:hoi",
    "a:hôi5",
    "b:tri_hoi",
    "f:nghi",
    "a:nghi5",
    "b:hoi_nghi",
    "w:chu3_tri2",
    "w:hôi5_nghi5",
)
UNACCENTED = (
    "f:ai",
    "f:chu",
    "b:ai_chu",
    "f:tri",
    "b:chu_tri",
    "f:hoi",
    "b:tri_hoi",
    "f:nghi",
    "b:hoi_nghi",
)


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer()


def test_accented_question_golden_terms(tokenizer: Tokenizer) -> None:
    assert tokenizer.analyze("Ai chủ trì hội nghị?").terms == ACCENTED


def test_decomposed_unicode_gives_the_same_terms(tokenizer: Tokenizer) -> None:
    decomposed = unicodedata.normalize("NFD", "Ai chủ trì hội nghị?")
    assert decomposed != "Ai chủ trì hội nghị?"
    assert tokenizer.analyze(decomposed).terms == ACCENTED


def test_unaccented_question_keeps_every_folded_term(tokenizer: Tokenizer) -> None:
    terms = tokenizer.analyze("ai chu tri hoi nghi").terms
    assert terms == UNACCENTED
    # Everything an unaccented question asks for is also indexed for the accented passage.
    assert set(terms) <= set(ACCENTED)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("Hoà", "Hòa"),
        ("uỷ", "ủy"),
        ("thuý", "thúy"),
        ("khoẻ", "khỏe"),
        ("Tỉnh uỷ", "Tỉnh ủy"),
        ("quý", "quý"),
        ("người", "người"),
        ("ngoài", "ngoài"),
        ("giữ", "giữ"),
        ("hoàng", "hoàng"),
    ],
)
def test_tone_marks_take_one_style(old: str, new: str) -> None:
    assert normalize_text(old) == new
    assert normalize_text(new) == new


def test_old_and_new_tone_styles_give_the_same_terms(tokenizer: Tokenizer) -> None:
    assert (
        tokenizer.analyze("Hoà bình, Tỉnh uỷ").terms == tokenizer.analyze("Hòa bình, Tỉnh ủy").terms
    )
    assert accent_key("hoà") == accent_key("hòa") == "hoa2"


def test_fold_removes_all_diacritics() -> None:
    assert fold("Đồng chí Nguyễn Quốc Bảo") == "Dong chi Nguyen Quoc Bao"
    assert normalize_syllable("HOÀ") == "HÒA"


def test_zero_width_and_control_characters_are_dropped() -> None:
    assert normalize_text("hội\u200b nghị\x07") == "hội nghị"


def test_abbreviation_expands_to_its_long_form(tokenizer: Tokenizer) -> None:
    terms = tokenizer.analyze("BCĐ 94").terms
    assert terms == (
        "f:bcd",
        "a:bcđ",
        "f:ban",
        "b:bcd_ban",
        "f:chi",
        "a:chi3",
        "b:ban_chi",
        "f:dao",
        "a:đao5",
        "b:chi_dao",
        "f:94",
        "b:dao_94",
    )
    long_form = set(tokenizer.analyze("Ban Chỉ đạo 94").terms)
    assert {"b:ban_chi", "b:chi_dao", "b:dao_94"} <= long_form


def test_abbreviation_lookup_rules() -> None:
    abbreviations = Abbreviations()
    assert abbreviations.expand("BCĐ") == "Ban Chỉ đạo"
    assert abbreviations.expand("bcd") == "Ban Chỉ đạo"  # unaccented typing
    assert abbreviations.expand("CA") == "công an"
    assert abbreviations.expand("ca") is None  # "ca" is an ordinary word
    assert abbreviations.expand("hội") is None


def test_abbreviations_defined_in_an_article_are_found() -> None:
    text = "Ủy ban nhân dân (UBND) tỉnh và Ban An toàn giao thông (BATGT) đã họp."
    assert find_defined_abbreviations(text) == {
        "UBND": "Ủy ban nhân dân",
        "BATGT": "Ban An toàn giao thông",
    }


def test_document_number_pairs_without_so(tokenizer: Tokenizer) -> None:
    assert "b:thi_28" in tokenizer.analyze("Chỉ thị số 28").terms


def test_normalize_question_for_logs() -> None:
    assert normalize_question("  Ai chủ trì HỘI NGHỊ?? ") == "ai chủ trì hội nghị"
    assert normalize_question("Hoà bình") == normalize_question("hòa bình")
