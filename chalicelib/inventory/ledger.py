"""The stock ledger: recording a movement changes its positions in the same transaction.

One request = read the positions (strongly consistent) → plan the change with the pure rules →
one TransactWriteItems: the movement (only if its id is new), each position (only if its version is
still the one read), the backorders it fills or opens. A lost race (a version moved) replans from
fresh reads; a sale that cannot be filled is refused with 409 (or backordered), never oversold.
Sending the same movement id again returns what was recorded (a different body for it is a 409).
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.db import transaction
from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.orgs import org_pk
from ..core.shards import JOB_SHARDS, shard_of
from . import catalogue
from . import rules
from .models import Backorder, ConsumedLot, Customer, Location, Lot, Movement, Position, Product, ReversalClaim
from .schemas import MovementIn

ZERO = Decimal(0)
MAX_ATTEMPTS = 40
BACKORDERS_PER_ARRIVAL = 20  # keeps one transaction well inside DynamoDB's 100 items
FILL_NAMESPACE = uuid.UUID("0b4c8f2e-7d1a-4c3b-9e55-2f6a8d9c1e07")
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

INFLOW = ("receive", "return")


# ----------------------------------------------------------------- reading
def position_key(org_id: str, product_id: str, location_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"POS#{product_id}#{location_id}"


def get_position(org_id: str, product_id: str, location_id: str) -> Position | None:
    try:
        return Position.get(*position_key(org_id, product_id, location_id), consistent_read=True)
    except Position.DoesNotExist:
        return None


def new_position(org_id: str, product_id: str, location_id: str) -> Position:
    """An empty position (version 0: not written yet)."""
    return Position(*position_key(org_id, product_id, location_id), org_id=org_id, product_id=product_id,
                    location_id=location_id, on_hand=ZERO, backordered=ZERO, lots=[], version=0,
                    updated_at=clock.iso_now(),
                    gsi1pk=f"ORG#{org_id}#LOC#{location_id}", gsi1sk=f"PRODUCT#{product_id}",
                    gsi3pk=f"POS#{shard_of(f'{org_id}#{product_id}#{location_id}')}",
                    gsi3sk=f"ORG#{org_id}#{product_id}#{location_id}")


def position_or_new(org_id: str, product_id: str, location_id: str) -> Position:
    return get_position(org_id, product_id, location_id) or new_position(org_id, product_id, location_id)


def get_movement(org_id: str, movement_id: str) -> Movement:
    try:
        return Movement.get(org_pk(org_id), f"MOVE#{movement_id}", consistent_read=True)
    except Movement.DoesNotExist:
        raise NotFound("no such movement", field="movement_id") from None


def _lots(pos: Position) -> list[dict]:
    return [{"lot": lt.lot, "quantity": Decimal(lt.quantity), "unit_cost": Decimal(lt.unit_cost),
             "received_at": lt.received_at, "expiry": lt.expiry, "movement_id": lt.movement_id}
            for lt in (pos.lots or [])]


def _set_lots(pos: Position, lots: list[dict]) -> None:
    pos.lots = [Lot(**lt) for lt in lots]
    pos.on_hand = rules.on_hand(lots)


def _consumed(taken: list[rules.Taken]) -> list[ConsumedLot]:
    return [ConsumedLot(lot=t.lot, quantity=t.quantity, unit_cost=t.unit_cost, received_at=t.received_at,
                        expiry=t.expiry, movement_id=t.movement_id) for t in taken]


def _as_lots(consumed) -> list[dict]:
    return [{"lot": c.lot, "quantity": Decimal(c.quantity), "unit_cost": Decimal(c.unit_cost),
             "received_at": c.received_at or "", "expiry": c.expiry, "movement_id": c.movement_id or ""}
            for c in consumed]


def load(org_id: str, wanted: dict[str, type]) -> dict[str, object]:
    """Items of one organisation by sort key, each as its model, in one strongly consistent
    BatchGetItem (however many kinds): {sk: item} for those that exist."""
    from ..core.aws import client
    from ..core.settings import get_settings

    table = get_settings().inventory_table
    keys = [{"pk": {"S": org_pk(org_id)}, "sk": {"S": sk}} for sk in dict.fromkeys(wanted)]
    out: dict[str, object] = {}
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
    movement: Movement
    positions: list[Position]
    backorders: list[tuple[Backorder, Decimal | None]] = field(default_factory=list)  # (item, filled read or None=new)
    fills: list[Movement] = field(default_factory=list)
    claim: ReversalClaim | None = None
    versions: dict[str, int] = field(default_factory=dict)  # position sk → version read


@dataclass
class Context:
    org_id: str
    by: str
    movement_id: str
    data: MovementIn
    product: Product
    customer: object | None
    now: str
    day: str
    loaded: dict[str, object] = field(default_factory=dict)  # items read for this attempt, by sk

    def position(self, product_id: str, location_id: str) -> Position:
        sk = position_key(self.org_id, product_id, location_id)[1]
        if sk in self.loaded:
            return self.loaded[sk]  # type: ignore[return-value]
        return new_position(self.org_id, product_id, location_id)


def _movement(ctx: Context, **kw) -> Movement:
    d = ctx.data
    m = Movement(org_pk(ctx.org_id), f"MOVE#{ctx.movement_id}", gsi2pk=f"ORG#{ctx.org_id}#MOVES",
                 gsi2sk=f"{ctx.now}#{ctx.movement_id}", id=ctx.movement_id, org_id=ctx.org_id,
                 kind=d.kind, product_id=d.product_id, location_id=d.location_id, to_location_id=d.to_location_id,
                 quantity=d.quantity or ZERO, direction=-1, backordered=ZERO, lot=d.lot, unit_cost=d.unit_cost,
                 expiry=d.expiry, cost=ZERO, price=None, consumed=[], reason=d.reason, counted=d.counted,
                 customer_id=d.customer_id, purchase_order_id=d.purchase_order_id, note=d.note,
                 request_hash=request_hash(d), recorded_by=ctx.by, recorded_at=ctx.now, occurred_on=ctx.day)
    for k, v in kw.items():
        setattr(m, k, v)
    return m


def _shortfall(ctx: Context, available: Decimal, what: str = "") -> Conflict:
    return Conflict(f"only {rules_qty(available)} on hand{what}", field="quantity",
                    extra={"available": rules_qty(available)})


def rules_qty(q) -> str:
    q = Decimal(q)
    return str(q.quantize(Decimal(1))) if q == q.to_integral_value() else str(q.normalize())


def _open_backorders(org_id: str, product_id: str, location_id: str) -> list[Backorder]:
    return list(Backorder.by_time.query(f"ORG#{org_id}#BACKORDERS#{product_id}#{location_id}",
                                        limit=BACKORDERS_PER_ARRIVAL))


def _allocate_arrival(ctx: Context, plan: Plan, pos: Position, arriving: Decimal) -> None:
    """Stock arriving at a position fills its open backorders first, oldest first, each fill a sale
    movement of its own (FIFO cost) written in the same transaction."""
    if arriving <= 0 or not pos.backordered or Decimal(pos.backordered) <= 0:
        return
    open_bos = [b for b in _open_backorders(ctx.org_id, pos.product_id, pos.location_id) if b.status == "open"]
    already = {b.id for b, _ in plan.backorders}
    open_bos = [b for b in open_bos if b.id not in already]
    allocations = rules.allocate(min(arriving, Decimal(pos.on_hand)),
                                 [(b.id, Decimal(b.quantity), Decimal(b.filled)) for b in open_bos])
    by_id = {b.id: b for b in open_bos}
    lots = _lots(pos)
    for a in allocations:
        bo = by_id[a.backorder_id]
        took = rules.consume(lots, a.quantity)
        lots = took.lots
        fill_id = str(uuid.uuid5(FILL_NAMESPACE, f"{ctx.movement_id}|{bo.id}"))
        fill = Movement(org_pk(ctx.org_id), f"MOVE#{fill_id}", gsi2pk=f"ORG#{ctx.org_id}#MOVES",
                        gsi2sk=f"{ctx.now}#{fill_id}", id=fill_id, org_id=ctx.org_id, kind="sale",
                        product_id=pos.product_id, location_id=pos.location_id, quantity=a.quantity, direction=-1,
                        backordered=ZERO, cost=took.cost, price=bo.price, consumed=_consumed(took.taken),
                        customer_id=bo.customer_id, backorder_id=bo.id,
                        note=f"backorder of sale {bo.sale_id} filled by {ctx.movement_id}", request_hash="",
                        recorded_by=ctx.by, recorded_at=ctx.now, occurred_on=ctx.day)
        read = Decimal(bo.filled)
        bo.filled = read + a.quantity
        if a.closes:
            bo.status, bo.filled_at, bo.gsi2pk, bo.gsi2sk = "filled", ctx.now, None, None
        plan.backorders.append((bo, read))
        plan.fills.append(fill)
        pos.backordered = Decimal(pos.backordered) - a.quantity
    _set_lots(pos, lots)


def _plan(ctx: Context) -> Plan:
    d, org = ctx.data, ctx.org_id
    if d.kind == "reversal":
        return _plan_reversal(ctx)
    pos = ctx.position(d.product_id, d.location_id)
    plan = Plan(_movement(ctx), [pos], versions={pos.sk: pos.version})
    m = plan.movement
    lots = _lots(pos)
    if d.kind in INFLOW:
        unit_cost = d.unit_cost if d.unit_cost is not None else Decimal(ctx.product.cost)
        prefix = "RET" if d.kind == "return" else "L"
        lot = d.lot or f"{prefix}{ctx.day.replace('-', '')}-{ctx.movement_id[:6].upper()}"
        _set_lots(pos, rules.insert(lots, [{"lot": lot, "quantity": d.quantity, "unit_cost": unit_cost,
                                            "received_at": ctx.now, "expiry": d.expiry,
                                            "movement_id": ctx.movement_id}]))
        m.direction, m.lot, m.unit_cost, m.cost = 1, lot, unit_cost, d.quantity * unit_cost
        _allocate_arrival(ctx, plan, pos, d.quantity)
        return plan
    if d.kind == "adjust":
        direction, qty = rules.stock_take(lots, d.counted)
        m.direction, m.quantity, m.reason = direction, qty, "stock-take"
        if direction < 0:
            took = rules.consume(lots, qty)
            _set_lots(pos, took.lots)
            m.cost, m.consumed = took.cost, _consumed(took.taken)
        elif direction > 0:
            unit_cost = rules.last_unit_cost(lots, Decimal(ctx.product.cost))
            lot = f"ADJ{ctx.day.replace('-', '')}-{ctx.movement_id[:6].upper()}"
            _set_lots(pos, rules.insert(lots, [{"lot": lot, "quantity": qty, "unit_cost": unit_cost,
                                                "received_at": ctx.now, "expiry": None,
                                                "movement_id": ctx.movement_id}]))
            m.lot, m.unit_cost, m.cost = lot, unit_cost, qty * unit_cost
            _allocate_arrival(ctx, plan, pos, qty)
        return plan
    if d.kind == "sale":
        filled = min(d.quantity, rules.on_hand(lots))
        short = d.quantity - filled
        if short > 0:
            if not ctx.product.allow_backorder:
                raise _shortfall(ctx, filled)
            if ctx.customer is None:
                raise _shortfall(ctx, filled, "; name a customer_id to backorder the rest")
            bo_id = str(uuid.uuid5(FILL_NAMESPACE, f"backorder|{ctx.movement_id}"))
            bo = Backorder(org_pk(org), f"BACKORDER#{bo_id}", gsi2pk=f"ORG#{org}#BACKORDERS#{d.product_id}#{d.location_id}",
                           gsi2sk=f"{ctx.now}#{bo_id}", id=bo_id, org_id=org, product_id=d.product_id,
                           location_id=d.location_id, customer_id=ctx.customer.id, customer_email=ctx.customer.email,
                           customer_name=ctx.customer.name, sale_id=ctx.movement_id,
                           price=d.price if d.price is not None else ctx.product.price, quantity=short, filled=ZERO,
                           status="open", created_at=ctx.now)
            plan.backorders.append((bo, None))
            pos.backordered = Decimal(pos.backordered or 0) + short
        took = rules.consume(lots, filled)
        _set_lots(pos, took.lots)
        m.quantity, m.backordered, m.cost, m.consumed = filled, short, took.cost, _consumed(took.taken)
        m.price = d.price if d.price is not None else ctx.product.price
        return plan
    # issue, scrap, transfer: stock leaves this position, oldest lots first
    try:
        took = rules.consume(lots, d.quantity, lot=d.lot if d.kind == "scrap" else None)
    except rules.Shortfall as s:
        raise _shortfall(ctx, s.available) from None
    _set_lots(pos, took.lots)
    m.cost, m.consumed = took.cost, _consumed(took.taken)
    if d.kind == "transfer":
        dest = ctx.position(d.product_id, d.to_location_id)
        plan.positions.append(dest)
        plan.versions[dest.sk] = dest.version
        _set_lots(dest, rules.insert(_lots(dest), [t.as_lot() for t in took.taken]))
        _allocate_arrival(ctx, plan, dest, d.quantity)
    return plan


def _plan_reversal(ctx: Context) -> Plan:
    """A movement undone by its opposite: what it took goes back to the lots it came from, what it
    added comes out of its own lot (refused once that stock has been used: record a new movement)."""
    org = ctx.org_id
    orig = ctx.loaded.get(f"MOVE#{ctx.data.reverses}")
    if orig is None:
        raise InvalidInput("no such movement to reverse", field="reverses")
    if orig.reverses:
        raise InvalidInput("a reversal is not reversed; record the movement again", field="reverses")
    if orig.backorder_id:
        raise InvalidInput("a backorder fill is reversed with its sale", field="reverses")
    m = _movement(ctx, kind=orig.kind, product_id=orig.product_id, location_id=orig.location_id,
                  to_location_id=orig.to_location_id, quantity=orig.quantity, direction=-int(orig.direction),
                  backordered=orig.backordered or ZERO, lot=orig.lot, unit_cost=orig.unit_cost, expiry=orig.expiry,
                  cost=orig.cost, price=orig.price, consumed=list(orig.consumed or []), reason=orig.reason,
                  counted=None, customer_id=orig.customer_id, purchase_order_id=orig.purchase_order_id,
                  reverses=orig.id)
    pos = position_or_new(org, orig.product_id, orig.location_id)
    plan = Plan(m, [pos], versions={pos.sk: pos.version},
                claim=ReversalClaim(org_pk(org), f"REVERSED#{orig.id}", reversal_id=ctx.movement_id))
    lots = _lots(pos)
    used = Conflict("the stock it added has been used since; record a correcting movement instead", field="reverses")
    if int(orig.direction) > 0:  # a receive, return or count up: its own lot comes out again
        own = [{"lot": orig.lot, "quantity": orig.quantity, "unit_cost": orig.unit_cost, "received_at": "",
                "movement_id": orig.id}]
        try:
            took = rules.take_exact(lots, own)
        except rules.Shortfall:
            raise used from None
        _set_lots(pos, took.lots)
        return plan
    if int(orig.direction) == 0:  # a count that matched: nothing moved
        return plan
    if orig.kind == "transfer":
        dest = position_or_new(org, orig.product_id, orig.to_location_id)
        plan.positions.append(dest)
        plan.versions[dest.sk] = dest.version
        try:
            took = rules.take_exact(_lots(dest), _as_lots(orig.consumed or []))
        except rules.Shortfall:
            raise used from None
        _set_lots(dest, took.lots)
    _set_lots(pos, rules.insert(lots, _as_lots(orig.consumed or [])))
    if orig.kind == "sale" and Decimal(orig.backordered or 0) > 0:
        bo_id = str(uuid.uuid5(FILL_NAMESPACE, f"backorder|{orig.id}"))
        try:
            bo = Backorder.get(org_pk(org), f"BACKORDER#{bo_id}", consistent_read=True)
        except Backorder.DoesNotExist:
            bo = None
        if bo is not None and bo.status == "open":
            read = Decimal(bo.filled)
            pos.backordered = Decimal(pos.backordered or 0) - (Decimal(bo.quantity) - read)
            bo.status, bo.gsi2pk, bo.gsi2sk, bo.filled_at = "cancelled", None, None, ctx.now
            plan.backorders.append((bo, read))
    if orig.quantity:
        _allocate_arrival(ctx, plan, pos, Decimal(orig.quantity))
    return plan


# ----------------------------------------------------------------- writing
def _write(plan: Plan) -> None:
    now = plan.movement.recorded_at
    with transaction() as tx:
        tx.save(plan.movement, condition=Movement.pk.does_not_exist())
        for pos in plan.positions:
            read = plan.versions[pos.sk]
            pos.version, pos.updated_at = read + 1, now
            tx.save(pos, condition=Position.pk.does_not_exist() if read == 0 else Position.version == read)
        for bo, read in plan.backorders:
            tx.save(bo, condition=Backorder.pk.does_not_exist() if read is None else Backorder.filled == read)
        for fill in plan.fills:
            tx.save(fill, condition=Movement.pk.does_not_exist())
        if plan.claim is not None:
            tx.save(plan.claim, condition=ReversalClaim.pk.does_not_exist())


def _failed(exc: TransactWriteError) -> list[int]:
    return [i for i, r in enumerate(exc.cancellation_reasons or []) if r is not None and r.code not in (None, "None")]


def _replay(org_id: str, movement_id: str, data: MovementIn) -> Movement | None:
    try:
        m = Movement.get(org_pk(org_id), f"MOVE#{movement_id}", consistent_read=True)
    except Movement.DoesNotExist:
        return None
    return _same_body(m, data)


def _same_body(m: Movement, data: MovementIn) -> Movement:
    if m.request_hash != request_hash(data):
        raise Conflict("this movement id was recorded with a different body", field="movement_id",
                       extra={"current": movement_out(m, True)})
    return m


def record_movement(org_id: str, by: str, movement_id: str, data: MovementIn,
                    now: str | None = None) -> tuple[Movement, list[Position], bool]:
    """Record a movement and change its positions atomically: (movement, positions, replayed).

    Reads: one BatchGetItem for the movement id (a replay), product, locations, customer and
    positions (a retry reads the positions again), a Query when open backorders wait; writes: one
    transaction."""
    if not re.match(ID_PATTERN, movement_id):
        raise InvalidInput("a movement id is 1-64 letters, digits, - or _", field="movement_id")
    move_sk = f"MOVE#{movement_id}"
    wanted: dict[str, type] = {move_sk: Movement}
    if data.kind == "reversal" and data.reverses:
        wanted[f"MOVE#{data.reverses}"] = Movement
    if data.product_id:
        wanted[f"PRODUCT#{data.product_id}"] = Product
    for loc in (data.location_id, data.to_location_id):
        if loc:
            wanted[f"LOCATION#{loc}"] = Location
            if data.product_id:
                wanted[position_key(org_id, data.product_id, loc)[1]] = Position
    if data.customer_id:
        wanted[f"CUSTOMER#{data.customer_id}"] = Customer
    found = load(org_id, wanted)
    if move_sk in found:
        return _same_body(found[move_sk], data), [], True
    check_movement(data)
    for name, sk in (("product_id", f"PRODUCT#{data.product_id}"), ("location_id", f"LOCATION#{data.location_id}"),
                     ("to_location_id", f"LOCATION#{data.to_location_id}"),
                     ("customer_id", f"CUSTOMER#{data.customer_id}")):
        if getattr(data, name) and data.kind != "reversal" and sk not in found:
            raise InvalidInput(f"no such {name.removesuffix('_id').replace('to_', '')}", field=name)
    product, customer = found.get(f"PRODUCT#{data.product_id}"), found.get(f"CUSTOMER#{data.customer_id}")
    for attempt in range(MAX_ATTEMPTS):
        stamp = now or clock.iso_now()
        ctx = Context(org_id, by, movement_id, data, product, customer, stamp, data.occurred_on or stamp[:10],
                      found)
        plan = _plan(ctx)
        try:
            _write(plan)
            return plan.movement, plan.positions, False
        except TransactWriteError as exc:
            failed = _failed(exc)
            if 0 in failed:  # recorded meanwhile (a retried request racing itself)
                existing = _replay(org_id, movement_id, data)
                if existing is not None:
                    return existing, [], True
            if plan.claim is not None and failed == [_claim_index(plan)]:
                raise Conflict("that movement has been reversed already", field="reverses") from None
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** attempt)))
            found = {**found, **load(org_id, {p.sk: Position for p in plan.positions})}
    raise Conflict("the stock kept changing while this was recorded; send it again", field="quantity")


def _claim_index(plan: Plan) -> int:
    return 1 + len(plan.positions) + len(plan.backorders) + len(plan.fills)


# ----------------------------------------------------------------- settings
def set_stock_settings(org_id: str, product_id: str, location_id: str, reorder_point, reorder_quantity,
                       max_quantity) -> Position:
    """A position's reorder point, reorder quantity and maximum (the position is made if new)."""
    pos_sk = position_key(org_id, product_id, location_id)[1]
    found = load(org_id, {f"PRODUCT#{product_id}": Product, f"LOCATION#{location_id}": Location, pos_sk: Position})
    for name, sk in (("product_id", f"PRODUCT#{product_id}"), ("location_id", f"LOCATION#{location_id}")):
        if sk not in found:
            raise NotFound(f"no such {name.removesuffix('_id')}", field=name)
    if max_quantity is not None and reorder_point is not None and max_quantity < reorder_point:
        raise InvalidInput("the maximum cannot be below the reorder point", field="max_quantity")
    for attempt in range(MAX_ATTEMPTS):
        pos = found.get(pos_sk) if attempt == 0 else get_position(org_id, product_id, location_id)
        pos = pos or new_position(org_id, product_id, location_id)
        read = pos.version
        pos.reorder_point, pos.reorder_quantity, pos.max_quantity = reorder_point, reorder_quantity, max_quantity
        pos.version, pos.updated_at = read + 1, clock.iso_now()
        try:
            pos.save(condition=Position.pk.does_not_exist() if read == 0 else Position.version == read)
            return pos
        except Exception as exc:  # a movement won the race: read again
            if "ConditionalCheckFailed" not in str(exc):
                raise
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
    raise Conflict("the stock kept changing; send it again", field="version")


# ----------------------------------------------------------------- output
def _s(v) -> str | None:
    return None if v is None else rules_qty(v)


def _money(v) -> str | None:
    return None if v is None else str(Decimal(v).quantize(Decimal("0.01")))


def movement_out(m: Movement, show_costs: bool) -> dict:
    out = {"id": m.id, "kind": m.kind, "product_id": m.product_id, "location_id": m.location_id,
           "to_location_id": m.to_location_id, "quantity": _s(m.quantity), "direction": int(m.direction),
           "backordered": _s(m.backordered or 0), "lot": m.lot, "expiry": m.expiry, "reason": m.reason,
           "counted": _s(m.counted), "customer_id": m.customer_id, "purchase_order_id": m.purchase_order_id,
           "backorder_id": m.backorder_id, "reverses": m.reverses, "note": m.note, "price": _money(m.price),
           "recorded_by": m.recorded_by, "recorded_at": m.recorded_at, "occurred_on": m.occurred_on,
           "lots": [{"lot": c.lot, "quantity": _s(c.quantity)} for c in (m.consumed or [])]}
    if show_costs:
        out["cost"] = _money(m.cost)
        out["unit_cost"] = None if m.unit_cost is None else str(m.unit_cost)
        for c, o in zip(m.consumed or [], out["lots"]):
            o["unit_cost"] = str(c.unit_cost)
    return out


def position_out(p: Position, show_costs: bool) -> dict:
    rp = p.reorder_point
    on_hand = Decimal(p.on_hand)
    out = {"product_id": p.product_id, "location_id": p.location_id, "on_hand": _s(on_hand),
           "backordered": _s(p.backordered or 0), "reorder_point": _s(rp), "reorder_quantity": _s(p.reorder_quantity),
           "max_quantity": _s(p.max_quantity), "low": rp is not None and on_hand < Decimal(rp),
           "out": on_hand <= 0, "over": p.max_quantity is not None and on_hand > Decimal(p.max_quantity),
           "version": int(p.version), "updated_at": p.updated_at,
           "lots": [{"lot": lt.lot, "quantity": _s(lt.quantity), "expiry": lt.expiry, "received_at": lt.received_at}
                    for lt in (p.lots or [])]}
    if show_costs:
        out["value"] = _money(rules.value(_lots(p)))
        for lt, o in zip(p.lots or [], out["lots"]):
            o["unit_cost"] = str(lt.unit_cost)
    return out


def list_positions(org_id: str, location_id: str | None = None) -> list[Position]:
    """Stock of one location (the by_location index) or of the whole organisation (its partition)."""
    if location_id:
        return list(Position.by_location.query(f"ORG#{org_id}#LOC#{location_id}"))
    return list(Position.query(org_pk(org_id), Position.sk.startswith("POS#")))


def positions_by_org(keep: Callable[[Position], bool] | None = None) -> dict[str, list[Position]]:
    """Every position (that `keep` keeps), grouped by organisation: the scheduled jobs' work list,
    one Query per `by_job` shard."""
    out: dict[str, list[Position]] = {}
    for shard in range(JOB_SHARDS):
        for p in Position.by_job.query(f"POS#{shard}"):
            if keep is None or keep(p):
                out.setdefault(p.org_id, []).append(p)
    return out


def list_movements(org_id: str, limit: int = 100, product_id: str | None = None,
                   location_id: str | None = None) -> list[Movement]:
    cond = None
    if product_id:
        cond = Movement.product_id == product_id
    if location_id:
        loc = (Movement.location_id == location_id) | (Movement.to_location_id == location_id)
        cond = loc if cond is None else cond & loc
    return list(Movement.by_time.query(f"ORG#{org_id}#MOVES", scan_index_forward=False, limit=limit,
                                       filter_condition=cond))


def list_backorders(org_id: str, status: str | None = None) -> list[Backorder]:
    cond = Backorder.status == status if status else None
    return sorted(Backorder.query(org_pk(org_id), Backorder.sk.startswith("BACKORDER#"), filter_condition=cond),
                  key=lambda b: b.created_at)


def backorder_out(b: Backorder) -> dict:
    return {"id": b.id, "product_id": b.product_id, "location_id": b.location_id, "customer_id": b.customer_id,
            "customer_name": b.customer_name, "sale_id": b.sale_id, "quantity": _s(b.quantity),
            "filled": _s(b.filled), "status": b.status, "created_at": b.created_at, "filled_at": b.filled_at}
