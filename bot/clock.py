"""The one clock of the whole app: aware UTC datetimes, settable for rehearsals and tests.

Every module asks `utc_now()`; nothing else calls `datetime.now`. `ASSISTANT_NOW` (see
`bot.app.settings`) starts the clock at a chosen moment, from which it runs on at real speed,
so an organiser can rehearse 10:45 on day one and watch reminders fire; tests may freeze it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta


class Clock:
    """Real time, or real time shifted to start at a chosen moment, or a frozen moment."""

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("the clock needs an aware datetime (with a UTC offset)")
        if frozen and start is None:
            raise ValueError("a frozen clock needs a moment")
        self._start = start.astimezone(UTC) if start is not None else None
        self._frozen = frozen
        self._monotonic_at_start = time.monotonic()

    def now(self) -> datetime:
        """The current moment, aware, in UTC."""
        if self._start is None:
            return datetime.now(UTC)
        if self._frozen:
            return self._start
        elapsed = time.monotonic() - self._monotonic_at_start
        return self._start + timedelta(seconds=elapsed)


_clock = Clock()


def utc_now() -> datetime:
    """Now, as the whole app sees it (aware, UTC)."""
    return _clock.now()


def set_clock(clock: Clock) -> Clock:
    """Install `clock` for the whole app; return the one it replaces."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def start_at(moment: datetime | None) -> None:
    """Run the app's clock from `moment` on (None: the real clock)."""
    set_clock(Clock(moment))


@contextmanager
def frozen_at(moment: datetime) -> Iterator[Clock]:
    """Freeze the app's clock at `moment` for the duration of a block (tests, benchmarks)."""
    clock = Clock(moment, frozen=True)
    previous = set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)


async def woken_or_timed_out(wake: asyncio.Event, seconds: float) -> None:
    """Return once `wake` is set or `seconds` have passed; a cancellation always gets through.

    Use it rather than `asyncio.wait_for`: on Python 3.11 that returned the wake and dropped a
    cancellation arriving in the same turn of the loop, so the live board ran on and
    `LiveBoard.stop` waited for ever (a test hung about once in thirty runs). `asyncio.timeout`
    tells its own cancellation from a caller's."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await wake.wait()
