"""Profiles: a person's name, email, time zone, home currency and alert preferences."""
from __future__ import annotations

from pynamodb.exceptions import PutError

from . import clock
from .auth import Principal
from .errors import Conflict
from .models import AlertPreferences, Profile
from .schemas import ProfileIn

SK = "PROFILE"


def profile_key(sub: str) -> tuple[str, str]:
    return f"USER#{sub}", SK


def get_profile(sub: str) -> Profile | None:
    try:
        return Profile.get(*profile_key(sub))
    except Profile.DoesNotExist:
        return None


def ensure_profile(sub: str, email: str, name: str = "") -> Profile:
    """The person's profile, created with defaults the first time (a conditional put)."""
    existing = get_profile(sub)
    if existing is not None:
        return existing
    now = clock.iso_now()
    profile = Profile(*profile_key(sub), sub=sub, email=email, name=name, created_at=now, updated_at=now)
    try:
        profile.save(condition=Profile.pk.does_not_exist())
    except PutError:
        return Profile.get(*profile_key(sub))
    return profile


def update_profile(user: Principal, change: ProfileIn) -> Profile:
    profile = ensure_profile(user.sub, user.email)
    if change.version is not None and change.version != profile.version:
        raise Conflict("the profile changed since you read it", field="version",
                       extra={"current": profile_out(profile)})
    if change.name is not None:
        profile.name = change.name
    if change.time_zone is not None:
        profile.time_zone = change.time_zone
    if change.currency is not None:
        profile.currency = change.currency
    if change.alert_preferences is not None:
        prefs = profile.alert_preferences or AlertPreferences()
        for key, value in change.alert_preferences.model_dump(exclude_none=True).items():
            setattr(prefs, key, value)
        profile.alert_preferences = prefs
    if user.email:
        profile.email = user.email
    profile.updated_at = clock.iso_now()
    try:
        profile.save()  # VersionAttribute: fails if someone saved in between
    except PutError:
        raise Conflict("the profile changed since you read it", field="version",
                       extra={"current": profile_out(Profile.get(*profile_key(user.sub)))}) from None
    return profile


def alerts_enabled(profile: Profile, alert_type: str) -> bool:
    prefs = profile.alert_preferences
    if prefs is None:
        return True
    value = getattr(prefs, f"{alert_type}_alerts", None)
    return True if value is None else bool(value)


def profile_out(p: Profile) -> dict:
    prefs = p.alert_preferences or AlertPreferences()
    return {
        "sub": p.sub,
        "email": p.email,
        "name": p.name,
        "time_zone": p.time_zone,
        "currency": p.currency,
        "alert_preferences": {"budget_alerts": bool(prefs.budget_alerts), "stock_alerts": bool(prefs.stock_alerts)},
        "version": p.version,
    }
