"""iCalendar, CSV/XLSX programmes, and press material as PDF, DOCX and HTML."""

from __future__ import annotations

import io
import shutil
import textwrap
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.knowledge.documents import read_docx, read_html, read_pdf
from bot.knowledge.folder import load_folder
from bot.knowledge.ical import load_ical
from bot.knowledge.spreadsheet import load_csv, load_xlsx

FIXTURES = Path(__file__).parent / "fixtures"
PARIS = ZoneInfo("Europe/Paris")
CASABLANCA = ZoneInfo("Africa/Casablanca")
EVENT = textwrap.dedent(
    """\
    event:
      name: Assises
      start_date: 2025-07-01
      end_date: 2025-07-02
      timezone: Africa/Casablanca
    """
)


def test_ical_vevents_become_sessions_with_room_track_status_and_lines() -> None:
    text = (FIXTURES / "programme-mini.ics").read_text(encoding="utf-8")
    result = load_ical("agenda.ics", text, "")
    assert result.errors == []
    sessions = {s.id: s for s in result.sessions}
    opening = sessions["minicon-101@pretalx.example"]
    assert opening.start == datetime(2025, 3, 8, 9, 30, tzinfo=PARIS)
    assert opening.room == "Amphi Curie"
    assert opening.vertical_id == "open-data"
    assert opening.speakers == ("Amina Berrada",)
    assert opening.line == 6
    archives = sessions["minicon-102@pretalx.example"]
    assert archives.status == "cancelled"
    assert archives.end.astimezone(PARIS).hour == 15
    assert archives.vertical_id == "cloud"
    assert "minicon-day@pretalx.example" not in sessions
    assert [n.message for n in result.notices] == [
        "1 all-day entries left out (a session needs a start time)"
    ]
    assert result.event is not None
    assert result.event.name == "MiniCon 2025"
    text_of = next(p.text for p in result.passages if p.session_id == opening.id)
    assert "Room: Amphi Curie." in text_of


def test_csv_programme_with_french_header_rows_and_day_numbers(tmp_path: Path) -> None:
    (tmp_path / "programme.yaml").write_text(EVENT, encoding="utf-8")
    shutil.copy(FIXTURES / "programme-mini.csv", tmp_path / "grille.csv")
    knowledge = load_folder(tmp_path)
    assert [str(e) for e in knowledge.errors] == [
        'grille.csv:5: row 5 "Sans fin": bad or missing end ""'
    ]
    sessions = sorted(knowledge.sessions.values(), key=lambda s: s.start)
    assert [s.title for s in sessions] == [
        "Ouverture des Assises",
        "Nuit du code",
        "Data and Health",
    ]
    opening, night, panel = sessions
    assert opening.start == datetime(2025, 7, 1, 9, tzinfo=CASABLANCA)
    assert opening.speakers == ("Amina Berrada", "Jonas Keller")
    assert opening.line == 2
    assert night.end == datetime(2025, 7, 2, 1, tzinfo=CASABLANCA)
    assert panel.start == datetime(2025, 7, 2, 9, 30, tzinfo=CASABLANCA)
    assert panel.speakers == ("Youssef Alaoui", "Claire Dubois")
    assert panel.language == "en"
    assert knowledge.notices == []  # the event gives the time zone


def test_csv_without_the_required_columns_names_them() -> None:
    result = load_csv("p.csv", "title,room\nA,B\n", None, "")
    assert [str(e) for e in result.errors] == [
        "p.csv:1: header: missing column(s) day, start, end (see the README)"
    ]


def test_xlsx_programme_reads_the_first_sheet_with_english_header() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Day", "Start", "End", "Room", "Title", "Track", "Speakers"])
    day = datetime(2025, 7, 1)  # noqa: DTZ001 - spreadsheet cells hold naive dates
    sheet.append([day, time(14, 0), time(15, 30), "Hall", "Keynote", "AI", "Ana"])
    sheet.append([None, None, None, None, None, None, None])
    sheet.append(["2025-07-01", "16:00", "15:00", "Hall", "Backwards", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = load_xlsx("grille.xlsx", buffer.getvalue(), None, "")
    assert [(s.title, s.room, s.line) for s in result.sessions] == [("Keynote", "Hall", 2)]
    assert result.sessions[0].start == datetime(2025, 7, 1, 14, tzinfo=CASABLANCA)
    assert [str(e) for e in result.errors] == [
        'grille.xlsx:4: row 4 "Backwards": end 15:00 is not after start 16:00'
    ]
    assert "no time zone" in result.notices[0].message  # Africa/Casablanca assumed, said
    broken = load_xlsx("fake.xlsx", b"not a zip", None, "")
    assert broken.broken


def _pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF with one line of Helvetica text per page."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET"
        page_number = len(objects) + 1
        kids.append(f"{page_number} 0 R")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {page_number + 1} 0 R"
            " /Resources << /Font << /F1 << /Type /Font /Subtype /Type1"
            " /BaseFont /Helvetica >> >> >> >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>"
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def test_pdf_passages_carry_their_page() -> None:
    data = _pdf(["The fair opens on Tuesday at nine in Hall A.", "Parking is free for visitors."])
    result = read_pdf("kit/press.pdf", data)
    assert result.errors == []
    assert [(p.line, p.text) for p in result.passages] == [
        (1, "The fair opens on Tuesday at nine in Hall A."),
        (2, "Parking is free for visitors."),
    ]
    assert len({p.id for p in result.passages}) == 2
    assert read_pdf("bad.pdf", b"%PDF-1.4 garbage").broken or read_pdf("bad.pdf", b"x").broken


def test_docx_passages_keep_headings_and_paragraph_numbers() -> None:
    from docx import Document

    document = Document()
    document.add_heading("Accès au salon", level=1)
    document.add_paragraph("Le salon se tient au parc des expositions, entrée par la porte B.")
    document.add_heading("Horaires", level=2)
    document.add_paragraph("Ouvert de 9 h à 18 h les deux jours.")
    buffer = io.BytesIO()
    document.save(buffer)
    result = read_docx("presse/dossier.docx", buffer.getvalue())
    assert result.errors == []
    by_heading = {p.heading: p for p in result.passages}
    access = by_heading[("Accès au salon",)]
    assert access.text.startswith("Accès au salon\nLe salon se tient")
    assert access.line == 2
    hours = by_heading[("Accès au salon", "Horaires")]
    assert hours.line == 4
    assert read_docx("x.docx", b"nope").broken


def test_html_keeps_the_main_text_without_menus_scripts_or_footers() -> None:
    page = textwrap.dedent(
        """\
        <html><head><title>Salon</title><script>var tracking = 1;</script></head>
        <body>
        <nav><ul><li>Accueil</li><li>Billetterie</li></ul></nav>
        <main>
          <h1>Informations pratiques</h1>
          <p>Le salon ouvre ses portes à 9 h, <b>entrée gratuite</b> pour les étudiants.</p>
          <ul><li>Navette depuis la gare toutes les 20 minutes.</li></ul>
        </main>
        <footer>Mentions légales</footer>
        </body></html>
        """
    )
    result = read_html("site/infos.html", page)
    texts = " ".join(p.text for p in result.passages)
    assert "entrée gratuite pour les étudiants" in texts
    assert "Navette depuis la gare" in texts
    for absent in ("tracking", "Billetterie", "Mentions légales"):
        assert absent not in texts
    assert result.passages[0].heading == ("Informations pratiques",)
    assert result.passages[0].line == 6


def test_every_format_loads_in_one_folder(tmp_path: Path) -> None:
    (tmp_path / "programme.yaml").write_text(EVENT, encoding="utf-8")
    shutil.copy(FIXTURES / "programme-mini.csv", tmp_path / "grille.csv")
    shutil.copy(FIXTURES / "programme-mini.ics", tmp_path / "agenda.ics")
    shutil.copy(FIXTURES / "schedule-mini.xml", tmp_path / "schedule.xml")
    (tmp_path / "kit.pdf").write_bytes(_pdf(["The fair opens on Tuesday at nine in Hall A."]))
    (tmp_path / "infos.html").write_text("<p>Entrée libre et gratuite pour tous.</p>", "utf-8")
    knowledge = load_folder(tmp_path)
    # The fixtures share a session: the same talk at the same time in the same room is a clash.
    assert {e.file for e in knowledge.errors} == {"grille.csv", "schedule.xml"}
    assert any("overlaps" in e.message for e in knowledge.errors)
    assert set(knowledge.files) == {
        "programme.yaml", "grille.csv", "agenda.ics", "schedule.xml", "kit.pdf", "infos.html",
    }  # fmt: skip
    sources = {p.source.split("#")[0] for p in knowledge.passages}
    assert sources == set(knowledge.files)


def test_csv_separator_comes_from_the_header_row() -> None:
    text = (
        "day,start,end,title,speakers\n"
        '2025-07-01,09:00,10:00,"Opening; welcome","Ana; Jonas"\n'
        "2025-07-01,10:00,11:00,Panel,Youssef\n"
    )
    result = load_csv("p.csv", text, None, "Africa/Casablanca")
    assert result.errors == []
    assert [(s.title, s.speakers) for s in result.sessions] == [
        ("Opening; welcome", ("Ana", "Jonas")),
        ("Panel", ("Youssef",)),
    ]
    assert result.notices == []  # the event's zone was given


def test_html_text_written_straight_in_divs_is_kept() -> None:
    page = (
        "<body><div>Le parking est gratuit.<!-- hidden --><p>Accès par la porte B.</p></div></body>"
    )
    texts = " ".join(p.text for p in read_html("infos.html", page).passages)
    assert "Le parking est gratuit." in texts
    assert "Accès par la porte B." in texts
    assert "hidden" not in texts
