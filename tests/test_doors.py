"""QR codes for doors: files per room and per session, the right links, and what they open."""

from __future__ import annotations

from pathlib import Path

import pytest
import segno
from PIL import Image

from bot.app.cli import main
from bot.app.doors import BORDER, SCALE, doors, write_doors
from bot.clock import frozen_at
from bot.i18n import t
from bot.telegram.rooms import resolve_room, room_ref
from tests.fake_botapi import FakeBotApi
from tests.offline_bot import DAY1, ZONE, at, offline_bot, sample_knowledge

REPO = Path(__file__).resolve().parents[1]


def test_room_refs_are_readable_stable_and_resolve_back() -> None:
    knowledge = sample_knowledge()
    assert room_ref("Salle plénière") == "salle-pleniere"
    assert room_ref("Espace démonstrations 2") == "espace-demonstrations-2"
    assert room_ref("القاعة الكبرى").startswith("_")  # no ASCII: a hash, still a valid payload
    assert resolve_room(knowledge, "salle-1") == "Salle 1"
    assert resolve_room(knowledge, "salle-9") is None


def test_one_png_and_svg_per_room_and_session_each_a_deep_link(tmp_path: Path) -> None:
    knowledge = sample_knowledge()
    written = write_doors(knowledge, "assises_bot", tmp_path, ZONE, "fr")
    rooms = [door for door in written if door.stem.startswith("rooms/")]
    assert [door.url for door in rooms] == [
        f"https://t.me/assises_bot?start=room_salle-{n}" for n in range(3)
    ]
    assert len(written) == len(rooms) + len(knowledge.sessions)
    for door in written:
        assert (tmp_path / f"{door.stem}.png").is_file()
        assert (tmp_path / f"{door.stem}.svg").is_file()
    session = next(door for door in written if door.stem == "sessions/d2-gov")
    assert session.url == "https://t.me/assises_bot?start=s_d2-gov"
    svg = (tmp_path / "sessions/d2-gov.svg").read_text(encoding="utf-8")
    assert "Gouvernance mondiale de" in svg
    assert "<path d=" in svg
    sheet = (tmp_path / "print.html").read_text(encoding="utf-8")
    assert sheet.count("<section>") == len(written)


def test_the_png_holds_the_code_segno_made_for_the_link(tmp_path: Path) -> None:
    door = doors(sample_knowledge(), "assises_bot", ZONE, "fr")[0]
    write_doors(sample_knowledge(), "assises_bot", tmp_path, ZONE, "fr")
    image = Image.open(tmp_path / f"{door.stem}.png").convert("L")
    matrix = segno.make(door.url, error="m").matrix
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            centre = ((x + BORDER) * SCALE + SCALE // 2, (y + BORDER) * SCALE + SCALE // 2)
            assert (image.getpixel(centre) == 0) == bool(dark), (x, y)
    # The label is drawn under the code: dark pixels below the quiet zone.
    below = image.crop((0, (len(matrix) + 2 * BORDER) * SCALE, image.width, image.height))
    assert below.getextrema()[0] == 0


def test_the_command_writes_the_shipped_programme_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(REPO / "knowledge"))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("BOT_USERNAME", raising=False)
    assert main(["qr", "--out", str(tmp_path / "codes")]) == 2
    assert "BOT_USERNAME" in capsys.readouterr().err

    monkeypatch.setenv("BOT_USERNAME", "@assises_bot")
    assert main(["qr", "--out", str(tmp_path / "codes")]) == 0
    assert "salle-pleniere.png" in {p.name for p in (tmp_path / "codes/rooms").iterdir()}
    assert "@assises_bot" in capsys.readouterr().out


def test_without_a_username_the_token_asks_telegram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(REPO / "knowledge"))
    monkeypatch.delenv("BOT_USERNAME", raising=False)
    with FakeBotApi() as api:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", api.token)
        monkeypatch.setenv("TELEGRAM_API_URL", api.base_url)
        assert main(["qr", "--out", str(tmp_path / "codes")]) == 0
        username = api.bot_user["username"]
    sheet = (tmp_path / "codes/print.html").read_text(encoding="utf-8")
    assert f"https://t.me/{username}?start=room_salle-1" in sheet


async def test_a_door_code_opens_now_and_next_in_that_room(tmp_path: Path) -> None:
    async with offline_bot(tmp_path) as bot:
        with frozen_at(at(DAY1, 10, 5)):
            await bot.text("/start room_salle-2")
        page = bot.replies()[-1]
        assert "Salle 2" in page
        assert t("now_title", "fr") in page
        now_line, _, later = page.partition(t("room_next_title", "fr"))
        assert "Session 2 " in now_line  # 10:00-10:29 in Salle 2
        assert "Session 5 " in later  # 11:30 in Salle 2
        assert "Session 3 " not in page  # Salle 0
        await bot.text("/start room_nowhere")
        assert bot.replies()[-1] == t("room_unknown", "fr")
        assert bot.errors == []
