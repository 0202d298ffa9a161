"""Organisation routes: /orgs/{org_id}/... is always checked against the caller's membership."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from .deferred import deferred
from .schemas import Items, InvitationIn, InvitationOut, MemberIn, MemberOut, OrgIn, OrgOut, OrgSummaryOut
from .web import NO_CONTENT, Req, route

if TYPE_CHECKING:
    from . import orgs as svc
    from .models import Invitation, Membership, Organisation
else:  # imported by the first request that calls it (core.deferred)
    (svc,) = deferred(__package__, "orgs")

orgs = Blueprint(__name__)


def org_out(org: Organisation, role: str) -> OrgOut:
    return OrgOut(org_id=org.org_id, name=org.name, role=role, created_at=org.created_at)


def member_out(m: Membership) -> MemberOut:
    return MemberOut(org_id=m.org_id, sub=m.sub, email=m.email, role=m.role)


def invitation_out(i: Invitation) -> InvitationOut:
    return InvitationOut(org_id=i.org_id, org_name=i.org_name, email=i.email, role=i.role,
                         invited_by=i.invited_by, created_at=i.created_at)


@route(orgs, "/orgs", ("POST",), body=OrgIn, response=OrgOut, status=201)
def create_org(req: Req) -> OrgOut:
    """Create an organisation; its creator is its owner."""
    data = req.body(OrgIn)
    org, owner = svc.create_org(req.principal, data.name)
    return org_out(org, owner.role)


@route(orgs, "/orgs", ("GET",), response=Items[OrgSummaryOut])
def list_orgs(req: Req) -> Items[OrgSummaryOut]:
    """The organisations the caller belongs to, with their names and the caller's role."""
    mine = svc.my_memberships(req.principal)
    names = svc.org_names([m.org_id for m in mine])
    return Items[OrgSummaryOut](items=[OrgSummaryOut(org_id=m.org_id, name=names.get(m.org_id, ""), role=m.role)
                                       for m in mine])


@route(orgs, "/orgs/{org_id}", ("GET",), response=OrgOut)
def get_org(req: Req, org_id: str) -> OrgOut:
    """One organisation the caller belongs to."""
    m = svc.require_role(req.principal, org_id)
    return org_out(svc.get_org(org_id), m.role)


@route(orgs, "/orgs/{org_id}/members", ("GET",), response=Items[MemberOut])
def list_members(req: Req, org_id: str) -> Items[MemberOut]:
    """Members and their roles."""
    svc.require_role(req.principal, org_id)
    return Items[MemberOut](items=[member_out(m) for m in svc.members(org_id)])


@route(orgs, "/orgs/{org_id}/members/{sub}", ("PUT",), body=MemberIn, response=MemberOut)
def put_member(req: Req, org_id: str, sub: str) -> MemberOut:
    """Add a member or change a member's role (owners only)."""
    svc.require_role(req.principal, org_id, ("owner",))
    data = req.body(MemberIn)
    return member_out(svc.set_member(org_id, sub, "", data.role))


@route(orgs, "/orgs/{org_id}/members/{sub}", ("DELETE",), response=NO_CONTENT, status=204)
def delete_member(req: Req, org_id: str, sub: str) -> None:
    """Remove a member (owners only; a member may leave)."""
    if sub != req.principal.sub:
        svc.require_role(req.principal, org_id, ("owner",))
    else:
        svc.require_role(req.principal, org_id)
    svc.remove_member(org_id, sub)


@route(orgs, "/orgs/{org_id}/invitations", ("POST",), body=InvitationIn, response=InvitationOut, status=201)
def invite(req: Req, org_id: str) -> InvitationOut:
    """Invite someone by email with a role (owners only); they get an email and accept after signing in."""
    svc.require_role(req.principal, org_id, ("owner",))
    data = req.body(InvitationIn)
    inv, _ = svc.invite(req.principal, org_id, data.email, data.role)
    return invitation_out(inv)


@route(orgs, "/orgs/{org_id}/invitations", ("GET",), response=Items[InvitationOut])
def list_invitations(req: Req, org_id: str) -> Items[InvitationOut]:
    """Pending invitations (owners and managers)."""
    svc.require_role(req.principal, org_id, svc.MANAGERS)
    return Items[InvitationOut](items=[invitation_out(i) for i in svc.invitations(org_id)])


@route(orgs, "/orgs/{org_id}/invitations/{email}", ("DELETE",), response=NO_CONTENT, status=204)
def cancel_invitation(req: Req, org_id: str, email: str) -> None:
    """Withdraw an invitation (owners only)."""
    svc.require_role(req.principal, org_id, ("owner",))
    svc.cancel_invitation(org_id, email)


@route(orgs, "/invitations", ("GET",), response=Items[InvitationOut])
def my_invitations(req: Req) -> Items[InvitationOut]:
    """Invitations waiting for the caller's email address."""
    return Items[InvitationOut](items=[invitation_out(i) for i in svc.my_invitations(req.principal)])


@route(orgs, "/invitations/{org_id}/accept", ("POST",), response=MemberOut)
def accept_invitation(req: Req, org_id: str) -> MemberOut:
    """Join the organisation with the role the invitation names."""
    return member_out(svc.accept_invitation(req.principal, org_id))
