"""Structured programme questions scored in one process (fast; same rule as score_answers.py).

Usage, from the project root (PYTHONPATH=. so that this checkout's `bot` is imported):
  KNOWLEDGE_DIR=... DATA_DIR=... PYTHONPATH=. python benchmarks/programme_questions.py SET.jsonl
Each line: {"lang", "now", "question", "expect_all": [regex], "forbid": [regex]}. An item is right
when every expect_all regex and no forbid regex matches the folded answer text. The clock is
frozen at each item's `now`. Prints the misses (with --show-misses) and a summary line.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from collections import defaultdict
from datetime import datetime

from bot.app.settings import Settings
from bot.clock import frozen_at
from bot.search.assistant import Assistant


def fold(text: str) -> str:
    """Lower case without accents, as the scorer compares."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def main() -> None:
    """Score a set and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("set")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    with open(args.set, encoding="utf-8") as lines:
        items = [json.loads(line) for line in lines if line.strip()]
    assistant = Assistant.load(Settings())
    right = 0
    by_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    started = time.monotonic()
    for item in items:
        with frozen_at(datetime.fromisoformat(item["now"])):
            text = fold(assistant.answer(item["question"]).text)
        missing = [r for r in item["expect_all"] if not re.search(fold(r), text)]
        wrong = [r for r in item["forbid"] if re.search(fold(r), text)]
        good = not missing and not wrong
        right += good
        by_language[item["lang"]][0] += good
        by_language[item["lang"]][1] += 1
        if not good and args.show_misses:
            print(f"MISS [{item['lang']}] {item['now']} {item['question']}")
            print(f"  missing {missing[:3]} forbidden {wrong}\n  {text[:400]!r}")
    seconds = time.monotonic() - started
    languages = " ".join(f"{k}={v[0]}/{v[1]}" for k, v in sorted(by_language.items()))
    print(
        f"structured: {right}/{len(items)} right ({right / len(items):.2f}) | "
        f"by language: {languages} | {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
