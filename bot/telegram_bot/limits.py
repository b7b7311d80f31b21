"""Fair limits: one person or one busy group cannot slow the bot down for everyone else.

- A person asking faster than `user_questions_per_minute` gets one polite notice, then
  silence until the oldest of their counted questions leaves the minute (questions refused
  do not count, so waiting is enough to be answered again).
- Inline queries come at every keystroke: one that follows the same person's previous one
  within `inline_debounce` seconds waits that long and is answered only if no newer one came.
- A group gets `group_answers_per_minute` full answers a minute; questions beyond them are
  gathered and answered together in one short reply (busy_groups.py).

Admins are exempt (the handlers do not ask). Every table is bounded: the least recently seen
people and groups are forgotten first, so a flood of new ids cannot grow memory.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from enum import Enum

from bot.config import Settings

WINDOW = 60.0  # seconds: the limits are "a minute"
REMEMBERED = 10_000  # people (or groups) each table keeps


class Verdict(Enum):
    ANSWER = "answer"
    NOTICE = "notice"  # the first question over the limit: tell them once
    SILENT = "silent"  # over the limit and already told


class _Bounded(OrderedDict[int, "_Window"]):
    def __init__(self, capacity: int, limit: int) -> None:
        super().__init__()
        self.capacity, self.limit = capacity, limit

    def of(self, key: int) -> _Window:
        window = self.get(key)
        if window is None:
            window = self[key] = _Window(self.limit)
            while len(self) > self.capacity:
                self.popitem(last=False)
        else:
            self.move_to_end(key)
        return window


class _Window:
    """The times of the last `limit` events counted, and until when a notice was given."""

    __slots__ = ("noticed_until", "times")

    def __init__(self, limit: int) -> None:
        self.times: deque[float] = deque(maxlen=limit)
        self.noticed_until = 0.0

    def full(self, now: float) -> bool:
        while self.times and self.times[0] <= now - WINDOW:
            self.times.popleft()
        return len(self.times) == self.times.maxlen


class _PerMinute:
    """At most `limit` events per key (a person, a group) in any minute."""

    def __init__(
        self,
        limit: int,
        *,
        capacity: int = REMEMBERED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._windows = _Bounded(capacity, limit)
        self._clock = clock

    def __len__(self) -> int:
        return len(self._windows)


class UserRate(_PerMinute):
    """At most `limit` questions per person in any minute."""

    def check(self, user_id: int) -> Verdict:
        now = self._clock()
        window = self._windows.of(user_id)
        if not window.full(now):
            window.times.append(now)
            return Verdict.ANSWER
        if now < window.noticed_until:
            return Verdict.SILENT
        window.noticed_until = window.times[0] + WINDOW
        return Verdict.NOTICE


class GroupBudget(_PerMinute):
    """The full answers a group gets in any minute."""

    def spend(self, chat_id: int) -> bool:
        """True, and counted, when the group may have one more full answer now."""
        now = self._clock()
        window = self._windows.of(chat_id)
        if window.full(now):
            return False
        window.times.append(now)
        return True


class Debouncer:
    """Inline queries typed in one burst: only the last is answered."""

    def __init__(
        self,
        delay: float,
        *,
        capacity: int = REMEMBERED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delay = delay
        self._capacity = capacity
        self._clock = clock
        self._latest: OrderedDict[int, tuple[int, float]] = OrderedDict()  # user: (number, when)
        self._count = 0

    async def settled(self, user_id: int) -> bool:
        """Whether to answer this query: at once after a pause in typing; otherwise after
        `delay`, if no newer query of the same person came meanwhile."""
        now = self._clock()
        previous = self._latest.get(user_id)
        self._count += 1
        number = self._count
        self._latest[user_id] = (number, now)
        self._latest.move_to_end(user_id)
        while len(self._latest) > self._capacity:
            self._latest.popitem(last=False)
        if self.delay <= 0 or previous is None or now - previous[1] >= self.delay:
            return True
        await asyncio.sleep(self.delay)
        latest = self._latest.get(user_id)
        return latest is None or latest[0] == number

    def __len__(self) -> int:
        return len(self._latest)


class Limits:
    """The limits of one bot, from its settings."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.users = UserRate(settings.user_questions_per_minute, clock=clock)
        self.inline = Debouncer(settings.inline_debounce, clock=clock)
        self.groups = GroupBudget(settings.group_answers_per_minute, clock=clock)
