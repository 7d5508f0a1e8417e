"""The SQL of the attendees: who wrote to the bot, their language, subscription, blocked mark.

Each function takes the shared `Store` and runs one statement (writes in their own
transaction), except `move_chat`, which joins the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from bot.clock import utc_now
from bot.storage.store import Store, iso


async def upsert_user(
    store: Store,
    user_id: int,
    *,
    first_name: str | None = None,
    username: str | None = None,
    language: str | None = None,
) -> str | None:
    """Record a user seen now (first/last seen); return their effective language.

    `language` is the one Telegram reports; a choice made with /lang is kept over it.
    Writing to the bot again also lifts a past `blocked` mark.
    """
    now = iso(utc_now())
    async with (
        store.transaction() as db,
        db.execute(
            "INSERT INTO users (user_id, chat_id, language, first_name, username,"
            " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET first_name = excluded.first_name,"
            " username = excluded.username, last_seen = excluded.last_seen, blocked = 0,"
            " language = CASE WHEN users.language_chosen THEN users.language"
            " ELSE COALESCE(excluded.language, users.language) END"
            " RETURNING language",
            (user_id, user_id, language, first_name, username, now, now),
        ) as cursor,
    ):
        row = await cursor.fetchone()
    return str(row[0]) if row and row[0] else None


async def user_language(store: Store, user_id: int) -> str | None:
    """The user's stored language (chosen with /lang, else Telegram's), if known."""
    async with store.db.execute(
        "SELECT language FROM users WHERE user_id = ?", (user_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row and row[0] else None


async def chat_language(store: Store, chat_id: int) -> str | None:
    """The stored language of the user behind a chat, if known."""
    async with store.db.execute(
        "SELECT language FROM users WHERE chat_id = ?", (chat_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


async def set_language(store: Store, user_id: int, language: str) -> None:
    """Remember the language the user chose with /lang."""
    async with store.transaction() as db:
        await db.execute(
            "UPDATE users SET language = ?, language_chosen = 1 WHERE user_id = ?",
            (language, user_id),
        )


async def set_subscribed(store: Store, user_id: int, subscribed: bool) -> bool:
    """Subscribe (/start) or unsubscribe (/stop) a known user; False if unknown."""
    async with store.transaction() as db:
        cursor = await db.execute(
            "UPDATE users SET subscribed = ? WHERE user_id = ?", (int(subscribed), user_id)
        )
        return cursor.rowcount > 0


async def is_subscribed(store: Store, user_id: int) -> bool:
    """Whether the user receives announcements."""
    async with store.db.execute(
        "SELECT subscribed FROM users WHERE user_id = ?", (user_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return bool(row and row[0])


async def mark_blocked(store: Store, chat_id: int) -> None:
    """Remember that Telegram refused delivery to this chat (the user blocked the bot)."""
    async with store.transaction() as db:
        await db.execute("UPDATE users SET blocked = 1 WHERE chat_id = ?", (chat_id,))


async def move_chat(db: aiosqlite.Connection, chat_id: int, new_chat_id: int) -> None:
    """Follow a group that became a supergroup, inside the caller's transaction."""
    await db.execute("UPDATE users SET chat_id = ? WHERE chat_id = ?", (new_chat_id, chat_id))


async def admin_chats(store: Store, admin_ids: Iterable[int]) -> list[tuple[int, str | None]]:
    """(chat id, language) of the admins who have talked to the bot and not blocked it.

    Telegram refuses to write to (or set the menu of) a chat that never talked to the bot.
    """
    ids = sorted(admin_ids)
    if not ids:
        return []
    async with store.db.execute(
        "SELECT chat_id, language FROM users WHERE blocked = 0"
        f" AND user_id IN ({','.join('?' * len(ids))}) ORDER BY user_id",
        ids,
    ) as cursor:
        return [(int(row[0]), row[1]) for row in await cursor.fetchall()]
