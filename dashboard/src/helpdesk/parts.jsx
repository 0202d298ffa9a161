// Pieces the portal and the workspace share: a ticket's badges (status, priority, SLA clock, rating),
// its thread (public replies and internal notes told apart), and the reply form.
import { useRef } from "preact/hooks";
import { Badge, Field, Form, useForm } from "../core/ui.jsx";
import { PRIORITY_TEXT, ratingOf, slaOf, STATUS_TEXT, when, write } from "./context.js";

export const StatusBadge = ({ t }) => <Badge kind={`st-${t.status}`}>{STATUS_TEXT[t.status] || t.status}</Badge>;
export const PriorityBadge = ({ t }) => <Badge kind={`pr-${t.priority}`}>{PRIORITY_TEXT[t.priority] || t.priority}</Badge>;

/** The SLA clock when the ticket has one: breached in red, else the next due moment. */
export function SlaBadge({ t }) {
  const sla = slaOf(t);
  if (!sla) return null;
  return sla.breached ? <Badge kind="sla breached">SLA breached</Badge> : <Badge kind="sla">due {when(sla.due)}</Badge>;
}

export function RatingBadge({ t }) {
  const r = ratingOf(t);
  if (!r) return null;
  return <Badge kind={`rating ${r.score}`}>{r.score === "good" ? "Rated good" : r.score === "bad" ? "Rated bad" : `Rated ${r.score}`}</Badge>;
}

/**
 * The thread, oldest first, opened by the request itself. `staff`: the agent's view (internal notes
 * shown, marked as such); a customer's view has none (the API never sends them).
 */
export function Thread({ t, staff }) {
  const first = { id: "request", kind: "reply", author_role: "customer", author_name: t.customer_name, body: t.description,
    created_at: t.created_at };
  return (
    <ol id="thread" class="thread" aria-label="Conversation">
      {[first, ...t.messages].map((m) => {
        const note = m.kind === "note";
        const who = m.author_role === "customer" ? (staff ? `${m.author_name} (customer)` : "You")
          : `${m.author_name}${staff ? "" : " (support)"}`;
        return (
          <li class={`msg ${note ? "note" : m.author_role}`} data-kind={m.kind} data-id={m.id}>
            <p class="msg-head">
              <strong>{note ? `Internal note by ${m.author_name}` : who}</strong>
              {note && <Badge kind="note">Only agents see this</Badge>}
              {!note && staff && m.author_role === "agent" && <Badge kind="reply">Public reply</Badge>}
              <time datetime={m.created_at} class="muted">{when(m.created_at)}</time>
            </p>
            <div class="msg-body">{m.body}</div>
          </li>
        );
      })}
    </ol>
  );
}

/** A link of the ticket to something else of the organisation (a product, an order, a car). */
export const LinkText = ({ t }) => (t.link ? <span>About {t.link.kind} {t.link.id}</span> : null);

/** The customer's reply form (a pending or solved ticket opens again; a closed one takes none). */
export function CustomerReply({ t, path }) {
  const form = useForm({ body: "body" });
  const id = useRef(crypto.randomUUID()); // kept until the reply is stored: a retry never posts it twice
  if (t.status === "closed") return <p class="notice">This request is closed. To ask again, file a new request.</p>;
  return (
    <Form id="customer-reply" form={form} onSubmit={async (f) => {
      const r = await write("PUT", `${path}/messages/${id.current}`, { body: f.body.value.trim() });
      if (!r.ok) { form.fail(r); return; }
      id.current = crypto.randomUUID();
      f.body.value = "";
      form.ok("Your reply was sent.");
    }}>
      <Field as="textarea" label="Your reply" name="body" rows="4" maxlength="10000" required data-required="Write your reply first." />
      <button type="submit">Send reply</button>
    </Form>
  );
}
