"""After each knowledge reload: admins told of broken files, reminders moved, notices queued."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.broadcast.notices import ProgrammeNotifier
from bot.domain import KnowledgeError
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


def reload_hook(
    bot: Bot,
    store: Store,
    settings: BroadcastSettings,
    reminders: ReminderScheduler | None = None,
    live: LiveBoard | None = None,
) -> OnReload:
    """What follows each reload: admin alerts, reminders moved, notices queued, live board."""
    alerts = AdminAlerts(bot, store, settings)
    programme = ProgrammeNotifier(store, settings)

    async def follow_up(report: ReloadReport) -> None:
        await alerts.knowledge_errors(report.errors)
        if reminders is not None:
            await reminders.reconcile(report.current)
        if live is not None and report.changed:
            live.programme_changed()
        changes = await programme.sync(report.current)
        if changes:
            log.info("programme changes after reload: %d", len(changes))

    return follow_up
