"""Who is talking to the bot: users recorded as they come, their language, flood control."""

from __future__ import annotations

import logging
import time
from collections import deque
from enum import Enum
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType, MessageEntityType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackContext, ContextTypes, filters

from bot.i18n import normalise_language, t
from bot.storage.users import upsert_user
from bot.telegram.services import get_services

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
LANGUAGE_KEY = "language"
SEEN_KEY = "seen_at"
# A user's row is refreshed at most this often: last_seen needs no finer grain.
TOUCH_EVERY_SECONDS = 60.0
MAX_TRACKED = 10_000  # users kept in the flood window before idle ones are dropped
# Paging through the programme is many presses and no work for anyone else: presses get a
# budget of their own, this many times the message limit, and never use up the messages'.
PRESS_FACTOR = 5


def language_of(update: object, context: CallbackContext[Any, Any, Any, Any]) -> str:
    """The user's language: their /lang choice, else Telegram's language_code."""
    user_data = context.user_data
    if user_data is not None and isinstance(user_data.get(LANGUAGE_KEY), str):
        return str(user_data[LANGUAGE_KEY])
    user = update.effective_user if isinstance(update, Update) else None
    return normalise_language(user.language_code if user else None)


def remember_language(context: CallbackContext[Any, Any, Any, Any], language: str) -> None:
    """Cache the user's language for the following updates."""
    if context.user_data is not None:
        context.user_data[LANGUAGE_KEY] = language


async def track_user(update: Update, context: Context) -> None:
    """Record every user (first and last seen) before the real handlers run."""
    user = update.effective_user
    if user is None or user.is_bot or context.user_data is None:
        return
    seen = context.user_data.get(SEEN_KEY)
    now = time.monotonic()
    if isinstance(seen, float) and now - seen < TOUCH_EVERY_SECONDS:
        return
    reported = normalise_language(user.language_code) if user.language_code else None
    stored = await upsert_user(
        get_services(context).store,
        user.id,
        first_name=user.first_name,
        username=user.username,
        language=reported,
    )
    context.user_data[SEEN_KEY] = now
    remember_language(context, normalise_language(stored or reported))


class Verdict(Enum):
    """What flood control does with a message."""

    ALLOW = "allow"
    WARN = "warn"  # first message over the limit: one polite notice
    DROP = "drop"  # later ones, until the window passes: silence


class FloodGate:
    """Per-user sliding window: past `limit` messages a minute, one notice, then silence.

    Button presses are counted apart, against `press_limit` (by default `PRESS_FACTOR` times
    `limit`): browsing the programme never locks a user out of asking.
    """

    def __init__(self, limit: int, window: float = 60.0, press_limit: int | None = None) -> None:
        self.limit = limit
        self.press_limit = press_limit or limit * PRESS_FACTOR
        self.window = window
        self._times: dict[tuple[int, bool], deque[float]] = {}
        self._warned: set[tuple[int, bool]] = set()

    def verdict(self, user_id: int, now: float | None = None, *, press: bool = False) -> Verdict:
        """Count one message (or, `press`, one button press) from this user; say what to do."""
        now = time.monotonic() if now is None else now
        if len(self._times) > MAX_TRACKED:
            self.forget_idle(now)
        key = (user_id, press)
        times = self._times.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < (self.press_limit if press else self.limit):
            times.append(now)
            self._warned.discard(key)
            return Verdict.ALLOW
        if key in self._warned:
            return Verdict.DROP
        self._warned.add(key)
        return Verdict.WARN

    def forget_idle(self, now: float | None = None) -> None:
        """Drop users whose window has emptied (keeps memory flat over a long event)."""
        now = time.monotonic() if now is None else now
        for key in [k for k, ts in self._times.items() if not ts or now - ts[-1] >= self.window]:
            del self._times[key]
            self._warned.discard(key)

    async def check(self, update: Update, context: Context) -> None:
        """Stop handling a flooding user's message (after one polite notice)."""
        user = update.effective_user
        if user is None or not (update.message or update.edited_message or update.callback_query):
            return
        verdict = self.verdict(user.id, press=update.callback_query is not None)
        if verdict is Verdict.ALLOW:
            return
        log.info("flood control: user %d over the limit of a minute", user.id)
        notice = t("flood", language_of(update, context))
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(notice if verdict is Verdict.WARN else None)
            elif verdict is Verdict.WARN and update.effective_message is not None:
                await update.effective_message.reply_text(notice)
        except TelegramError as exc:
            log.warning("flood notice not delivered: %s", exc)
        raise ApplicationHandlerStop


def is_private(message: Message) -> bool:
    """Whether the message comes from a one-to-one chat with the bot."""
    return message.chat.type == ChatType.PRIVATE


def mentions_bot(message: Message) -> bool:
    """Whether a group message is addressed to the bot: a mention or a reply to it."""
    bot = message.get_bot()
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot.id:
        return True
    handle = f"@{bot.username}".lower()
    for entity, text in message.parse_entities().items():
        if entity.type == MessageEntityType.MENTION and text.lower() == handle:
            return True
        if (
            entity.type == MessageEntityType.TEXT_MENTION
            and entity.user
            and entity.user.id == bot.id
        ):
            return True
    for entity, text in message.parse_caption_entities().items():
        if entity.type == MessageEntityType.MENTION and text.lower() == handle:
            return True
    return False


class AddressedToBot(filters.MessageFilter):
    """Private messages, and group messages that mention the bot or reply to it."""

    def filter(self, message: Message) -> bool:
        """Whether the bot should treat this message as meant for it."""
        return is_private(message) or mentions_bot(message)


ADDRESSED_TO_BOT = AddressedToBot(name="AddressedToBot")


def without_mention(text: str, bot_username: str | None) -> str:
    """The question with the bot's @mention taken out."""
    if not bot_username:
        return text.strip()
    handle = f"@{bot_username}"
    lowered = text.lower()
    out, start = [], 0
    while (index := lowered.find(handle.lower(), start)) >= 0:
        out.append(text[start:index])
        start = index + len(handle)
    out.append(text[start:])
    return " ".join("".join(out).split())
