"""Saved searches: a signed-in customer keeps the listing's filters and gets one email when a matching
car arrives in the listing or drops in price, once per car and search (`core.alerts.put_once`).

Matching runs on the cars stream, and reads only the searches that name the car's make: the index
`by_search_make` keys each search by make and model (`SEARCH#<make>#<model>`, or `#*` for any model),
so a car reads two partitions; the other filters are checked in code (`rules.listing.matches`)."""
from __future__ import annotations

import hmac
import html
import json
import secrets
from typing import Any, Mapping
from urllib.parse import urlencode

from ..core import clock
from ..core.alert_rules import firing_id
from ..core.alerts import outbox_message, put_once
from ..core.auth import Principal
from ..core.db import find
from ..core.errors import NotFound
from ..core.keys import user_pk
from ..core.settings import get_settings
from .models import SavedSearch, search_key
from .rules import listing as listing_rules
from .rules import trends as rules
from .schemas import CarSearchesOut, CarSearchIn, CarSearchOut

FIELDS = ("make", "model", "price_min", "price_max", "year_min", "year_max", "mileage_max", "fuel", "body_type",
          "location")


def search_out(s: SavedSearch) -> CarSearchOut:
    f = json.loads(s.filters)
    return CarSearchOut(id=s.id, name=s.name, created_at=s.created_at, **{k: f.get(k) for k in FIELDS})


def put_search(user: Principal, search_id: str, data: CarSearchIn) -> tuple[CarSearchOut, bool]:
    """Save (or replace) a search under a client-chosen id; (the search, whether it is new)."""
    existing = find(SavedSearch, *search_key(user.sub, search_id))
    filters = data.model_dump(exclude={"name"}, exclude_none=True)
    s = SavedSearch(*search_key(user.sub, search_id), id=search_id, sub=user.sub, email=user.email, name=data.name,
                    filters=json.dumps(filters, sort_keys=True),
                    token=existing.token if existing else secrets.token_hex(16),
                    created_at=existing.created_at if existing else clock.iso_now(),
                    search_pk=rules.search_partition(data.make, data.model), search_sk=f"{user.sub}#{search_id}")
    s.save()
    return search_out(s), existing is None


def my_searches(user: Principal) -> CarSearchesOut:
    rows = SavedSearch.query(user_pk(user.sub), SavedSearch.sk.startswith("CARSEARCH#"))
    return CarSearchesOut(items=[search_out(s) for s in sorted(rows, key=lambda s: s.created_at)])


def delete_search(user: Principal, search_id: str) -> None:
    s = find(SavedSearch, *search_key(user.sub, search_id))
    if s is None:
        raise NotFound("no such saved search", field="search_id")
    s.delete()


def delete_search_item(s: SavedSearch) -> None:
    s.delete()


def unsubscribe_target(sub: str, search_id: str, token: str) -> SavedSearch:
    s = find(SavedSearch, *search_key(sub, search_id))
    if s is None or not hmac.compare_digest(s.token, token):
        raise NotFound("this unsubscribe link is not valid", field="t")
    return s


def unsubscribe_link(s: SavedSearch) -> str:
    return f"{get_settings().api_url}/car-searches/unsubscribe?" + urlencode({"u": s.sub, "s": s.id, "t": s.token})


def candidates(make: str, model: str) -> list[SavedSearch]:
    """The searches a car of this make and model can match: two index Queries."""
    out: list[SavedSearch] = []
    for partition in rules.search_partitions(make, model):
        out.extend(SavedSearch.by_search_make.query(partition))
    return out


def _email(s: SavedSearch, card: Mapping[str, Any], event: str) -> Any:
    name = f"{card['year']} {card['make']} {card['model']} {card['trim']}".strip()
    what = "just arrived" if event == "arrived" else "dropped in price"
    subject = f"{name} {what}: {card['price']} {card['currency']}"
    page = f"{get_settings().dashboard_url}#/listing/{card['org_id']}/{card['id']}"
    label = s.name or "your saved search"
    text = (f"A car matching {label} {what}: {name}, {card['mileage']} {card['mileage_unit']}, {card['price']} "
            f"{card['currency']} at {card['dealer']}.\n\n{page}")
    body = (f"<p>A car matching {html.escape(label)} {what}: <a href=\"{html.escape(page)}\">{html.escape(name)}</a>, "
            f"{card['mileage']} {html.escape(card['mileage_unit'])}, {html.escape(card['price'])} "
            f"{html.escape(card['currency'])} at {html.escape(card['dealer'])}.</p>")
    return outbox_message(
        id=firing_id("car-search", s.sub, s.id, card["id"]), scope=user_pk(s.sub), recipient=s.email,
        alert_type="car-search", rule=f"car-search:{event}", threshold=event, period=card["id"],
        value=None, subject=subject, text=text, html=body,
        details={"search_id": s.id, "car_id": card["id"], "org_id": card["org_id"], "event": event},
        unsubscribe_url=unsubscribe_link(s))


def notify(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, dealer: str) -> int:
    """A car arriving in the listing or dropping in price: one email per matching search, once ever per
    car and search. Returns the emails written now."""
    event = rules.search_event(old, new)
    if event is None or new is None:
        return 0
    card = listing_rules.card(new, dealer)
    sent = 0
    for s in candidates(str(new["make"]), str(new["model"])):
        if listing_rules.matches(card, listing_rules.ListingFilters.of(json.loads(s.filters))):
            sent += put_once(_email(s, card, event))
    return sent
