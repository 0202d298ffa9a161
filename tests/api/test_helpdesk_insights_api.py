"""Help desk SLA policy and insights routes: roles (every kind of caller), bad input naming the field
and writing nothing, and the insights the stream precomputed (a replayed batch counts nothing twice)."""
from __future__ import annotations

import copy
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.core import clock
from tests.api.test_helpdesk_access import ADMINS, ANON, OUTSIDE, ROLES, STAFF, _caller, _check
from tests.desks import DeskWorld, make_desk

POLICY = {"time_zone": "Europe/London", "country": "GB", "subdivision": "ENG",
          "hours": [{"day": d, "start": "09:00", "end": "17:30"} for d in ("mon", "tue", "wed", "thu", "fri")],
          "targets": [{"priority": "normal", "first_response": 60, "resolution": 960},
                      {"priority": "urgent", "first_response": 15}],
          "handle_minutes": 12, "service_level": 80}
MON_10 = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


@pytest.fixture
def desk(client, alice, bob) -> DeskWorld:
    return make_desk(client, alice, bob)


def test_who_may_read_and_set_the_sla_policy_and_read_insights(desk, client):
    o = f"/orgs/{desk.oid}"
    for role in ROLES:
        c = _caller(desk, client, role)
        expected = {**STAFF}.get(role, ANON if role == "anonymous" else OUTSIDE)
        _check(c.get(f"{o}/helpdesk/sla"), expected)
        _check(c.get(f"{o}/helpdesk/insights"), ADMINS.get(role, ANON if role == "anonymous" else OUTSIDE))
    stored = 0  # each admin changes the policy at the version they read (the first creates it)
    for role in ROLES:
        c = _caller(desk, client, role)
        want = ADMINS.get(role, ANON if role == "anonymous" else OUTSIDE)
        body = {**POLICY, **({"version": stored} if stored else {})}
        stored += want == "ok"
        try:
            _check(c.put(f"{o}/helpdesk/sla", body), want)
        except AssertionError as exc:
            raise AssertionError(f"{role}: {exc}") from None
    got = desk.owner.get(f"{o}/helpdesk/sla")[1]
    assert got["version"] == 2 and got["country"] == "GB" and got["hours"][0] == {"day": "mon", "start": "09:00",
                                                                                 "end": "17:30"}
    assert got["targets"] == [{"priority": "normal", "first_response": 60, "resolution": 960},
                              {"priority": "urgent", "first_response": 15, "resolution": None}]


@pytest.mark.parametrize("change, field", [
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"country": "XX"}, "country"),
    ({"subdivision": "ZZZ"}, "subdivision"),
    ({"hours": [{"day": "mon", "start": "09:00", "end": "17:00"}, {"day": "mon", "start": "16:00", "end": "18:00"}]},
     "hours"),
    ({"hours": [{"day": "mon", "start": "9:00", "end": "17:00"}]}, "hours.0.start"),
    ({"targets": [{"priority": "normal", "first_response": 0}]}, "targets.0.first_response"),
    ({"targets": [{"priority": "normal"}, {"priority": "normal"}]}, "targets"),
    ({"closed_days": ["2026-02-30"]}, "closed_days.0"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_policy_is_refused_naming_the_field_and_writes_nothing(desk, change, field):
    status, body = desk.owner.put(f"/orgs/{desk.oid}/helpdesk/sla", {**POLICY, **change})
    assert status == 400 and body["error"]["field"] == field, body
    assert desk.owner.get(f"/orgs/{desk.oid}/helpdesk/sla")[1]["version"] == 0


def test_a_stale_policy_version_is_409(desk):
    o = f"/orgs/{desk.oid}/helpdesk/sla"
    assert desk.owner.put(o, POLICY)[0] == 201
    assert desk.owner.put(o, POLICY)[1]["error"]["field"] == "version"
    assert desk.owner.put(o, {**POLICY, "version": 5})[0] == 409
    assert desk.owner.put(o, {**POLICY, "version": 1})[0] == 200


def test_insights_are_precomputed_by_the_stream_and_a_replay_counts_nothing_twice(desk, client, pump):
    clock.set_now(MON_10)
    o = f"/orgs/{desk.oid}"
    assert desk.owner.put(f"{o}/helpdesk/sla", POLICY)[0] == 201
    empty = desk.owner.get(f"{o}/helpdesk/insights")[1]
    assert empty["overall"]["created"] == 0 and empty["generated_at"] == ""
    tickets = [desk.file()[1] for _ in range(3)] + [desk.file(category="tech", priority="urgent")[1]]
    by_sub = {p.sub: p for p in (desk.lead, desk.agent, desk.tech)}
    # three first responses after 10, 20 and 30 business minutes; two solved; one reopened
    for n, t in enumerate(tickets[:3], start=1):
        clock.set_now(MON_10 + timedelta(minutes=10 * n))
        assert by_sub[t["assignee"]].put(f"{o}/tickets/{t['id']}/messages/{uuid.uuid4()}",
                                         {"kind": "reply", "body": "Looking"})[0] == 201
    clock.set_now(MON_10 + timedelta(hours=2))
    for t in tickets[:2]:
        v = desk.owner.get(f"{o}/tickets/{t['id']}")[1]["version"]
        assert desk.owner.post(f"{o}/tickets/{t['id']}/status", {"status": "solved", "version": v})[0] == 200
    assert desk.customer.put(f"/desks/{desk.handle}/tickets/{tickets[0]['id']}/messages/{uuid.uuid4()}",
                             {"body": "Still broken"})[0] == 201
    batch = pump.helpdesk.records()
    assert pump.invoke("on_helpdesk_stream", batch) == {"batchItemFailures": []}
    first = desk.owner.get(f"{o}/helpdesk/insights")[1]
    assert pump.invoke("on_helpdesk_stream", copy.deepcopy(batch)) == {"batchItemFailures": []}
    pump.run()
    doc = desk.owner.get(f"{o}/helpdesk/insights")[1]
    assert doc["overall"] == first["overall"] and doc["backlog"] == first["backlog"]
    overall = doc["overall"]
    assert (overall["created"], overall["solved"], overall["reopened"]) == (4, 2, 1)
    assert overall["reopen_rate"] == 0.5
    assert overall["first_response"]["count"] == 3
    assert overall["first_response"]["median"] == pytest.approx(20, rel=0.01)
    # DDSketch's quantile is the sample of rank 0.9 × (n − 1), rounded down: the second of three
    assert overall["first_response"]["p90"] == pytest.approx(20, rel=0.01)
    assert overall["resolution"]["count"] == 2 and overall["resolution"]["median"] == pytest.approx(120, rel=0.01)
    assert overall["sla"]["first_response"] == {"met": 3, "missed": 0, "attainment": 1.0}
    assert doc["backlog"] == {"new": 1, "open": 2, "solved": 1}
    today = next(d for d in doc["days"] if d["date"] == "2026-11-23")
    assert today == {"date": "2026-11-23", "created": 4, "solved": 2}
    cats = {r["name"]: r for r in doc["by"]["category"]}
    assert cats["billing"] == {"name": "billing", "created": 3, "solved": 2} and cats["tech"]["created"] == 1
    assert {r["name"] for r in doc["by"]["priority"]} == {"normal", "urgent"}
    assert len(doc["staffing"]) == 168
    monday_9 = doc["staffing"][9]  # 09:00-10:00 Monday, London: inside the desk's hours, 3 agents present
    assert monday_9["scheduled"] == 3 and doc["staffing"][20]["scheduled"] == 0


def test_ratings_and_deflections_from_other_helpers_items_are_counted(desk, client, pump):
    """The satisfaction and knowledge-base work write `rating` on a ticket and `DEFLECTION#` items; the
    insights count them (written here as those features would)."""
    clock.set_now(MON_10)
    o = f"/orgs/{desk.oid}"
    t = desk.file()[1]
    pump.run()
    from chalicelib.helpdesk.models import HelpdeskTable, Ticket, ticket_key

    table = HelpdeskTable.Meta.table_name
    from chalicelib.core.aws import client as aws_client

    ddb = aws_client("dynamodb")
    pk, sk = ticket_key(desk.oid, t["id"])
    ddb.update_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                    UpdateExpression="SET rating = :r, rated_at = :a",
                    ExpressionAttributeValues={":r": {"S": "good"}, ":a": {"S": "2026-11-23T11:00:00.000000Z"}})
    for n in range(3):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"ORG#{desk.oid}"}, "sk": {"S": f"DEFLECTION#{n}"},
                                            "org_id": {"S": desk.oid}, "created_at": {"S": "2026-11-23T11:00:00Z"}})
    pump.run()
    overall = desk.owner.get(f"{o}/helpdesk/insights")[1]["overall"]
    assert overall["satisfaction"] == {"good": 1, "bad": 0, "share_good": 1.0}
    assert overall["deflected"] == 3 and overall["deflection_rate"] == 0.75
    assert Ticket.get(pk, sk).status == "new"
