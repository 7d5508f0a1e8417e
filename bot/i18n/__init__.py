"""Every string the assistant writes, in French, English and Arabic, from gettext catalogs."""

from __future__ import annotations

import gettext
from functools import cache
from importlib.resources import files
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.domain import LANGUAGES

DEFAULT_LANGUAGE = "fr"
FALLBACK_LANGUAGE = "en"
# A plural message picks its form with this value (gettext's `n`).
PLURAL_VALUE = "count"


def catalog_path(language: str) -> str:
    """Where the `.po` catalog of `language` lives, inside the package (`locales/xx/...`)."""
    return f"locales/{language}/LC_MESSAGES/messages.po"


@cache
def _translations(language: str) -> gettext.GNUTranslations:
    # The .po files are the only copy: they are compiled in memory when first needed (a few ms),
    # so there is no .mo to rebuild, ship or let go stale after a translator's edit. The stdlib's
    # GNUTranslations then applies the catalog's own Plural-Forms header. Fuzzy and empty entries
    # are left out by write_mo, and fall back to English, as gettext does.
    resource = files("bot.i18n").joinpath(catalog_path(language))
    with resource.open("rb") as po:
        catalog = read_po(po, locale=language)
    mo = BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    translations = gettext.GNUTranslations(mo)
    if language != FALLBACK_LANGUAGE:
        translations.add_fallback(_translations(FALLBACK_LANGUAGE))
    return translations


@cache
def plural_keys() -> frozenset[str]:
    """The keys whose message has plural forms (chosen by the `count` value)."""
    resource = files("bot.i18n").joinpath(catalog_path(FALLBACK_LANGUAGE))
    with resource.open("rb") as po:
        catalog = read_po(po, locale=FALLBACK_LANGUAGE)
    return frozenset(str(m.id[0]) for m in catalog if m.id and m.pluralizable)


def normalise_language(code: str | None) -> str:
    """Map a Telegram `language_code` (`fr-FR`, `ar`, `de`...) to fr, en or ar."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else "en"


def load_catalogs() -> None:
    """Compile every catalog now rather than on the first message in each language."""
    for language in LANGUAGES:
        _translations(language)


def colon(language: str) -> str:
    """A label's colon: French typography puts a space before it."""
    return " : " if language == "fr" else ": "


def t(key: str, language: str, /, **values: object) -> str:
    """The message `key` in `language` (falling back to English), formatted with `values`."""
    translations = _translations(language if language in LANGUAGES else FALLBACK_LANGUAGE)
    if key in plural_keys():
        count = values.get(PLURAL_VALUE)
        if not isinstance(count, int):
            raise TypeError(f"message {key!r} needs an integer {PLURAL_VALUE}=")
        template = translations.ngettext(key, key, count)
    else:
        template = translations.gettext(key)
    if template == key:  # in no catalog at all
        raise KeyError(key)
    return template.format(**values) if values else template
