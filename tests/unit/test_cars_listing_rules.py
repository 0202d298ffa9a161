"""The public listing's pure rules: who is listed, what a card shows (and hides), filters, sorts, shards."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.cars.rules import listing as L

ORG = "0b9e1c2a-5d4f-4e8a-9c3b-2a1d0e9f8c7b"


def car(i: int = 1, **over) -> dict:
    base = {"pk": f"ORG#{ORG}", "sk": f"CAR#c{i}", "id": f"c{i}", "org_id": ORG, "vin": "1M8GDM9AXKP042788",
            "make": "Chevrolet", "model": "Malibu", "trim": "LT", "body_type": "sedan", "first_registration": "2019-04",
            "mileage": Decimal(42000), "mileage_unit": "mi", "fuel": "petrol", "gearbox": "automatic", "drive": "fwd",
            "engine_litres": Decimal("2.4"), "power_kw": Decimal(125), "doors": Decimal(4), "seats": Decimal(5),
            "colour": "silver", "previous_owners": Decimal(1), "damage": "none", "options": ["leather"],
            "condition": "good", "asking_price": Decimal("14500"), "currency": "USD", "location": "Main lot",
            "photos": ["p1.jpg"], "status": "in_stock", "public": True, "sold_price": None, "sale_id": None,
            "version": Decimal(3), "created_at": f"2026-01-{i % 28 + 1:02d}T10:00:00+00:00",
            "updated_at": "2026-02-01T00:00:00+00:00"}
    return {**base, **over}


def test_only_public_cars_in_stock_or_reserved_are_listed():
    assert L.is_listed(car())
    assert L.is_listed(car(status="reserved"))
    assert not L.is_listed(car(public=False))
    assert not L.is_listed(car(status="sold"))
    assert not L.is_listed(car(status="delivered"))
    assert not L.is_listed({"sk": "SALE#x", "public": True, "status": "in_stock"})
    assert not L.is_listed(None)


def test_a_card_shows_no_internal_field_and_only_the_vins_last_four():
    c = L.card(car(), "Corner Cars")
    for hidden in ("vin", "sold_price", "sale_id", "version", "updated_at", "pk", "sk", "asking_price"):
        assert hidden not in c
    assert c["vin_last4"] == "2788" and "1M8GDM9AX" not in str(c)
    assert c["price"] == "14500" and c["year"] == 2019 and c["dealer"] == "Corner Cars"
    assert c["make_key"] == "chevrolet" and c["photos"] == ["public/cars/photos/c1/p1.jpg"]
    assert ORG not in str(c["photos"])  # never the private bucket's key, nor a presigned URL


def test_filters_each_narrow_the_listing():
    c = L.card(car(), "d")
    assert L.matches(c, L.ListingFilters())
    yes = [L.ListingFilters(make="CHEVROLET"), L.ListingFilters(make="chevrolet", model="malibu"),
           L.ListingFilters(price_min=Decimal(14500), price_max=Decimal(14500)),
           L.ListingFilters(year_min=2019, year_max=2019), L.ListingFilters(mileage_max=42000),
           L.ListingFilters(fuel="petrol"), L.ListingFilters(body_type="sedan"), L.ListingFilters(location="main")]
    no = [L.ListingFilters(make="Ford"), L.ListingFilters(model="Impala"), L.ListingFilters(price_min=Decimal(14501)),
          L.ListingFilters(price_max=Decimal(14499)), L.ListingFilters(year_min=2020), L.ListingFilters(year_max=2018),
          L.ListingFilters(mileage_max=41999), L.ListingFilters(fuel="diesel"), L.ListingFilters(body_type="suv"),
          L.ListingFilters(location="harbour")]
    assert all(L.matches(c, f) for f in yes)
    assert not any(L.matches(c, f) for f in no)


def test_sorts_order_by_what_they_say():
    cards = [L.card(car(i, asking_price=Decimal(p), mileage=Decimal(m), first_registration=f"{y}-01"), "d")
             for i, p, m, y in ((1, 9000, 5, 2015), (2, 7000, 9, 2020), (3, 8000, 1, 2018))]
    assert [c["id"] for c in L.sort_cards(cards, "price_asc")] == ["c2", "c3", "c1"]
    assert [c["id"] for c in L.sort_cards(cards, "price_desc")] == ["c1", "c3", "c2"]
    assert [c["id"] for c in L.sort_cards(cards, "mileage_asc")] == ["c3", "c1", "c2"]
    assert [c["id"] for c in L.sort_cards(cards, "year_desc")] == ["c2", "c3", "c1"]
    assert [c["id"] for c in L.sort_cards(cards, "newest")] == ["c3", "c2", "c1"]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Malibu", "Impala", "Spark"]), st.integers(1000, 90000)), max_size=180))
def test_shards_hold_every_card_once_in_pages_no_larger_than_the_page_size(rows):
    cards = [L.card(car(i, model=m, asking_price=Decimal(p)), "d") for i, (m, p) in enumerate(rows)]
    docs, summary = L.make_shards("chevrolet", cards)
    make_pages = [d for path, d in docs.items() if path.count("/") == 4 and not path.endswith("ranges.json")]
    assert all(len(d["cards"]) <= L.PAGE_SIZE for d in docs.values() if "cards" in d)
    assert sorted(c["id"] for d in make_pages for c in d["cards"]) == sorted(c["id"] for c in cards)
    prices = [Decimal(c["price"]) for d in sorted(make_pages, key=lambda d: d["page"]) for c in d["cards"]]
    assert prices == sorted(prices)  # page ranges do not overlap: a price filter skips pages
    assert summary["count"] == len(cards) == sum(v["count"] for v in summary["models"].values())
    ranges = docs["public/cars/make/chevrolet/ranges.json"]
    assert sum(p[0] for p in ranges["pages"]) == len(cards) and summary["pages"] == len(make_pages)
    assert all(Decimal(p[2]) <= Decimal(q[1]) for p, q in zip(ranges["pages"], ranges["pages"][1:]) if p[0] and q[0])


def test_a_make_that_shrinks_deletes_its_pages_that_are_gone():
    many = [L.card(car(i, model="Malibu" if i % 2 else "Spark"), "d") for i in range(120)]
    _, before = L.make_shards("chevrolet", many)
    docs, _ = L.make_shards("chevrolet", many[:10:2])  # only Sparks left, one page
    gone = L.stale_paths("chevrolet", before, docs)
    assert "public/cars/make/chevrolet/3.json" in gone and "public/cars/make/chevrolet/malibu/1.json" in gone
    assert "public/cars/make/chevrolet/1.json" not in gone


def test_the_top_index_counts_makes_and_models_and_skips_empty_makes():
    idx = L.top_index({"ford": {"name": "Ford", "count": 0, "models": {}},
                       "chevrolet": {"name": "Chevrolet", "count": 3, "models": {"malibu": {"name": "Malibu",
                                                                                          "count": 3}}}}, "t")
    assert idx["total"] == 3 and list(idx["makes"]) == ["chevrolet"]


def test_photos_are_published_while_listed_and_withdrawn_when_the_car_leaves_the_listing():
    listed = car(photos=["a.jpg"])
    assert L.photo_changes(None, listed) == (["a.jpg"], [])
    assert L.photo_changes(listed, car(photos=["a.jpg", "b.png"])) == (["b.png"], [])
    assert L.photo_changes(listed, listed) == ([], [])  # an edit of a listed car copies nothing again
    assert L.photo_changes(listed, car(photos=["a.jpg"], status="sold")) == ([], ["a.jpg"])
    assert L.photo_changes(listed, car(photos=["a.jpg"], public=False)) == ([], ["a.jpg"])
    assert L.photo_changes(listed, None) == ([], ["a.jpg"])
    assert L.photo_changes(car(photos=["a.jpg"], public=False), car(photos=["a.jpg", "b.png"], public=False)) == ([], [])
    assert L.photo_changes(car(photos=["a.jpg"], status="sold"), car(photos=["a.jpg"], status="in_stock")) == (
        ["a.jpg"], [])


def test_a_cars_own_photos_taken_off_it_are_removed_listed_or_not_and_back_when_put_back():
    both = car(photos=["a.jpg", "b.png"], public=False)
    assert L.private_photo_changes(both, car(photos=["b.png"], public=False)) == (["a.jpg"], [])
    assert L.private_photo_changes(car(photos=["b.png"]), both) == ([], ["a.jpg"])
    assert L.private_photo_changes(both, car(photos=["b.png", "a.jpg"], status="sold")) == ([], [])  # sold: kept
    assert L.private_photo_changes(both, None) == (["a.jpg", "b.png"], [])  # a deleted car's photos
    assert L.private_photo_changes(None, both) == ([], ["a.jpg", "b.png"])
    assert L.private_photo_changes({"kind": "demand"}, None) == ([], [])  # not a car
