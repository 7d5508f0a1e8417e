"""Follow-ups in a conversation (where is it, who speaks there, what comes next).

A `Conversation` remembers, per chat and for a few minutes, the sessions the user was just shown;
a short question that points back at them is answered about them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain import Answer, KnowledgeBase, Session
from bot.search.normalise import content_words, normalise

FOLLOW_UP_TTL = timedelta(minutes=10)  # after that, a short question stands alone again
_MAX_WORDS = 2  # a follow-up has few words of its own

_WHERE = re.compile(
    r"(?<![\w])(where|ou|which room|quelle salle|dans quelle)(?![\w])|اين|فين|وين|القاعه"
)
_WHEN = re.compile(
    r"(?<![\w])(when|what time|quand|a quelle heure|quelle heure)(?![\w])|متى|امتى|وقتاش|ايمتى"
)
_WHO = re.compile(r"(?<![\w])(who|qui|speaker|intervenant|orateur)(?![\w])|من|شكون|مين")
_NEXT = re.compile(
    r"(?<![\w])(next|the one after|after that|suivante?|d apres|et apres|ensuite)(?![\w])"
    r"|التالي|الموالي|الجاي|بعدها|من بعد"
)
_POINTER = re.compile(
    r"(?<![\w])(it|there|that|this|one|those|them|they|la|ca|c est|celle|celui|y|elle|il|"
    r"and|et|alors)(?![\w])|هناك|فيها|ها|هي|هو|و"
)


@dataclass(slots=True)
class Conversation:
    """What one chat was just shown: the sessions, in order, and when."""

    sessions: tuple[str, ...] = ()
    at: datetime | None = None
    rooms: tuple[str, ...] = field(default_factory=tuple)

    def remember(self, answer: Answer, knowledge: KnowledgeBase, now: datetime) -> None:
        """Keep the sessions an answer listed (or the session its best passage is about)."""
        ids = answer.sessions
        if not ids and answer.answered and answer.hits:
            first = answer.hits[0].passage.session_id
            ids = (first,) if first else ()
        if ids:
            self.sessions, self.at = ids, now
            found = [knowledge.sessions[i] for i in ids if i in knowledge.sessions]
            self.rooms = tuple(dict.fromkeys(s.room for s in found if s.room))

    def current(self, knowledge: KnowledgeBase, now: datetime) -> list[Session]:
        """The sessions still in mind (none once the follow-up window has passed)."""
        if self.at is None or now - self.at > FOLLOW_UP_TTL:
            return []
        return [knowledge.sessions[i] for i in self.sessions if i in knowledge.sessions]


def follow_up_kind(question: str) -> str:
    """ "where" / "when" / "who" / "next" for a short question pointing back, else ""."""
    text = re.sub(r"[^\w]+", " ", normalise(question)).strip()
    if len(content_words(question)) > _MAX_WORDS or len(text.split()) > 7:
        return ""
    if _NEXT.search(text) and (_POINTER.search(text) or len(text.split()) <= 4):
        return "next"
    pointing = bool(_POINTER.search(text)) or len(text.split()) <= 3
    if not pointing:
        return ""
    for kind, pattern in (("where", _WHERE), ("when", _WHEN), ("who", _WHO)):
        if pattern.search(text):
            return kind
    return ""
