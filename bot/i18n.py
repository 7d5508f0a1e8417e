"""Every string the assistant writes, in French, English and Arabic."""

from __future__ import annotations

from bot.domain import LANGUAGES

DEFAULT_LANGUAGE = "fr"

MESSAGES: dict[str, dict[str, str]] = {
    "abstain": {
        "fr": "Je n'ai rien trouvé de fiable sur ce sujet dans les informations de l'événement.",
        "en": "I could not find anything reliable about this in the event's information.",
        "ar": "لم أجد معلومات موثوقة حول هذا الموضوع في معطيات الحدث.",
    },
    "sources": {"fr": "Sources", "en": "Sources", "ar": "المصادر"},
    "illustrative": {
        "fr": "(détail illustratif, à confirmer par les organisateurs)",
        "en": "(illustrative detail, to be confirmed by the organisers)",
        "ar": "(تفصيل توضيحي، في انتظار تأكيد المنظمين)",
    },
}


def normalise_language(code: str | None) -> str:
    """Map a Telegram `language_code` (`fr-FR`, `ar`, `de`...) to fr, en or ar."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else "en"


def t(key: str, language: str, /, **values: object) -> str:
    """The message `key` in `language` (falling back to English), formatted with `values`."""
    variants = MESSAGES[key]
    template = variants.get(language) or variants["en"]
    return template.format(**values) if values else template
