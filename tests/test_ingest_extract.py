"""Reading the article out of a news page, a Word file or a PDF, in whatever encoding."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest

from bot.ingest.documents import extract_docx, extract_pdf
from bot.ingest.model import Draft, IngestError
from bot.ingest.sources import read_file
from bot.ingest.webpage import extract_page
from tests.news_site import (
    BRIDGE,
    BUSES,
    CAPTION,
    COMMENTS,
    FESTIVAL,
    LISTING_PAGE,
    RELATED,
    NewsArticle,
    national_page,
    old_table_page,
    provincial_page,
    to_cp1258,
    to_tcvn3,
    to_vni,
)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Vietnamese glyphs, for PDFs


def assert_reads_as(draft: Draft, article: NewsArticle, *, with_time: bool = True) -> None:
    assert draft.title == article.title
    assert draft.paragraphs == article.paragraphs
    assert draft.author == article.author
    day, time_of_day = article.date.split(" - ")
    d, m, y = day.split("/")
    assert draft.date == (f"{y}-{m}-{d} {time_of_day}" if with_time else f"{y}-{m}-{d}")
    text = " ".join(draft.paragraphs)
    for boilerplate in (
        *RELATED,
        *COMMENTS,
        CAPTION,
        "Chia sẻ",
        "Bình luận",
        "Từ khóa",
        "Đọc nhiều",
        "Giấy phép",
    ):
        assert boilerplate not in text


# --- Pages ----------------------------------------------------------------------------------


def test_a_provincial_papers_page_gives_the_article_with_its_lead_and_byline() -> None:
    url = "https://baodongkhoi.example/tin/khanh-thanh-cau-rach-mieu-2.html"
    draft = extract_page(provincial_page(BRIDGE, url=url).encode(), url=url + "?utm_source=zalo")
    assert_reads_as(draft, BRIDGE)
    assert draft.url == url  # tracking parameters dropped
    assert draft.same_as == (url,)


def test_a_national_sites_page_gives_the_article_without_its_related_box() -> None:
    assert_reads_as(extract_page(national_page(BUSES).encode()), BUSES)


def test_an_old_portal_in_a_table_layout_gives_the_article() -> None:
    draft = extract_page(old_table_page(FESTIVAL, charset="utf-8").encode())
    assert_reads_as(draft, FESTIVAL, with_time=False)  # the page prints the day only
    assert draft.notes == ()


def test_a_saved_page_is_cited_with_its_own_canonical_link() -> None:
    url = "https://baodongkhoi.example/tin/khanh-thanh-cau-rach-mieu-2.html"
    draft = read_file(
        "Khánh thành cầu.html", provincial_page(BRIDGE, url=url).encode(), max_bytes=10**6
    )
    assert draft.url == url and draft.same_as == (url,)
    saved = (
        "<!-- saved from url=(0049)https://thanhnien.example/le-hoi-dua-123.html -->\n"
        + old_table_page(FESTIVAL, charset="utf-8")
    )
    assert read_file("trang.htm", saved.encode(), max_bytes=10**6).url == (
        "https://thanhnien.example/le-hoi-dua-123.html"
    )


@pytest.mark.parametrize(
    "page, why",
    [
        (LISTING_PAGE, "không tìm thấy bài viết"),
        (
            "<html><head><title>Tin tức</title></head><body><div id='app'></div><noscript>Vui lòng "
            "bật JavaScript để xem trang.</noscript><script>render()</script></body></html>",
            "không tìm thấy bài viết",
        ),
        (
            "<html><body><h1>404</h1><p>Trang không tồn tại hoặc đã bị xóa.</p></body></html>",
            "không tìm thấy bài viết",
        ),
    ],
)
def test_a_page_that_is_not_an_article_is_refused(page: str, why: str) -> None:
    with pytest.raises(IngestError, match=why):
        extract_page(page.encode())


def test_extraction_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("extraction tried the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    # htmldate fetches a string that looks like a link: it must never be handed one.
    draft = extract_page(
        provincial_page(BRIDGE, url="https://baodongkhoi.example/a.html").encode(),
        url="https://baodongkhoi.example/a.html",
    )
    assert draft.title == BRIDGE.title


# --- Encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize("charset", ["windows-1258", None, "utf-8"])
def test_a_windows_1258_page_is_converted_declared_undeclared_or_mislabelled(
    charset: str | None,
) -> None:
    draft = extract_page(to_cp1258(old_table_page(FESTIVAL, charset=charset)))
    assert_reads_as(draft, FESTIVAL, with_time=False)
    assert draft.notes == ("trang mã hóa Windows-1258; đã chuyển sang Unicode",)


def test_the_servers_charset_counts_before_the_pages_own() -> None:
    data = to_cp1258(old_table_page(FESTIVAL, charset=None))
    assert_reads_as(extract_page(data, charset="windows-1258"), FESTIVAL, with_time=False)


@pytest.mark.parametrize("charset", ["windows-1252", "iso-8859-1", None])
def test_a_vni_page_is_converted(charset: str | None) -> None:
    page = to_vni(old_table_page(FESTIVAL, charset=charset, font="VNI-Times"))
    draft = extract_page(page.encode("cp1252"))
    assert_reads_as(draft, FESTIVAL, with_time=False)
    assert draft.notes == ("trang viết bằng bảng mã VNI; đã chuyển sang Unicode",)


def test_a_vni_page_written_with_entities_is_converted() -> None:
    page = to_vni(old_table_page(FESTIVAL, charset="iso-8859-1", font="VNI-Times"))
    draft = extract_page(page.encode("ascii", "xmlcharrefreplace"))  # "Vi&#234;&#228;t"
    assert_reads_as(draft, FESTIVAL, with_time=False)


def test_a_tcvn3_page_is_converted() -> None:
    page = to_tcvn3(old_table_page(FESTIVAL, charset=None, font=".VnTime"))
    draft = extract_page(page.encode("cp1252"))
    assert draft.paragraphs == FESTIVAL.paragraphs  # "ư" is a soft hyphen in TCVN3
    assert draft.notes == ("trang viết bằng bảng mã TCVN3 (ABC); đã chuyển sang Unicode",)


def test_a_page_in_an_unknown_encoding_is_refused_with_the_reason() -> None:
    russian = (
        "<html><body><h1>Новости провинции</h1><p>Сегодня в провинции открыли новый "
        "мост через реку, который соединил два берега и сократил путь.</p></body></html>"
    )
    with pytest.raises(IngestError, match="bảng mã không phải UTF-8, Windows-1258, VNI hay"):
        extract_page(russian.encode("cp1251"))


# --- Word -----------------------------------------------------------------------------------


def make_docx(article: NewsArticle, *, heading: bool = True) -> bytes:
    import docx

    document = docx.Document()
    if heading:
        document.add_heading(article.title, level=1)
    else:
        document.add_paragraph(article.title)
    document.add_paragraph(f"Thứ Sáu, {article.date}")
    for paragraph in article.paragraphs:
        document.add_paragraph(paragraph)
    document.add_paragraph("- Thưa bà, lễ hội năm sau có gì mới?")
    document.add_paragraph(article.author)
    document.core_properties.author = "Administrator"  # the PC's user, not the writer
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("heading", [True, False])
def test_a_word_file_gives_title_date_body_and_byline(heading: bool) -> None:
    draft = extract_docx(make_docx(FESTIVAL, heading=heading))
    assert draft.title == FESTIVAL.title
    assert draft.date == "2024-04-12 19:45"
    assert draft.author == FESTIVAL.author
    assert draft.paragraphs == (*FESTIVAL.paragraphs, "- Thưa bà, lễ hội năm sau có gì mới?")
    assert draft.url is None


@pytest.mark.parametrize(
    "data, why",
    [
        (b"PK\x03\x04 not really a zip", "bị hỏng hoặc không phải tệp Word"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "lưu lại thành .docx"),  # a .doc
    ],
)
def test_a_broken_or_old_word_file_is_refused(data: bytes, why: str) -> None:
    with pytest.raises(IngestError, match=why):
        read_file("bai.docx", data, max_bytes=10**6)


# --- PDF ------------------------------------------------------------------------------------


def make_pdf(article: NewsArticle | None, *, pages: int = 1, spaced: bool = True) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    if article is None:  # a scan: a picture of text, no text layer
        pdf.add_page()
        pdf.set_fill_color(200, 200, 200)
        for row in range(20):
            pdf.rect(20, 20 + row * 10, 170, 4, style="F")
        return bytes(pdf.output())
    pdf.set_title(article.title)
    pdf.set_author(article.author)
    paragraphs = list(article.paragraphs)
    per_page = -(-len(paragraphs) // pages)
    for page in range(pages):
        pdf.add_page()
        if page == 0:
            pdf.set_font("DejaVu", size=16)
            pdf.multi_cell(0, 9, article.title, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", size=10)
            pdf.multi_cell(0, 6, article.date, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_font("DejaVu", size=11)
        for paragraph in paragraphs[page * per_page : (page + 1) * per_page]:
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
            if spaced:
                pdf.ln(3)
        if page == pages - 1:
            pdf.multi_cell(0, 6, article.author, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(-15)
        pdf.cell(0, 6, str(page + 1), align="C")  # page number
    return bytes(pdf.output())


needs_font = pytest.mark.skipif(not FONT.exists(), reason="no Unicode TTF font for the PDF")


@needs_font
@pytest.mark.parametrize("pages, spaced", [(1, True), (2, True), (1, False)])
def test_a_pdf_with_a_text_layer_gives_the_article(pages: int, spaced: bool) -> None:
    draft = extract_pdf(make_pdf(BUSES, pages=pages, spaced=spaced))
    assert draft.title == BUSES.title
    assert draft.date == "2024-03-20 06:30"
    assert draft.author == BUSES.author
    if spaced:
        assert draft.paragraphs == BUSES.paragraphs  # lines joined, page numbers dropped
    else:  # no gaps: a paragraph ends on a short line ending a sentence, so some run together
        assert " ".join(draft.paragraphs) == " ".join(BUSES.paragraphs)
        assert len(draft.paragraphs) > 1


@needs_font
def test_a_scanned_pdf_is_refused_with_the_reason() -> None:
    with pytest.raises(IngestError, match="không có lớp chữ"):
        extract_pdf(make_pdf(None))


def test_a_broken_pdf_is_refused() -> None:
    with pytest.raises(IngestError, match="PDF bị hỏng"):
        extract_pdf(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF")


def test_only_pages_word_and_pdf_files_are_converted() -> None:
    with pytest.raises(IngestError, match=r"\.html, \.htm, \.docx hoặc \.pdf"):
        read_file("anh.png", b"\x89PNG....", max_bytes=10**6)
    with pytest.raises(IngestError, match="lớn quá giới hạn"):
        read_file("bai.pdf", b"%PDF-" + b"0" * 2000, max_bytes=1000)


def test_a_file_that_trips_up_a_parser_is_refused_not_crashed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.ingest import sources

    def broken(data: bytes) -> Draft:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(sources, "extract_page", broken)
    with pytest.raises(IngestError, match="lỗi RecursionError khi phân tích"):
        read_file("trang.html", b"<html><body><div>" * 10 + b"</body></html>", max_bytes=10**6)
