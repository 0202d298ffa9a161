"""Organisations and memberships: a role per organisation, checked server-side on every request.

Platform-wide roles (Cognito groups) never grant access to an organisation's data.
"""
from __future__ import annotations

import uuid

from .db import transaction

from . import clock
from .auth import Principal
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .models import Membership, Organisation

ROLES = ("owner", "manager", "staff")
MANAGERS = ("owner", "manager")


def org_pk(org_id: str) -> str:
    return f"ORG#{org_id}"


def membership(org_id: str, sub: str) -> Membership | None:
    try:
        return Membership.get(org_pk(org_id), f"MEMBER#{sub}")
    except Membership.DoesNotExist:
        return None


def require_role(user: Principal, org_id: str, roles: tuple[str, ...] = ROLES) -> Membership:
    """The caller's membership of `org_id` if its role is one of `roles`.

    A non-member gets 404 (the organisation's existence is not disclosed); a member
    with too small a role gets 403.
    """
    try:
        uuid.UUID(org_id)
    except ValueError:
        raise NotFound("no such organisation", field="org_id") from None
    m = membership(org_id, user.sub)
    if m is None:
        raise NotFound("no such organisation", field="org_id")
    if m.role not in roles:
        raise Forbidden(f"this needs the role {' or '.join(roles)}", field="role")
    return m


def create_org(user: Principal, name: str) -> tuple[Organisation, Membership]:
    org_id = str(uuid.uuid4())
    now = clock.iso_now()
    org = Organisation(org_pk(org_id), "META", org_id=org_id, name=name, created_by=user.sub, created_at=now)
    owner = _membership(org_id, user.sub, user.email, "owner", now)
    with transaction() as tx:
        tx.save(org, condition=Organisation.pk.does_not_exist())
        tx.save(owner, condition=Membership.pk.does_not_exist())
    return org, owner


def _membership(org_id: str, sub: str, email: str, role: str, now: str) -> Membership:
    return Membership(
        org_pk(org_id), f"MEMBER#{sub}", gsi1pk=f"USER#{sub}", gsi1sk=f"ORG#{org_id}",
        org_id=org_id, sub=sub, email=email, role=role, created_at=now,
    )


def get_org(org_id: str) -> Organisation:
    try:
        return Organisation.get(org_pk(org_id), "META")
    except Organisation.DoesNotExist:
        raise NotFound("no such organisation", field="org_id") from None


def my_memberships(user: Principal) -> list[Membership]:
    return list(Membership.by_member.query(f"USER#{user.sub}", Membership.gsi1sk.startswith("ORG#")))


def members(org_id: str) -> list[Membership]:
    return list(Membership.query(org_pk(org_id), Membership.sk.startswith("MEMBER#")))


def set_member(org_id: str, sub: str, email: str, role: str) -> Membership:
    """Add a member or change their role; an organisation always keeps an owner."""
    if role not in ROLES:
        raise InvalidInput("unknown role", field="role")
    current = membership(org_id, sub)
    if current is not None and current.role == "owner" and role != "owner":
        _keep_an_owner(org_id, sub)
    m = _membership(org_id, sub, email or (current.email if current else ""), role,
                    current.created_at if current else clock.iso_now())
    m.save()
    return m


def remove_member(org_id: str, sub: str) -> None:
    current = membership(org_id, sub)
    if current is None:
        return
    if current.role == "owner":
        _keep_an_owner(org_id, sub)
    current.delete()


def _keep_an_owner(org_id: str, leaving_sub: str) -> None:
    owners = [m for m in members(org_id) if m.role == "owner" and m.sub != leaving_sub]
    if not owners:
        raise Conflict("an organisation needs at least one owner", field="role")
