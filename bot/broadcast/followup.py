"""After each knowledge reload: admins told of broken files, reminders moved, notices queued.

A removal still in its grace (`removal_grace_minutes`) is acted on when the grace ends even if
no other reload comes: a job-queue timer then follows up the programme served last again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import CallbackContext

from bot.broadcast.notices import ProgrammeNotifier
from bot.clock import utc_now
from bot.domain import KnowledgeBase, KnowledgeError
from bot.i18n import normalise_language, t
from bot.knowledge.watcher import OnReload, ReloadReport
from bot.storage.store import Store
from bot.storage.users import admin_chats

if TYPE_CHECKING:
    from bot.broadcast.config import BroadcastSettings
    from bot.broadcast.live import LiveBoard
    from bot.broadcast.reminders import ReminderScheduler

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096
GRACE_JOB = "programme-removal-grace"


def error_lines(errors: Sequence[KnowledgeError], limit: int = MAX_MESSAGE - 300) -> str:
    """`file:line: message` lines, escaped for HTML, cut to fit one message."""
    lines: list[str] = []
    used = 0
    for number, error in enumerate(errors):
        line = escape(str(error))
        if used + len(line) + 1 > limit:
            lines.append(f"… (+{len(errors) - number})")
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


class AdminAlerts:
    """Tell every admin about broken knowledge files, once per distinct set of errors."""

    def __init__(self, bot: Bot, store: Store, settings: BroadcastSettings) -> None:
        self.bot = bot
        self.store = store
        self.settings = settings
        self._told: frozenset[str] = frozenset()

    async def knowledge_errors(self, errors: Sequence[KnowledgeError]) -> int:
        """Send the errors if they differ from the last ones told; return messages sent."""
        current = frozenset(str(error) for error in errors)
        if current == self._told:
            return 0
        fixed = not current
        self._told = current
        sent = 0
        for chat_id, language in await self._admin_chats():
            if fixed:
                text = t("knowledge_fixed", language)
            else:
                text = t("knowledge_errors", language, count=len(errors))
                text += "\n\n<code>" + error_lines(errors) + "</code>"
            with contextlib.suppress(TelegramError):
                await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
                sent += 1
        return sent

    async def _admin_chats(self) -> list[tuple[int, str]]:
        chats = await admin_chats(self.store, self.settings.admin_ids)
        return [(chat_id, normalise_language(language)) for chat_id, language in chats]


class ProgrammeFollowUp:
    """Reminders and change notices for each programme served, and again when a grace ends."""

    def __init__(
        self, store: Store, settings: BroadcastSettings, reminders: ReminderScheduler | None
    ) -> None:
        self.notifier = ProgrammeNotifier(store, settings)
        self.reminders = reminders
        self._lock = asyncio.Lock()  # a reload and a grace timer never interleave
        self._latest: KnowledgeBase | None = None

    async def follow(self, knowledge: KnowledgeBase) -> None:
        """Reconcile reminders and queue notices for this programme; time the next grace end."""
        self._latest = knowledge
        async with self._lock:
            latest = self._latest  # a newer reload may have come while this one waited
            if self.reminders is not None:
                await self.reminders.reconcile(latest)
            changes = await self.notifier.sync(latest)
            if changes:
                log.info("programme changes after reload: %d", len(changes))
            await self._time_grace_end()

    async def _time_grace_end(self) -> None:
        """One timer, at the earliest end of a removal grace (none without a job queue)."""
        if self.reminders is None:
            return
        jobs = self.reminders.job_queue
        for job in jobs.get_jobs_by_name(GRACE_JOB):
            job.schedule_removal()
        ends = await self.notifier.grace_ends()
        if ends:
            # Seconds from now, not a moment: the job queue runs on real time, the app's
            # clock may be shifted (ASSISTANT_NOW).
            seconds = (ends[0] - utc_now()).total_seconds() + 1
            jobs.run_once(self._grace_ended, when=seconds, name=GRACE_JOB)

    async def _grace_ended(self, _context: CallbackContext[Any, Any, Any, Any]) -> None:
        if self._latest is None:
            return
        try:
            await self.follow(self._latest)
        except Exception:  # logged: the next reload or timer tries again
            log.exception("programme follow-up at the end of a removal grace failed")


def reload_hook(
    bot: Bot,
    store: Store,
    settings: BroadcastSettings,
    reminders: ReminderScheduler | None = None,
    live: LiveBoard | None = None,
) -> OnReload:
    """What follows each reload: admin alerts, reminders moved, notices queued, live board."""
    alerts = AdminAlerts(bot, store, settings)
    programme = ProgrammeFollowUp(store, settings, reminders)

    async def follow_up(report: ReloadReport) -> None:
        await alerts.knowledge_errors(report.errors)
        await programme.follow(report.current)
        if live is not None and report.changed:
            live.programme_changed()

    return follow_up
