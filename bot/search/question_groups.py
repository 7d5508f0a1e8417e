"""Unanswered questions grouped when they ask the same thing in other words (/unanswered).

Texts are reduced to their content tokens (`bot.search.normalise.tokenize`: folded, stemmed)
and a question joins the group whose tokens it shares most (overlap of the smaller set >= 0.6).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.search.normalise import tokenize, words
from bot.storage.questions import question_rows
from bot.storage.store import Store

SIMILAR = 0.6  # share of the shorter question's tokens found in the group's


@dataclass(slots=True)
class QuestionGroup:
    """Questions asking the same thing; the most frequent wording stands for them."""

    text: str
    count: int
    tokens: set[str]
    variants: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    last_asked: str = ""

    def examples(self, limit: int = 3) -> list[str]:
        """Other wordings, most frequent first."""
        return [text for text, _ in self.variants.most_common() if text != self.text][:limit]


def _key(text: str) -> str:
    """The same wording whatever the case, accents, spacing and punctuation."""
    return " ".join(words(text))


def group_questions(rows: list[tuple[str, str, str]]) -> list[QuestionGroup]:
    """Group (text, language, asked at) rows by similarity; the largest groups first."""
    wordings: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        wordings.setdefault(_key(row[0]), []).append(row)
    groups: list[QuestionGroup] = []
    # Most frequent wordings first: they found the groups the rarer ones join.
    for same in sorted(wordings.values(), key=lambda found: (-len(found), _key(found[0][0]))):
        text = Counter(row[0].strip() for row in same).most_common(1)[0][0]
        tokens = set(tokenize(text)) or {_key(text)}
        group = _best_group(groups, tokens)
        if group is None:
            group = QuestionGroup(text=text, count=0, tokens=set(tokens))
            groups.append(group)
        group.count += len(same)
        group.tokens |= tokens
        group.variants.update(row[0].strip() for row in same)
        group.languages.update(language for _, language, _ in same)
        group.last_asked = max(group.last_asked, *(asked for _, _, asked in same))
    for group in groups:  # the most asked wording stands for the group (the first on ties)
        group.text = group.variants.most_common(1)[0][0]
    return sorted(groups, key=lambda g: (-g.count, g.text))


def _best_group(groups: list[QuestionGroup], tokens: set[str]) -> QuestionGroup | None:
    best, best_score = None, SIMILAR
    for group in groups:
        shared = len(tokens & group.tokens)
        score = shared / min(len(tokens), len(group.tokens))
        if score >= best_score and shared:
            best, best_score = group, score
    return best


async def unanswered(store: Store, limit: int | None = 10) -> list[QuestionGroup]:
    """The most frequent unanswered questions, similar ones grouped."""
    groups = group_questions(await question_rows(store, answered=False))
    return groups if limit is None else groups[:limit]
