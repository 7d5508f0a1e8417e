"""Ask the organisers from Telegram: the button under "I don't know", and organisers' replies.

The work (storing, forwarding, queuing the reply) is `bot.broadcast.handoff`'s; these handlers
read the update, check the limits and say what happened, in the user's language.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update
from telegram.ext import Application, ContextTypes, filters

from bot.broadcast.handoff import asker_label, forward, forward_waiting, may_ask, queue_reply
from bot.i18n import DEFAULT_LANGUAGE, t
from bot.storage.organisers import (
    already_sent,
    create_request,
    logged_question,
    request_for_message,
)
from bot.telegram import attendee as talk
from bot.telegram.render import parse_callback
from bot.telegram.services import Services, get_services, services_of
from bot.telegram.users import ADDRESSED_TO_BOT, language_of

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
RETRY_SECONDS = 60.0  # how often questions no organiser received are tried again


class ReplyToBot(filters.MessageFilter):
    """A message replying to one of the bot's own messages (or to one whose sender is unsaid)."""

    def filter(self, message: Message) -> bool:
        """Whether `message` replies to a message the bot (presumably) sent."""
        replied = message.reply_to_message
        if replied is None:
            return False
        return replied.from_user is None or replied.from_user.id == message.get_bot().id


REPLY_TO_BOT = ReplyToBot(name="ReplyToBot")


def event_language(services: Services) -> str:
    """The event's first language (the organisers' group is written to in it)."""
    event = services.assistant.knowledge.event
    return event.languages[0] if event is not None and event.languages else DEFAULT_LANGUAGE


async def ask_organisers(update: Update, context: Context) -> None:
    """Forward the unanswered question under the pressed button to the organisers."""
    query = update.callback_query
    pressed = parse_callback(query.data) if query else None
    if query is None or pressed is None:
        return
    services, language = get_services(context), language_of(update, context)
    user = query.from_user
    question_id = int(pressed.args[0]) if pressed.args and pressed.args[0].isdigit() else 0
    logged = await logged_question(services.store, question_id, user.id)
    if logged is None:
        await query.answer(t("organisers_gone", language), show_alert=True)
        return
    if await already_sent(services.store, question_id):
        await query.answer(t("organisers_already", language), show_alert=True)
        return
    if not await may_ask(services.store, services.settings, user.id):
        limit = services.settings.organiser_questions_per_hour
        await query.answer(t("organisers_limit", language, limit=limit), show_alert=True)
        return
    chat_id = query.message.chat.id if query.message is not None else user.id
    ask = await create_request(
        services.store,
        question_id=question_id,
        user_id=user.id,
        chat_id=chat_id,
        text=logged.text,
        language=language,
        asker=asker_label(user.first_name, user.username, user.id),
    )
    if ask is None:
        await query.answer(t("organisers_already", language), show_alert=True)
        return
    await query.answer()
    reached = await forward(
        context.bot, services.store, services.settings, ask, event_language(services)
    )
    log.info("question #%d forwarded to %d organiser chats", ask.id, reached)
    await context.bot.send_message(
        chat_id, t("organisers_sent" if reached else "organisers_queued", language)
    )


async def relay_reply(update: Update, context: Context) -> None:
    """Relay an organiser's reply to a forwarded question; other replies are questions."""
    message = update.effective_message
    replied = message.reply_to_message if message else None
    if message is None or replied is None:
        return
    services = get_services(context)
    ask = await request_for_message(services.store, message.chat.id, replied.message_id)
    if ask is None:  # a reply to any other message: a question, if it is meant for the bot
        if ADDRESSED_TO_BOT.check_update(update):
            await talk.ask(update, context)
        return
    await queue_reply(services.store, ask, message.text or "")
    await message.reply_text(t("organisers_relayed", language_of(update, context)))


async def forward_waiting_job(context: Context) -> None:
    """Try again to forward the questions no organiser has received yet."""
    services = get_services(context)
    sent = await forward_waiting(
        context.bot, services.store, services.settings, event_language(services)
    )
    if sent:
        log.info("%d waiting questions forwarded to the organisers", sent)


def schedule_retries(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Forward waiting questions at start-up, then every minute (needs the job queue)."""
    services_of(application)  # opened before: the job reads them
    if application.job_queue is not None:
        application.job_queue.run_repeating(forward_waiting_job, RETRY_SECONDS, first=1.0)
