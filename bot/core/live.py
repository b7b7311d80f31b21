"""The engine that serves now, and reloading it without a pause in service.

A reload builds a complete new engine in a worker thread while the current one keeps
answering; only a finished build is swapped in (one reference assignment, atomic for every
reader). A failed build leaves the old engine serving.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.engine import Engine
from bot.core.errors import KnowledgeError
from bot.core.model import SkippedFile

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReloadReport:
    ok: bool
    articles: int
    passages: int
    skipped: tuple[SkippedFile, ...]
    seconds: float
    error: str | None = None


class LiveEngine:
    def __init__(self, engine: Engine, loader: Callable[[], Engine]) -> None:
        self._engine = engine
        self._loader = loader
        self._lock = asyncio.Lock()

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def reloading(self) -> bool:
        return self._lock.locked()

    async def reload(self) -> ReloadReport:
        """Rebuild from the knowledge folder; reloads asked for at once run one after another."""
        async with self._lock:
            started = time.perf_counter()
            try:
                engine = await asyncio.to_thread(self._loader)
            except KnowledgeError as exc:
                return self._failed(str(exc), started)
            except Exception as exc:  # a bug must not take the serving index down with it
                log.exception("reload failed")
                return self._failed(f"lỗi khi lập chỉ mục: {type(exc).__name__}", started)
            self._engine = engine
            seconds = time.perf_counter() - started
            log.info(
                "reloaded: %d articles, %d passages, %d skipped in %.2f s",
                len(engine.articles),
                len(engine.passages),
                len(engine.skipped),
                seconds,
            )
            return ReloadReport(
                True, len(engine.articles), len(engine.passages), engine.skipped, seconds
            )

    def _failed(self, reason: str, started: float) -> ReloadReport:
        current = self._engine
        log.warning("reload failed, the previous index keeps serving: %s", reason)
        return ReloadReport(
            False,
            len(current.articles),
            len(current.passages),
            (),
            time.perf_counter() - started,
            reason,
        )
