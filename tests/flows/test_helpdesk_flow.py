"""The help desk stream: the customer gets one email per public update (received, an agent's reply,
solved, closed) and none for an internal note; the assigned agent gets one; a replayed batch sends
nothing again; a bad record fails only itself; the close job closes solved tickets once."""
from __future__ import annotations

import copy
import email
import uuid
from datetime import datetime, timedelta, timezone

from chalicelib.core import clock
from local.lambda_events import scheduled_event
from tests.desks import DeskWorld, make_desk
from tests.mocked import sent_emails, ses_messages

DAY = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)


def desk_mails(recipient: str | None = None) -> list[dict]:
    return sorted((m for m in sent_emails() if m["alert_type"] == "helpdesk"
                   and (recipient is None or m["recipient"] == recipient)), key=lambda m: m["created_at"])


def _file(desk: DeskWorld) -> dict:
    status, t = desk.file()
    assert status == 201, t
    return t


def _assignee(desk: DeskWorld, t: dict):
    return desk.lead if t["assignee"] == desk.lead.sub else desk.agent


def test_one_email_per_public_update_and_none_for_a_note(client, alice, bob, pump):
    clock.set_now(DAY)
    desk = make_desk(client, alice, bob)
    t = _file(desk)
    pump.run()
    assert [m["rule"] for m in desk_mails(desk.customer.email)] == ["ticket:received"]
    agent = _assignee(desk, t)
    assert [m["rule"] for m in desk_mails(agent.email)] == ["ticket:assigned"]

    msgs = f"/orgs/{desk.oid}/tickets/{t['id']}/messages"
    assert agent.put(f"{msgs}/{uuid.uuid4()}", {"kind": "note", "body": "Check the card processor"})[0] == 201
    pump.run()
    assert len(desk_mails(desk.customer.email)) == 1  # a note emails nobody

    assert agent.put(f"{msgs}/{uuid.uuid4()}", {"kind": "reply", "body": "We refunded the second charge."})[0] == 201
    # the customer's own reply is not emailed back to them
    assert desk.customer.put(f"/desks/{desk.handle}/tickets/{t['id']}/messages/{uuid.uuid4()}",
                             {"body": "Thanks!"})[0] == 201
    pump.run()
    path = f"/orgs/{desk.oid}/tickets/{t['id']}/status"
    v = agent.get(f"/orgs/{desk.oid}/tickets/{t['id']}")[1]["version"]
    assert agent.post(path, {"status": "pending", "version": v})[0] == 200  # not a status the customer hears of
    assert agent.post(path, {"status": "solved", "version": v + 1})[0] == 200
    pump.run()
    assert agent.post(path, {"status": "closed", "version": v + 2})[0] == 200
    pump.run()
    got = {m["rule"]: m for m in desk_mails(desk.customer.email)}
    assert len(desk_mails(desk.customer.email)) == 4
    assert sorted(got) == ["ticket:closed", "ticket:received", "ticket:reply", "ticket:solved"]
    assert "We refunded the second charge." in got["ticket:reply"]["text"]
    assert "Check the card processor" not in "".join(m["text"] + m["html"] for m in sent_emails())
    assert len(desk_mails(agent.email)) == 1

    # every customer email replies to the ticket's own address, which names it and carries its token
    from chalicelib.helpdesk.models import Ticket, ticket_key
    from chalicelib.helpdesk.rules import parse_reply_address

    token = Ticket.get(*ticket_key(desk.oid, t["id"])).reply_token
    assert {parse_reply_address(m["reply_to"]) for m in got.values()} == {(t["id"], token)}
    sent = [email.message_from_bytes(m.raw_data.encode() if isinstance(m.raw_data, str) else m.raw_data)
            for m in ses_messages()]
    to_customer = [m for m in sent if m["To"] == desk.customer.email]
    assert len(to_customer) == 4 and all(parse_reply_address(m["Reply-To"]) == (t["id"], token) for m in to_customer)


def test_a_replayed_batch_sends_nothing_twice(client, alice, bob, pump):
    desk = make_desk(client, alice, bob)
    t = _file(desk)
    agent = _assignee(desk, t)
    assert agent.put(f"/orgs/{desk.oid}/tickets/{t['id']}/messages/{uuid.uuid4()}",
                     {"kind": "reply", "body": "On it."})[0] == 201
    batch = pump.helpdesk.records()
    assert pump.invoke("on_helpdesk_stream", batch) == {"batchItemFailures": []}
    pump.run()
    before = len(sent_emails())
    assert before == 3  # received, assigned, reply
    assert pump.invoke("on_helpdesk_stream", copy.deepcopy(batch)) == {"batchItemFailures": []}
    pump.run()
    assert len(sent_emails()) == before
    assert len(ses_messages()) == before


def test_a_bad_record_fails_only_itself_and_is_emailed_once_redelivered(client, alice, bob, pump):
    desk = make_desk(client, alice, bob)
    _file(desk)
    _file(desk)
    batch = [r for r in pump.helpdesk.records() if r["dynamodb"]["Keys"]["sk"]["S"] == "TICKET"]
    assert len(batch) == 2
    broken = copy.deepcopy(batch)
    del broken[0]["dynamodb"]["NewImage"]["subject"]  # the first ticket's record cannot be read
    resp = pump.invoke("on_helpdesk_stream", broken)
    assert resp == {"batchItemFailures": [{"itemIdentifier": batch[0]["dynamodb"]["SequenceNumber"]}]}
    pump.run()
    assert [m["rule"] for m in desk_mails(desk.customer.email)] == ["ticket:received"]
    # Lambda redelivers from the failed record on: the failed one is emailed, the other not again
    assert pump.invoke("on_helpdesk_stream", batch) == {"batchItemFailures": []}
    pump.run()
    assert [m["rule"] for m in desk_mails(desk.customer.email)] == ["ticket:received"] * 2


def test_reassignment_emails_the_new_agent_once(client, alice, bob, pump):
    desk = make_desk(client, alice, bob)
    t = _file(desk)
    other = desk.agent if t["assignee"] == desk.lead.sub else desk.lead
    pump.run()
    assert desk.owner.post(f"/orgs/{desk.oid}/tickets/{t['id']}/assignee",
                           {"assignee": other.sub, "version": 1})[0] == 200
    pump.run()
    assert [m["rule"] for m in desk_mails(other.email)] == ["ticket:assigned"]
    assert "Charged twice" in desk_mails(other.email)[0]["subject"]


def close_job(client) -> dict:
    return client.lambda_.invoke("close_solved", scheduled_event("close_solved", "us-east-1", clock.iso_now())).payload


def test_a_solved_ticket_closes_once_the_seven_day_reopen_window_is_over_and_its_customer_is_told_once(
        client, alice, bob, pump):
    from chalicelib.helpdesk.jobs import CLOSE_AFTER
    from chalicelib.helpdesk.rules.links import REOPEN_WINDOW

    assert CLOSE_AFTER >= REOPEN_WINDOW == timedelta(days=7)
    clock.set_now(DAY)
    desk = make_desk(client, alice, bob)
    t = _file(desk)
    keep = _file(desk)
    path = f"/orgs/{desk.oid}/tickets/{t['id']}/status"
    assert desk.owner.post(path, {"status": "solved", "version": 1})[0] == 200
    clock.set_now(DAY + timedelta(days=6, hours=23))  # inside the window: a reply would still reopen it
    assert close_job(client) == {"due": 0, "closed": 0}
    clock.set_now(DAY + timedelta(days=7, minutes=1))
    assert close_job(client) == {"due": 1, "closed": 1}
    assert close_job(client) == {"due": 0, "closed": 0}
    assert desk.owner.get(f"/orgs/{desk.oid}/tickets/{t['id']}")[1]["status"] == "closed"
    assert desk.owner.get(f"/orgs/{desk.oid}/tickets/{keep['id']}")[1]["status"] == "new"
    pump.run()
    assert [m["rule"] for m in desk_mails(desk.customer.email)].count("ticket:closed") == 1


def test_a_merged_duplicates_customer_is_told_once_and_then_hears_of_the_target(client, alice, bob, pump):
    from tests.mocked import sign_up

    desk = make_desk(client, alice, bob)
    target = _file(desk)
    other = sign_up(client, "dup")
    status, dup = desk.file(who=other, subject="Same here")
    assert status == 201
    agent = _assignee(desk, dup)
    assert agent.put(f"/orgs/{desk.oid}/tickets/{dup['id']}/messages/{uuid.uuid4()}",
                     {"kind": "reply", "body": "Looking into it"})[0] == 201
    pump.run()
    assert sorted(m["rule"] for m in desk_mails(other.email)) == ["ticket:received", "ticket:reply"]
    v = desk.owner.get(f"/orgs/{desk.oid}/tickets/{dup['id']}")[1]["version"]
    assert desk.owner.post(f"/orgs/{desk.oid}/tickets/{dup['id']}/merge", {"into": target["id"], "version": v})[0] == 200
    pump.run()
    # told of the merge (not of a close); the copied reply is not sent again
    assert sorted(m["rule"] for m in desk_mails(other.email)) == ["ticket:merged", "ticket:received", "ticket:reply"]
    merged_mail = next(m for m in desk_mails(other.email) if m["rule"] == "ticket:merged")
    assert target["id"] in merged_mail["text"] and "Charged twice" in merged_mail["text"]
    # the target's next public reply reaches both customers, once each
    who = _assignee(desk, target)
    assert who.put(f"/orgs/{desk.oid}/tickets/{target['id']}/messages/{uuid.uuid4()}",
                   {"kind": "reply", "body": "Refunded both of you."})[0] == 201
    batch = pump.helpdesk.records()
    pump.invoke("on_helpdesk_stream", batch)
    pump.invoke("on_helpdesk_stream", copy.deepcopy(batch))
    pump.run()
    for customer in (desk.customer, other):
        replies = [m for m in desk_mails(customer.email) if m["rule"] == "ticket:reply" and "Refunded both" in m["text"]]
        assert len(replies) == 1, customer.email


def test_a_reply_with_files_is_emailed_naming_them(client, alice, bob, pump):
    import requests

    desk = make_desk(client, alice, bob)
    t = _file(desk)
    agent = _assignee(desk, t)
    o = f"/orgs/{desk.oid}/tickets/{t['id']}"
    status, grant = agent.post(f"{o}/attachments", {"filename": "return-label.pdf", "content_type": "application/pdf",
                                                    "size": 9})
    assert status == 201, grant
    assert requests.post(grant["url"], data=grant["fields"], files={"file": ("f", b"%PDF-1.4 ")},
                         timeout=30).status_code in (200, 201, 204)
    assert agent.put(f"{o}/messages/{uuid.uuid4()}", {"kind": "reply", "body": "Here is your label.",
                                                      "attachments": [grant["attachment_id"]]})[0] == 201
    pump.run()
    [reply] = [m for m in desk_mails(desk.customer.email) if m["rule"] == "ticket:reply"]
    assert "Here is your label." in reply["text"]
    assert "Attached (open your request to download): return-label.pdf" in reply["text"]
