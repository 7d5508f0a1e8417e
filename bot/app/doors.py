"""QR codes for room doors and session posters: `python -m bot qr --out DIR`.

Each code is a deep link into the bot (`/start room_<ref>`: now and next in this room;
`/start s_<ref>`: the session's card), written as a PNG (Pillow) and an SVG (segno), with the
room's or session's name printed under it, plus `print.html`: one code per A4 page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from bot.domain import KnowledgeBase
from bot.i18n.dates import spell_short_date, spell_time_range
from bot.telegram.render import deep_link, short_ref
from bot.telegram.rooms import room_link, room_ref, rooms_of

SCALE = 16  # pixels per module in the PNG: about 7 cm wide at 300 dpi for a 41-module code
BORDER = 4  # the quiet zone QR readers need, in modules
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
)
LABEL_CHARS = 28  # characters per label line before wrapping
LABEL_LINES = 4


@dataclass(frozen=True, slots=True)
class Door:
    """One code to print: its file stem, its link and the lines under it."""

    stem: str  # rooms/<ref> or sessions/<ref>
    url: str
    label: tuple[str, ...]


def doors(knowledge: KnowledgeBase, bot_username: str, zone: tzinfo, language: str) -> list[Door]:
    """A code per room, then per session (programme order)."""
    found = [
        Door(f"rooms/{room_ref(room)}", room_link(bot_username, room), (room,))
        for room in rooms_of(knowledge)
    ]
    for session in sorted(knowledge.sessions.values(), key=lambda s: (s.start, s.title)):
        start, end = session.start.astimezone(zone), session.end.astimezone(zone)
        when = f"{spell_short_date(start.date(), language)} {spell_time_range(start, end)}"
        detail = f"{when} · {session.room}" if session.room else when
        stem = f"sessions/{short_ref(session.id)}"
        found.append(Door(stem, deep_link(bot_username, session), (session.title, detail)))
    return found


def wrap(lines: Sequence[str], width: int = LABEL_CHARS, limit: int = LABEL_LINES) -> list[str]:
    """Label lines wrapped at word boundaries, at most `limit` of them (the last one cut)."""
    out: list[str] = []
    for text in lines:
        current = ""
        for word in text.split():
            if current and len(current) + 1 + len(word) > width:
                out.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        if current:
            out.append(current)
    if len(out) > limit:
        out = [*out[: limit - 1], out[limit - 1][: width - 1] + "…"]
    return out


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_FILES:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def png_image(door: Door) -> Image.Image:
    """The code as a black-on-white image with its label centred underneath."""
    matrix = segno.make(door.url, error="m").matrix
    side = (len(matrix) + 2 * BORDER) * SCALE
    lines = wrap(door.label)
    font = _font(SCALE * 3)
    line_height = SCALE * 4
    modules = Image.new("L", (len(matrix), len(matrix)), 255)
    modules.putdata([0 if dark else 255 for row in matrix for dark in row])
    code = modules.resize((len(matrix) * SCALE,) * 2, Image.Resampling.NEAREST)
    image = Image.new("L", (side, side + line_height * len(lines) + SCALE * 2), 255)
    image.paste(code, (BORDER * SCALE, BORDER * SCALE))
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        top = side + number * line_height
        draw.text((side / 2, top), line, fill=0, font=font, anchor="ma")
    return image


def svg_text(door: Door) -> str:
    """The code as SVG (modules as one path) with its label as text a browser shapes."""
    matrix = segno.make(door.url, error="m").matrix
    side = len(matrix) + 2 * BORDER
    lines = wrap(door.label)
    height = side + 2 * len(lines) + 1
    path = "".join(
        f"M{x + BORDER} {y + BORDER}h1v1h-1z"
        for y, row in enumerate(matrix)
        for x, dark in enumerate(row)
        if dark
    )
    texts = "".join(
        f'<text x="{side / 2}" y="{side + 1.5 + 2 * n}" font-size="1.5" text-anchor="middle"'
        f' font-family="DejaVu Sans, Arial, sans-serif" font-weight="bold">'
        f"{html.escape(line)}</text>"
        for n, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {height}"'
        f' width="{side * 5}mm" height="{height * 5}mm">'
        f'<rect width="{side}" height="{height}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/>{texts}</svg>\n'
    )


def print_sheet(written: Sequence[Door]) -> str:
    """An HTML page showing one code per printed page (the browser's Print to paper or PDF)."""
    pages = "\n".join(
        f'<section><img src="{html.escape(door.stem)}.svg" alt="{html.escape(door.url)}"></section>'
        for door in written
    )
    return (
        "<!doctype html>\n<meta charset=utf-8><title>QR codes</title>\n"
        "<style>@page{size:A4;margin:15mm}section{page-break-after:always;text-align:center}"
        "img{width:160mm;max-height:250mm}</style>\n" + pages + "\n"
    )


def write_doors(
    knowledge: KnowledgeBase, bot_username: str, out: Path, zone: tzinfo, language: str
) -> list[Door]:
    """Write every room's and session's PNG and SVG under `out`, and `print.html`."""
    written = doors(knowledge, bot_username, zone, language)
    for folder in ("rooms", "sessions"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for door in written:
        png_image(door).save(out / f"{door.stem}.png", dpi=(300, 300))
        (out / f"{door.stem}.svg").write_text(svg_text(door), encoding="utf-8")
    (out / "print.html").write_text(print_sheet(written), encoding="utf-8")
    return written
