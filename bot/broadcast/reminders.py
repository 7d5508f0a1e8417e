"""Reminders before sessions: durable rows in SQLite, timers on python-telegram-bot's JobQueue.

The `reminders` row is the truth; a job is only a timer that looks the row up when it fires.
PTB's job queue forgets its jobs on restart, so `restore()` re-creates them at start-up.

Never twice: the job claims the row (`sent_at` set where it was NULL) in a committed transaction
*before* calling Telegram, so a second run, a duplicate job or a restart finds it sent. A failed
send is not retried: at most once. Never for a session that moved without saying so: a row keeps
the start it was computed for; the job sends only while the programme still has that start,
and `reconcile` moves or cancels reminders after a knowledge reload and at start-up.

A session missing from the programme may be a file in the middle of a save or a sync: its
reminders are held (the job does not send while the session is missing, nothing is cancelled)
until it has been missing for `removal_grace_minutes`; then they are cancelled as removed, and
come back if the session returns with the same start before it begins.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
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
from bot.i18n.dates import join_date_time, spell_short_date, spell_time_range
from bot.knowledge.diff import ChangeKind, ProgrammeChange, diff_booking
from bot.storage import programme
from bot.storage import reminders as rows
from bot.storage.ratings import reminder_minutes
from bot.storage.reminders import Reminder
from bot.storage.store import Store
from bot.storage.users import mark_blocked, user_language

log = logging.getLogger(__name__)

JOB_PREFIX = "reminder:"


@dataclass(frozen=True, slots=True)
class ReminderChange:
    """A reminder that `reconcile` cancelled, moved to its session's new start, or restored."""

    user_id: int
    chat_id: int
    session_id: str
    kind: ChangeKind  # MOVED, CANCELLED, REMOVED or RESTORED
    old_start: datetime
    new_start: datetime | None = None  # for MOVED
    remind_at: datetime | None = None  # the new reminder, None when none is scheduled


def _change_of(reminder: Reminder, knowledge: KnowledgeBase) -> ProgrammeChange | None:
    """What happened to the reminder's session since its start was booked (None: nothing)."""
    return diff_booking(reminder.session_id, reminder.session_start, knowledge.sessions)


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

    @property
    def grace(self) -> timedelta:
        """How long a session must be missing before its reminders are cancelled."""
        return timedelta(minutes=self._settings.removal_grace_minutes)

    @property
    def job_queue(self) -> JobQueue[Any]:
        """The job queue the timers run on (the reload follow-up times its grace ends there)."""
        return self._jobs

    async def schedule(self, user_id: int, chat_id: int, session: Session) -> datetime | None:
        """Remind the user before `session`; the reminder time, or None when too late.

        None: the session is cancelled or starts within `reminder_minutes` (or already did).
        Idempotent: asking again returns the same time; a cancelled reminder is revived.
        """
        remind_at = session.start - await self.lead_for(user_id)
        if session.cancelled or remind_at <= utc_now():
            return None
        async with self._store.transaction() as db:
            stale = await rows.cancel_other_starts(
                db, utc_now(), user_id, session.id, session.start
            )
            reminder, sent = await rows.book(
                db, user_id, chat_id, session.id, session.start, remind_at
            )
        self._remove_jobs(stale)
        if not sent:
            self._add_job(reminder)
        return reminder.remind_at

    async def cancel(self, user_id: int, session_id: str) -> int:
        """Cancel the user's pending reminder for this session; how many were cancelled."""
        async with self._store.transaction() as db:
            ids = await rows.cancel_session(db, utc_now(), user_id, session_id)
            await rows.forget_removed(db, user_id, session_id)
        self._remove_jobs(ids)
        return len(ids)

    async def pending(self, user_id: int, session_id: str) -> datetime | None:
        """When the user's pending reminder for this session goes out, if there is one."""
        return await rows.pending_time(self._store, user_id, session_id)

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
        for reminder in await rows.all_pending(self._store):
            if reminder.session_start <= now:
                dropped.append(reminder)
            elif _change_of(reminder, knowledge) is None:
                due.append(reminder)
        if dropped:
            async with self._store.transaction() as db:
                await rows.cancel_all_pending(db, now, [r.id for r in dropped])
            log.info("restore: dropped %d reminders for sessions already started", len(dropped))
        for reminder in due:
            self._add_job(reminder)
        return len(due)

    async def reconcile(self, knowledge: KnowledgeBase) -> list[ReminderChange]:
        """Follow a new programme: move reminders of moved sessions, cancel the others.

        Each pending reminder is diffed (`diff_booking`) against the start it was booked for.
        Returns the reminders cancelled, moved or restored, except those whose session was
        already over before the change (dropped without a report); `restore` logs how many,
        the reload follow-up ignores them (the change notices diff the programme themselves).
        A session missing for less than `grace` holds its reminders; one back restores those
        its removal cancelled. A programme without any session is taken for a failed load and
        changes nothing.
        """
        now = utc_now()
        changes: list[ReminderChange] = []
        if not knowledge.sessions:
            log.warning("reconcile skipped: the programme has no sessions")
            return changes
        stale: list[int] = []
        moved: list[Reminder] = []
        unchanged: list[Reminder] = []
        pending = await rows.all_pending(self._store)
        async with self._store.transaction() as db:
            await programme.returned(db, knowledge.sessions)
            for reminder in pending:
                change = _change_of(reminder, knowledge)
                if change is None:
                    if reminder.session_start > now:
                        unchanged.append(reminder)
                    continue
                reason = None
                if change.kind is ChangeKind.REMOVED:
                    since = await programme.missing_since(db, reminder.session_id, now)
                    if now - since < self.grace:
                        continue  # held: not sent while missing, not cancelled either
                    reason = rows.REMOVED
                if not await rows.cancel_pending(db, now, reminder.id, reason):
                    continue  # sent or cancelled meanwhile
                stale.append(reminder.id)
                if change.kind is not ChangeKind.MOVED:  # cancelled or removed
                    if reminder.session_start > now:
                        changes.append(self._change(reminder, change.kind))
                    continue
                assert change.after is not None
                new_start = change.after.start
                if new_start <= now:
                    if reminder.session_start > now:
                        changes.append(self._change(reminder, ChangeKind.MOVED, new_start))
                    continue
                # Moved to a future start: remind before the new start, or at once if that
                # moment has passed already (the reminder itself states the new time). A row
                # for that start may exist (moved back): revive it unless it was sent.
                lead = await self.lead_for(reminder.user_id)
                remind_at = max(new_start - lead, now)
                revived = await rows.move(db, reminder, new_start, remind_at)
                new_at = None
                if revived is not None:
                    new_at = remind_at
                    moved.append(
                        replace(reminder, id=revived, session_start=new_start, remind_at=remind_at)
                    )
                changes.append(self._change(reminder, ChangeKind.MOVED, new_start, new_at))
            restored = await self._restore_removed(db, knowledge, now)
        self._remove_jobs(stale)
        for reminder in moved + restored:
            self._add_job(reminder)
        changes += [
            self._change(r, ChangeKind.RESTORED, r.session_start, r.remind_at) for r in restored
        ]
        self._ensure_jobs(unchanged)
        return changes

    async def _restore_removed(
        self, db: aiosqlite.Connection, knowledge: KnowledgeBase, now: datetime
    ) -> list[Reminder]:
        """Revive reminders cancelled by a removal whose session is back at the same start.

        One whose moment passed while the session has not started goes out at once (the
        reminder says how many minutes are left), as after a restart.
        """
        restored: list[Reminder] = []
        for reminder in await rows.removed_after(db, now):
            session = knowledge.sessions.get(reminder.session_id)
            if session is None or session.cancelled or session.start != reminder.session_start:
                continue
            remind_at = max(session.start - self.lead, now)
            if await rows.revive(db, reminder.id, remind_at):
                restored.append(replace(reminder, remind_at=remind_at))
        return restored

    async def send_due(self, reminder_id: int, bot: Bot) -> bool:
        """Send this reminder if it is still pending and its session unchanged; True if sent."""
        reminder = await rows.pending(self._store, reminder_id)
        if reminder is None:
            return False  # already sent, cancelled, or gone
        knowledge = self._knowledge()
        session = knowledge.sessions.get(reminder.session_id)
        if session is None or _change_of(reminder, knowledge) is not None:
            log.info("reminder %d not sent: its session changed", reminder_id)
            return False  # `reconcile` moves or cancels it
        now = utc_now()
        text = await self._render(reminder, session, knowledge, now)
        async with self._store.transaction() as db:
            if session.start <= now:
                await rows.cancel(db, now, reminder.id)
                return False
            if not await rows.claim(db, now, reminder.id):
                return False
        try:
            await bot.send_message(chat_id=reminder.chat_id, text=text, parse_mode=ParseMode.HTML)
        except Forbidden:
            await mark_blocked(self._store, reminder.chat_id)
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
        self, reminder: Reminder, session: Session, knowledge: KnowledgeBase, now: datetime
    ) -> str:
        language = normalise_language(await user_language(self._store, reminder.user_id))
        zone = self._settings.zone(knowledge.event.timezone if knowledge.event else None)
        minutes = max(1, round((session.start - now).total_seconds() / 60))
        start, end = session.start.astimezone(zone), session.end.astimezone(zone)
        day = spell_short_date(start.date(), language)
        lines = [
            "⏰ " + t("reminder_soon", language, minutes=minutes),
            f"<b>{escape(session.title)}</b>",
            "🕒 " + join_date_time(day, spell_time_range(start, end), language),
        ]
        if session.room:
            lines.append(f"📍 {escape(session.room)}")
        if session.speakers:
            lines.append(f"🎤 {escape(', '.join(session.speakers))}")
        return "\n".join(lines)

    @staticmethod
    def _change(
        reminder: Reminder,
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

    def _add_job(self, reminder: Reminder) -> None:
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

    def _ensure_jobs(self, reminders: Sequence[Reminder]) -> None:
        """Give a timer to pending reminders that lost theirs (it fired while held)."""
        names = {job.name for job in self._jobs.jobs()}
        for reminder in reminders:
            if f"{JOB_PREFIX}{reminder.id}" not in names:
                self._add_job(reminder)

    def _remove_jobs(self, reminder_ids: Sequence[int]) -> None:
        for reminder_id in reminder_ids:
            for job in self._jobs.get_jobs_by_name(f"{JOB_PREFIX}{reminder_id}"):
                job.schedule_removal()
