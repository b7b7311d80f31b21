"""Crash-safe writes (bot/core/durable.py), and the kill test in its reduced form (the full
one: `python -m tests.kill_test`, 200 kills)."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import NoReturn

import pytest

from bot.core import cache, durable
from bot.core.engine import load_engine
from tests.kill_test import run


def test_a_new_file_never_replaces_one_and_leaves_no_temporary(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"old")
    saved = durable.write_new(
        tmp_path, b"new", "article", lambda n: "a.txt" if n == 0 else f"a-{n}.txt"
    )
    assert saved.name == "a-1.txt" and saved.read_bytes() == b"new"
    assert (tmp_path / "a.txt").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-1.txt", "a.txt"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "index.bin"
    target.write_bytes(b"complete")
    with pytest.raises(RuntimeError), durable.replacing(target, "index") as out:
        out.write(b"half")
        raise RuntimeError("killed")
    assert target.read_bytes() == b"complete"
    assert [p.name for p in tmp_path.iterdir()] == ["index.bin"]


def test_only_the_temporaries_of_dead_writers_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / durable.temporary_name("article")
    dead.write_bytes(b"half an article")  # its writer was killed: nobody holds its lock
    other = tmp_path / ".notes.tmp"  # not ours
    other.write_bytes(b"x")
    with durable.temporary_file(tmp_path, "article") as (_, alive):
        assert durable.remove_abandoned(tmp_path, ("article",)) == [dead.name]
        assert alive.exists()  # being written now
    assert sorted(p.name for p in tmp_path.iterdir()) == [".notes.tmp"]


def test_a_failed_cache_write_is_kept_and_retried(
    tmp_path: Path, knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_dir = tmp_path / "cache"
    real = durable.replacing

    def full_disk(target: Path, prefix: str) -> NoReturn:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(durable, "replacing", full_disk)
    engine = load_engine(knowledge_copy, cache_dir=cache_dir)
    assert engine.ask("Ai chủ trì hội nghị?").found
    assert cache.failed_saves()[cache_dir.resolve()] == "No space left on device"
    assert cache.retry_failed_saves() == []  # still full
    monkeypatch.setattr(durable, "replacing", real)
    assert cache.retry_failed_saves() == [cache_dir.resolve()]
    assert cache_dir.resolve() not in cache.failed_saves()
    assert cache.load_index(cache_dir) is not None


def test_kill_test_reduced() -> None:
    """Eight SIGKILLs, two per workload; each start after one answers the dev set as a clean
    build did, trusts no torn file, and has every acknowledged upload, row and vote."""
    tally = run(kills=8, seed=14, quiet=True)
    assert tally.failures == []
    assert sum(tally.kills.values()) == 8 and len(tally.kills) == 4
    assert tally.dev_checks >= 8 and tally.integrity_checks >= 2
    assert tally.rows_acknowledged > 0 and tally.uploads_acknowledged > 0


def test_the_kill_test_notices_a_torn_upload_and_a_lost_row(tmp_path: Path) -> None:
    """The checks after a kill can fail: a half-written upload, an acknowledged row gone."""
    import random

    from bot.querylog import QuestionLog
    from tests.kill_test import KillTest, upload_content

    test = KillTest(tmp_path, random.Random(0))
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "up-3.txt").write_bytes(upload_content(3)[:1000])
    test.uploads[4] = "up-4.txt"  # acknowledged, not there
    test._check_uploads()
    QuestionLog(tmp_path / "questions.sqlite3").close()
    test.rows.add(1)
    test._check_log()
    assert len(test.tally.failures) == 3, test.tally.failures
