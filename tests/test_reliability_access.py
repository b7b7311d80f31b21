"""Access and secrets: who may reload and upload, where uploads land, the token never shown,
and a clean stop on SIGTERM with questions in flight."""

from __future__ import annotations

import logging
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.core.cache import wait_for_saves
from bot.core.live import LiveEngine, ReloadReport
from bot.telegram_bot import texts
from bot.telegram_bot.runner import build_live_engine, configure_logging
from bot.telegram_bot.upload import safe_file_name, save_new_file, upload_suffix
from tests.conftest import ROOT
from tests.fake_bot_api import (
    TOKEN,
    FakeBotApi,
    Json,
    check_telegram_html,
    group_chat,
    make_user,
    private_chat,
)
from tests.test_telegram_bot import NEW_ARTICLE, replies_to, run_bot
from tests.test_telegram_runner import bot_env

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

ADMIN = make_user(1001, "Quản trị")
GROUP_ADMIN = make_user(4004, "Trưởng nhóm")  # an admin of the group, not of the bot
USER = make_user(2002, "Lan")
ANONYMOUS_ADMIN = make_user(1087968824, "Group", username="GroupAnonymousBot", is_bot=True)
SAFE_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*\.(txt|md)"


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
def bot_settings(knowledge_copy: Path, server: FakeBotApi) -> Settings:
    return Settings(
        knowledge_dir=knowledge_copy,
        admin_ids=frozenset({ADMIN["id"]}),
        api_url=server.api_url,
        token=TOKEN,
        log_db=None,
        max_file_bytes=20_000,
    )


@pytest.fixture
def live(bot_settings: Settings) -> LiveEngine:
    return build_live_engine(bot_settings)


def count_reloads(live: LiveEngine) -> list[ReloadReport]:
    reports: list[ReloadReport] = []
    real = live.reload

    async def counted() -> ReloadReport:
        reports.append(await real())
        return reports[-1]

    live.reload = counted  # type: ignore[method-assign]
    return reports


def tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


# --- Uploads --------------------------------------------------------------------------------

HOSTILE_NAMES = [
    "../../../../etc/cron.d/evil.txt",
    "/etc/passwd.txt",
    "C:\\Windows\\System32\\x.md",
    "....txt",
    ".bashrc.txt",
    "a\x00b.txt",
    "tên\u202egnp.txt",
    "x" * 300 + ".txt",
    "a/../../b.md",
    "#auto#.txt",
    "bài viết 🙂 (bản cuối).txt",
]  # ".md" alone has no suffix: refused (test_any_name_is_made_safe_or_refused)


def test_admin_uploads_with_hostile_names_land_inside_under_safe_names(
    bot_settings: Settings, live: LiveEngine, server: FakeBotApi, tmp_path: Path
) -> None:
    folder = bot_settings.knowledge_dir
    before_outside = tree(tmp_path) - {f"knowledge/{p}" for p in tree(folder)} - {"knowledge"}
    chat = private_chat(ADMIN)

    async def scenario(server: FakeBotApi) -> None:
        for count, name in enumerate(HOSTILE_NAMES, start=1):
            server.send_document(chat, ADMIN, name, _content(name))
            edits = await server.wait_for("editMessageText", count=count, timeout=15)
            check_telegram_html(edits[-1]["text"])

    run_bot(bot_settings, live, server, scenario)
    saved = sorted(
        p.name
        for p in folder.iterdir()
        if p.name != "000_796d2ca824a9a6ee.txt" and not p.name.startswith(".")
    )
    assert len(saved) == len(HOSTILE_NAMES)
    for name in saved:
        assert re.fullmatch(SAFE_NAME, name), name
        assert (folder / name).read_bytes() == _content(name)
    after_outside = tree(tmp_path) - {f"knowledge/{p}" for p in tree(folder)} - {"knowledge"}
    assert after_outside == before_outside  # nothing written outside knowledge/
    assert not list(folder.glob(".upload-*"))  # no temporary file left behind
    assert len(live.engine.articles) == 1 + len(HOSTILE_NAMES)


def _content(name: str) -> bytes:
    if name.lower().endswith(".md"):
        return ("# " + NEW_ARTICLE).encode()
    return NEW_ARTICLE.encode()


@settings(max_examples=300, deadline=None)
@given(name=st.text(max_size=120).map(lambda s: s + ".txt") | st.text(max_size=40))
def test_any_name_is_made_safe_or_refused(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    try:
        safe = safe_file_name(name)
    except ValueError:
        assert upload_suffix(name) is None  # refused only for its suffix (e.g. ".txt" alone)
        return
    assert re.fullmatch(SAFE_NAME, safe), safe
    folder = tmp_path_factory.mktemp("k")
    path = save_new_file(folder, safe, b"x")
    assert path.parent == folder.resolve() and path.read_bytes() == b"x"


def test_non_text_and_oversized_documents_are_refused_with_a_reason(
    bot_settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    chat = private_chat(ADMIN)
    folder = bot_settings.knowledge_dir
    before = tree(folder)
    cases: list[tuple[str, bytes, int | None, str]] = [
        ("anh.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, None, "Không nhận tệp"),
        ("nen.md", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" * 10, None, "Không nhận tệp"),
        ("lon.txt", NEW_ARTICLE.encode() * 100, None, "lớn quá giới hạn"),  # 20 kB limit
        ("noi-doi.txt", NEW_ARTICLE.encode() * 100, 100, "lớn quá giới hạn"),  # size lied about
        ("bai.exe", b"MZ", None, texts.UPLOAD_BAD_SUFFIX),
        ("khong-tieu-de.txt", b"27/02/2014 - 17:20\n\nNoi dung.\n", None, "không có tiêu đề"),
    ]

    async def scenario(server: FakeBotApi) -> None:
        for name, content, size, expected in cases:
            message = server.send_document(chat, ADMIN, name, content, file_size=size)
            [call] = await server.wait_for("sendMessage", replies_to(message))
            check_telegram_html(call["text"])
            assert expected in call["text"], (name, call["text"])

    run_bot(bot_settings, live, server, scenario)
    assert tree(folder) == before


# --- Who may reload and upload --------------------------------------------------------------


def test_only_configured_admins_may_reload_or_upload(
    bot_settings: Settings, live: LiveEngine, server: FakeBotApi
) -> None:
    """Not a plain user, not an admin of some group, not an anonymous group admin, not a
    channel post: group admin rights are never even looked up."""
    reloads = count_reloads(live)
    group = group_chat(-100777, "Nhóm có quản trị")
    channel: Json = {"id": -100888, "type": "channel", "title": "Kênh tin"}
    member = {
        "user": GROUP_ADMIN,
        "status": "administrator",
        "can_be_edited": False,
        "can_manage_chat": True,
        "can_change_info": True,
        "can_delete_messages": True,
        "can_invite_users": True,
        "can_restrict_members": True,
        "can_pin_messages": True,
        "can_promote_members": True,
        "can_manage_video_chats": True,
        "is_anonymous": False,
        "can_post_stories": True,
        "can_edit_stories": True,
        "can_delete_stories": True,
    }
    server.set_result("getChatMember", member)
    server.set_result("getChatAdministrators", [member])
    folder = bot_settings.knowledge_dir
    before = tree(folder)

    async def scenario(server: FakeBotApi) -> None:
        refused = [
            server.send_text(private_chat(USER), USER, "/reload"),
            server.send_text(group, GROUP_ADMIN, "/reload"),
            server.send_text(group, GROUP_ADMIN, "/reload@TinTucHoiDapBot"),
            server.send_text(private_chat(GROUP_ADMIN), GROUP_ADMIN, "/reload"),
            server.send_text(group, ANONYMOUS_ADMIN, "/reload", extra={"sender_chat": group}),
        ]
        uploads = [
            server.send_document(private_chat(USER), USER, "bai.txt", NEW_ARTICLE.encode()),
            server.send_document(
                private_chat(GROUP_ADMIN), GROUP_ADMIN, "bai.txt", NEW_ARTICLE.encode()
            ),
        ]
        server.send_document(group, GROUP_ADMIN, "bai.txt", NEW_ARTICLE.encode())  # ignored
        post = server.message(channel, None, "/reload")
        post["sender_chat"] = channel
        server.push_update({"channel_post": post})
        doc = server.message(
            channel,
            None,
            None,
            extra={
                "document": {"file_id": "CH1", "file_unique_id": "UCH1", "file_name": "bai.txt"}
            },
        )
        server.push_update({"channel_post": doc})
        for message in refused:
            [call] = await server.wait_for(
                "sendMessage",
                replies_to(message)
                if message["chat"]["type"] != "private"
                else lambda c, m=message: (
                    c["chat_id"] == m["chat"]["id"] and c["text"] == texts.ADMIN_ONLY
                ),
            )
            assert call["text"] == texts.ADMIN_ONLY
        for message in uploads:
            [call] = await server.wait_for("sendMessage", replies_to(message))
            assert call["text"] == texts.UPLOAD_REFUSED
        # The admin's own /reload still works: a sentinel that the updates above were handled.
        server.send_text(private_chat(ADMIN), ADMIN, "/reload")
        await server.wait_for("editMessageText")

    run_bot(bot_settings, live, server, scenario)
    wait_for_saves()  # the reload's index cache is written behind it, with a temporary name
    assert len(reloads) == 1  # the admin's only
    assert server.calls_to("getChatMember") == [] == server.calls_to("getChatAdministrators")
    assert server.calls_to("getFile") == []
    assert all(c.get("chat_id") != channel["id"] for c in server.calls)
    assert tree(folder) == before


# --- The token ------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # with the traceback, if any
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            self.lines += [
                str(error),
                repr(error),
                repr(error.__cause__),
                repr(error.__context__),
                repr(error.args),
            ]


@pytest.fixture
def all_logs() -> Iterator[_Collect]:
    """Every log record of a run, as the runner configures logging (DEBUG for the rest)."""
    names = ["", "bot", "httpx", "httpcore", "telegram", "telegram.ext"]
    levels = {n: logging.getLogger(n).level for n in names}
    filters = list(logging.getLogger("telegram.ext").filters)
    factory = logging.getLogRecordFactory()
    configure_logging(secrets=(TOKEN,))  # as run() does
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    handler = _Collect()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        logging.getLogger("telegram.ext").filters[:] = filters
        logging.setLogRecordFactory(factory)


def test_the_token_never_appears_in_logs_replies_or_errors(
    bot_settings: Settings,
    live: LiveEngine,
    server: FakeBotApi,
    all_logs: _Collect,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = TOKEN.split(":", 1)[1]
    real_ask = live.engine.ask
    calls = {"n": 0}

    def sometimes_broken(question: str):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if "hỏng" in question:
            raise RuntimeError(f"forced failure for {question!r}")
        return real_ask(question)

    monkeypatch.setattr(live.engine, "ask", sometimes_broken)
    chat = private_chat(USER)

    async def scenario(server: FakeBotApi) -> None:
        message = server.send_text(chat, USER, "ai chu tri hoi nghi")
        await server.wait_for("sendMessage", replies_to(message))
        message = server.send_text(chat, USER, "câu hỏi làm hỏng máy")
        await server.wait_for("sendMessage", replies_to(message))
        server.fail_next("sendMessage", status=500)
        server.fail_next("sendMessage", drop=True, status=None)
        message = server.send_text(chat, USER, "Ai chủ trì hội nghị?")
        await server.wait_for("sendMessage", lambda c: c.status == 200 and replies_to(message)(c))
        server.fail_next("getUpdates", drop=True, status=None)
        await server.wait_for("getUpdates", lambda c: c.status == 0)
        server.fail_next("getFile", status=500, times=10)
        server.send_document(private_chat(ADMIN), ADMIN, "bai.txt", NEW_ARTICLE.encode())
        await server.wait_for(
            "sendMessage", lambda c: c["text"] == texts.UPLOAD_DOWNLOAD_FAILED, timeout=20
        )
        server.send_text(private_chat(ADMIN), ADMIN, "/reload")
        await server.wait_for("editMessageText")

    run_bot(bot_settings, live, server, scenario)
    logs = "\n".join(all_logs.lines)
    assert "forced failure" in logs and "Internal Server Error" in logs  # the run was logged
    assert any(line.startswith("DEBUG telegram") for line in all_logs.lines)
    assert secret not in logs and TOKEN not in logs
    assert "bot<hidden>" in logs  # python-telegram-bot did log a URL with the token at DEBUG
    for call in server.calls:
        assert secret not in str(call.params)
    assert any(c["text"] == texts.SOMETHING_WENT_WRONG for c in server.calls_to("sendMessage"))


# --- SIGTERM with questions in flight -------------------------------------------------------


def test_sigterm_with_questions_in_flight_answers_them_and_exits_0(
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
    in_flight = 5
    try:
        server.wait_for_sync("getUpdates", timeout=30)
        server.fail_next("sendMessage", delay=2.0, status=None, times=in_flight)
        users = [make_user(7000 + i, f"Người {i}") for i in range(in_flight)]
        messages = [server.send_text(private_chat(u), u, "ai chu tri hoi nghi") for u in users]
        deadline = time.monotonic() + 15
        while _pending(server, "sendMessage") > 0 and time.monotonic() < deadline:
            time.sleep(0.02)  # until every answer is being sent (and held up by the server)
        assert _pending(server, "sendMessage") == 0
        sent_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        # Questions arriving after the signal are not taken: left for the next start.
        late = server.send_text(private_chat(USER), USER, "ai chu tri hoi nghi")
        _, stderr = process.communicate(timeout=30)
        stopped_in = time.monotonic() - sent_at
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "ERROR" not in stderr, stderr
    answered = {
        c["reply_parameters"]["message_id"]: c
        for c in server.calls_to("sendMessage")
        if c.get("reply_parameters")
    }
    counts = [
        sum(
            1
            for c in server.calls_to("sendMessage")
            if (c.get("reply_parameters") or {}).get("message_id") == m["message_id"]
        )
        for m in messages
    ]
    assert counts == [1] * in_flight  # every question in flight answered, once
    assert all("chủ trì hội nghị" in answered[m["message_id"]]["text"] for m in messages)
    late_answers = sum(
        1
        for c in server.calls_to("sendMessage")
        if (c.get("reply_parameters") or {}).get("message_id") == late["message_id"]
    )
    assert late_answers <= 1
    print(
        f"\n[reliability] SIGTERM: {sum(counts)} of {in_flight} in-flight questions answered, "
        f"late question answered {late_answers} time(s), exit {process.returncode}, "
        f"stopped in {stopped_in:.1f} s"
    )


def _pending(server: FakeBotApi, method: str) -> int:
    with server._cond:
        return sum(f.times for f in server._faults.get(method, []))
