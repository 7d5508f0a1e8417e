"""The SQL of the programme as last seen (`known_sessions`) and of the change notices sent.

`known_sessions` survives restarts, so a change made while the bot was down is still told;
`change_notices` holds one row per (user, session, version) told; `missing_sessions` when each
session missing from the programme was first seen missing (the removal grace). The writers take the
caller's transaction: the notifier records a version and claims its notices atomically.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import utc_now
from bot.storage.store import Store, iso, parse_iso


@dataclass(frozen=True, slots=True)
class KnownRow:
    """One row of `known_sessions`: a session as last seen."""

    session_id: str
    title: str
    vertical_id: str | None
    fingerprint: str


async def known_sessions(store: Store) -> list[KnownRow]:
    """Every session as last seen (removed ones included, with their fingerprint)."""
    async with store.db.execute(
        "SELECT session_id, title, vertical_id, fingerprint FROM known_sessions"
    ) as cursor:
        rows = await cursor.fetchall()
    return [KnownRow(str(r[0]), str(r[1]), r[2], str(r[3])) for r in rows]


async def remember(db: aiosqlite.Connection, row: KnownRow) -> None:
    """Record a session as seen now, inside the caller's transaction."""
    await db.execute(
        "INSERT INTO known_sessions (session_id, fingerprint, title, vertical_id, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET"
        " fingerprint = excluded.fingerprint, title = excluded.title,"
        " vertical_id = excluded.vertical_id, updated_at = excluded.updated_at",
        (row.session_id, row.fingerprint, row.title, row.vertical_id, iso(utc_now())),
    )


async def set_fingerprint(db: aiosqlite.Connection, session_id: str, fingerprint: str) -> None:
    """Change a known session's fingerprint only (a removal), inside the caller's transaction."""
    await db.execute(
        "UPDATE known_sessions SET fingerprint = ?, updated_at = ? WHERE session_id = ?",
        (fingerprint, iso(utc_now()), session_id),
    )


async def concerned_users(
    db: aiosqlite.Connection, session_id: str, vertical_id: str | None, *, followers_only: bool
) -> list[tuple[int, int, str | None]]:
    """(user id, chat id, language) of the unblocked users a change to this session concerns.

    Followers of its vertical; unless `followers_only`, also those who saved the session or
    have a reminder for it not sent yet. Sorted by user id.
    """
    concerned = (
        "" if followers_only
        else " OR user_id IN (SELECT user_id FROM saved_sessions WHERE session_id = :s)"
        " OR user_id IN (SELECT user_id FROM reminders WHERE session_id = :s"
        " AND sent_at IS NULL)"
    )  # fmt: skip
    async with db.execute(
        "SELECT user_id, chat_id, language FROM users WHERE blocked = 0 AND ("
        " user_id IN (SELECT user_id FROM follows WHERE vertical_id = :v)"
        f"{concerned}) ORDER BY user_id",
        {"s": session_id, "v": vertical_id or ""},
    ) as cursor:
        rows = await cursor.fetchall()
    return [(int(r[0]), int(r[1]), r[2]) for r in rows]


async def claim_notice(
    db: aiosqlite.Connection, user_id: int, session_id: str, fingerprint: str
) -> bool:
    """Record that this user is told of this version of the session; False if told already."""
    claimed = await db.execute(
        "INSERT OR IGNORE INTO change_notices (user_id, session_id, fingerprint,"
        " sent_at) VALUES (?, ?, ?, ?)",
        (user_id, session_id, fingerprint, iso(utc_now())),
    )
    return claimed.rowcount == 1


async def missing_since(db: aiosqlite.Connection, session_id: str, now: datetime) -> datetime:
    """When this session was first seen missing (`now` if it just went); in a transaction."""
    await db.execute(
        "INSERT OR IGNORE INTO missing_sessions (session_id, missing_since) VALUES (?, ?)",
        (session_id, iso(now)),
    )
    async with db.execute(
        "SELECT missing_since FROM missing_sessions WHERE session_id = ?", (session_id,)
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return parse_iso(row[0])


async def returned(db: aiosqlite.Connection, present: Container[str]) -> list[str]:
    """Forget the absence of the sessions `present` again; their ids."""
    async with db.execute("SELECT session_id FROM missing_sessions") as cursor:
        back = [str(r[0]) for r in await cursor.fetchall() if r[0] in present]
    await db.executemany(
        "DELETE FROM missing_sessions WHERE session_id = ?", [(sid,) for sid in back]
    )
    return back


async def missing_sessions(store: Store) -> dict[str, datetime]:
    """Session id -> since when it has been missing, for every session missing now."""
    async with store.db.execute("SELECT session_id, missing_since FROM missing_sessions") as cur:
        return {str(r[0]): parse_iso(r[1]) for r in await cur.fetchall()}
