"""One session as the asker reads it: its line in a list, and a passage answer about it told in
the asker's language, then the other sessions of the same title (a sprint on two days)."""

from __future__ import annotations

from dataclasses import replace

from bot.domain import Answer, Hit, KnowledgeBase, PassageKind, Session
from bot.i18n import colon, t
from bot.i18n.dates import join_date_time, spell_short_date, spell_time_range
from bot.knowledge.passage_text import session_passage_text
from bot.search.moments import logical_day
from bot.search.programme import Programme

SAME_TITLE_LISTED = 5  # other sessions of the same title listed after a passage answer


def session_line(session: Session, language: str, programme: Programme, with_day: bool) -> str:
    """One session in a list: title, time (and day), room, speakers, cancelled mark."""
    start, end = session.start.astimezone(programme.zone), session.end.astimezone(programme.zone)
    when = spell_time_range(start, end)
    if with_day:
        day = spell_short_date(logical_day(session.start, programme.zone), language)
        when = join_date_time(day, when, language)  # the locale's comma (، in Arabic)
    parts = [session.title_in(language), when]
    if session.room:
        parts.append(session.room)
    line = " — ".join(parts)
    if session.speakers:
        line += f" ({', '.join(session.speakers)})"
    if session.cancelled:
        line += f" [{t('prog_cancelled', language)}]"
    return line


def with_same_titled(answer: Answer, programme: Programme) -> Answer:
    """A passage answer about one session, followed by the other sessions of the same title (a
    sprint on two days, a talk given twice): the passage alone tells of one of them."""
    if not answer.answered or not answer.hits:
        return answer
    best = answer.hits[0].passage
    title = programme.titles.get(best.session_id or "")
    if best.kind is not PassageKind.SESSION or not title:
        return answer
    others = [
        session
        for session in programme.sessions
        if session.id != best.session_id and programme.titles.get(session.id) == title
    ]
    if not others:
        return answer
    lang = answer.language
    shown = others[:SAME_TITLE_LISTED]
    lines = [f"• {session_line(s, lang, programme, with_day=True)}" for s in shown]
    if len(others) > len(shown):  # a break or a meal every day of a camp
        lines.append(t("same_title_more", lang, count=len(others) - len(shown)))
    also = f"{t('same_title_also', lang)}{colon(lang).rstrip()}"
    return replace(answer, text="\n".join([answer.text, also, *lines]))


def in_asker_language(answer: Answer, knowledge: KnowledgeBase, programme: Programme) -> Answer:
    """A passage answer about one session, rendered from the session in the asker's language.

    Schedule exports give one English passage per session; a French or Arabic question gets
    the same facts with its own labels and dates, and the title in its language when known.
    """
    if not answer.answered or not answer.hits:
        return answer
    best = answer.hits[0].passage
    session = knowledge.sessions.get(best.session_id or "")
    if session is None or best.language == answer.language or best.kind is not PassageKind.SESSION:
        return answer
    lang = answer.language
    localised = replace(
        session, title=session.title_in(lang), description=session.description_in(lang)
    )
    vertical = knowledge.verticals.get(session.vertical_id or "")
    text = session_passage_text(localised, vertical, lang, programme.zone, show_zone=True)
    passage = replace(best, text=text, language=lang)
    hits = (Hit(passage, answer.hits[0].score), *answer.hits[1:])
    return replace(answer, text=text, hits=hits)
