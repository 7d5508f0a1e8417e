"""Answering unanswered questions: drafts offered from /unanswered, the admin's answer, askers.

A draft is `offered` when /unanswered lists its group, `waiting` once an admin pressed its
button (their next message is the answer), then `answered` (or `cancelled`). Questions of an
answered draft leave /unanswered.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.clock import utc_now
from bot.storage.store import Store, iso


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """An unanswered question no FAQ entry answered yet."""

    id: int
    user_id: int | None
    text: str
    language: str
    asked_at: str


@dataclass(frozen=True, slots=True)
class FaqDraft:
    """A group of questions an admin may answer."""

    id: int
    admin_id: int
    question: str
    language: str
    status: str

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> FaqDraft:
        """Build from a `faq_drafts` row."""
        return cls(
            int(row["id"]),
            int(row["admin_id"]),
            str(row["question"]),
            str(row["language"]),
            str(row["status"]),
        )


async def open_questions(store: Store) -> list[OpenQuestion]:
    """Unanswered questions not answered since by an FAQ entry, oldest first."""
    async with store.db.execute(
        "SELECT id, user_id, text, language, created_at FROM question_log WHERE answered = 0"
        " AND id NOT IN (SELECT q.question_id FROM faq_draft_questions q"
        " JOIN faq_drafts d ON d.id = q.draft_id WHERE d.status = 'answered') ORDER BY id"
    ) as cursor:
        return [
            OpenQuestion(int(r[0]), r[1], str(r[2]), str(r[3]), str(r[4]))
            for r in await cursor.fetchall()
        ]


async def offer_draft(
    store: Store, admin_id: int, question: str, language: str, question_ids: list[int]
) -> int:
    """Keep a group shown by /unanswered as a draft the admin may answer; return its id."""
    async with store.transaction() as db:
        cursor = await db.execute(
            "INSERT INTO faq_drafts (admin_id, question, language, status, created_at)"
            " VALUES (?, ?, ?, 'offered', ?)",
            (admin_id, question, language, iso(utc_now())),
        )
        assert cursor.lastrowid is not None
        await db.executemany(
            "INSERT OR IGNORE INTO faq_draft_questions (draft_id, question_id) VALUES (?, ?)",
            [(cursor.lastrowid, question_id) for question_id in question_ids],
        )
    return cursor.lastrowid


async def draft(store: Store, draft_id: int) -> FaqDraft | None:
    """The draft `draft_id`, if any."""
    async with store.db.execute("SELECT * FROM faq_drafts WHERE id = ?", (draft_id,)) as cursor:
        row = await cursor.fetchone()
    return FaqDraft.from_row(row) if row else None


async def await_answer(store: Store, draft_id: int, admin_id: int) -> FaqDraft | None:
    """Make this the draft the admin's next message answers (their other one goes back)."""
    async with store.transaction() as db:
        await db.execute(
            "UPDATE faq_drafts SET status = 'offered' WHERE admin_id = ? AND status = 'waiting'",
            (admin_id,),
        )
        cursor = await db.execute(
            "UPDATE faq_drafts SET status = 'waiting', admin_id = ?"
            " WHERE id = ? AND status IN ('offered', 'waiting', 'cancelled') RETURNING *",
            (admin_id, draft_id),
        )
        row = await cursor.fetchone()
    return FaqDraft.from_row(row) if row else None


async def set_prompt(store: Store, draft_id: int, chat_id: int, message_id: int) -> None:
    """Remember the message asking for the answer (a reply to it answers the draft)."""
    async with store.transaction() as db:
        await db.execute(
            "UPDATE faq_drafts SET prompt_chat_id = ?, prompt_message_id = ? WHERE id = ?",
            (chat_id, message_id, draft_id),
        )


async def draft_for_answer(
    store: Store, admin_id: int, chat_id: int, reply_to: int | None
) -> FaqDraft | None:
    """The draft an admin's message answers: the prompt it replies to, else their waiting one.

    A reply to any other message answers no draft (it may be a reply to an attendee).
    """
    if reply_to is not None:
        sql = (
            "SELECT * FROM faq_drafts WHERE prompt_chat_id = ? AND prompt_message_id = ?"
            " AND status IN ('offered', 'waiting')"
        )
        params: tuple[object, ...] = (chat_id, reply_to)
    else:
        sql = (
            "SELECT * FROM faq_drafts WHERE admin_id = ? AND status = 'waiting'"
            " ORDER BY id DESC LIMIT 1"
        )
        params = (admin_id,)
    async with store.db.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return FaqDraft.from_row(row) if row else None


async def cancel_draft(store: Store, draft_id: int) -> bool:
    """Stop waiting for this draft's answer; False if it was not waiting."""
    async with store.transaction() as db:
        cursor = await db.execute(
            "UPDATE faq_drafts SET status = 'cancelled' WHERE id = ? AND status = 'waiting'",
            (draft_id,),
        )
    return cursor.rowcount == 1


async def answer_draft(db: aiosqlite.Connection, draft_id: int, answer: str, file: str) -> None:
    """Mark the draft answered, inside the caller's transaction (with the askers' notices)."""
    await db.execute(
        "UPDATE faq_drafts SET status = 'answered', answer = ?, file = ?, answered_at = ?"
        " WHERE id = ?",
        (answer, file, iso(utc_now()), draft_id),
    )


async def askers(db: aiosqlite.Connection, draft_id: int) -> dict[str, list[int]]:
    """The chats of the attendees who asked the draft's questions, by their language."""
    async with db.execute(
        "SELECT DISTINCT u.chat_id, COALESCE(u.language, l.language) FROM faq_draft_questions q"
        " JOIN question_log l ON l.id = q.question_id JOIN users u ON u.user_id = l.user_id"
        " WHERE q.draft_id = ? AND u.blocked = 0 ORDER BY u.chat_id",
        (draft_id,),
    ) as cursor:
        rows = await cursor.fetchall()
    chats: dict[str, list[int]] = {}
    for chat_id, language in rows:
        if int(chat_id) not in {c for found in chats.values() for c in found}:
            chats.setdefault(str(language), []).append(int(chat_id))
    return chats
