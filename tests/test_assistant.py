"""The assistant facade: saved index reuse, incremental re-embedding, reload, answers."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app.settings import Settings
from bot.domain import Answer
from bot.search.assistant import Assistant
from bot.search.batching import Question
from bot.search.ranking import DenseSide, Retriever
from bot.search.vector_index import MANIFEST, FaissIndex

SECTIONS = {
    "dates": "Le forum de l'eau se tient les 14 et 15 mars 2026 à Fès, au Palais des congrès, "
    "avec des ateliers, des tables rondes et une exposition ouverte au public chaque jour.",
    "theme": "Le thème retenu pour cette édition est l'eau et l'agriculture durable au Maghreb, "
    "de la gestion des nappes phréatiques à l'irrigation économe et aux nouvelles cultures.",
    "public": "Environ 800 participants sont attendus : chercheurs, agriculteurs, élus locaux, "
    "entreprises et associations venues de tout le Maghreb et des pays partenaires.",
}
OTHER = {
    "transport": "Des navettes gratuites relient la gare de Fès au Palais des congrès toutes les "
    "vingt minutes pendant les deux jours du forum, de sept heures à vingt heures.",
    "repas": "Un déjeuner est servi aux participants inscrits dans le hall principal, avec des "
    "menus végétariens sur demande auprès de l'accueil du forum dès l'ouverture.",
}


def markdown(sections: dict[str, str]) -> str:
    return "\n\n".join(f"## {title}\n\n{text}" for title, text in sections.items()) + "\n"


def write_knowledge(settings: Settings) -> None:
    (settings.knowledge_dir / "forum.fr.md").write_text(markdown(SECTIONS), encoding="utf-8")
    (settings.knowledge_dir / "pratique.fr.md").write_text(markdown(OTHER), encoding="utf-8")


@pytest.fixture
def settings(hashing_settings: Settings) -> Settings:
    write_knowledge(hashing_settings)
    return hashing_settings


def test_first_load_embeds_everything_and_saves_the_index(settings: Settings) -> None:
    assistant = Assistant.load(settings)
    assert len(assistant.knowledge.passages) == 5
    report = assistant.last_report
    assert report is not None
    assert (report.passages, report.embedded, report.cached, report.reused) == (5, 5, 0, False)
    manifest = json.loads((settings.index_dir / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["model"] == "test-hashing"
    assert manifest["passages"] == 5
    assert manifest["built_at"].endswith("+00:00")  # timezone-aware UTC


def test_warm_load_reuses_the_saved_index(settings: Settings) -> None:
    Assistant.build_index(settings)
    report = Assistant.build_index(settings)
    assert report.reused
    assert report.embedded == 0
    assert "up to date" in report.summary()


def test_editing_one_file_re_embeds_only_its_changed_passage(settings: Settings) -> None:
    Assistant.build_index(settings)
    changed = dict(OTHER, repas=OTHER["repas"].replace("déjeuner", "dîner"))
    (settings.knowledge_dir / "pratique.fr.md").write_text(markdown(changed), encoding="utf-8")
    report = Assistant.build_index(settings)
    assert (report.passages, report.embedded, report.cached) == (5, 1, 4)


def test_adding_a_file_embeds_only_the_new_passages(settings: Settings) -> None:
    Assistant.build_index(settings)
    extra = {
        "wifi": "Le réseau sans fil du forum s'appelle EauFes2026 ; le mot de passe est "
        "affiché à l'accueil et dans le livret remis à chaque participant inscrit."
    }
    (settings.knowledge_dir / "wifi.fr.md").write_text(markdown(extra), encoding="utf-8")
    report = Assistant.build_index(settings)
    assert (report.passages, report.embedded, report.cached) == (6, 1, 5)


def test_manifest_of_another_model_or_corpus_rebuilds(settings: Settings) -> None:
    Assistant.build_index(settings)
    path = settings.index_dir / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(manifest | {"model": "another-model"}), encoding="utf-8")
    report = Assistant.build_index(settings)
    assert not report.reused
    assert report.cached == 5  # rebuilt, vectors from the cache
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assert manifest["model"] == "test-hashing"
    path.write_text(json.dumps(manifest | {"corpus_hash": "0" * 64}), encoding="utf-8")
    assert not Assistant.build_index(settings).reused


@pytest.mark.parametrize("damage", ["index", "manifest", "both"])
def test_corrupt_or_missing_index_rebuilds(settings: Settings, damage: str) -> None:
    Assistant.build_index(settings)
    if damage in ("index", "both"):
        (settings.index_dir / FaissIndex.filename).write_bytes(b"\x00garbage")
    if damage in ("manifest", "both"):
        (settings.index_dir / MANIFEST).unlink()
    assistant = Assistant.load(settings)
    assert assistant.last_report is not None
    assert not assistant.last_report.reused
    assert assistant.answer("Quel est le thème du forum ?").hits


def test_answer_and_answer_async(settings: Settings) -> None:
    assistant = Assistant.load(settings)
    answer = assistant.answer("navettes gratuites depuis la gare", top_k=2)
    assert isinstance(answer, Answer)
    assert answer.answered
    assert answer.hits[0].passage.source == "pratique.fr.md"
    assert len(answer.hits) == 2


async def test_answer_async_runs_off_the_loop(settings: Settings) -> None:
    assistant = Assistant.load(settings)
    answer = await assistant.answer_async("navettes gratuites depuis la gare", top_k=1)
    assert answer.hits[0].passage.source == "pratique.fr.md"


def count_rankings(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch, seconds: float = 0.0
) -> list[str]:
    """The questions the retriever ranks from now on, each taking at least `seconds`."""
    computed: list[str] = []
    rank = type(assistant.retriever).answer

    def counting(
        self: Retriever,
        question: str,
        top_k: int = 3,
        language: str | None = None,
        dense: DenseSide | None = None,
    ) -> Answer:
        computed.append(question)
        time.sleep(seconds)
        return rank(self, question, top_k, language, dense)

    monkeypatch.setattr(type(assistant.retriever), "answer", counting)
    return computed


def test_repeated_questions_are_answered_from_the_cache_until_a_reload(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = Assistant.load(settings)
    computed = count_rankings(assistant, monkeypatch)
    first = assistant.answer("Combien de participants attendus ?", top_k=1)
    again = assistant.answer("  combien de PARTICIPANTS   attendus ? ", top_k=1)
    assert computed == ["Combien de participants attendus ?"]
    assert again.question == "  combien de PARTICIPANTS   attendus ? "  # the asker's words
    assert again.hits == first.hits
    assistant.answer("Combien de participants attendus ?", top_k=2)  # other k: computed
    assert len(computed) == 2

    changed = dict(SECTIONS, public=SECTIONS["public"].replace("800", "1 200"))
    (settings.knowledge_dir / "forum.fr.md").write_text(markdown(changed), encoding="utf-8")
    assert assistant.reload().changed
    after = assistant.answer("Combien de participants attendus ?", top_k=1)
    assert len(computed) == 3  # a new version of the knowledge answers afresh
    assert "1 200" in after.hits[0].passage.text


async def test_the_same_question_asked_at_once_is_computed_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = Assistant.load(settings)
    # Slow enough for every asker to arrive while the first computation runs.
    computed = count_rankings(assistant, monkeypatch, seconds=0.2)
    questions = ["Combien de participants ?"] * 10 + ["COMBIEN de participants ?", "Navettes ?"]
    answers = await asyncio.gather(*(assistant.answer_async(q, top_k=1) for q in questions))
    assert sorted(computed) == ["Combien de participants ?", "Navettes ?"]
    assert [a.question for a in answers] == questions  # each asker gets their own words back
    assert len({a.hits[0].passage.id for a in answers[:11]}) == 1


def test_reload_swaps_in_changes_and_reports_them(settings: Settings) -> None:
    assistant = Assistant.load(settings)
    assert assistant.changed_scan() is None
    unchanged = assistant.reload()
    assert not unchanged.changed
    assert unchanged.embedded == 0

    changed = dict(SECTIONS, public=SECTIONS["public"].replace("800", "1 200"))
    (settings.knowledge_dir / "forum.fr.md").write_text(markdown(changed), encoding="utf-8")
    assert assistant.changed_scan() is not None
    report = assistant.reload()
    assert report.changed
    assert report.embedded == 1
    assert report.previous is not report.current
    assert assistant.knowledge is report.current
    assert assistant.changed_scan() is None
    assert "1 200" in assistant.answer("participants attendus", top_k=1).hits[0].passage.text


def test_readers_never_fail_during_reloads(settings: Settings) -> None:
    assistant = Assistant.load(settings)
    failures: list[BaseException] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                assert assistant.answer("thème du forum").hits
            except BaseException as exc:  # collected for the assertion below
                failures.append(exc)
                return

    readers = [threading.Thread(target=ask) for _ in range(3)]
    for reader in readers:
        reader.start()
    for round_ in range(5):
        text = dict(SECTIONS, theme=f"{SECTIONS['theme']} Édition {round_}.")
        (settings.knowledge_dir / "forum.fr.md").write_text(markdown(text), encoding="utf-8")
        assistant.reload()
    stop.set()
    for reader in readers:
        reader.join(timeout=30)
    assert failures == []


def test_search_sessions_of_a_schedule(hashing_settings: Settings) -> None:
    settings = hashing_settings
    schedule = {
        "schedule": {
            "conference": {
                "title": "TestCon",
                "start": "2025-07-01",
                "end": "2025-07-01",
                "days": [
                    {
                        "index": 1,
                        "date": "2025-07-01",
                        "rooms": {
                            "Hall": [
                                {
                                    "guid": f"g{number}",
                                    "title": title,
                                    "date": f"2025-07-01T{10 + number}:00:00+02:00",
                                    "start": f"{10 + number}:00",
                                    "duration": "00:30",
                                    "room": "Hall",
                                    "track": "Main",
                                    "persons": [{"public_name": speaker}],
                                    "abstract": "",
                                }
                                for number, (title, speaker) in enumerate(
                                    [("Rust for embedded", "Ada"), ("Gardening robots", "Bob")]
                                )
                            ]
                        },
                    }
                ],
            }
        }
    }
    (settings.knowledge_dir / "talks.json").write_text(json.dumps(schedule), encoding="utf-8")
    assistant = Assistant.load(settings)
    assert [s.title for s in assistant.search_sessions("")] == [
        "Rust for embedded",
        "Gardening robots",
    ]
    assert [s.title for s in assistant.search_sessions("robots", limit=1)] == ["Gardening robots"]


@pytest.mark.real_model
def test_real_model_incremental_reindex_and_model_change(
    settings_for: Callable[..., Settings],
) -> None:
    fake = settings_for()
    write_knowledge(fake)
    Assistant.build_index(fake)
    real = settings_for("e5-small-q4")
    first = Assistant.build_index(real)  # another model: the saved index must not be reused
    assert (first.reused, first.embedded, first.cached) == (False, 5, 0)
    changed = dict(SECTIONS, dates=SECTIONS["dates"].replace("14 et 15", "21 et 22"))
    (real.knowledge_dir / "forum.fr.md").write_text(markdown(changed), encoding="utf-8")
    second = Assistant.build_index(real)
    assert (second.reused, second.embedded, second.cached) == (False, 1, 4)
    answer = Assistant.load(real).answer("Quand a lieu le forum de l'eau ?")
    assert answer.answered
    assert "21 et 22 mars" in answer.hits[0].passage.text


@pytest.mark.real_model
def test_real_model_shipped_knowledge_dates(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        knowledge_dir=Path(__file__).resolve().parent.parent / "knowledge",
        data_dir=tmp_path / "data",
        embedding_model="e5-small-q4",
    )
    answer = Assistant.load(settings).answer("Quelles sont les dates des Assises de l'IA ?")
    assert answer.answered
    assert any("juillet" in hit.passage.text for hit in answer.hits)


def test_an_answer_carries_the_knowledge_version_it_was_computed_from(settings: Settings) -> None:
    assistant = Assistant.load(settings)
    before = assistant.answer("participants attendus", top_k=1)
    assert before.knowledge is assistant.knowledge
    changed = dict(SECTIONS, public=SECTIONS["public"].replace("800", "1 200"))
    (settings.knowledge_dir / "forum.fr.md").write_text(markdown(changed), encoding="utf-8")
    report = assistant.reload()
    # Rendered after the reload, the earlier answer still points at its own version.
    assert before.knowledge is report.previous
    after = assistant.answer("participants attendus", top_k=1)
    assert after.knowledge is report.current
    [batched] = assistant.answer_questions([Question("participants attendus ?", 1, None)])
    assert batched.knowledge is report.current


def test_warm_up_loads_what_first_questions_would_wait_for(settings: Settings) -> None:
    from bot.i18n import _translations
    from bot.search.vocabulary import _zipf

    assistant = Assistant.load(settings)
    _zipf.cache_clear()
    _translations.cache_clear()
    warmed: list[int] = []
    assistant.embedder.warm_up = lambda: warmed.append(1)  # type: ignore[method-assign]
    assistant.warm_up()
    assert warmed == [1]
    assert _zipf.cache_info().currsize == 3  # wordfreq's fr, en and ar tables
    assert _translations.cache_info().currsize == 3  # fr, en and ar catalogs
