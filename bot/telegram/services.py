"""The long-lived services handlers reach, and the one way to reach them from a handler.

The app's composition root opens them (`bot.app.services`) and stores them in `bot_data`;
handlers call `get_services(context)`, start-up code `services_of(application)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.broadcast.handoff import OrganiserSettings
from bot.domain import Answer, Session
from bot.knowledge.watcher import PollSettings, ReloadSource
from bot.search.followups import Conversation
from bot.search.snapshot import SearchSettings
from bot.telegram.miniapp import MiniAppSettings

if TYPE_CHECKING:
    from telegram.ext import Application, CallbackContext

    from bot.broadcast.live import LiveBoard
    from bot.broadcast.reminders import ReminderScheduler
    from bot.broadcast.worker import BroadcastWorker
    from bot.knowledge.watcher import KnowledgeWatcher
    from bot.storage.store import Store

SERVICES_KEY = "services"


class BotSettings(OrganiserSettings, MiniAppSettings, SearchSettings, PollSettings, Protocol):
    """What the Telegram side reads of the settings (the app's `Settings` provides it)."""

    @property
    def flood_limit_per_minute(self) -> int:
        """Messages a user may send in a minute before being asked to slow down."""
        ...

    def is_admin(self, user_id: int | None) -> bool:
        """Whether this Telegram user may run admin commands."""
        ...


class BotAssistant(ReloadSource, Protocol):
    """What the bot uses of the search assistant (`bot.search.assistant.Assistant`)."""

    async def answer_async(
        self, question: str, top_k: int = 3, language: str | None = None
    ) -> Answer:
        """Answer in a worker thread, so the event loop keeps running."""
        ...

    async def answer_in_async(
        self,
        question: str,
        conversation: Conversation,
        top_k: int = 3,
        language: str | None = None,
    ) -> Answer:
        """`answer_async`, with short follow-ups resolved against what this chat just saw."""
        ...

    def search_sessions(self, query: str, limit: int = 10) -> list[Session]:
        """The programme's sessions matching a query (inline mode)."""
        ...


@dataclass
class Services:
    """Settings, storage and the assistant, shared by every handler and job."""

    settings: BotSettings
    store: Store
    assistant: BotAssistant
    broadcaster: BroadcastWorker | None = None
    watcher: KnowledgeWatcher | None = None
    reminders: ReminderScheduler | None = None
    live: LiveBoard | None = None


def get_services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The services stored in `bot_data` by the application's `post_init`."""
    services = context.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    return services


def services_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    """The services in an application's `bot_data` (outside a handler's context)."""
    services = application.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    return services
