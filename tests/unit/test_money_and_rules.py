"""Money parsing and the expenses rules: contributions, months, the chart document."""
from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.core.money import fmt, parse_amount
from chalicelib.core.rollups import Contribution
from chalicelib.expenses import rules

D = Decimal


@pytest.mark.parametrize("text,currency,expected", [
    ("12.5", "USD", D("12.50")), ("3", "JPY", D("3")), ("1.234", "KWD", D("1.234")), (" 7.00 ", "EUR", D("7.00")),
])
def test_amounts_parse_to_the_currencys_minor_units(text, currency, expected):
    assert parse_amount(text, currency) == expected


@pytest.mark.parametrize("text,currency", [
    ("0", "USD"), ("-1", "USD"), ("NaN", "USD"), ("sNaN", "USD"), ("Infinity", "USD"), ("1e400", "USD"),
    ("1.5", "JPY"), ("1.001", "USD"), ("", "USD"), ("1,5", "USD"), ("1000000000.01", "USD"),
])
def test_bad_amounts_are_refused_naming_amount(text, currency):
    with pytest.raises(InvalidInput) as e:
        parse_amount(text, currency)
    assert e.value.field == "amount"


def test_floats_are_refused():
    with pytest.raises(InvalidInput):
        parse_amount(12.5, "USD")  # type: ignore[arg-type]


def test_fmt_keeps_minor_units():
    assert fmt(D("5"), "USD") == "5.00" and fmt(D("5"), "JPY") == "5"


TXN = {"pk": "USER#1", "sk": "TXN#a", "kind": "expense", "amount": D("10.00"), "currency": "USD",
       "date": "2026-11-03", "category": "food"}


def _summed(old, new):
    c = Contribution("e", "1")
    for img, sign in ((old, -1), (new, 1)):
        for key, name, amount in rules.contributions(img, sign):
            c.add(key, name, amount)
    c.prune()
    return c.deltas


def test_an_insert_adds_to_month_category_year_and_all_years():
    d = _summed(None, TXN)
    assert d[("USER#1", "expenses#2026")] == {"11:spend@USD": D(10), "11:spend:food@USD": D(10), "11:count": D(1)}
    assert d[("USER#1", "expenses#all")] == {"2026-11:spend@USD": D(10)}


def test_an_edit_of_the_note_only_contributes_nothing():
    assert _summed(TXN, TXN | {"note": "x"}) == {}


def test_an_edit_moving_month_and_category_moves_the_amount():
    d = _summed(TXN, TXN | {"date": "2026-10-30", "category": "transport", "amount": D("12.00")})
    y = d[("USER#1", "expenses#2026")]
    assert y["11:spend:food@USD"] == D(-10) and y["10:spend:transport@USD"] == D(12)
    assert y["11:spend@USD"] == D(-10) and y["10:spend@USD"] == D(12)
    assert y["11:count"] == D(-1) and y["10:count"] == D(1)


def test_a_delete_takes_everything_back():
    assert all(v < 0 for v in _summed(TXN, None)[("USER#1", "expenses#2026")].values())


def test_month_spent_reads_category_or_total():
    totals = {"11:spend": D(30), "11:spend:food": D(20)}
    assert rules.month_spent(totals, "11", "food") == D(20)
    assert rules.month_spent(totals, "11", rules.TOTAL) == D(30)
    assert rules.month_spent(totals, "10", "food") == D(0)


def test_chart_document_has_twelve_months_and_budget_progress():
    doc = rules.chart_document(
        year=2026, currency="USD", year_totals={"11:spend": D(110), "11:spend:food": D(110), "11:income": D(5)},
        all_totals={"2025:spend": D(7), "2026:spend": D(110)},
        budgets=[{"category": "food", "limit": D(100), "thresholds": [80, 100], "currency": "USD"}],
        current_month="2026-11", current_totals={"11:spend:food": D(110)}, generated_at="t",
    )
    assert len(doc["months"]) == 12 and doc["months"][10]["by_category"] == {"food": "110.00"}
    assert doc["years"] == [
        {"year": 2025, "spend": "7.00", "income": "0.00", "net": "-7.00", "savings_rate": None},
        {"year": 2026, "spend": "110.00", "income": "0.00", "net": "-110.00", "savings_rate": None}]
    assert doc["months"][10]["net"] == "-105.00" and doc["months"][10]["savings_rate"] == -2100.0
    assert doc["budgets"][0]["percent"] == 110.0


def test_budget_email_names_budget_spent_limit_and_top_expenses():
    subject, text, html = rules.budget_email(
        category="food", period="2026-11", threshold="100", spent=D(110), limit=D(100), currency="USD",
        top=[{"date": "2026-11-02", "amount": D(50), "category": "food", "note": "<b>party</b>"}],
        dashboard_url="http://x/")
    assert "food" in subject and "100%" in subject
    assert "110.00" in text and "100.00" in text and "50.00" in text
    assert "&lt;b&gt;party" in html


def test_balance_is_net_and_savings_rate():
    assert rules.balance(D("3000"), D("2250"), "USD") == {"net": "750.00", "savings_rate": 25.0}
    assert rules.balance(D("0"), D("10"), "USD") == {"net": "-10.00", "savings_rate": None}


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("lunch", "lunch"), ("12.50", "12.50"), ("", ""), (None, ""),
])
def test_csv_cells_never_start_like_a_formula(value, expected):
    assert rules.csv_cell(value) == expected
