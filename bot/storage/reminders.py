"""The SQL of reminders: one row per (user, session, start it was computed for).

A row is pending while `sent_at` and `cancelled_at` are NULL. The writers that take a
connection run inside the caller's transaction (the scheduler groups several of them); the
others take the `Store` and run one statement. `claim` sets `sent_at` only where it was NULL:
of two runs claiming one reminder, one wins. A row cancelled because its session was removed
carries `cancel_reason = 'removed'`, so it can come back with the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.store import Store, iso, parse_iso

_PENDING = "sent_at IS NULL AND cancelled_at IS NULL"
REMOVED = "removed"  # the cancel reason of a reminder whose session left the programme
_COLUMNS = "id, user_id, chat_id, session_id, session_start, remind_at"


@dataclass(frozen=True, slots=True)
class Reminder:
    """A row of `reminders`."""

    id: int
    user_id: int
    chat_id: int
    session_id: str
    session_start: datetime
    remind_at: datetime

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Reminder:
        """Build from a row selected with the reminder columns."""
        return cls(
            id=int(row["id"]),
            user_id=int(row["user_id"]),
            chat_id=int(row["chat_id"]),
            session_id=str(row["session_id"]),
            session_start=parse_iso(row["session_start"]),
            remind_at=parse_iso(row["remind_at"]),
        )


async def _cancel_where(
    db: aiosqlite.Connection, now: datetime, where: str, params: tuple[object, ...]
) -> list[int]:
    async with db.execute(
        f"UPDATE reminders SET cancelled_at = ? WHERE {where} AND {_PENDING} RETURNING id",
        (iso(now), *params),
    ) as cursor:
        return [int(row[0]) for row in await cursor.fetchall()]


async def cancel_other_starts(
    db: aiosqlite.Connection, now: datetime, user_id: int, session_id: str, start: datetime
) -> list[int]:
    """Cancel the user's pending rows for this session computed for another start; their ids."""
    where = "user_id = ? AND session_id = ? AND session_start != ?"
    return await _cancel_where(db, now, where, (user_id, session_id, iso(start)))


async def cancel_session(
    db: aiosqlite.Connection, now: datetime, user_id: int, session_id: str
) -> list[int]:
    """Cancel the user's pending rows for this session; their ids."""
    return await _cancel_where(db, now, "user_id = ? AND session_id = ?", (user_id, session_id))


async def cancel_pending(
    db: aiosqlite.Connection, now: datetime, reminder_id: int, reason: str | None = None
) -> bool:
    """Cancel one row if it is still pending; False when it was sent or cancelled meanwhile."""
    cancelled = await db.execute(
        f"UPDATE reminders SET cancelled_at = ?, cancel_reason = ? WHERE id = ? AND {_PENDING}",
        (iso(now), reason, reminder_id),
    )
    return cancelled.rowcount == 1


async def forget_removed(db: aiosqlite.Connection, user_id: int, session_id: str) -> None:
    """The user no longer wants this session's reminder: a removed one does not come back."""
    await db.execute(
        "UPDATE reminders SET cancel_reason = NULL"
        " WHERE user_id = ? AND session_id = ? AND cancel_reason = ?",
        (user_id, session_id, REMOVED),
    )


async def removed_after(db: aiosqlite.Connection, now: datetime) -> list[Reminder]:
    """Unsent rows cancelled because their session was removed, for starts after `now`."""
    async with db.execute(
        f"SELECT {_COLUMNS} FROM reminders WHERE cancel_reason = ? AND sent_at IS NULL"
        " AND cancelled_at IS NOT NULL AND session_start > ? ORDER BY id",
        (REMOVED, iso(now)),
    ) as cursor:
        return [Reminder.from_row(row) for row in await cursor.fetchall()]


async def revive(db: aiosqlite.Connection, reminder_id: int, remind_at: datetime) -> bool:
    """Make a row cancelled for a removal pending again, due at `remind_at`; False if not."""
    revived = await db.execute(
        "UPDATE reminders SET cancelled_at = NULL, cancel_reason = NULL, remind_at = ?"
        " WHERE id = ? AND sent_at IS NULL AND cancel_reason = ?",
        (iso(remind_at), reminder_id, REMOVED),
    )
    return revived.rowcount == 1


async def cancel_all_pending(
    db: aiosqlite.Connection, now: datetime, reminder_ids: list[int]
) -> None:
    """Cancel these rows where they are still pending."""
    await db.executemany(
        f"UPDATE reminders SET cancelled_at = ? WHERE id = ? AND {_PENDING}",
        [(iso(now), reminder_id) for reminder_id in reminder_ids],
    )


async def cancel(db: aiosqlite.Connection, now: datetime, reminder_id: int) -> None:
    """Mark one row cancelled, whatever its state."""
    await db.execute("UPDATE reminders SET cancelled_at = ? WHERE id = ?", (iso(now), reminder_id))


async def book(
    db: aiosqlite.Connection,
    user_id: int,
    chat_id: int,
    session_id: str,
    start: datetime,
    remind_at: datetime,
) -> tuple[Reminder, bool]:
    """Add or revive the row for this start (a sent one stays sent); (the row, whether sent)."""
    await db.execute(
        "INSERT INTO reminders (user_id, chat_id, session_id, session_start, remind_at)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id, session_id, session_start) DO UPDATE"
        " SET cancelled_at = NULL, cancel_reason = NULL, chat_id = excluded.chat_id,"
        " remind_at = excluded.remind_at WHERE reminders.sent_at IS NULL",
        (user_id, chat_id, session_id, iso(start), iso(remind_at)),
    )
    async with db.execute(
        f"SELECT {_COLUMNS}, sent_at FROM reminders"
        " WHERE user_id = ? AND session_id = ? AND session_start = ?",
        (user_id, session_id, iso(start)),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return Reminder.from_row(row), row["sent_at"] is not None


async def move(
    db: aiosqlite.Connection, reminder: Reminder, start: datetime, remind_at: datetime
) -> int | None:
    """Add or revive the user's row for the session's new start; its id, None if it was sent.

    Unlike `book`, the chat id of a revived row is kept.
    """
    row = (reminder.user_id, reminder.chat_id, reminder.session_id, iso(start), iso(remind_at))
    async with db.execute(
        "INSERT INTO reminders (user_id, chat_id, session_id, session_start,"
        " remind_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE"
        " SET cancelled_at = NULL, cancel_reason = NULL, remind_at = excluded.remind_at"
        " WHERE reminders.sent_at IS NULL RETURNING id",
        row,
    ) as cursor:
        revived = await cursor.fetchone()
    return int(revived[0]) if revived is not None else None


async def claim(db: aiosqlite.Connection, now: datetime, reminder_id: int) -> bool:
    """Mark a pending row sent (before the send: at most once); False if no longer pending."""
    claimed = await db.execute(
        f"UPDATE reminders SET sent_at = ? WHERE id = ? AND {_PENDING}",
        (iso(now), reminder_id),
    )
    return claimed.rowcount == 1


async def pending_time(store: Store, user_id: int, session_id: str) -> datetime | None:
    """When the user's latest pending reminder for this session goes out, if any."""
    async with store.db.execute(
        f"SELECT remind_at FROM reminders WHERE user_id = ? AND session_id = ? AND {_PENDING}"
        " ORDER BY remind_at DESC LIMIT 1",
        (user_id, session_id),
    ) as cursor:
        row = await cursor.fetchone()
    return parse_iso(row[0]) if row else None


async def pending(store: Store, reminder_id: int) -> Reminder | None:
    """This reminder if it is still pending."""
    async with store.db.execute(
        f"SELECT {_COLUMNS} FROM reminders WHERE id = ? AND {_PENDING}", (reminder_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return Reminder.from_row(row) if row is not None else None


async def all_pending(store: Store) -> list[Reminder]:
    """Every pending reminder, earliest first."""
    async with store.db.execute(
        f"SELECT {_COLUMNS} FROM reminders WHERE {_PENDING} ORDER BY remind_at, id"
    ) as cursor:
        return [Reminder.from_row(row) for row in await cursor.fetchall()]
