"""The knowledge base on the help-desk stream: an article change rebuilds its desk's index once per
batch; a failed rebuild fails that desk's article records only (the tickets' emails of the same batch
still go), and the redelivered batch builds it; a draft saved again rebuilds nothing."""
from __future__ import annotations

import uuid

import pytest

from chalicelib.helpdesk import kb_index
from tests.desks import DeskWorld, make_desk
from tests.flows.test_helpdesk_flow import desk_mails


@pytest.fixture
def desk(client, alice, bob, monkeypatch) -> DeskWorld:
    monkeypatch.setattr(kb_index, "RECHECK_SECONDS", 0.0)
    kb_index.forget_indexes()
    return make_desk(client, alice, bob)


def _publish(desk: DeskWorld, title: str, status: str = "published") -> str:
    aid = str(uuid.uuid4())
    out = desk.agent.put(f"/orgs/{desk.oid}/kb/articles/{aid}",
                         {"title": title, "body": f"All about {title}.", "visibility": "public", "status": status})
    assert out[0] == 201, out
    return aid


def _found(desk: DeskWorld, q: str) -> list[str]:
    status, out = desk.agent.get(f"/orgs/{desk.oid}/kb/search?q={q}")
    assert status == 200, out
    return [h["id"] for h in out["items"]]


def test_a_failed_rebuild_fails_only_the_article_records_and_the_redelivery_builds_it(desk, pump, monkeypatch):
    pump.run()  # the desk's setup
    aid = _publish(desk, "Parcel lockers")
    status, _ = desk.file()
    assert status == 201
    batch = pump.helpdesk.records()
    article_seqs = [r["dynamodb"]["SequenceNumber"] for r in batch if r["dynamodb"]["Keys"]["sk"]["S"].startswith("KBART#")]
    assert len(article_seqs) == 1

    def broken(org_id: str) -> int:
        raise RuntimeError("S3 is down")

    real = kb_index.rebuild
    monkeypatch.setattr(kb_index, "rebuild", broken)
    assert pump.invoke("on_helpdesk_stream", batch) == {
        "batchItemFailures": [{"itemIdentifier": s} for s in article_seqs]}
    pump.run()
    assert [m["rule"] for m in desk_mails(desk.customer.email)] == ["ticket:received"]  # the ticket's email went
    assert _found(desk, "lockers") == []
    monkeypatch.setattr(kb_index, "rebuild", real)
    assert pump.invoke("on_helpdesk_stream", batch) == {"batchItemFailures": []}
    pump.run()
    assert _found(desk, "lockers") == [aid]
    assert [m["rule"] for m in desk_mails(desk.customer.email)] == ["ticket:received"]  # not sent twice


def test_only_changes_that_touch_published_articles_rebuild(desk, pump, monkeypatch):
    pump.run()
    built: list[str] = []
    real = kb_index.rebuild
    monkeypatch.setattr(kb_index, "rebuild", lambda org_id: built.append(org_id) or real(org_id))
    _publish(desk, "A draft", status="draft")
    pump.run()
    assert built == []
    _publish(desk, "Published")
    _publish(desk, "Published too")
    pump.run()
    assert built == [desk.oid]
