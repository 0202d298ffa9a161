"""The ledger's pure rules: FIFO lots, what a movement does to a position, backorder allocation.

Lots are dicts {lot, quantity, unit_cost, received_at, expiry, movement_id}, kept oldest first (by
`received_at`, then `movement_id`), so FIFO is "take from the front". Nothing here touches DynamoDB.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Iterable

ZERO = Decimal(0)

LotRow = dict[str, Any]
"""One lot at a position: {lot, quantity, unit_cost, received_at, expiry, movement_id}."""


class Shortfall(Exception):
    """Fewer units on hand than asked for."""

    def __init__(self, available: Decimal) -> None:
        super().__init__(f"only {available} available")
        self.available = available


@dataclass(frozen=True)
class Taken:
    """Part of a lot that left a position: where it came from and what it cost."""

    lot: str
    quantity: Decimal
    unit_cost: Decimal
    received_at: str
    expiry: str | None
    movement_id: str

    def as_lot(self) -> LotRow:
        return {"lot": self.lot, "quantity": self.quantity, "unit_cost": self.unit_cost,
                "received_at": self.received_at, "expiry": self.expiry, "movement_id": self.movement_id}


@dataclass
class Consumption:
    lots: list[LotRow]  # what is left, oldest first
    taken: list[Taken] = field(default_factory=list)

    @property
    def cost(self) -> Decimal:
        return sum((t.quantity * t.unit_cost for t in self.taken), ZERO)


def on_hand(lots: Iterable[LotRow]) -> Decimal:
    return sum((Decimal(lt["quantity"]) for lt in lots), ZERO)


def value(lots: Iterable[LotRow]) -> Decimal:
    """Stock value at FIFO cost: what is left of each lot at that lot's unit cost."""
    return sum((Decimal(lt["quantity"]) * Decimal(lt["unit_cost"]) for lt in lots), ZERO)


def _order(lt: LotRow) -> tuple[str, str]:
    return str(lt["received_at"]), str(lt["movement_id"])


def insert(lots: list[LotRow], new: Iterable[LotRow]) -> list[LotRow]:
    """Lots with `new` added in received order (a transferred lot keeps its age at the new place)."""
    return sorted([*lots, *(dict(n) for n in new if Decimal(n["quantity"]) > 0)], key=_order)


def consume(lots: list[LotRow], quantity: Decimal, lot: str | None = None) -> Consumption:
    """Take `quantity` oldest first (or from the named lot first: scrapping an expired lot).
    Raises Shortfall when there is not enough."""
    available = on_hand(lots)
    if quantity > available:
        raise Shortfall(available)
    order = sorted(range(len(lots)), key=lambda i: (lots[i]["lot"] != lot, i)) if lot else range(len(lots))
    left = [dict(lt) for lt in lots]
    taken: list[Taken] = []
    need = quantity
    for i in order:
        if need <= 0:
            break
        lt = left[i]
        q = min(Decimal(lt["quantity"]), need)
        if q <= 0:
            continue
        taken.append(Taken(lt["lot"], q, Decimal(lt["unit_cost"]), lt["received_at"], lt.get("expiry"),
                           lt["movement_id"]))
        lt["quantity"] = Decimal(lt["quantity"]) - q
        need -= q
    return Consumption([lt for lt in left if Decimal(lt["quantity"]) > 0], taken)


def take_exact(lots: list[LotRow], taken: Iterable[LotRow]) -> Consumption:
    """Take exactly these parts of lots back out (undoing a receive, a return or a transfer's arrival).
    Raises Shortfall when a lot no longer holds what is asked: it was sold or moved since."""
    left = [dict(lt) for lt in lots]
    out: list[Taken] = []
    for t in taken:
        need = Decimal(t["quantity"])
        for lt in left:
            if need <= 0:
                break
            if lt["lot"] == t["lot"] and lt["movement_id"] == t["movement_id"]:
                q = min(Decimal(lt["quantity"]), need)
                lt["quantity"] = Decimal(lt["quantity"]) - q
                need -= q
        if need > 0:
            raise Shortfall(on_hand(lt for lt in left if lt["lot"] == t["lot"]))
        out.append(Taken(t["lot"], Decimal(t["quantity"]), Decimal(t["unit_cost"]), t["received_at"],
                         t.get("expiry"), t["movement_id"]))
    return Consumption([lt for lt in left if Decimal(lt["quantity"]) > 0], out)


def stock_take(lots: list[LotRow], counted: Decimal) -> tuple[int, Decimal]:
    """A count's adjustment: (direction, quantity) that brings on hand to `counted`."""
    diff = counted - on_hand(lots)
    return (1 if diff > 0 else -1 if diff < 0 else 0), abs(diff)


def last_unit_cost(lots: list[LotRow], fallback: Decimal) -> Decimal:
    """What a unit found in a stock-take is valued at: the newest lot's cost, else the product's."""
    return Decimal(lots[-1]["unit_cost"]) if lots else fallback


@dataclass(frozen=True)
class Allocation:
    backorder_id: str
    quantity: Decimal
    closes: bool


def allocate(arriving: Decimal, open_backorders: Iterable[tuple[str, Decimal, Decimal]]) -> list[Allocation]:
    """Arriving units go to open backorders (id, quantity, filled) in the order given (oldest first):
    each gets what it still lacks while units last."""
    out: list[Allocation] = []
    left = arriving
    for bo_id, qty, filled in open_backorders:
        if left <= 0:
            break
        want = Decimal(qty) - Decimal(filled)
        if want <= 0:
            continue
        give = min(want, left)
        out.append(Allocation(bo_id, give, give == want))
        left -= give
    return out


def expiring(lots: Iterable[LotRow], today: date, days: int) -> list[LotRow]:
    """Lots that expire within `days` of today (or have expired), soonest first."""
    limit = (today + timedelta(days=days)).isoformat()
    soon = [lt for lt in lots if lt.get("expiry") and lt["expiry"] <= limit and Decimal(lt["quantity"]) > 0]
    return sorted(soon, key=lambda lt: (lt["expiry"], lt["lot"]))
