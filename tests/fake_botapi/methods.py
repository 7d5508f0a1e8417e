"""The bot's side of the fake Bot API: the methods it serves, refusals and injected faults."""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from typing import Any

from tests.fake_botapi import rules
from tests.fake_botapi.rules import ApiError, bad_request
from tests.fake_botapi.state import ApiState, BotMessage, UploadedFile

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
OLD_QUERY = "query is too old and response timeout expired or query ID is invalid"
SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
METHODS = (
    "getMe sendMessage editMessageText editMessageReplyMarkup answerCallbackQuery "
    "answerInlineQuery setMyCommands getMyCommands deleteMyCommands sendDocument sendPhoto "
    "sendChatAction deleteWebhook setWebhook getWebhookInfo close logOut deleteMessage copyMessage "
    "pinChatMessage"
).split()


def as_int(value: Any, name: str) -> int:
    """An integer parameter (forms send strings), or Telegram's 400."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {name} specified") from None


def chat_of(params: dict[str, Any]) -> int | None:
    """The numeric `chat_id` of a request, if any."""
    value = str(params.get("chat_id", ""))
    return int(value) if value.lstrip("-").isdigit() else None


class BotSide(ApiState):
    """Serves the Bot API methods as Telegram would, plus the faults a test asks for."""

    rate_limit_per_second: int | None = None  # over all sends together, sliding 1 s window
    retry_after: int | None = None  # None: the seconds until the window frees a slot

    def _init_bot_side(self) -> None:
        self._blocked: set[int] = set()
        self.pinned: dict[int, int] = {}  # chat id -> the message the bot pinned there last
        self._migrated: dict[int, int] = {}
        self._failures: dict[str, list[tuple[int, str]]] = {}
        self._delays: dict[str, float] = {}
        self._failure_share = 0.0
        self._failure_status = 502
        self._spared: frozenset[str] = frozenset()
        self._chance = random.Random(0)
        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            name.lower(): getattr(self, f"_m_{name}") for name in METHODS
        }

    # -- faults ---------------------------------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: anything sent to them gets 403."""
        with self._lock:
            self._blocked.add(chat_id)

    def fail_next(
        self, method: str, status: int = 502, count: int = 1, description: str | None = None
    ) -> None:
        """Answer the next `count` calls of `method` with HTTP `status` (5xx, 400, ...)."""
        reason = description or SERVER_ERRORS.get(status, "Error")
        with self._lock:
            self._failures.setdefault(method.lower(), []).extend([(status, reason)] * count)

    def fail_share(
        self,
        share: float,
        status: int = 502,
        *,
        spare: tuple[str, ...] = ("getUpdates",),
        seed: int = 0,
    ) -> None:
        """Answer a random `share` of calls (all methods but `spare`) with HTTP `status`."""
        with self._lock:
            self._failure_share = share
            self._failure_status = status
            self._spared = frozenset(method.lower() for method in spare)
            self._chance = random.Random(seed)

    def delay(self, method: str, seconds: float) -> None:
        """Answer every call of `method` `seconds` late (0 removes the delay)."""
        with self._lock:
            self._delays[method.lower()] = seconds

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """The group became a supergroup: sends to `chat_id` get 400 with migrate_to_chat_id."""
        with self._lock:
            self._migrated[chat_id] = new_chat_id
            self._chats.setdefault(new_chat_id, {"id": new_chat_id, "type": "supergroup"})
            self._chats[new_chat_id].setdefault("title", "Supergroup")

    def _injected_failure(self, method: str) -> ApiError | None:
        with self._lock:
            queued = self._failures.get(method)
            if queued:
                status, description = queued.pop(0)
            elif method in self._spared or self._chance.random() >= self._failure_share:
                return None
            else:
                status = self._failure_status
                description = SERVER_ERRORS.get(status, "Error")
        return ApiError(status, description)

    # -- refusals -------------------------------------------------------------------------------

    def _target(self, params: dict[str, Any]) -> int:
        """The chat a send or edit goes to, refused as Telegram would refuse it."""
        chat_id = chat_of(params)
        if chat_id is None or chat_id not in self._chats:
            raise bad_request("chat not found")
        if chat_id in self._migrated:
            upgraded = "Bad Request: group chat was upgraded to a supergroup chat"
            raise ApiError(400, upgraded, {"migrate_to_chat_id": self._migrated[chat_id]})
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _throttle(self) -> None:
        limit = self.rate_limit_per_second
        if limit is None:
            return
        now = time.monotonic()
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= limit:
            self.throttled += 1
            wait = self.retry_after or max(1, math.ceil(self._window[0] + 1.0 - now))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        self._window.append(now)

    def _check_reply_to(self, chat_id: int, params: dict[str, Any]) -> None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict) or reply.get("allow_sending_without_reply"):
            return
        if not 0 < as_int(reply.get("message_id"), "message_id") <= self._message_ids[chat_id]:
            raise bad_request("message to be replied not found")

    # -- sending --------------------------------------------------------------------------------

    def _deliver(
        self, chat_id: int, params: dict[str, Any], text: str, raw: str, media: Any
    ) -> Any:
        rules.check_reply_markup(params.get("reply_markup"))
        self._check_reply_to(chat_id, params)
        self._throttle()
        self._message_ids[chat_id] += 1
        message = BotMessage(
            chat_id,
            self._message_ids[chat_id],
            text,
            raw,
            params.get("parse_mode"),
            params.get("reply_markup"),
            time.monotonic(),
            document=media,
        )
        self._messages[(chat_id, message.message_id)] = message
        self._delivered[chat_id] += 1
        return self._message_json(message)

    def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        raw = params.get("text")
        text = rules.check_text(raw, params.get("parse_mode"))
        return self._deliver(chat_id, params, text, str(raw), None)

    def _send_media(self, params: dict[str, Any], kind: str) -> Any:
        chat_id = self._target(params)
        media = params.get(kind)
        if isinstance(media, str) and media.startswith("attach://"):
            media = params.get(media.removeprefix("attach://"))
        if not media or not isinstance(media, UploadedFile | str):
            raise bad_request(f"there is no {kind} in the request")
        caption = str(params.get("caption") or "")
        mode = params.get("parse_mode")
        text = rules.check_text(caption, mode, rules.MAX_CAPTION) if caption else ""
        result = self._deliver(chat_id, params, text, caption, media)
        if isinstance(media, UploadedFile):
            self.uploads.append(media)
        return result

    def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        return self._send_media(params, "document")

    def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        return self._send_media(params, "photo")

    def _m_copyMessage(self, params: dict[str, Any]) -> dict[str, int]:
        chat_id = self._target(params)
        source = (
            as_int(params.get("from_chat_id"), "from_chat_id"),
            as_int(params.get("message_id"), "message_id"),
        )
        if source in self._messages:
            original = self._messages[source]
            raw, mode = original.raw_text, original.parse_mode
        elif source in self._user_messages:
            raw, mode = str(self._user_messages[source].get("text", "")), None
        else:
            raise bad_request("message to copy not found")
        raw, mode = str(params.get("caption", raw)), params.get("parse_mode", mode)
        text = rules.check_text(raw, mode)
        copy = self._deliver(chat_id, {**params, "parse_mode": mode}, text, raw, None)
        return {"message_id": copy["message_id"]}

    def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat_id = self._target(params)
        key = (chat_id, as_int(params.get("message_id"), "message_id"))
        if self._messages.pop(key, None) is None and self._user_messages.pop(key, None) is None:
            raise bad_request("message to delete not found")
        return True

    def _m_pinChatMessage(self, params: dict[str, Any]) -> bool:
        chat_id = self._target(params)
        message_id = as_int(params.get("message_id"), "message_id")
        if (chat_id, message_id) not in self._messages:
            raise bad_request("message to pin not found")
        self.pinned[chat_id] = message_id
        return True

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._target(params)
        if params.get("action") not in rules.CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # -- editing and answering ------------------------------------------------------------------

    def _edited(self, params: dict[str, Any]) -> BotMessage | None:
        if params.get("inline_message_id"):
            return None  # a message sent via inline mode: Telegram answers True
        chat_id = self._target(params)
        key = (chat_id, as_int(params.get("message_id"), "message_id"))
        if key not in self._messages:
            raise bad_request("message to edit not found")
        return self._messages[key]

    def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        raw, markup = params.get("text"), params.get("reply_markup")
        text = rules.check_text(raw, params.get("parse_mode"))
        rules.check_reply_markup(markup, inline_only=True)
        message = self._edited(params)
        if message is None:
            return True
        if message.document is not None:
            raise bad_request("there is no text in the message to edit")
        if (message.raw_text, message.reply_markup) == (raw, markup):
            raise bad_request(NOT_MODIFIED)
        message.text, message.raw_text, message.parse_mode = (
            text,
            str(raw),
            params.get("parse_mode"),
        )
        message.reply_markup, message.edits = markup, message.edits + 1
        return self._message_json(message)

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        markup = params.get("reply_markup")
        rules.check_reply_markup(markup, inline_only=True)
        message = self._edited(params)
        if message is None:
            return True
        if message.reply_markup == markup:
            raise bad_request(NOT_MODIFIED)
        message.reply_markup, message.edits = markup, message.edits + 1
        return self._message_json(message)

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._open_queries:
            raise bad_request(OLD_QUERY)
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = params
        return True

    def _m_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("inline_query_id"))
        if query_id not in self._open_queries:
            raise bad_request(OLD_QUERY)
        rules.check_inline_results(params.get("results"))
        self.inline_answers[query_id] = params
        return True

    # -- commands, webhook, identity ------------------------------------------------------------

    def _command_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope")
        rules.check_scope(scope)
        if isinstance(scope, dict) and "chat_id" in scope and chat_of(scope) not in self._chats:
            raise bad_request("chat not found")  # Telegram only knows chats that met the bot
        canonical = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return canonical, str(params.get("language_code") or "")

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        rules.check_commands(commands, params.get("scope"), params.get("language_code"))
        self.commands[self._command_key(params)] = list(commands or [])
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(self._command_key(params), [])

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._command_key(params), None)
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates") in (True, "true", "True", "1"):
            self._updates.clear()
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = str(params.get("url") or "")
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        pending = len(self._updates)
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    def _m_logOut(self, params: dict[str, Any]) -> bool:
        return True
