"""The gap loop end to end over the loopback Bot API, with the real assistant re-indexing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app.composition import build_application
from bot.app.settings import Settings
from bot.i18n import t
from bot.search.assistant import Assistant
from tests.fake_botapi import FakeBotApi, polling

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

REPO = Path(__file__).resolve().parents[1]
ADMIN, ATTENDEE = 9100, 71
QUESTION = "Puis-je venir avec mon chien guide ?"
ANSWER = "Oui : les chiens guides sont les bienvenus dans toutes les salles des Assises."


async def test_an_admin_answer_becomes_knowledge_and_reaches_the_asker(tmp_path: Path) -> None:
    shutil.copytree(REPO / "knowledge", tmp_path / "knowledge")
    with FakeBotApi() as api:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=SecretStr(api.token),
            telegram_api_url=api.base_url,
            knowledge_dir=tmp_path / "knowledge",
            data_dir=tmp_path / "data",
            embedding_model="test-hashing",
            admin_ids=frozenset({ADMIN}),
        )
        assistant = Assistant.load(settings)
        app = build_application(settings, assistant)
        api.add_user(ADMIN, first_name="Admin", language_code="fr")
        api.add_user(ATTENDEE, first_name="Sami", language_code="fr")
        async with polling(app):
            api.send_text(ATTENDEE, QUESTION)
            [first] = await api.wait_for_messages(ATTENDEE, 1)
            assert t("abstain", "fr") in first.text

            api.send_command(ADMIN, "unanswered")
            [listing] = await api.wait_for_messages(ADMIN, 1)
            assert QUESTION in listing.text
            api.press_button(ADMIN, listing.message_id, listing.callback_data("✍️ 1"))
            await api.wait_for_messages(ADMIN, 2)
            api.send_text(ADMIN, ANSWER)
            saved = await api.wait_for_messages(ADMIN, 3)
            assert saved[2].text.startswith("✅ Réponse ajoutée à faq.fr.md et envoyée à 1 ")

            told = await api.wait_for_messages(ATTENDEE, 2)
            assert "chiens guides sont les bienvenus" in told[1].text
            assert QUESTION in told[1].text

            api.send_text(ATTENDEE, QUESTION)
            again = await api.wait_for_messages(ATTENDEE, 3)
            assert "chiens guides" in again[2].text
            assert "faq.fr.md" in again[2].text  # cited like any knowledge file
        assert [c for c in api.calls if c.status >= 400 and not c.injected] == []
