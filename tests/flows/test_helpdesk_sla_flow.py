"""Help desk SLAs end to end through the API, the stream and the sweep: an overdue open ticket gets
exactly one warning and one breach (the breach to the team lead too), a pending ticket gets nothing,
the breach is flagged in lists, and the clocks count business hours of the desk's calendar only."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from chalicelib.core import clock
from local.lambda_events import scheduled_event
from tests.desks import DeskWorld, make_desk
from tests.mocked import sent_emails

MON_9 = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)  # Monday 09:00 UTC
POLICY = {"time_zone": "UTC", "hours": [{"day": d, "start": "09:00", "end": "17:00"} for d in
                                        ("mon", "tue", "wed", "thu", "fri")],
          "country": "GB", "subdivision": "ENG",
          "targets": [{"priority": "normal", "first_response": 60, "resolution": 480}]}


def sweep(client) -> dict:
    return client.lambda_.invoke("sla_sweep", scheduled_event("sla_sweep", "us-east-1", clock.iso_now())).payload


def sla_mails(recipient: str | None = None) -> list[dict]:
    return [m for m in sent_emails() if m["rule"].startswith("sla:") and (recipient is None or m["recipient"] == recipient)]


def _world(client, alice, bob) -> DeskWorld:
    desk = make_desk(client, alice, bob)
    status, out = desk.owner.put(f"/orgs/{desk.oid}/helpdesk/sla", POLICY)
    assert status == 201, out
    return desk


def _by_sub(desk: DeskWorld, sub: str):
    return next(p for p in (desk.lead, desk.agent, desk.tech) if p.sub == sub)


def test_an_overdue_open_ticket_gets_one_warning_and_one_breach_and_a_pending_one_nothing(client, alice, bob, pump):
    clock.set_now(MON_9)
    desk = _world(client, alice, bob)
    status, t = desk.file()
    assert status == 201 and t["sla_due"] == "2026-11-23T09:48:00.000000Z" and t["sla_breached"] is False
    status, waiting = desk.file(subject="Where is my refund")
    assert status == 201
    assert desk.owner.post(f"/orgs/{desk.oid}/tickets/{waiting['id']}/status",
                           {"status": "pending", "version": 1})[0] == 200
    pump.run()

    clock.set_now(MON_9 + timedelta(minutes=47))
    assert sweep(client) == {"due": 0, "sent": 0}
    clock.set_now(MON_9 + timedelta(minutes=49))
    assert sweep(client)["due"] == 1
    assert sweep(client) == {"due": 0, "sent": 0}  # fired and recorded: not due again until the breach
    pump.run()
    assignee = _by_sub(desk, t["assignee"])
    assert [m["rule"] for m in sla_mails()] == ["sla:first_response:warning"]
    assert sla_mails()[0]["recipient"] == assignee.email

    clock.set_now(MON_9 + timedelta(minutes=61))
    first = sweep(client)
    again = sweep(client)
    pump.run()
    breaches = [m for m in sla_mails() if m["rule"] == "sla:first_response:breach"]
    expected = {assignee.email} | ({desk.lead.email} if assignee is not desk.lead else set())
    assert sorted(m["recipient"] for m in breaches) == sorted(expected)
    assert first["sent"] == len(expected) and again == {"due": 0, "sent": 0}

    # days later, the pending ticket got nothing; the overdue one is flagged in the lists
    clock.set_now(MON_9 + timedelta(days=3))
    sweep(client)
    pump.run()
    assert not [m for m in sla_mails() if waiting["id"] in m["text"]]
    assert [m["rule"] for m in sla_mails(assignee.email)].count("sla:first_response:warning") == 1
    assert [m["rule"] for m in sla_mails(assignee.email)].count("sla:first_response:breach") == 1
    listed = {x["id"]: x for x in desk.owner.get(f"/orgs/{desk.oid}/tickets")[1]["items"]}
    assert listed[t["id"]]["sla_breached"] is True and listed[waiting["id"]]["sla_breached"] is False
    assert listed[waiting["id"]]["sla_due"] is None
    mine = {x["id"]: x for x in desk.customer.get(f"/desks/{desk.handle}/tickets")[1]["items"]}
    assert mine[t["id"]]["sla_breached"] is True


def test_the_clock_pauses_while_pending_counts_business_hours_only_and_stops_at_the_first_reply(client, alice, bob,
                                                                                                 pump):
    clock.set_now(MON_9 + timedelta(hours=7, minutes=30))  # Monday 16:30: half an hour of today left
    desk = _world(client, alice, bob)
    status, t = desk.file()
    assert t["sla_due"] == "2026-11-24T09:18:00.000000Z"  # 30 min today, 18 min on Tuesday morning
    path = f"/orgs/{desk.oid}/tickets/{t['id']}"
    clock.set_now(MON_9 + timedelta(hours=7, minutes=40))
    assert desk.owner.post(f"{path}/status", {"status": "pending", "version": 1})[1]["status"] == "pending"
    clock.set_now(MON_9 + timedelta(days=1, hours=3))  # Tuesday noon, paused since Monday 16:40
    assert sweep(client) == {"due": 0, "sent": 0}
    assert desk.customer.put(f"/desks/{desk.handle}/tickets/{t['id']}/messages/{uuid.uuid4()}",
                             {"body": "Here is the receipt"})[0] == 201  # back to open: the clock resumes
    got = desk.owner.get(path)[1]
    assert got["status"] == "open" and got["sla_due"] == "2026-11-24T12:38:00.000000Z"  # 10 min used, 38 to go

    agent = _by_sub(desk, t["assignee"])
    clock.set_now(MON_9 + timedelta(days=1, hours=3, minutes=20))
    assert agent.put(f"{path}/messages/{uuid.uuid4()}", {"kind": "reply", "body": "Refunded."})[0] == 201
    from chalicelib.helpdesk.models import Ticket, ticket_key

    stored = Ticket.get(*ticket_key(desk.oid, t["id"]))
    assert stored.first_response_at is not None and int(stored.sla_fr_used) == 30 * 60
    assert "first_response" in stored.sla_done
    # the first response is done: the next moment is the resolution warning (80% of 480 = 384 min): 30
    # used, 280 more on Tuesday until 17:00, then 74 on Wednesday morning
    assert stored.sla_due == "2026-11-25T10:14:00.000000Z"
    clock.set_now(MON_9 + timedelta(days=1, hours=4))
    assert sweep(client) == {"due": 0, "sent": 0}
    pump.run()
    assert sla_mails() == []


def test_a_replayed_sweep_after_a_lost_write_sends_nothing_twice(client, alice, bob, pump):
    clock.set_now(MON_9)
    desk = _world(client, alice, bob)
    _, t = desk.file()
    clock.set_now(MON_9 + timedelta(minutes=50))
    from chalicelib.helpdesk import sla

    now = clock.now()
    assert sla.check_ticket(desk.oid, t["id"], now) == 1
    # as if the write recording what fired had been lost: the ticket as it was, and the sweep again
    from chalicelib.helpdesk.models import Ticket, ticket_key

    Ticket(*ticket_key(desk.oid, t["id"])).update(actions=[Ticket.sla_fired.set([])])
    assert sla.check_ticket(desk.oid, t["id"], now) == 0
    pump.run()
    assert len(sla_mails()) == 1


def test_a_reopened_ticket_leaves_the_close_list_and_its_resolution_clock_goes_on(client, alice, bob, pump):
    from chalicelib.helpdesk.models import Ticket, ticket_key

    clock.set_now(MON_9)
    desk = _world(client, alice, bob)
    _, t = desk.file()
    path = f"/orgs/{desk.oid}/tickets/{t['id']}"
    clock.set_now(MON_9 + timedelta(minutes=30))
    assert desk.owner.post(f"{path}/status", {"status": "solved", "version": 1})[0] == 200
    solved = Ticket.get(*ticket_key(desk.oid, t["id"]))
    assert solved.gsi4pk.startswith("SOLVED#") and solved.sla_due is None and int(solved.sla_res_used) == 1800
    clock.set_now(MON_9 + timedelta(hours=2))
    assert desk.customer.put(f"/desks/{desk.handle}/tickets/{t['id']}/messages/{uuid.uuid4()}",
                             {"body": "It happened again"})[0] == 201
    back = Ticket.get(*ticket_key(desk.oid, t["id"]))
    assert back.status == "open" and back.gsi4pk.startswith("SLA#")
    # 30 min used: the first-response warning (48 min) is 18 business minutes away
    assert back.sla_due == "2026-11-23T11:18:00.000000Z" and int(back.sla_res_used) == 1800
    assert int(back.sla_solves) == 1
