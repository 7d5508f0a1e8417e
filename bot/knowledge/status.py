"""Session statuses as organisers and their tools spell them, in English and French."""

from __future__ import annotations

import unicodedata

# Every spelling seen in pretalx, frab, Sessionize, iCalendar and spreadsheets, folded
# (lower case, no accents). A status that means "not happening" becomes cancelled.
_SYNONYMS = {
    "confirmed": "confirmed",
    "confirme": "confirmed",
    "confirmee": "confirmed",
    "accepted": "confirmed",
    "accepte": "confirmed",
    "scheduled": "confirmed",
    "programme": "confirmed",
    "maintenu": "confirmed",
    "ok": "confirmed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "cancel": "cancelled",
    "annule": "cancelled",
    "annulee": "cancelled",
    "withdrawn": "cancelled",
    "retire": "cancelled",
    "retiree": "cancelled",
    "rejected": "cancelled",
    "declined": "cancelled",
    "deleted": "cancelled",
    "supprime": "cancelled",
    "tentative": "tentative",
    "provisional": "tentative",
    "delayed": "tentative",
    "postponed": "tentative",
    "reporte": "tentative",
    "reportee": "tentative",
    "a confirmer": "tentative",
    "tbc": "tentative",
    "tbd": "tentative",
    "provisoire": "tentative",
    "pending": "tentative",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(folded.replace("_", " ").replace("-", " ").split())


def normalise_status(value: str) -> str | None:
    """`canceled`, `Annulé`, `withdrawn` -> `cancelled`; None for a word we do not know."""
    return _SYNONYMS.get(_fold(value))
