"""Programme questions in fr/en/ar: moments, understanding, answers computed over sessions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import EventInfo, KnowledgeBase, Passage, Session, Vertical
from bot.search.followups import follow_up_kind
from bot.search.moments import logical_day, read_moment
from bot.search.programme import Programme
from bot.search.programme_answer import answer_query, follow_up_answer
from bot.search.programme_query import understand
from bot.search.routing import beyond_filters, names_beyond
from bot.search.vocabulary import Vocabulary

ZONE = ZoneInfo("Europe/Paris")
FRI = date(2031, 5, 16)  # a Friday
SAT = FRI + timedelta(days=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def session(
    sid: str, title: str, start: datetime, minutes: int, room: str, **extra: object
) -> Session:
    return Session(sid, title, start, start + timedelta(minutes=minutes), room, **extra)  # type: ignore[arg-type]


def knowledge() -> KnowledgeBase:
    haddad, moreau = "Karim Haddad", "Ines Moreau"
    sessions = [
        session("a", "Opening of the camp", at(FRI, 10), 30, "Hangar Nord",
                speakers=("Zoé Lemaître",), kind="keynote"),
        session("b", "Soldering for beginners", at(FRI, 10), 90, "Atelier Bleu",
                speakers=(haddad,), kind="workshop", language="fr"),
        session("c", "Mesh networks in villages", at(FRI, 11), 40, "Hangar Nord",
                speakers=(haddad, moreau), language="en"),
        session("d", "Rust on microcontrollers", at(FRI, 15), 40, "Hangar Nord",
                speakers=("Paul Morel",), language="en"),
        session("e", "Night of the lightning talks", at(FRI, 23, 30), 90, "Atelier Bleu",
                kind="lightning talk", language="en"),
        session("f", "Mesh routing deep dive", at(SAT, 10), 40, "Atelier Bleu",
                speakers=(moreau,), language="en",
                translations=(("fr", "Plongée dans le routage mesh", ""),)),
        session("g", "Closing", at(SAT, 16), 30, "Hangar Nord", status="cancelled"),
    ]  # fmt: skip
    event = EventInfo("Camp", FRI, SAT, "Europe/Paris")
    verticals = {"hw": Vertical("hw", {"en": "Hardware"})}
    return KnowledgeBase(sessions={s.id: s for s in sessions}, event=event, verticals=verticals)


PROGRAMME = Programme.of(knowledge())


def ask(question: str, now: datetime, language: str = "en") -> str:
    assert PROGRAMME is not None
    query = understand(question, language, PROGRAMME, now)
    assert query is not None, question
    answer = answer_query(query, PROGRAMME, now)
    assert answer is not None, question
    return answer.text


def test_after_midnight_belongs_to_the_evening_before() -> None:
    assert logical_day(at(SAT, 0, 30), ZONE) == FRI
    moment = read_moment("vendredi à 1h", at(FRI, 9), ZONE, [FRI, SAT])
    assert moment is not None
    assert moment.start == at(SAT, 1)
    assert "Night of the lightning" in ask("What's on tonight?", at(FRI, 9))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("samedi à 10h15", at(SAT, 10, 15)),
        ("on the 16th at 3pm", at(FRI, 15)),
        ("يوم السبت على الساعة 10:15", at(SAT, 10, 15)),
        ("demain à 16h30", at(SAT, 16, 30)),
    ],
)
def test_instants(question: str, expected: datetime) -> None:
    moment = read_moment(question, at(FRI, 9), ZONE, [FRI, SAT])
    assert moment is not None
    assert (moment.kind, moment.start) == ("at", expected)


def test_parts_of_days_and_weekdays() -> None:
    moment = read_moment("tomorrow morning", at(FRI, 20), ZONE, [FRI, SAT])
    assert moment is not None
    assert (moment.day, moment.part) == (SAT, "morning")
    moment = read_moment("sammedi aprem", at(FRI, 9), ZONE, [FRI, SAT])
    assert moment is not None
    assert moment.part == "afternoon"
    assert read_moment("السبت", at(FRI, 9), ZONE, [FRI, SAT]).day == SAT  # type: ignore[union-attr]
    assert read_moment("Where is the camp?", at(FRI, 9), ZONE, [FRI, SAT]) is None


def test_now_in_three_languages() -> None:
    for question, lang in [
        ("What's on now?", "en"),
        ("Il y a quoi en ce moment ?", "fr"),
        ("شنو كاين دابا؟", "ar"),
    ]:
        text = ask(question, at(FRI, 10, 10), lang)
        assert "Opening of the camp" in text
        assert "Soldering" in text
        assert "Rust" not in text


def test_next_in_a_room_fuzzy_name() -> None:
    text = ask("et ensuite au hangar nrd ?", at(FRI, 10, 10), "fr")
    assert "Mesh networks" in text
    assert "Soldering" not in text


def test_speaker_by_surname_and_shared_surname() -> None:
    text = ask("Which talks does Haddad give?", at(FRI, 8))
    assert "Soldering" in text
    assert "Mesh networks" in text
    assert "Rust" not in text
    text = ask("Quand parle Paul Morel ?", at(FRI, 8), "fr")
    assert "Rust" in text
    assert "Mesh routing" not in text


def test_unknown_person_is_said_plainly() -> None:
    text = ask("When is Grace Hopper speaking?", at(FRI, 8))
    assert "Grace Hopper" in text
    assert "Opening" not in text
    assert "Rust" not in text


def test_type_language_and_topic_filters() -> None:
    assert "Soldering" in ask("Quels ateliers y a-t-il ?", at(FRI, 8), "fr")
    text = ask("Are there English talks on Saturday?", at(FRI, 8))
    assert "Plongée" not in text
    assert "Mesh routing" in text
    assert "Closing" not in text
    text = ask("Y a-t-il des conférences sur le mesh ?", at(FRI, 8), "fr")
    assert "Mesh networks" in text
    assert "Plongée dans le routage mesh" in text  # French title
    assert "Rust" not in text
    text = ask("Any talks in German?", at(FRI, 8))
    assert "German" in text
    assert "Mesh" not in text


def test_before_after_and_cancelled() -> None:
    assert "16 May 2031" in ask("What's on now?", at(FRI - timedelta(days=3), 9))
    assert "ended" in ask("What's next?", at(SAT + timedelta(days=2), 9))
    assert "[cancelled]" in ask("What's on Saturday afternoon?", at(FRI, 9))


def test_nothing_on_now_names_what_comes_next() -> None:
    text = ask("What's on now?", at(FRI, 13))
    assert "No session is on right now" in text
    assert "Rust on microcontrollers" in text
    assert "Mesh networks" not in text


def test_nothing_in_a_room_says_so_with_its_days() -> None:
    text = ask("What's in Atelier Bleu on Saturday at 15:00?", at(FRI, 9))
    assert "No session" in text
    assert "Mesh routing" not in text
    text = ask("What's on in the Purple Room?", at(FRI, 9))
    assert "Purple" in text
    assert "Hangar Nord" in text


def test_passage_questions_stay_with_retrieval() -> None:
    assert PROGRAMME is not None
    for question in ("Where is the camp?", "What is a vertical?", "Combien de personnes ?"):
        assert understand(question, "en", PROGRAMME, at(FRI, 9)) is None
    assert understand("When is Rust on microcontrollers?", "en", PROGRAMME, at(FRI, 9)) is None


def test_answer_lists_sessions_as_passages() -> None:
    assert PROGRAMME is not None
    query = understand("What's on Friday?", "en", PROGRAMME, at(FRI, 8))
    assert query is not None
    answer = answer_query(query, PROGRAMME, at(FRI, 8))
    assert answer is not None
    assert answer.kind == "programme"
    assert answer.sessions == (
        "b",
        "a",
        "c",
        "d",
        "e",
    )  # by time, then room
    for hit in answer.hits:
        assert hit.passage.text in answer.text
        assert hit.passage.source.endswith(f"#{hit.passage.session_id}")


@pytest.mark.parametrize(
    ("question", "kind"),
    [("et c'est où ?", "where"), ("who speaks there?", "who"), ("and the next one?", "next"),
     ("وفين؟", "where"), ("Where is the camp held this year?", "")],
)  # fmt: skip
def test_follow_up_kinds(question: str, kind: str) -> None:
    assert follow_up_kind(question) == kind


def test_the_next_one_follows_the_session_shown_in_its_room() -> None:
    assert PROGRAMME is not None
    shown = [s for s in PROGRAMME.sessions if s.id == "a"]
    answer = follow_up_answer("and the next one?", "next", shown, PROGRAMME, "en")
    assert answer.sessions == ("c",)  # Hangar Nord after the opening, not the workshop


def beyond_checker(language: str) -> Callable[[str], bool]:
    """Whether a question, asked on Friday at 8, says more than its filters read."""
    assert PROGRAMME is not None
    programme = PROGRAMME
    own = [f"{s.title}. {' '.join(s.speakers)}" for s in knowledge().sessions.values()]
    vocabulary = Vocabulary([Passage(str(i), text, "p.json", 1) for i, text in enumerate(own)])
    now = at(FRI, 8)

    def beyond(question: str) -> bool:
        query = understand(question, language, programme, now)
        assert query is not None, question
        return beyond_filters(query, programme, now, vocabulary)

    return beyond


def test_a_question_saying_more_than_its_filters_goes_to_passages() -> None:
    beyond = beyond_checker("en")
    assert not beyond("What's on right now?")
    assert not beyond("Which talks are in English?")
    assert not beyond("What does Haddad present about soldering irons and melting tin?")
    # One session in other words that trips the language filter: passage retrieval finds it.
    assert beyond("Who gives the English talk explaining how radio meshes link remote hamlets?")
    # Words the knowledge never mentions, however few: not a programme question.
    assert beyond("what will zorblax unveil at the next quuxcon")


def programme_with(change: Callable[[Session], Session]) -> Programme:
    """The test programme with each session changed by `change`."""
    plain = knowledge()
    sessions = {i: change(s) for i, s in plain.sessions.items()}
    programme = Programme.of(KnowledgeBase(sessions=sessions, event=plain.event))
    assert programme is not None
    return programme


def test_a_type_the_programme_lacks_leaves_a_described_topic_to_passages() -> None:
    programme = programme_with(lambda s: replace(s, kind="plenary") if s.kind == "keynote" else s)
    now = at(FRI, 8)
    # No "keynote" here (a plenary): "no keynote" would hide the session the topic describes.
    query = understand("When is the keynote about networks for villages?", "en", programme, now)
    assert query is not None
    assert query.topic
    assert answer_query(query, programme, now) is None
    bare = understand("Which keynotes are there?", "en", programme, now)
    assert bare is not None
    answer = answer_query(bare, programme, now)
    assert answer is not None
    assert "keynote" in answer.text


def test_arabic_function_words_are_not_a_description() -> None:
    beyond = beyond_checker("ar")
    # Darija and MSA request, relative and "scheduled / coming" words, and clitics ("فالعشية"):
    # the filters (a day, a type, next) explain the question, the programme answers it.
    assert not beyond("عافاك بغيت نعرف الورشات اللي كاينين نهار الجمعة")
    assert not beyond("هل يمكن أن تخبرني ما هي المحاضرات المبرمجة يوم الجمعة؟")
    assert not beyond("شنو المحاضرة الجاية من بعد هادي؟")
    assert not beyond("واش كاينة شي محاضرة بالإنجليزية فالعشية؟")
    # A session in other words still goes to passages.
    assert beyond("من يقدم المحاضرة الإنجليزية التي تشرح كيف تربط شبكات الراديو القرى النائية؟")


def test_a_latin_moment_word_in_an_arabic_question_is_not_a_name() -> None:
    assert PROGRAMME is not None
    now = at(FRI, 8)
    query = understand("واش كاين شي حاجة today فـ Atelier Bleu؟", "ar", PROGRAMME, now)
    assert query is not None
    assert query.moment is not None
    # name_candidates takes every Latin word of an Arabic question for a name; "today" is the
    # moment the question asks, a word the knowledge lacks beside it is still a name.
    assert names_beyond(query, ["today"], PROGRAMME, now) == []
    assert names_beyond(query, ["today", "Zorblax"], PROGRAMME, now) == ["Zorblax"]
    assert names_beyond(query, ["today"]) == ["today"]  # without the programme, as before


def speakers_programme() -> Programme:
    open_talk = "Open hardware for open science, and open data."
    sessions = [
        session("o1", "Funding commons", at(FRI, 10), 30, "Room A",
                speakers=("Open Culture Foundation",), description="Grants for communities."),
        session("o2", "Open firmware", at(FRI, 11), 30, "Room A",
                speakers=("Greg Sutcliffe",), description=open_talk),
        session("o3", "Lab robots", at(FRI, 12), 30, "Room B",
                speakers=("Antonio Malara",), description="A microscope for malaria diagnosis."),
        session("o4", "Open shells", at(FRI, 13), 30, "Room B",
                speakers=("Simon Tournier",), description="Reproducible, open builds."),
        session("o5", "Compilers", at(FRI, 14), 30, "Room B",
                speakers=("Serge « sans paille » Guelton",), description="Folding builtins."),
        session("o6", "Fonts", at(FRI, 15), 30, "Room B", speakers=("Élodie Marchal",)),
    ]  # fmt: skip
    knowledge = KnowledgeBase(
        sessions={s.id: s for s in sessions}, event=EventInfo("Camp", FRI, SAT, "Europe/Paris")
    )
    programme = Programme.of(knowledge)
    assert programme is not None
    return programme


@pytest.mark.parametrize(
    ("question", "language", "speakers"),
    [
        ("When does Greg speak?", "en", ("Greg Sutcliffe",)),
        ("What is Sutclife presenting?", "en", ("Greg Sutcliffe",)),  # a typo of a surname
        ("Malara, c'est quand ?", "fr", ("Antonio Malara",)),
        ("Quand passe Tournier ?", "fr", ("Simon Tournier",)),
        ("Is Greg Kroah-Hartman speaking at the camp?", "en", ()),  # another Greg
        ("Élodie Dupont parle quand ?", "fr", ()),  # another Élodie, capitals of any script
        ("Quand parle Élodie ?", "fr", ("Élodie Marchal",)),
        ("Is there a robot for malaria diagnosis today?", "en", ()),  # a word, not Malara
        ("On fait tourner quoi en salle B ?", "fr", ()),  # a French word, not Tournier
        ("Un talk sans slides aujourd'hui ?", "fr", ()),  # the word, not the nickname
        ("Where will the next Open Source Summit be?", "en", ()),  # "open" is this programme's word
    ],
)
def test_a_part_of_a_speakers_name_names_them_only_when_it_is_distinctive(
    question: str, language: str, speakers: tuple[str, ...]
) -> None:
    query = understand(question, language, speakers_programme(), at(FRI, 9))
    assert (query.speakers if query else ()) == speakers


def test_a_topic_no_session_of_the_named_track_says_lists_that_tracks_sessions() -> None:
    sessions = [
        session("t1", "Tuning replication", at(FRI, 10), 30, "Room A", vertical_id="db"),
        session("t2", "Query planners", at(FRI, 11), 30, "Room A", vertical_id="db"),
        session("t3", "Soldering", at(FRI, 12), 30, "Room B", vertical_id="hw"),
    ]
    verticals = {
        "db": Vertical("db", {"en": "Databases"}),
        "hw": Vertical("hw", {"en": "Hardware"}),
    }
    knowledge = KnowledgeBase(
        sessions={s.id: s for s in sessions},
        event=EventInfo("Camp", FRI, SAT, "Europe/Paris"),
        verticals=verticals,
    )
    programme = Programme.of(knowledge)
    assert programme is not None
    question = "Dans le track Databases, y a-t-il une séance sur les requêtes lentes ?"
    query = understand(question, "fr", programme, at(FRI, 9))
    assert query is not None
    assert query.tracks == ("db",)
    answer = answer_query(query, programme, at(FRI, 9))
    assert answer is not None
    assert "« requêtes lentes »" in answer.text  # in the attendee's words, not folded
    assert "Tuning replication" in answer.text
    assert "Query planners" in answer.text
    assert "Soldering" not in answer.text


def test_a_day_s_number_is_not_a_room_named_by_a_number() -> None:
    programme = programme_with(
        lambda s: replace(s, room="Salle 16") if s.room == "Atelier Bleu" else s
    )
    now = at(FRI, 8)
    for question, language in (("What is on 16 May?", "en"), ("Quoi de prévu le 16 mai ?", "fr")):
        query = understand(question, language, programme, now)
        assert query is not None
        assert query.rooms == ()  # every room that day, not Salle 16's
        answer = answer_query(query, programme, now)
        assert answer is not None
        assert "Opening of the camp" in answer.text  # in Hangar Nord
    for named in ("What is on in salle 16?", "What is next in room 16?"):
        query = understand(named, "en", programme, now)
        assert query is not None
        assert query.rooms == ("Salle 16",)


def test_a_day_named_by_its_place_in_the_event_lists_that_day_when_sessions_are_asked() -> None:
    assert PROGRAMME is not None
    now = at(FRI, 8)  # the first day: "the second day" is not "today"
    for question, language in (
        ("Which talks are on the second day?", "en"),
        ("Sessions of day 2?", "en"),
        ("Talks on the last day", "en"),
        ("Which sessions on the 2nd day?", "en"),
        ("Quelles séances le deuxième jour ?", "fr"),
        ("ما هي جلسات اليوم الثاني؟", "ar"),
    ):
        query = understand(question, language, PROGRAMME, now)
        assert query is not None, question
        assert query.moment is not None, question
        assert query.moment.day == SAT, question
        answer = answer_query(query, PROGRAMME, now)
        assert answer is not None
        assert "Mesh routing deep dive" in answer.text or "routage mesh" in answer.text, question
        assert "Soldering for beginners" not in answer.text, question  # Friday's
    first = understand("Which workshops on the first day?", "en", PROGRAMME, now)
    assert first is not None
    assert first.moment is not None
    assert first.moment.day == FRI
    # Without sessions asked for, the press describes such a day better than a list of it.
    assert read_moment("What happens on the second day?", now, ZONE, [FRI, SAT]) is None
    # A third day of a two-day programme (not the 3rd of the month): the answer says when it runs.
    for beyond in ("Which talks are on the 3rd day?", "Sessions of day 5?"):
        said = ask(beyond, now)
        assert "No session on" in said, beyond
        assert "the programme runs from" in said, beyond
        assert "Mesh" not in said, beyond
    assert read_moment("talks on day 0", now, ZONE, [FRI, SAT], by_event_day=True) is None


def test_a_short_room_name_inside_a_longer_word_is_not_that_room() -> None:
    programme = programme_with(lambda s: replace(s, room="GAM") if s.room == "Hangar Nord" else s)
    now = at(FRI, 8)
    described = "Who presents the talk built around auditing an online poker game?"
    query = understand(described, "en", programme, now)
    assert query is None or query.rooms == ()  # "game" does not name room GAM
    named = understand("What is next in GAM?", "en", programme, now)
    assert named is not None
    assert named.rooms == ("GAM",)


def test_a_version_after_a_name_is_not_a_date() -> None:
    now = at(FRI, 9)
    for versioned in ("the talk on Python 3.12's monitoring API?", "Debian 12.5, any talk?"):
        assert read_moment(versioned, now, ZONE, [FRI, SAT]) is None, versioned
    for dated in (
        "quoi de prévu le 17.5 ?",
        "talks on 17.5",
        "sessions 17/5",
        "Python 3.12 le 17.5 ?",
    ):
        moment = read_moment(dated, now, ZONE, [FRI, SAT])
        assert moment is not None, dated
        assert moment.day == SAT, dated


def test_a_talk_on_a_topic_lists_the_sessions_naming_it_unless_on_names_a_moment() -> None:
    assert PROGRAMME is not None
    now = at(FRI, 8)
    query = understand("Is there a talk on mesh?", "en", PROGRAMME, now)
    assert query is not None
    assert query.topic == "mesh"
    answer = answer_query(query, PROGRAMME, now)
    assert answer is not None
    assert "Mesh networks in villages" in answer.text
    assert "Mesh routing deep dive" in answer.text
    assert "Soldering for beginners" not in answer.text
    for dated in ("Any talks on Saturday?", "Talks on the second day?", "Workshops on now?"):
        moment_query = understand(dated, "en", PROGRAMME, now)
        assert moment_query is not None, dated
        assert moment_query.topic == "", dated
        assert moment_query.moment is not None, dated


def test_a_version_stays_in_the_topic() -> None:
    programme = programme_with(
        lambda s: (
            replace(s, title="Python 3.13 on microcontrollers")
            if s.id == "d"
            else replace(s, title="Python 2 in 2031")
            if s.id == "c"
            else s
        )
    )
    now = at(FRI, 8)
    query = understand("Is there a talk about Python 3.13?", "en", programme, now)
    assert query is not None
    answer = answer_query(query, programme, now)
    assert answer is not None
    assert "Python 3.13 on microcontrollers" in answer.text
    assert "Python 2 in 2031" not in answer.text
