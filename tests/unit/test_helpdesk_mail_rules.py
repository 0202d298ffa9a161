"""Inbound email, ticket links, reopening and ratings: the pure rules (issue 11 items 1, 4, 6, 7)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.errors import Conflict, InvalidInput, NotFound
from chalicelib.helpdesk.rules.links import (
    LinkExpired,
    check_rating,
    issue,
    read,
    reply_outcome,
    verify,
    with_links,
)
from chalicelib.helpdesk.rules.mail import clean_subject, desk_handle_of, is_automatic, parse, reference_keys

ORG, TICKET = str(uuid.uuid4()), str(uuid.uuid4())
KEY = "a" * 64
NOW = 1_800_000_000


def eml(body: str, **headers: str) -> bytes:
    h = {"From": "Carol Customer <Carol@Example.com>", "To": "alerts+x@tally.example.com", "Subject": "Re: Help",
         "Message-ID": "<m1@mail.example.com>", **headers}
    return ("".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in h.items()) + "\r\n" + body).encode()


# ------------------------------------------------------------------ parsing
def test_a_reply_keeps_only_its_new_text_and_the_addresses_it_was_sent_to():
    raw = eml("Thanks, the refund arrived.\r\n\r\nOn Mon, Nov 30, 2026 at 10:00 AM Acme Support "
              "<alerts@tally.example.com> wrote:\r\n> Hello Carol,\r\n> We refunded the second charge.\r\n",
              To="Acme <alerts+T.tok@tally.example.com>", Cc="boss@example.com")
    mail = parse(raw)
    assert mail.text == "Thanks, the refund arrived."
    assert mail.sender == "carol@example.com" and mail.sender_name == "Carol Customer"
    assert mail.recipients == ("alerts+t.tok@tally.example.com", "boss@example.com")
    assert mail.subject == "Help" and mail.message_id == "m1@mail.example.com" and not mail.automatic


def test_a_german_reply_header_is_recognised_too():
    raw = eml("Danke!\r\n\r\nAm 30.11.2026 um 10:00 schrieb Acme Support <alerts@tally.example.com>:\r\n> Hallo\r\n")
    assert parse(raw).text == "Danke!"


def test_an_html_only_email_becomes_its_text_without_tags_or_scripts():
    raw = eml("<html><body><p>It still <b>fails</b> &amp; crashes</p><script>alert(1)</script></body></html>",
              Content_Type="text/html; charset=utf-8")
    assert parse(raw).text == "It still fails & crashes"


def test_in_reply_to_comes_first_then_references_newest_first():
    raw = eml("x", In_Reply_To="<c@x>", References="<a@x> <b@x> <c@x>")
    assert parse(raw).references == ("c@x", "b@x", "a@x")


def test_a_subject_loses_reply_prefixes_and_anything_html_like():
    assert clean_subject("RE: Fwd: AW: <b>Broken</b>\x07 invoice") == "bBroken/b invoice"
    assert clean_subject("   ") == "(no subject)"
    assert len(clean_subject("x" * 500)) == 200


@pytest.mark.parametrize("headers, ctype, sender", [
    ({"Auto-Submitted": "auto-replied"}, "text/plain", "a@b.c"),
    ({"Auto-Submitted": "auto-generated"}, "text/plain", "a@b.c"),
    ({"Precedence": "bulk"}, "text/plain", "a@b.c"),
    ({"Precedence": "junk"}, "text/plain", "a@b.c"),
    ({"Precedence": "auto_reply"}, "text/plain", "a@b.c"),
    ({"X-Autoreply": "yes"}, "text/plain", "a@b.c"),
    ({"X-Autorespond": "yes"}, "text/plain", "a@b.c"),
    ({}, "multipart/report", "a@b.c"),  # a delivery status notification (bounce)
    ({}, "text/plain", "MAILER-DAEMON@b.c".lower()),
    ({}, "text/plain", ""),
])
def test_robots_are_recognised(headers, ctype, sender):
    assert is_automatic(headers, ctype, sender)


def test_a_person_is_not_a_robot():
    assert not is_automatic({"Auto-Submitted": "no", "Precedence": "normal"}, "text/plain", "carol@example.com")
    assert not is_automatic({}, "multipart/alternative", "carol@example.com")


def test_an_out_of_office_email_is_automatic_when_parsed():
    assert parse(eml("I am away", Auto_Submitted="auto-replied")).automatic
    bounce = eml("--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed\r\n--b--\r\n",
                 From="MAILER-DAEMON@example.com", Content_Type='multipart/report; report-type=delivery-status; boundary="b"')
    assert parse(bounce).automatic


def test_outbound_message_ids_map_to_their_refs():
    assert reference_keys("0100018c-aaaa-bbbb-000000@email.amazonses.com") == ["ses:0100018c-aaaa-bbbb-000000"]
    assert reference_keys("0100018c@eu-west-1.amazonses.com") == ["ses:0100018c"]
    assert reference_keys("173295.123.456.0123456789abcdef@tally") == ["out:0123456789abcdef"]
    assert reference_keys("CAF=abc@mail.gmail.com") == []


def test_a_desk_address_names_its_handle_only_on_the_desk_mailbox():
    assert desk_handle_of("alerts+acme-1@tally.example.com", "alerts@tally.example.com") == "acme-1"
    assert desk_handle_of("alerts+acme-1@other.example.com", "alerts@tally.example.com") is None
    assert desk_handle_of("alerts@tally.example.com", "alerts@tally.example.com") is None
    assert desk_handle_of("bob+acme-1@tally.example.com", "alerts@tally.example.com") is None


# ------------------------------------------------------------------ ticket links
def test_a_link_verifies_under_its_key_for_its_purpose_until_it_expires():
    token = issue(KEY, ORG, TICKET, "thread", 0, NOW + 60)
    claim = read(token)
    assert (claim.org_id, claim.ticket_id, claim.purpose) == (ORG, TICKET, "thread")
    verify(claim, KEY, NOW, "thread")
    with pytest.raises(LinkExpired) as e:
        verify(claim, KEY, NOW + 60, "thread")
    assert (e.value.status, e.value.field) == (410, "token")
    with pytest.raises(NotFound):
        verify(claim, KEY, NOW, "rating")  # a thread link rates nothing
    with pytest.raises(NotFound):
        verify(claim, "b" * 64, NOW, "thread")  # the key was replaced: revoked
    with pytest.raises(NotFound):
        verify(claim, None, NOW, "thread")


@given(st.integers(min_value=0, max_value=len(issue(KEY, ORG, TICKET, "rating", 3, NOW)) - 1))
def test_any_changed_character_breaks_a_link(i):
    token = issue(KEY, ORG, TICKET, "rating", 3, NOW + 60)
    changed = token[:i] + ("1" if token[i] != "1" else "2") + token[i + 1:]
    with pytest.raises((InvalidInput, NotFound)) as e:
        verify(read(changed), KEY, NOW, "rating")
    assert e.value.field == "token"


def test_a_later_expiry_cannot_be_written_into_a_link():
    token = issue(KEY, ORG, TICKET, "thread", 0, NOW + 60)
    forged = token.replace(f".{NOW + 60}.", f".{NOW + 10**6}.")
    with pytest.raises(NotFound):
        verify(read(forged), KEY, NOW + 120, "thread")


def test_a_token_of_the_wrong_shape_is_a_400_naming_it():
    with pytest.raises(InvalidInput) as e:
        read("v1.not-a-link")
    assert e.value.field == "token"


def test_links_in_an_email_are_escaped_in_html():
    subject, text, html = with_links(("S", "Hi\n", "<p>Hi</p>"), [("Good", "https://x/a?score=good&b=<1>")])
    assert text.endswith("Good: https://x/a?score=good&b=<1>\n")
    assert 'href="https://x/a?score=good&amp;b=&lt;1&gt;"' in html


# ------------------------------------------------------------------ reopening and ratings
SOLVED = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize("status, after, outcome", [
    ("new", None, "append"), ("open", None, "append"), ("pending", None, "append"),
    ("solved", timedelta(days=6, hours=23), "reopen"),
    ("solved", timedelta(days=7), "follow_up"),
    ("closed", timedelta(days=1), "follow_up"),
])
def test_a_customer_reply_appends_reopens_or_follows_up(status, after, outcome):
    now = SOLVED + (after or timedelta(0))
    assert reply_outcome(status, "2026-11-20T10:00:00.000000Z", now) == outcome


def test_a_rating_is_for_the_latest_solve_until_the_ticket_closes():
    check_rating("solved", 2, 2)
    with pytest.raises(Conflict) as e:
        check_rating("solved", 2, 1)  # reopened and solved again: the first solve's link is stale
    assert e.value.field == "token"
    with pytest.raises(Conflict) as e:
        check_rating("open", 1, 1)
    assert e.value.field == "token"
    with pytest.raises(Conflict) as e:
        check_rating("closed", 1, 1)
    assert e.value.field == "status"


def test_what_ses_scanned_as_spam_or_a_virus_is_suspect():
    assert parse(eml("Win!", X_SES_Spam_Verdict="FAIL", X_SES_Virus_Verdict="PASS")).suspect
    assert parse(eml("Bad", X_SES_Virus_Verdict="FAIL")).suspect
    assert not parse(eml("Hi", X_SES_Spam_Verdict="PASS", X_SES_Virus_Verdict="PASS")).suspect


# ------------------------------------------------------------------ files of received emails
def test_an_emails_files_are_its_attachment_parts_not_its_text():
    from email.message import EmailMessage

    from chalicelib.helpdesk.rules.mail import parse

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.com", "support@tally.example.com", "Receipt"
    msg.set_content("See the files.")
    msg.add_alternative("<p>See the files.</p>", subtype="html")
    msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="octet-stream", filename="receipt.pdf")
    msg.add_attachment(b"\x89PNG", maintype="image", subtype="png", filename='a/b"<c>.png')
    mail = parse(msg.as_bytes())
    assert mail.text == "See the files."
    assert [(f.filename, f.content_type, f.data) for f in mail.files] == [
        ("receipt.pdf", "application/octet-stream", b"%PDF-1.4"), ('a/b"<c>.png', "image/png", b"\x89PNG")]


def test_a_received_emails_files_are_kept_by_a_web_uploads_limits_and_the_rest_named():
    from chalicelib.helpdesk.rules.attachments import MailFile, safe_filename, sort_mail_files, with_refusals

    files = [MailFile("receipt.pdf", "application/octet-stream", b"%PDF"), MailFile("x.exe", "application/octet-stream", b"MZ"),
             MailFile("empty.txt", "text/plain", b""), MailFile("big.png", "image/png", b"0" * (10 * 1024 * 1024 + 1))]
    files += [MailFile(f"{i}.csv", "text/csv", b"a,b") for i in range(5)]
    kept, refused = sort_mail_files(files)
    assert [(f.filename, t) for f, t in kept] == [("receipt.pdf", "application/pdf")] + [(f"{i}.csv", "text/csv") for i in range(4)]
    assert [(r.filename, r.reason) for r in refused] == [
        ("x.exe", "the type application/octet-stream is not taken"), ("empty.txt", "empty"),
        ("big.png", "larger than 10 MiB"), ("4.csv", "more than 5 files")]
    assert with_refusals("Hi", []) == "Hi"
    assert with_refusals("Hi", refused[:1]).startswith("Hi\n\n[Not attached: x.exe (the type")
    assert safe_filename('a/b"<c>.png', "image/png") == "a_b__c_.png"
    assert safe_filename("  ", "application/pdf") == "attachment.pdf" and len(safe_filename("x" * 300, "text/plain")) == 120
