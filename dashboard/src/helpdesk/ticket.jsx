// The agent's ticket view: the whole thread (internal notes marked), a composer that is either a public
// reply (emailed to the customer) or an internal note (never shown to them), canned replies, and the
// ticket's moves: status, reassignment, merge into another ticket.
import { useRef, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { pageError } from "../core/errors.js";
import { useProfile } from "../core/state.js";
import { confirmAction, Empty, Field, Form, say, useForm, useLoad } from "../core/ui.jsx";
import { categoryName, NEXT, orgPath, renderMacro, STATUS_TEXT, teamName, useStaff, when, write } from "./context.js";
import { go } from "../core/router.js";
import { AttachField, checkFiles, FILE_FIELDS, LinkText, PriorityBadge, RatingBadge, sendWithFiles, SlaBadge, StatusBadge,
  Thread } from "./parts.jsx";
import { WithDesk } from "./queue.jsx";

// how the customer asked, when not through their account (the API's `channel`)
const VIA = { email: "by email", phone: "by phone", walk_in: "in person" };

function Composer({ t }) {
  const { org } = useStaff();
  const form = useForm({ body: "body", macro_id: "macro", ...FILE_FIELDS });
  const [kind, setKind] = useState("reply");
  const [macro, setMacro] = useState(null); // {id, text}: the canned reply applied, as previewed
  const id = useRef(crypto.randomUUID()); // kept until the message is stored: a retry never posts it twice
  const [macros] = useLoad(async () => {
    const r = await api("GET", orgPath("/macros"));
    return r.ok ? r.data.items : [];
  }, [org.org_id], ["helpdesk-macros"]);
  const note = kind === "note";
  return (
    <section id="composer" class={note ? "composing-note" : "composing-reply"} aria-labelledby="composer-title">
      <h2 id="composer-title">{note ? "Internal note" : "Public reply"}</h2>
      <Form id="message-form" form={form} checks={{ files: (v, f) => checkFiles(f.files) }} onSubmit={async (f) => {
        const text = f.body.value.trim();
        // an applied canned reply left as it was goes by its id: the server fills every placeholder
        const body = macro && text === macro.text.trim() ? { kind, macro_id: macro.id } : { kind, body: text };
        const r = await sendWithFiles(form, f, orgPath(`/tickets/${t.id}/attachments`),
          (attachments) => write("PUT", orgPath(`/tickets/${t.id}/messages/${id.current}`), { ...body, attachments }));
        if (!r) return;
        id.current = crypto.randomUUID();
        f.body.value = "";
        if (f.macro) f.macro.value = "";
        setMacro(null);
        form.ok(note ? "Internal note added: the customer does not see it." : "Reply sent: the customer is emailed.");
      }}>
        <fieldset class="kind-switch">
          <legend>Write</legend>
          <label><input type="radio" name="kind" value="reply" checked={!note} onChange={() => setKind("reply")} /> Public reply (emailed to the customer)</label>
          <label><input type="radio" name="kind" value="note" checked={note} onChange={() => setKind("note")} /> Internal note (agents only)</label>
        </fieldset>
        {macros && macros.length > 0 && (
          <Field as="select" label="Canned reply" name="macro" onChange={(e) => {
            const m = macros.find((x) => x.id === e.target.value);
            if (!m) { setMacro(null); return; }
            const text = renderMacro(m.body, t);
            form.values().body.value = text;
            setMacro({ id: m.id, text });
          }}>
            <option value="">None</option>
            {macros.map((m) => <option value={m.id}>{m.title}</option>)}
          </Field>
        )}
        <Field as="textarea" label={note ? "Note for agents" : "Reply to the customer"} name="body" rows="5" maxlength="10000" required
          data-required={note ? "Write the note first." : "Write the reply first."} />
        <AttachField />
        <button type="submit" class={note ? "secondary" : ""}>{note ? "Add internal note" : "Send reply"}</button>
      </Form>
    </section>
  );
}

function Moves({ t }) {
  const me = useProfile();
  const { admin, teams, agents, org } = useStaff();
  const statusForm = useForm({ version: "status" });
  const assignForm = useForm({ version: "assignee" });
  const mergeForm = useForm({ version: "into" });
  const team = teams.find((x) => x.id === t.team_id);
  const mayAssign = admin || (team && team.lead === me.sub);
  const [others] = useLoad(async () => {
    const r = await api("GET", orgPath("/tickets?limit=200"));
    return r.ok ? r.data.items.filter((x) => x.id !== t.id && !x.merged_into && x.status !== "closed") : [];
  }, [org.org_id, t.id]);
  const next = NEXT[t.status] || [];
  const name = (sub) => { const a = agents.find((x) => x.sub === sub); return a ? a.name || a.email : sub; };
  const mayMerge = t.status !== "closed" && !t.merged_into;
  if (!next.length && !mayMerge && !(mayAssign && team)) return null;
  return (
    <section id="moves" aria-labelledby="moves-title">
      <h2 id="moves-title">Actions</h2>
      {next.length > 0 && (
        <Form id="status-form" form={statusForm} onSubmit={async (f) => {
          const r = await write("POST", orgPath(`/tickets/${t.id}/status`), { status: f.status.value, version: t.version });
          if (!r.ok) { statusForm.fail(r); return; }
          statusForm.ok(`The ticket is now ${STATUS_TEXT[r.data.status].toLowerCase()}.`);
        }}>
          <div class="inline-form">
            <Field as="select" label="Status" name="status">{next.map((s) => <option value={s}>{STATUS_TEXT[s]}</option>)}</Field>
            <button type="submit">Change status</button>
          </div>
        </Form>
      )}
      {mayAssign && team && !t.merged_into && (
        <Form id="assign-form" form={assignForm} onSubmit={async (f) => {
          const r = await write("POST", orgPath(`/tickets/${t.id}/assignee`), { assignee: f.assignee.value, version: t.version });
          if (!r.ok) { assignForm.fail(r); return; }
          assignForm.ok(`Assigned to ${r.data.assignee_name || name(r.data.assignee)}: they are emailed.`);
        }}>
          <div class="inline-form">
            <Field as="select" label="Assignee" name="assignee" init={t.assignee || ""}>
              {team.agents.map((sub) => <option value={sub}>{name(sub)}</option>)}
            </Field>
            <button type="submit" class="secondary">Reassign</button>
          </div>
        </Form>
      )}
      {mayMerge && (
        <Form id="merge-form" form={mergeForm} onSubmit={async (f) => {
          const into = others.find((x) => x.id === f.into.value);
          if (!into) { mergeForm.show("into", "Choose the ticket to merge into."); return; }
          if (!await confirmAction({ title: "Merge this ticket?", action: "Merge ticket",
            text: `“${t.subject}” closes, its thread is copied into “${into.subject}” and its customer follows that ticket.` })) return;
          const r = await write("POST", orgPath(`/tickets/${t.id}/merge`), { into: into.id, version: t.version });
          if (!r.ok) { mergeForm.fail(r); return; }
          mergeForm.ok(`Merged into “${into.subject}”.`);
        }}>
          <div class="inline-form">
            <Field as="select" label="Merge into" name="into" hint="For a duplicate: it closes and points there.">
              <option value="">Choose a ticket</option>
              {(others || []).map((x) => <option value={x.id}>{x.subject} ({x.customer_name})</option>)}
            </Field>
            <button type="submit" class="danger outline">Merge</button>
          </div>
        </Form>
      )}
    </section>
  );
}

/** A solved ticket becomes a draft internal article (its question and the public answers), opened to edit. */
function DraftArticle({ t }) {
  const id = useRef(crypto.randomUUID());
  return (
    <p><button type="button" id="draft-article" class="secondary outline" onClick={async () => {
      const r = await write("PUT", orgPath(`/kb/drafts/${id.current}`), { ticket_id: t.id });
      if (!r.ok) { say(pageError(r), { error: true }); return; }
      say("Draft article written from this ticket: edit it, then publish.");
      go(`/helpdesk/article?id=${r.data.id}`);
    }}>Draft a help article from this ticket</button></p>
  );
}

function AgentTicket({ id }) {
  const { org } = useStaff();
  const [r] = useLoad(() => api("GET", orgPath(`/tickets/${id}`)), [org.org_id, id], ["helpdesk"]);
  if (!r) return <p aria-busy="true">Loading the ticket…</p>;
  if (!r.ok) {
    return <Empty href="#/helpdesk" action="Back to the queue">{r.status === 404 ? "No such ticket in this organisation." : pageError(r)}</Empty>;
  }
  const t = r.data;
  return (
    <>
      <p><a href="#/helpdesk">← Queue</a></p>
      <div class="ticket-grid">
        <div>
          <section id="ticket" aria-labelledby="ticket-subject" data-status={t.status}>
            <h2 id="ticket-subject">{t.subject}</h2>
            <p class="facts"><StatusBadge t={t} /> <PriorityBadge t={t} /> <SlaBadge t={t} /> <RatingBadge t={t} /></p>
            <dl class="facts-list">
              <dt>Customer</dt><dd>{t.customer_name}</dd>
              <dt>Assignee</dt><dd id="assignee-name">{t.assignee_name || "nobody"}</dd>
              <dt>Team</dt><dd>{teamName(t.team_id)} · {categoryName(t.category)}</dd>
              <dt>Filed</dt><dd id="ticket-filed">{when(t.created_at)}{VIA[t.channel] ? ` · ${VIA[t.channel]}` : ""}</dd>
              {t.link && <><dt>Link</dt><dd><LinkText t={t} /></dd></>}
            </dl>
            {t.merged_into && <p class="notice">Merged into <a href={`#/helpdesk/ticket?id=${t.merged_into}`}>another ticket</a>.</p>}
            <Thread t={t} staff />
            {(t.status === "solved" || t.status === "closed") && !t.merged_into && <DraftArticle t={t} />}
          </section>
          {!t.merged_into && t.status !== "closed" && <Composer key={t.id} t={t} />}
        </div>
        <Moves key={t.id} t={t} />
      </div>
    </>
  );
}

export function AgentTicketPage({ params }) {
  const id = params.get("id") || "";
  if (!id) return <Empty href="#/helpdesk" action="Open the queue.">No ticket chosen.</Empty>;
  return <WithDesk><AgentTicket id={id} /></WithDesk>;
}
