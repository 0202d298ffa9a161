"""What the ledger shows: positions, movements and backorders (one Query each), the expiring-lots
and valuation reports, each as its response model; costs and values for owners and managers only."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ...core import clock
from ...core.keys import org_pk
from ...core.money import fmt, fmt_quantity, fmt_unit_price
from ...core.shards import JOB_SHARDS
from .. import catalogue, rules
from ..models import Backorder, Movement, Position, location_stock_index, movements_index
from ..schemas import (
    BackorderOut,
    BackordersOut,
    ConsumedLotOut,
    ExpiringLotOut,
    ExpiringOut,
    LotOut,
    MovementOut,
    MovementsOut,
    PositionOut,
    PositionsOut,
    ValuationOut,
    ValuationRowOut,
)
from .plan import available_of, lots_of, new_position, reserved_of
from .read import get_movement, get_position

DEFAULT_CURRENCY = "USD"  # the catalogue's default, for items recorded before they kept their currency


def _q(v: Decimal | int | None) -> str | None:
    return None if v is None else fmt_quantity(v)


# ----------------------------------------------------------------- response models
def movement_out(m: Movement, show_costs: bool) -> MovementOut:
    currency = m.currency or DEFAULT_CURRENCY
    lots = [ConsumedLotOut(lot=c.lot, quantity=fmt_quantity(c.quantity),
                           **({"unit_cost": fmt_unit_price(c.unit_cost, currency)} if show_costs else {}))
            for c in (m.consumed or [])]
    costs: dict[str, Any] = {}
    if show_costs:
        costs = {"cost": fmt(m.cost, currency),
                 "unit_cost": None if m.unit_cost is None else fmt_unit_price(m.unit_cost, currency)}
    return MovementOut(
        id=m.id, kind=m.kind, product_id=m.product_id, location_id=m.location_id, to_location_id=m.to_location_id,
        quantity=fmt_quantity(m.quantity), direction=int(m.direction), backordered=fmt_quantity(m.backordered or 0),
        lot=m.lot, expiry=m.expiry, reason=m.reason, counted=_q(m.counted), customer_id=m.customer_id,
        purchase_order_id=m.purchase_order_id, backorder_id=m.backorder_id, reverses=m.reverses, note=m.note,
        price=None if m.price is None else fmt_unit_price(m.price, currency), recorded_by=m.recorded_by,
        recorded_at=m.recorded_at, occurred_on=m.occurred_on, lots=lots, reservation_id=m.reservation_id, **costs)


def position_out(p: Position, show_costs: bool) -> PositionOut:
    currency = p.currency or DEFAULT_CURRENCY
    rp = p.reorder_point
    on_hand = Decimal(p.on_hand)
    lots = [LotOut(lot=lt.lot, quantity=fmt_quantity(lt.quantity), expiry=lt.expiry, received_at=lt.received_at,
                   **({"unit_cost": fmt_unit_price(lt.unit_cost, currency)} if show_costs else {}))
            for lt in (p.lots or [])]
    costs = {"value": fmt(rules.value(lots_of(p)), currency)} if show_costs else {}
    return PositionOut(
        product_id=p.product_id, location_id=p.location_id, on_hand=fmt_quantity(on_hand),
        backordered=fmt_quantity(p.backordered or 0), reorder_point=_q(rp), reorder_quantity=_q(p.reorder_quantity),
        max_quantity=_q(p.max_quantity), low=rp is not None and on_hand < Decimal(rp), out=on_hand <= 0,
        over=p.max_quantity is not None and on_hand > Decimal(p.max_quantity), version=int(p.version),
        updated_at=p.updated_at, lots=lots, reserved=fmt_quantity(reserved_of(p)),
        available=fmt_quantity(available_of(p)), **costs)


def backorder_out(b: Backorder) -> BackorderOut:
    return BackorderOut(id=b.id, product_id=b.product_id, location_id=b.location_id, customer_id=b.customer_id,
                        customer_name=b.customer_name, sale_id=b.sale_id, quantity=fmt_quantity(b.quantity),
                        filled=fmt_quantity(b.filled), status=b.status, created_at=b.created_at,
                        filled_at=b.filled_at)


# ----------------------------------------------------------------- reads
def list_positions(org_id: str, location_id: str | None = None) -> list[Position]:
    """Stock of one location (the by_location index) or of the whole organisation (its partition)."""
    if location_id:
        return list(Position.by_location.query(location_stock_index(org_id, location_id)))
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
    return list(Movement.by_time.query(movements_index(org_id), scan_index_forward=False, limit=limit,
                                       filter_condition=cond))


def list_backorders(org_id: str, status: str | None = None) -> list[Backorder]:
    cond = Backorder.status == status if status else None
    return sorted(Backorder.query(org_pk(org_id), Backorder.sk.startswith("BACKORDER#"), filter_condition=cond),
                  key=lambda b: b.created_at)


# ----------------------------------------------------------------- views
def stock(org_id: str, show_costs: bool, location_id: str | None = None) -> PositionsOut:
    return PositionsOut(items=[position_out(p, show_costs) for p in list_positions(org_id, location_id)])


def stock_of(org_id: str, product_id: str, location_id: str, show_costs: bool) -> PositionOut:
    """One position; an empty one for a product and location that exist but have had no stock."""
    pos = get_position(org_id, product_id, location_id)
    if pos is None:
        catalogue.get("product", org_id, product_id)
        catalogue.get("location", org_id, location_id)
        pos = new_position(org_id, product_id, location_id, clock.iso_now())
    return position_out(pos, show_costs)


def movement(org_id: str, movement_id: str, show_costs: bool) -> MovementOut:
    return movement_out(get_movement(org_id, movement_id), show_costs)


def movements(org_id: str, show_costs: bool, limit: int = 100, product_id: str | None = None,
              location_id: str | None = None) -> MovementsOut:
    """The ledger, newest first."""
    return MovementsOut(items=[movement_out(m, show_costs)
                               for m in list_movements(org_id, limit, product_id, location_id)])


def backorders(org_id: str, status: str | None = None) -> BackordersOut:
    return BackordersOut(items=[backorder_out(b) for b in list_backorders(org_id, status)])


def expiring(org_id: str, days: int, show_costs: bool) -> ExpiringOut:
    """Lots expiring within `days` or already expired, soonest first."""
    today = clock.now().date()
    rows: list[ExpiringLotOut] = []
    for p in list_positions(org_id):
        currency = p.currency or DEFAULT_CURRENCY
        for lt in rules.expiring(lots_of(p), today, days):
            costs = {"value": fmt(lt["quantity"] * lt["unit_cost"], currency)} if show_costs else {}
            rows.append(ExpiringLotOut(product_id=p.product_id, location_id=p.location_id, lot=lt["lot"],
                                       quantity=fmt_quantity(lt["quantity"]), expiry=lt["expiry"],
                                       expired=lt["expiry"] < today.isoformat(), **costs))
    return ExpiringOut(days=days, today=today.isoformat(), items=sorted(rows, key=lambda r: (r.expiry, r.lot)))


def valuation(org_id: str) -> ValuationOut:
    """Stock value at FIFO cost per product and location, and in total (in the products' currency)."""
    rows: list[ValuationRowOut] = []
    total = Decimal(0)
    currency = DEFAULT_CURRENCY
    for p in list_positions(org_id):
        v = rules.value(lots_of(p))
        total += v
        currency = p.currency or currency
        rows.append(ValuationRowOut(product_id=p.product_id, location_id=p.location_id,
                                    on_hand=fmt_quantity(p.on_hand), value=fmt(v, p.currency or DEFAULT_CURRENCY)))
    return ValuationOut(as_of=clock.now().date().isoformat(), items=rows, total=fmt(total, currency))
