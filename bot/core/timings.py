"""Where the time of one answer goes: an optional recorder of the stages of `Engine.ask`.

The engine takes a `StageClock` or None. With None (serving) each stage boundary costs one
`is not None` test; with a clock, `mark` adds the nanoseconds since the previous mark to the
stage just ended. The benchmark reads the totals per question (`bench/run.py`).
"""

from __future__ import annotations

import time

STAGES = ("analysis", "bm25", "features", "judging", "rendering")


class StageClock:
    """Nanoseconds spent per stage since `start`, by `time.perf_counter_ns`."""

    __slots__ = ("_last", "spent")

    def __init__(self) -> None:
        self.spent: dict[str, int] = {}
        self._last = time.perf_counter_ns()

    def start(self) -> None:
        """Forget what was recorded: a new question begins now."""
        self.spent = {}
        self._last = time.perf_counter_ns()

    def mark(self, stage: str) -> None:
        """The stage that ran since the previous mark (or `start`) ends now."""
        now = time.perf_counter_ns()
        self.spent[stage] = self.spent.get(stage, 0) + now - self._last
        self._last = now
