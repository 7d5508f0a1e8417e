"""The project's outer shell: Dockerfile, Makefile and CI agree, and the Dockerfile lints clean."""

from __future__ import annotations

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

    commands = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
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
