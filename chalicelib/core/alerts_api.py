"""The caller's alerts, newest first."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from .deferred import deferred
from .schemas import AlertOut, Items
from .web import Req, route

if TYPE_CHECKING:
    from . import models
else:  # imported by the first request that calls it (core.deferred)
    (models,) = deferred(__package__, "models")

alerts_api = Blueprint(__name__)


def alert_out(m: models.OutboxMessage) -> AlertOut:
    return AlertOut(id=m.id, alert_type=m.alert_type, subject=m.subject, status=m.status, threshold=m.threshold,
                    period=m.period, rule=m.rule, created_at=m.created_at, sent_at=m.sent_at)


@route(alerts_api, "/alerts", ("GET",), response=Items[AlertOut])
def list_alerts(req: Req) -> Items[AlertOut]:
    """The caller's last 50 alerts."""
    items = models.OutboxMessage.by_scope.query(req.principal.owner_key, scan_index_forward=False, limit=50)
    return Items[AlertOut](items=[alert_out(m) for m in items])
