"""core.db's record lookups: `find` (None when missing) and `get_or` (the caller's domain error),
each GetItem consistent when asked, as the modules' lookups of a record they then change need."""
from __future__ import annotations

import pytest

from chalicelib.core.db import find, get_or
from chalicelib.core.errors import NotFound
from chalicelib.core.models import Profile
from chalicelib.core.profiles import ensure_profile, profile_key


@pytest.fixture
def sent_get_items(aws):
    """The ConsistentRead parameter of every GetItem the Profile model sends (as botocore builds it)."""
    seen: list[bool | None] = []
    events = Profile._get_connection().connection.client.meta.events

    def record(params, **_):
        seen.append(params.get("ConsistentRead"))

    events.register("provide-client-params.dynamodb.GetItem", record)
    yield seen
    events.unregister("provide-client-params.dynamodb.GetItem", record)


def _profile(sub: str, seen: list[bool | None]) -> None:
    ensure_profile(sub, f"{sub}@example.com")
    seen.clear()


def test_find_gives_the_item_or_none_and_reads_consistently_only_when_asked(sent_get_items):
    _profile("kept", sent_get_items)
    assert find(Profile, *profile_key("kept")).email == "kept@example.com"
    assert find(Profile, *profile_key("nobody")) is None
    assert find(Profile, *profile_key("kept"), consistent_read=True).sub == "kept"
    assert find(Profile, *profile_key("nobody"), consistent_read=True) is None
    assert sent_get_items == [False, False, True, True]


def test_get_or_raises_the_callers_error_when_missing_and_passes_consistent_read(sent_get_items):
    _profile("there", sent_get_items)
    assert get_or(Profile, *profile_key("there"), lambda: NotFound("x", field="sub"), consistent_read=True).sub == "there"
    with pytest.raises(NotFound) as exc:
        get_or(Profile, *profile_key("gone"), lambda: NotFound("no such profile", field="sub"))
    assert exc.value.field == "sub"
    assert sent_get_items == [True, False]
