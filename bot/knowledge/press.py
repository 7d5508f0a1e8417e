"""Press material: Markdown and text files split into self-contained passages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain import Passage, PassageKind
from bot.i18n.detect import detect_language

MIN_CHARS = 200  # below this, the next block under the same heading is merged in
MAX_CHARS = 700  # above this, a block is split on sentence boundaries

_SUFFIX_LANGUAGE = re.compile(r"\.([a-z]{2})\.(?:md|markdown|txt)$", re.IGNORECASE)
_FRONT_MATTER_LANG = re.compile(r"^\s*(?:lang|language)\s*:\s*['\"]?([a-zA-Z]{2})\b")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT_RULE = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?؟…])[\"»”)]*\s+")

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>\n]*>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`+([^`]+)`+")
_STRIKE = re.compile(r"~~(.+?)~~")
_QUOTE = re.compile(r"^\s{0,3}>\s?", re.MULTILINE)
_SPACES = re.compile(r"[ \t\u00a0]{2,}")


def clean_markdown(text: str, keep_urls: bool = True) -> str:
    """Turn inline Markdown into plain chat text (links keep their address if asked)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _QUOTE.sub("", text)
    text = _IMAGE.sub(r"\1", text)

    def link(match: re.Match[str]) -> str:
        label, url = match.group(1), match.group(2)
        if not keep_urls or label == url or not url.startswith(("http", "mailto")):
            return label
        return f"{label} ({url})"

    text = _LINK.sub(link, text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1" if keep_urls else "", text)
    text = _HTML_TAG.sub("", text)
    text = _CODE.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _STRIKE.sub(r"\1", text)
    text = text.replace("\\*", "*").replace("\\_", "_").replace("\\#", "#")
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class _Block:
    line: int  # 1-based line of the block's first line
    text: str  # raw Markdown of the block, lines joined with "\n"
    heading: tuple[str, ...]
    is_list_item: bool = False


def file_language(relative: str, text: str) -> tuple[str | None, int]:
    """The language named by the file suffix or front matter, and how many lines to skip."""
    skip = 0
    language: str | None = None
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for index, line in enumerate(lines[1:40], start=1):
            if line.strip() in ("---", "..."):
                skip = index + 1
                break
            match = _FRONT_MATTER_LANG.match(line)
            if match:
                language = match.group(1).lower()
        else:
            language = None  # no closing fence: it was a thematic break, not front matter
    suffix = _SUFFIX_LANGUAGE.search(relative)
    if suffix:
        language = suffix.group(1).lower()
    return language, skip


def _blocks(lines: list[str], first: int) -> list[_Block]:
    """Paragraphs, list items and code blocks, each with its heading path and start line."""
    blocks: list[_Block] = []
    path: list[tuple[int, str]] = []  # (level, title)
    current: list[str] = []
    start = 0
    listed = False
    fenced = False

    def flush() -> None:
        nonlocal current
        if current and any(part.strip() for part in current):
            heading = tuple(title for _, title in path)
            blocks.append(_Block(start, "\n".join(current).strip("\n"), heading, listed))
        current = []

    def set_heading(level: int, title: str) -> None:
        while path and path[-1][0] >= level:
            path.pop()
        cleaned = clean_markdown(title, keep_urls=False)
        if cleaned:
            path.append((level, cleaned))

    for number in range(first, len(lines)):
        line = lines[number]
        lineno = number + 1
        if fenced or _FENCE.match(line):
            if not fenced:
                flush()
                start, listed = lineno, False
            if _FENCE.match(line):
                fenced = not fenced
                continue
            current.append(line)
            continue
        heading = _ATX_HEADING.match(line)
        if heading:
            flush()
            set_heading(len(heading.group(1)), heading.group(2))
            continue
        setext = _SETEXT_RULE.match(line)
        if setext and len(current) == 1 and not listed and current[0].strip():
            title = current.pop()
            set_heading(1 if setext.group(1).startswith("=") else 2, title)
            continue
        if _TABLE_RULE.match(line) and current:
            continue  # the rule under a table's header row
        if not line.strip() or _THEMATIC_BREAK.match(line):
            flush()
            continue
        if _LIST_ITEM.match(line):
            flush()
            start, listed = lineno, True
        elif not current:
            start, listed = lineno, False
        current.append(line)
    flush()
    return blocks


def _sentences(block: _Block) -> list[tuple[int, str]]:
    """Split an over-long block at sentence ends into pieces of at most MAX_CHARS."""
    text = block.text
    ends = [match.end() for match in _SENTENCE_END.finditer(text)] + [len(text)]
    spans: list[tuple[int, int]] = []
    start = 0
    for end in ends:
        while end - start > MAX_CHARS:  # a run-on sentence: cut at a space
            cut = text.rfind(" ", start, start + MAX_CHARS)
            cut = cut if cut > start + MAX_CHARS // 2 else start + MAX_CHARS
            spans.append((start, cut))
            start = cut
        if end > start:
            spans.append((start, end))
        start = end
    packed: list[tuple[int, int]] = []
    for span_start, span_end in spans:
        if packed and span_end - packed[-1][0] <= MAX_CHARS:
            packed[-1] = (packed[-1][0], span_end)
        else:
            packed.append((span_start, span_end))
    return [
        (block.line + text.count("\n", 0, begin), text[begin:finish])
        for begin, finish in packed
        if text[begin:finish].strip()
    ]


def _plain(raw: str) -> str:
    """Clean a block onto readable lines: list items and table rows keep their own line."""
    out: list[str] = []
    for line in raw.split("\n"):
        row = line.strip().startswith("|")
        if row:
            line = " · ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
        item = _LIST_ITEM.match(line)
        if item and item.group(0).strip() in "-*+":
            line = "• " + line[item.end() :]
        cleaned = clean_markdown(line)
        if not cleaned:
            continue
        if out and not (row or item):
            out[-1] += " " + cleaned
        else:
            out.append(cleaned)
    return "\n".join(out)


def _same_language(first: str, second: str, fallback: str) -> bool:
    return detect_language(first, fallback) == detect_language(second, fallback)


def split_press(relative: str, text: str) -> list[Passage]:
    """Split a Markdown or text file into passages of roughly 200-700 characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    declared, skip = file_language(relative, text)
    lines = text.split("\n")
    fallback = declared or detect_language(text, default="fr")
    chunks: list[tuple[int, tuple[str, ...], str]] = []
    for block in _blocks(lines, skip):
        pieces = [(block.line, block.text)] if len(block.text) <= MAX_CHARS else _sentences(block)
        for line, raw in pieces:
            plain = _plain(raw)
            if not plain:
                continue
            last = chunks[-1] if chunks else None
            if (
                last is not None
                and last[1] == block.heading
                and (len(last[2]) < MIN_CHARS or len(plain) < MIN_CHARS // 2)
                and len(last[2]) + len(plain) + 1 <= MAX_CHARS
                # an undeclared file may mix languages: never merge across them
                and (declared or _same_language(last[2], plain, fallback))
            ):
                separator = "\n" if block.is_list_item or raw.lstrip().startswith("|") else " "
                chunks[-1] = (last[0], last[1], last[2] + separator + plain)
            else:
                chunks.append((line, block.heading, plain))
    passages: list[Passage] = []
    used: set[str] = set()
    for line, heading, body in chunks:
        title = heading[-1] if heading else ""
        passage_text = f"{title}\n{body}" if title and title != body else body
        passage_id = f"{relative}:{line}"
        suffix = 1
        while passage_id in used:
            suffix += 1
            passage_id = f"{relative}:{line}.{suffix}"
        used.add(passage_id)
        language = declared or detect_language(passage_text, default=fallback)
        passages.append(
            Passage(
                id=passage_id,
                text=passage_text,
                source=relative,
                line=line,
                kind=PassageKind.PRESS,
                language=language,
                heading=heading,
            )
        )
    return passages
