// The page a ticket link opens (#/ticket-links/<token> in the emails to a customer without an account):
// the request's public thread and a reply form with files, no sign-in. The token is the signed link;
// a forged or revoked one is refused by the API (404), an expired one too (410).
import { api } from "../core/api.js";
import { pageError } from "../core/errors.js";
import { Empty, useLoad } from "../core/ui.jsx";
import { CustomerReply, PriorityBadge, StatusBadge, Thread } from "./parts.jsx";

function problem(r) {
  if (r.status === 410) return "This link has expired. Reply to our last email and we will send you a new one.";
  if (r.status === 404 || r.status === 400) return "This link is not valid (a newer email may have replaced it).";
  return pageError(r);
}

export function TicketLinkPage({ params }) {
  const token = params.get("token") || "";
  const path = `/ticket-links/${token}`;
  const [r] = useLoad(() => (token ? api("GET", path) : Promise.resolve({ ok: false, status: 404 })), [path], ["helpdesk"]);
  if (!r) return <p aria-busy="true">Loading your request…</p>;
  if (!r.ok) return <Empty>{problem(r)}</Empty>;
  const t = r.data;
  const closed = t.status === "closed";
  return (
    <>
      <section aria-labelledby="ticket-subject" id="ticket" data-status={t.status}>
        <h2 id="ticket-subject">{t.subject}</h2>
        <p class="facts"><StatusBadge t={t} /> <PriorityBadge t={t} />
          <span class="muted">Agent: {t.assignee_name || "not assigned yet"}</span></p>
        <Thread t={t} staff={false} />
      </section>
      <section aria-labelledby="reply-title">
        <h2 id="reply-title">Reply</h2>
        {closed && <p class="notice">This request is closed: your reply opens a new request that refers to it.</p>}
        <CustomerReply t={closed ? { ...t, status: "open" } : t} path={path} />
      </section>
    </>
  );
}
