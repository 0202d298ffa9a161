"""The expenses table: one owner's transactions, budgets and own categories under pk USER#sub."""
from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..core.attributes import DecimalAttribute
from ..core.models import BaseMeta
from ..core.settings import get_settings

_s = get_settings()


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
    by_month = MonthIndex()
    by_month_category = MonthCategoryIndex()


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
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Category(ExpensesTable):
    """A user's own category: pk USER#sub, sk CATEGORY#slug."""

    slug = UnicodeAttribute()
    name = UnicodeAttribute()
    kind = UnicodeAttribute()
    created_at = UnicodeAttribute()
