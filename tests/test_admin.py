"""Admin commands and /follow through the real application, offline (`process_update`)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from telegram.ext import Application

from bot.app.composition import build_application
from bot.app.settings import Settings
from bot.domain import Answer, KnowledgeBase, KnowledgeError, Session, Vertical
from bot.i18n import t
from bot.knowledge.folder import Scan
from bot.knowledge.watcher import ReloadReport
from bot.search.followups import Conversation
from bot.storage.ratings import rate
from bot.storage.store import iso
from bot.telegram.services import Services, services_of
from tests.telegram_helpers import (
    TOKEN,
    OfflineRequest,
    RecordingRequest,
    Updates,
    collect_errors,
    started,
)

ADMIN = 900
ZONE_START = datetime(2030, 7, 1, 9, tzinfo=UTC)


def knowledge() -> KnowledgeBase:
    """Two verticals and one session: enough for audiences and /follow."""
    session = Session(
        "s1", "Ouverture", ZONE_START, ZONE_START + timedelta(hours=1), "Salle A", "sante"
    )
    verticals = {
        "sante": Vertical("sante", {"fr": "Santé", "en": "Health", "ar": "الصحة"}),
        "education": Vertical("education", {"fr": "Éducation", "en": "Education"}),
    }
    return KnowledgeBase(sessions={"s1": session}, verticals=verticals)


class StandIn:
    """The assistant's interface: no answers needed here, a scripted reload."""

    def __init__(self) -> None:
        self.knowledge = knowledge()
        self.reload_errors: list[KnowledgeError] = []
        self.reloads = 0

    async def answer_async(
        self, question: str, top_k: int = 3, language: str | None = None
    ) -> Answer:
        return Answer(question, language or "fr", False, t("abstain", "fr"))

    async def answer_in_async(
        self,
        question: str,
        conversation: Conversation,
        top_k: int = 3,
        language: str | None = None,
    ) -> Answer:
        return await self.answer_async(question, top_k, language)

    def search_sessions(self, query: str, limit: int = 10) -> list[Session]:
        return []

    def changed_scan(self) -> Scan | None:
        return None

    def reload(self, scan: Scan | None = None) -> ReloadReport:
        self.reloads += 1
        current = knowledge()
        current.errors = list(self.reload_errors)
        return ReloadReport(True, list(self.reload_errors), self.knowledge, current, 2)


@dataclass
class Bot:
    app: Application[Any, Any, Any, Any, Any, Any]
    api: RecordingRequest
    errors: list[BaseException]
    updates: Updates
    assistant: StandIn

    @property
    def services(self) -> Services:
        return services_of(self.app)

    async def text(self, user: int, text: str, language: str = "fr", **fields: Any) -> None:
        await self.app.process_update(self.updates.text(user, text, language, **fields))

    async def press(self, user: int, data: str, language: str = "fr") -> None:
        await self.app.process_update(self.updates.press(user, data, language))

    async def one(self, sql: str, *args: Any) -> Any:
        async with self.services.store.db.execute(sql, args) as cursor:
            row = await cursor.fetchone()
        return None if row is None else row[0]


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """The whole application on a stand-in assistant, with one admin."""
    (tmp_path / "knowledge").mkdir()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr(TOKEN),
        knowledge_dir=tmp_path / "knowledge",
        data_dir=tmp_path / "data",
        admin_ids=frozenset({ADMIN}),
        knowledge_poll_seconds=60,
    )
    assistant = StandIn()
    api = RecordingRequest()
    app = build_application(
        settings,
        assistant,
        request=api,
        get_updates_request=OfflineRequest(),
    )
    errors = collect_errors(app)
    async with started(app):
        yield Bot(app, api, errors, Updates(app.bot), assistant)


async def eventually(predicate: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not await predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", ["/broadcast Hello everyone", "/reload", "/stats", "/unanswered"]
)
async def test_anyone_else_is_refused_logged_and_nothing_happens(
    bot: Bot, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.text(1, "/start")
    with caplog.at_level(logging.WARNING, logger="bot.telegram.admin"):
        await bot.text(1, command)
    assert bot.api.sent_texts(1)[-1] == t("admin_only", "fr")
    assert await bot.one("SELECT COUNT(*) FROM broadcasts") == 0
    assert bot.assistant.reloads == 0
    assert any("refused for user 1" in record.getMessage() for record in caplog.records)
    assert bot.errors == []


async def test_a_non_admin_cannot_confirm_an_admins_draft(bot: Bot) -> None:
    await bot.text(ADMIN, "/broadcast Hello")
    data = bot.api.callback_data("✅")
    await bot.press(1, data)
    [answer] = bot.api.calls_to("answerCallbackQuery")
    assert answer.params["text"] == t("admin_only", "fr")
    assert await bot.one("SELECT status FROM broadcasts") == "draft"
    assert bot.errors == []


# --- /broadcast -----------------------------------------------------------------------------------


async def test_preview_then_confirm_queues_and_delivers_to_subscribers(bot: Bot) -> None:
    for user in (1, 2, 3):
        await bot.text(user, "/start")
    await bot.text(ADMIN, "/help")  # known, not subscribed
    await bot.text(ADMIN, "/broadcast Le plénier passe à <15h>\nSalle B")
    preview = bot.api.sent_texts(ADMIN)[-1]
    assert "3 abonnés" in preview
    assert "Le plénier passe à &lt;15h&gt;\nSalle B" in preview
    go, cancel = bot.api.callback_data("✅"), bot.api.callback_data("✖")
    assert max(len(go.encode()), len(cancel.encode())) <= 64
    assert await bot.one("SELECT COUNT(*) FROM broadcast_deliveries") == 0  # not before confirm
    await bot.press(ADMIN, go)
    assert await bot.one("SELECT COUNT(*) FROM broadcast_deliveries") == 3
    edited = bot.api.calls_to("editMessageText")[-1].params["text"]
    assert edited == t("broadcast_queued", "fr", id=1, count=3)
    await bot.press(ADMIN, go)  # a second press queues nothing more
    assert bot.api.calls_to("answerCallbackQuery")[-1].params["text"] == t(
        "broadcast_already", "fr"
    )
    assert await bot.one("SELECT COUNT(*) FROM broadcast_deliveries") == 3

    async def delivered() -> bool:
        return await bot.one("SELECT status FROM broadcasts") == "done"

    await eventually(delivered)
    for user in (1, 2, 3):
        assert bot.api.sent_texts(user)[-1] == "Le plénier passe à &lt;15h&gt;\nSalle B"
    assert any("terminée" in text for text in bot.api.sent_texts(ADMIN))  # the final report
    assert bot.errors == []


async def test_audience_options_reply_to_a_message_and_cancel(bot: Bot) -> None:
    await bot.text(1, "/start", "en")
    await bot.text(2, "/start", "fr")
    await bot.text(ADMIN, "/broadcast vertical=nowhere Hi")
    assert "nowhere" in bot.api.sent_texts(ADMIN)[-1]
    assert "sante" in bot.api.sent_texts(ADMIN)[-1]
    replied = bot.updates.message_json(ADMIN, text="Hello all, the venue opens at 8")
    await bot.text(ADMIN, "/broadcast lang=en", reply_to_message=replied)
    assert "1 abonné, langue en" in bot.api.sent_texts(ADMIN)[-1]
    async with bot.services.store.db.execute(
        "SELECT text, audience_language, status FROM broadcasts"
    ) as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [
            ("Hello all, the venue opens at 8", "en", "draft")
        ]
    await bot.press(ADMIN, bot.api.callback_data("✖"))
    assert await bot.one("SELECT status FROM broadcasts") == "cancelled"
    assert bot.api.calls_to("editMessageText")[-1].params["text"] == t("broadcast_cancelled", "fr")
    await bot.text(ADMIN, "/broadcast")
    assert bot.api.sent_texts(ADMIN)[-1] == t("broadcast_usage", "fr")
    assert bot.errors == []


# --- /reload, /stats, /unanswered ----------------------------------------------------------------


async def test_reload_reports_broken_files_and_admins_hear_once(bot: Bot) -> None:
    await bot.text(ADMIN, "/help")
    bot.assistant.reload_errors = [KnowledgeError("programme.yaml", 12, "end before start")]
    await bot.text(ADMIN, "/reload")
    assert bot.assistant.reloads == 1
    texts = bot.api.sent_texts(ADMIN)
    assert "programme.yaml:12: end before start" in texts[-1]
    alerts = [text for text in texts if text.startswith("⚠️")]
    await bot.text(ADMIN, "/reload")  # same errors: the reply, no second alert
    assert bot.assistant.reloads == 2
    assert [text for text in bot.api.sent_texts(ADMIN) if text.startswith("⚠️")] == alerts
    bot.assistant.reload_errors = []
    await bot.text(ADMIN, "/reload")
    assert t("knowledge_fixed", "fr") in bot.api.sent_texts(ADMIN)
    assert bot.errors == []


async def test_stats_and_unanswered_questions_grouped(bot: Bot) -> None:
    await bot.text(1, "/start")
    await bot.text(ADMIN, "/help")
    now = iso(datetime.now(UTC))
    questions = [
        ("Où se garer près du lieu ?", 0),
        ("Où se garer près du lieu ?", 0),
        ("où se garer près du lieu", 0),
        ("Où peut-on se garer près de la salle ?", 0),
        ("Quel est le wifi ?", 0),
        ("Quand commence l'événement ?", 1),
    ]
    async with bot.services.store.transaction() as db:
        for text, answered in questions:
            await db.execute(
                "INSERT INTO question_log (user_id, text, language, answered, top_score,"
                " created_at) VALUES (1, ?, 'fr', ?, 0.1, ?)",
                (text, answered, now),
            )
        await db.execute(
            "INSERT INTO feedback (user_id, question_id, value, created_at) VALUES (1, 6, 1, ?)",
            (now,),
        )
    await bot.text(ADMIN, "/stats")
    stats = bot.api.sent_texts(ADMIN)[-1]
    assert "Utilisateurs : 2 (1 abonnés" in stats
    assert "Actifs aujourd'hui : 2" in stats
    assert "Questions : 6, dont 1 avec réponse (17%)" in stats
    assert "👍 1 · 👎 0" in stats
    assert t("stats_ratings", "fr", count=0, mean="0.0") in stats
    await rate(bot.services.store, 1, 1, "s1", 5)
    await rate(bot.services.store, ADMIN, ADMIN, "s1", 2)
    await bot.text(ADMIN, "/stats")
    assert t("stats_ratings", "fr", count=2, mean="3.5") in bot.api.sent_texts(ADMIN)[-1]
    await bot.text(ADMIN, "/unanswered")
    listing = bot.api.sent_texts(ADMIN)[-1].splitlines()
    assert listing[1] == "1. Où se garer près du lieu ? <b>×4</b>"  # grouped, most asked wording
    assert "Où peut-on se garer près de la salle ?" in listing[2]  # shown as another wording
    assert listing[-3] == "2. Quel est le wifi ? <b>×1</b>"
    assert "✍️ 2" in [b["text"] for row in bot.api.last_markup()["inline_keyboard"] for b in row]
    assert bot.errors == []


# --- menus ----------------------------------------------------------------------------------------


async def test_admin_commands_appear_only_in_admins_menus(bot: Bot) -> None:
    await bot.text(1, "/help")
    await bot.text(ADMIN, "/help")
    calls = bot.api.calls_to("setMyCommands")
    admin_scoped = [c for c in calls if c.params.get("scope", {}).get("chat_id") == ADMIN]
    assert {c.params.get("language_code") for c in admin_scoped} == {None, "fr", "en", "ar"}
    for call in admin_scoped:
        names = [command["command"] for command in call.params["commands"]]
        assert {"broadcast", "reload", "stats", "unanswered", "start"} <= set(names)
    for call in calls:
        if call.params.get("scope", {}).get("chat_id") != ADMIN:
            assert "broadcast" not in {command["command"] for command in call.params["commands"]}
    await bot.text(ADMIN, "/help")  # once per run
    assert len(bot.api.calls_to("setMyCommands")) == len(calls)
    assert bot.errors == []


# --- /follow --------------------------------------------------------------------------------------


async def test_follow_with_buttons_and_by_id(bot: Bot) -> None:
    await bot.text(1, "/start")
    await bot.text(1, "/follow")
    data = bot.api.callback_data("Santé")
    assert data == "fo:+:sante"
    await bot.press(1, data)
    assert await bot.one("SELECT vertical_id FROM follows WHERE user_id = 1") == "sante"
    answer = bot.api.calls_to("answerCallbackQuery")[-1].params["text"]
    assert answer == t("follow_started", "fr", name="Santé")
    assert bot.api.callback_data("✓ Santé") == "fo:-:sante"
    await bot.text(1, "/unfollow sante")
    assert await bot.one("SELECT COUNT(*) FROM follows") == 0
    assert bot.api.sent_texts(1)[-1] == t("follow_stopped", "fr", name="Santé")
    await bot.text(1, "/unfollow")
    assert bot.api.sent_texts(1)[-1] == t("unfollow_nothing", "fr")
    await bot.text(1, "/follow Education")
    assert await bot.one("SELECT vertical_id FROM follows WHERE user_id = 1") == "education"
    assert bot.errors == []


async def test_follow_an_unknown_vertical_says_so_and_lists_the_verticals(bot: Bot) -> None:
    await bot.text(1, "/start")
    await bot.text(1, "/follow quantique")
    reply = bot.api.sent_texts(1)[-1]
    assert reply.startswith(t("follow_unknown", "fr", name="quantique"))
    assert "Santé" in reply
    assert "Éducation" in reply
    assert await bot.one("SELECT COUNT(*) FROM follows") == 0
    assert bot.errors == []


async def test_broadcast_accepts_a_verticals_name_as_follow_does(bot: Bot) -> None:
    await bot.text(1, "/start")
    await bot.text(1, "/follow sante")
    await bot.text(ADMIN, "/broadcast vertical=Santé La salle change")
    assert "Santé" in bot.api.sent_texts(ADMIN)[-1]
    assert await bot.one("SELECT audience_vertical FROM broadcasts") == "sante"
    await bot.text(ADMIN, '/broadcast vertical="éducation" Autre annonce')
    assert (
        await bot.one("SELECT audience_vertical FROM broadcasts ORDER BY id DESC LIMIT 1")
        == "education"
    )
    assert bot.errors == []
