"""Answers in hindsight: a note in the past tense when the event or session asked about is over.

The passages an answer quotes are written for before the event ("Name: 1-2 July, in Rabat");
after it, the reply opens with a short note that it took place, so nobody reads it as upcoming.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.domain import Answer, KnowledgeBase, PassageKind
from bot.i18n import t
from bot.i18n.dates import spell_date, spell_date_range


def past_note(answer: Answer, knowledge: KnowledgeBase, now: datetime, zone: tzinfo) -> str:
    """The past-tense note for an answer about what is over ("" when it is not)."""
    if not answer.answered or not answer.hits:
        return ""
    language = answer.language
    event = knowledge.event
    if event is not None and now.astimezone(zone).date() > event.end_date:
        name = event.names.get(language) or event.name
        dates = spell_date_range(event.start_date, event.end_date, language)
        return t("past_event", language, event=name, dates=dates)
    passage = answer.hits[0].passage
    session = knowledge.sessions.get(passage.session_id or "")
    if passage.kind is PassageKind.SESSION and session is not None and session.end <= now:
        when = spell_date(session.start.astimezone(zone).date(), language)
        return t("past_session", language, date=when)
    return ""
