// Setting the desk up (owners and managers): its public address, name and categories (each routed to a
// team); teams of agents with a lead; agents' load and presence; canned replies with placeholders.
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { Badge, Empty, Field, Form, say, Table, useForm, useLoad } from "../core/ui.jsx";
import { emit } from "../core/bus.js";
import { HANDLE, loadStaff, memberLabel, orgPath, PLACEHOLDERS, staff, teamName, useStaff, write } from "./context.js";
import { WithDesk } from "./queue.jsx";

// ---------------------------------------------------------------- the desk
const SLUG = /^[a-z0-9][a-z0-9-]{0,39}$/;
function DeskForm() {
  const { desk, teams } = useStaff();
  const [rows, setRows] = useState(() => (desk ? desk.categories.map((c) => ({ ...c, key: crypto.randomUUID() }))
    : [{ slug: "general", name: "General question", team_id: (teams[0] || {}).id, key: crypto.randomUUID() }]));
  // the API names a category's field by its place ("categories.1.slug"): the control has that name
  const fields = { categories: "categories.0.slug" };
  rows.forEach((_, i) => { for (const k of ["slug", "name", "team_id"]) fields[`categories.${i}.${k}`] = `categories.${i}.${k}`; });
  const form = useForm(fields);
  const checks = { handle: (v) => (HANDLE.test(v.toLowerCase()) ? null : "Use 3 to 40 lower-case letters, digits and hyphens, e.g. acme-support.") };
  rows.forEach((_, i) => { checks[`categories.${i}.slug`] = (v) => (SLUG.test(v.toLowerCase()) ? null : "Use lower-case letters, digits and hyphens, e.g. billing."); });
  if (!teams.length) return <Empty href="#/helpdesk/teams" action="Create a team first.">Each category of requests goes to a team of agents.</Empty>;
  return (
    <Form id="desk-settings" form={form} checks={checks} onSubmit={async (f) => {
      const body = { handle: f.handle.value.trim().toLowerCase(), name: f.name.value.trim(), version: desk ? desk.version : null,
        categories: rows.map((_, i) => ({ slug: f[`categories.${i}.slug`].value.trim().toLowerCase(),
          name: f[`categories.${i}.name`].value.trim(), team_id: f[`categories.${i}.team_id`].value })) };
      const r = await write("PUT", orgPath("/desk"), body);
      if (!r.ok) { form.fail(r); return; }
      form.ok(`Desk saved: customers reach it at #/support?desk=${r.data.handle}.`);
      await loadStaff();
    }}>
      <div class="grid">
        <Field label="Desk name" name="name" init={desk ? desk.name : ""} maxlength="120" required data-required="Name the desk, e.g. Acme Support." />
        <Field label="Public address" name="handle" init={desk ? desk.handle : ""} maxlength="40" autocapitalize="none" required
          data-required="Choose the address customers type, e.g. acme-support." hint="Lower-case letters, digits and hyphens." />
      </div>
      <fieldset>
        <legend>Categories</legend>
        {rows.map((c, i) => (
          <div class="grid category-row" key={c.key}>
            <Field label="Category" name={`categories.${i}.name`} init={c.name} maxlength="80" required data-required="Name the category." />
            <Field label="Short key" name={`categories.${i}.slug`} init={c.slug} maxlength="40" required data-required="Give it a key, e.g. billing." />
            <Field as="select" label="Team" name={`categories.${i}.team_id`} init={c.team_id}>
              {teams.map((t) => <option value={t.id}>{t.name}</option>)}
            </Field>
            <div class="row-actions">
              {rows.length > 1 && <button type="button" class="secondary outline small" aria-label={`Remove category ${i + 1}`}
                onClick={() => setRows(rows.filter((x) => x.key !== c.key))}>Remove</button>}
            </div>
          </div>
        ))}
        <button type="button" class="secondary outline small" onClick={() => setRows([...rows, { slug: "", name: "", team_id: teams[0].id, key: crypto.randomUUID() }])}>
          Add a category</button>
      </fieldset>
      <button type="submit">{desk ? "Save desk" : "Create desk"}</button>
    </Form>
  );
}

export function DeskPage() {
  return <WithDesk adminOnly><section aria-labelledby="desk-title"><h2 id="desk-title">The desk</h2><DeskForm /></section></WithDesk>;
}

// ---------------------------------------------------------------- teams and agents
function TeamForm({ team, done }) {
  const { members } = useStaff();
  const form = useForm();
  const [chosen, setChosen] = useState(team ? team.agents : []);
  const toggle = (sub, on) => { setChosen(on ? [...chosen, sub] : chosen.filter((x) => x !== sub)); form.clearField("agents"); };
  return (
    <Form id="team-form" form={form} onSubmit={async (f) => {
      if (!chosen.length) { form.show("agents", "Choose at least one agent."); return; }
      const body = { name: f.name.value.trim(), agents: chosen, lead: f.lead.value || null, version: team ? team.version : null };
      const r = await write("PUT", orgPath(`/teams/${team ? team.id : crypto.randomUUID()}`), body);
      if (!r.ok) { form.fail(r); return; }
      form.ok(`Team ${r.data.name} saved.`);
      if (!team) { f.reset(); setChosen([]); }
      await loadStaff();
      done();
    }}>
      <Field label="Team name" name="name" init={team ? team.name : ""} maxlength="80" required data-required="Name the team, e.g. Billing." />
      <fieldset aria-describedby="agents-error">
        <legend>Agents</legend>
        {members.map((m) => (
          <label class="check"><input type="checkbox" name="agents" value={m.sub} checked={chosen.includes(m.sub)}
            onChange={(e) => toggle(m.sub, e.target.checked)} /> {memberLabel(m)}</label>
        ))}
        <small id="agents-error" class="field-error" aria-live="assertive">{form.errors.agents || ""}</small>
      </fieldset>
      <Field as="select" label="Lead (reassigns the team's tickets)" name="lead" init={team ? team.lead || "" : ""}>
        <option value="">No lead</option>
        {members.filter((m) => chosen.includes(m.sub)).map((m) => <option value={m.sub}>{memberLabel(m)}</option>)}
      </Field>
      <div class="actions">
        <button type="submit">{team ? "Save team" : "Create team"}</button>
        {team && <button type="button" class="secondary outline" onClick={done}>Cancel</button>}
      </div>
    </Form>
  );
}

function Agents() {
  const { agents, teams } = useStaff();
  const teamsOf = (sub) => teams.filter((t) => t.agents.includes(sub)).map((t) => t.name + (t.lead === sub ? " (lead)" : "")).join(", ");
  return (
    <Table id="agents-table" caption="Agents" hideCaption rows={agents} empty={<Empty>No agents yet: put members in a team.</Empty>}
      rowProps={(a) => ({ "data-sub": a.sub })}
      columns={[
        { label: "Agent", class: "primary", cell: (a) => a.name || a.email },
        { label: "Teams", cell: (a) => teamsOf(a.sub) },
        { label: "Open", class: "num", cell: (a) => a.open_count },
        { label: "Assigned", class: "num", cell: (a) => a.assigned_total },
        { label: "Away", cell: (a) => (
          <input type="checkbox" role="switch" checked={a.away} aria-label={`${a.name || a.email} is away`} onChange={async (e) => {
            const r = await write("PUT", orgPath(`/agents/${a.sub}/away`), { away: e.target.checked });
            if (!r.ok) { say("The presence could not be changed.", { error: true }); return; }
            say(`${a.name || a.email} is ${r.data.away ? "away: new tickets skip them" : "back"}.`);
            loadStaff();
          }} />) },
      ]} />
  );
}

export function TeamsPage() {
  const { teams } = useStaff();
  const [editing, setEditing] = useState(null);
  return (
    <WithDesk adminOnly>
      <section aria-labelledby="teams-title">
        <h2 id="teams-title">Teams</h2>
        {!teams.length && <Empty>No teams yet: create the first below, then set up the desk.</Empty>}
        <ul class="cards-list" id="team-list">
          {teams.map((t) => (
            <li data-team={t.id}>
              <span class="what"><strong>{t.name}</strong>
                <span class="muted">{t.agents.length} {t.agents.length === 1 ? "agent" : "agents"}{t.lead ? `, led by ${memberName(t.lead)}` : ""}</span></span>
              <button type="button" class="secondary outline small" onClick={() => setEditing(t)} aria-label={`Edit team ${t.name}`}>Edit</button>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="team-form-title">
        <h2 id="team-form-title">{editing ? `Edit ${teamName(editing.id)}` : "New team"}</h2>
        <TeamForm key={editing ? editing.id : "new"} team={editing} done={() => setEditing(null)} />
      </section>
      <section aria-labelledby="agents-title">
        <h2 id="agents-title">Agents and their load</h2>
        <Agents />
      </section>
    </WithDesk>
  );
}

const memberName = (sub) => {
  const s = staff();
  const a = s.agents.find((x) => x.sub === sub);
  const m = s.members.find((x) => x.sub === sub);
  return (a && a.name) || (m && m.email) || "a member";
};

// ---------------------------------------------------------------- canned replies
function MacroForm({ macro, done }) {
  const form = useForm();
  return (
    <Form id="macro-form" form={form} onSubmit={async (f) => {
      const r = await write("PUT", orgPath(`/macros/${macro ? macro.id : crypto.randomUUID()}`),
        { title: f.title.value.trim(), body: f.body.value.trim() });
      if (!r.ok) { form.fail(r); return; }
      form.ok(`Canned reply “${r.data.title}” saved.`);
      emit("helpdesk-macros");
      if (!macro) { f.title.value = ""; f.body.value = ""; }
      done();
    }}>
      <Field label="Title" name="title" init={macro ? macro.title : ""} maxlength="120" required data-required="Give it a title agents pick it by." />
      <Field as="textarea" label="Reply" name="body" rows="6" maxlength="5000" init={macro ? macro.body : ""} required
        data-required="Write the reply." hint={`Placeholders: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(" ")}`} />
      <div class="actions">
        <button type="submit">{macro ? "Save canned reply" : "Add canned reply"}</button>
        {macro && <button type="button" class="secondary outline" onClick={done}>Cancel</button>}
      </div>
    </Form>
  );
}

export function MacrosPage() {
  const { org } = useStaff();
  const [editing, setEditing] = useState(null);
  const [items] = useLoad(async () => {
    if (!org) return [];
    const r = await api("GET", orgPath("/macros"));
    return r.ok ? r.data.items : [];
  }, [org && org.org_id], ["helpdesk-macros"]);
  return (
    <WithDesk adminOnly>
      <section aria-labelledby="macros-title">
        <h2 id="macros-title">Canned replies</h2>
        {items && !items.length && <Empty>None yet: add the answers you give most often below.</Empty>}
        <ul class="cards-list" id="macro-list" aria-busy={items ? undefined : "true"}>
          {(items || []).map((m) => (
            <li data-macro={m.id}>
              <span class="what"><strong>{m.title}</strong><span class="muted macro-body">{m.body}</span></span>
              {/\{\{/.test(m.body) && <Badge kind="ok">placeholders</Badge>}
              <button type="button" class="secondary outline small" onClick={() => setEditing(m)} aria-label={`Edit ${m.title}`}>Edit</button>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="macro-form-title">
        <h2 id="macro-form-title">{editing ? `Edit “${editing.title}”` : "New canned reply"}</h2>
        <MacroForm key={editing ? editing.id : "new"} macro={editing} done={() => setEditing(null)} />
      </section>
    </WithDesk>
  );
}
