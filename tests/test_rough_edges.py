"""The rough edges attendees hit, through `Application.process_update` (offline)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import frozen_at
from bot.i18n import t
from bot.telegram.render import Action, callback_data, short_ref
from tests.fake_botapi.rules import parse_html
from tests.offline_bot import DAY1, DAY2, USER, Bot, at, offline_bot


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """The application on the stand-in assistant, driven offline."""
    async with offline_bot(tmp_path) as running:
        yield running
        assert running.errors == []


def cancel(bot: Bot, session_id: str) -> None:
    sessions = bot.assistant.knowledge.sessions
    sessions[session_id] = replace(sessions[session_id], status="cancelled")


def last_answer(bot: Bot) -> str:
    return str(bot.api.calls_to("answerCallbackQuery")[-1].params.get("text"))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(DAY1, 12), "remind_ended"),  # d1-2 runs 10:00-10:29
        (at(DAY1, 10, 10), "remind_running"),
        (at(DAY1, 9, 55), "remind_too_late"),  # starts in 5 min, within the 15 min lead
    ],
)
async def test_the_reminder_button_says_why_there_is_no_reminder(
    bot: Bot, moment: object, expected: str
) -> None:
    with frozen_at(moment):  # type: ignore[arg-type]
        await bot.press(callback_data(Action.REMIND, short_ref("d1-2")))
    assert last_answer(bot) == t(expected, "fr")


async def test_the_reminder_button_on_a_cancelled_session_says_it_is_cancelled(bot: Bot) -> None:
    cancel(bot, "d2-gov")
    await bot.press(callback_data(Action.REMIND, short_ref("d2-gov")))
    assert last_answer(bot) == t("remind_cancelled", "fr")


async def test_help_lists_follow(bot: Bot) -> None:
    await bot.text("/help")
    assert "/follow" in bot.replies()[-1]


async def test_dice_and_polls_get_a_reply(bot: Bot) -> None:
    await bot.send(bot.updates._update(message=bot.updates.message_json(USER, dice=DICE)))
    assert bot.replies()[-1] == t("game_reply", "fr")
    await bot.send(bot.updates._update(message=bot.updates.message_json(USER, poll=POLL)))
    assert bot.replies()[-1] == t("game_reply", "fr")
    assert len(bot.replies()) == 2


async def test_today_strikes_cancelled_sessions_through(bot: Bot) -> None:
    cancel(bot, "d2-gov")
    with frozen_at(at(DAY2, 9)):
        await bot.text("/today")
    page = bot.replies()[-1]
    assert "<s>" in page
    assert "Gouvernance" in parse_html(page)
    assert t("agenda_cancelled", "fr") in parse_html(page)
    with frozen_at(at(DAY2, 9)):
        await bot.text("/next")  # what is coming leaves cancelled sessions out
    assert "Gouvernance" not in parse_html(bot.replies()[-1])


async def test_answers_about_a_past_event_or_session_use_the_past_tense(bot: Bot) -> None:
    with frozen_at(at(DAY1, 8)):
        await bot.text("quand ont lieu les Assises ?")
    assert "a eu lieu" not in parse_html(bot.replies()[-1])
    with frozen_at(at(DAY1, 12)):
        await bot.text("la session 1 ?")  # d1-1 ended at 09:59
    assert parse_html(bot.replies()[-1]).startswith(t("past_session", "fr", date="")[:20])
    with frozen_at(at(DAY2, 12) + timedelta(days=2)):
        await bot.text("quand ont eu lieu les Assises ?")
    assert "a eu lieu" in parse_html(bot.replies()[-1])
    assert "Événement terminé" in parse_html(bot.replies()[-1])


DICE = {"emoji": "🎲", "value": 3}
POLL = {
    "id": "p1",
    "question": "Café ou thé ?",
    "options": [
        {"text": "Café", "voter_count": 0, "persistent_id": "o1"},
        {"text": "Thé", "voter_count": 0, "persistent_id": "o2"},
    ],
    "total_voter_count": 0,
    "is_closed": False,
    "is_anonymous": True,
    "type": "regular",
    "allows_multiple_answers": False,
    "allows_revoting": False,
    "members_only": False,
}
