"""Canned replies (macros): a title and a body with placeholders, rendered into a reply by the pure
`rules.render` when an agent uses one."""
from __future__ import annotations

from ..core import clock
from ..core.db import find
from ..core.errors import NotFound
from ..core.keys import org_pk
from .models import Macro, macro_key
from .rules import check_template
from .schemas import MacroIn, MacroOut, MacrosOut


def macro_out(m: Macro) -> MacroOut:
    return MacroOut(id=m.id, title=m.title, body=m.body)


def set_macro(org_id: str, macro_id: str, data: MacroIn) -> tuple[Macro, bool]:
    """Create or replace a canned reply under a client-chosen id (a placeholder that does not exist
    is 400 naming `body`). Returns (macro, created)."""
    check_template(data.body)
    current = find(Macro, *macro_key(org_id, macro_id))
    now = clock.iso_now()
    m = Macro(*macro_key(org_id, macro_id), id=macro_id, org_id=org_id, title=data.title, body=data.body,
              created_at=current.created_at if current else now, updated_at=now)
    m.save()
    return m, current is None


def get_macro(org_id: str, macro_id: str) -> Macro:
    m = find(Macro, *macro_key(org_id, macro_id))
    if m is None:
        raise NotFound("no such canned reply", field="macro_id")
    return m


def macros(org_id: str) -> MacrosOut:
    items = sorted(Macro.query(org_pk(org_id), Macro.sk.startswith("MACRO#")), key=lambda m: m.title.lower())
    return MacrosOut(items=[macro_out(m) for m in items])
