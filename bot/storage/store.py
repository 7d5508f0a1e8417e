"""SQLite storage (aiosqlite): users, agendas, reminders, feedback, question log, follows."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.clock import utc_now
from bot.storage.migrations import MIGRATIONS

BEGIN_TRIES = 50  # see Store._begin


def iso(moment: datetime) -> str:
    """Serialise an aware datetime for storage (UTC, ISO 8601)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime refused: use aware datetimes only")
    return moment.astimezone(UTC).isoformat()


def parse_iso(text: str) -> datetime:
    """Read back a datetime written by `iso`."""
    return datetime.fromisoformat(text)


async def migrate(db: aiosqlite.Connection) -> int:
    """Run the migrations not yet applied; return how many ran."""
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    done = int(row[0]) if row else 0
    for number, (_name, script) in enumerate(MIGRATIONS[done:], start=done + 1):
        await db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    return len(MIGRATIONS) - done


class Store:
    """The assistant's database; one connection shared by the bot's handlers."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        # One connection serves every coroutine: transactions must not interleave on it.
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Store:
        """Open (creating and migrating if needed) the database at `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(path, timeout=30)
        db.row_factory = aiosqlite.Row
        # WAL lets `python -m bot broadcast` queue while the bot reads and writes.
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("PRAGMA foreign_keys=ON")
        await db.execute("PRAGMA busy_timeout=30000")
        await migrate(db)
        return cls(db)

    async def close(self) -> None:
        """Close the connection."""
        await self.db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run statements atomically (BEGIN IMMEDIATE ... COMMIT, rollback on error)."""
        async with self._write_lock:
            await self._begin()
            try:
                yield self.db
            except BaseException:
                await self.db.rollback()
                raise
            else:
                await self.db.commit()

    async def _begin(self) -> None:
        # Another coroutine's SELECT still open on this connection pins an old snapshot; once
        # another connection (the broadcast sender, the command line) has committed, SQLite
        # refuses the write at once ("database is locked") instead of waiting for the busy
        # timeout. That reader is done within milliseconds: try again shortly.
        for attempt in range(1, BEGIN_TRIES + 1):
            started = time.monotonic()
            try:
                await self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                waited = time.monotonic() - started
                if "locked" not in str(error) or waited > 1.0 or attempt == BEGIN_TRIES:
                    raise
            await asyncio.sleep(0.002 * attempt)

    # --- attendees (conversation) ---

    async def upsert_user(
        self,
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
            self.transaction() as db,
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

    async def user_language(self, user_id: int) -> str | None:
        """The user's stored language (chosen with /lang, else Telegram's), if known."""
        async with self.db.execute(
            "SELECT language FROM users WHERE user_id = ?", (user_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row and row[0] else None

    async def set_language(self, user_id: int, language: str) -> None:
        """Remember the language the user chose with /lang."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE users SET language = ?, language_chosen = 1 WHERE user_id = ?",
                (language, user_id),
            )

    async def set_subscribed(self, user_id: int, subscribed: bool) -> bool:
        """Subscribe (/start) or unsubscribe (/stop) a known user; False if unknown."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "UPDATE users SET subscribed = ? WHERE user_id = ?", (int(subscribed), user_id)
            )
            return cursor.rowcount > 0

    async def is_subscribed(self, user_id: int) -> bool:
        """Whether the user receives announcements."""
        async with self.db.execute(
            "SELECT subscribed FROM users WHERE user_id = ?", (user_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return bool(row and row[0])

    async def mark_blocked(self, chat_id: int) -> None:
        """Remember that Telegram refused delivery to this chat (the user blocked the bot)."""
        async with self.transaction() as db:
            await db.execute("UPDATE users SET blocked = 1 WHERE chat_id = ?", (chat_id,))

    async def log_question(
        self, user_id: int | None, text: str, language: str, answered: bool, top_score: float
    ) -> int:
        """Log a question asked and how it went; return its id (feedback refers to it)."""
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO question_log (user_id, text, language, answered, top_score,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, text, language, int(answered), float(top_score), iso(utc_now())),
            )
            question_id = cursor.lastrowid
        assert question_id is not None
        return question_id

    async def record_feedback(self, user_id: int, question_id: int, value: int) -> bool:
        """Store a thumbs up (1) or down (-1) on the user's own question; False if not theirs."""
        if value not in (-1, 1):
            raise ValueError("feedback is 1 or -1")
        async with self.transaction() as db:
            cursor = await db.execute(
                "INSERT INTO feedback (user_id, question_id, value, created_at)"
                " SELECT ?, id, ?, ? FROM question_log WHERE id = ? AND user_id = ?"
                " ON CONFLICT(user_id, question_id) DO UPDATE SET value = excluded.value,"
                " created_at = excluded.created_at",
                (user_id, value, iso(utc_now()), question_id, user_id),
            )
            return cursor.rowcount > 0
