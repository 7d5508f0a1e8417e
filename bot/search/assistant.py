"""The assistant facade: knowledge in, answers out; the only thing the CLI and the bot use."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.clock import utc_now
from bot.domain import Answer, KnowledgeBase, Session
from bot.i18n.detect import detect_language
from bot.knowledge.watcher import ReloadReport
from bot.search.batching import (
    BatchTimings,
    Question,
    QuestionBatcher,
    answer_batch,
    dense_batch,
)
from bot.search.cache import EmbeddingCache
from bot.search.embedders import Embedder, load_embedder
from bot.search.followups import Conversation, follow_up_kind
from bot.search.hindsight import in_hindsight
from bot.search.programme_answer import (
    follow_up_answer,
    no_topic_answer,
)
from bot.search.programme_query import ProgrammeQuery
from bot.search.ranking import DenseSide, Retriever
from bot.search.routing import TopicSearchNeeded, programme_route
from bot.search.session_answer import in_asker_language, with_same_titled
from bot.search.snapshot import (
    CACHE_FILE,
    AnswerCache,
    IndexReport,
    SearchSettings,
    Snapshot,
    build_vectors,
    foil_vectors,
    open_snapshot,
    reload_report,
)
from bot.search.staging import embed_in_chunks, pending_scan, plan_reload

if TYPE_CHECKING:
    from bot.knowledge.folder import FileKnowledge, Scan

log = logging.getLogger(__name__)


class Assistant:
    """Answers questions from the knowledge folder; thread-safe; reloads without downtime."""

    def __init__(self, settings: SearchSettings, embedder: Embedder, snapshot: Snapshot) -> None:
        self.settings = settings
        self.embedder = embedder
        self._snapshot = snapshot
        self._reload_lock = threading.Lock()
        self._in_flight: dict[tuple[object, ...], asyncio.Future[Answer]] = {}
        self._batcher = QuestionBatcher(self.answer_questions)
        self.batch_timings = BatchTimings()  # where batched questions spent their time
        self.last_report: IndexReport | None = None

    @classmethod
    def load(cls, settings: SearchSettings, progress: bool = False) -> Assistant:
        """Read the knowledge, reuse the saved index if it matches, else build it and save it."""
        assistant, report = cls._open(settings, progress)
        assistant.last_report = report
        return assistant

    @classmethod
    def build_index(cls, settings: SearchSettings, progress: bool = False) -> IndexReport:
        """Build or refresh the saved index (only texts the embedding cache lacks are embedded).

        The foils' vectors are cached too, so that the first start does not embed them; the
        lexical index, the vocabulary and the programme are left to the process that answers,
        which builds them at every start anyway (a second of a FOSDEM-size first index)."""
        from bot.knowledge.folder import load_folder

        embedder = load_embedder(settings.embedding_model)
        knowledge = load_folder(settings.knowledge_dir)
        report = build_vectors(settings, embedder, knowledge, progress)[1]
        foil_vectors(settings, embedder, knowledge)
        return report

    @classmethod
    def _open(cls, settings: SearchSettings, progress: bool) -> tuple[Assistant, IndexReport]:
        from bot.knowledge.folder import folder_scan, load_folder_files

        embedder = load_embedder(settings.embedding_model)
        scan = folder_scan(settings.knowledge_dir)
        knowledge, files = load_folder_files(settings.knowledge_dir, scan=scan)
        snapshot, report = open_snapshot(settings, embedder, knowledge, files, scan, progress)
        return cls(settings, embedder, snapshot), report

    @property
    def knowledge(self) -> KnowledgeBase:
        """The knowledge currently served."""
        return self._snapshot.knowledge

    @property
    def retriever(self) -> Retriever:
        """The ranking machinery currently served (for benchmarks and diagnostics)."""
        return self._snapshot.retriever

    def warm_up(self) -> float:
        """Load what the first questions would otherwise wait for; the seconds it took.

        The batch engine (about 4 s), wordfreq's tables and the message catalogs: loaded in
        the background while attendees ask, they took half of a 200-question load's CPU.
        """
        from bot.i18n import load_catalogs
        from bot.search.vocabulary import load_word_frequencies

        started = time.perf_counter()
        self.embedder.warm_up()
        load_word_frequencies()
        load_catalogs()
        return time.perf_counter() - started

    def answer(self, question: str, top_k: int = 3, language: str | None = None) -> Answer:
        """Answer one question (blocking: encodes and searches; use `answer_async` on a loop)."""
        return self.answer_questions([Question(question, top_k, language)])[0]

    def answer_questions(self, questions: list[Question]) -> list[Answer]:
        """Answer several questions at once (blocking).

        Programme questions are computed over the sessions (never cached: they depend on the
        clock); the others come from the answer cache or, together, from one encode call and
        one index search. Every answer carries the snapshot it was computed from, and the
        past-tense note when what it is about is over (as of now, so never cached).
        """
        snapshot = self._snapshot
        answers: list[Answer | None] = []
        queries: list[ProgrammeQuery | None] = []
        to_rank: list[int] = []
        # Programme answers that need a topic searched wait, so that their topics are encoded
        # together rather than one by one (each alone took a whole encoder call).
        searched: dict[tuple[str, str], DenseSide] | None = (
            {} if snapshot.retriever.passages else None
        )
        deferred: dict[int, tuple[str, str]] = {}

        def settle(position: int, query: ProgrammeQuery | None, answer: Answer | None) -> None:
            asked = questions[position]
            queries[position] = query
            answers[position] = answer or self._cached(
                snapshot, asked.text, asked.top_k, asked.language
            )
            if answers[position] is None:
                to_rank.append(position)

        for position, asked in enumerate(questions):
            queries.append(None)
            answers.append(None)
            try:
                settle(position, *programme_route(snapshot, asked.text, asked.language, searched))
            except TopicSearchNeeded as needed:
                deferred[position] = (needed.topic, needed.language)
        if deferred and searched is not None:
            topics = list(dict.fromkeys(deferred.values()))
            searched.update(zip(topics, dense_batch(snapshot.retriever, topics)[0], strict=True))
            for position in deferred:
                asked = questions[position]
                try:
                    found = programme_route(snapshot, asked.text, asked.language, searched)
                except TopicSearchNeeded:  # a second topic: searched on its own
                    found = programme_route(snapshot, asked.text, asked.language)
                settle(position, *found)
        ranked = answer_batch(
            snapshot.retriever, [questions[i] for i in to_rank], self.batch_timings
        )
        for position, answer in zip(to_rank, ranked, strict=True):
            asked = questions[position]
            answer = self._in_asker_terms(snapshot, answer, queries[position])
            answer = replace(answer, knowledge=snapshot.knowledge)
            snapshot.answers.put(AnswerCache.key(asked.text, asked.top_k, asked.language), answer)
            answers[position] = answer
        now = utc_now()
        return [
            self._in_hindsight(
                snapshot,
                answer
                if answer.knowledge is not None
                else replace(answer, knowledge=snapshot.knowledge),
                now,
            )
            for answer in answers
            if answer is not None
        ]

    @staticmethod
    def _in_hindsight(snapshot: Snapshot, answer: Answer, now: datetime) -> Answer:
        """The answer with the past-tense note it needs as of `now`, against its own knowledge."""
        return in_hindsight(answer, answer.knowledge or snapshot.knowledge, now, snapshot.zone)

    @staticmethod
    def _in_asker_terms(snapshot: Snapshot, answer: Answer, query: ProgrammeQuery | None) -> Answer:
        """A passage answer about a session, rendered in the asker's language from the session."""
        if snapshot.programme is None:
            return answer
        answer = in_asker_language(answer, snapshot.knowledge, snapshot.programme)
        answer = with_same_titled(answer, snapshot.programme)
        if not answer.answered and query is not None and query.topic and query.session_noun:
            # "a talk about Django?": say so plainly rather than a general abstention
            said = no_topic_answer(query, snapshot.programme)
            answer = replace(answer, text=said.text)  # the nearest passages stay listed
        return answer

    def answer_in(
        self,
        question: str,
        conversation: Conversation,
        top_k: int = 3,
        language: str | None = None,
    ) -> Answer:
        """`answer`, with short follow-ups resolved against what this conversation just showed."""
        answer = self._follow_up(question, conversation, language)
        if answer is None:
            answer = self.answer(question, top_k, language)
        self._remember(conversation, answer)
        return answer

    async def answer_in_async(
        self,
        question: str,
        conversation: Conversation,
        top_k: int = 3,
        language: str | None = None,
    ) -> Answer:
        """`answer_in` for the event loop (the search itself runs in a worker thread)."""
        answer = self._follow_up(question, conversation, language)
        if answer is None:
            answer = await self.answer_async(question, top_k, language)
        self._remember(conversation, answer)
        return answer

    def _remember(self, conversation: Conversation, answer: Answer) -> None:
        # Against the knowledge the answer was computed from: a reload while it was computed
        # must not pair it with sessions of the new version.
        conversation.remember(answer, answer.knowledge or self._snapshot.knowledge, utc_now())

    def _follow_up(
        self, question: str, conversation: Conversation, language: str | None
    ) -> Answer | None:
        snapshot = self._snapshot
        programme = snapshot.programme
        shown = conversation.current(snapshot.knowledge, utc_now())
        kind = follow_up_kind(question) if shown and programme is not None else ""
        if not kind or programme is None:
            return None
        lang = language or detect_language(question)
        lang = lang if lang in ("fr", "en", "ar") else "en"
        answer = follow_up_answer(question, kind, shown, programme, lang)
        return self._in_hindsight(snapshot, answer, utc_now())

    def programme_answer(self, question: str, language: str | None = None) -> Answer | None:
        """The answer computed over the sessions when the question is about the programme."""
        return programme_route(self._snapshot, question, language)[1]

    @staticmethod
    def _cached(
        snapshot: Snapshot, question: str, top_k: int, language: str | None
    ) -> Answer | None:
        cached = snapshot.answers.get(AnswerCache.key(question, top_k, language))
        if cached is None or cached.question == question:
            return cached
        return replace(cached, question=question)  # same question, other case or spacing

    async def answer_async(
        self, question: str, top_k: int = 3, language: str | None = None
    ) -> Answer:
        """The answer from a worker thread, batched with the questions asked at the same time."""
        snapshot = self._snapshot
        cached = self._cached(snapshot, question, top_k, language)
        if cached is not None and cached.kind != "programme":
            return self._in_hindsight(snapshot, cached, utc_now())
        # The same question asked by many at once (a slide just showed it) is computed once.
        key = (id(snapshot), *AnswerCache.key(question, top_k, language))
        pending = self._in_flight.get(key)
        if pending is None or pending.get_loop() is not asyncio.get_running_loop():
            pending = asyncio.ensure_future(
                self._batcher.answer(Question(question, top_k, language))
            )
            self._in_flight[key] = pending
            pending.add_done_callback(lambda _: self._in_flight.pop(key, None))
        answer = await asyncio.shield(pending)
        return answer if answer.question == question else replace(answer, question=question)

    def search_sessions(self, query: str, limit: int = 10) -> list[Session]:
        """Sessions matching a query, best first (empty query: the programme in order)."""
        return self._snapshot.retriever.sessions_for(query, limit)

    def changed_scan(self) -> Scan | None:
        """The folder's scan if a knowledge file was added, removed or modified since the last
        load, else None (one scan; hand it to `reload`)."""
        from bot.knowledge.folder import folder_scan

        scan = folder_scan(self.settings.knowledge_dir)
        return None if scan == self._snapshot.scan else scan

    def reload(self, scan: Scan | None = None) -> ReloadReport:
        """Load the folder as `scan` saw it (None: scan it now), re-embed what changed; a broken
        file keeps its previous version.

        Small changes go live first: a file with many new texts keeps its previous version
        serving while it is embedded, and that job gives way when the folder changes again
        (see `bot.search.staging`)."""
        from bot.knowledge.folder import folder_scan, load_folder_files, merge_files

        root = self.settings.knowledge_dir
        with self._reload_lock:
            previous = self._snapshot
            if scan is None:
                scan = folder_scan(root)
            knowledge, files = load_folder_files(root, previous=previous.files, scan=scan)
            cache = EmbeddingCache(self.settings.data_dir / CACHE_FILE)
            plan = plan_reload(cache, self.embedder, knowledge)
            pending = plan.big_files
            if pending:
                cache.embed_passages(self.embedder, plan.small_texts)
                # The big files' previous versions serve (a new big file waits) meanwhile.
                ready = {
                    path: previous.files[path] if path in pending else loaded
                    for path, loaded in files.items()
                    if path not in pending or path in previous.files
                }
                partial = merge_files(ready)
                if partial.files != previous.knowledge.files:  # else it serves already
                    stamps = pending_scan(scan.stamps, pending)
                    self._publish(partial, ready, replace(scan, stamps=stamps))
                    log.info("Knowledge published without %s, embedding it", ", ".join(pending))
                big = [text for path in pending for text in plan.missing[path]]
                done = [len(plan.small_texts)]
                complete = embed_in_chunks(
                    cache,
                    self.embedder,
                    big,
                    lambda: folder_scan(root) != scan,
                    lambda count: done.append(count),
                )
                if not complete:
                    log.info("Knowledge changed again: the big job resumes at the next reload")
                    return reload_report(previous, self._snapshot, sum(done))
            # Everything is in the cache now (or embedded here): a complete snapshot, swapped in.
            self._publish(knowledge, files, scan)
            embedded = plan.total if pending else self._last_embedded()
        return reload_report(previous, self._snapshot, embedded)

    def _publish(
        self,
        knowledge: KnowledgeBase,
        files: dict[str, FileKnowledge],
        scan: Scan,
    ) -> None:
        """Build a snapshot and swap it in: readers see the old one or the new one, never half."""
        snapshot, report = open_snapshot(self.settings, self.embedder, knowledge, files, scan)
        self.last_report = report
        self._snapshot = snapshot

    def _last_embedded(self) -> int:
        """Texts the last snapshot built embedded (0 before the first)."""
        return self.last_report.embedded if self.last_report else 0
