"""The pinned live message of each chat: its id and the text it last showed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import utc_now
from bot.storage.store import Store, iso, parse_iso


@dataclass(frozen=True, slots=True)
class LiveMessage:
    """A live message as last edited."""

    chat_id: int
    message_id: int
    text: str
    updated_at: datetime


async def live_message(store: Store, chat_id: int) -> LiveMessage | None:
    """The live message kept in `chat_id`, if one was posted."""
    async with store.db.execute(
        "SELECT message_id, text, updated_at FROM live_messages WHERE chat_id = ?", (chat_id,)
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    return LiveMessage(chat_id, int(row[0]), str(row[1]), parse_iso(str(row[2])))


async def save_live_message(store: Store, chat_id: int, message_id: int, text: str) -> None:
    """Remember the live message of `chat_id` and what it now shows."""
    async with store.transaction() as db:
        await db.execute(
            "INSERT INTO live_messages (chat_id, message_id, text, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(chat_id) DO UPDATE SET"
            " message_id = excluded.message_id, text = excluded.text,"
            " updated_at = excluded.updated_at",
            (chat_id, message_id, text, iso(utc_now())),
        )
