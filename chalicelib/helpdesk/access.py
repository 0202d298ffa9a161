"""Who sees which tickets: a customer their own, an agent their teams', an admin (owner or manager)
all of the organisation's. Outsiders learn nothing: a ticket they may not see is 404."""
from __future__ import annotations

from dataclasses import dataclass

from ..core.auth import Principal
from ..core.errors import Forbidden, NotFound
from ..core.orgs import require_role
from ..core.roles import MANAGERS
from .models import Ticket
from .teams import teams_of


@dataclass(frozen=True)
class StaffViewer:
    """A member working the desk: an admin, or an agent of some teams (some of which they lead)."""

    sub: str
    org_id: str
    admin: bool
    team_ids: frozenset[str]
    led_team_ids: frozenset[str]

    def sees(self, ticket: Ticket) -> bool:
        return ticket.org_id == self.org_id and (self.admin or ticket.team_id in self.team_ids)

    def may_assign(self, ticket: Ticket) -> bool:
        """Admins reassign any ticket; a team lead the tickets of their team."""
        return self.admin or ticket.team_id in self.led_team_ids


def staff_viewer(user: Principal, org_id: str) -> StaffViewer:
    """The caller as desk staff: a non-member gets 404 (org_id), a member who is neither an admin nor
    an agent of any team 403 (role)."""
    m = require_role(user, org_id)
    admin = m.role in MANAGERS
    mine = teams_of(org_id, user.sub)
    if not admin and not mine:
        raise Forbidden("this needs an agent of a help desk team, an owner or a manager", field="role")
    return StaffViewer(sub=user.sub, org_id=org_id, admin=admin, team_ids=frozenset(t.id for t in mine),
                       led_team_ids=frozenset(t.id for t in mine if t.lead == user.sub))


def visible(viewer: StaffViewer, ticket: Ticket | None) -> Ticket:
    if ticket is None or not viewer.sees(ticket):
        raise NotFound("no such ticket", field="ticket_id")
    return ticket
