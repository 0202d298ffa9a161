"""The local stack as `make run` starts it, over real HTTP: outputs, sign-in, records, budget
emails exactly once, and everything surviving a Ctrl-C and a restart with nothing processed twice."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime

import pytest

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
    assert set(out["stream_arns"]) == {"expenses", "inventory", "helpdesk", "outbox", "shop", "cars"}
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

    def run(*args):
        return subprocess.run([sys.executable, "-m", *args, "--state-dir", state], capture_output=True,
                              text=True, timeout=300, check=False)

    first = run("local.demo")
    assert first.returncode == 0, first.stderr
    assert "entries created" in first.stdout and not first.stdout.startswith("demo data: 0 ")
    again = run("local.demo")
    assert again.returncode == 0 and "demo data: 0 entries created" in again.stdout
    assert "stock movements recorded" in first.stdout and "demo shop 'Demo Deli': 0 stock movements" in again.stdout
    forecast = run("local.job", "forecast_demand")
    assert forecast.returncode == 0, forecast.stderr
    assert json.loads(forecast.stdout.strip().splitlines()[-1])["forecast"] >= 3, forecast.stdout
    job = run("local.job", "retry_outbox", "--now", "2030-01-01T00:00:00Z")
    assert job.returncode == 0, job.stderr
    assert '"due"' in job.stdout
    assert json.loads(job.stdout.strip().splitlines()[-1]) is not None
    assert run("local.job", "no_such_job").returncode == 2
    api = local_stack["api_url"]
    token = sign_in(api, local_stack["demo_email"], local_stack["demo_password"])
    year = time.gmtime().tm_year

    def charted():
        doc = call("GET", f"{api}/insights/expenses?year={year}", token=token)[1]
        return any(m["spend"] != "0.00" for m in doc["months"])

    assert wait_for(charted, timeout=30), "the demo year reached the charts"
    [shop] = [o for o in call("GET", f"{api}/orgs", token=token)[1]["items"] if o["name"] == "Demo Deli"]
    series = call("GET", f"{api}/orgs/{shop['org_id']}/forecasts", token=token)[1]["series"]
    assert {s["product"] for s in series if s["method"] != "none"} == {"Coffee beans 1kg", "Green tea 100g",
                                                                        "Dark chocolate"}
    coffee = next(s for s in series if s["product"] == "Coffee beans 1kg" and s["method"] != "none")
    assert coffee["method"].startswith("ets:") and float(coffee["forecast"][0]) > 0


# ------------------------------------------------ the stream worker's Lambda semantics, without a stack
class FakeStreams:
    """A dynamodbstreams client over a fixed list of records."""

    def __init__(self, n: int):
        self.records = [{"eventID": f"e{i}", "eventName": "INSERT", "dynamodb": {
            "SequenceNumber": str(100 + i), "Keys": {"pk": {"S": f"K{i}"}}, "StreamViewType": "NEW_AND_OLD_IMAGES",
            "ApproximateCreationDateTime": datetime(2026, 1, 1)}} for i in range(n)]

    def describe_stream(self, StreamArn):
        return {"StreamDescription": {"Shards": [{"ShardId": "s-1"}]}}

    def get_shard_iterator(self, StreamArn, ShardId, ShardIteratorType, SequenceNumber=None):
        return {"ShardIterator": "0" if ShardIteratorType == "TRIM_HORIZON" else str(int(SequenceNumber) - 99)}

    def get_records(self, ShardIterator, Limit):
        start = int(ShardIterator)
        return {"Records": self.records[start:start + Limit], "NextShardIterator": str(len(self.records))}


class FakeSession:
    def __init__(self, client):
        self._client = client

    def client(self, name):
        return self._client


def run_worker(tmp_path, handler, n=6, batch_size=4, checkpoints=None):
    from local import workers

    w = workers.StreamWorker("fn", handler, "arn:stream", batch_size, FakeSession(FakeStreams(n)), "us-east-1",
                             tmp_path / "dead-letters.jsonl", checkpoints)
    for _ in range(100):
        if not w.step() and not w.pending:
            break
    return w


@pytest.fixture(autouse=False)
def no_backoff(monkeypatch):
    from local import workers

    monkeypatch.setattr(workers.time, "sleep", lambda s: None)


def test_stream_worker_redelivers_from_the_lowest_failed_record_and_dead_letters_after_three_tries(
        tmp_path, no_backoff):
    seen: list[str] = []

    def handler(event, context):
        assert context.function_name == "fn" and context.get_remaining_time_in_millis() > 0
        r0 = event["Records"][0]
        assert r0["eventSource"] == "aws:dynamodb" and r0["eventVersion"] == "1.1"
        assert isinstance(r0["dynamodb"]["ApproximateCreationDateTime"], (int, float))
        seen.extend(r["dynamodb"]["SequenceNumber"] for r in event["Records"])
        return {"batchItemFailures": [{"itemIdentifier": "102"}] if "102" in [
            r["dynamodb"]["SequenceNumber"] for r in event["Records"]] else []}

    from local.state import Checkpoints

    cp = Checkpoints(tmp_path, ["arn:stream"])
    w = run_worker(tmp_path, handler, checkpoints=cp)
    assert seen.count("100") == 1 and seen.count("101") == 1  # checkpointed before the failure
    assert seen.count("102") == 3  # bounded retries
    # redelivery starts at the failed record and carries the ones after it, as Lambda's does
    assert seen[:4] == ["100", "101", "102", "103"] and seen[4:8] == ["102", "103", "104", "105"]
    assert seen[-3:] == ["103", "104", "105"]  # after the dead letter, once more and done
    dead = [json.loads(line) for line in (tmp_path / "dead-letters.jsonl").read_text().splitlines()]
    assert [d["record"]["dynamodb"]["SequenceNumber"] for d in dead] == ["102"]
    assert w.last_seq == 105 and json.loads((tmp_path / "checkpoints.json").read_text()) == {"arn:stream": "105"}
    # a restart on the same stream resumes after the checkpoint: nothing is delivered twice
    again: list[str] = []
    run_worker(tmp_path, lambda e, c: again.extend(r["eventID"] for r in e["Records"]),
               checkpoints=Checkpoints(tmp_path, ["arn:stream"]))
    assert again == []


def test_stream_worker_bisects_a_batch_that_raises_until_the_poison_record_is_alone(tmp_path, no_backoff):
    calls: list[list[str]] = []

    def handler(event, context):
        ids = [r["eventID"] for r in event["Records"]]
        calls.append(ids)
        if "e2" in ids:
            raise RuntimeError("poison")

    w = run_worker(tmp_path, handler, n=6, batch_size=4)
    dead = [json.loads(line) for line in (tmp_path / "dead-letters.jsonl").read_text().splitlines()]
    assert [d["record"]["eventID"] for d in dead] == ["e2"] and "poison" in dead[0]["error"]
    handled = [i for ids in calls if "e2" not in ids for i in ids]
    assert sorted(handled) == ["e0", "e1", "e3", "e4", "e5"]  # every other record once
    assert w.last_seq == 105


def test_a_kill_9_loses_at_most_the_last_seconds_and_never_half_a_change(stack_factory):
    stack = stack_factory()
    out = stack.start()
    api = out["api_url"]
    token = sign_in(api, out["demo_email"], out["demo_password"])
    today = time.strftime("%Y-%m-%d", time.gmtime())
    month = today[:7]
    assert call("PUT", f"{api}/budgets/food", {"limit": "100.00"}, token)[0] == 200

    def spend(api, token, amount):
        status, rec, _ = call("POST", f"{api}/expenses", {
            "kind": "expense", "amount": amount, "currency": "USD", "date": today, "category": "food",
            "payment_mode": "cash"}, token)
        assert status == 201, rec

    spend(api, token, "50.00")
    spend(api, token, "40.00")
    assert wait_for(lambda: len(mails_to(out, out["demo_email"])) == 1)
    time.sleep(3)  # the stack snapshots within ~1 s of going quiet (--snapshot-every 1)
    spend(api, token, "20.00")
    stack.kill()

    again = stack_factory(stack.state_dir)
    out2 = again.start()
    token = sign_in(out2["api_url"], out2["demo_email"], out2["demo_password"])
    time.sleep(2)
    spent = food_spent(out2["api_url"], token, month)
    thresholds = sorted(m["threshold"] for m in mails_to(out2, out2["demo_email"]))
    # the last change is there with its reactions, or gone with them: never half, never twice
    assert (spent, thresholds) in (("90.00", ["80"]), ("110.00", ["100", "80"]))
    status, page, _ = call("GET", f"{out2['api_url']}/expenses?month={month}", token=token)
    assert status == 200 and len(page["items"]) == (2 if spent == "90.00" else 3)
    assert again.stop() == 0
