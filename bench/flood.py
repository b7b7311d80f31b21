"""Fair limits and bounded memory, measured through the fake Bot API (figures, not a test).

    python -m bench.flood                   # both parts
    python -m bench.flood --part fairness --seconds 60
    python -m bench.flood --part memory --count 10000

fairness: 20 people ask a question every few seconds for `seconds` (the dev set's questions),
          once alone and once next to a flooder sending 200 questions in that time; printed:
          the others' median reply time in each run and their ratio (target: at most 1.2),
          and what the flooder got (target: one notice, and no more answers than the limit).
memory:   after a warm-up, `count` distinct inline queries (each from a new person, so the
          debounce lets every one through), `count` presses of buttons under old messages
          (passages gone, questions to ask again, unknown votes) and `count // 10` long
          questions; printed: the process's RSS after the warm-up and after, and the growth
          (target: under 50 MB), with the sizes of the bot's bounded tables.

Run on a quiet machine: the ratio compares two runs made one after the other.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.core.live import LiveEngine
from bot.querylog import QuestionLog
from bot.telegram_bot import texts
from bot.telegram_bot.app import build_application
from bot.telegram_bot.runner import build_live_engine
from tests.conftest import DATA, copy_seed
from tests.fake_bot_api import TOKEN, FakeBotApi, make_user, polling, private_chat

PEOPLE = 20
FLOOD = 200


def dev_questions() -> list[str]:
    lines = (DATA / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    assert match
    return int(match.group(1)) / 1024


def forget_calls(server: FakeBotApi) -> None:
    """The fake server records every call; its records are not the bot's memory."""
    with server._cond:
        server.calls.clear()
        server._messages.clear()
        server._chats.clear()


async def reply_time(server: FakeBotApi, message: dict[str, Any], timeout: float = 60) -> float:
    sent = time.monotonic()
    chat_id, message_id = message["chat"]["id"], message["message_id"]

    def answers(call: Any) -> bool:
        parameters = call.get("reply_parameters") or {}
        return call.get("chat_id") == chat_id and parameters.get("message_id") == message_id

    [call] = await server.wait_for("sendMessage", answers, timeout=timeout)
    return call.time - sent


@contextlib.contextmanager
def bot_parts() -> Iterator[tuple[FakeBotApi, Settings, LiveEngine, QuestionLog]]:
    """A fake Bot API, the settings of a bot over a copy of the seed, its engine and a log."""
    with tempfile.TemporaryDirectory() as temporary, FakeBotApi() as server:
        settings = Settings(
            knowledge_dir=copy_seed(Path(temporary) / "knowledge"),
            api_url=server.api_url,
            token=TOKEN,
            log_db=None,
        )
        question_log = QuestionLog(Path(temporary) / "questions.sqlite3")
        try:
            yield server, settings, build_live_engine(settings), question_log
        finally:
            question_log.close()


# --- Fairness -------------------------------------------------------------------------------


async def one_run(server: FakeBotApi, seconds: float, flood: bool, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    questions = dev_questions()
    people = [make_user(20_000 + n, f"Người {n}") for n in range(PEOPLE)]
    flooder = make_user(30_000, "Nhanh tay")
    per_person = max(1, int(seconds / 6))  # a question every six seconds or so

    async def person(user: dict[str, Any]) -> list[float]:
        times = []
        await asyncio.sleep(rng.uniform(0, 6))
        for _ in range(per_person):
            message = server.send_text(private_chat(user), user, rng.choice(questions))
            times.append(await reply_time(server, message))
            await asyncio.sleep(rng.uniform(3, 9))
        return times

    async def flooding() -> None:
        for n in range(FLOOD):
            server.send_text(private_chat(flooder), flooder, f"{rng.choice(questions)} ({n})")
            await asyncio.sleep(seconds / FLOOD)

    tasks = [asyncio.create_task(person(user)) for user in people]
    if flood:
        await flooding()
    times = [t for result in await asyncio.gather(*tasks) for t in result]
    await asyncio.sleep(1)
    to_flooder = server.calls_to("sendMessage", lambda c: c["chat_id"] == flooder["id"])
    notices = sum(1 for c in to_flooder if c["text"] == texts.SLOW_DOWN)
    return {
        "median_ms": statistics.median(times) * 1000,
        "p90_ms": statistics.quantiles(times, n=10)[-1] * 1000,
        "replies": len(times),
        "flooder_answers": len(to_flooder) - notices,
        "flooder_notices": notices,
    }


def fairness(seconds: float, rounds: int, limit: int) -> dict[str, Any]:
    results: dict[str, list[dict[str, Any]]] = {"alone": [], "with_flood": []}
    with bot_parts() as (server, settings, live, question_log):
        settings = dataclasses.replace(settings, user_questions_per_minute=limit)

        async def main() -> None:
            for number in range(rounds):
                for flood in (False, True):  # alternated, so that drift hits both alike
                    application = build_application(settings, live, question_log=question_log)
                    async with polling(application):
                        result = await one_run(server, seconds, flood, seed=number)
                    results["with_flood" if flood else "alone"].append(result)
                    forget_calls(server)
                    print(f"{'flood' if flood else 'alone'} {number}: {result}", file=sys.stderr)

        asyncio.run(main())
    alone = statistics.median(r["median_ms"] for r in results["alone"])
    flooded = statistics.median(r["median_ms"] for r in results["with_flood"])
    return {
        "seconds": seconds,
        "people": PEOPLE,
        "flood_questions": FLOOD,
        "limit_per_minute": limit,
        "median_ms_alone": round(alone, 1),
        "median_ms_with_flood": round(flooded, 1),
        "ratio": round(flooded / alone, 3),
        "flooder_answers": [r["flooder_answers"] for r in results["with_flood"]],
        "flooder_notices": [r["flooder_notices"] for r in results["with_flood"]],
        "runs": results,
    }


# --- Memory ---------------------------------------------------------------------------------


def words_of_the_seed() -> list[str]:
    text = next((DATA / "seed").iterdir()).read_text(encoding="utf-8")
    return sorted(set(re.findall(r"\w+", text.lower())))


async def memory_run(server: FakeBotApi, count: int, warm_up: int) -> dict[str, Any]:
    rng = random.Random(14)
    words = words_of_the_seed()
    bot_user = server.bot_user
    batch = 500
    next_user = iter(range(100_000, 10**9))

    def inline(n: int) -> None:
        user = make_user(next(next_user), "Gõ")
        question = " ".join(rng.choice(words) for _ in range(rng.randint(2, 7))) + f" {n}"
        server.inline_query(user, question)

    def stale_press(n: int) -> None:
        user = make_user(next(next_user), "Bấm")
        chat = private_chat(user)
        asked = server.message(chat, user, " ".join(rng.choice(words) for _ in range(5)))
        old = {
            "message_id": 10**7 + n,
            "date": int(time.time()) - 86_400 * 30,
            "chat": chat,
            "from": bot_user,
            "text": "Câu trả lời cũ",
            "reply_to_message": asked,
        }
        server._remember(old)
        kind = n % 3
        data = (
            f"p:{rng.randrange(10**9):x}"
            if kind == 0
            else f"n:1:{rng.randrange(10**9):08x}"
            if kind == 1
            else f"v:+:{rng.randrange(10**6)}"
        )
        server.press_button(user, data, message=old)

    def long_question(n: int) -> None:
        user = make_user(next(next_user), "Dài")
        text = " ".join(rng.choice(words) for _ in range(600))[:4000]
        server.send_text(private_chat(user), user, text)

    async def drain(method: str, done: int) -> None:
        await server.wait_for(method, count=done, timeout=600)

    async def phase(kind: str, total: int) -> None:
        make, method = {
            "inline": (inline, "answerInlineQuery"),
            "stale": (stale_press, "answerCallbackQuery"),
            "long": (long_question, "sendMessage"),
        }[kind]
        for start in range(0, total, batch):
            size = min(batch, total - start)
            for n in range(start, start + size):
                make(n)
            await drain(method, size)
            forget_calls(server)

    for kind in ("inline", "stale", "long"):
        await phase(kind, warm_up)
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    await phase("inline", count)
    await phase("stale", count)
    await phase("long", count // 10)
    gc.collect()
    after = rss_mb()
    return {
        "warm_up_each": warm_up,
        "inline_queries": count,
        "stale_callbacks": count,
        "long_questions": count // 10,
        "rss_mb_after_warm_up": round(before, 1),
        "rss_mb_after": round(after, 1),
        "growth_mb": round(after - before, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def memory(count: int, warm_up: int) -> dict[str, Any]:
    with bot_parts() as (server, settings, live, question_log):
        figures: dict[str, Any] = {}

        async def main() -> None:
            application = build_application(settings, live, question_log=question_log)
            async with polling(application):
                figures.update(await memory_run(server, count, warm_up))
                data = application.bot_data
                figures["tables"] = {
                    "people_rated": len(data.limits.users),
                    "people_debounced": len(data.limits.inline),
                    "answers_remembered": len(data.answers),
                    "application_user_data": len(application.user_data),
                    "application_chat_data": len(application.chat_data),
                }

        asyncio.run(main())
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--part", choices=["fairness", "memory", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--limit",
        type=int,
        default=Settings().user_questions_per_minute,
        help="questions a minute per person (a large number: the flood without the limit)",
    )
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--warm-up", type=int, default=1_000)
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {}
    if args.part in ("fairness", "both"):
        figures["fairness"] = fairness(args.seconds, args.rounds, args.limit)
    if args.part in ("memory", "both"):
        figures["memory"] = memory(args.count, args.warm_up)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
