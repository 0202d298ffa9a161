"""The expenses table: one owner's transactions, budgets, own categories, recurring rules and rates
under the owner's partition (`core.keys.user_pk`), and the key functions that address them."""
from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..core.attributes import DecimalAttribute, DecimalMapAttribute
from ..core.models import BaseMeta
from ..core.settings import get_settings

_s = get_settings()

# Sort-key prefixes of the items in an owner's partition.
TXN, BUDGET, CATEGORY, RECUR, RATE = "TXN#", "BUDGET#", "CATEGORY#", "RECUR#", "RATE#"


def owner_sub(owner: str) -> str:
    """The person whose partition `owner` is (the inverse of `core.keys.user_pk`)."""
    return owner.split("#", 1)[1]


def txn_key(owner: str, txn_id: str) -> tuple[str, str]:
    return owner, f"{TXN}{txn_id}"


def budget_key(owner: str, category: str) -> tuple[str, str]:
    return owner, f"{BUDGET}{category}"


def category_key(owner: str, slug: str) -> tuple[str, str]:
    return owner, f"{CATEGORY}{slug}"


def recurring_key(owner: str, rule_id: str) -> tuple[str, str]:
    return owner, f"{RECUR}{rule_id}"


def rate_key(owner: str, month: str) -> tuple[str, str]:
    return owner, f"{RATE}{month}"


def month_partition(owner: str, month: str) -> str:
    """`by_month`: a month of one owner's transactions."""
    return f"{owner}#{month}"


def month_category_partition(owner: str, month: str, category: str) -> str:
    """`by_month_category`: a month of one owner's transactions in one category."""
    return f"{owner}#{month}#{category}"


def budget_job_partition(shard: int) -> str:
    """`by_job`: every budget of one shard (pace warnings, month-end close)."""
    return f"{BUDGET}{shard}"


def due_job_partition(shard: int) -> str:
    """`by_job`: the recurring rules of one shard, by their next date."""
    return f"DUE#{shard}"


class MonthIndex(GlobalSecondaryIndex):
    """USER#sub#YYYY-MM → the month's transactions by date."""

    class Meta:
        index_name = "by_month"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class MonthCategoryIndex(GlobalSecondaryIndex):
    """USER#sub#YYYY-MM#category → the month's transactions in one category by date."""

    class Meta:
        index_name = "by_month_category"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class JobIndex(GlobalSecondaryIndex):
    """The scheduled jobs' work lists, sparse and spread over a few shards so no partition takes all:
    DUE#<shard> → recurring rules by their next date (an ended rule leaves the index);
    BUDGET#<shard> → every budget, by owner (the daily pace check)."""

    class Meta:
        index_name = "by_job"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class ExpensesTable(Model):
    class Meta(BaseMeta):
        table_name = _s.expenses_table
        stream_view_type = "NEW_AND_OLD_IMAGES"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_month = MonthIndex()
    by_month_category = MonthCategoryIndex()
    by_job = JobIndex()


class Transaction(ExpensesTable):
    """An expense or income: pk USER#sub, sk TXN#id."""

    id = UnicodeAttribute()
    owner = UnicodeAttribute()
    kind = UnicodeAttribute()
    amount = DecimalAttribute()
    currency = UnicodeAttribute()
    date = UnicodeAttribute()
    category = UnicodeAttribute()
    payment_mode = UnicodeAttribute()
    note = UnicodeAttribute(default="")
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    version = NumberAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Budget(ExpensesTable):
    """A monthly limit on a category (or `total`): pk USER#sub, sk BUDGET#category."""

    category = UnicodeAttribute()
    limit = DecimalAttribute()
    currency = UnicodeAttribute()
    thresholds = ListAttribute(of=NumberAttribute)
    rollover = UnicodeAttribute(default="none")  # none | surplus | overspend
    carry = DecimalMapAttribute(default=dict)  # YYYY-MM → amount carried into that month by the close
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Rate(ExpensesTable):
    """An owner's exchange rates for one month: pk USER#sub, sk RATE#YYYY-MM. `rates[CUR]` is how many
    units of `base` (the home currency when they were set) one unit of CUR was worth that month."""

    month = UnicodeAttribute()
    base = UnicodeAttribute()
    rates = DecimalMapAttribute(default=dict)
    version = NumberAttribute(default=1)
    updated_at = UnicodeAttribute()


class Category(ExpensesTable):
    """A user's own category: pk USER#sub, sk CATEGORY#slug."""

    slug = UnicodeAttribute()
    name = UnicodeAttribute()
    kind = UnicodeAttribute()
    created_at = UnicodeAttribute()


class Recurring(ExpensesTable):
    """A recurring expense or income (rent, salary, a subscription): pk USER#sub, sk RECUR#id.

    `next_date` is the first occurrence not yet recorded; the job records every occurrence up to
    the owner's today, each as a transaction with a deterministic id, then moves `next_date` on."""

    id = UnicodeAttribute()
    owner = UnicodeAttribute()
    kind = UnicodeAttribute()
    amount = DecimalAttribute()
    currency = UnicodeAttribute()
    category = UnicodeAttribute()
    payment_mode = UnicodeAttribute()
    note = UnicodeAttribute(default="")
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    frequency = UnicodeAttribute()
    day = NumberAttribute()
    start_date = UnicodeAttribute()
    end_date = UnicodeAttribute(null=True)
    next_date = UnicodeAttribute(null=True)
    version = VersionAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
