"""Schedule formats beside frab JSON: schedule.xml, schedule v2, pretalx fields, Sessionize."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain import PassageKind
from bot.knowledge.folder import load_folder, load_folder_files
from bot.knowledge.frab_xml import load_schedule_xml
from bot.knowledge.json_reader import PRETALX_EXPORT_HINT, read_json

FIXTURES = Path(__file__).parent / "fixtures"
PARIS = ZoneInfo("Europe/Paris")
GUID = "7d3a0001-1111-4111-8111-000000000{}"


def xml_fixture() -> bytes:
    return (FIXTURES / "schedule-mini.xml").read_bytes()


def test_schedule_xml_sessions_keep_times_rooms_speakers_tracks_and_lines() -> None:
    result = load_schedule_xml("exports/schedule.xml", xml_fixture())
    assert result.errors == []
    sessions = {s.id: s for s in result.sessions}
    assert set(sessions) == {GUID.format(f"{n:03d}") for n in (1, 2, 3)}
    opening = sessions[GUID.format("001")]
    assert opening.title == "Opening of the Fair Data Days"
    assert opening.start == datetime(2025, 3, 8, 9, 30, tzinfo=PARIS)
    assert opening.end == datetime(2025, 3, 8, 10, 15, tzinfo=PARIS)
    assert opening.room == "Amphi Curie"
    assert opening.speakers == ("Amina Berrada", "Jonas Keller")
    assert opening.vertical_id == "open-data"
    assert opening.description.startswith("Why open data matters. The organisers open")
    assert opening.line == 14  # the <event guid=...> line
    night = sessions[GUID.format("002")]
    assert night.end == datetime(2025, 3, 9, 1, 0, tzinfo=PARIS)
    assert result.event is not None
    assert result.event.name == "MiniCon 2025"
    assert result.event.timezone == "Europe/Paris"


def test_schedule_xml_passages_answer_when_where_who_like_the_json_importer() -> None:
    result = load_schedule_xml("schedule.xml", xml_fixture())
    text = next(p.text for p in result.passages if p.session_id == GUID.format("003"))
    assert text.startswith("Maps for Everyone — lightning talk, track \u201cCartography\u201d.")
    assert "Sunday, 9 March 2025, 14:00–14:30 (Europe/Paris)" in text
    assert "Room: Salle 2." in text
    assert "Speaker: Youssef Alaoui." in text
    assert {p.kind for p in result.passages} == {
        PassageKind.EVENT,
        PassageKind.VERTICAL,
        PassageKind.SESSION,
    }


def test_schedule_xml_alone_in_a_folder_loads(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "schedule-mini.xml", tmp_path / "schedule.xml")
    knowledge = load_folder(tmp_path)
    assert knowledge.errors == []
    assert len(knowledge.sessions) == 3


def test_broken_unsafe_and_foreign_xml_are_reported_with_lines() -> None:
    broken = load_schedule_xml("s.xml", b"<schedule>\n  <day>\n</schedule>\n")
    assert broken.broken
    assert [(e.line, e.message.split(":")[0]) for e in broken.errors] == [(3, "invalid XML")]
    bomb = b'<?xml version="1.0"?>\n<!DOCTYPE s [<!ENTITY a "aaaa">]>\n<schedule>&a;</schedule>'
    unsafe = load_schedule_xml("s.xml", bomb)
    assert unsafe.broken
    assert "unsafe XML refused" in unsafe.errors[0].message
    foreign = load_schedule_xml("feed.xml", b"<rss><channel/></rss>")
    assert not foreign.recognised
    assert "not a frab/pentabarf schedule.xml" in foreign.errors[0].message


def _v2(events: list[dict[str, object]]) -> str:
    conference = {"acronym": "v2", "title": "V2 Conf", "time_zone_name": "Europe/Berlin"}
    return json.dumps({"schedule": {"version": "2", "conference": conference, "events": events}})


def _event(guid: str, **fields: object) -> dict[str, object]:
    event: dict[str, object] = {
        "guid": guid,
        "id": 7,
        "date": "2024-12-27T11:00:00+01:00",
        "duration": "00:40",
        "room": {"name": "Saal 1", "guid": "r1"},
        "title": "A talk",
        "persons": [{"public_name": "Ana"}],
    }
    event.update(fields)
    return event


def test_schedule_v2_translated_fields_states_and_repeated_slots() -> None:
    events = [
        _event("g-1", title={"de": "Ein Vortrag", "en": "A talk"}, state="confirmed"),
        _event("g-2", date="2024-12-28T15:00:00+01:00"),  # same submission, second slot
        _event("g-3", id=8, title="Gone", state="withdrawn"),
        _event("g-4", id=9, title="Dropped", state="canceled"),
        _event("g-5", id=10, title="Later", state="delayed"),
    ]
    result = read_json("hub.json", _v2(events), "UTC")
    assert result.errors == []
    sessions = {s.id: s for s in result.sessions}
    assert sessions["g-1"].title == "A talk"
    assert sessions["g-1"].room == "Saal 1"
    assert sessions["g-2"].start.day == 28  # kept apart from g-1
    assert sessions["g-1"].status == "confirmed"
    assert sessions["g-3"].status == sessions["g-4"].status == "cancelled"
    assert sessions["g-5"].status == "tentative"
    cancelled = next(p.text for p in result.passages if p.session_id == "g-4")
    assert "This session is cancelled." in cancelled


def test_a_pretalx_api_dump_gets_a_hint_to_use_the_schedule_export() -> None:
    dump = {"count": 1, "next": None, "results": [{"code": "ABC", "title": "T", "state": "x"}]}
    result = read_json("talks.json", json.dumps(dump), "UTC")
    assert not result.recognised
    assert result.errors[0].message == PRETALX_EXPORT_HINT
    assert "schedule export" in PRETALX_EXPORT_HINT


SESSIONIZE = {
    "sessions": [
        {
            "id": "481516",
            "title": "Serverless in practice",
            "description": "Lessons learned.",
            "startsAt": "2025-07-01T10:00:00",
            "endsAt": "2025-07-01T10:45:00",
            "speakers": ["spk-1"],
            "categoryItems": [11],
            "roomId": 5,
            "status": "Accepted",
        },
        {
            "id": "481517",
            "title": "Cancelled one",
            "startsAt": "2025-07-01T11:00:00",
            "endsAt": "2025-07-01T11:30:00",
            "speakers": [],
            "categoryItems": [],
            "roomId": 5,
            "status": "Declined",
        },
    ],
    "speakers": [{"id": "spk-1", "fullName": "Salma Idrissi"}],
    "categories": [{"id": 1, "title": "Track", "items": [{"id": 11, "name": "Cloud"}]}],
    "rooms": [{"id": 5, "name": "Room Atlas"}],
}


def test_sessionize_all_data_export_reads_rooms_speakers_tracks_in_the_event_zone(
    tmp_path: Path,
) -> None:
    text = json.dumps(SESSIONIZE, indent=2)
    result = read_json("sessionize.json", text, "")  # no event zone known
    assert result.errors == []
    sessions = {s.id: s for s in result.sessions}
    talk = sessions["481516"]
    assert talk.room == "Room Atlas"
    assert talk.speakers == ("Salma Idrissi",)
    assert talk.vertical_id == "cloud"
    assert talk.start == datetime(2025, 7, 1, 10, tzinfo=ZoneInfo("Africa/Casablanca"))
    assert talk.line == text.splitlines().index('      "id": "481516",') + 1
    assert sessions["481517"].status == "cancelled"
    assert [n.message.split(":")[0] for n in result.notices] == ["no time zone"]
    (tmp_path / "sessionize.json").write_text(text, encoding="utf-8")
    knowledge, files = load_folder_files(tmp_path)
    assert files["sessionize.json"].needs_context
    assert any("no time zone" in n.message for n in knowledge.notices)


def test_schedule_xml_abstracts_written_as_escaped_html_become_plain_text() -> None:
    data = xml_fixture().replace(
        b"<abstract>The organisers open the conference &amp; present the programme.</abstract>",
        b"<abstract>&lt;p&gt;It&amp;#39;s &lt;em&gt;open&lt;/em&gt;.&lt;/p&gt;</abstract>",
    )
    result = load_schedule_xml("schedule.xml", data)
    opening = next(s for s in result.sessions if s.id == GUID.format("001"))
    assert opening.description == "Why open data matters. It's open."


def test_a_namespaced_schedule_xml_reads_like_a_plain_one() -> None:
    data = xml_fixture().replace(b"<schedule>", b'<schedule xmlns="urn:example:schedule">', 1)
    result = load_schedule_xml("schedule.xml", data)
    assert result.errors == []
    assert len(result.sessions) == 3


def test_an_older_pentabarf_xml_without_guid_date_or_zone_still_places_its_sessions() -> None:
    data = (FIXTURES / "pentabarf-mini.xml").read_bytes()
    result = load_schedule_xml("schedule.xml", data)
    assert result.errors == []
    brussels = ZoneInfo("Europe/Brussels")
    sessions = {s.id: s for s in result.sessions}
    assert sessions["15059"].start == datetime(2023, 2, 4, 9, 30, tzinfo=brussels)
    assert sessions["15059"].description == "Welcome and opening talk."
    # Before the day_change (09:00), a start belongs to the night after the day.
    assert sessions["15060"].start == datetime(2023, 2, 5, 0, 30, tzinfo=brussels)
    assert [n.message for n in result.notices] == [
        "no time_zone_name: times read in Europe/Brussels, the zone of the conference's city"
    ]
    text = next(p.text for p in result.passages if p.session_id == "15059")
    assert "Saturday, 4 February 2023, 09:30–09:55 (Europe/Brussels)" in text
    assert "Room: Janson." in text
    assert "Speaker: Staff Team." in text
