// One order (staff), opened from the inbox: who, what, where to, how it was paid and its history; the
// buttons move it on as its workflow allows (the API's `next_statuses`: placed → confirmed → picked →
// shipped → delivered, or → ready → collected; cancelling a placed or confirmed order takes a manager).
// Each move sends the version read: a change made meanwhile is said, and the order read again.
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { pageError } from "../core/errors.js";
import { Badge, confirmAction, say, useLoad } from "../core/ui.jsx";
import { currentOrg, isManager, locationName, orgPath } from "../inventory/context.js";
import { WithOrg } from "../inventory/org.jsx";
import { channelLabel, loadChannels } from "./inbox.jsx";
import { orderNumber } from "./storefront-data.js";

const MOVES = {
  confirmed: "Mark paid", picked: "Mark picked", shipped: "Mark shipped", ready: "Ready to collect",
  delivered: "Mark delivered", collected: "Mark collected", cancelled: "Cancel order",
};
const DONE = {
  confirmed: "marked paid", picked: "picked: its units are sold", shipped: "shipped", ready: "ready to collect",
  delivered: "delivered", collected: "collected", cancelled: "cancelled: its stock is free again",
};
const when = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "");
const BY = { customer: "the customer", payment: "the payment provider", expiry: "not paid in time" };
const byWho = (by, channels) => BY[by] || (by.startsWith("channel:") ? channelLabel(channels, by.slice(8)) : "staff");

function Order({ id }) {
  const org = currentOrg();
  const [busy, setBusy] = useState(false);
  const [channels] = useLoad(loadChannels, [org.org_id], ["channels"]);
  const [order, reload] = useLoad(async () => {
    const r = await api("GET", orgPath(`/shop/orders/${id}`));
    return r.ok ? r.data : { error: pageError(r) };
  }, [org.org_id, id]);
  if (!order) return <p aria-busy="true">Loading the order…</p>;
  if (order.error) return <p role="alert" class="field-error">{order.error} <a href="#/shop/inbox">Back to the orders</a></p>;
  const move = async (status) => {
    if (status === "cancelled" && !(await confirmAction({
      title: `Cancel order ${orderNumber(order.id)}?`, text: "The customer is told, and the reserved stock is free again.",
      action: "Cancel order" }))) return;
    setBusy(true);
    const r = await api("POST", orgPath(`/shop/orders/${order.id}/status`), { status, version: order.version });
    setBusy(false);
    if (r.ok) say(`Order ${orderNumber(order.id)} ${DONE[status]}.`);
    else if (r.status === 409 && r.data && r.data.error && r.data.error.field === "version") {
      say("This order changed meanwhile: here it is as it is now.", { error: true });
    } else say(pageError(r), { error: true });
    reload();
  };
  const moves = order.next_statuses.filter((s) => s !== "cancelled" || isManager());
  return (
    <article class="order-detail" id="order" data-status={order.status} data-version={order.version}>
      <div class="section-head">
        <h2>Order {orderNumber(order.id)}</h2>
        <Badge kind={order.status}>{order.status}</Badge>
      </div>
      <p class="muted">{channelLabel(channels, order.channel_id)}{order.external_reference ? ` ${order.external_reference}` : ""}
        {" · "}placed {when(order.created_at)}</p>
      <dl class="facts-list">
        <dt>Customer</dt>
        <dd>{order.customer_name || "—"} · <a href={`mailto:${order.customer_email}`}>{order.customer_email}</a>
          {order.phone && <> · {order.phone}{order.sms_opt_in ? " (texts on)" : ""}</>}{order.guest ? " · guest" : ""}</dd>
        <dt>{order.fulfilment === "delivery" ? "Delivery" : "Pickup"}</dt>
        <dd>{order.fulfilment === "delivery" ? `to ${order.address} from ${locationName(order.location_id)}` : `at ${locationName(order.location_id)}`}</dd>
        <dt>Payment</dt>
        <dd>{order.paid_at ? `paid ${when(order.paid_at)}${order.payment_id ? ` (${order.payment_id})` : ""}`
          : order.status === "placed" ? `waiting${order.expires_at ? `: stock held until ${when(order.expires_at)}` : ""}` : "—"}</dd>
        {order.coupon && <><dt>Coupon</dt><dd>{order.coupon}</dd></>}
        {order.cancel_reason && <><dt>Cancelled</dt><dd>{order.cancel_reason}</dd></>}
      </dl>
      <ul class="order-lines" id="order-lines">
        {order.lines.map((l) => (
          <li data-product={l.product_id}>
            <span class="what">{l.quantity} × {l.name || l.sku}</span>
            <span class="amount">{l.unit_price} {order.currency} each
              {l.discount && Number(l.discount) > 0 ? <span class="muted"> ({l.list_price} − {l.discount})</span> : null}</span>
          </li>
        ))}
      </ul>
      <p class="order-total">Total <strong id="order-total">{order.total} {order.currency}</strong></p>
      {moves.length > 0 && (
        <div class="actions" id="order-actions">
          {moves.map((s) => (
            <button type="button" class={s === "cancelled" ? "secondary outline danger" : ""} data-status={s}
              disabled={busy} onClick={() => move(s)}>{MOVES[s]}</button>
          ))}
        </div>
      )}
      <h3>History</h3>
      <ol class="history" id="order-history">
        {order.history.map((h) => <li>{when(h.at)}: <strong>{h.status}</strong>{h.by ? ` · ${byWho(h.by, channels)}` : ""}</li>)}
      </ol>
      <p><a href="#/shop/inbox">← All orders</a></p>
    </article>
  );
}

export function OrderPage({ params }) {
  const id = params.get("id") || "";
  if (!/^[0-9a-f-]{36}$/.test(id)) return <p class="notice over">No such order. <a href="#/shop/inbox">Back to the orders</a></p>;
  return <WithOrg><Order id={id} /></WithOrg>;
}
