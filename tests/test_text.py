"""The lexical normaliser and tokeniser, and language detection."""

from __future__ import annotations

import pytest

from bot.i18n.detect import detect_language
from bot.search.normalise import content_words, normalise, stems, tokenize, words


def test_vocalised_arabic_matches_plain_spelling() -> None:
    vocalised = "المُنَاظَرَةُ الوَطَنِيَّةُ"
    plain = "المناظرة الوطنية"
    assert normalise(vocalised) == normalise(plain)
    assert tokenize(vocalised) == tokenize(plain)
    # Harakat never split a word in two, as a `\w` tokeniser would do.
    assert len(words(vocalised)) == 2


def test_tatweel_is_removed() -> None:
    assert normalise("الربـــاط") == normalise("الرباط")


@pytest.mark.parametrize("variant", ["أحمد", "إحمد", "آحمد", "ٱحمد"])
def test_alef_forms_are_unified(variant: str) -> None:
    assert normalise(variant) == "احمد"


def test_alef_maqsura_and_ta_marbuta() -> None:
    assert normalise("إلى") == normalise("الي")
    assert normalise("المناظرة") == normalise("المناظره")


def test_arabic_indic_and_eastern_digits_become_ascii() -> None:
    assert normalise("١٢ يوليوز ٢٠٢٥") == "12 يوليوز 2025"
    assert normalise("۱۳ محورا") == "13 محورا"
    assert "13" in tokenize("١٣ محورا")


def test_arabic_letters_are_never_accent_folded() -> None:
    # Folding would strip the hamza from ؤ and ئ (they decompose to و/ي + hamza).
    assert normalise("مسؤول") == "مسؤول"
    assert normalise("رئيس") == "رئيس"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l'agriculture", "agriculture"),
        ("L’éducation", "education"),
        ("d'innovation", "innovation"),
        ("qu'elle", "elle"),
        ("j'arrive", "arrive"),
        ("n'est", "est"),
        ("s'il", "il"),
        ("c'est", "est"),
    ],
)
def test_french_elisions_are_stripped(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_latin_accents_are_folded() -> None:
    assert normalise("Journée ÉCOLE naïve Œuvre") == "journee ecole naive oeuvre"
    assert tokenize("journée") == tokenize("journee")


def test_numbers_and_times_have_one_spelling() -> None:
    assert tokenize("2 000 participants") == tokenize("2000 participants")
    assert tokenize("2,000 participants") == tokenize("2000 participants")
    assert tokenize("à 9h30") == tokenize("à 09:30")


def test_stop_words_go_and_stems_stay() -> None:
    tokens = tokenize("Quelles sont les verticales des Assises ?")
    assert "quelles" not in tokens
    assert "les" not in tokens
    assert tokenize("verticales") == tokenize("verticale")
    assert set(tokenize("investors")) & set(tokenize("investor"))


def test_question_and_passage_share_arabic_stems() -> None:
    question = set(tokenize("أين تنعقد المناظرة الوطنية للذكاء الاصطناعي؟"))
    passage = set(tokenize("تنعقد المناظرة الوطنية الأولى للذكاء الاصطناعي بالرباط"))
    assert len(question & passage) >= 4


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Quelles sont les dates des Assises de l'IA ?", "fr"),
        ("Quand a lieu « Digitale Gewalt gegen Frauen » ?", "fr"),
        ("When does the AI conference take place?", "en"),
        ("Is media one of the verticals?", "en"),
        ("أين تنعقد المناظرة الوطنية للذكاء الاصطناعي؟", "ar"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_detect_language_default_without_letters() -> None:
    assert detect_language("2025 ?", default="fr") == "fr"


def test_content_words_and_stems() -> None:
    assert content_words("Où a lieu la séance d'ouverture ?") == ["lieu", "seance", "ouverture"]
    assert stems("conferences") == ("conferent", "confer")  # French, then English
    assert stems(normalise("الوطنية")) == stems("الوطنيه")  # stems take normalised words
    assert stems("2025") == ("2025",)
