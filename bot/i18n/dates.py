"""Dates, times and quotes in French, English and Arabic, spelled by Babel from CLDR data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.lists import format_list

# The CLDR locale each language is written in. Arabic is Moroccan (`ar_MA`) because the first event
# is: CLDR gives it the Moroccan month names (يوليوز, غشت, شتنبر...) and Latin digits, as the
# Moroccan press writes dates; plain `ar` would give the Middle-Eastern names (يوليو, أغسطس...).
# English is British (`en_GB`): day before month, 24-hour clock.
LOCALES: Mapping[str, Locale] = {
    "fr": Locale.parse("fr_FR"),
    "en": Locale.parse("en_GB"),
    "ar": Locale.parse("ar_MA"),
}
# Babel does not carry CLDR's quotation delimiters, so the marks are written here.
_QUOTES: Mapping[str, tuple[str, str]] = {
    "fr": ("« ", " »"),
    "en": ("\u201c", "\u201d"),
    "ar": ("«", "»"),
}
_UNQUOTED_DAY = re.compile(r"(?<![d'])d(?!d)")


def _locale(language: str) -> Locale:
    return LOCALES.get(language, LOCALES["en"])


def _lang(language: str) -> str:
    return language if language in LOCALES else "en"


def _skeleton(skeleton: str, language: str) -> str:
    """The locale's pattern for a CLDR skeleton, with weekdays and months in full.

    CLDR lists skeletons with short fields (`E`, `MMM`); like ICU's pattern generator, widen them
    to the width asked for, which Babel's own matching does not do.
    """
    pattern = str(_locale(language).datetime_skeletons[skeleton])
    pattern = re.sub(r"(?<!E)E{1,3}(?!E)", "EEEE", pattern)
    return re.sub(r"(?<!M)M{3}(?!M)", "MMMM", pattern)


def _first_of_month(pattern: str, d: date, language: str) -> str:
    # French writes the first day of a month as an ordinal ("1er juillet"); CLDR dates have no
    # ordinal days, so the day field becomes the literal "1er" on that day only.
    if language == "fr" and d.day == 1:
        return _UNQUOTED_DAY.sub("'1er'", pattern)
    return pattern


def _format(d: date, pattern: str, language: str) -> str:
    lang = _lang(language)
    return format_date(d, _first_of_month(pattern, d, lang), locale=_locale(lang))


def spell_date(d: date, language: str) -> str:
    """A weekday and date in words: `mardi 1er juillet 2025`, `Tuesday, 1 July 2025`."""
    lang = _lang(language)
    spelled = _format(d, str(_locale(lang).date_formats["full"]), lang)
    if lang == "ar":  # month names differ across the Arab world: add the numeric date
        spelled += f" ({format_date(d, 'short', locale=_locale(lang))})"
    return spelled


def spell_short_date(d: date, language: str) -> str:
    """A weekday and date without the year: `mardi 1er juillet`, `Tuesday 1 July`."""
    return _format(d, _skeleton("MMMMEd", language), language)


def spell_time(moment: datetime) -> str:
    """A time of day as `09:30`: the 24-hour clock, as all three locales write it."""
    return format_time(moment, "HH:mm", locale=LOCALES["en"])


def spell_time_range(start: datetime, end: datetime) -> str:
    """Start and end as `09:30–10:30` (the caller converts both to the local time zone)."""
    return f"{spell_time(start)}–{spell_time(end)}"


def join_date_time(day: str, time: str, language: str) -> str:
    """A date and a time joined as the locale does: `mardi 1er juillet, 09:30` (`،` in Arabic)."""
    glue = str(_locale(language).datetime_formats["medium"])
    return glue.replace("{1}", day).replace("{0}", time)


def spell_and(items: list[str], language: str) -> str:
    """Items listed the locale's way: `a, b et c`, `a and b`, `أ وب`."""
    return format_list(items, locale=_locale(language))


def spell_date_range(start: date, end: date, language: str) -> str:
    """The days of an event: `1er et 2 juillet 2025 (mardi et mercredi)`."""
    lang = _lang(language)
    if end <= start:
        return spell_date(start, lang)
    if end - start == timedelta(days=1):
        same_month = (start.month, start.year) == (end.month, end.year)
        first_pattern = "d" if same_month else _skeleton("MMMMd", lang)
        if start.year != end.year:
            first_pattern = _skeleton("yMMMMd", lang)
        first = _format(start, first_pattern, lang)
        last = _format(end, _skeleton("yMMMMd", lang), lang)
        days = [format_date(d, "EEEE", locale=_locale(lang)) for d in (start, end)]
        return f"{spell_and([first, last], lang)} ({spell_and(days, lang)})"
    return _interval(start, end, lang)


def _interval(start: date, end: date, language: str) -> str:
    """A longer span with CLDR's interval pattern: `dimanche 27 – mercredi 30 décembre 2020`."""
    formats = _locale(language).interval_formats["yMMMEd"]
    if start.year != end.year:
        field = "y"
    elif start.month != end.month:
        field = "M"
    else:
        field = "d"
    first_part, last_part = formats[field]
    widen = {"E": "EEEE", "EEE": "EEEE", "MMM": "MMMM"}

    def wide(pattern: str) -> str:
        return re.sub(r"E{1,3}|M{3}", lambda m: widen.get(m.group(0), m.group(0)), pattern)

    return _format(start, wide(first_part), language) + _format(end, wide(last_part), language)


def zone_label(zone: tzinfo, moment: datetime) -> str:
    """An IANA name when there is one, else the UTC offset: `Europe/Berlin`, `UTC+01:00`."""
    if isinstance(zone, ZoneInfo) and not zone.key.startswith("Etc/"):
        return zone.key
    local = moment.astimezone(zone)
    return "UTC" + format_datetime(local, "xxx", tzinfo=zone, locale=LOCALES["en"])


def quote(text: str, language: str) -> str:
    """Quote a title the way this language does."""
    opening, closing = _QUOTES[_lang(language)]
    return f"{opening}{text}{closing}"
