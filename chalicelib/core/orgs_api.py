"""Organisation routes: /orgs/{org_id}/... is always checked against the caller's membership."""
from __future__ import annotations

from chalice import Blueprint, Response

from . import orgs as svc
from .schemas import InvitationIn, InvitationOut, MemberIn, MemberOut, OrgIn, OrgOut
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
    """The organisations the caller belongs to, with their names and the caller's role."""
    mine = svc.my_memberships(req.principal)
    names = svc.org_names([m.org_id for m in mine])
    return {"items": [{"org_id": m.org_id, "name": names.get(m.org_id, ""), "role": m.role} for m in mine]}


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


def _invitation_out(i) -> dict:
    return {"org_id": i.org_id, "org_name": i.org_name, "email": i.email, "role": i.role,
            "invited_by": i.invited_by, "created_at": i.created_at}


@route(orgs, "/orgs/{org_id}/invitations", ("POST",), body=InvitationIn, response=InvitationOut, status=201)
def invite(req: Req, org_id: str):
    """Invite someone by email with a role (owners only); they get an email and accept after signing in."""
    svc.require_role(req.principal, org_id, ("owner",))
    data = req.body(InvitationIn)
    inv, _ = svc.invite(req.principal, org_id, data.email, data.role)
    return _invitation_out(inv)


@route(orgs, "/orgs/{org_id}/invitations", ("GET",))
def list_invitations(req: Req, org_id: str):
    """Pending invitations (owners and managers)."""
    svc.require_role(req.principal, org_id, svc.MANAGERS)
    return {"items": [_invitation_out(i) for i in svc.invitations(org_id)]}


@route(orgs, "/orgs/{org_id}/invitations/{email}", ("DELETE",), status=204)
def cancel_invitation(req: Req, org_id: str, email: str):
    """Withdraw an invitation (owners only)."""
    svc.require_role(req.principal, org_id, ("owner",))
    svc.cancel_invitation(org_id, email)
    return Response(body="", status_code=204)


@route(orgs, "/invitations", ("GET",))
def my_invitations(req: Req):
    """Invitations waiting for the caller's email address."""
    return {"items": [_invitation_out(i) for i in svc.my_invitations(req.principal)]}


@route(orgs, "/invitations/{org_id}/accept", ("POST",), response=MemberOut)
def accept_invitation(req: Req, org_id: str):
    """Join the organisation with the role the invitation names."""
    return _member_out(svc.accept_invitation(req.principal, org_id))
