// Pieces the portal and the workspace share: a ticket's badges (status, priority, SLA clock, rating),
// its thread (public replies and internal notes told apart, each with its files), the reply form and
// attaching files (uploaded by the browser straight to the bucket with the presigned POST the API grants).
import { useRef } from "preact/hooks";
import { api } from "../core/api.js";
import { Badge, Field, Form, useForm } from "../core/ui.jsx";
import { PRIORITIES, PRIORITY_TEXT, ratingOf, slaOf, STATUS_TEXT, when, write } from "./context.js";

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
    created_at: t.created_at, attachments: t.attachments };
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
            <FileList files={m.attachments} />
          </li>
        );
      })}
    </ol>
  );
}

/** A link of the ticket to something else of the organisation (a product, an order, a car). */
/** A new ticket's category (the desk's) and priority pickers: the portal's form and the agents' alike. */
export const CategoryAndPriority = ({ categories }) => (
  <>
    <Field as="select" label="Category" name="category">
      {categories.map((c) => <option value={c.slug}>{c.name}</option>)}
    </Field>
    <Field as="select" label="Priority" name="priority" init="normal">
      {PRIORITIES.map(([k, v]) => <option value={k}>{v}</option>)}
    </Field>
  </>
);

/** A subject is plain text (the API's pattern): the form says so before sending. */
export const plainSubject = (v) => (/[<>]/.test(v) ? "Write the subject without < or >." : null);

export const LinkText = ({ t }) => (t.link ? <span>About {t.link.kind} {t.link.id}</span> : null);

// ---------------------------------------------------------------- attachments
// What the API takes (helpdesk.rules.attachments): the bucket's upload policy enforces the same.
export const ATTACHMENT_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv"];
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 5;
const FILE_FIELDS = { attachments: "files", size: "files", content_type: "files", filename: "files" };

export function fileSize(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A message's files: links to short-lived presigned GETs that S3 answers as downloads. */
export function FileList({ files }) {
  if (!files || !files.length) return null;
  return (
    <ul class="attachments" aria-label="Attached files">
      {files.map((f) => (
        <li data-attachment={f.id}>
          <a href={f.url} download={f.filename} rel="noopener">{f.filename}</a> <span class="muted">{fileSize(f.size)}</span>
        </li>
      ))}
    </ul>
  );
}

/** The file picker of a reply or note form. */
export const AttachField = () => (
  <Field type="file" label="Attach files" name="files" multiple accept={ATTACHMENT_TYPES.join(",")}
    hint={`Pictures, PDF or text files, up to ${MAX_ATTACHMENTS}, each at most 10 MB.`} />
);

/** What is wrong with the chosen files, before anything is sent (the API and S3 check again). */
export function checkFiles(input) {
  const files = [...((input && input.files) || [])];
  if (files.length > MAX_ATTACHMENTS) return `Attach at most ${MAX_ATTACHMENTS} files.`;
  for (const f of files) {
    if (!ATTACHMENT_TYPES.includes(f.type)) return `${f.name}: only pictures, PDF and text files can be attached.`;
    if (f.size < 1) return `${f.name} is empty.`;
    if (f.size > MAX_ATTACHMENT_BYTES) return `${f.name} is ${fileSize(f.size)}: at most 10 MB a file.`;
  }
  return null;
}

/**
 * Upload the chosen files: for each, a grant from the API (`grantPath`), then the file POSTed straight to
 * the bucket with the grant's fields. {ids} when all arrived, else {fail} (an API answer) or {message}.
 */
export async function uploadFiles(grantPath, input) {
  const ids = [];
  for (const file of [...((input && input.files) || [])]) {
    const g = await api("POST", grantPath, { filename: file.name.slice(0, 120), content_type: file.type, size: file.size });
    if (!g.ok) return { fail: g };
    const body = new FormData();
    for (const [k, v] of Object.entries(g.data.fields)) body.append(k, v);
    body.append("file", file);
    let res;
    try { res = await fetch(g.data.url, { method: "POST", body }); } catch { res = null; }
    if (!res || !res.ok) return { message: `${file.name} could not be uploaded: try again.` };
    ids.push(g.data.attachment_id);
  }
  return { ids };
}

/** A message with its files: the files are uploaded first, then the message lists them. */
export async function sendWithFiles(form, f, grantPath, send) {
  const up = await uploadFiles(grantPath, f.files);
  if (up.fail) { form.fail(up.fail); return null; }
  if (up.message) { form.show("files", up.message); return null; }
  const r = await send(up.ids);
  if (!r.ok) { form.fail(r); return null; }
  f.files.value = "";
  return r;
}

/** The customer's reply form, with files (a pending or solved ticket opens again; a closed one takes none). */
export function CustomerReply({ t, path }) {
  const form = useForm({ body: "body", ...FILE_FIELDS });
  const id = useRef(crypto.randomUUID()); // kept until the reply is stored: a retry never posts it twice
  if (t.status === "closed") return <p class="notice">This request is closed. To ask again, file a new request.</p>;
  return (
    <Form id="customer-reply" form={form} checks={{ files: (v, f) => checkFiles(f.files) }} onSubmit={async (f) => {
      const r = await sendWithFiles(form, f, `${path}/attachments`,
        (attachments) => write("PUT", `${path}/messages/${id.current}`, { body: f.body.value.trim(), attachments }));
      if (!r) return;
      id.current = crypto.randomUUID();
      f.body.value = "";
      form.ok("Your reply was sent.");
    }}>
      <Field as="textarea" label="Your reply" name="body" rows="4" maxlength="10000" required data-required="Write your reply first." />
      <AttachField />
      <button type="submit">Send reply</button>
    </Form>
  );
}

export { FILE_FIELDS };
