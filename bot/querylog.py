"""The question log: what readers ask, whether the bot could answer, and their 👍/👎 votes.

An embedded SQLite database (standard library ``sqlite3``, WAL mode) so that the people who
keep the knowledge folder can see which questions found no article. Nothing here imports
Telegram: the Telegram layer calls it from worker threads (``asyncio.to_thread``).

Privacy: no user names are ever stored; user and chat ids only when ``store_user_ids`` is on.
Votes stay one per person without ids: the voter is keyed by an HMAC of the user id and the
logged question, with a random salt kept in the database (pseudonymous, and one person's votes
on different answers cannot be linked to each other).

Robustness: the log never raises into the bot. A database that cannot be opened leaves the log
disabled; a write that fails (read-only file, lock held too long, a full disk) returns None
with a warning, `problem` says why until a write succeeds again, and the questions it could
not write wait in a bounded backlog that `retry_backlog` writes later.

Durability: WAL with synchronous=FULL. A write is acknowledged (a row id returned, a vote
thanked) only once its commit is fsynced to the WAL, so the row survives kill -9 and power
loss alike; NORMAL would survive a kill but could lose the last commits to a power cut. One
fsync per question costs little next to answering it, and it runs in a worker thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
import stat
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from bot.config import Settings
from bot.core.model import Answer, AnswerKind
from bot.core.text import normalize_question

log = logging.getLogger(__name__)

DAY = 86_400.0
BUSY_TIMEOUT = 2.0  # seconds a write waits for another writer before it gives up
WARN_EVERY = 60.0  # seconds between two warnings about failing writes (no log flood)
MAX_QUESTION_CHARS = 1000
MAX_BACKLOG = 1000  # questions kept in memory while the disk is full, written when it is not
SYNCHRONOUS = "FULL"  # see Durability above
CHAT_TYPES = ("private", "group", "inline", "console")

# Each step upgrades the schema by one version (PRAGMA user_version); never edit a released
# step, append a new one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the question log
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            asked_at REAL NOT NULL,          -- Unix time (UTC seconds)
            chat_type TEXT NOT NULL,         -- private | group | inline
            question TEXT NOT NULL,          -- normalized: NFC, one tone style, lower case
            found INTEGER NOT NULL,          -- 1 when an answer was given
            kind TEXT NOT NULL,              -- found | metadata | not_found
            article_title TEXT,
            article_file TEXT,
            paragraph INTEGER,
            score REAL NOT NULL,
            latency_ms REAL NOT NULL,
            user_id INTEGER,                 -- only with store_user_ids
            chat_id INTEGER                  -- only with store_user_ids
        )""",
        "CREATE INDEX questions_asked_at ON questions (asked_at)",
    ),
    # 2: 👍/👎 feedback, one vote per voter and question
    (
        """CREATE TABLE votes (
            question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
            voter TEXT NOT NULL,             -- HMAC of the user id, never the id itself
            value INTEGER NOT NULL CHECK (value IN (-1, 1)),
            voted_at REAL NOT NULL,
            user_id INTEGER,                 -- only with store_user_ids
            PRIMARY KEY (question_id, voter)
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

T = TypeVar("T")


class VoteResult(StrEnum):
    """What a vote did, for the voter's toast."""

    NEW = "new"
    CHANGED = "changed"
    SAME = "same"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Entry:
    """One question as the log stores it (the text is normalized on the way in)."""

    chat_type: str
    question: str
    found: bool
    kind: str
    article_title: str | None
    article_file: str | None
    paragraph: int | None
    score: float
    latency_ms: float


def is_question(answer: Answer) -> bool:
    """Greetings, empty and punctuation-only input are not questions: they are not logged."""
    return answer.kind is not AnswerKind.HELP


def entry_for(
    answer: Answer, chat_type: str, latency_ms: float, *, found: bool | None = None
) -> Entry:
    """The log entry of an answer; `found` overrides the answer's (inline shows hits only)."""
    source = answer.source if answer.found else None
    is_found = answer.found if found is None else found
    return Entry(
        chat_type=chat_type,
        question=answer.question,
        found=is_found,
        kind=answer.kind.value,
        article_title=source.title if source and is_found else None,
        article_file=source.file if source and is_found else None,
        paragraph=source.paragraph if source and is_found else None,
        score=float(answer.score),
        latency_ms=float(latency_ms),
    )


def migrate(connection: sqlite3.Connection, upto: int = SCHEMA_VERSION) -> int:
    """Apply the missing migration steps (each in its own transaction); the new version."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"schema version {version} is newer than this program's {SCHEMA_VERSION}"
        )
    for number in range(version + 1, upto + 1):
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[number - 1]:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        version = number
    return version


def connect(
    path: Path, *, read_only: bool = False, timeout: float = BUSY_TIMEOUT
) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), shareable across threads."""
    if read_only:
        target, uri = f"{path.resolve().as_uri()}?mode=ro", True
    else:
        target, uri = str(path), False
    connection = sqlite3.connect(
        target, timeout=timeout, check_same_thread=False, isolation_level=None, uri=uri
    )
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _marked_read_only(path: Path) -> bool:
    # Honour a file the operator marked read-only even when running as root (who could write).
    try:
        return not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    except OSError:
        return False


class QuestionLog:
    """The log of one database file. Thread-safe; every method is blocking (use a thread)."""

    def __init__(
        self,
        path: Path | str,
        *,
        store_user_ids: bool = False,
        retention_days: int = 90,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = BUSY_TIMEOUT,
    ) -> None:
        self.path = Path(path)
        self.store_user_ids = store_user_ids
        self.retention_days = retention_days
        self.read_only = False
        self._clock = clock
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._salt = b""
        self._last_purge = 0.0
        self._last_warning = -WARN_EVERY
        self.problem: str | None = None  # why the last write failed, until one succeeds
        self._backlog: deque[tuple[object, ...]] = deque(maxlen=MAX_BACKLOG)
        try:
            self._open(busy_timeout)
        except (sqlite3.Error, OSError) as exc:
            log.warning("question log disabled: cannot open %s: %s", self.path, exc)
            self.close()
            return
        self.purge()

    # --- lifecycle ---------------------------------------------------------------------

    def _open(self, busy_timeout: float) -> None:
        self.read_only = _marked_read_only(self.path)
        if not self.read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = connect(self.path, read_only=self.read_only, timeout=busy_timeout)
        self._connection = connection
        if not self.read_only:
            # WAL: readers (reports, the CLI) never block the writer and vice versa.
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("question log %s: WAL not available (journal mode %s)", self.path, mode)
            connection.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
            migrate(connection)
            self._salt = self._load_salt(connection)
        else:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            log.warning("question log %s is read-only: questions are not logged", self.path)
            if version != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"read-only database at schema version {version}")
            row = connection.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
            self._salt = bytes.fromhex(row[0]) if row else b""

    @staticmethod
    def _load_salt(connection: sqlite3.Connection) -> bytes:
        connection.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?)",
            (secrets.token_hex(32),),
        )
        return bytes.fromhex(
            connection.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()[0]
        )

    @property
    def enabled(self) -> bool:
        return self._connection is not None

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._connection.close()
                self._connection = None

    # --- writing -----------------------------------------------------------------------

    def _failed(self, action: str, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self._last_warning >= WARN_EVERY:
            self._last_warning = now
            log.warning(
                "question log %s: could not %s (the bot answers anyway): %s", self.path, action, exc
            )
        else:
            log.debug("question log: could not %s: %s", action, exc)

    def _write(self, action: str, work: Callable[[sqlite3.Connection], T]) -> T | None:
        """Run `work` in one transaction; None (and a warning) when it fails."""
        with self._lock:
            connection = self._connection
            if connection is None:
                return None
            try:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    result = work(connection)
                    connection.execute("COMMIT")
                except BaseException:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                self.problem = str(exc)
                self._failed(action, exc)
                return None
            self.problem = None
            return result

    def record(
        self,
        entry: Entry,
        *,
        user_id: int | None = None,
        chat_id: int | None = None,
        replace_id: int | None = None,
    ) -> int | None:
        """Log a question; its row id, or None when the log is off or the write failed.

        `replace_id` rewrites an earlier row instead (inline queries typed in several steps).
        """
        if self._connection is None:
            return None
        self._maybe_purge()
        question = normalize_question(entry.question)[:MAX_QUESTION_CHARS]
        keep = self.store_user_ids
        values = (
            self._clock(),
            entry.chat_type,
            question,
            int(entry.found),
            entry.kind,
            entry.article_title,
            entry.article_file,
            entry.paragraph,
            entry.score,
            round(entry.latency_ms, 2),
            user_id if keep else None,
            chat_id if keep else None,
        )

        def insert(connection: sqlite3.Connection) -> int:
            if replace_id is not None:
                cursor = connection.execute(
                    """UPDATE questions SET asked_at = ?, chat_type = ?, question = ?, found = ?,
                    kind = ?, article_title = ?, article_file = ?, paragraph = ?, score = ?,
                    latency_ms = ?, user_id = ?, chat_id = ? WHERE id = ?""",
                    (*values, replace_id),
                )
                if cursor.rowcount:
                    return replace_id
            return _insert_question(connection, values)

        row = self._write("record a question", insert)
        if row is None and replace_id is None:
            with self._lock:
                self._backlog.append(values)
        elif row is not None and self._backlog:
            self.retry_backlog()  # writes work again: the questions kept go in too
        return row

    @property
    def backlog(self) -> int:
        """Questions not yet written (the disk was full)."""
        return len(self._backlog)

    def retry_backlog(self) -> int:
        """Write the questions a failed write left waiting; how many were written."""
        with self._lock:
            waiting = list(self._backlog)
        if not waiting:
            return 0

        def insert_all(connection: sqlite3.Connection) -> int:
            for values in waiting:
                _insert_question(connection, values)
            return len(waiting)

        written = self._write("write the questions kept while writes failed", insert_all)
        if not written:
            return 0
        with self._lock:
            for _ in range(min(written, len(self._backlog))):
                self._backlog.popleft()
        log.info("question log: wrote %d questions kept while writes failed", written)
        return written

    def voter_key(self, question_id: int, user_id: int) -> str:
        message = f"{question_id}:{user_id}".encode()
        return hmac.new(self._salt, message, hashlib.sha256).hexdigest()[:32]

    def vote(self, question_id: int, user_id: int, value: int) -> VoteResult:
        """Record a 👍 (+1) or 👎 (-1); a second vote by the same person replaces the first."""
        if value not in (1, -1):
            raise ValueError("a vote is +1 or -1")
        voter = self.voter_key(question_id, user_id)
        stored_id = user_id if self.store_user_ids else None

        def upsert(connection: sqlite3.Connection) -> VoteResult:
            if (
                connection.execute(
                    "SELECT 1 FROM questions WHERE id = ?", (question_id,)
                ).fetchone()
                is None
            ):
                return VoteResult.FAILED  # purged, or never logged
            row = connection.execute(
                "SELECT value FROM votes WHERE question_id = ? AND voter = ?",
                (question_id, voter),
            ).fetchone()
            if row is not None and row[0] == value:
                return VoteResult.SAME
            connection.execute(
                """INSERT INTO votes (question_id, voter, value, voted_at, user_id)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (question_id, voter) DO UPDATE SET value = excluded.value,
                voted_at = excluded.voted_at""",
                (question_id, voter, value, self._clock(), stored_id),
            )
            return VoteResult.NEW if row is None else VoteResult.CHANGED

        return self._write("record a vote", upsert) or VoteResult.FAILED

    def purge(self) -> int:
        """Delete questions (and their votes) older than the retention period."""
        self._last_purge = self._clock()
        cutoff = self._last_purge - self.retention_days * DAY

        def delete(connection: sqlite3.Connection) -> int:
            connection.execute(
                "DELETE FROM votes WHERE question_id IN "
                "(SELECT id FROM questions WHERE asked_at < ?)",
                (cutoff,),
            )
            return connection.execute(
                "DELETE FROM questions WHERE asked_at < ?", (cutoff,)
            ).rowcount

        if self._connection is None or self.read_only:
            return 0
        deleted = self._write("delete old questions", delete) or 0
        if deleted:
            log.info(
                "question log: deleted %d questions older than %d days",
                deleted,
                self.retention_days,
            )
        return deleted

    def _maybe_purge(self) -> None:
        # Retention runs at start and then at most once a day, on the next question.
        if self._clock() - self._last_purge >= DAY:
            self.purge()

    # --- reading -----------------------------------------------------------------------

    def read(self, work: Callable[[sqlite3.Connection], T]) -> T | None:
        """Run a read-only query function (the reports); None when the log is off."""
        with self._lock:
            if self._connection is None:
                return None
            return work(self._connection)

    def now(self) -> float:
        return self._clock()


def _insert_question(connection: sqlite3.Connection, values: tuple[object, ...]) -> int:
    cursor = connection.execute(
        """INSERT INTO questions (asked_at, chat_type, question, found, kind,
        article_title, article_file, paragraph, score, latency_ms, user_id, chat_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        values,
    )
    return int(cursor.lastrowid or 0)


def open_question_log(settings: Settings) -> QuestionLog | None:
    """The question log of the settings (None when turned off); disabled, not fatal, when the
    database cannot be opened."""
    if settings.log_db is None:
        return None
    return QuestionLog(
        settings.log_db,
        store_user_ids=settings.log_user_ids,
        retention_days=settings.log_retention_days,
    )


def record_answer(
    question_log: QuestionLog | None,
    answer: Answer,
    chat_type: str,
    latency_ms: float,
    *,
    user_id: int | None = None,
    chat_id: int | None = None,
) -> int | None:
    """Log an answered question; its row id, or None (log off, not a question, write failed).
    Blocking: the Telegram layer calls it from a worker thread."""
    if question_log is None or not question_log.enabled or not is_question(answer):
        return None
    entry = entry_for(answer, chat_type, latency_ms)
    return question_log.record(entry, user_id=user_id, chat_id=chat_id)
