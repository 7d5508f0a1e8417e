"""Ask the organisers, offline through `process_update`: forward, reply, limits, restarts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.app.composition import build_application
from bot.i18n import t
from bot.knowledge.folder import Scan
from bot.knowledge.watcher import ReloadReport
from tests.offline_bot import USER, Bot, StandInAssistant, make_settings, sample_knowledge
from tests.telegram_helpers import (
    BOT_USER,
    ApiCall,
    OfflineRequest,
    RecordingRequest,
    Updates,
    collect_errors,
    started,
)

ADMIN = 9000
OTHER_ADMIN = 9001
GROUP = -100500
QUESTION = "Où puis-je garer mon vélo cargo ?"


class ReloadingAssistant(StandInAssistant):
    """The stand-in, with the watcher's side: reloads count and change nothing."""

    reloads = 0

    def changed_scan(self) -> Scan | None:
        return None

    def reload(self, scan: Scan | None = None) -> ReloadReport:
        self.reloads += 1
        return ReloadReport(False, [], self.knowledge, self.knowledge)


class UnstartedAdmins(RecordingRequest):
    """Telegram's answer to a bot writing to users who never started it: chat not found."""

    def __init__(self, unreachable: set[int]) -> None:
        super().__init__()
        self.unreachable = unreachable

    async def do_request(
        self, url: str, method: str, request_data: Any = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        params = request_data.parameters if request_data else {}
        if url.endswith("/sendMessage") and int(params.get("chat_id", 0)) in self.unreachable:
            self.calls.append(ApiCall("sendMessage", dict(params)))
            body = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            return 400, json.dumps(body).encode()
        return await super().do_request(url, method, request_data, *args, **kwargs)


@asynccontextmanager
async def organiser_bot(
    tmp_path: Path, api: RecordingRequest | None = None, **settings: Any
) -> AsyncIterator[Bot]:
    """The real application with two admins, on the stand-in assistant."""
    assistant = ReloadingAssistant(sample_knowledge())
    api = api or RecordingRequest()
    app = build_application(
        make_settings(tmp_path, admin_ids=frozenset({ADMIN, OTHER_ADMIN}), **settings),
        assistant,
        request=api,
        get_updates_request=OfflineRequest(),
    )
    errors = collect_errors(app)
    async with started(app):
        yield Bot(app, api, errors, Updates(app.bot), assistant)
    assert errors == []


def forwarded_to(bot: Bot, chat_id: int) -> list[str]:
    return [text for text in bot.api.sent_texts(chat_id) if "#" in text and QUESTION in text]


async def forwards(bot: Bot) -> list[tuple[int, int]]:
    async with bot.services.store.db.execute(
        "SELECT chat_id, message_id FROM organiser_forwards ORDER BY chat_id"
    ) as cursor:
        return [(int(row[0]), int(row[1])) for row in await cursor.fetchall()]


def reply_to(bot: Bot, chat_id: int, message_id: int, text: str) -> Any:
    """An organiser's Telegram reply to the bot's message `message_id` in `chat_id`."""
    replied = {
        "message_id": message_id,
        "date": 0,
        "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
        "from": BOT_USER,
        "text": "❓ …",
    }
    return bot.updates.text(ADMIN, text, "fr", chat_id=chat_id, reply_to_message=replied)


async def until_sent(bot: Bot, chat_id: int, needle: str) -> str:
    """The first text sent to `chat_id` containing `needle`, waiting (5 s) for the outbox."""
    for _ in range(100):
        for text in bot.api.sent_texts(chat_id):
            if needle in text:
                return text
        await asyncio.sleep(0.05)
    raise AssertionError(f"{needle!r} never sent to {chat_id}: {bot.api.sent_texts(chat_id)}")


async def ask_and_press(bot: Bot, question: str, user: int = USER) -> str:
    """Ask a question the knowledge cannot answer and press its organisers' button."""
    await bot.text(question, user=user)
    data = bot.api.callback_data("organisateurs")
    await bot.press(data, user=user)
    return data


async def test_the_unanswered_question_reaches_every_admin_and_the_reply_comes_back(
    tmp_path: Path,
) -> None:
    async with organiser_bot(tmp_path) as bot:
        for admin in (ADMIN, OTHER_ADMIN):
            await bot.text("/start", user=admin)
        await bot.send(bot.updates.text(USER, QUESTION, "fr"))
        assert t("abstain", "fr") in bot.replies()[-1]
        await bot.press(bot.api.callback_data("organisateurs"))

        for admin in (ADMIN, OTHER_ADMIN):
            [copy] = forwarded_to(bot, admin)
            assert f"User{USER}" in copy
            assert f"id {USER}" in copy
        assert bot.replies()[-1] == t("organisers_sent", "fr")

        [(chat_id, message_id), _] = await forwards(bot)
        await bot.send(reply_to(bot, chat_id, message_id, "Au parking vélo, niveau -1."))
        relayed = await until_sent(bot, USER, "niveau -1")
        assert "organisateurs" in relayed
        assert QUESTION in relayed
        assert bot.api.sent_texts(chat_id)[-1] == t("organisers_relayed", "fr")

        await bot.text("/stats", user=ADMIN)
        assert "Questions aux organisateurs : 1, dont 1 avec réponse" in bot.replies()[-1]


async def test_a_reply_to_another_bot_message_is_a_question_not_a_relay(tmp_path: Path) -> None:
    async with organiser_bot(tmp_path) as bot:
        await bot.send(reply_to(bot, ADMIN, 4242, "Quand a lieu la session ?"))
        assert bot.assistant.questions == ["Quand a lieu la session ?"]
        async with bot.services.store.db.execute("SELECT COUNT(*) FROM broadcasts") as cursor:
            assert tuple(await cursor.fetchone() or ()) == (0,)


async def test_the_button_is_offered_only_when_the_knowledge_has_no_answer(
    tmp_path: Path,
) -> None:
    async with organiser_bot(tmp_path) as bot:
        await bot.text("Quand ont lieu les Assises ?")
        labels = [b["text"] for row in bot.api.last_markup()["inline_keyboard"] for b in row]
        assert not any("organisateurs" in label for label in labels)
        await bot.text(QUESTION)
        labels = [b["text"] for row in bot.api.last_markup()["inline_keyboard"] for b in row]
        assert t("btn_ask_organisers", "fr") in labels


async def test_three_questions_an_hour_then_a_polite_no_and_never_twice(tmp_path: Path) -> None:
    async with organiser_bot(tmp_path) as bot:
        await bot.text("/start", user=ADMIN)
        for number in range(3):
            data = await ask_and_press(bot, f"{QUESTION} ({number})")
        await bot.press(data)  # the same question again
        assert bot.api.calls_to("answerCallbackQuery")[-1].params["text"] == t(
            "organisers_already", "fr"
        )
        await ask_and_press(bot, f"{QUESTION} (3)")
        refusal = bot.api.calls_to("answerCallbackQuery")[-1].params
        assert refusal["text"] == t("organisers_limit", "fr", limit=3)
        assert refusal["show_alert"] is True
        assert len(forwarded_to(bot, ADMIN)) == 3
        assert len(forwarded_to(bot, OTHER_ADMIN)) == 3  # never seen by the bot: tried anyway
        # A forged button, or someone else's question, forwards nothing.
        await bot.press(data, user=USER + 1)
        assert bot.api.calls_to("answerCallbackQuery")[-1].params["text"] == t(
            "organisers_gone", "fr"
        )
        assert len(forwarded_to(bot, ADMIN)) == 3


async def test_the_organisers_group_gets_the_question_when_set(tmp_path: Path) -> None:
    async with organiser_bot(tmp_path, organiser_chat_id=GROUP) as bot:
        await bot.text("/start", user=ADMIN)
        await ask_and_press(bot, QUESTION)
        assert forwarded_to(bot, ADMIN) == []
        [copy] = forwarded_to(bot, GROUP)
        assert "Question pour les organisateurs" in copy  # the event's language
        [(chat_id, message_id)] = await forwards(bot)
        assert chat_id == GROUP
        await bot.send(reply_to(bot, GROUP, message_id, "Demandez au guichet."))
        await until_sent(bot, USER, "Demandez au guichet.")


async def test_nothing_is_lost_across_a_restart(tmp_path: Path) -> None:
    async with organiser_bot(tmp_path, UnstartedAdmins({ADMIN, OTHER_ADMIN})) as bot:
        # No admin has started the bot yet: Telegram refuses, the question waits, and the
        # attendee is told so.
        await ask_and_press(bot, QUESTION)
        assert await forwards(bot) == []
        assert bot.replies()[-1] == t("organisers_queued", "fr")
        assert isinstance(bot.api, UnstartedAdmins)
        bot.api.unreachable.discard(ADMIN)  # they start the bot
        await bot.text("/start", user=ADMIN)
    async with organiser_bot(tmp_path, UnstartedAdmins({OTHER_ADMIN})) as bot:
        await bot.app.job_queue.start()  # type: ignore[union-attr]
        try:
            for _ in range(100):
                if await forwards(bot):
                    break
                await asyncio.sleep(0.05)
            [(chat_id, message_id)] = await forwards(bot)
        finally:
            await bot.app.job_queue.stop()  # type: ignore[union-attr]
        assert forwarded_to(bot, ADMIN)
    async with organiser_bot(tmp_path) as bot:
        await bot.send(reply_to(bot, chat_id, message_id, "Oui, au sous-sol."))
        await until_sent(bot, USER, "Oui, au sous-sol.")
