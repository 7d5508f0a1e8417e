"""An attendee's own sessions through `Application.process_update` (offline): the agenda's
.ics and reminders, the lead time, /next, and the rating offered after a session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from telegram.ext import CallbackContext

from bot.clock import frozen_at
from bot.i18n import t
from bot.storage.store import parse_iso
from bot.telegram.attendance import offer_ratings
from bot.telegram.render import Action, callback_data, short_ref
from tests.fake_botapi.rules import parse_html
from tests.offline_bot import DAY1, USER, Bot, at, fetch_one, offline_bot


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """The application on the stand-in assistant, driven offline."""
    async with offline_bot(tmp_path) as running:
        yield running
        assert running.errors == []


async def save(bot: Bot, *session_ids: str) -> None:
    await bot.text("/start")
    for session_id in session_ids:
        await bot.press(callback_data(Action.SAVE, short_ref(session_id)))


async def test_the_whole_agenda_as_one_ics(bot: Bot) -> None:
    await save(bot, "d1-0", "d2-gov")
    await bot.text("/agenda")
    await bot.press(bot.api.callback_data(t("btn_agenda_ics", "fr")))
    assert len(bot.api.calls_to("sendDocument")) == 1
    [(filename, content)] = bot.api.uploads
    assert filename == "agenda.ics"
    calendar = Calendar.from_ical(content)
    titles = sorted(str(event["summary"]) for event in calendar.walk("VEVENT"))
    assert titles == ["Gouvernance mondiale de l'IA", "Session 0 <IA & société>"]


async def test_remind_me_of_all_and_how_early(bot: Bot) -> None:
    await bot.text("/start")
    for session_id in ("d1-0", "d2-gov"):  # saved without reminders (say, before a restart)
        await bot.services.store.db.execute(
            "INSERT INTO saved_sessions VALUES (?, ?, '2025-01-01T00:00:00+00:00')",
            (USER, session_id),
        )
    await bot.services.store.db.commit()
    await bot.text("/agenda")
    await bot.press(bot.api.callback_data(t("btn_remind_all", "fr")))
    answer = bot.api.calls_to("answerCallbackQuery")[-1].params["text"]
    assert answer == t("remind_all_done", "fr", count=2, minutes=15)
    await bot.press(callback_data(Action.LEAD, 60))
    assert await fetch_one(bot, "SELECT reminder_minutes FROM users WHERE user_id = ?", USER) == (
        60,
    )
    async with bot.services.store.db.execute(
        "SELECT session_start, remind_at FROM reminders WHERE cancelled_at IS NULL"
    ) as cursor:
        rows = list(await cursor.fetchall())
    assert len(rows) == 2
    for start, remind_at in rows:
        assert parse_iso(start) - parse_iso(remind_at) == timedelta(minutes=60)
    await bot.press(callback_data(Action.REMIND, short_ref("d1-4")))  # a new one: 60 min too
    answer = bot.api.calls_to("answerCallbackQuery")[-1].params["text"]
    assert "60 min" in answer


async def test_next_is_my_next_saved_session_else_the_programmes(bot: Bot) -> None:
    await bot.text("/start")
    with frozen_at(at(DAY1, 9, 40)):
        await bot.text("/next")
        assert t("next_title", "fr") in parse_html(bot.replies()[-1])  # nothing saved
        await save(bot, "d1-6")
        await bot.text("/next")
    mine = parse_html(bot.replies()[-1])
    assert t("next_mine_title", "fr") in mine
    assert "Session 6" in mine
    assert "Session 2" not in mine
    with frozen_at(at(DAY1, 18)):  # my saved session is over: the programme's, and it says so
        await bot.text("/next")
    assert bot.replies()[-2] == t("next_programme_note", "fr")


async def test_a_rating_is_offered_once_after_a_saved_session_and_stored(bot: Bot) -> None:
    await save(bot, "d1-0")
    context = CallbackContext(bot.app)
    with frozen_at(at(DAY1, 9, 10)):  # not over yet
        await offer_ratings(context)
    assert not any("1 à 5" in text for text in bot.replies())
    with frozen_at(at(DAY1, 10)):
        await offer_ratings(context)
        await offer_ratings(context)  # never twice
    offers = [text for text in bot.replies() if "1 à 5" in text]
    assert offers == [t("rate_offer", "fr", title="Session 0 <IA & société>")]
    await bot.press(callback_data(Action.RATE, short_ref("d1-0"), 4))
    assert await fetch_one(bot, "SELECT stars FROM session_ratings") == (4,)
    row = await fetch_one(bot, "SELECT message_id FROM session_ratings")
    assert row is not None
    offer = bot.updates.message_json(USER, text="…")
    offer.update(message_id=row[0], **{"from": {"id": 1, "is_bot": True, "first_name": "Bot"}})
    asked = len(bot.assistant.questions)
    await bot.text("Très clair, merci", reply_to_message=offer)
    assert await fetch_one(bot, "SELECT comment FROM session_ratings") == ("Très clair, merci",)
    assert bot.replies()[-1] == t("rate_comment_thanks", "fr")
    assert len(bot.assistant.questions) == asked  # a comment is not a question
    await bot.text("Quand ?")  # and the next message is a question again
    assert len(bot.assistant.questions) == asked + 1
