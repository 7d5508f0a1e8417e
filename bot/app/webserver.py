"""Webhook mode's one HTTP server (tornado, as python-telegram-bot's own): updates and Mini App.

python-telegram-bot's `run_webhook` serves only the webhook path, so, as its custom-webhook
example does, this server takes the updates itself (checking Telegram's secret header) and puts
them in the application's update queue; the same port serves the schedule grid Mini App under
`/app`: the page, and `/app/grid`, which returns personal data only for a valid `initData`.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from contextlib import suppress
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from bot.app.settings import Settings
from bot.storage.agenda import saved_session_ids
from bot.storage.users import user_language
from bot.telegram.miniapp import MINIAPP_PATH, PAGE, grid_data, validate_init_data
from bot.telegram.polling import parseable, screened
from bot.telegram.services import services_of

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header's name


class _Base(tornado.web.RequestHandler):
    def initialize(self, bot_application: AnyApplication, bot_settings: Settings) -> None:
        """Keep the bot's application and settings (tornado's per-request interface)."""
        self.application_ = bot_application
        self.settings_ = bot_settings

    def log_exception(self, *args: Any) -> None:
        """Log handler errors without the request (its URL may carry the secret path)."""
        log.error("web request failed", exc_info=args[1] if len(args) > 1 else None)


class WebhookHandler(_Base):
    """Telegram's POSTed updates, into the application's queue."""

    async def post(self) -> None:
        """Check the secret header, decode the update, queue it."""
        secret = self.settings_.webhook_secret
        expected = secret.get_secret_value() if secret else ""
        given = self.request.headers.get(SECRET_HEADER, "")
        if expected and not hmac.compare_digest(given, expected):
            raise tornado.web.HTTPError(403)
        try:
            data = json.loads(self.request.body)
        except ValueError:
            raise tornado.web.HTTPError(400) from None
        if not parseable(data):
            # Logged once and skipped: a 200 keeps Telegram from sending it again and again.
            screened([data])
            self.set_status(200)
            return
        update = Update.de_json(data, self.application_.bot)
        if update is not None:
            await self.application_.update_queue.put(update)
        self.set_status(200)


class PageHandler(_Base):
    """The Mini App's page (public: it holds no data)."""

    def get(self) -> None:
        """Send the grid page."""
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.write(PAGE)


class GridHandler(_Base):
    """The grid's data, the user's saved sessions highlighted, for a valid `initData` only."""

    async def post(self) -> None:
        """Validate `initData` (HMAC with the bot token), then answer the user's grid."""
        try:
            init_data = str(json.loads(self.request.body or b"{}").get("initData", ""))
        except (ValueError, AttributeError):
            init_data = ""
        user = validate_init_data(init_data, self.settings_.token or "")
        if user is None:
            self.set_status(401)
            self.write({"error": "invalid initData"})
            return
        services = services_of(self.application_)
        knowledge = services.assistant.knowledge
        language = await user_language(services.store, user.id) or "fr"
        saved = set(await saved_session_ids(services.store, user.id))
        zone = self.settings_.zone(knowledge.event.timezone if knowledge.event else None)
        self.write(grid_data(knowledge, zone, language, saved))


def _log_request(handler: tornado.web.RequestHandler) -> None:
    """Log a request at debug level, without its path (the webhook's path is a secret)."""
    log.debug("%s %d %.1f ms", handler.request.method, handler.get_status(),
              1000 * handler.request.request_time())  # fmt: skip


def web_app(application: AnyApplication, settings: Settings, webhook_path: str | None) -> Any:
    """The tornado application: the Mini App, and the webhook path when given."""
    context = {"bot_application": application, "bot_settings": settings}
    routes: list[Any] = [
        (MINIAPP_PATH, PageHandler, context),
        (MINIAPP_PATH + "/", PageHandler, context),
        (MINIAPP_PATH + "/grid", GridHandler, context),
    ]
    if webhook_path is not None:
        routes.append(("/" + webhook_path.lstrip("/"), WebhookHandler, context))
    return tornado.web.Application(routes, log_function=_log_request)


def listen(
    application: AnyApplication,
    settings: Settings,
    port: int,
    address: str,
    webhook_path: str | None = None,
) -> HTTPServer:
    """Start serving on `address:port` in the running event loop; return the server."""
    server = HTTPServer(web_app(application, settings, webhook_path), xheaders=True)
    server.listen(port, address=address)
    return server


async def serve_webhook(
    application: AnyApplication,
    settings: Settings,
    path: str,
    *,
    address: str = "0.0.0.0",  # noqa: S104 - behind the operator's TLS proxy or in a container
    stop: asyncio.Event | None = None,
) -> None:
    """Run the bot on a webhook and the Mini App on one port until `stop`, SIGINT or SIGTERM."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    watched = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            watched.append(sig)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.bot.set_webhook(
        settings.webhook_url or "", secret_token=secret, allowed_updates=Update.ALL_TYPES
    )
    await application.start()
    server = listen(application, settings, settings.webhook_port, address, path)
    log.info("webhook and Mini App on port %d", settings.webhook_port)
    try:
        await stop.wait()
    finally:
        server.stop()
        for sig in watched:
            loop.remove_signal_handler(sig)
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
