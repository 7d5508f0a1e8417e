"""Hybrid ranking, boosts, abstention and answer text (fake embedder; a few real-model cases)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app.settings import DEFAULT_MODEL
from bot.domain import EventInfo, Hit, Passage, PassageKind, Session, Vertical
from bot.i18n import t
from bot.knowledge.passage_text import session_passage_text
from bot.search.abstention import event_topics, foil_questions
from bot.search.answer_text import abstention_text, citation
from bot.search.bm25 import intent_terms
from bot.search.calibration import COMPACT_ABOVE_SESSIONS, config_for, search_texts
from bot.search.embedders import Embedder, HashingEmbedder, load_embedder
from bot.search.knowledge_lexicon import KnowledgeLexicon, parallel_texts
from bot.search.normalise import stems, tokenize
from bot.search.ranking import Ranking, Retriever
from bot.search.transliteration import Transliterations
from bot.search.vocabulary import Vocabulary


def press(pid: str, text: str, language: str = "fr", illustrative: bool = False) -> Passage:
    source = f"{pid}.{language}.md"
    return Passage(pid, text, source, 1, language=language, illustrative=illustrative)


def session_passage(sid: str, title: str, rest: str) -> Passage:
    return Passage(
        id=f"prog.json#{sid}",
        text=f"{title} — talk, track “Main”. {rest}",
        source=f"prog.json#{sid}",
        line=1,
        kind=PassageKind.SESSION,
        language="en",
        session_id=sid,
    )


def session(sid: str, title: str, hour: int) -> Session:
    start = datetime(2025, 7, 1, hour, tzinfo=UTC)
    return Session(id=sid, title=title, start=start, end=start.replace(minute=40))


PASSAGES = [
    press("dates", "Dates et lieu\nLes Assises se tiennent les 1er et 2 juillet 2025 à Rabat."),
    press(
        "minister", "Organisation\nLa ministre Amal El Fallah Seghrouchni a présenté les Assises."
    ),
    press("sport", "Verticale sport\nLe sport et l'intelligence artificielle: performance."),
    press(
        "dates-en",
        "Dates and place\nThe conference takes place on 1 and 2 July 2025 in Rabat.",
        "en",
    ),
    press("sante-ar", "الصحة\nمحور الصحة والطب الدقيق في المناظرة الوطنية.", "ar"),
]


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return Retriever.from_passages(PASSAGES, HashingEmbedder())


def test_lexical_side_finds_exact_names(retriever: Retriever) -> None:
    hits = retriever.rank("Seghrouchni").hits
    assert hits[0].passage.id == "minister"


def test_question_language_breaks_ties() -> None:
    twins = [
        press("a-en", "Rabat 2025", "en"),
        press("b-fr", "Rabat 2025", "fr"),
    ]
    retriever = Retriever.from_passages(twins, HashingEmbedder())
    assert retriever.rank("Rabat 2025 ?", language="fr").hits[0].passage.id == "b-fr"
    assert retriever.rank("Rabat 2025 ?", language="en").hits[0].passage.id == "a-en"


def test_vocalised_arabic_question_matches(retriever: Retriever) -> None:
    hits = retriever.rank("مِحْوَرُ الصِّحَّةِ").hits
    assert hits[0].passage.id == "sante-ar"


def test_answer_cites_its_source_in_the_question_language(retriever: Retriever) -> None:
    answer = retriever.answer("Quelles sont les dates des Assises à Rabat ?", top_k=2)
    assert answer.answered
    assert answer.language == "fr"
    assert len(answer.hits) == 2
    assert answer.hits[0].passage.text in answer.text
    assert citation(answer) == f"Sources : {answer.hits[0].passage.source}"
    assert answer.top_score == answer.hits[0].score


def test_illustrative_passages_are_marked() -> None:
    passage = press(
        "illu", "Séance santé\nSalle A, 10:00, intervenants à confirmer.", illustrative=True
    )
    answer = Retriever.from_passages([passage], HashingEmbedder()).answer("séance santé salle A")
    assert answer.answered
    assert t("illustrative", "fr") in answer.text


def test_passages_marked_in_their_own_words_are_not_marked_twice() -> None:
    text = "Séance santé\nSalle A, 10:00 (horaire donné à titre indicatif)."
    passage = press("illu", text, illustrative=True)
    answer = Retriever.from_passages([passage], HashingEmbedder()).answer("séance santé salle A")
    assert t("illustrative", "fr") not in answer.text
    english = Retriever.from_passages([passage], HashingEmbedder()).answer(
        "séance santé salle A", language="en"
    )
    assert t("illustrative", "en") in english.text  # the note in the question's language


def test_question_without_content_words_abstains(retriever: Retriever) -> None:
    answer = retriever.answer("Qui est-ce ?", top_k=3)
    assert not answer.answered
    assert answer.text == t("abstain", "fr")
    assert len(answer.hits) == 3  # the nearest passages are still listed, flagged unanswered


def test_empty_knowledge_abstains() -> None:
    answer = Retriever.from_passages([], HashingEmbedder()).answer("When is it?")
    assert not answer.answered
    assert answer.hits == ()


TALKS = {
    "t1": session("t1", "Let's get digital", 18),
    "t2": session("t2", "Digital sovereignty for beginners", 11),
    "t3": session("t3", "Playing with words", 13),
}
TALK_PASSAGES = [
    session_passage("t1", "Let's get digital", "Tuesday 1 July 2025, 18:00. Room: Bamberg."),
    session_passage(
        "t2",
        "Digital sovereignty for beginners",
        "Tuesday 1 July 2025, 11:00. Room: Monheim. Digital digital digital tools and politics.",
    ),
    session_passage("t3", "Playing with words", "Tuesday 1 July 2025, 13:00. Speaker: Kamil."),
]


@pytest.fixture(scope="module")
def talks() -> Retriever:
    return Retriever.from_passages(TALK_PASSAGES, HashingEmbedder(), TALKS)


@pytest.mark.parametrize(
    "question",
    [
        'When is the talk "Let\'s get digital"?',
        "Quand a lieu « Let’s get digital » ?",
        "when is let's get digital",
    ],
)
def test_named_session_title_goes_first(talks: Retriever, question: str) -> None:
    ranking = talks.rank(question)
    assert ranking.hits[0].passage.session_id == "t1"
    assert ranking.title_match


def test_quoted_title_with_a_typo_still_wins(talks: Retriever) -> None:
    assert talks.rank('Who speaks at "Playing with the words"?').hits[0].passage.session_id == "t3"


def test_search_sessions(talks: Retriever) -> None:
    assert [s.id for s in talks.sessions_for("", limit=2)] == ["t2", "t3"]  # by start time
    found = talks.sessions_for("playing words", limit=1)
    assert [s.id for s in found] == ["t3"]


def test_inline_search_puts_titles_first_and_finds_nothing_for_nonsense(talks: Retriever) -> None:
    assert talks.sessions_for("qqqq zzzz") == []
    assert {s.id for s in talks.sessions_for("digit", limit=2)} == {"t1", "t2"}  # typed so far
    assert [s.id for s in talks.sessions_for("Kamil")][:1] == ["t3"]


def test_inline_search_finds_a_title_through_its_translation() -> None:
    sessions = {"s1": session("s1", "Atelier santé", 9), "s2": session("s2", "Atelier sport", 10)}
    passages = [
        session_passage("s2", "Atelier sport", "Tuesday 1 July 2025, 10:00."),
        session_passage("s1", "Atelier santé", "Tuesday 1 July 2025, 09:00."),
    ]
    retriever = Retriever.from_passages(passages, HashingEmbedder(), sessions)
    assert [s.id for s in retriever.sessions_for("health")][:1] == ["s1"]


def test_names_the_knowledge_never_mentions() -> None:
    vocabulary = Vocabulary(PASSAGES)
    assert vocabulary.unknown_names("Who opens the Zorblax Expo?", "en") == ["Zorblax", "Expo"]
    assert vocabulary.unknown_names("Amal El Falah, is she at the Assises?", "en") == []
    assert vocabulary.unknown_names("هل يشارك Zorblax في المناظرة؟", "ar") == ["Zorblax"]
    assert vocabulary.unknown_names("Is the 2nd day in Rabat?", "en") == []
    french = Vocabulary([press("ia", "Éthique de l'IA et RGPD")])
    assert french.unknown_names("A talk on AI ethics and GDPR?", "en") == []


def test_the_share_of_a_question_the_knowledge_never_mentions() -> None:
    french = [press(f"p{i}", text) for i, text in enumerate(("Les Assises se tiennent à Rabat.",
              "Le sport.", "La santé.", "Les dates.", "La ministre."))]  # fmt: skip
    vocabulary = Vocabulary([*french, press("en", "Dates and place", "en")])
    never = lambda word: False  # noqa: E731
    assert vocabulary.unknown_share("Les Assises se tiennent à Rabat ?", "fr", never) == 0.0
    lacking = vocabulary.unknown_share("Une boulangerie ouverte près des Assises ?", "fr", never)
    assert 0.5 < lacking < 1.0  # "boulangerie", "ouverte", "près" are not in the knowledge
    assert vocabulary.unknown_share("Une boulangerie ouverte ?", "fr", never) == 1.0
    # Rare words say more than common ones: the missing rare word weighs the most.
    assert vocabulary.unknown_share("sport boulangerie", "fr", never) > 0.5
    # Too few English passages to tell a missing English word from one said in French.
    assert vocabulary.unknown_share("Is there a bakery?", "en", never) == 0.0


def test_arabic_spellings_of_latin_names_reach_the_lexical_side() -> None:
    spelled = Transliterations(["sphinx", "mercurial", "apres", "documentation"])
    assert spelled.latin_for("سفينكس") == {"sphinx"}
    assert spelled.latin_for("بميركوريال") == {"mercurial"}  # with a clitic
    assert spelled.latin_for("باريس") == set()  # three consonants match too much to trust
    talks = [
        session_passage("s1", "Documenter son projet avec Sphinx", "Samedi 10:30."),
        session_passage("s2", "Gestionnaire de versions Mercurial", "Jeudi 10:00."),
        session_passage("s3", "Tests de charge", "Dimanche 14:00."),
    ]
    retriever = Retriever.from_passages(talks, HashingEmbedder())
    assert retriever.rank("متى محاضرة ميركوريال؟").hits[0].passage.id == "prog.json#s2"
    assert retriever.rank("متى محاضرة سفينكس؟").hits[0].passage.id == "prog.json#s1"


def test_a_lexicon_learnt_from_the_knowledge_translated_fields() -> None:
    start = datetime(2025, 7, 1, 9, tzinfo=UTC)

    def translated(sid: str, fr: str, en: str, ar: str) -> Session:
        return Session(sid, fr, start, start.replace(hour=10), language="fr",
                       translations=(("en", en, ""), ("ar", ar, "")))  # fmt: skip

    sessions = [
        translated(
            "a", "Session du secteur bancaire", "Banking sector session", "جلسة قطاع البنوك"
        ),
        translated("b", "Le secteur agricole", "The farming sector", "قطاع الفلاحة"),
        translated("c", "Atelier vidéo", "Video workshop", "ورشة الفيديو"),
    ]
    lexicon = KnowledgeLexicon(parallel_texts(sessions))
    assert set(stems("secteur")) & set(lexicon.translations(tokenize("قطاع")))
    assert not set(stems("video")) & set(lexicon.translations(tokenize("قطاع")))
    # French passages only: the Arabic word reaches "secteur" through the learnt pairs alone.
    shown = [sessions[2], sessions[0]]
    passages = [session_passage(s.id, s.title, "Mardi 1er juillet 2025, 09:00.") for s in shown]
    retriever = Retriever.from_passages(passages, HashingEmbedder(), {s.id: s for s in sessions})
    asked = tokenize("ماذا عن القطاع؟")
    assert list(retriever.lexical.scores(asked)) == [0.0, 0.0]
    lexical = retriever.lexical.scores(retriever.learnt.translations(asked))
    assert lexical[1] > lexical[0] == 0.0


def test_countries_the_knowledge_never_names_in_any_script_or_case() -> None:
    vocabulary = Vocabulary([press("p", "Les Assises se tiennent à Rabat, au Maroc.")])
    assert vocabulary.unknown_names("what is germany doing on ai?", "en") == ["germany"]
    assert vocabulary.unknown_names("ما هي سياسة الجزائر في التعليم؟", "ar") == ["الجزائر"]
    assert vocabulary.unknown_names("Quelle stratégie pour la Côte d'Ivoire ?", "fr") == [
        "Côte",
        "Ivoire",
    ]  # capitalised words already, not counted twice
    # Morocco is named by the knowledge (in French): in any language it is known.
    assert vocabulary.unknown_names("ماذا عن المغرب؟", "ar") == []
    assert vocabulary.unknown_names("what about morocco?", "en") == []


def test_a_question_in_a_language_the_knowledge_lacks_needs_the_foreign_floor() -> None:
    retriever = Retriever.from_passages(PASSAGES, HashingEmbedder())
    retriever.config = config_for("e5-small-q4")
    hit = Hit(PASSAGES[0], 1.0)
    ranking = Ranking((hit,), "ar", 0.78, 0.70, 0.0, False, True, word_count=4, words_known=1.0)
    assert retriever.relevant(ranking)  # above the floor and well clear of the foils
    assert not retriever.relevant(replace(ranking, foreign=True))
    assert retriever.relevant(replace(ranking, foreign=True, dense_top=0.82))
    # The share of the question the knowledge never mentions raises the foil margin.
    close = replace(ranking, foil_top=0.79)
    assert retriever.relevant(close)
    assert not retriever.relevant(replace(close, unknown_share=1.0))
    assert retriever.relevant(replace(close, unknown_share=1.0, word_count=3))  # too short to say


def test_a_version_the_knowledge_never_writes_is_a_name_it_lacks() -> None:
    vocabulary = Vocabulary([press("p", "Atelier : les nouveautés de la version 2.7 du logiciel.")])
    assert vocabulary.unknown_names("what changed in release 3.14?", "en") == ["3.14"]
    assert vocabulary.unknown_names("what changed in release 2.7?", "en") == []
    assert vocabulary.unknown_names("y a-t-il une séance le 28.12 ?", "fr") == []  # a date


def test_foils_are_generated_from_the_event_topics_in_each_language() -> None:
    health = Vertical("health", {"fr": "Santé", "en": "Health", "ar": "الصحة"})
    foils = foil_questions("", event_topics([health]))
    assert len([foil for foil in foils if "Santé" in foil or "Health" in foil]) == 2
    assert any("الصحة" in foil for foil in foils)
    assert foil_questions("") == foil_questions("", {})


def test_abstention_names_what_is_missing_and_what_the_event_is() -> None:
    event = EventInfo("Forum", date(2026, 3, 14), date(2026, 3, 15), "UTC", city="Fès")
    text = abstention_text(["Zorblax"], event, "en")
    assert text.startswith(t("abstain_names", "en", names="Zorblax"))
    assert "Forum" in text
    assert "Fès" in text
    assert "14" in text


@pytest.fixture(scope="module")
def real_embedder() -> Embedder:
    return load_embedder(DEFAULT_MODEL)


EVENT = [
    press("dates", "Dates et lieu\nLe forum a lieu le 14 mars 2026 au Palais des congrès de Fès."),
    press("theme", "Thème\nLe forum porte sur l'eau et l'agriculture durable au Maghreb."),
    press("speakers", "Intervenants\nLa séance d'ouverture est présidée par Nadia Bennani."),
    press("dates-ar", "الموعد والمكان\nينعقد المنتدى يوم 14 مارس 2026 بقصر المؤتمرات بفاس.", "ar"),
    press("theme-ar", "الموضوع\nيتناول المنتدى الماء والفلاحة المستدامة في المغرب العربي.", "ar"),
    press("dates-en", "Date and place\nThe forum takes place on 14 March 2026 in Fez.", "en"),
]


FORUM = EventInfo(
    name="Forum de l'eau",
    start_date=date(2026, 3, 14),
    end_date=date(2026, 3, 14),
    timezone="Africa/Casablanca",
    city="Fès",
    names={"fr": "Forum de l'eau", "en": "Water Forum", "ar": "منتدى الماء"},
)


@pytest.fixture(scope="module")
def event(real_embedder: Embedder) -> Retriever:
    return Retriever.from_passages(EVENT, real_embedder, event=FORUM)


@pytest.mark.real_model
@pytest.mark.parametrize("question", ["c'est où ?", "when?", "متى؟"])
def test_real_model_answers_bare_where_and_when(event: Retriever, question: str) -> None:
    answer = event.answer(question, top_k=2)
    assert answer.answered
    assert any(hit.passage.id.startswith("dates") for hit in answer.hits)


@pytest.mark.real_model
def test_real_model_answers_french_and_arabic(event: Retriever) -> None:
    french = event.answer("Où se déroule le forum ?")
    assert french.answered
    assert french.hits[0].passage.id == "dates"
    arabic = event.answer("ما هو موضوع المنتدى؟")
    assert arabic.answered
    assert arabic.language == "ar"
    assert arabic.hits[0].passage.id == "theme-ar"


@pytest.mark.real_model
@pytest.mark.parametrize(
    "question",
    [
        "What's the weather like tomorrow?",
        "Quelle est la capitale de l'Australie ?",
        "Quel hôtel me conseilles-tu à Fès ?",  # shares the city with the knowledge
    ],
)
def test_real_model_abstains_out_of_scope(event: Retriever, question: str) -> None:
    answer = event.answer(question)
    assert not answer.answered
    assert "Fès" in answer.text  # it says what it knows about instead


@pytest.mark.real_model
@pytest.mark.parametrize(
    "question",
    [
        "When does the Zorblax Expo open in Fez?",  # a name the knowledge never mentions
        "Qui préside le salon Hydrotech 2031 ?",
        "متى يفتتح معرض Zorblax؟",  # a Latin name in an Arabic question
    ],
)
def test_real_model_refuses_questions_naming_what_the_knowledge_never_mentions(
    event: Retriever, question: str
) -> None:
    answer = event.answer(question)
    assert not answer.answered
    assert "Zorblax" in answer.text or "Hydrotech" in answer.text


@pytest.mark.real_model
def test_real_model_still_answers_a_misspelt_name_of_the_knowledge(event: Retriever) -> None:
    answer = event.answer("Quel rôle a Nadia Benani ?")
    assert answer.answered
    assert answer.hits[0].passage.id == "speakers"


def test_where_and_when_questions_expand_the_lexical_query() -> None:
    assert set(tokenize("salle lieu")) <= set(intent_terms("Où se passe l'atelier ?"))
    assert set(tokenize("date heure")) <= set(intent_terms("When is the workshop?"))
    assert set(tokenize("تاريخ")) <= set(intent_terms("متى تنعقد المناظرة؟"))
    assert intent_terms("Who speaks about robots?") == []


def test_each_passage_is_embedded_once_even_with_a_long_description() -> None:
    long_text = " ".join(
        f"Fuzzing finds bug number {n} by feeding random inputs." for n in range(20)
    )
    talk = Session(
        id="f1",
        title="Fuzzers like LEGO",
        start=datetime(2025, 7, 1, 9, tzinfo=UTC),
        end=datetime(2025, 7, 1, 10, tzinfo=UTC),
        description=long_text,
    )
    shown = session_passage("f1", "Fuzzers like LEGO", long_text[:200])
    short = session_passage("t3", "Playing with words", "Speaker: Kamil.")
    ids, texts = search_texts([shown, short], {"f1": talk, "t3": TALKS["t3"]})
    assert ids == [0, 1]
    assert texts == [shown.text, short.text]
    retriever = Retriever.from_passages([shown, short], HashingEmbedder(), {"f1": talk})
    assert [hit.passage.session_id for hit in retriever.rank("fuzzing bugs").hits] == ["f1", "t3"]


def test_a_big_programme_embeds_sessions_without_their_schedule_sentences() -> None:
    start = datetime(2025, 2, 1, 10, tzinfo=UTC)
    talk = Session(
        id="s1",
        title="Kernel fuzzing",
        start=start,
        end=start + timedelta(minutes=30),
        room="K.1.105",
        speakers=("Ana Silva",),
        description="How syzkaller finds bugs.",
    )
    shown = session_passage_text(talk, None, "en", UTC)
    compact = session_passage_text(talk, None, "en", UTC, for_search=True)
    assert all(part in shown for part in ("K.1.105", "10:00", "2025"))
    assert not any(part in compact for part in ("K.1.105", "10:00", "2025"))
    assert all(part in compact for part in ("Kernel fuzzing", "Ana Silva", "syzkaller"))
    passage = replace(session_passage("s1", "Kernel fuzzing", "x"), text=shown, search_text=compact)
    few = {"s1": talk}
    many = {f"s{i}": replace(talk, id=f"s{i}") for i in range(COMPACT_ABOVE_SESSIONS + 1)}
    assert search_texts([passage], few)[1] == [shown]
    assert search_texts([passage], many)[1] == [compact]


def _long_description_talks() -> tuple[list[Passage], dict[str, Session]]:
    start = datetime(2025, 11, 1, 14, tzinfo=UTC)
    long = (
        "Design systems promise collaboration between designers and developers, and the stakes "
        "of frontend delivery have never been higher. On a modern stack the challenge stays "
        "manageable, with a recent backend and a solid API. But what about an old monolith "
        "that still renders its pages on the server? We wired Storybook and Vite into a "
        "Django project older than both. The speaker lives in Lyon."
    )
    talks = {
        "d1": Session(id="d1", title="Design systems in hostile places", start=start,
                      end=start + timedelta(minutes=50), room="B421", description=long),
        "d2": Session(id="d2", title="Measuring start-up time", start=start,
                      end=start + timedelta(minutes=25), room="B003",
                      description="Import time, caches and what to measure first."),
    }  # fmt: skip
    passages = [
        replace(session_passage(s.id, s.title, ""), text=session_passage_text(s, None, "en", UTC))
        for s in talks.values()
    ]
    return passages, talks


def test_words_of_a_description_the_passage_shortens_are_still_searched() -> None:
    passages, talks = _long_description_talks()
    assert "Storybook" not in passages[0].text  # past the 300 characters the passage shows
    retriever = Retriever.from_passages(passages, HashingEmbedder(), talks)
    question = "Is there a talk wiring Storybook into a Django project?"
    ranking = retriever.rank(question)
    assert ranking.hits[0].passage.session_id == "d1"  # BM25 reads the whole description
    assert list(retriever.vocabulary.unknown_names(question, "en")) == ["Storybook", "Django"]
    assert ranking.unknown_names == ()  # but the passage found says it: not a refusal by name


def test_a_name_only_in_a_description_s_rest_does_not_answer_a_question_about_it() -> None:
    passages, talks = _long_description_talks()
    retriever = Retriever.from_passages(passages, HashingEmbedder(), talks)
    bike = tokenize("Where can I rent a bike in Lyon?")
    # The bio names the city, but nothing else the question asks is in that talk.
    assert not retriever.lexical.names_in("Lyon", 0, bike)
    assert retriever.lexical.names_in("Lyon", 0, tokenize("a talk in Lyon on Storybook?"))
    assert not retriever.lexical.names_in("Lyon", 1, tokenize("a talk in Lyon on start-up?"))


def test_everyday_darija_words_are_not_names_the_knowledge_lacks() -> None:
    arabic = [press(f"a{i}", f"المناظرة الوطنية للذكاء الاصطناعي {i}", "ar") for i in range(6)]
    vocabulary = Vocabulary(arabic)
    # "please", "give me", "there", "now": rare in Modern Standard Arabic word lists
    assert vocabulary.unknown_names("عطيوني البرنامج ديال المناظرة عافاكم", "ar") == []
    assert vocabulary.unknown_names("شكون كاين تما دابا؟", "ar") == []
    assert vocabulary.unknown_names("واش يان لوكون جاي للمناظرة؟", "ar") != []  # a name still is


def test_a_common_arabic_verb_with_a_future_or_present_marker_is_not_a_name() -> None:
    arabic = [press(f"a{i}", f"المناظرة الوطنية للذكاء الاصطناعي {i}", "ar") for i in range(6)]
    vocabulary = Vocabulary(arabic)
    assert vocabulary.unknown_names("هل ستتطرق المناظرة إلى الاستثمار؟", "ar") == []  # will address
    assert vocabulary.unknown_names("واش المناظرة كتهمني؟", "ar") == []  # Darija: concerns me
    assert vocabulary.unknown_names("واش ستالمان جاي للمناظرة؟", "ar") == ["ستالمان"]  # a name
