"""Faults from Telegram, floods and a reload mid-flood: every question answered, exactly once.

The real python-telegram-bot Application polls the fake Bot API server on loopback while the
server injects faults. Each scenario sends N questions from N users and counts, per question,
the answers Telegram accepted (status 200); the counts are printed (``pytest -s``) and quoted
in the README's *Reliability* section.

The load test is the heaviest test of the suite (~20 s, most of it the rate limiter keeping
the bot under Telegram's 30 messages a second); it runs by default, as CI runs it.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application, ApplicationBuilder

from bot.config import Settings
from bot.core.engine import Engine
from bot.core.live import LiveEngine, ReloadReport
from bot.core.model import Answer
from bot.telegram_bot import app as app_module
from bot.telegram_bot import retry, texts
from bot.telegram_bot.app import build_application
from bot.telegram_bot.retry import is_transient
from bot.telegram_bot.runner import build_live_engine
from tests.fake_bot_api import (
    TOKEN,
    Call,
    FakeBotApi,
    Json,
    check_telegram_html,
    make_user,
    polling,
    private_chat,
)

pytestmark = pytest.mark.filterwarnings(  # raised inside python-telegram-bot's rate limiter
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

N = 20  # questions per fault scenario
QUESTION = "ai chu tri hoi nghi"
ANSWER_WORDS = "chủ trì hội nghị"
ADMIN = make_user(1001, "Quản trị")
READ_TIMEOUT = 0.5  # the bot's read time-out in these tests (5 s in production)


class TimedFakeBotApi(FakeBotApi):
    """The fake server, also noting when each update was first handed to the bot."""

    def __init__(self) -> None:
        super().__init__()
        self.delivered: dict[int, float] = {}

    def _get_updates(self, params: Json) -> list[Json]:
        updates = super()._get_updates(params)
        now = time.monotonic()
        with self._cond:
            for update in updates:
                self.delivered.setdefault(update["update_id"], now)
        return updates


@pytest.fixture
def server() -> Iterator[TimedFakeBotApi]:
    with TimedFakeBotApi() as fake:
        yield fake


@pytest.fixture
def settings(knowledge_copy: Path, server: FakeBotApi) -> Settings:
    return Settings(
        knowledge_dir=knowledge_copy,
        admin_ids=frozenset({ADMIN["id"]}),
        api_url=server.api_url,
        token=TOKEN,
        log_db=None,
    )


@pytest.fixture
def live(settings: Settings) -> LiveEngine:
    return build_live_engine(settings)


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot as built by build_application, with a short read time-out and backoff."""

    class ShortTimeouts(Application):  # type: ignore[type-arg]
        @staticmethod
        def builder() -> ApplicationBuilder:  # type: ignore[type-arg]
            return Application.builder().read_timeout(READ_TIMEOUT)

    monkeypatch.setattr(app_module, "Application", ShortTimeouts)
    monkeypatch.setattr(retry, "BACKOFF_SECONDS", 0.2)


Scenario = Callable[[TimedFakeBotApi], Awaitable[None]]


def run_bot(
    settings: Settings,
    live: LiveEngine,
    server: TimedFakeBotApi,
    scenario: Scenario,
    timeout: float = 60,
) -> None:
    async def main() -> None:
        application = build_application(settings, live)
        async with polling(application):
            await scenario(server)

    asyncio.run(asyncio.wait_for(main(), timeout=timeout))


def reply_to(call: Call) -> tuple[int, int] | None:
    parameters = call.get("reply_parameters") or {}
    if parameters.get("message_id") is None:
        return None
    return int(call["chat_id"]), int(parameters["message_id"])


def answers_by_question(server: FakeBotApi) -> dict[tuple[int, int], list[Call]]:
    """Accepted (status 200) sendMessage calls, by the (chat, message) they answer."""
    found: dict[tuple[int, int], list[Call]] = {}
    for call in server.calls_to("sendMessage", lambda c: c.status == 200):
        key = reply_to(call)
        if key is not None:
            found.setdefault(key, []).append(call)
    return found


def send_questions(
    server: FakeBotApi, count: int, first_user: int = 5000, question: str = QUESTION
) -> list[Json]:
    users = [make_user(first_user + i, f"Người {i}") for i in range(count)]
    return [server.send_text(private_chat(u), u, question) for u in users]


async def wait_answered(server: FakeBotApi, messages: list[Json], timeout: float = 30) -> None:
    keys = {(m["chat"]["id"], m["message_id"]) for m in messages}
    deadline = time.monotonic() + timeout
    while not keys <= answers_by_question(server).keys():
        if time.monotonic() > deadline:
            break  # the assertions below say what is missing
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # room for a duplicate to show up


def count_answered(server: FakeBotApi, messages: list[Json]) -> tuple[int, int]:
    """(questions answered exactly once, questions answered more than once)."""
    by_question = answers_by_question(server)
    counts = [len(by_question.get((m["chat"]["id"], m["message_id"]), [])) for m in messages]
    return sum(1 for c in counts if c == 1), sum(1 for c in counts if c > 1)


def faults_pending(server: FakeBotApi) -> int:
    """Faults set up and not met yet (the fake counts each fault's `times` down)."""
    with server._cond:
        return sum(f.times for faults in server._faults.values() for f in faults)


FIGURES: dict[str, str] = {}


def report(name: str, figure: str) -> None:
    FIGURES[name] = figure
    print(f"\n[reliability] {name}: {figure}")


# --- What is retried ----------------------------------------------------------------------


def test_only_faults_that_cannot_duplicate_are_transient() -> None:
    import httpx
    from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

    def caused(error: Exception, cause: BaseException) -> Exception:
        error.__cause__ = cause
        return error

    request = httpx.Request("POST", "http://127.0.0.1/")
    assert is_transient(NetworkError("Internal Server Error"))  # a 5xx answer
    assert is_transient(caused(NetworkError("x"), httpx.ConnectError("refused")))
    assert is_transient(caused(NetworkError("x"), httpx.RemoteProtocolError("closed")))
    assert is_transient(caused(TimedOut(), httpx.ConnectTimeout("slow", request=request)))
    assert is_transient(caused(TimedOut(), httpx.PoolTimeout("busy", request=request)))
    assert not is_transient(caused(TimedOut(), httpx.ReadTimeout("late", request=request)))
    assert not is_transient(TimedOut())
    assert is_transient(caused(NetworkError("x"), httpx.ReadError("reset")))
    assert not is_transient(caused(NetworkError("x"), httpx.DecodingError("garbled")))
    for error in (BadRequest("bad"), Forbidden("blocked"), RetryAfter(1)):
        assert not is_transient(error)


# --- Faults on sendMessage and getUpdates ---------------------------------------------------


def _for(message: Json) -> Callable[[Json], bool]:
    def match(params: Json) -> bool:
        parameters = params.get("reply_parameters") or {}
        return parameters.get("message_id") == message["message_id"]

    return match


FAULTS: dict[str, Callable[[FakeBotApi, list[Json]], None]] = {
    # Every answer fails twice with a 500 before it goes through.
    "sendMessage 500, twice per answer": lambda server, messages: [
        server.fail_next("sendMessage", status=500, times=2, match=_for(m)) for m in messages
    ],
    # Every answer's connection is closed without a response, once.
    "sendMessage connection dropped": lambda server, messages: [
        server.fail_next("sendMessage", drop=True, status=None, match=_for(m)) for m in messages
    ],
    # Every answer is accepted only after the bot's read time-out (0.5 s here) has passed.
    "sendMessage times out": lambda server, messages: [
        server.fail_next("sendMessage", delay=READ_TIMEOUT * 3, status=None, match=_for(m))
        for m in messages
    ],
    # Every answer first meets 429 Too Many Requests, retry_after 1 s.
    "sendMessage 429 retry_after=1": lambda server, messages: [
        server.fail_next("sendMessage", retry_after=1, match=_for(m)) for m in messages
    ],
    # The next two long polls are closed without an answer while the questions wait.
    "getUpdates connection dropped, twice": lambda server, messages: server.fail_next(
        "getUpdates", drop=True, status=None, times=2
    ),
    # The next two long polls answer 502 Bad Gateway.
    "getUpdates 502, twice": lambda server, messages: server.fail_next(
        "getUpdates", status=502, times=2
    ),
}


@pytest.mark.usefixtures("short_timeouts")
@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_question_is_answered_once_under_a_fault(
    fault: str, settings: Settings, live: LiveEngine, server: TimedFakeBotApi
) -> None:
    async def scenario(server: TimedFakeBotApi) -> None:
        await server.wait_for("getUpdates")
        messages = [
            server.message(private_chat(u), u, QUESTION)
            for u in (make_user(5000 + i, f"Người {i}") for i in range(N))
        ]
        FAULTS[fault](server, messages)
        planned = faults_pending(server)
        if fault.startswith("getUpdates"):  # the poll already waiting is not affected
            await server.wait_for("getUpdates", lambda c: c.status != 200, timeout=5)
        for message in messages:
            server.push_update({"message": message})
        await wait_answered(server, messages)
        once, more = count_answered(server, messages)
        injected = planned - faults_pending(server)
        report(
            fault, f"{once} of {N} answered exactly once ({more} twice), {injected} faults injected"
        )
        assert injected == planned, "not every fault was met"
        assert (once, more) == (N, 0)
        for calls in answers_by_question(server).values():
            assert ANSWER_WORDS in calls[0]["text"]
        assert not server.calls_to("sendMessage", lambda c: c["text"] == texts.SOMETHING_WENT_WRONG)

    run_bot(settings, live, server, scenario)


@pytest.mark.usefixtures("short_timeouts")
def test_a_fault_that_lasts_gives_up_and_apologises(
    settings: Settings, live: LiveEngine, server: TimedFakeBotApi
) -> None:
    """Beyond the retries the answer is lost: the user is told, the bot keeps serving."""

    async def scenario(server: TimedFakeBotApi) -> None:
        [message] = send_questions(server, 1)
        server.fail_next(
            "sendMessage", status=500, times=retry.NETWORK_RETRIES + 1, match=_for(message)
        )
        calls = await server.wait_for(
            "sendMessage",
            lambda c: reply_to(c) is not None and reply_to(c)[1] == message["message_id"],
            count=retry.NETWORK_RETRIES + 2,
            timeout=15,
        )
        assert [c.status for c in calls] == [500] * (retry.NETWORK_RETRIES + 1) + [200]
        assert calls[-1]["text"] == texts.SOMETHING_WENT_WRONG
        [later] = send_questions(server, 1, first_user=6000)
        await wait_answered(server, [later])
        assert count_answered(server, [later]) == (1, 0)

    run_bot(settings, live, server, scenario)


# --- Load -----------------------------------------------------------------------------------

LOAD_USERS = 50
LOAD_PER_USER = 10
LOAD_QUESTIONS = [
    "ai chu tri hoi nghi",
    "Hội nghị triển khai chỉ thị số mấy?",
    "Giá vàng hôm nay bao nhiêu?",
    "an toàn thông tin mạng",
    "Bài viết đăng ngày nào?",
    "ai là tác giả",
    "Ban Thường vụ Tỉnh ủy Bến Tre tổ chức gì?",
    "xin chào",
    "🙂",
    "<b>hội nghị</b> & gì?",
]


def test_500_questions_from_50_users_with_a_reload_in_the_middle(
    settings: Settings,
    live: LiveEngine,
    server: TimedFakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reloads: list[ReloadReport] = []
    real_reload = live.reload

    async def counted_reload() -> ReloadReport:
        result = await real_reload()
        reloads.append(result)
        return result

    live.reload = counted_reload  # type: ignore[method-assign]
    engine_seconds: list[float] = []
    real_ask = Engine.ask

    def timed_ask(self: Engine, question: str) -> Answer:
        started = time.perf_counter()
        try:
            return real_ask(self, question)
        finally:
            engine_seconds.append(time.perf_counter() - started)

    monkeypatch.setattr(Engine, "ask", timed_ask)

    async def scenario(server: TimedFakeBotApi) -> None:
        await server.wait_for("getUpdates")
        users = [make_user(10_000 + i, f"Người {i}") for i in range(LOAD_USERS)]
        messages: list[Json] = []
        total = LOAD_USERS * LOAD_PER_USER
        started = time.monotonic()
        for number in range(total):
            if number == total // 2:
                reload = server.send_text(private_chat(ADMIN), ADMIN, "/reload")
            user = users[number % LOAD_USERS]
            question = LOAD_QUESTIONS[(number // LOAD_USERS) % len(LOAD_QUESTIONS)]
            messages.append(server.send_text(private_chat(user), user, question))
        await wait_answered(server, messages, timeout=50)
        elapsed = time.monotonic() - started
        await server.wait_for("editMessageText", timeout=10)

        once, more = count_answered(server, messages)
        assert (once, more) == (total, 0)
        by_question = answers_by_question(server)
        answers = [by_question[(m["chat"]["id"], m["message_id"])][0] for m in messages]
        errors = [c for c in answers if c["text"] == texts.SOMETHING_WENT_WRONG]
        assert errors == []
        for call in answers[:20]:
            check_telegram_html(call["text"])
        assert len(reloads) == 1 and reloads[0].ok
        [status] = server.calls_to("sendMessage", lambda c: c["text"] == texts.RELOAD_STARTED)
        assert reply_to(status) is None or reply_to(status)[1] == reload["message_id"]

        # Latency inside the bot: from the update handed over by getUpdates to the answer
        # reaching the server (queueing, the engine, and the rate limiter's 30 messages/s).
        delivered = {
            m["message_id"]: server.delivered[u["update_id"]]
            for m, u in zip(messages, _updates_of(server, messages), strict=True)
        }
        latencies = sorted(c.time - delivered[reply_to(c)[1]] for c in answers)
        median, p95 = statistics.median(latencies), percentile(latencies, 95)
        engine = sorted(engine_seconds)
        report(
            "load",
            f"{once} of {total} answered exactly once, {len(errors)} errors, "
            f"reload ok; latency median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"all answered in {elapsed:.1f} s; engine time per question median "
            f"{statistics.median(engine) * 1000:.1f} ms, p95 "
            f"{percentile(engine, 95) * 1000:.1f} ms",
        )
        assert p95 < 40

    run_bot(settings, live, server, scenario, timeout=90)


def percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[max(0, math.ceil(percent / 100 * len(values)) - 1)]


def _updates_of(server: FakeBotApi, messages: list[Json]) -> list[Json]:
    """The update each message came in (update ids are handed out in order by the server)."""
    wanted = {m["message_id"] for m in messages}
    found: dict[int, Json] = {}
    for call in server.calls_to("getUpdates"):
        for update in call.result or []:
            message: Any = update.get("message") or {}
            if message.get("message_id") in wanted:
                found.setdefault(message["message_id"], update)
    return [found[m["message_id"]] for m in messages]
