"""End to end under real conditions: a Bot API that errs, is slow, or sends what PTB can't parse.

The real client and application (`build_application`) poll the loopback Bot API with faults
injected; the assistant is the real one on a copy of the shipped knowledge.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import CallbackContext

from bot.app.composition import build_application
from bot.app.health import heartbeat_status, is_healthy
from bot.app.services import heartbeat
from bot.broadcast.limiter import REQUEST_READ_TIMEOUT
from bot.i18n import t
from bot.search.assistant import Assistant
from bot.telegram.polling import MONITOR_KEY, PollingMonitor
from tests.bot_process import bot_process
from tests.fake_botapi import FakeBotApi, polling
from tests.fake_botapi.state import BotMessage
from tests.test_telegram_e2e import QUESTIONS, REPO, Running, settings_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

QUESTION, PLACE = QUESTIONS["en"]


def edited_past(api: FakeBotApi, user: int, edits: int) -> BotMessage | None:
    """The user's last message once it has been edited more than `edits` times."""
    last = api.messages_to(user)[-1]
    return last if last.edits > edits else None


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The real assistant on a copy of the shipped knowledge (built once for the module)."""
    root = tmp_path_factory.mktemp("knowledge-copy")
    shutil.copytree(REPO / "knowledge", root / "knowledge")
    return Assistant.load(settings_for(root))


@pytest.fixture
async def flaky(tmp_path: Path, assistant: Assistant) -> AsyncIterator[Running]:
    """The bot polling a Bot API that answers 30 % of every call but getUpdates with a 5xx."""
    with FakeBotApi() as api:
        api.fail_share(0.3, 502, seed=11)  # from the very start: getMe, setMyCommands too
        app = build_application(settings_for(tmp_path, api), assistant)
        async with polling(app):
            yield Running(api, app)
        # Nothing the bot sent was refused for its own fault.
        assert [call for call in api.calls if call.status >= 400 and not call.injected] == []


@pytest.fixture
async def running(tmp_path: Path, assistant: Assistant) -> AsyncIterator[Running]:
    """The bot polling a well-behaved loopback Bot API; no error reaches the error handler."""
    with FakeBotApi() as api:
        app = build_application(settings_for(tmp_path, api), assistant)
        errors: list[BaseException | None] = []

        async def collect(update: object, context: Any) -> None:
            errors.append(context.error)

        app.add_error_handler(collect)
        async with polling(app):
            yield Running(api, app)
        assert errors == []


def monitor(running: Running) -> PollingMonitor:
    found = running.app.bot_data[MONITOR_KEY]
    assert isinstance(found, PollingMonitor)
    return found


async def test_under_30_percent_5xx_ten_users_asking_at_once_are_all_answered(
    flaky: Running,
) -> None:
    api = flaky.api
    users = range(2000, 2010)
    for user in users:
        api.add_user(user, language_code="en")
    for user in users:
        api.send_text(user, QUESTION)
    for user in users:
        [reply] = await api.wait_for_messages(user, 1, timeout=60)
        assert PLACE in reply.text
    injected = [c for c in api.calls if c.injected and c.status == 502]
    assert len(injected) >= 3, "the faults were injected"


async def test_under_30_percent_5xx_page_turns_and_button_answers_go_through(
    flaky: Running,
) -> None:
    api, user = flaky.api, 2100
    api.add_user(user, language_code="en")
    await flaky.reply_to(user, "/programme")
    days = api.messages_to(user)[-1]
    for turn in range(6):
        data = days.callback_data("1 July") if turn % 2 == 0 else days.buttons[-1]["callback_data"]
        query = api.press_button(user, days.message_id, data)
        answer_id = query["id"]
        await api.wait_for(partial(api.callback_answers.get, answer_id), 30, "an answer")
        days = await api.wait_for(partial(edited_past, api, user, turn), 30, "a page turn")


async def test_a_slow_bot_api_still_shows_the_page_turn(running: Running) -> None:
    api, user = running.api, 2200
    api.add_user(user, language_code="en")
    await running.reply_to(user, "/programme")
    days = api.messages_to(user)[-1]
    api.delay("editMessageText", 6.0)  # past PTB's 5 s read timeout: the edit is sent again
    api.press_button(user, days.message_id, days.callback_data("1 July"))
    turned = await api.wait_for(lambda: api.messages_to(user)[-1].edits, 40, "the page turn")
    assert turned


async def test_an_update_the_client_cannot_parse_is_skipped_and_others_are_served(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    api, victim, other = running.api, 2300, 2301
    for user in (victim, other):
        api.add_user(user, language_code="en")
    caplog.set_level(logging.ERROR)
    polls_before = api.polls
    started = time.monotonic()
    api.send_unparseable_poll(victim)
    api.send_text(other, QUESTION)
    [reply] = await api.wait_for_messages(other, 1, timeout=20)
    assert PLACE in reply.text
    assert time.monotonic() - started < 20
    await api.wait_for(lambda: api.pending_updates == 0, 5, "the offset past the bad update")
    # Served again at once: a question after it is answered too, with no getUpdates storm.
    second = await running.reply_to(other, QUESTION)
    assert PLACE in second
    await asyncio.sleep(1.0)
    assert api.polls - polls_before < 100
    dropped = [r for r in caplog.records if "cannot be parsed" in r.getMessage()]
    assert len(dropped) == 1, "logged once"
    assert monitor(running).dropped == 1


async def test_the_polling_monitor_sees_progress(running: Running) -> None:
    api, user = running.api, 2400
    api.add_user(user, language_code="en")
    await running.reply_to(user, "/help")
    status: dict[str, Any] = monitor(running).status()
    assert isinstance(status["polled_at"], float)
    assert time.time() - status["polled_at"] < 5


async def test_dice_and_polls_are_answered_over_http(running: Running) -> None:
    api, user = running.api, 2500
    api.add_user(user, language_code="en")
    api.send_dice(user)
    api.send_poll(user)
    replies = await api.wait_for_messages(user, 2, timeout=10)
    assert [reply.text for reply in replies] == [t("game_reply", "en")] * 2


# --- the bot as it is run (`python -m bot run`, run_polling), in its own process -----------------


def test_the_running_bot_under_5xx_and_an_unparseable_update(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        api.fail_share(0.3, 502, seed=5)  # every call but getUpdates, start-up included
        with bot_process(tmp_path, api) as process:
            users = range(3000, 3010)
            for user in users:
                api.add_user(user, language_code="en")
            for user in users:  # ten users asking at once
                api.send_text(user, QUESTION)
            for user in users:
                api.wait_for_sync(partial(api.messages_to, user), 90, f"an answer to {user}")
                assert PLACE in api.messages_to(user)[0].text
            assert process.poll() is None
            victim, other = 3100, 3101
            for user in (victim, other):
                api.add_user(user, language_code="en")
            polls_before, started = api.polls, time.monotonic()
            api.send_unparseable_poll(victim)
            api.send_text(other, QUESTION)
            api.wait_for_sync(lambda: api.messages_to(other), 20, "an answer after the bad update")
            assert time.monotonic() - started < 20
            time.sleep(max(0.0, 20 - (time.monotonic() - started)) / 4)  # storms show fast
            assert api.polls - polls_before < 100
            assert api.pending_updates == 0
    log = (tmp_path / "bot.log").read_text(encoding="utf-8")
    assert log.count("cannot be parsed") == 1


def test_the_client_waits_long_enough_for_a_slow_bot_api(tmp_path: Path) -> None:
    with FakeBotApi() as api:
        app = build_application(settings_for(tmp_path, api))
    assert app.bot.request.read_timeout == REQUEST_READ_TIMEOUT > 5.0


async def test_the_heartbeat_records_how_polling_goes(running: Running, tmp_path: Path) -> None:
    api, user = running.api, 2600
    api.add_user(user, language_code="en")
    await running.reply_to(user, "/help")
    monitor(running).error()  # say, a handler crashed once
    await heartbeat(CallbackContext(running.app))
    status = heartbeat_status(running.services.settings.data_dir)
    assert isinstance(status["polled_at"], float)
    assert status["errors"] == 1
    assert is_healthy(running.services.settings.data_dir)


async def test_a_failed_warm_up_does_not_keep_the_bot_from_answering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: Assistant) -> float:
        raise OSError("wordfreq data missing")

    monkeypatch.setattr(Assistant, "warm_up", broken)
    shutil.copytree(REPO / "knowledge", tmp_path / "knowledge")
    with FakeBotApi() as api:
        app = build_application(settings_for(tmp_path, api))  # the assistant loaded by post_init
        async with polling(app):
            running = Running(api, app)
            api.add_user(2700, language_code="en")
            question, expected = QUESTIONS["en"]
            reply = await running.reply_to(2700, question)
    assert expected in reply
    assert "warming the assistant up failed" in caplog.text
