"""Browsing the programme through `Application.process_update`: days, cards, times, agenda."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import frozen_at
from bot.i18n import t
from bot.storage.reminders import all_pending
from tests.fake_botapi.rules import parse_html
from tests.offline_bot import DAY1, DAY2, USER, Bot, at, fetch_one, offline_bot


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """The application on the stand-in assistant, driven offline."""
    async with offline_bot(tmp_path) as running:
        yield running
        # Without a collecting error handler a crashing callback would only be logged.
        assert running.errors == []


async def test_a_deep_link_to_a_session_gone_from_the_programme_says_so(bot: Bot) -> None:
    await bot.text("/start s_nope")
    assert bot.replies()[-1] == t("session_unknown", "fr")


async def test_deep_link_opens_the_session_card(bot: Bot) -> None:
    await bot.text("/start s_d1-3")
    welcome, card = bot.replies()
    assert "Bienvenue" in welcome
    assert "Session 3 &lt;IA &amp; société&gt;" in card
    assert "Santé" in card
    labels = [b["text"] for row in bot.api.last_markup()["inline_keyboard"] for b in row]
    assert any("agenda" in label for label in labels)
    assert any(".ics" in label for label in labels)
    assert bot.errors == []


# --- questions ---------------------------------------------------------------------------------


async def test_programme_days_pages_card_ics_and_save_toggle(bot: Bot) -> None:
    await bot.text("/programme")
    await bot.press(bot.api.callback_data(str(DAY1.day)))
    first_page = bot.replies()[-1]
    assert "1/2" in parse_html(first_page)
    assert first_page.count("•") == 8
    await bot.press(bot.api.callback_data("▶"))
    assert bot.replies()[-1].count("•") == 3
    await bot.press(bot.api.callback_data("Session 9"))
    card = parse_html(bot.replies()[-1])
    assert "Session 9 <IA & société>" in card
    assert "Dr Ada" in card
    assert "illustratif" in card
    await bot.press(bot.api.callback_data(".ics"))
    [document] = bot.api.calls_to("sendDocument")
    assert document.params["chat_id"] == USER
    await bot.press(bot.api.callback_data("⭐"))
    labels = [b["text"] for row in bot.api.last_markup()["inline_keyboard"] for b in row]
    assert t("btn_unsave", "fr") in labels
    assert t("btn_back", "fr") in labels
    await bot.press(bot.api.callback_data(t("btn_unsave", "fr")))
    assert await fetch_one(bot, "SELECT COUNT(*) FROM saved_sessions") == (0,)
    assert await fetch_one(bot, "SELECT COUNT(*) FROM reminders WHERE cancelled_at IS NULL") == (0,)
    assert bot.errors == []


async def test_verticals_then_a_verticals_sessions(bot: Bot) -> None:
    await bot.text("/verticals")
    await bot.press(bot.api.callback_data("Santé"))
    page = parse_html(bot.replies()[-1])
    assert "Santé" in page
    assert "Session 1" in page
    assert "Session 2" not in page
    assert bot.errors == []


@pytest.mark.parametrize(
    ("moment", "command", "expected"),
    [
        (at(DAY1, 8) - timedelta(days=3), "/today", "commence dans 3 j"),
        (at(DAY1, 9, 40), "/now", "Session 1"),
        (at(DAY1, 9, 40), "/next", "Session 2"),
        (at(DAY2, 9), "/today", "Gouvernance"),
        (at(DAY2, 23), "/next", "terminé"),
    ],
)
async def test_today_now_next_in_event_time(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, moment: datetime, command: str, expected: str
) -> None:
    with frozen_at(moment):
        await bot.text(command)
    assert expected in parse_html(bot.replies()[-1])
    assert bot.errors == []


async def test_agenda_lists_saved_sessions_and_flags_clashes(bot: Bot) -> None:
    services = bot.services
    for session_id in ("d1-0", "d1-overlap"):
        await bot.press(f"sv:{session_id}")
    assert len(await all_pending(services.store)) == 2
    await bot.text("/agenda")
    agenda = parse_html(bot.replies()[-1])
    assert "Session 0" in agenda
    assert "Atelier parallèle" in agenda
    assert agenda.count("⚠️") == 2
    assert bot.errors == []
