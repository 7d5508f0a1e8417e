"""The composition root: every handler registered in one place; polling or webhook."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.app.services import close_services, open_services
from bot.app.settings import Settings
from bot.app.webserver import serve_webhook
from bot.broadcast.limiter import REQUEST_READ_TIMEOUT, OutboundLimiter
from bot.telegram import admin, attendance, faq, follow, menus, organisers
from bot.telegram import attendee as talk
from bot.telegram import programme as browse
from bot.telegram.polling import MONITOR_KEY, PollingMonitor, TolerantUpdates
from bot.telegram.render import Action
from bot.telegram.users import ADDRESSED_TO_BOT, FloodGate, track_user

if TYPE_CHECKING:
    from telegram.request import BaseRequest

    from bot.telegram.services import BotAssistant

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
HEARTBEAT_SECONDS = 60.0
MEDIA = (
    filters.PHOTO
    | filters.VIDEO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.LOCATION
    | filters.CONTACT
)


def pressed(action: Action) -> str:
    """The callback-data pattern of one kind of button."""
    return f"^{action.value}(:|$)"


def register_handlers(application: AnyApplication, settings: Settings) -> None:
    """Every handler of the bot, in the order they are tried."""
    private = filters.ChatType.PRIVATE
    gate = FloodGate(settings.flood_limit_per_minute)
    # Cross-cutting work first: flood control may stop an update; then every user is recorded;
    # then a reply to a rating offer is taken as its comment (and goes no further).
    application.add_handler(TypeHandler(Update, gate.check), group=-3)
    application.add_handler(TypeHandler(Update, track_user), group=-2)
    application.add_handler(
        MessageHandler(filters.REPLY & filters.TEXT & private, attendance.rating_comment),
        group=-1,
    )
    # Group 1, after the real handlers: an admin's menu is set the first time they show up.
    application.add_handler(TypeHandler(Update, menus.admin_menu_on_sight), group=1)
    application.add_handlers(
        [
            # Admins (each refuses anyone not in ADMIN_IDS, politely, and does nothing).
            CommandHandler("broadcast", admin.broadcast_command),
            CallbackQueryHandler(admin.broadcast_button, pattern=pressed(Action.BROADCAST)),
            CommandHandler("reload", admin.reload_command),
            CommandHandler("stats", admin.stats_command),
            CommandHandler("unanswered", admin.unanswered_command),
            CallbackQueryHandler(admin.admin_only(faq.faq_button), pattern=pressed(Action.FAQ)),
            # An admin's private text may be the answer /unanswered asked them for.
            MessageHandler(
                private & filters.User(settings.admin_ids) & filters.TEXT & ~filters.COMMAND,
                faq.capture_answer,
            ),
            # Attendees.
            CommandHandler("start", talk.start),
            CommandHandler("stop", talk.stop),
            CommandHandler("help", talk.help_command),
            CommandHandler("lang", talk.choose_language),
            CommandHandler(["programme", "program"], browse.programme),
            CommandHandler("today", browse.today),
            CommandHandler("now", browse.now_on),
            CommandHandler("next", attendance.next_up),
            CommandHandler("verticals", browse.verticals),
            CommandHandler("agenda", attendance.agenda),
            CommandHandler("follow", follow.follow_command),
            CommandHandler("unfollow", follow.unfollow_command),
            CallbackQueryHandler(follow.follow_button, pattern=pressed(Action.FOLLOW)),
            CallbackQueryHandler(browse.show_days, pattern=pressed(Action.DAYS)),
            CallbackQueryHandler(browse.show_day, pattern=pressed(Action.DAY)),
            CallbackQueryHandler(browse.show_verticals, pattern=pressed(Action.VERTICALS)),
            CallbackQueryHandler(browse.show_vertical, pattern=pressed(Action.VERTICAL)),
            CallbackQueryHandler(browse.show_session, pattern=pressed(Action.SESSION)),
            CallbackQueryHandler(browse.save, pattern=pressed(Action.SAVE)),
            CallbackQueryHandler(browse.unsave, pattern=pressed(Action.UNSAVE)),
            CallbackQueryHandler(browse.remind, pattern=pressed(Action.REMIND)),
            CallbackQueryHandler(browse.send_ics, pattern=pressed(Action.ICS)),
            CallbackQueryHandler(browse.show_answer_list, pattern=pressed(Action.ANSWER_LIST)),
            CallbackQueryHandler(talk.feedback, pattern=pressed(Action.FEEDBACK)),
            CallbackQueryHandler(attendance.agenda_ics, pattern=pressed(Action.AGENDA_ICS)),
            CallbackQueryHandler(attendance.remind_all, pattern=pressed(Action.REMIND_ALL)),
            CallbackQueryHandler(attendance.choose_lead, pattern=pressed(Action.LEAD)),
            CallbackQueryHandler(attendance.rate_button, pattern=pressed(Action.RATE)),
            CallbackQueryHandler(talk.set_language, pattern=pressed(Action.LANG)),
            CallbackQueryHandler(organisers.ask_organisers, pattern=pressed(Action.ASK_ORGANISERS)),
            CallbackQueryHandler(browse.noop),  # stale or foreign buttons: stop the spinner
            InlineQueryHandler(talk.inline_sessions),
            # An organiser's reply to a forwarded question; any other reply to the bot is asked.
            MessageHandler(
                filters.TEXT & ~filters.COMMAND & organisers.REPLY_TO_BOT, organisers.relay_reply
            ),
            MessageHandler(
                (filters.TEXT | filters.CAPTION) & ~filters.COMMAND & ADDRESSED_TO_BOT, talk.ask
            ),
            MessageHandler(filters.Sticker.ALL & private, talk.sticker),
            MessageHandler(MEDIA & private, talk.media),
            MessageHandler((filters.Dice.ALL | filters.POLL) & private, talk.game),
            MessageHandler(filters.COMMAND & private, talk.unknown_command),
        ]
    )
    application.add_error_handler(talk.on_error)


def build_application(
    settings: Settings,
    assistant: BotAssistant | None = None,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> AnyApplication:
    """The bot's application: client settings, handlers, and services opened in `post_init`.

    `request`/`get_updates_request` replace the HTTP client (tests pass offline ones).
    """
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")

    async def post_init(application: AnyApplication) -> None:
        await open_services(application, settings, assistant)
        await menus.set_command_menus(application.bot)
        await menus.set_admin_menus(application)  # after the attendee menus it extends
        organisers.schedule_retries(application)

    builder = (
        Application.builder()
        .token(settings.token)
        .base_url(settings.telegram_api_url)
        .base_file_url(file_url(settings.telegram_api_url))
        .concurrent_updates(True)  # 40 people asking at once each get their own answer now
        # One budget under Telegram's 30 messages/s: replies first, announcements the rest.
        .rate_limiter(OutboundLimiter.from_settings(settings))
        .post_init(post_init)
        .post_shutdown(close_services)
    )
    if request is not None:
        builder = builder.request(request)
    else:
        builder = builder.read_timeout(REQUEST_READ_TIMEOUT)
    # Each update is checked before PTB parses the batch: a bad one is dropped, not re-fetched.
    monitor = PollingMonitor()
    builder = builder.get_updates_request(TolerantUpdates(get_updates_request, monitor))
    application = builder.build()
    application.bot_data[MONITOR_KEY] = monitor
    register_handlers(application, settings)
    return application


def file_url(api_url: str) -> str:
    """The file download URL matching a Bot API URL (`…/bot` -> `…/file/bot`)."""
    if api_url.endswith("/bot"):
        return api_url[: -len("bot")] + "file/bot"
    return api_url.rstrip("/") + "/file/bot"


def run_bot(settings: Settings) -> None:
    """Run the bot until interrupted: long polling, or a webhook (and Mini App) when WEBHOOK_URL."""
    # httpx logs every request URL, and Bot API URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    application = build_application(settings)
    if not settings.webhook_url:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    # One tornado server for the webhook and the schedule grid Mini App (bot.app.webserver).
    path = urlsplit(settings.webhook_url).path.lstrip("/")
    asyncio.run(serve_webhook(application, settings, path, address=settings.webhook_listen))
