"""Inviting people to an organisation by email: the invitee accepts with that verified address."""
from __future__ import annotations

from chalicelib.core.models import OutboxMessage
from tests.mocked import sign_up


def _org(alice) -> str:
    return alice.post("/orgs", {"name": "Corner Shop"})[1]["org_id"]


def test_an_invited_person_joins_with_the_invited_role(client, alice):
    oid = _org(alice)
    bob = sign_up(client, "bob")
    status, inv = alice.post(f"/orgs/{oid}/invitations", {"email": bob.email.upper(), "role": "manager"})
    assert status == 201 and inv["email"] == bob.email and inv["role"] == "manager"
    mail = [m for m in OutboxMessage.by_scope.query(f"ORG#{oid}") if m.alert_type == "invite"]
    assert [m.recipient for m in mail] == [bob.email] and "Corner Shop" in mail[0].subject
    assert bob.get(f"/orgs/{oid}")[0] == 404  # not a member until accepted
    assert [i["org_id"] for i in bob.get("/invitations")[1]["items"]] == [oid]
    status, member = bob.post(f"/invitations/{oid}/accept")
    assert status == 200 and member["role"] == "manager"
    assert bob.get(f"/orgs/{oid}")[1]["role"] == "manager"
    assert bob.get("/invitations")[1]["items"] == []
    assert alice.get(f"/orgs/{oid}/invitations")[1]["items"] == []
    # accepting twice: the invitation is gone
    assert bob.post(f"/invitations/{oid}/accept")[0] == 404


def test_only_the_invited_address_can_accept(client, alice, bob):
    oid = _org(alice)
    alice.post(f"/orgs/{oid}/invitations", {"email": "someone.else@example.com", "role": "owner"})
    assert bob.get("/invitations")[1]["items"] == []
    status, err = bob.post(f"/invitations/{oid}/accept")
    assert status == 404 and err["error"]["field"] == "org_id"
    assert bob.get(f"/orgs/{oid}")[0] == 404


def test_who_may_invite(client, alice, bob):
    oid = _org(alice)
    carol = sign_up(client, "carol")
    # a non-member cannot see or send invitations
    assert bob.post(f"/orgs/{oid}/invitations", {"email": carol.email, "role": "staff"})[0] == 404
    assert bob.get(f"/orgs/{oid}/invitations")[0] == 404
    alice.put(f"/orgs/{oid}/members/{bob.sub}", {"role": "staff"})
    assert bob.post(f"/orgs/{oid}/invitations", {"email": carol.email, "role": "staff"})[0] == 403
    assert bob.get(f"/orgs/{oid}/invitations")[0] == 403
    alice.put(f"/orgs/{oid}/members/{bob.sub}", {"role": "manager"})
    assert bob.get(f"/orgs/{oid}/invitations")[0] == 200
    assert bob.post(f"/orgs/{oid}/invitations", {"email": carol.email, "role": "staff"})[0] == 403  # owners only


def test_bad_invitations_name_their_field(alice, bob):
    oid = _org(alice)
    status, err = alice.post(f"/orgs/{oid}/invitations", {"email": "not-an-email", "role": "staff"})
    assert status == 400 and err["error"]["field"] == "email"
    status, err = alice.post(f"/orgs/{oid}/invitations", {"email": bob.email, "role": "king"})
    assert status == 400 and err["error"]["field"] == "role"
    status, err = alice.post(f"/orgs/{oid}/invitations", {"email": alice.email, "role": "staff"})
    assert status == 409 and err["error"]["field"] == "email"


def test_a_withdrawn_invitation_cannot_be_accepted(alice, bob):
    oid = _org(alice)
    alice.post(f"/orgs/{oid}/invitations", {"email": bob.email, "role": "staff"})
    assert alice.delete(f"/orgs/{oid}/invitations/{bob.email}")[0] == 204
    assert bob.post(f"/invitations/{oid}/accept")[0] == 404
    assert bob.get(f"/orgs/{oid}")[0] == 404
