"""The /stats and `report stats --chart` picture: questions per day and the answer rate."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image

from bot.charts import DPI, HEIGHT, WIDTH, days_drawn, stats_chart_png
from bot.reports import DayCount, Stats

TODAY = date(2026, 11, 28)


def _stats(days: int, per_day: dict[int, tuple[int, int]]) -> Stats:
    """`per_day`: days ago -> (questions, answered)."""
    counts = tuple(
        DayCount(TODAY - timedelta(days=ago), asked, answered)
        for ago, (asked, answered) in sorted(per_day.items())
    )
    return Stats(
        days=days,
        since=0.0,
        questions=sum(c.questions for c in counts),
        answered=sum(c.answered for c in counts),
        votes_up=0,
        votes_down=0,
        per_day=counts,
    )


def test_the_picture_is_a_png_of_the_period() -> None:
    picture = stats_chart_png(_stats(7, {0: (5, 2), 3: (4, 4)}), TODAY)
    assert picture is not None and picture.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(picture))
    assert image.size == (int(WIDTH * DPI), int(HEIGHT * DPI))
    # Not a blank canvas: bars and a line in colour.
    colours = image.convert("RGB").getcolors(maxcolors=1 << 16) or []
    assert len(colours) > 20


def test_every_day_of_the_period_is_drawn_and_a_long_one_from_its_first_question() -> None:
    week = days_drawn(_stats(7, {0: (1, 1)}), TODAY)
    assert week == [TODAY - timedelta(days=n) for n in range(6, -1, -1)]
    long = days_drawn(_stats(3650, {0: (1, 1), 10: (2, 0)}), TODAY)
    assert long[0] == TODAY - timedelta(days=10) and long[-1] == TODAY and len(long) == 11


def test_no_question_no_picture() -> None:
    assert stats_chart_png(_stats(30, {}), TODAY) is None
