"""The long-lived services handlers reach through `context`, wrapped once and typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telegram.ext import CallbackContext

    from bot.app.settings import Settings
    from bot.broadcast.reminders import ReminderScheduler
    from bot.broadcast.worker import BroadcastWorker
    from bot.knowledge.watcher import KnowledgeWatcher
    from bot.search.assistant import Assistant
    from bot.storage.store import Store

SERVICES_KEY = "services"


@dataclass
class Services:
    """Settings, storage and the assistant, shared by every handler and job."""

    settings: Settings
    store: Store
    assistant: Assistant
    broadcaster: BroadcastWorker | None = None
    watcher: KnowledgeWatcher | None = None
    reminders: ReminderScheduler | None = None


def get_services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The services stored in `bot_data` by the application's `post_init`."""
    services = context.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    return services
