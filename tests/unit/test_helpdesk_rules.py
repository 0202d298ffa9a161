"""The help desk's pure rules: the status workflow, the load counter it moves, who gets the next
ticket, canned-reply placeholders, the ticket's reply-to address, the emails' text."""
from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.errors import Conflict, InvalidInput
from chalicelib.helpdesk import rules
from chalicelib.helpdesk.rules import AgentLoad


# ------------------------------------------------------------------ statuses
@pytest.mark.parametrize("current,wanted", [("new", "open"), ("new", "pending"), ("new", "solved"),
                                            ("open", "pending"), ("open", "solved"), ("pending", "open"),
                                            ("pending", "solved"), ("solved", "open"), ("solved", "closed")])
def test_allowed_transitions_pass(current, wanted):
    rules.check_transition(current, wanted)


@pytest.mark.parametrize("current,wanted", [("new", "closed"), ("open", "new"), ("open", "closed"),
                                            ("pending", "closed"), ("solved", "pending"), ("closed", "open"),
                                            ("closed", "solved"), ("open", "open")])
def test_other_transitions_are_409_naming_status(current, wanted):
    with pytest.raises(Conflict) as exc:
        rules.check_transition(current, wanted)
    assert exc.value.field == "status" and exc.value.extra == {"status": current}


@given(st.lists(st.sampled_from(rules.STATUSES), min_size=1, max_size=30))
def test_the_load_counter_follows_any_walk_of_allowed_transitions(walk):
    """Whatever path a ticket takes, the counter's sum of changes says whether it is open now."""
    status, load = "new", 1
    for wanted in walk:
        if wanted in rules.TRANSITIONS[status]:
            load += rules.load_change(status, wanted)
            status = wanted
    assert load == (1 if rules.is_open(status) else 0)


def test_replies_move_the_ticket():
    assert rules.status_after_reply("new", by_customer=False) == "open"
    assert rules.status_after_reply("pending", by_customer=True) == "open"
    assert rules.status_after_reply("solved", by_customer=True) == "open"
    assert rules.status_after_reply("pending", by_customer=False) == "pending"
    assert rules.status_after_reply("new", by_customer=True) == "new"
    with pytest.raises(Conflict) as exc:
        rules.status_after_reply("closed", by_customer=True)
    assert exc.value.field == "status"


# ------------------------------------------------------------------ assignment
def test_the_least_loaded_present_agent_gets_the_ticket():
    agents = [AgentLoad("a", 3, 10, False), AgentLoad("b", 1, 12, True), AgentLoad("c", 2, 4, False)]
    assert rules.pick_agent(agents) == agents[2]
    assert rules.pick_agent([AgentLoad("a", 0, 0, True)]) is None
    assert rules.pick_agent([]) is None


def test_ties_go_round_robin():
    agents = {s: AgentLoad(s, 0, 0, False) for s in "abc"}
    order = []
    for _ in range(6):
        chosen = rules.pick_agent(agents.values())
        assert chosen is not None
        order.append(chosen.sub)
        agents[chosen.sub] = AgentLoad(chosen.sub, chosen.open_count + 1, chosen.assigned_total + 1, False)
    assert order == ["a", "b", "c", "a", "b", "c"]


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 50), st.booleans()), min_size=1, max_size=8),
       st.integers(1, 40))
def test_assigning_in_turn_keeps_present_agents_within_one_of_each_other(start, tickets):
    """From equal loads, any number of tickets leaves present agents' loads at most one apart, and the
    away ones untouched."""
    agents = {str(i): AgentLoad(str(i), 0, total, away) for i, (_, total, away) in enumerate(start)}
    for _ in range(tickets):
        chosen = rules.pick_agent(agents.values())
        if chosen is None:
            break
        agents[chosen.sub] = AgentLoad(chosen.sub, chosen.open_count + 1, chosen.assigned_total + 1, False)
    present = [a.open_count for a in agents.values() if not a.away]
    assert all(a.open_count == 0 for a in agents.values() if a.away)
    if present:
        assert max(present) - min(present) <= 1 and sum(present) == tickets


# ------------------------------------------------------------------ canned replies
def test_placeholders_are_filled_in():
    out = rules.render("Hi {{customer.name}}, re {{ ticket.id }} ({{ticket.subject}}) - {{agent.name}}",
                       {"customer.name": "Ana", "ticket.id": "T-1", "ticket.subject": "Refund", "agent.name": "Bo"})
    assert out == "Hi Ana, re T-1 (Refund) - Bo"


def test_a_value_is_not_expanded_again_and_unknown_placeholders_stay():
    out = rules.render("{{customer.name}} {{other.thing}}", {"customer.name": "{{ticket.id}}", "ticket.id": "X"})
    assert out == "{{ticket.id}} {{other.thing}}"


def test_a_template_naming_an_unknown_placeholder_is_refused():
    rules.check_template("Hello {{customer.name}}")
    with pytest.raises(InvalidInput) as exc:
        rules.check_template("Hello {{customer.password}}")
    assert exc.value.field == "body"


@given(st.text(max_size=40).filter(lambda s: "{{" not in s and "}}" not in s))
def test_text_without_placeholders_is_unchanged(text):
    assert rules.render(text, {"customer.name": "x"}) == text


# ------------------------------------------------------------------ the reply-to address
@given(st.uuids(), st.binary(min_size=16, max_size=16))
def test_the_reply_address_names_its_ticket_and_token(ticket, raw):
    tid, token = str(ticket), raw.hex()
    address = rules.reply_address("support@tally.example.com", tid, token)
    assert address.endswith("@tally.example.com") and address.startswith("support+")
    assert rules.parse_reply_address(address) == (tid, token)
    assert rules.parse_reply_address(address.upper()) == (tid, token)  # a mail system changing case


def test_other_addresses_name_no_ticket():
    tid = str(uuid.uuid4())
    assert rules.parse_reply_address("support@tally.example.com") is None
    assert rules.parse_reply_address(f"support+{tid}@tally.example.com") is None
    assert rules.parse_reply_address(f"support+{tid}.short@tally.example.com") is None


# ------------------------------------------------------------------ subjects and emails
def test_the_subject_pattern_refuses_html_and_takes_plain_text():
    ok = re.compile(rules.SUBJECT_PATTERN)
    assert ok.fullmatch("Charged twice: order #1001 & refund (50% off?)")
    for bad in ("<b>hi</b>", "a <script>", "x > y", "line\nbreak"):
        assert not ok.fullmatch(bad)


def test_emails_escape_what_the_customer_wrote():
    view = rules.TicketView(id="t", subject="A & B", status="solved", desk_name="Acme <Support>", customer_name="Ana")
    subject, text, html = rules.reply_email(view, "Bo", "<img src=x onerror=alert(1)>")
    assert "<img" in text and "<img" not in html and "&lt;img" in html
    assert "Acme &lt;Support&gt;" not in subject  # the subject is plain text, never HTML
    subject, text, _ = rules.status_email(view)
    assert "solved" in subject and "reply to this email" in text


# ------------------------------------------------------------------ merging
def test_a_ticket_merges_into_another_open_one_only():
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    rules.check_merge(a, "pending", b, "solved")
    with pytest.raises(InvalidInput) as same:
        rules.check_merge(a, "open", a, "open")
    assert same.value.field == "into"
    with pytest.raises(Conflict) as closed_source:
        rules.check_merge(a, "closed", b, "open")
    assert closed_source.value.field == "status"
    with pytest.raises(Conflict) as closed_target:
        rules.check_merge(a, "open", b, "closed")
    assert closed_target.value.field == "into"


@given(st.uuids(), st.uuids(), st.uuids())
def test_merged_copies_have_ids_of_their_own_stable_across_retries(source, message, other):
    first = rules.merged_message_id(str(source), str(message))
    assert first == rules.merged_message_id(str(source), str(message))
    assert uuid.UUID(first).version == 5
    if other != message:
        assert first != rules.merged_message_id(str(source), str(other))


def test_the_merged_email_names_the_target():
    view = rules.TicketView(id="d", subject="Same here", status="closed", desk_name="Acme", customer_name="Ana")
    subject, text, _ = rules.merged_email(view, "t-1", "Charged twice")
    assert "merged" in subject and "t-1" in text and "Charged twice" in text
