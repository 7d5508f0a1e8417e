"""What is embedded for a knowledge base: each passage's text, and short programmes' titles.

A vector's id says which passage it belongs to: the passage's position, or for a session
title's own vector that position plus the number of passages (`passage_of`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain import Passage, PassageKind, Session

# Above this many sessions, a session is embedded without its date, time and room sentences
# (`Passage.search_text`). For a FOSDEM-size programme (943 events) that is a quarter fewer
# tokens, and tokens bound the first index (75.8 s against 90-97 s at load 1-3 here). Smaller
# programmes keep the whole text: on the tuning sets the sentence helped questions in the
# passage's language (rc3-own-words-2 fr 12/12 against 10/12, democon-crosslingual ar 11/11
# against 9/11) and their index is quick anyway (README "Measured figures").
COMPACT_ABOVE_SESSIONS = 300


def search_texts(
    passages: Sequence[Passage], sessions: Mapping[str, Session]
) -> tuple[list[int], list[str]]:
    """What to embed: every passage once, the vector's id being the passage's position; and in a
    programme of at most COMPACT_ABOVE_SESSIONS sessions, each session passage's title alone,
    under the passage's position plus the number of passages (`Retriever.dense_from`).

    A question in other words than a long passage is often closer to the title alone: on the
    tuning sets PyConFR 2025 hit@1 went 0.84 -> 0.89 (cross-lingual) and 0.90 -> 0.95 (near
    domain), refusals unchanged everywhere, at 93 short texts more to embed; rc3-own-words-2
    lost one question at rank 1 and event-heldout one at rank 3 (a German title worded as a
    question drew French questions), and a foil-based penalty for such titles undid the gains
    as well as the losses. Not for bigger
    programmes, whose first index the tokens bound (FOSDEM's 943 titles: about a sixth more).
    A second vector for the rest of a long description was measured too: it doubled FOSDEM's
    tokens and found nothing more on dev.jsonl and rc3.jsonl (README "Measured figures")."""
    compact = len(sessions) > COMPACT_ABOVE_SESSIONS
    texts = [(passage.search_text if compact else "") or passage.text for passage in passages]
    ids = list(range(len(passages)))
    if compact:
        return ids, texts
    for position, passage in enumerate(passages):
        session = sessions.get(passage.session_id or "")
        if passage.kind is PassageKind.SESSION and session is not None and session.title:
            ids.append(len(passages) + position)
            texts.append(session.title)
    return ids, texts


def passage_of(vector_id: int, passages: int) -> int:
    """The position of the passage a vector id of `search_texts` belongs to."""
    return vector_id - passages if vector_id >= passages else vector_id
