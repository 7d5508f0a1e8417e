"""Reminders before sessions: durable rows in SQLite, timers on python-telegram-bot's JobQueue.

The `reminders` row is the truth; a job is only a timer that looks the row up when it fires.
PTB's job queue forgets its jobs on restart, so `restore()` re-creates them at start-up.

Never twice: the job claims the row (`sent_at` set where it was NULL) in a committed transaction
*before* calling Telegram, so a second run, a duplicate job or a restart finds it sent. A failed
send is not retried: at most once. Never for a session that moved without saying so: a row keeps
the start it was computed for; the job sends only while the programme still has that start,
and `reconcile` moves reminders (reporting who was affected) after a knowledge reload.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from html import escape
from typing import Any

import aiosqlite
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackContext, JobQueue

from bot.broadcast.config import BroadcastSettings
from bot.clock import utc_now
from bot.domain import KnowledgeBase, Session
from bot.i18n import normalise_language, t
from bot.knowledge.passage_text import spell_short_date, spell_time_range
from bot.storage.ratings import reminder_minutes
from bot.storage.store import Store, iso, parse_iso

log = logging.getLogger(__name__)

JOB_PREFIX = "reminder:"
_PENDING = "sent_at IS NULL AND cancelled_at IS NULL"
_COLUMNS = "id, user_id, chat_id, session_id, session_start, remind_at"


class ChangeKind(StrEnum):
    """What happened to a session someone asked to be reminded of."""

    MOVED = "moved"
    CANCELLED = "cancelled"
    REMOVED = "removed"  # no longer in the programme


@dataclass(frozen=True, slots=True)
class ReminderChange:
    """A pending reminder touched by a programme change, for the change notices."""

    user_id: int
    chat_id: int
    session_id: str
    kind: ChangeKind
    old_start: datetime
    new_start: datetime | None = None  # for MOVED
    remind_at: datetime | None = None  # the new reminder, None when none is scheduled


@dataclass(frozen=True, slots=True)
class _Reminder:
    id: int
    user_id: int
    chat_id: int
    session_id: str
    session_start: datetime
    remind_at: datetime

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> _Reminder:
        return cls(
            id=int(row["id"]),
            user_id=int(row["user_id"]),
            chat_id=int(row["chat_id"]),
            session_id=str(row["session_id"]),
            session_start=parse_iso(row["session_start"]),
            remind_at=parse_iso(row["remind_at"]),
        )

    def matches(self, session: Session | None) -> bool:
        """Whether the programme still has this session, not cancelled, at the same start."""
        return (
            session is not None
            and not session.cancelled
            and iso(session.start) == iso(self.session_start)
        )


class ReminderScheduler:
    """Schedules, restores, moves and sends reminders `reminder_minutes` before sessions."""

    def __init__(
        self,
        store: Store,
        job_queue: JobQueue[Any],
        settings: BroadcastSettings,
        knowledge: Callable[[], KnowledgeBase],
    ) -> None:
        self._store = store
        self._jobs = job_queue
        self._settings = settings
        self._knowledge = knowledge

    @property
    def lead(self) -> timedelta:
        """How long before a session its reminder goes out."""
        return timedelta(minutes=self._settings.reminder_minutes)

    async def lead_for(self, user_id: int) -> timedelta:
        """How long before a session this user's reminders go out (their choice, else ours)."""
        minutes = await reminder_minutes(self._store, user_id)
        return timedelta(minutes=minutes) if minutes else self.lead

    async def schedule(self, user_id: int, chat_id: int, session: Session) -> datetime | None:
        """Remind the user before `session`; the reminder time, or None when too late.

        None: the session is cancelled or starts within `reminder_minutes` (or already did).
        Idempotent: asking again returns the same time; a cancelled reminder is revived.
        """
        remind_at = session.start - await self.lead_for(user_id)
        if session.cancelled or remind_at <= utc_now():
            return None
        async with self._store.transaction() as db:
            stale = await self._cancel_rows(
                db,
                "user_id = ? AND session_id = ? AND session_start != ?",
                (user_id, session.id, iso(session.start)),
            )
            await db.execute(
                "INSERT INTO reminders (user_id, chat_id, session_id, session_start, remind_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id, session_id, session_start) DO UPDATE"
                " SET cancelled_at = NULL, chat_id = excluded.chat_id,"
                " remind_at = excluded.remind_at WHERE reminders.sent_at IS NULL",
                (user_id, chat_id, session.id, iso(session.start), iso(remind_at)),
            )
            async with db.execute(
                f"SELECT {_COLUMNS}, sent_at FROM reminders"
                " WHERE user_id = ? AND session_id = ? AND session_start = ?",
                (user_id, session.id, iso(session.start)),
            ) as cursor:
                row = await cursor.fetchone()
        self._remove_jobs(stale)
        assert row is not None
        reminder = _Reminder.from_row(row)
        if row["sent_at"] is None:
            self._add_job(reminder)
        return reminder.remind_at

    async def cancel(self, user_id: int, session_id: str) -> int:
        """Cancel the user's pending reminder for this session; how many were cancelled."""
        async with self._store.transaction() as db:
            ids = await self._cancel_rows(
                db, "user_id = ? AND session_id = ?", (user_id, session_id)
            )
        self._remove_jobs(ids)
        return len(ids)

    async def pending(self, user_id: int, session_id: str) -> datetime | None:
        """When the user's pending reminder for this session goes out, if there is one."""
        async with self._store.db.execute(
            f"SELECT remind_at FROM reminders WHERE user_id = ? AND session_id = ? AND {_PENDING}"
            " ORDER BY remind_at DESC LIMIT 1",
            (user_id, session_id),
        ) as cursor:
            row = await cursor.fetchone()
        return parse_iso(row[0]) if row else None

    async def restore(self) -> int:
        """Re-create the jobs of pending reminders at start-up; how many were scheduled.

        The programme may have changed while the bot was down, so this reconciles first.
        A reminder whose time passed while its session has not started goes out at once;
        one whose session already started is dropped.
        """
        knowledge = self._knowledge()
        changes = await self.reconcile(knowledge)
        if changes:
            log.info("restore: %d reminders followed programme changes", len(changes))
        now = utc_now()
        due, dropped = [], []
        for reminder in await self._pending_rows():
            if reminder.session_start <= now:
                dropped.append(reminder)
            elif reminder.matches(knowledge.sessions.get(reminder.session_id)):
                due.append(reminder)
        if dropped:
            async with self._store.transaction() as db:
                await db.executemany(
                    f"UPDATE reminders SET cancelled_at = ? WHERE id = ? AND {_PENDING}",
                    [(iso(now), r.id) for r in dropped],
                )
            log.info("restore: dropped %d reminders for sessions already started", len(dropped))
        for reminder in due:
            self._add_job(reminder)
        return len(due)

    async def reconcile(self, knowledge: KnowledgeBase) -> list[ReminderChange]:
        """Follow a new programme: move reminders of moved sessions, cancel the others.

        Returns the pending reminders affected (for the change notices); reminders for
        sessions that were already over before the change are dropped without a report.
        A programme without any session is taken for a failed load and changes nothing.
        """
        now = utc_now()
        changes: list[ReminderChange] = []
        if not knowledge.sessions:
            log.warning("reconcile skipped: the programme has no sessions")
            return changes
        stale: list[int] = []
        moved: list[_Reminder] = []
        rows = await self._pending_rows()
        async with self._store.transaction() as db:
            for reminder in rows:
                session = knowledge.sessions.get(reminder.session_id)
                if reminder.matches(session):
                    continue
                cancelled = await db.execute(
                    f"UPDATE reminders SET cancelled_at = ? WHERE id = ? AND {_PENDING}",
                    (iso(now), reminder.id),
                )
                if cancelled.rowcount != 1:
                    continue  # sent or cancelled meanwhile
                stale.append(reminder.id)
                if session is None or session.cancelled:
                    kind = ChangeKind.REMOVED if session is None else ChangeKind.CANCELLED
                    if reminder.session_start > now:
                        changes.append(self._change(reminder, kind))
                    continue
                if session.start <= now:
                    if reminder.session_start > now:
                        changes.append(self._change(reminder, ChangeKind.MOVED, session.start))
                    continue
                # Moved to a future start: remind before the new start, or at once if that
                # moment has passed already (the reminder itself states the new time). A row
                # for that start may exist (moved back): revive it unless it was sent.
                lead = await self.lead_for(reminder.user_id)
                remind_at = max(session.start - lead, now)
                start, at = iso(session.start), iso(remind_at)
                async with db.execute(
                    "INSERT INTO reminders (user_id, chat_id, session_id, session_start,"
                    " remind_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE"
                    " SET cancelled_at = NULL, remind_at = excluded.remind_at"
                    " WHERE reminders.sent_at IS NULL RETURNING id",
                    (reminder.user_id, reminder.chat_id, session.id, start, at),
                ) as cursor:
                    revived = await cursor.fetchone()
                new_at = None
                if revived is not None:
                    new_at = remind_at
                    moved.append(
                        replace(
                            reminder,
                            id=int(revived[0]),
                            session_start=session.start,
                            remind_at=remind_at,
                        )
                    )
                changes.append(self._change(reminder, ChangeKind.MOVED, session.start, new_at))
        self._remove_jobs(stale)
        for reminder in moved:
            self._add_job(reminder)
        return changes

    async def send_due(self, reminder_id: int, bot: Bot) -> bool:
        """Send this reminder if it is still pending and its session unchanged; True if sent."""
        async with self._store.db.execute(
            f"SELECT {_COLUMNS} FROM reminders WHERE id = ? AND {_PENDING}", (reminder_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return False  # already sent, cancelled, or gone
        reminder = _Reminder.from_row(row)
        knowledge = self._knowledge()
        session = knowledge.sessions.get(reminder.session_id)
        if session is None or not reminder.matches(session):
            log.info("reminder %d not sent: its session changed", reminder_id)
            return False  # `reconcile` moves or cancels it
        now = utc_now()
        text = await self._render(reminder, session, knowledge, now)
        async with self._store.transaction() as db:
            if session.start <= now:
                await db.execute(
                    "UPDATE reminders SET cancelled_at = ? WHERE id = ?", (iso(now), reminder.id)
                )
                return False
            claimed = await db.execute(
                f"UPDATE reminders SET sent_at = ? WHERE id = ? AND {_PENDING}",
                (iso(now), reminder.id),
            )
            if claimed.rowcount != 1:
                return False
        try:
            await bot.send_message(chat_id=reminder.chat_id, text=text, parse_mode=ParseMode.HTML)
        except Forbidden:
            await self._store.mark_blocked(reminder.chat_id)
            log.info("reminder %d: user %d blocked the bot", reminder.id, reminder.user_id)
            return False
        except TelegramError as exc:
            log.warning("reminder %d not delivered (not retried): %s", reminder.id, exc)
            return False
        return True

    async def _fire(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """Send the reminder this job stands for."""
        assert context.job is not None
        reminder_id = context.job.data
        assert isinstance(reminder_id, int)
        await self.send_due(reminder_id, context.bot)

    async def _render(
        self, reminder: _Reminder, session: Session, knowledge: KnowledgeBase, now: datetime
    ) -> str:
        language = normalise_language(await self._store.user_language(reminder.user_id))
        zone = self._settings.zone(knowledge.event.timezone if knowledge.event else None)
        minutes = max(1, round((session.start - now).total_seconds() / 60))
        start, end = session.start.astimezone(zone), session.end.astimezone(zone)
        lines = [
            "⏰ " + t("reminder_soon", language, minutes=minutes),
            f"<b>{escape(session.title)}</b>",
            f"🕒 {spell_short_date(start.date(), language)}, {spell_time_range(start, end)}",
        ]
        if session.room:
            lines.append(f"📍 {escape(session.room)}")
        if session.speakers:
            lines.append(f"🎤 {escape(', '.join(session.speakers))}")
        return "\n".join(lines)

    @staticmethod
    def _change(
        reminder: _Reminder,
        kind: ChangeKind,
        new_start: datetime | None = None,
        remind_at: datetime | None = None,
    ) -> ReminderChange:
        return ReminderChange(
            reminder.user_id,
            reminder.chat_id,
            reminder.session_id,
            kind,
            reminder.session_start,
            new_start,
            remind_at,
        )

    async def _pending_rows(self) -> list[_Reminder]:
        async with self._store.db.execute(
            f"SELECT {_COLUMNS} FROM reminders WHERE {_PENDING} ORDER BY remind_at, id"
        ) as cursor:
            return [_Reminder.from_row(row) for row in await cursor.fetchall()]

    @staticmethod
    async def _cancel_rows(
        db: aiosqlite.Connection, where: str, params: Sequence[object]
    ) -> list[int]:
        """Mark matching pending rows cancelled inside the caller's transaction; their ids."""
        async with db.execute(
            f"UPDATE reminders SET cancelled_at = ? WHERE {where} AND {_PENDING} RETURNING id",
            (iso(utc_now()), *params),
        ) as cursor:
            return [int(row[0]) for row in await cursor.fetchall()]

    def _add_job(self, reminder: _Reminder) -> None:
        """(Re)create the timer; a moment already past runs at once."""
        self._remove_jobs([reminder.id])
        self._jobs.run_once(
            self._fire,
            when=max(reminder.remind_at, utc_now()),
            data=reminder.id,
            name=f"{JOB_PREFIX}{reminder.id}",
            chat_id=reminder.chat_id,
            user_id=reminder.user_id,
            # The job queue may start a while after `restore()`: never drop a late timer.
            job_kwargs={"misfire_grace_time": None},
        )

    def _remove_jobs(self, reminder_ids: Sequence[int]) -> None:
        for reminder_id in reminder_ids:
            for job in self._jobs.get_jobs_by_name(f"{JOB_PREFIX}{reminder_id}"):
                job.schedule_removal()
