"""The contract pass runs against the local stack over real HTTP, started by the e2e fixture, with a
world of real records (an organisation and one of each thing in it) whose ids the fuzzer can use."""
from __future__ import annotations

import os
import pathlib
import threading
import time
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack, local_stack, stack_factory  # noqa: F401 (the e2e fixtures, reused)
from tests.e2e.http import call

PASSWORD = "contract-Pass-1"


def _ok(result: tuple, *expected: int) -> Any:
    status, body, _headers = result
    assert status in expected, (status, body)
    return body


def _user(api: str, email: str, name: str) -> tuple[str, str]:
    """Sign up and sign in: (sub, Bearer ID token)."""
    sub = _ok(call("POST", f"{api}/auth/sign-up", {"email": email, "password": PASSWORD, "name": name}), 201)["sub"]
    token = _ok(call("POST", f"{api}/auth/sign-in", {"email": email, "password": PASSWORD}), 200)["id_token"]
    return sub, token


@pytest.fixture(scope="package")  # as local_stack: this package's own stack, stopped after its last test
def contract_world(local_stack) -> dict[str, Any]:  # noqa: F811 (the imported fixture)
    return seed_world(local_stack["api_url"])


def seed_world(api: str) -> dict[str, Any]:
    """An owner with one of each record, a second member and a pending invitation: the ids the
    contract pass wires into path parameters, and the owner's token."""
    today = time.strftime("%Y-%m-%d", time.gmtime())
    month = today[:7]
    owner_email = "owner@example.com"
    owner_sub, token = _user(api, owner_email, "Owner")
    member_email = "member@example.com"
    member_sub, member_token = _user(api, member_email, "Member")

    def post(path: str, body: dict, *expected: int) -> Any:
        return _ok(call("POST", f"{api}{path}", body, token), *(expected or (201,)))

    def put(path: str, body: dict, *expected: int) -> Any:
        return _ok(call("PUT", f"{api}{path}", body, token), *(expected or (200,)))

    org_id = post("/orgs", {"name": "Contract Co"})["org_id"]
    o = f"/orgs/{org_id}"
    post(f"{o}/invitations", {"email": member_email, "role": "staff"})
    _ok(call("POST", f"{api}/invitations/{org_id}/accept", None, member_token), 200, 201)
    post(f"{o}/invitations", {"email": "invited@example.com", "role": "staff"})

    supplier_id = post(f"{o}/suppliers", {"name": "Acme", "email": "sales@example.com", "lead_time_days": 5})["id"]
    location_id = post(f"{o}/locations", {"name": "Store"})["id"]
    warehouse_id = post(f"{o}/locations", {"name": "Warehouse", "kind": "warehouse"})["id"]
    customer_id = post(f"{o}/customers", {"name": "Quinn", "email": "quinn@example.com"})["id"]
    product_id = post(f"{o}/products", {"sku": "SKU-1", "name": "Widget", "price": "5.00", "cost": "2.00",
                                        "supplier_id": supplier_id})["id"]
    movement_id = str(uuid.uuid4())
    put(f"{o}/movements/{movement_id}", {"kind": "receive", "product_id": product_id, "location_id": location_id,
                                         "quantity": "10", "unit_cost": "2.00"}, 201)
    put(f"{o}/stock/{product_id}/{location_id}/settings", {"reorder_point": "2", "reorder_quantity": "5"})
    po_id = post(f"{o}/purchase-orders", {"supplier_id": supplier_id, "location_id": location_id,
                                          "lines": [{"product_id": product_id, "quantity": "3"}]})["id"]

    car_id = post(f"{o}/cars", {"vin": "1M8GDM9AXKP042788", "make": "Chevrolet", "model": "Malibu",
                                "body_type": "sedan", "first_registration": "2019-04", "mileage": 42000,
                                "fuel": "petrol", "gearbox": "automatic", "asking_price": "14500.00"})["id"]
    # the help desk: the member is the agent of a team, the owner files a ticket with the desk
    team_id, macro_id, ticket_id, message_id = (str(uuid.uuid4()) for _ in range(4))
    put(f"{o}/teams/{team_id}", {"name": "Support", "agents": [member_sub], "lead": member_sub}, 201)
    put(f"{o}/desk", {"handle": "contract-desk", "name": "Contract Desk", "categories": [
        {"slug": "billing", "name": "Billing", "team_id": team_id}]}, 201)
    put(f"{o}/macros/{macro_id}", {"title": "Thanks", "body": "Thanks {{customer.name}}"}, 201)
    put(f"/desks/contract-desk/tickets/{ticket_id}", {"category": "billing", "subject": "Help",
                                                      "description": "Please help"}, 201)
    put(f"/desks/contract-desk/tickets/{ticket_id}/messages/{message_id}", {"body": "More detail"}, 201)
    article_id = str(uuid.uuid4())  # a published public article of the desk's knowledge base
    put(f"{o}/kb/articles/{article_id}", {"title": "Refunds", "body": "We refund within **3 days**.",
                                          "visibility": "public", "status": "published"}, 201)

    # the shop (its handle is in the shops' namespace, so it may equal the desk's): a guest's order
    put(f"{o}/shop", {"handle": "contract-desk", "name": "Contract Shop", "currency": "USD",
                      "pickup_location_ids": [location_id], "delivery_location_id": warehouse_id})
    put(f"{o}/shop/listings/{product_id}", {"description": "A widget"})
    promotion_id = post(f"{o}/shop/promotions", {"name": "Contract sale", "kind": "percent", "value": "10",
                                                  "scope": "shop", "starts_at": "2020-01-01",
                                                  "ends_at": "2099-01-01"})["id"]
    order_id = str(uuid.uuid4())
    _ok(call("POST", f"{api}/shops/contract-desk/orders", {
        "order_id": order_id, "fulfilment": "pickup", "location_id": location_id, "email": "guest@example.com",
        "lines": [{"product_id": product_id, "quantity": "1"}]}), 201)

    put("/budgets/food", {"limit": "100.00"})
    post("/categories", {"name": "pets"})
    txn_id = post("/expenses", {"kind": "expense", "amount": "12.50", "currency": "USD", "date": today,
                                "category": "food", "payment_mode": "cash"})["id"]
    rule_id = post("/recurring", {"kind": "expense", "amount": "9.99", "currency": "USD", "category": "food",
                                  "payment_mode": "debit_card", "frequency": "monthly", "start_date": today})["id"]
    put(f"/rates/{month}", {"rates": {"EUR": "1.08"}})

    return {
        "api_url": api,
        "token": token,
        # Path parameter values by name; `item_id` by the collection it belongs to.
        "ids": {
            "org_id": org_id, "product_id": product_id, "location_id": location_id, "movement_id": movement_id,
            "po_id": po_id, "txn_id": txn_id, "rule_id": rule_id, "category": "food", "month": month,
            "sub": member_sub, "email": "invited@example.com", "car_id": car_id,
            "handle": "contract-desk", "team_id": team_id, "macro_id": macro_id, "ticket_id": ticket_id,
            "message_id": message_id, "article_id": article_id, "version": "1",
            "order_id": order_id, "reservation_id": f"shop-{order_id}",
            "promotion_id": promotion_id,
        },
        "items": {"suppliers": supplier_id, "locations": warehouse_id, "customers": customer_id},
        "owner_sub": owner_sub,
    }


# ------------------------------------------------------------------ the contract pass, in the background
# The pass (its own local stack, the seeded world, schemathesis over every operation) is ~7-8 minutes of
# HTTP round trips that keep a 2-core machine about half busy: the stack and schemathesis wait on each
# other far more than they compute. So it starts as soon as collection is done, in a thread of its own,
# while the rest of the suite runs; its test runs last and asserts on the result, waiting for it if need
# be. What it runs and what it asserts are unchanged (tests/contract/test_openapi_contract.py); only when
# it runs moved. `pytest tests/contract/test_openapi_contract.py` (and `make contract`) runs it alone.
CONTRACT_TEST = "test_openapi_contract.py::test_every_operation_keeps_the_documented_contract"
PASS_TIMEOUT = 3600 + 600  # schemathesis' own timeout (run_schemathesis) and the stack's start and stop


class ContractPass:
    """The contract pass on its own local stack, run in a thread."""

    def __init__(self, work: pathlib.Path):
        self.work = work
        self.report_dir = work / "report"
        self.report_dir.mkdir()
        self.stack = LocalStack(work / "stack")
        self.stack.state_dir.mkdir()
        self.result = None  # schemathesis' CompletedProcess
        self.error: BaseException | None = None
        self.stop_code: int | None = None
        self.proc = None  # schemathesis
        self.killed = False
        # the environment now, in the main thread: tests may change os.environ while the thread runs
        self.environ = dict(os.environ)
        self.thread = threading.Thread(target=self._run, name="contract-pass", daemon=True)

    def _run(self) -> None:
        import subprocess

        from tests.contract.test_openapi_contract import MAX_EXAMPLES, ROOT, TIMEOUT, schemathesis_command

        try:
            out = self.stack.start(environ=self.environ)
            world = seed_world(out["api_url"])
            args, env = schemathesis_command(world, self.report_dir, MAX_EXAMPLES, self.environ)
            if self.killed:
                return
            self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True)
            try:
                stdout, stderr = self.proc.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.communicate()
                raise
            self.result = subprocess.CompletedProcess(args, self.proc.returncode, stdout, stderr)
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            if self.stack.proc is not None and self.stack.proc.poll() is None:
                try:
                    self.stop_code = self.stack.stop()
                except BaseException as exc:
                    self.error = self.error or exc

    def wait(self) -> None:
        self.thread.join(PASS_TIMEOUT)
        assert not self.thread.is_alive(), f"the contract pass did not end within {PASS_TIMEOUT} s"

    def kill(self) -> None:
        """At the end of a session that never reached the test (-x, Ctrl-C): leave nothing running."""
        self.killed = True
        for proc in (self.proc, self.stack.proc):
            if proc is not None and proc.poll() is None:
                proc.kill()


_PASS: dict[str, ContractPass] = {}


def pytest_collection_modifyitems(session, config, items):
    """The contract pass's test last: by then its background run has had the whole suite's time."""
    contract = [item for item in items if item.nodeid.endswith(CONTRACT_TEST)]
    if contract and len(items) > len(contract):
        items[:] = [item for item in items if item not in contract] + contract


def pytest_collection_finish(session):
    if config_only_collects(session.config) or not any(i.nodeid.endswith(CONTRACT_TEST) for i in session.items):
        return
    if hasattr(session.config, "workerinput"):  # a pytest-xdist worker: only the one given the test runs it
        return
    work = session.config._tmp_path_factory.mktemp("contract")
    _PASS["run"] = ContractPass(work)
    _PASS["run"].thread.start()


def config_only_collects(config) -> bool:
    return bool(config.option.collectonly or getattr(config.option, "setupplan", False))


def pytest_sessionfinish(session, exitstatus):
    run = _PASS.pop("run", None)
    if run is not None:
        run.kill()


@pytest.fixture
def contract_pass(tmp_path_factory) -> ContractPass:
    """The finished contract pass: the one started after collection, or (when a run selected it without
    collection starting one) run here and now."""
    run = _PASS.get("run")
    if run is None:
        run = _PASS["run"] = ContractPass(tmp_path_factory.mktemp("contract"))
        run.thread.start()
    run.wait()
    if run.error is not None:
        raise run.error
    yield run
    assert run.stop_code == 0, run.stack.log_tail()
