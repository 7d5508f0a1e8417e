"""The words of a passage answer: the passage itself, where it comes from, or why there is none."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain import Answer, EventInfo, Hit
from bot.i18n import colon, t
from bot.i18n.dates import spell_date_range

# Programme passages of illustrative sessions already say so in their own words.
_MARKED_ILLUSTRATIVE = re.compile(r"illustrati|indicati|توضيح", re.IGNORECASE)


def abstention_text(names: Sequence[str], event: EventInfo | None, language: str) -> str:
    """Why there is no answer (the names the knowledge never mentions), and what it is about."""
    if names:
        quoted = ", ".join(dict.fromkeys(names))
        said = t("abstain_names", language, names=quoted)
    else:
        said = t("abstain", language)
    if event is None:
        return said
    place = t("abstain_place", language, city=event.city) if event.city else ""
    dates = spell_date_range(event.start_date, event.end_date, language)
    name = event.names.get(language) or event.name
    return f"{said} {t('abstain_event', language, event=name, dates=dates, place=place)}"


def answer_text(hits: Sequence[Hit], language: str) -> str:
    """The best passage, marked when illustrative (renderers add the citation: `citation`)."""
    best = hits[0].passage
    text = best.text
    marked = best.language == language and _MARKED_ILLUSTRATIVE.search(text)
    if best.illustrative and not marked:
        text += " " + t("illustrative", language)
    return text


def citation(answer: Answer) -> str:
    """`Sources: file` for the passage an answer rests on; empty when it abstained."""
    if not answer.answered or not answer.hits:
        return ""
    source = answer.hits[0].passage.source
    return f"{t('sources', answer.language)}{colon(answer.language)}{source}"
