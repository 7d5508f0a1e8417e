"""What organisers do to a folder: copies, backups, clashes, pathological files, odd values."""

from __future__ import annotations

import json
import os
import textwrap
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.cli import main
from bot.knowledge.folder import load_folder, load_folder_files, scan_folder
from bot.knowledge.reading import MAX_ALIASES, MAX_DEPTH, MAX_TEXT_BYTES

CASABLANCA = ZoneInfo("Africa/Casablanca")


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def programme(*sessions: str) -> str:
    head = textwrap.dedent(
        """\
        event:
          name: Conf
          start_date: 2025-07-01
          end_date: 2025-07-02
          timezone: Africa/Casablanca
        sessions:
        """
    )
    return head + "".join(textwrap.indent(textwrap.dedent(s), "  ") for s in sessions)


def session(
    identifier: str, title: str, start: str = "09:00", end: str = "10:00", **more: str
) -> str:
    day = more.pop("day", "1")
    extra = "".join(f"  {key}: {value}\n" for key, value in more.items())
    return (
        f'- id: {identifier}\n  title: "{title}"\n  day: {day}\n  start: "{start}"\n'
        f'  end: "{end}"\n{extra}'
    )


def age(path: Path, seconds: int) -> None:
    moment = path.stat().st_mtime - seconds
    os.utime(path, (moment, moment))


def test_backup_copies_and_lock_files_are_ignored_with_a_notice(tmp_path: Path) -> None:
    write(tmp_path, "programme.yaml", programme(session("s1", "Real")))
    for copy in (
        "programme.old.yaml", "programme (1).yaml", "programme.yaml.bak", "Copy of programme.yaml",
        "~$dossier.md", ".~lock.programme.xlsx#", "programme - Copie.yaml",
    ):  # fmt: skip
        write(tmp_path, copy, programme(session("s1", "Stale copy")))
    knowledge = load_folder(tmp_path)
    assert knowledge.errors == []
    assert knowledge.sessions["s1"].title == "Real"
    assert set(scan_folder(tmp_path)) == {"programme.yaml"}
    ignored = {n.file for n in knowledge.notices if n.message.startswith("ignored: ")}
    assert ignored == {
        "programme.old.yaml", "programme (1).yaml", "programme.yaml.bak",
        "Copy of programme.yaml", "~$dossier.md", ".~lock.programme.xlsx#",
        "programme - Copie.yaml",
    }  # fmt: skip


def test_an_id_in_two_files_is_reported_in_both_and_the_newest_file_wins(tmp_path: Path) -> None:
    old = write(tmp_path, "a-programme.yaml", programme(session("s1", "Old title")))
    write(tmp_path, "sessions/z-update.yaml", "sessions:\n" + session("s1", "New title"))
    age(old, 3600)
    knowledge = load_folder(tmp_path)
    assert knowledge.sessions["s1"].title == "New title"
    assert sorted((e.file, e.line) for e in knowledge.errors) == [
        ("a-programme.yaml", 7),
        ("sessions/z-update.yaml", 2),
    ]
    assert "edited more recently, which wins" in knowledge.errors[0].message
    titles = [p.text for p in knowledge.passages if p.session_id == "s1"]
    assert titles
    assert all("New title" in text for text in titles)
    # The other way round: the older copy never wins, whatever its name.
    age(tmp_path / "sessions/z-update.yaml", 7200)
    assert load_folder(tmp_path).sessions["s1"].title == "Old title"


def test_unsupported_files_are_named_by_validate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "k/faits.md", "# Faits\n\nLe salon ouvre ses portes à neuf heures.\n")
    write(tmp_path, "k/logo.png", "not really a png")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path / "k"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "ignored: logo.png (unsupported type)" in out.splitlines()
    assert "1 notice(s) above" in out


def test_symlinked_folders_are_followed_and_loops_end(tmp_path: Path) -> None:
    outside = tmp_path / "shared-drive"
    write(outside, "presse.md", "# Presse\n\nLe dossier de presse complet de la conférence.\n")
    root = tmp_path / "k"
    write(root, "faits.md", "# Faits\n\nLe salon ouvre ses portes à neuf heures.\n")
    (root / "presse").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    (outside / "back").symlink_to(root, target_is_directory=True)
    assert set(scan_folder(root)) == {"faits.md", "presse/presse.md"}


def test_a_3000_deep_json_is_reported_with_its_line_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "k"
    write(root, "faits.md", "# Faits\n\nLe salon ouvre ses portes à neuf heures.\n")
    write(root, "deep.json", '{"a":\n' + "[" * 3000 + "]" * 3000 + "}\n")
    knowledge = load_folder(root)
    assert [(e.file, e.line) for e in knowledge.errors] == [("deep.json", 2)]
    assert f"nested too deeply (over {MAX_DEPTH} levels)" in knowledge.errors[0].message
    assert knowledge.passages  # the rest keeps answering
    monkeypatch.setenv("KNOWLEDGE_DIR", str(root))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["validate"]) == 1
    assert capsys.readouterr().out.startswith("deep.json:2: nested too deeply")


def test_a_deep_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "deep.yaml", "sessions:\n" + "".join("  " * i + "- \n" for i in range(1, 500)))
    knowledge = load_folder(tmp_path)
    assert len(knowledge.errors) == 1
    error = knowledge.errors[0]
    assert error.file == "deep.yaml"
    assert error.line == MAX_DEPTH + 1
    assert "nested too deeply" in error.message


ALIAS_BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
? *i
: boom
sessions: []
"""


def test_an_alias_bomb_as_a_key_is_reported_in_little_memory(tmp_path: Path) -> None:
    write(tmp_path, "programme.yaml", ALIAS_BOMB)
    tracemalloc.start()
    knowledge = load_folder(tmp_path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50_000_000
    assert [str(e) for e in knowledge.errors] == [
        "programme.yaml:9: a key must be a plain name, not a list or mapping"  # where *i points
    ]


def test_too_many_aliases_are_refused(tmp_path: Path) -> None:
    aliases = ", ".join(["*x"] * (MAX_ALIASES + 1))
    write(tmp_path, "programme.yaml", f"x: &x 1\nsessions: []\nmore: [{aliases}]\n")
    errors = load_folder(tmp_path).errors
    assert [(e.file, e.line) for e in errors] == [("programme.yaml", 3)]
    assert f"more than {MAX_ALIASES} aliases" in errors[0].message


def test_a_file_past_its_limit_is_refused_with_split_it(tmp_path: Path) -> None:
    write(tmp_path, "small.md", "# Faits\n\nLe salon ouvre ses portes à neuf heures.\n")
    write(
        tmp_path,
        "huge.md",
        ("Une phrase de remplissage. " * 40 + "\n\n") * (MAX_TEXT_BYTES // 1000),
    )
    knowledge, files = load_folder_files(tmp_path)
    assert [e.file for e in knowledge.errors] == ["huge.md"]
    assert "too large" in knowledge.errors[0].message
    assert "split it" in knowledge.errors[0].message
    assert files["huge.md"].passages == ()
    assert any(p.source == "small.md" for p in knowledge.passages)


def test_sessions_across_midnight(tmp_path: Path) -> None:
    write(
        tmp_path,
        "programme.yaml",
        programme(
            session("late", "Late show", "22:00", "01:00"),
            session("later", "Later show", "23:00", "24:30", room="B"),
            session("typo", "Backwards", "10:00", "09:00", room="C"),
        ),
    )
    knowledge = load_folder(tmp_path)
    late, later = knowledge.sessions["late"], knowledge.sessions["later"]
    assert late.end == datetime(2025, 7, 2, 1, 0, tzinfo=CASABLANCA)
    assert later.end - later.start == timedelta(minutes=90)
    assert "typo" not in knowledge.sessions
    assert [e.message for e in knowledge.errors] == [
        'session "typo": end 09:00 is not after start 10:00'
    ]


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("canceled", "cancelled"),
        ("Annulé", "cancelled"),
        ("withdrawn", "cancelled"),
        ("à confirmer", "tentative"),
        ("Confirmée", "confirmed"),
    ],
)
def test_status_synonyms(tmp_path: Path, written: str, status: str) -> None:
    write(tmp_path, "programme.yaml", programme(session("s1", "T", status=f'"{written}"')))
    knowledge = load_folder(tmp_path)
    assert knowledge.errors == []
    assert knowledge.sessions["s1"].status == status


def test_wrong_types_are_reported_not_shown(tmp_path: Path) -> None:
    write(tmp_path, "programme.yaml", programme(session("s1", "T", speakers="42", status="maybe")))
    knowledge = load_folder(tmp_path)
    assert [str(e) for e in knowledge.errors] == [
        'programme.yaml:12: "speakers" must be names (a text or a list), not the number 42',
        'programme.yaml:13: session "s1": unknown status "maybe" (confirmed, tentative or '
        "cancelled)",
    ]
    assert knowledge.sessions["s1"].speakers == ()


def test_a_programme_without_any_time_zone_is_warned_about(tmp_path: Path) -> None:
    yaml_only, json_only = tmp_path / "yaml", tmp_path / "json"
    write(yaml_only, "sessions.yaml", "sessions:\n" + session("s1", "T", day="2025-07-01"))
    event = {"title": "X", "start": "2025-07-01", "end": "2025-07-01"}
    talk = {"guid": "g", "title": "T2", "date": "2025-07-01T09:00:00", "duration": "00:30"}
    day = {"date": "2025-07-01", "rooms": {"A": [talk]}}
    export = {"schedule": {"conference": {**event, "days": [day]}}}
    write(json_only, "export.json", json.dumps(export))
    for folder, name in ((yaml_only, "sessions.yaml"), (json_only, "export.json")):
        knowledge = load_folder(folder)
        assert [n.file for n in knowledge.notices] == [name]
        assert "Africa/Casablanca" in knowledge.notices[0].message
    assert load_folder(json_only).sessions["g"].start.tzinfo == CASABLANCA


def test_a_file_grown_past_its_limit_keeps_its_previous_version_serving(tmp_path: Path) -> None:
    path = write(tmp_path, "faits.md", "# Faits\n\nLe salon ouvre ses portes à neuf heures.\n")
    before, files = load_folder_files(tmp_path)
    path.write_text("x " * MAX_TEXT_BYTES, encoding="utf-8")
    after, _ = load_folder_files(tmp_path, files)
    assert [e.file for e in after.errors] == ["faits.md"]
    assert "too large" in after.errors[0].message
    assert after.passages == before.passages
