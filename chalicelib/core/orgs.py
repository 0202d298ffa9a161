"""Organisations and memberships: a role per organisation, checked server-side on every request.

Platform-wide roles (Cognito groups) never grant access to an organisation's data.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from html import escape

from . import clock
from .alert_rules import firing_id
from .alerts import outbox_message
from .auth import Principal
from .db import find, get_or, transaction
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .keys import org_pk, user_pk
from .roles import MANAGERS, ROLES
from .models import Invitation, Membership, Organisation, OutboxMessage, Profile
from .profiles import alerts_enabled, profile_key
from .settings import get_settings





def membership(org_id: str, sub: str) -> Membership | None:
    return find(Membership, org_pk(org_id), f"MEMBER#{sub}")


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
        org_pk(org_id), f"MEMBER#{sub}", gsi1pk=user_pk(sub), gsi1sk=org_pk(org_id),
        org_id=org_id, sub=sub, email=email, role=role, created_at=now,
    )


def get_org(org_id: str) -> Organisation:
    return get_or(Organisation, org_pk(org_id), "META", missing=lambda: NotFound("no such organisation", field="org_id"))


def my_memberships(user: Principal) -> list[Membership]:
    return list(Membership.by_member.query(user_pk(user.sub), Membership.gsi1sk.startswith(org_pk(""))))


def org_names(org_ids: list[str]) -> dict[str, str]:
    """Organisations' names by id, in one BatchGetItem."""
    if not org_ids:
        return {}
    return {o.org_id: o.name for o in Organisation.batch_get([(org_pk(i), "META") for i in dict.fromkeys(org_ids)])}


def members(org_id: str) -> list[Membership]:
    return list(Membership.query(org_pk(org_id), Membership.sk.startswith("MEMBER#")))


@dataclass(frozen=True)
class AlertRecipient:
    """Where one member's alert goes; no unsubscribe token until the member has a profile."""

    sub: str
    email: str
    unsubscribe_token: str | None


def alert_recipients(org_id: str, alert_type: str, roles: tuple[str, ...] = MANAGERS) -> list[AlertRecipient]:
    """The members of `org_id` with a role in `roles` who get `alert_type` emails: at their profile's
    email unless its `<alert_type>_alerts` is off; a member with no profile yet (a user made outside
    sign-up who has not signed in) at the membership's email, with every alert on, as a new profile
    has them. One Query and one BatchGetItem."""
    chosen = [m for m in members(org_id) if m.role in roles]
    profiles = {p.sub: p for p in Profile.batch_get([profile_key(m.sub) for m in chosen])} if chosen else {}
    out = []
    for m in chosen:
        p = profiles.get(m.sub)
        if p is None:
            if m.email:
                out.append(AlertRecipient(m.sub, m.email, None))
        elif alerts_enabled(p, alert_type) and (p.email or m.email):
            out.append(AlertRecipient(m.sub, p.email or m.email, p.unsubscribe_token or None))
    return out


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


# ---------------------------------------------------------------- invitations
def invitation_pk_sk(org_id: str, email: str) -> tuple[str, str]:
    return org_pk(org_id), f"INVITE#{email.lower()}"


def invite(user: Principal, org_id: str, email: str, role: str) -> tuple[Invitation, OutboxMessage]:
    """Invite an email address (an existing member's address is refused). Inviting again changes the
    role and sends the email again; the invitation email goes through the outbox like every email."""
    email = email.lower()
    if role not in ROLES:
        raise InvalidInput("unknown role", field="role")
    if any(m.email.lower() == email for m in members(org_id)):
        raise Conflict("that person is already a member", field="email")
    org = get_org(org_id)
    now = clock.iso_now()
    inv = Invitation(*invitation_pk_sk(org_id, email), gsi1pk=f"INVITE#{email}", gsi1sk=org_pk(org_id),
                     org_id=org_id, org_name=org.name, email=email, role=role, invited_by=user.email or user.sub,
                     created_at=now)
    link = get_settings().dashboard_url + "#/inventory/team"  # the dashboard page with invitations
    text = (f"{user.email or 'A Tally user'} invites you to join {org.name} on Tally as {role}.\n\n"
            f"Sign in (or sign up) with this address and accept the invitation: {link}\n")
    html = (f"<p>{escape(user.email or 'A Tally user')} invites you to join <strong>{escape(org.name)}</strong> "
            f"on Tally as {escape(role)}.</p><p><a href=\"{escape(link)}\">Sign in or sign up with this address</a> "
            f"and accept the invitation.</p>")
    msg = outbox_message(
        id=firing_id("invite", org_id, email, now), scope=org_pk(org_id), recipient=email, alert_type="invite",
        rule="invitation", threshold=role, period=now[:10], value=None,
        subject=f"Join {org.name} on Tally", text=text, html=html, details={"org_id": org_id, "role": role})
    with transaction() as tx:
        tx.save(inv)
        tx.save(msg, condition=OutboxMessage.id.does_not_exist())
    return inv, msg


def invitations(org_id: str) -> list[Invitation]:
    return list(Invitation.query(org_pk(org_id), Invitation.sk.startswith("INVITE#")))


def cancel_invitation(org_id: str, email: str) -> None:
    Invitation(*invitation_pk_sk(org_id, email)).delete()


def my_invitations(user: Principal) -> list[Invitation]:
    if not user.email:
        return []
    return list(Invitation.by_member.query(f"INVITE#{user.email.lower()}"))


def accept_invitation(user: Principal, org_id: str) -> Membership:
    """The invited person joins with the invited role: one transaction makes the membership and
    removes the invitation. Only a verified email address can accept what was sent to it."""
    if not user.email_verified:
        raise Forbidden("verify your email address first", field="email")
    inv = get_or(Invitation, *invitation_pk_sk(org_id, user.email),
                 missing=lambda: NotFound("no invitation for you to this organisation", field="org_id"))
    existing = membership(org_id, user.sub)
    if existing is not None:
        inv.delete()
        return existing
    m = _membership(org_id, user.sub, user.email, inv.role, clock.iso_now())
    with transaction() as tx:
        tx.save(m, condition=Membership.pk.does_not_exist())
        tx.delete(inv, condition=Invitation.pk.exists())
    return m
