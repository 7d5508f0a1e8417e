"""Closing the gap loop: an admin answers a group of unanswered questions from /unanswered."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.i18n import t
from bot.knowledge.faq_file import append_entry
from bot.knowledge.folder import load_folder
from tests.offline_bot import USER, Bot
from tests.test_organisers import ADMIN, organiser_bot, reply_to, until_sent

PARKING = ("Où se garer près du lieu ?", "Où se garer près du lieu svp ?", "Où se garer ?")
ANSWER = "Le parking P2, rue des Orangers, est gratuit pour les participants."


def buttons(bot: Bot) -> dict[str, str]:
    rows = bot.api.last_markup().get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row if "callback_data" in b}


async def asked(bot: Bot) -> None:
    """Three attendees ask about parking, one about the wifi; nothing answers them."""
    await bot.text("/start", user=ADMIN)
    for offset, question in enumerate(PARKING):
        await bot.text(question, user=USER + offset)
    await bot.text("Quel est le mot de passe du wifi ?", user=USER + 5)


def test_entries_are_appended_as_headings_and_read_back_as_passages(tmp_path: Path) -> None:
    append_entry(tmp_path, "fr", "Où se garer ?\n(en ville)", ANSWER)
    append_entry(tmp_path, "fr", "# Le wifi ?", "## Réseau « Assises »\n> mot de passe à l'accueil")
    text = (tmp_path / "faq.fr.md").read_text(encoding="utf-8")
    assert text.startswith("# Questions fréquentes\n")
    assert "## Où se garer ? (en ville)\n\nLe parking P2" in text
    assert "\\## Réseau" in text  # an answer cannot open a heading of its own
    knowledge = load_folder(tmp_path)
    assert knowledge.errors == []
    headings = {p.heading[-1] for p in knowledge.passages if p.source == "faq.fr.md"}
    assert headings == {"Où se garer ? (en ville)", "Le wifi ?"}
    assert [p.name for p in tmp_path.iterdir()] == ["faq.fr.md"]  # no temporary file left


async def test_an_admin_answers_a_group_and_every_asker_is_told(tmp_path: Path) -> None:
    async with organiser_bot(tmp_path) as bot:
        await asked(bot)
        await bot.text("/unanswered", user=ADMIN)
        listing = bot.replies()[-1]
        assert "1. Où se garer ? <b>×3</b>" in listing
        await bot.press(buttons(bot)["✍️ 1"], user=ADMIN)
        assert "Où se garer ?" in bot.replies()[-1]
        assert "faq.fr.md" in bot.replies()[-1]

        await bot.text(ANSWER, user=ADMIN)
        assert bot.replies()[-1] == t("faq_saved", "fr", file="faq.fr.md", count=3)
        assert bot.assistant.reloads == 1  # indexed at once, like /reload
        faq = (tmp_path / "knowledge" / "faq.fr.md").read_text(encoding="utf-8")
        assert f"## Où se garer ?\n\n{ANSWER}\n" in faq
        for offset in range(3):
            told = await until_sent(bot, USER + offset, "parking P2")
            assert "Où se garer ?" in told
        assert not [text for text in bot.api.sent_texts(USER + 5) if "parking P2" in text]

        # The group left /unanswered; the admin's next message is a question again.
        await bot.text("/unanswered", user=ADMIN)
        assert "garer" not in bot.replies()[-1]
        assert "wifi" in bot.replies()[-1]
        await bot.text("Quand a lieu la session ?", user=ADMIN)
        assert bot.assistant.questions[-1] == "Quand a lieu la session ?"


async def test_a_reply_to_the_prompt_answers_after_a_restart_and_cancel_stops(
    tmp_path: Path,
) -> None:
    async with organiser_bot(tmp_path) as bot:
        await asked(bot)
        await bot.text("/unanswered", user=ADMIN)
        await bot.press(buttons(bot)["✍️ 2"], user=ADMIN)  # the wifi
        cancel = buttons(bot)[t("faq_cancel_button", "fr")]
        await bot.press(cancel, user=ADMIN)
        await bot.text("Quand a lieu la session ?", user=ADMIN)  # no answer now: a question
        assert bot.assistant.questions[-1] == "Quand a lieu la session ?"
        await bot.text("/unanswered", user=ADMIN)
        await bot.press(buttons(bot)["✍️ 2"], user=ADMIN)
        prompt_id = await prompt_message(bot)
    async with organiser_bot(tmp_path) as bot:
        await bot.send(reply_to(bot, ADMIN, prompt_id, "Réseau Assises, mot de passe IA2025."))
        await until_sent(bot, USER + 5, "IA2025")
        faq = (tmp_path / "knowledge" / "faq.fr.md").read_text(encoding="utf-8")
        assert "## Quel est le mot de passe du wifi ?" in faq


async def prompt_message(bot: Bot) -> int:
    async with bot.services.store.db.execute(
        "SELECT prompt_message_id FROM faq_drafts WHERE status = 'waiting'"
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_only_admins_may_answer(tmp_path: Path) -> None:
    async with organiser_bot(tmp_path) as bot:
        await asked(bot)
        await bot.text("/unanswered", user=ADMIN)
        data = buttons(bot)["✍️ 1"]
        await bot.press(data, user=USER)
        assert bot.api.calls_to("answerCallbackQuery")[-1].params["text"] == t("admin_only", "fr")
        await bot.text(ANSWER, user=USER)
        await asyncio.sleep(0.3)
        assert not (tmp_path / "knowledge" / "faq.fr.md").exists()


async def test_a_reply_to_an_organiser_question_is_not_taken_for_the_waiting_answer(
    tmp_path: Path,
) -> None:
    async with organiser_bot(tmp_path) as bot:
        await asked(bot)
        await bot.press(bot.api.callback_data("organisateurs"), user=USER + 5)  # the wifi asker
        await bot.text("/unanswered", user=ADMIN)
        await bot.press(buttons(bot)["✍️ 1"], user=ADMIN)  # now waiting for a parking answer
        async with bot.services.store.db.execute(
            "SELECT message_id FROM organiser_forwards WHERE chat_id = ?", (ADMIN,)
        ) as cursor:
            [(forwarded,)] = await cursor.fetchall()
        await bot.send(reply_to(bot, ADMIN, forwarded, "Réseau Assises, code IA2025."))
        await until_sent(bot, USER + 5, "IA2025")
        assert not (tmp_path / "knowledge" / "faq.fr.md").exists()
        await bot.text(ANSWER, user=ADMIN)  # the next plain message is still the answer
        assert "parking P2" in (tmp_path / "knowledge" / "faq.fr.md").read_text(encoding="utf-8")
