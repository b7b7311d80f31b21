"""`python -m bot run` as an operator meets it: clear start-up errors, clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.config import ConfigError, Settings
from bot.telegram_bot.runner import EXIT_NO_TOKEN, check_settings, run
from tests.conftest import ROOT
from tests.fake_bot_api import TOKEN, FakeBotApi, make_user, private_chat

USER = make_user(2002, "Lan")


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


def bot_env(knowledge: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.update(
        {
            "BOT_KNOWLEDGE_DIR": str(knowledge),
            "BOT_LOG_DB": "",
            "PYTHONUNBUFFERED": "1",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    env.update(overrides)
    return env


def run_cli(env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def test_missing_token_is_one_clear_line_and_a_failure(
    knowledge_copy: Path, server: FakeBotApi
) -> None:
    result = run_cli(bot_env(knowledge_copy, TELEGRAM_API_URL=server.api_url))
    assert result.returncode == EXIT_NO_TOKEN != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0] and "BotFather" in lines[0]
    assert result.stdout == ""
    assert server.calls == []  # no network touched


def test_run_without_token_returns_2_without_network(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(knowledge_dir=knowledge_copy, api_url="http://127.0.0.1:9", token=None)
    assert run(settings) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


def test_bad_settings_fail_clearly_without_showing_the_token(knowledge_copy: Path) -> None:
    result = run_cli(bot_env(knowledge_copy, TELEGRAM_BOT_TOKEN="not a token at all"))
    assert result.returncode != 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "not a token" not in result.stderr
    result = run_cli(
        bot_env(knowledge_copy, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_PORT="cổng")
    )
    assert result.returncode != 0 and "TELEGRAM_WEBHOOK_PORT" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_check_settings_rejects_a_bad_webhook_secret(knowledge_copy: Path) -> None:
    good = Settings(knowledge_dir=knowledge_copy, token=TOKEN, webhook_secret="abc_DEF-123")
    check_settings(good)
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        check_settings(
            Settings(knowledge_dir=knowledge_copy, token=TOKEN, webhook_secret="có dấu cách")
        )


def test_polling_process_answers_and_stops_cleanly_on_sigterm(
    knowledge_copy: Path, server: FakeBotApi
) -> None:
    env = bot_env(
        knowledge_copy,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=server.api_url,
        TELEGRAM_ADMIN_IDS="1001",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=ROOT,
        text=True,
        encoding="utf-8",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        server.wait_for_sync("getUpdates", timeout=30)
        message = server.send_text(private_chat(USER), USER, "ai chu tri hoi nghi")
        [answer] = server.wait_for_sync(
            "sendMessage",
            lambda c: (c.get("reply_parameters") or {}).get("message_id") == message["message_id"],
            timeout=15,
        )
        assert "chủ trì hội nghị" in answer["text"]
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "ready (polling): 1 articles" in stderr
    assert TOKEN not in stdout + stderr and TOKEN.split(":")[1] not in stdout + stderr
    scopes = [c["scope"]["type"] for c in server.calls_to("setMyCommands")]
    assert scopes.count("default") == 2 and scopes.count("chat") == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post_until_listening(url: str, **kwargs: object) -> httpx.Response:
    deadline = time.monotonic() + 20
    while True:
        try:
            return httpx.post(url, trust_env=False, timeout=5, **kwargs)  # type: ignore[arg-type]
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_webhook_process_sets_a_secret_and_stops_cleanly(
    knowledge_copy: Path, server: FakeBotApi
) -> None:
    port = _free_port()
    env = bot_env(
        knowledge_copy,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=server.api_url,
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/tg",
        TELEGRAM_WEBHOOK_PORT=str(port),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=ROOT,
        text=True,
        encoding="utf-8",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        [webhook] = server.wait_for_sync("setWebhook", timeout=30)
        secret = webhook["secret_token"]  # none configured: a random one per start
        assert webhook["url"] == "https://bot.example.org/tg" and len(secret) >= 32
        url = f"http://127.0.0.1:{port}/tg"
        message = server.message(private_chat(USER), USER, "ai chu tri hoi nghi")
        assert (
            _post_until_listening(url, json={"update_id": 1, "message": message}).status_code == 403
        )
        response = _post_until_listening(
            url,
            json={"update_id": 2, "message": message},
            headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        )
        assert response.status_code == 200
        [answer] = server.wait_for_sync("sendMessage", timeout=15)
        assert "chủ trì hội nghị" in answer["text"]
        assert server.calls_to("getUpdates") == []
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "ready (webhook)" in stderr and secret not in stdout + stderr
