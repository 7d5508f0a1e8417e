"""Where a reply's milliseconds go, one question at a time and in batches (the bot's way).

Stages: query encoding, FAISS search, BM25, title matching, the rest of ranking (language
detection, fusion, abstention) and the HTML answer. Questions are generated from the knowledge
folder (templates over its sessions, rooms, speakers and headings), all different.

    python benchmarks/reply_profile.py                      # shipped knowledge, 200 questions
    python benchmarks/reply_profile.py --knowledge /tmp/fosdem --questions 100
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app.settings import Settings  # noqa: E402
from bot.knowledge.folder import load_folder  # noqa: E402
from bot.search.assistant import Assistant  # noqa: E402
from bot.search.batching import MAX_BATCH, Question, answer_batch  # noqa: E402
from bot.telegram.render import answer_html  # noqa: E402

SESSION_TEMPLATES = (
    "When is {}?",
    "Where does {} take place?",
    "Who presents {}?",
    "What is {} about?",
    "Quand a lieu {} ?",
    "Dans quelle salle se tient {} ?",
    "Qui anime {} ?",
    "De quoi parle {} ?",
    "متى {}؟",
    "أين {}؟",
)
TOPIC_TEMPLATES = (
    "Tell me about {}",
    "{}: what should I know?",
    "Que faut-il savoir sur {} ?",
    "Des infos sur {} ?",
    "ما هي المعلومات حول {}؟",
)
ROOM_TEMPLATES = ("What happens in {}?", "Qu'est-ce qui se passe en {} ?", "How do I get to {}?")
SPEAKER_TEMPLATES = ("When does {} speak?", "Quand intervient {} ?")
STAGES = ("encode", "faiss", "bm25", "titles", "other ranking", "html")


def distinct_questions(knowledge_dir: Path, count: int) -> list[str]:
    """`count` different questions about this knowledge (fewer if it is too small)."""
    knowledge = load_folder(knowledge_dir)
    found: dict[str, None] = {}
    sessions = sorted(knowledge.sessions.values(), key=lambda s: (s.start, s.id))
    for template in SESSION_TEMPLATES:
        for session in sessions:
            found[template.format(session.title)] = None
    topics = {h for p in knowledge.passages for h in p.heading} | {
        v.name("en") for v in knowledge.verticals.values()
    }
    for template in TOPIC_TEMPLATES:
        for topic in sorted(topics):
            found[template.format(topic)] = None
    for template in ROOM_TEMPLATES:
        for room in sorted({s.room for s in sessions if s.room}):
            found[template.format(room)] = None
    for template in SPEAKER_TEMPLATES:
        for speaker in sorted({name for s in sessions for name in s.speakers}):
            found[template.format(speaker)] = None
    pool = list(found)
    random.Random(12).shuffle(pool)  # any prefix mixes languages and templates
    return pool[:count]


def _timed(totals: dict[str, float], stage: str, function: Callable[..., Any]) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[stage] += time.perf_counter() - started

    return wrapper


def profile(knowledge_dir: Path, questions: list[str]) -> dict[str, dict[str, float]]:
    """Milliseconds per question and stage, `single` (one at a time) and `batched`."""
    with tempfile.TemporaryDirectory(prefix="reply-profile-") as data:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            knowledge_dir=knowledge_dir,
            data_dir=Path(data),
        )
        assistant = Assistant.load(settings)
        retriever = assistant.retriever
        knowledge = assistant.knowledge
        results: dict[str, dict[str, float]] = {}
        for mode in ("single", "batched"):
            totals: dict[str, float] = defaultdict(float)
            retriever.embedder.encode_queries = _timed(  # type: ignore[method-assign]
                totals,
                "encode",
                type(retriever.embedder).encode_queries.__get__(retriever.embedder),
            )
            retriever.index.search = _timed(  # type: ignore[method-assign]
                totals, "faiss", type(retriever.index).search.__get__(retriever.index)
            )
            retriever.lexical.scores = _timed(  # type: ignore[method-assign]
                totals, "bm25", type(retriever.lexical).scores.__get__(retriever.lexical)
            )
            retriever._title_scores = _timed(  # type: ignore[method-assign]
                totals, "titles", type(retriever)._title_scores.__get__(retriever)
            )
            started = time.perf_counter()
            if mode == "single":
                answers = [retriever.answer(q) for q in questions]
            else:
                answers = []
                for start in range(0, len(questions), MAX_BATCH):
                    chunk = [Question(q) for q in questions[start : start + MAX_BATCH]]
                    answers += answer_batch(retriever, chunk)
            html_started = time.perf_counter()
            for answer in answers:
                answer_html(answer, knowledge)
            totals["html"] = time.perf_counter() - html_started
            total = time.perf_counter() - started
            named = sum(totals[stage] for stage in ("encode", "faiss", "bm25", "titles", "html"))
            totals["other ranking"] = total - named
            totals["total"] = total
            results[mode] = {
                stage: 1000 * value / len(questions) for stage, value in totals.items()
            }
    return results


def print_profile(knowledge_dir: Path, questions: list[str], latency_p50: float = math.nan) -> None:
    """Print the reply-path profile; the Bot API share is the p50 latency less the compute."""
    results = profile(knowledge_dir, questions)
    print(f"reply path, ms per question ({len(questions)} different questions, in this process)")
    print(f"{'stage':<16} {'one at a time':>14} {'batched':>10}")
    for stage in (*STAGES, "total"):
        single, batched = results["single"][stage], results["batched"][stage]
        print(f"{stage:<16} {single:>14.2f} {batched:>10.2f}")
    if not math.isnan(latency_p50):
        rest = 1000 * latency_p50 - results["batched"]["total"]
        print(
            f"{'Bot API + queue':<16} {'':>14} {rest:>10.2f}  (assistant p50 latency less compute)"
        )


def main() -> int:
    """Profile the reply path on generated questions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    questions = distinct_questions(args.knowledge, args.questions)
    print_profile(args.knowledge, questions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
