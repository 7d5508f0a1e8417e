"""`python -m bot report`: the figures of /stats and every unanswered group, as CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from pathlib import Path
from typing import TextIO

from bot.app.settings import Settings
from bot.search.question_groups import QuestionGroup, unanswered
from bot.storage.questions import Stats, collect_stats
from bot.storage.ratings import SessionRating, session_ratings
from bot.storage.store import Store


def write_csv(
    out: TextIO,
    stats: Stats,
    groups: list[QuestionGroup],
    ratings: list[SessionRating] | None = None,
) -> None:
    """The report as CSV: the figures of /stats, every unanswered group, every rated session."""
    writer = csv.writer(out)
    writer.writerow(["section", "item", "count", "share", "languages", "last_asked", "examples"])
    figures = [
        ("users", stats.users), ("subscribed", stats.subscribed), ("blocked", stats.blocked),
        ("active_today", stats.active_today), ("questions", stats.questions),
        ("answered", stats.answered), ("thumbs_up", stats.thumbs_up),
        ("thumbs_down", stats.thumbs_down), ("ratings", stats.ratings),
    ]  # fmt: skip
    for name, value in figures:
        share = f"{stats.answered_share:.3f}" if name == "answered" else ""
        share = f"{stats.rating_mean:.2f}" if name == "ratings" else share
        writer.writerow(["stats", name, value, share, "", "", ""])
    total = sum(group.count for group in groups) or 1
    for group in groups:
        languages = " ".join(lang for lang, _ in group.languages.most_common())
        writer.writerow(
            [
                "unanswered", group.text, group.count, f"{group.count / total:.3f}",
                languages, group.last_asked, " | ".join(group.examples(limit=10)),
            ]
        )  # fmt: skip
    # A rated session: how many ratings, their mean (1-5) in `share`, the comments as examples.
    for rating in ratings or []:
        writer.writerow(
            [
                "rating", rating.session_id, rating.count, f"{rating.mean:.2f}", "", "",
                " | ".join(rating.comments),
            ]
        )  # fmt: skip


async def write_report(settings: Settings, output: Path | None) -> str:
    """Write the CSV report to `output` (standard output when None); say where it went."""
    store = await Store.open(settings.database_path)
    try:
        stats = await collect_stats(store, settings.zone())
        groups = await unanswered(store, limit=None)
        ratings = await session_ratings(store)
    finally:
        await store.close()
    buffer = io.StringIO()
    write_csv(buffer, stats, groups, ratings)
    if output is None:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
        return "the report to standard output"
    await asyncio.to_thread(_save, output, buffer.getvalue())
    return str(output)


def _save(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
