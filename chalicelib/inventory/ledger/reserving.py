"""Planning reservations, pure: reserve, release and fulfil, from what was read.

A reservation keeps units of a position for an order: `reserved` grows, `on_hand` stays, and what
anyone else may take (`available = on_hand - reserved`) shrinks, in the same transaction as the
Reservation item. Releasing gives the units back; fulfilling sells them (a sale movement per line,
FIFO cost, `reserved` and `on_hand` both shrink). No DynamoDB calls and no clock reads here.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from ...core.errors import Conflict, NotFound
from ...core.keys import org_pk
from ...core.money import fmt_quantity
from .. import rules
from ..models import Movement, Position, Product, Reservation, ReservedLine, movement_key, movements_index
from ..schemas import ReservationIn
from .plan import ZERO, Snapshot, available_of, consumed_parts, lots_of, reserved_of, set_lots

SALE_NAMESPACE = uuid.UUID("5d0c7a52-3f0e-4a57-9b7e-6c1a2f4e8d31")


def reservation_sk(reservation_id: str) -> str:
    return f"RESERVE#{reservation_id}"


def fulfilment_sale_id(reservation_id: str, product_id: str, location_id: str) -> str:
    """The sale movement that fulfils one line of a reservation (one per product × location)."""
    return str(uuid.uuid5(SALE_NAMESPACE, f"{reservation_id}|{product_id}|{location_id}"))


def reservation_hash(data: ReservationIn) -> str:
    body = data.model_dump(mode="json", exclude_none=True)
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def merged_lines(data: ReservationIn) -> list[tuple[str, str, Decimal, Decimal | None]]:
    """(product, location, quantity, price) with lines of the same product and location added together
    (the first price named wins), in the order first named."""
    out: dict[tuple[str, str], list[object]] = {}
    for line in data.lines:
        key = (line.product_id, line.location_id)
        if key in out:
            out[key][0] = Decimal(str(out[key][0])) + line.quantity
            if out[key][1] is None:
                out[key][1] = line.price
        else:
            out[key] = [line.quantity, line.price]
    return [(p, loc, Decimal(str(q)), pr if isinstance(pr, Decimal) else None) for (p, loc), (q, pr) in out.items()]


@dataclass
class HoldPlan:
    """One transaction: the reservation (new: if not exists; changed: at its version read), each
    position at its version read, and the sale movements of a fulfilment (if not exists)."""

    reservation: Reservation
    reservation_version: int | None  # None: a new reservation
    positions: list[Position]
    versions: dict[str, int] = field(default_factory=dict)
    sales: list[Movement] = field(default_factory=list)


def plan_reservation(org_id: str, reservation_id: str, data: ReservationIn, by: str, now: str,
                     snap: Snapshot) -> HoldPlan:
    """Reserve every line or none: a line asking more than is available is a 409 naming it, with
    what is available."""
    lines = merged_lines(data)
    positions: list[Position] = []
    versions: dict[str, int] = {}
    reserved_lines: list[ReservedLine] = []
    for i, (product_id, location_id, quantity, price) in enumerate(lines):
        product = snap.product(product_id)
        if product is None:
            raise NotFound("no such product", field=f"lines.{i}.product_id")
        if snap.location(location_id) is None:
            raise NotFound("no such location", field=f"lines.{i}.location_id")
        pos = snap.position(product_id, location_id, now)
        available = available_of(pos)
        if quantity > available:
            raise Conflict(f"only {fmt_quantity(available)} available", field=f"lines.{i}.quantity",
                           extra={"available": fmt_quantity(available), "product_id": product_id,
                                  "location_id": location_id})
        versions[pos.sk] = int(pos.version)
        pos.reserved = reserved_of(pos) + quantity
        pos.currency = product.currency
        positions.append(pos)
        reserved_lines.append(ReservedLine(product_id=product_id, location_id=location_id, quantity=quantity,
                                           price=price if price is not None else Decimal(product.price),
                                           currency=product.currency))
    res = Reservation(org_pk(org_id), reservation_sk(reservation_id), id=reservation_id, org_id=org_id,
                      lines=reserved_lines, status="held", reference=data.reference, customer_id=data.customer_id,
                      request_hash=reservation_hash(data), sale_ids=[], created_by=by, created_at=now, version=1)
    return HoldPlan(res, None, positions, versions)


def plan_release(res: Reservation, reason: str, now: str, snap: Snapshot) -> HoldPlan:
    """A held reservation's units given back to `available`."""
    read = int(res.version)
    positions: list[Position] = []
    versions: dict[str, int] = {}
    for line in res.lines or []:
        pos = snap.position(line.product_id, line.location_id, now)
        versions[pos.sk] = int(pos.version)
        pos.reserved = max(ZERO, reserved_of(pos) - Decimal(line.quantity))
        positions.append(pos)
    res.status, res.reason, res.settled_at, res.version = "released", reason, now, read + 1
    return HoldPlan(res, read, positions, versions)


def plan_fulfilment(res: Reservation, by: str, now: str, snap: Snapshot) -> HoldPlan:
    """A held reservation sold: per line a sale movement taking its units, oldest lots first, from the
    stock kept for it. Refused (409) when a line's stock has gone meanwhile (scrapped or counted down)."""
    read = int(res.version)
    plan = HoldPlan(res, read, [])
    for i, line in enumerate(res.lines or []):
        pos = snap.position(line.product_id, line.location_id, now)
        quantity = Decimal(line.quantity)
        try:
            took = rules.consume(lots_of(pos), quantity)
        except rules.Shortfall as s:
            raise Conflict(f"only {fmt_quantity(s.available)} on hand for what was reserved",
                           field=f"lines.{i}.quantity", extra={"available": fmt_quantity(s.available)}) from None
        plan.versions[pos.sk] = int(pos.version)
        set_lots(pos, took.lots)
        pos.reserved = max(ZERO, reserved_of(pos) - quantity)
        plan.positions.append(pos)
        sale_id = fulfilment_sale_id(res.id, line.product_id, line.location_id)
        product = snap.product(line.product_id)
        currency = pos.currency or (product.currency if isinstance(product, Product) else None)
        plan.sales.append(Movement(
            *movement_key(res.org_id, sale_id), gsi2pk=movements_index(res.org_id), gsi2sk=f"{now}#{sale_id}",
            id=sale_id, org_id=res.org_id, kind="sale", product_id=line.product_id, location_id=line.location_id,
            quantity=quantity, direction=-1, backordered=ZERO, cost=took.cost, price=line.price,
            consumed=consumed_parts(took.taken), customer_id=res.customer_id, reservation_id=res.id,
            currency=currency, note=f"reservation {res.id}" + (f" ({res.reference})" if res.reference else ""),
            request_hash="", recorded_by=by, recorded_at=now, occurred_on=now[:10]))
    res.status, res.settled_at, res.version = "fulfilled", now, read + 1
    res.sale_ids = [m.id for m in plan.sales]  # type: ignore[misc]  # PynamoDB types a list of strings by its attribute
    return plan
