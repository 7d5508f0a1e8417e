"""Questions forwarded to the organisers: who asked, which messages carried them, the replies.

A request is written first (`forwarded_at` NULL), then forwarded; a crash in between leaves it
to forward again at the next start. The (chat, message) of every forwarded copy is kept, so an
organiser's reply to it finds the attendee after a restart too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import utc_now
from bot.storage.store import Store, iso


@dataclass(frozen=True, slots=True)
class OrganiserQuestion:
    """An attendee's question on its way to the organisers."""

    id: int
    user_id: int
    chat_id: int
    text: str
    language: str
    asker: str

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> OrganiserQuestion:
        """Build from an `organiser_questions` row."""
        return cls(
            id=int(row["id"]),
            user_id=int(row["user_id"]),
            chat_id=int(row["chat_id"]),
            text=str(row["text"]),
            language=str(row["language"]),
            asker=str(row["asker"]),
        )


@dataclass(frozen=True, slots=True)
class LoggedQuestion:
    """A question from the log, as its asker wrote it."""

    text: str
    language: str
    answered: bool


async def logged_question(store: Store, question_id: int, user_id: int) -> LoggedQuestion | None:
    """The user's own logged question `question_id` (None if not theirs or unknown)."""
    async with store.db.execute(
        "SELECT text, language, answered FROM question_log WHERE id = ? AND user_id = ?",
        (question_id, user_id),
    ) as cursor:
        row = await cursor.fetchone()
    return LoggedQuestion(str(row[0]), str(row[1]), bool(row[2])) if row else None


async def asked_since(store: Store, user_id: int, since: datetime) -> int:
    """How many questions this user sent the organisers since `since`."""
    async with store.db.execute(
        "SELECT COUNT(*) FROM organiser_questions WHERE user_id = ? AND asked_at >= ?",
        (user_id, iso(since)),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def already_sent(store: Store, question_id: int) -> bool:
    """Whether this logged question already went to the organisers."""
    async with store.db.execute(
        "SELECT 1 FROM organiser_questions WHERE question_id = ?", (question_id,)
    ) as cursor:
        return await cursor.fetchone() is not None


async def blocked_users(store: Store, user_ids: list[int]) -> set[int]:
    """Those of `user_ids` known to have blocked the bot."""
    if not user_ids:
        return set()
    marks = ",".join("?" * len(user_ids))
    async with store.db.execute(
        f"SELECT user_id FROM users WHERE blocked = 1 AND user_id IN ({marks})", user_ids
    ) as cursor:
        return {int(row[0]) for row in await cursor.fetchall()}


async def create_request(
    store: Store,
    *,
    question_id: int,
    user_id: int,
    chat_id: int,
    text: str,
    language: str,
    asker: str,
) -> OrganiserQuestion | None:
    """Record a question for the organisers; None if this one was already sent."""
    async with store.transaction() as db:
        cursor = await db.execute(
            "INSERT OR IGNORE INTO organiser_questions (question_id, user_id, chat_id, text,"
            " language, asker, asked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (question_id, user_id, chat_id, text, language, asker, iso(utc_now())),
        )
        if cursor.rowcount == 0:
            return None
        assert cursor.lastrowid is not None
        ask_id = cursor.lastrowid
    return OrganiserQuestion(ask_id, user_id, chat_id, text, language, asker)


async def unforwarded(store: Store) -> list[OrganiserQuestion]:
    """Requests not forwarded yet (none reached an organiser, or the process died first)."""
    async with store.db.execute(
        "SELECT * FROM organiser_questions WHERE forwarded_at IS NULL ORDER BY id"
    ) as cursor:
        return [OrganiserQuestion.from_row(row) for row in await cursor.fetchall()]


async def record_forward(store: Store, ask_id: int, copies: list[tuple[int, int]]) -> None:
    """Remember the (chat, message) copies of a forwarded request; mark it forwarded."""
    async with store.transaction() as db:
        await db.executemany(
            "INSERT OR IGNORE INTO organiser_forwards (chat_id, message_id, ask_id)"
            " VALUES (?, ?, ?)",
            [(chat_id, message_id, ask_id) for chat_id, message_id in copies],
        )
        await db.execute(
            "UPDATE organiser_questions SET forwarded_at = ? WHERE id = ?",
            (iso(utc_now()), ask_id),
        )


async def request_for_message(
    store: Store, chat_id: int, message_id: int
) -> OrganiserQuestion | None:
    """The request a forwarded message in `chat_id` carried (None: not one of ours)."""
    async with store.db.execute(
        "SELECT q.* FROM organiser_forwards f JOIN organiser_questions q ON q.id = f.ask_id"
        " WHERE f.chat_id = ? AND f.message_id = ?",
        (chat_id, message_id),
    ) as cursor:
        row = await cursor.fetchone()
    return OrganiserQuestion.from_row(row) if row else None


async def count_reply(db: aiosqlite.Connection, ask_id: int) -> None:
    """Count an organiser's reply, inside the caller's transaction (queued with its delivery)."""
    await db.execute(
        "UPDATE organiser_questions SET replies = replies + 1, replied_at = ? WHERE id = ?",
        (iso(utc_now()), ask_id),
    )


@dataclass(frozen=True, slots=True)
class OrganiserFigures:
    """The organisers' line of /stats."""

    asked: int
    replied: int
    waiting: int  # not forwarded yet


async def organiser_figures(store: Store) -> OrganiserFigures:
    """Count the questions sent to the organisers, those replied to, those still waiting."""
    async with store.db.execute(
        "SELECT COUNT(*), SUM(replies > 0), SUM(forwarded_at IS NULL) FROM organiser_questions"
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return OrganiserFigures(0, 0, 0)
    return OrganiserFigures(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))
