"""Dates, times and quotes spelled from CLDR (Babel) in French, English and Moroccan Arabic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.i18n.dates import (
    join_date_time,
    quote,
    spell_and,
    spell_date,
    spell_date_range,
    spell_short_date,
    spell_time_range,
    zone_label,
)

RABAT = ZoneInfo("Africa/Casablanca")
RLM = "\u200f"  # CLDR's right-to-left mark in Arabic numeric dates


def test_dates_are_spelled_in_each_language() -> None:
    day = date(2025, 7, 1)
    assert spell_date(day, "fr") == "mardi 1er juillet 2025"
    assert spell_date(date(2025, 7, 2), "fr") == "mercredi 2 juillet 2025"
    assert spell_date(day, "en") == "Tuesday, 1 July 2025"
    assert spell_date(day, "ar") == f"الثلاثاء، 1 يوليوز 2025 (1{RLM}/7{RLM}/2025)"
    assert spell_date(date(2025, 8, 2), "ar").startswith("السبت، 2 غشت 2025")
    assert spell_date(day, "de") == spell_date(day, "en")  # unknown languages read English


def test_moroccan_month_names_and_latin_digits() -> None:
    months = [spell_short_date(date(2025, m, 10), "ar").split()[-1] for m in (5, 8, 9, 11, 12)]
    assert months == ["ماي", "غشت", "شتنبر", "نونبر", "دجنبر"]
    assert "10" in spell_short_date(date(2025, 12, 10), "ar")  # Latin digits, not ١٠


def test_short_dates_drop_the_year() -> None:
    assert spell_short_date(date(2025, 12, 1), "fr") == "lundi 1er décembre"
    assert spell_short_date(date(2025, 12, 1), "en") == "Monday 1 December"
    assert spell_short_date(date(2025, 12, 1), "ar") == "الاثنين، 1 دجنبر"


def test_times_use_the_24_hour_clock_in_every_language() -> None:
    start = datetime(2025, 7, 1, 9, 30, tzinfo=RABAT)
    assert spell_time_range(start, start.replace(hour=21, minute=5)) == "09:30–21:05"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "lundi 1er décembre, 09:47"),
        ("en", "Monday 1 December, 09:47"),
        ("ar", "الاثنين، 1 دجنبر، 09:47"),  # the Arabic comma, not a Latin one
    ],
)
def test_date_and_time_are_joined_as_the_locale_does(language: str, expected: str) -> None:
    assert join_date_time(spell_short_date(date(2025, 12, 1), language), "09:47", language) == (
        expected
    )


def test_two_day_ranges_name_both_days() -> None:
    assert spell_date_range(date(2025, 7, 1), date(2025, 7, 2), "fr") == (
        "1er et 2 juillet 2025 (mardi et mercredi)"
    )
    assert spell_date_range(date(2025, 7, 1), date(2025, 7, 2), "en") == (
        "1 and 2 July 2025 (Tuesday and Wednesday)"
    )
    assert spell_date_range(date(2025, 7, 1), date(2025, 7, 2), "ar") == (
        "1 و2 يوليوز 2025 (الثلاثاء والأربعاء)"
    )
    assert spell_date_range(date(2025, 6, 30), date(2025, 7, 1), "fr") == (
        "30 juin et 1er juillet 2025 (lundi et mardi)"
    )


def spaced(text: str) -> str:
    """CLDR puts thin spaces around an interval's dash; compare with plain ones."""
    return text.replace("\u2009", " ")


def test_longer_ranges_use_the_cldr_interval() -> None:
    assert spaced(spell_date_range(date(2020, 12, 27), date(2020, 12, 30), "fr")) == (
        "dimanche 27 – mercredi 30 décembre 2020"
    )
    assert spaced(spell_date_range(date(2025, 6, 30), date(2025, 7, 2), "fr")) == (
        "lundi 30 juin – mercredi 2 juillet 2025"
    )
    across = spaced(spell_date_range(date(2025, 12, 30), date(2026, 1, 2), "en"))
    assert across == "Tuesday, 30 December 2025 – Friday, 2 January 2026"
    assert spell_date_range(date(2025, 7, 1), date(2025, 7, 1), "en") == "Tuesday, 1 July 2025"


def test_lists_and_quotes() -> None:
    assert spell_and(["a", "b", "c"], "fr") == "a, b et c"
    assert spell_and(["أ", "ب"], "ar") == "أ وب"
    assert quote("Ouverture", "fr") == "« Ouverture »"
    assert quote("Opening", "en") == "\u201cOpening\u201d"
    assert quote("افتتاح", "ar") == "«افتتاح»"


def test_zone_labels() -> None:
    moment = datetime(2020, 12, 29, 18, 0, tzinfo=UTC)
    assert zone_label(ZoneInfo("Europe/Berlin"), moment) == "Europe/Berlin"
    assert zone_label(timezone(timedelta(hours=1)), moment) == "UTC+01:00"
    assert zone_label(timezone(-timedelta(hours=3, minutes=30)), moment) == "UTC-03:30"
    assert zone_label(ZoneInfo("Etc/GMT+5"), moment) == "UTC-05:00"
