"""Programme answers through the outside: Telegram paging and follow-ups, `ask --json`, chat."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app.chat import run_chat
from bot.app.settings import Settings
from bot.knowledge.frab_json import load_schedule
from bot.search.assistant import Assistant
from tests.fake_botapi.rules import parse_html
from tests.offline_bot import Bot, offline_bot
from tests.test_cli import cli_env


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    async with offline_bot(tmp_path) as running:
        yield running
        assert running.errors == []


async def test_a_long_list_is_paged_and_each_line_opens_its_card(bot: Bot) -> None:
    await bot.text("Quelles séances de Dr Ada ?")
    first = parse_html(bot.replies()[-1])
    assert "10 séances" in first
    assert "1/2" in first
    assert first.count("•") == 8
    await bot.press(bot.api.callback_data("▶"))
    second = parse_html(bot.replies()[-1])
    assert second.count("•") == 2
    assert "Session 9" in second
    await bot.press(bot.api.callback_data("Session 9"))
    assert "Dr Ada" in parse_html(bot.replies()[-1])


async def test_a_follow_up_resolves_against_the_list_just_shown(bot: Bot) -> None:
    await bot.text("Quelles séances à la Salle 2 ?")
    listed = parse_html(bot.replies()[-1])
    assert "Session 2 " in listed
    assert "Session 1 " not in listed
    await bot.text("et qui parle ?")
    follow = parse_html(bot.replies()[-1])
    assert "Session 8" in follow  # the same three sessions, with their speakers
    assert "Dr Ada" in follow
    assert "Session 6" not in follow


def schedule(titles: dict[str, str] | str) -> str:
    """A two-session pretalx export, the first with a translated title."""
    event = {
        "guid": "g1",
        "id": 1,
        "title": titles,
        "date": "2031-03-08T10:00:00+01:00",
        "start": "10:00",
        "duration": "00:45",
        "room": "Salle Ada",
        "type": "Workshop 45 min",
        "language": "fr",
        "persons": [{"public_name": "Nadia Berrada"}],
        "abstract": "",
    }
    other = {**event, "guid": "g2", "id": 2, "title": "Compilers for fun",
             "date": "2031-03-08T14:00:00+01:00", "start": "14:00", "type": "Talk",
             "language": "en", "persons": [{"public_name": "Omar Tazi"}]}  # fmt: skip
    day = {"date": "2031-03-08", "rooms": {"Salle Ada": [event, other]}}
    conference = {"title": "Demo", "start": "2031-03-08", "end": "2031-03-08", "days": [day]}
    return json.dumps({"schedule": {"conference": conference}})


def test_translated_pretalx_titles_are_read() -> None:
    loaded = load_schedule("s.json", schedule({"en": "Soldering", "fr": "Soudure"}))
    assert loaded.errors == []
    first = next(s for s in loaded.sessions if s.id == "g1")
    assert first.title == "Soldering"
    assert first.title_in("fr") == "Soudure"
    assert first.kind == "workshop"


def test_ask_json_lists_every_session_it_names(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "schedule.json").write_text(schedule({"en": "Soldering", "fr": "Soudure"}))
    env = {**cli_env(knowledge, tmp_path / "data"), "ASSISTANT_NOW": "2031-03-08T09:00:00+01:00"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input="Quelles séances samedi ?\nWhat's on now?\n",
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    day, now = (json.loads(line) for line in result.stdout.splitlines())
    assert day["answered"] is True
    assert "Soudure" in day["answer"]  # the French title for a French question
    assert "Compilers for fun" in day["answer"]
    assert [p["source"] for p in day["passages"]] == ["schedule.json#g1", "schedule.json#g2"]
    for passage in day["passages"]:
        assert passage["text"] in day["answer"]
    assert "has not started yet" in now["answer"]
    assert "8 March 2031 at 10:00" in now["answer"]


def test_filters_no_session_meets_together_say_so_and_list_the_speakers_sessions(
    hashing_settings: Settings,
) -> None:
    knowledge = hashing_settings.knowledge_dir
    knowledge.mkdir(parents=True, exist_ok=True)
    (knowledge / "schedule.json").write_text(schedule({"en": "Soldering", "fr": "Soudure"}))
    assistant = Assistant.load(hashing_settings)
    answer = assistant.answer("Which talks in English does Nadia Berrada give?")
    assert answer.kind == "programme"
    assert "No session matches" in answer.text
    assert "Sessions by Nadia Berrada" in answer.text
    assert "Soldering" in answer.text  # her session, in French, as the alternative
    assert "Compilers for fun" not in answer.text


def test_ask_json_refuses_a_speaker_or_an_event_the_programme_lacks(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "schedule.json").write_text(schedule("Soldering"))
    env = {**cli_env(knowledge, tmp_path / "data"), "ASSISTANT_NOW": "2031-03-08T09:00:00+01:00"}
    questions = (
        "Is Grace Hopper giving a talk?\n"
        "When does the Zorblax Expo open in Salle Ada?\n"
        "Quand parle Nadia Berrada ?\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input=questions, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    nobody, elsewhere, known = (json.loads(line) for line in result.stdout.splitlines())
    assert nobody["answered"] is False  # "no session by ..." is an abstention
    assert "Grace Hopper" in nobody["answer"]
    assert elsewhere["answered"] is False  # the room is known, the event asked about is not
    assert "Zorblax" in elsewhere["answer"]
    assert known["answered"] is True
    assert "Soldering" in known["answer"]


def test_chat_follow_up_names_the_room(hashing_settings: Settings) -> None:
    knowledge = hashing_settings.knowledge_dir
    knowledge.mkdir(parents=True, exist_ok=True)
    (knowledge / "schedule.json").write_text(schedule("Soldering"))
    assistant = Assistant.load(hashing_settings)
    questions = ["Which talks does Omar Tazi give?", "and where is it?"]

    def read(_: str) -> str:
        if not questions:
            raise EOFError
        return questions.pop(0)

    out = io.StringIO()
    run_chat(assistant, read=read, out=out)
    answers = out.getvalue().split("> ")
    assert "Compilers for fun" in answers[-1]
    assert "Salle Ada" in answers[-1]


def _event(guid: str, title: str, day: str, room: str) -> dict[str, object]:
    return {
        "guid": guid, "id": guid, "title": title, "date": f"{day}T10:00:00+01:00",
        "start": "10:00", "duration": "02:00", "room": room, "type": "Sprint",
        "language": "fr", "persons": [{"public_name": "Lina Haddad"}],
        "abstract": "Contribuer ensemble au cadriciel web.",
    }  # fmt: skip


def test_a_session_given_twice_is_answered_with_both_times(hashing_settings: Settings) -> None:
    event = _event

    first = event("s1", "Sprint Django", "2031-03-08", "B419")
    again = event("s2", "Sprint Django", "2031-03-09", "B420")
    other = event("s3", "Atelier soudure", "2031-03-09", "B420")
    days = [
        {"date": "2031-03-08", "rooms": {"B419": [first]}},
        {"date": "2031-03-09", "rooms": {"B420": [again, other]}},
    ]
    conference = {"title": "Demo", "start": "2031-03-08", "end": "2031-03-09", "days": days}
    schedule_file = hashing_settings.knowledge_dir / "schedule.json"
    schedule_file.write_text(json.dumps({"schedule": {"conference": conference}}))
    assistant = Assistant.load(hashing_settings)
    answer = assistant.answer("Quand a lieu Sprint Django ?")
    assert answer.answered
    assert answer.text.count("Sprint Django") == 2  # the passage of one, the line of the other
    assert ("B419" in answer.text, "B420" in answer.text) == (True, True)
    assert "Atelier soudure" not in answer.text
    alone = assistant.answer("Quand a lieu Atelier soudure ?")
    assert "Sprint Django" not in alone.text


def test_a_session_held_every_day_lists_a_few_and_counts_the_rest(
    hashing_settings: Settings,
) -> None:
    days = [
        {"date": f"2031-03-{day:02d}", "rooms": {"Tente": [
            _event(f"b{day}", "Petit déjeuner des bénévoles", f"2031-03-{day:02d}", "Tente")
        ]}}
        for day in range(1, 9)
    ]  # fmt: skip
    conference = {"title": "Camp", "start": "2031-03-01", "end": "2031-03-08", "days": days}
    schedule_file = hashing_settings.knowledge_dir / "schedule.json"
    schedule_file.write_text(json.dumps({"schedule": {"conference": conference}}))
    question = "Quand a lieu le Petit déjeuner des bénévoles ?"
    answer = Assistant.load(hashing_settings).answer(question)
    assert answer.answered
    assert answer.text.count("• ") == 5
    assert answer.text.endswith("et 2 autres")  # 1 in the passage, 5 listed, 2 counted
