"""`make mail-in` against the running local stack: a reply written to a ticket's email lands in the
same ticket (the stack's mail worker hands the stored email to the app's inbound function)."""
from __future__ import annotations

import pathlib
import subprocess
import sys
import uuid

from tests.e2e.http import call
from tests.e2e.test_helpdesk_concurrency import _person
from tests.e2e.test_local_stack import mails_to, wait_for

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _desk_and_customer(api: str, name: str, prefix: str) -> tuple[str, str, str]:
    """An organisation with one agent in one team behind a desk's `help` category, and a signed-up
    customer: the desk's handle, the customer's token and email."""
    _, owner, _ = _person(api, "owner")
    oid = call("POST", f"{api}/orgs", {"name": name}, owner)[1]["org_id"]
    agent_sub, _, _ = _person(api, "agent")
    assert call("PUT", f"{api}/orgs/{oid}/members/{agent_sub}", {"role": "staff"}, owner)[0] == 200
    team = str(uuid.uuid4())
    assert call("PUT", f"{api}/orgs/{oid}/teams/{team}", {"name": "All", "agents": [agent_sub]}, owner)[0] == 201
    handle = f"{prefix}-{uuid.uuid4().hex[:8]}"
    assert call("PUT", f"{api}/orgs/{oid}/desk", {"handle": handle, "name": name, "categories": [
        {"slug": "help", "name": "Help", "team_id": team}]}, owner)[0] == 201
    _, customer, email = _person(api, "cust")
    return handle, customer, email


def test_a_reply_dropped_with_make_mail_in_lands_in_the_same_ticket(local_stack, tmp_path):
    api = local_stack["api_url"]
    handle, customer, email = _desk_and_customer(api, "Mail Desk", "mail")
    tid = str(uuid.uuid4())
    assert call("PUT", f"{api}/desks/{handle}/tickets/{tid}", {"category": "help", "subject": "Broken lamp",
                                                             "description": "It flickers."}, customer)[0] == 201
    received = wait_for(lambda: [m for m in mails_to(local_stack, email) if m.get("reply_to")], timeout=60)
    assert received, mails_to(local_stack, email)
    eml = tmp_path / "reply.eml"
    eml.write_bytes((f"From: Cust <{email}>\r\nTo: {received[0]['reply_to']}\r\nSubject: Re: Broken lamp\r\n"
                     f"Message-ID: <{uuid.uuid4()}@mail.example.com>\r\n\r\nIt still flickers after the new bulb.\r\n"
                     "\r\nOn Mon, Nov 30, 2026 at 10:00 AM Mail Desk <alerts@tally.example.com> wrote:\r\n"
                     "> We received your request\r\n").encode())
    done = subprocess.run([sys.executable, "-m", "local.mail_in", str(eml), "--state-dir", local_stack["state_dir"]],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"s3://{local_stack['bucket']}/inbound/")

    def replies() -> list[dict]:
        thread = call("GET", f"{api}/desks/{handle}/tickets/{tid}", None, customer)[1]
        return [m for m in thread["messages"] if m["author_role"] == "customer"]

    got = wait_for(replies, timeout=60)
    assert [m["body"] for m in got] == ["It still flickers after the new bulb."]
    # the same file again is the same stored email: nothing more is appended
    assert subprocess.run([sys.executable, "-m", "local.mail_in", str(eml), "--state-dir", local_stack["state_dir"]],
                          cwd=ROOT, capture_output=True, text=True, timeout=120).returncode == 0
    assert not wait_for(lambda: len(replies()) > 1, timeout=5)


def test_the_local_outbox_reply_button_answers_as_the_customer_into_the_same_ticket(local_stack):
    """The outbox page (make run's mail viewer) shows a Reply form on each email that takes replies; sending
    it stores the customer's answer (quoted history below it) where SES receiving would, and the same
    inbound handler appends it to the ticket."""
    import urllib.error
    import urllib.parse
    import urllib.request

    api, site = local_stack["api_url"], local_stack["dashboard_url"]
    handle, customer, email = _desk_and_customer(api, "Reply Desk", "reply")
    tid = str(uuid.uuid4())
    assert call("PUT", f"{api}/desks/{handle}/tickets/{tid}", {"category": "help", "subject": "Torn tent",
                                                             "description": "A seam split."}, customer)[0] == 201
    received = wait_for(lambda: [m for m in call("GET", f"{site}outbox.json")[1]["messages"]
                                 if m["to"] == email and m.get("reply_to")], timeout=60)
    assert received
    page = urllib.request.urlopen(f"{site}outbox", timeout=30).read().decode()
    assert "action=/outbox/reply" in page and received[0]["id"] in page

    def post(fields: dict) -> int:
        req = urllib.request.Request(f"{site}outbox/reply", data=urllib.parse.urlencode(fields).encode(),
                                     method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:  # follows the 303 back to the page
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    assert post({"id": received[0]["id"], "body": "  "}) == 400  # an empty reply is refused
    assert post({"id": received[0]["id"], "body": "Here is a photo of the seam."}) == 200

    def replies() -> list[dict]:
        thread = call("GET", f"{api}/desks/{handle}/tickets/{tid}", None, customer)[1]
        return [m for m in thread["messages"] if m["author_role"] == "customer"]

    got = wait_for(replies, timeout=60)
    assert [m["body"] for m in got] == ["Here is a photo of the seam."]  # the quoted history stripped
