"""Long polling that no update can jam: a bad update is dropped, progress is watched.

python-telegram-bot de-serialises a whole getUpdates batch at once (`Update.de_list`): one
update it cannot parse (say, a poll missing fields it requires) fails the batch, the Updater
logs it and asks again with the same offset, and the same batch comes back in a tight loop.
`TolerantUpdates` wraps the getUpdates request and checks each update first: one that does not
parse is logged once and replaced by a bare `{"update_id": n}`, which no handler takes but
which moves the offset past it. `PollingMonitor` records when polling last advanced and how
many errors it met lately, for the container's health check.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.ext import CallbackContext
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)

MONITOR_KEY = "polling_monitor"  # in `bot_data`
ERROR_WINDOW_SECONDS = 300.0


class PollingMonitor:
    """When polling last advanced, and the errors (failed polls, bad updates) lately."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self.advanced_at: float | None = None  # None: never polled (webhook mode, or not yet)
        self.last_first_id: int | None = None
        self.dropped = 0
        self._errors: deque[float] = deque()

    def polled(self, update_ids: list[int]) -> None:
        """A getUpdates answered: progress, unless it is the batch it answered last time."""
        first = update_ids[0] if update_ids else None
        if first is not None and first == self.last_first_id:
            self.error()  # the same updates again: the offset did not move
            return
        self.last_first_id = first
        self.advanced_at = self._clock()

    def error(self) -> None:
        """Count one error (a failed poll, a dropped update, a crashed handler)."""
        now = self._clock()
        self._errors.append(now)
        while self._errors and self._errors[0] < now - ERROR_WINDOW_SECONDS:
            self._errors.popleft()

    @property
    def recent_errors(self) -> int:
        """Errors in the last `ERROR_WINDOW_SECONDS`."""
        now = self._clock()
        return sum(1 for at in self._errors if at >= now - ERROR_WINDOW_SECONDS)

    def status(self) -> dict[str, Any]:
        """What the heartbeat records."""
        return {"polled_at": self.advanced_at, "errors": self.recent_errors}


def parseable(update: Any) -> bool:
    """Whether python-telegram-bot can de-serialise this raw update."""
    try:
        Update.de_json(update, None)
    except Exception:  # any failure here would fail the whole batch
        return False
    return True


def screened(updates: list[Any], monitor: PollingMonitor | None = None) -> list[Any]:
    """The batch with each update PTB cannot parse replaced by its bare `update_id`."""
    kept: list[Any] = []
    for update in updates:
        if parseable(update):
            kept.append(update)
            continue
        update_id = update.get("update_id") if isinstance(update, dict) else None
        kinds = sorted(update) if isinstance(update, dict) else type(update).__name__
        log.error("update %s dropped: it cannot be parsed (fields %s)", update_id, kinds)
        if monitor is not None:
            monitor.dropped += 1
            monitor.error()
        if isinstance(update_id, int):
            kept.append({"update_id": update_id})  # handled by nobody; moves the offset on
    return kept


class TolerantUpdates(BaseRequest):
    """The getUpdates request, screening each batch (see the module's docstring)."""

    def __init__(
        self, inner: BaseRequest | None = None, monitor: PollingMonitor | None = None
    ) -> None:
        self.inner = inner or HTTPXRequest(connection_pool_size=1)
        self.monitor = monitor or PollingMonitor()

    @property
    def read_timeout(self) -> float | None:
        """The wrapped request's read timeout."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Initialise the wrapped request."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Shut the wrapped request down."""
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """The wrapped request's HTTP exchange; a getUpdates answer is screened."""
        polling = url.endswith("/getUpdates")
        try:
            status, payload = await self.inner.do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except Exception:
            if polling:
                self.monitor.error()
            raise
        if not polling:
            return status, payload
        if status != HTTPStatus.OK:
            self.monitor.error()
            return status, payload
        return status, self._screen_payload(payload)

    def _screen_payload(self, payload: bytes) -> bytes:
        try:
            answer = json.loads(payload)
        except ValueError:
            self.monitor.error()
            return payload  # PTB reports the unreadable answer itself
        result = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(result, list):
            return payload
        kept = screened(result, self.monitor)
        self.monitor.polled([u["update_id"] for u in kept])
        if len(kept) == len(result) and all(a is b for a, b in zip(kept, result, strict=True)):
            return payload
        return json.dumps({**answer, "result": kept}).encode()


def monitor_of(context: CallbackContext[Any, Any, Any, Any]) -> PollingMonitor | None:
    """The application's polling monitor, if it has one."""
    monitor = context.application.bot_data.get(MONITOR_KEY)
    return monitor if isinstance(monitor, PollingMonitor) else None
