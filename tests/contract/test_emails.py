"""Every address that is stored or mailed is checked by email-validator first (deliverability off):
what no mailer can send to is a 400 naming the field, and nothing is stored."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.cognitoidp.utils import validate_username_format

from chalicelib.core.models import OutboxMessage
from chalicelib.core.schemas import EMAIL_PATTERN
from tests.mocked import Caller, alice, aws, aws_mock, chalice_app, client  # noqa: F401 (fixtures)

UNSENDABLE = ["a,b@example.com", "c]d@example.com", "\"a\u001cb@example.com\"", "a\u001cb@example.com",
              "\ud800@example.com", "nobody@localhost", "x@y", "two@@example.com", "l8jo@w.test", "a@b.LOCAL",
              "`wq@k1m.dev", "a..b@example.com"]


@pytest.mark.parametrize("address", UNSENDABLE)
def test_an_unsendable_invitation_is_refused_before_anything_is_stored(client, alice, address):
    oid = alice.post("/orgs", {"name": "Corner Shop"})[1]["org_id"]
    status, body = alice.post(f"/orgs/{oid}/invitations", {"email": address, "role": "staff"})
    assert status == 400 and body["error"]["field"] == "email", body
    assert alice.get(f"/orgs/{oid}/invitations")[1]["items"] == []
    assert [m for m in OutboxMessage.by_scope.query(f"ORG#{oid}") if m.alert_type == "invite"] == []


@pytest.mark.parametrize("address", UNSENDABLE)
def test_an_unsendable_address_cannot_sign_up(client, address):
    status, body = Caller(client, None, "").post("/auth/sign-up", {"email": address, "password": "Passw0rd!long"})
    assert status == 400 and body["error"]["field"] == "email", body


@pytest.mark.parametrize("plural", ["suppliers", "customers"])
def test_supplier_and_customer_addresses_are_checked_and_normalised(client, alice, plural):
    oid = alice.post("/orgs", {"name": "Corner Shop"})[1]["org_id"]
    extra = {"lead_time_days": 3} if plural == "suppliers" else {}
    status, body = alice.post(f"/orgs/{oid}/{plural}", {"name": "Acme", "email": "c]d@example.com", **extra})
    assert status == 400 and body["error"]["field"] == "email", body
    status, item = alice.post(f"/orgs/{oid}/{plural}", {"name": "Acme", "email": " Sales@EXAMPLE.com ", **extra})
    assert status == 201 and item["email"] == "sales@example.com", item
    assert [i["email"] for i in alice.get(f"/orgs/{oid}/{plural}")[1]["items"]] == ["sales@example.com"]


@settings(max_examples=300, deadline=None)
@given(st.from_regex(EMAIL_PATTERN, fullmatch=True))
def test_every_address_the_document_allows_is_accepted_by_email_validator_and_cognito(address):
    from email_validator import validate_email

    assert validate_email(address, check_deliverability=False).normalized.lower() == address.lower()
    assert validate_username_format(address, "email")  # the check Cognito (moto) makes of a username


def test_checking_an_address_imports_no_dns_so_the_asset_can_leave_dnspython_out() -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom chalicelib.core.schemas import SignUpIn\n"
            "SignUpIn.model_validate({'email': 'Someone@Example.com', 'password': 'long enough'})\n"
            "assert 'email_validator' in sys.modules\n"
            "assert not any(m == 'dns' or m.startswith('dns.') for m in sys.modules), 'dns imported'\n")
    import pathlib

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=pathlib.Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
