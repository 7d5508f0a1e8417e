"""The renderer: escaping, the 4,096 limit, cited answers, session cards, callback data."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import (
    Answer,
    EventInfo,
    Hit,
    KnowledgeBase,
    Passage,
    PassageKind,
    Session,
    Vertical,
)
from bot.i18n import t
from bot.telegram.render import (
    MAX_CALLBACK_DATA,
    MAX_TEXT,
    Action,
    answer_html,
    answer_keyboard,
    callback_data,
    parse_callback,
    resolve_ref,
    session_card,
    short_ref,
    trim_plain,
    truncate_html,
    utf16_len,
)
from tests.fake_botapi.rules import parse_html

ZONE = ZoneInfo("Africa/Casablanca")
SESSION = Session(
    id="j1-sante",
    title="Santé & IA <précision>",
    start=datetime(2025, 7, 1, 10, 30, tzinfo=ZONE),
    end=datetime(2025, 7, 1, 12, 0, tzinfo=ZONE),
    room="Salle 2",
    vertical_id="sante",
    speakers=("Dr A", "Pr B"),
    description="Une session <technique>.",
    illustrative=True,
)
KNOWLEDGE = KnowledgeBase(
    sessions={SESSION.id: SESSION},
    verticals={"sante": Vertical("sante", {"fr": "Santé", "en": "Health", "ar": "الصحة"})},
    event=EventInfo("Assises", SESSION.start.date(), SESSION.start.date(), "Africa/Casablanca"),
)
PRESS = Passage("p1", "Dates\nLes 1er et 2 juillet.", "presse/a.md", 3, heading=("Dates",))
SESSION_PASSAGE = Passage(
    "s1", "Santé", "programme.yaml#j1-sante", 40, PassageKind.SESSION, session_id="j1-sante"
)


@pytest.mark.parametrize(
    "markup",
    [
        "a" * 5000,
        "<b>" + "é" * 5000 + "</b>",
        "<b>x</b> " + "&amp;" * 2000,
        "<i><b>" + "😀" * 3000 + "</b></i>",
        "<blockquote>" + "x &lt; y " * 800 + "</blockquote>",
    ],
)
def test_truncate_html_stays_valid_and_within_the_limit(markup: str) -> None:
    cut = truncate_html(markup)
    assert utf16_len(cut) <= MAX_TEXT
    assert cut.endswith("…") or cut.endswith(">")
    parse_html(cut)  # raises like Telegram on a broken tag or entity


def test_truncate_html_leaves_short_text_alone() -> None:
    assert truncate_html("<b>hi</b> &amp; bye") == "<b>hi</b> &amp; bye"


def test_trim_plain_cuts_at_a_word() -> None:
    text, trimmed = trim_plain("mot " * 400, 1000)
    assert trimmed
    assert len(text) <= 1000
    assert text.endswith("mot")
    assert trim_plain("court", 1000) == ("court", False)


def test_answer_cites_its_source_once_and_escapes() -> None:
    text = "Dates\nLes 1er & 2 juillet <2025>."
    answer = Answer("quand ?", "fr", True, text, (Hit(PRESS, 0.9),), 0.9)
    html = answer_html(answer, KNOWLEDGE)
    plain = parse_html(html)
    assert html.startswith("<b>Dates</b>\nLes 1er &amp; 2 juillet &lt;2025&gt;.")
    assert plain.count("Sources") == 1
    assert "📎 Sources : presse/a.md" in plain  # the heading is not repeated as a label


def test_a_huge_answer_keeps_its_source_within_4096() -> None:
    answer = Answer("q", "en", True, "word " * 3000, (Hit(PRESS, 0.9),), 0.9)
    html = answer_html(answer, KNOWLEDGE, note="(long message)")
    assert utf16_len(html) <= MAX_TEXT
    assert "presse/a.md" in parse_html(html)


def test_abstention_offers_the_programme_and_the_organisers() -> None:
    answer = Answer("q", "ar", False, t("abstain", "ar"), (), 0.1)
    plain = parse_html(answer_html(answer, KNOWLEDGE))
    assert t("abstain", "ar") in plain
    assert t("abstain_offer", "ar") in plain
    buttons = [b for row in answer_keyboard(answer, 7, None).inline_keyboard for b in row]
    assert {b.callback_data for b in buttons} == {"fb:7:1", "fb:7:-1", "pd", "pv", "ao:7"}
    assert any("المنظمين" in b.text for b in buttons)


def test_session_answer_offers_the_card_save_and_remind() -> None:
    answer = Answer("q", "fr", True, "Santé", (Hit(SESSION_PASSAGE, 1.0),), 1.0)
    buttons = [b for row in answer_keyboard(answer, 3, SESSION).inline_keyboard for b in row]
    assert {"s:j1-sante:n", "sv:j1-sante", "rm:j1-sante"} <= {b.callback_data for b in buttons}
    assert "Santé &amp; IA &lt;précision&gt;" in answer_html(answer, KNOWLEDGE)


@pytest.mark.parametrize(
    ("language", "words"),
    [("fr", "mardi 1er juillet 2025"), ("en", "Tuesday, 1 July 2025"), ("ar", "الصحة")],
)
def test_session_card(language: str, words: str) -> None:
    card = session_card(SESSION, KNOWLEDGE, language, ZONE)
    plain = parse_html(card)
    assert "Santé & IA <précision>" in plain
    assert words in plain
    assert "10:30–12:00" in plain
    assert "Salle 2" in plain
    assert "Dr A, Pr B" in plain
    assert t("illustrative", language) in plain


def test_callback_data_round_trip_and_limit() -> None:
    data = callback_data(Action.DAY, "2025-07-01", 2)
    parsed = parse_callback(data)
    assert parsed is not None
    assert parsed.action is Action.DAY
    assert parsed.args == ("2025-07-01", "2")
    assert parse_callback("not-ours:1") is None
    assert parse_callback(None) is None
    with pytest.raises(ValueError, match="64 bytes"):
        callback_data(Action.SESSION, "x" * 70)
    with pytest.raises(ValueError, match="':'"):
        callback_data(Action.SESSION, "a:b")


@pytest.mark.parametrize(
    "identifier",
    ["j1-sante", "a" * 200, "6f1c2b9e-0000-4000-8000-1234567890ab-extra-long-guid", "é:ç/?", "_x"],
)
def test_short_refs_fit_every_button_and_deep_link(identifier: str) -> None:
    ref = short_ref(identifier)
    for action in Action:
        assert len(callback_data(action, ref, 99, "n").encode()) <= MAX_CALLBACK_DATA
    assert len(f"s_{ref}") <= 64
    assert all(c.isalnum() or c in "_-" for c in ref)
    assert resolve_ref(ref, ["other", identifier]) == identifier
