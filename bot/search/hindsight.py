"""Answers in hindsight: a note in the past tense when the event or session asked about is over.

The passages an answer quotes are written for before the event ("Name: 1-2 July, in Rabat");
after it, the answer carries a short note that it took place, so nobody reads it as upcoming.
Every front end shows the note (Telegram, `ask`, `chat`); the assistant decides it, on the one
clock. Programme answers are computed for the moment asked and need none.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo

from bot.domain import Answer, KnowledgeBase, PassageKind
from bot.i18n import t
from bot.i18n.dates import spell_date, spell_date_range


def past_of(
    answer: Answer, knowledge: KnowledgeBase, now: datetime, zone: tzinfo
) -> tuple[str, str]:
    """What is over of what the answer is about ("event", "session" or ""), and the note."""
    if not answer.answered or not answer.hits or answer.kind == "programme":
        return "", ""
    language = answer.language
    event = knowledge.event
    if event is not None and now.astimezone(zone).date() > event.end_date:
        name = event.names.get(language) or event.name
        dates = spell_date_range(event.start_date, event.end_date, language)
        return "event", t("past_event", language, event=name, dates=dates)
    passage = answer.hits[0].passage
    session = knowledge.sessions.get(passage.session_id or "")
    if passage.kind is PassageKind.SESSION and session is not None and session.end <= now:
        when = spell_date(session.start.astimezone(zone).date(), language)
        return "session", t("past_session", language, date=when)
    return "", ""


def in_hindsight(answer: Answer, knowledge: KnowledgeBase, now: datetime, zone: tzinfo) -> Answer:
    """The answer with its past-tense note as of `now` (none when nothing it is about is over)."""
    past, note = past_of(answer, knowledge, now, zone)
    if past == answer.past and note == answer.past_note:
        return answer
    return replace(answer, past=past, past_note=note)


def shown_text(answer: Answer) -> str:
    """The answer's text as a user reads it: the past-tense note first, when there is one."""
    return f"{answer.past_note}\n\n{answer.text}" if answer.past_note else answer.text
