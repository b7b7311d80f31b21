"""`python -m bot add URL|FILE --knowledge DIR`, then `ask` about the article added."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import SEED
from tests.news_site import BRIDGE, LISTING_PAGE, NewsSite, provincial_page
from tests.test_ingest_extract import make_docx

FESTIVAL_DOCX_QUESTION = "Tỉnh Bến Tre có bao nhiêu ha dừa?"


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[NewsSite]:
    monkeypatch.setenv("BOT_FETCH_ALLOW_PRIVATE", "1")  # the site is on loopback
    monkeypatch.setenv("BOT_LOG_DB", "")
    with NewsSite() as news:
        yield news


def ask_json(folder: Path, question: str, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["ask", "--json", "--knowledge", str(folder), question]) == 0
    return json.loads(capsys.readouterr().out.splitlines()[-1])


def test_add_a_link_then_ask_cites_the_pages_title_and_url(
    site: NewsSite, knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = site.page("/tin/khanh-thanh-cau-rach-mieu-2.html", provincial_page(BRIDGE))
    assert main(["add", url, "--knowledge", str(knowledge_copy)]) == 0
    out = capsys.readouterr().out
    assert f"Đã thêm bài «{BRIDGE.title}» ({BRIDGE.date}, 5 đoạn)" in out
    example = out.split("Thử hỏi: ", 1)[1].strip()

    answer = ask_json(knowledge_copy, BRIDGE.question, capsys)
    assert answer["found"] is True
    assert BRIDGE.answer in answer["quote"]
    assert answer["source"]["title"] == BRIDGE.title
    assert answer["source"]["url"] == url
    assert answer["source"]["date"] == BRIDGE.date and answer["source"]["author"] == "Minh Anh"
    assert ask_json(knowledge_copy, example, capsys)["source"]["url"] == url  # it works

    # The same link again: updated in place, not a copy.
    # --knowledge before the command, as after it
    assert main(["--knowledge", str(knowledge_copy), "add", url + "?utm_source=facebook"]) == 0
    assert "Đã cập nhật bài" in capsys.readouterr().out
    assert len([p for p in knowledge_copy.iterdir() if p.suffix == ".md"]) == 1


def test_add_a_word_file(
    knowledge_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.news_site import FESTIVAL

    monkeypatch.setenv("BOT_LOG_DB", "")
    document = tmp_path / "Lễ hội Dừa.docx"
    document.write_bytes(make_docx(FESTIVAL))
    assert main(["add", str(document), "--knowledge", str(knowledge_copy)]) == 0
    assert f"Đã thêm bài «{FESTIVAL.title}»" in capsys.readouterr().out
    answer = ask_json(knowledge_copy, FESTIVAL_DOCX_QUESTION, capsys)
    assert answer["source"]["title"] == FESTIVAL.title and answer["source"]["url"] is None
    assert "79.000 ha" in answer["quote"]


@pytest.mark.parametrize(
    "make_source, reason",
    [
        (lambda site, tmp: site.page("/thoi-su", LISTING_PAGE), "không tìm thấy bài viết"),
        (lambda site, tmp: site.url("/khong-co.html"), "không tìm thấy trang (lỗi 404)"),
        (lambda site, tmp: str(tmp / "khong-co.docx"), "không có tệp này"),
        (lambda site, tmp: "ftp://example.org/bai.html", "không có tệp này"),
    ],
)
def test_a_bad_source_is_one_error_line_and_writes_nothing(
    site: NewsSite,
    knowledge_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make_source: object,
    reason: str,
) -> None:
    source = make_source(site, tmp_path)  # type: ignore[operator]
    assert main(["add", source, "--knowledge", str(knowledge_copy)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("lỗi: không thêm được bài từ") and reason in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in knowledge_copy.iterdir()) == [SEED.name]


def test_a_private_address_is_refused_unless_allowed(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BOT_FETCH_ALLOW_PRIVATE", raising=False)
    monkeypatch.setenv("BOT_CONFIG", str(knowledge_copy / "none.toml"))  # the defaults
    with NewsSite() as site:
        url = site.page("/tin/cau.html", provincial_page(BRIDGE))
        assert main(["add", url, "--knowledge", str(knowledge_copy)]) == 1
        assert site.requests == []
    assert "địa chỉ nội bộ 127.0.0.1" in capsys.readouterr().err


def test_files_dropped_into_the_folder_are_converted_when_it_is_read(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.news_site import FESTIVAL

    monkeypatch.setenv("BOT_LOG_DB", "")
    (knowledge_copy / "2024").mkdir()
    (knowledge_copy / "2024" / "Lễ hội Dừa.docx").write_bytes(make_docx(FESTIVAL))
    (knowledge_copy / "cau.html").write_text(provincial_page(BRIDGE), encoding="utf-8")
    (knowledge_copy / "ban-chup.pdf").write_bytes(b"%PDF-1.4 hong")
    (knowledge_copy / "~$ hội Dừa.docx").write_bytes(b"\0" * 162)  # Word's lock file
    assert main(["index", "--quiet", "--knowledge", str(knowledge_copy)]) == 0
    captured = capsys.readouterr()
    assert "đã chuyển 2024/Lễ hội Dừa.docx thành 2024/le-hoi-dua.md" in captured.err
    assert "đã chuyển cau.html thành cau.md" in captured.err
    assert "cảnh báo: không chuyển được ban-chup.pdf: tệp PDF bị hỏng" in captured.err
    assert "bỏ qua ban-chup.pdf: định dạng không hỗ trợ trực tiếp" in captured.err
    assert "Đã lập chỉ mục 3 bài viết" in captured.out
    originals = knowledge_copy / ".originals"
    assert sorted(p.relative_to(originals).as_posix() for p in originals.rglob("*.*")) == [
        "2024/Lễ hội Dừa.docx",
        "cau.html",
    ]
    assert (knowledge_copy / "~$ hội Dừa.docx").exists()  # left alone

    answer = ask_json(knowledge_copy, FESTIVAL_DOCX_QUESTION, capsys)
    assert answer["source"]["title"] == FESTIVAL.title
    assert answer["source"]["file"] == "2024/le-hoi-dua.md"
    # Read again: nothing converted twice.
    assert main(["index", "--quiet", "--knowledge", str(knowledge_copy)]) == 0
    assert "đã chuyển" not in capsys.readouterr().err
    assert sorted(p.name for p in knowledge_copy.glob("**/*.md")) == ["cau.md", "le-hoi-dua.md"]
