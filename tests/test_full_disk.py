"""A full disk, for real: a 4 MB tmpfs filled to the last byte (as root; skipped when this
machine cannot mount one). The index cache, an upload and the question log each fail
cleanly: the bot keeps answering, nothing half-written is left, the admin is told in one
line, and the write is made once there is room again."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core import cache
from bot.core.engine import load_engine
from bot.core.model import AnswerKind
from bot.querylog import Entry, QuestionLog
from bot.telegram_bot import texts
from bot.telegram_bot.app import build_application
from bot.telegram_bot.runner import build_live_engine
from bot.telegram_bot.upload import save_new_file
from tests.conftest import SEED
from tests.fake_bot_api import TOKEN, FakeBotApi, make_user, polling, private_chat
from tests.test_telegram_bot import replies_to

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

QUESTION = "Ai chủ trì hội nghị?"
ADMIN = make_user(1001, "Quản trị", username="quantri")
USER = make_user(2002, "Lan")
FILLER = ".filler"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small file system")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> None:
    """Take every free byte of the file system."""
    with (folder / FILLER).open("ab", buffering=0) as out:
        for size in (65536, 1):
            with contextlib.suppress(OSError):
                while out.write(b"\0" * size):
                    pass
    probe = folder / ".probe"
    with pytest.raises(OSError) as full:
        probe.write_bytes(b"x" * 4096)
    probe.unlink(missing_ok=True)
    assert full.value.errno == errno.ENOSPC


def free_up(folder: Path) -> None:
    (folder / FILLER).unlink()


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name != FILLER)


def test_the_cache_on_a_full_disk_is_not_written_then_written_later(
    small_disk: Path, knowledge_copy: Path
) -> None:
    cache_dir = small_disk / "cache"
    cache_dir.mkdir()
    fill(small_disk)
    engine = load_engine(knowledge_copy, cache_dir=cache_dir)
    assert engine.ask(QUESTION).found  # answers from the index in memory
    assert "No space left" in cache.failed_saves()[cache_dir.resolve()]
    assert files_in(cache_dir) == []  # no torn cache, no temporary file
    free_up(small_disk)
    assert cache.retry_failed_saves() == [cache_dir.resolve()]
    assert cache_dir.resolve() not in cache.failed_saves()
    assert cache.load_index(cache_dir) is not None


def test_an_upload_on_a_full_disk_leaves_nothing(small_disk: Path) -> None:
    folder = small_disk / "knowledge"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    fill(small_disk)
    article = b"Bai moi\n\nNgay 1-1-2024\n\n" + "Nội dung bài mới. ".encode() * 5000
    with pytest.raises(OSError) as failed:
        save_new_file(folder, "bai-moi.txt", article)
    assert failed.value.errno == errno.ENOSPC
    assert files_in(folder) == [SEED.name]
    free_up(small_disk)
    assert save_new_file(folder, "bai-moi.txt", article).read_bytes() == article


def test_the_log_on_a_full_disk_keeps_its_rows_and_writes_the_rest_later(
    small_disk: Path,
) -> None:
    question_log = QuestionLog(small_disk / "questions.sqlite3")
    entry = Entry("private", QUESTION, True, AnswerKind.FOUND.value, "Bài", "a.txt", 1, 2.0, 9.0)
    written = [question_log.record(entry) for _ in range(3)]
    assert None not in written
    fill(small_disk)
    for _ in range(200):  # until the write-ahead log needs a new page
        row = question_log.record(entry)
        if row is None:
            break
        written.append(row)
    assert question_log.problem is not None and "full" in question_log.problem
    assert question_log.backlog >= 1
    waiting = question_log.backlog
    free_up(small_disk)
    assert question_log.retry_backlog() == waiting
    assert question_log.problem is None and question_log.backlog == 0
    rows = question_log.read(lambda c: c.execute("SELECT count(*) FROM questions").fetchone()[0])
    check = question_log.read(lambda c: c.execute("PRAGMA integrity_check").fetchone()[0])
    question_log.close()
    assert check == "ok"
    assert rows == len(written) + waiting  # every acknowledged row, and the one kept


def test_the_bot_on_a_full_disk_answers_tells_the_admin_and_recovers(
    small_disk: Path, knowledge_copy: Path
) -> None:
    server = FakeBotApi().start()
    question_log = QuestionLog(small_disk / "questions.sqlite3")
    settings = Settings(
        knowledge_dir=knowledge_copy,
        cache_dir=small_disk / "cache",
        admin_ids=frozenset({ADMIN["id"]}),
        api_url=server.api_url,
        token=TOKEN,
        log_db=None,
        disk_retry_seconds=1,
    )
    settings.index_cache_dir.mkdir()
    fill(small_disk)
    live = build_live_engine(settings)  # the cache cannot be written at the start

    def to_admin(text: str) -> list[str]:
        calls = server.calls_to("sendMessage", lambda c: c["chat_id"] == ADMIN["id"])
        return [c["text"] for c in calls if c["text"].startswith(text)]

    async def scenario() -> None:
        application = build_application(settings, live, question_log=question_log)
        async with polling(application):
            [cache_line] = await server.wait_for(
                "sendMessage", lambda c: c["chat_id"] == ADMIN["id"], timeout=10
            )
            assert cache_line["text"].startswith("⚠️ Không ghi được chỉ mục")
            assert "\n" not in cache_line["text"]
            for _ in range(40):  # until the log's write-ahead file needs a new page
                message = server.send_text(private_chat(USER), USER, QUESTION)
                [answer] = await server.wait_for("sendMessage", replies_to(message), timeout=20)
                assert "chủ trì" in answer["text"]  # answered all the same
                if question_log.problem is not None:
                    break
            await server.wait_for(
                "sendMessage",
                lambda c: c["text"].startswith("⚠️ Không ghi được nhật ký"),
                timeout=10,
            )
            free_up(small_disk)
            for line in texts.DISK_WRITTEN_AGAIN.values():
                await server.wait_for("sendMessage", lambda c, s=line: c["text"] == s, timeout=10)
            assert len(to_admin("⚠️")) == 2  # each told once
        assert question_log.backlog == 0
        assert cache.load_index(settings.index_cache_dir) is not None

    try:
        asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    finally:
        question_log.close()
        server.stop()
