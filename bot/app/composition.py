"""The composition root: every handler registered in one place; polling or webhook."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import Bot, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from telegram.error import TelegramError
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
from bot.broadcast.limiter import OutboundLimiter
from bot.domain import LANGUAGES
from bot.telegram import attendee as talk
from bot.telegram import programme as browse
from bot.telegram.admin import register_admin_handlers, register_organiser_handlers, set_admin_menus
from bot.telegram.attendee import GROUP_COMMANDS, PRIVATE_COMMANDS, bot_commands
from bot.telegram.render import Action
from bot.telegram.users import ADDRESSED_TO_BOT, FloodGate, track_user

if TYPE_CHECKING:
    from telegram.request import BaseRequest

    from bot.search.assistant import Assistant

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
    # Cross-cutting work first: flood control may stop an update; then every user is recorded.
    application.add_handler(TypeHandler(Update, gate.check), group=-2)
    application.add_handler(TypeHandler(Update, track_user), group=-1)
    register_admin_handlers(application)
    register_organiser_handlers(application)
    application.add_handlers(
        [
            CommandHandler("start", talk.start),
            CommandHandler("stop", talk.stop),
            CommandHandler("help", talk.help_command),
            CommandHandler("lang", talk.choose_language),
            CommandHandler(["programme", "program"], browse.programme),
            CommandHandler("today", browse.today),
            CommandHandler("now", browse.now_on),
            CommandHandler("next", browse.next_up),
            CommandHandler("verticals", browse.verticals),
            CommandHandler("agenda", browse.agenda),
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
            CallbackQueryHandler(talk.set_language, pattern=pressed(Action.LANG)),
            CallbackQueryHandler(browse.noop),  # stale or foreign buttons: stop the spinner
            InlineQueryHandler(talk.inline_sessions),
            MessageHandler(
                (filters.TEXT | filters.CAPTION) & ~filters.COMMAND & ADDRESSED_TO_BOT, talk.ask
            ),
            MessageHandler(filters.Sticker.ALL & private, talk.sticker),
            MessageHandler(MEDIA & private, talk.media),
            MessageHandler(filters.COMMAND & private, talk.unknown_command),
        ]
    )
    application.add_error_handler(talk.on_error)


async def set_command_menus(bot: Bot) -> None:
    """The command menus: per language (fr, en, ar, default English) and per chat type."""
    scopes = (
        (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
    )
    try:
        for scope, names in scopes:
            for language in LANGUAGES:
                commands = bot_commands(language, names)
                await bot.set_my_commands(commands, scope=scope, language_code=language)
            await bot.set_my_commands(bot_commands("en", names), scope=scope)
        await bot.set_my_commands(bot_commands("en", PRIVATE_COMMANDS))
    except TelegramError as exc:
        # Menus are a convenience: the bot answers commands typed by hand without them.
        log.warning("command menus not set: %s", exc)


def build_application(
    settings: Settings,
    assistant: Assistant | None = None,
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
        await set_command_menus(application.bot)
        await set_admin_menus(application)  # after the attendee menus it extends

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
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    register_handlers(application, settings)
    return application


def file_url(api_url: str) -> str:
    """The file download URL matching a Bot API URL (`…/bot` -> `…/file/bot`)."""
    if api_url.endswith("/bot"):
        return api_url[: -len("bot")] + "file/bot"
    return api_url.rstrip("/") + "/file/bot"


def run_bot(settings: Settings) -> None:
    """Run the bot until interrupted: long polling, or a webhook when WEBHOOK_URL is set."""
    # httpx logs every request URL, and Bot API URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    application = build_application(settings)
    if not settings.webhook_url:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    application.run_webhook(
        listen="0.0.0.0",  # noqa: S104 - behind the operator's TLS proxy or in a container
        port=settings.webhook_port,
        url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
        webhook_url=settings.webhook_url,
        secret_token=secret,
        allowed_updates=Update.ALL_TYPES,
    )
