"""Which route answers a question the programme parser took: the programme's lists, or passages.

The programme parser reads filters (a moment, a room, a speaker, a type, a language) from a few
words, so a question describing one session in its own words can trip one ("... in French",
"... now that beginners use ChatGPT") and get a list of everything matching that filter. What
decides here is how much of the question the filters leave unexplained, and whether passage
retrieval finds a session for it. `programme_route` applies it: a question's programme answer
over one snapshot, or none, and passage retrieval answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.clock import utc_now
from bot.domain import Answer, Session
from bot.i18n.detect import detect_language
from bot.search.lexicon import in_lexicon
from bot.search.moments import read_moment
from bot.search.normalise import words
from bot.search.programme import Programme
from bot.search.programme_answer import answer_query
from bot.search.programme_query import ProgrammeQuery, bare_forms, leftover, understand
from bot.search.vocabulary import LANGUAGE_MIN_PASSAGES, Vocabulary, word_weight

if TYPE_CHECKING:
    from bot.search.ranking import DenseSide
    from bot.search.snapshot import Snapshot

# A question with this many words no filter took describes a session rather than filtering;
# when words the knowledge never mentions weigh this much (`word_weight`: samsung 2.9,
# unpacked 4.2; happening 2.2, right 1.0) it is about something else ("what will samsung show
# at its next unpacked event").
DESCRIBED_WORDS = 3
UNKNOWN_WEIGHT = 5.0


def names_beyond(
    query: ProgrammeQuery,
    names: Sequence[str],
    programme: Programme | None = None,
    now: datetime | None = None,
) -> list[str]:
    """The names the knowledge never mentions besides the speaker or room the query already
    says is not in the programme, and the words of its moment: a Latin word in an Arabic
    question counts as a name, and "today" or "next" there is the moment asked."""
    said = set(words(f"{query.unknown_person} {query.unknown_room}"))
    beyond = [name for name in names if not set(words(name)) <= said]
    if programme is None or now is None or query.moment is None:
        return beyond
    asked = words(query.question)
    return [
        name
        for name in beyond
        if read_moment(
            " ".join(w for w in asked if w not in set(words(name))),
            now,
            programme.zone,
            programme.days,
        )
        == query.moment
    ]


def unexplained(query: ProgrammeQuery, programme: Programme, now: datetime) -> list[str]:
    """The question's content words that none of the query's filters took (calendar and
    conference words of the lexicon, and words that name a moment, count as taken)."""
    taken: set[str] = set()
    for room in query.rooms:
        taken.update(programme.rooms.get(room, ()))
    for speaker in query.speakers:
        taken.update(programme.speakers.get(speaker, ()))
    for track in query.tracks:
        taken.update(programme.tracks.get(track, "").split())
    taken.update(words(query.topic))
    left = [
        word
        for word in leftover(query.question)
        if word not in taken and not any(in_lexicon(form) for form in bare_forms(word))
    ]
    if query.moment is not None:
        # A word of the moment's phrase ("en ce moment") changes the moment when left out.
        asked = words(query.question)
        left = [
            word
            for word in left
            if read_moment(
                " ".join(w for w in asked if w != word), now, programme.zone, programme.days
            )
            == query.moment
        ]
    return left


def beyond_filters(
    query: ProgrammeQuery, programme: Programme, now: datetime, vocabulary: Vocabulary
) -> bool:
    """Whether the question says more than its filters read (a session described in other
    words, or things the knowledge never mentions), with no room or speaker named: those
    are filters nobody trips by accident. Passage retrieval answers it, or abstains."""
    if query.rooms or query.speakers or query.unknown_person or query.unknown_room:
        return False
    left = unexplained(query, programme, now)
    # A word missing from knowledge written in another language says nothing (French over
    # an English programme).
    judged = vocabulary.languages.get(query.language, 0) >= LANGUAGE_MIN_PASSAGES
    missing = [word for word in left if judged and not vocabulary.knows(word)]
    weight = sum(word_weight(word, query.language) for word in missing)
    return len(left) >= DESCRIBED_WORDS or weight >= UNKNOWN_WEIGHT


class TopicSearchNeeded(Exception):
    """A programme answer needs a topic searched that its batch has not encoded yet."""

    def __init__(self, topic: str, language: str) -> None:
        super().__init__(topic)
        self.topic = topic
        self.language = language


def programme_route(
    snapshot: Snapshot,
    question: str,
    language: str | None,
    searched: dict[tuple[str, str], DenseSide] | None = None,
) -> tuple[ProgrammeQuery | None, Answer | None]:
    """The question's programme query and answer, if it is about the programme. With
    `searched`, topics are ranked from it and one it lacks raises `TopicSearchNeeded`."""
    programme = snapshot.programme
    if programme is None:
        return None, None
    lang = language or detect_language(question)
    lang = lang if lang in ("fr", "en", "ar") else "en"
    now = utc_now()
    query = understand(question, lang, programme, now)
    if query is None:
        return None, None
    retriever = snapshot.retriever
    if names_beyond(query, retriever.vocabulary.unknown_names(question, lang), programme, now):
        # A known room beside an event the knowledge never names: the event is what is asked;
        # passage retrieval abstains and names it.
        return query, None
    if beyond_filters(query, programme, now, retriever.vocabulary):
        # One session in other words that tripped a filter ("... in French", "... now
        # that beginners use ChatGPT"): passage retrieval finds it, or abstains.
        return query, None

    def search(topic: str, limit: int) -> list[Session]:
        dense = None
        if searched is not None:
            dense = searched.get((topic, lang))
            if dense is None:
                raise TopicSearchNeeded(topic, lang)
        ranking = retriever.rank(topic, lang, dense)
        if not retriever.relevant(ranking):
            return []
        found: dict[str, Session] = {}
        best = ranking.hits[0].score if ranking.hits else 0.0
        for hit in ranking.hits:
            session = snapshot.knowledge.sessions.get(hit.passage.session_id or "")
            if session is not None and hit.score >= 0.8 * best:
                found.setdefault(session.id, session)
            if len(found) >= limit:
                break
        return list(found.values())

    return query, answer_query(query, programme, now, search)
