"""Live knowledge: watch the folder, reload in the background, and follow up on each reload.

`KnowledgeWatcher` polls the folder's modification times every `knowledge_poll_seconds` (a
worker thread scans; the event loop never blocks) and calls `Assistant.reload` in a thread.
The assistant validates, re-embeds only what changed and swaps the new index in with one
reference assignment; a broken file keeps its previous version serving. `reload_hook` then
tells admins about broken files (once per distinct set of errors), moves reminders, and queues
programme change notices.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from html import escape
from typing import TYPE_CHECKING

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.app.settings import Settings
from bot.broadcast.notices import ProgrammeNotifier
from bot.broadcast.outbox import admin_chats
from bot.domain import KnowledgeError
from bot.i18n import normalise_language, t
from bot.search.assistant import ReloadReport
from bot.storage.store import Store

if TYPE_CHECKING:
    from bot.broadcast.reminders import ReminderScheduler
    from bot.search.assistant import Assistant

log = logging.getLogger(__name__)

OnReload = Callable[[ReloadReport], Awaitable[None]]
MAX_MESSAGE = 4096


class KnowledgeWatcher:
    """Reload the knowledge when its folder changes, without blocking the event loop."""

    def __init__(self, assistant: Assistant, settings: Settings, on_reload: OnReload) -> None:
        self.assistant = assistant
        self.settings = settings
        self.on_reload = on_reload
        self._lock = asyncio.Lock()  # one reload at a time (the watch loop or /reload)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Follow up on the knowledge loaded at start-up, then watch in the background."""
        self._task = asyncio.create_task(self._run(), name="knowledge-watcher")

    async def stop(self) -> None:
        """Stop watching (a reload running in its thread finishes on its own)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def reload_now(self) -> ReloadReport:
        """Reload at once (the admin's /reload) and follow up; return what changed."""
        async with self._lock:
            report = await asyncio.to_thread(self.assistant.reload)
            await self._follow_up(report)
        return report

    async def _follow_up(self, report: ReloadReport) -> None:
        try:
            await self.on_reload(report)
        except Exception:  # a failed follow-up must not stop the watching
            log.exception("knowledge reload follow-up failed")

    async def _run(self) -> None:
        knowledge = self.assistant.knowledge
        async with self._lock:  # the state at start-up: errors to tell, changes since last run
            await self._follow_up(
                ReloadReport(False, list(knowledge.errors), knowledge, knowledge, 0)
            )
        while True:
            await asyncio.sleep(self.settings.knowledge_poll_seconds)
            try:
                changed = await asyncio.to_thread(self.assistant.folder_changed)
                if changed:
                    await self.reload_now()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("knowledge watch: reload failed; the previous version keeps serving")


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

    def __init__(self, bot: Bot, store: Store, settings: Settings) -> None:
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


def reload_hook(
    bot: Bot,
    store: Store,
    settings: Settings,
    reminders: ReminderScheduler | None = None,
) -> OnReload:
    """What follows each reload: admin alerts, reminders moved, programme notices queued."""
    alerts = AdminAlerts(bot, store, settings)
    programme = ProgrammeNotifier(store, settings)

    async def follow_up(report: ReloadReport) -> None:
        await alerts.knowledge_errors(report.errors)
        if reminders is not None:
            await reminders.reconcile(report.current)
        changes = await programme.sync(report.current)
        if changes:
            log.info("programme changes after reload: %d", len(changes))

    return follow_up
