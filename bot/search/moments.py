"""Time expressions in fr/en/ar ("now", "tomorrow morning", "dimanche à 15h", "le 24") as moments.

Questions are read after `normalise` (case, accents and Arabic spellings folded, `15:30` written
`15h30`). A programme day runs from 04:00 to 04:00, as pretalx and frab count it: a talk at 00:30
belongs to the evening before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from babel import Locale
from rapidfuzz import fuzz

from bot.search.normalise import STOP_WORDS, normalise

DAY_START = time(4, 0)  # pretalx's default day_start: the night belongs to the day before
_PARTS = {  # part of a day: (from, to) in hours after midnight; 28 is 04:00 the next morning
    "morning": (4, 12),
    "afternoon": (12, 20),  # "après-midi" stretches to the early evening
    "after_lunch": (13, 20),
    "evening": (18, 28),
}


def _pattern(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives))


_B = r"(?<![\w])"  # a word start that also works next to Arabic letters
_E = r"(?![\w])"
_NOW = _pattern(
    rf"{_B}(right now|now|rn|at the moment|currently|at present|ongoing|in progress){_E}",
    rf"{_B}(maintenant|maintenat|mnt|mtn|en ce moment|actuellement|en cours|a l instant){_E}",
    r"(?<![\w])[وف]?(الان|الحين|دابا|دبا|هلق|هلا|حاليا|الجاري\w*|جاري\w*)(?![\w])",
)
_NOW_SPEAKING = _pattern(
    rf"{_B}(who s|who is|whos|qui)\s+(speaking|talking|presenting|on stage|parle|intervient)"
    rf"(?!\s+(de|about|on|sur)){_E}",
    r"(?<![\w])(شكون|من)\s+(كيهضر|يتحدث|يتكلم)",
)
_NOW_WEAK = _pattern(
    rf"{_B}(happening|going on|se passe|a lieu|se deroule){_E}",
    r"(?<![\w])(يجري|يحدث|يعرض)(?![\w])",
)
_NEXT = _pattern(
    rf"{_B}(next|up next|coming up|after this|afterwards)(?![\w-])",
    rf"{_B}(prochaine?s?|ensuite|suivante?s?|apres ca|la suite|juste apres){_E}",
    r"القادم|الجاي|التالي|المقبل|الموالي|من بعد|بعدها",
)
_LATER = _pattern(
    rf"{_B}(later today|later on|later|rest of the day){_E}",
    rf"{_B}(plus tard|tout a l heure|reste de la journee){_E}",
    r"لاحقا|في وقت لاحق|بقيه اليوم",
)
_TODAY = _pattern(
    rf"{_B}(today|tday|this (morning|afternoon|evening)|tonight){_E}",
    rf"{_B}(aujourd ?hui|aujourdhui|auj|ce (matin|soir)|cet (apres[ -]?midi|aprem)){_E}",
    rf"{_B}(ce jour|cette (matinee|soiree|apres[ -]?midi)){_E}",
    r"(?<![\w])[وف]?(اليوم|هاد النهار|هذا الصباح|هذا المساء|الليله)(?![\w])",
)
_TOMORROW = _pattern(
    rf"{_B}(tomorrow|tomorow|tommorow|tmrw|demain|dmain){_E}",
    r"(?<![\w])[وف]?(غدا|غدوه|بكره|بكرا|غدوا)(?![\w])",
)
_YESTERDAY = _pattern(rf"{_B}(yesterday|hier){_E}", r"البارح|امس")
_PART_WORDS = {
    "after_lunch": _pattern(
        rf"{_B}(after lunch|apres (le |la )?(dejeuner|dej|repas|pause dejeuner|manger)){_E}",
        r"بعد الغداء|بعد الغذاء|بعد الغدا",
    ),
    "afternoon": _pattern(
        rf"{_B}(afternoon|after noon|apres[ -]?midi|aprem|aprm|apres midi){_E}",
        r"بعد الظهر|بعد الزوال|العشيه|عشيه|الظهيره",
    ),
    "evening": _pattern(
        rf"{_B}(evening|tonight|night|soir|soiree|nuit){_E}", r"مساء|المساء|الليله|الليل|ليلا"
    ),
    "morning": _pattern(
        rf"{_B}(morning|matin|matinee|mat){_E}", r"صباح|الصباح|صباحا|الصبح|فالصباح"
    ),
}
# Times: `15h30`, `16h`, `16 heures`, `3h30 pm`, `6pm`, `10 am`, `midi`, `noon`; Arabic hours.
_CLOCK = re.compile(
    r"(?<![\w])(?:at |a |vers |around |@ ?)?(\d{1,2})"
    r"(?:\s*h(?:eures?|rs?)?\s*(\d{2})?|\s*(?=am|pm|a m|p m))"
    r"(?:\s*(am|pm|a m|p m))?(?![\w])"
)
_AT_HOUR = re.compile(r"(?<![\w])(?:at|around|vers)\s+(\d{1,2})(?:\s*h)?(?![\w\d/.-])")
_NOON = _pattern(rf"{_B}(noon|midday|midi){_E}", r"الزوال")
_MIDNIGHT = _pattern(rf"{_B}(midnight|minuit){_E}", r"منتصف الليل")
_AR_HOUR = re.compile(r"(?:الساعه|ساعه|على)\s*(\d{1,2})(?:h(\d{2}))?")
_AR_HOUR_WORDS = (
    ("الحاديه عشر", 11), ("الثانيه عشر", 12), ("الواحده", 1), ("الثانيه", 2), ("الثالثه", 3),
    ("الرابعه", 4), ("الخامسه", 5), ("السادسه", 6), ("السابعه", 7), ("الثامنه", 8),
    ("التاسعه", 9), ("العاشره", 10),
)  # fmt: skip
_AR_PM = re.compile(r"ظهرا|بعد الظهر|مساء|ليلا|العشيه")
_DAY_NUMBER = re.compile(
    r"(?<![\w])(?:le|the|on|du|au|ce|يوم|nhar)\s+(\d{1,2})(?:st|nd|rd|th|er|eme)?(?![\w:h/.])"
    r"|(?<![\w])(\d{1,2})(?:st|nd|rd|th)(?![\w])"
)
_NUMERIC_DATE = re.compile(r"(?<![\w/-])(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?(?![\w/-])")
# "the first day", "deuxième journée", "اليوم الأول": a day by its number in the event, which
# the press describes better than a list of sessions: not read as "today".
_ORDINAL_DAY = re.compile(
    r"(?<![\w])(?P<word>first|second|third|last|premier|premiere|deuxieme|seconde|troisieme|"
    r"dernier|derniere)\s+(?:day|jour|journee)(?![\w])"
    r"|(?<![\w])(?P<nth>\d)(?:st|nd|rd|th|er|ere|e|eme)\s+(?:day|jour|journee)(?![\w])"
    r"|(?<![\w])(?:day|jour|journee) (?P<number>\d|one|two|three)(?![\w])"
    r"|اليوم (?P<arabic>الاول|الثاني|الثالث|الاخير)"
)
# Its place in the event, counted from 0; -1 is the last day ("day 4", "2e jour": the digit).
_ORDINAL_PLACE = {
    **dict.fromkeys(("first", "premier", "premiere", "one", "الاول"), 0),
    **dict.fromkeys(("second", "deuxieme", "seconde", "two", "الثاني"), 1),
    **dict.fromkeys(("third", "troisieme", "three", "الثالث"), 2),
    **dict.fromkeys(("last", "dernier", "derniere", "الاخير"), -1),
}


@dataclass(frozen=True, slots=True)
class Moment:
    """What a question means in time: a kind and the moment or window it resolves to."""

    kind: str  # "now" | "next" | "later" | "at" (an instant) | "window" (sessions starting in it)
    start: datetime  # the instant for "now"/"at"/"next"; the window's start otherwise
    end: datetime  # equal to start for an instant
    day: date | None = None  # the programme day asked for, when one was named
    part: str = ""  # morning | afternoon | after_lunch | evening, when one was named
    explicit: bool = True  # False when the question named no time at all (the whole programme)
    weak: bool = False  # "now" read from "happening" / "a lieu" only, not from "now" itself


def logical_day(moment: datetime, zone: tzinfo) -> date:
    """The programme day a moment belongs to (before 04:00: the evening before)."""
    local = moment.astimezone(zone)
    return (local - timedelta(hours=DAY_START.hour, minutes=DAY_START.minute)).date()


def day_window(day: date, zone: tzinfo, part: str = "") -> tuple[datetime, datetime]:
    """The window of a programme day, or of a part of it, as aware datetimes."""
    low, high = _PARTS.get(part, (DAY_START.hour, DAY_START.hour + 24))
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    return midnight + timedelta(hours=low), midnight + timedelta(hours=high)


@lru_cache(maxsize=1)
def _weekday_names() -> dict[str, int]:
    """Weekday names (Babel/CLDR, fr/en/ar, folded) to Python weekday numbers."""
    names: dict[str, int] = {}
    for lang in ("fr", "en", "ar"):
        for number, name in Locale(lang).days["format"]["wide"].items():
            folded = normalise(name)
            names[folded] = number
            if folded.startswith("ال"):
                names[folded[2:]] = number
    return names


@lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    """Month names and abbreviations (Babel/CLDR fr/en/ar, plus Moroccan Arabic), folded."""
    names: dict[str, int] = {}
    for lang in ("fr", "en", "ar"):
        months = Locale(lang).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months[context][width].items():
                    folded = normalise(name).rstrip(".")
                    if len(folded) >= 3:
                        names[folded] = number
    moroccan = ("يناير فبراير مارس ابريل ماي يونيو يوليوز غشت شتنبر اكتوبر نونبر دجنبر").split()
    names.update({name: number for number, name in enumerate(moroccan, 1)})
    names.pop("mar", None)  # "mar" is also French for Tuesday (abbreviated)
    return names


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def _weekday(text: str) -> int | None:
    """The weekday a question names, typos included (`mecredi`, `tuesdy`)."""
    names = _weekday_names()
    for token in _tokens(text):
        for prefix in ("", "ب", "يوم"):  # not "و": و + احد is "واحد" (one)
            if token.startswith(prefix) and token[len(prefix) :] in names:
                return names[token[len(prefix) :]]
        if len(token) >= 5 and token.isascii():
            for name, number in names.items():
                if name.isascii() and fuzz.ratio(token, name) >= 85:
                    return number
    return None


def _month_day(text: str) -> tuple[int | None, int | None]:
    """(month, day) from `24 décembre`, `December 24th`, `27 دجنبر`, `24/12`; Nones if absent."""
    months = _month_names()
    tokens = _tokens(text)
    for position, token in enumerate(tokens):
        month = months.get(token)
        if month is None:
            continue
        for neighbour in (tokens[position - 1] if position else "", *tokens[position + 1 :][:1]):
            digits = re.match(r"^(\d{1,2})(?:st|nd|rd|th|er)?$", neighbour)
            if digits and 1 <= int(digits[1]) <= 31:
                return month, int(digits[1])
        return month, None
    for numeric in _NUMERIC_DATE.finditer(text):
        if (
            1 <= int(numeric[1]) <= 31
            and 1 <= int(numeric[2]) <= 12
            and not _version_number(text, numeric)
        ):
            return int(numeric[2]), int(numeric[1])
    number = _DAY_NUMBER.search(text)
    if number:
        value = int(number[1] or number[2])
        if 1 <= value <= 31:
            return None, value
    pairs = re.finditer(r"(?<![\w])([a-z\u0600-\u06ff]+)\s+(?:the\s+)?(\d{1,2})(?![\w:h])", text)
    for pair in pairs:
        if _weekday(pair[1]) is not None and 1 <= int(pair[2]) <= 31:
            return None, int(pair[2])
    return None, None


def _version_number(text: str, numeric: re.Match[str]) -> bool:
    """Whether a dotted day.month without a year follows a name, as a version does ("Python
    3.12", "Debian 12.5"); "le 3.12" and "on 3.12" stay dates, and so do "3/12" and "3.12.2025"."""
    if numeric[3] or text[numeric.start() + len(numeric[1])] != ".":
        return False
    before = text[: numeric.start()].split()[-1:]
    return bool(before) and before[0].isalpha() and before[0] not in STOP_WORDS


def _arabic_clock(text: str) -> time | None:
    """`الساعة 15:00`, `على الساعة الثانية عشرة ظهرا`: an hour in digits or in words."""
    found = _AR_HOUR.search(text)
    if found:
        hour, minute = int(found[1]), int(found[2] or 0)
    else:
        words = [value for word, value in _AR_HOUR_WORDS if word in text]
        if not words:
            return None
        hour, minute = words[0], 0
    if (_AR_PM.search(text) and hour < 12) or hour < 8:  # "الساعة 3" at a conference: 15:00
        hour += 12
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _clock(text: str) -> tuple[time | None, str]:
    """The clock time a question names, and the text without it (so `15h` is not a day)."""
    if _NOON.search(text) and not _PART_WORDS["afternoon"].search(text):
        return time(12, 0), _NOON.sub(" ", text)
    if _MIDNIGHT.search(text):
        return time(0, 0), _MIDNIGHT.sub(" ", text)
    found = _CLOCK.search(text)
    if found:
        hour, minute = int(found[1]), int(found[2] or 0)
        suffix = (found[3] or "").replace(" ", "")
        if suffix == "pm" and hour < 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            return time(hour, minute), text[: found.start()] + " " + text[found.end() :]
    arabic = _arabic_clock(text)
    if arabic is not None:
        return arabic, text
    bare = _AT_HOUR.search(text)
    if bare:
        hour = int(bare[1])
        if hour < 8:  # "at 3" at a conference means 15:00
            hour += 12
        if hour < 24:
            return time(hour, 0), text[: bare.start()] + " " + text[bare.end() :]
    return None, text


def _pick_day(candidates: Iterable[date], today: date, days: Sequence[date]) -> date | None:
    """Among dates that fit the question, one of the programme's days, else the nearest ahead."""
    options = sorted(set(candidates))
    in_programme = [d for d in options if d in days]
    if in_programme:
        ahead = [d for d in in_programme if d >= today]
        return ahead[0] if ahead else in_programme[0]
    ahead = [d for d in options if d >= today]
    return ahead[0] if ahead else (options[-1] if options else None)


def _named_day(text: str, today: date, days: Sequence[date]) -> date | None:
    """The day a question names: today, tomorrow, a weekday, a date; None if it names none."""
    month, day_number = _month_day(text)
    weekday = _weekday(text)
    reference = days[0] if days else today
    if day_number is not None:
        months = {(d.year, d.month) for d in days} or {(today.year, today.month)}
        if month is not None:
            months = {(year, month) for year, _ in months} or {(reference.year, month)}
        candidates = []
        for year, month_number in months:
            try:
                candidates.append(date(year, month_number, day_number))
            except ValueError:
                continue
        if weekday is not None:
            candidates = [d for d in candidates if d.weekday() == weekday] or candidates
        return _pick_day(candidates, today, days)
    if weekday is not None:
        around = [*days, today]
        start = min(around) - timedelta(days=7)
        span = (max(around) - start).days + 8
        options = [start + timedelta(days=i) for i in range(span)]
        return _pick_day((d for d in options if d.weekday() == weekday), today, days)
    if _TOMORROW.search(text):
        return today + timedelta(days=1)
    if _YESTERDAY.search(text):
        return today - timedelta(days=1)
    if _TODAY.search(text):
        return today
    return None


def _part(text: str) -> str:
    for part, pattern in _PART_WORDS.items():
        if pattern.search(text):
            return part
    return ""


def _event_day(ordinal: re.Match[str], days: Sequence[date]) -> date | None:
    """The programme day an ordinal names. Past the programme's last day (a third day of two)
    it is a day after the programme, so that the answer says when the programme runs."""
    if not days:
        return None
    said = next(group for group in ordinal.groups() if group)
    if said == "0":  # "day 0" is no day of the event
        return None
    place = int(said) - 1 if said.isdigit() else _ORDINAL_PLACE[said]
    ordered = sorted(days)
    if place < len(ordered):
        return ordered[place]
    return ordered[-1] + timedelta(days=place - len(ordered) + 1)


def read_moment(
    question: str,
    now: datetime,
    zone: tzinfo,
    days: Sequence[date] = (),
    by_event_day: bool = False,
) -> Moment | None:
    """The moment a question asks about, resolved against `now`; None if it names none.

    A day named by its place in the event ("the second day", "jour 2", "اليوم الثاني") is read
    only `by_event_day`: the press describes such a day better than a list of its sessions,
    unless the question asks for sessions."""
    text = normalise(question).replace("'", " ").replace("’", " ")
    text = re.sub(r"[?!؟,;]", " ", text)
    ordinal = _ORDINAL_DAY.search(text)
    if ordinal is not None:
        day = _event_day(ordinal, days) if by_event_day else None
        if day is None:
            return None
        part = _part(text)
        start, end = day_window(day, zone, part)
        return Moment("window", start, end, day, part)
    today = logical_day(now, zone)
    clock, rest = _clock(text)
    day = _named_day(rest, today, days)
    part = _part(rest)
    if clock is not None:
        base = day or today
        at = datetime.combine(base, clock, tzinfo=zone)
        if clock < DAY_START:  # "dimanche à 1h": the night after Sunday
            at += timedelta(days=1)
        return Moment("at", at, at, base, part)
    if _LATER.search(text) and day in (None, today) and not part:
        return Moment("later", now, day_window(today, zone)[1], today)
    if day is not None or part:
        base = day or today
        start, end = day_window(base, zone, part)
        return Moment("window", start, end, base, part)
    if _NEXT.search(text):
        return Moment("next", now, now)
    if _LATER.search(text):
        return Moment("later", now, day_window(today, zone)[1], today)
    if _NOW.search(text):
        return Moment("now", now, now)
    if _NOW_WEAK.search(text) or _NOW_SPEAKING.search(text):
        return Moment("now", now, now, weak=True)
    return None
