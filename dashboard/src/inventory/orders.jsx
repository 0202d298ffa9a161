// Purchase orders (approve a draft, receive an approved one) and customers' backorders.
import { api } from "../core/api.js";
import { dayName } from "../core/format.js";
import { Badge, Empty, say, useLoad } from "../core/ui.jsx";
import { customerName, isManager, locationName, orgPath, productName, supplierName, useOrg, write } from "./context.js";
import { WithOrg } from "./org.jsx";

const PO_TEXT = { draft: "Draft: to approve", approved: "Approved: on its way", received: "Received", cancelled: "Cancelled",
  partially_received: "Partly received" };

export async function loadOrders() {
  const r = await api("GET", orgPath("/purchase-orders"));
  return r.ok ? r.data.items : [];
}

export async function loadBackorders(status) {
  const r = await api("GET", orgPath(`/backorders${status ? `?status=${status}` : ""}`));
  return r.ok ? r.data.items : [];
}

export function OrderList({ orders }) {
  if (!orders) return <ul id="po-list" aria-busy="true" />;
  return (
    <ul id="po-list" class="cards-list">
      {!orders.length && <li class="muted"><Empty>No purchase orders: the daily reorder job drafts one when stock falls below its reorder point.</Empty></li>}
      {orders.map((po) => (
        <li data-status={po.status} data-supplier={po.supplier_id} data-location={po.location_id}>
          <div class="what">
            <strong>{supplierName(po.supplier_id)} → {locationName(po.location_id)}</strong>
            <span>{po.lines.map((ln) => `${ln.quantity} × ${productName(ln.product_id)}${ln.received !== "0" ? ` (${ln.received} received)` : ""}`).join(", ")}</span>
            {po.created_at && <span class="muted">Drafted {dayName(po.created_at.slice(0, 10), true)}</span>}
          </div>
          <Badge kind={po.status}>{PO_TEXT[po.status] || po.status}</Badge>
          <span class="row-actions">
            {po.status === "draft" && isManager() && (
              <button type="button" class="small" onClick={async () => {
                const a = await write("POST", orgPath(`/purchase-orders/${po.id}/approve`), { version: po.version });
                if (!a.ok) { say("It could not be approved: it may have changed. Reload and try again.", { error: true }); return; }
                say("Approved: the supplier has been emailed the order.");
              }}>Approve</button>
            )}
            {po.status === "approved" && (
              <button type="button" class="small" onClick={async () => {
                const lines = po.lines.map((ln) => ({ product_id: ln.product_id,
                  quantity: String(Number(ln.quantity) - Number(ln.received)) })).filter((ln) => Number(ln.quantity) > 0);
                const a = await write("POST", orgPath(`/purchase-orders/${po.id}/receive`), { receipt_id: crypto.randomUUID(), lines });
                if (!a.ok) { say("It could not be received: please try again.", { error: true }); return; }
                say("Received into stock.");
              }}>Receive all</button>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function BackorderList({ items }) {
  if (!items) return <ul id="backorder-list" aria-busy="true" />;
  return (
    <ul id="backorder-list" class="cards-list">
      {!items.length && <li class="muted"><Empty>No backorders: when a customer orders more than you have, the rest waits here.</Empty></li>}
      {items.map((b) => (
        <li data-status={b.status}>
          <span class="what">{b.customer_name || customerName(b.customer_id)}: {b.filled} of {b.quantity} × {productName(b.product_id)} at {locationName(b.location_id)}</span>
          <Badge kind={b.status}>{b.status === "open" ? "Waiting" : b.status === "filled" ? "Filled" : b.status}</Badge>
        </li>
      ))}
    </ul>
  );
}

function Orders() {
  const { org } = useOrg();
  const [orders] = useLoad(loadOrders, [org.org_id], ["inventory"]);
  const [backorders] = useLoad(() => loadBackorders(), [org.org_id], ["inventory"]);
  return (
    <>
      <section id="purchasing" aria-labelledby="po-title">
        <h2 id="po-title">Purchase orders</h2>
        <OrderList orders={orders} />
      </section>
      <section id="backorders" aria-labelledby="bo-title">
        <h2 id="bo-title">Backorders</h2>
        <BackorderList items={backorders} />
      </section>
    </>
  );
}

export function OrdersPage() {
  return <WithOrg><Orders /></WithOrg>;
}
