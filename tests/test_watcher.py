"""Live knowledge: the watcher reloads off the event loop, answers keep flowing, errors go out."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from telegram import Bot

from bot.app.settings import Settings
from bot.broadcast.followup import AdminAlerts
from bot.clock import utc_now
from bot.domain import Answer, KnowledgeBase, KnowledgeError
from bot.knowledge.folder import Scan
from bot.knowledge.watcher import KnowledgeWatcher, ReloadReport
from bot.search.assistant import Assistant
from bot.storage.store import Store, iso
from tests.telegram_helpers import TOKEN, RecordingRequest

PROGRAMME = """\
event:
  name: "Test Conference"
  start_date: 2031-07-01
  end_date: 2031-07-02
  timezone: Africa/Casablanca
  city: Rabat
verticals:
  - id: sante
    name: {fr: Santé, en: Health}
sessions:
  - id: s1
    title: "Opening"
    vertical: sante
    day: 1
    start: "09:00"
    end: "10:00"
    room: "Salle A"
"""
INFO = "# Practical information\n\n## Parking\n\nThe car park opens at 7:00 at the north gate.\n"
WIFI = "\n## Wifi\n\nThe wifi network is called ConfNet and its password is rabat2031.\n"
BROKEN = "  - id: s2\n    title: Broken\n    day: 1\n    start: '11:00'\n    end: '10:00'\n"


def make_settings(tmp_path: Path) -> Settings:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir(exist_ok=True)
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        knowledge_dir=knowledge,
        data_dir=tmp_path / "data",
        embedding_model="test-hashing",
        knowledge_poll_seconds=0.05,
        knowledge_settle_seconds=0.05,
    )


class ScriptedAssistant:
    """`changed_scan` and `reload` as the watcher sees them, recording the reloading thread."""

    def __init__(self) -> None:
        self.knowledge = KnowledgeBase()
        self.changed = threading.Event()
        self.threads: list[int] = []

    def changed_scan(self) -> Scan | None:
        return Scan({"info.md": (1, 1)}) if self.changed.is_set() else None

    def reload(self, scan: Scan | None = None) -> ReloadReport:
        self.changed.clear()
        self.threads.append(threading.get_ident())
        time.sleep(0.05)  # a reload takes time: it must not hold the event loop
        return ReloadReport(True, [], self.knowledge, self.knowledge, 1)


async def wait_for(predicate: object, seconds: float = 10.0) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_changes_are_reloaded_in_a_thread_and_a_failed_follow_up_is_survived(
    tmp_path: Path,
) -> None:
    assistant = ScriptedAssistant()
    reports: list[ReloadReport] = []

    async def follow_up(report: ReloadReport) -> None:
        reports.append(report)
        if len(reports) == 2:
            raise RuntimeError("Telegram is down")

    watcher = KnowledgeWatcher(assistant, make_settings(tmp_path), follow_up)
    await watcher.start()
    try:
        await wait_for(lambda: len(reports) == 1)
        assert reports[0].changed is False  # the state at start-up, followed up once
        assistant.changed.set()
        await wait_for(lambda: len(reports) == 2)
        assistant.changed.set()  # the failed follow-up did not stop the watching
        await wait_for(lambda: len(reports) == 3)
    finally:
        await watcher.stop()
    assert len(assistant.threads) == 2
    assert threading.get_ident() not in assistant.threads


async def test_a_knowledge_change_while_questions_are_answered(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    (settings.knowledge_dir / "programme.yaml").write_text(PROGRAMME)
    info = settings.knowledge_dir / "info.en.md"
    info.write_text(INFO)
    assistant = await asyncio.to_thread(Assistant.load, settings)
    reports: list[ReloadReport] = []

    async def follow_up(report: ReloadReport) -> None:
        reports.append(report)

    answers: list[Answer] = []
    stop = asyncio.Event()

    async def attendees() -> None:
        while not stop.is_set():
            answers.append(await assistant.answer_async("What is the wifi password?"))
            await asyncio.sleep(0)

    watcher = KnowledgeWatcher(assistant, settings, follow_up)
    await watcher.start()
    asking = asyncio.create_task(attendees())
    try:
        await wait_for(lambda: len(reports) == 1 and len(answers) >= 3)
        assert not answers[-1].answered
        await asyncio.to_thread(_append, info, WIFI)
        await wait_for(lambda: len(reports) == 2)
        served = len(answers)
        await wait_for(lambda: len(answers) >= served + 3)
        assert answers[-1].answered
        assert "ConfNet" in answers[-1].hits[0].passage.text
        # A broken programme: reported as file:line, the previous version keeps serving.
        await asyncio.to_thread(_append, settings.knowledge_dir / "programme.yaml", BROKEN)
        await wait_for(lambda: len(reports) == 3)
        served = len(answers)
        await wait_for(lambda: len(answers) >= served + 3)
    finally:
        stop.set()
        await asking
        await watcher.stop()
    assert [str(error) for error in reports[2].errors] == [
        'programme.yaml:22: session "s2": end 10:00 is not after start 11:00'
    ]
    assert sorted(assistant.knowledge.sessions) == ["s1"]
    assert "ConfNet" in answers[-1].hits[0].passage.text  # still answering from the last index


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


async def test_admins_hear_of_broken_files_once_per_distinct_set(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        admin_ids=frozenset({7, 8}),  # 8 never talked to the bot: Telegram would refuse
    )
    store = await Store.open(settings.database_path)
    api = RecordingRequest()
    bot = Bot(TOKEN, request=api)
    async with store.transaction() as db:
        now = iso(utc_now())
        await db.execute(
            "INSERT INTO users (user_id, chat_id, language, first_seen, last_seen)"
            " VALUES (7, 7, 'en', ?, ?)",
            (now, now),
        )
    alerts = AdminAlerts(bot, store, settings)
    broken = [KnowledgeError("programme.yaml", 22, "end <before> start")]
    try:
        await bot.initialize()
        assert await alerts.knowledge_errors([]) == 0  # nothing wrong, nothing said
        assert await alerts.knowledge_errors(broken) == 1
        assert await alerts.knowledge_errors(broken) == 0  # the next poll: already told
        assert await alerts.knowledge_errors([*broken, KnowledgeError("a.md", 0, "empty")]) == 1
        assert await alerts.knowledge_errors([]) == 1  # fixed: said once
    finally:
        await bot.shutdown()
        await store.close()
    texts = api.sent_texts()
    assert len(texts) == 3
    assert "programme.yaml:22: end &lt;before&gt; start" in texts[0]
    assert "a.md:0: empty" in texts[1]
    assert texts[2] == "✅ The knowledge folder is valid again."
    assert {int(call.params["chat_id"]) for call in api.calls_to("sendMessage")} == {7}
