"""The live board: one pinned message in the organisers' chosen chat, "on now" and "next".

The message is posted and pinned once; its id is stored (`bot.storage.live`), so a restart edits
the same message. It is edited only when what it shows changes (the programme moves on, or a
reload changed it), at most once per `min_interval` (a minute), counted across restarts from
the stored edit time. Edits go through the application's bot, hence its outbound limiter.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import time
from collections.abc import Callable
from datetime import datetime, tzinfo

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.clock import utc_now, woken_or_timed_out
from bot.domain import KnowledgeBase, Session
from bot.i18n import DEFAULT_LANGUAGE, t
from bot.i18n.dates import spell_short_date, spell_time_range
from bot.storage.live import live_message, save_live_message
from bot.storage.store import Store

log = logging.getLogger(__name__)

LIVE_NEXT = 6  # upcoming sessions listed
MIN_INTERVAL = 60.0  # seconds between two edits, at most one a minute
TICK = 30.0  # how often the board looks whether what it shows changed
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def escape(text: str) -> str:
    """Plain text escaped for Telegram HTML (quotes stay readable)."""
    return html.escape(text, quote=False)


def now_and_next(
    knowledge: KnowledgeBase, now: datetime, *, room: str | None = None, count: int = LIVE_NEXT
) -> tuple[list[Session], list[Session]]:
    """Sessions on at `now` and the next `count` to start (cancelled ones left out)."""
    sessions = sorted(
        (
            s
            for s in knowledge.sessions.values()
            if not s.cancelled and (room is None or s.room == room)
        ),
        key=lambda s: (s.start, s.end, s.title),
    )
    on_now = [s for s in sessions if s.start <= now < s.end]
    coming = [s for s in sessions if s.start > now][:count]
    return on_now, coming


def event_language(knowledge: KnowledgeBase) -> str:
    """The event's first language."""
    event = knowledge.event
    return event.languages[0] if event is not None and event.languages else DEFAULT_LANGUAGE


def _line(session: Session, zone: tzinfo, language: str, today: datetime) -> str:
    start, end = session.start.astimezone(zone), session.end.astimezone(zone)
    when = spell_time_range(start, end)
    if start.date() != today.astimezone(zone).date():
        when = f"{spell_short_date(start.date(), language)} {when}"
    line = f"• {escape(when)} <b>{escape(session.title)}</b>"
    return line + (f" · {escape(session.room)}" if session.room else "")


def live_text(knowledge: KnowledgeBase, now: datetime, zone: tzinfo) -> str:
    """The board's Telegram HTML, in the event's language."""
    language = event_language(knowledge)
    event = knowledge.event
    name = (event.names.get(language) or event.name) if event is not None else ""
    on_now, coming = now_and_next(knowledge, now)
    lines = [f"📺 <b>{escape(name or t('live_title', language))}</b>", ""]
    if not on_now and not coming:
        return "\n".join([*lines, escape(t("live_over", language))])
    lines.append(f"<b>{escape(t('now_title', language))}</b>")
    lines += [_line(s, zone, language, now) for s in on_now] or [escape(t("now_none", language))]
    lines += ["", f"<b>{escape(t('next_title', language))}</b>"]
    lines += [_line(s, zone, language, now) for s in coming] or [escape(t("next_none", language))]
    return "\n".join(lines)[:4000]


class LiveBoard:
    """Keep one pinned "now and next" message up to date in one chat."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        chat_id: int,
        knowledge: Callable[[], KnowledgeBase],
        zone: Callable[[KnowledgeBase], tzinfo],
        *,
        min_interval: float = MIN_INTERVAL,
        tick: float = TICK,
    ) -> None:
        self.bot = bot
        self.store = store
        self.chat_id = chat_id
        self.knowledge = knowledge
        self.zone = zone
        self.min_interval = min_interval
        self.tick = tick
        self.edits = 0  # messages posted or edited by this process
        self._edited_at: float | None = None  # time.monotonic() of this process's last edit
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Post or update the board now, then keep it current in the background."""
        self._task = asyncio.create_task(self._run(), name="live-board")

    async def stop(self) -> None:
        """Stop updating (the message stays where it is)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def programme_changed(self) -> None:
        """A reload changed the knowledge: update as soon as the minute allows."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                await self._wait_for_room()
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live board: update failed; trying again later")
            await woken_or_timed_out(self._wake, self.tick)
            self._wake.clear()

    async def _wait_for_room(self) -> None:
        """Sleep until the last edit is `min_interval` old (stored: across restarts too)."""
        ages = []
        if self._edited_at is not None:
            ages.append(time.monotonic() - self._edited_at)
        stored = await live_message(self.store, self.chat_id)
        if stored is not None:  # the event clock may be shifted (ASSISTANT_NOW): never negative
            ages.append(max(0.0, (utc_now() - stored.updated_at).total_seconds()))
        if ages and min(ages) < self.min_interval:
            await asyncio.sleep(self.min_interval - min(ages))

    async def refresh(self) -> bool:
        """Edit (or post and pin) the board if what it shows changed; True if it did."""
        knowledge = self.knowledge()
        text = live_text(knowledge, utc_now(), self.zone(knowledge))
        stored = await live_message(self.store, self.chat_id)
        if stored is not None and stored.text == text:
            return False
        if stored is not None:
            try:
                await self.bot.edit_message_text(
                    text,
                    self.chat_id,
                    stored.message_id,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                )
            except BadRequest as error:
                reason = error.message.lower()
                if "not modified" in reason:
                    await save_live_message(self.store, self.chat_id, stored.message_id, text)
                    return False
                if "not found" not in reason and "can't be edited" not in reason:
                    raise
                stored = None  # deleted by someone: post a new one
            else:
                await save_live_message(self.store, self.chat_id, stored.message_id, text)
        if stored is None:
            await self._post(text)
        self.edits += 1
        self._edited_at = time.monotonic()
        return True

    async def _post(self, text: str) -> None:
        message = await self.bot.send_message(
            self.chat_id, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        )
        await save_live_message(self.store, self.chat_id, message.message_id, text)
        try:
            await self.bot.pin_chat_message(
                self.chat_id, message.message_id, disable_notification=True
            )
        except TelegramError as error:  # the bot is not an admin there: the board still works
            log.warning("live board: could not pin in %s: %s", self.chat_id, error)
