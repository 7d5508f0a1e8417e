"""The SQL of the question log and feedback: what attendees asked, what they made of it, /stats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, tzinfo

from bot.clock import utc_now
from bot.storage.store import Store, iso


@dataclass(frozen=True, slots=True)
class Stats:
    """The figures of /stats."""

    users: int
    subscribed: int
    blocked: int
    active_today: int
    questions: int
    answered: int
    thumbs_up: int
    thumbs_down: int
    ratings: int = 0  # sessions rated 1-5 after they ended
    rating_mean: float = 0.0

    @property
    def answered_share(self) -> float:
        """Answered questions over all questions (0 when none was asked)."""
        return self.answered / self.questions if self.questions else 0.0


async def _one(store: Store, sql: str, params: tuple[object, ...] = ()) -> int:
    async with store.db.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return int(row[0] or 0) if row else 0


async def collect_stats(store: Store, zone: tzinfo, now: datetime | None = None) -> Stats:
    """Count users, today's active users (event time zone), questions and feedback."""
    now = now or utc_now()
    midnight = datetime.combine(now.astimezone(zone).date(), time(), tzinfo=zone)
    return Stats(
        users=await _one(store, "SELECT COUNT(*) FROM users"),
        subscribed=await _one(
            store, "SELECT COUNT(*) FROM users WHERE subscribed = 1 AND blocked = 0"
        ),
        blocked=await _one(store, "SELECT COUNT(*) FROM users WHERE blocked = 1"),
        active_today=await _one(
            store, "SELECT COUNT(*) FROM users WHERE last_seen >= ?", (iso(midnight),)
        ),
        questions=await _one(store, "SELECT COUNT(*) FROM question_log"),
        answered=await _one(store, "SELECT COUNT(*) FROM question_log WHERE answered = 1"),
        thumbs_up=await _one(store, "SELECT COUNT(*) FROM feedback WHERE value = 1"),
        thumbs_down=await _one(store, "SELECT COUNT(*) FROM feedback WHERE value = -1"),
        ratings=await _one(store, "SELECT COUNT(*) FROM session_ratings WHERE stars IS NOT NULL"),
        rating_mean=await _mean(store, "SELECT AVG(stars) FROM session_ratings"),
    )


async def _mean(store: Store, sql: str) -> float:
    async with store.db.execute(sql) as cursor:
        row = await cursor.fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0


async def question_rows(store: Store, answered: bool | None = None) -> list[tuple[str, str, str]]:
    """(text, language, asked at) of logged questions, answered or not (None: all)."""
    where = "" if answered is None else f" WHERE answered = {int(answered)}"
    async with store.db.execute(
        f"SELECT text, language, created_at FROM question_log{where} ORDER BY id"
    ) as cursor:
        return [(str(r[0]), str(r[1]), str(r[2])) for r in await cursor.fetchall()]


async def log_question(
    store: Store, user_id: int | None, text: str, language: str, answered: bool, top_score: float
) -> int:
    """Log a question asked and how it went; return its id (feedback refers to it)."""
    async with store.transaction() as db:
        cursor = await db.execute(
            "INSERT INTO question_log (user_id, text, language, answered, top_score,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, text, language, int(answered), float(top_score), iso(utc_now())),
        )
        question_id = cursor.lastrowid
    assert question_id is not None
    return question_id


async def record_feedback(store: Store, user_id: int, question_id: int, value: int) -> bool:
    """Store a thumbs up (1) or down (-1) on the user's own question; False if not theirs."""
    if value not in (-1, 1):
        raise ValueError("feedback is 1 or -1")
    async with store.transaction() as db:
        cursor = await db.execute(
            "INSERT INTO feedback (user_id, question_id, value, created_at)"
            " SELECT ?, id, ?, ? FROM question_log WHERE id = ? AND user_id = ?"
            " ON CONFLICT(user_id, question_id) DO UPDATE SET value = excluded.value,"
            " created_at = excluded.created_at",
            (user_id, value, iso(utc_now()), question_id, user_id),
        )
        return cursor.rowcount > 0
