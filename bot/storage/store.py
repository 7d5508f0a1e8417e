"""The SQLite connection (aiosqlite): opening, migrating, transactions, timestamps.

A `Store` wraps one connection and serialises its transactions: the bot's handlers share one,
the broadcast worker and the command line open their own. No SQL of an aggregate lives here:
see `users`, `agenda`, `questions`, `reminders`, `programme` and `outbox` beside it, and
`embeddings` (a separate file, plain sqlite3, for the search's worker threads).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

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
                await self._begin_once()
                return
            except sqlite3.OperationalError as error:
                waited = time.monotonic() - started
                if "locked" not in str(error) or waited > 1.0 or attempt == BEGIN_TRIES:
                    raise
            await asyncio.sleep(0.002 * attempt)

    async def _begin_once(self) -> None:
        # Cancelling the caller does not stop a statement already queued on the connection's
        # thread: BEGIN would then run after the lock was released and leave the connection
        # inside a transaction nobody ends ("cannot start a transaction within a transaction"
        # for every later one). So a cancelled caller waits for it and rolls it back first.
        begin = asyncio.ensure_future(self.db.execute("BEGIN IMMEDIATE"))
        try:
            await asyncio.shield(begin)
        except asyncio.CancelledError:
            with contextlib.suppress(sqlite3.Error):
                await begin
                await self.db.rollback()
            raise

    async def file(self) -> Path | None:
        """The file behind the connection (None for an in-memory database)."""
        async with self.db.execute("PRAGMA database_list") as cursor:
            rows = await cursor.fetchall()
        main = next((row for row in rows if row[1] == "main"), None)
        return Path(main[2]) if main and main[2] else None
