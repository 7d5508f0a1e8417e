"""End to end over real HTTP: the real client and application against the loopback Bot API.

The assistant is the real one (`test-hashing` embedder) on a copy of the shipped knowledge.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from telegram.ext import Application

from bot.app.composition import build_application, run_bot
from bot.app.settings import Settings
from bot.i18n import t
from bot.search.assistant import Assistant
from bot.telegram.services import SERVICES_KEY, Services
from tests.fake_botapi import FakeBotApi, polling

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

REPO = Path(__file__).resolve().parents[1]
ADMIN = 9000
QUESTIONS = {
    "fr": ("Quelles sont les dates et le lieu des Assises ?", "Rabat"),
    "en": ("What are the dates and the place of the National AI Conference?", "Rabat"),
    "ar": ("ما هو تاريخ ومكان المناظرة؟", "الرباط"),
}


def settings_for(root: Path, api: FakeBotApi | None = None) -> Settings:
    """Settings on `root`, pointed at the loopback server when given."""
    extra: dict[str, Any] = {}
    if api is not None:
        extra = {"telegram_bot_token": SecretStr(api.token), "telegram_api_url": api.base_url}
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        knowledge_dir=root / "knowledge",
        data_dir=root / "data",
        embedding_model="test-hashing",
        admin_ids=frozenset({ADMIN}),
        **extra,
    )


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The real assistant on a copy of the shipped knowledge (built once for the module)."""
    root = tmp_path_factory.mktemp("knowledge-copy")
    shutil.copytree(REPO / "knowledge", root / "knowledge")
    return Assistant.load(settings_for(root))


@dataclass
class Running:
    """The bot running against the loopback server."""

    api: FakeBotApi
    app: Application[Any, Any, Any, Any, Any, Any]

    @property
    def services(self) -> Services:
        services = self.app.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services

    async def reply_to(self, user: int, text: str | None = None) -> str:
        """Send a text (or, with None, a sticker) as `user`; return the bot's next message."""
        before = len(self.api.messages_to(user))
        if text is None:
            self.api.send_sticker(user)
        else:
            self.api.send_text(user, text)
        messages = await self.api.wait_for_messages(user, before + 1, timeout=10)
        return messages[before].text


@pytest.fixture
async def running(tmp_path: Path, assistant: Assistant) -> AsyncIterator[Running]:
    """The application built by `build_application`, polling the loopback server."""
    with FakeBotApi() as api:
        app = build_application(settings_for(tmp_path, api), assistant)
        errors: list[BaseException] = []

        async def collect(update: object, context: Any) -> None:
            errors.append(context.error)

        app.add_error_handler(collect)
        async with polling(app):
            yield Running(api, app)
        assert errors == []
        # Nothing the bot sent was refused: no 400 (nor any other 4xx the test did not cause).
        assert [call for call in api.calls if call.status >= 400 and not call.injected] == []


async def test_an_attendee_conversation(running: Running) -> None:
    api, user, bystander = running.api, 42, 43
    for person in (user, bystander):
        api.add_user(person, language_code="fr")
    welcome = await running.reply_to(bystander, "/start")
    assert "/stop" in welcome
    welcome = await running.reply_to(user, "/start")
    assert "Bienvenue" in welcome

    for language, (question, place) in QUESTIONS.items():
        answer = await running.reply_to(user, question)
        assert t("abstain", language) not in answer
        assert "2025" in answer
        assert place in answer
        assert t("sources", language) in answer

    assert await running.reply_to(user, None) == t("sticker_reply", "fr")
    long_reply = await running.reply_to(user, "Quand ont lieu les Assises ? " + "x" * 4870)
    assert "1000" in long_reply

    bystander_count = len(api.messages_to(bystander))
    refusal = await running.reply_to(user, "/broadcast Tout le monde dehors !")
    assert "Tout le monde dehors" not in refusal
    await asyncio.sleep(0.5)  # a queued broadcast would go out within the worker's poll
    assert len(api.messages_to(bystander)) == bystander_count
    async with running.services.store.db.execute("SELECT COUNT(*) FROM broadcasts") as cursor:
        assert tuple(await cursor.fetchone() or ()) == (0,)

    again = await running.reply_to(user, QUESTIONS["fr"][0])
    assert "Rabat" in again
    commands = api.commands
    assert any(language == "ar" for _, language in commands)


async def test_programme_buttons_calendar_file_and_inline_mode(running: Running) -> None:
    api, user = running.api, 77
    api.add_user(user, language_code="en")
    await running.reply_to(user, "/programme")
    days = api.messages_to(user)[-1]
    api.press_button(user, days.message_id, days.callback_data("1 July"))
    day = await api.wait_for(
        lambda: m if (m := api.messages_to(user)[-1]).edits else None, what="day page"
    )
    api.press_button(user, day.message_id, day.buttons[0]["callback_data"])
    card = await api.wait_for(lambda: m if (m := api.messages_to(user)[-1]).edits > 1 else None)
    assert "📅" in card.text
    api.press_button(user, card.message_id, card.callback_data(".ics"))
    [upload] = await api.wait_for(lambda: api.uploads, what="the .ics upload")
    assert upload.filename.endswith(".ics")
    assert b"BEGIN:VCALENDAR" in upload.content

    query = api.inline_query(user, "santé")
    answer = await api.wait_for(lambda: api.inline_answers.get(query["id"]), what="inline answer")
    assert answer["results"]


async def test_forty_users_asking_at_once_each_get_their_answers(running: Running) -> None:
    api = running.api
    users = range(1000, 1040)
    for user in users:
        api.add_user(user, language_code="en")
    for _ in range(5):
        for user in users:
            api.send_text(user, QUESTIONS["en"][0])
    for user in users:
        replies = await api.wait_for_messages(user, 5, timeout=60)
        assert all("Rabat" in reply.text for reply in replies)
    assert sum(api.delivered(user) for user in users) == 200


async def test_in_groups_only_mentions_and_commands_are_answered(running: Running) -> None:
    api, user, group = running.api, 55, -1001
    api.add_user(user, language_code="en")
    api.send_text(user, QUESTIONS["en"][0], chat_type="supergroup", chat_id=group)
    api.send_text(user, QUESTIONS["en"][0], chat_type="supergroup", chat_id=group, mention=True)
    [reply] = await api.wait_for_messages(group, 1)
    assert "Rabat" in reply.text
    api.send_command(user, "programme", chat_type="supergroup", chat_id=group, mention=True)
    await api.wait_for_messages(group, 2)
    await asyncio.sleep(0.2)  # had the first, unaddressed message been answered, it would show
    assert len(api.messages_to(group)) == 2


# --- the composition root ----------------------------------------------------------------------


def test_the_client_talks_to_the_configured_api_and_handles_updates_concurrently(
    tmp_path: Path,
) -> None:
    api_url = "http://127.0.0.1:9/bot"
    settings = settings_for(tmp_path).model_copy(
        update={"telegram_bot_token": SecretStr("1:abc"), "telegram_api_url": api_url}
    )
    app = build_application(settings)
    assert app.bot.base_url == f"{api_url}1:abc"
    assert app.bot.base_file_url == "http://127.0.0.1:9/file/bot1:abc"
    assert app.concurrent_updates > 1
    with pytest.raises(ValueError, match="TELEGRAM_BOT_TOKEN"):
        build_application(settings_for(tmp_path))


@pytest.mark.parametrize("webhook", [None, "https://bot.example.org/hook/abc"])
def test_run_bot_polls_or_listens_on_a_webhook_and_keeps_the_token_out_of_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, webhook: str | None
) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(Application, "run_polling", lambda self, **kw: calls.append(("poll", kw)))

    async def serve(app: Any, settings: Settings, path: str, *, address: str) -> None:
        calls.append(("hook", {"path": path, "settings": settings, "address": address}))

    monkeypatch.setattr("bot.app.composition.serve_webhook", serve)
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr("1:abc"),
        data_dir=tmp_path,
        webhook_url=webhook,
        webhook_secret=SecretStr("s3cret") if webhook else None,
        webhook_port=8444,
    )
    run_bot(settings)
    [(kind, kwargs)] = calls
    assert logging.getLogger("httpx").level == logging.WARNING
    if webhook is None:
        assert kind == "poll"
        return
    # One server (bot.app.webserver) takes the webhook at its path and serves the Mini App.
    assert kind == "hook"
    assert kwargs["path"] == "hook/abc"
    assert kwargs["settings"].webhook_port == 8444


async def test_an_unanswered_question_goes_to_the_organisers_and_their_reply_comes_back(
    running: Running,
) -> None:
    api, attendee = running.api, 61
    api.add_user(ADMIN, first_name="Admin", language_code="en")
    api.add_user(attendee, first_name="Leila", language_code="fr", username="leila_b")
    await running.reply_to(ADMIN, "/start")
    question = "Puis-je venir avec mon chien guide ?"
    reply = await running.reply_to(attendee, question)
    assert t("abstain", "fr") in reply
    offer = api.messages_to(attendee)[-1]
    api.press_button(attendee, offer.message_id, offer.callback_data("organisateurs"))

    copies = await api.wait_for(
        lambda: [m for m in api.messages_to(ADMIN) if question in m.text], what="the forward"
    )
    [copy] = copies
    assert "Leila (@leila_b, id 61)" in copy.text
    api.send_text(ADMIN, "Oui, les chiens guides sont les bienvenus.", reply_to=copy.message_id)
    relayed = await api.wait_for(
        lambda: [m for m in api.messages_to(attendee) if "chiens guides" in m.text],
        what="the organisers' reply",
    )
    assert "Réponse des organisateurs" in relayed[0].text
    assert question in relayed[0].text
    await api.wait_for(
        lambda: any(m.text == t("organisers_relayed", "en") for m in api.messages_to(ADMIN)),
        what="the organiser told it is on its way",
    )
