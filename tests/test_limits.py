"""Fair limits: the rules (a fake clock), then through the real Application and the fake Bot
API: a flooder gets one notice and silence while others are answered, a busy group gets its
questions gathered into one short reply, admins are exempt, inline keystrokes are debounced."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings
from bot.core.live import LiveEngine
from bot.telegram_bot import texts
from bot.telegram_bot.limits import Debouncer, GroupBudget, UserRate, Verdict
from bot.telegram_bot.runner import build_live_engine
from tests.fake_bot_api import TOKEN, FakeBotApi, group_chat, make_user, private_chat
from tests.test_telegram_bot import replies_to, run_bot

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

QUESTION = "Ai chủ trì hội nghị?"
ADMIN = make_user(1001, "Quản trị", username="quantri")


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


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- The rules --------------------------------------------------------------------------------


def test_over_the_rate_one_notice_then_silence_until_the_minute_passes() -> None:
    clock = Clock()
    rate = UserRate(3, clock=clock)
    verdicts = []
    for _ in range(6):
        verdicts.append(rate.check(7))
        clock.now += 1
    assert verdicts == [Verdict.ANSWER] * 3 + [Verdict.NOTICE] + [Verdict.SILENT] * 2
    assert rate.check(8) is Verdict.ANSWER  # another person is not affected
    clock.now = 1000.0 + 60.5  # the first question left the minute
    assert rate.check(7) is Verdict.ANSWER
    assert rate.check(7) is Verdict.NOTICE  # over again: told again, once


def test_tables_are_bounded_by_the_people_they_remember() -> None:
    rate = UserRate(20, capacity=100)
    for user in range(10_000):
        rate.check(user)
    assert len(rate) == 100


def test_group_budget_counts_full_answers_per_minute() -> None:
    clock = Clock()
    budget = GroupBudget(2, clock=clock)
    assert [budget.spend(-1) for _ in range(4)] == [True, True, False, False]
    assert budget.spend(-2)
    clock.now += 61
    assert budget.spend(-1)


def test_inline_keystrokes_in_one_burst_are_answered_once() -> None:
    async def typing() -> list[bool]:
        debouncer = Debouncer(0.2)
        first = await debouncer.settled(5)  # after a pause: at once
        burst = [asyncio.create_task(debouncer.settled(5)) for _ in range(4)]
        for _ in burst:
            await asyncio.sleep(0.01)
        return [first, *await asyncio.gather(*burst)]

    assert asyncio.run(typing()) == [True, False, False, False, True]


def test_limits_have_sane_defaults_and_settings() -> None:
    defaults = Settings()
    assert defaults.user_questions_per_minute == 20
    assert 0 < defaults.inline_debounce < 2 and defaults.group_answers_per_minute >= 5
    environ = {"BOT_USER_QUESTIONS_PER_MINUTE": "5", "BOT_INLINE_DEBOUNCE": "0"}
    loaded = load_settings(environ=environ)
    assert loaded.user_questions_per_minute == 5 and loaded.inline_debounce == 0


# --- Through the fake Bot API -----------------------------------------------------------------

FLOODER = make_user(4004, "Nhanh")


def test_a_flooder_gets_one_notice_and_others_are_still_answered(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    settings = replace(settings, user_questions_per_minute=5)
    others = [make_user(5000 + n, f"Người {n}") for n in range(5)]

    async def scenario(server: FakeBotApi) -> None:
        for n in range(40):
            server.send_text(private_chat(FLOODER), FLOODER, f"{QUESTION} {n}")
        asked = [server.send_text(private_chat(user), user, QUESTION) for user in others]
        for message in asked:
            await server.wait_for("sendMessage", replies_to(message), timeout=20)
        await asyncio.sleep(1.0)  # what the flood would still get, it would get by now
        to_flooder = server.calls_to("sendMessage", lambda c: c["chat_id"] == FLOODER["id"])
        notices = [c for c in to_flooder if c["text"] == texts.SLOW_DOWN]
        assert len(notices) == 1
        assert len(to_flooder) == 5 + 1  # five answers, one notice, then silence

    run_bot(settings, live, server, scenario)


def test_admins_are_exempt(settings: Settings, live: LiveEngine, server: FakeBotApi) -> None:
    settings = replace(settings, user_questions_per_minute=2)

    async def scenario(server: FakeBotApi) -> None:
        asked = [server.send_text(private_chat(ADMIN), ADMIN, QUESTION) for _ in range(6)]
        for message in asked:
            [call] = await server.wait_for("sendMessage", replies_to(message), timeout=20)
            assert call["text"] != texts.SLOW_DOWN

    run_bot(settings, live, server, scenario)


def test_a_busy_group_gets_the_rest_in_one_short_reply(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    settings = replace(settings, group_answers_per_minute=2, group_batch_seconds=0.5)
    chat = group_chat(-1001)
    people = [make_user(6000 + n, f"Thành viên {n}") for n in range(6)]

    async def scenario(server: FakeBotApi) -> None:
        asked: list[dict[str, Any]] = []
        for person in people:
            asked.append(server.send_text(chat, person, f"/ask {QUESTION}"))
            await asyncio.sleep(0.05)
        await server.wait_for("sendMessage", replies_to(asked[-1]), timeout=20)
        await asyncio.sleep(0.5)
        replies = server.calls_to("sendMessage", lambda c: c["chat_id"] == chat["id"])
        assert len(replies) == 3  # two full answers, then one for the four others
        [short] = [c for c in replies if c["text"].startswith(texts.GROUP_BUSY)]
        assert short.get("reply_markup") is None
        full = [c for c in replies if c is not short]
        assert [c["reply_parameters"]["message_id"] for c in full] == [
            m["message_id"] for m in asked[:2]
        ]
        assert short["text"].count(QUESTION) == 4
        assert len(short["text"]) < 4 * 400  # shorter than four answers

    run_bot(settings, live, server, scenario)


def test_inline_typing_is_answered_for_its_last_keystroke(
    settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    settings = replace(settings, inline_debounce=0.3)
    typist = make_user(7007, "Gõ")
    words = QUESTION.split()

    async def scenario(server: FakeBotApi) -> None:
        server.inline_query(typist, "hội")  # after a pause: answered at once
        await server.wait_for("answerInlineQuery", timeout=20)
        ids = []
        for end in range(1, len(words) + 1):
            ids.append(server.inline_query(typist, " ".join(words[:end])))
            await asyncio.sleep(0.05)
        await server.wait_for(
            "answerInlineQuery", lambda c: c["inline_query_id"] == ids[-1], timeout=20
        )
        await asyncio.sleep(0.4)
        answered = {c["inline_query_id"] for c in server.calls_to("answerInlineQuery")}
        assert answered & set(ids) == {ids[-1]}

    run_bot(settings, live, server, scenario)
