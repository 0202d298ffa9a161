// The customer portal: find a desk by its handle (#/support?desk=acme), file a request with it, follow
// one's own requests and reply to them. Anyone signed in is a customer of any desk.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { go } from "../core/router.js";
import { Empty, Field, Form, Table, useForm, useLoad } from "../core/ui.jsx";
import { pageError } from "../core/errors.js";
import { HANDLE, knownDesks, ratingOf, rememberDesk, STATUSES, when, write } from "./context.js";
import { AttachField, CategoryAndPriority, checkFiles, CustomerReply, FILE_FIELDS, LinkText, plainSubject, PriorityBadge, RatingBadge, SlaBadge, StatusBadge, Thread, sendWithFiles } from "./parts.jsx";

function useDesk(handle) {
  return useLoad(async () => {
    if (!handle) return null;
    const r = await api("GET", `/desks/${encodeURIComponent(handle)}`);
    if (r.ok) rememberDesk(r.data);
    return r;
  }, [handle]);
}

function ChooseDesk({ failed }) {
  const form = useForm();
  const desks = knownDesks();
  return (
    <section aria-labelledby="choose-desk-title">
      <h2 id="choose-desk-title">Which help desk?</h2>
      {failed && <p class="notice over" id="desk-problem">{failed}</p>}
      <p>Enter the address of the help desk you want to ask, e.g. <code>acme-support</code>.</p>
      <Form id="desk-form" form={form} checks={{ handle: (v) => (HANDLE.test(v.toLowerCase()) ? null
        : "A desk address is 3 to 40 lower-case letters, digits and hyphens.") }}
        onSubmit={(f) => go(`/support?desk=${f.handle.value.trim().toLowerCase()}`)}>
        <div class="inline-form">
          <Field label="Desk address" name="handle" autocomplete="off" autocapitalize="none" maxlength="40" required
            data-required="Enter the desk's address." />
          <button type="submit">Open desk</button>
        </div>
      </Form>
      {desks.length > 0 && (
        <>
          <h3>Desks you used</h3>
          <ul class="desk-list">{desks.map((d) => <li><a href={`#/support?desk=${d.handle}`}>{d.name}</a> <span class="muted">{d.handle}</span></li>)}</ul>
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- the knowledge base
const SEARCHABLE = /^[^<>\u0000-\u001f]*$/; // what a search or a suggestion takes: no angle brackets

/** A public article, its HTML sanitized by the server. */
function ArticleView({ article, close }) {
  if (!article) return null;
  if (!article.ok) return <p class="notice over" id="kb-article">{pageError(article)}</p>;
  const a = article.data;
  return (
    <article id="kb-article" data-id={a.id} aria-labelledby="kb-article-title">
      <header class="section-head">
        <h3 id="kb-article-title">{a.title}</h3>
        <button type="button" class="secondary outline small" onClick={close}>Close article</button>
      </header>
      {/* sanitized server-side (the API renders Markdown to an allow-list of tags) */}
      <div class="kb-body" dangerouslySetInnerHTML={{ __html: a.html }} />
    </article>
  );
}

function HitList({ id, label, hits, open }) {
  return (
    <ul id={id} class="kb-hits" aria-label={label}>
      {hits.map((h) => (
        <li data-id={h.id}>
          <a href={`#kb-${h.id}`} onClick={(e) => { e.preventDefault(); open(h); }}>{h.title}</a>
          {h.excerpt && <span class="muted"> {h.excerpt}</span>}
        </li>
      ))}
    </ul>
  );
}

const readArticle = (handle, id) => api("GET", `/desks/${handle}/articles/${id}`);

/** Search the desk's public articles. */
function KbSearch({ desk }) {
  const [q, setQ] = useState("");
  const [hits, setHits] = useState(null);
  const [article, setArticle] = useState(null);
  const search = async (e) => {
    e.preventDefault();
    const words = q.trim();
    if (!SEARCHABLE.test(words)) { setHits({ error: "Search without < or >." }); return; }
    const r = await api("GET", `/desks/${desk.handle}/articles?q=${encodeURIComponent(words)}&limit=10`);
    setHits(r.ok ? r.data.items : { error: pageError(r) });
  };
  return (
    <section id="kb" aria-labelledby="kb-title">
      <h2 id="kb-title">Help articles</h2>
      <form id="kb-search" role="search" onSubmit={search} noValidate>
        <div class="inline-form">
          <div class="field">
            <label for="kb-q">Search the help articles</label>
            <input id="kb-q" type="search" value={q} maxlength="200" onInput={(e) => setQ(e.target.value)} />
          </div>
          <button type="submit">Search</button>
        </div>
      </form>
      {hits && hits.error && <p class="notice over">{hits.error}</p>}
      {Array.isArray(hits) && (hits.length ? <HitList id="kb-results" label="Articles found" hits={hits}
        open={async (h) => setArticle(await readArticle(desk.handle, h.id))} />
        : <Empty>No article matches: file a request below.</Empty>)}
      <ArticleView article={article} close={() => setArticle(null)} />
    </section>
  );
}

/**
 * Articles for the subject being typed (asked 300 ms after the last key). An opened one is noted: if the
 * customer then leaves the form without filing, a deflection is reported once under a fresh UUID.
 */
function useSuggestions(desk) {
  const [hits, setHits] = useState([]);
  const [article, setArticle] = useState(null);
  const timer = useRef(null);
  const asked = useRef(0);
  const opened = useRef(null); // {article_id, subject} while a suggestion was read and nothing filed
  const report = () => {
    const d = opened.current;
    opened.current = null;
    if (d) api("PUT", `/desks/${desk.handle}/deflections/${crypto.randomUUID()}`, d);
  };
  useEffect(() => {
    addEventListener("pagehide", report);
    return () => { removeEventListener("pagehide", report); clearTimeout(timer.current); report(); };
  }, [desk.handle]);
  const typed = (subject) => {
    clearTimeout(timer.current);
    const words = subject.trim();
    if (!words || !SEARCHABLE.test(words)) { asked.current++; setHits([]); return; }
    timer.current = setTimeout(async () => {
      const n = ++asked.current;
      const r = await api("GET", `/desks/${desk.handle}/suggestions?subject=${encodeURIComponent(words.slice(0, 200))}`);
      if (n === asked.current) setHits(r.ok ? r.data.items : []);
    }, 300);
  };
  const open = async (h, subject) => {
    const r = await readArticle(desk.handle, h.id);
    setArticle(r);
    if (r.ok) opened.current = { article_id: h.id, subject: SEARCHABLE.test(subject) ? subject.slice(0, 200) : "" };
  };
  const filed = () => { opened.current = null; clearTimeout(timer.current); asked.current++; setHits([]); setArticle(null); };
  return { hits, article, typed, open, filed, close: () => setArticle(null) };
}

function NewRequest({ desk }) {
  const form = useForm(FILE_FIELDS);
  // one id per request until it is filed: sent again (a lost answer, a second click), it is filed once;
  // its files are uploaded under that id first, then the request lists them (as a reply does)
  const id = useRef(crypto.randomUUID());
  const kb = useSuggestions(desk);
  const subject = useRef("");
  return (
    <section id="new-request" aria-labelledby="new-request-title">
      <h2 id="new-request-title">New request</h2>
      <Form id="ticket-form" form={form} onSubmit={async (f) => {
        const body = { category: f.category.value, priority: f.priority.value, subject: f.subject.value.trim(),
          description: f.description.value.trim() };
        const path = `/desks/${desk.handle}/tickets/${id.current}`;
        const r = await sendWithFiles(form, f, `${path}/attachments`, (attachments) => write("PUT", path, { ...body, attachments }));
        if (!r) return;
        id.current = crypto.randomUUID();
        kb.filed();
        f.subject.value = "";
        f.description.value = "";
        form.ok(`Request filed: ${r.data.assignee_name ? `${r.data.assignee_name} will answer` : "an agent will answer"}. We emailed you a copy.`);
      }} checks={{ subject: plainSubject, files: (v, f) => checkFiles(f.files) }}>
        <div class="grid"><CategoryAndPriority categories={desk.categories} /></div>
        <Field label="Subject" name="subject" maxlength="200" required data-required="Say in a few words what it is about."
          onInput={(e) => { subject.current = e.target.value.trim(); kb.typed(e.target.value); }} />
        <div id="suggestions-box" aria-live="polite">
          {kb.hits.length > 0 && (
            <>
              <p class="muted" id="suggestions-title">These articles may answer it:</p>
              <HitList id="suggestions" label="Suggested articles" hits={kb.hits} open={(h) => kb.open(h, subject.current)} />
            </>
          )}
        </div>
        <ArticleView article={kb.article} close={kb.close} />
        <Field as="textarea" label="Description" name="description" rows="5" maxlength="10000" required
          data-required="Describe what happened and what you expected." />
        <AttachField />
        <button type="submit">File request</button>
      </Form>
    </section>
  );
}

function MyRequests({ desk }) {
  const [status, setStatus] = useState("");
  const [items] = useLoad(async () => {
    const r = await api("GET", `/desks/${desk.handle}/tickets?limit=100${status ? `&status=${status}` : ""}`);
    return r.ok ? r.data.items : [];
  }, [desk.handle, status], ["helpdesk"]);
  const open = (t) => `#/support/ticket?desk=${desk.handle}&id=${t.id}`;
  return (
    <section id="my-requests" aria-labelledby="my-requests-title">
      <div class="section-head">
        <h2 id="my-requests-title">Your requests</h2>
        <span class="filter">
          <label for="my-status">Status</label>
          <select id="my-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            {STATUSES.map(([k, v]) => <option value={k}>{v}</option>)}
          </select>
        </span>
      </div>
      <Table id="my-tickets" caption="Your requests" hideCaption rows={items}
        empty={<Empty>{status ? "No request with this status." : "No requests yet: file one above."}</Empty>}
        rowProps={(t) => ({ "data-id": t.id, "data-status": t.status })}
        columns={[
          { label: "Request", class: "primary", cell: (t) => <a href={open(t)}>{t.subject}</a> },
          { label: "Status", cell: (t) => <><StatusBadge t={t} /> <RatingBadge t={t} /></> },
          { label: "Priority", cell: (t) => <PriorityBadge t={t} /> },
          { label: "Agent", cell: (t) => t.assignee_name || "not yet" },
          { label: "Updated", cell: (t) => when(t.updated_at) },
        ]} />
    </section>
  );
}

export function SupportPage({ params }) {
  const handle = (params.get("desk") || (knownDesks()[0] || {}).handle || "").toLowerCase();
  const [desk] = useDesk(handle);
  if (!handle) return <ChooseDesk />;
  if (!desk) return <p aria-busy="true">Loading the desk…</p>;
  if (!desk.ok) return <ChooseDesk failed={desk.status === 404 ? `No help desk at “${handle}”: check the address.` : pageError(desk)} />;
  return (
    <>
      <div class="org-bar">
        <strong id="desk-name">{desk.data.name}</strong>
        <a href="#/support/desks">Another desk</a>
      </div>
      <NewRequest desk={desk.data} />
      <KbSearch desk={desk.data} />
      <MyRequests desk={desk.data} />
    </>
  );
}

export function DesksPage() {
  return <ChooseDesk />;
}

/** How the solve went: good or bad with an optional comment, changeable until the request closes. */
function RateSolve({ t, path }) {
  const form = useForm({ score: "score", comment: "comment" });
  const current = ratingOf(t);
  return (
    <section id="rate" aria-labelledby="rate-title">
      <h2 id="rate-title">How did we do?</h2>
      {current && <p id="rated">You rated this {current.score}{current.comment ? `: “${current.comment}”` : "."} You can change it until the request closes.</p>}
      <Form id="rate-form" form={form} onSubmit={async (f, ev) => {
        const score = ev.submitter && ev.submitter.value;
        const body = { score };
        if (f.comment.value.trim()) body.comment = f.comment.value.trim();
        const r = await write("POST", `${path}/rating`, body);
        if (!r.ok) { form.fail(r); return; }
        form.ok(`Thank you: you rated this ${r.data.score}.`);
      }}>
        <Field as="textarea" label="Comment (optional)" name="comment" rows="2" maxlength="2000" init={current ? current.comment : ""} />
        <div class="actions">
          <button type="submit" name="score" value="good">Good</button>
          <button type="submit" name="score" value="bad" class="secondary">Bad</button>
        </div>
      </Form>
    </section>
  );
}

export function SupportTicketPage({ params }) {
  const handle = params.get("desk") || "";
  const id = params.get("id") || "";
  const path = `/desks/${handle}/tickets/${id}`;
  const [r] = useLoad(() => api("GET", path), [path], ["helpdesk"]);
  if (!r) return <p aria-busy="true">Loading the request…</p>;
  if (!r.ok) {
    return <Empty href={`#/support?desk=${handle}`} action="Back to your requests.">
      {r.status === 404 ? "This request could not be found." : pageError(r)}</Empty>;
  }
  const t = r.data;
  return (
    <>
      <p><a href={`#/support?desk=${handle}`}>← Your requests</a></p>
      <section aria-labelledby="ticket-subject" id="ticket" data-status={t.status}>
        <h2 id="ticket-subject">{t.subject}</h2>
        <p class="facts"><StatusBadge t={t} /> <PriorityBadge t={t} /> <SlaBadge t={t} /> <RatingBadge t={t} />
          <span class="muted">Agent: {t.assignee_name || "not assigned yet"}</span> <LinkText t={t} /></p>
        {t.merged_into && <p class="notice">This request was merged into <a href={`#/support/ticket?desk=${handle}&id=${t.merged_into}`}>another one</a>: follow it there.</p>}
        <Thread t={t} staff={false} />
      </section>
      {t.status === "solved" && !t.merged_into && <RateSolve t={t} path={path} />}
      {!t.merged_into && <section aria-labelledby="reply-title"><h2 id="reply-title">Reply</h2><CustomerReply t={t} path={path} /></section>}
    </>
  );
}
