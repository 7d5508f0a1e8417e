"""What attendees asked and could not find: /stats, /unanswered and `python -m bot report` (CSV).

Unanswered questions are grouped when they ask the same thing in other words: texts are
reduced to their content tokens (`bot.search.normalise.tokenize`: folded, stemmed) and a
question joins the group whose tokens it shares most (overlap of the smaller set >= 0.6).
"""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo
from pathlib import Path
from typing import TextIO

from bot.app.settings import Settings
from bot.search.normalise import tokenize, words
from bot.storage.store import Store, iso, utc_now

SIMILAR = 0.6  # share of the shorter question's tokens found in the group's


@dataclass(frozen=True, slots=True)
class Stats:
    """The figures of /stats."""

    users: int
    subscribed: int
    blocked: int
    active_today: int
    questions: int
    answered: int
    thumbs_up: int
    thumbs_down: int

    @property
    def answered_share(self) -> float:
        """Answered questions over all questions (0 when none was asked)."""
        return self.answered / self.questions if self.questions else 0.0


@dataclass(slots=True)
class QuestionGroup:
    """Questions asking the same thing; the most frequent wording stands for them."""

    text: str
    count: int
    tokens: set[str]
    variants: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    last_asked: str = ""

    def examples(self, limit: int = 3) -> list[str]:
        """Other wordings, most frequent first."""
        return [text for text, _ in self.variants.most_common() if text != self.text][:limit]


async def _one(store: Store, sql: str, params: tuple[object, ...] = ()) -> int:
    async with store.db.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return int(row[0] or 0) if row else 0


async def collect_stats(store: Store, zone: tzinfo, now: datetime | None = None) -> Stats:
    """Count users, today's active users (event time zone), questions and feedback."""
    now = now or utc_now()
    midnight = datetime.combine(now.astimezone(zone).date(), time(), tzinfo=zone)
    return Stats(
        users=await _one(store, "SELECT COUNT(*) FROM users"),
        subscribed=await _one(
            store, "SELECT COUNT(*) FROM users WHERE subscribed = 1 AND blocked = 0"
        ),
        blocked=await _one(store, "SELECT COUNT(*) FROM users WHERE blocked = 1"),
        active_today=await _one(
            store, "SELECT COUNT(*) FROM users WHERE last_seen >= ?", (iso(midnight),)
        ),
        questions=await _one(store, "SELECT COUNT(*) FROM question_log"),
        answered=await _one(store, "SELECT COUNT(*) FROM question_log WHERE answered = 1"),
        thumbs_up=await _one(store, "SELECT COUNT(*) FROM feedback WHERE value = 1"),
        thumbs_down=await _one(store, "SELECT COUNT(*) FROM feedback WHERE value = -1"),
    )


def _key(text: str) -> str:
    """The same wording whatever the case, accents, spacing and punctuation."""
    return " ".join(words(text))


def group_questions(rows: list[tuple[str, str, str]]) -> list[QuestionGroup]:
    """Group (text, language, asked at) rows by similarity; the largest groups first."""
    wordings: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        wordings.setdefault(_key(row[0]), []).append(row)
    groups: list[QuestionGroup] = []
    # Most frequent wordings first: they found the groups the rarer ones join.
    for same in sorted(wordings.values(), key=lambda found: (-len(found), _key(found[0][0]))):
        text = Counter(row[0].strip() for row in same).most_common(1)[0][0]
        tokens = set(tokenize(text)) or {_key(text)}
        group = _best_group(groups, tokens)
        if group is None:
            group = QuestionGroup(text=text, count=0, tokens=set(tokens))
            groups.append(group)
        group.count += len(same)
        group.tokens |= tokens
        group.variants.update(row[0].strip() for row in same)
        group.languages.update(language for _, language, _ in same)
        group.last_asked = max(group.last_asked, *(asked for _, _, asked in same))
    for group in groups:  # the most asked wording stands for the group (the first on ties)
        group.text = group.variants.most_common(1)[0][0]
    return sorted(groups, key=lambda g: (-g.count, g.text))


def _best_group(groups: list[QuestionGroup], tokens: set[str]) -> QuestionGroup | None:
    best, best_score = None, SIMILAR
    for group in groups:
        shared = len(tokens & group.tokens)
        score = shared / min(len(tokens), len(group.tokens))
        if score >= best_score and shared:
            best, best_score = group, score
    return best


async def question_rows(store: Store, answered: bool | None = None) -> list[tuple[str, str, str]]:
    """(text, language, asked at) of logged questions, answered or not (None: all)."""
    where = "" if answered is None else f" WHERE answered = {int(answered)}"
    async with store.db.execute(
        f"SELECT text, language, created_at FROM question_log{where} ORDER BY id"
    ) as cursor:
        return [(str(r[0]), str(r[1]), str(r[2])) for r in await cursor.fetchall()]


async def unanswered(store: Store, limit: int | None = 10) -> list[QuestionGroup]:
    """The most frequent unanswered questions, similar ones grouped."""
    groups = group_questions(await question_rows(store, answered=False))
    return groups if limit is None else groups[:limit]


def write_csv(out: TextIO, stats: Stats, groups: list[QuestionGroup]) -> None:
    """The report as CSV: the figures of /stats, then every unanswered group."""
    writer = csv.writer(out)
    writer.writerow(["section", "item", "count", "share", "languages", "last_asked", "examples"])
    figures = [
        ("users", stats.users), ("subscribed", stats.subscribed), ("blocked", stats.blocked),
        ("active_today", stats.active_today), ("questions", stats.questions),
        ("answered", stats.answered), ("thumbs_up", stats.thumbs_up),
        ("thumbs_down", stats.thumbs_down),
    ]  # fmt: skip
    for name, value in figures:
        share = f"{stats.answered_share:.3f}" if name == "answered" else ""
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


async def write_report(settings: Settings, output: Path | None) -> str:
    """Write the CSV report to `output` (standard output when None); say where it went."""
    store = await Store.open(settings.database_path)
    try:
        stats = await collect_stats(store, settings.zone())
        groups = await unanswered(store, limit=None)
    finally:
        await store.close()
    buffer = io.StringIO()
    write_csv(buffer, stats, groups)
    if output is None:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
        return "the report to standard output"
    await asyncio.to_thread(_save, output, buffer.getvalue())
    return str(output)


def _save(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
