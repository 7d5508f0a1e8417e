"""The shared outgoing budget: announcements paced and yielding, replies never held back."""

from __future__ import annotations

import pytest
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.broadcast.limiter import BROADCAST_FLAG, OutboundLimiter, RequestRetry


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


class Flaky:
    """A request that fails with the given errors first, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls: list[dict[str, object]] = []

    async def __call__(self, *args: object, **kwargs: object) -> bool:
        self.calls.append(kwargs)
        if self.errors:
            raise self.errors.pop(0)
        return True


async def test_replies_edits_and_answers_are_sent_again_on_5xx_and_timeouts() -> None:
    clock = FakeTime()
    limiter = OutboundLimiter(28, 29, clock=clock, sleep=clock.sleep)
    for endpoint in ("sendMessage", "editMessageText", "answerCallbackQuery"):
        flaky = Flaky(NetworkError("Bad Gateway"), TimedOut(), NetworkError("Internal (500)"))
        kwargs = {"read_timeout": DEFAULT_NONE}
        assert await limiter.process_request(flaky, (), kwargs, endpoint, {}, None) is True
        assert len(flaky.calls) == 4
        # After the timeout, the call is given twice as long to answer.
        assert [c["read_timeout"] for c in flaky.calls[2:]] == [20.0, 20.0]
    assert clock() > 1000.0  # it paused between tries


async def test_a_bad_request_is_not_retried_nor_a_broadcast() -> None:
    clock = FakeTime()
    limiter = OutboundLimiter(28, 29, clock=clock, sleep=clock.sleep)
    flaky = Flaky(BadRequest("Message is not modified"))
    with pytest.raises(BadRequest):
        await limiter.process_request(flaky, (), {}, "editMessageText", {}, None)
    assert len(flaky.calls) == 1
    flaky = Flaky(NetworkError("Bad Gateway"))
    with pytest.raises(NetworkError):  # "typing..." is not worth delaying the answer for
        await limiter.process_request(flaky, (), {}, "sendChatAction", {}, None)
    assert len(flaky.calls) == 1
    flaky = Flaky(NetworkError("Bad Gateway"))
    flag = {BROADCAST_FLAG: True}
    with pytest.raises(NetworkError):  # the broadcast worker schedules its own retry
        await limiter.process_request(flaky, (), {}, "sendMessage", {}, flag)
    assert len(flaky.calls) == 1


async def test_an_edit_found_unchanged_after_a_timeout_had_landed() -> None:
    clock = FakeTime()
    limiter = OutboundLimiter(28, 29, clock=clock, sleep=clock.sleep)
    flaky = Flaky(TimedOut(), BadRequest("Message is not modified: specified new message..."))
    assert await limiter.process_request(flaky, (), {}, "editMessageText", {}, None) is True


async def test_retries_are_bounded_and_the_lost_reply_is_logged_with_its_chat(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeTime()
    limiter = OutboundLimiter(28, 29, clock=clock, sleep=clock.sleep, retry=RequestRetry(tries=3))
    flaky = Flaky(*[NetworkError("Bad Gateway")] * 10)
    with pytest.raises(NetworkError):
        await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 4242}, None)
    assert len(flaky.calls) == 3
    assert "sendMessage to chat 4242 failed after 3 tries" in caplog.text
    # Every try is counted in the shared budget, as any message is.
    assert len(limiter._sent) == 3
