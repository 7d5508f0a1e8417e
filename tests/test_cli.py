"""The command line end to end, as a subprocess, on a temporary folder with the fake embedder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]  # this checkout's `bot`, not another one installed
KNOWLEDGE = """## Dates et lieu

Le festival du livre de Tanger a lieu du 3 au 5 octobre 2025 au palais Moulay Hafid, avec des
lectures, des rencontres d'auteurs et des ateliers d'écriture ouverts à tous les publics.

## Invités

La romancière invitée d'honneur est Leïla Benali ; elle présentera son nouveau roman le samedi
4 octobre à 18 heures dans la grande salle, suivi d'une séance de dédicaces en librairie.
"""


def cli_env(knowledge: Path, data: Path) -> dict[str, str]:
    """The environment of `python -m bot` over a folder, this checkout's code, the fake model."""
    return {
        **os.environ,
        "KNOWLEDGE_DIR": str(knowledge),
        "DATA_DIR": str(data),
        "EMBEDDING_MODEL": "test-hashing",
        "PYTHONWARNINGS": "ignore",
        "PYTHONPATH": str(ROOT),
    }


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "festival.fr.md").write_text(KNOWLEDGE, encoding="utf-8")
    return cli_env(knowledge, tmp_path / "data")


def run(
    env: dict[str, str], cwd: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_ask_json_batch_from_stdin(env: dict[str, str], tmp_path: Path) -> None:
    questions = "Qui est l'invitée d'honneur Leïla Benali ?\nQuelles sont les dates du festival ?\n"
    result = run(env, tmp_path, "ask", "--json", "--top-k", "2", stdin=questions)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2  # one JSON object per question, nothing else on stdout
    answers = [json.loads(line) for line in lines]
    assert [a["question"] for a in answers] == questions.splitlines()
    for answer in answers:
        assert {"question", "answered", "answer", "passages"} <= set(answer)  # may grow
        assert (answer["past"], answer["past_note"]) == (None, "")  # no event: nothing over
        assert isinstance(answer["answered"], bool)
        assert answer["answer"]
        assert len(answer["passages"]) == 2
        for passage in answer["passages"]:
            assert set(passage) == {"text", "source", "score"}
            assert passage["source"] == "festival.fr.md"
    assert "Leïla Benali" in answers[0]["passages"][0]["text"]
    assert "3 au 5 octobre" in answers[1]["passages"][0]["text"]


def test_ask_argument_and_warm_index(env: dict[str, str], tmp_path: Path) -> None:
    first = run(env, tmp_path, "index")
    assert first.returncode == 0, first.stderr
    assert "2 embedded" in first.stdout
    again = run(env, tmp_path, "index")
    assert "up to date" in again.stdout
    result = run(env, tmp_path, "ask", "--json", "dédicaces", "de", "Leïla", "Benali")
    assert result.returncode == 0, result.stderr
    (answer,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert answer["question"] == "dédicaces de Leïla Benali"
    assert answer["answered"] is True


def test_chat_answers_until_quit(env: dict[str, str], tmp_path: Path) -> None:
    result = run(env, tmp_path, "chat", stdin="Leïla Benali dédicaces\n/quit\nnot read\n")
    assert result.returncode == 0, result.stderr
    assert "Leïla Benali" in result.stdout
    assert "festival.fr.md" in result.stdout


def test_chat_ends_on_end_of_input(env: dict[str, str], tmp_path: Path) -> None:
    result = run(env, tmp_path, "chat", stdin="")
    assert result.returncode == 0, result.stderr


def test_a_wrong_embedding_model_is_explained_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.app.cli import main

    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "a.fr.md").write_text("## Dates\n\nLe forum a lieu en mars.\n", "utf-8")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path / "k"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("EMBEDDING_MODEL", str(tmp_path / "no-such-model"))
    assert main(["ask", "quand ?"]) == 2
    err = capsys.readouterr().err
    assert "EMBEDDING_MODEL" in err
    assert "Traceback" not in err
