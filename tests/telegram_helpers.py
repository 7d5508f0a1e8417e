"""Offline Telegram for handler tests: requests answered locally, updates built as Telegram does.

After python-telegram-bot's own `tests/auxil/networking.py` and `build_messages.py`:
`OfflineRequest` fails any test that touches the network; `RecordingRequest` answers the Bot
API methods the bot uses from memory (refusing what Telegram refuses, with the loopback
server's rules) and records every call; `Updates` builds updates as JSON, the way Telegram
sends them; `collect_errors` registers the error handler whose list the tests assert empty.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from telegram import Bot, Update
from telegram.ext import Application, ContextTypes
from telegram.request import BaseRequest, RequestData

from tests.fake_botapi import rules
from tests.fake_botapi.rules import ApiError
from tests.fake_botapi.state import text_entities

TOKEN = "123456:OFFLINE-test-token"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Assistant",
    "username": "assises_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
TRUE_METHODS = frozenset(
    "answerCallbackQuery answerInlineQuery setMyCommands deleteMyCommands sendChatAction "
    "deleteWebhook pinChatMessage".split()
)


class OfflineRequest(BaseRequest):
    """Refuse the network: any request fails the test."""

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float:
        """A token value (never used)."""
        return 1.0

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        """Fail the test."""
        pytest.fail("OfflineRequest: network access is not allowed in this test")


@dataclass(frozen=True)
class ApiCall:
    """One Bot API call the bot made, with its decoded parameters and when it made it."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class RecordingRequest(OfflineRequest):
    """Answer the Bot API from memory (never the network) and record every call."""

    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self.uploads: list[tuple[str, bytes]] = []  # (file name, content) of each file sent
        self._message_ids = itertools.count(1000)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        """Check the call as Telegram would and answer it, or fail on an unknown method."""
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append(ApiCall(name, params))
        if request_data is not None and request_data.multipart_data:
            for filename, content, *_ in request_data.multipart_data.values():
                data = content if isinstance(content, bytes) else content.read()
                self.uploads.append((str(filename), data))
        try:
            result = self._answer(name, params)
        except ApiError as error:
            body = {"ok": False, "error_code": error.status, "description": error.description}
            return error.status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _answer(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return BOT_USER
        if name == "setMyCommands":
            rules.check_commands(
                params.get("commands"), params.get("scope"), params.get("language_code")
            )
        if name == "answerInlineQuery":
            rules.check_inline_results(params.get("results"))
        if name in TRUE_METHODS:
            return True
        if name in ("sendMessage", "editMessageText"):
            rules.check_text(params.get("text"), params.get("parse_mode"))
            rules.check_reply_markup(params.get("reply_markup"), inline_only=name != "sendMessage")
            return self._message(params, text=params["text"])
        if name == "editMessageReplyMarkup":
            rules.check_reply_markup(params.get("reply_markup"), inline_only=True)
            return self._message(params)
        if name == "sendDocument":
            document = {"file_id": "doc1", "file_unique_id": "d1", "file_name": "file"}
            return self._message(params, document=document)
        pytest.fail(f"RecordingRequest: the bot called {name}, which these tests do not expect")

    def _message(self, params: dict[str, Any], **fields: Any) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 0))
        message = {
            "message_id": int(params.get("message_id") or next(self._message_ids)),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
            **fields,
        }
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        return message

    # -- reading what the bot did ---------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        """The calls of one method, in order."""
        return [call for call in self.calls if call.method == method]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Texts of the messages sent (and edited), in order."""
        return [
            str(call.params["text"])
            for call in self.calls
            if call.method in ("sendMessage", "editMessageText")
            and (chat_id is None or int(call.params["chat_id"]) == chat_id)
        ]

    def last_markup(self) -> dict[str, Any]:
        """The inline keyboard of the last message sent or edited."""
        for call in reversed(self.calls):
            if call.method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
                markup = call.params.get("reply_markup")
                return markup if isinstance(markup, dict) else {}
        return {}

    def callback_data(self, label: str) -> str:
        """The callback data of the last keyboard's first button whose text contains `label`."""
        for row in self.last_markup().get("inline_keyboard", []):
            for button in row:
                if label in button["text"] and "callback_data" in button:
                    return str(button["callback_data"])
        raise KeyError(f"no button {label!r} in {self.last_markup()}")


class Updates:
    """Updates as Telegram sends them (JSON first, then `Update.de_json`)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._ids = itertools.count(1)

    def user(self, user_id: int, language_code: str | None = "fr") -> dict[str, Any]:
        """A Telegram User object."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    def _update(self, **fields: Any) -> Update:
        update = Update.de_json({"update_id": next(self._ids), **fields}, self.bot)
        assert update is not None
        return update

    def message_json(
        self,
        user_id: int,
        language_code: str | None = "fr",
        chat_id: int | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """A Message object from this user, in private unless `chat_id` is a group."""
        chat = chat_id if chat_id is not None else user_id
        chat_json = {"id": chat, "type": "private" if chat > 0 else "supergroup"}
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": chat_json,
            "from": self.user(user_id, language_code),
            **fields,
        }

    def text(
        self, user_id: int, text: str, language_code: str | None = "fr", **kwargs: Any
    ) -> Update:
        """A text message (commands and mentions marked as entities)."""
        fields: dict[str, Any] = {"text": text}
        if entities := text_entities(text):
            fields["entities"] = entities
        return self._update(message=self.message_json(user_id, language_code, **kwargs, **fields))

    def edited(self, user_id: int, text: str) -> Update:
        """An edited text message."""
        message = self.message_json(user_id, text=text, edit_date=int(time.time()))
        return self._update(edited_message=message)

    def sticker(self, user_id: int) -> Update:
        """A sticker."""
        sticker = {"file_id": "s1", "file_unique_id": "s1", "type": "regular", "width": 512}
        sticker.update(height=512, is_animated=False, is_video=False, emoji="👍")
        return self._update(message=self.message_json(user_id, sticker=sticker))

    def voice(self, user_id: int) -> Update:
        """A voice note."""
        voice = {"file_id": "v1", "file_unique_id": "v1", "duration": 3}
        return self._update(message=self.message_json(user_id, voice=voice))

    def press(self, user_id: int, data: str, language_code: str | None = "fr") -> Update:
        """A press on an inline button of a message the bot sent in the user's private chat."""
        message = {
            "message_id": 999,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": BOT_USER,
            "text": "…",
        }
        query = {
            "id": f"cq{next(self._ids)}",
            "from": self.user(user_id, language_code),
            "chat_instance": str(user_id),
            "message": message,
            "data": data,
        }
        return self._update(callback_query=query)

    def inline(self, user_id: int, query: str) -> Update:
        """An inline query `@bot query`."""
        inline = {"id": f"iq{next(self._ids)}", "from": self.user(user_id), "query": query}
        return self._update(inline_query={**inline, "offset": "", "chat_type": "sender"})


def collect_errors(application: Application[Any, Any, Any, Any, Any, Any]) -> list[BaseException]:
    """Register an error handler collecting every handler error; assert the list stays empty."""
    errors: list[BaseException] = []

    async def collect(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            errors.append(context.error)

    application.add_error_handler(collect)
    return errors


@asynccontextmanager
async def started(app: Application[Any, Any, Any, Any, Any, Any]) -> AsyncIterator[None]:
    """Run the application's post_init and post_shutdown around a test, without polling."""
    await app.initialize()
    assert app.post_init is not None
    assert app.post_shutdown is not None
    await app.post_init(app)
    try:
        yield
    finally:
        await app.shutdown()
        await app.post_shutdown(app)
