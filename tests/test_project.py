"""The project's outer shell: Dockerfile, Makefile and CI agree, and the Dockerfile lints clean."""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run(
        [hadolint, "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_pins_the_same_torch_as_the_makefile() -> None:
    constraints = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    pin = re.search(r"^torch==([\d.]+)$", constraints, re.MULTILINE)
    assert pin, "constraints.txt must pin torch"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert f'"torch=={pin.group(1)}"' in dockerfile
    assert "download.pytorch.org/whl/cpu" in dockerfile  # the CPU build, not CUDA
    assert "constraints.txt" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_dockerfile_runs_what_the_cli_offers() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    from bot.app.cli import build_parser

    actions = build_parser()._actions
    [subcommands] = [a for a in actions if isinstance(a, argparse._SubParsersAction)]
    commands = set(subcommands.choices)
    for used in re.findall(r'"-m", "bot", "(\w+)"', dockerfile):
        assert used in commands
    assert re.search(r"^USER \d+$", dockerfile, re.MULTILINE), "must not run as root"
    assert "VOLUME" in dockerfile
    assert "HEALTHCHECK" in dockerfile


def test_makefile_and_ci_offer_the_contract_targets() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("venv", "run", "test"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


SQL = re.compile(
    r"\b(SELECT|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+(OR\s+\w+\s+)?\w+\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(TABLE|INDEX)|PRAGMA)\b"
)


def sql_outside_storage(package: Path) -> list[str]:
    """`file:line` of every string literal with SQL in it, outside `bot/storage/`."""
    found: list[str] = []
    for path in sorted(package.rglob("*.py")):
        if (package / "storage") in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL.search(node.value)
            ):
                found.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    return found


def test_only_storage_writes_sql() -> None:
    assert sql_outside_storage(ROOT / "bot") == []


def test_the_sql_check_finds_sql(tmp_path: Path) -> None:
    package = tmp_path / "bot"
    (package / "storage").mkdir(parents=True)
    (package / "storage" / "rows.py").write_text('Q = "SELECT 1"\n', encoding="utf-8")
    (package / "rows.py").write_text(
        'A = "select a session"\nB = ("INSERT OR IGNORE INTO t"\n     " VALUES (1)")\n'
        'C = f"UPDATE t SET x = {1}"\n',
        encoding="utf-8",
    )
    assert sql_outside_storage(package) == ["bot/rows.py:2", "bot/rows.py:4"]
