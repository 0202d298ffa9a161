"""PynamoDB attributes for money: DynamoDB numbers as Decimal, never float."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.constants import MAP, NUMBER


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number read and written as Decimal."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        return str(Decimal(value))

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


class DecimalMapAttribute(Attribute[dict]):
    """A map of name → Decimal with names chosen at run time (rollup totals)."""

    attr_type = MAP

    def serialize(self, value: dict[str, Decimal]) -> dict[str, Any]:
        return {k: {NUMBER: str(Decimal(v))} for k, v in value.items()}

    def deserialize(self, value: dict[str, Any]) -> dict[str, Decimal]:
        return {k: Decimal(v[NUMBER]) for k, v in value.items()}


class StringMapAttribute(Attribute[dict]):
    """A map of name → string with names chosen at run time."""

    attr_type = MAP

    def serialize(self, value: dict[str, str]) -> dict[str, Any]:
        return {k: {"S": str(v)} for k, v in value.items()}

    def deserialize(self, value: dict[str, Any]) -> dict[str, str]:
        return {k: v["S"] for k, v in value.items()}
