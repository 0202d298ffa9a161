"""n concurrent shoppers against the local stack, with one hot product in a flash sale (issue 13, item 8).

    .venv/bin/python bench/shop_load.py [--shoppers 20] [--duration 60] [--hot-stock 40]   (or `make bench-shop-load`)
    SHOPPERS=50 DURATION=120 make bench-shop-load           # the knobs, also as environment variables
    .venv/bin/python bench/shop_load.py --state-dir .local  # against a running `make run` instead

Without `--state-dir` it starts `python -m local.stack` on free loopback ports with a fresh temporary
state dir (as `make bench-local` and the e2e fixture do) and stops it with Ctrl-C (SIGINT) at the end.

Setup (not measured): an owner, an organisation, a store, a hot product with `--hot-stock` units and
`--products` ordinary products with plenty, a shop listing them all, and the flash sale: 20% off the
hot product through the promotions API (`POST /orgs/{o}/shop/promotions`); while that route is not
there (404/405, or API Gateway's 403 "Missing Authentication Token" for an unknown path) through the
listing's own `discount` field. It prints which one it used, then waits for the storefront's documents.

Load (measured): `--shoppers` threads, each a shopper in sessions; no session starts after `--duration`
(one under way finishes: every shopper's first cart reaches the checkout). A session
browses as the CDN path serves it locally (the site's `/storefront/...` from the data bucket: the
index, then product pages and their availability documents), builds a cart and places a guest order
(`POST /shops/{h}/orders`). Everyone races for the hot product: it is in each shopper's first cart and
in later ones while its availability document shows any left. An order refused for a line (409
`lines.<i>.quantity`) is placed again without that line, as a shopper drops a sold-out item. Half of
the orders are paid through the signed payment webhook; one staff member picks paid orders (the
ledger's fulfil: reserved units become sold) as they come in.

Then it checks, from the ledger, and prints a table per operation (requests, throughput, p50, p99,
errors by class) and the checks:
- zero 5xx and zero transport errors;
- zero oversell: per product, units reserved + sold = what the successful orders hold ≤ stock, and
  on hand ≥ reserved;
- every successful order holds its stock (its ledger reservation is held, or fulfilled once picked,
  with the order's lines); every refused order got a 409 naming the field (`lines.<i>.quantity`);
- the flash-sale price is on every hot order line, and the hot product's availability document
  converges to the ledger (on hand - reserved).
Exit code 0 when every check holds, 1 when one fails, 2 when the stack did not start.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import pathlib
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REFUSED_FIELD = re.compile(r"^lines\.\d+\.quantity$")
FLASH_PERCENT = Decimal("20")
PRICE = Decimal("30.00")
HOT_PRICE = Decimal("50.00")
TIMEOUT = 120.0  # per request: generous, the machine is small and shared
OPS = ("storefront index", "product page", "availability", "place order", "payment", "staff inbox", "staff pick")


# ----------------------------------------------------------------- HTTP: one kept-alive connection per host per thread
class Client:
    """A shopper's connections (http.client, kept alive where the server allows: the API speaks
    HTTP/1.1, the local site closes each response and http.client opens a new connection)."""

    def __init__(self) -> None:
        self.conns: dict[str, http.client.HTTPConnection] = {}
        self.last_bytes = 0  # the body of the last response

    def request(self, method: str, url: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        parts = urlsplit(url)
        conn = self.conns.get(parts.netloc)
        if conn is None:
            conn = self.conns[parts.netloc] = http.client.HTTPConnection(parts.netloc, timeout=TIMEOUT)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(headers or {})
        for attempt in (0, 1):
            try:
                conn.request(method, path, body=body, headers=h)
                r = conn.getresponse()
                return r.status, r.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # a kept-alive connection the server closed between two requests: once more on a new one
                conn.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, url: str, body: Any = None, token: str | None = None,
             headers: dict[str, str] | None = None, raw: bytes | None = None) -> tuple[int, Any]:
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        status, out = self.request(method, url, data, h)
        self.last_bytes = len(out)
        try:
            return status, json.loads(out) if out else None
        except ValueError:
            return status, out

    def close(self) -> None:
        for c in self.conns.values():
            c.close()


# ----------------------------------------------------------------- what was measured
@dataclass
class Sample:
    op: str
    status: int  # 0: a transport error (refused, reset, timed out)
    seconds: float
    kind: str  # ok | sold_out | busy (409 lines: retried) | 409 | 4xx | 5xx | net
    size: int = 0  # response body bytes


@dataclass
class Shop:
    api: str
    site: str
    token: str
    org: str
    handle: str
    location: str
    hot: str
    products: list[str]
    stock: dict[str, Decimal]
    secret: str
    discount_via: str  # "promotions API" | "listing discount"


@dataclass
class Outcome:
    shop: Shop
    samples: list[Sample]
    seconds: float
    orders: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # placed: id -> product -> quantity
    hot_prices: list[str] = field(default_factory=list)  # unit prices of hot lines in placed orders
    refused_fields: list[Any] = field(default_factory=list)  # error.field of every 409 of a place order
    picked: set[str] = field(default_factory=set)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    ledger: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(passed for _, passed, _ in self.checks)


def classify(op: str, status: int, body: Any) -> str:
    if status == 0:
        return "net"
    if status >= 500:
        return "5xx"
    if 200 <= status < 300:
        return "ok"
    if status == 409 and op == "place order":
        f = body.get("error", {}).get("field") if isinstance(body, dict) else None
        if f == "lines":  # the ledger lost the race 40 times ("send it again"): contention, not stock
            return "busy"
        return "sold_out" if isinstance(f, str) and REFUSED_FIELD.match(f) else "409"
    return "4xx"


# ----------------------------------------------------------------- setup
def _must(result: tuple[int, Any], *ok: int) -> Any:
    status, body = result
    if status not in ok:
        raise RuntimeError(f"setup call answered {status}: {body}")
    return body


def open_shop(api: str, site: str, products: int, hot_stock: int, stock: int, log=print) -> Shop:
    """An owner's organisation and shop: a store, the hot product with `hot_stock` units, `products`
    ordinary ones with `stock` each, all listed, and the flash sale on the hot product."""
    c = Client()
    tag = uuid.uuid4().hex[:8]
    email, password = f"shop-load-{tag}@example.com", "Bench-passw0rd-1"
    _must(c.json("POST", f"{api}/auth/sign-up", {"email": email, "password": password, "name": "Bench Owner"}), 201)
    token = _must(c.json("POST", f"{api}/auth/sign-in", {"email": email, "password": password}), 200)["id_token"]
    org = _must(c.json("POST", f"{api}/orgs", {"name": "Flash Sale Shop"}, token), 201)["org_id"]
    loc = _must(c.json("POST", f"{api}/orgs/{org}/locations", {"name": "High Street", "kind": "store"}, token),
                201)["id"]
    ids: list[str] = []
    stock_of: dict[str, Decimal] = {}
    for i in range(products + 1):
        hot = i == 0
        p = _must(c.json("POST", f"{api}/orgs/{org}/products", {
            "sku": "HOT-1" if hot else f"ITEM-{i}", "name": "Limited sneaker" if hot else f"Everyday item {i}",
            "price": str(HOT_PRICE if hot else PRICE), "cost": "10.00", "currency": "EUR"}, token), 201)
        qty = hot_stock if hot else stock
        _must(c.json("PUT", f"{api}/orgs/{org}/movements/{uuid.uuid4()}", {
            "kind": "receive", "product_id": p["id"], "location_id": loc, "quantity": str(qty),
            "unit_cost": "10.00"}, token), 201)
        ids.append(p["id"])
        stock_of[p["id"]] = Decimal(qty)
    handle = f"flash-{tag}"
    shop = _must(c.json("PUT", f"{api}/orgs/{org}/shop", {
        "handle": handle, "name": "Flash Sale Shop", "currency": "EUR",
        "categories": [{"slug": "drops", "name": "Drops"}, {"slug": "everyday", "name": "Everyday"}],
        "pickup_location_ids": [loc], "reservation_minutes": 60}, token), 200)
    versions = {pid: _must(c.json("PUT", f"{api}/orgs/{org}/shop/listings/{pid}", {
        "category": "drops" if pid == ids[0] else "everyday", "description": "Bench product."}, token), 200)["version"]
        for pid in ids}
    via = flash_sale(c, api, token, org, ids[0], versions[ids[0]], log)
    c.close()
    return Shop(api, site, token, org, handle, loc, ids[0], ids[1:], stock_of, shop["payment_secret"], via)


def flash_sale(c: Client, api: str, token: str, org: str, hot: str, version: int, log=print) -> str:
    """20% off the hot product: through the promotions API when it is there, else the listing's discount."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    status, body = c.json("POST", f"{api}/orgs/{org}/shop/promotions", {
        "name": "Flash sale", "kind": "percent", "value": str(FLASH_PERCENT), "scope": "product", "target": hot,
        "starts_at": (now - timedelta(minutes=5)).isoformat().replace("+00:00", "Z"),
        "ends_at": (now + timedelta(days=1)).isoformat().replace("+00:00", "Z")}, token)
    if status == 201:
        log(f"flash sale: {FLASH_PERCENT}% off the hot product through the promotions API "
            f"(POST /orgs/{{o}}/shop/promotions answered 201)")
        return "promotions API"
    # API Gateway (and chalice.local) answer a path no route matches with 403 and a bare `message`
    # ("Missing Authentication Token", or with a Bearer header "Authorization header requires ..."),
    # never the app's error shape
    unrouted = status == 403 and isinstance(body, dict) and "error" not in body and str(
        body.get("message", "")).startswith(("Missing Authentication Token", "Authorization header requires"))
    if status not in (404, 405) and not unrouted:
        raise RuntimeError(f"POST /orgs/{{o}}/shop/promotions answered {status}: {str(body)[:300]}")
    listing = _must(c.json("PUT", f"{api}/orgs/{org}/shop/listings/{hot}", {
        "category": "drops", "description": "Bench product.", "version": version,
        "discount": {"kind": "percent", "value": str(FLASH_PERCENT), "label": "Flash sale"}}, token), 200)
    log(f"flash sale: {FLASH_PERCENT}% off the hot product through the listing's discount field "
        f"(the promotions route answered {status}{' (no such route)' if unrouted else ''}: not merged yet); "
        f"price after it {listing['final_price']}")
    return "listing discount"


def wait_for_storefront(shop: Shop, timeout: float = 240) -> dict:
    """The storefront's index with every product, and every product's page and availability document,
    as the streams publish them (the shop stream: the index, then the pages one by one; the inventory
    stream: availability), so the load starts on a whole storefront."""
    c = Client()
    deadline = time.monotonic() + timeout
    want = len(shop.products) + 1
    index: Any = None
    while time.monotonic() < deadline:
        status, index = c.json("GET", f"{shop.site}/storefront/{shop.handle}/index.json")
        # the listing's discount shows on the index; a promotion's is for the promotions module to show,
        # so with it only the orders' prices are checked (after the run)
        if status == 200 and len(index.get("products", [])) == want and any(
                p["product_id"] == shop.hot and (shop.discount_via != "listing discount" or Decimal(p["discount"]) > 0)
                for p in index["products"]):
            def published(card: dict) -> bool:
                s, doc = c.json("GET", f"{shop.site}/{card['availability']}")
                return (s == 200 and bool(doc.get("locations"))
                        and c.json("GET", f"{shop.site}/{card['page']}")[0] == 200)

            if all(published(card) for card in index["products"]):
                c.close()
                return index
        time.sleep(0.5)
    c.close()
    raise RuntimeError(f"the storefront was not published within {timeout:.0f} s: {index}")


# ----------------------------------------------------------------- load
class Run:
    def __init__(self, shop: Shop, index: dict, shoppers: int, duration: float, think: float, seed: int):
        self.shop, self.index, self.shoppers, self.duration, self.think = shop, index, shoppers, duration, think
        self.seed = seed
        self.lock = threading.Lock()
        self.samples: list[Sample] = []
        self.orders: dict[str, dict[str, Decimal]] = {}
        self.hot_prices: list[str] = []
        self.refused_fields: list[Any] = []
        self.picked: set[str] = set()
        self.stop_at = 0.0

    def timed(self, c: Client, op: str, method: str, url: str, body: Any = None, token: str | None = None,
              headers: dict[str, str] | None = None, raw: bytes | None = None) -> tuple[int, Any]:
        t0 = time.perf_counter()
        try:
            status, out = c.json(method, url, body, token, headers, raw)
        except OSError:  # refused, reset, timed out: a transport error
            status, out, c.last_bytes = 0, None, 0
        sample = Sample(op, status, time.perf_counter() - t0, classify(op, status, out), c.last_bytes)
        with self.lock:
            self.samples.append(sample)
        return status, out

    # ---- one shopper
    def shopper(self, n: int) -> None:
        rng = random.Random(self.seed * 1000 + n)
        c = Client()
        site, shop = self.shop.site, self.shop
        first = True
        try:
            while time.monotonic() < self.stop_at:
                status, index = self.timed(c, "storefront index", "GET", f"{site}/storefront/{shop.handle}/index.json")
                cards = index["products"] if status == 200 and isinstance(index, dict) else self.index["products"]
                hot_card = next(p for p in cards if p["product_id"] == shop.hot)
                others = [p for p in cards if p["product_id"] != shop.hot]
                viewed = rng.sample(others, k=min(len(others), rng.randint(1, 3)))
                hot_left = True
                if first or rng.random() < 0.5:
                    viewed.insert(0, hot_card)
                for card in viewed:
                    self.timed(c, "product page", "GET", f"{site}/{card['page']}")
                    s, avail = self.timed(c, "availability", "GET", f"{site}/{card['availability']}")
                    if card is hot_card and s == 200 and isinstance(avail, dict):
                        hot_left = any(Decimal(row["available"]) > 0 for row in avail.get("locations", []))
                    self.pause(rng)
                cart = [{"product_id": p["product_id"], "quantity": str(rng.randint(1, 2))}
                        for p in viewed if p is not hot_card and rng.random() < 0.6]
                if viewed and viewed[0] is hot_card and (first or hot_left):
                    cart.insert(0, {"product_id": shop.hot, "quantity": "1"})
                if not cart:
                    cart = [{"product_id": viewed[-1]["product_id"], "quantity": "1"}]
                first = False
                self.order(c, rng, cart, n)
                self.pause(rng)
        finally:
            c.close()

    def pause(self, rng: random.Random) -> None:
        if self.think > 0:
            time.sleep(rng.uniform(0, 2 * self.think))

    def order(self, c: Client, rng: random.Random, cart: list[dict], n: int) -> None:
        shop = self.shop
        busy = 0
        oid = str(uuid.uuid4())
        while cart:  # a session started before the end places its order (so every first cart races)
            status, out = self.timed(c, "place order", "POST", f"{shop.api}/shops/{shop.handle}/orders", {
                "order_id": oid, "fulfilment": "pickup", "location_id": shop.location,
                "email": f"shopper{n}@example.com", "name": f"Shopper {n}", "lines": cart})
            if status == 201:
                with self.lock:
                    self.orders[oid] = {ln["product_id"]: Decimal(ln["quantity"]) for ln in out["lines"]}
                    self.hot_prices += [ln["unit_price"] for ln in out["lines"] if ln["product_id"] == shop.hot]
                if rng.random() < 0.5:
                    self.pay(c, out)
                return
            if status != 409:
                return
            f = out.get("error", {}).get("field") if isinstance(out, dict) else None
            with self.lock:
                self.refused_fields.append(f)
            if f == "lines" and busy < 3:  # "send it again": the same order id and cart
                busy += 1
                continue
            oid = str(uuid.uuid4())
            m = re.match(r"^lines\.(\d+)\.quantity$", f or "")
            if not m or int(m.group(1)) >= len(cart):
                return
            cart = cart[:int(m.group(1))] + cart[int(m.group(1)) + 1:]  # drop the sold-out line, try again

    def pay(self, c: Client, order: dict) -> None:
        shop = self.shop
        raw = json.dumps({"order_id": order["id"], "payment_id": f"pay_{order['id'][:8]}", "amount": order["total"],
                          "currency": order["currency"], "status": "paid"}).encode()
        ts = str(int(time.time()))
        sig = "v1=" + hmac.new(shop.secret.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
        self.timed(c, "payment", "POST", f"{shop.api}/shops/{shop.handle}/payments", raw=raw,
                   headers={"X-Tally-Timestamp": ts, "X-Tally-Signature": sig})

    # ---- the staff member picking paid orders
    def staff(self) -> None:
        c = Client()
        shop = self.shop
        try:
            while time.monotonic() < self.stop_at:
                status, out = self.timed(c, "staff inbox", "GET",
                                         f"{shop.api}/orgs/{shop.org}/shop/orders?status=confirmed&limit=20",
                                         token=shop.token)
                todo = out["items"] if status == 200 else []
                for o in todo:
                    if time.monotonic() >= self.stop_at:
                        break
                    s, _ = self.timed(c, "staff pick", "POST", f"{shop.api}/orgs/{shop.org}/shop/orders/{o['id']}/status",
                                      {"status": "picked", "version": o["version"]}, shop.token)
                    if s == 200:
                        with self.lock:
                            self.picked.add(o["id"])
                if not todo:
                    time.sleep(0.5)
        finally:
            c.close()

    def go(self) -> float:
        t0 = time.monotonic()
        self.stop_at = t0 + self.duration
        threads = [threading.Thread(target=self.shopper, args=(i,), daemon=True) for i in range(self.shoppers)]
        threads.append(threading.Thread(target=self.staff, daemon=True))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.monotonic() - t0


# ----------------------------------------------------------------- checks, from the ledger
def check(out: Outcome, settle: float = 120) -> None:
    shop, c = out.shop, Client()
    api, tok = shop.api, shop.token
    kinds = Counter(s.kind for s in out.samples)
    out.checks.append(("zero 5xx", kinds["5xx"] == 0, f"{kinds['5xx']} responses 5xx"))
    out.checks.append(("zero transport errors", kinds["net"] == 0, f"{kinds['net']} refused/reset/timed out"))

    ordered: dict[str, Decimal] = defaultdict(Decimal)
    for lines in out.orders.values():
        for pid, q in lines.items():
            ordered[pid] += q
    oversold, detail = [], []
    for pid in [shop.hot, *shop.products]:
        pos = _must(c.json("GET", f"{api}/orgs/{shop.org}/stock/{pid}/{shop.location}", token=tok), 200)
        on_hand, reserved = Decimal(pos["on_hand"]), Decimal(pos["reserved"])
        sold = shop.stock[pid] - on_hand
        out.ledger[pid] = {"stock": shop.stock[pid], "on_hand": on_hand, "reserved": reserved, "sold": sold,
                           "ordered": ordered[pid]}
        if not (reserved + sold == ordered[pid] <= shop.stock[pid] and 0 <= reserved <= on_hand and sold >= 0):
            oversold.append(pid)
            detail.append(f"{pid}: stock {shop.stock[pid]}, on hand {on_hand}, reserved {reserved}, sold {sold}, "
                          f"ordered {ordered[pid]}")
    hot = out.ledger[shop.hot]
    out.checks.append(("zero oversell", not oversold,
                       f"hot: stock {hot['stock']}, reserved {hot['reserved']} + sold {hot['sold']} = "
                       f"ordered {hot['ordered']}; {len(shop.products)} other products agree"
                       if not oversold else "; ".join(detail)))

    def holds(item: tuple[str, dict[str, Decimal]]) -> str | None:
        oid, lines = item
        own = Client()
        s, r = own.json("GET", f"{api}/orgs/{shop.org}/reservations/shop-{oid}", token=tok)
        own.close()
        if s != 200:
            return f"{oid}: reservation answered {s}"
        want = "fulfilled" if oid in out.picked else "held"
        got = {ln["product_id"]: Decimal(ln["quantity"]) for ln in r["lines"]}
        if r["status"] != want or got != lines:
            return f"{oid}: reservation {r['status']} {got}, order {want} {lines}"
        return None

    with ThreadPoolExecutor(max_workers=4) as pool:
        bad = [b for b in pool.map(holds, out.orders.items()) if b]
    out.checks.append(("every successful order holds its stock", not bad,
                       f"{len(out.orders)} orders: reservation held ({len(out.orders) - len(out.picked)}) or "
                       f"fulfilled when picked ({len(out.picked)})" if not bad else "; ".join(bad[:5])))
    unnamed = [f for f in out.refused_fields if not (isinstance(f, str) and (REFUSED_FIELD.match(f) or f == "lines"))]
    busy = out.refused_fields.count("lines")
    out.checks.append(("every refused order got a 409 naming the field", not unnamed,
                       f"{len(out.refused_fields)} refused: {len(out.refused_fields) - busy} 409 lines.<i>.quantity "
                       f"(sold out), {busy} 409 lines (contention, sent again)" if not unnamed
                       else f"{len(unnamed)} 409s with field {unnamed[:5]}"))
    want_price = f"{HOT_PRICE * (1 - FLASH_PERCENT / 100):.2f}"
    wrong = [p for p in out.hot_prices if p != want_price]
    out.checks.append(("flash-sale price on every hot order line", bool(out.hot_prices) and not wrong,
                       f"{len(out.hot_prices)} lines at {want_price} ({shop.discount_via})" if not wrong
                       else f"{len(wrong)} lines at {sorted(set(wrong))}, want {want_price}"))

    # the availability document follows the ledger (the inventory stream publishes it after each batch)
    want_avail = hot["on_hand"] - hot["reserved"]
    deadline, got = time.monotonic() + settle, None
    while time.monotonic() < deadline:
        s, doc = c.json("GET", f"{shop.site}/storefront/stock/{shop.org}/{shop.hot}.json")
        got = Decimal(doc["locations"][0]["available"]) if s == 200 and doc.get("locations") else None
        if got == want_avail:
            break
        time.sleep(0.5)
    out.checks.append(("hot availability document converges to the ledger", got == want_avail,
                       f"available {got} (ledger: on hand - reserved = {want_avail})"))
    c.close()


def run_load(api: str, site: str, shoppers: int, duration: float, hot_stock: int = 40, products: int = 12,
             stock: int = 100_000, think: float = 0.2, seed: int = 13, log=print) -> Outcome:
    """The bench's core against a running stack: set up, load, check. Returns what was measured."""
    shop = open_shop(api.rstrip("/"), site.rstrip("/"), products, hot_stock, stock, log)
    index = wait_for_storefront(shop)
    log(f"shop {shop.handle}: {len(shop.products)} products + the hot one ({hot_stock} units); "
        f"{shoppers} shoppers for {duration:.0f} s")
    run = Run(shop, index, shoppers, duration, think, seed)
    seconds = run.go()
    out = Outcome(shop, run.samples, seconds, run.orders, run.hot_prices, run.refused_fields, run.picked)
    check(out)
    return out


# ----------------------------------------------------------------- the table
def pct(values: list[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..100) of a non-empty list."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, int(-(-q * len(s) // 100)) - 1))]


def table(out: Outcome) -> str:
    by_op: dict[str, list[Sample]] = defaultdict(list)
    for s in out.samples:
        by_op[s.op].append(s)
    rows = ["| operation | requests | req/s | p50 ms | p99 ms | ok | 409 sold out | 409 busy | other 4xx | 5xx "
            "| transport | bytes/resp |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for op in [*OPS, *sorted(set(by_op) - set(OPS))]:
        ss = by_op.get(op)
        if not ss:
            continue
        k = Counter(s.kind for s in ss)
        ms = [s.seconds * 1000 for s in ss]
        other = k["4xx"] + k["409"]
        rows.append(f"| {op} | {len(ss):,} | {len(ss) / out.seconds:.1f} | {pct(ms, 50):.0f} | {pct(ms, 99):.0f} | "
                    f"{k['ok']:,} | {k['sold_out']:,} | {k['busy']:,} | {other:,} | {k['5xx']} | {k['net']} | "
                    f"{sum(s.size for s in ss) // len(ss):,} |")
    k = Counter(s.kind for s in out.samples)
    ms = [s.seconds * 1000 for s in out.samples]
    if ms:
        rows.append(f"| **all** | {len(ms):,} | {len(ms) / out.seconds:.1f} | {pct(ms, 50):.0f} | {pct(ms, 99):.0f} | "
                    f"{k['ok']:,} | {k['sold_out']:,} | {k['busy']:,} | {k['4xx'] + k['409']:,} | {k['5xx']} | "
                    f"{k['net']} | "
                    f"{sum(s.size for s in out.samples) // len(ms):,} |")
    return "\n".join(rows)


def report(out: Outcome) -> str:
    hot = out.ledger.get(out.shop.hot, {})
    lines = [table(out), "",
             f"orders placed {len(out.orders):,} ({len(out.orders) / out.seconds * 60:.0f}/min), "
             f"picked {len(out.picked):,}; hot product: stock {hot.get('stock')}, ordered {hot.get('ordered')}, "
             f"reserved {hot.get('reserved')}, sold {hot.get('sold')}; flash sale via {out.shop.discount_via}", ""]
    odd = Counter((s.op, s.status) for s in out.samples if s.kind in ("4xx", "409", "5xx"))
    if odd:
        lines += ["other errors: " + ", ".join(f"{op} {status} × {n}" for (op, status), n in sorted(odd.items())), ""]
    lines += [f"{'PASS' if ok else 'FAIL'}  {name}: {detail}" for name, ok, detail in out.checks]
    return "\n".join(lines)


# ----------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    env = os.environ
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shoppers", type=int, default=int(env.get("SHOPPERS", 20)))
    ap.add_argument("--duration", type=float, default=float(env.get("DURATION", 60)), help="seconds of load")
    ap.add_argument("--hot-stock", type=int, default=int(env.get("HOT_STOCK", 40)))
    ap.add_argument("--products", type=int, default=int(env.get("PRODUCTS", 12)), help="ordinary products")
    ap.add_argument("--think", type=float, default=float(env.get("THINK", 0.2)),
                    help="mean seconds a shopper pauses between steps")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--state-dir", help="a running stack's state dir (its outputs.json); default: start one")
    ap.add_argument("--keep", action="store_true", help="keep the started stack's temporary state dir")
    args = ap.parse_args(argv)

    stack = None
    if args.state_dir:
        outputs = json.loads((pathlib.Path(args.state_dir) / "outputs.json").read_text())
    else:
        from bench.local_stack import Stack

        state = pathlib.Path(tempfile.mkdtemp(prefix="tally-shop-load-"))
        print(f"starting the local stack (state dir {state})", flush=True)
        stack = Stack(state)
        try:
            outputs = stack.wait_ready()
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            stack.stop()
            return 2
    try:
        out = run_load(outputs["api_url"], outputs["dashboard_url"], args.shoppers, args.duration, args.hot_stock,
                       args.products, think=args.think, seed=args.seed, log=lambda m: print(m, flush=True))
    finally:
        if stack is not None:
            _, _, _, code = stack.stop()
            print(f"local stack stopped (exit {code})", flush=True)
            if code == 0 and not args.keep:
                shutil.rmtree(stack.state_dir, ignore_errors=True)
    print()
    print(report(out))
    return 0 if out.ok else 1


if __name__ == "__main__":
    sys.exit(main())
