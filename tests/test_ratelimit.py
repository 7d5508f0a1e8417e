"""The shared outgoing budget: announcements paced and yielding, replies never held back."""

from __future__ import annotations

import pytest
from telegram.error import RetryAfter

from bot.broadcast.limiter import BROADCAST_FLAG, OutboundLimiter


@pytest.fixture(autouse=True)
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns on every RetryAfter (an error under pytest) unless opted in to timedelta."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


class FakeTime:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


def windows_max(times: list[float], window: float = 1.0) -> int:
    return max(sum(1 for u in times if t <= u < t + window) for t in times)


async def test_broadcast_slots_are_paced_under_the_overall_cap() -> None:
    clock = FakeTime()
    limiter = OutboundLimiter(28, 29, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(100):
        await limiter.acquire_broadcast()
        times.append(clock())
    assert windows_max(times) <= 29
    # One slot of catch-up (a late wake-up) at most, then one every 1/28 s.
    assert times[-1] - times[0] == pytest.approx(98 / 28, rel=0.001)


async def test_replies_pass_at_once_and_announcements_get_what_they_leave() -> None:
    clock = FakeTime()
    limiter = OutboundLimiter(28, 29, clock=clock, sleep=clock.sleep)
    sent: list[str] = []

    async def send(text: str) -> bool:
        sent.append(text)
        return True

    for n in range(20):  # a burst of replies: none waits
        await limiter.process_request(send, (f"r{n}",), {}, "sendMessage", {}, None)
    assert clock() == 1000.0
    for _ in range(9):
        await limiter.acquire_broadcast()
    assert clock() < 1000.5  # 20 + 9 = 29 fit in this second, at the broadcast's pace
    await limiter.acquire_broadcast()
    assert clock() >= 1001.0  # the 30th waits for the replies to leave the window
    # Edits, callback answers and flagged announcements are not counted again.
    await limiter.process_request(send, ("e",), {}, "editMessageText", {}, None)
    await limiter.process_request(send, ("b",), {}, "sendMessage", {}, {BROADCAST_FLAG: True})
    assert len(sent) == 22


async def test_a_429_pauses_announcements_but_never_replies() -> None:
    clock = FakeTime()
    limiter = OutboundLimiter(28, 29, clock=clock, sleep=clock.sleep)
    limiter.pause_broadcast(5)
    answered: list[float] = []

    async def reply() -> bool:
        answered.append(clock())
        return True

    await limiter.process_request(reply, (), {}, "sendMessage", {}, None)
    assert answered == [1000.0]
    await limiter.acquire_broadcast()
    assert clock() >= 1005.0

    refusals = [RetryAfter(2)]

    async def flooded() -> bool:
        if refusals:
            raise refusals.pop()
        return True

    before = clock()
    assert await limiter.process_request(flooded, (), {}, "sendMessage", {}, None) is True
    assert clock() == before + 2  # the reply waited as told, then went through
    assert limiter.broadcast_paused_for == pytest.approx(0.5)  # and goes before announcements
