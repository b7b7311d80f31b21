"""Reading the knowledge folder: the seed's format, Markdown front matter, and bad files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from bot.core.articles import decode_article_bytes, parse_article_text
from bot.core.errors import ArticleError, KnowledgeError
from bot.core.knowledge import build_knowledge
from bot.core.text import _split_tone
from tests.conftest import SEED

MARKDOWN = """---
title: Tập huấn an toàn thông tin cho cán bộ
date: 2024-05-01 08:30
author: Minh Anh
url: https://example.org/tap-huan
---
# Tập huấn an toàn thông tin cho cán bộ

Sáng 1-5, **Sở Thông tin và Truyền thông** tổ chức [lớp tập huấn](https://example.org/x)
cho 120 cán bộ.

- Học viên được hướng dẫn phòng chống mã độc.
"""


def test_seed_article_is_parsed_like_the_site_prints_it() -> None:
    article = parse_article_text(SEED.name, SEED.read_text(encoding="utf-8"))
    assert article.title == "Tăng cường công tác bảo đảm an toàn thông tin mạng"
    assert article.date == "27/02/2014 - 17:20"
    assert article.author == "Quốc Hùng"
    assert article.url is None
    assert len(article.paragraphs) == 5
    assert article.paragraphs[0].startswith("Chiều 26-2-2014, Ban Thường vụ Tỉnh ủy Bến Tre")
    assert not any("Chia sẻ" in p or "BÌNH LUẬN" in p for p in article.paragraphs)


def test_markdown_front_matter_and_markup() -> None:
    article = parse_article_text("tap-huan.md", MARKDOWN)
    assert article.title == "Tập huấn an toàn thông tin cho cán bộ"
    assert article.date == "01/05/2024 - 08:30"
    assert article.author == "Minh Anh"
    assert article.url == "https://example.org/tap-huan"
    assert article.paragraphs == (
        "Sáng 1-5, Sở Thông tin và Truyền thông tổ chức lớp tập huấn cho 120 cán bộ.",
        "Học viên được hướng dẫn phòng chống mã độc.",
    )


def test_markdown_title_from_heading_without_front_matter() -> None:
    article = parse_article_text("a.md", "# Tiêu đề\n\nNội dung bài viết.\n")
    assert (article.title, article.paragraphs) == ("Tiêu đề", ("Nội dung bài viết.",))


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("a.md", "---\ntitle: X\nNội dung\n", "thiếu dòng '---' đóng"),
        ("a.md", "---\ntitle X\n---\nNội dung\n", "dòng 2"),
        ("a.md", "Chỉ có nội dung, không tiêu đề.\n", "không có tiêu đề"),
        ("a.md", "---\ntitle: X\nurl: javascript:alert(1)\n---\nNội dung\n", "url không hợp lệ"),
        ("a.txt", "Tiêu đề\n\n", "không có đoạn nội dung"),
        ("a.txt", "27/02/2014 - 17:20\n\nNội dung.\n", "không có tiêu đề"),
        ("a.docx", "x", "định dạng không hỗ trợ"),
    ],
)
def test_malformed_articles_say_why(name: str, text: str, reason: str) -> None:
    with pytest.raises(ArticleError, match=reason):
        parse_article_text(name, text)


def test_encodings() -> None:
    text = "Tiêu đề\n\nNội dung có dấu tiếng Việt.\n"
    assert decode_article_bytes(text.encode("utf-8")) == (text, None)
    assert decode_article_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))[0] == text
    utf16, warning = decode_article_bytes(text.encode("utf-16"))
    assert utf16 == text and warning and "UTF-16" in warning
    with pytest.raises(ArticleError, match="nhị phân"):
        decode_article_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ArticleError, match="rỗng"):
        decode_article_bytes(b"  \n\t ")


def _cp1258(text: str) -> bytes:
    # Windows-1258 has letters such as "ê" but writes tones as combining marks: "ề" = ê + ̀.
    out = []
    for char in text:
        base, tone = _split_tone(char)
        out.append(
            base
            + (
                {"1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}.get(
                    tone, ""
                )
            )
        )
    return "".join(out).encode("cp1258")


def test_windows_1258_is_read_with_a_warning() -> None:
    text, warning = decode_article_bytes(_cp1258("Tiêu đề\n\nHội nghị tỉnh.\n"))
    assert warning and "Windows-1258" in warning
    article = parse_article_text("a.txt", text)
    assert article.title == "Tiêu đề" and article.paragraphs == ("Hội nghị tỉnh.",)


def test_bad_files_are_skipped_with_reasons_and_the_rest_loads(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / SEED.name).write_bytes(SEED.read_bytes())
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "utf16.txt").write_bytes("Bài UTF-16\n\nNội dung hợp lệ.\n".encode("utf-16"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    (folder / "big.txt").write_bytes(b"Tieu de\n\n" + b"a" * 2_000)
    (folder / ".hidden.txt").write_text("Tiêu đề\n\nNội dung.\n", encoding="utf-8")
    (folder / "draft.txt~").write_text("Tiêu đề\n\nNội dung.\n", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("Bí mật\n\nKhông được đọc.\n", encoding="utf-8")
    (folder / "link.txt").symlink_to(outside)
    (folder / ".cache").mkdir()
    (folder / ".cache" / "ignored.txt").write_text("x", encoding="utf-8")

    result = build_knowledge(folder, max_file_bytes=50_000)
    loaded = {f.article.file for f in result.files}
    reasons = {s.file: s.reason for s in result.skipped}
    assert loaded == {SEED.name, "utf16.txt", "big.txt"}
    assert "nhị phân" in reasons["binary.txt"]
    assert "rỗng" in reasons["empty.txt"]
    assert "không hỗ trợ" in reasons["notes.docx"]
    assert "tạm" in reasons[".hidden.txt"] and "tạm" in reasons["draft.txt~"]
    assert "ngoài thư mục" in reasons["link.txt"]
    assert not any("ignored" in name for name in reasons)
    assert [w.file for w in result.warnings] == ["utf16.txt"]

    small = build_knowledge(folder, max_file_bytes=1_500)
    assert "big.txt" in {s.file for s in small.skipped}
    assert "quá giới hạn" in {s.file: s.reason for s in small.skipped}["big.txt"]


def test_empty_or_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="Không tìm thấy"):
        build_knowledge(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(KnowledgeError, match="không có bài viết nào"):
        build_knowledge(tmp_path / "empty")
