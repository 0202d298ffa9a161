"""The roles a member holds in an organisation (from their membership record, never from Cognito)."""
from __future__ import annotations

ROLES = ("owner", "manager", "staff")
MANAGERS = ("owner", "manager")
