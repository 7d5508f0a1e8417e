"""Retrieval benchmark: answer quality, latency, index build time, memory, start-up time.

    python benchmarks/retrieval.py                       # the configured model, everything
    python benchmarks/retrieval.py --model all           # compare the three bundled models
    python benchmarks/retrieval.py --sizes 100,1000 --skip-startup
    python benchmarks/retrieval.py --sets tune --show-misses --skip-build --skip-startup

Quality uses the same rules as ../shared/eval/score.py (a hit when an expected regex matches,
accent- and case-insensitively, one of the top passages; out-of-scope questions must be refused),
run in-process on dev.jsonl (shipped knowledge), rc3.jsonl (the pretalx export alone in a
knowledge folder) and the sets in benchmarks/questions/: the tuning sets (`*-extra*`,
`*-own-words*`, `tune/event-near-domain`, `tune/democon-crosslingual`) and the old held-out ones
(`event-heldout`, `democon`, `rc3-ownwords`, run for the report only: read their misses and they
measure nothing any more), then the exports of benchmarks/schedules/ (not in git) with their
`tune/` sets and the blind sets of `heldout/`, whose misses are never printed. Each line says
[tune] or [held-out], hit@3 per language and the out-of-scope questions refused. Nothing
here is asserted: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app.settings import DEFAULT_MODEL, Settings  # noqa: E402
from bot.domain import Passage  # noqa: E402
from bot.search.assistant import Assistant  # noqa: E402
from bot.search.bm25 import LexicalIndex  # noqa: E402
from bot.search.bundled_models import BUNDLED_MODELS  # noqa: E402
from bot.search.embedders import load_embedder  # noqa: E402
from bot.search.vector_index import IndexManifest, create_index, save_index  # noqa: E402

QUESTIONS = ROOT / "benchmarks" / "questions"


def fold(text: str) -> str:
    """Lower-case and strip accents, as score.py does."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


@dataclass
class Score:
    """score.py's figures for one question set."""

    name: str
    in_scope: int = 0
    hit1: int = 0
    hit3: int = 0
    answered: int = 0
    out_of_scope: int = 0
    refused: int = 0
    tuned: bool = True  # a set we tune on (False: held out, run for the report only)
    blind: bool = False  # written blind (heldout/): its misses are never printed
    per_language: dict[str, list[int]] = field(default_factory=dict)  # lang: [asked, hit@3]
    misses: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One line like score.py's summary, with hit@3 per language."""
        n = max(self.in_scope, 1)
        languages = " ".join(
            f"{lang}={hits}/{asked}" for lang, (asked, hits) in sorted(self.per_language.items())
        )
        kind = "tune" if self.tuned else "held-out"
        return (
            f"{self.name:<22} [{kind}] in-scope {self.in_scope:>2}: hit@1={self.hit1 / n:.2f} "
            f"hit@3={self.hit3 / n:.2f} answered={self.answered / n:.2f} ({languages}) "
            f"| out-of-scope refused={self.refused}/{self.out_of_scope}"
        )


def score(assistant: Assistant, path: Path, latencies: list[float], tuned: bool = True) -> Score:
    """Run every question of a JSONL set through the assistant (top 3) and score it."""
    result = Score(path.stem, tuned=tuned, blind="heldout" in path.parts)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        started = time.perf_counter()
        answer = assistant.answer(item["question"], top_k=3)
        latencies.append(time.perf_counter() - started)
        if item["expect"] is None:
            result.out_of_scope += 1
            result.refused += not answer.answered
            if answer.answered:
                result.misses.append(f"answered: {item['question']}")
            continue
        result.in_scope += 1
        counts = result.per_language.setdefault(item.get("lang", "?"), [0, 0])
        counts[0] += 1
        result.answered += answer.answered
        patterns = [re.compile(fold(p)) for p in item["expect"]]
        texts = [fold(hit.passage.text) for hit in answer.hits]
        rank = next((i for i, t in enumerate(texts) if any(p.search(t) for p in patterns)), None)
        result.hit1 += rank == 0
        result.hit3 += rank is not None and rank < 3
        counts[1] += rank is not None and rank < 3
        if rank is None or not answer.answered:
            how = "refused" if not answer.answered else "missed"
            result.misses.append(f"{how}: {item['question']}")
    return result


def open_assistant(model: str, knowledge: Path, data: Path) -> Assistant:
    """An assistant on this knowledge folder, with its own data folder."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        knowledge_dir=knowledge,
        data_dir=data,
        embedding_model=model,
    )
    return Assistant.load(settings)


def prepare_folders(model: str, eval_dir: Path, work: Path) -> tuple[Path, Path]:
    """Knowledge folders holding only the rc3, and only the democon, pretalx export."""
    folders = []
    for name in ("rc3", "democon"):
        folder = work / f"{name}-{model}"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(eval_dir / "schedules" / f"pretalx-{name}.json", folder)
        folders.append(folder)
    return folders[0], folders[1]


def own_exports(model: str, work: Path) -> list[tuple[Path, list[tuple[Path, bool]]]]:
    """Each export of benchmarks/schedules/ (frab JSON or schedule.xml, not in git: see its
    README) alone in a knowledge folder, with its tuning sets (`tune/<export name>-*.jsonl`)
    and its blind held-out ones (`heldout/<export name>*.jsonl`), the score.py ones only."""
    plans = []
    schedules = ROOT / "benchmarks" / "schedules"
    for export in sorted([*schedules.glob("*.json"), *schedules.glob("*.xml")]):
        folder = work / f"{export.stem}-{model}"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(export, folder)
        tuned = sorted(QUESTIONS.glob(f"tune/{export.stem}-*.jsonl"))
        held = sorted(QUESTIONS.glob(f"heldout/{export.stem}*.jsonl"))
        sets = [(path, True) for path in tuned] + [(path, False) for path in held]
        plans.append((folder, [(path, t) for path, t in sets if "structured" not in path.stem]))
    return plans


def question_plans(
    model: str, eval_dir: Path, work: Path
) -> list[tuple[Path, list[tuple[Path, bool]]]]:
    """(knowledge folder, [(question set, tuned on)]) for every set score.py can read. The
    held-out sets are run for the report only; nothing is changed after reading their misses
    (benchmarks/questions/README.md)."""
    rc3, democon = prepare_folders(model, eval_dir, work)
    tune = QUESTIONS / "tune"
    return [
        (
            ROOT / "knowledge",
            [
                (eval_dir / "dev.jsonl", True),
                (QUESTIONS / "event-extra.jsonl", True),
                (QUESTIONS / "event-extra-2.jsonl", True),
                (tune / "event-near-domain.jsonl", True),
                (tune / "event-near-domain-2.jsonl", True),
                (QUESTIONS / "event-heldout.jsonl", False),
                (QUESTIONS / "heldout" / "event-passages.jsonl", False),
            ],
        ),
        (
            rc3,
            [
                (eval_dir / "rc3.jsonl", True),
                (QUESTIONS / "rc3-own-words.jsonl", True),
                (QUESTIONS / "rc3-own-words-2.jsonl", True),
                (tune / "rc3-near-domain.jsonl", True),
                (QUESTIONS / "rc3-ownwords.jsonl", False),
            ],
        ),
        (
            democon,
            [
                (QUESTIONS / "democon-own-words.jsonl", True),
                (tune / "democon-crosslingual.jsonl", True),
                (tune / "democon-near-domain.jsonl", True),
                (QUESTIONS / "democon.jsonl", False),
            ],
        ),
        *own_exports(model, work),
    ]


def quality(model: str, eval_dir: Path, work: Path, which: str = "all") -> dict[str, object]:
    """Scores on every set for one model, plus embedding speed and query latency."""
    plans = question_plans(model, eval_dir, work)
    if which != "all":
        keep = which == "tune"
        plans = [(k, [(p, t) for p, t in chosen if t == keep]) for k, chosen in plans]
    scores: list[Score] = []
    latencies: list[float] = []
    speed = 0.0
    for index, (knowledge, sets) in enumerate(plans):
        assistant = open_assistant(model, knowledge, work / f"data-{model}-{index}")
        assistant.answer("warm-up question")  # first call pays one-off initialisation
        if not speed:  # embedding speed on real passages of the shipped knowledge
            texts = [p.text for p in assistant.knowledge.passages[:64]]
            assistant.embedder.encode_passages(texts[:8])  # warm-up
            started = time.perf_counter()
            assistant.embedder.encode_passages(texts)
            speed = len(texts) / (time.perf_counter() - started)
        scores.extend(score(assistant, path, latencies, tuned) for path, tuned in sets)
    millis = sorted(1000 * s for s in latencies)
    return {
        "scores": scores,
        "passages_per_second": speed,
        "p50_ms": statistics.median(millis),
        "p95_ms": millis[int(0.95 * (len(millis) - 1))],
    }


def synthetic_passages(count: int) -> list[Passage]:
    """Programme-like passages with varied words (for build-time figures only)."""
    rng = np.random.default_rng(7)
    vocabulary = (
        "data privacy security robots health water energy climate city music art law school "
        "farming startup cloud open source network radio games ethics media finance sport"
    ).split()
    passages = []
    for number in range(count):
        words = " ".join(rng.choice(vocabulary, size=40))
        text = f"Session {number} — talk. Tuesday 1 July 2025, 10:00. Room {number % 9}. {words}"
        passages.append(Passage(f"s{number}", text, f"bench.json#s{number}", 1, language="en"))
    return passages


def build_times(model: str, sizes: list[int], work: Path) -> list[str]:
    """Index build time (FAISS + BM25 + save) per corpus size, with measured embedding speed."""
    embedder = load_embedder(model)
    sample = [p.text for p in synthetic_passages(64)]
    started = time.perf_counter()
    embedder.encode_passages(sample)
    per_passage = (time.perf_counter() - started) / len(sample)
    lines = [f"embedding: {1 / per_passage:.0f} passages/s with {model}"]
    rng = np.random.default_rng(3)

    def build(passages: list[Passage]) -> None:
        vectors = rng.normal(size=(len(passages), embedder.dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index = create_index(embedder.dimension)
        index.add(np.arange(len(passages)), vectors)
        LexicalIndex([p.text for p in passages])
        manifest = IndexManifest(model, embedder.dimension, "bench", len(passages))
        save_index(work / f"index-{len(passages)}", index, manifest)

    build(synthetic_passages(10))  # warm-up: imports and thread pools are not part of a build
    for size in sizes:
        passages = synthetic_passages(size)
        started = time.perf_counter()
        build(passages)
        seconds = time.perf_counter() - started
        tracemalloc.start()  # a second, traced build: tracing slows allocation down
        build(passages)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        lines.append(
            f"{size:>6} passages: index build {seconds:.2f} s (+ embedding ≈ "
            f"{size * per_passage:.0f} s), Python peak {peak / 2**20:.0f} MiB"
        )
    return lines


def startup(runs: int) -> str:
    """`python -m bot ask` on a warm index vs importing sentence-transformers, faiss, telegram."""

    def timed(command: list[str]) -> float:
        best = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, capture_output=True, check=True, timeout=300)
            best.append(time.perf_counter() - started)
        return statistics.median(best)

    python = sys.executable
    subprocess.run([python, "-m", "bot", "index", "--quiet"], cwd=ROOT, check=True, timeout=900)
    baseline = timed([python, "-c", "import sentence_transformers, faiss, telegram"])
    ask = timed([python, "-m", "bot", "ask", "Quand ont lieu les Assises ?"])
    return (
        f"start-up (median of {runs}): ask {ask:.2f} s, imports {baseline:.2f} s, "
        f"ratio {ask / baseline:.2f} (limit 1.6)"
    )


def main() -> int:
    """Parse the flags, run the chosen parts, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="a model name, or `all`")
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--sizes", default="100,1000,10000", help="passages per build")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--runs", type=int, default=5, help="start-up runs per command")
    parser.add_argument("--work", type=Path, help="keep data (the embedding cache) here")
    parser.add_argument(
        "--sets", choices=("all", "tune", "held-out"), default="all", help="which question sets"
    )
    parser.add_argument("--show-misses", action="store_true", help="print each set's misses")
    args = parser.parse_args()
    models = list(BUNDLED_MODELS) if args.model == "all" else [args.model]
    sizes = [int(size) for size in args.sizes.split(",") if size]
    table = []
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        work = args.work or Path(tmp)
        for model in models:
            print(f"## {model}", flush=True)
            if not args.skip_quality:
                result = quality(model, args.eval_dir, work, args.sets)
                for line in result["scores"]:  # type: ignore[attr-defined]
                    print(line.line(), flush=True)
                    # The blind sets of heldout/ are never to be read, misses included.
                    if args.show_misses and not line.blind:
                        print("".join(f"    {miss}\n" for miss in line.misses), end="")
                print(
                    f"query latency p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms; "
                    f"embedding {result['passages_per_second']:.0f} passages/s"
                )
                table.append((model, result))
            if not args.skip_build:
                for line in build_times(model, sizes, work):
                    print(line)
    if not args.skip_startup:
        print(startup(args.runs))
    print(f"peak resident memory of this process: {peak_rss_mib():.0f} MiB")
    if len(table) > 1 and args.sets == "all":
        print_table(table)
    return 0


def peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_table(table: list[tuple[str, dict[str, object]]]) -> None:
    """The comparison as a Markdown table: visible sets, then the held-out ones."""
    print(
        "\n| model | dev hit@1 | dev hit@3 | answered | refused | rc3 hit@1 | rc3 hit@3 "
        "| held-out event hit@1 / hit@3 / refused | held-out rc3 hit@1 / hit@3 "
        "| passages/s | one query (p50) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for model, result in table:
        scores = {s.name: s for s in result["scores"]}  # type: ignore[attr-defined]
        dev, rc3 = scores["dev"], scores["rc3"]
        held, own = scores["event-heldout"], scores["rc3-ownwords"]
        print(
            f"| {model} | {dev.hit1 / dev.in_scope:.2f} | {dev.hit3 / dev.in_scope:.2f} "
            f"| {dev.answered / dev.in_scope:.2f} | {dev.refused}/{dev.out_of_scope} "
            f"| {rc3.hit1 / rc3.in_scope:.2f} | {rc3.hit3 / rc3.in_scope:.2f} "
            f"| {held.hit1 / held.in_scope:.2f} / {held.hit3 / held.in_scope:.2f} / "
            f"{held.refused}/{held.out_of_scope} "
            f"| {own.hit1 / own.in_scope:.2f} / {own.hit3 / own.in_scope:.2f} "
            f"| {result['passages_per_second']:.0f} | {result['p50_ms']:.1f} ms |"
        )


if __name__ == "__main__":
    sys.exit(main())
