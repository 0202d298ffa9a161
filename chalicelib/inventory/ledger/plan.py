"""Planning a movement, pure: given everything read (a `Snapshot`), what to write.

No DynamoDB calls and no clock reads here: the items of the plan are built from the snapshot with
the FIFO rules, and the time comes with the request. A sale that cannot be filled is refused (409)
or backordered; stock arriving at a position fills its open backorders (read beforehand) first.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ...core.errors import Conflict, InvalidInput, NotFound
from ...core.keys import org_pk
from ...core.money import fmt_quantity
from ...core.shards import shard_of
from .. import rules
from ..models import (
    Backorder,
    ConsumedLot,
    Customer,
    InventoryTable,
    Location,
    Lot,
    Movement,
    Position,
    Product,
    ReversalClaim,
    item_key,
    location_stock_index,
    movement_key,
    movements_index,
    open_backorders_index,
    position_key,
    series_id,
)
from ..schemas import MovementIn

ZERO = Decimal(0)
FILL_NAMESPACE = uuid.UUID("0b4c8f2e-7d1a-4c3b-9e55-2f6a8d9c1e07")
INFLOW = ("receive", "return")


# ----------------------------------------------------------------- ids and positions
def backorder_id(sale_id: str) -> str:
    """The backorder a short sale opens (one per sale)."""
    return str(uuid.uuid5(FILL_NAMESPACE, f"backorder|{sale_id}"))


def fill_id(movement_id: str, backorder: str) -> str:
    """The sale movement that fills part of a backorder from an arriving movement."""
    return str(uuid.uuid5(FILL_NAMESPACE, f"{movement_id}|{backorder}"))


def new_position(org_id: str, product_id: str, location_id: str, now: str) -> Position:
    """An empty position (version 0: not written yet)."""
    return Position(*position_key(org_id, product_id, location_id), org_id=org_id, product_id=product_id,
                    location_id=location_id, on_hand=ZERO, backordered=ZERO, lots=[], version=0,
                    updated_at=now,
                    gsi1pk=location_stock_index(org_id, location_id), gsi1sk=f"PRODUCT#{product_id}",
                    gsi3pk=f"POS#{shard_of(f'{org_id}#{product_id}#{location_id}')}",
                    gsi3sk=series_id(org_id, product_id, location_id))


def lots_of(pos: Position) -> list[rules.LotRow]:
    """A position's lots as the FIFO rules take them, oldest first."""
    return [{"lot": lt.lot, "quantity": Decimal(lt.quantity), "unit_cost": Decimal(lt.unit_cost),
             "received_at": lt.received_at, "expiry": lt.expiry, "movement_id": lt.movement_id}
            for lt in (pos.lots or [])]


def reserved_of(pos: Position) -> Decimal:
    """What held reservations keep at this position (0 for a position written before reservations)."""
    return Decimal(pos.reserved or 0)


def available_of(pos: Position, lots: list[rules.LotRow] | None = None) -> Decimal:
    """On hand minus reserved, never below 0: what a sale, issue, transfer or reservation may take."""
    on_hand = rules.on_hand(lots if lots is not None else lots_of(pos))
    return max(ZERO, on_hand - reserved_of(pos))


def set_lots(pos: Position, lots: list[rules.LotRow]) -> None:
    pos.lots = [Lot(**lt) for lt in lots]
    pos.on_hand = rules.on_hand(lots)


def consumed_parts(taken: list[rules.Taken]) -> list[ConsumedLot]:
    return [ConsumedLot(lot=t.lot, quantity=t.quantity, unit_cost=t.unit_cost, received_at=t.received_at,
                        expiry=t.expiry, movement_id=t.movement_id) for t in taken]


def _as_lots(consumed: Iterable[ConsumedLot]) -> list[rules.LotRow]:
    return [{"lot": c.lot, "quantity": Decimal(c.quantity), "unit_cost": Decimal(c.unit_cost),
             "received_at": c.received_at or "", "expiry": c.expiry, "movement_id": c.movement_id or ""}
            for c in consumed]


# ----------------------------------------------------------------- what was read
@dataclass
class Snapshot:
    """Everything a movement's plan needs, read before planning: items of the organisation's
    partition by sort key (the movement id if recorded, the product, locations, customer, positions,
    the movement a reversal undoes and the backorder its sale opened) and each arrival position's
    open backorders, oldest first."""

    org_id: str
    items: dict[str, InventoryTable] = field(default_factory=dict)
    open_backorders: dict[str, list[Backorder]] = field(default_factory=dict)  # position sk → backorders

    def movement(self, movement_id: str | None) -> Movement | None:
        item = self.items.get(movement_key(self.org_id, movement_id)[1]) if movement_id else None
        return item if isinstance(item, Movement) else None

    def product(self, product_id: str | None) -> Product | None:
        item = self.items.get(item_key(self.org_id, "PRODUCT", product_id)[1]) if product_id else None
        return item if isinstance(item, Product) else None

    def location(self, location_id: str | None) -> Location | None:
        item = self.items.get(item_key(self.org_id, "LOCATION", location_id)[1]) if location_id else None
        return item if isinstance(item, Location) else None

    def customer(self, customer_id: str | None) -> Customer | None:
        item = self.items.get(item_key(self.org_id, "CUSTOMER", customer_id)[1]) if customer_id else None
        return item if isinstance(item, Customer) else None

    def backorder(self, backorder: str) -> Backorder | None:
        item = self.items.get(item_key(self.org_id, "BACKORDER", backorder)[1])
        return item if isinstance(item, Backorder) else None

    def position(self, product_id: str, location_id: str, now: str) -> Position:
        """The position as read, or a new empty one."""
        item = self.items.get(position_key(self.org_id, product_id, location_id)[1])
        return item if isinstance(item, Position) else new_position(self.org_id, product_id, location_id, now)


def arrival_positions(data: MovementIn, reversed_movement: Movement | None) -> list[tuple[str, str]]:
    """The (product, location) positions a movement may bring stock to: their open backorders are
    read with the snapshot, so arriving stock can fill them."""
    if data.kind == "reversal":
        m = reversed_movement
        return [(m.product_id, m.location_id)] if m is not None and int(m.direction) < 0 else []
    if data.product_id is None:
        return []
    if data.kind in (*INFLOW, "adjust") and data.location_id:
        return [(data.product_id, data.location_id)]
    if data.kind == "transfer" and data.to_location_id:
        return [(data.product_id, data.to_location_id)]
    return []


# ----------------------------------------------------------------- checking
def request_hash(data: MovementIn) -> str:
    body = data.model_dump(mode="json", exclude_none=True)
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def check_movement(data: MovementIn) -> None:
    """The fields each kind needs (and may not have), each error naming its field."""
    k = data.kind

    def need(name: str, why: str = "") -> None:
        if getattr(data, name) is None:
            raise InvalidInput(f"a {k} needs {name}{why}", field=name)

    def refuse(*names: str) -> None:
        for name in names:
            if getattr(data, name) is not None:
                raise InvalidInput(f"a {k} has no {name}", field=name)

    if k == "reversal":
        need("reverses")
        refuse("product_id", "location_id", "to_location_id", "quantity", "counted", "unit_cost", "price", "lot",
               "expiry", "reason", "customer_id", "purchase_order_id")
        return
    need("product_id")
    need("location_id")
    refuse("reverses")
    if k == "adjust":
        need("counted", " (the quantity counted)")
        refuse("quantity", "to_location_id", "price", "customer_id", "lot", "expiry")
        return
    need("quantity")
    refuse("counted")
    if k != "transfer":
        refuse("to_location_id")
    if k == "receive":
        need("unit_cost")
    if k == "transfer":
        need("to_location_id")
        if data.to_location_id == data.location_id:
            raise InvalidInput("a transfer goes to another location", field="to_location_id")
    if k == "scrap":
        need("reason", " (damaged, expired, defective or lost)")
    if k not in ("receive", "return") and (data.unit_cost is not None or data.expiry is not None):
        raise InvalidInput(f"a {k} takes its cost from the lots it consumes",
                           field="unit_cost" if data.unit_cost is not None else "expiry")
    if k != "sale":
        refuse("price")
    if k not in ("sale", "return"):
        refuse("customer_id")
    if k not in ("receive", "return", "scrap"):
        refuse("lot")
    if k not in ("receive",):
        refuse("purchase_order_id")


# ----------------------------------------------------------------- planning
@dataclass
class Plan:
    """The one transaction: the movement (if its id is new), each position (at the version read),
    backorders opened or changed (with `filled` as read, None for a new one), backorder fills, and a
    reversal's claim."""

    movement: Movement
    positions: list[Position]
    backorders: list[tuple[Backorder, Decimal | None]] = field(default_factory=list)
    fills: list[Movement] = field(default_factory=list)
    claim: ReversalClaim | None = None
    versions: dict[str, int] = field(default_factory=dict)  # position sk → version read

    @property
    def claim_index(self) -> int:
        """The claim's place among the transaction's actions (it is written last)."""
        return 1 + len(self.positions) + len(self.backorders) + len(self.fills)


@dataclass(frozen=True)
class Request:
    """Who records which movement, and when (`now`, an ISO timestamp; `day` it counts on)."""

    org_id: str
    by: str
    movement_id: str
    data: MovementIn
    now: str
    day: str


def shortfall(available: Decimal, what: str = "") -> Conflict:
    return Conflict(f"only {fmt_quantity(available)} on hand{what}", field="quantity",
                    extra={"available": fmt_quantity(available)})


def _movement(req: Request, currency: str | None) -> Movement:
    d = req.data
    return Movement(*movement_key(req.org_id, req.movement_id), gsi2pk=movements_index(req.org_id),
                    gsi2sk=f"{req.now}#{req.movement_id}", id=req.movement_id, org_id=req.org_id,
                    kind=d.kind, product_id=d.product_id, location_id=d.location_id, to_location_id=d.to_location_id,
                    quantity=d.quantity or ZERO, direction=-1, backordered=ZERO, lot=d.lot, unit_cost=d.unit_cost,
                    expiry=d.expiry, cost=ZERO, price=None, consumed=[], reason=d.reason, counted=d.counted,
                    customer_id=d.customer_id, purchase_order_id=d.purchase_order_id, note=d.note,
                    request_hash=request_hash(d), currency=currency, recorded_by=req.by, recorded_at=req.now,
                    occurred_on=req.day)


def _allocate_arrival(req: Request, snap: Snapshot, plan: Plan, pos: Position, arriving: Decimal) -> None:
    """Stock arriving at a position fills its open backorders first, oldest first, each fill a sale
    movement of its own (FIFO cost) written in the same transaction."""
    if arriving <= 0 or not pos.backordered or Decimal(pos.backordered) <= 0:
        return
    already = {b.id for b, _ in plan.backorders}
    open_bos = [b for b in snap.open_backorders.get(pos.sk, []) if b.status == "open" and b.id not in already]
    allocations = rules.allocate(min(arriving, available_of(pos)),
                                 [(b.id, Decimal(b.quantity), Decimal(b.filled)) for b in open_bos])
    by_id = {b.id: b for b in open_bos}
    lots = lots_of(pos)
    for a in allocations:
        bo = by_id[a.backorder_id]
        took = rules.consume(lots, a.quantity)
        lots = took.lots
        fid = fill_id(req.movement_id, bo.id)
        fill = Movement(*movement_key(req.org_id, fid), gsi2pk=movements_index(req.org_id),
                        gsi2sk=f"{req.now}#{fid}", id=fid, org_id=req.org_id, kind="sale",
                        product_id=pos.product_id, location_id=pos.location_id, quantity=a.quantity, direction=-1,
                        backordered=ZERO, cost=took.cost, price=bo.price, consumed=consumed_parts(took.taken),
                        customer_id=bo.customer_id, backorder_id=bo.id, currency=pos.currency,
                        note=f"backorder of sale {bo.sale_id} filled by {req.movement_id}", request_hash="",
                        recorded_by=req.by, recorded_at=req.now, occurred_on=req.day)
        read = Decimal(bo.filled)
        bo.filled = read + a.quantity
        if a.closes:
            bo.status, bo.filled_at, bo.gsi2pk, bo.gsi2sk = "filled", req.now, None, None
        plan.backorders.append((bo, read))
        plan.fills.append(fill)
        pos.backordered = Decimal(pos.backordered) - a.quantity
    set_lots(pos, lots)


def plan_movement(req: Request, snap: Snapshot) -> Plan:
    """What recording `req` writes, from what was read. Raises Conflict for a shortfall."""
    d = req.data
    if d.kind == "reversal":
        return _plan_reversal(req, snap)
    assert d.product_id is not None and d.location_id is not None  # check_movement holds it
    product = snap.product(d.product_id)
    if product is None:
        raise NotFound("no such product", field="product_id")
    pos = snap.position(d.product_id, d.location_id, req.now)
    pos.currency = product.currency
    plan = Plan(_movement(req, product.currency), [pos], versions={pos.sk: int(pos.version)})
    m = plan.movement
    lots = lots_of(pos)
    stamp = req.day.replace("-", "")
    if d.kind in INFLOW:
        assert d.quantity is not None
        unit_cost = d.unit_cost if d.unit_cost is not None else Decimal(product.cost)
        prefix = "RET" if d.kind == "return" else "L"
        lot = d.lot or f"{prefix}{stamp}-{req.movement_id[:6].upper()}"
        set_lots(pos, rules.insert(lots, [{"lot": lot, "quantity": d.quantity, "unit_cost": unit_cost,
                                            "received_at": req.now, "expiry": d.expiry,
                                            "movement_id": req.movement_id}]))
        m.direction, m.lot, m.unit_cost, m.cost = 1, lot, unit_cost, d.quantity * unit_cost
        _allocate_arrival(req, snap, plan, pos, d.quantity)
        return plan
    if d.kind == "adjust":
        assert d.counted is not None
        direction, qty = rules.stock_take(lots, d.counted)
        m.direction, m.quantity, m.reason = direction, qty, "stock-take"
        if direction < 0:
            took = rules.consume(lots, qty)
            set_lots(pos, took.lots)
            m.cost, m.consumed = took.cost, consumed_parts(took.taken)
        elif direction > 0:
            unit_cost = rules.last_unit_cost(lots, Decimal(product.cost))
            lot = f"ADJ{stamp}-{req.movement_id[:6].upper()}"
            set_lots(pos, rules.insert(lots, [{"lot": lot, "quantity": qty, "unit_cost": unit_cost,
                                                "received_at": req.now, "expiry": None,
                                                "movement_id": req.movement_id}]))
            m.lot, m.unit_cost, m.cost = lot, unit_cost, qty * unit_cost
            _allocate_arrival(req, snap, plan, pos, qty)
        return plan
    assert d.quantity is not None
    if d.kind == "sale":
        _plan_sale(req, snap, plan, product, pos, lots, d.quantity)
        return plan
    # issue, scrap, transfer: stock leaves this position, oldest lots first; reserved stock is kept
    # for its orders (a scrap may take it: the units are physically gone, and the order's fulfilment
    # then meets the shortfall)
    if d.kind != "scrap" and d.quantity > available_of(pos, lots):
        raise shortfall(available_of(pos, lots), " not reserved" if reserved_of(pos) > 0 else "")
    try:
        took = rules.consume(lots, d.quantity, lot=d.lot if d.kind == "scrap" else None)
    except rules.Shortfall as s:
        raise shortfall(s.available) from None
    set_lots(pos, took.lots)
    m.cost, m.consumed = took.cost, consumed_parts(took.taken)
    if d.kind == "transfer":
        assert d.to_location_id is not None
        dest = snap.position(d.product_id, d.to_location_id, req.now)
        dest.currency = product.currency
        plan.positions.append(dest)
        plan.versions[dest.sk] = int(dest.version)
        set_lots(dest, rules.insert(lots_of(dest), [t.as_lot() for t in took.taken]))
        _allocate_arrival(req, snap, plan, dest, d.quantity)
    return plan


def _plan_sale(req: Request, snap: Snapshot, plan: Plan, product: Product, pos: Position,
               lots: list[rules.LotRow], quantity: Decimal) -> None:
    """A sale takes what is on hand, oldest lots first; the rest is refused, or backordered for a
    named customer when the product allows it."""
    d, org, m = req.data, req.org_id, plan.movement
    filled = min(quantity, available_of(pos, lots))
    short = quantity - filled
    if short > 0:
        if not product.allow_backorder:
            raise shortfall(filled, " not reserved" if reserved_of(pos) > 0 else "")
        customer = snap.customer(d.customer_id)
        if customer is None:
            raise shortfall(filled, "; name a customer_id to backorder the rest")
        bo_id = backorder_id(req.movement_id)
        bo = Backorder(*item_key(org, "BACKORDER", bo_id), gsi2pk=open_backorders_index(org, pos.product_id,
                                                                                        pos.location_id),
                       gsi2sk=f"{req.now}#{bo_id}", id=bo_id, org_id=org, product_id=pos.product_id,
                       location_id=pos.location_id, customer_id=customer.id, customer_email=customer.email,
                       customer_name=customer.name, sale_id=req.movement_id,
                       price=d.price if d.price is not None else product.price, quantity=short, filled=ZERO,
                       status="open", created_at=req.now)
        plan.backorders.append((bo, None))
        pos.backordered = Decimal(pos.backordered or 0) + short
    took = rules.consume(lots, filled)
    set_lots(pos, took.lots)
    m.quantity, m.backordered, m.cost, m.consumed = filled, short, took.cost, consumed_parts(took.taken)
    m.price = d.price if d.price is not None else product.price


def _plan_reversal(req: Request, snap: Snapshot) -> Plan:
    """A movement undone by its opposite: what it took goes back to the lots it came from, what it
    added comes out of its own lot (refused once that stock has been used: record a new movement)."""
    org = req.org_id
    orig = snap.movement(req.data.reverses)
    if orig is None:
        raise InvalidInput("no such movement to reverse", field="reverses")
    if orig.reverses:
        raise InvalidInput("a reversal is not reversed; record the movement again", field="reverses")
    if orig.backorder_id:
        raise InvalidInput("a backorder fill is reversed with its sale", field="reverses")
    m = _movement(req, orig.currency)
    for name, value in (("kind", orig.kind), ("product_id", orig.product_id), ("location_id", orig.location_id),
                        ("to_location_id", orig.to_location_id), ("quantity", orig.quantity),
                        ("direction", -int(orig.direction)), ("backordered", orig.backordered or ZERO),
                        ("lot", orig.lot), ("unit_cost", orig.unit_cost), ("expiry", orig.expiry),
                        ("cost", orig.cost), ("price", orig.price), ("consumed", list(orig.consumed or [])),
                        ("reason", orig.reason), ("counted", None), ("customer_id", orig.customer_id),
                        ("purchase_order_id", orig.purchase_order_id), ("reverses", orig.id)):
        setattr(m, name, value)
    pos = snap.position(orig.product_id, orig.location_id, req.now)
    plan = Plan(m, [pos], versions={pos.sk: int(pos.version)},
                claim=ReversalClaim(org_pk(org), f"REVERSED#{orig.id}", reversal_id=req.movement_id))
    lots = lots_of(pos)
    used = Conflict("the stock it added has been used since; record a correcting movement instead", field="reverses")
    if int(orig.direction) > 0:  # a receive, return or count up: its own lot comes out again
        own = [{"lot": orig.lot, "quantity": orig.quantity, "unit_cost": orig.unit_cost, "received_at": "",
                "movement_id": orig.id}]
        try:
            took = rules.take_exact(lots, own)
        except rules.Shortfall:
            raise used from None
        if rules.on_hand(took.lots) < reserved_of(pos):  # its units are kept for an order now
            raise used
        set_lots(pos, took.lots)
        return plan
    if int(orig.direction) == 0:  # a count that matched: nothing moved
        return plan
    if orig.kind == "transfer":
        assert orig.to_location_id is not None
        dest = snap.position(orig.product_id, orig.to_location_id, req.now)
        plan.positions.append(dest)
        plan.versions[dest.sk] = int(dest.version)
        try:
            took = rules.take_exact(lots_of(dest), _as_lots(orig.consumed or []))
        except rules.Shortfall:
            raise used from None
        set_lots(dest, took.lots)
    set_lots(pos, rules.insert(lots, _as_lots(orig.consumed or [])))
    if orig.kind == "sale" and Decimal(orig.backordered or 0) > 0:
        bo = snap.backorder(backorder_id(orig.id))
        if bo is not None and bo.status == "open":
            read = Decimal(bo.filled)
            pos.backordered = Decimal(pos.backordered or 0) - (Decimal(bo.quantity) - read)
            bo.status, bo.gsi2pk, bo.gsi2sk, bo.filled_at = "cancelled", None, None, req.now
            plan.backorders.append((bo, read))
    if orig.quantity:
        _allocate_arrival(req, snap, plan, pos, Decimal(orig.quantity))
    return plan
