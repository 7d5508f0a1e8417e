"""Reminders: durable rows, PTB job queue timers, restore after a restart, never twice."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application, ApplicationBuilder, CallbackContext, JobQueue
from telegram.request import BaseRequest, RequestData

from bot.app.settings import Settings
from bot.broadcast.reminders import JOB_PREFIX, ReminderScheduler
from bot.clock import frozen_at, utc_now
from bot.domain import KnowledgeBase, Session
from bot.knowledge.diff import ChangeKind
from bot.storage.store import Store, iso
from bot.storage.users import upsert_user

LEAD = timedelta(minutes=15)


class RecordingRequest(BaseRequest):
    """An offline Bot API: answers getMe and sendMessage, records calls, never uses the network."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.blocked: set[int] = set()
        self.arrived = asyncio.Event()

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None: ...

    async def shutdown(self) -> None: ...

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if name == "getMe":
            return reply(200, {"id": 1, "is_bot": True, "first_name": "B", "username": "t_bot"})
        if name != "sendMessage":
            return reply(400, f"unknown method {name}")
        chat_id = int(str(params["chat_id"]))
        if chat_id in self.blocked:
            return reply(403, "Forbidden: bot was blocked by the user")
        self.sent.append(dict(params))
        self.arrived.set()
        chat = {"id": chat_id, "type": "private"}
        message = {"message_id": len(self.sent), "date": int(time.time()), "chat": chat}
        return reply(200, message | {"text": params["text"]})


def reply(status: int, result: object) -> tuple[int, bytes]:
    """A Bot API answer: the result, or the error description for a status other than 200."""
    body = (
        {"ok": True, "result": result}
        if status == 200
        else {"ok": False, "error_code": status, "description": result}
    )
    return status, json.dumps(body).encode()


class Programme:
    """The knowledge the scheduler reads through a callable, swappable like a reload."""

    def __init__(self, *sessions: Session) -> None:
        self.kb = KnowledgeBase(sessions={s.id: s for s in sessions})

    def __call__(self) -> KnowledgeBase:
        return self.kb

    def replace(self, *sessions: Session) -> KnowledgeBase:
        self.kb = KnowledgeBase(sessions={s.id: s for s in sessions})
        return self.kb


def session(sid: str, starts_in: timedelta, **fields: Any) -> Session:
    start = (utc_now() + starts_in).replace(microsecond=0)
    values: dict[str, Any] = {"title": f"Talk {sid}", "room": "Salle A"} | fields
    return Session(id=sid, start=start, end=start + timedelta(hours=1), **values)


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, reminder_minutes=15, event_timezone="Africa/Casablanca")  # type: ignore[call-arg]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "db.sqlite3")
    for user_id, language in ((1, "fr"), (2, "ar"), (3, "en-GB")):
        await upsert_user(store, user_id, language=language)
    yield store
    await store.close()


App = Application[Any, Any, Any, Any, Any, Any]
AppFactory = Callable[[], App]


@pytest.fixture
def errors() -> list[BaseException]:
    return []


@pytest.fixture
def make_app(errors: list[BaseException]) -> AppFactory:
    def build() -> App:
        builder = ApplicationBuilder().token("1:x").request(RecordingRequest())
        app = builder.get_updates_request(RecordingRequest()).build()

        async def collect(_update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
            assert context.error is not None
            errors.append(context.error)

        app.add_error_handler(collect)
        return app

    return build


def requests_of(app: App) -> RecordingRequest:
    request = app.bot.request
    assert isinstance(request, RecordingRequest)
    return request


def queue(app: App) -> JobQueue[Any]:
    assert app.job_queue is not None
    return app.job_queue


def job_ids(app: App) -> set[int]:
    return {int(job.name.removeprefix(JOB_PREFIX)) for job in queue(app).jobs() if job.name}


async def row(store: Store, reminder_id: int) -> dict[str, Any]:
    async with store.db.execute("SELECT * FROM reminders WHERE id = ?", (reminder_id,)) as cur:
        found = await cur.fetchone()
    assert found is not None
    return dict(found)


async def reminder_ids(store: Store) -> dict[tuple[int, str], int]:
    """The id of the newest reminder per (user, session)."""
    async with store.db.execute("SELECT id, user_id, session_id FROM reminders ORDER BY id") as cur:
        return {(r["user_id"], r["session_id"]): r["id"] for r in await cur.fetchall()}


async def test_schedule_is_durable_idempotent_and_refuses_too_late(
    store: Store, settings: Settings, make_app: AppFactory
) -> None:
    talk = session("s1", timedelta(hours=2))
    soon = session("s2", timedelta(minutes=10))
    gone = session("s3", timedelta(hours=2), status="cancelled")
    app = make_app()
    async with app:
        reminders = ReminderScheduler(store, queue(app), settings, Programme(talk, soon, gone))
        first = await reminders.schedule(1, 1, talk)
        assert first == talk.start - LEAD
        assert await reminders.schedule(1, 1, talk) == first
        assert await reminders.pending(1, "s1") == first
        assert await reminders.schedule(1, 1, soon) is None
        assert await reminders.schedule(1, 1, gone) is None
        ids = await reminder_ids(store)
        assert list(ids) == [(1, "s1")]
        assert job_ids(app) == {ids[1, "s1"]}

        assert await reminders.cancel(1, "s1") == 1
        assert job_ids(app) == set()
        assert await reminders.pending(1, "s1") is None
        assert not await reminders.send_due(ids[1, "s1"], app.bot)
        # Asking again revives the same row rather than adding a second one.
        assert await reminders.schedule(1, 1, talk) == first
        assert await reminder_ids(store) == ids
        assert job_ids(app) == {ids[1, "s1"]}
    assert requests_of(app).sent == []


async def test_job_sends_once_in_the_users_language(
    store: Store, settings: Settings, make_app: AppFactory, errors: list[BaseException]
) -> None:
    talk = session("s1", timedelta(hours=2), title="IA & santé <clinique>", speakers=("Dr A",))
    app = make_app()
    async with app:
        reminders = ReminderScheduler(store, queue(app), settings, Programme(talk))
        await reminders.schedule(1, 1, talk)
        await reminders.schedule(2, 2, talk)
        for job in queue(app).jobs():
            # Concurrent and repeated runs (a duplicate timer, a restart) must not send again.
            await asyncio.gather(job.run(app), job.run(app), job.run(app))
            await job.run(app)
        await asyncio.sleep(0)  # let process_error tasks, if any, run
    sent = requests_of(app).sent
    assert sorted(m["chat_id"] for m in sent) == [1, 2]
    assert errors == []
    by_chat = {m["chat_id"]: m for m in sent}
    assert by_chat[1]["parse_mode"] == "HTML"
    assert "Rappel" in by_chat[1]["text"]
    assert "<b>IA &amp; santé &lt;clinique&gt;</b>" in by_chat[1]["text"]
    assert "Salle A" in by_chat[1]["text"]
    assert "Dr A" in by_chat[1]["text"]
    local = talk.start.astimezone(settings.zone())
    assert f"{local:%H:%M}" in by_chat[1]["text"]
    assert "تذكير" in by_chat[2]["text"]
    when = next(line for line in by_chat[2]["text"].splitlines() if line.startswith("🕒"))
    assert f"، {local:%H:%M}–" in when  # the date and time joined by the Arabic comma
    assert "," not in when
    for reminder_id in (await reminder_ids(store)).values():
        assert (await row(store, reminder_id))["sent_at"] is not None


async def test_a_session_moved_silently_is_not_reminded_until_reconciled(
    store: Store, settings: Settings, make_app: AppFactory
) -> None:
    talk = session("s1", timedelta(hours=2))
    programme = Programme(talk)
    app = make_app()
    async with app:
        reminders = ReminderScheduler(store, queue(app), settings, programme)
        await reminders.schedule(1, 1, talk)
        old_id = (await reminder_ids(store))[1, "s1"]
        later = timedelta(hours=3)  # the new time range shares no clock time with the old
        moved = replace(talk, start=talk.start + later, end=talk.end + later)
        kb = programme.replace(moved)
        assert not await reminders.send_due(old_id, app.bot)
        assert (await row(store, old_id))["sent_at"] is None

        [change] = await reminders.reconcile(kb)
        assert change.kind is ChangeKind.MOVED
        assert (change.user_id, change.chat_id, change.session_id) == (1, 1, "s1")
        assert change.old_start == talk.start
        assert change.new_start == moved.start
        assert change.remind_at == moved.start - LEAD
        new_id = (await reminder_ids(store))[1, "s1"]
        assert (await row(store, old_id))["cancelled_at"] is not None
        assert job_ids(app) == {new_id}
        assert await reminders.reconcile(kb) == []  # nothing left to move
        assert not await reminders.send_due(old_id, app.bot)

        # Moved back: the first reminder comes back to life, the second is cancelled.
        [back] = await reminders.reconcile(programme.replace(talk))
        assert (back.old_start, back.new_start) == (moved.start, talk.start)
        assert back.remind_at == talk.start - LEAD
        assert job_ids(app) == {old_id}
        assert not await reminders.send_due(new_id, app.bot)
        assert await reminders.send_due(old_id, app.bot)
        assert not await reminders.send_due(old_id, app.bot)
    [message] = requests_of(app).sent
    local = talk.start.astimezone(settings.zone())
    assert f"{local:%H:%M}" in message["text"]


async def test_reconcile_cancels_for_cancelled_and_removed_sessions(
    store: Store, settings: Settings, make_app: AppFactory
) -> None:
    first, second, kept = (session(s, timedelta(hours=3)) for s in ("s1", "s2", "s3"))
    programme = Programme(first, second, kept)
    app = make_app()
    async with app:
        reminders = ReminderScheduler(store, queue(app), settings, programme)
        for user in (1, 2):
            for talk in (first, second, kept):
                await reminders.schedule(user, user, talk)
        # A failed load (no session at all) must not wipe everyone's reminders.
        assert await reminders.reconcile(KnowledgeBase()) == []
        assert len(job_ids(app)) == 6

        changes = await reminders.reconcile(
            programme.replace(replace(first, status="cancelled"), kept)
        )
        kinds = {(c.user_id, c.session_id): c.kind for c in changes}
        assert kinds == {(1, "s1"): ChangeKind.CANCELLED, (2, "s1"): ChangeKind.CANCELLED}
        assert len(job_ids(app)) == 4  # s2 is missing: held for its grace, not cancelled
        with frozen_at(utc_now() + timedelta(minutes=settings.removal_grace_minutes)):
            changes += await reminders.reconcile(programme.kb)
        kinds = {(c.user_id, c.session_id): c.kind for c in changes}
        assert kinds == {
            (1, "s1"): ChangeKind.CANCELLED,
            (2, "s1"): ChangeKind.CANCELLED,
            (1, "s2"): ChangeKind.REMOVED,
            (2, "s2"): ChangeKind.REMOVED,
        }
        assert all(c.remind_at is None for c in changes)
        ids = await reminder_ids(store)
        assert job_ids(app) == {ids[1, "s3"], ids[2, "s3"]}
        assert not await reminders.send_due(ids[1, "s1"], app.bot)
        assert not await reminders.send_due(ids[1, "s2"], app.bot)
    assert requests_of(app).sent == []


async def test_restore_after_restart_schedules_only_pending_reminders(
    tmp_path: Path, store: Store, settings: Settings, make_app: AppFactory
) -> None:
    talks = [session(s, timedelta(hours=2)) for s in ("s1", "s2", "s3", "s4")]
    programme = Programme(*talks)
    before = make_app()
    async with before:
        reminders = ReminderScheduler(store, queue(before), settings, programme)
        for talk in talks:
            await reminders.schedule(1, 1, talk)
        await reminders.schedule(3, 3, talks[0])
        await reminders.cancel(1, "s3")
        ids = await reminder_ids(store)
        assert await reminders.send_due(ids[1, "s4"], before.bot)
    await store.close()

    # The restart: a new database connection, a new application and job queue.
    reopened = await Store.open(tmp_path / "db.sqlite3")
    after = make_app()
    try:
        async with after:
            assert job_ids(after) == set()
            restarted = ReminderScheduler(reopened, queue(after), settings, programme)
            assert await restarted.restore() == 3
            assert job_ids(after) == {ids[1, "s1"], ids[1, "s2"], ids[3, "s1"]}
            assert await restarted.restore() == 3  # idempotent: timers replaced, not added
            assert len(queue(after).jobs()) == 3
            assert not await restarted.send_due(ids[1, "s4"], after.bot)  # sent before restart
    finally:
        await reopened.close()
    assert len(requests_of(before).sent) == 1
    assert requests_of(after).sent == []


async def test_restore_sends_missed_reminders_at_once_and_drops_started_sessions(
    store: Store, settings: Settings, make_app: AppFactory, errors: list[BaseException]
) -> None:
    missed = session("s1", timedelta(minutes=5))  # its reminder time passed while down
    started = session("s2", timedelta(minutes=-10))
    rows = [(1, 1, s.id, iso(s.start), iso(s.start - LEAD)) for s in (missed, started)]
    await store.db.executemany(
        "INSERT INTO reminders (user_id, chat_id, session_id, session_start, remind_at)"
        " VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    await store.db.commit()
    app = make_app()
    async with app:
        reminders = ReminderScheduler(store, queue(app), settings, Programme(missed, started))
        assert await reminders.restore() == 1
        await app.start()  # starts the job queue: the overdue timer fires now
        try:
            await asyncio.wait_for(requests_of(app).arrived.wait(), timeout=10)
        finally:
            await app.stop()
    [message] = requests_of(app).sent
    assert "Talk s1" in message["text"]
    assert errors == []
    ids = await reminder_ids(store)
    assert (await row(store, ids[1, "s1"]))["sent_at"] is not None
    dropped = await row(store, ids[1, "s2"])
    assert dropped["sent_at"] is None
    assert dropped["cancelled_at"] is not None


async def test_timer_fires_on_a_running_job_queue(
    store: Store, settings: Settings, make_app: AppFactory, errors: list[BaseException]
) -> None:
    talk = session("s1", LEAD + timedelta(seconds=2))
    app = make_app()
    async with app:
        reminders = ReminderScheduler(store, queue(app), settings, Programme(talk))
        await app.start()
        try:
            assert await reminders.schedule(3, 3, talk) is not None
            await asyncio.wait_for(requests_of(app).arrived.wait(), timeout=10)
        finally:
            await app.stop()
    [message] = requests_of(app).sent
    assert message["chat_id"] == 3
    assert "Reminder" in message["text"]  # en-GB is English
    assert errors == []


async def test_a_blocked_user_is_marked_and_not_retried(
    store: Store, settings: Settings, make_app: AppFactory
) -> None:
    talk = session("s1", timedelta(hours=2))
    app = make_app()
    async with app:
        requests_of(app).blocked.add(2)
        reminders = ReminderScheduler(store, queue(app), settings, Programme(talk))
        await reminders.schedule(2, 2, talk)
        reminder_id = (await reminder_ids(store))[2, "s1"]
        assert not await reminders.send_due(reminder_id, app.bot)
        assert not await reminders.send_due(reminder_id, app.bot)
    async with store.db.execute("SELECT blocked FROM users WHERE user_id = 2") as cursor:
        blocked = await cursor.fetchone()
    assert blocked is not None
    assert blocked[0] == 1
    assert (await row(store, reminder_id))["sent_at"] is not None
