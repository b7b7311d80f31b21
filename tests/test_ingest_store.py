"""Writing articles into the knowledge folder: atomically, once per link, recoverably removed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.engine import load_engine
from bot.ingest import store
from bot.ingest.model import Draft, IngestError
from bot.ingest.store import move_to_trash, save_draft
from bot.ingest.urls import normalize_url, same_article_keys
from tests.conftest import SEED
from tests.news_site import BRIDGE

LINK = "https://baodongkhoi.example/tin/khanh-thanh-cau-rach-mieu-2.html"
LIMIT = 5_000_000


def bridge_draft(
    *,
    url: str | None = LINK,
    paragraphs: tuple[str, ...] = BRIDGE.paragraphs,
    title: str = BRIDGE.title,
    same_as: tuple[str, ...] | None = None,
) -> Draft:
    keys = same_article_keys(url) if same_as is None else same_as
    return Draft(title, "2024-03-15 08:00", BRIDGE.author, url, paragraphs, keys)


def visible_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_an_article_is_written_as_markdown_with_front_matter(knowledge_copy: Path) -> None:
    added = save_draft(knowledge_copy, bridge_draft(), max_file_bytes=LIMIT)
    name = added.article.file
    assert name.startswith("khanh-thanh-cau-rach-mieu-2-noi-doi-bo-song-tien-") and name.endswith(
        ".md"
    )
    text = (knowledge_copy / name).read_text(encoding="utf-8")
    assert text.startswith(
        "---\n"
        f"title: {BRIDGE.title}\n"
        "date: 2024-03-15 08:00\n"
        f"author: {BRIDGE.author}\n"
        f"url: {LINK}\n"
        "---\n"
        f"{BRIDGE.lead}\n\n{BRIDGE.body[0]}\n"
    )
    assert added.replaced is None
    assert (added.article.title, added.article.date, added.article.url) == (
        BRIDGE.title,
        BRIDGE.date,
        LINK,
    )
    assert added.article.paragraphs == BRIDGE.paragraphs
    assert [p.name for p in knowledge_copy.iterdir() if p.name.startswith(".")] == []
    engine = load_engine(knowledge_copy)
    answer = engine.ask(BRIDGE.question)
    assert answer.found and answer.source is not None
    assert (answer.source.title, answer.source.url) == (BRIDGE.title, LINK)


@pytest.mark.parametrize(
    "again",
    [
        LINK,
        LINK + "?utm_source=zalo&fbclid=abc",
        LINK + "#binh-luan",
        LINK.replace("https://baodongkhoi.example", "HTTPS://BaoDongKhoi.Example:443"),
    ],
)
def test_the_same_link_again_updates_its_file(knowledge_copy: Path, again: str) -> None:
    first = save_draft(knowledge_copy, bridge_draft(), max_file_bytes=LIMIT)
    corrected = (
        *BRIDGE.paragraphs[:-1],
        "Đoạn cuối đã được tòa soạn cập nhật lại sau khi bài "
        "đăng, bổ sung ý kiến của người dân hai bờ sông Tiền.",
    )
    draft = bridge_draft(
        paragraphs=corrected, title=BRIDGE.title + " (cập nhật)", same_as=same_article_keys(again)
    )
    second = save_draft(knowledge_copy, draft, max_file_bytes=LIMIT)
    assert second.article.file == first.article.file
    assert second.replaced == first.article.file
    assert visible_files(knowledge_copy) == sorted([SEED.name, first.article.file])
    text = (knowledge_copy / first.article.file).read_text(encoding="utf-8")
    assert "(cập nhật)" in text and "tòa soạn cập nhật" in text


def test_a_txt_with_the_same_link_is_replaced_and_kept_in_the_trash(knowledge_copy: Path) -> None:
    old = knowledge_copy / "cau-rach-mieu.txt"
    old.write_text(
        f"{BRIDGE.title}\n\n15/03/2024 - 08:00\n\n{BRIDGE.lead}\n\nNguồn: {LINK}\n",
        encoding="utf-8",
    )
    added = save_draft(knowledge_copy, bridge_draft(), max_file_bytes=LIMIT)
    assert added.replaced == "cau-rach-mieu.txt"
    assert not old.exists()
    assert visible_files(knowledge_copy) == sorted([SEED.name, added.article.file])
    [kept] = (knowledge_copy / ".trash").iterdir()
    assert kept.name.endswith("-cau-rach-mieu.txt")
    engine = load_engine(knowledge_copy)
    assert [a.title for a in engine.articles].count(BRIDGE.title) == 1


def test_a_new_article_never_overwrites_a_file(knowledge_copy: Path) -> None:
    draft = bridge_draft(url=None)
    taken = knowledge_copy / store.file_name_for(draft)
    taken.write_text(
        "---\ntitle: Bài khác\n---\nNội dung của một bài khác hẳn.\n", encoding="utf-8"
    )
    added = save_draft(knowledge_copy, draft, max_file_bytes=LIMIT)
    assert added.article.file == taken.name.replace(".md", "-1.md")
    assert "Bài khác" in taken.read_text(encoding="utf-8")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = save_draft(knowledge_copy, bridge_draft(), max_file_bytes=LIMIT)
    before = (knowledge_copy / first.article.file).read_bytes()

    def disk_full(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(IngestError, match="không ghi được tệp vào thư mục kho"):
        save_draft(knowledge_copy, bridge_draft(title="Tiêu đề mới"), max_file_bytes=LIMIT)
    assert (knowledge_copy / first.article.file).read_bytes() == before
    assert [p.name for p in knowledge_copy.iterdir() if p.name.startswith(".ingest")] == []


def test_what_would_not_read_back_is_not_written(knowledge_copy: Path) -> None:
    with pytest.raises(IngestError, match="dài quá giới hạn"):
        save_draft(knowledge_copy, bridge_draft(), max_file_bytes=500)
    with pytest.raises(IngestError, match="đọc lại"):
        save_draft(knowledge_copy, bridge_draft(paragraphs=("---",)), max_file_bytes=LIMIT)
    assert visible_files(knowledge_copy) == [SEED.name]


def test_front_matter_values_stay_on_their_line(knowledge_copy: Path) -> None:
    draft = Draft(
        '"Cú hích" cho\nkinh tế: tỉnh nói gì?',
        None,
        "Minh\r\nAnh",
        None,
        ("- Thưa ông, " + BRIDGE.body[0], *BRIDGE.body[1:]),
    )
    article = save_draft(knowledge_copy, draft, max_file_bytes=LIMIT).article
    assert article.title == "“Cú hích” cho kinh tế: tỉnh nói gì?"
    assert article.author == "Minh Anh" and article.date is None
    assert article.paragraphs[0].startswith("– Thưa ông,")  # a dialogue dash, not a list


def test_removal_moves_the_file_to_the_trash(knowledge_copy: Path) -> None:
    added = save_draft(knowledge_copy, bridge_draft(), max_file_bytes=LIMIT)
    removed = move_to_trash(knowledge_copy, added.article.file)
    assert removed.file == added.article.file
    assert removed.kept_as.startswith(".trash/")
    assert (knowledge_copy / removed.kept_as).exists()
    assert visible_files(knowledge_copy) == [SEED.name]
    assert [a.file for a in load_engine(knowledge_copy).articles] == [SEED.name]
    with pytest.raises(IngestError, match="không còn tệp"):
        move_to_trash(knowledge_copy, added.article.file)
    with pytest.raises(IngestError, match="ngoài thư mục"):
        move_to_trash(knowledge_copy, "../../etc/passwd")


def test_links_compare_without_tracking_fragments_or_default_ports() -> None:
    assert normalize_url("HTTPS://Báo.vn:443/tin/a b.html?utm_source=zalo&id=3#top") == (
        "https://xn--bo-mia.vn/tin/a%20b.html?id=3"
    )
    assert same_article_keys(
        "https://a.vn/", "https://a.vn/x?fbclid=1", None, "ftp://a.vn/y", "https://a.vn/x"
    ) == ("https://a.vn/x",)  # a front page names none
