"""Closing the gap loop: an admin answers a group of unanswered questions from Telegram.

/unanswered offers a button per group; pressed, the admin's next message (or a reply to the
prompt) is the answer. It is appended to `knowledge/faq.<lang>.md` (question as heading), the
knowledge is reloaded at once (validated and indexed like any file), and every attendee who
asked one of the group's questions is told the answer through the durable broadcast queue.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.broadcast.followup import error_lines
from bot.broadcast.outbox import add_notice
from bot.i18n import normalise_language, t
from bot.knowledge.faq_file import append_entry, faq_name
from bot.search.question_groups import QuestionGroup, group_questions
from bot.storage.faq import (
    answer_draft,
    askers,
    await_answer,
    cancel_draft,
    draft_for_answer,
    offer_draft,
    open_questions,
    set_prompt,
)
from bot.telegram import attendee as talk
from bot.telegram import organisers
from bot.telegram.render import Action, button, parse_callback
from bot.telegram.services import get_services
from bot.telegram.users import language_of

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
ANSWER, CANCEL = "a", "c"
NOTICE_ROOM = 3800  # the answer told to askers is cut past this (Telegram takes 4,096)


async def offer_groups(
    update: Update, context: Context, limit: int = 10
) -> tuple[list[QuestionGroup], InlineKeyboardMarkup | None]:
    """The open unanswered groups, each kept as a draft, and a keyboard to answer them."""
    services, user = get_services(context), update.effective_user
    questions = await open_questions(services.store)
    groups = group_questions([(q.text, q.language, q.asked_at) for q in questions])[:limit]
    if not groups or user is None:
        return groups, None
    lang = language_of(update, context)
    buttons: list[InlineKeyboardButton] = []
    for number, group in enumerate(groups, start=1):
        wordings = set(group.variants)
        ids = [q.id for q in questions if q.text.strip() in wordings]
        language = normalise_language(group.languages.most_common(1)[0][0])
        draft_id = await offer_draft(services.store, user.id, group.text, language, ids)
        label = t("faq_answer_button", lang, number=number)
        buttons.append(button(label, Action.FAQ, ANSWER, draft_id))
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    return groups, InlineKeyboardMarkup(rows)


async def faq_button(update: Update, context: Context) -> None:
    """Wait for the admin's answer to the pressed group, or stop waiting (cancel)."""
    query = update.callback_query
    pressed = parse_callback(query.data) if query else None
    if query is None or pressed is None or len(pressed.args) != 2:
        return
    choice, draft_id = pressed.args
    services, lang = get_services(context), language_of(update, context)
    if not draft_id.isdigit() or choice not in (ANSWER, CANCEL):
        await query.answer()
        return
    if choice == CANCEL:
        done = await cancel_draft(services.store, int(draft_id))
        await query.answer(t("faq_cancelled" if done else "faq_gone", lang))
        if done:
            await query.edit_message_text(t("faq_cancelled", lang))
        return
    waiting = await await_answer(services.store, int(draft_id), query.from_user.id)
    if waiting is None:
        await query.answer(t("faq_gone", lang), show_alert=True)
        return
    await query.answer()
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    text = t("faq_prompt", lang, question=escape(waiting.question), file=faq_name(waiting.language))
    cancel = button(t("faq_cancel_button", lang), Action.FAQ, CANCEL, waiting.id)
    prompt = await context.bot.send_message(
        chat_id, text, parse_mode=ParseMode.HTML, reply_markup=InlineKeyboardMarkup([[cancel]])
    )
    await set_prompt(services.store, waiting.id, chat_id, prompt.message_id)


async def capture_answer(update: Update, context: Context) -> None:
    """An admin's private message: the answer they were asked for, else handled as usual."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    services = get_services(context)
    replied = message.reply_to_message
    waiting = await draft_for_answer(
        services.store, user.id, message.chat.id, replied.message_id if replied else None
    )
    if waiting is None or not (message.text or "").strip():
        if organisers.REPLY_TO_BOT.check_update(update):
            await organisers.relay_reply(update, context)
        else:
            await talk.ask(update, context)
        return
    answer = (message.text or "").strip()
    path = await asyncio.to_thread(
        append_entry, services.settings.knowledge_dir, waiting.language, waiting.question, answer
    )
    shown = answer if len(answer) <= NOTICE_ROOM else answer[:NOTICE_ROOM] + "…"
    told = 0
    async with services.store.transaction() as db:
        await answer_draft(db, waiting.id, answer, path.name)
        for language, chats in (await askers(db, waiting.id)).items():
            text = t("faq_notice", normalise_language(language), question=waiting.question)
            await add_notice(db, f"{text}\n\n{shown}", chats)
            told += len(chats)
    lang = language_of(update, context)
    reply = t("faq_saved", lang, file=escape(path.name), count=told)
    if services.watcher is not None:
        report = await services.watcher.reload_now()
        if report.errors:
            reply += "\n\n" + t("knowledge_errors", lang, count=len(report.errors))
            reply += "\n<code>" + error_lines(report.errors) + "</code>"
    log.info("FAQ entry #%d saved in %s; %d askers told", waiting.id, path.name, told)
    await message.reply_text(reply, parse_mode=ParseMode.HTML)
