"""Texts against the running local stack: an order's texts through the outbox's sms channel reach moto's
SNS and are listed beside the emails on the local outbox (JSON and page); `make sms-in` (local.sms_in)
texts the stack through its two-way SMS topic: an inquiry lands with the shop, STOP opts the number out."""
from __future__ import annotations

import pathlib
import subprocess
import sys
import time
import uuid

from tests.e2e.http import call
from tests.e2e.test_local_stack import get_page, wait_for
from tests.e2e.test_shop_orders import _open_shop

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _outbox(out) -> dict:
    return call("GET", out["outbox_url"])[1]


def _sms_in(out, sender: str, text: str) -> None:
    done = subprocess.run([sys.executable, "-m", "local.sms_in", "--from", sender, "--text", text,
                           "--state-dir", out["state_dir"]], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_order_texts_in_the_local_outbox_and_texts_in_with_make_sms_in(local_stack):
    api = local_stack["api_url"]
    phone = f"+4479111{uuid.uuid4().int % 100000:05d}"
    token, oid, pid, loc, handle, _ = _open_shop(api, stock=3)
    status, order, _ = call("POST", f"{api}/shops/{handle}/orders", {
        "order_id": str(uuid.uuid4()), "fulfilment": "pickup", "location_id": loc, "email": "texter@example.com",
        "lines": [{"product_id": pid, "quantity": "1"}], "phone": phone, "sms_opt_in": True})
    assert status == 201, order

    def texts_to() -> list[dict]:
        return [m for m in _outbox(local_stack)["messages"] if m["channel"] == "sms" and m["to"] == phone]

    sent = wait_for(lambda: [m for m in texts_to() if m["status"] == "sent"], timeout=60)
    assert len(sent) == 1 and "Flash Shop" in sent[0]["text"], texts_to()
    sns = [t for t in _outbox(local_stack)["texts"] if t["to"] == phone]
    assert [t["message_id"] for t in sns] == [sent[0]["sms_message_id"]]
    assert any(m["channel"] == "email" and m["to"] == "texter@example.com" for m in _outbox(local_stack)["messages"])
    status, page, _ = get_page(local_stack["outbox_page"])
    assert status == 200 and f"SNS accepted it for {phone}" in page

    _sms_in(local_stack, phone, "Is it in blue too?")  # the shop texted this number last: its inquiry
    got = wait_for(lambda: call("GET", f"{api}/orgs/{oid}/shop/inquiries", None, token)[1]["items"], timeout=60)
    assert [(i["phone"], i["text"]) for i in got] == [(phone, "Is it in blue too?")]

    _sms_in(local_stack, phone, "STOP")
    time.sleep(3)  # the stack's SMS worker takes the topic's queue every second: let it see the STOP first
    status, moved, _ = call("POST", f"{api}/orgs/{oid}/shop/orders/{order['id']}/status",
                            {"status": "confirmed", "version": order["version"]}, token)
    assert status == 200, moved

    def skipped() -> list[dict]:
        return [m for m in texts_to() if m["status"] == "skipped"]

    assert wait_for(skipped, timeout=60) and skipped()[0]["last_error"] == "opted out", texts_to()
