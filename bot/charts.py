"""The question log as a picture: questions per day and the share answered, as a PNG.

Drawn with matplotlib's Agg canvas, without pyplot: no display, no global figure state, so it
is safe in a worker thread of the bot. The same picture serves `/stats` (sent as a photo) and
`python -m bot report stats --chart FILE`.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from bot.reports import Stats

WIDTH, HEIGHT, DPI = 8.0, 4.5, 100  # inches and dots per inch: an 800 x 450 picture
MAX_DAYS_DRAWN = 92  # a longer period is drawn from its first day with a question
QUESTIONS_COLOUR, ANSWERED_COLOUR, RATE_COLOUR = "#9db4d0", "#2e7d32", "#c62828"


def days_drawn(stats: Stats, today: date) -> list[date]:
    """Every day of the period, today last; a long period starts at its first question."""
    first = today - timedelta(days=stats.days - 1)
    asked = [d.day for d in stats.per_day]
    if stats.days > MAX_DAYS_DRAWN and asked:
        first = max(first, min(asked))
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


def stats_chart_png(stats: Stats, today: date | None = None) -> bytes | None:
    """Bars of questions and answered questions per day, a line of the share answered (%);
    None when the period has no question."""
    if not stats.questions:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # heavy: on first use only
    from matplotlib.dates import AutoDateLocator, DateFormatter, date2num
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    days = days_drawn(stats, today or date.today())
    counts = {d.day: d for d in stats.per_day}
    asked = [counts[d].questions if d in counts else 0 for d in days]
    answered = [counts[d].answered if d in counts else 0 for d in days]
    rate_days = [d for d in days if d in counts and counts[d].questions]
    rates = [100 * counts[d].answered / counts[d].questions for d in rate_days]

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    width = 0.8 if len(days) <= 31 else 1.0
    x = date2num(days)
    axes.bar(x, asked, width=width, color=QUESTIONS_COLOUR, label="câu hỏi")
    axes.bar(x, answered, width=width * 0.5, color=ANSWERED_COLOUR, label="trả lời được")
    axes.set_ylabel("Số câu hỏi")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_locator(AutoDateLocator(maxticks=10))
    axes.xaxis.set_major_formatter(DateFormatter("%d/%m"))
    rate_axes = axes.twinx()
    rate_axes.plot(
        date2num(rate_days),
        rates,
        color=RATE_COLOUR,
        marker="o",
        markersize=3,
        linewidth=1.5,
        label="tỉ lệ trả lời được",
    )
    rate_axes.set_ylim(0, 105)
    rate_axes.yaxis.set_major_formatter(PercentFormatter())
    rate_axes.set_ylabel("Tỉ lệ trả lời được")
    share = round(100 * stats.answered / stats.questions)
    axes.set_title(f"Câu hỏi {stats.days} ngày qua: {stats.questions} câu, trả lời được {share}%")
    handles = axes.get_legend_handles_labels()
    rate_handles = rate_axes.get_legend_handles_labels()
    axes.legend(
        handles[0] + rate_handles[0],
        handles[1] + rate_handles[1],
        loc="upper left",
        fontsize="small",
        framealpha=0.9,
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
