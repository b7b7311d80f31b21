"""The kill test: SIGKILL at random instants of the bot's writes, then check what a start finds.

    python -m tests.kill_test                  # the full run: 200 kills, 50 per workload
    python -m tests.kill_test --kills 20 --seed 7

Four workloads, each a child process killed at a random instant of its run (for half of the
index and reload kills, a random instant of its cache write, which is short):

- index:  `python -m bot index` after an article changed, so the index cache is rewritten;
- reload: the bot's start, then reloads (LiveEngine.reload with the write-behind cache
          writer of bot/core/cache.py), the changing article flipped before each;
- upload: the Telegram upload's save (upload.save_new_file) of articles of 50 KB to 2 MB;
- votes:  the question log recording questions and 👍/👎 votes (acknowledged lines printed
          only after the call returned).

After each kill the check is a start as the runner makes it (runner.make_loader: unfinished
temporaries removed, the cache read and verified), then:
- the seed's dev questions (tests/data/dev.jsonl) get exactly the answers a clean build gave
  for the articles on disk (the changing article is written atomically, so it is one of two
  versions, and each version's answers were taken before the first kill);
- no temporary file is left, in the cache folder or among the articles;
- every upload acknowledged is there, whole, and every article file is one that was written
  whole (none torn);
- `PRAGMA integrity_check` is ok, and every acknowledged question row and vote is there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEED_FOLDER = DATA / "seed"
DISTRACTORS = DATA / "eval" / "distractors"
CHANGING = "zz-thay-doi.txt"  # the article each index and reload run changes
WORKLOADS = ("index", "reload", "upload", "votes")
PYTHON = sys.executable
WORK_SECONDS = 1.5  # how long a worker may work after it is ready before the kill comes


# --- The changing article -------------------------------------------------------------------


def changing_article(version: int) -> bytes:
    """Two versions of one article about a made-up ferry, long enough that analysing and
    writing it takes a while; neither is about what the dev questions ask."""
    words = "phà" if version else "cầu"
    lines = [f"Tin giao thông số {version}: bến {words} Đình Khao", "", "Ngày 3-4-2024", ""]
    for number in range(400):
        lines.append(
            f"Đoạn {number}: bến {words} Đình Khao chở {number * 7 + version} lượt xe máy và "
            f"{number + 3} xe tải mỗi ngày, theo ban quản lý bến {words} số {number % 9}."
        )
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def write_changing(folder: Path, version: int) -> None:
    from bot.core import durable
    from bot.ingest.store import TEMPORARY_PREFIX  # as an article added by an admin

    durable.write_replacing(folder / CHANGING, changing_article(version), TEMPORARY_PREFIX)


def version_on_disk(folder: Path) -> int:
    data = (folder / CHANGING).read_bytes()
    for version in (0, 1):
        if data == changing_article(version):
            return version
    raise AssertionError("the changing article is torn")


# --- Uploads ----------------------------------------------------------------------------------


def upload_content(number: int) -> bytes:
    """Article `number` of the upload workload: 50 KB to 2 MB, known from its number alone."""
    size = random.Random(number).randint(50_000, 2_000_000)
    head = f"Bài tải lên số {number}\n\nNgày 1-1-2024\n\n".encode()
    body = (f"Đoạn văn của bài {number}. " * (size // 30 + 1)).encode()[:size]
    return head + body + b"\n"


# --- Workers (child processes) ----------------------------------------------------------------


def worker(kind: str, base: Path) -> None:
    """The child's work, until it is killed. Acknowledgements go to stdout, flushed."""
    if kind == "upload":
        from bot.telegram_bot.upload import save_new_file

        number = int((base / "next-upload").read_text())
        print("ready", flush=True)
        while True:
            (base / "next-upload").write_text(str(number + 1))
            saved = save_new_file(base / "uploads", f"up-{number}.txt", upload_content(number))
            print(f"saved {number} {saved.name}", flush=True)
            number += 1
    if kind == "votes":
        from bot.core.model import AnswerKind
        from bot.querylog import Entry, QuestionLog

        question_log = QuestionLog(base / "questions.sqlite3")
        print("ready", flush=True)
        rng = random.Random()
        while True:
            found = rng.random() < 0.7
            entry = Entry(
                "private",
                f"câu hỏi {rng.randrange(10**9)}",
                found,
                (AnswerKind.FOUND if found else AnswerKind.NOT_FOUND).value,
                "Bài" if found else None,
                "bai.txt" if found else None,
                1 if found else None,
                1.5,
                12.0,
            )
            row = question_log.record(entry, user_id=rng.randrange(1000))
            if row is not None:
                print(f"row {row}", flush=True)
                user, value = rng.randrange(1, 50), rng.choice((1, -1))
                if question_log.vote(row, user, value).value in ("new", "changed", "same"):
                    print(f"vote {row} {question_log.voter_key(row, user)} {value}", flush=True)
    if kind == "reload":
        import asyncio

        from bot.config import Settings
        from bot.telegram_bot.runner import build_live_engine

        settings = Settings(knowledge_dir=base / "knowledge", log_db=None)
        live = build_live_engine(settings)
        print("ready", flush=True)
        version = version_on_disk(settings.knowledge_dir)
        while True:
            version = 1 - version
            write_changing(settings.knowledge_dir, version)
            report = asyncio.run(live.reload())
            print(f"reloaded {version} {report.ok}", flush=True)
    raise SystemExit(f"unknown workload {kind}")


# --- The driver -------------------------------------------------------------------------------


@dataclass
class Tally:
    kills: Counter[str] = field(default_factory=Counter)
    interrupted_writes: Counter[str] = field(default_factory=Counter)  # temporaries found
    dev_checks: int = 0
    dev_questions: int = 0
    uploads_acknowledged: int = 0
    rows_acknowledged: int = 0
    votes_acknowledged: int = 0
    integrity_checks: int = 0
    failures: list[str] = field(default_factory=list)


class KillTest:
    def __init__(self, base: Path, rng: random.Random) -> None:
        self.base = base
        self.rng = rng
        self.knowledge = base / "knowledge"
        self.cache_dir = self.knowledge / ".cache"
        self.tally = Tally()
        self.uploads: dict[int, str] = {}  # acknowledged: number -> file name
        self.rows: set[int] = set()
        self.votes: dict[tuple[int, str], int] = {}
        self.reference: dict[int, list[str]] = {}
        self.durations: dict[str, float] = {}

    # -- set-up --

    def prepare(self) -> None:
        self.knowledge.mkdir(parents=True)
        for source in [*SEED_FOLDER.iterdir(), *DISTRACTORS.iterdir()]:
            shutil.copy(source, self.knowledge / source.name)
        (self.base / "uploads").mkdir()
        (self.base / "next-upload").write_text("0")
        questions = [
            json.loads(line)["question"]
            for line in (DATA / "dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        self.questions = questions
        from bot.core.engine import load_engine

        for version in (0, 1):  # a clean build of each version, without any cache
            write_changing(self.knowledge, version)
            engine = load_engine(self.knowledge)
            self.reference[version] = [self._answer(engine, q) for q in questions]
        subprocess.run(self._index_command(), check=True, capture_output=True)

    @staticmethod
    def _answer(engine: object, question: str) -> str:
        answer = engine.ask(question)  # type: ignore[attr-defined]
        return json.dumps(answer.to_dict(), ensure_ascii=False, sort_keys=True)

    def _index_command(self) -> list[str]:
        return [PYTHON, "-m", "bot", "index", "--quiet", "--knowledge", str(self.knowledge)]

    def _worker_command(self, kind: str) -> list[str]:
        return [PYTHON, "-m", "tests.kill_test", "--worker", kind, "--base", str(self.base)]

    def measure(self) -> None:
        """How long each workload takes to get going and do some work (no kill)."""
        for kind in WORKLOADS:
            started = time.perf_counter()
            if kind == "index":
                write_changing(self.knowledge, 1 - version_on_disk(self.knowledge))
                subprocess.run(self._index_command(), check=True, capture_output=True)
                self.durations[kind] = time.perf_counter() - started
                continue
            process = self._start(kind)
            self._read_until(process, "ready")
            self.durations[kind] = time.perf_counter() - started + WORK_SECONDS
            process.kill()
            self._collect(kind, process)
            self.check(kind)

    # -- one kill --

    def _start(self, kind: str) -> subprocess.Popen[str]:
        if kind == "index":
            write_changing(self.knowledge, 1 - version_on_disk(self.knowledge))
            command = self._index_command()
        else:
            command = self._worker_command(kind)
        return subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    @staticmethod
    def _read_until(process: subprocess.Popen[str], word: str) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.strip() == word:
                return
        raise AssertionError(f"worker ended before {word!r}")

    def kill_once(self, kind: str) -> None:
        process = self._start(kind)
        if kind in ("index", "reload") and self.rng.random() < 0.5:
            # The cache write is a few milliseconds of a run of seconds: half of these kills
            # wait for it to begin, then come 0-5 ms into it (it takes about 7 ms).
            self._wait_for_a_cache_write(process, self.durations[kind] + 5)
            time.sleep(self.rng.uniform(0.0, 0.005))
        else:
            time.sleep(self.rng.uniform(0.0, 1.1) * self.durations[kind])
        process.send_signal(signal.SIGKILL)
        self._collect(kind, process)
        self.tally.kills[kind] += 1
        self.check(kind)

    def _wait_for_a_cache_write(self, process: subprocess.Popen[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if any(self.cache_dir.glob(".index-*.tmp")):
                return
            time.sleep(0.0005)

    def _collect(self, kind: str, process: subprocess.Popen[str]) -> None:
        """What the worker acknowledged before it died."""
        output, _ = process.communicate()
        for line in output.splitlines():
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "saved":
                self.uploads[int(parts[1])] = parts[2]
            elif parts[0] == "row":
                self.rows.add(int(parts[1]))
            elif parts[0] == "vote":
                self.votes[(int(parts[1]), parts[2])] = int(parts[3])

    # -- the checks after a kill --

    def check(self, kind: str) -> None:
        temporaries = [p.name for p in self.cache_dir.glob(".*.tmp")]
        temporaries += [p.name for p in self.knowledge.glob(".*.tmp")]
        temporaries += [p.name for p in (self.base / "uploads").glob(".*.tmp")]
        if temporaries:
            self.tally.interrupted_writes[kind] += 1
        self._start_and_ask()
        self._check_uploads()
        self._check_log()

    def _fail(self, text: str) -> None:
        self.tally.failures.append(text)

    def _start_and_ask(self) -> None:
        from bot.config import Settings
        from bot.core.cache import load_index
        from bot.ingest.dropped import remove_unfinished_writes
        from bot.telegram_bot.runner import make_loader

        settings = Settings(knowledge_dir=self.knowledge, log_db=None)
        engine = make_loader(settings, lambda: None)()
        remove_unfinished_writes(self.base / "uploads")  # the upload folder's own start
        left = [p.name for p in self.cache_dir.glob(".*.tmp")]
        left += [p.name for p in self.knowledge.glob(".*.tmp")]
        left += [p.name for p in (self.base / "uploads").glob(".*.tmp")]
        if left:
            self._fail(f"temporary files left after a start: {left}")
        if load_index(self.cache_dir) is None:
            self._fail("the cache is not trusted after a start")
        expected = self.reference[version_on_disk(self.knowledge)]
        answers = [self._answer(engine, q) for q in self.questions]
        self.tally.dev_checks += 1
        self.tally.dev_questions += len(answers)
        for question, got, want in zip(self.questions, answers, expected, strict=True):
            if got != want:
                self._fail(f"{question!r} answered differently after a kill: {got} != {want}")

    def _check_uploads(self) -> None:
        """Then the files checked are deleted, so that the disk does not fill up."""
        folder = self.base / "uploads"
        present = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
        for name in self.uploads.values():
            if name not in present:
                self._fail(f"acknowledged upload {name} is missing")
        for name in present:  # acknowledged or not, no article is torn
            number = int(name.split("-")[1].split(".")[0])
            content = (folder / name).read_bytes()
            if hashlib.sha256(content).digest() != hashlib.sha256(upload_content(number)).digest():
                self._fail(f"upload {name} is torn")
            (folder / name).unlink()
        self.tally.uploads_acknowledged += len(self.uploads)
        self.uploads.clear()

    def _check_log(self) -> None:
        path = self.base / "questions.sqlite3"
        if not path.exists():
            return
        connection = sqlite3.connect(path)
        try:
            status = connection.execute("PRAGMA integrity_check").fetchone()[0]
            self.tally.integrity_checks += 1
            if status != "ok":
                self._fail(f"integrity_check: {status}")
            rows = {r for (r,) in connection.execute("SELECT id FROM questions")}
            missing = self.rows - rows
            if missing:
                self._fail(f"{len(missing)} acknowledged questions lost, e.g. {min(missing)}")
            votes = {
                (q, voter): value
                for q, voter, value in connection.execute(
                    "SELECT question_id, voter, value FROM votes"
                )
            }
            lost = [key for key, value in self.votes.items() if votes.get(key) != value]
            if lost:
                self._fail(f"{len(lost)} acknowledged votes lost or changed")
        finally:
            connection.close()
        self.tally.rows_acknowledged = len(self.rows)
        self.tally.votes_acknowledged = len(self.votes)


def run(kills: int, seed: int, base: Path | None = None, quiet: bool = False) -> Tally:
    """`kills` kills spread evenly over the four workloads, in a random order."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="kill-test-") as temporary:
        test = KillTest(Path(base or temporary), rng)
        test.prepare()
        test.measure()
        plan = [WORKLOADS[i % len(WORKLOADS)] for i in range(kills)]
        rng.shuffle(plan)
        for done, kind in enumerate(plan, start=1):
            test.kill_once(kind)
            if not quiet and done % 10 == 0:
                print(f"{done}/{kills} kills, {len(test.tally.failures)} failures", flush=True)
        return test.tally


def report(tally: Tally) -> str:
    kills = ", ".join(f"{k} {n}" for k, n in sorted(tally.kills.items()))
    interrupted = ", ".join(f"{k} {n}" for k, n in sorted(tally.interrupted_writes.items()))
    lines = [
        f"kills: {sum(tally.kills.values())} ({kills})",
        f"kills that interrupted a write (a temporary file was found): {interrupted or 'none'}",
        f"starts checked: {tally.dev_checks}, dev answers compared: {tally.dev_questions}",
        f"uploads acknowledged: {tally.uploads_acknowledged}",
        f"log rows acknowledged: {tally.rows_acknowledged}, votes: {tally.votes_acknowledged}, "
        f"integrity checks: {tally.integrity_checks}",
        f"failures: {len(tally.failures)}",
    ]
    lines += [f"  {failure}" for failure in tally.failures[:20]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--worker", choices=WORKLOADS)
    parser.add_argument("--base", type=Path)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.base)
        return 0
    started = time.perf_counter()
    tally = run(args.kills, args.seed)
    print(report(tally))
    print(f"took {time.perf_counter() - started:.0f} s")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
