"""Calibrate abstention (answer floor, foil margin) per embedding model on the tuning sets only.

    python benchmarks/calibrate.py --model e5-small-q4 [--work DIR]

Each question of the tuning sets (see `retrieval.py`; never the held-out ones) is ranked once;
then every (floor, margin, unknown weight) of a grid decides again whether it would be
answered. Printed: the current setting and the best settings by in-scope questions answered
with a hit in the top 3 plus out-of-scope questions refused. Nothing is changed: copy a
setting into MODEL_CONFIGS (`bot/search/calibration.py`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.retrieval import ROOT, fold, open_assistant, question_plans
from bot.app.settings import DEFAULT_MODEL
from bot.search.ranking import Ranking, Retriever


@dataclass(frozen=True)
class Case:
    """One ranked question of a tuning set."""

    name: str
    ranking: Ranking
    out_of_scope: bool
    hit3: bool
    question: str = ""


def cases(model: str, eval_dir: Path, work: Path) -> list[tuple[Retriever, list[Case]]]:
    """Every tuning question ranked once, grouped by the retriever of its knowledge folder."""
    plans = [
        (knowledge, [path for path, tuned in sets if tuned])
        for knowledge, sets in question_plans(model, eval_dir, work)
    ]
    grouped = []
    for index, (knowledge, paths) in enumerate(plans):
        retriever = open_assistant(model, knowledge, work / f"data-{model}-{index}").retriever
        found = []
        for path in paths:
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                item = json.loads(line)
                ranking = retriever.rank(item["question"])
                texts = [fold(hit.passage.text) for hit in ranking.hits[:3]]
                patterns = [re.compile(fold(p)) for p in item["expect"] or []]
                hit = any(p.search(text) for p in patterns for text in texts)
                out_of_scope = item["expect"] is None
                found.append(Case(path.stem, ranking, out_of_scope, hit, item["question"]))
        grouped.append((retriever, found))
    return grouped


def tally(
    grouped: list[tuple[Retriever, list[Case]]], floor: float, margin: float, weight: float
) -> list[int]:
    """[in-scope answered with a hit, in-scope, out-of-scope refused, out-of-scope]."""
    counts = [0, 0, 0, 0]
    for retriever, found in grouped:
        saved = retriever.config
        retriever.config = replace(
            saved, answer_floor=floor, foil_margin=margin, unknown_weight=weight
        )
        try:
            for case in found:
                answered = retriever.relevant(case.ranking)
                if case.out_of_scope:
                    counts[2] += not answered
                    counts[3] += 1
                else:
                    counts[0] += answered and case.hit3
                    counts[1] += 1
        finally:
            retriever.config = saved
    return counts


def main() -> int:
    """Rank the tuning sets once, sweep the grid, print the best settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--work", type=Path, help="keep data (the embedding cache) here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="calibrate-") as tmp:
        grouped = cases(args.model, args.eval_dir, args.work or Path(tmp))
        current = grouped[0][0].config
        results = []
        for floor in np.round(np.arange(0.0, 0.91, 0.05), 2):
            for margin in np.round(np.arange(-0.30, 0.101, 0.01), 2):
                for weight in np.round(np.arange(0.0, 0.161, 0.02), 2):
                    counts = tally(grouped, float(floor), float(margin), float(weight))
                    results.append(
                        (counts[0] + counts[2], float(floor), float(margin), float(weight), counts)
                    )
        now = tally(grouped, current.answer_floor, current.foil_margin, current.unknown_weight)
        print(
            f"{args.model}: now floor={current.answer_floor} margin={current.foil_margin} "
            f"unknown weight={current.unknown_weight}: in-scope answered with a hit "
            f"{now[0]}/{now[1]}, refused {now[2]}/{now[3]}"
        )
        best = sorted(results, key=lambda r: (-r[0], -r[2], r[3]))[:8]
        for total, floor, margin, weight, counts in best:
            print(
                f"  floor={floor:.2f} margin={margin:+.2f} unknown weight={weight:.2f}: "
                f"{total} right; answered with a hit {counts[0]}/{counts[1]}, "
                f"refused {counts[2]}/{counts[3]}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
