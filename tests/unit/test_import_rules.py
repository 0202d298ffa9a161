"""Bank statement parsing: mappings, decimal commas, per-line errors, stable identities."""
from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib.expenses.rules.imports import StatementError, parse_amount_text, parse_statement

MAP = {"date": "Date", "amount": "Amount", "description": "Description"}


def test_lines_become_expenses_and_income_by_sign():
    lines, errors = parse_statement("Date,Amount,Description\n2026-11-01,-12.50,Coffee\n2026-11-02,1000,Salary\n", MAP)
    assert errors == []
    assert [(x.kind, x.amount, x.date, x.note) for x in lines] == [
        ("expense", Decimal("12.50"), "2026-11-01", "Coffee"), ("income", Decimal("1000"), "2026-11-02", "Salary")]


def test_decimal_comma_and_day_first_dates():
    lines, errors = parse_statement('Datum,Betrag,Text\n03.11.2026,"-1.234,56",Miete\n',
                                    {"date": "Datum", "amount": "Betrag", "description": "Text"},
                                    decimal_separator=",", date_format="dmy")
    assert errors == [] and lines[0].amount == Decimal("1234.56") and lines[0].date == "2026-11-03"


@pytest.mark.parametrize("text,expected", [("1,234.56", "1234.56"), ("(5.00)", "-5.00"), ("$ -3.10", "-3.10"),
                                           ("7-", "-7")])
def test_amount_texts(text, expected):
    assert parse_amount_text(text, ".") == Decimal(expected)


def test_bad_lines_are_reported_and_good_lines_kept():
    text = "Date,Amount,Description\n2026-02-30,-1,x\n2026-11-01,abc,y\n2026-11-01,-1.001,z\n2026-11-01,-2,ok\n2026-11-01\n"
    lines, errors = parse_statement(text, MAP)
    assert [x.note for x in lines] == ["ok"]
    assert [(e["line"], e["field"]) for e in errors] == [(2, "date"), (3, "amount"), (4, "amount"), (6, "csv")]


def test_same_file_same_ids_and_identical_lines_stay_distinct():
    text = "Date,Amount,Description\n2026-11-01,-3,Bus\n2026-11-01,-3,Bus\n2026-11-02,-3,Bus\n"
    a, _ = parse_statement(text, MAP)
    b, _ = parse_statement(text, MAP)
    assert [x.id for x in a] == [x.id for x in b]
    assert len({x.id for x in a}) == 3


def test_unknown_categories_and_missing_columns():
    lines, errors = parse_statement("Date,Amount,Cat\n2026-11-01,-3,Food\n2026-11-01,-3,Spaceships\n",
                                    {"date": "Date", "amount": "Amount", "category": "Cat"}, categories={"food"})
    assert [x.category for x in lines] == ["food"] and errors[0]["field"] == "category"
    with pytest.raises(StatementError) as e:
        parse_statement("Date,Value\n", MAP)
    assert e.value.field == "mapping.amount"
