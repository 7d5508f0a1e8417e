"""frab/pretalx schedule exports: a fixture of our own, edge cases, and two real exports."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain import PassageKind
from bot.knowledge.folder import load_folder
from bot.knowledge.frab_json import is_schedule, load_schedule, slugify

FIXTURE = Path(__file__).parent / "fixtures" / "schedule-mini.json"
REAL_EXPORTS = Path(__file__).parents[2] / "shared" / "eval" / "schedules"
GUID = "0f1c2d3e-0000-4000-8000-000000000{}"
BERLIN = ZoneInfo("Europe/Berlin")


def mini() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def test_is_schedule_by_content() -> None:
    assert is_schedule(json.loads(mini()))
    assert is_schedule({"schedule": {"conference": {"days": []}}})
    assert not is_schedule({"schedule": {"conference": {}}})
    assert not is_schedule({"days": [{"rooms": {}}]})
    assert not is_schedule([1, 2])


def test_fixture_sessions_keep_local_times_rooms_speakers_and_lines() -> None:
    result = load_schedule("exports/mini.json", mini())
    assert result.errors == []
    sessions = {s.id: s for s in result.sessions}
    assert len(sessions) == 5
    opening = sessions[GUID.format(101)]
    assert opening.start == datetime(2024, 3, 30, 10, 0, tzinfo=BERLIN)
    assert opening.end - opening.start == timedelta(minutes=45)
    assert (opening.room, opening.speakers, opening.line) == ("Saal 1", ("Ada Lovelace",), 24)
    assert opening.vertical_id == "main-stage"
    workshop = sessions[GUID.format(102)]
    assert workshop.speakers == ("Grace Hopper",)  # `name` instead of `public_name`
    assert workshop.description.startswith("A workshop on privacy.")  # null abstract
    assert workshop.language == "de"
    assert workshop.line == 43
    lightning = sessions[GUID.format(103)]
    assert (lightning.vertical_id, lightning.speakers, lightning.description) == (None, (), "")
    # Summer time starts on 31 March 2024: the export's own offset is kept.
    fuzzing = sessions[GUID.format(104)]
    assert fuzzing.start.utcoffset() == timedelta(hours=2)
    assert fuzzing.speakers == ("Alan Turing", "Ada Lovelace")
    assert sessions[GUID.format(105)].speakers == ("Katherine Johnson",)


def test_fixture_passages_put_the_title_first_and_answer_when_where_who() -> None:
    passages = {p.id: p for p in load_schedule("mini.json", mini()).passages}
    opening = passages[f"mini.json#{GUID.format(101)}:en"]
    assert opening.kind is PassageKind.SESSION
    assert opening.source == f"mini.json#{GUID.format(101)}"
    assert opening.language == "en"
    assert opening.text == (
        "Opening: Hello Fixture — talk, track “Main Stage”. Saturday, 30 March 2024, "
        "10:00–10:45 (Europe/Berlin). Room: Saal 1. Speaker: Ada Lovelace. "
        "We open the conference. Second line."
    )
    workshop = passages[f"mini.json#{GUID.format(102)}:en"].text
    assert workshop.startswith("Datenschutz für Alle — workshop, track “Society & Politics”.")
    assert "\r" not in workshop
    assert "*" not in workshop
    fuzzing = passages[f"mini.json#{GUID.format(104)}:en"].text
    assert "Sunday, 31 March 2024, 10:00–10:40 (Europe/Berlin)" in fuzzing
    abstract = fuzzing.split("Ada Lovelace. ", 1)[1]
    assert 150 <= len(abstract) <= 310
    closing = passages[f"mini.json#{GUID.format(105)}:en"].text
    assert "What we learned. Wrap-up." in closing  # the subtitle leads the abstract
    assert "lightning talk" in passages[f"mini.json#{GUID.format(103)}:en"].text


def test_fixture_conference_and_tracks() -> None:
    result = load_schedule("mini.json", mini())
    assert result.event is not None
    assert result.event.name == "MiniCon 2024"
    assert (result.event.start_date, result.event.end_date) == (
        date(2024, 3, 30),
        date(2024, 3, 31),
    )
    assert result.event.timezone == "Europe/Berlin"
    assert {v.id: v.names for v in result.verticals} == {
        "main-stage": {"en": "Main Stage"},
        "society-politics": {"en": "Society & Politics"},
    }
    overview = next(p for p in result.passages if p.kind is PassageKind.EVENT)
    assert overview.line == 6
    assert "30 and 31 March 2024" in overview.text
    assert "5 sessions in 2 rooms" in overview.text
    tracks = [p for p in result.passages if p.kind is PassageKind.VERTICAL]
    assert {p.vertical_id for p in tracks} == {"main-stage", "society-politics"}


def test_conference_without_time_zone_uses_the_first_offset() -> None:
    data = json.loads(mini())
    del data["schedule"]["conference"]["time_zone_name"]
    result = load_schedule("mini.json", json.dumps(data, indent=2))
    assert result.event is not None
    assert result.event.timezone == "Etc/GMT-1"  # UTC+01:00, a name ZoneInfo accepts
    ZoneInfo(result.event.timezone)
    first = next(p for p in result.passages if p.session_id == GUID.format(101))
    assert "10:00–10:45 (UTC+01:00)" in first.text


def test_bad_events_are_reported_and_the_rest_loads() -> None:
    data = json.loads(mini())
    rooms = data["schedule"]["conference"]["days"][0]["rooms"]
    rooms["Saal 1"][0]["duration"] = "forty"
    rooms["Saal 1"][1]["title"] = None
    rooms["Saal 2"][0]["date"] = "2024-04-05T10:00:00+02:00"
    data["schedule"]["conference"]["days"][1]["rooms"]["Saal 2"][0]["guid"] = GUID.format(104)
    text = json.dumps(data, indent=2)
    result = load_schedule("mini.json", text)
    lines = [i for i, line in enumerate(text.splitlines(), 1) for n in range(101, 106)
             if GUID.format(n) in line]  # fmt: skip
    line_101, line_102, line_103, line_104, second_104 = lines
    assert {(e.line, e.message) for e in result.errors} == {
        (line_101, 'session "Opening: Hello Fixture": bad or missing duration "forty"'),
        (line_102, f'session "{GUID.format(102)}": missing required field "title"'),
        (
            line_103,
            'session "Lightning Round": date 2024-04-05 is outside the conference '
            "(2024-03-30 to 2024-03-31)",
        ),
        (second_104, f'duplicate session id "{GUID.format(104)}" (first at line {line_104})'),
    }
    assert {s.title for s in result.sessions} == {"Lightning Round", "Fuzzing Like LEGO"}


def test_broken_and_foreign_json() -> None:
    broken = load_schedule("b.json", '{\n  "schedule": {\n    "conference": ,\n  }\n}\n')
    assert broken.broken
    assert [(e.line, e.message.split(":")[0]) for e in broken.errors] == [(3, "invalid JSON")]
    other = load_schedule("package.json", '{"name": "x"}')
    assert not other.recognised
    assert [str(e) for e in other.errors] == ["package.json:1: not a frab/pretalx schedule"]


def test_slugify() -> None:
    assert slugify("MON r3s Rhein VHS") == "mon-r3s-rhein-vhs"
    assert slugify("Société & Politique") == "societe-politique"
    assert slugify("***") == "track"


@pytest.mark.parametrize(
    ("name", "sessions"), [("pretalx-rc3.json", 48), ("pretalx-democon.json", 36)]
)
def test_real_exports_load_without_errors(tmp_path: Path, name: str, sessions: int) -> None:
    shutil.copy(REAL_EXPORTS / name, tmp_path / name)
    knowledge = load_folder(tmp_path)
    assert knowledge.errors == []
    assert len(knowledge.sessions) == sessions
    session_passages = [p for p in knowledge.passages if p.kind is PassageKind.SESSION]
    assert len(session_passages) == sessions
    assert all(p.text and "\r" not in p.text and "](" not in p.text for p in knowledge.passages)
    assert all(len(p.text) < 800 for p in session_passages)


def test_real_export_passage_answers_when_where_who(tmp_path: Path) -> None:
    shutil.copy(REAL_EXPORTS / "pretalx-rc3.json", tmp_path / "rc3.json")
    knowledge = load_folder(tmp_path)
    digital = next(p for p in knowledge.passages if p.text.startswith("Let's get digital — "))
    assert "Tuesday, 29 December 2020, 18:00–19:00 (UTC+01:00)" in digital.text
    assert "Room: backspace / franconian.net - Bamberg" in digital.text
    assert "Speakers: Leonie Ackermann, Lasse Emcken" in digital.text
    raw = (tmp_path / "rc3.json").read_text(encoding="utf-8").splitlines()
    session = knowledge.sessions[digital.session_id or ""]
    assert session.id in raw[digital.line - 1]
