"""Word segmentation: ``bot.core.wordseg`` must give underthesea's own tokens, exactly.

The index terms of every passage come from these tokens (the ``w:`` terms), so a segmenter
that differed by one word on one passage would change the index. The golden values below
were made with ``underthesea.word_tokenize`` itself, before the segmenter was rewritten.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.text import Tokenizer, _word_tokenize, normalize_text, use_fast_segmenter
from bot.core.wordseg import Segmenter, read_crfsuite
from tests.conftest import ROOT

GOLDEN = [
    (
        "Ngày 25/2, TAND TP. Đà Nẵng tuyên phạt Hồ Xuân Huy (SN 1994) 12 năm tù về tội "
        "Lừa đảo chiếm đoạt tài sản.",
        [
            "Ngày",
            "25/2",
            ",",
            "TAND",
            "TP.",
            "Đà Nẵng",
            "tuyên phạt",
            "Hồ Xuân Huy",
            "(",
            "SN",
            "1994",
            ")",
            "12",
            "năm",
            "tù",
            "về",
            "tội",
            "Lừa đảo",
            "chiếm đoạt",
            "tài sản",
            ".",
        ],
        (
            "f:ngay",
            "a:ngay2",
            "f:25",
            "b:ngay_25",
            "f:2",
            "f:tand",
            "f:toa",
            "a:toa2",
            "b:tand_toa",
            "f:an",
            "a:an1",
            "b:toa_an",
            "f:nhan",
            "a:nhân",
            "b:an_nhan",
            "f:dan",
            "a:dân",
            "b:nhan_dan",
            "f:tp",
            "b:dan_tp",
            "f:thanh",
            "a:thanh2",
            "b:tp_thanh",
            "f:pho",
            "a:phô1",
            "b:thanh_pho",
            "f:da",
            "a:đa2",
            "f:nang",
            "a:năng4",
            "b:da_nang",
            "f:tuyen",
            "a:tuyên",
            "b:nang_tuyen",
            "f:phat",
            "a:phat5",
            "b:tuyen_phat",
            "f:ho",
            "a:hô2",
            "b:phat_ho",
            "f:xuan",
            "a:xuân",
            "b:ho_xuan",
            "f:huy",
            "b:xuan_huy",
            "f:sn",
            "f:sinh",
            "b:sn_sinh",
            "f:nam",
            "a:năm",
            "b:sinh_nam",
            "f:1994",
            "b:nam_1994",
            "f:12",
            "f:nam",
            "a:năm",
            "b:12_nam",
            "f:tu",
            "a:tu2",
            "b:nam_tu",
            "f:ve",
            "a:vê2",
            "b:tu_ve",
            "f:toi",
            "a:tôi5",
            "b:ve_toi",
            "f:lua",
            "a:lưa2",
            "b:toi_lua",
            "f:dao",
            "a:đao3",
            "b:lua_dao",
            "f:chiem",
            "a:chiêm1",
            "b:dao_chiem",
            "f:doat",
            "a:đoat5",
            "b:chiem_doat",
            "f:tai",
            "a:tai2",
            "b:doat_tai",
            "f:san",
            "a:san3",
            "b:tai_san",
            "w:25_2",
            "w:đa2_năng4",
            "w:tuyên_phat5",
            "w:hô2_xuân_huy",
            "w:lưa2_đao3",
            "w:chiêm1_đoat5",
            "w:tai2_san3",
        ),
    ),
    (
        "Ban Chỉ đạo 389 tỉnh (gọi tắt là BCĐ 389) họp ngày 10/12/2014; UBND tỉnh chi 3,2 tỷ đồng.",
        [
            "Ban",
            "Chỉ đạo",
            "389",
            "tỉnh",
            "(",
            "gọi",
            "tắt",
            "là",
            "BCĐ",
            "389",
            ")",
            "họp",
            "ngày",
            "10/12/2014",
            ";",
            "UBND",
            "tỉnh",
            "chi 3,2",
            "tỷ",
            "đồng",
            ".",
        ],
        (
            "f:ban",
            "f:chi",
            "a:chi3",
            "b:ban_chi",
            "f:dao",
            "a:đao5",
            "b:chi_dao",
            "f:389",
            "b:dao_389",
            "f:tinh",
            "a:tinh3",
            "b:389_tinh",
            "f:goi",
            "a:goi5",
            "f:tat",
            "a:tăt1",
            "b:goi_tat",
            "f:la",
            "a:la2",
            "b:tat_la",
            "f:bcd",
            "a:bcđ",
            "b:la_bcd",
            "f:ban",
            "b:bcd_ban",
            "f:chi",
            "a:chi3",
            "b:ban_chi",
            "f:dao",
            "a:đao5",
            "b:chi_dao",
            "f:389",
            "b:dao_389",
            "f:hop",
            "a:hop5",
            "f:ngay",
            "a:ngay2",
            "b:hop_ngay",
            "f:10",
            "b:ngay_10",
            "f:12",
            "f:2014",
            "f:ubnd",
            "f:uy",
            "a:uy3",
            "b:ubnd_uy",
            "f:ban",
            "b:uy_ban",
            "f:nhan",
            "a:nhân",
            "b:ban_nhan",
            "f:dan",
            "a:dân",
            "b:nhan_dan",
            "f:tinh",
            "a:tinh3",
            "b:dan_tinh",
            "f:chi",
            "b:tinh_chi",
            "f:3",
            "b:chi_3",
            "f:2",
            "f:ty",
            "a:ty3",
            "b:2_ty",
            "f:dong",
            "a:đông2",
            "b:ty_dong",
            "w:chi3_đao5",
            "w:10_12_2014",
            "w:chi_3_2",
        ),
    ),
    (
        "Ai chu tri hoi nghi trien khai nhiem vu nam 2014?",
        ["Ai", "chu tri hoi", "nghi trien", "khai nhiem", "vu", "nam", "2014", "?"],
        (
            "f:ai",
            "f:chu",
            "b:ai_chu",
            "f:tri",
            "b:chu_tri",
            "f:hoi",
            "b:tri_hoi",
            "f:nghi",
            "b:hoi_nghi",
            "f:trien",
            "b:nghi_trien",
            "f:khai",
            "b:trien_khai",
            "f:nhiem",
            "b:khai_nhiem",
            "f:vu",
            "b:nhiem_vu",
            "f:nam",
            "b:vu_nam",
            "f:2014",
            "b:nam_2014",
        ),
    ),
    (
        "Thuỷ điện Hoà Bình khoẻ mạnh, uỷ ban nhân dân tỉnh Hòa Bình.",
        [
            "Thủy",
            "điện",
            "Hòa Bình khỏe",
            "mạnh",
            ",",
            "ủy",
            "ban nhân dân",
            "tỉnh",
            "Hòa Bình",
            ".",
        ],
        (
            "f:thuy",
            "a:thuy3",
            "f:dien",
            "a:điên5",
            "b:thuy_dien",
            "f:hoa",
            "a:hoa2",
            "b:dien_hoa",
            "f:binh",
            "a:binh2",
            "b:hoa_binh",
            "f:khoe",
            "a:khoe3",
            "b:binh_khoe",
            "f:manh",
            "a:manh5",
            "b:khoe_manh",
            "f:uy",
            "a:uy3",
            "f:ban",
            "b:uy_ban",
            "f:nhan",
            "a:nhân",
            "b:ban_nhan",
            "f:dan",
            "a:dân",
            "b:nhan_dan",
            "f:tinh",
            "a:tinh3",
            "b:dan_tinh",
            "f:hoa",
            "a:hoa2",
            "b:tinh_hoa",
            "f:binh",
            "a:binh2",
            "b:hoa_binh",
            "w:hoa2_binh2_khoe3",
            "w:ban_nhân_dân",
            "w:hoa2_binh2",
        ),
    ),
    (
        "Theo Bộ Y tế, 60.542.000 liều vắc-xin COVID-19 đã được tiêm; e-mail: abc@gmail.com",
        [
            "Theo",
            "Bộ",
            "Y tế",
            ",",
            "60.542.000 liều",
            "vắc-xin",
            "COVID-19",
            "đã",
            "được",
            "tiêm",
            ";",
            "e-mail",
            ":",
            "abc@gmail.com",
        ],
        (
            "f:theo",
            "f:bo",
            "a:bô5",
            "b:theo_bo",
            "f:y",
            "b:bo_y",
            "f:te",
            "a:tê1",
            "b:y_te",
            "f:60",
            "f:542",
            "f:000",
            "f:lieu",
            "a:liêu2",
            "b:000_lieu",
            "f:vac",
            "a:văc1",
            "b:lieu_vac",
            "f:xin",
            "f:covid",
            "b:xin_covid",
            "f:19",
            "f:da",
            "a:đa4",
            "b:19_da",
            "f:duoc",
            "a:đươc5",
            "b:da_duoc",
            "f:tiem",
            "a:tiêm",
            "b:duoc_tiem",
            "f:e",
            "f:mail",
            "f:abc",
            "f:gmail",
            "f:com",
            "w:y_tê1",
            "w:60_542_000_liêu2",
            "w:văc1_xin",
            "w:covid_19",
            "w:e_mail",
            "w:abc_gmail_com",
        ),
    ),
    (
        "Chỉ số Ω tăng 5% – ＡＢＣ 2147483648 +5",
        ["Chỉ số", "Ω", "tăng", "5", "%", "–", "ＡＢＣ 2147483648", "+", "5"],
        (
            "f:chi",
            "a:chi3",
            "f:so",
            "a:sô1",
            "b:chi_so",
            "f:ω",
            "b:so_ω",
            "f:tang",
            "a:tăng",
            "b:ω_tang",
            "f:5",
            "b:tang_5",
            "f:ａｂｃ",
            "f:2147483648",
            "b:ａｂｃ_2147483648",
            "f:5",
            "w:chi3_sô1",
            "w:ａｂｃ_2147483648",
        ),
    ),
]


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


@pytest.fixture(scope="module")
def underthesea_tokens() -> Callable[[str], list[str]]:
    from underthesea import word_tokenize

    tokens: Callable[[str], list[str]] = word_tokenize
    return tokens


def test_the_fast_path_is_on(segmenter: Segmenter) -> None:
    """The self-check against underthesea passed: the fast path is what the build uses."""
    assert segmenter.fast


@pytest.mark.parametrize(("text", "tokens", "terms"), GOLDEN, ids=range(len(GOLDEN)))
def test_golden_tokens_and_terms(
    segmenter: Segmenter, text: str, tokens: list[str], terms: tuple[str, ...]
) -> None:
    assert segmenter(normalize_text(text)) == tokens
    assert _word_tokenize(normalize_text(text)) == tokens
    assert Tokenizer().analyze(text).terms == terms


def _paragraphs() -> list[str]:
    folders = [ROOT / "tests" / "data" / "seed", ROOT / "tests" / "data" / "eval" / "distractors"]
    texts = []
    for folder in folders:
        for path in sorted(folder.glob("*.txt")):
            texts += [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return texts


def test_real_paragraphs_give_underthesea_tokens_tags_and_scores(
    segmenter: Segmenter, underthesea_tokens: Callable[[str], list[str]]
) -> None:
    paragraphs = _paragraphs()
    assert len(paragraphs) > 20
    for text in paragraphs:
        for form in (text, normalize_text(text)):
            assert segmenter(form) == underthesea_tokens(form), form
            assert segmenter._agrees(form), form  # the same tags and Viterbi score, bit for bit


@pytest.mark.parametrize(
    "text",
    [
        "TP. Hà Nội",
        "ở TP.",
        "ở TP.\n",
        "ở TP.\n ",
        "TP.\nHà Nội",
        "cười :D nhé :D",
        "cười :D\n",
        "  xem http://vnexpress.net/a(b) và abc@gmail.com, 43H-0530  ",
        "1.600m-2.000m H'Mông N’Thôn v.v... ==> 3x4 °C",
        "\xa0Hà\u2003Nội\t2014\n",
        "",
        "   ",
    ],
)
def test_regex_step_gives_underthesea_tokens(segmenter: Segmenter, text: str) -> None:
    """The regex step runs chunk by chunk (remembered per chunk): the same tokens."""
    for _ in range(2):  # the second time from what was remembered
        assert segmenter.tokens(text) == segmenter._regex.tokenize(text)


def test_a_character_not_vouched_for_goes_to_underthesea(
    segmenter: Segmenter, underthesea_tokens: Callable[[str], list[str]]
) -> None:
    text = "Chỉ số Ω tăng 5% so với ＡＢＣ"
    assert segmenter._tags(segmenter.tokens(text))[1] is None  # underthesea's own tagger
    assert segmenter(text) == underthesea_tokens(text)


_ALPHABET = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠÈÉÌÍÒÓÙÚỲÝĐđ0123456789"
    "     .,;:!?()-–“”'\"/%+&@_…ðÐß\u0301\u0323ǅΩ１\n\t\xa0"
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(["hội", "nghị", "Hà", "Nội", "Bộ", "Y", "tế", "ban", "chỉ", "đạo", "BCĐ"])
        | st.text(_ALPHABET, min_size=1, max_size=8),
        max_size=40,
    )
)
def test_any_text_gives_underthesea_tokens(
    segmenter: Segmenter, underthesea_tokens: Callable[[str], list[str]], words: list[str]
) -> None:
    text = " ".join(words)
    assert segmenter(text) == underthesea_tokens(text)


def test_the_model_file_reads_as_crfsuite() -> None:
    from underthesea.pipeline import word_tokenize as package

    path = os.path.join(
        os.path.dirname(package.__file__), "models", "ws_crf_vlsp2013_20230727", "models.bin"
    )
    labels, attributes, state, transition = read_crfsuite(path)
    assert labels == ["B-W", "I-W"]
    assert state.shape == (len(attributes) + 1, 2) and not state[-1].any()
    assert transition.shape == (2, 2)


def test_the_fast_segmenter_once_switched_on_gives_the_same_tokens() -> None:
    """A cold build's workers switch to the Segmenter (use_fast_segmenter); serving keeps
    underthesea's own word_tokenize. Either way, the same tokens."""
    import bot.core.text as text_module

    plain = [_word_tokenize(normalize_text(text) + " ") for text, _, _ in GOLDEN]
    use_fast_segmenter()
    assert text_module._fast_segmenter is not None
    text_module._segment.cache_clear()
    assert [_word_tokenize(normalize_text(text) + " ") for text, _, _ in GOLDEN] == plain
    assert [_word_tokenize(normalize_text(text)) for text, _, _ in GOLDEN] == [
        tokens for _, tokens, _ in GOLDEN
    ]


def test_the_model_put_in_place_tags_as_underthesea_loads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A start reads underthesea's model files with the standard unpickler instead of
    joblib's: the tagger in place must featurize and tag as the one underthesea loads."""
    from underthesea.models.fast_crf_sequence_tagger import FastCRFSequenceTagger
    from underthesea.pipeline import word_tokenize as package
    from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize

    from bot.core.wordseg import _MODEL, load_underthesea_model

    monkeypatch.setattr(package, "word_tokenize_model", None)  # restored after the test
    assert load_underthesea_model()
    ours = package.word_tokenize_model
    theirs = FastCRFSequenceTagger()
    theirs.load(os.path.join(os.path.dirname(package.__file__), "models", _MODEL))
    for text, _, _ in GOLDEN:
        features = [[token] for token in tokenize(text)]
        assert ours.featurizer.process([features]) == theirs.featurizer.process([features])
        assert ours.predict(features) == theirs.predict(features)
