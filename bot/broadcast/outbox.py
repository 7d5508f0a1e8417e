"""What goes into the announcement queue: texts Telegram will take, for whom.

The queue itself (rows, leases, drafts, the sender's claims) is `bot.storage.outbox`; this
module checks a text before it is queued, so the queue never holds what Telegram refuses.
"""

from __future__ import annotations

import aiosqlite

from bot.storage import outbox
from bot.storage.store import Store

MAX_TEXT = 4096  # Telegram's limit for a message's text


def check_text(text: str) -> str:
    """The announcement's text, stripped; ValueError when empty or too long for Telegram."""
    text = text.strip()
    if not text:
        raise ValueError("an announcement needs a text")
    if len(text) > MAX_TEXT:
        raise ValueError(f"an announcement is at most {MAX_TEXT} characters ({len(text)} given)")
    return text


async def enqueue(
    store: Store,
    text: str,
    *,
    language: str | None = None,
    vertical: str | None = None,
    created_by: int | None = None,
    report_chat_id: int | None = None,
) -> tuple[int, int]:
    """Queue an announcement to the subscribers; return (broadcast id, recipients)."""
    return await outbox.queue_broadcast(
        store,
        check_text(text),
        language=language,
        vertical=vertical,
        created_by=created_by,
        report_chat_id=report_chat_id,
    )


async def create_draft(
    store: Store,
    text: str,
    *,
    created_by: int,
    report_chat_id: int,
    language: str | None = None,
    vertical: str | None = None,
) -> int:
    """Keep an admin's announcement as a draft until they confirm it; return its id."""
    return await outbox.insert_draft(
        store,
        check_text(text),
        created_by=created_by,
        report_chat_id=report_chat_id,
        language=language,
        vertical=vertical,
    )


async def add_notice(db: aiosqlite.Connection, text: str, chat_ids: list[int]) -> int:
    """Queue one notice to explicit chats, inside the caller's transaction; return its id."""
    return await outbox.insert_notice(db, check_text(text), chat_ids)
