"""Issue 12's "Done when" in real Chromium against the local stack: a dealer adds a car from its attributes
(a bad mileage refused under its field) and sees its estimate with the P10-P90 range and the factors; a
customer on a phone, not signed in, finds it through the public listing's filters (the documents the cars
stream published, served as the CDN serves them, with the car's photo a public copy, never a presigned
URL), books a test drive, and gets the confirmation email with its calendar invite through SES; a second
booking of that slot is refused, from the page's form and when two requests for one slot arrive at once;
selling the car moves the price index on the trends page. Along the way, on a phone: the dealer uploads
photos from the edit page (refused types and sizes under the field, thumbnails, the cover, a removal), sets
the aging-stock rules, and a signed-in visitor saves the listing's filters and deletes the search."""
from __future__ import annotations

import base64
import email
import email.policy
import json
import re
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.e2e.http import call
from tests.e2e.test_dashboard import browser, confirm, field_error  # noqa: F401
from tests.e2e.test_local_stack import wait_for
from tests.e2e.test_ui_pages import axe_violations, new_page, settle, sideways, sign_in

PASSWORD = "Sup3r-secret-pw"
EVERY_DAY = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
# a 1x1 PNG, so the public page's <img> really decodes the published copy
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def person(api: str, name: str) -> dict:
    address = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
    status, out, _ = call("POST", f"{api}/auth/sign-up", {"email": address, "password": PASSWORD, "name": name})
    assert status == 201, out
    token = call("POST", f"{api}/auth/sign-in", {"email": address, "password": PASSWORD})[1]["id_token"]
    return {"email": address, "token": token}


def ses_raw_to(out: dict, address: str) -> list[email.message.EmailMessage]:
    """Every message SES (the local moto server) really sent to one address, parsed from its raw MIME."""
    with urllib.request.urlopen(f"{out['aws_endpoint_url']}/moto-api/data.json", timeout=30) as r:
        data = json.loads(r.read())
    return [email.message_from_string(m["raw_data"], policy=email.policy.default)
            for m in data.get("ses", {}).get("RawMessage", []) if address in (m.get("destinations") or [])]


def site_status(dash: str, path: str) -> int:
    try:
        with urllib.request.urlopen(f"{dash.rstrip('/')}/public/cars/{path}", timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def site_json(dash: str, path: str) -> dict | None:
    """A listing document from the dashboard's site, as the browser (and the CDN) gets it."""
    try:
        with urllib.request.urlopen(f"{dash.rstrip('/')}/public/cars/{path}", timeout=30) as r:
            return json.loads(r.read())
    except OSError:
        return None


def test_a_car_from_its_attributes_to_a_booked_test_drive_and_a_sale_that_moves_the_price_index(browser, local_stack):  # noqa: F811
    api, dash = local_stack["api_url"], local_stack["dashboard_url"]
    tag = uuid.uuid4().hex[:6]
    model, lot = f"Malibu {tag}", f"Harbour lot {tag}"
    dealer = person(api, "Dana Dealer")
    oid = call("POST", f"{api}/orgs", {"name": f"Harbour Motors {tag}"}, dealer["token"])[1]["org_id"]
    status, loc, _ = call("PUT", f"{api}/orgs/{oid}/booking-locations/main", {
        "name": "Harbour showroom", "time_zone": "UTC", "slot_minutes": 60, "kinds": ["test_drive"],
        "hours": EVERY_DAY}, dealer["token"])
    assert status == 201, loc

    # ---- the dealer adds the car from its attributes and sees its estimate
    d_ctx, d = new_page(browser, 1366, 900)
    sign_in(d, dash, dealer["email"], PASSWORD)
    d.goto(f"{dash}#/cars/edit")
    form = d.locator("#car-form")
    expect(form).to_be_visible()
    form.get_by_label("VIN").fill("1g1zd5st6kf100001")  # North American: its check digit is right
    form.get_by_label("Make").fill("Chevrolet")
    form.get_by_label("Model").fill(model)
    form.get_by_label("Trim").fill("LT")
    form.get_by_label("Body").select_option("sedan")
    form.get_by_label("First registration").fill("2019-04")
    form.get_by_label("Mileage", exact=True).fill("-5")
    form.get_by_label("Mileage unit").select_option("mi")
    form.get_by_label("Fuel").select_option("petrol")
    form.get_by_label("Gearbox").select_option("automatic")
    form.get_by_label("Cylinders").fill("4")
    form.get_by_label("Doors").fill("4")
    form.get_by_label("Asking price").fill("15900.00")
    form.get_by_label("Currency").select_option("USD")
    form.get_by_label("Location").fill(lot)
    form.get_by_label("Leather").check()
    form.get_by_label("Cruise control").check()
    form.get_by_role("button", name="Add car").click()
    # the API refuses the mileage, naming it: shown under the field, nothing written
    expect(field_error(form, "Mileage")).to_have_text("Enter 0 or more.")
    assert call("GET", f"{api}/orgs/{oid}/cars", None, dealer["token"])[1]["items"] == []
    form.get_by_label("Mileage", exact=True).fill("42000")
    form.get_by_role("button", name="Add car").click()
    detail = d.locator("#car-detail")
    expect(detail).to_be_visible()
    car_id = detail.get_attribute("data-id")
    expect(d.locator("#car-title")).to_have_text(f"2019 Chevrolet {model} LT")
    for figure in ("#p10", "#p50", "#p90"):
        expect(d.locator(figure)).to_have_text(re.compile(r"^\$[\d,]+(\.\d\d)?$"))
    p10, p50, p90 = (float(d.locator(f).inner_text().replace("$", "").replace(",", "")) for f in ("#p10", "#p50", "#p90"))
    assert 0 < p10 < p50 < p90
    factors = d.locator("#factors-table tbody tr")
    expect(factors.first).to_be_visible()
    features = factors.evaluate_all("(rows) => rows.map((r) => r.dataset.feature)")
    assert "mileage_km" in features and "option:leather" in features, features
    expect(d.locator("#valuation-model")).to_contain_text("starter model")
    settle(d)
    assert axe_violations(d) == []
    # the stock list shows the car with its days on lot and its estimate against the asking price
    d.goto(f"{dash}#/cars")
    row = d.locator(f'#stock-table tbody tr[data-id="{car_id}"]')
    expect(row.locator("td.days")).to_have_text("0")
    expect(row.locator("td.against")).to_have_text(re.compile(r"^[+-]?\d+\.\d %$"))
    settle(d)
    assert axe_violations(d) == []

    # photos from the edit page, on a phone: a wrong type and an oversized file refused under the field; two
    # uploaded straight to the private bucket (grant, the browser's POST, confirm), shown as thumbnails
    # through presigned GETs; the cover chosen (once over another manager's change), the first removed; the car
    # still saves after
    d.set_viewport_size({"width": 375, "height": 740})
    d.goto(f"{dash}#/cars/edit?id={car_id}")
    photos = d.locator("#photo-form")
    expect(d.locator("#no-photos")).to_be_visible()
    picker = photos.get_by_label("Add photos")
    picker.set_input_files(files=[{"name": "car.gif", "mimeType": "image/gif", "buffer": b"GIF89a"}])
    photos.get_by_role("button", name="Upload photos").click()
    expect(field_error(photos, "Add photos")).to_have_text("car.gif: only JPEG, PNG or WebP pictures.")
    picker.set_input_files(files=[{"name": "big.png", "mimeType": "image/png", "buffer": b"0" * 10_000_001}])
    photos.get_by_role("button", name="Upload photos").click()
    expect(field_error(photos, "Add photos")).to_have_text("big.png is 10.0 MB: at most 10 MB a photo.")
    picker.set_input_files(files=[{"name": "front.png", "mimeType": "image/png", "buffer": PNG},
                                  {"name": "side.png", "mimeType": "image/png", "buffer": PNG}])
    photos.get_by_role("button", name="Upload photos").click()
    expect(d.locator("#message")).to_have_text("2 photos added.")
    thumbs = d.locator("#car-photos li[data-photo]")
    expect(thumbs).to_have_count(2)
    first_id, second_id = thumbs.evaluate_all("(li) => li.map((x) => x.dataset.photo)")
    expect(thumbs.first.locator(".badge")).to_have_text("Cover")
    for i in range(2):  # the presigned GETs really load (the page's img-src allows the bucket)
        wait_for(lambda: thumbs.nth(i).locator("img").evaluate("(img) => img.complete && img.naturalWidth") == 1, timeout=30)
    # another manager puts photo 2 first meanwhile: the page's own click then conflicts (409 with the car as it
    # is), and the page shows that order instead of an error it cannot act on; choosing again succeeds
    version = call("GET", f"{api}/orgs/{oid}/cars/{car_id}", None, dealer["token"])[1]["version"]
    assert call("PUT", f"{api}/orgs/{oid}/cars/{car_id}/photo-order",
                {"photo_ids": [second_id, first_id], "version": version}, dealer["token"])[0] == 200
    thumbs.nth(1).get_by_role("button", name="Make photo 2 the cover").click()
    expect(d.locator("#message")).to_have_text(
        "This car changed meanwhile: its photos are shown as they are now. Choose the cover again.")
    expect(thumbs.first).to_have_attribute("data-photo", second_id)
    thumbs.nth(1).get_by_role("button", name="Make photo 2 the cover").click()
    expect(d.locator("#message")).to_have_text("Cover photo set: the listing shows it first.")
    expect(thumbs.first).to_have_attribute("data-photo", first_id)
    thumbs.first.get_by_role("button", name="Remove photo 1").click()
    confirm(d, "Remove photo")
    expect(thumbs).to_have_count(1)
    expect(thumbs.first).to_have_attribute("data-photo", second_id)
    settle(d)
    assert sideways(d) is None and axe_violations(d) == []
    d.locator("#car-form").get_by_label("Colour").fill("Silver")
    d.locator("#car-form").get_by_role("button", name="Save car").click()  # the version after the photo changes
    expect(d.locator("#car-detail")).to_be_visible()
    d.set_viewport_size({"width": 1366, "height": 900})
    car_now = call("GET", f"{api}/orgs/{oid}/cars/{car_id}", None, dealer["token"])[1]
    assert car_now["colour"] == "Silver" and [p["id"] for p in car_now["photos"]] == [second_id], car_now
    grant = {"photo_id": second_id}
    published = wait_for(lambda: (site_json(dash, f"car/{car_id}.json") or {}).get("photos"), timeout=120)
    assert published == [f"public/cars/photos/{car_id}/{second_id}.png"], published
    assert site_status(dash, f"photos/{car_id}/{first_id}.png") == 404  # removed: never published or withdrawn

    # the aging-stock rules: the defaults until saved, a bad value refused under its field
    d.goto(f"{dash}#/cars/aging")
    expect(d.locator("#aging-rules-now")).to_contain_text("The defaults (not saved yet): 60 days")
    aging = d.locator("#aging-form")
    aging.get_by_label("Days on the lot").fill("0")
    aging.get_by_role("button", name="Save rules").click()
    expect(field_error(aging, "Days on the lot")).to_have_text("Enter a whole number of days from 1 to 730.")
    aging.get_by_label("Days on the lot").fill("45")
    aging.get_by_label("Estimate below asking (%)").fill("5")
    aging.get_by_role("button", name="Save rules").click()
    expect(d.locator("#message")).to_contain_text("Saved: a car is flagged after 45 days")
    expect(d.locator("#aging-rules-now")).to_contain_text("Your rules: 45 days on the lot, or an estimate 5 % below")
    expect(d.locator(f'#aging-table tbody tr[data-id="{car_id}"] td.days')).to_have_text("0")
    saved = call("GET", f"{api}/orgs/{oid}/car-settings", None, dealer["token"])[1]
    assert (saved["aging_days"], saved["estimate_gap"]) == (45, "0.05"), saved
    settle(d)
    assert axe_violations(d) == []
    model_key = model.lower().replace(" ", "-")
    assert wait_for(lambda: model_key in ((site_json(dash, "index.json") or {}).get("makes", {}).get("chevrolet", {})
                                          .get("models", {})), timeout=120)
    assert site_status(dash, published[0].removeprefix("public/cars/")) == 200

    # ---- a customer on a phone, not signed in, finds it through the listing's filters
    c_ctx, c = new_page(browser, 375, 740)
    c.goto(f"{dash}#/listing")
    filters = c.locator("#listing-filters")
    expect(filters).to_be_visible()
    filters.get_by_label("Make").select_option("chevrolet")
    filters.get_by_label("Model").select_option(model_key)
    filters.get_by_label("Price from").fill("15000")
    filters.get_by_label("Price to").fill("16000")
    filters.get_by_label("Year from").fill("2018")
    filters.get_by_label("Year to").fill("2020")
    filters.get_by_label("Mileage up to").fill("50000")
    filters.get_by_label("Fuel").select_option("petrol")
    filters.get_by_label("Body").select_option("sedan")
    filters.get_by_label("Location").fill(lot)
    filters.get_by_label("Sort").select_option("price_asc")
    filters.get_by_role("button", name="Show cars").click()
    results = c.locator("#listing-results li")
    expect(results).to_have_count(1)
    expect(results.first).to_have_attribute("data-id", car_id)
    expect(results.first.locator(".price")).to_have_text("$15,900.00")
    # a filter it does not pass leaves it out
    found_url = c.url
    assert "price_max=16000" in found_url and "location=" in found_url
    c.goto(found_url.replace("price_max=16000", "price_max=15000"))
    expect(c.locator("#listing-count")).to_have_text("No car matches these filters.")
    c.goto(found_url)
    expect(results).to_have_count(1)
    expect(c.locator("#save-search-hint")).to_contain_text("Sign in to save this search")
    settle(c)
    assert sideways(c) is None and axe_violations(c) == []
    results.first.locator("a").click()
    page = c.locator("#car-for-sale")
    expect(page).to_be_visible()
    photo = c.locator("#car-photos img").first
    expect(photo).to_have_attribute("src", f"public/cars/photos/{car_id}/{grant['photo_id']}.png")
    wait_for(lambda: photo.evaluate("(img) => img.complete && img.naturalWidth") == 1, timeout=30)
    assert "X-Amz" not in c.content()
    settle(c)
    assert sideways(c) is None and axe_violations(c) == []

    # ---- books a test drive; a second booking of that slot is refused
    day = (datetime.now(timezone.utc) + timedelta(days=7)).date().isoformat()
    start = f"{day}T10:00:00Z"
    other_ctx, other = new_page(browser, 375, 740)  # a second customer who opened the same slot list
    other.goto(c.url)
    for p in (c, other):
        p.locator("#drive-day").fill(day)
        booking = p.locator("#booking-form")
        expect(booking.get_by_label("Time").locator(f'option[value="{start}"]')).to_have_count(1)
        booking.get_by_label("Time").select_option(start)
    customer = f"casey-{tag}@example.com"
    booking = c.locator("#booking-form")
    booking.get_by_label("Your name").fill("Casey Customer")
    booking.get_by_label("Your email").fill(customer)
    booking.get_by_role("button", name="Book a test drive").click()
    expect(c.locator("#booking-confirmation")).to_contain_text("at 10:00 (Harbour showroom)")
    assert sideways(c) is None
    late = other.locator("#booking-form")
    late.get_by_label("Your name").fill("Lee Late")
    late.get_by_label("Your email").fill(f"lee-{tag}@example.com")
    late.get_by_role("button", name="Book a test drive").click()
    expect(field_error(late, "Time")).to_have_text("Someone has just booked this time: choose another.")
    expect(late.get_by_label("Time").locator(f'option[value="{start}"]')).to_have_count(0)
    # two bookings of one slot fired at once from the page: one wins, the other is 409 naming `start`
    both = c.evaluate("""async ({api, oid, car, start}) => {
        const book = (who) => fetch(`${api}/dealers/${oid}/bookings`, {method: "POST",
            headers: {"Content-Type": "application/json"},
            body: JSON.stringify({kind: "test_drive", location_id: "main", start, car_id: car, name: who,
                                  email: `${who}@example.com`})})
            .then(async (r) => [r.status, await r.json()]);
        return Promise.all([book("ann"), book("bo")]);
    }""", {"api": api, "oid": oid, "car": car_id, "start": f"{day}T11:00:00Z"})
    assert sorted(s for s, _ in both) == [201, 409], both
    assert [b["error"]["field"] for s, b in both if s == 409] == ["start"]

    # the confirmation email left through SES with its calendar invite
    mails = wait_for(lambda: ses_raw_to(local_stack, customer), timeout=120)
    assert len(mails) == 1, mails
    invites = [p for p in mails[0].walk() if p.get_content_type() == "text/calendar"]
    assert len(invites) == 1 and invites[0].get_filename() == "booking.ics"
    ics = invites[0].get_content()
    assert "BEGIN:VEVENT" in ics and f"DTSTART:{day.replace('-', '')}T100000Z" in ics, ics
    assert ses_raw_to(local_stack, f"lee-{tag}@example.com") == []

    # the enquiry form: the dealer hears of it
    enquiry = c.locator("#enquiry-form")
    enquiry.get_by_label("Your name").fill("Casey Customer")
    enquiry.get_by_label("Your email").fill(customer)
    enquiry.get_by_label("Your question").fill("Is the service history complete?")
    enquiry.get_by_role("button", name="Send the question").click()
    expect(c.locator("#enquiry-sent")).to_be_visible()
    assert wait_for(lambda: [m for m in ses_raw_to(local_stack, dealer["email"]) if "Enquiry" in str(m["Subject"])],
                    timeout=120)

    # the dealer's calendar shows the booking on its slot
    d.goto(f"{dash}#/cars/bookings?day={day}")
    booked = d.locator(f'#day-table tbody tr.booked[data-start="{start}"]')
    expect(booked).to_contain_text("Casey Customer")
    settle(d)
    assert axe_violations(d) == []

    # a signed-in visitor (the dealer, on the phone) saves the listing's filters and deletes the search again
    d.set_viewport_size({"width": 375, "height": 740})
    d.goto(f"{dash}#/listing?make=chevrolet&model={model_key}&price_max=20000")
    save = d.locator("#save-search")
    save.get_by_label("Name this search (optional)").fill("<b>cheap</b>")
    save.get_by_role("button", name="Save this search").click()
    expect(field_error(save, "Name this search (optional)")).to_have_text("Write the name without < or >.")
    save.get_by_label("Name this search (optional)").fill("Malibu under 20k")
    save.get_by_role("button", name="Save this search").click()
    expect(d.locator("#message")).to_contain_text("Search saved")
    [mine] = call("GET", f"{api}/me/car-searches", None, dealer["token"])[1]["items"]
    assert (mine["name"], mine["make"], mine["model"], mine["price_max"]) == ("Malibu under 20k", "chevrolet", model_key, "20000")
    d.goto(f"{dash}#/listing/searches")
    row = d.locator(f'#searches-table tbody tr[data-id="{mine["id"]}"]')
    expect(row.get_by_role("link", name="Malibu under 20k")).to_have_attribute("href", re.compile(r"make=chevrolet"))
    settle(d)
    assert sideways(d) is None and axe_violations(d) == []
    row.get_by_role("button", name="Delete the search Malibu under 20k").click()
    confirm(d, "Delete search")
    expect(d.locator("main")).to_contain_text("No saved searches yet.")
    assert call("GET", f"{api}/me/car-searches", None, dealer["token"])[1]["items"] == []
    d.set_viewport_size({"width": 1366, "height": 900})

    # ---- selling the car moves the price index on the trends page
    key = f"chevrolet/{model_key}"
    d.goto(f"{dash}#/cars/car?id={car_id}")
    sale = d.locator("#sale-form")
    sale.get_by_label("Sold price (USD)").fill("15500.00")
    sale.get_by_role("button", name="Record the sale").click()
    expect(d.locator("#message")).to_have_text("Sold for $15,500.00.")

    def index_shown() -> str | None:
        d.goto(f"{dash}#/cars/trends?model={key}")
        d.reload()
        settle(d)
        row = d.locator("#price-index-table tbody tr").last
        if not row.count() or row.locator("td.sold").inner_text() != "1":
            return None
        return row.locator("td.index").inner_text()

    shown = wait_for(index_shown, timeout=180, every=2)
    assert shown and shown != "–", shown
    sold_month = datetime.now(timezone.utc).strftime("%Y-%m")
    expected = round(15500 / p50 * 100, 1)
    assert abs(float(shown) - expected) <= 0.2, (shown, expected)
    expect(d.locator(f'#price-index-table tbody tr[data-month="{sold_month}"] td.index')).to_have_text(shown)
    assert axe_violations(d) == []
    # the trends page on a phone: no sideways scroll
    d.set_viewport_size({"width": 375, "height": 740})
    settle(d)
    assert sideways(d) is None
    for path in ("/cars", f"/cars/car?id={car_id}", f"/cars/edit?id={car_id}", f"/cars/bookings?day={day}", "/cars/aging"):
        d.goto(f"{dash}#{path}")
        expect(d.locator(f'main[data-page="{path.split("?")[0]}"]')).to_be_visible()
        settle(d)
        assert sideways(d) is None, (path, sideways(d))
    # and the car leaves the public listing, its photo withdrawn
    assert wait_for(lambda: site_json(dash, f"car/{car_id}.json") == {"id": car_id, "listed": False}, timeout=120)
    assert site_status(dash, f"photos/{car_id}/{grant['photo_id']}.png") == 404
    for ctx in (d_ctx, c_ctx, other_ctx):
        ctx.close()
