"""Programme queries run over the sessions, answered as a compact list in the asker's language."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from rapidfuzz import fuzz, process

from bot.domain import Answer, Hit, Passage, PassageKind, Session
from bot.i18n import colon, t
from bot.i18n.dates import spell_date, spell_short_date
from bot.search.moments import Moment, day_window, logical_day
from bot.search.normalise import fold_text, normalise
from bot.search.programme import Programme
from bot.search.programme_query import ProgrammeQuery
from bot.search.session_answer import session_line

# Retrieval for a topic no title or description names: (query, limit) -> sessions, best first.
TopicSearch = Callable[[str, int], list[Session]]


@dataclass(frozen=True, slots=True)
class _Result:
    sessions: list[Session]
    header: str = ""
    notes: tuple[str, ...] = ()  # said before the list (nothing matched, before/after the event)
    after: tuple[str, ...] = ()  # said after it (the nearest alternative)
    alternatives: tuple[Session, ...] = ()
    # The speaker, room or topic asked for is not in the programme: the reply says so, and
    # counts as an abstention (`answered` false). A language or kind no session has is an
    # answer about the programme (none in that language), like "nothing on now".
    unknown: bool = False


def _words_in(words: Sequence[str], text: str) -> bool:
    tokens = text.split()
    for word in words:
        if len(word) < 4:
            if word not in tokens:
                return False
        elif word not in text and not any(
            fuzz.ratio(word, token) >= 88 or (len(token) >= 4 and token.startswith(word[:-1]))
            for token in tokens
        ):
            return False
    return True


def _topic_sessions(
    topic: str, sessions: Sequence[Session], search: TopicSearch | None
) -> list[Session]:
    """Sessions whose title or description names the topic, else the nearest by retrieval."""
    words = fold_text(topic).split()
    if not words:
        return list(sessions)
    in_title = [s for s in sessions if _words_in(words, fold_text(s.title))]
    if in_title:
        return in_title
    if len(words) == 1:
        described = [
            s for s in sessions if _words_in(words, fold_text(f"{s.title} {s.description}"))
        ]
    else:  # several words: the phrase itself, not words scattered through an abstract
        phrase = f" {' '.join(words)} "
        described = [s for s in sessions if phrase in f" {fold_text(s.description)} "]
    # Nothing names it: the topic is said in other words (passage retrieval understands those).
    return described


def _filter(
    query: ProgrammeQuery, programme: Programme, search: TopicSearch | None
) -> list[Session]:
    sessions = programme.sessions
    if query.rooms:
        sessions = [s for s in sessions if s.room in query.rooms]
    if query.tracks:
        sessions = [s for s in sessions if s.vertical_id in query.tracks]
    if query.kinds:
        sessions = [s for s in sessions if any(k in normalise(s.kind) for k in query.kinds)]
    if query.talk_languages:
        sessions = [s for s in sessions if (s.language or "")[:2] in query.talk_languages]
    if query.speakers:
        sessions = [s for s in sessions if set(s.speakers) & set(query.speakers)]
    if query.topic:
        sessions = _topic_sessions(query.topic, sessions, search)
    return sessions


def _in_time(moment: Moment | None, sessions: Sequence[Session]) -> list[Session]:
    if moment is None or not moment.explicit:
        return list(sessions)
    if moment.kind in ("now", "at"):
        return [s for s in sessions if s.start <= moment.start < s.end]
    if moment.kind == "later":
        return [s for s in sessions if moment.start < s.start < moment.end]
    if moment.kind == "next":
        ahead = [s for s in sessions if s.start > moment.start]
        first = min((s.start for s in ahead), default=None)
        return [s for s in ahead if s.start == first]
    return [s for s in sessions if moment.start <= s.start < moment.end]


def _date_words(day: date, language: str) -> str:
    return spell_date(day, language)


def _relative(moment: Moment | None) -> bool:
    """Whether the question is about now (now, next, later, today), not a named day."""
    return moment is not None and moment.kind in ("now", "next", "later")


def _execute(
    query: ProgrammeQuery, programme: Programme, now: datetime, search: TopicSearch | None
) -> _Result | None:
    lang = query.language
    every = programme.sessions
    first = min(s.start for s in every)
    last = max(s.end for s in every)
    if _relative(query.moment):
        if now < first:
            local = first.astimezone(programme.zone)
            note = t(
                "prog_before",
                lang,
                date=_date_words(logical_day(first, programme.zone), lang),
                time=f"{local:%H:%M}",
            )
            return _Result([], notes=(note,))
        if now >= last:
            note = t("prog_after", lang, date=_date_words(logical_day(last, programme.zone), lang))
            return _Result([], notes=(note,))
    if query.unknown_room:
        rooms = ", ".join(sorted(programme.rooms))
        return _Result(
            [],
            notes=(t("prog_unknown_room", lang, room=query.unknown_room, rooms=rooms),),
            unknown=True,
        )
    if query.unknown_person:
        notes = [t("prog_no_speaker", lang, name=query.unknown_person)]
        close = process.extractOne(
            fold_text(query.unknown_person),
            {n: " ".join(p) for n, p in programme.speakers.items()},
            scorer=fuzz.token_sort_ratio,
        )
        if close is not None and close[1] >= 70:
            notes.append(t("prog_closest_name", lang, name=close[2]))
        return _Result([], notes=tuple(notes), unknown=True)
    for code in query.talk_languages:
        if code not in programme.languages and len(query.talk_languages) == 1:
            names = ", ".join(_language_label(c, lang) for c in sorted(programme.languages))
            note = t(
                "prog_no_language", lang, language=_language_label(code, lang), languages=names
            )
            return _Result([], notes=(note,))
    for kind in query.kinds:
        if not any(kind in normalise(s.kind) for s in every):
            if query.topic:
                # "the keynote about ...": the programme may call it otherwise (a plenary);
                # the topic, in any words, is for passage retrieval.
                return None
            return _Result([], notes=(t("prog_no_kind", lang, kind=kind),))
    matching = _filter(query, programme, search)
    hard = query.rooms or query.speakers or query.talk_languages or query.tracks
    if query.topic and not matching and not (hard or (query.moment and query.moment.explicit)):
        # Not in any title or description: the topic may be said in other words or another
        # language, which passage retrieval understands (and abstains on when it cannot).
        return None
    if query.topic and not matching:
        if query.tracks and not (query.rooms or query.speakers or query.talk_languages):
            # "the MySQL track, the one on bases de données": nothing in the tracks named
            # says the topic in these words (often another language than the programme's),
            # so the reply says so and shows those tracks' sessions, where the answer lies.
            in_tracks = _in_time(query.moment, _filter(replace(query, topic=""), programme, None))
            if in_tracks:
                topic = as_asked(query.topic, query.question)
                note = t("prog_no_topic_in_track", query.language, topic=topic)
                header = _header(query.moment, query.language, len(in_tracks))
                return _Result(in_tracks, header=header, notes=(note,))
        return no_topic(query, programme, search)
    moment = query.moment
    found = _in_time(moment, matching)
    header = _header(moment, lang, len(found))
    if found:
        return _Result(found, header=header)
    return _nothing(query, programme, now, matching, lang)


def as_asked(topic: str, question: str) -> str:
    """The topic in the question's own words ("bases de données", not the folded "bases
    donnees"): the shortest span of the question that has the topic's words in order."""
    wanted = topic.split()
    tokens = [(m.start(), m.end(), fold_text(m[0])) for m in re.finditer(r"[\w'-]+", question)]
    best: tuple[int, int] | None = None
    for first, (start, end, folded) in enumerate(tokens):
        if not wanted or folded != wanted[0]:
            continue
        found = 1
        for _, token_end, other in tokens[first + 1 :]:
            if found == len(wanted):
                break
            if other == wanted[found]:
                found, end = found + 1, token_end
        if found == len(wanted) and (best is None or end - start < best[1] - best[0]):
            best = (start, end)
    return question[best[0] : best[1]] if best else topic


def no_topic(query: ProgrammeQuery, programme: Programme, search: TopicSearch | None) -> _Result:
    """ "No session on X", with the closest real match when retrieval finds one."""
    lang = query.language
    notes = (t("prog_no_topic", lang, topic=as_asked(query.topic, query.question)),)
    after = _closest(query.topic, search, lang, programme)
    return _Result([], notes=notes, after=after, unknown=True)


def no_topic_answer(query: ProgrammeQuery, programme: Programme) -> Answer:
    """The answer when passage retrieval found nothing either for a topic asked as sessions."""
    return compose(no_topic(query, programme, None), query, programme)


def _closest(
    topic: str, search: TopicSearch | None, lang: str, programme: Programme
) -> tuple[str, ...]:
    if search is None:
        return ()
    near = search(topic, 1)
    if not near:
        return ()
    return (
        f"{t('prog_closest', lang)}{colon(lang)}{session_line(near[0], lang, programme, True)}",
    )


def _language_label(code: str, language: str) -> str:
    from babel import Locale

    try:
        return Locale(language).languages.get(code, code)
    except (ValueError, TypeError):
        return code


def _header(moment: Moment | None, lang: str, count: int) -> str:
    if moment is not None and moment.kind == "now":
        return t("prog_now", lang, count=count)
    if moment is not None and moment.kind == "next":
        return t("prog_next", lang, count=count)
    return t("count_sessions", lang, count=count)


def _nothing(
    query: ProgrammeQuery, programme: Programme, now: datetime, matching: list[Session], lang: str
) -> _Result:
    """Nothing at that moment: say so, with the nearest alternative."""
    moment = query.moment
    if moment is None:  # filters no session meets together ("X's talks in English")
        nothing = (t("prog_nothing", lang),)
        if not query.speakers:
            return _Result([], notes=nothing)
        theirs = _filter(
            ProgrammeQuery(query.question, lang, None, speakers=query.speakers), programme, None
        )
        names = ", ".join(query.speakers)
        after = (t("prog_speaker_gives", lang, name=names) + colon(lang).rstrip(),)
        return _Result([], notes=nothing, after=after if theirs else (), alternatives=tuple(theirs))
    zone = programme.zone
    if moment.kind == "next":
        if not query.filtered or not any(s.start > now for s in programme.sessions):
            return _Result([], notes=(t("prog_no_more", lang),))
        notes = [t("prog_nothing", lang)]
        if query.rooms and matching:
            days = sorted({logical_day(s.start, zone) for s in matching})
            listed = ", ".join(spell_short_date(d, lang) for d in days)
            notes.append(t("prog_room_days", lang, room=", ".join(query.rooms), days=listed))
        return _Result([], notes=tuple(notes))
    if moment.day is not None and moment.day not in programme.days:
        note = t(
            "prog_outside",
            lang,
            date=_date_words(moment.day, lang),
            first=spell_short_date(programme.days[0], lang),
            last=spell_short_date(programme.days[-1], lang),
        )
        return _Result([], notes=(note,))
    notes = [t("prog_nothing_now" if moment.kind == "now" else "prog_nothing", lang)]
    days = sorted({logical_day(s.start, zone) for s in matching})
    if query.rooms and matching and moment.day is not None and moment.day not in days:
        # Nothing in that room that day: the days it has sessions are the nearest alternative.
        listed = ", ".join(spell_short_date(d, lang) for d in days)
        notes.append(t("prog_room_days", lang, room=", ".join(query.rooms), days=listed))
        return _Result([], notes=tuple(notes))
    after_moment = moment.end if moment.kind == "window" else moment.start
    if moment.kind == "window" and moment.day is not None:
        after_moment = max(moment.end, day_window(moment.day, zone, moment.part)[1])
    ahead = [s for s in matching if s.start >= after_moment]
    if ahead and moment.kind in ("now", "at", "window", "later"):
        first = min(s.start for s in ahead)
        alternatives = tuple(s for s in ahead if s.start == first)
        return _Result(
            [],
            notes=tuple(notes),
            after=(t("prog_then", lang) + colon(lang).rstrip(),),
            alternatives=alternatives,
        )
    return _Result([], notes=tuple(notes))


def _passage(session: Session, text: str, language: str) -> Passage:
    source = f"{session.source}#{session.id}"
    return Passage(
        id=f"{source}:{language}:answer",
        text=text,
        source=source,
        line=session.line,
        kind=PassageKind.SESSION,
        language=language,
        session_id=session.id,
        vertical_id=session.vertical_id,
    )


def compose(result: _Result, query: ProgrammeQuery, programme: Programme) -> Answer:
    """The whole shown text and the listed sessions' passages."""
    lang = query.language
    lines: list[str] = list(result.notes)
    listed: list[Session] = []
    hits: list[Hit] = []
    spans_days = len({logical_day(s.start, programme.zone) for s in result.sessions}) > 1
    if result.sessions:
        ordered = sorted(result.sessions, key=lambda s: (s.start, s.room, s.title))
        lines.append(f"{result.header}{colon(lang).rstrip()}")
        current: date | None = None
        for session in ordered:
            day = logical_day(session.start, programme.zone)
            if spans_days and day != current:
                lines.append(spell_date(day, lang)[:1].upper() + spell_date(day, lang)[1:])
                current = day
            # Each line keeps its day (a Telegram page shows lines without the headings).
            text = session_line(session, lang, programme, with_day=len(programme.days) > 1)
            lines.append(f"• {text}")
            listed.append(session)
            hits.append(Hit(_passage(session, text, lang), 1.0))
    lines.extend(result.after)
    for session in result.alternatives:
        text = session_line(session, lang, programme, with_day=True)
        lines.append(f"• {text}")
        listed.append(session)
        hits.append(Hit(_passage(session, text, lang), 0.5))
    text = "\n".join(line for line in lines if line)
    return Answer(
        question=query.question,
        language=lang,
        answered=not result.unknown,
        text=text,
        hits=tuple(hits),
        top_score=1.0,
        kind="programme",
        sessions=tuple(s.id for s in listed),
    )


def answer_query(
    query: ProgrammeQuery, programme: Programme, now: datetime, search: TopicSearch | None = None
) -> Answer | None:
    """Execute a programme query and compose its answer (None: leave it to passage retrieval)."""
    result = _execute(query, programme, now, search)
    return None if result is None else compose(result, query, programme)


def follow_up_answer(
    question: str, kind: str, sessions: Sequence[Session], programme: Programme, language: str
) -> Answer:
    """A follow-up about the sessions just shown: each one's line (it says when, where, who)."""
    query = ProgrammeQuery(question=question, language=language, moment=None)
    if kind == "next":
        shown = list(sessions)
        last = max(shown, key=lambda s: s.start)
        later = [
            s
            for s in programme.sessions
            if s.start > last.start and (not last.room or s.room == last.room)
        ]
        first = min((s.start for s in later), default=None)
        chosen = [s for s in later if s.start == first]
        if not chosen:
            return compose(_Result([], notes=(t("prog_no_more", language),)), query, programme)
        return compose(
            _Result(chosen, header=t("prog_next", language, count=len(chosen))), query, programme
        )
    header = t("count_sessions", language, count=len(sessions))
    return compose(_Result(list(sessions), header=header), query, programme)
