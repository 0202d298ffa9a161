"""The stock ledger: recording a movement changes its positions in the same transaction.

One request = `read` (one strongly consistent BatchGetItem of everything the movement touches, and
the open backorders stock may arrive at) → `plan` (pure: the FIFO rules decide what is written) →
`record` (one TransactWriteItems: the movement only if its id is new, each position only if its
version is still the one read; a lost race reads again and replans) → `views` (positions,
movements, backorders and reports as response models). A sale that cannot be filled is refused
with 409 (or backordered), never oversold.
"""
from __future__ import annotations

from .plan import available_of, lots_of, new_position
from .read import get_movement, get_position
from .record import Recorded, record_movement, set_stock_settings
from .reservations import (
    Also,
    CallerConditionFailed,
    Held,
    fulfil,
    get_reservation,
    held_out,
    release,
    reservation,
    reservation_out,
    reserve,
)
from .reserving import fulfilment_sale_id
from .views import (
    backorder_out,
    backorders,
    expiring,
    list_backorders,
    list_movements,
    list_positions,
    movement,
    movement_out,
    movements,
    position_out,
    positions_by_org,
    stock,
    stock_of,
    valuation,
)

__all__ = [
    "Also", "CallerConditionFailed", "Held", "available_of", "fulfil", "fulfilment_sale_id",
    "get_reservation", "held_out", "release", "reservation", "reservation_out", "reserve",
    "Recorded", "backorder_out", "backorders", "expiring", "get_movement", "get_position", "list_backorders",
    "list_movements", "list_positions", "lots_of", "movement", "movement_out", "movements", "new_position",
    "position_out", "positions_by_org", "record_movement", "set_stock_settings", "stock", "stock_of", "valuation",
]
