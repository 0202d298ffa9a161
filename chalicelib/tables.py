"""Every DynamoDB table the app uses, as the PynamoDB model that declares its keys and indexes.

The local stack creates tables from these; the infra test checks the CDK tables match them.
"""
from __future__ import annotations

from .core.models import CoreTable, OutboxMessage, Rollup
from .expenses.models import ExpensesTable
from .cars.models import CarsTable
from .helpdesk.models import HelpdeskTable
from .inventory.models import InventoryTable
from .shop.models import ShopTable

# logical name → table model (the one holding every key and index of that table)
TABLE_MODELS = {
    "core": CoreTable,
    "expenses": ExpensesTable,
    "inventory": InventoryTable,
    "cars": CarsTable,
    "helpdesk": HelpdeskTable,
    "shop": ShopTable,
    "rollups": Rollup,
    "outbox": OutboxMessage,
}

# logical table name → settings/env name of its stream ARN, for tables whose stream the app consumes
STREAM_ENV = {
    "expenses": "TALLY_EXPENSES_STREAM_ARN",
    "inventory": "TALLY_INVENTORY_STREAM_ARN",
    "helpdesk": "TALLY_HELPDESK_STREAM_ARN",
    "shop": "TALLY_SHOP_STREAM_ARN",
    "outbox": "TALLY_OUTBOX_STREAM_ARN",
    "cars": "TALLY_CARS_STREAM_ARN",
}

