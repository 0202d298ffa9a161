// The shop's orders from every channel in one inbox (issue 13 item 4): filters by channel, status and
// the days they were placed (GET /orgs/{o}/shop/orders?channel=&status=&start=&end=).
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { Badge, Empty, Table, useLoad } from "../core/ui.jsx";
import { currentOrg, locationName, orgPath } from "../inventory/context.js";
import { WithOrg } from "../inventory/org.jsx";
import { orderNumber } from "./storefront-data.js";

const STATUSES = ["placed", "confirmed", "picked", "shipped", "ready", "delivered", "collected", "cancelled"];

export async function loadChannels() {
  const r = await api("GET", orgPath("/shop/channels"));
  return r.ok ? r.data.items : [];
}

export const channelLabel = (channels, id) =>
  id === "storefront" ? "Storefront" : ((channels || []).find((c) => c.id === id) || { name: "a channel" }).name;

function Inbox() {
  const org = currentOrg();
  const [filters, setFilters] = useState({ channel: "", status: "", start: "", end: "" });
  const [channels] = useLoad(loadChannels, [org.org_id], ["channels"]);
  const [orders] = useLoad(async () => {
    const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    const r = await api("GET", orgPath(`/shop/orders${q.toString() ? `?${q}` : ""}`));
    return r.ok ? r.data.items : { error: r.data && r.data.error ? r.data.error.message : "The orders could not be loaded." };
  }, [org.org_id, filters.channel, filters.status, filters.start, filters.end], ["orders"]);
  const set = (name) => (e) => setFilters({ ...filters, [name]: e.target.value });
  const columns = [
    { label: "Order", cell: (o) => <a href={`#/shop/order?id=${o.id}`} class="open-order">{orderNumber(o.id)}</a> },
    { label: "Placed", cell: (o) => o.created_at.slice(0, 16).replace("T", " ") },
    { label: "Channel", cell: (o) => <span data-channel={o.channel_id}>{channelLabel(channels, o.channel_id)}{o.external_reference ? ` ${o.external_reference}` : ""}</span> },
    { label: "Customer", cell: (o) => o.customer_name || o.customer_email },
    { label: "Items", cell: (o) => o.lines.map((ln) => `${ln.quantity} × ${ln.name || ln.sku}`).join(", ") },
    { label: "From", cell: (o) => locationName(o.location_id) },
    { label: "Total", class: "num", cell: (o) => `${o.total} ${o.currency}` },
    { label: "Status", cell: (o) => <Badge kind={o.status}>{o.status}</Badge> },
  ];
  return (
    <>
      <form id="inbox-filters" class="filters" aria-label="Filter orders" onSubmit={(e) => e.preventDefault()}>
        <div class="grid">
          <label>Channel
            <select name="channel" value={filters.channel} onChange={set("channel")}>
              <option value="">Every channel</option>
              <option value="storefront">Storefront</option>
              {(channels || []).filter((c) => c.kind !== "storefront").map((c) => <option value={c.id}>{c.name}</option>)}
            </select>
          </label>
          <label>Status
            <select name="status" value={filters.status} onChange={set("status")}>
              <option value="">Any status</option>
              {STATUSES.map((s) => <option value={s}>{s}</option>)}
            </select>
          </label>
          <label>From day<input type="date" name="start" value={filters.start} onChange={set("start")} /></label>
          <label>To day<input type="date" name="end" value={filters.end} onChange={set("end")} /></label>
        </div>
      </form>
      {orders && orders.error ? <p role="alert" class="field-error">{orders.error}</p> : (
        <Table id="inbox" caption="Orders from every channel, newest first" hideCaption columns={columns} rows={orders}
          rowProps={(o) => ({ "data-order": o.id, "data-channel": o.channel_id })}
          empty={<Empty>No orders match. Storefront orders and every marketplace's orders land here.</Empty>} />
      )}
    </>
  );
}

export function InboxPage() {
  return <WithOrg><Inbox /></WithOrg>;
}
