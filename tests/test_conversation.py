"""The attendee conversation through `Application.process_update`, offline, errors collected."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import CommandHandler

from bot.i18n import t
from bot.telegram.render import Action, callback_data
from bot.telegram.users import FloodGate, Verdict
from tests.fake_botapi.rules import parse_html
from tests.offline_bot import USER, Bot, fetch_one, offline_bot


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """The application on the stand-in assistant, driven offline."""
    async with offline_bot(tmp_path) as running:
        yield running
        # Without a collecting error handler a crashing callback would only be logged.
        assert running.errors == []


async def test_menus_are_set_per_language_and_scope(bot: Bot) -> None:
    calls = bot.api.calls_to("setMyCommands")
    keys = {
        (str(c.params.get("scope", {}).get("type")), c.params.get("language_code")) for c in calls
    }
    for language in ("fr", "en", "ar", None):
        assert ("all_private_chats", language) in keys
        assert ("all_group_chats", language) in keys
    french = next(c for c in calls if c.params.get("language_code") == "fr")
    assert {"command": "programme", "description": "Le programme"} in french.params["commands"]


async def test_start_welcomes_subscribes_and_says_how_to_stop(bot: Bot) -> None:
    await bot.text("/start")
    [welcome] = bot.replies()
    assert "Bienvenue" in welcome
    assert "/stop" in welcome
    row = await fetch_one(
        bot, "SELECT subscribed, language, first_seen FROM users WHERE user_id = ?", USER
    )
    assert tuple(row[:2]) == (1, "fr")
    assert row[2]
    await bot.text("/stop")
    assert (await fetch_one(bot, "SELECT subscribed FROM users WHERE user_id = ?", USER))[0] == 0
    assert "/start" in bot.replies()[-1]
    assert bot.errors == []


@pytest.mark.parametrize(
    ("code", "expected"), [("ar", "مرحبا"), ("en-GB", "Welcome"), ("de", "Welcome")]
)
async def test_welcome_follows_telegram_language(bot: Bot, code: str, expected: str) -> None:
    await bot.text("/start", language=code)
    assert expected in bot.replies()[0]
    assert bot.errors == []


async def test_lang_choice_wins_over_telegram_language_even_after_restart(bot: Bot) -> None:
    await bot.text("/lang")
    assert {b["text"] for b in bot.api.last_markup()["inline_keyboard"][0]} == {
        "Français", "English", "العربية",
    }  # fmt: skip
    await bot.press(bot.api.callback_data("English"))
    assert "English" in bot.replies()[-1]
    chat_menu = bot.api.calls_to("setMyCommands")[-1].params
    assert chat_menu["scope"] == {"type": "chat", "chat_id": USER}
    bot.app.user_data[USER].clear()  # what a restart forgets; the database remembers
    await bot.text("/help", language="fr")
    assert "Just type your question" in bot.replies()[-1]
    assert bot.errors == []


async def test_slow_answer_shows_typing_before_the_reply(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The threshold shortened, so the test shows the behaviour without waiting a second.
    monkeypatch.setattr("bot.telegram.attendee.TYPING_AFTER_SECONDS", 0.1)
    bot.assistant.delay = 0.3
    await bot.text("Quand ont lieu les Assises ?")
    methods = [c.method for c in bot.api.calls if c.method in ("sendChatAction", "sendMessage")]
    assert methods == ["sendChatAction", "sendMessage"]
    assert bot.api.calls_to("sendChatAction")[0].params["action"] == "typing"


async def test_question_gets_cited_answer_and_feedback_is_stored(bot: Bot) -> None:
    await bot.text("Quand ont lieu les Assises ?")
    methods = [c.method for c in bot.api.calls if c.method in ("sendChatAction", "sendMessage")]
    assert methods == ["sendMessage"]  # a quick answer needs no "typing..."
    [reply] = bot.replies()
    assert "<b>Les Assises</b>" in reply
    assert "&lt;b&gt;bientôt&lt;/b&gt;" in reply
    assert "Sources" in parse_html(reply)
    assert "programme.yaml" in reply
    assert reply.count("Sources") == 1
    row = await fetch_one(bot, "SELECT id, text, language, answered, top_score FROM question_log")
    assert tuple(row)[1:] == ("Quand ont lieu les Assises ?", "fr", 1, 0.9)
    await bot.press(bot.api.callback_data("👍"))
    assert bot.api.calls_to("answerCallbackQuery")[-1].params["text"] == t("feedback_thanks", "fr")
    feedback = await fetch_one(
        bot, "SELECT question_id, value FROM feedback WHERE user_id = ?", USER
    )
    assert tuple(feedback) == (row[0], 1)
    assert bot.errors == []


async def test_feedback_on_someone_elses_question_is_not_stored(bot: Bot) -> None:
    await bot.text("Quand ?")
    data = bot.api.callback_data("👎")
    await bot.press(data, user=USER + 1)
    assert await fetch_one(bot, "SELECT COUNT(*) FROM feedback") == (0,)
    assert bot.errors == []


async def test_session_answer_offers_save_and_remind_which_schedule_a_reminder(bot: Bot) -> None:
    await bot.text("Une session sur la santé ?")
    await bot.press(bot.api.callback_data("⏰"))
    toast = bot.api.calls_to("answerCallbackQuery")[-1].params["text"]
    assert "min" in toast
    saved = await fetch_one(bot, "SELECT session_id FROM saved_sessions WHERE user_id = ?", USER)
    assert tuple(saved) == ("d1-1",)
    reminder = await fetch_one(
        bot, "SELECT session_id, sent_at FROM reminders WHERE user_id = ?", USER
    )
    assert tuple(reminder) == ("d1-1", None)
    assert bot.errors == []


async def test_abstention_says_so_offers_programme_and_is_logged(bot: Bot) -> None:
    await bot.text("Quelle est la recette du couscous ?")
    [reply] = bot.replies()
    assert t("abstain", "fr") in parse_html(reply)
    labels = {b["text"] for row in bot.api.last_markup()["inline_keyboard"] for b in row}
    assert {t("btn_programme", "fr"), t("btn_verticals", "fr")} <= labels
    assert await fetch_one(bot, "SELECT answered FROM question_log") == (0,)
    await bot.press(bot.api.callback_data(t("btn_verticals", "fr")))
    assert "Verticales" in bot.replies()[-1]
    assert bot.errors == []


async def test_a_5000_character_message_is_trimmed_not_an_error(bot: Bot) -> None:
    await bot.text("Quand " + "blabla " * 714)
    [reply] = bot.replies()
    assert "1000" in reply
    assert len(parse_html(reply)) <= 4096
    assert len(bot.assistant.questions[0]) <= 1000
    assert bot.errors == []


async def test_stickers_voice_and_edits_get_a_reply_unknown_commands_a_hint(bot: Bot) -> None:
    await bot.send(bot.updates.sticker(USER))
    await bot.send(bot.updates.voice(USER))
    await bot.send(bot.updates.edited(USER, "Quand ont lieu les Assises ?"))
    await bot.text("/nosuchcommand")
    sticker, voice, edited, unknown = bot.replies()
    assert sticker == t("sticker_reply", "fr")
    assert voice == t("media_reply", "fr")
    assert "Rabat" in edited
    assert "/help" in unknown
    assert bot.errors == []


async def test_admin_commands_registered_elsewhere_are_not_called_unknown(bot: Bot) -> None:
    async def admin_only(update: Any, context: Any) -> None:
        await update.effective_message.reply_text("admin")

    bot.app.add_handler(CommandHandler("secret", admin_only), group=5)
    await bot.text("/secret")
    assert bot.replies() == ["admin"]


async def test_in_groups_only_commands_and_mentions_are_answered(bot: Bot) -> None:
    group = -100123
    await bot.text("Quand ont lieu les Assises ?", chat_id=group)
    assert bot.replies() == []
    await bot.text("@assises_test_bot quand ont lieu les Assises ?", chat_id=group)
    assert "Rabat" in bot.replies()[-1]
    assert bot.assistant.questions[-1] == "quand ont lieu les Assises ?"
    await bot.text("/programme@assises_test_bot", chat_id=group)
    assert len(bot.replies()) == 2
    assert bot.errors == []


async def test_flood_control_warns_once_then_ignores(bot: Bot) -> None:
    for _ in range(25):
        await bot.text("bonjour")
    replies = bot.replies()
    assert len(bot.assistant.questions) == 20
    assert replies.count(t("flood", "fr")) == 1
    assert len(replies) == 21
    await bot.text("bonjour", user=USER + 7)  # someone else is not slowed down
    assert len(bot.assistant.questions) == 21
    assert bot.errors == []


async def test_flood_control_counts_messages_not_button_presses(bot: Bot) -> None:
    await bot.text("/programme")
    for _ in range(25):  # paging back and forth through the programme
        await bot.press(callback_data(Action.DAYS))
    assert t("flood", "fr") not in bot.replies()
    await bot.text("bonjour")
    assert bot.assistant.questions == ["bonjour"]
    for _ in range(200):  # a script hammering a button does meet a (looser) limit
        await bot.press(callback_data(Action.DAYS))
    answers = [c.params.get("text") for c in bot.api.calls_to("answerCallbackQuery")]
    assert answers.count(t("flood", "fr")) == 1
    assert bot.errors == []


async def test_a_failing_handler_apologises_and_the_bot_goes_on(bot: Bot) -> None:
    bot.assistant.fail = True
    await bot.text("Quand ?")
    assert [type(e) for e in bot.errors] == [RuntimeError]
    assert bot.replies() == [t("error_apology", "fr")]
    bot.assistant.fail = False
    bot.errors.clear()
    await bot.text("Quand ont lieu les Assises ?")
    assert "Rabat" in bot.replies()[-1]
    assert bot.errors == []


async def test_concurrent_questions_each_reach_their_own_user(bot: Bot) -> None:
    users = range(1000, 1040)
    await asyncio.gather(*(bot.text(f"Quand ? {u}", user=u) for u in users))
    for user in users:
        [reply] = bot.api.sent_texts(user)
        assert "Rabat" in reply
    assert bot.errors == []


async def test_inline_query_offers_session_cards(bot: Bot) -> None:
    await bot.send(bot.updates.inline(USER, "session"))
    [call] = bot.api.calls_to("answerInlineQuery")
    results = call.params["results"]
    assert 1 <= len(results) <= 10
    first = results[0]
    assert first["type"] == "article"
    assert first["title"].startswith("Session 0")
    assert "start=s_d1-0" in first["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert bot.errors == []


# --- programme ---------------------------------------------------------------------------------


def test_flood_gate_window_reopens_after_a_minute() -> None:
    gate = FloodGate(limit=3)
    verdicts = [gate.verdict(1, now=float(second)) for second in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert gate.verdict(1, now=61.0) is Verdict.ALLOW  # the first three left the window
    assert gate.verdict(2, now=5.0) is Verdict.ALLOW
    gate.forget_idle(now=500.0)
    assert gate.verdict(1, now=500.0) is Verdict.ALLOW
