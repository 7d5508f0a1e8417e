"""What the fake Bot API knows: users, chats, messages, the update queue and every call made."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

T = TypeVar("T")
_ENTITY_PATTERNS = (
    ("bot_command", re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}")),
    ("url", re.compile(r"https?://\S+")),
)


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded in a multipart request."""

    field: str
    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class Call:
    """One request the bot made: method, decoded parameters and the answer it got."""

    method: str
    params: dict[str, Any]
    chat_id: int | None
    at: float  # time.monotonic() when the request arrived
    status: int
    description: str = ""
    # Refused by the test's setup, not for a bot mistake: block, migrate, rate limit,
    # fail_next, or a long poll superseded by a newer one (409).
    injected: bool = False


@dataclass
class BotMessage:
    """A message the bot sent, as it currently stands (edits applied)."""

    chat_id: int
    message_id: int
    text: str  # what the user sees: HTML parsed and entities decoded (the caption for media)
    raw_text: str  # as sent
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    at: float  # time.monotonic() when it was delivered
    document: UploadedFile | str | None = None  # media: the upload, or a file_id/URL string
    edits: int = 0

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, row after row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def callback_data(self, label: str) -> str:
        """The callback data of the first button whose text contains `label`."""
        for button in self.buttons:
            if label in button["text"] and "callback_data" in button:
                return str(button["callback_data"])
        raise KeyError(f"no button {label!r} in {[b['text'] for b in self.buttons]}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def text_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram would attach (commands, mentions, URLs), offsets in UTF-16 units."""
    found = [
        {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for kind, pattern in _ENTITY_PATTERNS
        for m in pattern.finditer(text)
    ]
    return sorted(found, key=lambda entity: entity["offset"])


def call_line(call: Call) -> str:
    """One readable line per call, for failure messages."""
    params = {k: v for k, v in call.params.items() if not isinstance(v, UploadedFile)}
    shown = json.dumps(params, ensure_ascii=False, default=str)[:300]
    return (
        f"{call.at:.3f} {call.status} {call.method} chat={call.chat_id} {call.description} {shown}"
    )


class ApiState:
    """Shared state behind one lock; the users' side and the bot's side both build on it."""

    def __init__(self, token: str, username: str) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Assistant",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)  # notified on every call and update
        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1000
        # Telegram numbers messages per chat, the user's and the bot's in one sequence.
        self._message_ids: Counter[int] = Counter()
        self._user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], BotMessage] = {}
        self._open_queries: set[str] = set()
        self._calls: list[Call] = []
        self._delivered: Counter[int] = Counter()
        self._window: deque[float] = deque()
        self.throttled = 0  # 429 answers given by the rate limit
        self.webhook_url = ""
        self.uploads: list[UploadedFile] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}  # query id -> parameters
        self.inline_answers: dict[str, dict[str, Any]] = {}  # query id -> parameters
        # (scope as sorted JSON, language_code) -> commands; the default scope is
        # '{"type": "default"}' and the default language "".
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (its `update_id` is assigned here); return it."""
        with self._lock:
            update = {"update_id": self._next_update_id, **update}
            self._next_update_id += 1
            self._updates.append(update)
            self._changed.notify_all()
        return update

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self._changed.notify_all()

    def _message_json(self, message: BotMessage) -> dict[str, Any]:
        """The Message object Telegram returns for (and shows in callbacks of) a bot message."""
        data: dict[str, Any] = {"message_id": message.message_id, "from": self.bot_user}
        data.update(chat=self._chats[message.chat_id], date=int(time.time()))
        if message.edits:
            data["edit_date"] = int(time.time())
        if message.document is None:
            data["text"] = message.text
        else:
            data["document"] = {"file_id": f"doc{message.message_id}", "file_unique_id": "d"}
            if isinstance(message.document, UploadedFile):
                data["document"]["file_name"] = message.document.filename
            if message.text:
                data["caption"] = message.text
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data

    # -- what the bot did -----------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every recorded call, oldest first (getUpdates and getters only when refused)."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str, status: int | None = None) -> list[Call]:
        """Recorded calls of `method` (case-insensitive), optionally with one status."""
        wanted = method.lower()
        return [c for c in self.calls if c.method.lower() == wanted and status in (None, c.status)]

    def messages_to(self, chat_id: int) -> list[BotMessage]:
        """Messages the bot sent to the chat (copies, edits applied), in order."""
        with self._lock:
            found = [replace(m) for (chat, _), m in self._messages.items() if chat == chat_id]
        return sorted(found, key=lambda m: m.message_id)

    def delivered(self, chat_id: int) -> int:
        """How many messages (text or media) were delivered to the chat."""
        with self._lock:
            return self._delivered[chat_id]

    def delivered_counts(self) -> Counter[int]:
        """Messages delivered per chat id."""
        with self._lock:
            return Counter(self._delivered)

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by the bot (through getUpdates' offset)."""
        with self._lock:
            return len(self._updates)

    def bad_requests(self) -> list[Call]:
        """Calls refused with 400 because of what the bot sent (injected faults excluded)."""
        return [c for c in self.calls if c.status == 400 and not c.injected]

    def assert_no_bad_requests(self) -> None:
        """Fail with the refused calls if Telegram would have refused anything the bot sent."""
        refused = self.bad_requests()
        assert not refused, "the Bot API refused:\n" + "\n".join(map(call_line, refused))

    def dump(self, last: int = 40) -> str:
        """The last calls, the queue and deliveries, for failure messages."""
        with self._lock:
            lines = [call_line(call) for call in self._calls[-last:]]
            lines.append(f"pending updates: {len(self._updates)}; delivered: {self._delivered}")
        return "\n".join(lines)

    # -- waiting (bounded) ----------------------------------------------------------------------
    # `timeout` is a plain bound on polling recorded state, not an I/O timeout: hence noqa.

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "condition",
    ) -> T:
        """Poll `predicate` until it returns something truthy (returned); else TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no {what} after {timeout}s; recent calls:\n{self.dump()}")
            await asyncio.sleep(0.005)

    def wait_for_sync(
        self, predicate: Callable[[], T | None], timeout: float = 5.0, what: str = "condition"
    ) -> T:
        """Blocking `wait_for`, for tests whose bot runs in another thread or process."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {what} after {timeout}s; recent calls:\n{self.dump()}")
            with self._changed:
                self._changed.wait(min(remaining, 0.05))

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Wait until the bot has sent `count` messages to the chat; return all of them."""

        def enough() -> list[BotMessage]:
            found = self.messages_to(chat_id)
            return found if len(found) >= count else []

        return await self.wait_for(enough, timeout, f"{count} message(s) to chat {chat_id}")

    async def wait_for_call(
        self,
        method: str,
        timeout: float = 5.0,  # noqa: ASYNC109
        where: Callable[[Call], bool] | None = None,
    ) -> Call:
        """Wait for a recorded call of `method` (matching `where`); return the first."""

        def found() -> Call | None:
            return next((c for c in self.calls_to(method) if where is None or where(c)), None)

        return await self.wait_for(found, timeout, f"{method} call")
