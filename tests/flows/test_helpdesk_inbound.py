"""Email both ways (issue 11 item 4), ticket links (item 1), reopening (item 6) and ratings (item 7),
through the app's own functions: a reply stored by SES receiving lands in its ticket; a bad token or a
stranger opens a new ticket; robots are dropped; the same stored email twice appends once."""
from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import datetime, timedelta, timezone

import boto3

from chalicelib.core import clock
from local.mail_worker import s3_event
from tests.desks import DeskWorld, make_desk
from tests.mocked import Caller, sent_emails
from tests.support import StreamReader

DAY = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)


def desk_mails(recipient: str) -> list[dict]:
    return sorted((m for m in sent_emails() if m["alert_type"] == "helpdesk" and m["recipient"] == recipient),
                  key=lambda m: m["created_at"])


def deliver(client, raw: bytes, key: str | None = None) -> dict:
    """Store an email as SES receiving does and send the bucket's notification to the app's function."""
    from chalicelib.core.settings import get_settings

    bucket = get_settings().bucket
    key = key or "inbound/" + hashlib.sha256(raw).hexdigest()
    boto3.client("s3", region_name="us-east-1").put_object(Bucket=bucket, Key=key, Body=raw)
    return client.lambda_.invoke("on_inbound_mail", s3_event(bucket, key, len(raw), "e", "us-east-1")).payload


def eml(sender: str, to: str, body: str, subject: str = "Re: Charged twice", **headers: str) -> bytes:
    h = {"From": f"Someone <{sender}>", "To": to, "Subject": subject,
         "Message-ID": f"<{uuid.uuid4()}@mail.example.com>", **{k.replace("_", "-"): v for k, v in headers.items()}}
    quoted = "\r\n\r\nOn Fri, Nov 20, 2026 at 10:00 AM Acme Support <alerts@tally.example.com> wrote:\r\n> Hello\r\n"
    return ("".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n" + body + quoted).encode()


def filed(desk: DeskWorld, pump) -> tuple[dict, str]:
    """A ticket filed on the web, its emails sent; and its reply address from the received email."""
    status, t = desk.file()
    assert status == 201, t
    pump.run()
    return t, desk_mails(desk.customer.email)[0]["reply_to"]


def thread(desk: DeskWorld, tid: str) -> dict:
    status, t = desk.owner.get(f"/orgs/{desk.oid}/tickets/{tid}")
    assert status == 200, t
    return t


def tickets_of(desk: DeskWorld) -> list[dict]:
    return desk.owner.get(f"/orgs/{desk.oid}/tickets")[1]["items"]


def set_status(desk: DeskWorld, tid: str, status: str) -> dict:
    v = thread(desk, tid)["version"]
    code, out = desk.owner.post(f"/orgs/{desk.oid}/tickets/{tid}/status", {"status": status, "version": v})
    assert code == 200, out
    return out


# ------------------------------------------------------------------ inbound email
def test_a_reply_to_the_ticket_address_lands_in_the_same_ticket_once(client, alice, bob, pump):
    desk = make_desk(client, alice, bob)
    t, address = filed(desk, pump)
    raw = eml(desk.customer.email, address, "Here is the receipt you asked for.")
    assert deliver(client, raw)["results"] == [{"result": "appended", "ticket_id": t["id"], "reason": "address"}]
    assert deliver(client, raw)["results"][0]["result"] == "appended"  # the same stored email again
    replies = [m for m in thread(desk, t["id"])["messages"] if m["author_role"] == "customer"]
    assert [m["body"] for m in replies] == ["Here is the receipt you asked for."]  # the quote stripped, once
    assert len(tickets_of(desk)) == 1
    pump.run()
    assert [m["rule"] for m in desk_mails(desk.customer.email)] == ["ticket:received"]  # their own reply: no email


def test_a_bad_token_or_a_stranger_opens_a_new_ticket_never_touching_the_customers(client, alice, bob, pump):
    desk = make_desk(client, alice, bob)
    t, address = filed(desk, pump)
    local, _, domain = address.partition("@")
    forged = local[:-4] + ("0000" if not local.endswith("0000") else "1111") + "@" + domain
    out = deliver(client, eml(desk.customer.email, forged, "Let me in"))["results"][0]
    assert (out["result"], out["reason"]) == ("filed", "bad token") and out["ticket_id"] != t["id"]
    stranger = deliver(client, eml("mallory@evil.example", address, "Close this please"))["results"][0]
    assert (stranger["result"], stranger["reason"]) == ("filed", "unknown sender")
    mine = thread(desk, t["id"])
    assert [m for m in mine["messages"] if m["author_role"] == "customer"] == []
    new = thread(desk, stranger["ticket_id"])
    assert new["subject"] == "Charged twice" and new["description"] == "Close this please"
    assert new["customer_name"] == "Someone" and new["assignee"] in (desk.lead.sub, desk.agent.sub)
    pump.run()
    # the stranger hears of their own new ticket, at their own address and with its own token
    received = desk_mails("mallory@evil.example")
    assert [m["rule"] for m in received] == ["ticket:received"] and received[0]["reply_to"] != address


def test_robots_are_dropped_so_two_cannot_loop(client, alice, bob, pump):
    desk = make_desk(client, alice, bob)
    t, address = filed(desk, pump)
    out_of_office = eml(desk.customer.email, address, "I am away until Monday.", Auto_Submitted="auto-replied")
    bulk = eml(desk.customer.email, address, "Newsletter", Precedence="bulk")
    ours = eml("alerts@tally.example.com", address, "Our own email back")
    for raw in (out_of_office, bulk, ours):
        assert deliver(client, raw)["results"][0]["result"] == "dropped"
    # a stranger whose address no mailer can send to files nothing (a new ticket would mail them)
    unsendable = deliver(client, eml("nobody@localhost", address, "hi"))["results"][0]
    assert (unsendable["result"], unsendable["reason"]) == ("dropped", "unknown sender: the sender's address cannot be emailed")
    assert len(tickets_of(desk)) == 1
    assert thread(desk, t["id"])["version"] == 1


def test_a_reply_without_the_address_is_matched_by_the_message_id_ses_gave(client, alice, bob, pump):
    desk = make_desk(client, alice, bob)
    t, _address = filed(desk, pump)
    mail_sent = StreamReader_outbox_all(client)
    received = desk_mails(desk.customer.email)[0]
    ses_id = received["ses_message_id"]
    raw = eml(desk.customer.email, "alerts@tally.example.com", "Replying from my phone",
              In_Reply_To=f"<{ses_id}@email.amazonses.com>")
    assert mail_sent  # the outbox stream's help desk reader recorded it
    out = deliver(client, raw)["results"][0]
    assert (out["result"], out["ticket_id"], out["reason"]) == ("appended", t["id"], "references")


def StreamReader_outbox_all(client) -> bool:  # noqa: N802 - reads the whole outbox stream once
    from chalicelib.core.settings import get_settings
    from tests.support import event

    records = StreamReader(get_settings().outbox_table).records()
    return client.lambda_.invoke("on_helpdesk_mail_sent", event(records)).payload == {"batchItemFailures": []}


def test_an_email_to_a_desk_address_files_an_email_only_ticket_with_a_link_to_read_and_answer(client, alice, bob, pump):
    desk = make_desk(client, alice, bob)
    out = deliver(client, eml("dave@example.org", f"alerts+{desk.handle}@tally.example.com", "My order never came.",
                              subject="Where is my order?"))["results"][0]
    assert out["result"] == "filed"
    pump.run()
    mail = desk_mails("dave@example.org")[0]
    link = next(line for line in mail["text"].splitlines() if line.startswith("Read and answer"))
    token = link.rsplit("/", 1)[1]
    anon = Caller(client, None, "")
    status, seen = anon.get(f"/ticket-links/{token}")
    assert status == 200 and seen["subject"] == "Where is my order?" and seen["id"] == out["ticket_id"]
    status, reply = anon.put(f"/ticket-links/{token}/messages/{uuid.uuid4()}", {"body": "Order 1234."})
    assert status == 201 and reply["ticket_id"] == out["ticket_id"]
    assert [m["body"] for m in thread(desk, out["ticket_id"])["messages"]] == ["Order 1234."]
    # an agent's internal note is never in what the link shows
    agent = desk.lead if thread(desk, out["ticket_id"])["assignee"] == desk.lead.sub else desk.agent
    assert agent.put(f"/orgs/{desk.oid}/tickets/{out['ticket_id']}/messages/{uuid.uuid4()}",
                     {"kind": "note", "body": "VIP"})[0] == 201
    assert [m["body"] for m in anon.get(f"/ticket-links/{token}")[1]["messages"]] == ["Order 1234."]


# ------------------------------------------------------------------ ticket links
def test_a_ticket_an_agent_files_for_a_caller_mails_them_a_link_and_takes_their_emailed_reply(client, alice, bob, pump):
    """A customer who phoned has no account: the received email links to the thread, the link answers,
    and a reply to the ticket's address lands in it as theirs; web customers' emails carry no link."""
    desk = make_desk(client, alice, bob)
    tid = str(uuid.uuid4())
    status, t = desk.agent.put(f"/orgs/{desk.oid}/tickets/{tid}", {
        "customer_email": "Erin@Example.org", "customer_name": "Erin", "category": "billing", "channel": "phone",
        "subject": "Refund not received", "description": "Phoned: the refund of 12 March has not arrived."})
    assert status == 201, t
    pump.run()
    [mail] = desk_mails("erin@example.org")
    assert mail["rule"] == "ticket:received" and "Erin" in mail["text"]
    token = next(line for line in mail["text"].splitlines() if line.startswith("Read and answer")).rsplit("/", 1)[1]
    anon = Caller(client, None, "")
    status, seen = anon.get(f"/ticket-links/{token}")
    assert (status, seen["id"], seen["subject"]) == (200, tid, "Refund not received")
    raw = eml("erin@example.org", mail["reply_to"], "The bank reference is RF-1182.")
    assert deliver(client, raw)["results"] == [{"result": "appended", "ticket_id": tid, "reason": "address"}]
    replies = [m for m in thread(desk, tid)["messages"] if m["author_role"] == "customer"]
    assert [(m["body"], m["author_name"]) for m in replies] == [("The bank reference is RF-1182.", "Erin")]
    # a customer with an account: their received email has no link (they sign in)
    _web, _address = filed(desk, pump)
    assert not any(line.startswith("Read and answer") for line in desk_mails(desk.customer.email)[0]["text"].splitlines())


def test_a_forged_revoked_or_expired_link_is_refused_naming_the_token(client, alice, bob, pump):
    clock.set_now(DAY)
    desk = make_desk(client, alice, bob)
    t, _ = filed(desk, pump)
    status, link = desk.owner.post(f"/orgs/{desk.oid}/tickets/{t['id']}/links")
    assert status == 201, link
    anon = Caller(client, None, "")
    assert anon.get(f"/ticket-links/{link['token']}")[0] == 200
    forged = link["token"][:-3] + ("AAA" if not link["token"].endswith("AAA") else "BBB")
    for bad, code in ((forged, 404), ("v1.nope", 400)):
        status, err = anon.get(f"/ticket-links/{bad}")
        assert (status, err["error"]["field"]) == (code, "token")
    status, err = anon.put(f"/ticket-links/{forged}/messages/{uuid.uuid4()}", {"body": "hi"})
    assert (status, err["error"]["field"]) == (404, "token")
    assert thread(desk, t["id"])["messages"] == []  # nothing written
    clock.set_now(DAY + timedelta(days=31))
    status, err = anon.get(f"/ticket-links/{link['token']}")
    assert (status, err["error"]["field"]) == (410, "token")
    clock.set_now(DAY)
    assert desk.outsider.post(f"/orgs/{desk.oid}/tickets/{t['id']}/links")[0] == 404
    assert desk.customer.post(f"/orgs/{desk.oid}/tickets/{t['id']}/links")[0] == 404
    assert desk.tech.post(f"/orgs/{desk.oid}/tickets/{t['id']}/links")[1]["error"]["field"] == "ticket_id"  # other team
    assert desk.idle.post(f"/orgs/{desk.oid}/tickets/{t['id']}/links")[1]["error"]["field"] == "role"
    assert desk.tech.post(f"/orgs/{desk.oid}/tickets/{t['id']}/links/revoke")[0] == 404
    assert anon.post(f"/orgs/{desk.oid}/tickets/{t['id']}/links")[0] == 401
    status, fresh = desk.owner.post(f"/orgs/{desk.oid}/tickets/{t['id']}/links/revoke")
    assert status == 200
    assert anon.get(f"/ticket-links/{link['token']}")[0] == 404  # revoked
    assert anon.get(f"/ticket-links/{fresh['token']}")[0] == 200


# ------------------------------------------------------------------ reopening and follow-ups
def test_a_reply_within_a_week_of_the_solve_reopens_and_keeps_the_first_times(client, alice, bob, pump):
    clock.set_now(DAY)
    desk = make_desk(client, alice, bob)
    t, address = filed(desk, pump)
    agent = desk.lead if t["assignee"] == desk.lead.sub else desk.agent
    assert agent.put(f"/orgs/{desk.oid}/tickets/{t['id']}/messages/{uuid.uuid4()}",
                     {"kind": "reply", "body": "Refunded."})[0] == 201
    set_status(desk, t["id"], "solved")
    from chalicelib.helpdesk.models import Ticket, ticket_key

    first = Ticket.get(*ticket_key(desk.oid, t["id"]))
    clock.set_now(DAY + timedelta(days=2))
    assert deliver(client, eml(desk.customer.email, address, "Still charged twice!"))["results"][0]["result"] == "appended"
    now = thread(desk, t["id"])
    assert (now["status"], now["reopen_count"]) == ("open", 1)
    clock.set_now(DAY + timedelta(days=3))
    agent.put(f"/orgs/{desk.oid}/tickets/{t['id']}/messages/{uuid.uuid4()}", {"kind": "reply", "body": "Again."})
    set_status(desk, t["id"], "solved")
    after = Ticket.get(*ticket_key(desk.oid, t["id"]))
    assert after.first_response_at == first.first_response_at and after.first_solved_at == first.solved_at
    assert after.solved_at > first.solved_at and int(after.solve_count) == 2 and int(after.reopen_count) == 1


def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up_once(client, alice, bob, pump):
    clock.set_now(DAY)
    desk = make_desk(client, alice, bob)
    t, address = filed(desk, pump)
    set_status(desk, t["id"], "solved")
    set_status(desk, t["id"], "closed")
    raw = eml(desk.customer.email, address, "It happened again this month.")
    out = deliver(client, raw)["results"][0]
    assert out["result"] == "appended" and out["ticket_id"] != t["id"]
    assert deliver(client, raw)["results"][0]["ticket_id"] == out["ticket_id"]  # replayed: the same follow-up
    follow = thread(desk, out["ticket_id"])
    assert follow["follow_up_of"] == t["id"] and follow["subject"] == "Follow-up: Charged twice"
    assert follow["description"] == "It happened again this month." and follow["status"] == "new"
    old = thread(desk, t["id"])
    assert old["status"] == "closed" and old["follow_ups"] == [out["ticket_id"]] and old["reopen_count"] == 0
    assert len(tickets_of(desk)) == 2


def test_a_web_reply_eight_days_after_the_solve_opens_a_follow_up(client, alice, bob, pump):
    clock.set_now(DAY)
    desk = make_desk(client, alice, bob)
    t, _ = filed(desk, pump)
    set_status(desk, t["id"], "solved")
    clock.set_now(DAY + timedelta(days=8))  # the close job has not run yet
    status, reply = desk.customer.put(f"/desks/{desk.handle}/tickets/{t['id']}/messages/{uuid.uuid4()}",
                                      {"body": "Back again"})
    assert status == 201 and reply["ticket_id"] != t["id"]
    assert thread(desk, t["id"])["status"] == "solved"


# ------------------------------------------------------------------ satisfaction
def test_the_solved_email_rates_once_per_solve_changeable_until_closed(client, alice, bob, pump):
    clock.set_now(DAY)
    desk = make_desk(client, alice, bob)
    t, _ = filed(desk, pump)
    set_status(desk, t["id"], "solved")
    pump.run()
    solved = next(m for m in desk_mails(desk.customer.email) if m["rule"] == "ticket:solved")
    urls = [line.split(": ", 1)[1] for line in solved["text"].splitlines() if line.startswith(("Good", "Bad"))]
    assert len(urls) == 2 and urls[0].endswith("score=good") and urls[1].endswith("score=bad")
    path = urls[0].split("/ticket-links/", 1)[1].split("?")[0]  # <token>/rating
    anon = Caller(client, None, "")
    resp = client.http.get(f"/ticket-links/{path}?score=good")
    assert resp.status_code == 200 and thread(desk, t["id"])["rating"] is None  # opening stores nothing itself
    page = resp.body.decode() if isinstance(resp.body, bytes) else resp.body
    script = page.split("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = resp.headers["Content-Security-Policy"]
    assert f"script-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp  # only that script runs
    assert 'data-score="good"' in page and "fetch(f.action" in script
    assert client.http.get(f"/ticket-links/{path}?score=meh").status_code == 400
    assert anon.post(f"/ticket-links/{path}", {"score": "good"})[1]["score"] == "good"
    status, out = anon.post(f"/ticket-links/{path}", {"score": "bad", "comment": "Took a week."})
    assert status == 200 and (out["score"], out["comment"], out["solve"]) == ("bad", "Took a week.", 1)
    from chalicelib.helpdesk.models import Ticket, ticket_key

    stored = Ticket.get(*ticket_key(desk.oid, t["id"]))
    assert (stored.rating, stored.rating_comment, int(stored.rating_solve)) == ("bad", "Took a week.", 1)
    assert thread(desk, t["id"])["rating"] == "bad"
    status, err = anon.post(f"/ticket-links/{path}", {"score": "great"})
    assert (status, err["error"]["field"]) == (400, "score")
    set_status(desk, t["id"], "closed")
    status, err = anon.post(f"/ticket-links/{path}", {"score": "good"})
    assert (status, err["error"]["field"]) == (409, "status")
    assert Ticket.get(*ticket_key(desk.oid, t["id"])).rating == "bad"


def test_a_rating_link_of_an_earlier_solve_cannot_rate_the_next(client, alice, bob, pump):
    clock.set_now(DAY)
    desk = make_desk(client, alice, bob)
    t, _ = filed(desk, pump)
    set_status(desk, t["id"], "solved")
    pump.run()
    solved = next(m for m in desk_mails(desk.customer.email) if m["rule"] == "ticket:solved")
    path = solved["text"].split("/ticket-links/", 1)[1].split("?")[0]
    set_status(desk, t["id"], "open")
    set_status(desk, t["id"], "solved")
    anon = Caller(client, None, "")
    status, err = anon.post(f"/ticket-links/{path}", {"score": "good"})
    assert (status, err["error"]["field"]) == (409, "token")


# ------------------------------------------------------------------ the local stack's stand-in for S3's notification
def test_the_local_mail_worker_hands_each_stored_email_to_the_same_function_once(client, alice, bob, pump, chalice_app):
    from chalicelib.core.settings import get_settings
    from local.mail_worker import MailWorker

    desk = make_desk(client, alice, bob)
    t, address = filed(desk, pump)
    s3 = boto3.client("s3", region_name="us-east-1")
    raw = eml(desk.customer.email, address, "Dropped in with make mail-in.")
    s3.put_object(Bucket=get_settings().bucket, Key="inbound/" + hashlib.sha256(raw).hexdigest(), Body=raw)
    s3.put_object(Bucket=get_settings().bucket, Key="charts/not-mail.json", Body=b"{}")  # another prefix: not mail
    worker = MailWorker(chalice_app.handler_map["on_inbound_mail"], s3, get_settings().bucket, "us-east-1")
    assert worker.sweep() == 1
    assert worker.sweep() == 0
    assert worker.results[0]["results"][0] == {"result": "appended", "ticket_id": t["id"], "reason": "address"}
    assert [m["body"] for m in thread(desk, t["id"])["messages"]] == ["Dropped in with make mail-in."]
    # a restarted worker hands the object over again: the message is still there once
    assert MailWorker(chalice_app.handler_map["on_inbound_mail"], s3, get_settings().bucket, "us-east-1").sweep() == 1
    assert len(thread(desk, t["id"])["messages"]) == 1


# ------------------------------------------------------------------ files of received emails
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def eml_with_files(sender: str, to: str, body: str, files: list[tuple[str, str, bytes]],
                   subject: str = "Re: Charged twice") -> bytes:
    """A multipart email as a mail client sends it: the text, then each (name, type, bytes) as an attachment."""
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = f"Someone <{sender}>", to, subject
    msg["Message-ID"] = f"<{uuid.uuid4()}@mail.example.com>"
    msg.set_content(body)
    for name, content_type, data in files:
        maintype, _, subtype = content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def _bytes_of(url: str) -> bytes:
    import requests

    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Disposition"].startswith("attachment")  # a download, never shown inline
    return resp.content


def test_an_emailed_reply_keeps_its_files_within_the_limits_and_notes_the_rest_once(client, alice, bob, pump):
    from chalicelib.helpdesk.rules.attachments import MAX_ATTACHMENT_BYTES

    desk = make_desk(client, alice, bob)
    t, address = filed(desk, pump)
    big = b"%PDF-1.4 " + b"x" * MAX_ATTACHMENT_BYTES  # one byte over 10 MiB
    files = [("receipt.pdf", "application/octet-stream", b"%PDF-1.4 receipt"),  # typed by its name
             ("screen.png", "image/png", PNG), ("run.exe", "application/x-msdownload", b"MZ..."),
             ("scan.pdf", "application/pdf", big)] + [(f"log{i}.txt", "text/plain", b"line %d" % i) for i in range(4)]
    raw = eml_with_files(desk.customer.email, address, "Both receipts attached.", files)
    assert deliver(client, raw)["results"][0] == {"result": "appended", "ticket_id": t["id"], "reason": "address"}
    assert deliver(client, raw)["results"][0]["result"] == "appended"  # the same stored email again
    for who in (desk.owner, desk.customer):
        path = f"/orgs/{desk.oid}/tickets/{t['id']}" if who is desk.owner else f"/desks/{desk.handle}/tickets/{t['id']}"
        replies = [m for m in who.get(path)[1]["messages"] if m["author_role"] == "customer"]
        assert len(replies) == 1, replies
        kept = replies[0]["attachments"]
        assert [(f["filename"], f["content_type"]) for f in kept] == [
            ("receipt.pdf", "application/pdf"), ("screen.png", "image/png"), ("log0.txt", "text/plain"),
            ("log1.txt", "text/plain"), ("log2.txt", "text/plain")]  # five at most
        assert _bytes_of(kept[1]["url"]) == PNG and kept[1]["size"] == len(PNG)
        body = replies[0]["body"]
        assert body.startswith("Both receipts attached.") and "[Not attached: run.exe (the type" in body
        assert "scan.pdf (larger than 10 MiB)" in body and "log3.txt (more than 5 files)" in body
    # stored under the ticket's attachment keys of the private bucket (the API never serves them)
    key = f"attachments/helpdesk/{desk.oid}/{t['id']}/{kept[0]['id']}.pdf"
    assert kept[0]["url"].split("?")[0].endswith(key)
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.settings import get_settings
    head = aws_client("s3").head_object(Bucket=get_settings().bucket, Key=key)
    assert head["ServerSideEncryption"] == "AES256"  # encrypted at rest, as everything the app writes


def test_an_emailed_new_request_and_a_follow_up_of_a_closed_ticket_keep_their_files(client, alice, bob, pump):
    clock.set_now(DAY)
    desk = make_desk(client, alice, bob)
    out = deliver(client, eml_with_files("dave@example.org", f"alerts+{desk.handle}@tally.example.com",
                                         "The photo of the damage.", [("damage.png", "image/png", PNG)],
                                         subject="Broken on arrival"))["results"][0]
    assert out["result"] == "filed"
    new = thread(desk, out["ticket_id"])
    assert new["description"] == "The photo of the damage." and [f["filename"] for f in new["attachments"]] == ["damage.png"]
    assert _bytes_of(new["attachments"][0]["url"]) == PNG
    # a reply (by email) to a closed ticket opens a follow-up that keeps the reply's files
    t, address = filed(desk, pump)
    set_status(desk, t["id"], "solved")
    set_status(desk, t["id"], "closed")
    res = deliver(client, eml_with_files(desk.customer.email, address, "Again, see the scan.",
                                         [("scan.pdf", "application/pdf", b"%PDF-1.4 scan")]))["results"][0]
    follow = thread(desk, res["ticket_id"])
    assert follow["follow_up_of"] == t["id"] and [f["filename"] for f in follow["attachments"]] == ["scan.pdf"]
    assert _bytes_of(follow["attachments"][0]["url"]) == b"%PDF-1.4 scan"
