"""The SQL of the durable announcement queue: one row per (broadcast, chat), with a lease.

A delivery moves pending -> sending (lease taken, attempt counted, just before the HTTP call)
-> sent | blocked | failed, or back to pending with `next_try_at` for a retry. Each move is
committed on its own, so a process killed at any instant leaves at most its in-flight rows in
'sending'; the next start puts them back to pending (`recover`). Queuing writes the broadcast
and all its rows in one transaction: the worker never sees half an audience.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.clock import utc_now
from bot.storage.store import Store, iso
from bot.storage.users import mark_blocked, move_chat

ANNOUNCEMENT = "announcement"  # from an admin or the command line: progress reported
NOTICE = "notice"  # a programme change notice: delivered quietly


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A queued announcement and who it is for."""

    id: int
    text: str
    status: str
    kind: str = ANNOUNCEMENT
    created_by: int | None = None
    report_chat_id: int | None = None
    language: str | None = None
    vertical: str | None = None

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Broadcast:
        """Build from a `broadcasts` row."""
        return cls(
            id=int(row["id"]),
            text=str(row["text"]),
            status=str(row["status"]),
            kind=str(row["kind"]),
            created_by=row["created_by"],
            report_chat_id=row["report_chat_id"],
            language=row["audience_language"],
            vertical=row["audience_vertical"],
        )


@dataclass(frozen=True, slots=True)
class Tally:
    """Where a broadcast's deliveries stand."""

    total: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    sending: int = 0

    @property
    def open(self) -> int:
        """Deliveries not settled yet (pending or in flight)."""
        return self.total - self.sent - self.blocked - self.failed


def _audience(language: str | None, vertical: str | None) -> tuple[str, list[object]]:
    """The SQL selecting the subscribers' chats for an audience, and its parameters."""
    sql = "SELECT DISTINCT chat_id FROM users WHERE subscribed = 1 AND blocked = 0"
    params: list[object] = []
    if language:
        sql += " AND language = ?"
        params.append(language)
    if vertical:
        sql += " AND user_id IN (SELECT user_id FROM follows WHERE vertical_id = ?)"
        params.append(vertical)
    return sql, params


async def audience_size(store: Store, language: str | None, vertical: str | None) -> int:
    """How many subscribers an announcement to this audience would reach now."""
    sql, params = _audience(language, vertical)
    async with store.db.execute(f"SELECT COUNT(*) FROM ({sql})", params) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def _add_rows(
    db: aiosqlite.Connection, broadcast_id: int, select: str, params: list[object]
) -> int:
    cursor = await db.execute(
        "INSERT OR IGNORE INTO broadcast_deliveries (broadcast_id, chat_id, status)"
        f" SELECT ?, chat_id, 'pending' FROM ({select})",
        [broadcast_id, *params],
    )
    return cursor.rowcount


async def queue_broadcast(
    store: Store,
    text: str,
    *,
    language: str | None = None,
    vertical: str | None = None,
    created_by: int | None = None,
    report_chat_id: int | None = None,
) -> tuple[int, int]:
    """Queue a checked text to the audience's subscribers; (broadcast id, recipients).

    The broadcast and all its rows are written in one transaction.
    """
    sql, params = _audience(language, vertical)
    async with store.transaction() as db:
        cursor = await db.execute(
            "INSERT INTO broadcasts (text, created_by, report_chat_id, audience_language,"
            " audience_vertical, status, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?)",
            (text, created_by, report_chat_id, language, vertical, iso(utc_now())),
        )
        assert cursor.lastrowid is not None
        recipients = await _add_rows(db, cursor.lastrowid, sql, params)
    return cursor.lastrowid, recipients


async def insert_draft(
    store: Store,
    text: str,
    *,
    created_by: int,
    report_chat_id: int,
    language: str | None = None,
    vertical: str | None = None,
) -> int:
    """Keep a checked announcement as a draft until it is confirmed; return its id."""
    async with store.transaction() as db:
        cursor = await db.execute(
            "INSERT INTO broadcasts (text, created_by, report_chat_id, audience_language,"
            " audience_vertical, status, created_at) VALUES (?, ?, ?, ?, ?, 'draft', ?)",
            (text, created_by, report_chat_id, language, vertical, iso(utc_now())),
        )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def confirm_draft(store: Store, broadcast_id: int) -> int | None:
    """Queue a draft for its audience; the recipients, or None if it is no longer a draft."""
    async with store.transaction() as db:
        async with db.execute(
            "SELECT * FROM broadcasts WHERE id = ? AND status = 'draft'", (broadcast_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        draft = Broadcast.from_row(row)
        await db.execute("UPDATE broadcasts SET status = 'queued' WHERE id = ?", (broadcast_id,))
        sql, params = _audience(draft.language, draft.vertical)
        return await _add_rows(db, broadcast_id, sql, params)


async def cancel_draft(store: Store, broadcast_id: int) -> bool:
    """Drop a draft; False if it was already queued or cancelled."""
    async with store.transaction() as db:
        cursor = await db.execute(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ?"
            " WHERE id = ? AND status = 'draft'",
            (iso(utc_now()), broadcast_id),
        )
    return cursor.rowcount == 1


async def insert_notice(db: aiosqlite.Connection, text: str, chat_ids: list[int]) -> int:
    """Queue a checked notice to explicit chats, inside the caller's transaction; its id."""
    cursor = await db.execute(
        "INSERT INTO broadcasts (text, status, kind, created_at) VALUES (?, 'queued', ?, ?)",
        (text, NOTICE, iso(utc_now())),
    )
    assert cursor.lastrowid is not None
    await db.executemany(
        "INSERT OR IGNORE INTO broadcast_deliveries (broadcast_id, chat_id, status)"
        " VALUES (?, ?, 'pending')",
        [(cursor.lastrowid, chat_id) for chat_id in chat_ids],
    )
    return cursor.lastrowid


class Outbox:
    """The sender's side of the queue: claim, settle and count deliveries."""

    def __init__(self, store: Store, lease: timedelta = timedelta(seconds=60)) -> None:
        self.store = store
        self.lease = lease

    async def _write(self, sql: str, params: tuple[object, ...]) -> int:
        async with self.store.transaction() as db:
            cursor = await db.execute(sql, params)
        return cursor.rowcount

    async def recover(self) -> int:
        """Put back to pending what a previous run left in flight; return how many rows.

        Only one bot polls Telegram at a time (a second getUpdates gets 409), so at start-up
        no sender of ours is alive: every lease in the table belongs to a dead process.
        """
        return await self._write(
            "UPDATE broadcast_deliveries SET status = 'pending', lease_until = NULL"
            " WHERE status = 'sending'",
            (),
        )

    async def next_broadcast(self) -> Broadcast | None:
        """The oldest broadcast with deliveries to make."""
        async with self.store.db.execute(
            "SELECT * FROM broadcasts WHERE status IN ('queued', 'sending') ORDER BY id LIMIT 1"
        ) as cursor:
            row = await cursor.fetchone()
        return Broadcast.from_row(row) if row else None

    async def start(self, broadcast_id: int) -> None:
        """Mark a broadcast as being delivered."""
        await self._write(
            "UPDATE broadcasts SET status = 'sending', started_at = COALESCE(started_at, ?)"
            " WHERE id = ?",
            (iso(utc_now()), broadcast_id),
        )

    async def finish(self, broadcast_id: int) -> None:
        """Mark a broadcast as done."""
        await self._write(
            "UPDATE broadcasts SET status = 'done', finished_at = ? WHERE id = ?",
            (iso(utc_now()), broadcast_id),
        )

    async def claim(self, broadcast_id: int) -> tuple[int, int] | None:
        """Take the next due delivery under a lease; (chat id, attempt number) or None."""
        now = utc_now()
        async with (
            self.store.transaction() as db,
            db.execute(
                "UPDATE broadcast_deliveries SET status = 'sending', attempts = attempts + 1,"
                " lease_until = ? WHERE broadcast_id = ? AND chat_id = ("
                " SELECT chat_id FROM broadcast_deliveries WHERE broadcast_id = ?"
                " AND status = 'pending' AND (next_try_at IS NULL OR next_try_at <= ?)"
                " ORDER BY next_try_at IS NOT NULL, chat_id LIMIT 1)"
                " RETURNING chat_id, attempts",
                (iso(now + self.lease), broadcast_id, broadcast_id, iso(now)),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return (int(row[0]), int(row[1])) if row else None

    async def sent(self, broadcast_id: int, chat_id: int) -> None:
        """Record a delivery Telegram accepted."""
        await self._settle(broadcast_id, chat_id, "sent", None)

    async def failed(self, broadcast_id: int, chat_id: int, error: str) -> None:
        """Give up on a delivery."""
        await self._settle(broadcast_id, chat_id, "failed", error)

    async def blocked(self, broadcast_id: int, chat_id: int, error: str) -> None:
        """Record a 403: the user blocked the bot; never try them again."""
        await self._settle(broadcast_id, chat_id, "blocked", error)
        await mark_blocked(self.store, chat_id)

    async def _settle(
        self, broadcast_id: int, chat_id: int, status: str, error: str | None
    ) -> None:
        await self._write(
            "UPDATE broadcast_deliveries SET status = ?, lease_until = NULL, last_error = ?,"
            " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END"
            " WHERE broadcast_id = ? AND chat_id = ?",
            (status, error, status, iso(utc_now()), broadcast_id, chat_id),
        )

    async def retry_later(
        self, broadcast_id: int, chat_id: int, at: datetime, error: str, *, count: bool = True
    ) -> None:
        """Put a delivery back for a later try (`count=False`: the attempt did not count)."""
        await self._write(
            "UPDATE broadcast_deliveries SET status = 'pending', lease_until = NULL,"
            " next_try_at = ?, last_error = ?, attempts = attempts - ?"
            " WHERE broadcast_id = ? AND chat_id = ?",
            (iso(at), error, 0 if count else 1, broadcast_id, chat_id),
        )

    async def migrate(self, broadcast_id: int, chat_id: int, new_chat_id: int) -> None:
        """Follow a group that became a supergroup: same delivery, new chat id, due now."""
        async with self.store.transaction() as db:
            await move_chat(db, chat_id, new_chat_id)
            moved = await db.execute(
                "UPDATE OR IGNORE broadcast_deliveries SET chat_id = ?, status = 'pending',"
                " lease_until = NULL, next_try_at = NULL, attempts = attempts - 1"
                " WHERE broadcast_id = ? AND chat_id = ?",
                (new_chat_id, broadcast_id, chat_id),
            )
            if moved.rowcount == 0:  # the new chat already has its row: this one is settled
                await db.execute(
                    "UPDATE broadcast_deliveries SET status = 'failed', lease_until = NULL,"
                    " last_error = 'migrated' WHERE broadcast_id = ? AND chat_id = ?",
                    (broadcast_id, chat_id),
                )

    async def tally(self, broadcast_id: int) -> Tally:
        """Count the broadcast's deliveries by status."""
        async with self.store.db.execute(
            "SELECT status, COUNT(*) FROM broadcast_deliveries WHERE broadcast_id = ?"
            " GROUP BY status",
            (broadcast_id,),
        ) as cursor:
            counts = {str(row[0]): int(row[1]) for row in await cursor.fetchall()}
        return Tally(
            total=sum(counts.values()),
            sent=counts.get("sent", 0),
            blocked=counts.get("blocked", 0),
            failed=counts.get("failed", 0),
            sending=counts.get("sending", 0),
        )

    async def next_due(self, broadcast_id: int) -> datetime | None:
        """When the earliest postponed delivery is due (None when nothing is postponed)."""
        async with self.store.db.execute(
            "SELECT MIN(next_try_at) FROM broadcast_deliveries"
            " WHERE broadcast_id = ? AND status = 'pending'",
            (broadcast_id,),
        ) as cursor:
            row = await cursor.fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None
