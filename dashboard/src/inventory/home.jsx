// The inventory home: what needs action, with counts: positions out of stock or low, draft purchase
// orders to approve, open backorders, lots expiring within 30 days.
import { dayName } from "../core/format.js";
import { Empty, useLoad } from "../core/ui.jsx";
import { isManager, locationName, productName, supplierName, useCatalogue, useOrg } from "./context.js";
import { loadBackorders, loadOrders } from "./orders.jsx";
import { WithOrg } from "./org.jsx";
import { loadExpiring, loadStock, status, StatusBadge } from "./stock.jsx";

function Card({ id, title, count, href, action, children }) {
  return (
    <article id={id} class={`action-card${count ? " needs" : ""}`}>
      <header><h2><span class="count" data-count={count}>{count ?? "…"}</span> {title}</h2></header>
      {children}
      {href && <footer><a href={href}>{action}</a></footer>}
    </article>
  );
}

function NeedsAction() {
  const { org } = useOrg();
  const names = useCatalogue();
  const [stock] = useLoad(() => loadStock(""), [org.org_id], ["inventory"]);
  const [orders] = useLoad(loadOrders, [org.org_id], ["inventory"]);
  const [backorders] = useLoad(() => loadBackorders("open"), [org.org_id], ["inventory"]);
  const [expiring] = useLoad(loadExpiring, [org.org_id], ["inventory"]);
  if (!Object.keys(names.product).length) {
    return (
      <section class="guide" aria-labelledby="first-steps">
        <h2 id="first-steps">First steps</h2>
        <ol>
          <li><a href="#/inventory/catalogue">Add your locations, suppliers and products</a></li>
          <li><a href="#/inventory/movements">Record a delivery</a> to put stock on the shelves</li>
          <li><a href="#/inventory/stock">Set reorder points</a>: we email you when stock runs low and draft the purchase order</li>
          <li><a href="#/inventory/team">Invite your team</a></li>
        </ol>
      </section>
    );
  }
  const short = stock && stock.filter((p) => p.out || p.low);
  const drafts = orders && orders.filter((po) => po.status === "draft");
  const few = (list, render) => list && list.length > 0 && <ul>{list.slice(0, 5).map(render)}{list.length > 5 && <li class="muted">and {list.length - 5} more</li>}</ul>;
  return (
    <div class="action-grid">
      <Card id="needs-stock" title="low or out of stock" count={short && short.length} href="#/inventory/stock" action="See all stock">
        {short && !short.length && <Empty>Everything is above its reorder point.</Empty>}
        {few(short && [...short].sort((a, b) => (status(a) === "out" ? -1 : 1) - (status(b) === "out" ? -1 : 1)),
          (p) => <li>{productName(p.product_id)} at {locationName(p.location_id)}: {p.on_hand} <StatusBadge p={p} /></li>)}
      </Card>
      <Card id="needs-orders" title={isManager() ? "purchase orders to approve" : "draft purchase orders"} count={drafts && drafts.length}
        href="#/inventory/orders" action="Open purchase orders">
        {drafts && !drafts.length && <Empty>No drafts waiting.</Empty>}
        {few(drafts, (po) => <li>{supplierName(po.supplier_id)} → {locationName(po.location_id)}: {po.lines.length} {po.lines.length === 1 ? "line" : "lines"}</li>)}
      </Card>
      <Card id="needs-backorders" title="backorders waiting" count={backorders && backorders.length} href="#/inventory/orders" action="See backorders">
        {backorders && !backorders.length && <Empty>No customer is waiting.</Empty>}
        {few(backorders, (b) => <li>{b.customer_name}: {Number(b.quantity) - Number(b.filled)} × {productName(b.product_id)}</li>)}
      </Card>
      <Card id="needs-expiring" title="lots expiring within 30 days" count={expiring && expiring.length} href="#/inventory/stock" action="See lots">
        {expiring && !expiring.length && <Empty>Nothing expires soon.</Empty>}
        {few(expiring, (x) => <li>{productName(x.product_id)} lot {x.lot}: {x.quantity}, {x.expired ? "expired" : "expires"} {dayName(x.expiry)}</li>)}
      </Card>
    </div>
  );
}

export function InventoryHome() {
  return (
    <WithOrg>
      <NeedsAction />
      <p class="actions"><a href="#/inventory/movements" role="button">Record a movement</a></p>
    </WithOrg>
  );
}
