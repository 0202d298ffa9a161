"""Pure rules of bank statement imports: parse a CSV with a column mapping, report per-line errors,
and give each line an identity so re-importing the same file creates nothing new. No I/O."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

NAMESPACE = uuid.UUID("a4b1d7e2-55c3-4c7e-9a0f-3e2d1c0b9a87")
DATE_FORMATS = {"iso": r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})",
                "dmy": r"(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})",
                "mdy": r"(?P<m>\d{1,2})[./-](?P<d>\d{1,2})[./-](?P<y>\d{4})"}


class StatementError(ValueError):
    """The file as a whole cannot be read (no header, a mapped column missing)."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number in the file, the header being line 1
    id: str
    kind: str
    amount: Decimal
    date: str
    note: str
    category: str | None


def parse_amount_text(text: str, decimal_separator: str) -> Decimal:
    """'1.234,56' with ',' or '1,234.56' with '.' → Decimal('1234.56'); signs and spaces allowed."""
    t = re.sub(r"[\s\u00a0']", "", text.strip())
    t = re.sub(r"[^\d,.\-+()]", "", t)  # currency symbols
    negative = t.startswith("-") or (t.startswith("(") and t.endswith(")")) or t.endswith("-")
    t = t.strip("+-()")
    thousands = "." if decimal_separator == "," else ","
    t = t.replace(thousands, "").replace(decimal_separator, ".")
    if not re.fullmatch(r"\d+(\.\d+)?", t):
        raise ValueError("not an amount")
    value = Decimal(t)
    return -value if negative else value


def _places(value: Decimal) -> int:
    """How many decimal places a finite Decimal is written with."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def parse_date_text(text: str, date_format: str) -> str:
    m = re.fullmatch(DATE_FORMATS[date_format], text.strip())
    if not m:
        raise ValueError(f"not a {date_format} date")
    return date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()


def parse_statement(text: str, mapping: dict[str, str], *, decimal_separator: str = ".", date_format: str = "iso",
                    sign: str = "negative_is_expense", max_digits: int = 2,
                    categories: set[str] | None = None) -> tuple[list[Line], list[dict[str, Any]]]:
    """Every line as a Line or as an error naming its line and field; good lines are kept.

    A line's id hashes its mapped fields plus how many identical lines came before it in the file,
    so the same file imported twice yields the same ids, while two identical lines stay two."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise StatementError("the file is empty", "csv") from None
    columns = {}
    for key in ("date", "amount", "description", "category"):
        name = mapping.get(key)
        if name is None:
            if key in ("date", "amount"):
                raise StatementError(f"map a column to {key}", f"mapping.{key}")
            continue
        if name not in header:
            raise StatementError(f"no column named {name!r}", f"mapping.{key}")
        columns[key] = header.index(name)
    lines: list[Line] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            errors.append({"line": number, "field": "csv", "message": "too few columns"})
            continue
        cell = {k: row[i].strip() for k, i in columns.items()}
        try:
            day = parse_date_text(cell["date"], date_format)
        except ValueError as exc:
            errors.append({"line": number, "field": "date", "message": str(exc)})
            continue
        try:
            signed = parse_amount_text(cell["amount"], decimal_separator)
        except (ValueError, InvalidOperation):
            errors.append({"line": number, "field": "amount", "message": "not an amount"})
            continue
        if signed == 0 or abs(signed) > Decimal("1000000000") or _places(signed) > max_digits:
            errors.append({"line": number, "field": "amount", "message": "zero, too large or too precise"})
            continue
        category = None
        if "category" in cell and cell["category"]:
            category = re.sub(r"[^a-z0-9]+", "_", cell["category"].lower()).strip("_")[:40]
            if categories is not None and category not in categories:
                errors.append({"line": number, "field": "category", "message": f"unknown category {category!r}"})
                continue
        if sign == "negative_is_expense":
            kind = "expense" if signed < 0 else "income"
        else:
            kind = "expense" if sign == "all_expenses" else "income"
        note = cell.get("description", "")[:500]
        fields = "|".join((day, str(signed.normalize()), note, category or ""))
        digest = hashlib.sha256(fields.encode()).hexdigest()
        seen[digest] = seen.get(digest, 0) + 1
        lines.append(Line(number, str(uuid.uuid5(NAMESPACE, f"{digest}#{seen[digest]}")), kind, abs(signed), day,
                          note, category))
    return lines, errors
