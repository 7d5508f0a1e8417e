"""The announcement queue and its sender, offline: SQLite rows, the rate limiter, every fault."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from telegram import Bot
from telegram.request import RequestData

from bot.app.settings import Settings
from bot.broadcast.limiter import OutboundLimiter
from bot.broadcast.outbox import add_notice, create_draft, enqueue
from bot.broadcast.worker import BroadcastWorker, enqueue_from_cli
from bot.clock import utc_now
from bot.storage.outbox import NOTICE, Outbox, audience_size, cancel_draft, confirm_draft
from bot.storage.store import Store, iso
from tests.telegram_helpers import TOKEN, ApiCall, RecordingRequest

ADMIN = 77


class ScriptedRequest(RecordingRequest):
    """The offline Bot API, with scripted refusals of `sendMessage` for chosen chats."""

    def __init__(self) -> None:
        super().__init__()
        self.script: dict[int, list[tuple[int, dict[str, Any]]]] = {}
        self.refused: list[ApiCall] = []

    def fail(self, chat_id: int, status: int, times: int = 1, **parameters: Any) -> None:
        """Answer the next `times` sends to `chat_id` with `status` (and response parameters)."""
        self.script.setdefault(chat_id, []).extend([(status, parameters)] * times)

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *a: Any, **k: Any
    ) -> tuple[int, bytes]:
        """Pop a scripted refusal for this chat, else answer like Telegram."""
        if url.endswith("/sendMessage") and request_data is not None:
            params = dict(request_data.parameters)
            queued = self.script.get(int(str(params["chat_id"])))
            if queued:
                status, parameters = queued.pop(0)
                self.refused.append(ApiCall("sendMessage", params))
                body: dict[str, Any] = {
                    "ok": False, "error_code": status, "description": f"scripted {status}",
                }  # fmt: skip
                if parameters:
                    body["parameters"] = parameters
                return status, json.dumps(body).encode()
        return await super().do_request(url, method, request_data, *a, **k)

    def delivered_to(self, chat_id: int) -> int:
        """Messages Telegram accepted for this chat."""
        return len(self.sent_to(chat_id))

    def sent_to(self, chat_id: int) -> list[str]:
        """Texts accepted for this chat (sendMessage only), in order."""
        return [
            str(call.params["text"])
            for call in self.calls_to("sendMessage")
            if int(call.params["chat_id"]) == chat_id
        ]

    def attempts_to(self, chat_id: int) -> int:
        """sendMessage calls for this chat, refused ones included."""
        refused = sum(1 for call in self.refused if int(call.params["chat_id"]) == chat_id)
        return self.delivered_to(chat_id) + refused


@pytest.fixture(autouse=True)
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns on every RetryAfter (an error under pytest) unless opted in to timedelta."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@dataclass
class World:
    settings: Settings
    store: Store
    api: ScriptedRequest
    bot: Bot


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """Settings and a database on tmp_path, a bot answered offline."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr(TOKEN),
        data_dir=tmp_path / "data",
        knowledge_dir=tmp_path / "knowledge",
        admin_ids=frozenset({ADMIN, 78}),
    )
    store = await Store.open(settings.database_path)
    api = ScriptedRequest()
    bot = Bot(TOKEN, request=api)
    await bot.initialize()
    try:
        yield World(settings, store, api, bot)
    finally:
        await bot.shutdown()
        await store.close()


async def add_user(
    store: Store,
    user_id: int,
    language: str = "fr",
    *,
    subscribed: bool = True,
    blocked: bool = False,
    chat_id: int | None = None,
) -> None:
    now = iso(utc_now())
    async with store.transaction() as db:
        await db.execute(
            "INSERT INTO users (user_id, chat_id, language, subscribed, blocked, first_seen,"
            " last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (user_id, chat_id or user_id, language, int(subscribed), int(blocked), now, now),
        )


async def rows(store: Store, broadcast_id: int) -> dict[int, tuple[str, int]]:
    async with store.db.execute(
        "SELECT chat_id, status, attempts FROM broadcast_deliveries WHERE broadcast_id = ?",
        (broadcast_id,),
    ) as cursor:
        return {int(r[0]): (str(r[1]), int(r[2])) for r in await cursor.fetchall()}


def fast_worker(world: World, **options: Any) -> BroadcastWorker:
    limiter = OutboundLimiter(broadcast_rate=2000, overall_per_second=5000)
    options = {"poll_seconds": 0.02, "backoff_seconds": 0.01, "progress_seconds": 0.0} | options
    return BroadcastWorker(world.bot, world.store, world.settings, limiter=limiter, **options)


# --- the queue ---------------------------------------------------------------------------------


async def test_audience_is_subscribers_not_blocked_by_language_and_vertical(world: World) -> None:
    store = world.store
    await add_user(store, 1, "fr")
    await add_user(store, 2, "en")
    await add_user(store, 3, "fr", subscribed=False)
    await add_user(store, 4, "fr", blocked=True)
    await add_user(store, 5, "ar")
    async with store.transaction() as db:
        await db.execute("INSERT INTO follows (user_id, vertical_id) VALUES (5, 'sante')")
        await db.execute("INSERT INTO follows (user_id, vertical_id) VALUES (3, 'sante')")
    everyone, _ = await enqueue(store, "Bonjour")
    french, _ = await enqueue(store, "Bonjour", language="fr")
    health, _ = await enqueue(store, "Santé", vertical="sante")
    assert set(await rows(store, everyone)) == {1, 2, 5}
    assert set(await rows(store, french)) == {1}
    assert set(await rows(store, health)) == {5}
    assert all(status == ("pending", 0) for status in (await rows(store, everyone)).values())
    assert await audience_size(store, "en", None) == 1


async def test_cli_enqueue_commits_before_returning(world: World) -> None:
    await add_user(world.store, 1)
    await add_user(world.store, 2)
    broadcast_id, recipients = await enqueue_from_cli(world.settings, "  Le plénier est déplacé  ")
    assert recipients == 2
    # Seen from the bot's own connection, as a separate process would see it.
    assert set(await rows(world.store, broadcast_id)) == {1, 2}
    broadcast = await Outbox(world.store).next_broadcast()
    assert broadcast is not None
    assert (broadcast.id, broadcast.text, broadcast.status) == (
        broadcast_id,
        "Le plénier est déplacé",
        "queued",
    )


@pytest.mark.parametrize("text", ["", "   ", "x" * 4097])
async def test_enqueue_refuses_empty_or_too_long_texts(world: World, text: str) -> None:
    with pytest.raises(ValueError, match="announcement"):
        await enqueue(world.store, text)


async def test_a_draft_is_queued_once_or_cancelled(world: World) -> None:
    await add_user(world.store, 1)
    draft = await create_draft(world.store, "Hello", created_by=ADMIN, report_chat_id=ADMIN)
    assert await Outbox(world.store).next_broadcast() is None  # drafts are not delivered
    assert await confirm_draft(world.store, draft) == 1
    assert await confirm_draft(world.store, draft) is None  # a double press queues nothing more
    assert await cancel_draft(world.store, draft) is False
    other = await create_draft(world.store, "Bye", created_by=ADMIN, report_chat_id=ADMIN)
    assert await cancel_draft(world.store, other) is True
    assert await confirm_draft(world.store, other) is None
    assert await rows(world.store, other) == {}


# --- the sender ---------------------------------------------------------------------------------


async def test_every_fault_is_settled_and_nobody_gets_it_twice(world: World) -> None:
    store, api = world.store, world.api
    for user in (1, 2, 3, 4, 6):
        await add_user(store, user)
    await add_user(store, 5, chat_id=-500)  # a group that becomes a supergroup
    api.fail(2, 403)
    api.fail(3, 429, retry_after=1)
    api.fail(4, 502, times=2)
    api.fail(-500, 400, migrate_to_chat_id=-1005)
    api.fail(6, 400)  # chat not found: Telegram will not take it, retrying cannot help
    broadcast_id, _ = await enqueue(store, "Le plénier <a 14h> & salle B")
    worker = fast_worker(world)
    broadcast = await worker.outbox.next_broadcast()
    assert broadcast is not None
    tally = await worker.deliver(broadcast)
    assert (tally.total, tally.sent, tally.blocked, tally.failed) == (6, 4, 1, 1)
    for chat_id in (1, 3, 4, -1005):  # once each, escaped for Telegram HTML
        assert api.sent_to(chat_id) == ["Le plénier &lt;a 14h&gt; &amp; salle B"]
    assert (api.delivered_to(2), api.attempts_to(2)) == (0, 1)  # blocked: tried once
    assert (api.attempts_to(4), api.attempts_to(6)) == (3, 1)
    states = await rows(store, broadcast_id)
    assert states[2] == ("blocked", 1)
    assert states[3] == ("sent", 1)  # the 429 did not count as an attempt
    assert states[4] == ("sent", 3)
    assert states[-1005] == ("sent", 1)
    assert states[6] == ("failed", 1)
    async with store.db.execute("SELECT user_id, blocked, chat_id FROM users") as cursor:
        users = {int(r[0]): (int(r[1]), int(r[2])) for r in await cursor.fetchall()}
    assert users[2] == (1, 2)
    assert users[5] == (0, -1005)
    assert worker.limiter.broadcast_paused_for == 0  # the pause was honoured, then lifted


async def test_a_chat_failing_every_time_is_given_up_after_max_attempts(world: World) -> None:
    await add_user(world.store, 1)
    world.api.fail(1, 500, times=10)
    broadcast_id, _ = await enqueue(world.store, "Hello")
    worker = fast_worker(world, max_attempts=3)
    broadcast = await worker.outbox.next_broadcast()
    assert broadcast is not None
    tally = await worker.deliver(broadcast)
    assert tally.failed == 1
    assert (await rows(world.store, broadcast_id))[1] == ("failed", 3)
    assert world.api.attempts_to(1) == 3


async def test_rows_left_in_flight_by_a_dead_process_are_sent_after_a_restart(
    world: World,
) -> None:
    for user in (1, 2, 3):
        await add_user(world.store, user)
    broadcast_id, _ = await enqueue(world.store, "Hello")
    async with world.store.transaction() as db:  # as a process killed mid-send leaves them
        await db.execute("UPDATE broadcasts SET status = 'sending' WHERE id = ?", (broadcast_id,))
        await db.execute(
            "UPDATE broadcast_deliveries SET status = 'sent' WHERE chat_id = 1"
            " AND broadcast_id = ?",
            (broadcast_id,),
        )
        await db.execute(
            "UPDATE broadcast_deliveries SET status = 'sending', attempts = 1, lease_until = ?"
            " WHERE chat_id = 2 AND broadcast_id = ?",
            (iso(utc_now()), broadcast_id),
        )
    worker = fast_worker(world)
    await worker.start()
    try:
        await wait_until(lambda: world.api.delivered_to(3) == 1 and world.api.delivered_to(2) == 1)
        await wait_for_status(world.store, broadcast_id, "done")
    finally:
        await worker.stop()
    assert world.api.delivered_to(1) == 0  # already served before the "crash": not sent again
    assert await rows(world.store, broadcast_id) == {
        1: ("sent", 0),  # untouched
        2: ("sent", 2),  # the attempt in flight at the crash, then this one
        3: ("sent", 1),
    }


async def test_progress_and_final_report_reach_the_admin_who_sent_it(world: World) -> None:
    for user in (1, 2):
        await add_user(world.store, user)
    await add_user(world.store, ADMIN, "en", subscribed=False)
    world.api.fail(2, 403)
    draft = await create_draft(world.store, "Hi", created_by=ADMIN, report_chat_id=ADMIN)
    await confirm_draft(world.store, draft)
    worker = fast_worker(world)
    await worker.start()
    try:
        await wait_for_status(world.store, draft, "done")
    finally:
        await worker.stop()
    texts = world.api.sent_texts(ADMIN)
    assert texts[0].startswith(f"📣 Announcement #{draft}: 0/2 delivered")
    assert any(f"Announcement #{draft} finished" in text for text in texts)
    assert "1 delivered, 1 users blocked the bot, 0 failed" in texts[-1]


async def test_cli_broadcasts_report_to_known_admins_and_notices_to_nobody(world: World) -> None:
    await add_user(world.store, 1)
    await add_user(world.store, ADMIN, subscribed=False)  # admin 78 never talked to the bot
    await enqueue_from_cli(world.settings, "Hello")
    async with world.store.transaction() as db:
        await add_notice(db, "Séance déplacée", [1])
    worker = fast_worker(world)
    await worker.start()
    try:
        await wait_until(lambda: world.api.delivered_to(1) == 2)
        await wait_until(lambda: not worker._in_flight)
    finally:
        await worker.stop()
    assert world.api.sent_to(1) == ["Hello", "Séance déplacée"]
    admin_texts = world.api.sent_texts(ADMIN)
    assert len([t for t in admin_texts if "finished" in t or "terminée" in t]) == 1
    assert world.api.attempts_to(78) == 0
    async with world.store.db.execute("SELECT kind FROM broadcasts ORDER BY id") as cursor:
        assert [r[0] for r in await cursor.fetchall()] == ["announcement", NOTICE]


# --- helpers ------------------------------------------------------------------------------------


async def wait_until(predicate: Callable[[], bool], seconds: float = 10.0) -> None:
    """Poll `predicate` until true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def wait_for_status(store: Store, broadcast_id: int, status: str) -> None:
    """Poll the broadcast's status until it is `status`."""
    deadline = time.monotonic() + 10
    while True:
        async with store.db.execute(
            "SELECT status FROM broadcasts WHERE id = ?", (broadcast_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row and row[0] == status:
            return
        assert time.monotonic() < deadline, f"broadcast {broadcast_id} never became {status}"
        await asyncio.sleep(0.01)
