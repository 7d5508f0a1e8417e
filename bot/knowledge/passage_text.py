"""The words of a programme: dates spelled in fr/en/ar and the text of generated passages."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.domain import EventInfo, Session, Vertical

# fmt: off
WEEKDAYS: Mapping[str, tuple[str, ...]] = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
}
MONTHS: Mapping[str, tuple[str, ...]] = {
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    # Moroccan month names, as the Moroccan press writes them.
    "ar": (
        "يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت",
        "شتنبر", "أكتوبر", "نونبر", "دجنبر",
    ),
}

_WORDS: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "session": "séance", "vertical": "verticale", "room": "Lieu : ",
        "speaker": "Intervenant : ", "speakers": "Intervenants : ",
        "cancelled": "Séance annulée.", "tentative": "Horaire à confirmer.",
        "illustrative": "(Horaire, lieu et intervenants donnés à titre indicatif, "
        "à confirmer par les organisateurs.)",
        "open": "« ", "close": " »", "and": " et ", "sep": " ; ", "colon": " : ",
        "sessions": "Séances", "verticals": "Verticales du programme", "in": "à ",
        "zone": "Heures locales, fuseau ", "indicative": "(horaires indicatifs)",
    },
    "en": {
        "session": "session", "vertical": "vertical", "room": "Room: ",
        "speaker": "Speaker: ", "speakers": "Speakers: ",
        "cancelled": "This session is cancelled.", "tentative": "Time to be confirmed.",
        "illustrative": "(Time, room and speakers are illustrative, "
        "to be confirmed by the organisers.)",
        "open": "\u201c", "close": "\u201d", "and": " and ", "sep": "; ", "colon": ": ",
        "sessions": "Sessions", "verticals": "Verticals in the programme", "in": "in ",
        "zone": "Local times, time zone ", "indicative": "(illustrative times)",
    },
    "ar": {
        "session": "جلسة", "vertical": "محور", "room": "القاعة: ",
        "speaker": "المتدخل: ", "speakers": "المتدخلون: ",
        "cancelled": "ألغيت هذه الجلسة.", "tentative": "التوقيت في انتظار التأكيد.",
        "illustrative": "(التوقيت والقاعة والمتدخلون على سبيل التوضيح، "
        "في انتظار تأكيدها من طرف المنظمين.)",
        "open": "«", "close": "»", "and": " و", "sep": "؛ ", "colon": ": ",
        "sessions": "الجلسات", "verticals": "محاور البرنامج", "in": "في ",
        "zone": "بالتوقيت المحلي، المنطقة الزمنية ", "indicative": "(مواعيد على سبيل التوضيح)",
    },
}
# fmt: on
_COMMA = {"ar": "، "}


def _lang(language: str) -> str:
    return language if language in _WORDS else "en"


def _day(d: date, language: str) -> str:
    return "1er" if language == "fr" and d.day == 1 else str(d.day)


def spell_date(d: date, language: str) -> str:
    """A weekday and date in words: `mardi 1er juillet 2025`, `Tuesday 1 July 2025`."""
    lang = _lang(language)
    spelled = f"{WEEKDAYS[lang][d.weekday()]} {_day(d, lang)} {MONTHS[lang][d.month - 1]} {d.year}"
    if lang == "ar":  # month names differ across the Arab world: add the numeric date
        spelled += f" ({d.day}/{d.month}/{d.year})"
    return spelled


def spell_short_date(d: date, language: str) -> str:
    """A weekday and date without the year: `mardi 1er juillet`."""
    lang = _lang(language)
    return f"{WEEKDAYS[lang][d.weekday()]} {_day(d, lang)} {MONTHS[lang][d.month - 1]}"


def spell_time_range(start: datetime, end: datetime) -> str:
    """Start and end as `09:30–10:30` (the caller converts both to the local time zone)."""
    return f"{start:%H:%M}–{end:%H:%M}"


def spell_date_range(start: date, end: date, language: str) -> str:
    """The days of an event: `1er et 2 juillet 2025 (mardi et mercredi)`."""
    lang = _lang(language)
    words = _WORDS[lang]
    if end <= start:
        return spell_date(start, lang)
    month = MONTHS[lang]
    first = f"{_day(start, lang)} {month[start.month - 1]}"
    last = f"{_day(end, lang)} {month[end.month - 1]} {end.year}"
    if start.year != end.year:
        first += f" {start.year}"
    elif start.month == end.month:
        first = _day(start, lang)
    days = (WEEKDAYS[lang][start.weekday()], WEEKDAYS[lang][end.weekday()])
    if end - start == timedelta(days=1):
        return f"{first}{words['and']}{last} ({days[0]}{words['and']}{days[1]})"
    if lang == "fr":
        return f"du {first} au {last} (du {days[0]} au {days[1]})"
    if lang == "ar":
        return f"من {first} إلى {last} (من {days[0]} إلى {days[1]})"
    dash = "–" if start.month == end.month and start.year == end.year else " – "
    return f"{first}{dash}{last} ({days[0]} to {days[1]})"


def zone_label(zone: tzinfo, moment: datetime) -> str:
    """An IANA name when there is one, else the UTC offset: `Europe/Berlin`, `UTC+01:00`."""
    if isinstance(zone, ZoneInfo) and not zone.key.startswith("Etc/"):
        return zone.key
    offset = moment.astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def quote(text: str, language: str) -> str:
    """Quote a title the way this language does."""
    words = _WORDS[_lang(language)]
    return f"{words['open']}{text}{words['close']}"


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
) -> str:
    """One session as a passage that answers when, where and who by itself."""
    lang = _lang(language)
    words = _WORDS[lang]
    comma = _COMMA.get(lang, ", ")
    head = f"{session.title} — {kind or words['session']}"
    if vertical is not None:
        head += f"{comma}{vertical_word or words['vertical']} {quote(vertical.name(lang), lang)}"
    start, end = session.start.astimezone(zone), session.end.astimezone(zone)
    when = f"{spell_date(start.date(), lang)}{comma}{spell_time_range(start, end)}"
    if show_zone:
        when += f" ({zone_label(zone, start)})"
    parts = [head + ".", when[:1].upper() + when[1:] + "."]
    if session.room:
        parts.append(f"{words['room']}{session.room}.")
    if session.speakers:
        label = words["speakers"] if len(session.speakers) > 1 else words["speaker"]
        parts.append(label + comma.join(session.speakers) + ".")
    if session.cancelled:
        parts.append(words["cancelled"])
    elif session.status == "tentative":
        parts.append(words["tentative"])
    if session.description:
        parts.append(shorten(session.description))
    if session.illustrative:
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
    comma = _COMMA.get(lang, ", ")
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
            when = f"{spell_short_date(start.date(), lang)}{comma}{spell_time_range(start, end)}"
            listed.append(f"{quote(title, lang)} ({when})")
        text += (
            f" {words['sessions']} ({len(sessions)}){words['colon']}{words['sep'].join(listed)}."
        )
        if any(session.illustrative for _, session in sessions):
            text += " " + words["indicative"]
    return text
