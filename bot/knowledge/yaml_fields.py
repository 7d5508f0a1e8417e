"""Reading fields of a composed YAML mapping while keeping each field's line for errors."""

from __future__ import annotations

import datetime as dt
import re
from datetime import date, time

import yaml
from yaml.composer import ComposerError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.domain import KnowledgeError
from bot.knowledge.reading import MAX_ALIASES, MAX_DEPTH

Texts = dict[str, str]  # language -> text; "" is the key of a plain string
_TIME = re.compile(r"^(\d{1,2})\s*[:hH.]\s*(\d{2})$")
_NULL = "tag:yaml.org,2002:null"
_NOT_TEXT = {
    "tag:yaml.org,2002:int": "the number",
    "tag:yaml.org,2002:float": "the number",
    "tag:yaml.org,2002:bool": "the value",
}
LATE_HOURS = 6  # an end at 24:00-29:59, or before 06:00 after a late start, is the next day


class BoundedLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses deep nesting and alias bombs while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.aliases = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Compose one node, counting nesting and aliases (mark: where the limit was hit)."""
        mark = self.peek_event().start_mark
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise ComposerError(None, None, f"more than {MAX_ALIASES} aliases", mark)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ComposerError(None, None, f"nested too deeply (over {MAX_DEPTH} levels)", mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class FieldReader:
    """Reads one YAML mapping by key, reporting problems with the line of the field."""

    def __init__(self, node: MappingNode, relative: str, errors: list[KnowledgeError]) -> None:
        self.relative, self.errors, self.line = relative, errors, node_line(node)
        self.fields: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):  # never str() it: an alias bomb hides there
                self.error(node_line(key), "a key must be a plain name, not a list or mapping")
                continue
            name = str(key.value)
            if name in self.fields:
                self.error(node_line(key), f'duplicate key "{name}"')
            self.fields[name] = (key, value)

    def error(self, line: int, message: str) -> None:
        self.errors.append(KnowledgeError(self.relative, line, message))

    def line_of(self, name: str) -> int:
        return node_line(self.fields[name][0]) if name in self.fields else self.line

    def node(self, name: str) -> Node | None:
        pair = self.fields.get(name)
        if pair is None or (isinstance(pair[1], ScalarNode) and pair[1].tag == _NULL):
            return None
        return pair[1]

    def items(self, key: str) -> list[MappingNode]:
        """The mappings of a list field; anything else in it is reported."""
        node = self.node(key)
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self.error(self.line_of(key), f'"{key}" must be a list')
            return []
        for item in node.value:
            if not isinstance(item, MappingNode):
                self.error(node_line(item), f"each entry of {key} must be a mapping of fields")
        return [item for item in node.value if isinstance(item, MappingNode)]

    def scalar(self, name: str) -> str | None:
        node = self.node(name)
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.error(self.line_of(name), f'"{name}" must be a single value')
            return None
        return str(node.value).strip()

    def texts(self, name: str) -> Texts:
        """A plain string (key "") or a {language: text} mapping."""
        node = self.node(name)
        if node is None:
            return {}
        if isinstance(node, ScalarNode):
            return {"": str(node.value).strip()} if str(node.value).strip() else {}
        if isinstance(node, MappingNode):
            texts = {
                str(key.value).strip().lower(): str(value.value).strip()
                for key, value in node.value
                if isinstance(key, ScalarNode) and isinstance(value, ScalarNode)
            }
            if len(texts) == len(node.value):
                return {lang: text for lang, text in texts.items() if text}
        self.error(self.line_of(name), f'"{name}" must be a text or a {{fr: ..., en: ...}} map')
        return {}

    def strings(self, name: str) -> list[str]:
        node = self.node(name)
        if isinstance(node, ScalarNode) and node.tag in _NOT_TEXT:
            what = f"{_NOT_TEXT[node.tag]} {node.value}"
            self.error(self.line_of(name), f'"{name}" must be names (a text or a list), not {what}')
            return []
        if isinstance(node, MappingNode):
            self.error(self.line_of(name), f'"{name}" must be a text or a list, not a mapping')
            return []
        if isinstance(node, ScalarNode):
            return [part.strip() for part in str(node.value).split(",") if part.strip()]
        if isinstance(node, SequenceNode):
            values = [
                str(item.value).strip() for item in node.value if isinstance(item, ScalarNode)
            ]
            return [value for value in values if value]
        return []

    def flag(self, name: str) -> bool:
        value = self.scalar(name)
        return value is not None and value.lower() in ("true", "yes", "on", "1")

    def date(self, name: str) -> date | None:
        value = self.scalar(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.error(self.line_of(name), f'bad date "{value}" (expected YYYY-MM-DD)')
            return None

    def time(self, name: str, owner: str) -> time | None:
        clock = self.clock(name, owner, late=False)
        return clock[0] if clock else None

    def clock(self, name: str, owner: str, late: bool = True) -> tuple[dt.time, int] | None:
        """A time and the days it is after the session's day (`24:30` is 00:30, one day on)."""
        value = self.scalar(name)
        if value is None:
            self.error(self.line, f'{owner}: missing required field "{name}"')
            return None
        match = _TIME.match(value)
        hour = int(match.group(1)) if match else 99
        if match and int(match.group(2)) < 60:
            if hour < 24:
                return time(hour, int(match.group(2))), 0
            if late and hour < 24 + LATE_HOURS:
                return time(hour - 24, int(match.group(2))), 1
        self.error(self.line_of(name), f'{owner}: bad time "{value}" (expected HH:MM)')
        return None


def node_line(node: Node) -> int:
    """The 1-based line where a YAML node starts."""
    return int(node.start_mark.line) + 1


def pick(texts: Texts, languages: tuple[str, ...]) -> str:
    """The text in the first available of these languages, else any."""
    for lang in (*languages, "", "fr", "en"):
        if texts.get(lang):
            return texts[lang]
    return next(iter(texts.values()), "")


def localised(texts: Texts, languages: tuple[str, ...]) -> Texts:
    """Name a plain string's language: it belongs to the event's first language."""
    return {(lang or languages[0]): text for lang, text in texts.items()}
