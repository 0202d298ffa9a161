// The knowledge base for agents: every article of the desk (drafts and internal ones too), an editor
// (title, Markdown body, public or internal, draft or published, category, tags; each save a new version at
// the version read), the article's versions to look back at, and drafts written from solved tickets.
import { useRef, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { pageError } from "../core/errors.js";
import { go } from "../core/router.js";
import { Badge, Empty, Field, Form, say, Table, useForm, useLoad } from "../core/ui.jsx";
import { orgPath, useStaff, when, write } from "./context.js";
import { WithDesk } from "./queue.jsx";

const VISIBILITY = [["internal", "Internal (agents only)"], ["public", "Public (customers find it)"]];
const ARTICLE_STATUS = [["draft", "Draft (not searchable)"], ["published", "Published"]];
const TAG = /^[a-z0-9][a-z0-9-]{0,29}$/;

const VisibilityBadge = ({ a }) => <Badge kind={a.visibility === "public" ? "ok" : "note"}>{a.visibility === "public" ? "Public" : "Internal"}</Badge>;
const StatusBadge = ({ a }) => <Badge kind={a.status === "published" ? "ok" : "st-pending"}>{a.status === "published" ? "Published" : "Draft"}</Badge>;

function categories(desk) {
  const list = (desk ? desk.categories : []).map((c) => [c.slug, c.name]);
  return list.some(([slug]) => slug === "general") ? list : [["general", "General"], ...list];
}

/** A draft from a solved (or closed) ticket the agent works. */
function DraftFromTicket() {
  const form = useForm({ ticket_id: "ticket" });
  const id = useRef(crypto.randomUUID());
  const { org } = useStaff();
  const [solved] = useLoad(async () => {
    const [a, b] = await Promise.all([api("GET", orgPath("/tickets?status=solved&limit=100")), api("GET", orgPath("/tickets?status=closed&limit=100"))]);
    return [...(a.ok ? a.data.items : []), ...(b.ok ? b.data.items : [])].filter((t) => !t.merged_into);
  }, [org && org.org_id], ["helpdesk"]);
  return (
    <section aria-labelledby="draft-title">
      <h2 id="draft-title">From a solved ticket</h2>
      {solved && !solved.length ? <Empty>No solved tickets yet: an answered question can become an article here.</Empty> : (
        <Form id="draft-form" form={form} onSubmit={async (f) => {
          if (!f.ticket.value) { form.show("ticket", "Choose the ticket to start from."); return; }
          const r = await write("PUT", orgPath(`/kb/drafts/${id.current}`), { ticket_id: f.ticket.value });
          if (!r.ok) { form.fail(r); return; }
          form.ok("Draft article written from the ticket: edit it, then publish.");
          go(`/helpdesk/article?id=${r.data.id}`);
        }}>
          <div class="inline-form">
            <Field as="select" label="Solved ticket" name="ticket" hint="Its question and public answers, never internal notes; the customer's name left out.">
              <option value="">Choose a ticket</option>
              {(solved || []).map((t) => <option value={t.id}>{t.subject}</option>)}
            </Field>
            <button type="submit" class="secondary">Write a draft</button>
          </div>
        </Form>
      )}
    </section>
  );
}

export function KbPage() {
  const { org } = useStaff();
  const [items] = useLoad(async () => {
    if (!org) return null;
    const r = await api("GET", orgPath("/kb/articles"));
    return r.ok ? r.data.items : [];
  }, [org && org.org_id], ["helpdesk"]);
  return (
    <WithDesk>
      <section aria-labelledby="articles-title">
        <div class="section-head">
          <h2 id="articles-title">Articles</h2>
          <a href="#/helpdesk/article" role="button" class="small" id="new-article">New article</a>
        </div>
        <Table id="articles-table" caption="Articles" hideCaption rows={items}
          empty={<Empty href="#/helpdesk/article" action="Write the first one.">No articles yet.</Empty>}
          rowProps={(a) => ({ "data-id": a.id })}
          columns={[
            { label: "Title", class: "primary", cell: (a) => <a href={`#/helpdesk/article?id=${a.id}`}>{a.title}</a> },
            { label: "Shown to", cell: (a) => <VisibilityBadge a={a} /> },
            { label: "State", cell: (a) => <StatusBadge a={a} /> },
            { label: "Version", cell: (a) => a.version },
            { label: "Updated", cell: (a) => when(a.updated_at) },
          ]} />
      </section>
      <DraftFromTicket />
    </WithDesk>
  );
}

function Versions({ a }) {
  const [shown, setShown] = useState(null);
  const [items] = useLoad(async () => {
    const r = await api("GET", orgPath(`/kb/articles/${a.id}/versions`));
    return r.ok ? r.data.items : [];
  }, [a.id, a.version]);
  return (
    <section id="versions" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <ol class="versions" reversed aria-busy={items ? undefined : "true"}>
        {(items || []).map((v) => (
          <li data-version={v.version}>
            <button type="button" class="secondary outline small" aria-label={`Show version ${v.version}`} onClick={async () => {
              const r = await api("GET", orgPath(`/kb/articles/${a.id}/versions/${v.version}`));
              if (!r.ok) { say(pageError(r), { error: true }); return; }
              setShown(r.data);
            }}>Version {v.version}</button>{" "}
            <span class="muted">{v.title} · {when(v.saved_at)}</span>
          </li>
        ))}
      </ol>
      {shown && (
        <article id="version-view" aria-labelledby="version-view-title">
          <header class="section-head">
            <h3 id="version-view-title">Version {shown.version}: {shown.title}</h3>
            <button type="button" class="secondary outline small" onClick={() => setShown(null)}>Close version</button>
          </header>
          <p class="muted">Saved by {shown.saved_by_name} · {shown.visibility} · {shown.status}</p>
          {/* sanitized server-side (Markdown rendered to an allow-list of tags) */}
          <div class="kb-body" dangerouslySetInnerHTML={{ __html: shown.html }} />
        </article>
      )}
    </section>
  );
}

function ArticleForm({ a, id }) {
  const { desk } = useStaff();
  const form = useForm({ tags: "tags" });
  return (
    <Form id="article-form" form={form} checks={{
      title: (v) => (/[<>]/.test(v) ? "Write the title without < or >." : null),
      tags: (v) => (v.split(",").map((x) => x.trim()).filter(Boolean).every((x) => TAG.test(x)) ? null
        : "Tags are lower-case words or hyphenated words, separated by commas."),
    }} onSubmit={async (f) => {
      const body = { title: f.title.value.trim(), body: f.body.value, visibility: f.visibility.value, status: f.status.value,
        category: f.category.value, tags: f.tags.value.split(",").map((x) => x.trim()).filter(Boolean) };
      if (a) body.version = a.version;
      const r = await write("PUT", orgPath(`/kb/articles/${id}`), body);
      if (!r.ok) { form.fail(r); return; }
      form.ok(`Article saved: version ${r.data.version}${r.data.status === "published" ? ", published" : ", a draft"}.`);
      if (!a) go(`/helpdesk/article?id=${id}`);
    }}>
      <Field label="Title" name="title" maxlength="200" init={a ? a.title : ""} required data-required="Give the article a title." />
      <Field as="textarea" label="Article (Markdown)" name="body" rows="12" maxlength="40000" init={a ? a.body : ""} required
        data-required="Write the article." hint="Markdown: **bold**, lists with -, links as [text](https://...)." />
      <div class="grid">
        <Field as="select" label="Shown to" name="visibility" init={a ? a.visibility : "internal"}>
          {VISIBILITY.map(([k, v]) => <option value={k}>{v}</option>)}
        </Field>
        <Field as="select" label="State" name="status" init={a ? a.status : "draft"}>
          {ARTICLE_STATUS.map(([k, v]) => <option value={k}>{v}</option>)}
        </Field>
        <Field as="select" label="Category" name="category" init={a ? a.category : "general"}>
          {categories(desk).map(([k, v]) => <option value={k}>{v}</option>)}
        </Field>
      </div>
      <Field label="Tags" name="tags" init={a ? a.tags.join(", ") : ""} hint="Separated by commas, e.g. returns, refunds." />
      <button type="submit">{a ? "Save new version" : "Create article"}</button>
    </Form>
  );
}

function Article({ id }) {
  const { org } = useStaff();
  const [r] = useLoad(() => api("GET", orgPath(`/kb/articles/${id}`)), [org && org.org_id, id], ["helpdesk"]);
  if (!r) return <p aria-busy="true">Loading the article…</p>;
  if (!r.ok) return <Empty href="#/helpdesk/kb" action="Back to the articles.">{r.status === 404 ? "No such article." : pageError(r)}</Empty>;
  const a = r.data;
  return (
    <>
      <p><a href="#/helpdesk/kb">← Articles</a></p>
      <section id="article" aria-labelledby="article-title" data-version={a.version} data-status={a.status}>
        <h2 id="article-title">{a.title}</h2>
        <p class="facts"><VisibilityBadge a={a} /> <StatusBadge a={a} /> <span class="muted">Version {a.version} · {when(a.updated_at)}
          {a.source_ticket && <> · from <a href={`#/helpdesk/ticket?id=${a.source_ticket}`}>a ticket</a></>}</span></p>
        <ArticleForm key={`${a.id}-${a.version}`} a={a} id={a.id} />
      </section>
      <section aria-labelledby="preview-title">
        <h2 id="preview-title">As saved</h2>
        {/* sanitized server-side */}
        <div class="kb-body" id="article-preview" dangerouslySetInnerHTML={{ __html: a.html }} />
      </section>
      <Versions a={a} />
    </>
  );
}

export function ArticlePage({ params }) {
  const id = params.get("id") || "";
  const fresh = useRef(crypto.randomUUID()); // a new article's id until it is created: a retry creates it once
  return (
    <WithDesk>
      {id ? <Article key={id} id={id} /> : (
        <>
          <p><a href="#/helpdesk/kb">← Articles</a></p>
          <section aria-labelledby="new-article-title">
            <h2 id="new-article-title">New article</h2>
            <ArticleForm a={null} id={fresh.current} />
          </section>
        </>
      )}
    </WithDesk>
  );
}
