"""What moto keeps forever, and how the local stack keeps it small (see docs/local-stack.md).

moto is a test double: its backends live for a test and then go. The local stack runs for days, and
moto's habits made it grow to gigabytes while the data it held was a few MB:

1. A TransactWriteItems deep-copies every table it names, stream records included, to roll back on
   failure, and a cancelled one swaps the copies in. The swapped-out tables stayed alive through the
   shard iterators that pointed at them, and every copy cost O(table + stream) time under the lock.
   `install()` replaces the copy with an undo log of what the transaction can change, O(actions):
   for each key a Put, Update or Delete names, the item it held (a fresh copy for an Update, which
   changes its item in place; none if there was none), and the length of each stream shard. A
   rollback puts them back *into the same table object*, so shard iterators stay valid and no table
   is ever replaced. (Only an action whose key cannot be read, which moto refuses anyway, makes a
   one-level copy of its table's item map.)
2. Every GetRecords registers a new shard iterator in a dict that is never pruned (a worker polling
   every 0.2 s adds 18,000 an hour). Iterators now expire after 15 minutes, as on AWS.
3. Stream records are kept forever, each as nested dicts of two item images. They are now kept
   pickled and compressed (`_CompactRecord`), and `trim_stream` drops those older than 24 hours,
   as DynamoDB Streams does, by advancing the shard's starting sequence number: moto numbers a record
   `starting_sequence_number + its index`, and an iterator holds an absolute sequence number, so every
   record keeps its number and every iterator at or after the trim horizon reads exactly what it read
   before. An iterator behind the horizon reads from the horizon (AWS raises TrimmedDataAccess; the
   stack never trims what a worker has not handled, so its workers never meet one).

4. The snapshot copied every item to JSON while holding the lock. `ItemsCopy` is copy-on-write: the
   lock is held only to collect references; an item about to be updated in place is converted first.
5. moto's `BaseModel.__new__` appends every instance of every model class to the class's
   `instances_tracked` list (for the /moto-api/ dashboard), and nothing removes one: every `Item`
   ever made (each put, update and transaction makes new ones, with all their attribute values),
   every `ShardIterator` (one per GetRecords, so the 15-minute expiry of 2. freed nothing) and every
   S3 `FakeKey` an overwrite replaced stayed alive. Measured with local/memory_profile.py over 3,000
   mixed requests: 7,579 Items alive for 660 in the tables, 205,000 more DynamoType objects, RSS
   +21 MB per 1,000 requests. `LiveInstances` holds them weakly: /moto-api/data.json lists what the
   backends still hold, no longer what they dropped.

Everything here runs under the embedded AWS's global lock (local/embedded_aws.py), except
`ItemsCopy.render`.
"""
from __future__ import annotations

import collections
import copy
import pickle
import threading
import time
import types
import weakref
import zlib
from datetime import datetime, timedelta
from typing import Any

import moto.dynamodb.models as ddb
from moto.core.common_models import BaseModel
from moto.dynamodb.models.table import StreamRecord, StreamShard, Table
from moto.dynamodbstreams.models import DynamoDBStreamsBackend

STREAM_RETENTION = timedelta(hours=24)
ITERATOR_TTL = 15 * 60.0  # seconds, as AWS's shard iterators



# ------------------------------------------------------------------ 1. transactions: an undo log
_WRITES = ("Put", "Update", "Delete")  # the actions that change an item (a ConditionCheck changes none)


def _action_key(backend: Any, kind: str, op: dict[str, Any]) -> tuple[Table, Any, Any]:
    """(table, hash value, range value) of the item a Put, Update or Delete action writes, as moto keys
    its item map. Raises for a missing table or a malformed key or item."""
    table = backend.tables[op["TableName"]]
    if kind == "Put":
        item = op["Item"]
        key = {table.hash_key_attr: item[table.hash_key_attr]}
        if table.has_range_key:
            key[table.range_key_attr] = item[table.range_key_attr]
    else:
        key = op["Key"]
    hash_value, range_value = backend.get_keys_value(table, key)
    return table, hash_value, range_value if table.has_range_key else None


def _current_item(table: Table, hash_value: Any, range_value: Any) -> Any:
    if table.has_range_key:
        by_range = table.items.get(hash_value)
        return by_range.get(range_value) if by_range else None
    return table.items.get(hash_value)


def _put_back(table: Table, hash_value: Any, range_value: Any, before: Any) -> None:
    """Make the item at this key `before` again (None: no item)."""
    items = table.items
    if not table.has_range_key:
        if before is None:
            items.pop(hash_value, None)
        else:
            items[hash_value] = before
        return
    by_range = items.get(hash_value)
    if before is not None:
        if by_range is None:
            by_range = items[hash_value] = {}
        by_range[range_value] = before
    elif by_range is not None:
        by_range.pop(range_value, None)
        if not by_range:
            del items[hash_value]


def _item_map_copy(table: Table) -> Any:
    """The table's item map, one level deep (the Item objects are shared): the undo log of last resort."""
    items = table.items
    out: Any = collections.defaultdict(dict) if isinstance(items, collections.defaultdict) else {}
    if table.has_range_key:
        for h, by_range in items.items():
            if by_range:
                out[h] = dict(by_range)
    else:
        out.update(items)
    return out


def _transact_with_undo_log(original: Any) -> Any:
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        # What each written key held before (an Update changes its item in place: a copy of it),
        # and how long each table's stream shard was. O(actions), not O(table).
        before: dict[tuple[str, Any, Any], tuple[Table, Any, Any, Any]] = {}
        whole: dict[str, tuple[Table, Any]] = {}  # a table whose written key could not be read from its action
        shards: dict[str, tuple[Table, int | None]] = {}
        for entry in transact_items:
            kind, op = next(iter(entry.items()), ("", None))
            name = op.get("TableName") if isinstance(op, dict) else None
            if not isinstance(op, dict) or not isinstance(name, str) or name not in self.tables:
                continue  # moto cancels the transaction: nothing of an unknown table changes
            table = self.tables[name]
            if name not in shards:
                shards[name] = (table, None if table.stream_shard is None else len(table.stream_shard.items))
            if kind not in _WRITES:
                continue
            try:
                table, hash_value, range_value = _action_key(self, kind, op)
            except Exception:  # a malformed action: moto refuses it; keep the whole map to be sure
                if name not in whole:
                    whole[name] = (table, _item_map_copy(table))
                continue
            if (name, hash_value, range_value) not in before:
                item = _current_item(table, hash_value, range_value)
                if kind == "Update" and item is not None:
                    item = copy.deepcopy(item)
                before[(name, hash_value, range_value)] = (table, hash_value, range_value, item)

        def deepcopy(obj: Any, memo: Any = None) -> Any:
            # moto's own rollback puts "the copy" back: let it be the table itself
            return obj if isinstance(obj, Table) else copy.deepcopy(obj, memo)

        ddb.copy = types.SimpleNamespace(deepcopy=deepcopy)  # type: ignore[assignment]
        try:
            return original(self, transact_items)
        except BaseException:
            for table, item_map in whole.values():  # first: it shares the items an Update changed in place
                table.items = item_map
            for table, hash_value, range_value, item in before.values():
                _put_back(table, hash_value, range_value, item)
            for table, shard_len in shards.values():
                if shard_len is not None and table.stream_shard is not None:
                    del table.stream_shard.items[shard_len:]
            raise
        finally:
            ddb.copy = copy  # type: ignore[assignment]

    return transact_write_items


# -------------------------------------------------------------- 2. shard iterators that expire
class ExpiringIterators(dict):
    """moto's shard-iterator registry, forgetting iterators ITERATOR_TTL seconds after they were made."""

    def __init__(self) -> None:
        super().__init__()
        self.born: collections.deque[tuple[float, str]] = collections.deque()

    def __setitem__(self, key: str, value: Any) -> None:
        now = time.monotonic()
        super().__setitem__(key, value)
        self.born.append((now, key))
        while self.born and self.born[0][0] < now - ITERATOR_TTL:
            self.pop(self.born.popleft()[1], None)


# ------------------------------------------------ 4. a copy of the items without holding the lock
class ItemsCopy:
    """The items of some tables as JSON, copy-on-write: `take` (under the moto lock) only collects
    references to the Item objects; `render` (outside it) converts them. moto replaces an Item on a
    put and drops it on a delete, and changes one in place only in `update_item`: the patched
    `update_item` first converts the item it is about to change, if this copy still needs it. So the
    result is the items as they were when `take` ran."""

    active: ItemsCopy | None = None  # at most one copy at a time (the snapshotter's)

    def __init__(self, tables: dict[str, list[Any]]):
        self.tables = tables
        self.lock = threading.Lock()
        self.done: dict[int, dict[str, Any]] = {}
        self.wanted = {id(item) for items in tables.values() for item in items}

    @classmethod
    def take(cls, backend: Any, table_names: list[str]) -> ItemsCopy:
        """Call with the moto lock held."""
        copy_ = cls({name: backend.tables[name].all_items() for name in table_names})
        cls.active = copy_
        return copy_

    def keep(self, item: Any) -> None:
        """Convert `item` now if this copy wants it and has not converted it yet (moto lock held)."""
        if id(item) in self.wanted:
            with self.lock:
                if id(item) not in self.done:
                    self.done[id(item)] = item.to_json()["Attributes"]

    def render(self) -> dict[str, list[dict[str, Any]]]:
        try:
            out = {}
            for name, items in self.tables.items():
                rendered = []
                for item in items:
                    with self.lock:
                        if id(item) not in self.done:
                            self.done[id(item)] = item.to_json()["Attributes"]
                        rendered.append(self.done[id(item)])
                out[name] = rendered
            return out
        finally:
            if ItemsCopy.active is self:
                ItemsCopy.active = None


def _update_keeping_copies(original: Any) -> Any:
    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        items_copy = ItemsCopy.active
        if items_copy is not None:
            table = self.tables.get(table_name)
            if table is not None:
                try:
                    hash_value, range_value = self.get_keys_value(table, key)
                    item = table.get_item(hash_value, range_value)
                except Exception:  # a bad key: moto's own update_item says so
                    item = None
                if item is not None:
                    items_copy.keep(item)
        return original(self, table_name, key, *args, **kwargs)

    return update_item


# ------------------------------------------------------------------- 3. stream records: 24 hours
class _CompactRecord:
    """StreamRecord.record kept pickled and zlib-compressed: a record holds the old and new images of
    an item as nested dicts (~10x their JSON size in Python objects), and a day of them is kept.
    `created` and `seq` stay plain for trimming; `record` decodes a fresh copy on each read."""

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        plain = obj.__dict__.get("_plain")
        if plain is not None:  # moto's __init__ is still filling it in
            return plain
        record = pickle.loads(zlib.decompress(obj.__dict__["_blob"]))
        record["dynamodb"]["ApproximateCreationDateTime"] = obj.created
        return record

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__["_plain"] = value


def _compact_after_init(original: Any) -> Any:
    def __init__(self: StreamRecord, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        record = self.__dict__.pop("_plain")
        self.created = record["dynamodb"]["ApproximateCreationDateTime"]
        self.seq = int(record["dynamodb"]["SequenceNumber"])
        self._blob = zlib.compress(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL), 1)

    return __init__


def trim_stream(shard: StreamShard, now: datetime, handled_up_to: int | None) -> int:
    """Drop the shard's records older than STREAM_RETENTION at `now` (naive UTC, as moto's
    ApproximateCreationDateTime), but none after sequence number `handled_up_to` (what every reader
    has handled; None: nothing is handled, nothing goes). Returns how many were dropped."""
    if handled_up_to is None:
        return 0
    horizon = now - STREAM_RETENTION
    n = 0
    for record in shard.items:
        if record.created >= horizon or record.seq > handled_up_to:
            break
        n += 1
    if n:
        del shard.items[:n]
        shard.starting_sequence_number += n  # every record keeps its number
    return n


def _get_from_horizon(original: Any) -> Any:
    def get(self: StreamShard, start: int, quantity: int) -> list[dict[str, Any]]:
        return original(self, max(start, self.starting_sequence_number), quantity)

    return get


def prune_empty_hash_keys(table: Table) -> int:
    """moto's get_item on a missing hash key of a hash+range table leaves an empty dict behind
    (the item map is a defaultdict): drop them. Returns how many."""
    if not table.has_range_key:
        return 0
    empty = [h for h, by_range in table.items.items() if not by_range]
    for h in empty:
        del table.items[h]
    return len(empty)


# ------------------------------------------- 5. every model instance moto made, kept forever
class _InstanceRef(weakref.ref):
    __slots__ = ("key",)
    key: int


class LiveInstances:
    """A model class's `instances_tracked`, holding its instances weakly: it lists the ones still alive.

    moto's `BaseModel.__new__` appends every instance of every model to its class's list, for the
    /moto-api/ dashboard, and nothing ever removes one: every DynamoDB `Item` ever written (a put, an
    update and a transaction each make new ones, with their attribute values), every stream
    `ShardIterator` (one per GetRecords), every S3 `FakeKey` a put replaced (with its body) stayed
    alive. The dashboard's /moto-api/data.json still lists every instance the backends hold; what
    it no longer lists is what no backend holds any more (an overwritten item, an expired iterator).
    Iterating gives the live instances in the order they were made, as moto's list did."""

    def __init__(self, instances: Any = ()) -> None:
        self._refs: dict[int, _InstanceRef] = {}
        self._strong: list[Any] = []  # an instance that cannot be weakly referenced (none in moto 5)
        self._callback = self._forget  # one bound method for every reference
        for instance in instances:
            self.append(instance)

    def append(self, instance: Any) -> None:
        try:
            ref = _InstanceRef(instance, self._callback)
        except TypeError:
            self._strong.append(instance)
            return
        ref.key = id(instance)
        self._refs[ref.key] = ref

    def _forget(self, ref: _InstanceRef) -> None:
        if self._refs.get(ref.key) is ref:
            del self._refs[ref.key]

    def __iter__(self) -> Any:
        # a copy: a callback may drop an entry at any allocation (the copy itself allocates first)
        alive: list[Any] = [ref() for ref in self._refs.copy().values()]
        return iter([instance for instance in alive if instance is not None] + self._strong)

    def __len__(self) -> int:
        return len(self._refs) + len(self._strong)


def _track_weakly(cls: type, *args: Any, **kwargs: Any) -> Any:
    """BaseModel.__new__, with the class's instances held by a LiveInstances (a reset of moto's model
    data puts a plain list back: it is replaced on the next instance)."""
    instance: Any = object.__new__(cls)
    tracked = cls.__dict__.get("instances_tracked")
    if not isinstance(tracked, LiveInstances):
        tracked = LiveInstances(tracked or ())
        cls.instances_tracked = tracked  # type: ignore[attr-defined]
    tracked.append(instance)
    return instance


_ORIGINALS: dict[str, Any] = {}


def install() -> None:
    """Patch moto's classes in this process (idempotent). Call before the first request."""
    if _ORIGINALS:
        return
    _ORIGINALS.update(new=BaseModel.__dict__["__new__"], transact=ddb.DynamoDBBackend.transact_write_items,
                      get=StreamShard.get,
                      init=DynamoDBStreamsBackend.__init__, update=ddb.DynamoDBBackend.update_item,
                      record_init=StreamRecord.__init__)
    BaseModel.__new__ = staticmethod(_track_weakly)  # type: ignore[method-assign]
    StreamRecord.__init__ = _compact_after_init(_ORIGINALS["record_init"])  # type: ignore[method-assign]
    StreamRecord.record = _CompactRecord()  # type: ignore[assignment]
    ddb.DynamoDBBackend.transact_write_items = _transact_with_undo_log(_ORIGINALS["transact"])
    ddb.DynamoDBBackend.update_item = _update_keeping_copies(_ORIGINALS["update"])
    StreamShard.get = _get_from_horizon(_ORIGINALS["get"])
    init = _ORIGINALS["init"]

    def __init__(self: DynamoDBStreamsBackend, region_name: str, account_id: str) -> None:
        init(self, region_name, account_id)
        self.shard_iterators = ExpiringIterators()

    DynamoDBStreamsBackend.__init__ = __init__  # type: ignore[method-assign]

