"""Recording: the one TransactWriteItems of a movement, and its retries.

The transaction writes the movement (only if its id is new), each position (only if its version is
still the one read), the backorders it opens or fills, the fills, and a reversal's claim. A lost
race (a version moved: a failed condition or a transaction conflict, told apart by their codes)
reads again and replans after a jittered backoff. Sending the same movement id again returns what
was recorded (a different body for it is a 409).
"""
from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from decimal import Decimal

from pynamodb.exceptions import TransactWriteError

from ...core import clock
from ...core.db import conflicted, failed_actions, save_if, transaction
from ...core.errors import Conflict, InvalidInput, NotFound
from ..models import Backorder, Location, Movement, Position, Product, ReversalClaim, item_key, position_key
from ..schemas import MovementIn
from .plan import Plan, Request, check_movement, new_position, plan_movement, request_hash
from .read import find_movement, get_position, load, movement_snapshot, refresh
from .views import movement_out

MAX_ATTEMPTS = 40
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


@dataclass(frozen=True)
class Recorded:
    movement: Movement
    positions: list[Position]  # as written (none for a replay)
    replayed: bool


def write(plan: Plan) -> None:
    """The plan's one transaction; raises TransactWriteError when a condition fails."""
    now = plan.movement.recorded_at
    with transaction() as tx:
        tx.save(plan.movement, condition=Movement.pk.does_not_exist())
        for pos in plan.positions:
            read = plan.versions[pos.sk]
            pos.version, pos.updated_at = read + 1, now
            tx.save(pos, condition=Position.pk.does_not_exist() if read == 0 else Position.version == read)
        for bo, filled in plan.backorders:
            tx.save(bo, condition=Backorder.pk.does_not_exist() if filled is None else Backorder.filled == filled)
        for fill in plan.fills:
            tx.save(fill, condition=Movement.pk.does_not_exist())
        if plan.claim is not None:
            tx.save(plan.claim, condition=ReversalClaim.pk.does_not_exist())


def same_body(m: Movement, data: MovementIn) -> Movement:
    """A recorded movement sent again: the same body returns it, another is a conflict."""
    if m.request_hash != request_hash(data):
        raise Conflict("this movement id was recorded with a different body", field="movement_id",
                       extra={"current": movement_out(m, True).model_dump(mode="json")})
    return m


def _check_references(data: MovementIn, snap_items: dict[str, object], org_id: str) -> None:
    if data.kind == "reversal":
        return
    for name, prefix in (("product_id", "PRODUCT"), ("location_id", "LOCATION"), ("to_location_id", "LOCATION"),
                         ("customer_id", "CUSTOMER")):
        value = getattr(data, name)
        if value and item_key(org_id, prefix, value)[1] not in snap_items:
            raise NotFound(f"no such {name.removesuffix('_id').replace('to_', '')}", field=name)


def record_movement(org_id: str, by: str, movement_id: str, data: MovementIn, now: str | None = None) -> Recorded:
    """Record a movement and change its positions atomically.

    Reads (before planning): one BatchGetItem for the movement id (a replay), product, locations,
    customer and positions, a Query when open backorders wait; writes: one transaction. A retry
    reads again."""
    if not re.match(ID_PATTERN, movement_id):
        raise InvalidInput("a movement id is 1-64 letters, digits, - or _", field="movement_id")
    snap = movement_snapshot(org_id, movement_id, data)
    recorded = snap.movement(movement_id)
    if recorded is not None:
        return Recorded(same_body(recorded, data), [], True)
    check_movement(data)
    _check_references(data, dict(snap.items), org_id)
    for attempt in range(MAX_ATTEMPTS):
        stamp = now or clock.iso_now()
        plan = plan_movement(Request(org_id, by, movement_id, data, stamp, data.occurred_on or stamp[:10]), snap)
        try:
            write(plan)
            return Recorded(plan.movement, plan.positions, False)
        except TransactWriteError as exc:
            if not conflicted(exc):
                raise
            failed = failed_actions(exc)
            if 0 in failed:  # recorded meanwhile (a retried request racing itself)
                existing = find_movement(org_id, movement_id)
                if existing is not None:
                    return Recorded(same_body(existing, data), [], True)
            if plan.claim is not None and failed == [plan.claim_index]:
                raise Conflict("that movement has been reversed already", field="reverses") from None
        time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** attempt)))
        snap = refresh(snap, data)
    raise Conflict("the stock kept changing while this was recorded; send it again", field="quantity")


def set_stock_settings(org_id: str, product_id: str, location_id: str, reorder_point: Decimal | None,
                       reorder_quantity: Decimal | None, max_quantity: Decimal | None) -> Position:
    """A position's reorder point, reorder quantity and maximum (the position is made if new)."""
    pos_sk = position_key(org_id, product_id, location_id)[1]
    product_sk, location_sk = item_key(org_id, "PRODUCT", product_id)[1], item_key(org_id, "LOCATION", location_id)[1]
    found = load(org_id, {product_sk: Product, location_sk: Location, pos_sk: Position})
    product = found.get(product_sk)
    for name, sk in (("product_id", product_sk), ("location_id", location_sk)):
        if sk not in found:
            raise NotFound(f"no such {name.removesuffix('_id')}", field=name)
    if max_quantity is not None and reorder_point is not None and max_quantity < reorder_point:
        raise InvalidInput("the maximum cannot be below the reorder point", field="max_quantity")
    for attempt in range(MAX_ATTEMPTS):
        read_pos = found.get(pos_sk) if attempt == 0 else get_position(org_id, product_id, location_id)
        pos = read_pos if isinstance(read_pos, Position) else new_position(org_id, product_id, location_id,
                                                                           clock.iso_now())
        read = int(pos.version)
        pos.reorder_point, pos.reorder_quantity, pos.max_quantity = reorder_point, reorder_quantity, max_quantity
        if isinstance(product, Product):
            pos.currency = product.currency
        pos.version, pos.updated_at = read + 1, clock.iso_now()
        # a movement won the race when the condition fails: read again
        if save_if(pos, Position.pk.does_not_exist() if read == 0 else Position.version == read):
            return pos
        time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
    raise Conflict("the stock kept changing; send it again", field="version")
