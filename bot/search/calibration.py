"""What retrieval is tuned by: the knobs of ranking and abstention, calibrated per embedding
model, and what the dense side embeds of each passage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain import Passage, Session


@dataclass(frozen=True, slots=True)
class RankingConfig:
    """The knobs of ranking and abstention, measured on the tuning sets (benchmarks/)."""

    candidates: int = 100  # per retriever, before fusion
    dense_weight: float = 0.8  # fusion: weight of min-max normalised dense scores
    lexical_weight: float = 0.2  # fusion: weight of BM25 scores relative to the best one
    language_bonus: float = 0.03  # prefer the question's language among near-equals
    title_bonus: float = 0.5  # a session whose title the question contains goes first
    intent_weight: float = 0.3  # BM25 weight of "where"/"when" expansion words
    translation_weight: float = 0.5  # BM25 weight of the lexicon's translations (lexicon.py)
    fusion: str = "weighted"  # or "rrf" (reciprocal rank fusion)
    rrf_k: int = 60
    # Abstention, on the dense model's own cosine scale: below the floor nothing is relevant;
    # above it, the best passage must not lose to the best off-topic foil by more than the margin.
    answer_floor: float = 0.75
    foil_margin: float = -0.03
    # The margin a passage needs grows with the share of the question the knowledge never
    # mentions (a dentist on call close by: dentist and call are not in it).
    unknown_weight: float = 0.06
    # ... for questions of at least this many content words: shorter ones are mostly colloquial
    # or misspelt (a two-word question typed in SMS spelling), their unknown words say little.
    unknown_min_words: int = 4
    # A question in a language the knowledge has almost no passage in (Arabic over a French
    # programme) is matched across languages, where foils score as low as passages: it also
    # needs this much on its own (0: no such floor).
    foreign_floor: float = 0.0
    # A question with this few words of its own (a bare where, one topic word) is about the event:
    # its name is added to what the dense side encodes, and when every one of its words occurs
    # in the knowledge it is answered even if a foil is as close.
    short_question: int = 2


# Floor and margin per model, swept by benchmarks/calibrate.py on the tuning sets only (dev,
# rc3, event-extra*, *-own-words*, tune/); names the knowledge never mentions refuse first.
MODEL_CONFIGS: dict[str, RankingConfig] = {
    "e5-small-q4": RankingConfig(foreign_floor=0.79),
    "use-multilingual-v3": RankingConfig(answer_floor=0.0, foil_margin=-0.23),
    "all-MiniLM-L6-v2": RankingConfig(answer_floor=0.2, foil_margin=-0.18),
    "test-hashing": RankingConfig(answer_floor=0.1, foil_margin=-0.05),
}


def config_for(model: str) -> RankingConfig:
    """The ranking configuration calibrated for this embedding model (defaults otherwise)."""
    return MODEL_CONFIGS.get(model, RankingConfig(answer_floor=0.3, foil_margin=-0.05))


# Above this many sessions, a session is embedded without its date, time and room sentences
# (`Passage.search_text`). For a FOSDEM-size programme (943 events) that is a quarter fewer
# tokens, and tokens bound the first index (75.8 s against 90-97 s at load 1-3 here). Smaller
# programmes keep the whole text: on the tuning sets the sentence helped questions in the
# passage's language (rc3-own-words-2 fr 12/12 against 10/12, democon-crosslingual ar 11/11
# against 9/11) and their index is quick anyway (docs/measurements.md).
COMPACT_ABOVE_SESSIONS = 300


def search_texts(
    passages: Sequence[Passage], sessions: Mapping[str, Session]
) -> tuple[list[int], list[str]]:
    """What to embed: every passage once (the vector carries the passage's position as its id).

    A session's passage shows the start of its description. A second vector for the rest of a
    long description used to be added: it doubled the tokens to embed for a FOSDEM-size
    programme and found nothing more on dev.jsonl and rc3.jsonl (docs/measurements.md).
    A vector for each session's title alone was measured too: PyConFR 2025's tuning sets gained
    (hit@1 0.84 -> 0.89), but a set written afterwards (tune/pyconfr-2025-paraphrase) lost
    Arabic hit@3 11/15 -> 8/15: a short title sharing one Latin word with an Arabic question
    (Django) outranked the session it was about."""
    compact = len(sessions) > COMPACT_ABOVE_SESSIONS
    texts = [(passage.search_text if compact else "") or passage.text for passage in passages]
    return list(range(len(passages))), texts
