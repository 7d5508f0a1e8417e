"""Admin commands: /broadcast (preview, then confirm), /reload, /stats, /unanswered.

Every one is gated by `ADMIN_IDS`: anyone else gets a polite refusal, the attempt is logged,
and nothing else happens. The commands appear only in admins' menus (chat-scoped lists, one per
language), set at start-up for admins already known and when an admin first shows up.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Callable, Coroutine
from html import escape
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    ContextTypes,
)

from bot.broadcast.followup import error_lines
from bot.broadcast.outbox import MAX_TEXT, create_draft
from bot.domain import LANGUAGES
from bot.i18n import t
from bot.storage.organisers import organiser_figures
from bot.storage.outbox import audience_size, cancel_draft, confirm_draft
from bot.storage.questions import collect_stats
from bot.telegram.faq import offer_groups
from bot.telegram.follow import find_vertical
from bot.telegram.render import Action, button, parse_callback
from bot.telegram.services import get_services
from bot.telegram.users import language_of

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]
# `vertical=Santé`, `vertical="Santé publique"`: a value in quotes may hold spaces.
_OPTION = re.compile(r"^(lang|language|vertical)[=:](\"[^\"]+\"|'[^']+'|\S+)\s*", re.IGNORECASE)
PREVIEW_ROOM = MAX_TEXT - 400  # the preview's header and escaping need some of the 4096


def admin_only(handler: Handler) -> Handler:
    """Run `handler` for admins; refuse (politely, logged, nothing done) for anyone else."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        user = update.effective_user
        if get_services(context).settings.is_admin(user.id if user else None):
            await handler(update, context)
            return
        log.warning("admin command refused for user %s", user.id if user else None)
        refusal = t("admin_only", language_of(update, context))
        if update.callback_query is not None:
            await update.callback_query.answer(refusal, show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(refusal)

    return guarded


def parse_broadcast(text: str) -> tuple[str, str | None, str | None]:
    """Split `/broadcast [lang=xx] [vertical=id] TEXT` into (text, language, vertical)."""
    parts = text.split(maxsplit=1)
    rest = parts[1] if len(parts) > 1 and parts[0].startswith("/") else ""
    language = vertical = None
    while match := _OPTION.match(rest):
        if match.group(1).lower() == "vertical":
            vertical = match.group(2).strip("\"'")
        else:
            language = match.group(2).lower()
        rest = rest[match.end() :]
    return rest.strip(), language, vertical


@admin_only
async def broadcast_command(update: Update, context: Context) -> None:
    """Show the announcement's preview with buttons to send or cancel it."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    services, lang = get_services(context), language_of(update, context)
    text, language, vertical = parse_broadcast(message.text or "")
    replied = message.reply_to_message
    if replied is not None and (replied.text or replied.caption):
        text = (replied.text or replied.caption or "").strip()
    if not text or (language is not None and language not in LANGUAGES):
        await message.reply_text(t("broadcast_usage", lang))
        return
    verticals = services.assistant.knowledge.verticals
    found = find_vertical(verticals, vertical) if vertical is not None else None
    if vertical is not None and found is None:
        known = ", ".join(f"{v.id} ({v.name(lang)})" for v in verticals.values()) or "-"
        await message.reply_text(
            t("broadcast_unknown_vertical", lang, vertical=vertical, known=known)
        )
        return
    vertical = found.id if found is not None else None
    if len(text) > MAX_TEXT:
        await message.reply_text(t("broadcast_too_long", lang, length=len(text)))
        return
    draft = await create_draft(
        services.store, text, created_by=user.id, report_chat_id=message.chat.id,
        language=language, vertical=vertical,
    )  # fmt: skip
    count = await audience_size(services.store, language, vertical)
    audience = ""
    if language:
        audience += t("broadcast_audience_language", lang, language=language)
    if vertical:
        name = verticals[vertical].name(lang)
        audience += t("broadcast_audience_vertical", lang, vertical=escape(name))
    shown = text if len(text) <= PREVIEW_ROOM else text[: PREVIEW_ROOM - 1] + "…"
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(
                    t("broadcast_send_button", lang, count=count), Action.BROADCAST, "go", draft
                ),
                button(t("broadcast_cancel_button", lang), Action.BROADCAST, "no", draft),
            ]
        ]
    )
    await message.reply_text(
        t("broadcast_preview", lang, count=count, audience=audience) + "\n\n" + escape(shown),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


@admin_only
async def broadcast_button(update: Update, context: Context) -> None:
    """Queue the previewed announcement, or cancel it."""
    query = update.callback_query
    pressed = parse_callback(query.data) if query else None
    if query is None or pressed is None or len(pressed.args) != 2:
        return
    choice, draft_id = pressed.args
    if choice not in ("go", "no") or not draft_id.isdigit():
        await query.answer()
        return
    store, lang = get_services(context).store, language_of(update, context)
    draft = int(draft_id)
    if choice == "go":
        count = await confirm_draft(store, draft)
        text = None if count is None else t("broadcast_queued", lang, id=draft, count=count)
    else:
        text = t("broadcast_cancelled", lang) if await cancel_draft(store, draft) else None
    await query.answer(text or t("broadcast_already", lang))
    if text is not None:
        await query.edit_message_text(text)


@admin_only
async def reload_command(update: Update, context: Context) -> None:
    """Reload the knowledge folder now and report what changed and what is broken."""
    services, lang = get_services(context), language_of(update, context)
    if services.watcher is not None:
        report = await services.watcher.reload_now()
    else:
        report = await asyncio.to_thread(services.assistant.reload)
    state = t("reload_changed" if report.changed else "reload_unchanged", lang)
    text = t(
        "reload_done", lang, state=state, passages=len(report.current.passages),
        sessions=len(report.current.sessions), embedded=report.embedded,
    )  # fmt: skip
    if report.errors:
        text += "\n\n" + t("knowledge_errors", lang, count=len(report.errors))
        text += "\n<code>" + error_lines(report.errors) + "</code>"
    else:
        text += " " + t("reload_no_errors", lang)
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


@admin_only
async def stats_command(update: Update, context: Context) -> None:
    """Send the usage figures."""
    services, lang = get_services(context), language_of(update, context)
    event = services.assistant.knowledge.event
    stats = await collect_stats(
        services.store, services.settings.zone(event.timezone if event else None)
    )
    text = t(
        "stats_text", lang, users=stats.users, subscribed=stats.subscribed, blocked=stats.blocked,
        active=stats.active_today, questions=stats.questions, answered=stats.answered,
        share=f"{stats.answered_share:.0%}", up=stats.thumbs_up, down=stats.thumbs_down,
    )  # fmt: skip
    asked = await organiser_figures(services.store)
    text += "\n" + t(
        "stats_organisers", lang, asked=asked.asked, replied=asked.replied, waiting=asked.waiting
    )
    text += "\n" + t("stats_ratings", lang, count=stats.ratings, mean=f"{stats.rating_mean:.1f}")
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


@admin_only
async def unanswered_command(update: Update, context: Context) -> None:
    """Send the most frequent unanswered questions, grouped, each with a button to answer it."""
    lang = language_of(update, context)
    groups, keyboard = await offer_groups(update, context, limit=10)
    if not groups:
        text = t("unanswered_none", lang)
    else:
        lines = [t("unanswered_title", lang)]
        for number, group in enumerate(groups, start=1):
            line = f"{number}. {escape(group.text[:300])} <b>×{group.count}</b>"
            if examples := group.examples(limit=2):
                also = " · ".join(escape(example[:120]) for example in examples)
                line += "\n   <i>" + t("unanswered_also", lang, examples=also) + "</i>"
            lines.append(line)
        text = "\n".join([*lines, "", "<i>" + t("faq_answer_hint", lang) + "</i>"])
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            text, parse_mode=ParseMode.HTML, reply_markup=keyboard
        )
