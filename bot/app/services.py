"""The service container's life: opened in `post_init`, closed in `post_shutdown`.

Storage, the assistant, reminders, the broadcast worker and the knowledge watcher are opened
once per application and stored in `bot_data` as one typed `Services` (declared where the
handlers read it, `bot.telegram.services`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.app.health import touch_heartbeat
from bot.app.settings import Settings
from bot.storage.store import Store
from bot.telegram.polling import monitor_of
from bot.telegram.services import SERVICES_KEY, BotAssistant, Services, get_services

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
HEARTBEAT_SECONDS = 60.0


async def heartbeat(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the container's health check that the bot is alive."""
    monitor = monitor_of(context)
    status = monitor.status() if monitor is not None else None
    await asyncio.to_thread(touch_heartbeat, get_services(context).settings.data_dir, status)


async def open_services(
    application: AnyApplication, settings: Settings, assistant: BotAssistant | None
) -> Services:
    """Open storage, the assistant and the background workers; store them in `bot_data`."""
    store = await Store.open(settings.database_path)
    if assistant is None:
        from bot.search.assistant import Assistant

        assistant = await asyncio.to_thread(Assistant.load, settings)
        # Before polling starts (updates wait at the Bot API meanwhile, none is lost): warming
        # up in the background while the first crowd asked cost that crowd half its CPU.
        try:
            seconds = await asyncio.to_thread(assistant.warm_up)
            log.info("Assistant warmed up in %.1f s", seconds)
        except Exception:  # answering still works, each piece then loads when first needed
            log.exception("warming the assistant up failed; starting without")
    services = Services(settings=settings, store=store, assistant=assistant)
    application.bot_data[SERVICES_KEY] = services
    loaded = assistant
    if application.job_queue is not None:
        from bot.broadcast.reminders import ReminderScheduler

        services.reminders = ReminderScheduler(
            store, application.job_queue, settings, lambda: loaded.knowledge
        )
        restored = await services.reminders.restore()
        log.info("%d reminders scheduled", restored)
        application.job_queue.run_repeating(heartbeat, HEARTBEAT_SECONDS, first=0.0)
        from bot.telegram.attendance import RATING_EVERY_SECONDS, offer_ratings

        application.job_queue.run_repeating(offer_ratings, RATING_EVERY_SECONDS, first=5.0)
    from bot.broadcast.followup import reload_hook
    from bot.broadcast.worker import BroadcastWorker
    from bot.knowledge.watcher import KnowledgeWatcher

    services.broadcaster = BroadcastWorker(application.bot, store, settings)
    await services.broadcaster.start()
    if settings.live_chat_id is not None:
        from bot.broadcast.live import LiveBoard

        services.live = LiveBoard(
            application.bot,
            store,
            settings.live_chat_id,
            lambda: loaded.knowledge,
            lambda knowledge: settings.zone(knowledge.event.timezone if knowledge.event else None),
        )
        await services.live.start()
    follow_up = reload_hook(application.bot, store, settings, services.reminders, services.live)
    services.watcher = KnowledgeWatcher(assistant, settings, follow_up)
    await services.watcher.start()
    return services


async def close_services(application: AnyApplication) -> None:
    """Stop the background workers and close storage."""
    services = application.bot_data.pop(SERVICES_KEY, None)
    if not isinstance(services, Services):
        return
    for worker in (services.watcher, services.live, services.broadcaster):
        if worker is not None:
            await worker.stop()
    await services.store.close()
