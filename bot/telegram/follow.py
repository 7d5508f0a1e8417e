"""/follow and /unfollow: attendees choose the verticals whose programme changes they hear about.

`/follow` alone shows every vertical as a toggle button (✓ = followed); `/follow <id>` and
`/unfollow <id>` act at once; `/unfollow` alone shows the verticals followed. The notices
themselves are queued by `bot.broadcast.notices` after each knowledge reload.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.domain import Vertical
from bot.i18n import t
from bot.storage.agenda import follow_vertical, followed_verticals, unfollow_vertical
from bot.telegram.render import Action, button, clip_label, parse_callback, resolve_ref, short_ref
from bot.telegram.services import get_services
from bot.telegram.users import language_of

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE


def _verticals(context: Context) -> dict[str, Vertical]:
    return get_services(context).assistant.knowledge.verticals


def find_vertical(verticals: dict[str, Vertical], wanted: str) -> Vertical | None:
    """A vertical by id, or by name in any language (case-insensitive)."""
    if wanted in verticals:
        return verticals[wanted]
    folded = wanted.casefold()
    for vertical in verticals.values():
        if folded == vertical.id.casefold() or any(
            folded == name.casefold() for name in vertical.names.values()
        ):
            return vertical
    return None


def follow_keyboard(
    verticals: list[Vertical], followed: set[str], language: str
) -> InlineKeyboardMarkup:
    """One toggle button per vertical, two per row."""
    buttons = []
    for vertical in verticals:
        on = vertical.id in followed
        label = ("✓ " if on else "") + clip_label(vertical.name(language), 40)
        buttons.append(button(label, Action.FOLLOW, "-" if on else "+", short_ref(vertical.id)))
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def _toggle(
    context: Context, user_id: int, vertical: Vertical, follow: bool, lang: str
) -> str:
    store = get_services(context).store
    name = vertical.name(lang)
    if follow:
        added = await follow_vertical(store, user_id, vertical.id)
        return t("follow_started" if added else "follow_already", lang, name=name)
    await unfollow_vertical(store, user_id, vertical.id)
    return t("follow_stopped", lang, name=name)


async def _command(update: Update, context: Context, follow: bool) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    lang = language_of(update, context)
    verticals = _verticals(context)
    followed = set(await followed_verticals(get_services(context).store, user.id))
    unknown = ""
    if context.args:
        wanted = " ".join(context.args)
        vertical = find_vertical(verticals, wanted)
        if vertical is not None:
            await message.reply_text(await _toggle(context, user.id, vertical, follow, lang))
            return
        unknown = t("follow_unknown", lang, name=wanted[:60]) + "\n"
    shown = [v for v in verticals.values() if follow or v.id in followed]
    if not shown:
        await message.reply_text(unknown + t("follow_none" if follow else "unfollow_nothing", lang))
        return
    names = ", ".join(v.name(lang) for v in verticals.values()) if unknown else ""
    await message.reply_text(
        unknown + (f"{names}\n\n" if names else "") + t("follow_choose", lang),
        reply_markup=follow_keyboard(shown, followed, lang),
    )


async def follow_command(update: Update, context: Context) -> None:
    """Follow a vertical (`/follow <id>`), or show the verticals to choose from."""
    await _command(update, context, follow=True)


async def unfollow_command(update: Update, context: Context) -> None:
    """Stop following a vertical (`/unfollow <id>`), or show the ones followed."""
    await _command(update, context, follow=False)


async def follow_button(update: Update, context: Context) -> None:
    """Toggle the vertical pressed and refresh the keyboard."""
    query = update.callback_query
    pressed = parse_callback(query.data) if query else None
    if query is None or pressed is None or len(pressed.args) != 2:
        return
    sign, ref = pressed.args
    lang = language_of(update, context)
    verticals = _verticals(context)
    vertical_id = resolve_ref(ref, verticals)
    if vertical_id is None:  # the vertical left the programme since the keyboard was sent
        await query.answer(t("follow_none", lang))
        return
    notice = await _toggle(context, query.from_user.id, verticals[vertical_id], sign == "+", lang)
    await query.answer(notice)
    followed = set(await followed_verticals(get_services(context).store, query.from_user.id))
    try:
        await query.edit_message_reply_markup(
            follow_keyboard(list(verticals.values()), followed, lang)
        )
    except BadRequest as error:  # the same keyboard again (a double press) is no error
        if "not modified" not in error.message.lower():
            raise
