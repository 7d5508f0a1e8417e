"""The gettext catalogs: every message in all three languages, same placeholders, plural forms."""

from __future__ import annotations

import shutil
import string
import subprocess
import sys
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.domain import LANGUAGES
from bot.i18n import catalog_path, colon, normalise_language, plural_keys, t

ROOT = Path(__file__).resolve().parents[1]


def catalog(language: str) -> Catalog:
    with files("bot.i18n").joinpath(catalog_path(language)).open("rb") as po:
        return read_po(po, locale=language)


def messages(language: str) -> dict[str, Message]:
    return {str(m.id[0] if m.pluralizable else m.id): m for m in catalog(language) if m.id}


def forms(message: Message) -> list[str]:
    string = message.string
    if isinstance(string, (tuple, list)):
        return [str(form) for form in string]
    return [str(string)]


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_every_message_exists_in_all_three_languages() -> None:
    keys = {language: set(messages(language)) for language in LANGUAGES}
    assert keys["en"], "the English catalog is empty"
    for language in LANGUAGES:
        assert keys[language] == keys["en"], language
        for key, message in messages(language).items():
            assert not message.fuzzy, (language, key)
            assert all(form.strip() for form in forms(message)), (language, key)


def test_every_language_and_form_has_the_same_placeholders() -> None:
    english = messages("en")
    for language in LANGUAGES:
        for key, message in messages(language).items():
            expected = placeholders(forms(english[key])[-1])
            for form in forms(message):
                assert placeholders(form) == expected, (language, key, form)


def test_plural_forms_headers_follow_cldr() -> None:
    for language in LANGUAGES:
        po = catalog(language)
        tags = Locale.parse(language).plural_form.tags | {"other"}
        assert po.num_plurals == len(tags), language  # ar: zero one two few many other
        for key in plural_keys():
            message = messages(language)[key]
            assert message.pluralizable, (language, key)
            assert len(forms(message)) == po.num_plurals, (language, key)


def test_plural_messages_pick_the_form_for_the_count() -> None:
    assert t("agenda_missing", "fr", count=1).startswith("1 séance enregistrée ne figure")
    assert t("agenda_missing", "fr", count=3).startswith("3 séances enregistrées ne figurent")
    assert t("agenda_missing", "en", count=1).startswith("1 saved session is")
    assert t("agenda_missing", "en", count=0).startswith("0 saved sessions are")
    assert "جلستان" in t("agenda_missing", "ar", count=2)  # the dual
    assert "جلسات" in t("agenda_missing", "ar", count=5)  # 3-10: plural
    assert "جلسة" in t("agenda_missing", "ar", count=11)  # 11-99: singular
    assert "(s)" not in t("knowledge_errors", "fr", count=2)
    with pytest.raises(TypeError):
        t("agenda_missing", "fr")


def test_plain_messages_and_fallbacks() -> None:
    assert t("sources", "ar") == "المصادر"
    assert t("sources", "de") == "Sources"  # an unknown language reads English
    assert t("page_of", "fr", page=2, pages=5) == "page 2/5"
    with pytest.raises(KeyError):
        t("no_such_message", "fr")
    assert (normalise_language("fr-FR"), normalise_language("de"), normalise_language(None)) == (
        "fr",
        "en",
        "fr",
    )
    assert colon("fr") == " : "


def test_catalogs_ship_in_the_wheel_and_load_from_it(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT / "bot", source / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*build, "-w", str(wheels), str(source)], check=True, cwd=source)
    (wheel,) = wheels.glob("*.whl")
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(installed)
    for language in LANGUAGES:
        assert f"bot/i18n/locales/{language}/LC_MESSAGES/messages.po" in names
    probe = "import bot, bot.i18n as i; print(bot.__file__); print(i.t('sources', 'ar'))"
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(installed)!r}); {probe}",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.splitlines()
    assert out[0].startswith(str(installed))
    assert out[1] == "المصادر"
