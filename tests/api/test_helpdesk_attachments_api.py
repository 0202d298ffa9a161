"""Attachments (issue 11 item 2): the browser uploads to the bucket with a presigned POST whose policy pins
the key and the type and bounds the size; a message lists the files its sender uploaded to that ticket;
readers get short-lived presigned GETs; the API never carries the bytes. Bad input is a 4xx naming the
field and writes nothing."""
from __future__ import annotations

import base64
import json
import uuid

import pytest
import requests

from tests.desks import DeskWorld, make_desk
from tests.mocked import Caller

PDF = b"%PDF-1.4 a receipt"


@pytest.fixture
def desk(client, alice, bob) -> DeskWorld:
    return make_desk(client, alice, bob)


def _error(resp) -> tuple[int, str | None]:
    status, body = resp
    return status, (body or {}).get("error", {}).get("field")


def _ticket(desk: DeskWorld) -> dict:
    status, t = desk.file()
    assert status == 201, t
    return t


def _assignee(desk: DeskWorld, t: dict) -> Caller:
    return desk.lead if t["assignee"] == desk.lead.sub else desk.agent


def _upload(grant: dict, data: bytes, content_type: str | None = None) -> int:
    """POST the file to the presigned form, as a browser does (moto answers for S3)."""
    fields = dict(grant["fields"])
    if content_type:
        fields["Content-Type"] = content_type
    return requests.post(grant["url"], data=fields, files={"file": ("f", data)}, timeout=30).status_code


def _grant(who: Caller, path: str, **fields) -> dict:
    body = {"filename": "receipt.pdf", "content_type": "application/pdf", "size": len(PDF), **fields}
    status, out = who.post(path, body)
    assert status == 201, out
    return out


def test_a_customer_attaches_a_file_to_a_reply_and_both_sides_read_it_through_a_presigned_get(desk):
    t = _ticket(desk)
    base = f"/desks/{desk.handle}/tickets/{t['id']}"
    grant = _grant(desk.customer, f"{base}/attachments", filename="Beleg März.pdf")
    assert grant["fields"]["Content-Type"] == "application/pdf" and grant["max_bytes"] == 10 * 1024 * 1024
    assert grant["fields"]["key"] == f"pending/attachments/helpdesk/{desk.oid}/{t['id']}/{grant['attachment_id']}.pdf"
    # the policy S3 enforces: this key, this type, 1 byte to 10 MiB
    policy = json.loads(base64.b64decode(grant["fields"]["policy"]))
    assert {"Content-Type": "application/pdf"} in policy["conditions"]
    assert ["content-length-range", 1, 10 * 1024 * 1024] in policy["conditions"]
    assert {"key": grant["fields"]["key"]} in policy["conditions"]
    assert _upload(grant, PDF) in (200, 201, 204)
    status, m = desk.customer.put(f"{base}/messages/{uuid.uuid4()}", {"body": "The receipt.",
                                                                       "attachments": [grant["attachment_id"]]})
    assert status == 201, m
    [f] = m["attachments"]
    assert (f["id"], f["filename"], f["content_type"], f["size"]) == (grant["attachment_id"], "Beleg März.pdf",
                                                                      "application/pdf", len(PDF))
    assert "X-Amz-Signature" in f["url"] and f["expires_in"] > 0
    got = requests.get(f["url"], timeout=30)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["Content-Disposition"].startswith("attachment;")
    agent = _assignee(desk, t)
    staff_view = agent.get(f"/orgs/{desk.oid}/tickets/{t['id']}")[1]
    assert [a["filename"] for a in staff_view["messages"][0]["attachments"]] == ["Beleg März.pdf"]
    assert requests.get(staff_view["messages"][0]["attachments"][0]["url"], timeout=30).content == PDF


def test_an_agents_note_attachment_is_never_shown_to_the_customer(desk):
    t = _ticket(desk)
    agent = _assignee(desk, t)
    o = f"/orgs/{desk.oid}/tickets/{t['id']}"
    note_file = _grant(agent, f"{o}/attachments", filename="internal.txt", content_type="text/plain", size=5)
    reply_file = _grant(agent, f"{o}/attachments", filename="label.png", content_type="image/png", size=4)
    assert _upload(note_file, b"notes") in (200, 201, 204) and _upload(reply_file, b"\x89PNG") in (200, 201, 204)
    assert agent.put(f"{o}/messages/{uuid.uuid4()}", {"kind": "note", "body": "see file",
                                                      "attachments": [note_file["attachment_id"]]})[0] == 201
    assert agent.put(f"{o}/messages/{uuid.uuid4()}", {"kind": "reply", "body": "Your return label.",
                                                      "attachments": [reply_file["attachment_id"]]})[0] == 201
    seen = desk.customer.get(f"/desks/{desk.handle}/tickets/{t['id']}")[1]
    assert [[a["filename"] for a in m["attachments"]] for m in seen["messages"]] == [["label.png"]]
    assert "internal.txt" not in json.dumps(seen)
    staff = agent.get(o)[1]
    assert sorted(a["filename"] for m in staff["messages"] for a in m["attachments"]) == ["internal.txt", "label.png"]


def test_an_upload_grant_refuses_oversized_files_other_types_and_unsafe_names(desk):
    t = _ticket(desk)
    path = f"/desks/{desk.handle}/tickets/{t['id']}/attachments"
    ok = {"filename": "a.pdf", "content_type": "application/pdf", "size": 10}
    assert _error(desk.customer.post(path, {**ok, "size": 10 * 1024 * 1024 + 1})) == (400, "size")
    assert _error(desk.customer.post(path, {**ok, "size": 0})) == (400, "size")
    assert _error(desk.customer.post(path, {**ok, "content_type": "text/html"})) == (400, "content_type")
    assert _error(desk.customer.post(path, {**ok, "content_type": "application/x-msdownload"})) == (400, "content_type")
    assert _error(desk.customer.post(path, {**ok, "filename": "../../etc/passwd"})) == (400, "filename")
    assert _error(desk.customer.post(path, {**ok, "filename": "<img src=x>.pdf"})) == (400, "filename")
    assert _error(desk.customer.post(path, {**ok, "filename": "x" * 121})) == (400, "filename")
    assert _error(desk.customer.post(path, {**ok, "extra": 1})) == (400, "extra")


def test_a_message_takes_only_its_senders_uploads_to_that_ticket_once_they_are_in_the_bucket(desk):
    from chalicelib.core.aws import client
    from chalicelib.core.settings import get_settings

    t, other = _ticket(desk), _ticket(desk)
    base = f"/desks/{desk.handle}/tickets/{t['id']}"
    reply = lambda ids: desk.customer.put(f"{base}/messages/{uuid.uuid4()}", {"body": "see", "attachments": ids})  # noqa: E731
    # made up, another ticket's, another person's: 404 naming attachments
    assert _error(reply([str(uuid.uuid4())])) == (404, "attachments")
    elsewhere = _grant(desk.customer, f"/desks/{desk.handle}/tickets/{other['id']}/attachments")
    assert _upload(elsewhere, PDF) in (200, 201, 204)
    assert _error(reply([elsewhere["attachment_id"]])) == (404, "attachments")
    agents = _grant(_assignee(desk, t), f"/orgs/{desk.oid}/tickets/{t['id']}/attachments")
    assert _upload(agents, PDF) in (200, 201, 204)
    assert _error(reply([agents["attachment_id"]])) == (404, "attachments")
    # granted but not uploaded yet: 409
    pending = _grant(desk.customer, f"{base}/attachments")
    assert _error(reply([pending["attachment_id"]])) == (409, "attachments")
    # an object put at the key another way, of another type or too large: 400
    s3, bucket = client("s3"), get_settings().bucket
    s3.put_object(Bucket=bucket, Key=pending["fields"]["key"], Body=b"<html>", ContentType="text/html")
    assert _error(reply([pending["attachment_id"]])) == (400, "attachments")
    big = _grant(desk.customer, f"{base}/attachments")
    s3.put_object(Bucket=bucket, Key=big["fields"]["key"], Body=b"0" * (10 * 1024 * 1024 + 1),
                  ContentType="application/pdf")
    assert _error(reply([big["attachment_id"]])) == (400, "attachments")
    # malformed lists: 400
    assert _error(reply(["not-a-uuid"])) == (400, "attachments.0")
    good = _grant(desk.customer, f"{base}/attachments")
    assert _upload(good, PDF) in (200, 201, 204)
    assert _error(reply([good["attachment_id"]] * 2)) == (400, "attachments")
    assert _error(reply([str(uuid.uuid4()) for _ in range(6)])) == (400, "attachments")
    # nothing was written by any of them
    assert desk.customer.get(base)[1]["messages"] == []
    assert reply([good["attachment_id"]])[0] == 201


def test_the_holder_of_a_ticket_link_attaches_a_file_and_a_forged_link_is_refused(desk, client):
    t = _ticket(desk)
    agent = _assignee(desk, t)
    token = agent.post(f"/orgs/{desk.oid}/tickets/{t['id']}/links")[1]["token"]
    anon = Caller(client, None, "")
    grant = _grant(anon, f"/ticket-links/{token}/attachments", filename="photo.jpg", content_type="image/jpeg", size=3)
    assert _upload(grant, b"\xff\xd8\xff") in (200, 201, 204)
    status, m = anon.put(f"/ticket-links/{token}/messages/{uuid.uuid4()}", {"body": "photo", "attachments": [
        grant["attachment_id"]]})
    assert status == 201 and [a["filename"] for a in m["attachments"]] == ["photo.jpg"]
    assert [a["filename"] for a in anon.get(f"/ticket-links/{token}")[1]["messages"][0]["attachments"]] == ["photo.jpg"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    body = {"filename": "a.pdf", "content_type": "application/pdf", "size": 3}
    assert _error(anon.post(f"/ticket-links/{forged}/attachments", body)) == (404, "token")
    assert _error(anon.post("/ticket-links/nonsense/attachments", body)) == (400, "token")


# ------------------------------------------------------------------ the portal's rating (issue 11 items 7, 10)
def test_a_signed_in_customer_rates_the_solve_in_the_portal_once_changeable_until_closed(desk):
    t = _ticket(desk)
    path = f"/desks/{desk.handle}/tickets/{t['id']}/rating"
    assert _error(desk.customer.post(path, {"score": "good"})) == (409, "status")  # not solved yet
    agent = _assignee(desk, t)
    o = f"/orgs/{desk.oid}/tickets/{t['id']}"
    assert agent.post(f"{o}/status", {"status": "solved", "version": 1})[0] == 200
    assert _error(desk.customer.post(path, {"score": "meh"})) == (400, "score")
    status, out = desk.customer.post(path, {"score": "bad"})
    assert status == 200 and (out["score"], out["solve"]) == ("bad", 1)
    status, out = desk.customer.post(path, {"score": "good", "comment": "Fixed after all."})
    assert status == 200 and out["comment"] == "Fixed after all."
    seen = desk.customer.get(f"/desks/{desk.handle}/tickets/{t['id']}")[1]
    assert seen["rating"] == "good"
    v = agent.get(o)[1]["version"]
    assert agent.post(f"{o}/status", {"status": "closed", "version": v})[0] == 200
    assert _error(desk.customer.post(path, {"score": "bad"})) == (409, "status")
    assert agent.get(o)[1]["rating"] == "good"


def test_the_new_request_form_uploads_under_its_ticket_id_first_and_files_the_ticket_with_them(desk, client):
    from tests.mocked import sign_up

    tid = str(uuid.uuid4())
    path = f"/desks/{desk.handle}/tickets/{tid}"
    grant = _grant(desk.customer, f"{path}/attachments", filename="photo.png", content_type="image/png", size=4)
    assert grant["fields"]["key"] == f"pending/attachments/helpdesk/{desk.oid}/{tid}/{grant['attachment_id']}.png"
    body = {"category": "billing", "subject": "Charged twice", "description": "See the photo.",
            "attachments": [grant["attachment_id"]]}
    # not uploaded yet: 409 and no ticket; a stranger cannot list the upload as theirs (404), nothing written
    assert _error(desk.customer.put(path, body)) == (409, "attachments")
    assert _upload(grant, b"\x89PNG") in (200, 201, 204)
    stranger = sign_up(client, "stranger")
    assert _error(stranger.put(path, body)) == (404, "attachments")
    assert desk.customer.get(path)[0] == 404
    status, t = desk.customer.put(path, body)
    assert status == 201, t
    [f] = t["attachments"]
    assert (f["filename"], f["content_type"], f["size"]) == ("photo.png", "image/png", 4)
    assert requests.get(f["url"], timeout=30).content == b"\x89PNG"
    assert desk.customer.put(path, body)[0] == 200  # the same body again: the stored ticket
    assert _error(desk.customer.put(path, {**body, "attachments": []})) == (409, "ticket_id")
    staff = _assignee(desk, t).get(f"/orgs/{desk.oid}/tickets/{tid}")[1]
    assert [a["filename"] for a in staff["attachments"]] == ["photo.png"]
    # once filed, only its customer may upload to it
    assert _error(stranger.post(f"{path}/attachments", {"filename": "a.pdf", "content_type": "application/pdf",
                                                        "size": 3})) == (404, "ticket_id")
    # six files: 400 naming attachments (the same limit as a reply)
    six = {**body, "attachments": [str(uuid.uuid4()) for _ in range(6)]}
    assert _error(desk.customer.put(f"/desks/{desk.handle}/tickets/{uuid.uuid4()}", six)) == (400, "attachments")


def test_a_web_reply_to_a_closed_ticket_opens_a_follow_up_with_the_replys_files(desk):
    t = _ticket(desk)
    agent = _assignee(desk, t)
    for status in ("solved", "closed"):
        v = agent.get(f"/orgs/{desk.oid}/tickets/{t['id']}")[1]["version"]
        assert agent.post(f"/orgs/{desk.oid}/tickets/{t['id']}/status", {"status": status, "version": v})[0] == 200
    base = f"/desks/{desk.handle}/tickets/{t['id']}"
    grant = _grant(desk.customer, f"{base}/attachments")
    assert _upload(grant, PDF) in (200, 201, 204)
    status, m = desk.customer.put(f"{base}/messages/{uuid.uuid4()}", {"body": "Again.",
                                                                      "attachments": [grant["attachment_id"]]})
    assert status == 201 and m["ticket_id"] != t["id"], m
    assert [a["filename"] for a in m["attachments"]] == ["receipt.pdf"]
    follow = desk.customer.get(f"/desks/{desk.handle}/tickets/{m['ticket_id']}")[1]
    assert [a["filename"] for a in follow["attachments"]] == ["receipt.pdf"]
    assert requests.get(follow["attachments"][0]["url"], timeout=30).content == PDF


def test_a_merged_duplicate_brings_its_requests_and_replies_files_to_the_target(desk):
    tid = str(uuid.uuid4())
    path = f"/desks/{desk.handle}/tickets/{tid}"
    first = _grant(desk.customer, f"{path}/attachments")
    assert _upload(first, PDF) in (200, 201, 204)
    assert desk.file(tid=tid, attachments=[first["attachment_id"]])[0] == 201
    second = _grant(desk.customer, f"{path}/attachments", filename="photo.png", content_type="image/png", size=4)
    assert _upload(second, b"\x89PNG") in (200, 201, 204)
    assert desk.customer.put(f"{path}/messages/{uuid.uuid4()}", {"body": "And a photo.",
                                                                 "attachments": [second["attachment_id"]]})[0] == 201
    target = _ticket(desk)
    v = desk.owner.get(f"/orgs/{desk.oid}/tickets/{tid}")[1]["version"]
    status, out = desk.owner.post(f"/orgs/{desk.oid}/tickets/{tid}/merge", {"into": target["id"], "version": v})
    assert status == 200, out
    merged = desk.owner.get(f"/orgs/{desk.oid}/tickets/{target['id']}")[1]["messages"]
    assert sorted(a["filename"] for m in merged for a in m["attachments"]) == ["photo.png", "receipt.pdf"]
