"""Profiles: a person's name, email, time zone, home currency and alert preferences."""
from __future__ import annotations

from typing import Any, Iterator


from . import clock
from .auth import Principal
from .db import find, put_if_new, save_if
from .errors import Conflict
from .keys import user_pk
from .models import ALERT_TYPES, AlertPreferences, Profile
from .schemas import ProfileIn, ProfileOut
from .shards import JOB_SHARDS, shard_of

SK = "PROFILE"


def profile_key(sub: str) -> tuple[str, str]:
    return user_pk(sub), SK


def _listed(profile: Profile) -> None:
    """Put the profile in the sparse list of everyone (by_member index, PROFILE#<shard>)."""
    profile.gsi1pk, profile.gsi1sk = f"PROFILE#{shard_of(profile.sub)}", profile.sub


def all_profiles() -> Iterator[Profile]:
    """Every person, shard by shard (for jobs that write to everyone: the monthly digest)."""
    for shard in range(JOB_SHARDS):
        yield from Profile.by_member.query(f"PROFILE#{shard}")


def get_profile(sub: str) -> Profile | None:
    return find(Profile, *profile_key(sub))


def ensure_profile(sub: str, email: str, name: str = "") -> Profile:
    """The person's profile, created with defaults the first time (a conditional put)."""
    existing = get_profile(sub)
    if existing is not None:
        return existing
    now = clock.iso_now()
    profile = Profile(*profile_key(sub), sub=sub, email=email, name=name, created_at=now, updated_at=now)
    _listed(profile)
    if not put_if_new(profile):
        return Profile.get(*profile_key(sub))  # created meanwhile (a trigger and a request at once)
    return profile


# Cognito trigger sources that mean "this user can sign in now": confirmation (a sign-up, a password
# reset) and sign-in itself, which is also the first event Cognito sends for a user made by an
# administrator (AdminCreateUser) or a federated sign-in, for whom no confirmation trigger runs.
CONFIRMED_SOURCES = ("PostConfirmation_ConfirmSignUp", "PostConfirmation_ConfirmForgotPassword",
                     "PostAuthentication_Authentication")


def on_cognito_trigger(event: dict[str, Any]) -> dict[str, Any]:
    """Cognito's post-confirmation and post-authentication trigger: the user's profile, created with
    defaults if it does not exist yet (idempotent). Returns the event, as Cognito expects."""
    attributes = (event.get("request") or {}).get("userAttributes") or {}
    sub = attributes.get("sub")
    source = event.get("triggerSource")
    if source not in CONFIRMED_SOURCES or not sub:
        return event
    try:
        ensure_profile(sub, attributes.get("email", ""), attributes.get("name", ""))
    except Exception:
        if source != "PostAuthentication_Authentication":
            raise
        # A failing post-authentication trigger fails the sign-in itself: let the person in (sign-in
        # through the API, GET /me and the next sign-in make the profile; alerts fall back meanwhile).
        from .observability import logger

        logger.exception("profile not created at sign-in", extra={"sub": sub})
    return event


def update_profile(user: Principal, change: ProfileIn) -> Profile:
    profile = ensure_profile(user.sub, user.email)
    if change.version is not None and change.version != profile.version:
        raise Conflict("the profile changed since you read it", field="version",
                       extra={"current": profile_out(profile).model_dump(mode="json")})
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
    _listed(profile)
    # VersionAttribute adds the version read: someone saving in between makes this a 409.
    save_if(profile, None, otherwise=lambda: Conflict(
        "the profile changed since you read it", field="version",
        extra={"current": profile_out(Profile.get(*profile_key(user.sub))).model_dump(mode="json")}))
    return profile


def alerts_enabled(profile: Profile, alert_type: str) -> bool:
    prefs = profile.alert_preferences
    if prefs is None:
        return True
    value = getattr(prefs, f"{alert_type}_alerts", None)
    return True if value is None else bool(value)


def profile_out(p: Profile) -> ProfileOut:
    return ProfileOut(sub=p.sub, email=p.email, name=p.name, time_zone=p.time_zone, currency=p.currency,
                      alert_preferences={f"{t}_alerts": alerts_enabled(p, t) for t in ALERT_TYPES},
                      version=int(p.version or 0))
