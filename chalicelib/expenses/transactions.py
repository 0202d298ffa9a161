"""Transactions: create once (a conditional put, replays answered with the stored record), replace
at the version read (one conditional update), get, delete, list a month page by page."""
from __future__ import annotations

import base64
import json
from typing import Any

from ..core import clock
from ..core.auth import Principal
from ..core.db import find, get_or, put_if_new, update_if
from ..core.errors import Conflict, InvalidInput, NotFound, TallyError
from ..core.keys import user_pk
from ..core.models import Profile
from ..core.money import fmt, parse_amount
from ..core.profiles import ensure_profile, profile_key
from .categories import check_category
from .models import Transaction, month_category_partition, month_partition, txn_key
from .schemas import ListQuery, TransactionIn, TransactionOut, TransactionsOut

_SAME_FIELDS = ("kind", "amount", "currency", "date", "category", "payment_mode", "note", "tags")


def transaction_out(t: Transaction) -> TransactionOut:
    """A stored transaction as the API gives it (the amount with its currency's minor units)."""
    return TransactionOut(
        id=t.id, kind=t.kind, amount=fmt(t.amount, t.currency), currency=t.currency, date=t.date,
        category=t.category, payment_mode=t.payment_mode, note=t.note or "", tags=[str(tag) for tag in t.tags or []],
        version=int(t.version), created_at=t.created_at, updated_at=t.updated_at,
    )


def home_currency(user: Principal) -> str:
    """The caller's home currency (their profile is created with defaults the first time)."""
    profile = find(Profile, *profile_key(user.sub))
    return (profile if profile is not None else ensure_profile(user.sub, user.email)).currency


def build_transaction(sub: str, txn_id: str, data: TransactionIn, currency: str, version: int,
                      created_at: str, now: str) -> Transaction:
    """The record of one transaction of person `sub`, with its month indexes (nothing is written)."""
    owner = user_pk(sub)
    amount = parse_amount(data.amount, currency)
    month = data.date[:7]
    return Transaction(
        *txn_key(owner, txn_id),
        gsi1pk=month_partition(owner, month), gsi1sk=f"{data.date}#{txn_id}",
        gsi2pk=month_category_partition(owner, month, data.category), gsi2sk=f"{data.date}#{txn_id}",
        id=txn_id, owner=sub, kind=data.kind, amount=amount, currency=currency, date=data.date,
        category=data.category, payment_mode=data.payment_mode, note=data.note, tags=data.tags,
        version=version, created_at=created_at, updated_at=now,
    )


def _same(a: Transaction, b: Transaction) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in _SAME_FIELDS)


def create_transaction(user: Principal, txn_id: str, data: TransactionIn) -> tuple[Transaction, bool]:
    """Create a transaction once: a put if its id is new, in its own currency (the home currency
    when none is given). Returns (record, created); a replay of the same create returns the stored
    record, another body under the same id is a 409."""
    check_category(user, data.category)
    currency = data.currency or home_currency(user)
    now = clock.iso_now()
    txn = build_transaction(user.sub, txn_id, data, currency, 1, now, now)
    stored: list[Transaction] = []

    def replay_or_conflict() -> TallyError | None:
        existing = Transaction.get(*txn_key(user.owner_key, txn_id))
        if _same(existing, txn):
            stored.append(existing)
            return None
        return Conflict("a different transaction exists with this id", field="id",
                        extra={"current": transaction_out(existing).model_dump(mode="json")})

    if put_if_new(txn, otherwise=replay_or_conflict):
        return txn, True
    return stored[0], False


def replace_transaction(user: Principal, txn_id: str, data: TransactionIn) -> Transaction:
    """Replace a transaction at the version the client read: one conditional update.

    A stale version answers 409 with the current record: nothing is silently overwritten.
    """
    check_category(user, data.category)
    now = clock.iso_now()
    version = int(data.version or 0)
    currency = data.currency or home_currency(user)
    new = build_transaction(user.sub, txn_id, data, currency, version + 1, "", now)
    probe = Transaction(*txn_key(user.owner_key, txn_id))
    T = Transaction
    actions = [
        T.gsi1pk.set(new.gsi1pk), T.gsi1sk.set(new.gsi1sk), T.gsi2pk.set(new.gsi2pk), T.gsi2sk.set(new.gsi2sk),
        T.kind.set(new.kind), T.amount.set(new.amount), T.date.set(new.date), T.category.set(new.category),
        T.payment_mode.set(new.payment_mode), T.note.set(new.note), T.tags.set(new.tags),
        T.version.add(1), T.updated_at.set(now),
    ]

    def why_not() -> TallyError:
        current = find(Transaction, *txn_key(user.owner_key, txn_id))
        if current is None:
            return NotFound("no such transaction", field="id")
        if int(current.version) != version:
            return Conflict("the transaction changed since you read it", field="version",
                            extra={"current": transaction_out(current).model_dump(mode="json")})
        return InvalidInput(f"currency must stay {current.currency}", field="currency")

    update_if(probe, actions, T.pk.exists() & (T.version == version) & (T.currency == currency), otherwise=why_not)
    return probe


def get_transaction(user: Principal, txn_id: str) -> Transaction:
    return get_or(Transaction, *txn_key(user.owner_key, txn_id),
                  missing=lambda: NotFound("no such transaction", field="id"))


def delete_transaction(user: Principal, txn_id: str) -> None:
    """Delete a transaction; deleting twice is fine."""
    Transaction(*txn_key(user.owner_key, txn_id)).delete()


def _encode_page(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def _decode_page(token: str | None, partition_attr: str, partition: str) -> dict[str, Any] | None:
    """A page token of this very list (another owner's or another month's is refused)."""
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
        if not (isinstance(key, dict) and key[partition_attr]["S"] == partition):
            raise ValueError(token)
    except Exception:
        raise InvalidInput("not a page token of this list", field="next") from None
    return key


def list_month(user: Principal, q: ListQuery) -> TransactionsOut:
    """A month's transactions, newest first, optionally one category; paginated with `next`."""
    owner = user.owner_key
    if q.category:
        part = month_category_partition(owner, q.month, q.category)
        result = Transaction.by_month_category.query(part, scan_index_forward=False, limit=q.limit,
                                                     last_evaluated_key=_decode_page(q.next, "gsi2pk", part))
    else:
        part = month_partition(owner, q.month)
        result = Transaction.by_month.query(part, scan_index_forward=False, limit=q.limit,
                                            last_evaluated_key=_decode_page(q.next, "gsi1pk", part))
    items = [transaction_out(t) for t in result]
    return TransactionsOut(items=items, next=_encode_page(result.last_evaluated_key))


def month_transactions(owner: str, month: str) -> list[Transaction]:
    """Every transaction of a month of one owner's partition, all pages."""
    return list(Transaction.by_month.query(month_partition(owner, month)))
