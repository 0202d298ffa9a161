"""The ledger's reads, all done before planning: one strongly consistent BatchGetItem for the items a
movement touches (a reversal reads its movement's positions in a second one), and a Query of open
backorders for each position the movement may bring stock to that has some waiting."""
from __future__ import annotations

import time
from decimal import Decimal

from ...core.aws import client
from ...core.db import find, get_or
from ...core.errors import Conflict, NotFound
from ...core.keys import org_pk
from ...core.settings import get_settings
from ..models import (
    Backorder,
    Customer,
    InventoryTable,
    Location,
    Movement,
    Position,
    Product,
    item_key,
    movement_key,
    open_backorders_index,
    position_key,
)
from ..schemas import MovementIn
from .plan import Snapshot, arrival_positions, backorder_id

BACKORDERS_PER_ARRIVAL = 20  # keeps one transaction well inside DynamoDB's 100 items


def load(org_id: str, wanted: dict[str, type[InventoryTable]]) -> dict[str, InventoryTable]:
    """Items of one organisation by sort key, each as its model, in one strongly consistent
    BatchGetItem (however many kinds): {sk: item} for those that exist."""
    table = get_settings().inventory_table
    keys = [{"pk": {"S": org_pk(org_id)}, "sk": {"S": sk}} for sk in dict.fromkeys(wanted)]
    out: dict[str, InventoryTable] = {}
    if not keys:
        return out
    request = {table: {"Keys": keys, "ConsistentRead": True}}
    for _ in range(8):  # unprocessed keys are asked again
        resp = client("dynamodb").batch_get_item(RequestItems=request)
        for raw in resp.get("Responses", {}).get(table, []):
            sk = raw["sk"]["S"]
            out[sk] = wanted[sk].from_raw_data(raw)
        request = resp.get("UnprocessedKeys") or {}
        if not request:
            return out
        time.sleep(0.05)
    raise Conflict("the stock is busy; send it again", field="quantity")


def get_position(org_id: str, product_id: str, location_id: str) -> Position | None:
    return find(Position, *position_key(org_id, product_id, location_id), consistent_read=True)


def find_movement(org_id: str, movement_id: str) -> Movement | None:
    return find(Movement, *movement_key(org_id, movement_id), consistent_read=True)


def get_movement(org_id: str, movement_id: str) -> Movement:
    return get_or(Movement, *movement_key(org_id, movement_id),
                  lambda: NotFound("no such movement", field="movement_id"), consistent_read=True)


def open_backorders(org_id: str, product_id: str, location_id: str) -> list[Backorder]:
    """A position's open backorders, oldest first (the sparse by_time index holds only open ones)."""
    return list(Backorder.by_time.query(open_backorders_index(org_id, product_id, location_id),
                                        limit=BACKORDERS_PER_ARRIVAL))


def _position_keys(org_id: str, data: MovementIn, reversed_movement: Movement | None) -> dict[str, type[InventoryTable]]:
    """The positions a movement changes (a reversal: those of the movement it undoes) and the
    backorder a reversed sale opened: what changes under a movement between two attempts."""
    keys: dict[str, type[InventoryTable]] = {}
    if reversed_movement is not None:
        m = reversed_movement
        keys[position_key(org_id, m.product_id, m.location_id)[1]] = Position
        if m.to_location_id:
            keys[position_key(org_id, m.product_id, m.to_location_id)[1]] = Position
        if m.kind == "sale" and Decimal(m.backordered or 0) > 0:
            keys[item_key(org_id, "BACKORDER", backorder_id(m.id))[1]] = Backorder
    elif data.kind != "reversal" and data.product_id:
        for loc in (data.location_id, data.to_location_id):
            if loc:
                keys[position_key(org_id, data.product_id, loc)[1]] = Position
    return keys


def _read_open_backorders(snap: Snapshot, data: MovementIn, reversed_movement: Movement | None) -> None:
    snap.open_backorders = {}
    for product_id, location_id in arrival_positions(data, reversed_movement):
        sk = position_key(snap.org_id, product_id, location_id)[1]
        pos = snap.items.get(sk)
        if isinstance(pos, Position) and pos.backordered and Decimal(pos.backordered) > 0:
            snap.open_backorders[sk] = open_backorders(snap.org_id, product_id, location_id)


def movement_snapshot(org_id: str, movement_id: str, data: MovementIn) -> Snapshot:
    """What recording `data` under `movement_id` needs: the movement id (a replay), the product,
    locations, customer and positions; for a reversal the movement it undoes, its positions and the
    backorder its sale opened (a second BatchGetItem); the open backorders of each position stock
    may arrive at."""
    wanted: dict[str, type[InventoryTable]] = {movement_key(org_id, movement_id)[1]: Movement}
    if data.kind == "reversal" and data.reverses:
        wanted[movement_key(org_id, data.reverses)[1]] = Movement
    if data.product_id:
        wanted[item_key(org_id, "PRODUCT", data.product_id)[1]] = Product
    for loc in (data.location_id, data.to_location_id):
        if loc:
            wanted[item_key(org_id, "LOCATION", loc)[1]] = Location
    if data.customer_id:
        wanted[item_key(org_id, "CUSTOMER", data.customer_id)[1]] = Customer
    wanted.update(_position_keys(org_id, data, None))
    snap = Snapshot(org_id, load(org_id, wanted))
    if snap.movement(movement_id) is not None:
        return snap  # a replay: nothing else is needed
    reversed_movement = snap.movement(data.reverses) if data.kind == "reversal" else None
    if reversed_movement is not None:
        snap.items.update(load(org_id, _position_keys(org_id, data, reversed_movement)))
    _read_open_backorders(snap, data, reversed_movement)
    return snap


def refresh(snap: Snapshot, data: MovementIn) -> Snapshot:
    """After a lost race: the positions (and a reversed sale's backorder) read again in one
    BatchGetItem, and the open backorders stock may arrive at; the rest holds."""
    reversed_movement = snap.movement(data.reverses) if data.kind == "reversal" else None
    keys = _position_keys(snap.org_id, data, reversed_movement)
    fresh = load(snap.org_id, keys)
    items = {sk: item for sk, item in snap.items.items() if sk not in keys}
    again = Snapshot(snap.org_id, {**items, **fresh})
    _read_open_backorders(again, data, reversed_movement)
    return again
