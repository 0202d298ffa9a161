// Organisations: choosing one, creating one, invitations, members and their roles.
import { api } from "../core/api.js";
import { useProfile } from "../core/state.js";
import { Badge, confirmAction, Empty, Field, Form, say, useForm, useLoad } from "../core/ui.jsx";
import { currentOrg, isOwner, loadOrgs, orgPath, useOrg } from "./context.js";

const ROLE_TEXT = { owner: "owner", manager: "manager", staff: "staff" };

export function OrgBar() {
  const { orgs, org } = useOrg();
  if (!orgs) return <p aria-busy="true">Loading your organisations…</p>;
  return (
    <div class="org-bar">
      {orgs.length > 0 && (
        <span class="org-picker">
          <label for="org-picker">Organisation</label>
          <select id="org-picker" value={org ? org.org_id : ""} onChange={(e) => loadOrgs(e.target.value)}>
            {orgs.map((o) => <option value={o.org_id}>{o.name}</option>)}
          </select>
        </span>
      )}
      <span id="role" class="muted">{org ? `You are ${ROLE_TEXT[org.role]}` : "Create an organisation to start."}</span>
    </div>
  );
}

export function Invitations() {
  const { invitations } = useOrg();
  return (
    <ul id="invitation-list" aria-label="Invitations">
      {invitations.map((inv) => (
        <li data-org-id={inv.org_id}>
          <span>Invitation to {inv.org_name || inv.org_id} as {inv.role}</span>
          <button type="button" class="small" onClick={async () => {
            const r = await api("POST", `/invitations/${inv.org_id}/accept`);
            if (!r.ok) { say("The invitation could not be accepted.", { error: true }); return; }
            say("Invitation accepted.");
            await loadOrgs(inv.org_id);
          }}>Accept</button>
        </li>
      ))}
    </ul>
  );
}

export function CreateOrg({ first }) {
  const form = useForm();
  return (
    <section aria-labelledby="new-org-title">
      <h2 id="new-org-title">{first ? "Start: create your organisation" : "Another organisation"}</h2>
      {first && <p>An organisation holds your locations, products and stock; invite your team to it.</p>}
      <Form id="org-form" form={form} onSubmit={async (f) => {
        const r = await api("POST", "/orgs", { name: f.name.value.trim() });
        if (!r.ok) { form.fail(r); return; }
        f.reset();
        form.ok(`Organisation ${r.data.name} created: you are its owner.`);
        await loadOrgs(r.data.org_id);
      }}>
        <div class="inline-form">
          <Field label="New organisation name" name="name" maxlength="120" required data-required="Give it a name, e.g. your shop's." />
          <button type="submit">Create organisation</button>
        </div>
      </Form>
    </section>
  );
}

/** An inventory page: the organisation bar, then the page, or the first step when there is none. */
export function WithOrg({ children }) {
  const { orgs, org, invitations } = useOrg();
  if (!orgs) return <OrgBar />;
  if (!org) {
    return (
      <>
        <OrgBar />
        {invitations.length > 0 && <section aria-label="Invitations"><h2>Invitations</h2><Invitations /></section>}
        {!invitations.length && <Invitations />}
        <CreateOrg first />
      </>
    );
  }
  return <><OrgBar />{children}</>;
}

function Members() {
  const me = useProfile();
  const org = currentOrg();
  const [items, reload] = useLoad(async () => {
    const r = await api("GET", orgPath("/members"));
    return r.ok ? r.data.items : [];
  }, [org.org_id], ["members"]);
  const owner = isOwner();
  return (
    <ul id="member-list" aria-label="Members" class="members">
      {(items || []).map((m) => {
        const who = m.email || m.sub;
        if (!owner || m.sub === me.sub) {
          return <li data-sub={m.sub}><span>{m.sub === me.sub ? `${who} (you)` : who}</span> <Badge kind="role">{m.role}</Badge></li>;
        }
        return (
          <li data-sub={m.sub}>
            <span>{who}</span>
            <select aria-label={`Role of ${who}`} value={m.role} onChange={async (e) => {
              const c = await api("PUT", orgPath(`/members/${m.sub}`), { role: e.target.value });
              if (!c.ok) { say("The role could not be changed.", { error: true }); reload(); return; }
              say(`${who} is now ${c.data.role}.`);
              reload();
            }}>
              {["staff", "manager", "owner"].map((x) => <option value={x}>{x}</option>)}
            </select>
            <button type="button" class="danger outline small" onClick={async () => {
              if (!await confirmAction({ title: `Remove ${who}?`, text: `They lose access to ${org.name} at once.`, action: "Remove member" })) return;
              const c = await api("DELETE", orgPath(`/members/${m.sub}`));
              if (!c.ok) { say("The member could not be removed.", { error: true }); return; }
              say(`${who} removed.`);
              reload();
            }}>Remove {who}</button>
          </li>
        );
      })}
    </ul>
  );
}

export function TeamPage() {
  const { org } = useOrg();
  const form = useForm();
  return (
    <WithOrg>
      {org && (
        <>
          <section aria-labelledby="members-title">
            <h2 id="members-title">Members of {org.name}</h2>
            <Members />
            {isOwner() && (
              <Form id="invite-form" form={form} onSubmit={async (f) => {
                const r = await api("POST", orgPath("/invitations"), { email: f.email.value.trim(), role: f.role.value });
                if (!r.ok) { form.fail(r); return; }
                f.reset();
                form.ok(`Invitation emailed to ${r.data.email}.`);
              }}>
                <div class="grid">
                  <Field label="Invite email" name="email" type="email" required data-required="Enter their email address." />
                  <Field as="select" label="Role" name="role">
                    <option value="staff">Staff</option><option value="manager">Manager</option><option value="owner">Owner</option>
                  </Field>
                </div>
                <button type="submit">Invite</button>
              </Form>
            )}
          </section>
          <section aria-label="Invitations"><Invitations /></section>
          <CreateOrg />
        </>
      )}
    </WithOrg>
  );
}

export { Empty };
