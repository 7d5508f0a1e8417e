"""One outgoing rate budget shared by attendees' replies (first) and announcements (the rest).

Telegram accepts about 30 messages a second from a bot overall. Every message the application
sends passes through `OutboundLimiter` (installed with `ApplicationBuilder.rate_limiter`), which
counts them in a sliding one-second window. Replies are never held back: they are counted, so
announcements, which take a slot with `acquire_broadcast()`, get only what replies leave.
Announcements are paced at `broadcast_rate` (at most the cap, one under Telegram's 30, so a
reply always fits), paused on their own 429 (which never pauses replies), and paused a little
longer than a reply refused with 429, so that the reply goes first when sending resumes.

Every other request (not getUpdates, nor chat actions, nor announcements, which the broadcast
worker retries itself) is sent again on a 5xx or a timeout, with growing pauses and a bound
(`RequestRetry`): a reply, an edit or a callback answer survives a Bot API that errs or is slow.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot.broadcast.config import BroadcastSettings

log = logging.getLogger(__name__)

TELEGRAM_MESSAGES_PER_SECOND = 30
BROADCAST_FLAG = "broadcast"  # in `rate_limit_args`: the caller already holds a broadcast slot
# What Telegram counts as messages; edits, callback answers, chat actions are not throttled.
MESSAGE_ENDPOINTS = frozenset(
    {
        "sendMessage", "sendDocument", "sendPhoto", "sendAudio", "sendVideo", "sendVoice",
        "sendAnimation", "sendSticker", "sendLocation", "sendVenue", "sendContact", "sendPoll",
        "sendDice", "sendMediaGroup", "sendVideoNote", "copyMessage", "copyMessages",
        "forwardMessage", "forwardMessages",
    }
)  # fmt: skip

# A lost "typing..." indicator costs nothing, and the answer waits for the indicator in flight.
NOT_RETRIED = frozenset({"sendChatAction"})
REPLY_TRIES = 3  # a reply refused with 429 is sent again after the wait, this many times
REPLY_HEAD_START = 0.5  # seconds announcements wait after a reply's 429, beyond its retry_after

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]
# Seconds to wait for an answer: the application's client is built with it (PTB's own is 5 s,
# which a Bot API slow for a moment exceeds); a timed-out call is given twice as long.
REQUEST_READ_TIMEOUT = 10.0


@dataclass(frozen=True)
class RequestRetry:
    """How a request that met a 5xx or a timeout is sent again: pauses double up to a cap."""

    tries: int = 8
    first_pause: float = 0.2
    max_pause: float = 3.0
    max_read_timeout: float = 30.0  # a timed-out call is given twice as long, up to this

    def pause(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (0 first), with jitter."""
        base = min(self.max_pause, self.first_pause * 2**attempt)
        return base * random.uniform(0.75, 1.25)  # jitter, not security


def is_transient(error: BaseException) -> bool:
    """A 5xx, a timeout or a dropped connection: worth sending again (a 400 never is)."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def longer_read_timeout(kwargs: dict[str, Any], ceiling: float) -> dict[str, Any]:
    """The call's keyword arguments with its read timeout doubled (at most `ceiling`)."""
    current = kwargs.get("read_timeout")
    seconds = current if isinstance(current, int | float) else REQUEST_READ_TIMEOUT
    return {**kwargs, "read_timeout": min(ceiling, float(seconds) * 2)}


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait, in seconds (int or timedelta depending on PTB's mode)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns about the int form on every access
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class OutboundLimiter(BaseRateLimiter[dict[str, Any]]):
    """Keep every message under Telegram's overall rate; replies before announcements."""

    def __init__(
        self,
        broadcast_rate: float = 25.0,
        overall_per_second: int = TELEGRAM_MESSAGES_PER_SECOND - 1,
        *,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        retry: RequestRetry | None = None,
    ) -> None:
        self.overall = max(1, overall_per_second)
        self.broadcast_rate = min(broadcast_rate, float(self.overall))
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()  # start times of messages in the last window
        self._next_broadcast = 0.0
        self._paused_until = 0.0
        self.retry = retry or RequestRetry()

    @classmethod
    def from_settings(cls, settings: BroadcastSettings) -> OutboundLimiter:
        """The limiter for `telegram_rate` and `broadcast_rate`."""
        # One message of margin under Telegram's limit: arrival times jitter by milliseconds.
        return cls(settings.broadcast_rate, math.ceil(settings.telegram_rate) - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    # -- the window -------------------------------------------------------------------------

    def _in_window(self, now: float) -> int:
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()
        return len(self._sent)

    def _until_room(self, now: float) -> float:
        """Seconds until the window has a free slot (0 if it has one now)."""
        if self._in_window(now) < self.overall:
            return 0.0
        return self._sent[0] + self.window - now

    # -- announcements ----------------------------------------------------------------------

    def pause_broadcast(self, seconds: float) -> None:
        """Hold announcements (not replies) for `seconds`, after a 429 on one of them."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        log.warning("broadcast paused %.1fs by Telegram's flood control", seconds)

    @property
    def broadcast_paused_for(self) -> float:
        """Seconds left in a broadcast pause (0 when none)."""
        return max(0.0, self._paused_until - self._clock())

    async def acquire_broadcast(self) -> None:
        """Wait for an announcement slot: paced, after waiting replies, outside any pause."""
        interval = 1.0 / self.broadcast_rate
        while True:
            now = self._clock()
            # A late wake-up may catch up by one slot, never burst beyond that.
            self._next_broadcast = max(self._next_broadcast, now - interval)
            wait = max(self._paused_until - now, self._next_broadcast - now, self._until_room(now))
            if wait <= 0:
                self._sent.append(now)
                self._next_broadcast += interval
                return
            await self._sleep(wait)

    # -- every request of the application's bot ---------------------------------------------

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> JSONResult:
        """Send one request: counted if it is a message, sent again on 429, 5xx or timeout."""
        if (rate_limit_args or {}).get(BROADCAST_FLAG):
            return await callback(*args, **kwargs)  # the broadcast worker retries on its own
        counted = endpoint in MESSAGE_ENDPOINTS
        rate_limited = 0
        attempt = 0
        timed_out = False
        while True:
            if counted:
                self._sent.append(self._clock())
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                rate_limited += 1
                if not counted or rate_limited >= REPLY_TRIES:
                    raise
                # Past Telegram's limit (announcements, a burst of replies, another process):
                # the reply waits as told and announcements wait a little longer, so it goes first.
                seconds = retry_seconds(error)
                self.pause_broadcast(seconds + REPLY_HEAD_START)
                await self._sleep(seconds)
            except NetworkError as error:
                if timed_out and isinstance(error, BadRequest) and "not modified" in str(error):
                    return True  # the edit that timed out did land: this try changed nothing
                if not is_transient(error) or endpoint in NOT_RETRIED:
                    raise
                attempt += 1
                if attempt >= self.retry.tries:
                    log.warning(
                        "%s to chat %s failed after %d tries: %s",
                        endpoint, data.get("chat_id"), attempt, error,
                    )  # fmt: skip
                    raise
                if isinstance(error, TimedOut):
                    timed_out = True
                    kwargs = longer_read_timeout(kwargs, self.retry.max_read_timeout)
                await self._sleep(self.retry.pause(attempt - 1))
