"""Ask the organisers: a question the knowledge could not answer goes to people, and back.

Forwarding: the request is stored, then sent to every admin's chat (or the organisers' group,
`ORGANISER_CHAT_ID`); the copies' message ids are stored, so an organiser's Telegram reply to
any copy finds its attendee, after a restart too. A request no organiser received stays
unforwarded and is sent again later (`forward_waiting`). Replies go back through the durable
broadcast queue: the reply is counted and its delivery queued in one transaction.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from html import escape
from typing import Protocol

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.broadcast.config import BroadcastSettings
from bot.broadcast.outbox import add_notice
from bot.clock import utc_now
from bot.i18n import normalise_language, t
from bot.storage.organisers import (
    OrganiserQuestion,
    asked_since,
    blocked_users,
    count_reply,
    record_forward,
    unforwarded,
)
from bot.storage.store import Store
from bot.storage.users import admin_chats

log = logging.getLogger(__name__)

RATE_WINDOW = timedelta(hours=1)
QUESTION_SHOWN = 1500  # characters of the question in the organisers' copy
REPLY_QUOTE = 300  # characters of the question recalled above the organisers' reply
REPLY_ROOM = 3500  # an organiser's reply longer than this is cut (Telegram takes 4,096)


class OrganiserSettings(BroadcastSettings, Protocol):
    """Where questions for the organisers go, and how many a user may send."""

    @property
    def organiser_chat_id(self) -> int | None:
        """The organisers' group; None: every admin's private chat."""
        ...

    @property
    def organiser_questions_per_hour(self) -> int:
        """Questions one attendee may send the organisers in an hour."""
        ...


async def may_ask(store: Store, settings: OrganiserSettings, user_id: int) -> bool:
    """Whether this user is still under the hourly limit of questions to the organisers."""
    since = utc_now() - RATE_WINDOW
    return await asked_since(store, user_id, since) < settings.organiser_questions_per_hour


def asker_label(first_name: str, username: str | None, user_id: int) -> str:
    """Who asked, as the organisers see it: name, @username, id."""
    handle = f"@{username}, " if username else ""
    return f"{first_name} ({handle}id {user_id})"


def forward_text(ask: OrganiserQuestion, language: str) -> str:
    """The organisers' copy of a question (Telegram HTML)."""
    question = ask.text if len(ask.text) <= QUESTION_SHOWN else ask.text[:QUESTION_SHOWN] + "…"
    return t(
        "organisers_forward",
        language,
        id=ask.id,
        asker=escape(ask.asker),
        language=ask.language,
        question=escape(question),
    )


def reply_text(ask: OrganiserQuestion, reply: str) -> str:
    """What the attendee receives: the organisers' reply to their question (plain text)."""
    question = ask.text if len(ask.text) <= REPLY_QUOTE else ask.text[:REPLY_QUOTE] + "…"
    reply = reply.strip()
    if len(reply) > REPLY_ROOM:
        reply = reply[:REPLY_ROOM] + "…"
    return t("organisers_reply", ask.language, question=question, reply=reply)


async def organiser_chats(
    store: Store, settings: OrganiserSettings, group_language: str
) -> list[tuple[int, str]]:
    """(chat id, language) where questions go: the organisers' group, else every admin.

    An admin the bot has not seen yet is tried at their user id (their private chat's id);
    Telegram refuses it until they start the bot, and the question waits for the next try.
    """
    if settings.organiser_chat_id is not None:
        return [(settings.organiser_chat_id, group_language)]
    known = {
        chat_id: language for chat_id, language in await admin_chats(store, settings.admin_ids)
    }
    unseen = [admin for admin in sorted(settings.admin_ids) if admin not in known]
    seen_blocked = await blocked_users(store, unseen)
    chats = [(chat_id, normalise_language(language)) for chat_id, language in known.items()]
    return chats + [(admin, group_language) for admin in unseen if admin not in seen_blocked]


async def forward(
    bot: Bot,
    store: Store,
    settings: OrganiserSettings,
    ask: OrganiserQuestion,
    group_language: str,
) -> int:
    """Send the question to the organisers; return how many chats received it.

    None received: it stays unforwarded, for `forward_waiting` to try again.
    """
    copies: list[tuple[int, int]] = []
    for chat_id, language in await organiser_chats(store, settings, group_language):
        try:
            sent = await bot.send_message(
                chat_id, forward_text(ask, language), parse_mode=ParseMode.HTML
            )
        except TelegramError as error:
            log.warning("question #%d not forwarded to %s: %s", ask.id, chat_id, error)
            continue
        copies.append((chat_id, sent.message_id))
    if copies:
        await record_forward(store, ask.id, copies)
    return len(copies)


async def forward_waiting(
    bot: Bot, store: Store, settings: OrganiserSettings, group_language: str
) -> int:
    """Forward every request no organiser has received yet; return how many went out."""
    done = 0
    for ask in await unforwarded(store):
        if await forward(bot, store, settings, ask, group_language):
            done += 1
    return done


async def queue_reply(store: Store, ask: OrganiserQuestion, reply: str) -> int:
    """Count the organisers' reply and queue it to the attendee, atomically; the notice id."""
    async with store.transaction() as db:
        await count_reply(db, ask.id)
        return await add_notice(db, reply_text(ask, reply), [ask.chat_id])
