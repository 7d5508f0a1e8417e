"""No string in `bot/` copies or nearly copies a question of an evaluation set.

The sets are read at test time: `../shared/eval/*.jsonl` (next to the repository; the
`SHARED_DIR` environment variable points elsewhere, e.g. from a worktree),
`benchmarks/questions/*.jsonl`, `tune/*.jsonl` and `heldout/*.jsonl`. A missing set fails.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import tokenize
import unicodedata
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SHARED_DIR") or ROOT.parent / "shared")
QUESTIONS = ROOT / "benchmarks" / "questions"
THRESHOLD = 80.0  # rapidfuzz ratio (0-100) from which a string counts as a near-copy
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_QUOTED = re.compile(r'"([^"\n]{6,})"|“([^”\n]{6,})”|«\s*([^»\n]{6,}?)\s*»')


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", text))


def evaluation_sets() -> list[Path]:
    """Every question set that must stay out of the code; fails when one is missing."""
    groups = [
        (SHARED / "eval", "*.jsonl"),
        (QUESTIONS, "*.jsonl"),
        (QUESTIONS / "tune", "*.jsonl"),
        # Read only to guard against copies: nobody tunes on the held-out sets.
        (QUESTIONS / "heldout", "*.jsonl"),
    ]
    found: list[Path] = []
    for folder, pattern in groups:
        paths = sorted(folder.glob(pattern))
        assert paths, f"no question set in {folder} (set SHARED_DIR if ../shared is elsewhere)"
        found.extend(paths)
    for name in ("dev.jsonl", "rc3.jsonl"):
        assert (SHARED / "eval" / name).is_file(), f"missing {SHARED / 'eval' / name}"
    return found


def evaluation_questions() -> dict[str, str]:
    """Folded question -> where it comes from."""
    questions: dict[str, str] = {}
    for path in evaluation_sets():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                question = json.loads(line)["question"]
                questions.setdefault(_fold(question), f"{path.name}:{number}")
    return questions


def code_strings(folder: Path) -> dict[str, str]:
    """Folded string of the code -> where it is: every literal (placeholders removed), and
    every example quoted inside a literal or a comment ("…", “…”, «…»), where a copied
    question would hide in a longer docstring."""
    strings: dict[str, str] = {}

    def add(text: str, where: str) -> None:
        folded = _fold(_PLACEHOLDER.sub(" ", text))
        if len(folded) >= 6:
            strings.setdefault(folded, where)

    for path in sorted(folder.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        relative = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                add(node.value, f"{relative}:{node.lineno}")
                for quoted in _QUOTED.findall(node.value):
                    add(next(q for q in quoted if q), f"{relative}:{node.lineno}")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                for quoted in _QUOTED.findall(token.string):
                    add(next(q for q in quoted if q), f"{relative}:{token.start[0]}")
    return strings


def near_copies(threshold: float = THRESHOLD) -> list[tuple[float, str, str]]:
    """(ratio, code string and place, question and set) for every close pair."""
    questions = evaluation_questions()
    choices = list(questions)
    close = []
    for text, where in code_strings(ROOT / "bot").items():
        for question, ratio, _ in process.extract(
            text, choices, scorer=fuzz.ratio, score_cutoff=threshold, limit=5
        ):
            if round(ratio, 6) > threshold:
                found = f"{questions[question]} {question!r}"
                close.append((ratio, f"{where} {text!r}", found))
    return sorted(close, reverse=True)


def test_the_sets_are_there_and_hold_questions() -> None:
    assert len(evaluation_questions()) > 300


def test_no_string_in_the_code_is_close_to_an_evaluation_question() -> None:
    close = near_copies()
    assert not close, "\n".join(f"{r:.0f} {code} ~ {question}" for r, code, question in close)


def test_no_foil_for_the_shipped_event_is_close_to_an_evaluation_question() -> None:
    from bot.knowledge.folder import load_folder_files
    from bot.search.abstention import event_topics, foil_questions

    knowledge, _ = load_folder_files(ROOT / "knowledge")
    assert knowledge.event is not None
    assert knowledge.event.city
    choices = list(evaluation_questions())
    close = [
        (foil, found)
        for foil in foil_questions(knowledge.event.city, event_topics(knowledge.verticals.values()))
        if (found := process.extractOne(_fold(foil), choices, scorer=fuzz.ratio))
        and round(found[1], 6) > THRESHOLD
    ]
    assert not close, close
