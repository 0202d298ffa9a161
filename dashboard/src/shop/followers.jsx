// The shop's followers and the news they were sent (issue 13 items 6 and 7): who follows the shop, a
// category or a brand (and whether they confirmed), the launch and back-in-stock messages sent, a
// product's launch day, and customers' texted inquiries with the answer sent back by text.
// Usable at 375 px: the tables become cards, the forms stack.
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { emit } from "../core/bus.js";
import { Badge, Empty, Field, Form, say, Table, useForm, useLoad } from "../core/ui.jsx";

const ORG_KEY = "tally.org"; // the organisation chosen on the other staff pages
const MANAGERS = ["owner", "manager"];

function useOrg() {
  const [chosen, setChosen] = useState(sessionStorage.getItem(ORG_KEY));
  const [orgs] = useLoad(async () => {
    const r = await api("GET", "/orgs");
    return r.ok ? r.data.items : [];
  });
  const org = orgs && (orgs.find((o) => o.org_id === chosen) || orgs[0]);
  const choose = (id) => { sessionStorage.setItem(ORG_KEY, id); setChosen(id); };
  return { orgs, org, choose };
}

const when = (iso) => (iso ? iso.slice(0, 16).replace("T", " ") : "");
const target = (t) => (t === "shop" ? "The whole shop" : t.replace(/^category:/, "Category: ").replace(/^brand:/, "Brand: "));

function Followers({ org }) {
  const [data] = useLoad(async () => {
    const r = await api("GET", `/orgs/${org.org_id}/shop/followers`);
    return r.ok ? r.data : { items: [], counts: {}, missing: r.status === 404 };
  }, [org.org_id], ["shop-news"]);
  const counts = data ? Object.entries(data.counts) : [];
  return (
    <section aria-labelledby="followers-title">
      <h2 id="followers-title">Followers</h2>
      {data && data.missing && <Empty>This organisation has no shop yet.</Empty>}
      {counts.length > 0 && (
        <ul class="cards-list" id="follower-counts">
          {counts.map(([t, n]) => <li data-target={t}><span class="what">{target(t)}</span> <strong>{n}</strong> confirmed</li>)}
        </ul>
      )}
      <Table id="followers" caption="Followers" hideCaption rows={data && data.items}
        empty={<Empty>No one follows the shop yet: the storefront's Follow button asks for an email.</Empty>}
        columns={[
          { label: "Follows", cell: (f) => target(f.target) },
          { label: "By", cell: (f) => (f.channel === "sms" ? `Text ${f.phone || ""}` : "Email") },
          { label: "Email", cell: (f) => <span class="followers-wrap">{f.email}</span> },
          { label: "Status", cell: (f) => <Badge kind={f.status === "confirmed" ? "ok" : "draft"}>{f.status}</Badge> },
          { label: "Since", cell: (f) => when(f.confirmed_at || f.created_at) },
        ]} />
    </section>
  );
}

function NewsSent({ org }) {
  const [items] = useLoad(async () => {
    const r = await api("GET", `/orgs/${org.org_id}/shop/news?limit=100`);
    return r.ok ? r.data.items : [];
  }, [org.org_id], ["shop-news"]);
  return (
    <section aria-labelledby="news-title">
      <h2 id="news-title">Messages sent</h2>
      <Table id="news-sent" caption="Messages sent" hideCaption rows={items}
        empty={<Empty>Nothing sent yet: a launch day's news goes out at 08:00 UTC, one message per follower a day.</Empty>}
        columns={[
          { label: "Day", cell: (n) => n.day },
          { label: "What", cell: (n) => (n.kind === "launch" ? `Launch (${n.product_ids.length} product${n.product_ids.length > 1 ? "s" : ""})` : "Back in stock") },
          { label: "By", cell: (n) => (n.channel === "sms" ? "Text" : "Email") },
          { label: "To", cell: (n) => <span class="followers-wrap">{n.recipient}</span> },
        ]} />
    </section>
  );
}

function LaunchForm({ org }) {
  const form = useForm({ launch_on: "launch_on", product_id: "product_id" });
  const [listings] = useLoad(async () => {
    const r = await api("GET", `/orgs/${org.org_id}/shop/listings`);
    return r.ok ? r.data.items : [];
  }, [org.org_id]);
  if (!MANAGERS.includes(org.role)) return null;
  const submit = async (f) => {
    const r = await api("PUT", `/orgs/${org.org_id}/shop/launches/${encodeURIComponent(f.product_id.value)}`,
      { launch_on: f.launch_on.value });
    if (!r.ok) return form.fail(r);
    form.ok(`Launch set for ${r.data.launch_on}: followers hear of it that day.`);
    emit("shop-news");
  };
  return (
    <section aria-labelledby="launch-title">
      <h2 id="launch-title">Launch a product</h2>
      <Form form={form} onSubmit={submit} id="launch-form">
        <Field label="Product" name="product_id" as="select" required>
          {(listings || []).map((l) => <option value={l.product_id}>{l.name} ({l.sku})</option>)}
        </Field>
        <Field label="Launch day" name="launch_on" type="date" required hint="Followers get one message that day (a digest when several launch)." />
        <button type="submit">Set launch day</button>
      </Form>
    </section>
  );
}

function Inquiry({ org, item }) {
  const form = useForm({ text: "text" });
  const submit = async (f) => {
    const r = await api("POST", `/orgs/${org.org_id}/shop/inquiries/${item.id}/answer`, { text: f.text.value.trim() });
    if (!r.ok) return form.fail(r);
    form.ok("Answer sent by text.");
    emit("shop-news");
  };
  return (
    <li data-inquiry={item.id}>
      <span class="what"><strong>{item.phone}</strong> <span class="muted">{when(item.received_at)}</span><br />{item.text}</span>
      {item.status === "answered" ? <span><Badge kind="ok">answered</Badge> <span class="muted">{item.answer}</span></span> : (
        <Form form={form} onSubmit={submit} class="inquiry-answer">
          <Field label={`Answer ${item.phone}`} name="text" as="textarea" rows={2} required maxLength={600} />
          <button type="submit" class="small">Send text</button>
        </Form>
      )}
    </li>
  );
}

function Inquiries({ org }) {
  const [items] = useLoad(async () => {
    const r = await api("GET", `/orgs/${org.org_id}/shop/inquiries`);
    return r.ok ? r.data.items : [];
  }, [org.org_id], ["shop-news"]);
  return (
    <section aria-labelledby="inquiries-title">
      <h2 id="inquiries-title">Texted inquiries</h2>
      {items && !items.length && <Empty>No texts yet. Where the organisation has a help desk, texts become tickets there.</Empty>}
      <ul class="cards-list" id="inquiries" aria-busy={items ? undefined : "true"}>
        {(items || []).map((i) => <Inquiry org={org} item={i} />)}
      </ul>
    </section>
  );
}

export function FollowersPage() {
  const { orgs, org, choose } = useOrg();
  if (!orgs) return <p aria-busy="true">Loading…</p>;
  if (!org) return <Empty href="#/inventory" action="Create one">You belong to no organisation yet.</Empty>;
  return (
    <>
      {orgs.length > 1 && (
        <label>Organisation
          <select id="shop-org" value={org.org_id} onChange={(e) => { choose(e.currentTarget.value); say(""); }}>
            {orgs.map((o) => <option value={o.org_id}>{o.name}</option>)}
          </select>
        </label>
      )}
      <Followers org={org} />
      <NewsSent org={org} />
      <LaunchForm org={org} />
      <Inquiries org={org} />
    </>
  );
}
