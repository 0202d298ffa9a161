"""Organisation routes: /orgs/{org_id}/... is always checked against the caller's membership."""
from __future__ import annotations

from chalice import Blueprint, Response

from . import orgs as svc
from .schemas import MemberIn, MemberOut, OrgIn, OrgOut
from .web import Req, route

orgs = Blueprint(__name__)


def _org_out(org, role: str) -> dict:
    return {"org_id": org.org_id, "name": org.name, "role": role, "created_at": org.created_at}


def _member_out(m) -> dict:
    return {"org_id": m.org_id, "sub": m.sub, "email": m.email, "role": m.role}


@route(orgs, "/orgs", ("POST",), body=OrgIn, response=OrgOut, status=201)
def create_org(req: Req):
    """Create an organisation; its creator is its owner."""
    data = req.body(OrgIn)
    org, owner = svc.create_org(req.principal, data.name)
    return _org_out(org, owner.role)


@route(orgs, "/orgs", ("GET",))
def list_orgs(req: Req):
    """The organisations the caller belongs to, with the caller's role."""
    return {"items": [
        {"org_id": m.org_id, "role": m.role} for m in svc.my_memberships(req.principal)
    ]}


@route(orgs, "/orgs/{org_id}", ("GET",), response=OrgOut)
def get_org(req: Req, org_id: str):
    """One organisation the caller belongs to."""
    m = svc.require_role(req.principal, org_id)
    return _org_out(svc.get_org(org_id), m.role)


@route(orgs, "/orgs/{org_id}/members", ("GET",))
def list_members(req: Req, org_id: str):
    """Members and their roles."""
    svc.require_role(req.principal, org_id)
    return {"items": [_member_out(m) for m in svc.members(org_id)]}


@route(orgs, "/orgs/{org_id}/members/{sub}", ("PUT",), body=MemberIn, response=MemberOut)
def put_member(req: Req, org_id: str, sub: str):
    """Add a member or change a member's role (owners only)."""
    svc.require_role(req.principal, org_id, ("owner",))
    data = req.body(MemberIn)
    return _member_out(svc.set_member(org_id, sub, "", data.role))


@route(orgs, "/orgs/{org_id}/members/{sub}", ("DELETE",), status=204)
def delete_member(req: Req, org_id: str, sub: str):
    """Remove a member (owners only; a member may leave)."""
    if sub != req.principal.sub:
        svc.require_role(req.principal, org_id, ("owner",))
    else:
        svc.require_role(req.principal, org_id)
    svc.remove_member(org_id, sub)
    return Response(body="", status_code=204)
