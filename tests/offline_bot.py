"""A bot driven offline through `process_update`: stand-in assistant, sample programme.

The application is the real one (`build_application`: every handler, real SQLite storage,
reminders); only the Bot API (`RecordingRequest`) and the assistant are stand-ins here. The
real assistant and HTTP are exercised by `test_telegram_e2e.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from telegram.ext import Application

from bot.app.composition import build_application
from bot.app.services import Services
from bot.app.settings import Settings
from bot.clock import utc_now
from bot.domain import (
    Answer,
    EventInfo,
    Hit,
    KnowledgeBase,
    Passage,
    PassageKind,
    Session,
    Vertical,
)
from bot.i18n import t
from bot.knowledge.folder import Scan
from bot.knowledge.watcher import ReloadReport
from bot.search.followups import Conversation, follow_up_kind
from bot.search.hindsight import in_hindsight
from bot.search.programme import Programme
from bot.search.programme_answer import answer_query, follow_up_answer
from bot.search.programme_query import understand
from tests.telegram_helpers import (
    TOKEN,
    OfflineRequest,
    RecordingRequest,
    Updates,
    collect_errors,
    started,
)

ZONE = ZoneInfo("Africa/Casablanca")
DAY1 = (datetime.now(UTC) + timedelta(days=30)).date()  # in the future: reminders can be set
DAY2 = DAY1 + timedelta(days=1)
USER = 501


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware local time on an event day."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def sample_knowledge() -> KnowledgeBase:
    """Two days, two verticals, ten sessions on day 1 (two pages), one on day 2."""
    sessions = {
        f"d1-{n}": Session(
            id=f"d1-{n}",
            title=f"Session {n} <IA & société>",
            start=at(DAY1, 9 + n // 2, 0 if n % 2 == 0 else 30),
            end=at(DAY1, 9 + n // 2, 29 if n % 2 == 0 else 59),
            room=f"Salle {n % 3}",
            vertical_id="sante" if n % 2 else "education",
            speakers=("Dr Ada",),
            description="Un échange sur l'IA.",
            illustrative=True,
        )
        for n in range(10)
    }
    sessions["d1-overlap"] = Session(
        id="d1-overlap", title="Atelier parallèle", start=at(DAY1, 9, 15), end=at(DAY1, 10)
    )
    sessions["d2-gov"] = Session(
        id="d2-gov", title="Gouvernance mondiale de l'IA", start=at(DAY2, 10), end=at(DAY2, 12)
    )
    verticals = {
        "sante": Vertical("sante", {"fr": "Santé", "en": "Health", "ar": "الصحة"}),
        "education": Vertical("education", {"fr": "Éducation", "en": "Education"}),
    }
    event = EventInfo(
        name="Assises de l'IA",
        start_date=DAY1,
        end_date=DAY2,
        timezone="Africa/Casablanca",
        city="Rabat",
        names={"en": "National AI Conference"},
    )
    passages = [
        Passage("event", "Les Assises ont lieu à Rabat.", "programme.yaml", 1, PassageKind.EVENT),
        Passage(
            "s", "Session 1 <IA & société>", "programme.yaml#d1-1", 9, PassageKind.SESSION,
            session_id="d1-1",
        ),
    ]  # fmt: skip
    return KnowledgeBase(passages=passages, sessions=sessions, verticals=verticals, event=event)


class StandInAssistant:
    """The assistant's interface with scripted answers (the real one is in the e2e tests)."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        self.questions: list[str] = []
        self.fail = False
        self.delay = 0.0  # seconds each answer takes (a busy index)
        self.reloads = 0

    async def answer_async(
        self, question: str, top_k: int = 3, language: str | None = None
    ) -> Answer:
        answer = await self._scripted(question)
        # As the real assistant does: the past-tense note as of the one clock.
        return in_hindsight(answer, self.knowledge, utc_now(), ZONE)

    async def _scripted(self, question: str) -> Answer:
        self.questions.append(question)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("index unavailable")
        if "séances" in question:  # a programme question: answered over the sample sessions
            programme = Programme.of(self.knowledge)
            query = understand(question, "fr", programme, utc_now()) if programme else None
            answer = answer_query(query, programme, utc_now()) if query and programme else None
            if answer is not None:
                return answer
        lang = "en" if "when" in question.lower() else "fr"
        if "session" in question.lower():
            hit = Hit(self.knowledge.passages[1], 1.0)
            return Answer(question, lang, True, "Session 1 <IA & société>, salle 1.", (hit,), 1.0)
        if "quand" in question.lower() or "when" in question.lower():
            hit = Hit(self.knowledge.passages[0], 0.9)
            text = "Les Assises\nElles ont lieu à Rabat <b>bientôt</b>."
            return Answer(question, lang, True, text, (hit,), 0.9)
        return Answer(question, lang, False, t("abstain", lang), (), 0.1)

    async def answer_in_async(
        self,
        question: str,
        conversation: Conversation,
        top_k: int = 3,
        language: str | None = None,
    ) -> Answer:
        shown = conversation.current(self.knowledge, utc_now())
        kind = follow_up_kind(question) if shown else ""
        programme = Programme.of(self.knowledge)
        if kind and programme is not None:  # the real assistant's follow-up path
            answer = follow_up_answer(question, kind, shown, programme, "fr")
        else:
            answer = await self.answer_async(question, top_k, language)
        conversation.remember(answer, self.knowledge, utc_now())
        return answer

    def search_sessions(self, query: str, limit: int = 10) -> list[Session]:
        words = query.lower().split()
        found = [
            s for s in self.knowledge.sessions.values() if all(w in s.title.lower() for w in words)
        ]
        return sorted(found, key=lambda s: s.start)[:limit]

    def changed_scan(self) -> Scan | None:
        return None  # the stand-in's knowledge never changes on disk

    def reload(self, scan: Scan | None = None) -> ReloadReport:
        self.reloads += 1
        return ReloadReport(False, [], self.knowledge, self.knowledge)


@dataclass
class Bot:
    """An application driven by hand, with what it sent and the errors it raised."""

    app: Application[Any, Any, Any, Any, Any, Any]
    api: RecordingRequest
    errors: list[BaseException]
    updates: Updates
    assistant: StandInAssistant

    @property
    def services(self) -> Services:
        services = self.app.bot_data["services"]
        assert isinstance(services, Services)
        return services

    async def send(self, update: Any) -> None:
        await self.app.process_update(update)

    async def text(
        self, text: str, user: int = USER, language: str | None = "fr", **kw: Any
    ) -> None:
        await self.send(self.updates.text(user, text, language, **kw))

    async def press(self, data: str, user: int = USER, language: str | None = "fr") -> None:
        await self.send(self.updates.press(user, data, language))

    def replies(self) -> list[str]:
        return self.api.sent_texts()


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    (tmp_path / "knowledge").mkdir(exist_ok=True)
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=SecretStr(TOKEN),
        knowledge_dir=tmp_path / "knowledge",
        data_dir=tmp_path / "data",
        embedding_model="test-hashing",
        **overrides,
    )


@asynccontextmanager
async def offline_bot(tmp_path: Path) -> AsyncIterator[Bot]:
    """The real application (every handler, real storage) on the stand-in assistant."""
    assistant = StandInAssistant(sample_knowledge())
    api = RecordingRequest()
    app = build_application(
        make_settings(tmp_path),
        assistant,
        request=api,
        get_updates_request=OfflineRequest(),
    )
    errors = collect_errors(app)
    async with started(app):
        yield Bot(app, api, errors, Updates(app.bot), assistant)


async def fetch_one(bot: Bot, sql: str, *args: Any) -> tuple[Any, ...]:
    """The first row the query returns (the test fails when there is none)."""
    async with bot.services.store.db.execute(sql, args) as cursor:
        row = await cursor.fetchone()
    assert row is not None, f"no row for {sql}"
    return tuple(row)
