"""SQLite storage (aiosqlite): users, agendas, reminders, feedback, question log, follows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.migrations import MIGRATIONS


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


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
        await self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            await self.db.rollback()
            raise
        else:
            await self.db.commit()
