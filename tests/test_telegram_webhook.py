"""Webhook mode: only updates carrying Telegram's secret token are answered."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.config import Settings
from bot.telegram_bot.app import build_application
from bot.telegram_bot.runner import ALLOWED_UPDATES, build_live_engine, webhook_path
from tests.fake_bot_api import TOKEN, FakeBotApi, make_user, private_chat

USER = make_user(2002, "Lan")
SECRET = "s3cret-Token_for-tests"
WEBHOOK_URL = "https://bot.example.org/telegram/hook"


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_webhook_answers_only_updates_with_the_secret(
    knowledge_copy: Path, server: FakeBotApi
) -> None:
    settings = Settings(
        knowledge_dir=knowledge_copy,
        api_url=server.api_url,
        token=TOKEN,
        log_db=None,
        webhook_url=WEBHOOK_URL,
        webhook_secret=SECRET,
        webhook_port=free_port(),
    )
    live = build_live_engine(settings)
    chat = private_chat(USER)
    url = f"http://127.0.0.1:{settings.webhook_port}/{webhook_path(WEBHOOK_URL)}"

    async def main() -> None:
        application = build_application(settings, live, mode="webhook")
        async with application:
            await application.start()
            await application.updater.start_webhook(
                listen="127.0.0.1",
                port=settings.webhook_port,
                url_path=webhook_path(WEBHOOK_URL),
                webhook_url=WEBHOOK_URL,
                secret_token=SECRET,
                allowed_updates=ALLOWED_UPDATES,
            )
            try:
                [set_webhook] = server.calls_to("setWebhook")
                assert set_webhook["url"] == WEBHOOK_URL
                assert set_webhook["secret_token"] == SECRET
                assert server.calls_to("getUpdates") == []

                without = server.message(chat, USER, "Ai chủ trì hội nghị?")
                wrong = server.message(chat, USER, "Ai chủ trì hội nghị?")
                good = server.message(chat, USER, "ai chu tri hoi nghi")
                async with httpx.AsyncClient(trust_env=False, timeout=5) as client:
                    response = await client.post(url, json={"update_id": 1, "message": without})
                    assert response.status_code == 403
                    response = await client.post(
                        url,
                        json={"update_id": 2, "message": wrong},
                        headers={"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"},
                    )
                    assert response.status_code == 403
                    response = await client.post(
                        url,
                        json={"update_id": 3, "message": good},
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    )
                    assert response.status_code == 200
                [answer] = await server.wait_for("sendMessage")
                assert answer["reply_parameters"]["message_id"] == good["message_id"]
                assert "chủ trì hội nghị" in answer["text"]
                assert len(server.calls_to("sendMessage")) == 1
            finally:
                await application.updater.stop()
                await application.stop()

    asyncio.run(asyncio.wait_for(main(), timeout=30))


def test_webhook_path_follows_the_public_url() -> None:
    assert webhook_path("https://bot.example.org/telegram/hook/") == "telegram/hook"
    assert webhook_path("https://bot.example.org") == ""
