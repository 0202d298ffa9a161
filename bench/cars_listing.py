"""The public car listing's cost at 100 and 20,000 cars: what one listing request fetches (requests, bytes,
RCUs) and what one car's change costs the stream (S3 puts and bytes, DynamoDB reads and writes), for the
shipped design (precomputed JSON shards on S3 behind the CDN) beside the alternative (an API route querying a
DynamoDB index per request), with the cost of a million views each.

The shards are built by the shipped pure code (`chalicelib.cars.rules.listing`) from synthetic stock:
`dealers` dealers, makes and models with a long-tailed popularity (a few makes hold most cars), prices
by age and mileage. Sizes are the JSON bytes the stream publishes and their gzip size (what CloudFront
sends when the browser accepts it). Prices: us-east-1 list prices (2025): CloudFront $0.0100 per 10,000
HTTPS requests and $0.085 per GB out; API Gateway REST $3.50 per million; Lambda $0.20 per million plus
$0.0000166667 per GB-second (512 MB, 40 ms); DynamoDB on demand $0.125 per million read request units,
$0.625 per million write request units; S3 PUT $0.005 per 1,000.

    .venv/bin/python bench/cars_listing.py [--cars 100 20000]
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import pathlib
import random
import sys
from decimal import Decimal

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chalicelib.cars.rules import listing as L  # noqa: E402

MAKES = {"Toyota": ["Corolla", "Camry", "RAV4", "Yaris", "Prius", "Hilux"], "Volkswagen": ["Golf", "Polo", "Passat",
         "Tiguan", "T-Roc"], "Ford": ["Focus", "Fiesta", "Kuga", "Puma", "Ranger"], "BMW": ["3 Series", "1 Series",
         "5 Series", "X1", "X3"], "Mercedes-Benz": ["C-Class", "A-Class", "E-Class", "GLC"], "Audi": ["A3", "A4", "Q3",
         "Q5"], "Honda": ["Civic", "CR-V", "Jazz"], "Nissan": ["Qashqai", "Juke", "Micra"], "Hyundai": ["i30", "Tucson",
         "Kona"], "Kia": ["Ceed", "Sportage", "Niro"], "Peugeot": ["208", "308", "3008"], "Renault": ["Clio",
         "Captur", "Megane"], "Skoda": ["Octavia", "Fabia", "Kodiaq"], "Volvo": ["XC60", "XC40", "V60"], "Mazda": ["3",
         "CX-5", "MX-5"], "Tesla": ["Model 3", "Model Y"], "Fiat": ["500", "Panda"], "Opel": ["Corsa", "Astra"],
         "Seat": ["Ibiza", "Leon"], "Mini": ["Cooper", "Countryman"]}
FUELS, BODIES = ("petrol", "diesel", "hybrid", "electric"), ("hatchback", "sedan", "suv", "wagon")
LOCATIONS = ("North lot", "Harbour Road", "City centre", "Airport", "West branch")
PRICES = {"cloudfront_request": 0.0100 / 10_000, "cloudfront_gb": 0.085, "apigw_request": 3.50 / 1e6,
          "lambda_request": 0.20 / 1e6, "lambda_gb_s": 0.0000166667, "rru": 0.125 / 1e6, "wru": 0.625 / 1e6,
          "s3_put": 0.005 / 1000}
LAMBDA_GB, LAMBDA_S = 0.5, 0.040


def images(n: int, dealers: int, seed: int = 12) -> list[dict]:
    rnd = random.Random(seed)
    makes = list(MAKES)
    weights = [1 / (i + 1) for i in range(len(makes))]  # long tail: Toyota ~ 28 %, Mini ~ 1.4 %
    out = []
    for i in range(n):
        make = rnd.choices(makes, weights)[0]
        model = rnd.choice(MAKES[make])
        year = rnd.randint(2008, 2025)
        mileage = max(0, int(rnd.gauss((2026 - year) * 14000, 9000)))
        price = max(1500, int(42000 * 0.87 ** (2026 - year) - mileage * 0.03 + rnd.gauss(0, 1500)))
        org = f"{rnd.randrange(dealers):08d}-0000-4000-8000-000000000000"
        out.append({"sk": f"CAR#{i}", "id": f"{i:08d}-1111-4111-8111-111111111111", "org_id": org,
                    "vin": "WVWZZZ1KZ" + f"{i:08d}", "make": make, "model": model, "trim": rnd.choice(["", "SE", "Sport"]),
                    "body_type": rnd.choice(BODIES), "first_registration": f"{year}-{rnd.randint(1, 12):02d}",
                    "mileage": Decimal(mileage), "mileage_unit": "km", "fuel": rnd.choice(FUELS),
                    "gearbox": rnd.choice(["manual", "automatic"]), "drive": "fwd", "engine_litres": Decimal("1.6"),
                    "power_kw": Decimal(rnd.randint(50, 250)), "doors": Decimal(5), "seats": Decimal(5),
                    "colour": rnd.choice(["black", "white", "silver", "blue", "red"]), "previous_owners": Decimal(1),
                    "damage": "none", "options": rnd.sample(["leather", "navigation", "cruise_control", "sunroof",
                                                             "rear_camera"], 2),
                    "condition": "good", "asking_price": Decimal(price), "currency": "EUR",
                    "location": rnd.choice(LOCATIONS), "photos": [f"{j:08d}-2222-4222-8222-222222222222.jpg"
                                                                  for j in range(rnd.randint(3, 8))],
                    "status": "in_stock", "public": True, "created_at": f"2026-{rnd.randint(1, 11):02d}-"
                                                                       f"{rnd.randint(1, 28):02d}T10:00:00+00:00"})
    return out


def size(doc: dict) -> tuple[int, int]:
    raw = json.dumps(doc, separators=(",", ":"), default=str).encode()
    return len(raw), len(gzip.compress(raw, 6))


def build(cards: list[dict]) -> tuple[dict[str, dict], dict[str, dict]]:
    by_make: dict[str, list[dict]] = {}
    for c in cards:
        by_make.setdefault(c["make_key"], []).append(c)
    docs: dict[str, dict] = {}
    summaries = {}
    for mk, mc in by_make.items():
        d, summaries[mk] = L.make_shards(mk, mc)
        docs.update(d)
    docs.update(L.latest_shards(L.sort_cards(cards, "newest")))
    docs[f"{L.PREFIX}/index.json"] = L.top_index(summaries, "2026-11-30T00:00:00+00:00")
    return docs, summaries


def changed(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    """What the stream puts: documents whose fingerprint changed, and pages that are gone (emptied)."""
    return [p for p in after if p not in before or L.digest(before[p]) != L.digest(after[p])] + \
        [p for p in before if p not in after]


def measure(n: int, dealers: int) -> dict:
    ims = images(n, dealers)
    cards = [L.card(im, f"Dealer {im['org_id'][:8]}") for im in ims]
    docs, summaries = build(cards)
    sizes = {p: size(d) for p, d in docs.items()}
    top = max(summaries, key=lambda k: summaries[k]["count"])  # the busiest make: the worst case
    top_model = max(summaries[top]["models"], key=lambda m: summaries[top]["models"][m]["count"])
    idx, ranges = f"{L.PREFIX}/index.json", f"{L.PREFIX}/make/{top}/ranges.json"
    wanted = [i + 1 for i, p in enumerate(docs[ranges]["pages"]) if p[0] and Decimal(p[1]) <= 12000
              and Decimal(p[2]) >= 8000]
    car = L.car_path(cards[0]["id"])
    docs[car], sizes[car] = cards[0], size(cards[0])
    requests = {
        "landing (index + newest page)": [idx, f"{L.PREFIX}/latest/1.json"],
        "make (index + its first page)": [idx, f"{L.PREFIX}/make/{top}/1.json"],
        "make + model (index + first page)": [idx, f"{L.PREFIX}/make/{top}/{top_model}/1.json"],
        "make + price 8k-12k (+ ranges + a page)": [idx, ranges, f"{L.PREFIX}/make/{top}/{wanted[0] if wanted else 1}.json"],
        "next page (one more object)": [f"{L.PREFIX}/make/{top}/{min(2, summaries[top]['pages'])}.json"],
        "a car's page": [car],
    }
    per_request = {name: {"requests": len(paths), "bytes": sum(sizes[p][0] for p in paths),
                          "gzip": sum(sizes[p][1] for p in paths), "rcu": 0} for name, paths in requests.items()}
    # one car's change in the busiest make: an edit in place (reserved), a sale (leaves), a new car (arrives)
    in_make = [i for i, c in enumerate(cards) if c["make_key"] == top]
    mid = in_make[len(in_make) // 2]
    new_im = {**ims[mid], "id": "ffffffff-1111-4111-8111-111111111111", "created_at": "2026-11-30T12:00:00+00:00"}
    variants = {
        "reserved (in place)": [c if i != mid else {**c, "status": "reserved"} for i, c in enumerate(cards)],
        "sold (leaves)": [c for i, c in enumerate(cards) if i != mid],
        "new car (arrives)": cards + [L.card(new_im, "Dealer x")],
    }
    card_bytes = [len(json.dumps(c, separators=(",", ":"))) + 120 for c in (cards[i] for i in in_make)]
    make_query_rcu = 2 * math.ceil(sum(card_bytes) / 4096)  # consistent Query of the make, read twice (stable)
    latest_rcu = math.ceil(sum(len(json.dumps(c)) + 120 for c in cards[:L.PAGE_SIZE * L.LATEST_PAGES]) / 4096 / 2)
    rcu = make_query_rcu + latest_rcu + math.ceil(len(summaries) * 600 / 4096 / 2)
    wcu = math.ceil(card_bytes[0] / 1024) + 2 * math.ceil((len(json.dumps(summaries[top])) + 40 * len(docs) // max(1, len(summaries))) / 1024)
    change = {}
    for name, variant in variants.items():
        after, _ = build(variant)
        puts = changed({p: d for p, d in docs.items() if p != car}, after) + [car]
        put_bytes = sum(size(after.get(p, L.GONE))[0] for p in puts if p != car) + sizes[car][0]
        cost = len(puts) * PRICES["s3_put"] + rcu * PRICES["rru"] + wcu * PRICES["wru"]
        change[name] = {"s3_puts": len(puts), "s3_bytes": put_bytes, "rcu": rcu, "wcu": wcu, "cost_per_1k": 1000 * cost}
    # the alternative: an API route querying a DynamoDB index for a page of 50 (a GSI per primary filter,
    # the rest as a FilterExpression): the RCUs of the items the Query reads, matched or not
    item = sum(card_bytes) / len(card_bytes)
    share = sum(1 for i in in_make if 8000 <= Decimal(cards[i]["price"]) <= 12000) / max(1, len(in_make))
    ddb_page_rcu = math.ceil(L.PAGE_SIZE * item / 4096 / 2)
    ddb_filtered_rcu = math.ceil(min(len(in_make), L.PAGE_SIZE / max(share, 1e-9)) * item / 4096 / 2)
    typical = per_request["make (index + its first page)"]
    cost_cdn = 1e6 * (typical["requests"] * PRICES["cloudfront_request"] + typical["gzip"] / 1e9 * PRICES["cloudfront_gb"])
    page_gzip = sizes[f"{L.PREFIX}/make/{top}/1.json"][1]
    cost_ddb = 1e6 * (PRICES["apigw_request"] + PRICES["lambda_request"] + LAMBDA_GB * LAMBDA_S * PRICES["lambda_gb_s"]
                      + ddb_filtered_rcu * PRICES["rru"] + page_gzip / 1e9 * PRICES["cloudfront_gb"])
    return {"cars": n, "dealers": dealers, "makes": len(summaries), "objects": len(docs),
            "largest_object": max(s[0] for s in sizes.values()), "per_request": per_request, "change": change,
            "cards_in_make": len(in_make), "ddb": {"page_rcu": ddb_page_rcu, "filtered_rcu": ddb_filtered_rcu},
            "cost_per_1m_views": {"s3_cdn": cost_cdn, "dynamodb_api": cost_ddb}, "top_make": top}


def moto_measure(n: int = 100) -> dict:
    """The shipped stream handler and routes under moto (bench/run.py's harness): n public cars added through
    the API and streamed; then one car's change and one view, with every AWS call of them counted."""
    import importlib.util
    import uuid

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    run = sys.modules.setdefault("bench_run", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(run)  # type: ignore[union-attr]
    from tests.support import StreamReader

    out: dict = {}
    with run.Bench() as b:
        from chalicelib.core import clock
        from chalicelib.core.settings import get_settings

        clock.set_now(None)
        owner = b.user("dealer")
        oid = b.request(owner, "POST", "/orgs", {"name": "Bench Cars"})[1]["org_id"]
        stream = StreamReader(get_settings().cars_table)
        cars = []
        for i, im in enumerate(images(n, 1)):
            body = {"vin": im["vin"], "make": im["make"], "model": im["model"], "trim": im["trim"],
                    "body_type": "suv" if im["body_type"] == "suv" else "sedan",
                    "first_registration": im["first_registration"], "mileage": int(im["mileage"]),
                    "fuel": im["fuel"], "gearbox": im["gearbox"], "asking_price": f"{im['asking_price']}.00",
                    "currency": "EUR", "location": im["location"], "public": True}
            status, car, _ = b.request(owner, "POST", f"/orgs/{oid}/cars", body)
            assert status == 201, car
            cars.append(car)
        recs = stream.records()
        batches = [recs[i:i + 100] for i in range(0, len(recs), 100)]
        for batch in batches:
            b.invoke("on_cars_stream", batch, "load")
        stream.records()  # the listing's own items (cards, summaries, watches): the handler skips them
        car = cars[len(cars) // 2]
        b.request(owner, "POST", f"/orgs/{oid}/cars/{car['id']}/status", {"status": "reserved", "version": 1})
        payload, calls, seconds = b.invoke("on_cars_stream", stream.records(), "one change")
        puts = [c for c in calls if c.service == "s3" and c.op == "PutObject"]
        ddb = [c for c in calls if c.service == "dynamodb"]
        out["change"] = {"s3_puts": len(puts), "s3_bytes": sum(len(c.params.get("Body", b"")) for c in puts),
                         "rcu": sum(run.read_units(c) for c in ddb), "wcu": sum(run.write_units(c) for c in ddb),
                         "dynamodb_calls": len(ddb), "seconds": seconds, "failures": payload["batchItemFailures"]}
        anon = type(owner)(b.client, None, "")
        other = cars[0]
        status, _, calls = b.request(anon, "POST", f"/listing/{oid}/cars/{other['id']}/views",
                                     {"view_id": str(uuid.uuid4())})
        out["view"] = {"status": status, "rcu": sum(run.read_units(c) for c in calls),
                       "wcu": sum(run.write_units(c) for c in calls), "calls": len(calls)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cars", type=int, nargs="+", default=[100, 20_000])
    ap.add_argument("--moto", type=int, default=100, help="cars for the measured run under moto (0: skip)")
    args = ap.parse_args(argv)
    results = [measure(n, max(1, n // 100)) for n in args.cars]
    print("Public car listing: precomputed shards on S3 behind the CDN (shipped)\n")
    for r in results:
        print(f"## {r['cars']} cars, {r['dealers']} dealers, {r['makes']} makes, {r['objects']} objects "
              f"(largest {r['largest_object']:,} B); busiest make: {r['top_make']}")
        print(f"{'listing request':40} {'requests':>8} {'bytes':>9} {'gzip':>8} {'RCU':>4}")
        for name, v in r["per_request"].items():
            print(f"{name:40} {v['requests']:>8} {v['bytes']:>9,} {v['gzip']:>8,} {v['rcu']:>4}")
        print(f"one car's change in the busiest make ({r['cards_in_make']} cards), coalesced per stream batch:")
        for name, c in r["change"].items():
            print(f"  {name:22} {c['s3_puts']:>4} S3 puts {c['s3_bytes']:>10,} B {c['rcu']:>5} RCU {c['wcu']:>3} WCU"
                  f"  ${c['cost_per_1k']:.3f} per 1,000")
        d = r["ddb"]
        print(f"alternative, DynamoDB index per request: {d['page_rcu']} RCU for a page of {L.PAGE_SIZE}, "
              f"{d['filtered_rcu']} RCU with a price filter (items read, matched or not)")
        cost = r["cost_per_1m_views"]
        print(f"cost per 1M listing views: S3 + CDN ${cost['s3_cdn']:.2f}; API + Lambda + DynamoDB "
              f"${cost['dynamodb_api']:.2f}\n")
    if args.moto:
        m = moto_measure(args.moto)
        c, v = m["change"], m["view"]
        print(f"## measured under moto: {args.moto} public cars added through the API and streamed")
        print(f"one car reserved → one stream invocation: {c['s3_puts']} S3 puts ({c['s3_bytes']:,} B), "
              f"{c['dynamodb_calls']} DynamoDB calls, {c['rcu']:.1f} RCU, {c['wcu']:.0f} WCU, {c['seconds']:.2f} s, "
              f"failures {c['failures']}")
        print(f"one view (POST /listing/.../views): HTTP {v['status']}, {v['calls']} AWS calls, {v['rcu']:.1f} RCU, "
              f"{v['wcu']:.0f} WCU (the stream then counts it into the week's demand rollup)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
