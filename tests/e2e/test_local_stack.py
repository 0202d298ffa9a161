"""The local stack as `make run` starts it, over real HTTP: outputs, sign-in, records, budget
emails exactly once, and everything surviving a Ctrl-C and a restart with nothing processed twice."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
import uuid

from tests.e2e.http import call

OUTPUT_KEYS = ("api_url", "dashboard_url", "aws_endpoint_url", "region", "user_pool_id", "user_pool_client_id",
               "bucket", "outbox_url", "demo_email", "demo_password", "state_dir", "tables", "stream_arns")


def wait_for(predicate, timeout=10.0, every=0.25):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value or time.time() > deadline:
            return value
        time.sleep(every)


def outbox(out) -> list[dict]:
    status, body, _ = call("GET", out["outbox_url"])
    assert status == 200, body
    return body["messages"]


def mails_to(out, email: str) -> list[dict]:
    return [m for m in outbox(out) if m["to"] == email]


def get_page(url: str) -> tuple[int, str, dict]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.read().decode(), dict(r.headers)


def sign_in(api: str, email: str, password: str) -> str:
    status, tokens, _ = call("POST", f"{api}/auth/sign-in", {"email": email, "password": password})
    assert status == 200, tokens
    assert tokens["id_token"] and tokens["access_token"] and tokens["refresh_token"]
    return tokens["id_token"]


def food_spent(api: str, token: str, month: str) -> str:
    status, budgets, _ = call("GET", f"{api}/budgets?month={month}", token=token)
    assert status == 200, budgets
    return next(b["spent"] for b in budgets["items"] if b["category"] == "food")


def test_budget_emails_and_data_survive_a_restart_and_nothing_is_processed_twice(stack_factory):
    stack = stack_factory()
    out = stack.start()
    api = out["api_url"]
    for key in OUTPUT_KEYS:
        assert out[key], key
    assert set(out["stream_arns"]) == {"expenses", "outbox"}
    status, health, _ = call("GET", f"{api}/health")
    assert (status, health) == (200, {"status": "ok"})
    sign_in(api, out["demo_email"], out["demo_password"])

    email, password = f"shopper-{uuid.uuid4().hex[:8]}@example.com", "Sup3r-secret-pw"
    assert call("POST", f"{api}/auth/sign-up", {"email": email, "password": password, "name": "Sam"})[0] == 201
    token = sign_in(api, email, password)
    assert call("PUT", f"{api}/budgets/food", {"limit": "100.00"}, token)[0] == 200
    today = time.strftime("%Y-%m-%d", time.gmtime())
    month = today[:7]
    ids = []
    for amount in ("50.00", "40.00", "20.00"):
        status, rec, _ = call("POST", f"{api}/expenses", {
            "kind": "expense", "amount": amount, "currency": "USD", "date": today, "category": "food",
            "payment_mode": "cash"}, token)
        assert status == 201, rec
        assert rec["id"] and rec["version"]
        status, got, _ = call("GET", f"{api}/expenses/{rec['id']}", token=token)
        assert status == 200 and got["amount"] == amount and got["category"] == "food"
        ids.append(rec["id"])

    started = time.time()
    assert wait_for(lambda: len([m for m in mails_to(out, email) if m["status"] == "sent"]) >= 2, timeout=10)
    assert time.time() - started < 10
    time.sleep(1.5)  # a third email would have shown up by now
    mine = mails_to(out, email)
    assert sorted(m["threshold"] for m in mine) == ["100", "80"]
    assert all(m["status"] == "sent" and m["subject"] and m["text"] and m["sent_at"] for m in mine)
    assert wait_for(lambda: food_spent(api, token, month) == "110.00")
    status, page, headers = get_page(out["outbox_url"].replace("outbox.json", "outbox"))
    assert status == 200 and "Local outbox" in page and "<script" not in page and email in page
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    # the dashboard's origin, and only it, may call the API from a browser
    _, _, headers = call("GET", f"{api}/health", headers={"Origin": out["dashboard_url"].rstrip("/")})
    assert headers.get("Access-Control-Allow-Origin") == out["dashboard_url"].rstrip("/")

    assert stack.stop() == 0
    assert not (stack.state_dir / "outputs.json").exists()
    # what people typed as passwords never reaches the disk (the snapshot keeps salted hashes)
    for path in stack.state_dir.iterdir():
        if path.is_file() and path.suffix == ".json":
            assert password not in path.read_text(), path

    again = stack_factory(stack.state_dir)
    out2 = again.start()
    api2 = out2["api_url"]
    assert (out2["user_pool_id"], out2["user_pool_client_id"]) == (out["user_pool_id"], out["user_pool_client_id"])
    sign_in(api2, out2["demo_email"], out2["demo_password"])
    assert out2["demo_password"] == out["demo_password"]
    token = sign_in(api2, email, password)
    status, page, _ = call("GET", f"{api2}/expenses?month={month}", token=token)
    assert status == 200 and sorted(i["id"] for i in page["items"]) == sorted(ids)
    status, got, _ = call("GET", f"{api2}/expenses/{ids[0]}", token=token)
    assert status == 200 and got["amount"] == "50.00"
    assert food_spent(api2, token, month) == "110.00"
    time.sleep(3)  # give the workers time to (wrongly) reprocess anything
    mine = mails_to(out2, email)
    assert sorted(m["threshold"] for m in mine) == ["100", "80"]
    assert all(m["status"] == "sent" for m in mine)
    assert food_spent(api2, token, month) == "110.00"
    assert not (stack.state_dir / "dead-letters.jsonl").exists()

    # the stack keeps reacting after a restore: a new entry is counted once, and no email follows
    status, rec, _ = call("POST", f"{api2}/expenses", {
        "kind": "expense", "amount": "5.00", "currency": "USD", "date": today, "category": "food",
        "payment_mode": "cash"}, token)
    assert status == 201, rec
    assert wait_for(lambda: food_spent(api2, token, month) == "115.00")
    time.sleep(1)
    assert len(mails_to(out2, email)) == 2
    assert again.stop() == 0


def test_dashboard_site_config_and_security_headers(local_stack):
    status, config, headers = call("GET", local_stack["dashboard_url"] + "config.json")
    assert status == 200
    assert config == {"api_url": local_stack["api_url"], "region": local_stack["region"]}
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and f"connect-src 'self' {local_stack['api_url']}" in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    status, page, headers = get_page(local_stack["dashboard_url"])
    assert status == 200 and "<html" in page.lower() and headers["X-Frame-Options"] == "DENY"


def test_demo_data_and_a_job_run_against_the_running_stack(local_stack):
    state = local_stack["state_dir"]
    run = lambda *a: subprocess.run([sys.executable, "-m", *a, "--state-dir", state], capture_output=True,  # noqa: E731
                                    text=True, timeout=300)
    first = run("local.demo")
    assert first.returncode == 0, first.stderr
    assert "entries created" in first.stdout and not first.stdout.startswith("demo data: 0 ")
    again = run("local.demo")
    assert again.returncode == 0 and "demo data: 0 entries created" in again.stdout
    job = run("local.job", "retry_outbox", "--now", "2030-01-01T00:00:00Z")
    assert job.returncode == 0, job.stderr
    assert '"due"' in job.stdout
    assert json.loads(job.stdout.strip().splitlines()[-1]) is not None
    assert run("local.job", "no_such_job").returncode == 2
    api = local_stack["api_url"]
    token = sign_in(api, local_stack["demo_email"], local_stack["demo_password"])
    year = time.gmtime().tm_year
    doc = wait_for(lambda: (lambda d: d if any(m["spend"] != "0.00" for m in d["months"]) else None)(
        call("GET", f"{api}/insights/expenses?year={year}", token=token)[1]), timeout=30)
    assert doc, "the demo year reached the charts"
