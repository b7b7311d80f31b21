"""Hostile knowledge: every bad file is skipped (or read with a warning) naming it, the rest
still loads, nothing outside the folder is ever read, and a reload survives files vanishing
under it. (test_articles.py covers the basic cases one by one; here they come all at once,
and through the bot's reload.)"""

from __future__ import annotations

import asyncio
import codecs
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.core import knowledge as knowledge_module
from bot.core.articles import DEFAULT_MAX_FILE_BYTES, iter_knowledge_files, read_file_bytes
from bot.core.engine import load_engine
from bot.core.errors import ArticleError
from bot.core.live import LiveEngine
from bot.telegram_bot.render import reload_html
from bot.telegram_bot.runner import build_live_engine, make_loader
from tests.conftest import SEED
from tests.strict_html import plain_text
from tests.test_articles import _cp1258

GOOD = (
    "Bài viết hợp lệ số {n}\n\n01/03/2024 - 08:00\n\nHội nghị lần thứ {n} bàn về cầu Rạch Miễu.\n"
)
SECRET = "Bí mật ngoài thư mục\n\nMật khẩu quản trị là cá-voi-xanh.\n"
FIFTY_MB = 50 * 1024 * 1024

# name -> (what the file is, the words its skip reason must hold; None: loaded)
HOSTILE: dict[str, tuple[str, str | None]] = {
    "binary.txt": ("binary", "nhị phân"),
    "utf16-le.txt": ("UTF-16 LE with BOM", None),
    "utf16-be.md": ("UTF-16 BE with BOM", None),
    "windows-1258.txt": ("Windows-1258", None),
    "no-title.txt": ("a date where the title should be", "không có tiêu đề"),
    "no-title.md": ("Markdown without a title", "không có tiêu đề"),
    "huge.txt": ("50 MB", "quá giới hạn"),
    "outside-link.txt": ("symlink to a file outside", "ngoài thư mục"),
    "relative-outside.md": ("relative symlink ../", "ngoài thư mục"),
    "etc-passwd.txt": ("symlink to /etc/passwd", "ngoài thư mục"),
    "outside-dir": ("symlink to a folder outside", "ngoài thư mục"),
    "loop.txt": ("a symlink to itself", "ngoài thư mục"),
    ".hidden.txt": ("hidden", "tạm"),
    "draft.txt~": ("editor backup", "tạm"),
    ".draft.txt.swp": ("vim swap", "tạm"),
    "#draft.txt#": ("emacs autosave", "tạm"),
    "~$draft.md": ("office lock", "tạm"),
    "download.txt.part": ("partial download", "tạm"),
    "4913": ("vim's probe file", "không hỗ trợ"),
    "pipe.txt": ("a named pipe (would block a reader forever)", "không phải tệp thường"),
    "empty.md": ("empty", "rỗng"),
    "nul-padded.txt": ("text then NUL bytes", "nhị phân"),
}


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / SEED.name).write_bytes(SEED.read_bytes())
    (folder / "good-1.txt").write_text(GOOD.format(n=1), encoding="utf-8")
    sub = folder / "sub"
    sub.mkdir()
    (sub / "good-2.txt").write_text(GOOD.format(n=2), encoding="utf-8")
    (folder / "inside-link.txt").symlink_to(sub / "good-2.txt")  # inside: read

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "secret2.txt").write_text(SECRET, encoding="utf-8")

    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    text = GOOD.format(n=3)
    (folder / "utf16-le.txt").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    (folder / "utf16-be.md").write_bytes(
        codecs.BOM_UTF16_BE + f"# Bài UTF-16 BE\n\n{text}".encode("utf-16-be")
    )
    (folder / "windows-1258.txt").write_bytes(_cp1258(GOOD.format(n=4)))
    (folder / "no-title.txt").write_text("27/02/2014 - 17:20\n\nNội dung.\n", encoding="utf-8")
    (folder / "no-title.md").write_text("Chỉ có nội dung, không tiêu đề.\n", encoding="utf-8")
    with (folder / "huge.txt").open("wb") as handle:  # sparse: instant, no disk used
        handle.write(b"Tieu de\n\n")
        handle.truncate(FIFTY_MB)
    (folder / "outside-link.txt").symlink_to(outside / "secret.txt")
    (folder / "relative-outside.md").symlink_to(Path("..") / "outside" / "secret2.txt")
    (folder / "etc-passwd.txt").symlink_to("/etc/passwd")
    (folder / "outside-dir").symlink_to(outside, target_is_directory=True)
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    for name in (
        ".hidden.txt",
        "draft.txt~",
        ".draft.txt.swp",
        "#draft.txt#",
        "~$draft.md",
        "download.txt.part",
        "4913",
    ):
        (folder / name).write_text(GOOD.format(n=9), encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "empty.md").write_bytes(b"")
    (folder / "nul-padded.txt").write_bytes(GOOD.format(n=5).encode() + b"\x00" * 500)
    return folder


def _load(
    folder: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> tuple[set[str], dict[str, str], dict[str, str]]:
    engine = load_engine(folder, max_file_bytes=max_file_bytes)
    loaded = {a.file for a in engine.articles}
    reasons = {s.file: s.reason for s in engine.skipped}
    warnings = {w.file: w.message for w in engine.warnings}
    return loaded, reasons, warnings


def test_every_hostile_file_is_named_with_a_reason_and_the_rest_loads(
    hostile_folder: Path,
) -> None:
    started = time.monotonic()
    loaded, reasons, warnings = _load(hostile_folder)
    assert time.monotonic() - started < 10  # the 50 MB file is not read whole, the FIFO not opened

    assert loaded == {
        SEED.name,
        "good-1.txt",
        "sub/good-2.txt",
        "inside-link.txt",
        "utf16-le.txt",
        "utf16-be.md",
        "windows-1258.txt",
    }
    for name, (what, reason) in HOSTILE.items():
        if reason is None:
            assert name in loaded, what
        else:
            assert name in reasons, f"{what} ({name}) was not reported"
            assert reason in reasons[name], f"{what}: {reasons[name]}"
    assert set(warnings) == {"utf16-le.txt", "utf16-be.md", "windows-1258.txt"}
    assert "UTF-16" in warnings["utf16-le.txt"] and "Windows-1258" in warnings["windows-1258.txt"]
    assert "5.000.000 byte" in reasons["huge.txt"]
    # Nothing from outside the folder became an article.
    engine = load_engine(hostile_folder)
    everything = " ".join(p.text for p in engine.passages) + " ".join(
        a.title for a in engine.articles
    )
    assert "cá-voi-xanh" not in everything and "root:" not in everything
    assert not any(name.startswith("outside-dir/") for name in [*loaded, *reasons])


def test_symlinks_are_never_opened_outside_the_folder(
    hostile_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []
    real_open = Path.open

    def spying_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        opened.append(self.resolve())
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", spying_open)
    load_engine(hostile_folder)
    root = hostile_folder.resolve()
    assert opened and all(path.is_relative_to(root) for path in opened), opened
    assert root / "pipe.txt" not in opened


def test_the_size_limit_is_configurable(hostile_folder: Path, tmp_path: Path) -> None:
    # Raised above 50 MB the big file is read (and refused for what it is: NUL bytes).
    _, reasons, _ = _load(hostile_folder, max_file_bytes=60 * 1024 * 1024)
    assert "quá giới hạn" not in reasons["huge.txt"] and "nhị phân" in reasons["huge.txt"]
    # Lowered, a normal article is refused and named.
    assert (hostile_folder / "good-1.txt").stat().st_size > 60
    (hostile_folder / "tiny.txt").write_text("Tin vắn\n\nHọp giao ban.\n", encoding="utf-8")
    loaded, reasons, _ = _load(hostile_folder, max_file_bytes=60)
    assert loaded == {"tiny.txt"}
    assert "good-1.txt" not in loaded and "quá giới hạn 60 byte" in reasons["good-1.txt"]
    assert SEED.name in reasons  # the seed is larger too
    # From the environment (or [knowledge] max_file_bytes in config/bot.toml).
    settings = load_settings(
        None, {"BOT_MAX_FILE_BYTES": "1234", "BOT_CONFIG": str(tmp_path / "missing.toml")}
    )
    assert settings.max_file_bytes == 1234
    with pytest.raises(ArticleError, match=r"quá giới hạn 1\.234 byte"):
        read_file_bytes(hostile_folder / "huge.txt", settings.max_file_bytes)


@pytest.mark.parametrize("moment", ["after listing", "after the first read"])
def test_a_file_deleted_while_a_reload_reads_it(
    hostile_folder: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    victim = hostile_folder / "good-1.txt"
    settings = Settings(knowledge_dir=hostile_folder, token=None, log_db=None)
    live = LiveEngine(load_engine(hostile_folder), make_loader(settings, lambda: None))

    if moment == "after listing":
        real_scan = knowledge_module.scan_knowledge_files

        def deleting_scan(folder: Path) -> Iterator[tuple[str, str | None, str | None]]:
            entries = list(real_scan(folder))  # the listing is complete ...
            victim.unlink()  # ... then the file goes
            yield from entries

        monkeypatch.setattr(knowledge_module, "scan_knowledge_files", deleting_scan)
    else:
        real_read = knowledge_module.read_file_bytes
        victim.write_text(GOOD.format(n=7), encoding="utf-8")  # changed: read twice

        def deleting_read(path: Path, limit: int) -> bytes:
            data = real_read(path, limit)
            if path.name == victim.name and path.exists():
                path.unlink()  # gone between the fingerprint and the analysis
            return data

        monkeypatch.setattr(knowledge_module, "read_file_bytes", deleting_read)

    report = asyncio.run(live.reload())
    assert report.ok
    reasons = {s.file: s.reason for s in report.skipped}
    assert "bị xóa" in reasons["good-1.txt"]
    assert {a.file for a in live.engine.articles} >= {SEED.name, "sub/good-2.txt"}
    plain = plain_text(reload_html(report))  # what the admin reads
    assert "good-1.txt" in plain and "bị xóa" in plain


def test_the_bot_names_skipped_files_in_its_log_at_start(
    hostile_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(knowledge_dir=hostile_folder, token=None, log_db=None)
    with caplog.at_level(logging.WARNING, logger="bot"):
        build_live_engine(settings)
    for name, (_, reason) in HOSTILE.items():
        if reason is not None:
            assert name in caplog.text, name
    assert "utf16-le.txt" in caplog.text  # read with a warning, named too


def test_listing_skips_special_files_without_opening_them(hostile_folder: Path) -> None:
    entries = {rel: (path, reason) for rel, path, reason in iter_knowledge_files(hostile_folder)}
    path, reason = entries["pipe.txt"]
    assert path is None and reason is not None


def test_listing_order_files_then_links_to_folders_then_subfolders(tmp_path: Path) -> None:
    """A folder's files sorted by name, then its links to folders (named, never entered),
    then each subfolder in turn; hidden folders such as the index cache are not entered."""
    folder = tmp_path / "knowledge"
    (folder / "b-sub" / "deeper").mkdir(parents=True)
    (folder / "a-sub").mkdir()
    (folder / ".cache").mkdir()
    for name in (
        "b.txt",
        "a.md",
        "b-sub/z.txt",
        "b-sub/deeper/q.md",
        "a-sub/k.txt",
        ".cache/i.txt",
    ):
        (folder / name).write_text("Tiêu đề\n\nNội dung.\n", encoding="utf-8")
    (folder / "linked").symlink_to(folder / "a-sub", target_is_directory=True)
    listed = [(rel, path is not None) for rel, path, _ in iter_knowledge_files(folder)]
    assert listed == [
        ("a.md", True),
        ("b.txt", True),
        ("linked", False),
        ("a-sub/k.txt", True),
        ("b-sub/z.txt", True),
        ("b-sub/deeper/q.md", True),
    ]
