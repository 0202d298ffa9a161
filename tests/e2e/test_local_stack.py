"""The brief's scenario against the local stack over HTTP, across a restart."""
from __future__ import annotations

import time
import uuid

from tests.e2e.http import call


def wait_for(predicate, timeout=10.0, every=0.25):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value or time.time() > deadline:
            return value
        time.sleep(every)


def outbox(out) -> list[dict]:
    return call("GET", out["outbox_url"])[1]["messages"]


def test_budget_emails_and_data_survive_a_restart(stack_factory):
    stack = stack_factory()
    out = stack.start()
    api = out["api_url"]
    assert call("GET", f"{api}/health")[0] == 200
    for key in ("api_url", "dashboard_url", "aws_endpoint_url", "region", "user_pool_id", "user_pool_client_id",
                "bucket", "outbox_url", "demo_email", "demo_password"):
        assert out[key], key

    email, password = f"shopper-{uuid.uuid4().hex[:8]}@example.com", "Sup3r-secret-pw"
    assert call("POST", f"{api}/auth/sign-up", {"email": email, "password": password, "name": "Sam"})[0] == 201
    status, tokens, _ = call("POST", f"{api}/auth/sign-in", {"email": email, "password": password})
    assert status == 200
    token = tokens["id_token"]
    assert call("PUT", f"{api}/budgets/food", {"limit": "100"}, token)[0] == 200
    today = time.strftime("%Y-%m-%d", time.gmtime())
    ids = []
    for amount in ("50", "40", "20"):
        status, rec, _ = call("POST", f"{api}/expenses", {
            "kind": "expense", "amount": amount, "currency": "USD", "date": today, "category": "food",
            "payment_mode": "cash"}, token)
        assert status == 201
        ids.append(rec["id"])

    started = time.time()
    mails = wait_for(lambda: len([m for m in outbox(out) if m["to"] == email and m["status"] == "sent"]) >= 2)
    assert mails and time.time() - started < 10
    time.sleep(1.5)
    mine = [m for m in outbox(out) if m["to"] == email]
    assert sorted(m["threshold"] for m in mine) == ["100", "80"]
    assert all(m["subject"] and m["text"] and m["sent_at"] for m in mine)

    month = today[:7]
    year = int(today[:4])
    chart = wait_for(lambda: call("GET", f"{api}/insights/expenses?year={year}", token=token)[1]
                     ["months"][int(month[5:]) - 1]["by_category"].get("food") == "110.00")
    assert chart
    # the dashboard's origin, and only it, may call the API from a browser
    _, _, headers = call("GET", f"{api}/health", headers={"Origin": out["dashboard_url"].rstrip("/")})
    assert headers.get("Access-Control-Allow-Origin") == out["dashboard_url"].rstrip("/")

    assert stack.stop() == 0

    again = stack_factory(stack.state_dir)
    out2 = again.start()
    api2 = out2["api_url"]
    status, tokens, _ = call("POST", f"{api2}/auth/sign-in", {"email": email, "password": password})
    assert status == 200, tokens
    token = tokens["id_token"]
    status, page, _ = call("GET", f"{api2}/expenses?month={month}", token=token)
    assert status == 200 and sorted(i["id"] for i in page["items"]) == sorted(ids)
    _, budgets, _ = call("GET", f"{api2}/budgets?month={month}", token=token)
    assert budgets["items"][0]["spent"] == "110.00"
    # the demo user survives too
    assert call("POST", f"{api2}/auth/sign-in", {"email": out2["demo_email"], "password": out2["demo_password"]})[0] == 200
    time.sleep(3)
    mine = [m for m in outbox(out2) if m["to"] == email]
    assert sorted(m["threshold"] for m in mine) == ["100", "80"]
    _, budgets, _ = call("GET", f"{api2}/budgets?month={month}", token=token)
    assert budgets["items"][0]["spent"] == "110.00"
    assert again.stop() == 0


def test_demo_data_and_a_job_run_against_the_running_stack(local_stack):
    import subprocess
    import sys

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
    assert run("local.job", "no_such_job").returncode == 2
    api = local_stack["api_url"]
    _, tokens, _ = call("POST", f"{api}/auth/sign-in", {"email": local_stack["demo_email"],
                                                        "password": local_stack["demo_password"]})
    year = time.gmtime().tm_year
    doc = wait_for(lambda: (lambda d: d if any(m["spend"] != "0.00" for m in d["months"]) else None)(
        call("GET", f"{api}/insights/expenses?year={year}", token=tokens["id_token"])[1]), timeout=30)
    assert doc, "the demo year reached the charts"
