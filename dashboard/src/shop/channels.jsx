// The channels admin page (issue 13 item 4): each sales channel with the location it sells from, its
// stock buffer, its feed URLs and stock webhook; marketplaces show where they post orders and (owners
// only) the secret that signs them, which an owner can rotate.
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { emit } from "../core/bus.js";
import { Badge, Check, Empty, Field, Form, say, useForm, useLoad } from "../core/ui.jsx";
import { catalogue, currentOrg, isManager, isOwner, locationName, orgPath } from "../inventory/context.js";
import { WithOrg } from "../inventory/org.jsx";
import { loadChannels } from "./inbox.jsx";

const KINDS = { in_store: "In store", storefront: "Own storefront", marketplace: "Marketplace" };

function ChannelForm({ channel, onDone }) {
  const form = useForm({ location_id: "location_id", buffer: "buffer", webhook_url: "webhook_url", name: "name" });
  const [kind, setKind] = useState(channel ? channel.kind : "marketplace");
  const locations = Object.values(catalogue().location);
  return (
    <Form form={form} id={channel ? `edit-${channel.id}` : "new-channel"} aria-label={channel ? `Change ${channel.name}` : "New channel"}
      checks={{ buffer: (v) => (/^\d+(\.\d{1,3})?$/.test(v) ? null : "A number of units, e.g. 2.") }}
      onSubmit={async (f) => {
        const body = { kind: f.kind.value, name: f.name.value.trim(), location_id: f.location_id.value, buffer: f.buffer.value.trim() || "0",
          platform: f.platform ? f.platform.value : "generic", webhook_url: f.webhook_url.value.trim() || null, active: f.active.checked };
        if (channel) body.version = channel.version;
        const id = channel ? channel.id : crypto.randomUUID();
        const r = await api("PUT", orgPath(`/shop/channels/${id}`), body);
        if (!r.ok) { form.fail(r); return; }
        form.ok(channel ? `${body.name} saved.` : `${body.name} added.`);
        emit("channels");
        if (onDone) onDone();
      }}>
      <div class="grid">
        <Field label="Name" name="name" required maxlength="80" init={channel ? channel.name : ""} data-required="Name the channel, e.g. the marketplace's." />
        <Field label="Kind" name="kind" as="select" init={kind} onChange={(e) => setKind(e.target.value)}>
          {Object.entries(KINDS).map(([k, v]) => <option value={k}>{v}</option>)}
        </Field>
      </div>
      <div class="grid">
        <Field label="Sells from" name="location_id" as="select" required init={channel ? channel.location_id : (locations[0] || {}).id}>
          {locations.map((l) => <option value={l.id}>{l.name}</option>)}
        </Field>
        <Field label="Stock buffer (units kept back)" name="buffer" inputmode="decimal" init={channel ? channel.buffer : "0"}
          hint="The feed offers on hand − reserved − this." />
      </div>
      {kind === "marketplace" && (
        <Field label="Order format" name="platform" as="select" init={channel ? channel.platform : "generic"}>
          <option value="generic">Tally generic JSON</option>
          <option value="shopify">Shopify orders/create webhook</option>
        </Field>
      )}
      <Field label="Stock webhook URL (https, optional)" name="webhook_url" type="url" maxlength="500" init={channel ? channel.webhook_url || "" : ""} />
      <Check label="Active" name="active" init={channel ? channel.active : true} />
      <button type="submit">{channel ? "Save channel" : "Add channel"}</button>
    </Form>
  );
}

function ChannelCard({ c }) {
  const [editing, setEditing] = useState(false);
  const rotate = async () => {
    const r = await api("POST", orgPath(`/shop/channels/${c.id}/secret`), { version: c.version });
    if (!r.ok) { say("The secret could not be rotated: the channel may have changed. Reload and try again.", { error: true }); return; }
    say("A new secret is in use; the old one still works for 24 hours.");
    emit("channels");
  };
  return (
    <li data-channel={c.id} class="channel">
      <div class="what">
        <strong>{c.name}</strong> <Badge kind={c.kind}>{KINDS[c.kind]}</Badge>{!c.active && <Badge kind="cancelled">paused</Badge>}
        <span>Sells from {locationName(c.location_id)}, keeps back {c.buffer}</span>
        <span>Feed: <a href={c.feed.json_url} class="feed-json">JSON</a> · <a href={c.feed.csv_url} class="feed-csv">CSV</a></span>
        {c.orders_url && <span class="wrap-anywhere">Orders to <code>{c.orders_url}</code> ({c.platform === "shopify" ? "Shopify orders/create" : "generic JSON"})</span>}
        {c.webhook_url && <span class="wrap-anywhere">Stock webhook: <code>{c.webhook_url}</code>{c.last_push_error ? <span class="field-error"> last push failed: {c.last_push_error}</span> : c.last_push_at ? ` (last sent ${c.last_push_at.slice(0, 16).replace("T", " ")})` : ""}</span>}
        {c.secret && <details><summary>Secret (owners only)</summary><code class="secret wrap-anywhere">{c.secret}</code></details>}
      </div>
      <span class="row-actions">
        {isManager() && <button type="button" class="small secondary" onClick={() => setEditing(!editing)} aria-expanded={editing}>{editing ? "Close" : `Change ${c.name}`}</button>}
        {isOwner() && <button type="button" class="small outline" onClick={rotate}>Rotate secret</button>}
      </span>
      {editing && <ChannelForm channel={c} onDone={() => setEditing(false)} />}
    </li>
  );
}

function Channels() {
  const org = currentOrg();
  const [channels] = useLoad(loadChannels, [org.org_id], ["channels"]);
  return (
    <>
      <ul id="channel-list" class="cards-list" aria-busy={channels ? undefined : "true"}>
        {channels && !channels.length && <li class="muted"><Empty>No channels yet. Add the counter, your storefront and each marketplace you sell on.</Empty></li>}
        {(channels || []).map((c) => <ChannelCard c={c} />)}
      </ul>
      {isManager() && <section aria-label="Add a channel"><h2>Add a channel</h2><ChannelForm /></section>}
    </>
  );
}

export function ChannelsPage() {
  return <WithOrg><Channels /></WithOrg>;
}
