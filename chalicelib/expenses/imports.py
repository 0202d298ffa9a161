"""Bank statement import: a preview, then the good lines recorded in slices, each line once."""
from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.auth import Principal
from ..core.db import failed_actions, transaction
from ..core.errors import InvalidInput
from ..core.money import CURRENCY_MINOR_UNITS, fmt
from .categories import known_categories
from .models import Transaction
from .rules.imports import Line, StatementError, parse_statement
from .schemas import (
    ImportCommitOut, ImportErrorOut, ImportIn, ImportLineOut, ImportOut, ImportPreviewOut, TransactionIn,
)
from .transactions import build_transaction, home_currency

PREVIEW_LINES = 20
ERRORS_SHOWN = 200
TRANSACTION_ITEMS = 100


def _line_out(line: Line, category: str, currency: str) -> ImportLineOut:
    return ImportLineOut(line=line.number, id=line.id, kind=line.kind, amount=fmt(line.amount, currency),
                         date=line.date, note=line.note, category=category)


def run_import(user: Principal, data: ImportIn) -> ImportOut:
    """A bank statement: a preview with per-line errors, or with `commit` also the good lines from
    `start` (at most `count`) recorded, each line once however often the file is imported."""
    currency = home_currency(user)
    known = known_categories(user)
    if data.default_category not in known:
        raise InvalidInput(f"unknown category {data.default_category!r}", field="default_category")
    try:
        lines, errors = parse_statement(
            data.csv, data.mapping.model_dump(), decimal_separator=data.decimal_separator,
            date_format=data.date_format, sign=data.sign, max_digits=CURRENCY_MINOR_UNITS[currency],
            categories=known)
    except StatementError as exc:
        raise InvalidInput(str(exc), field=exc.field) from None
    preview = ImportPreviewOut(
        lines=len(lines) + len(errors), valid=len(lines), invalid=len(errors),
        errors=[ImportErrorOut(**e) for e in errors[:ERRORS_SHOWN]], currency=currency,
        preview=[_line_out(x, x.category or data.default_category, currency) for x in lines[:PREVIEW_LINES]])
    if not data.commit:
        return ImportOut(preview)
    chosen = lines[data.start:data.start + data.count]
    created = existing = 0
    now = clock.iso_now()
    for i in range(0, len(chosen), TRANSACTION_ITEMS):
        items = [build_transaction(user.sub, x.id, TransactionIn.model_validate({
            "kind": x.kind, "amount": str(x.amount), "currency": currency, "date": x.date,
            "category": x.category or data.default_category, "payment_mode": data.payment_mode, "note": x.note}),
            currency, 1, now, now) for x in chosen[i:i + TRANSACTION_ITEMS]]
        made, there = _write_new(items)
        created, existing = created + made, existing + there
    return ImportOut(ImportCommitOut(**preview.model_dump(), start=data.start, done=data.start + len(chosen),
                                     created=created, existing=existing))


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
            dup = set(failed_actions(exc))
            if not dup:
                raise
            there += len(dup)
            items = [t for i, t in enumerate(items) if i not in dup]
    return 0, there
