"""What attendees could not find: grouping, figures, and `python -m bot report|broadcast`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.cli import main
from bot.search.question_groups import group_questions
from bot.storage.questions import collect_stats
from bot.storage.ratings import add_comment, rate, record_offer
from bot.storage.store import Store, iso

ZONE = ZoneInfo("Africa/Casablanca")
NOW = datetime(2031, 7, 1, 10, 0, tzinfo=ZONE)


def test_similar_questions_are_grouped_and_the_most_asked_wording_leads() -> None:
    asked = [
        ("Y a-t-il un parking ?", "fr", "2031-07-01T08:00:00+00:00"),
        ("y a t il un parking", "fr", "2031-07-01T08:05:00+00:00"),
        ("Y a-t-il un parking ?", "fr", "2031-07-01T08:10:00+00:00"),
        ("Is there a parking near the venue?", "en", "2031-07-01T09:00:00+00:00"),
        ("Quel est le code wifi ?", "fr", "2031-07-01T09:30:00+00:00"),
        ("Le code du wifi", "fr", "2031-07-01T09:40:00+00:00"),
        ("أين يقع موقف السيارات؟", "ar", "2031-07-01T09:50:00+00:00"),
        ("موقف السيارات", "ar", "2031-07-01T09:55:00+00:00"),
        ("Qui anime la séance sur la santé ?", "fr", "2031-07-01T10:00:00+00:00"),
    ]
    groups = group_questions(asked)
    summary = [(g.text, g.count, sorted(g.languages)) for g in groups]
    assert summary == [
        ("Y a-t-il un parking ?", 4, ["en", "fr"]),
        ("Le code du wifi", 2, ["fr"]),
        ("أين يقع موقف السيارات؟", 2, ["ar"]),
        ("Qui anime la séance sur la santé ?", 1, ["fr"]),
    ]
    assert groups[0].examples() == ["y a t il un parking", "Is there a parking near the venue?"]
    assert groups[0].last_asked == "2031-07-01T09:00:00+00:00"


async def fill(store: Store) -> None:
    rows = [
        # user, last seen: yesterday late evening local time is not today
        (1, datetime(2031, 6, 30, 23, 30, tzinfo=ZONE), 1, 0),
        (2, datetime(2031, 7, 1, 0, 30, tzinfo=ZONE), 1, 0),
        (3, datetime(2031, 7, 1, 9, 0, tzinfo=ZONE), 0, 1),
    ]
    async with store.transaction() as db:
        for user_id, seen, subscribed, blocked in rows:
            await db.execute(
                "INSERT INTO users (user_id, chat_id, subscribed, blocked, first_seen, last_seen)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, user_id, subscribed, blocked, iso(seen), iso(seen)),
            )
        for number, (text, answered) in enumerate(
            [("Où est le parking ?", 0), ("Où est le parking", 0), ("Quand ?", 1), ("Wifi", 0)],
            start=1,
        ):
            await db.execute(
                "INSERT INTO question_log (user_id, text, language, answered, top_score,"
                " created_at) VALUES (1, ?, 'fr', ?, 0.2, ?)",
                (text, answered, iso(NOW)),
            )
            if number < 4:
                await db.execute(
                    "INSERT INTO feedback (user_id, question_id, value, created_at)"
                    " VALUES (1, ?, ?, ?)",
                    (number, 1 if number == 3 else -1, iso(NOW)),
                )


async def test_stats_count_today_in_the_event_time_zone(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        await fill(store)
        stats = await collect_stats(store, ZONE, now=NOW.astimezone(UTC))
    finally:
        await store.close()
    assert (stats.users, stats.subscribed, stats.blocked, stats.active_today) == (3, 2, 1, 2)
    assert (stats.questions, stats.answered, stats.answered_share) == (4, 1, 0.25)
    assert (stats.thumbs_up, stats.thumbs_down) == (1, 2)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The command line's settings on tmp_path (the environment, as an operator sets it)."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    monkeypatch.setenv("ADMIN_IDS", "")
    return tmp_path / "data"


async def test_report_command_writes_the_same_figures_as_csv(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = await Store.open(data_dir / "assistant.sqlite3")
    try:
        await fill(store)
        await record_offer(store, 1, "keynote", 1, message_id=77)
        await rate(store, 1, 1, "keynote", 4)
        await add_comment(store, 1, 77, "Passionnant")
        await rate(store, 2, 2, "keynote", 2)
    finally:
        await store.close()
    output = data_dir.parent / "out" / "report.csv"
    assert await _run(["report", "--output", str(output)]) == 0
    written = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8"))))
    header = ["section", "item", "count", "share", "languages", "last_asked", "examples"]
    assert written[0] == header
    figures = {row[1]: row[2] for row in written if row[0] == "stats"}
    assert figures == {
        "users": "3", "subscribed": "2", "blocked": "1", "active_today": figures["active_today"],
        "questions": "4", "answered": "1", "thumbs_up": "1", "thumbs_down": "2", "ratings": "2",
    }  # fmt: skip
    rated = [row for row in written if row[0] == "rating"]
    assert [(row[1], row[2], row[3], row[6]) for row in rated] == [
        ("keynote", "2", "3.00", "Passionnant")
    ]
    unanswered = [row for row in written if row[0] == "unanswered"]
    assert [(row[1], row[2], row[6]) for row in unanswered] == [
        ("Où est le parking ?", "2", "Où est le parking"),
        ("Wifi", "1", ""),
    ]
    capsys.readouterr()
    assert await _run(["report"]) == 0  # to standard output: the same CSV
    assert list(csv.reader(io.StringIO(capsys.readouterr().out))) == written


async def test_broadcast_command_queues_and_says_how_many(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = await Store.open(data_dir / "assistant.sqlite3")
    try:
        await fill(store)
    finally:
        await store.close()
    assert await _run(["broadcast", "Le", "plénier", "est", "déplacé"]) == 0
    assert capsys.readouterr().out.strip() == "Broadcast #1 queued for 2 subscribers."
    assert await _run(["broadcast", "--language", "en", "Hello"]) == 0
    assert capsys.readouterr().out.strip() == "Broadcast #2 queued for 0 subscribers."


async def _run(argv: list[str]) -> int:
    """`python -m bot ARGV` in a worker thread (the command runs its own event loop)."""
    import asyncio

    return await asyncio.to_thread(main, argv)
