"""Bank statement import: a preview, then the good lines recorded in slices, each line once."""
from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.auth import Principal
from ..core.db import transaction
from ..core.errors import InvalidInput
from ..core.money import CURRENCY_MINOR_UNITS, fmt
from .api import _build, _home_currency
from .import_rules import Line, StatementError, parse_statement
from .models import Category, Transaction
from .rules import DEFAULT_CATEGORIES
from .schemas import ImportIn, TransactionIn

PREVIEW_LINES = 20
ERRORS_SHOWN = 200
TRANSACTION_ITEMS = 100


def _categories(user: Principal) -> set[str]:
    own = {c.slug for c in Category.query(user.owner_key, Category.sk.startswith("CATEGORY#"))}
    return set(DEFAULT_CATEGORIES) | own


def _line_out(line: Line, category: str, currency: str) -> dict:
    return {"line": line.number, "id": line.id, "kind": line.kind, "amount": fmt(line.amount, currency),
            "date": line.date, "note": line.note, "category": category}


def run_import(user: Principal, data: ImportIn) -> dict:
    currency = _home_currency(user)
    known = _categories(user)
    if data.default_category not in known:
        raise InvalidInput(f"unknown category {data.default_category!r}", field="default_category")
    try:
        lines, errors = parse_statement(
            data.csv, data.mapping.model_dump(), decimal_separator=data.decimal_separator,
            date_format=data.date_format, sign=data.sign, max_digits=CURRENCY_MINOR_UNITS[currency],
            categories=known)
    except StatementError as exc:
        raise InvalidInput(str(exc), field=exc.field) from None
    result = {"lines": len(lines) + len(errors), "valid": len(lines), "invalid": len(errors),
              "errors": errors[:ERRORS_SHOWN], "currency": currency,
              "preview": [_line_out(x, x.category or data.default_category, currency) for x in lines[:PREVIEW_LINES]]}
    if not data.commit:
        return result
    chosen = lines[data.start:data.start + data.count]
    created = existing = 0
    now = clock.iso_now()
    for i in range(0, len(chosen), TRANSACTION_ITEMS):
        items = [_build(user, x.id, TransactionIn(
            kind=x.kind, amount=str(x.amount), currency=currency, date=x.date,
            category=x.category or data.default_category, payment_mode=data.payment_mode, note=x.note),
            currency, 1, now, now) for x in chosen[i:i + TRANSACTION_ITEMS]]
        made, there = _write_new(items)
        created, existing = created + made, existing + there
    result.update({"start": data.start, "done": data.start + len(chosen), "created": created, "existing": existing})
    return result


def _write_new(items: list[Transaction]) -> tuple[int, int]:
    """Write the items that do not exist yet, together; (created, already there)."""
    there = 0
    while items:
        try:
            with transaction() as tx:
                for t in items:
                    tx.save(t, condition=Transaction.pk.does_not_exist())
            return len(items), there
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            dup = {i for i, r in enumerate(reasons) if r is not None and r.code == "ConditionalCheckFailed"}
            if not dup:
                raise
            there += len(dup)
            items = [t for i, t in enumerate(items) if i not in dup]
    return 0, there
