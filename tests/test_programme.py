"""The programme file (YAML): dates spelled in three languages, passages, errors with lines."""

from __future__ import annotations

import textwrap
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import Passage, PassageKind, Session, Vertical
from bot.knowledge.passage_text import session_passage_text
from bot.knowledge.programme_yaml import load_programme
from bot.knowledge.reading import ProgrammeContext

RABAT = ZoneInfo("Africa/Casablanca")

PROGRAMME = textwrap.dedent(
    """\
    event:
      name: {fr: "Assises de test", en: "Test Conference", ar: "مناظرة تجريبية"}
      start_date: 2025-07-01
      end_date: 2025-07-02
      timezone: Africa/Casablanca
      city: Rabat
      venue: Palais des congrès
      summary: {fr: "Deux jours sur l'IA.", en: "Two days about AI."}
    verticals:
      - id: sante
        name: {fr: "Santé", en: "Health", ar: "الصحة"}
        description: {fr: "L'IA en médecine.", en: "AI in medicine."}
    sessions:
      - id: s01
        title: {fr: "L'IA à l'hôpital", en: "AI in hospitals", ar: "الذكاء الاصطناعي في المستشفى"}
        vertical: sante
        day: 2025-07-01
        start: 09:30
        end: "10:30"
        room: Salle A
        speakers: [Nadia Alami, Omar Benali]
        description: {fr: "Retours d'expérience.", en: "Field reports."}
        illustrative: true
      - id: s02
        title: "Clôture"
        day: 2
        start: "17:00"
        end: "18:00"
        room: Salle A
        status: cancelled
    """
)


def by_id(passages: list[Passage], identifier: str) -> Passage:
    return next(p for p in passages if p.id == identifier)


def test_programme_loads_event_verticals_and_sessions() -> None:
    result = load_programme("programme.yaml", PROGRAMME)
    assert result.errors == []
    assert result.event is not None
    assert result.event.name == "Assises de test"
    assert result.event.names["en"] == "Test Conference"
    assert (result.event.start_date, result.event.end_date) == (date(2025, 7, 1), date(2025, 7, 2))
    assert [v.id for v in result.verticals] == ["sante"]
    s01, s02 = result.sessions
    # An unquoted 09:30 is a base-60 integer for YAML 1.1; it must still read as a time.
    assert s01.start == datetime(2025, 7, 1, 9, 30, tzinfo=RABAT)
    assert s01.line == 14
    assert s01.speakers == ("Nadia Alami", "Omar Benali")
    assert s02.start.date() == date(2025, 7, 2)  # day 2 of the event
    assert s02.cancelled
    assert not result.needs_context


def test_session_passages_answer_when_where_who_in_each_title_language() -> None:
    passages = load_programme("programme.yaml", PROGRAMME).passages
    fr = by_id(passages, "programme.yaml#s01:fr")
    assert fr.kind is PassageKind.SESSION
    assert fr.source == "programme.yaml#s01"
    assert fr.session_id == "s01"
    assert fr.vertical_id == "sante"
    assert fr.illustrative
    assert fr.line == 14
    for part in ("L'IA à l'hôpital", "Santé", "Mardi 1er juillet 2025, 09:30–10:30", "Salle A"):
        assert part in fr.text
    assert "Nadia Alami, Omar Benali" in fr.text
    assert "titre indicatif" in fr.text
    en = by_id(passages, "programme.yaml#s01:en").text
    assert en.startswith("AI in hospitals — session, vertical “Health”.")
    assert "Tuesday, 1 July 2025, 09:30–10:30" in en
    assert "Field reports." in en
    assert "illustrative" in en
    ar = by_id(passages, "programme.yaml#s01:ar").text
    assert "الثلاثاء، 1 يوليوز 2025" in ar
    assert "الصحة" in ar


def test_plain_title_gets_a_passage_per_event_language_and_cancelled_is_said() -> None:
    passages = load_programme("programme.yaml", PROGRAMME).passages
    texts = {p.language: p.text for p in passages if p.session_id == "s02"}
    assert set(texts) == {"fr", "en", "ar"}
    assert "Clôture" in texts["en"]
    assert "annulée" in texts["fr"]
    assert "cancelled" in texts["en"]
    assert "Wednesday, 2 July 2025, 17:00–18:00" in texts["en"]


def test_event_and_vertical_passages() -> None:
    passages = load_programme("programme.yaml", PROGRAMME).passages
    event_fr = by_id(passages, "programme.yaml#event:fr")
    assert event_fr.kind is PassageKind.EVENT
    assert event_fr.line == 1
    assert "1er et 2 juillet 2025" in event_fr.text
    assert "Palais des congrès, Rabat" in event_fr.text
    assert "Santé" in event_fr.text
    assert by_id(passages, "programme.yaml#summary:en").text.endswith("Two days about AI.")
    vertical_en = by_id(passages, "programme.yaml#vertical:sante:en")
    assert vertical_en.kind is PassageKind.VERTICAL
    assert vertical_en.line == 10
    assert "AI in medicine." in vertical_en.text
    assert "“AI in hospitals” (Tuesday 1 July, 09:30–10:30)" in vertical_en.text
    ids = [p.id for p in passages]
    assert len(ids) == len(set(ids))


def test_session_passage_text_with_an_export_layout() -> None:
    session = Session(
        id="x",
        title="Let's get digital",
        start=datetime(2020, 12, 29, 18, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        end=datetime(2020, 12, 29, 18, 40, tzinfo=ZoneInfo("Europe/Berlin")),
        room="r3s - Monheim/Rhein",
        speakers=("A", "B"),
        description="**Bold** abstract.",
    )
    track = Vertical("x", {"en": "X"})
    text = session_passage_text(
        session, track, "en", ZoneInfo("Europe/Berlin"), kind="talk", vertical_word="track",
        show_zone=True,
    )  # fmt: skip
    assert text.startswith(
        "Let's get digital — talk, track “X”. Tuesday, 29 December 2020, 18:00–18:40 "
        "(Europe/Berlin). Room: r3s - Monheim/Rhein. Speakers: A, B."
    )


ERRORS = textwrap.dedent(
    """\
    event:
      name: Broken Conf
      start_date: 2025-07-01
      end_date: 2025-07-02
      timezone: Mars/Olympus
    verticals:
      - id: ok
        name: OK
      - id: ok
        name: Again
    sessions:
      - id: a
        title: Unknown vertical
        vertical: nowhere
        day: 2025-07-01
        start: "09:00"
        end: "10:00"
      - id: b
        title: Bad time
        day: 2025-07-01
        start: "9h75"
        end: "10:00"
      - id: c
        title: Backwards
        day: 2025-07-01
        start: "11:00"
        end: "10:00"
      - id: d
        title: Outside
        day: 2025-07-09
        start: "09:00"
        end: "10:00"
      - id: e
        day: 1
        start: "09:00"
        end: "10:00"
      - id: a
        title: Duplicate
        day: 1
        start: "12:00"
        end: "13:00"
      - id: f
        title: Same start and end
        day: 1
        start: "12:00"
        end: "12:00"
        status: maybe
      - id: g
        title: Far day
        day: 5
        start: "09:00"
        end: "10:00"
      - title: No id
        day: 1
        start: "09:00"
        end: "10:00"
      - id: h
        title: No times
        day: 1
    """
)


def test_every_error_kind_has_its_line() -> None:
    result = load_programme("p.yaml", ERRORS)
    found = {(e.line, e.message) for e in result.errors}
    expected = {
        (5, 'unknown time zone "Mars/Olympus"'),
        (9, 'duplicate vertical id "ok"'),
        (14, 'session "a": unknown vertical "nowhere"'),
        (21, 'session "b": bad time "9h75" (expected HH:MM)'),
        (27, 'session "c": end 10:00 is not after start 11:00'),
        (30, 'session "d": date 2025-07-09 is outside the event (2025-07-01 to 2025-07-02)'),
        (33, 'session "e": missing required field "title"'),
        (37, 'duplicate session id "a" (first at line 12)'),
        (46, 'session "f": end 12:00 is not after start 12:00'),
        (47, 'session "f": unknown status "maybe" (confirmed, tentative or cancelled)'),
        (50, 'session "g": date 2025-07-05 is outside the event (2025-07-01 to 2025-07-02)'),
        (53, 'session: missing required field "id"'),
        (57, 'session "h": missing required field "start"'),
        (57, 'session "h": missing required field "end"'),
    }
    assert found == expected
    # The valid parts still load: the event (time zone defaulted), one vertical, a, d and g.
    assert result.event is not None
    assert result.event.timezone == "Africa/Casablanca"
    assert [s.id for s in result.sessions] == ["a", "d", "g"]
    assert result.sessions[0].vertical_id is None
    assert str(result.errors[0]).startswith("p.yaml:")


def test_missing_event_fields_are_reported_on_the_event_line() -> None:
    text = "# comment\nevent:\n  name: X\n  start_date: 2025-07-01\n"
    messages = {(e.line, e.message) for e in load_programme("p.yaml", text).errors}
    assert messages == {
        (3, 'event: missing required field "end_date"'),
        (3, 'event: missing required field "timezone"'),
    }


@pytest.mark.parametrize(
    ("text", "line", "start"),
    [
        ("event:\n  name: [unclosed\n  start_date: 2025-07-01\n", 3, "invalid YAML:"),
        ('sessions:\n  - id: a\n    title: "open\n', 4, "invalid YAML:"),
        ("event:\n  name: x\n bad: indentation\n", 3, "invalid YAML:"),
    ],
)
def test_broken_yaml_reports_the_parser_line(text: str, line: int, start: str) -> None:
    result = load_programme("p.yaml", text)
    assert result.broken
    [error] = result.errors
    assert (error.file, error.line) == ("p.yaml", line)
    assert error.message.startswith(start)


def test_other_yaml_is_not_a_programme() -> None:
    for text in ("just: a config\n", "- a\n- b\n", ""):
        result = load_programme("config.yaml", text)
        assert not result.recognised
        assert [str(e) for e in result.errors] == [
            "config.yaml:1: not a programme file (no event, verticals or sessions)"
        ]


def test_duplicate_keys_are_reported() -> None:
    text = PROGRAMME.replace(
        "    room: Salle A\n    speakers", "    room: Salle A\n    room: B\n    speakers", 1
    )
    errors = load_programme("p.yaml", text).errors
    assert [(e.line, e.message) for e in errors] == [(21, 'duplicate key "room"')]


def test_sessions_file_uses_the_context_event_and_verticals() -> None:
    base = load_programme("programme.yaml", PROGRAMME)
    extra = "sessions:\n  - id: x1\n    title: Extra\n    vertical: sante\n    day: 1\n"
    extra += '    start: "14:00"\n    end: "15:00"\n'
    alone = load_programme("extra.yaml", extra)
    assert alone.needs_context
    assert any("needs an event" in e.message for e in alone.errors)
    context = ProgrammeContext(base.event, {v.id: v for v in base.verticals})
    resolved = load_programme("extra.yaml", extra, context)
    assert resolved.errors == []
    [session] = resolved.sessions
    assert session.start == datetime(2025, 7, 1, 14, 0, tzinfo=RABAT)
    assert session.vertical_id == "sante"
    fr = next(p for p in resolved.passages if p.language == "fr")
    assert "verticale « Santé »" in fr.text
