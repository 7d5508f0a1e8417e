"""The knowledge folder: press splitting, scanning, merging, cross-file checks, broken files."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

from bot.domain import PassageKind
from bot.knowledge.folder import load_file, load_folder, load_folder_files, scan_folder
from bot.knowledge.press import MAX_CHARS, clean_markdown, split_press

FIXTURE = Path(__file__).parent / "fixtures" / "schedule-mini.json"

PRESS = textwrap.dedent(
    """\
    # Les Assises

    Intro courte.

    ## Dates et lieu

    Les Assises se tiennent à **Rabat** les 1er et 2 juillet 2025, voir [le site](https://example.ma).

    - premier point
    - second point

    ## Un long paragraphe

    """
) + " ".join(
    f"Phrase numéro {n} de ce très long paragraphe sur l'intelligence artificielle."
    for n in range(20)
)

EVENT = textwrap.dedent(
    """\
    event:
      name: Conf
      start_date: 2025-07-01
      end_date: 2025-07-02
      timezone: Africa/Casablanca
    verticals:
      - id: sante
        name: {fr: Santé, en: Health}
    sessions:
      - id: s1
        title: Ouverture
        day: 1
        start: "09:00"
        end: "10:00"
        room: Salle A
    """
)


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_markdown_passages_keep_file_line_and_heading() -> None:
    passages = split_press("presse/faits.md", PRESS)
    first, dates, *long = passages
    assert (first.line, first.heading, first.text) == (
        3,
        ("Les Assises",),
        "Les Assises\nIntro courte.",
    )
    assert dates.line == 7
    assert dates.heading == ("Les Assises", "Dates et lieu")
    assert dates.text == (
        "Dates et lieu\nLes Assises se tiennent à Rabat les 1er et 2 juillet 2025, voir le site "
        "(https://example.ma).\n• premier point\n• second point"
    )  # short paragraph and list items merged under their heading, markup cleaned
    assert len(long) >= 2
    assert all(p.line == 14 and p.heading[-1] == "Un long paragraphe" for p in long)
    assert all(p.text.startswith("Un long paragraphe\nPhrase numéro") for p in long)
    assert all(len(p.text) <= MAX_CHARS + len("Un long paragraphe\n") for p in long)
    assert all(p.kind is PassageKind.PRESS and p.source == "presse/faits.md" for p in passages)
    assert len({p.id for p in passages}) == len(passages)
    assert passages[0].id == "presse/faits.md:3"


def test_long_paragraph_pieces_get_their_own_lines() -> None:
    text = "# T\n\n" + "\n".join(
        f"Line {n} says something rather long, about the topic." * 3 for n in range(12)
    )
    passages = split_press("x.md", text)
    assert len(passages) >= 2
    assert passages[0].line == 3
    assert passages[1].line > 3


def test_clean_markdown() -> None:
    assert clean_markdown("**Gras** et _italique_ `code` [lien](http://a.b)") == (
        "Gras et italique code lien (http://a.b)"
    )
    assert clean_markdown("[lien](http://a.b) ![img](x.png)", keep_urls=False) == "lien img"
    assert clean_markdown("snake_case_name stays") == "snake_case_name stays"


def test_language_from_suffix_front_matter_or_text() -> None:
    assert {p.language for p in split_press("facts.ar.md", "# Title\n\nEnglish words here.")} == {
        "ar"
    }
    front = (
        "---\nlang: en\ntitle: x\n---\n# Titre\n\nLe texte est en français mais déclaré anglais.\n"
    )
    passages = split_press("notes.md", front)
    assert [(p.language, p.line) for p in passages] == [("en", 7)]
    detected = split_press(
        "notes.txt", "Le programme de la journée est riche.\n\nمرحبا بكم في المناظرة الوطنية.\n"
    )
    assert [p.language for p in detected] == ["fr", "ar"]


def test_scan_ignores_hidden_private_readme_and_other_files(tmp_path: Path) -> None:
    for relative in (
        "README.md", "faits.md", "notes.txt", ".hidden.md", "_draft.md", "image.png",
        ".git/config.yaml", "_old/programme.yaml", "sub/README.md", "sub/export.json",
    ):  # fmt: skip
        write(tmp_path, relative, "x")
    assert set(scan_folder(tmp_path)) == {
        "faits.md",
        "notes.txt",
        "sub/README.md",
        "sub/export.json",
    }
    mtime, size = scan_folder(tmp_path)["faits.md"]
    assert size == 1
    assert mtime > 0


def test_missing_or_empty_folder_is_an_error_not_an_exception(tmp_path: Path) -> None:
    missing = load_folder(tmp_path / "nope")
    assert [str(e) for e in missing.errors] == [
        f"{tmp_path / 'nope'}:0: knowledge folder not found"
    ]
    assert missing.passages == []
    empty = load_folder(tmp_path)
    assert [e.line for e in empty.errors] == [0]
    assert "empty" in empty.errors[0].message


def test_folder_merges_press_programme_and_schedule(tmp_path: Path) -> None:
    write(tmp_path, "presse/faits.fr.md", PRESS)
    write(tmp_path, "programme.yaml", EVENT)
    shutil.copy(FIXTURE, tmp_path / "exports.json")
    knowledge, files = load_folder_files(tmp_path)
    assert knowledge.errors == []
    assert set(knowledge.files) == {"presse/faits.fr.md", "programme.yaml", "exports.json"}
    assert knowledge.files["programme.yaml"] == files["programme.yaml"].content_hash
    assert knowledge.event is not None
    assert knowledge.event.name == "Conf"
    assert {"sante", "main-stage", "society-politics"} <= set(knowledge.verticals)
    assert len(knowledge.sessions) == 6
    assert len({p.id for p in knowledge.passages}) == len(knowledge.passages)
    assert {p.kind for p in knowledge.passages} == set(PassageKind)
    assert files["exports.json"].kind == "schedule"


def test_broken_yaml_and_json_are_reported_and_the_rest_keeps_loading(tmp_path: Path) -> None:
    write(tmp_path, "faits.md", PRESS)
    shutil.copy(FIXTURE, tmp_path / "good.json")
    write(tmp_path, "programme.yaml", "event:\n  name: [oops\n  start_date: 2025-07-01\n")
    write(tmp_path, "deep/bad.json", '{\n  "schedule": {\n    "conference": {,\n')
    knowledge = load_folder(tmp_path)
    assert [(e.file, e.line) for e in knowledge.errors] == [
        ("deep/bad.json", 3),
        ("programme.yaml", 3),
    ]
    assert all(str(e).startswith(f"{e.file}:{e.line}: invalid ") for e in knowledge.errors)
    assert len(knowledge.sessions) == 5
    assert any(p.source == "faits.md" for p in knowledge.passages)


def test_foreign_yaml_and_json_and_binary_text(tmp_path: Path) -> None:
    write(tmp_path, "faits.md", PRESS)
    write(tmp_path, "config.yml", "theme: dark\n")
    write(tmp_path, "package.json", '{"name": "x"}')
    (tmp_path / "latin1.txt").write_bytes("ligne un\nligne deux \xe9t\xe9\n".encode("latin-1"))
    messages = [str(e) for e in load_folder(tmp_path).errors]
    assert messages == [
        "config.yml:1: not a programme file (no event, verticals or sessions)",
        "latin1.txt:2: not valid UTF-8 text",
        "package.json:1: not a frab/pretalx schedule (nor schedule v2 or Sessionize JSON)",
    ]


def test_unchanged_files_are_reused(tmp_path: Path) -> None:
    write(tmp_path, "faits.md", PRESS)
    write(tmp_path, "programme.yaml", EVENT)
    _, first = load_folder_files(tmp_path)
    write(tmp_path, "faits.md", PRESS + "\n\nUne phrase ajoutée à la fin du fichier de presse.\n")
    _, second = load_folder_files(tmp_path, first)
    assert second["programme.yaml"] is first["programme.yaml"]
    assert second["faits.md"] is not first["faits.md"]
    assert load_file(tmp_path, "programme.yaml").passages == first["programme.yaml"].passages


def test_a_broken_file_keeps_serving_its_previous_version(tmp_path: Path) -> None:
    write(tmp_path, "programme.yaml", EVENT)
    shutil.copy(FIXTURE, tmp_path / "export.json")
    good, files = load_folder_files(tmp_path)
    write(tmp_path, "programme.yaml", EVENT + "  - id: [broken\n")
    (tmp_path / "export.json").write_text(FIXTURE.read_text()[:500], encoding="utf-8")
    broken, files = load_folder_files(tmp_path, files)
    assert [e.file for e in broken.errors] == ["export.json", "programme.yaml"]
    assert broken.passages == good.passages
    assert set(broken.sessions) == set(good.sessions)
    assert files["programme.yaml"].broken
    # Still broken on the next round: still served, still reported.
    again, files = load_folder_files(tmp_path, files)
    assert again.passages == good.passages
    assert len(again.errors) == 2
    # Without a previous good version, a broken file contributes nothing.
    fresh = load_folder(tmp_path)
    assert fresh.passages == []
    assert len(fresh.errors) == 2
    # Fixed: the new content replaces the old.
    write(tmp_path, "programme.yaml", EVENT.replace("Ouverture", "Séance d'ouverture"))
    fixed, _ = load_folder_files(tmp_path, files)
    assert [e.file for e in fixed.errors] == ["export.json"]
    assert fixed.sessions["s1"].title == "Séance d'ouverture"


def test_split_programme_resolves_event_and_verticals_from_other_files(tmp_path: Path) -> None:
    write(tmp_path, "programme.yaml", EVENT)
    write(
        tmp_path,
        "sessions/jour2.yaml",
        "sessions:\n  - id: s2\n    title: Santé\n    vertical: sante\n    day: 2\n"
        '    start: "09:00"\n    end: "10:00"\n    room: Salle B\n',
    )
    knowledge, files = load_folder_files(tmp_path)
    assert knowledge.errors == []
    assert knowledge.sessions["s2"].start.date().isoformat() == "2025-07-02"
    assert knowledge.sessions["s2"].vertical_id == "sante"
    assert files["sessions/jour2.yaml"].needs_context
    again, _ = load_folder_files(tmp_path, files)
    assert again.passages == knowledge.passages


def test_cross_file_errors_name_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", EVENT)
    write(
        tmp_path,
        "b.yaml",
        textwrap.dedent(
            """\
            event:
              name: Other
              start_date: 2025-07-01
              end_date: 2025-07-02
              timezone: Africa/Casablanca
            verticals:
              - id: sante
                name: Again
            sessions:
              - id: s1
                title: Same id
                day: 1
                start: "11:00"
                end: "12:00"
              - id: clash
                title: Clash
                day: 1
                start: "09:30"
                end: "10:30"
                room: "salle  a"
              - id: lost
                title: Lost
                vertical: nowhere
                day: 1
                start: "13:00"
                end: "14:00"
            """
        ),
    )
    os.utime(tmp_path / "b.yaml", (1_000_000, 1_000_000))  # b is the older copy
    errors = [str(e) for e in load_folder(tmp_path).errors]
    assert errors == [
        'a.yaml:10: duplicate session id "s1": also in b.yaml:10 (older, not used)',
        "b.yaml:1: the event is already declared in a.yaml:1",
        'b.yaml:7: duplicate vertical id "sante" (first in a.yaml:7)',
        'b.yaml:10: duplicate session id "s1": also in a.yaml:10, edited more recently, which wins',
        'b.yaml:15: session "clash" overlaps session "s1" (09:00–10:00) in room "salle  a" '
        "(a.yaml:10)",
        'b.yaml:23: session "lost": unknown vertical "nowhere"',
    ]
