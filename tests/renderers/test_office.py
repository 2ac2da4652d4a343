"""The office page's renderer: each page written from plain data, in kk, ru and en, every value
escaped, dates as the notifications write them, and the one catalogue complete in all three
languages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jinja2 import UndefinedError

from reglament.procedure.events import Kind
from reglament.renderers import office
from reglament.renderers.office_text import allowed_text, keys, late_text, words
from reglament.schemas import Language
from reglament.schemas.letters import latin_i

CHROME = {
    "language": "en",
    "principal": {"name": "aigerim", "role": "clerk", "region": "atyrau"},
    "csrf": "the-csrf-token",
    "notice": None,
    "here": "/ui/inbox",
}
ROW = {
    "case": "c/1",
    "receipt": "ATY-<1>",
    "state": "open",
    "service": "Assignment <b>of</b> aid",
    "reglament": "tsa@atyrau@2012-11-09",
    "steps": [
        {
            "step": "ab-accept",
            "action": "Reception",
            "due": "2013-01-09T10:15:00+05:00",
            "late_days": 3,
        }
    ],
    "term_due": "2013-01-18T18:00:00+05:00",
    "term_late_days": None,
}
INBOX = {
    "at": "2013-01-14T12:00:00+05:00",
    "region": "atyrau",
    "sections": [
        {"key": "overdue", "rows": [ROW]},
        {"key": "at_risk", "rows": []},
        {"key": "rest", "rows": []},
    ],
}


def _chrome(**changes: Any) -> dict[str, Any]:
    return {**CHROME, **changes}


def test_the_catalogue_has_every_key_in_every_language() -> None:
    for language in Language:
        said = words(language)
        assert set(said) == keys()
        assert all(text.strip() for text in said.values()), language
    kk, ru, en = (words(lang) for lang in (Language.kk, Language.ru, Language.en))
    assert kk["receipt"] == "Қолхат" and ru["receipt"] == "Расписка" and en["receipt"] == "Receipt"
    # the Kazakh і, never the Latin i, in the Kazakh and Russian words
    assert not [text for text in (*kk.values(), *ru.values()) if latin_i(text)]


def test_every_kind_of_a_history_has_its_words() -> None:
    # the engine's kinds, and the store's own data_set (store/cases.py: DATA_SET)
    assert {f"ev_{kind.value}" for kind in Kind} | {"ev_data_set"} <= keys()
    assert words(Language.ru)["ev_step_completed"] == "Процедура исполнена"


def test_lateness_is_written_as_the_notifications_write_durations() -> None:
    assert late_text(3, Language.kk) == "3 жұмыс күні"
    assert late_text(3, Language.ru) == "3 рабочих дня"
    assert late_text(5, Language.ru) == "5 рабочих дней"
    assert late_text(1, Language.en) == "1 working day"
    assert late_text(0, Language.ru) == "менее одного рабочего дня"
    assert late_text(None, Language.kk) == "мерзімінде"


def test_an_allowed_time_is_written_in_the_pages_language() -> None:
    seven = {"value": 7, "unit": "working_days"}
    assert allowed_text(seven, "no_term", Language.kk) == "7 жұмыс күні"
    assert allowed_text(seven, "no_term", Language.ru) == "7 рабочих дней"
    assert allowed_text({"value": 15, "unit": "minutes"}, "untimed", Language.ru) == "15 минут"
    assert allowed_text({"value": None, "unit": "untimed"}, "untimed", Language.en) == (
        "no time limit"
    )
    assert allowed_text({"value": None, "unit": "by_schedule"}, "untimed", Language.ru) == (
        "по графику"
    )
    assert allowed_text(None, "no_term", Language.ru) == "общий срок в акте не указан"


@pytest.mark.parametrize(
    ("language", "due", "as_of"),
    [
        ("kk", "2013 жылғы 9 қаңтар, 10:15", "2013 жылғы 14 қаңтар, 12:00"),
        ("ru", "9 января 2013 г., 10:15", "14 января 2013 г., 12:00"),
        ("en", "9 January 2013, 10:15", "14 January 2013, 12:00"),
    ],
)
def test_the_inbox_in_each_language(language: str, due: str, as_of: str) -> None:
    page = office.render("inbox", INBOX, _chrome(language=language))
    assert f'<html lang="{language}">' in page
    assert due in page and as_of in page
    said = words(language)
    assert f"{said['overdue']} (1)" in page and f"{said['at_risk']} (0)" in page
    assert late_text(3, language) in page


def test_every_value_is_escaped_and_links_are_quoted() -> None:
    page = office.render("inbox", INBOX, CHROME)
    assert "ATY-&lt;1&gt;" in page and "Assignment &lt;b&gt;of&lt;/b&gt; aid" in page
    assert "<b>of</b>" not in page
    assert 'href="/ui/cases/c/1"' not in page and 'href="/ui/cases/c%2F1"' in page


def test_every_form_carries_the_csrf_token() -> None:
    case = {
        "case": "c1",
        "receipt": "R-1",
        "service": "Aid",
        "reglament": "tsa@atyrau@2012-11-09",
        "region": "atyrau",
        "channel": "office",
        "channel_name": "Office",
        "variant": None,
        "variant_name": None,
        "state": "open",
        "revision": 4,
        "at": "2013-01-14T12:00:00+05:00",
        "term": {
            "allowed": "7 working days",
            "amount": {"value": 7, "unit": "working_days"},
            "verdict": "open",
            "due": "2013-01-18T18:00:00+05:00",
            "late_days": None,
            "explanation": "+7 working days from Thu 2013-01-10",
        },
        "timeline": [],
        "diagram_svg": "<svg><g id='mark'></g></svg>",
        "history": [],
        "moves": [
            {"step": "review", "action": None, "outcome": "granted"},
            {"step": "review", "action": None, "outcome": "refused"},
        ],
    }
    page = office.render("case", case, CHROME)
    forms = re.findall(r"<form.*?</form>", page, re.S)
    assert len(forms) == 3  # sign-out and the two outcomes
    assert all('name="csrf" value="the-csrf-token"' in form for form in forms)
    assert all('method="post"' in form for form in forms)
    assert page.count('name="revision" value="4"') == 2
    assert "<svg><g id='mark'></g></svg>" in page  # the renderer's SVG, inserted as it is
    assert "+7 working days from Thu 2013-01-10" in page  # the due's explanation


def test_the_sign_in_page_has_no_principal_and_a_csrf_field() -> None:
    page = office.render("sign_in", {}, _chrome(principal=None, language="ru"))
    assert "Выход" not in page and 'name="token"' in page and 'type="password"' in page
    assert 'name="csrf" value="the-csrf-token"' in page


def test_a_name_the_view_does_not_give_fails_loudly() -> None:
    with pytest.raises(UndefinedError):
        office.render("inbox", {"at": INBOX["at"], "region": "atyrau"}, CHROME)
    with pytest.raises(ValueError, match="unknown office page 'inboxx'"):
        office.render("inboxx", INBOX, CHROME)
