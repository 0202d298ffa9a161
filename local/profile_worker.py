"""Profiles for every user the local Cognito holds: what the user pool's trigger does on AWS.

moto's Cognito fires no Lambda triggers, so a user made outside `/auth/sign-up` (the demo user,
`admin_create_user`, a restored snapshot's users) would have no profile. This worker lists the
pool's users every few seconds and hands each one it has not seen yet to the app's own trigger
function (`on_user_confirmed`), with the event Cognito would send: post-confirmation for a
confirmed user, post-authentication for one an administrator made (on AWS its first sign-in is
what creates the profile). The handler is idempotent, so a user with a profile changes nothing.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from .lambda_events import FakeContext

log = logging.getLogger("tally.local")
FUNCTION = "on_user_confirmed"
SOURCES = {"CONFIRMED": "PostConfirmation_ConfirmSignUp", "FORCE_CHANGE_PASSWORD": "PostAuthentication_Authentication",
           "RESET_REQUIRED": "PostAuthentication_Authentication", "EXTERNAL_PROVIDER": "PostAuthentication_Authentication"}


def trigger_event(user: dict[str, Any], pool_id: str, region: str, client_id: str = "") -> dict[str, Any] | None:
    """The event Cognito sends the trigger for a ListUsers user, or None for one who cannot sign in yet."""
    source = SOURCES.get(user.get("UserStatus", ""))
    attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
    if source is None or not attributes.get("sub"):
        return None
    return {"version": "1", "triggerSource": source, "region": region, "userPoolId": pool_id,
            "userName": user["Username"], "callerContext": {"awsSdkVersion": "local", "clientId": client_id},
            "request": {"userAttributes": attributes | {"cognito:user_status": user["UserStatus"]}},
            "response": {}}


class ProfileWorker(threading.Thread):
    def __init__(self, handler: Callable[[dict, Any], Any], idp, pool_id: str, region: str, client_id: str = "",
                 every: float = 2.0):
        super().__init__(name="profiles", daemon=True)
        self.handler, self.idp, self.pool_id, self.region = handler, idp, pool_id, region
        self.client_id, self.every = client_id, every
        self.seen: set[str] = set()
        self.stop_event = threading.Event()

    def sweep(self) -> int:
        """Hand every user not seen yet to the trigger; the number handed over."""
        handed = 0
        for page in self.idp.get_paginator("list_users").paginate(UserPoolId=self.pool_id):
            for user in page["Users"]:
                event = trigger_event(user, self.pool_id, self.region, self.client_id)
                if event is None or user["Username"] in self.seen:
                    continue
                self.handler(event, FakeContext(FUNCTION))
                self.seen.add(user["Username"])
                handed += 1
        return handed

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.sweep()
            except Exception:
                log.exception("profile sweep failed")
            self.stop_event.wait(self.every)

    def stop(self) -> None:
        self.stop_event.set()


def start(app, session, pool_id: str, region: str, client_id: str = "") -> ProfileWorker:
    """The worker for the local stack, calling the app's trigger function."""
    worker = ProfileWorker(app.handler_map[FUNCTION], session.client("cognito-idp"), pool_id, region, client_id)
    worker.start()
    return worker
