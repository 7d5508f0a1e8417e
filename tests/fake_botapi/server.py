"""The HTTP face of the fake Bot API: a threaded server on 127.0.0.1 and its dispatch."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from tests.fake_botapi.methods import BotSide, as_int, chat_of
from tests.fake_botapi.rules import ApiError, bad_request
from tests.fake_botapi.state import Call, UploadedFile
from tests.fake_botapi.users import UsersSide

if TYPE_CHECKING:
    from telegram.ext import Application

DEFAULT_TOKEN = "123456789:AAFakeTokenForTheLoopbackBotApiServer0"
_PATH = re.compile(r"/bot([^/]+)/(\w+)")
_INTEGERS = frozenset({"chat_id", "message_id", "user_id", "offset", "limit", "cache_time"})
_SILENT = frozenset({"getme", "getwebhookinfo", "getmycommands"})  # recorded only when refused


def parse_body(content_type: str, body: bytes, query: str = "") -> dict[str, Any]:
    """Decode a Bot API request (query string, JSON, form or multipart) into parameters.

    python-telegram-bot posts forms (multipart when it uploads) with objects and lists as JSON
    strings: those are decoded, and ids and counts made integers, so tests read plain values.
    """
    params: dict[str, Any] = dict(parse_qsl(query))
    if content_type.startswith("application/json") and body:
        try:
            params.update(json.loads(body))
        except ValueError:
            raise bad_request("can't parse JSON request body") from None
        return params
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(EmailMessage, policy=HTTP).parsebytes(head + body)
        assert isinstance(message, EmailMessage)
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is None:
                params[name] = content.decode()
            else:
                params[name] = UploadedFile(name, filename, content, part.get_content_type())
    elif body:
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    for key, value in params.items():
        if key in _INTEGERS and isinstance(value, str) and value.lstrip("-").isdigit():
            params[key] = int(value)
        elif isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                params[key] = json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {key} JSON object") from None
    return params


def envelope(error: ApiError) -> dict[str, Any]:
    """Telegram's JSON answer for a refusal."""
    payload = {"ok": False, "error_code": error.status, "description": error.description}
    if error.parameters:
        payload["parameters"] = error.parameters
    return payload


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx's connection pool expects
    timeout = 60  # an idle keep-alive connection frees its thread
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall
    server: _Server

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        size = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(size) if size else b""
        if len(body) < size:  # the client hung up mid-request (a send cancelled by a crash):
            self.close_connection = True  # Telegram would never have seen that request
            return
        url = urlsplit(self.path)
        content_type = self.headers.get("Content-Type", "")
        status, payload = self.server.api.handle(url.path, content_type, body, url.query)
        data = json.dumps(payload, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a cancelled poll)
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: request lines carry the token."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: FakeBotApi


class FakeBotApi(UsersSide, BotSide):
    """A Telegram Bot API server on 127.0.0.1 that records what the bot does."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = "fake_assistant_bot",
        rate_limit_per_second: int | None = None,
        retry_after: int | None = None,
        max_poll_seconds: float = 10.0,
        port: int = 0,
    ) -> None:
        super().__init__(token, username)
        self._init_bot_side()
        self.rate_limit_per_second = rate_limit_per_second
        self.retry_after = retry_after
        self.max_poll_seconds = max_poll_seconds
        self._requested_port = port
        self._stopping = threading.Event()
        self._poll_generation = 0
        self.polls = 0  # getUpdates calls received, answered or not
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        """Listen on 127.0.0.1 (a free port unless one was given) from a daemon thread."""
        self._server = _Server(("127.0.0.1", self._requested_port), _Handler)
        self._server.api = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-botapi",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release waiting long polls and delays, then close the socket (bounded)."""
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port listened on."""
        assert self._server is not None, "start() the server first"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """PTB's `base_url` (and TELEGRAM_API_URL); PTB appends `<token>/<method>`."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """python-telegram-bot's `base_file_url`."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- dispatch -------------------------------------------------------------------------------

    def handle(self, path: str, content_type: str, body: bytes, query: str) -> tuple[int, Any]:
        """Answer one HTTP request with (status, Telegram's JSON envelope)."""
        match = _PATH.fullmatch(path)
        if not match:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if match.group(1) != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        name, at = match.group(2), time.monotonic()
        method = name.lower()
        if method == "getupdates":
            with self._lock:
                self.polls += 1
        pause = self._delays.get(method, 0.0)
        if pause and self._stopping.wait(pause):
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        params: dict[str, Any] = {}
        try:
            params = parse_body(content_type, body, query)
            if failure := self._injected_failure(method):
                call = Call(name, params, chat_of(params), at, failure.status, failure.description)
                self._record(replace(call, injected=True))
                return failure.status, envelope(failure)
            with self._lock:
                if method == "getupdates":
                    return 200, {"ok": True, "result": self._get_updates(params)}
                if method not in self._methods:
                    raise bad_request(f'method "{name}" is not implemented by the fake Bot API')
                result = self._methods[method](params)
                if method not in _SILENT:
                    self._record(Call(name, params, chat_of(params), at, 200))
                return 200, {"ok": True, "result": result}
        except ApiError as error:
            # A 403, 409, 429 or migration is the test's doing; a plain 400 is the bot's mistake.
            injected = error.status in (403, 409, 429) or bool(error.parameters)
            call = Call(name, params, chat_of(params), at, error.status, error.description)
            self._record(replace(call, injected=injected))
            return error.status, envelope(error)
        except Exception as error:  # a bug here must show in the test, not hang the client
            crash = ApiError(500, f"Internal Server Error: fake Bot API failed: {error!r}")
            self._record(Call(name, params, chat_of(params), at, 500, crash.description))
            return 500, envelope(crash)

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long poll: confirm what lies below `offset`, wait up to `timeout` s (lock held)."""
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = as_int(params.get("offset", 0), "offset")
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        limit = min(max(as_int(params.get("limit", 100), "limit"), 1), 100)
        timeout = min(float(params.get("timeout") or 0), self.max_poll_seconds)
        # A newer getUpdates ends this one with 409, as Telegram does for two bot instances.
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = time.monotonic() + timeout
        while not self._updates and not self._stopping.is_set():
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._changed.wait(remaining)
        return self._updates[:limit]


@asynccontextmanager
async def polling(app: Application[Any, Any, Any, Any, Any, Any]) -> AsyncIterator[None]:
    """Run `app` by long polling as `run_polling` does (post_init to post_shutdown), then stop."""
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        assert app.updater is not None, "build the application with an updater"
        await app.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
        await app.start()
        try:
            yield
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
                if app.post_stop:
                    await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
