"""The pinned live board: what it shows, when it is edited, and that a restart keeps it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app.composition import build_application
from bot.broadcast.followup import reload_hook
from bot.broadcast.live import LiveBoard, live_text
from bot.clock import Clock, frozen_at, set_clock, woken_or_timed_out
from bot.domain import KnowledgeBase
from bot.i18n import t
from bot.knowledge.watcher import ReloadReport
from tests.fake_botapi import FakeBotApi, polling
from tests.offline_bot import (
    DAY1,
    DAY2,
    ZONE,
    Bot,
    StandInAssistant,
    at,
    make_settings,
    offline_bot,
    sample_knowledge,
)

CHAT = -100777


def board_for(bot: Bot, knowledge: list[KnowledgeBase], **kw: Any) -> LiveBoard:
    return LiveBoard(
        bot.app.bot, bot.services.store, CHAT, lambda: knowledge[0], lambda _: ZONE, **kw
    )


def calls(bot: Bot, method: str) -> list[dict[str, Any]]:
    return [call.params for call in bot.api.calls_to(method) if int(call.params["chat_id"]) == CHAT]


async def until(check: Callable[[], Any], seconds: float = 5.0) -> float:
    """Wait until `check()` is true; return when (time.monotonic())."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition never met")
        await asyncio.sleep(0.02)
    return time.monotonic()


def test_the_board_lists_what_is_on_now_and_next_in_the_event_language() -> None:
    knowledge = sample_knowledge()
    text = live_text(knowledge, at(DAY1, 10, 5), ZONE)
    now_part, _, next_part = text.partition(t("next_title", "fr"))
    assert "Assises de l'IA" in text
    assert t("now_title", "fr") in now_part
    assert "Session 2 &lt;IA" in now_part
    assert "Session 3 &lt;IA" in next_part
    assert "Session 2 &lt;IA" not in next_part
    before = live_text(knowledge, at(DAY1, 7, 0), ZONE)
    assert t("now_none", "fr") in before
    assert "Session 0 &lt;IA" in before
    assert "Gouvernance" in live_text(knowledge, at(DAY1, 23, 0), ZONE)  # tomorrow's, dated
    assert t("live_over", "fr") in live_text(knowledge, at(DAY2, 23, 0), ZONE)


async def test_posted_and_pinned_once_edited_when_it_changes_at_most_once_per_interval(
    tmp_path: Path,
) -> None:
    async with offline_bot(tmp_path) as bot:
        knowledge = [sample_knowledge()]
        # An interval far above the tick and a loaded machine's delays: the first change goes
        # out at the next tick, the second waits for the interval (no tighter timing asserted).
        board = board_for(bot, knowledge, min_interval=2.0, tick=0.05)
        with frozen_at(at(DAY1, 10, 5)):
            await board.start()
            await until(lambda: calls(bot, "pinChatMessage"))
            [posted] = calls(bot, "sendMessage")
            assert "Session 2 &lt;IA" in posted["text"]
            await asyncio.sleep(0.7)
            assert calls(bot, "editMessageText") == []  # nothing moved: nothing edited
            first_edit_at = time.monotonic()
            set_clock(Clock(at(DAY1, 10, 35), frozen=True))  # Session 3 has started
            await until(lambda: calls(bot, "editMessageText"))
            assert "Session 3 &lt;IA" in calls(bot, "editMessageText")[0]["text"].split("\n\n")[1]
            set_clock(Clock(at(DAY1, 11, 5), frozen=True))
            await until(lambda: len(calls(bot, "editMessageText")) == 2)
            # When the board made the edits, not when this test looked: a busy machine delays
            # the test's polling, not the board's rate limit.
            edited_at, second_at = (c.at for c in bot.api.calls_to("editMessageText")[:2])
            assert second_at - edited_at >= 1.9  # at most one edit per interval
            assert edited_at - first_edit_at < 1.5  # the first change had nothing to wait for
            await board.stop()

            # A restart edits the same pinned message; a reload's change is shown.
            moved = {
                **knowledge[0].sessions,
                "d1-4": replace(knowledge[0].sessions["d1-4"], title="Session déplacée"),
            }
            knowledge[0] = replace(knowledge[0], sessions=moved)
            again = board_for(bot, knowledge, min_interval=0.5, tick=30.0)
            hook = reload_hook(bot.app.bot, bot.services.store, bot.services.settings, None, again)
            await again.start()
            await hook(ReloadReport(True, [], sample_knowledge(), knowledge[0]))
            await until(lambda: len(calls(bot, "editMessageText")) == 3)
            last = calls(bot, "editMessageText")[-1]
            assert "Session déplacée" in last["text"]
            assert int(last["message_id"]) == int(
                bot.api.calls_to("pinChatMessage")[0].params["message_id"]
            )
            assert len(calls(bot, "sendMessage")) == 1
            await again.stop()
        assert bot.errors == []


async def test_live_chat_id_puts_a_pinned_board_in_that_chat_through_the_bot_api(
    tmp_path: Path,
) -> None:
    with FakeBotApi() as api, frozen_at(at(DAY1, 10, 5)):
        api.add_group(CHAT, "Assises live", chat_type="supergroup")
        settings = make_settings(tmp_path, live_chat_id=CHAT).model_copy(
            update={"telegram_api_url": api.base_url, "telegram_bot_token": SecretStr(api.token)}
        )
        app = build_application(settings, StandInAssistant(sample_knowledge()))
        async with polling(app):
            [board] = await api.wait_for_messages(CHAT, 1)
            await api.wait_for(lambda: api.pinned.get(CHAT), what="the pin")
        assert api.pinned[CHAT] == board.message_id
        assert t("now_title", "fr") in board.text
        assert "Session 2 <IA & société>" in board.text


async def test_a_cancellation_arriving_with_the_wake_still_stops_the_wait() -> None:
    # The board's stop() hung about once in thirty runs: on Python 3.11, wait_for returned the
    # wake and dropped a cancellation of the same turn. Every turn after the wake is tried.
    for turns in range(6):
        wake = asyncio.Event()
        wake.set()
        waiting = asyncio.create_task(woken_or_timed_out(wake, 30.0))
        for _ in range(turns):
            await asyncio.sleep(0)
        if waiting.cancel():  # still running: the cancellation must end it
            with pytest.raises(asyncio.CancelledError):
                await waiting
        else:
            assert waiting.result() is None  # it had returned on the wake already
    idle = asyncio.Event()
    async with asyncio.timeout(5.0):  # nothing wakes it: it returns once its time is up
        await woken_or_timed_out(idle, 0.05)
    assert not idle.is_set()
