"""The SQL of session ratings (offered after a saved session ends) and reminder lead times."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.clock import utc_now
from bot.storage.store import Store, iso

MAX_COMMENT = 1000


@dataclass(frozen=True, slots=True)
class SessionRating:
    """The ratings of one session: how many, their mean, and the comments."""

    session_id: str
    count: int
    mean: float
    comments: tuple[str, ...]


# --- reminder lead time -------------------------------------------------------------------------


async def set_reminder_minutes(store: Store, user_id: int, minutes: int) -> None:
    """Store how many minutes before a session this user wants their reminders."""
    async with store.transaction() as db:
        await db.execute(
            "UPDATE users SET reminder_minutes = ? WHERE user_id = ?", (minutes, user_id)
        )


async def reminder_minutes(store: Store, user_id: int) -> int | None:
    """The user's chosen lead time in minutes (None: the setting's default)."""
    async with store.db.execute(
        "SELECT reminder_minutes FROM users WHERE user_id = ?", (user_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row is not None and row[0] is not None else None


# --- ratings --------------------------------------------------------------------------------------


async def unoffered(store: Store, session_ids: Sequence[str]) -> list[tuple[int, int, str]]:
    """(user, chat, session) for saved sessions among these not offered a rating yet."""
    if not session_ids:
        return []
    marks = ", ".join("?" * len(session_ids))
    async with store.db.execute(
        "SELECT s.user_id, u.chat_id, s.session_id FROM saved_sessions s"
        " JOIN users u ON u.user_id = s.user_id"
        " LEFT JOIN session_ratings r"
        " ON r.user_id = s.user_id AND r.session_id = s.session_id"
        f" WHERE s.session_id IN ({marks}) AND r.user_id IS NULL AND u.blocked = 0"
        " ORDER BY s.session_id, s.user_id",
        tuple(session_ids),
    ) as cursor:
        return [(int(r[0]), int(r[1]), str(r[2])) for r in await cursor.fetchall()]


async def record_offer(
    store: Store, user_id: int, session_id: str, chat_id: int, message_id: int | None
) -> None:
    """Remember that the rating of this session was offered to the user (never twice)."""
    async with store.transaction() as db:
        await db.execute(
            "INSERT OR IGNORE INTO session_ratings"
            " (user_id, session_id, chat_id, message_id, offered_at) VALUES (?, ?, ?, ?, ?)",
            (user_id, session_id, chat_id, message_id, iso(utc_now())),
        )


async def rate(store: Store, user_id: int, chat_id: int, session_id: str, stars: int) -> None:
    """Store (or change) the user's 1-5 rating of a session."""
    stars = min(5, max(1, stars))
    now = iso(utc_now())
    async with store.transaction() as db:
        await db.execute(
            "INSERT INTO session_ratings"
            " (user_id, session_id, chat_id, offered_at, stars, rated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id, session_id) DO UPDATE"
            " SET stars = excluded.stars, rated_at = excluded.rated_at",
            (user_id, session_id, chat_id, now, stars, now),
        )


async def add_comment(store: Store, chat_id: int, message_id: int, text: str) -> bool:
    """Attach a comment to the rating whose offer is `message_id`; False if it is none."""
    async with store.transaction() as db:
        cursor = await db.execute(
            "UPDATE session_ratings SET comment = ?"
            " WHERE chat_id = ? AND message_id = ? AND stars IS NOT NULL",
            (text.strip()[:MAX_COMMENT], chat_id, message_id),
        )
    return cursor.rowcount > 0


async def session_ratings(store: Store) -> list[SessionRating]:
    """Every rated session, best first: count, mean and comments."""
    async with store.db.execute(
        "SELECT session_id, COUNT(*), AVG(stars) FROM session_ratings WHERE stars IS NOT NULL"
        " GROUP BY session_id ORDER BY AVG(stars) DESC, COUNT(*) DESC, session_id"
    ) as cursor:
        totals = [(str(r[0]), int(r[1]), float(r[2])) for r in await cursor.fetchall()]
    async with store.db.execute(
        "SELECT session_id, comment FROM session_ratings"
        " WHERE stars IS NOT NULL AND comment IS NOT NULL ORDER BY rated_at"
    ) as cursor:
        comments: dict[str, list[str]] = {}
        for row in await cursor.fetchall():
            comments.setdefault(str(row[0]), []).append(str(row[1]))
    return [
        SessionRating(sid, count, mean, tuple(comments.get(sid, ()))) for sid, count, mean in totals
    ]
