"""DynamoDB writes that carry a condition, through PynamoDB, on the same endpoint as the models.

One place turns a failed condition into what it means: `put_if_new` (a create that may be a replay),
`update_if` (a change at the version read), `transact` (all or nothing) and `failed_actions` (which
actions of a cancelled transaction failed their condition). Callers decide which domain error a
failed condition is; nobody matches error message text.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from .errors import TallyError
from .settings import get_settings

M = TypeVar("M", bound=Model)

CONDITION_FAILED = "ConditionalCheckFailedException"


@lru_cache(maxsize=1)
def connection() -> Connection:
    s = get_settings()
    return Connection(region=s.region, host=s.aws_endpoint_url)


KINDS = ("condition_check", "delete", "save", "update")  # the order PynamoDB sends a transaction's actions in


class OrderedTransactWrite(TransactWrite):
    """PynamoDB sends a transaction's actions grouped by kind (condition checks, then deletes, puts,
    updates), so DynamoDB's cancellation reasons follow that order, not the order the code named them
    in. This records the order named, and a cancelled commit's error carries it (`failed_actions`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.named: list[str] = []

    def condition_check(self, *args: Any, **kwargs: Any) -> None:
        super().condition_check(*args, **kwargs)
        self.named.append("condition_check")

    def delete(self, *args: Any, **kwargs: Any) -> None:
        super().delete(*args, **kwargs)
        self.named.append("delete")

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self.named.append("save")

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self.named.append("update")

    def _commit(self) -> Any:
        try:
            return super()._commit()
        except TransactWriteError as exc:
            # sent position -> the position the action was named at
            setattr(exc, "tally_named_at", [i for kind in KINDS for i, k in enumerate(self.named) if k == kind])
            raise


def transaction() -> TransactWrite:
    """All-or-nothing writes (at most 100 items)."""
    return OrderedTransactWrite(connection=connection())


def failed_actions(exc: TransactWriteError) -> list[int]:
    """The indices of a cancelled transaction's actions that failed their condition, in the order the
    code named the actions (however PynamoDB grouped them to send)."""
    sent = [i for i, r in enumerate(exc.cancellation_reasons or [])
            if r is not None and r.code == "ConditionalCheckFailed"]
    named_at: list[int] | None = getattr(exc, "tally_named_at", None)
    if named_at is None:
        return sent
    return sorted(named_at[i] for i in sent if i < len(named_at))


def conflicted(exc: TransactWriteError) -> bool:
    """Whether a transaction was cancelled by another writer: a condition failed, or it collided
    with a concurrent transaction on the same items. Anything else (throttling, bad request) is not."""
    codes = {r.code for r in exc.cancellation_reasons or [] if r is not None}
    return bool(codes & {"ConditionalCheckFailed", "TransactionConflict"})


def _written_if(write: Callable[[], object], otherwise: Callable[[], TallyError | None] | None) -> bool:
    """Run one conditional write: True when it was written; when its condition failed, raise the
    domain error `otherwise()` names, or return False when it names none."""
    try:
        write()
        return True
    except (PutError, UpdateError, DeleteError) as exc:
        if exc.cause_response_code != CONDITION_FAILED:
            raise
    err = otherwise() if otherwise is not None else None
    if err is not None:
        raise err
    return False


def put_if_new(item: Model, *, hash_attr: Any = None,
               otherwise: Callable[[], TallyError | None] | None = None) -> bool:
    """Save `item` unless an item with its key exists. True when it was written; when it existed,
    nothing is written and `otherwise()` (if given) names the domain error to raise, or None for a
    harmless replay (then False is returned)."""
    key_attr = hash_attr if hash_attr is not None else getattr(type(item), str(type(item)._hash_keyname))
    return _written_if(lambda: item.save(condition=key_attr.does_not_exist()), otherwise)


def update_if(item: Model, actions: Sequence[Any], condition: Condition,
              otherwise: Callable[[], TallyError | None] | None = None) -> bool:
    """Apply `actions` to `item` when `condition` holds (the item takes the new values). When the
    condition fails, raise `otherwise()` if it names an error, else return False."""
    return _written_if(lambda: item.update(actions=list(actions), condition=condition), otherwise)


def save_if(item: Model, condition: Condition | None,
            otherwise: Callable[[], TallyError | None] | None = None) -> bool:
    """Save `item` (its VersionAttribute, if any, adds the version check) when `condition` holds.
    When a condition fails, raise `otherwise()` if it names an error, else return False."""
    return _written_if(lambda: item.save(condition=condition), otherwise)


def find(model: type[M], hash_key: str, range_key: str | None = None, *, consistent_read: bool = False) -> M | None:
    """The item under this key, or None (one GetItem; `consistent_read` for one that must see the
    latest write, such as a record read before its conditional change)."""
    try:
        return model.get(hash_key, range_key, consistent_read=consistent_read)
    except model.DoesNotExist:
        return None


def get_or(model: type[M], hash_key: str, range_key: str | None, missing: Callable[[], TallyError], *,
           consistent_read: bool = False) -> M:
    """The item under this key, or the domain error `missing()` names (usually a 404 naming the field)."""
    item = find(model, hash_key, range_key, consistent_read=consistent_read)
    if item is None:
        raise missing()
    return item


@contextmanager
def transact(otherwise: Callable[[list[int]], TallyError | None] | None = None) -> Iterator[TransactWrite]:
    """A transaction whose cancellation by failed conditions becomes `otherwise(failed indices)`
    (a domain error to raise, or None to re-raise the TransactWriteError for the caller's retry)."""
    tx = transaction()
    try:
        with tx:
            yield tx
    except TransactWriteError as exc:
        failed = failed_actions(exc)
        if failed and otherwise is not None:
            err = otherwise(failed)
            if err is not None:
                raise err from None
        raise
