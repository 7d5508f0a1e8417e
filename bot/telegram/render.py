"""The one renderer: Telegram HTML (escaped, within 4,096), answers, cards, callback data."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.domain import Answer, KnowledgeBase, Passage, PassageKind, Session
from bot.i18n import colon, t
from bot.i18n.dates import spell_date, spell_time_range

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_CALLBACK_DATA = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
ELLIPSIS = "…"
HEADING_MAX = 120  # a first line this short is taken for the passage's heading
_CHUNK = re.compile(r"<[^>]*>|&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);|[^<&]+|[<&]")
NEW_MESSAGE = "n"  # a card opened from an answer or the agenda: sent apart, not over it
CARD_FLAG = "c"  # save/unsave pressed on a card: the card's buttons follow the new state
_SAFE_REF = re.compile(r"[A-Za-z0-9_-]{1,40}")


def esc(text: str) -> str:
    """Escape plain text for Telegram HTML."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def truncate_html(markup: str, limit: int = MAX_TEXT) -> str:
    """Cut Telegram HTML to `limit` without breaking a tag or an entity; close open tags."""
    if utf16_len(markup) <= limit:
        return markup
    budget = limit - utf16_len(ELLIPSIS)
    out: list[str] = []
    open_tags: list[str] = []
    used = 0
    for match in _CHUNK.finditer(markup):
        chunk = match.group(0)
        closers = sum(len(name) + 3 for name in open_tags)
        if chunk.startswith("</"):
            out.append(chunk)  # its cost was reserved with `closers`
            used += utf16_len(chunk)
            if open_tags:
                open_tags.pop()
            continue
        if chunk.startswith("<") and len(chunk) > 1:
            name = chunk[1:-1].split()[0].lower() if len(chunk) > 2 else ""
            cost = utf16_len(chunk) + len(name) + 3
            if used + cost + closers > budget:
                break
            out.append(chunk)
            used += utf16_len(chunk)
            open_tags.append(name)
            continue
        if chunk.startswith("&") or len(chunk) == 1:
            piece = chunk if chunk not in "<&" else esc(chunk)
            if used + utf16_len(piece) + closers > budget:
                break
            out.append(piece)
            used += utf16_len(piece)
            continue
        room = budget - used - closers
        kept = _prefix_within(chunk, room)
        out.append(kept)
        used += utf16_len(kept)
        if len(kept) < len(chunk):
            break
    out.append(ELLIPSIS)
    out.extend(f"</{name}>" for name in reversed(open_tags))
    return "".join(out)


def _prefix_within(text: str, units: int) -> str:
    """The longest prefix of `text` within `units` UTF-16 code units."""
    total = 0
    for index, char in enumerate(text):
        total += 2 if ord(char) > 0xFFFF else 1
        if total > units:
            return text[:index]
    return text


def trim_plain(text: str, limit: int) -> tuple[str, bool]:
    """Plain text cut to `limit` characters at a word boundary if one is near; (text, trimmed)."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.8 else cut).rstrip(), True


# --- callback data: `<action>:<arg>:<arg>`, always within Telegram's 64 bytes -------------------


class Action(StrEnum):
    """What an inline button does; the value is the callback data's first field."""

    DAYS = "pd"  # the programme's days
    DAY = "d"  # a day's sessions: date, page
    SESSION = "s"  # a session card: ref
    VERTICALS = "pv"  # the list of verticals
    VERTICAL = "v"  # a vertical's sessions: ref, page
    SAVE = "sv"  # save to my agenda: ref
    UNSAVE = "us"  # remove from my agenda: ref
    REMIND = "rm"  # remind me: ref
    ICS = "ic"  # send the .ics file: ref
    FEEDBACK = "fb"  # thumbs up/down: question id, 1 or -1
    LANG = "lg"  # choose a language: fr, en, ar
    FOLLOW = "fo"  # follow (+) or stop following (-) a vertical: sign, ref
    BROADCAST = "bc"  # an admin's previewed announcement: go or no, draft id
    ASK_ORGANISERS = "ao"  # forward an unanswered question to the organisers: question id
    FAQ = "fq"  # answer (a) or stop answering (c) a group of unanswered questions: draft id
    NOOP = "x"  # a label-only button (page counter)
    AGENDA_ICS = "ai"  # my whole agenda as one .ics
    REMIND_ALL = "ra"  # remind me of every session in my agenda
    LEAD = "ld"  # how early my reminders come: minutes
    RATE = "rt"  # rate a session after it ended: ref, stars 1-5
    ANSWER_LIST = "al"  # a page of the sessions a programme answer listed: list key, page


@dataclass(frozen=True, slots=True)
class Callback:
    """Parsed callback data."""

    action: Action
    args: tuple[str, ...] = ()


def callback_data(action: Action, *args: object) -> str:
    """Build callback data; raise ValueError past 64 bytes or with a `:` inside an argument."""
    parts = [str(arg) for arg in args]
    if any(":" in part for part in parts):
        raise ValueError(f"callback argument with ':' in {parts!r}")
    data = ":".join([action.value, *parts])
    if len(data.encode()) > MAX_CALLBACK_DATA:
        raise ValueError(f"callback data over {MAX_CALLBACK_DATA} bytes: {data!r}")
    return data


def parse_callback(data: str | None) -> Callback | None:
    """Read callback data built by `callback_data`; None if it is not ours."""
    if not data:
        return None
    head, *args = data.split(":")
    try:
        return Callback(Action(head), tuple(args))
    except ValueError:
        return None


def short_ref(identifier: str) -> str:
    """A compact id for callback data and deep links: the id itself when short and plain."""
    if _SAFE_REF.fullmatch(identifier) and not identifier.startswith("_"):
        return identifier
    return "_" + hashlib.sha256(identifier.encode()).hexdigest()[:16]


def resolve_ref(ref: str, identifiers: Iterable[str]) -> str | None:
    """The identifier `short_ref` turned into `ref`, among `identifiers`."""
    for identifier in identifiers:
        if short_ref(identifier) == ref:
            return identifier
    return None


def button(label: str, action: Action, *args: object) -> InlineKeyboardButton:
    """An inline button carrying callback data."""
    return InlineKeyboardButton(label, callback_data=callback_data(action, *args))


def clip_label(text: str, limit: int = 48) -> str:
    """A button label short enough to read on a phone."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


@dataclass(frozen=True, slots=True)
class Page:
    """A message to send or edit: Telegram HTML and its inline keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


# --- answers ---------------------------------------------------------------------------------


def source_label(passage: Passage, knowledge: KnowledgeBase, language: str) -> str:
    """What a cited passage is, for people: a session title, a vertical, a heading."""
    if passage.kind is PassageKind.SESSION and passage.session_id in knowledge.sessions:
        return knowledge.sessions[passage.session_id].title
    if passage.kind is PassageKind.VERTICAL and passage.vertical_id in knowledge.verticals:
        return knowledge.verticals[passage.vertical_id].name(language)
    if passage.kind is PassageKind.EVENT and knowledge.event is not None:
        return knowledge.event.names.get(language) or knowledge.event.name
    if passage.heading:
        return passage.heading[-1]
    return passage.source.rsplit("/", 1)[-1]


def _emphasise_heading(body: str) -> str:
    """Escape the body; a short first line (a passage's heading) goes in bold."""
    first, newline, rest = body.partition("\n")
    if newline and rest.strip() and len(first) <= HEADING_MAX:
        return f"<b>{esc(first.strip())}</b>\n{esc(rest.strip())}"
    return esc(body)


def answer_html(answer: Answer, knowledge: KnowledgeBase, note: str = "") -> str:
    """The reply to a question: the answer, then where it comes from; within 4,096.

    The core answers with its best passage, so that passage is the source cited.
    """
    language = answer.language
    head = f"<i>{esc(note)}</i>\n\n" if note else ""
    body = answer.text.strip()
    tail = ""
    if answer.answered and answer.hits:
        passage = answer.hits[0].passage
        label = source_label(passage, knowledge, language)
        # A heading already shown in bold above is not worth repeating next to the file.
        named = "" if body.startswith(label) else f"{esc(label)} — "
        sources = f"<b>{esc(t('sources', language))}</b>{colon(language)}"
        tail = f"\n\n📎 {sources}{named}<i>{esc(passage.source)}</i>"
    elif not answer.answered:
        tail = "\n\n" + esc(t("abstain_offer", language))
    room = MAX_TEXT - utf16_len(head + tail)
    return truncate_html(head + truncate_html(_emphasise_heading(body), room) + tail)


def answer_keyboard(
    answer: Answer, question_id: int, session: Session | None
) -> InlineKeyboardMarkup:
    """Programme links and the organisers on abstention; a session's card; thumbs up/down."""
    language = answer.language
    rows = []
    if not answer.answered:
        rows.append(
            [
                button(t("btn_programme", language), Action.DAYS),
                button(t("btn_verticals", language), Action.VERTICALS),
            ]
        )
        rows.append([button(t("btn_ask_organisers", language), Action.ASK_ORGANISERS, question_id)])
    if session is not None:
        ref = short_ref(session.id)
        rows.append([button(t("btn_open", language), Action.SESSION, ref, NEW_MESSAGE)])
        rows.append(
            [
                button(t("btn_save", language), Action.SAVE, ref),
                button(t("btn_remind", language), Action.REMIND, ref),
            ]
        )
    rows.append(
        [
            button("👍", Action.FEEDBACK, question_id, 1),
            button("👎", Action.FEEDBACK, question_id, -1),
        ]
    )
    return InlineKeyboardMarkup(rows)


def top_session(answer: Answer, knowledge: KnowledgeBase) -> Session | None:
    """The session the answer is about, when its best passage is a session."""
    if not answer.answered or not answer.hits:
        return None
    passage = answer.hits[0].passage
    if passage.session_id is None:
        return None
    return knowledge.sessions.get(passage.session_id)


# --- sessions --------------------------------------------------------------------------------


def session_line(session: Session, zone: tzinfo) -> str:
    """One line of a list: time, title, room."""
    when = spell_time_range(session.start.astimezone(zone), session.end.astimezone(zone))
    line = f"• {esc(when)} <b>{esc(session.title)}</b>"
    if session.room:
        line += f" · {esc(session.room)}"
    return f"<s>{line}</s>" if session.cancelled else line


def session_card(session: Session, knowledge: KnowledgeBase, language: str, zone: tzinfo) -> str:
    """A session's card: title, vertical, date and time, room, speakers, description."""
    start, end = session.start.astimezone(zone), session.end.astimezone(zone)
    lines = [f"<b>{esc(session.title)}</b>"]
    if session.cancelled:
        lines[0] = f"<s>{lines[0]}</s> <b>{esc(t('session_cancelled', language))}</b>"
    vertical = knowledge.verticals.get(session.vertical_id or "")
    if vertical is not None:
        lines.append(f"🧭 {esc(vertical.name(language))}")
    when = f"{spell_date(start.date(), language)} · {spell_time_range(start, end)}"
    lines.append(f"📅 {esc(when)}")
    if session.room:
        lines.append(f"📍 {esc(session.room)}")
    if session.speakers:
        lines.append(f"🎤 {esc(', '.join(session.speakers))}")
    if session.description:
        lines.append("\n" + esc(session.description.strip()))
    if session.illustrative:
        lines.append(f"\n<i>{esc(t('illustrative', language))}</i>")
    return truncate_html("\n".join(lines))


def session_keyboard(
    session: Session, language: str, saved: bool, back: InlineKeyboardButton | None = None
) -> InlineKeyboardMarkup:
    """The card's buttons: save or remove, remind me, .ics, and a way back."""
    ref = short_ref(session.id)
    save = (
        button(t("btn_unsave", language), Action.UNSAVE, ref, CARD_FLAG)
        if saved
        else button(t("btn_save", language), Action.SAVE, ref, CARD_FLAG)
    )
    rows = [[save], [button(t("btn_remind", language), Action.REMIND, ref)]]
    rows[1].append(button(t("btn_ics", language), Action.ICS, ref))
    if back is not None:
        rows.append([back])
    return InlineKeyboardMarkup(rows)


def deep_link(bot_username: str, session: Session) -> str:
    """A t.me link that opens this session's card in a private chat with the bot."""
    return f"https://t.me/{bot_username}?start=s_{short_ref(session.id)}"
