"""A session missing for a moment (a save, a sync) is not told removed; its reminders come back."""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application, ApplicationBuilder, JobQueue

from bot.app.settings import Settings
from bot.broadcast.followup import GRACE_JOB, reload_hook
from bot.broadcast.notices import ProgrammeNotifier
from bot.broadcast.reminders import JOB_PREFIX, ReminderScheduler
from bot.clock import frozen_at
from bot.domain import KnowledgeBase, Session
from bot.knowledge.diff import ChangeKind
from bot.knowledge.folder import load_folder_files
from bot.knowledge.watcher import ReloadReport
from bot.storage.agenda import save_session
from bot.storage.store import Store
from bot.storage.users import upsert_user
from tests.test_reminders import Programme, RecordingRequest

T0 = datetime(2031, 7, 1, 8, 0, tzinfo=UTC)
LEAD = timedelta(minutes=15)
MINUTE = timedelta(minutes=1)
FIXTURES = Path(__file__).parent / "fixtures"

App = Application[Any, Any, Any, Any, Any, Any]


def talk(sid: str, start: datetime) -> Session:
    return Session(sid, f"Talk {sid}", start, start + timedelta(hours=1), "Salle A")


def kb(*sessions: Session) -> KnowledgeBase:
    return KnowledgeBase(sessions={s.id: s for s in sessions})


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        reminder_minutes=15,
        removal_grace_minutes=10,
        event_timezone="Africa/Casablanca",
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "db.sqlite3")
    for user_id in (1, 2):
        await upsert_user(store, user_id, language="en")
    yield store
    await store.close()


def build_app() -> App:
    builder = ApplicationBuilder().token("1:x").request(RecordingRequest())
    return builder.get_updates_request(RecordingRequest()).build()


def queue(app: App) -> JobQueue[Any]:
    assert app.job_queue is not None
    return app.job_queue


def job_ids(app: App) -> set[int]:
    names = [job.name or "" for job in queue(app).jobs()]
    return {int(name.removeprefix(JOB_PREFIX)) for name in names if name.startswith(JOB_PREFIX)}


async def states(store: Store) -> dict[tuple[int, str], tuple[str, str | None]]:
    """(user, session) -> (pending/sent/cancelled, remind_at) of the newest row."""
    async with store.db.execute("SELECT * FROM reminders ORDER BY id") as cursor:
        rows = await cursor.fetchall()
    found = {}
    for r in rows:
        state = "sent" if r["sent_at"] else "cancelled" if r["cancelled_at"] else "pending"
        found[r["user_id"], r["session_id"]] = (state, r["remind_at"])
    return found


async def notices(store: Store) -> list[tuple[str, int]]:
    async with store.db.execute(
        "SELECT b.text, d.chat_id FROM broadcasts b JOIN broadcast_deliveries d"
        " ON d.broadcast_id = b.id WHERE b.kind = 'notice' ORDER BY b.id, d.chat_id"
    ) as cursor:
        return [(str(r[0]), int(r[1])) for r in await cursor.fetchall()]


async def test_a_reminder_is_held_while_its_session_is_missing_and_sent_once_back(
    store: Store, settings: Settings
) -> None:
    soon, kept = talk("s1", T0 + 20 * MINUTE), talk("s2", T0 + 3 * timedelta(hours=1))
    programme = Programme(soon, kept)
    app = build_app()
    async with app:
        reminders = ReminderScheduler(store, queue(app), settings, programme)
        with frozen_at(T0):
            await reminders.schedule(1, 1, soon)
            [reminder_id] = job_ids(app)
            assert await reminders.reconcile(programme.replace(kept)) == []  # held
            assert job_ids(app) == {reminder_id}
        with frozen_at(T0 + 5 * MINUTE):  # its moment comes while the session is missing
            [job] = queue(app).jobs()
            await job.run(app)
            job.schedule_removal()  # a one-off timer is gone once it ran
            assert (await states(store))[1, "s1"][0] == "pending"  # not sent, not cancelled
        with frozen_at(T0 + 7 * MINUTE):  # back unchanged within the grace: nothing to tell
            assert await reminders.reconcile(programme.replace(soon, kept)) == []
            assert job_ids(app) == {reminder_id}  # a timer again, due at once
            assert await reminders.send_due(reminder_id, app.bot)
    sent = app.bot.request
    assert isinstance(sent, RecordingRequest)
    assert [m["chat_id"] for m in sent.sent] == [1]
    assert "13 min" in sent.sent[0]["text"]


async def test_a_removal_past_its_grace_cancels_and_a_return_restores(
    store: Store, settings: Settings
) -> None:
    start = T0 + timedelta(hours=3)
    first, moving, kept = talk("s1", start), talk("s3", start), talk("s2", start)
    programme = Programme(first, moving, kept)
    app = build_app()
    async with app:
        reminders = ReminderScheduler(store, queue(app), settings, programme)
        with frozen_at(T0):
            for user in (1, 2):
                await reminders.schedule(user, user, first)
            await reminders.schedule(1, 1, moving)
            assert await reminders.reconcile(programme.replace(kept)) == []
        with frozen_at(T0 + 9 * MINUTE):
            assert await reminders.reconcile(programme.kb) == []  # still in its grace
        with frozen_at(T0 + 10 * MINUTE):
            changes = await reminders.reconcile(programme.kb)
            assert sorted((c.user_id, c.session_id, c.kind) for c in changes) == [
                (1, "s1", ChangeKind.REMOVED),
                (1, "s3", ChangeKind.REMOVED),
                (2, "s1", ChangeKind.REMOVED),
            ]
            assert job_ids(app) == set()
            assert await reminders.cancel(2, "s1") == 0  # user 2 no longer wants it
        with frozen_at(T0 + timedelta(hours=1)):  # s1 back at its start, s3 an hour later
            later = talk("s3", start + timedelta(hours=1))
            [back] = await reminders.reconcile(programme.replace(first, later, kept))
            assert (back.user_id, back.session_id, back.kind) == (1, "s1", ChangeKind.RESTORED)
            assert back.remind_at == start - LEAD
            found = await states(store)
            assert found[1, "s1"][0] == "pending"
            assert found[2, "s1"][0] == found[1, "s3"][0] == "cancelled"
            assert len(job_ids(app)) == 1
            assert await reminders.reconcile(programme.kb) == []  # restored once


async def test_a_removal_is_told_only_past_its_grace_and_a_return_is_told_to_savers(
    store: Store, settings: Settings
) -> None:
    saved, other = talk("s1", T0 + timedelta(hours=3)), talk("s2", T0 + timedelta(hours=4))
    await save_session(store, 1, "s1")
    notifier = ProgrammeNotifier(store, settings)
    with frozen_at(T0):
        assert await notifier.sync(kb(saved, other)) == []  # the baseline
    with frozen_at(T0 + MINUTE):
        assert await notifier.sync(kb(other)) == []  # missing: a sync half done?
    with frozen_at(T0 + 5 * MINUTE):
        assert await notifier.sync(kb(saved, other)) == []  # back unchanged: nothing told
    with frozen_at(T0 + 6 * MINUTE):
        assert await notifier.sync(kb(other)) == []  # missing again: its grace starts over
    with frozen_at(T0 + 15 * MINUTE):
        assert await notifier.sync(kb(other)) == []
        assert await notices(store) == []
    with frozen_at(T0 + 16 * MINUTE):  # after a restart: the grace ran on, kept in SQLite
        [removed] = await ProgrammeNotifier(store, settings).sync(kb(other))
        assert removed.kind is ChangeKind.REMOVED
        assert await notifier.sync(kb(other)) == []  # told once
    with frozen_at(T0 + 30 * MINUTE):
        [back] = await notifier.sync(kb(saved, other))
        assert back.kind is ChangeKind.RESTORED
    told = await notices(store)
    assert [chat for _, chat in told] == [1, 1]  # the saver, though following no vertical
    assert "was removed" in told[0][0]
    assert "is back in the programme" in told[1][0]


async def test_the_end_of_a_grace_is_acted_on_without_another_reload(
    store: Store, settings: Settings
) -> None:
    saved, other = talk("s1", T0 + timedelta(hours=3)), talk("s2", T0 + timedelta(hours=4))
    await save_session(store, 1, "s1")
    programme = Programme(saved, other)
    app = build_app()
    async with app:
        reminders = ReminderScheduler(store, queue(app), settings, programme)
        follow_up = reload_hook(app.bot, store, settings, reminders)
        with frozen_at(T0):
            await reminders.schedule(1, 1, saved)
            await follow_up(ReloadReport(False, [], programme.kb, programme.kb))
            assert queue(app).get_jobs_by_name(GRACE_JOB) == ()
            gone = programme.replace(other)
            await follow_up(ReloadReport(True, [], programme.kb, gone))
            [timer] = queue(app).get_jobs_by_name(GRACE_JOB)
            # Timed from now in real seconds (the app's clock may be shifted): the grace, +1 s.
            assert 590 < timer.job.trigger.run_date.timestamp() - time.time() <= 601
            assert await notices(store) == []
            assert (await states(store))[1, "s1"][0] == "pending"
        with frozen_at(T0 + 10 * MINUTE):  # the timer fires: no reload came meanwhile
            await timer.run(app)
            assert [text for text, _ in await notices(store)] == [
                "🔔 Programme change: “Talk s1” (Tuesday 1 July 12:00–13:00, Salle A)"
                " was removed from the programme."
            ]
            assert (await states(store))[1, "s1"][0] == "cancelled"
            assert queue(app).get_jobs_by_name(GRACE_JOB) == ()  # nothing left in grace


@pytest.mark.parametrize("name", ["programme-mini.csv", "schedule-mini.json", "programme.yaml"])
def test_an_emptied_programme_file_keeps_its_previous_version(tmp_path: Path, name: str) -> None:
    if name == "programme.yaml":
        yaml = "sessions:\n  - id: s1\n    title: T\n    day: 1\n    start: '09:00'\n"
        event = "event: {name: E, start_date: 2031-07-01, end_date: 2031-07-01}\n"
        (tmp_path / name).write_text(event + yaml + "    end: '10:00'\n    room: A\n")
    else:
        shutil.copy(FIXTURES / name, tmp_path / name)
    before, files = load_folder_files(tmp_path)
    assert before.sessions
    (tmp_path / name).write_text("\n")  # a save cut short
    after, files = load_folder_files(tmp_path, files)
    assert set(after.sessions) == set(before.sessions)
    assert [(e.file, e.message.split(":")[0]) for e in after.errors] == [(name, "empty file")]
    again, _ = load_folder_files(tmp_path, files)
    assert set(again.sessions) == set(before.sessions)
