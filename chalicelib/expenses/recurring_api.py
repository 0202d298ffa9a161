"""Routes for recurring expenses and income (rent, salary, subscriptions)."""
from __future__ import annotations

from chalice import Blueprint, Response

from ..core.web import Req, route
from . import recurring as svc
from .api import _uuid
from .schemas import RecurringIn, RecurringOut

recurring = Blueprint(__name__)


@route(recurring, "/recurring", ("POST",), body=RecurringIn, response=RecurringOut, status=201)
def post_rule(req: Req):
    """Start a recurring expense or income: monthly on a day (clamped to the month's end), weekly or yearly."""
    return svc.rule_out(svc.create_rule(req.principal, req.body(RecurringIn)))


@route(recurring, "/recurring", ("GET",))
def list_rules(req: Req):
    """The caller's recurring rules with their next dates."""
    return {"items": [svc.rule_out(r) for r in svc.list_rules(req.principal)]}


@route(recurring, "/recurring/{rule_id}", ("GET",), response=RecurringOut)
def get_rule(req: Req, rule_id: str):
    """One recurring rule."""
    return svc.rule_out(svc.get_rule(req.principal, _uuid(rule_id)))


@route(recurring, "/recurring/{rule_id}", ("DELETE",), status=204)
def delete_rule(req: Req, rule_id: str):
    """Stop a recurring rule (deleting twice is fine); what it already recorded stays."""
    svc.delete_rule(req.principal, _uuid(rule_id))
    return Response(body="", status_code=204)

