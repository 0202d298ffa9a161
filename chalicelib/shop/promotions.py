"""Promotions and coupons: a percentage or an amount off the selling price of the whole shop, a
category or a product within a window (the shop's time zone); coupon codes whose uses are counted in
the order's own transaction (a conditional counter: never more than the limit, whatever the
concurrency) and once per customer where set; the best applicable discount for each order line and
storefront card (`rules.discounts.best_price`); the use given back once when the order is cancelled
or expires; the storefront republished when a promotion starts or ends (a schedule moves its phase,
the stream republishes); each promotion's chart of weekly units and revenue against the weeks before
it (rollups and chart JSON written by the shop stream)."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo
from decimal import Decimal
from typing import Any, Literal

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from ..core import charts, clock
from ..core.db import find, transact, update_if
from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.keys import org_pk
from ..core.observability import logger
from ..core.rollups import Contribution, RollupKey, apply_contributions, read_rollups
from ..core.shards import JOB_SHARDS
from ..inventory import catalogue
from ..inventory.schemas import ProductOut
from .listings import discount_of
from .models import (
    Coupon,
    CouponUse,
    Listing,
    Promotion,
    Shop,
    coupon_customer_key,
    coupon_key,
    coupon_use_key,
    edge_index,
    edge_keys,
    promotion_key,
    shop_key,
)
from .rules import discounts as rules
from .schemas import PromotionChartOut, PromotionIn, PromotionOut, PromotionsOut
from .shops import get_shop

FAR_PAST = datetime(1970, 1, 1, tzinfo=timezone.utc)
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=timezone.utc)


def chart_name(promotion_id: str) -> str:
    return f"promotion-{promotion_id}"


def _rule(p: Promotion) -> rules.Promotion:
    return rules.Promotion(
        id=str(p.id), name=str(p.name), kind=str(p.kind), value=Decimal(p.value), scope=str(p.scope),
        target=p.target, starts_at=datetime.fromisoformat(p.starts_at.replace("Z", "+00:00")),
        ends_at=datetime.fromisoformat(p.ends_at.replace("Z", "+00:00")), stackable=bool(p.stackable), code=p.code)


def all_promotions(org_id: str) -> list[Promotion]:
    """The organisation's promotions (one Query, begins_with PROMO#)."""
    return list(Promotion.query(org_pk(org_id), Promotion.sk.startswith("PROMO#")))


def live(org_id: str) -> list[rules.Promotion]:
    """Every promotion of the organisation as a rule (the rules decide which apply when)."""
    return [_rule(p) for p in all_promotions(org_id)]


def _tz(shop: Shop | None) -> str:
    return str(shop.time_zone or "UTC") if shop is not None else "UTC"


def price_for(product: ProductOut, listing: Listing | None, promos: Iterable[rules.Promotion], at: datetime,
              time_zone: str, code: str | None = None) -> rules.Applied:
    """A unit's price now: the best of the promotions that apply to it (with `code`, that coupon's
    too) and the listing's own discount, never two stacked unless both are stackable."""
    category = listing.category if listing is not None else None
    cands = rules.applicable(promos, product.id, category, at, code)
    own = discount_of(listing)
    if own is not None and own.applies(at.astimezone(ZoneInfo(time_zone)).date()):
        cands.append(rules.Promotion(id="listing", name=own.label or "Discount", kind=own.kind, value=own.value,
                                     scope="product", target=product.id, starts_at=FAR_PAST, ends_at=FAR_FUTURE))
    return rules.best_price(Decimal(product.price), product.currency, cands)


# ----------------------------------------------------------------- staff: create, change, delete, read
def _target(shop: Shop, data: PromotionIn) -> str | None:
    """The target as stored: a category's slug (given its slug or its name), a product's id."""
    if data.scope == "shop" or data.target is None:
        return data.target
    if data.scope == "category":
        for c in shop.categories or []:
            if data.target in (c.slug, c.name) or data.target.lower() == str(c.name).lower():
                return str(c.slug)
        raise NotFound("the shop has no such category", field="target")
    if catalogue.products_by_id(shop.org_id, {data.target}).get(data.target) is None:
        raise NotFound("no such product", field="target")
    return data.target


def _checked(shop: Shop, data: PromotionIn, promotion_id: str) -> rules.Promotion:
    tz = _tz(shop)
    starts = rules.moment(data.starts_at, tz, "starts_at")
    ends = rules.moment(data.ends_at, tz, "ends_at")
    rule = rules.Promotion(id=promotion_id, name=data.name, kind=data.kind, value=Decimal(data.value),
                           scope=data.scope, target=data.target,
                           starts_at=starts, ends_at=ends, stackable=data.stackable,
                           code=rules.normal_code(data.code) if data.code else None)
    rules.check_promotion(rule, usage_limit=data.usage_limit, once_per_customer=data.once_per_customer)
    if ends <= clock.now():
        raise InvalidInput("this promotion would have ended already", field="ends_at")
    return rules.Promotion(**{**rule.__dict__, "target": _target(shop, data)})


def _item(org_id: str, rule: rules.Promotion, data: PromotionIn, version: int, created_at: str) -> Promotion:
    now_dt = clock.now()
    item = Promotion(*promotion_key(org_id, rule.id), id=rule.id, org_id=org_id, name=rule.name, kind=rule.kind,
                     value=rule.value, scope=rule.scope, target=rule.target, starts_at=rules.iso(rule.starts_at),
                     ends_at=rules.iso(rule.ends_at), stackable=rule.stackable, code=rule.code,
                     usage_limit=data.usage_limit, once_per_customer=data.once_per_customer,
                     phase=rules.phase(rule, now_dt), version=version, created_at=created_at,
                     updated_at=clock.iso_now())
    edge = rules.next_edge(rule, now_dt)
    if edge is not None:
        item.gsi3pk, item.gsi3sk = edge_keys(org_id, rule.id, rules.iso(edge))
    return item


def create(org_id: str, data: PromotionIn) -> Promotion:
    """A new promotion (and its coupon code's claim, unique in the organisation: 409 `code`), in one
    transaction; nothing is written when anything is refused."""
    if data.version is not None:
        raise InvalidInput("a new promotion has no version", field="version")
    shop = get_shop(org_id)
    rule = _checked(shop, data, str(uuid.uuid4()))
    item = _item(org_id, rule, data, 1, clock.iso_now())
    with transact(otherwise=lambda failed: Conflict("another promotion has this coupon code", field="code")) as tx:
        tx.save(item, condition=Promotion.pk.does_not_exist())
        if rule.code is not None:
            tx.save(Coupon(*coupon_key(org_id, rule.code), org_id=org_id, code=rule.code, promotion_id=rule.id,
                           usage_limit=data.usage_limit, used=0), condition=Coupon.pk.does_not_exist())
    return item


def get_promotion(org_id: str, promotion_id: str) -> Promotion:
    p = find(Promotion, *promotion_key(org_id, promotion_id))
    if p is None:
        raise NotFound("no such promotion", field="promotion_id")
    return p


def change(org_id: str, promotion_id: str, data: PromotionIn) -> Promotion:
    """Change a promotion at the version read (409 `version`); its code stays (409 `code`: make a new
    promotion for another code); a new usage limit applies to the uses still to come."""
    current = get_promotion(org_id, promotion_id)
    if data.version is None:
        raise InvalidInput("send the version you read", field="version")
    if data.version != int(current.version):
        raise Conflict("the promotion changed since you read it", field="version")
    shop = get_shop(org_id)
    rule = _checked(shop, data, promotion_id)
    if rule.code != current.code:
        raise Conflict("a promotion's coupon code cannot change: make a new promotion", field="code")
    item = _item(org_id, rule, data, int(current.version) + 1, str(current.created_at))
    with transact(otherwise=lambda failed: Conflict("the promotion changed since you read it",
                                                    field="version")) as tx:
        tx.save(item, condition=Promotion.version == data.version)
        if rule.code is not None:
            tx.update(Coupon(*coupon_key(org_id, rule.code)), actions=[
                Coupon.usage_limit.set(data.usage_limit) if data.usage_limit is not None
                else Coupon.usage_limit.remove()], condition=Coupon.promotion_id == promotion_id)
    return item


def delete(org_id: str, promotion_id: str) -> None:
    """Remove a promotion and its code (orders placed with it keep their prices)."""
    current = get_promotion(org_id, promotion_id)
    with transact(otherwise=lambda failed: Conflict("the promotion changed meanwhile", field="promotion_id")) as tx:
        tx.delete(current, condition=Promotion.version == int(current.version))
        if current.code:
            tx.delete(Coupon(*coupon_key(org_id, str(current.code))))


def _used(org_id: str, codes: set[str]) -> dict[str, Coupon]:
    if not codes:
        return {}
    return {str(c.code): c for c in Coupon.batch_get([coupon_key(org_id, c) for c in sorted(codes)])}


def _phase(rule: rules.Promotion) -> Literal["scheduled", "active", "ended"]:
    now = clock.now()
    return "scheduled" if now < rule.starts_at else ("active" if now < rule.ends_at else "ended")


def promotion_out(p: Promotion, time_zone: str, coupon: Coupon | None = None) -> PromotionOut:
    rule = _rule(p)
    return PromotionOut(
        id=str(p.id), name=str(p.name), kind="amount" if p.kind == "amount" else "percent",
        value=f"{Decimal(p.value).normalize():f}",
        scope="shop" if p.scope == "shop" else ("category" if p.scope == "category" else "product"),
        target=p.target, starts_at=str(p.starts_at), ends_at=str(p.ends_at), time_zone=time_zone,
        stackable=bool(p.stackable), code=p.code,
        usage_limit=None if p.usage_limit is None else int(p.usage_limit),
        used=int(coupon.used) if coupon is not None else 0, once_per_customer=bool(p.once_per_customer),
        phase=_phase(rule),
        version=int(p.version), created_at=str(p.created_at), updated_at=str(p.updated_at))


def promotion_view(org_id: str, p: Promotion) -> PromotionOut:
    shop = find(Shop, *shop_key(org_id))
    return promotion_out(p, _tz(shop), _used(org_id, {str(p.code)} if p.code else set()).get(str(p.code)))


def promotions_view(org_id: str) -> PromotionsOut:
    """The organisation's promotions, the newest start first, with each code's uses."""
    items = sorted(all_promotions(org_id), key=lambda p: (str(p.starts_at), str(p.id)), reverse=True)
    used = _used(org_id, {str(p.code) for p in items if p.code})
    tz = _tz(find(Shop, *shop_key(org_id)))
    return PromotionsOut(items=[promotion_out(p, tz, used.get(str(p.code))) for p in items])


def chart(org_id: str, promotion_id: str) -> PromotionChartOut:
    """The promotion's chart as the stream last published it (before its first publish: no sales)."""
    p = get_promotion(org_id, promotion_id)
    doc = charts.read(org_pk(org_id), chart_name(promotion_id))
    if doc is None:
        shop = find(Shop, *shop_key(org_id))
        doc = rules.chart_document(_rule(p), _tz(shop), str(shop.currency) if shop else "EUR", {}, "")
    return PromotionChartOut.model_validate(doc)


# ----------------------------------------------------------------- coupons at the checkout
@dataclass(frozen=True)
class CouponUseAt:
    """A coupon an order gives: checked now, counted in the order's transaction."""

    code: str
    promotion: rules.Promotion
    once_per_customer: bool


def coupon_for_order(org_id: str, code: str, promos: Iterable[rules.Promotion], at: datetime) -> CouponUseAt:
    """The promotion behind a coupon code: unknown is 404 `coupon`, not yet valid or expired 409
    `coupon` (nothing is written either way)."""
    wanted = rules.normal_code(code)
    found = next((p for p in promos if p.code == wanted), None)
    item = find(Promotion, *promotion_key(org_id, found.id)) if found is not None else None
    if found is None or item is None:
        raise NotFound("no such coupon", field="coupon")
    refusal = rules.coupon_refusal(found, at)
    if refusal is not None:
        raise Conflict(refusal, field="coupon")
    return CouponUseAt(wanted, found, bool(item.once_per_customer))


def add_coupon_use(tx: TransactWrite, org_id: str, use: CouponUseAt, order_id: str, customer: str, at: str) -> None:
    """The coupon's actions in the order's transaction, in this order: the counter grows by one on
    condition it stays within the limit (1), the order's use (2), the customer's claim when once per
    customer (3). A failed condition cancels the order and its reservation with it."""
    tx.update(Coupon(*coupon_key(org_id, use.code)), actions=[Coupon.used.add(1)],
              condition=(Coupon.promotion_id == use.promotion.id)
              & (Coupon.usage_limit.does_not_exist() | (Coupon.used < Coupon.usage_limit)))
    tx.save(CouponUse(*coupon_use_key(org_id, use.code, order_id), org_id=org_id, code=use.code,
                      order_id=order_id, customer=customer, at=at), condition=CouponUse.pk.does_not_exist())
    if use.once_per_customer:
        tx.save(CouponUse(*coupon_customer_key(org_id, use.code, customer), org_id=org_id, code=use.code,
                          order_id=order_id, customer=customer, at=at), condition=CouponUse.pk.does_not_exist())


def coupon_refused(failed_actions: list[int]) -> Conflict:
    """The 409 `coupon` for the coupon action that failed (indices as add_coupon_use names them, after
    the order's own action 0)."""
    if 3 in failed_actions:
        return Conflict("you have used this coupon already", field="coupon")
    return Conflict("this coupon has been used up", field="coupon")


def give_back(org_id: str, order_id: str, code: str) -> bool:
    """A cancelled or expired order's coupon use goes back, once: its use record is deleted on
    condition it exists, the counter shrinks by one and the customer's claim goes, in one transaction.
    True when it was given back now."""
    use = find(CouponUse, *coupon_use_key(org_id, code, order_id))
    if use is None:
        return False  # given back already (a replayed record)
    try:
        with transact() as tx:
            tx.delete(use, condition=CouponUse.pk.exists())
            tx.delete(CouponUse(*coupon_customer_key(org_id, code, str(use.customer))),
                      condition=CouponUse.order_id.does_not_exist() | (CouponUse.order_id == order_id))
            tx.update(Coupon(*coupon_key(org_id, code)), actions=[Coupon.used.add(-1)],
                      condition=Coupon.pk.exists() & (Coupon.used > 0))
    except TransactWriteError as exc:
        if find(CouponUse, *coupon_use_key(org_id, code, order_id)) is None:
            return False  # another delivery gave it back meanwhile
        if find(Coupon, *coupon_key(org_id, code)) is None:  # the promotion was deleted: nothing to count
            use.delete()
            return True
        raise exc
    return True


# ----------------------------------------------------------------- the schedule: starts and ends
def edges_due(shard: int, before: str) -> list[tuple[str, str]]:
    return [(str(p.org_id), str(p.id)) for p in Promotion.by_due.query(edge_index(shard), Promotion.gsi3sk < before)]


def pass_edge(org_id: str, promotion_id: str, now: datetime) -> bool:
    """A promotion whose start or end has come: its phase moves on and it waits for its next edge (or
    leaves the index), at the version read. The changed item reaches the shop stream, which
    republishes the storefront. Safe to run twice: True only when it moved now."""
    p = find(Promotion, *promotion_key(org_id, promotion_id))
    if p is None:
        return False
    rule = _rule(p)
    edge = rules.next_edge(rule, now)
    wanted = rules.phase(rule, now)
    keys = edge_keys(org_id, promotion_id, rules.iso(edge)) if edge is not None else None
    if wanted == p.phase and (keys is None) == (p.gsi3pk is None) and (keys is None or keys[1] == p.gsi3sk):
        return False
    actions: list[Any] = [Promotion.phase.set(wanted)]
    if keys is None:
        actions += [Promotion.gsi3pk.remove(), Promotion.gsi3sk.remove()]
    else:
        actions += [Promotion.gsi3pk.set(keys[0]), Promotion.gsi3sk.set(keys[1])]
    return update_if(p, actions, Promotion.version == int(p.version))


def pass_edges(now: datetime) -> dict[str, int]:
    due = moved = 0
    stamp = rules.iso(now)
    for shard in range(JOB_SHARDS):
        for org_id, promotion_id in edges_due(shard, stamp + "~"):
            due += 1
            moved += pass_edge(org_id, promotion_id, now)
    return {"due": due, "moved": moved}


# ----------------------------------------------------------------- the stream: sales, charts, give-backs
def sales_key(org_id: str, target: str, year: str) -> RollupKey:
    """A series' weekly units and revenue (net of discounts) for one year: `<monday>:units`, `:revenue`."""
    return org_pk(org_id), f"shop-sales#{target}#{year}"


@dataclass
class PromotionBatch:
    """What one shop stream batch does for promotions: coupon uses given back per record; sales added
    to the weekly rollups, and the charts of the touched organisations' promotions republished, once
    per batch."""

    orders: dict[str, list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]]] = field(default_factory=dict)
    changed: dict[str, set[str]] = field(default_factory=dict)  # org → promotions changed (charts to redo)
    seqs: dict[str, list[str]] = field(default_factory=dict)  # org → its records' sequence numbers

    def on_order(self, event_id: str, sequence: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        img = new or old or {}
        org_id = str(img["org_id"])
        self.orders.setdefault(org_id, []).append((event_id, sequence, old, new))
        self.seqs.setdefault(org_id, []).append(sequence)
        was = old.get("status") if old else None
        if new is not None and new.get("status") == "cancelled" and was != "cancelled" and new.get("coupon"):
            give_back(org_id, str(new["id"]), str(new["coupon"]))

    def on_promotion(self, sequence: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        img = new or old or {}
        self.seqs.setdefault(str(img["org_id"]), []).append(sequence)
        if new is not None:
            self.changed.setdefault(str(img["org_id"]), set()).add(str(img["id"]))

    def after(self) -> set[str]:
        """Apply the batch's sales and republish the charts; the sequence numbers that failed."""
        failed: set[str] = set()
        touched: dict[str, set[str]] = {}
        for org_id, records in self.orders.items():
            shop = find(Shop, *shop_key(org_id))
            tz = _tz(shop)
            contributions = []
            for event_id, seq, old, new in records:
                c = Contribution(event_id=event_id, sequence=seq)
                for target, name, amount in rules.sales_deltas(old, new, tz):
                    c.add(sales_key(org_id, target, name[:4]), name, amount)
                    touched.setdefault(org_id, set()).add(target)
                contributions.append(c)
            failed |= apply_contributions(contributions).failed_sequences
        for org_id in set(touched) | set(self.changed):
            try:
                publish_charts(org_id, touched.get(org_id, set()), self.changed.get(org_id, set()))
            except Exception:
                logger.exception("promotion charts failed", extra={"org_id": org_id})
                failed.update(self.seqs.get(org_id, []))
        return failed


def publish_charts(org_id: str, targets: set[str], promotion_ids: set[str]) -> list[str]:
    """Republish the chart of each promotion changed, or whose series was touched and which has not
    ended more than its length ago. Returns the keys written."""
    shop = find(Shop, *shop_key(org_id))
    tz, currency = _tz(shop), str(shop.currency) if shop is not None else "EUR"
    today = clock.now()
    written = []
    for p in all_promotions(org_id):
        rule = _rule(p)
        target = rules.promotion_target(rule.scope, rule.target)
        if p.id not in promotion_ids and target not in targets:
            continue
        before, during = rules.chart_weeks(rule, tz)
        if p.id not in promotion_ids and (today - rule.ends_at).days > 7 * (len(during) + 1):
            continue  # long over: its weeks no longer move
        years = sorted({d.isoformat()[:4] for d in [*before, *during]})
        totals: dict[str, Decimal] = {}
        for values in read_rollups([sales_key(org_id, target, y) for y in years]).values():
            totals.update(values)
        doc = rules.chart_document(rule, tz, currency, totals, clock.iso_now())
        written.append(charts.publish(org_pk(org_id), chart_name(str(p.id)), doc))
    return written

