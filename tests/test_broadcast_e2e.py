"""Announcements end to end through the loopback Bot API: faults, a restart, a SIGKILL.

The realistic 30 messages/s case is timed by `benchmarks/broadcast.py`; here the server's limit
is raised (and the bot's with it) so that the tests stay short.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app.composition import build_application
from bot.app.settings import Settings
from bot.broadcast.worker import BroadcastWorker, enqueue_from_cli
from bot.clock import utc_now
from bot.search.assistant import Assistant
from bot.storage.store import Store, iso
from bot.telegram.services import Services
from tests.fake_botapi import FakeBotApi, polling
from tests.test_watcher import INFO, PROGRAMME

pytestmark = pytest.mark.e2e
TEXT = "Le plénier de 14h est déplacé en salle B <attention> & merci"
TEXT_SENT = "Le plénier de 14h est déplacé en salle B &lt;attention&gt; &amp; merci"
ADMIN = 5000
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns on every RetryAfter unless opted in to timedelta periods."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


def make_settings(tmp_path: Path, api: FakeBotApi, **overrides: Any) -> Settings:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir(exist_ok=True)
    (knowledge / "programme.yaml").write_text(PROGRAMME)
    (knowledge / "info.en.md").write_text(INFO)
    values: dict[str, Any] = {
        "telegram_bot_token": SecretStr(api.token),
        "telegram_api_url": api.base_url,
        "knowledge_dir": knowledge,
        "data_dir": tmp_path / "data",
        "embedding_model": "test-hashing",
        "admin_ids": frozenset({ADMIN}),
        "telegram_rate": 200,
        "broadcast_rate": 150,
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


@dataclass
class Running:
    api: FakeBotApi
    settings: Settings
    assistant: Assistant


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    with FakeBotApi(rate_limit_per_second=100) as api:
        settings = make_settings(tmp_path, api)
        assistant = await asyncio.to_thread(Assistant.load, settings)
        yield Running(api, settings, assistant)


def announcement_counts(api: FakeBotApi, chats: range) -> dict[int, int]:
    """How many times each chat received the announcement."""
    return {chat: sum(m.text == TEXT for m in api.messages_to(chat)) for chat in chats}


async def until(
    api: FakeBotApi, predicate: Callable[[Counter[int]], bool], seconds: float, what: str
) -> None:
    """Wait on the messages delivered per chat (cheap to read: the bot shares this loop)."""
    deadline = time.monotonic() + seconds
    while not predicate(api.delivered_counts()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} after {seconds}s:\n{api.dump()}")
        await asyncio.sleep(0.05)


async def subscribe(api: FakeBotApi, users: range) -> None:
    for user in users:
        api.send_command(user, "start")
    await until(api, lambda got: all(got[user] for user in users), 30, "welcomes")


async def test_300_subscribers_20_blocked_faults_and_attendees_asking(running: Running) -> None:
    api, users = running.api, range(1, 301)
    app = build_application(running.settings, running.assistant)
    async with polling(app):
        await subscribe(api, users)
        api.add_user(ADMIN, language_code="en")
        api.send_command(ADMIN, "help")  # known to the bot, not subscribed
        await api.wait_for(lambda: api.delivered(ADMIN) == 1, 10, "the admin's help")
        blocked = range(281, 301)
        for user in blocked:
            api.block(user)
        broadcast_id, recipients = await enqueue_from_cli(running.settings, TEXT)
        assert recipients == 300
        reachable = range(1, 281)
        await until(api, lambda got: any(got[u] > 1 for u in reachable), 10, "first delivery")
        api.fail_next("sendMessage", 502, count=5)
        await api.wait_for(lambda: len(api.calls_to("sendMessage", 502)) == 5, 10, "the 502s")
        for user in (1, 2, 3):  # attendees keep asking while it goes out
            api.send_text(user, "What is the wifi password?")
        await until(api, lambda got: all(got[u] > 1 for u in reachable), 60, "deliveries")
        await api.wait_for(
            lambda: all(announcement_counts(api, range(1, 4)).values()), 10, "the rest"
        )
        await api.wait_for(
            lambda: any("finished" in m.text for m in api.messages_to(ADMIN)), 10, "the report"
        )
        for user in (1, 2, 3):
            assert any("could not find" in m.text for m in api.messages_to(user))
    assert set(announcement_counts(api, reachable).values()) == {1}  # exactly once each
    for user in blocked:
        tries = [
            c
            for c in api.calls_to("sendMessage")
            if c.chat_id == user and TEXT_SENT in c.params["text"]
        ]
        assert [c.status for c in tries] == [403]  # tried once, never again
    assert len(api.calls_to("sendMessage", 502)) == 5
    assert api.throttled > 0  # the server's 100/s was hit, and honoured
    report = [m.text for m in api.messages_to(ADMIN) if "finished" in m.text]
    assert len(report) == 1
    assert "280 delivered, 20 users blocked the bot, 0 failed" in report[0]
    assert f"#{broadcast_id}" in report[0]
    api.assert_no_bad_requests()


async def test_a_restart_in_the_middle_loses_nobody(running: Running) -> None:
    api, users = running.api, range(1, 151)
    settings = running.settings.model_copy(update={"broadcast_rate": 60.0})
    first = build_application(settings, running.assistant)
    async with polling(first):
        await subscribe(api, users)
        await enqueue_from_cli(settings, TEXT)
        await until(api, lambda got: sum(got[u] - 1 for u in users) >= 40, 20, "a first part")
        services: Services = first.bot_data["services"]
        assert services.broadcaster is not None
        in_flight = services.broadcaster.max_in_flight
        crash(services.broadcaster)
    second = build_application(settings, running.assistant)
    async with polling(second):
        await until(api, lambda got: all(got[u] > 1 for u in users), 30, "the rest")
    counts = announcement_counts(api, users)
    # Nobody lost; repeated at most the sends that were in flight at the crash (the design's bound).
    assert sum(counts.values()) - len(users) <= in_flight
    api.assert_no_bad_requests()


def crash(worker: BroadcastWorker) -> None:
    """Stop the sender the way a crash would: nothing settled, rows left in flight."""
    assert worker._task is not None
    worker._task.cancel()
    worker._task = None
    for task in list(worker._in_flight):
        task.cancel()


# --- a real SIGKILL ------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi() as api:
        yield api


def bot_env(tmp_path: Path, api: FakeBotApi) -> dict[str, str]:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir(exist_ok=True)
    (knowledge / "programme.yaml").write_text(PROGRAMME)
    (knowledge / "info.en.md").write_text(INFO)
    return os.environ | {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.base_url,
        "KNOWLEDGE_DIR": str(knowledge),
        "DATA_DIR": str(tmp_path / "data"),
        "EMBEDDING_MODEL": "test-hashing",
        "ADMIN_IDS": "",
        "TELEGRAM_RATE": "200",
        "BROADCAST_RATE": "40",
        "PTB_TIMEDELTA": "1",
    }


async def add_subscribers(path: Path, users: range) -> None:
    store = await Store.open(path)
    now = iso(utc_now())
    async with store.transaction() as db:
        await db.executemany(
            "INSERT INTO users (user_id, chat_id, language, subscribed, first_seen, last_seen)"
            " VALUES (?, ?, 'fr', 1, ?, ?)",
            [(user, user, now, now) for user in users],
        )
    await store.close()


def start_bot(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=out, stderr=out
        )


def broadcast_status(database: Path) -> str | None:
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT status FROM broadcasts ORDER BY id DESC LIMIT 1").fetchone()
    return str(row[0]) if row else None


async def test_killed_with_sigkill_and_started_again(server: FakeBotApi, tmp_path: Path) -> None:
    api, users = server, range(1, 101)
    env = bot_env(tmp_path, api)
    for user in users:
        api.add_user(user)
    database = tmp_path / "data" / "assistant.sqlite3"
    await add_subscribers(database, users)
    log = tmp_path / "bot.log"
    bot = start_bot(env, log)
    try:
        await api.wait_for(lambda: api.calls_to("setMyCommands"), 30, "the bot's start-up")
        queued = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot", "broadcast", TEXT],
            cwd=ROOT, env=env, capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        assert queued.returncode == 0, queued.stderr.decode()
        assert b"queued for 100 subscribers" in queued.stdout
        await until(api, lambda got: sum(got[u] for u in users) >= 30, 20, "a first part")
        bot.send_signal(signal.SIGKILL)
        await asyncio.to_thread(bot.wait, 10)
        delivered_at_kill = sum(announcement_counts(api, users).values())
        assert delivered_at_kill < len(users)
        bot = start_bot(env, log)
        await until(api, lambda got: all(got[u] for u in users), 30, "the rest")
        await wait_until_done(database)
    finally:
        bot.terminate()
        try:
            await asyncio.to_thread(bot.wait, 15)
        except subprocess.TimeoutExpired:
            bot.kill()
    counts = announcement_counts(api, users)
    assert min(counts.values()) == 1, log.read_text()[-3000:]
    assert sum(counts.values()) - len(users) <= 2  # at most the sends in flight at the kill
    api.assert_no_bad_requests()


async def wait_until_done(database: Path) -> None:
    deadline = time.monotonic() + 20
    while await asyncio.to_thread(broadcast_status, database) != "done":
        assert time.monotonic() < deadline, "the broadcast never finished"
        await asyncio.sleep(0.05)
