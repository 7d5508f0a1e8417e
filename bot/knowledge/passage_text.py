"""The words of a programme: the text of generated passages in fr/en/ar."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import tzinfo

from bot.domain import EventInfo, Session, Vertical
from bot.i18n.dates import (
    join_date_time,
    quote,
    spell_date,
    spell_date_range,
    spell_short_date,
    spell_time_range,
    zone_label,
)

# fmt: off
_WORDS: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "session": "séance", "vertical": "verticale", "room": "Lieu : ",
        "speaker": "Intervenant : ", "speakers": "Intervenants : ",
        "cancelled": "Séance annulée.", "tentative": "Horaire à confirmer.",
        "illustrative": "(Horaire, lieu et intervenants donnés à titre indicatif, "
        "à confirmer par les organisateurs.)",
        "sep": " ; ", "colon": " : ",
        "sessions": "Séances", "verticals": "Verticales du programme", "in": "à ",
        "zone": "Heures locales, fuseau ", "indicative": "(horaires indicatifs)",
    },
    "en": {
        "session": "session", "vertical": "vertical", "room": "Room: ",
        "speaker": "Speaker: ", "speakers": "Speakers: ",
        "cancelled": "This session is cancelled.", "tentative": "Time to be confirmed.",
        "illustrative": "(Time, room and speakers are illustrative, "
        "to be confirmed by the organisers.)",
        "sep": "; ", "colon": ": ",
        "sessions": "Sessions", "verticals": "Verticals in the programme", "in": "in ",
        "zone": "Local times, time zone ", "indicative": "(illustrative times)",
    },
    "ar": {
        "session": "جلسة", "vertical": "محور", "room": "القاعة: ",
        "speaker": "المتدخل: ", "speakers": "المتدخلون: ",
        "cancelled": "ألغيت هذه الجلسة.", "tentative": "التوقيت في انتظار التأكيد.",
        "illustrative": "(التوقيت والقاعة والمتدخلون على سبيل التوضيح، "
        "في انتظار تأكيدها من طرف المنظمين.)",
        "sep": "؛ ", "colon": ": ",
        "sessions": "الجلسات", "verticals": "محاور البرنامج", "in": "في ",
        "zone": "بالتوقيت المحلي، المنطقة الزمنية ", "indicative": "(مواعيد على سبيل التوضيح)",
    },
}
# fmt: on
_COMMA = {"ar": "، "}


def _lang(language: str) -> str:
    return language if language in _WORDS else "en"


def shorten(text: str, limit: int = 300) -> str:
    """Cut at a sentence end (or else a word) near `limit` characters."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    window = text[: limit + 1]
    ends = [m.end() for m in re.finditer(r"[.!?؟](?=\s)", window)]
    if ends and ends[-1] >= limit // 2:
        return window[: ends[-1]]
    cut = window.rfind(" ")
    return window[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"


def session_passage_text(
    session: Session,
    vertical: Vertical | None,
    language: str,
    zone: tzinfo,
    *,
    kind: str = "",
    vertical_word: str = "",
    show_zone: bool = False,
    for_search: bool = False,
) -> str:
    """One session as a passage that answers when, where and who by itself.

    `for_search` leaves out the date, time, room and status sentences: they cost a quarter of
    the tokens of a FOSDEM-size programme's passages to embed, while questions on times and
    rooms are answered from the programme itself and matched by the lexical index."""
    lang = _lang(language)
    words = _WORDS[lang]
    comma = _COMMA.get(lang, ", ")
    head = f"{session.title} — {kind or words['session']}"
    if vertical is not None:
        head += f"{comma}{vertical_word or words['vertical']} {quote(vertical.name(lang), lang)}"
    start, end = session.start.astimezone(zone), session.end.astimezone(zone)
    when = join_date_time(spell_date(start.date(), lang), spell_time_range(start, end), lang)
    if show_zone:
        when += f" ({zone_label(zone, start)})"
    parts = [head + "."]
    if not for_search:
        parts.append(when[:1].upper() + when[1:] + ".")
        if session.room:
            parts.append(f"{words['room']}{session.room}.")
    if session.speakers:
        label = words["speakers"] if len(session.speakers) > 1 else words["speaker"]
        parts.append(label + comma.join(session.speakers) + ".")
    if not for_search and session.cancelled:
        parts.append(words["cancelled"])
    elif not for_search and session.status == "tentative":
        parts.append(words["tentative"])
    if session.description:
        parts.append(shorten(session.description))
    if session.illustrative and not for_search:
        parts.append(words["illustrative"])
    return " ".join(parts)


def event_passage_text(
    event: EventInfo,
    language: str,
    place: str,
    vertical_names: Sequence[str],
) -> str:
    """The event in one passage: name, days, place, time zone and its verticals."""
    lang = _lang(language)
    words = _WORDS[lang]
    comma = _COMMA.get(lang, ", ")
    name = event.names.get(lang) or event.name
    text = f"{name}{words['colon']}{spell_date_range(event.start_date, event.end_date, lang)}"
    if place:
        text += f"{comma}{words['in']}{place}"
    text += f". {words['zone']}{event.timezone}."
    if vertical_names:
        listed = words["sep"].join(vertical_names)
        text += f" {words['verticals']} ({len(vertical_names)}){words['colon']}{listed}."
    return text


def vertical_passage_text(
    vertical: Vertical,
    language: str,
    description: str,
    sessions: Sequence[tuple[str, Session]],
    zone: tzinfo,
    event_name: str = "",
) -> str:
    """A vertical with its description and its sessions' titles, days and times."""
    lang = _lang(language)
    words = _WORDS[lang]
    text = f"{words['vertical'].capitalize()} {quote(vertical.name(lang), lang)}"
    if event_name:
        text += f" — {event_name}"
    text += "."
    if description:
        text += " " + shorten(description, 400)
    if sessions:
        listed = []
        for title, session in sorted(sessions, key=lambda pair: pair[1].start):
            start, end = session.start.astimezone(zone), session.end.astimezone(zone)
            day = spell_short_date(start.date(), lang)
            when = join_date_time(day, spell_time_range(start, end), lang)
            listed.append(f"{quote(title, lang)} ({when})")
        text += (
            f" {words['sessions']} ({len(sessions)}){words['colon']}{words['sep'].join(listed)}."
        )
        if any(session.illustrative for _, session in sessions):
            text += " " + words["indicative"]
    return text
