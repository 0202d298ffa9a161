"""Reservations: stock kept for an order in the ledger's own transaction, then sold or given back.

`reserve` writes the Reservation (only if its id is new) and each position's `reserved` at the
version read, in one TransactWriteItems, together with whatever the caller adds (`also`: a shop
order, so the order and its stock are written both or neither). A lost race reads again and replans,
as a movement does, so concurrent reservations and sales never take more than `on_hand - reserved`
across every channel. `release` gives the units back once (held → released), `fulfil` sells them
once (held → fulfilled: one sale movement per line). Replays return what was written.
"""
from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from ...core import clock
from ...core.db import conflicted, failed_actions, find, transaction
from ...core.errors import Conflict, InvalidInput, NotFound
from ...core.keys import org_pk
from ...core.money import fmt_quantity, fmt_unit_price
from ..models import Customer, InventoryTable, Location, Movement, Position, Product, Reservation, item_key, position_key
from ..schemas import PositionOut, ReservationChangedOut, ReservationIn, ReservationLineOut, ReservationOut
from .plan import Snapshot
from .read import load
from .reserving import HoldPlan, plan_fulfilment, plan_release, plan_reservation, reservation_hash, reservation_sk
from .views import DEFAULT_CURRENCY, position_out

MAX_ATTEMPTS = 40
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

Also = Callable[[TransactWrite], None]


class CallerConditionFailed(Exception):
    """A condition of the caller's own actions (`also`) failed: the caller decides what it means.
    `failed` are the indices of its actions, in the order it named them."""

    def __init__(self, failed: list[int]) -> None:
        super().__init__(f"the caller's actions {failed} failed their conditions")
        self.failed = failed


@dataclass(frozen=True)
class Held:
    reservation: Reservation
    positions: list[Position]  # as written (none for a replay)
    replayed: bool


def get_reservation(org_id: str, reservation_id: str) -> Reservation | None:
    return find(Reservation, org_pk(org_id), reservation_sk(reservation_id), consistent_read=True)


def _snapshot(org_id: str, reservation_id: str, pairs: list[tuple[str, str]], customer_id: str | None = None,
              catalogue: bool = True) -> Snapshot:
    wanted: dict[str, type[InventoryTable]] = {reservation_sk(reservation_id): Reservation}
    for product_id, location_id in pairs:
        if catalogue:
            wanted[item_key(org_id, "PRODUCT", product_id)[1]] = Product
            wanted[item_key(org_id, "LOCATION", location_id)[1]] = Location
        wanted[position_key(org_id, product_id, location_id)[1]] = Position
    if customer_id:
        wanted[item_key(org_id, "CUSTOMER", customer_id)[1]] = Customer
    return Snapshot(org_id, load(org_id, wanted))


def _found(snap: Snapshot, reservation_id: str) -> Reservation | None:
    item = snap.items.get(reservation_sk(reservation_id))
    return item if isinstance(item, Reservation) else None


def _write(plan: HoldPlan, also: Also | None) -> int:
    """The plan's one transaction, then the caller's actions; returns how many actions were the ledger's."""
    with transaction() as tx:
        res = plan.reservation
        tx.save(res, condition=Reservation.pk.does_not_exist() if plan.reservation_version is None
                else (Reservation.version == plan.reservation_version) & (Reservation.status == "held"))
        for pos in plan.positions:
            read = plan.versions[pos.sk]
            pos.version, pos.updated_at = read + 1, res.settled_at or res.created_at
            tx.save(pos, condition=Position.pk.does_not_exist() if read == 0 else Position.version == read)
        for sale in plan.sales:
            tx.save(sale, condition=Movement.pk.does_not_exist())
        own = 1 + len(plan.positions) + len(plan.sales)
        if also is not None:
            also(tx)
    return own


def _attempt(plan: HoldPlan, also: Also | None) -> bool:
    """Write the plan: True when written, False when it lost a race (read again); the caller's failed
    conditions raise CallerConditionFailed."""
    own = 1 + len(plan.positions) + len(plan.sales)
    try:
        _write(plan, also)
        return True
    except TransactWriteError as exc:
        if not conflicted(exc):
            raise
        failed = failed_actions(exc)
        theirs = [i - own for i in failed if i >= own]
        if theirs:
            raise CallerConditionFailed(theirs) from None
        return False


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** attempt)))


def reserve(org_id: str, reservation_id: str, data: ReservationIn, by: str, also: Also | None = None) -> Held:
    """Keep every line's units (all or none: a line asking for more than is available is a 409
    naming it). The same id again: the same body returns what was reserved, another is a 409."""
    if not re.match(ID_PATTERN, reservation_id):
        raise InvalidInput("a reservation id is 1-64 letters, digits, - or _", field="reservation_id")
    pairs = list(dict.fromkeys((line.product_id, line.location_id) for line in data.lines))
    snap = _snapshot(org_id, reservation_id, pairs, data.customer_id)
    for attempt in range(MAX_ATTEMPTS):
        existing = _found(snap, reservation_id)
        if existing is not None:
            if existing.request_hash != reservation_hash(data):
                raise Conflict("this reservation id was used with a different body", field="reservation_id")
            return Held(existing, [], True)
        if data.customer_id and snap.customer(data.customer_id) is None:
            raise NotFound("no such customer", field="customer_id")
        plan = plan_reservation(org_id, reservation_id, data, by, clock.iso_now(), snap)
        if _attempt(plan, also):
            return Held(plan.reservation, plan.positions, False)
        _backoff(attempt)
        snap = _snapshot(org_id, reservation_id, pairs, data.customer_id)
    raise Conflict("the stock kept changing while this was reserved; send it again", field="lines")


def _settle(org_id: str, reservation_id: str, by: str, to: str,
            planner: Callable[[Reservation, Snapshot], HoldPlan], also: Also | None) -> Held:
    for attempt in range(MAX_ATTEMPTS):
        res = get_reservation(org_id, reservation_id)
        if res is None:
            raise NotFound("no such reservation", field="reservation_id")
        if res.status == to:
            return Held(res, [], True)
        if res.status != "held":
            raise Conflict(f"the reservation is {res.status}", field="status")
        pairs = [(line.product_id, line.location_id) for line in res.lines or []]
        snap = _snapshot(org_id, reservation_id, pairs, catalogue=to == "fulfilled")
        plan = planner(res, snap)
        if _attempt(plan, also):
            return Held(plan.reservation, plan.positions, False)
        _backoff(attempt)
    raise Conflict("the stock kept changing; send it again", field="status")


def release(org_id: str, reservation_id: str, by: str, reason: str = "cancelled", also: Also | None = None) -> Held:
    """Give a held reservation's units back (once: a released one is returned as it is; a fulfilled
    one is a 409 `status`)."""
    return _settle(org_id, reservation_id, by, "released",
                   lambda res, snap: plan_release(res, reason, clock.iso_now(), snap), also)


def fulfil(org_id: str, reservation_id: str, by: str, also: Also | None = None) -> Held:
    """Sell a held reservation's units (once): one sale movement per line, from the stock kept for it."""
    return _settle(org_id, reservation_id, by, "fulfilled",
                   lambda res, snap: plan_fulfilment(res, by, clock.iso_now(), snap), also)


def reservation(org_id: str, reservation_id: str) -> ReservationOut:
    """One reservation as its response model (404 `reservation_id` when there is none)."""
    res = get_reservation(org_id, reservation_id)
    if res is None:
        raise NotFound("no such reservation", field="reservation_id")
    return reservation_out(res)


# ----------------------------------------------------------------- response models
def reservation_out(res: Reservation) -> ReservationOut:
    lines = [ReservationLineOut(product_id=line.product_id, location_id=line.location_id,
                                quantity=fmt_quantity(line.quantity),
                                price=None if line.price is None else fmt_unit_price(line.price, line.currency or DEFAULT_CURRENCY))
             for line in res.lines or []]
    status: Literal["held", "released", "fulfilled"] = "held"
    if res.status in ("released", "fulfilled"):
        status = "released" if res.status == "released" else "fulfilled"
    return ReservationOut(id=res.id, status=status, lines=lines, reference=res.reference,
                          customer_id=res.customer_id, sale_ids=[str(i) for i in res.sale_ids or []], reason=res.reason,
                          created_by=res.created_by, created_at=res.created_at, settled_at=res.settled_at,
                          version=int(res.version))


def held_out(held: Held, show_costs: bool) -> ReservationChangedOut:
    positions: list[PositionOut] = [position_out(p, show_costs) for p in held.positions]
    return ReservationChangedOut(reservation=reservation_out(held.reservation), positions=positions)
