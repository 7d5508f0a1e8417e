"""Announcements: deliver the SQLite queue (`bot.storage.outbox`) under Telegram's limits.

`python -m bot broadcast` and the admins' `/broadcast` only write rows; the running bot's
`BroadcastWorker` polls the queue and sends. Each send takes a slot of the shared
`OutboundLimiter` (replies keep priority), runs with a few others in flight to reach the rate,
and settles its row right after the HTTP call: 429 pauses the broadcast only, 5xx and timeouts
retry with backoff, 403 marks the user blocked, a migrated group is followed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from html import escape
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from bot.broadcast.config import BroadcastSettings
from bot.broadcast.limiter import BROADCAST_FLAG, OutboundLimiter, retry_seconds
from bot.broadcast.outbox import enqueue
from bot.clock import utc_now
from bot.i18n import normalise_language, t
from bot.storage.outbox import ANNOUNCEMENT, Broadcast, Outbox, Tally
from bot.storage.store import Store
from bot.storage.users import admin_chats, chat_language

log = logging.getLogger(__name__)


async def enqueue_from_cli(
    settings: BroadcastSettings, text: str, language: str | None = None, vertical: str | None = None
) -> tuple[int, int]:
    """Queue an announcement from another process; return (broadcast id, recipients)."""
    store = await Store.open(settings.database_path)
    try:
        return await enqueue(store, text, language=language, vertical=vertical)
    finally:
        await store.close()


class _Report:
    """Progress, then a final report, in the chats of the admins who should see them."""

    def __init__(self, bot: Bot, broadcast_id: int, chats: list[tuple[int, str]]) -> None:
        self.bot = bot
        self.broadcast_id = broadcast_id
        self.chats = chats  # (chat id, language)
        self.messages: list[tuple[int, int, str]] = []  # (chat id, message id, language)
        self.started = time.monotonic()
        self.shown = ""

    def _text(self, key: str, language: str, tally: Tally) -> str:
        return t(
            key, language, id=self.broadcast_id, sent=tally.sent, total=tally.total,
            blocked=tally.blocked, failed=tally.failed,
            seconds=f"{time.monotonic() - self.started:.0f}",
        )  # fmt: skip

    async def begin(self, tally: Tally) -> None:
        """Post the progress message."""
        for chat_id, language in self.chats:
            with contextlib.suppress(TelegramError):
                message = await self.bot.send_message(
                    chat_id, self._text("broadcast_progress", language, tally)
                )
                self.messages.append((chat_id, message.message_id, language))
        self.shown = repr(tally)

    async def update(self, tally: Tally) -> None:
        """Edit the progress message if anything moved."""
        if repr(tally) == self.shown:
            return
        self.shown = repr(tally)
        for chat_id, message_id, language in self.messages:
            with contextlib.suppress(TelegramError):
                await self.bot.edit_message_text(
                    self._text("broadcast_progress", language, tally), chat_id, message_id
                )

    async def finish(self, tally: Tally) -> None:
        """Send the final report (a new message, so the admin is notified)."""
        await self.update(tally)
        for chat_id, language in self.chats:
            with contextlib.suppress(TelegramError):
                await self.bot.send_message(chat_id, self._text("broadcast_done", language, tally))


class BroadcastWorker:
    """Deliver queued announcements to every subscriber, under Telegram's rate limits."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        settings: BroadcastSettings,
        *,
        limiter: OutboundLimiter | None = None,
        poll_seconds: float = 0.25,
        max_in_flight: int = 8,
        max_attempts: int = 5,
        backoff_seconds: float = 1.0,
        progress_seconds: float = 3.0,
    ) -> None:
        self.bot = bot
        self.store = store
        self.settings = settings
        shared = bot.rate_limiter if isinstance(bot, ExtBot) else None
        # The application's limiter also sees the replies; without it, pace announcements alone.
        self.limiter = limiter or (
            shared
            if isinstance(shared, OutboundLimiter)
            else OutboundLimiter.from_settings(settings)
        )
        self._flag: dict[str, Any] = {}
        if isinstance(shared, OutboundLimiter):
            self._flag = {"rate_limit_args": {BROADCAST_FLAG: True}}
        self.poll_seconds = poll_seconds
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.progress_seconds = progress_seconds
        self.max_in_flight = max_in_flight  # sends at once: what a kill may repeat, at most
        self._slots = asyncio.Semaphore(max_in_flight)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._own_store: Store | None = None
        self.outbox = Outbox(store)

    async def start(self) -> None:
        """Resume what a previous run left in flight, then deliver in the background."""
        path = await self.store.file()
        if path is not None:
            # A connection of its own: sixty commits a second must not queue behind handlers.
            self._own_store = await Store.open(path)
            self.outbox = Outbox(self._own_store)
        recovered = await self.outbox.recover()
        if recovered:
            log.info("broadcast: %d deliveries in flight at the last stop are due again", recovered)
        self._task = asyncio.create_task(self._run(), name="broadcast-worker")

    async def stop(self) -> None:
        """Stop delivering; undelivered rows stay queued (in-flight ones get 2 s to settle)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._in_flight:
            _, late = await asyncio.wait(self._in_flight, timeout=2.0)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._own_store is not None:
            await self._own_store.close()
            self._own_store = None

    async def _run(self) -> None:
        while True:
            try:
                broadcast = await self.outbox.next_broadcast()
                if broadcast is None:
                    await asyncio.sleep(self.poll_seconds)
                    continue
                await self.deliver(broadcast)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("broadcast worker: unexpected error; trying again shortly")
                await asyncio.sleep(max(self.poll_seconds, 1.0))

    async def _report_chats(self, broadcast: Broadcast) -> list[tuple[int, str]]:
        """Progress goes to the admin who confirmed it, else (command line) to every admin."""
        if broadcast.report_chat_id is not None:
            language = await chat_language(self.outbox.store, broadcast.report_chat_id)
            return [(broadcast.report_chat_id, normalise_language(language))]
        if broadcast.kind != ANNOUNCEMENT:
            return []  # programme notices are quiet
        chats = await admin_chats(self.outbox.store, self.settings.admin_ids)
        return [(chat_id, normalise_language(language)) for chat_id, language in chats]

    async def deliver(self, broadcast: Broadcast) -> Tally:
        """Send one broadcast to every chat it still owes; return the final tally."""
        await self.outbox.start(broadcast.id)
        report = _Report(self.bot, broadcast.id, await self._report_chats(broadcast))
        await report.begin(await self.outbox.tally(broadcast.id))
        shown_at = time.monotonic()
        text = escape(broadcast.text)
        while True:
            if time.monotonic() - shown_at >= self.progress_seconds:
                shown_at = time.monotonic()
                await report.update(await self.outbox.tally(broadcast.id))
            await self._slots.acquire()
            claimed = await self.outbox.claim(broadcast.id)
            if claimed is None:
                self._slots.release()
                if not await self._wait_for_work(broadcast.id):
                    break
                continue
            await self.limiter.acquire_broadcast()
            task = asyncio.create_task(self._send(broadcast.id, text, *claimed))
            self._in_flight.add(task)
            task.add_done_callback(self._settled)
        tally = await self.outbox.tally(broadcast.id)
        await self.outbox.finish(broadcast.id)
        log.info(
            "broadcast #%d done: %d sent, %d blocked, %d failed",
            broadcast.id, tally.sent, tally.blocked, tally.failed,
        )  # fmt: skip
        await report.finish(tally)
        return tally

    def _settled(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._slots.release()
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("broadcast: a delivery could not be recorded", exc_info=error)

    async def _wait_for_work(self, broadcast_id: int) -> bool:
        """Nothing claimable now: wait for sends in flight or retries; False when all settled."""
        if self._in_flight:
            await asyncio.wait(
                self._in_flight, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            return True
        tally = await self.outbox.tally(broadcast_id)
        if tally.sending:
            # No send of ours is in flight: these rows lost their sender (a failed write).
            await self.outbox.recover()
            return True
        if tally.open == 0:
            return False
        due = await self.outbox.next_due(broadcast_id)
        wait = (due - utc_now()).total_seconds() if due else self.poll_seconds
        await asyncio.sleep(min(max(wait, 0.01), self.poll_seconds))
        return True

    async def _send(self, broadcast_id: int, text: str, chat_id: int, attempt: int) -> None:
        """Send to one chat and settle its row according to Telegram's answer."""
        outbox = self.outbox
        try:
            await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, **self._flag)
        except RetryAfter as error:
            seconds = retry_seconds(error)
            self.limiter.pause_broadcast(seconds)
            later = utc_now() + timedelta(seconds=seconds)
            await outbox.retry_later(broadcast_id, chat_id, later, str(error), count=False)
        except ChatMigrated as error:
            log.info("broadcast: chat %s migrated to %s", chat_id, error.new_chat_id)
            await outbox.migrate(broadcast_id, chat_id, error.new_chat_id)
        except Forbidden as error:
            await outbox.blocked(broadcast_id, chat_id, str(error))
        except BadRequest as error:  # Telegram refuses this message for this chat: final
            log.warning("broadcast #%d to %s refused: %s", broadcast_id, chat_id, error)
            await outbox.failed(broadcast_id, chat_id, str(error))
        except NetworkError as error:  # 5xx, timeouts, connection errors: try again later
            await self._retry_or_fail(broadcast_id, chat_id, attempt, str(error))
        except Exception as error:  # unforeseen: a few more tries, then failed, never a loop
            log.exception("broadcast #%d to %s: unexpected error", broadcast_id, chat_id)
            await self._retry_or_fail(broadcast_id, chat_id, attempt, repr(error))
        else:
            await outbox.sent(broadcast_id, chat_id)

    async def _retry_or_fail(
        self, broadcast_id: int, chat_id: int, attempt: int, error: str
    ) -> None:
        if attempt >= self.max_attempts:
            log.warning(
                "broadcast #%d to %s failed %d times: %s", broadcast_id, chat_id, attempt, error
            )
            await self.outbox.failed(broadcast_id, chat_id, error)
            return
        delay = min(self.backoff_seconds * 2 ** (attempt - 1), 60.0)
        later = utc_now() + timedelta(seconds=delay)
        await self.outbox.retry_later(broadcast_id, chat_id, later, error)
