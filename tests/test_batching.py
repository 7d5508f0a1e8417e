"""Questions asked together: answered in one batch, exactly as they would be one by one."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np

from bot.app.settings import Settings
from bot.domain import Answer
from bot.search.assistant import Assistant
from bot.search.batching import BatchTimings, Question, QuestionBatcher, answer_batch
from bot.search.embedders import HashingEmbedder
from bot.search.ranking import Retriever
from tests.test_assistant import write_knowledge
from tests.test_retrieval import TALK_PASSAGES, TALKS

REPO = Path(__file__).resolve().parents[1]

QUESTIONS = (
    "Combien de participants viennent au forum ?",
    "navettes gare",
    "Quel est le thème de cette édition ?",
    "déjeuner végétarien",
    "horaires",
)


class CountingQueries(HashingEmbedder):
    """The hashing embedder, recording each `encode_queries` call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str]] = []

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return super().encode_queries(texts)


def test_a_batch_answers_like_single_questions_with_one_encode_call(
    hashing_settings: Settings,
) -> None:
    write_knowledge(hashing_settings)
    retriever = Assistant.load(hashing_settings).retriever
    single = [retriever.answer(q) for q in QUESTIONS]
    counting = CountingQueries()
    retriever.embedder = counting
    timings = BatchTimings()
    batched = answer_batch(retriever, [Question(q) for q in QUESTIONS], timings)
    assert len(counting.calls) == 1
    assert len(counting.calls[0]) >= len(QUESTIONS)
    assert [a.answered for a in batched] == [a.answered for a in single]
    for one, many in zip(single, batched, strict=True):
        assert [h.passage.id for h in many.hits] == [h.passage.id for h in one.hits]
        assert many.text == one.text
        assert abs(many.top_score - one.top_score) < 1e-5
    assert (timings.batches, timings.questions) == (1, len(QUESTIONS))


def test_a_question_naming_a_whole_title_is_answered_without_the_encoder() -> None:
    counting = CountingQueries()
    retriever = Retriever.from_passages(TALK_PASSAGES, counting, TALKS)
    questions = [
        "When is Let's get digital?",
        "Quand a lieu « Playing with words » ?",
        "digital tools and politics",
    ]
    answers = answer_batch(retriever, [Question(q) for q in questions])
    assert counting.calls == [[questions[2]]]  # only the question without a title is encoded
    assert [a.answered for a in answers] == [True, True, True]
    assert [a.hits[0].passage.session_id for a in answers] == ["t1", "t3", "t2"]
    counting.calls.clear()
    alone = retriever.answer(questions[0])
    assert counting.calls == []
    assert alone.answered
    assert alone.hits[0].passage.session_id == "t1"


def test_a_title_that_does_not_win_without_the_dense_side_gets_the_full_ranking() -> None:
    counting = CountingQueries()
    retriever = Retriever.from_passages(TALK_PASSAGES, counting, TALKS)
    # Without its bonus the title no longer decides: BM25 alone prefers the talk on digital
    # tools and politics, so the question is ranked again with its dense side.
    retriever.config = replace(retriever.config, title_bonus=0.0)
    question = "Is Playing with words about digital tools and digital politics?"
    ranking = retriever.rank(question)
    assert len(counting.calls) == 1
    with_dense = retriever.rank(question, dense=retriever._dense(question, "en", False))
    assert [h.passage.id for h in ranking.hits] == [h.passage.id for h in with_dense.hits]
    assert ranking.dense_top == with_dense.dense_top


async def test_questions_arriving_together_are_computed_in_one_batch() -> None:
    seen: list[list[str]] = []

    def compute(questions: list[Question]) -> list[Answer]:
        seen.append([q.text for q in questions])
        return [Answer(q.text, "en", True, q.text.upper(), (), 1.0) for q in questions]

    batcher = QuestionBatcher(compute, window=0.01, max_batch=3)
    answers = await asyncio.gather(*(batcher.answer(Question(f"q{n}")) for n in range(5)))
    assert [a.text for a in answers] == [f"Q{n}" for n in range(5)]
    assert seen == [["q0", "q1", "q2"], ["q3", "q4"]]  # bounded batches, nothing lost


async def test_a_failed_batch_fails_its_questions_and_the_next_one_is_served() -> None:
    def compute(questions: list[Question]) -> list[Answer]:
        if any(q.text == "boom" for q in questions):
            raise RuntimeError("engine failure")
        return [Answer(q.text, "en", True, "ok", (), 1.0) for q in questions]

    batcher = QuestionBatcher(compute, window=0.0)
    failed = await asyncio.gather(batcher.answer(Question("boom")), return_exceptions=True)
    assert isinstance(failed[0], RuntimeError)
    assert (await batcher.answer(Question("fine"))).text == "ok"


async def test_one_bad_question_fails_only_its_asker() -> None:
    seen: list[list[str]] = []

    def compute(questions: list[Question]) -> list[Answer]:
        seen.append([q.text for q in questions])
        if any(q.text == "boom" for q in questions):
            raise RuntimeError("a bug this question meets")
        return [Answer(q.text, "en", True, "ok", (), 1.0) for q in questions]

    batcher = QuestionBatcher(compute, window=0.01)
    asked = ["one", "boom", "two"]
    results = await asyncio.gather(
        *(batcher.answer(Question(text)) for text in asked), return_exceptions=True
    )
    assert isinstance(results[1], RuntimeError)
    assert [r.text for r in results if isinstance(r, Answer)] == ["ok", "ok"]
    assert seen == [asked, ["one"], ["boom"], ["two"]]


async def test_answer_async_goes_through_the_batcher(hashing_settings: Settings) -> None:
    write_knowledge(hashing_settings)
    assistant = Assistant.load(hashing_settings)
    answers = await asyncio.gather(*(assistant.answer_async(q) for q in QUESTIONS))
    assert [a.question for a in answers] == list(QUESTIONS)
    assert assistant.batch_timings.questions == len(QUESTIONS)
    assert assistant.batch_timings.batches < len(QUESTIONS)


def test_programme_topics_to_search_are_encoded_together(hashing_settings: Settings) -> None:
    # Topics named by no session: each answer offers the closest one, found by retrieval.
    asked = [
        "Which sessions about gardening are on day 2?",
        "Quelles sessions sur la cuisine le 2 juillet ?",
    ]
    shutil.copytree(REPO / "knowledge", hashing_settings.knowledge_dir, dirs_exist_ok=True)
    assistant = Assistant.load(hashing_settings)
    alone = [assistant.answer(question).text for question in asked]
    counting = CountingQueries()
    assistant.embedder = counting
    assistant.retriever.embedder = counting
    together = assistant.answer_questions([Question(question) for question in asked])
    assert [answer.text for answer in together] == alone
    assert len(counting.calls) == 1  # both topics in one call
    assert len(counting.calls[0]) >= len(asked)
