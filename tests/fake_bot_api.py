"""A fake Telegram Bot API server for end-to-end tests of the Telegram layer.

It is a real HTTP server on 127.0.0.1 (stdlib ``ThreadingHTTPServer`` in a thread), so the
real python-telegram-bot ``Application`` talks to it exactly as it would to Telegram:

- ``getUpdates`` long-polls: it blocks up to ``timeout`` seconds while no update is queued;
- ``getMe``, ``deleteWebhook``, ``setWebhook``, ``setMyCommands``, ``sendMessage``,
  ``editMessageText``, ``answerInlineQuery``, ``answerCallbackQuery``, ``getFile`` ... answer
  like Telegram (``send*`` methods return a Message, unknown methods return ``true``);
- files registered with :meth:`FakeBotApi.add_file` are served at ``/file/bot<token>/<path>``;
- every call is recorded as a :class:`Call` (method, decoded params, uploaded files and their
  names, result), whether the body was JSON, form-urlencoded or multipart; ``sendDocument``
  answers with a Message holding the document.

Faults can be injected per method for reliability tests::

    server.fail_next("sendMessage", status=500, times=2)
    server.fail_next("sendMessage", retry_after=3)           # 429 Too Many Requests
    server.fail_next("getUpdates", drop=True)                # connection closed, no answer
    server.fail_next("sendMessage", delay=2.0, status=None)  # slow, then a normal answer

Helpers build updates the way Telegram sends them (auto-numbered ids, ``bot_command`` and
``mention`` entities with UTF-16 offsets) and push them into the ``getUpdates`` queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

TOKEN = "123456789:TEST-token_for_the_fake_server"
BOT_ID = 123456789
BOT_USERNAME = "TinTucHoiDapBot"

# Parameters that python-telegram-bot sends as raw strings: never JSON-decode them, so a
# message text such as "123" stays a string.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "query",
        "inline_query_id",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "file_id",
        "description",
        "title",
        "next_offset",
        "parse_mode",
        "language_code",
        "message_text",
        "short_description",
        "name",
        "ip_address",
    }
)

Json = dict[str, Any]


@dataclass
class Call:
    """One request the bot made, as the server understood it."""

    method: str
    params: Json
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 200
    result: Any = None
    time: float = field(default_factory=time.monotonic)
    file_names: dict[str, str] = field(default_factory=dict)  # field -> uploaded file's name

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


@dataclass
class Fault:
    """What to do instead of (or before) answering the next `times` calls of a method.

    status: HTTP status to answer with (None: answer normally, e.g. after a delay);
    retry_after: with status 429, Telegram's ``parameters.retry_after``;
    delay: seconds to wait before answering (longer than the client's timeout: a timeout);
    drop: close the connection without any answer;
    match: only calls whose params satisfy it are affected.
    """

    status: int | None = 500
    times: int = 1
    delay: float = 0.0
    retry_after: int | None = None
    drop: bool = False
    description: str | None = None
    match: Callable[[Json], bool] | None = None


# --- Update builders ------------------------------------------------------------------------


def make_user(
    user_id: int,
    first_name: str = "Lan",
    *,
    username: str | None = None,
    language_code: str | None = "vi",
    is_bot: bool = False,
) -> Json:
    user: Json = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def private_chat(user: Json) -> Json:
    return {"id": user["id"], "type": "private", "first_name": user["first_name"]}


def group_chat(
    chat_id: int, title: str = "Nhóm đọc báo", *, supergroup: bool = True, forum: bool = False
) -> Json:
    chat: Json = {"id": chat_id, "type": "supergroup" if supergroup else "group", "title": title}
    if forum:
        chat["is_forum"] = True
    return chat


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities_for(text: str) -> list[Json]:
    """The entities Telegram would attach: a leading bot command, @mentions, links."""
    entities: list[Json] = []
    position = 0
    for word in text.split(" "):
        offset = _utf16_len(text[:position])
        stripped = word.rstrip(".,!?:;")
        if stripped.startswith("/") and position == 0 and len(stripped) > 1:
            entities.append({"type": "bot_command", "offset": 0, "length": _utf16_len(stripped)})
        elif stripped.startswith("@") and len(stripped) > 1:
            entities.append({"type": "mention", "offset": offset, "length": _utf16_len(stripped)})
        elif stripped.startswith(("http://", "https://")):
            entities.append({"type": "url", "offset": offset, "length": _utf16_len(stripped)})
        position += len(word) + 1
    return entities


# --- The server -----------------------------------------------------------------------------


class FakeBotApi:
    """Start with ``with FakeBotApi() as server:`` (or start()/stop())."""

    def __init__(
        self, token: str = TOKEN, *, bot_id: int = BOT_ID, bot_username: str = BOT_USERNAME
    ) -> None:
        self.token = token
        self.bot_user: Json = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Hỏi đáp tin tức",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.calls: list[Call] = []
        self.webhook: Json | None = None
        self._cond = threading.Condition()
        self._updates: list[Json] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._other_ids = itertools.count(1)
        self._faults: dict[str, list[Fault]] = {}
        self._results: dict[str, Callable[[Json], Any] | Any] = {}
        self._files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self._chats: dict[int, Json] = {}
        self._messages: dict[tuple[int, int], Json] = {}  # every message, latest version
        self._inline_messages: dict[str, Json] = {}  # inline_message_id -> last edit params
        self._closing = False
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def api_url(self) -> str:
        """The root URL, as TELEGRAM_API_URL would hold it for a self-hosted server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_url}/file/bot"

    # --- configuration -----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = 500,
        times: int = 1,
        delay: float = 0.0,
        retry_after: int | None = None,
        drop: bool = False,
        description: str | None = None,
        match: Callable[[Json], bool] | None = None,
    ) -> None:
        """Make the next `times` calls of `method` fail (see :class:`Fault`)."""
        if retry_after is not None and status == 500:
            status = 429
        fault = Fault(status, times, delay, retry_after, drop, description, match)
        with self._cond:
            self._faults.setdefault(method, []).append(fault)

    def set_result(self, method: str, result: Callable[[Json], Any] | Any) -> None:
        """Answer `method` with a fixed result, or with result(params)."""
        self._results[method] = result

    def add_file(self, file_id: str, content: bytes, file_path: str | None = None) -> str:
        path = file_path or f"documents/file_{next(self._other_ids)}"
        with self._cond:
            self._files[file_id] = (path, content)
        return path

    # --- pushing updates ----------------------------------------------------------------

    def push_update(self, update: Json) -> Json:
        """Queue a raw update (an update_id is assigned when missing)."""
        with self._cond:
            update.setdefault("update_id", next(self._update_ids))
            for kind in ("message", "edited_message", "channel_post"):
                if kind in update:
                    self._remember(update[kind])
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def message(
        self,
        chat: Json,
        user: Json | None,
        text: str | None = None,
        *,
        reply_to: Json | None = None,
        thread_id: int | None = None,
        entities: list[Json] | None = None,
        extra: Json | None = None,
    ) -> Json:
        """Build a user message (not queued). `reply_to` is the message replied to."""
        msg: Json = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat}
        if user is not None:
            msg["from"] = user
        if text is not None:
            msg["text"] = text
            found = entities_for(text) if entities is None else entities
            if found:
                msg["entities"] = found
        if thread_id is not None:
            msg["message_thread_id"] = thread_id
            msg["is_topic_message"] = True
        if reply_to is not None:
            msg["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
        elif thread_id is not None:
            # In a forum topic Telegram sets reply_to_message to the topic's creation message.
            msg["reply_to_message"] = {
                "message_id": thread_id,
                "date": msg["date"],
                "chat": chat,
                "from": user,
                "message_thread_id": thread_id,
                "is_topic_message": True,
                "forum_topic_created": {"name": "Chủ đề", "icon_color": 7322096},
            }
        if extra:
            msg.update(extra)
        return msg

    def send_text(self, chat: Json, user: Json, text: str, **kwargs: Any) -> Json:
        """Queue a text message from `user` in `chat`; returns the message."""
        msg = self.message(chat, user, text, **kwargs)
        self.push_update({"message": msg})
        return msg

    def edit_text(self, original: Json, text: str) -> Json:
        """Queue an edited_message update for a message sent earlier."""
        edited = dict(original, text=text, edit_date=int(time.time()))
        edited["entities"] = entities_for(text)
        self.push_update({"edited_message": edited})
        return edited

    def send_document(
        self,
        chat: Json,
        user: Json,
        file_name: str,
        content: bytes,
        *,
        mime_type: str = "text/plain",
        file_size: int | None = None,
        caption: str | None = None,
    ) -> Json:
        file_id = f"DOC{next(self._other_ids)}"
        suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        self.add_file(file_id, content, f"documents/file_{file_id}.{suffix}")  # as Telegram does
        document = {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content) if file_size is None else file_size,
        }
        extra: Json = {"document": document}
        if caption:
            extra["caption"] = caption
        msg = self.message(chat, user, None, extra=extra)
        self.push_update({"message": msg})
        return msg

    def inline_query(self, user: Json, query: str, *, offset: str = "") -> str:
        query_id = f"IQ{next(self._other_ids)}"
        self.push_update(
            {
                "inline_query": {
                    "id": query_id,
                    "from": user,
                    "query": query,
                    "offset": offset,
                    "chat_type": "sender",
                }
            }
        )
        return query_id

    def press_button(
        self,
        user: Json,
        data: str,
        *,
        message: Json | None = None,
        inline_message_id: str | None = None,
    ) -> str:
        """Queue a callback query for a button under a bot message (or an inline message)."""
        query_id = f"CQ{next(self._other_ids)}"
        query: Json = {"id": query_id, "from": user, "chat_instance": "42", "data": data}
        if message is not None:
            query["message"] = self.current_message(message)
        if inline_message_id is not None:
            query["inline_message_id"] = inline_message_id
        self.push_update({"callback_query": query})
        return query_id

    def current_message(self, message: Json) -> Json:
        """The latest version of a message (after edits), as Telegram would show it."""
        key = (message["chat"]["id"], message["message_id"])
        with self._cond:
            return dict(self._messages.get(key, message))

    # --- inspecting calls ----------------------------------------------------------------

    def calls_to(self, method: str, where: Callable[[Call], bool] | None = None) -> list[Call]:
        with self._cond:
            calls = [c for c in self.calls if c.method == method]
        return [c for c in calls if where is None or where(c)]

    def methods(self) -> list[str]:
        with self._cond:
            return [c.method for c in self.calls]

    async def wait_for(
        self,
        method: str,
        where: Callable[[Call], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = 10.0,
    ) -> list[Call]:
        """Poll the recorded calls until `count` calls of `method` match, or fail."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_to(method, where)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = ", ".join(self.methods()[-20:])
                raise AssertionError(
                    f"timed out waiting for {count} x {method} (got {len(found)}); "
                    f"last calls: {seen}"
                )
            await asyncio.sleep(0.01)

    def wait_for_sync(
        self,
        method: str,
        where: Callable[[Call], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = 10.0,
    ) -> list[Call]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [
                    c for c in self.calls if c.method == method and (where is None or where(c))
                ]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out waiting for {count} x {method}")
                self._cond.wait(remaining)

    async def wait_until_fetched(self, update: Json, timeout: float = 10.0) -> None:
        """Wait until the bot has confirmed (acknowledged) an update via getUpdates' offset."""
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                if all(u["update_id"] != update["update_id"] for u in self._updates):
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"update {update['update_id']} was never fetched")
            await asyncio.sleep(0.01)

    # --- request handling (server threads) --------------------------------------------

    def _remember(self, msg: Json) -> None:
        chat = msg.get("chat")
        if chat:
            self._chats[chat["id"]] = chat
            self._messages[(chat["id"], msg["message_id"])] = msg

    def _take_fault(self, method: str, params: Json) -> Fault | None:
        with self._cond:
            for fault in self._faults.get(method, []):
                if fault.times > 0 and (fault.match is None or fault.match(params)):
                    fault.times -= 1
                    return fault
        return None

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _get_updates(self, params: Json) -> list[Json]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if offset:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or self._closing:
                    return [dict(u) for u in self._updates[:limit]]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(remaining)

    def _chat(self, chat_id: Any) -> Json:
        try:
            number = int(chat_id)
        except (TypeError, ValueError):
            return {"id": -1000, "type": "channel", "title": str(chat_id)}
        return self._chats.get(number) or {
            "id": number,
            "type": "private" if number > 0 else "supergroup",
            **({"first_name": "Người dùng"} if number > 0 else {"title": "Nhóm"}),
        }

    def _bot_message(self, params: Json, extra: Json) -> Json:
        chat = self._chat(params.get("chat_id"))
        msg: Json = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            **extra,
        }
        thread = params.get("message_thread_id")
        if thread is not None:
            msg["message_thread_id"] = thread
            msg["is_topic_message"] = True
        reply = params.get("reply_parameters")
        if isinstance(reply, dict) and reply.get("message_id") is not None:
            replied = self._messages.get((chat["id"], int(reply["message_id"])))
            if replied is not None:
                msg["reply_to_message"] = {
                    k: v for k, v in replied.items() if k != "reply_to_message"
                }
        if params.get("reply_markup") is not None:
            msg["reply_markup"] = params["reply_markup"]
        with self._cond:
            self._remember(msg)
        return msg

    def _answer(self, method: str, params: Json) -> Any:
        """The result of a successful call."""
        if method in self._results:
            result = self._results[method]
            return result(params) if callable(result) else result
        if method == "getMe":
            return self.bot_user
        if method == "getUpdates":
            return self._get_updates(params)
        if method == "setWebhook":
            self.webhook = dict(params)
            return True
        if method == "deleteWebhook":
            self.webhook = None
            return True
        if method == "getWebhookInfo":
            url = (self.webhook or {}).get("url", "")
            return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}
        if method == "getFile":
            file_id = params.get("file_id")
            if file_id not in self._files:
                raise _ApiError(400, "Bad Request: invalid file_id")
            path, content = self._files[file_id]
            return {
                "file_id": file_id,
                "file_unique_id": f"U{file_id}",
                "file_size": len(content),
                "file_path": path,
            }
        if method == "sendMessage":
            extra: Json = {"text": params.get("text", "")}
            return self._bot_message(params, extra)
        if method == "sendDocument":
            file_id = f"SENT{next(self._other_ids)}"
            document: Json = {"file_id": file_id, "file_unique_id": f"U{file_id}"}
            if params.get("caption") is not None:
                return self._bot_message(
                    params, {"document": document, "caption": params["caption"]}
                )
            return self._bot_message(params, {"document": document})
        if method.startswith("send") and method != "sendChatAction":
            return self._bot_message(params, {})
        if method in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            if params.get("inline_message_id"):
                with self._cond:
                    self._inline_messages[str(params["inline_message_id"])] = dict(params)
                return True
            key = (int(params["chat_id"]), int(params["message_id"]))
            with self._cond:
                current = self._messages.get(key)
                if current is None:
                    raise _ApiError(400, "Bad Request: message to edit not found")
                updated = dict(current, edit_date=int(time.time()))
                if "text" in params:
                    updated["text"] = params["text"]
                if params.get("reply_markup") is not None:
                    updated["reply_markup"] = params["reply_markup"]
                else:
                    updated.pop("reply_markup", None)
                self._messages[key] = updated
            return updated
        return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (a cancelled long poll at shutdown) is normal here.

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _decode_value(key: str, value: str) -> Any:
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def decode_body(
    content_type: str, body: bytes, names: dict[str, str] | None = None
) -> tuple[Json, dict[str, bytes]]:
    """Params and uploaded files of a request body: JSON, form-urlencoded or multipart.

    `names`, when given, receives the file name of each uploaded file.
    """
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return {}, {}
    if kind == "application/json":
        data = json.loads(body.decode("utf-8"))
        return (data if isinstance(data, dict) else {}), {}
    if kind == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body
        )
        params: Json = {}
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename() is not None:
                files[str(name)] = payload
                if names is not None:
                    names[str(name)] = str(part.get_filename())
            else:
                params[str(name)] = _decode_value(str(name), payload.decode("utf-8"))
        return params, files
    pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    return {k: _decode_value(k, v) for k, v in pairs}, {}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeBotApi
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else every answer waits ~40 ms for a delayed ACK
    wbufsize = 1 << 16  # headers and body leave in one write (flushed per request)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests inspect recorded calls instead

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _send_json(self, status: int, payload: Json) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # the client may have given up (a cancelled long poll)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _dispatch(self) -> None:
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = unquote(urlsplit(self.path).path)
        file_prefix = f"/file/bot{fake.token}/"
        api_prefix = f"/bot{fake.token}/"
        if path.startswith(file_prefix):
            self._serve_file(path[len(file_prefix) :])
            return
        if not path.startswith(api_prefix):
            self._send_json(
                401 if path.startswith(("/bot", "/file/bot")) else 404,
                {
                    "ok": False,
                    "error_code": 401,
                    "description": "Unauthorized",
                },
            )
            return
        method = path[len(api_prefix) :]
        names: dict[str, str] = {}
        params, files = decode_body(self.headers.get("Content-Type", ""), body, names)
        params.update({k: _decode_value(k, v) for k, v in parse_qsl(urlsplit(self.path).query)})
        call = Call(method, params, files, file_names=names)

        fault = fake._take_fault(method, params)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                call.status = 0
                fake._record(call)
                self._drop()
                return
            if fault.status is not None:
                call.status = fault.status
                fake._record(call)
                payload: Json = {
                    "ok": False,
                    "error_code": fault.status,
                    "description": fault.description or _default_description(fault),
                }
                if fault.retry_after is not None:
                    payload["parameters"] = {"retry_after": fault.retry_after}
                self._send_json(fault.status, payload)
                return
        long_poll = method == "getUpdates"
        if long_poll:
            fake._record(call)  # seen as soon as it arrives; its result is filled in later
        try:
            result = fake._answer(method, params)
        except _ApiError as exc:
            call.status = exc.status
            if not long_poll:
                fake._record(call)
            self._send_json(
                exc.status,
                {
                    "ok": False,
                    "error_code": exc.status,
                    "description": exc.description,
                },
            )
            return
        call.result = result
        if not long_poll:
            fake._record(call)
        self._send_json(200, {"ok": True, "result": result})

    def _serve_file(self, file_path: str) -> None:
        fake = self.fake
        with fake._cond:
            content = next((c for p, c in fake._files.values() if p == file_path), None)
        fake._record(
            Call("<download>", {"file_path": file_path}, status=404 if content is None else 200)
        )
        if content is None:
            self._send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


def _default_description(fault: Fault) -> str:
    if fault.status == 429:
        return f"Too Many Requests: retry after {fault.retry_after or 1}"
    if fault.status == 400:
        return "Bad Request"
    if fault.status == 403:
        return "Forbidden: bot was blocked by the user"
    return "Internal Server Error"


def texts(calls: Iterable[Call]) -> list[str]:
    return [str(c.params.get("text", "")) for c in calls]


# --- Running an application against the server ---------------------------------------------


@contextlib.asynccontextmanager
async def polling(application: Any) -> Any:
    """Run a python-telegram-bot Application in polling mode for the duration of the block.

    Mirrors run_polling: initialize (getMe), post_init, start, then long polling with a short
    timeout so that stopping is quick.
    """
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


# --- Checking Telegram HTML -----------------------------------------------------------------

TELEGRAM_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-spoiler",
        "span",
        "tg-emoji",
    }
)


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.problems.append(f"tag not allowed: <{tag}>")
        if tag == "a" and not any(k == "href" and v for k, v in attrs):
            self.problems.append("<a> without href")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing tag: <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}> (open: {self.stack})")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_telegram_html(markup: str) -> str:
    """Assert `markup` is balanced HTML with Telegram's tags only; return its plain text."""
    parser = _TelegramHtml()
    parser.feed(markup)
    parser.close()
    if parser.stack:
        parser.problems.append(f"unclosed tags: {parser.stack}")
    assert not parser.problems, f"{parser.problems} in {markup!r}"
    plain = "".join(parser.text)
    assert _utf16_len(plain) <= 4096, f"message too long: {_utf16_len(plain)}"
    return plain
