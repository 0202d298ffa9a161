"""New-product news (issue 13 item 6): follows with a signed double opt-in, one message per follower per
day at launch (a digest of several), idempotent reruns, unsubscribe, and "notify me" when back in stock."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

from chalicelib.core import clock
from local.lambda_events import scheduled_event
from tests.flows.test_shop_sms import no_texts_yet, outbox, sns_texts  # noqa: F401 (the fixture too)
from tests.shops import make_shop_world

DAY = datetime(2026, 12, 1, 7, tzinfo=timezone.utc)
PHONE = "+447911123457"


def job(client, name: str) -> dict:
    return client.lambda_.invoke(name, scheduled_event(name, "us-east-1", clock.iso_now())).payload


def news_mails(to: str | None = None, rule: str | None = None) -> list[dict]:
    return [m for m in outbox() if m["alert_type"] == "shop-news" and (to is None or m["recipient"] == to)
            and (rule is None or m["rule"] == rule)]


def link_query(text: str, action: str) -> dict:
    url = re.search(rf"(http\S+/follows/{action}\?\S+)", text).group(1)
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def follow(world, email: str, **body) -> tuple[int, dict]:
    return world.anon.post(f"/shops/{world.handle}/follows", {"email": email, **body})


def page_text(body) -> str:
    return body.decode() if isinstance(body, bytes) else str(body)


def confirm(world, email: str) -> str:
    """Open the confirmation link of each confirmation email this address got (a page with a button, which
    confirms nothing by itself) and press the button (POST)."""
    for m in news_mails(email, "follow:confirm"):
        q = link_query(m["text"], "confirm")
        url = f"/shops/{world.handle}/follows/confirm?c={q['c']}&f={q['f']}&s={q['s']}"
        status, page = world.anon.get(url)
        assert status == 200 and "Yes, send me news" in page_text(page), page
        status, page = world.anon.call("POST", url, raw=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200 and "You will hear of new products" in page_text(page), page
    return page_text(page)


def add_product(world, sku: str, name: str, brand: str = "", category: str = "kitchen", stock: int = 5) -> str:
    status, p = world.owner.post(f"/orgs/{world.oid}/products", {
        "sku": sku, "name": name, "price": "20.00", "cost": "5.00", "currency": "EUR", "brand": brand})
    assert status == 201, p
    if stock:
        assert world.owner.put(f"/orgs/{world.oid}/movements/{uuid.uuid4()}", {
            "kind": "receive", "product_id": p["id"], "location_id": world.store, "quantity": str(stock),
            "unit_cost": "5.00"})[0] == 201
    assert world.owner.put(f"/orgs/{world.oid}/shop/listings/{p['id']}", {"category": category})[0] == 200
    return p["id"]


def test_a_follower_gets_one_digest_for_two_launches_and_a_rerun_sends_nothing(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    status, out = follow(world, "fan@example.com", kind="category", category="kitchen")
    assert status == 202 and out["status"] == "pending"
    assert follow(world, "fan@example.com", kind="brand", brand="  Acme ")[0] == 202
    assert follow(world, "lurker@example.com", kind="shop")[0] == 202  # never confirms: hears nothing
    assert len(news_mails("fan@example.com", "follow:confirm")) == 2
    assert world.staff.get(f"/orgs/{world.oid}/shop/followers")[1]["counts"] == {}  # nobody confirmed yet
    page = confirm(world, "fan@example.com")
    assert "the brand acme" in page or "the category kitchen" in page
    a = add_product(world, "TEA-1", "Teapot", brand="ACME")
    b = add_product(world, "CUP-1", "Cup")
    for p in (a, b):
        status, launch = world.manager.put(f"/orgs/{world.oid}/shop/launches/{p}", {"launch_on": "2026-12-01"})
        assert status == 200 and launch["status"] == "scheduled", launch
    clock.set_now(DAY + timedelta(hours=1))
    got = job(client, "announce_launches")
    assert (got["due"], got["messages"]) == (2, 1)
    pump.run()
    mails = news_mails("fan@example.com", "launch")
    assert len(mails) == 1 and mails[0]["status"] == "sent"
    assert "Teapot" in mails[0]["text"] and "Cup" in mails[0]["text"] and "unsubscribe" in mails[0]["text"].lower()
    assert news_mails("lurker@example.com", "launch") == []
    assert job(client, "announce_launches") == {"due": 0, "messages": 0, "deferred": 0}
    # a rerun of the same day's work (the launches put back on the list) sends nothing twice
    from chalicelib.shop import news

    launches = [news.Launch.get(*news.launch_key(world.oid, p)) for p in (a, b)]
    assert news.announce(world.oid, launches, "2026-12-01") == {"messages": 0, "deferred": 0}
    sent = world.staff.get(f"/orgs/{world.oid}/shop/news")[1]["items"]
    assert [(n["kind"], n["recipient"], sorted(n["product_ids"])) for n in sent] == [
        ("launch", "fan@example.com", sorted([a, b]))]
    followers = world.staff.get(f"/orgs/{world.oid}/shop/followers")[1]
    assert followers["counts"] == {"category:kitchen": 1, "brand:acme": 1} and len(followers["items"]) == 3


def test_a_launch_published_after_todays_message_waits_for_tomorrow(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    follow(world, "fan@example.com", kind="shop")
    confirm(world, "fan@example.com")
    a = add_product(world, "TEA-1", "Teapot")
    world.manager.put(f"/orgs/{world.oid}/shop/launches/{a}", {"launch_on": "2026-12-01"})
    assert job(client, "announce_launches")["messages"] == 1
    b = add_product(world, "CUP-1", "Cup")
    world.manager.put(f"/orgs/{world.oid}/shop/launches/{b}", {"launch_on": "2026-12-01"})
    assert job(client, "announce_launches") == {"due": 1, "messages": 0, "deferred": 1}  # one a day
    clock.set_now(DAY + timedelta(days=1))
    assert job(client, "announce_launches") == {"due": 1, "messages": 1, "deferred": 0}
    texts = [m["text"] for m in news_mails("fan@example.com", "launch")]
    assert len(texts) == 2 and "Teapot" in texts[0] + texts[1] and "Cup" in texts[0] + texts[1]


def test_sms_followers_get_a_text_and_unsubscribe_ends_every_follow(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    status, out = follow(world, "texter@example.com", kind="shop", channel="sms", phone="+44 7911 123457")
    assert status == 202, out
    confirm(world, "texter@example.com")
    from chalicelib.core.sms import consent

    assert consent(PHONE).opted_in_source == f"shop-follow:{world.oid}"
    a = add_product(world, "TEA-1", "Teapot")
    world.manager.put(f"/orgs/{world.oid}/shop/launches/{a}", {"launch_on": "2026-12-01"})
    job(client, "announce_launches")
    pump.run()
    assert len(sns_texts(PHONE)) == 1 and "Teapot" in sns_texts(PHONE)[0][1]
    # the confirmation email carries the unsubscribe link's key too: any follow's signed link ends them all
    follow(world, "fan@example.com", kind="shop")
    confirm(world, "fan@example.com")
    c = link_query(news_mails("fan@example.com", "follow:confirm")[-1]["text"], "confirm")
    from chalicelib.shop import news
    from chalicelib.shop.rules.news import link_signature

    f = news.Follow.get(*news.follow_key(world.oid, c["c"], c["f"]))
    sig = link_signature(f.link_key, "unsubscribe", world.oid, f.id)
    bad = world.anon.post(f"/shops/{world.handle}/follows/unsubscribe?c={c['c']}&f={c['f']}&s={'0' * 64}")
    assert bad[0] == 404 and bad[1]["error"]["field"] == "s"
    # a confirm link's signature does not unsubscribe
    assert world.anon.post(f"/shops/{world.handle}/follows/unsubscribe?c={c['c']}&f={c['f']}&s={c['s']}")[0] == 404
    url = f"/shops/{world.handle}/follows/unsubscribe?c={c['c']}&f={c['f']}&s={sig}"
    assert "Stop all news" in page_text(world.anon.get(url)[1])
    assert world.staff.get(f"/orgs/{world.oid}/shop/followers")[1]["counts"] == {"shop": 2}  # the GET changed nothing
    status, page = world.anon.post(url)
    assert status == 200 and "1 follow ended" in page_text(page)
    # following again restarts the double opt-in with a new confirmation email
    status, out = follow(world, "fan@example.com", kind="shop")
    assert (status, out["status"]) == (202, "pending")
    assert len(news_mails("fan@example.com", "follow:confirm")) == 2
    assert world.staff.get(f"/orgs/{world.oid}/shop/followers")[1]["counts"] == {"shop": 1}


def test_bad_follows_name_the_field_and_write_nothing(client, alice, bob):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    cases = [({"kind": "category", "category": "garden"}, "category"),
             ({"kind": "category"}, "category"),
             ({"kind": "shop", "channel": "sms", "phone": "+44 12"}, "phone"),
             ({"kind": "shop", "channel": "sms"}, "phone"),
             ({"kind": "shop", "channel": "sms", "phone": "+1 555 0100 999"}, "phone"),
             ({"kind": "planet"}, "kind")]
    for body, field in cases:
        status, err = follow(world, "fan@example.com", **body)
        assert (status, err["error"]["field"]) == (400, field), (body, err)
    assert world.staff.get(f"/orgs/{world.oid}/shop/followers")[1]["items"] == []
    assert news_mails() == []
    assert world.staff.put(f"/orgs/{world.oid}/shop/launches/{world.product}", {"launch_on": "2026-12-01"})[0] == 403
    assert world.manager.put(f"/orgs/{world.oid}/shop/launches/nope", {"launch_on": "2026-12-01"})[0] == 404
    assert world.manager.put(f"/orgs/{world.oid}/shop/launches/{world.product}",
                             {"launch_on": "2026-13-45"})[1]["error"]["field"] == "launch_on"
    assert world.outsider.get(f"/orgs/{world.oid}/shop/followers")[0] == 404


def test_notify_me_sends_one_message_when_the_product_is_back(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    p = add_product(world, "RARE-1", "Rare vase", stock=0)
    url = f"/shops/{world.handle}/products/{p}/notify"
    assert world.anon.post(url, {"email": "want@example.com"})[1]["status"] == "waiting"
    assert world.anon.post(url, {"channel": "sms", "phone": PHONE})[0] == 202
    assert world.anon.post(url, {"channel": "sms", "phone": "12345"})[1]["error"]["field"] == "phone"
    assert world.anon.post(f"/shops/{world.handle}/products/nope/notify", {"email": "w@example.com"})[0] == 404
    assert job(client, "notify_restocked") == {"waiting": 2, "products_back": 0, "sent": 0}
    assert world.owner.put(f"/orgs/{world.oid}/movements/{uuid.uuid4()}", {
        "kind": "receive", "product_id": p, "location_id": world.store, "quantity": "3", "unit_cost": "5.00"})[0] == 201
    assert job(client, "notify_restocked") == {"waiting": 2, "products_back": 1, "sent": 2}
    assert job(client, "notify_restocked") == {"waiting": 0, "products_back": 0, "sent": 0}
    pump.run()
    assert len(news_mails("want@example.com", "restock")) == 1
    assert len(sns_texts(PHONE)) == 1 and "back in stock" in sns_texts(PHONE)[0][1]
    assert world.anon.post(url, {"email": "want@example.com"})[1]["status"] == "sent"
