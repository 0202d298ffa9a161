// The agent workspace's queue: the tickets of my teams (every ticket for an owner or manager), filtered
// by status (the API's own query), priority, assignee and team; breached SLAs first. Above it, a ticket
// filed for a customer who phoned, came in or wrote to the agent (they get the emails, with a link).
import { useRef, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { useProfile } from "../core/state.js";
import { Empty, Field, Form, say, Table, useForm, useLoad } from "../core/ui.jsx";
import { agentName, loadStaff, orgPath, PRIORITIES, slaOf, STATUSES, teamName, useStaff, when, write } from "./context.js";
import { CategoryAndPriority, plainSubject, PriorityBadge, SlaBadge, StatusBadge } from "./parts.jsx";

/** The organisation picker and what the person is here. */
export function DeskBar() {
  const { orgs, org, desk, admin, agent } = useStaff();
  if (!orgs || !org) return null;
  const role = admin ? `You are ${org.role}${agent ? " and an agent" : ""}` : agent ? "You are an agent" : "You are not on a help desk team";
  return (
    <div class="org-bar">
      {orgs.length > 1 ? (
        <span class="org-picker">
          <label for="desk-org">Organisation</label>
          <select id="desk-org" value={org.org_id} onChange={(e) => loadStaff(e.target.value)}>
            {orgs.map((o) => <option value={o.org_id}>{o.name}</option>)}
          </select>
        </span>
      ) : <strong>{org.name}</strong>}
      {desk && <span class="muted">Desk <a href={`#/support?desk=${desk.handle}`}>{desk.handle}</a></span>}
      <span id="desk-role" class="muted">{role}</span>
    </div>
  );
}

/** A workspace page: the bar, then the page once the organisation has a desk the person works. */
export function WithDesk({ children, adminOnly }) {
  const s = useStaff();
  if (!s.orgs) return <p aria-busy="true">Loading your help desk…</p>;
  if (!s.org) return <Empty href="#/support" action="Ask a help desk for help instead.">You belong to no organisation, so there is no desk to work.</Empty>;
  let problem = null;
  if (!s.admin && !s.agent) problem = <Empty href="#/support" action="Go to the support portal.">Only the desk's agents, owners and managers work its tickets.</Empty>;
  else if (adminOnly && !s.admin) problem = <Empty>Only owners and managers change this.</Empty>;
  else if (!s.desk && !adminOnly) {
    problem = s.admin ? <Empty href="#/helpdesk/desk" action="Set up your help desk.">No help desk yet:</Empty>
      : <Empty>This organisation has no help desk yet.</Empty>;
  }
  return <><DeskBar />{problem || children}</>;
}

function AwayToggle() {
  const me = useProfile();
  const { agents } = useStaff();
  const mine = agents.find((a) => a.sub === me.sub);
  if (!mine) return null;
  return (
    <label class="check">
      <input type="checkbox" role="switch" checked={mine.away} onChange={async (e) => {
        const r = await write("PUT", orgPath(`/agents/${me.sub}/away`), { away: e.target.checked });
        if (!r.ok) { say("Your presence could not be changed.", { error: true }); return; }
        say(r.data.away ? "You are away: new tickets go to others." : "You are back: new tickets come to you again.");
        loadStaff();
      }} /> Away (new tickets skip me)
    </label>
  );
}

function Queue({ params }) {
  const me = useProfile();
  const { org, teams, agents } = useStaff();
  const [status, setStatus] = useState(params.get("status") || "");
  const [priority, setPriority] = useState(params.get("priority") || "");
  const [assignee, setAssignee] = useState(params.get("assignee") || "");
  const [team, setTeam] = useState("");
  const [items] = useLoad(async () => {
    const r = await api("GET", orgPath(`/tickets?limit=200${status ? `&status=${status}` : ""}`));
    return r.ok ? r.data.items : [];
  }, [org.org_id, status], ["helpdesk"]);
  const wanted = (t) => (!priority || t.priority === priority) && (!team || t.team_id === team)
    && (!assignee || (assignee === "me" ? t.assignee === me.sub : assignee === "none" ? !t.assignee : t.assignee === assignee));
  const breached = (t) => ((slaOf(t) || {}).breached ? 0 : 1);
  const rows = items && items.filter(wanted).sort((a, b) => breached(a) - breached(b));
  const filter = (id, label, value, set, options) => (
    <span class="filter">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => set(e.target.value)}>{options}</select>
    </span>
  );
  return (
    <section id="queue" aria-labelledby="queue-title">
      <div class="section-head">
        <h2 id="queue-title">Queue{rows ? ` (${rows.length})` : ""}</h2>
        <AwayToggle />
      </div>
      <div class="filters">
        {filter("q-status", "Status", status, setStatus, [<option value="">All</option>, ...STATUSES.map(([k, v]) => <option value={k}>{v}</option>)])}
        {filter("q-priority", "Priority", priority, setPriority, [<option value="">All</option>, ...PRIORITIES.map(([k, v]) => <option value={k}>{v}</option>)])}
        {filter("q-assignee", "Assignee", assignee, setAssignee, [<option value="">Anyone</option>, <option value="me">Me</option>,
          <option value="none">Nobody</option>, ...agents.filter((a) => a.sub !== me.sub).map((a) => <option value={a.sub}>{a.name || a.email}</option>)])}
        {teams.length > 1 && filter("q-team", "Team", team, setTeam, [<option value="">All teams</option>, ...teams.map((t) => <option value={t.id}>{t.name}</option>)])}
      </div>
      <Table id="queue-table" caption="Tickets" hideCaption rows={rows}
        empty={<Empty>{items && items.length ? "No ticket matches these filters." : "No tickets yet: they come in from your desk's portal."}</Empty>}
        rowProps={(t) => ({ "data-id": t.id, "data-status": t.status, "data-assignee": t.assignee || "" })}
        columns={[
          { label: "Subject", class: "primary", cell: (t) => <a href={`#/helpdesk/ticket?id=${t.id}`}>{t.subject}</a> },
          { label: "Status", cell: (t) => <StatusBadge t={t} /> },
          { label: "Priority", cell: (t) => <PriorityBadge t={t} /> },
          // the SLA clock, once the API gives tickets one
          ...(rows && rows.some(slaOf) ? [{ label: "SLA", cell: (t) => (slaOf(t) ? <SlaBadge t={t} /> : "–") }] : []),
          { label: "Customer", cell: (t) => t.customer_name },
          { label: "Assignee", cell: (t) => (t.assignee === me.sub ? "Me" : t.assignee_name || agentName(t.assignee)) },
          { label: "Team", cell: (t) => teamName(t.team_id) },
          { label: "Updated", cell: (t) => when(t.updated_at) },
        ]} />
    </section>
  );
}

const CHANNELS = [["phone", "Phone"], ["walk_in", "In person"], ["email", "Email to me"]];
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** A ticket for a customer who asked another way: filed once under its id (a second click, a lost
 * answer), routed and assigned as any ticket; the customer is emailed with a link to the thread. */
function FileForCustomer() {
  const me = useProfile();
  const { desk, admin, teams } = useStaff();
  const form = useForm();
  const id = useRef(crypto.randomUUID());
  const [filed, setFiled] = useState(null);
  // another team's ticket is not in this agent's queue: named, not linked (its page would not open)
  const mine = (t) => admin || teams.some((x) => x.id === t.team_id && x.agents.includes(me.sub));
  return (
    <details id="file-for-customer">
      <summary>File a ticket for a customer</summary>
      <Form id="staff-ticket-form" form={form} onSubmit={async (f) => {
        const body = { customer_email: f.customer_email.value.trim(), customer_name: f.customer_name.value.trim(),
          channel: f.channel.value, category: f.category.value, priority: f.priority.value,
          subject: f.subject.value.trim(), description: f.description.value.trim() };
        const r = await write("PUT", orgPath(`/tickets/${id.current}`), body);
        if (!r.ok) { form.fail(r); return; }
        id.current = crypto.randomUUID();
        for (const name of ["customer_email", "customer_name", "subject", "description"]) f[name].value = "";
        const who = r.data.assignee === me.sub ? "you" : r.data.assignee_name || "the next free agent";
        setFiled(r.data);
        form.ok(`Ticket filed for ${r.data.customer_name}: ${who} will answer. We emailed them a copy with a link to follow it.`);
      }} checks={{ customer_email: (v) => (EMAIL.test(v) ? null : "Enter the customer's email address, like name@example.com."),
        subject: plainSubject,
        customer_name: (v) => (/[<>]/.test(v) ? "Write the name without < or >." : null) }}>
        <div class="grid">
          <Field label="Customer's email" name="customer_email" type="email" autocomplete="off" maxlength="254" required
            data-required="The customer's email address: they get the updates there." />
          <Field label="Their name (optional)" name="customer_name" autocomplete="off" maxlength="120" />
        </div>
        <div class="grid">
          <Field as="select" label="They asked by" name="channel" init="phone">
            {CHANNELS.map(([k, v]) => <option value={k}>{v}</option>)}
          </Field>
          <CategoryAndPriority categories={desk.categories} />
        </div>
        <Field label="Subject" name="subject" maxlength="200" required data-required="Say in a few words what it is about." />
        <Field as="textarea" label="What they told you" name="description" rows="4" maxlength="10000" required
          data-required="Write down what the customer told you." />
        <button type="submit">File ticket</button>
      </Form>
      {filed && (
        <p id="filed-ticket">Filed: {mine(filed) ? <a href={`#/helpdesk/ticket?id=${filed.id}`}>{filed.subject}</a>
          : <>{filed.subject}, in the {teamName(filed.team_id)} team's queue</>} ({filed.customer_name})</p>
      )}
    </details>
  );
}

export function QueuePage({ params }) {
  return <WithDesk><FileForCustomer /><Queue params={params} /></WithDesk>;
}
