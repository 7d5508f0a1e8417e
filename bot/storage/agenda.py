"""The SQL of a user's agenda: saved sessions and followed verticals.

Storage functions take the shared `Store` and run one statement each in a transaction. The
user must already be recorded in `users` (the conversation's `track_user` handler does it):
`saved_sessions.user_id` references it.
"""

from __future__ import annotations

from bot.clock import utc_now
from bot.storage.store import Store, iso

# --- saved sessions ---------------------------------------------------------------------------


async def save_session(store: Store, user_id: int, session_id: str) -> bool:
    """Add a session to the user's agenda; True if it was not saved before."""
    async with store.transaction() as db:
        cursor = await db.execute(
            "INSERT OR IGNORE INTO saved_sessions (user_id, session_id, saved_at) VALUES (?, ?, ?)",
            (user_id, session_id, iso(utc_now())),
        )
    return cursor.rowcount == 1


async def remove_session(store: Store, user_id: int, session_id: str) -> bool:
    """Remove a session from the user's agenda; True if it was saved.

    Reminders are separate: call `ReminderScheduler.cancel` as well to stop its reminder.
    """
    async with store.transaction() as db:
        cursor = await db.execute(
            "DELETE FROM saved_sessions WHERE user_id = ? AND session_id = ?",
            (user_id, session_id),
        )
    return cursor.rowcount > 0


async def is_saved(store: Store, user_id: int, session_id: str) -> bool:
    """Whether the user saved this session (to label the card's button)."""
    async with store.db.execute(
        "SELECT 1 FROM saved_sessions WHERE user_id = ? AND session_id = ?",
        (user_id, session_id),
    ) as cursor:
        return await cursor.fetchone() is not None


async def saved_session_ids(store: Store, user_id: int) -> list[str]:
    """The ids of the sessions the user saved, oldest save first."""
    async with store.db.execute(
        "SELECT session_id FROM saved_sessions WHERE user_id = ? ORDER BY saved_at, session_id",
        (user_id,),
    ) as cursor:
        return [str(row[0]) for row in await cursor.fetchall()]


async def users_who_saved(store: Store, session_id: str) -> list[int]:
    """The users who saved this session (blocked users included: filter when sending)."""
    async with store.db.execute(
        "SELECT user_id FROM saved_sessions WHERE session_id = ? ORDER BY user_id",
        (session_id,),
    ) as cursor:
        return [int(row[0]) for row in await cursor.fetchall()]


# --- followed verticals -----------------------------------------------------------------------


async def follow_vertical(store: Store, user_id: int, vertical_id: str) -> bool:
    """Follow a vertical's programme changes; True if the user did not follow it yet."""
    async with store.transaction() as db:
        cursor = await db.execute(
            "INSERT OR IGNORE INTO follows (user_id, vertical_id) VALUES (?, ?)",
            (user_id, vertical_id),
        )
    return cursor.rowcount == 1


async def unfollow_vertical(store: Store, user_id: int, vertical_id: str) -> bool:
    """Stop following a vertical; True if the user followed it."""
    async with store.transaction() as db:
        cursor = await db.execute(
            "DELETE FROM follows WHERE user_id = ? AND vertical_id = ?", (user_id, vertical_id)
        )
    return cursor.rowcount > 0


async def followed_verticals(store: Store, user_id: int) -> list[str]:
    """The ids of the verticals the user follows, sorted."""
    async with store.db.execute(
        "SELECT vertical_id FROM follows WHERE user_id = ? ORDER BY vertical_id", (user_id,)
    ) as cursor:
        return [str(row[0]) for row in await cursor.fetchall()]


async def followers_of(store: Store, vertical_id: str) -> list[int]:
    """The users who follow this vertical (blocked users included: filter when sending)."""
    async with store.db.execute(
        "SELECT user_id FROM follows WHERE vertical_id = ? ORDER BY user_id", (vertical_id,)
    ) as cursor:
        return [int(row[0]) for row in await cursor.fetchall()]
