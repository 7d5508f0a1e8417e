"""Press material as PDF, DOCX or a saved web page, split into passages like Markdown.

A PDF passage carries its page as its line (`file:page`); a DOCX one its paragraph number;
an HTML one the line of its element in the page. Headings become the passages' headings.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import replace

from bot.domain import KnowledgeError, Passage
from bot.knowledge.press import split_press
from bot.knowledge.reading import MAX_EXTRACTED_CHARS, Reading

MAX_PAGES = 500  # a press kit is a few dozen pages; past this the rest is left out
_SKIPPED_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "svg")
_LOOSE_TAGS = ("div", "section", "td", "th")
_BLOCK_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "blockquote", "pre", "dd")

log = logging.getLogger(__name__)


def _from_blocks(relative: str, blocks: Iterable[tuple[int, int, str]]) -> Reading:
    """Passages from (line, heading level or 0, text) blocks, each passage at its block's line.

    The blocks become Markdown with a blank line after each, so Markdown line 2k+1 is block k.
    """
    lines: list[int] = []
    markdown: list[str] = []
    total = 0
    notices: list[KnowledgeError] = []
    for line, level, text in blocks:
        text = " ".join(text.split())
        if not text:
            continue
        total += len(text)
        if total > MAX_EXTRACTED_CHARS:
            message = f"only the first {MAX_EXTRACTED_CHARS:,} characters are used: split the file"
            notices.append(KnowledgeError(relative, line, message))
            break
        markdown.append(("#" * level + " " if level else "") + text.replace("#", "\\#"))
        lines.append(line)
    text = "\n\n".join(markdown) + "\n"
    passages: list[Passage] = []
    for passage in split_press(relative, text):
        block = min((passage.line - 1) // 2, len(lines) - 1)
        where = lines[block]
        passages.append(
            replace(passage, id=passage.id.replace(f":{passage.line}", f":{where}", 1), line=where)
        )
    return Reading(passages=_unique(passages), notices=notices)


def _unique(passages: list[Passage]) -> list[Passage]:
    """Several passages at one page or line: keep their ids apart."""
    used: set[str] = set()
    unique: list[Passage] = []
    for passage in passages:
        identifier, suffix = passage.id, 1
        while identifier in used:
            suffix += 1
            identifier = f"{passage.id}.{suffix}"
        used.add(identifier)
        unique.append(replace(passage, id=identifier))
    return unique


def read_pdf(relative: str, data: bytes) -> Reading:
    """Each page's text, its paragraphs at the page's number."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return Reading(
                errors=[KnowledgeError(relative, 0, "encrypted PDF: save it without a password")],
                broken=True,
            )
        pages: list[list[tuple[int, int, str]]] = []
        for number, page in enumerate(reader.pages[:MAX_PAGES], start=1):
            text = (page.extract_text() or "").replace("\r", "\n")
            paragraphs = text.split("\n\n")
            pages.append([(number, 0, p.replace("-\n", "").replace("\n", " ")) for p in paragraphs])
    except (PdfReadError, ValueError, KeyError) as exc:
        return Reading(
            errors=[KnowledgeError(relative, 0, f"not a readable PDF ({exc})")], broken=True
        )
    reading = Reading()
    for blocks in pages:  # page by page, so that no passage straddles two pages
        part = _from_blocks(relative, blocks)
        reading.passages += part.passages
        reading.notices += part.notices
    reading.passages = _unique(reading.passages)
    if not reading.passages:
        message = "no text in this PDF (a scan?): export it with its text, or add a Markdown file"
        reading.notices.append(KnowledgeError(relative, 1, message))
    if len(reader.pages) > MAX_PAGES:
        message = f"only the first {MAX_PAGES} pages are used: split the file"
        reading.notices.append(KnowledgeError(relative, MAX_PAGES, message))
    return reading


def _docx_level(style: str) -> int:
    name = style.lower()
    if name == "title":
        return 1
    for prefix in ("heading ", "titre "):
        if name.startswith(prefix) and name[len(prefix) :].strip().isdigit():
            return min(int(name[len(prefix) :]), 6)
    return 0


def read_docx(relative: str, data: bytes) -> Reading:
    """Paragraphs (headings by their style) and table rows, numbered in document order."""
    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # zipfile and XML errors alike: not a Word document
        message = f"not a readable DOCX document ({type(exc).__name__})"
        return Reading(errors=[KnowledgeError(relative, 0, message)], broken=True)
    blocks: list[tuple[int, int, str]] = []
    for number, paragraph in enumerate(document.paragraphs, start=1):
        style = paragraph.style.name if paragraph.style is not None else ""
        blocks.append((number, _docx_level(style or ""), paragraph.text))
    offset = len(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            offset += 1
            cells = []
            for cell in row.cells:
                if cell.text.strip() and cell.text.strip() not in cells:
                    cells.append(cell.text.strip())
            blocks.append((offset, 0, " · ".join(cells)))
    return _from_blocks(relative, blocks)


def read_html(relative: str, text: str) -> Reading:
    """A saved web page's main text: `<main>` or `<article>` if any, without menus or scripts."""
    from bs4 import BeautifulSoup
    from bs4.element import Comment, NavigableString, Tag

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_SKIPPED_TAGS):
        tag.decompose()
    main = soup.find("main") or soup.find("article") or soup.find(None, {"role": "main"})
    root = main if isinstance(main, Tag) else soup.body or soup
    blocks: list[tuple[int, int, str]] = []
    for element in root.find_all([*_BLOCK_TAGS, *_LOOSE_TAGS]):
        if not isinstance(element, Tag) or element.find_parent(_BLOCK_TAGS[6:]) is not None:
            continue  # a paragraph inside a list item or a table row is read with it
        line = element.sourceline or 1
        if element.name in _LOOSE_TAGS:  # only the text written straight in a <div>
            loose = " ".join(
                str(child)
                for child in element.children
                if isinstance(child, NavigableString) and not isinstance(child, Comment)
            )
            blocks.append((line, 0, loose))
            continue
        level = int(element.name[1]) if element.name[0] == "h" and element.name[1:].isdigit() else 0
        separator = " · " if element.name == "tr" else " "
        blocks.append((line, level, element.get_text(separator, strip=True)))
    if not any(text.strip() for _, _, text in blocks):
        blocks = [(1, 0, root.get_text(" ", strip=True))]
    return _from_blocks(relative, blocks)
