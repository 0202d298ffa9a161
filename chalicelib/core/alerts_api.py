"""The caller's alerts, newest first."""
from __future__ import annotations

from chalice import Blueprint

from .models import OutboxMessage
from .web import Req, route

alerts_api = Blueprint(__name__)


def alert_out(m: OutboxMessage) -> dict:
    return {
        "id": m.id, "alert_type": m.alert_type, "subject": m.subject, "status": m.status,
        "threshold": m.threshold, "period": m.period, "rule": m.rule,
        "created_at": m.created_at, "sent_at": m.sent_at,
    }


@route(alerts_api, "/alerts", ("GET",))
def list_alerts(req: Req):
    """The caller's last 50 alerts."""
    items = OutboxMessage.by_scope.query(req.principal.owner_key, scan_index_forward=False, limit=50)
    return {"items": [alert_out(m) for m in items]}
