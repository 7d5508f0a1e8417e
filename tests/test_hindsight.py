"""The past-tense note is the assistant's: `ask` (text and JSON) and `chat` say it too."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.settings import Settings
from bot.clock import frozen_at
from bot.i18n import t
from bot.search.assistant import Assistant
from tests.test_cli import cli_env, run

PROGRAMME = """\
event:
  name: "Rencontres du logiciel libre"
  start_date: 2031-07-01
  end_date: 2031-07-02
  timezone: Africa/Casablanca
  city: Rabat
verticals:
  - id: dev
    name: {fr: Développement, en: Development}
sessions:
  - id: s1
    title: "Compilateurs et tisserands"
    vertical: dev
    day: 1
    start: "09:00"
    end: "10:00"
    room: "Salle A"
    description: "Une causerie sur les métiers à tisser Jacquard, ancêtres des cartes perforées."
"""
ACCESS = """## Accès au parc des expositions

Le parc des expositions se rejoint par le tramway, ligne 2, arrêt Hassan ; un parking gratuit de
quatre cents places longe l'entrée nord.
"""
ZONE = ZoneInfo("Africa/Casablanca")
BEFORE = datetime(2031, 6, 20, 10, tzinfo=ZONE)
DURING = datetime(2031, 7, 2, 10, tzinfo=ZONE)  # the session of day 1 is over, the event is not
AFTER = datetime(2031, 7, 9, 10, tzinfo=ZONE)
TRAM = "comment rejoindre le parc des expositions en tramway"
LOOMS = "métiers à tisser Jacquard et cartes perforées"
EVENT_NOTE = t("past_event", "fr", event="Rencontres du logiciel libre", dates="{dates}").split(
    "{dates}"
)[0]
SESSION_NOTE = t("past_session", "fr", date="{date}").split("{date}")[0]


def write_knowledge(folder: Path) -> None:
    (folder / "programme.yaml").write_text(PROGRAMME, encoding="utf-8")
    (folder / "acces.fr.md").write_text(ACCESS, encoding="utf-8")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    write_knowledge(knowledge)
    return cli_env(knowledge, tmp_path / "data")


def test_the_note_follows_the_clock_even_for_a_cached_answer(hashing_settings: Settings) -> None:
    write_knowledge(hashing_settings.knowledge_dir)
    assistant = Assistant.load(hashing_settings)
    with frozen_at(BEFORE):
        before = assistant.answer(TRAM)
    assert before.answered
    assert (before.past, before.past_note) == ("", "")
    with frozen_at(AFTER):  # the same question again: from the answer cache
        after = assistant.answer(TRAM)
        cached = asyncio.run(assistant.answer_async(TRAM))
    assert after.hits == before.hits
    assert after.past == cached.past == "event"
    assert after.past_note.startswith(EVENT_NOTE)
    assert "2031" in after.past_note
    with frozen_at(DURING):
        session = assistant.answer(LOOMS)
        access = assistant.answer(TRAM)
    assert session.hits[0].passage.session_id == "s1"
    assert session.past == "session"
    assert session.past_note.startswith(SESSION_NOTE)
    assert (access.past, access.past_note) == ("", "")  # the event is still on
    with frozen_at(BEFORE):
        assert assistant.answer(TRAM).past_note == ""  # the cache kept no note


def test_ask_says_the_event_is_over_in_text_and_json(env: dict[str, str], tmp_path: Path) -> None:
    questions = f"{TRAM}\n{LOOMS}\n"
    after = run(
        {**env, "ASSISTANT_NOW": AFTER.isoformat()}, tmp_path, "ask", "--json", stdin=questions
    )
    assert after.returncode == 0, after.stderr
    answers = [json.loads(line) for line in after.stdout.splitlines()]
    assert len(answers) == 2
    for answer in answers:
        assert {"question", "answered", "answer", "passages"} <= set(answer)  # the contract's
        assert answer["past"] == "event"
        assert answer["past_note"].startswith(EVENT_NOTE)
        assert answer["answer"].startswith(answer["past_note"] + "\n\n")  # what the user reads
    assert "tramway" in answers[0]["answer"]
    during = run(
        {**env, "ASSISTANT_NOW": DURING.isoformat()}, tmp_path, "ask", "--json", stdin=questions
    )
    tram, looms = [json.loads(line) for line in during.stdout.splitlines()]
    assert (tram["past"], tram["past_note"]) == (None, "")
    assert not tram["answer"].startswith(EVENT_NOTE)
    assert looms["past"] == "session"
    assert looms["answer"].startswith(SESSION_NOTE)
    text = run({**env, "ASSISTANT_NOW": AFTER.isoformat()}, tmp_path, "ask", TRAM)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(EVENT_NOTE)
    assert "tramway" in text.stdout


def test_chat_says_the_event_is_over(env: dict[str, str], tmp_path: Path) -> None:
    after = run({**env, "ASSISTANT_NOW": AFTER.isoformat()}, tmp_path, "chat", stdin=f"{TRAM}\n")
    assert after.returncode == 0, after.stderr
    assert EVENT_NOTE in after.stdout
    before = run({**env, "ASSISTANT_NOW": BEFORE.isoformat()}, tmp_path, "chat", stdin=f"{TRAM}\n")
    assert "tramway" in before.stdout
    assert EVENT_NOTE not in before.stdout
