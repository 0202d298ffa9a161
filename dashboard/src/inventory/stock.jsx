// Stock: every position with one status (out, low, over or ok), its value, reorder settings,
// and the lots that expire soon.
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { dayName, money, number } from "../core/format.js";
import { Badge, decimalCheck, Empty, Field, Form, Table, useForm, useLoad } from "../core/ui.jsx";
import { isManager, locationName, orgCurrency, orgPath, productName, useCatalogue, useOrg, write } from "./context.js";
import { WithOrg } from "./org.jsx";

export const status = (p) => (p.out ? "out" : p.low ? "low" : p.over ? "over" : "ok");
const STATUS_TEXT = { out: "Out of stock", low: "Low", over: "Over maximum", ok: "OK" };
export const StatusBadge = ({ p }) => <Badge kind={status(p)}>{STATUS_TEXT[status(p)]}</Badge>;

export async function loadStock(location) {
  const r = await api("GET", orgPath(`/stock${location ? `?location_id=${location}` : ""}`));
  return r.ok ? r.data.items : [];
}

export async function loadExpiring() {
  const r = await api("GET", orgPath("/reports/expiring?days=30"));
  return r.ok ? r.data.items : [];
}

function Settings() {
  const names = useCatalogue();
  const form = useForm();
  const level = (v) => decimalCheck(v, { allowZero: true });
  return (
    <section id="settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Reorder settings</h2>
      <Form id="settings-form" form={form} checks={{ reorder_point: level, reorder_quantity: level, max_quantity: level }}
        onSubmit={async (f) => {
          const v = (name) => f.elements.namedItem(name).value.trim() || null;
          const r = await write("PUT", orgPath(`/stock/${f.product_id.value}/${f.location_id.value}/settings`), {
            reorder_point: v("reorder_point"), reorder_quantity: v("reorder_quantity"), max_quantity: v("max_quantity") });
          if (!r.ok) { form.fail(r); return; }
          form.ok(`Reorder settings saved for ${productName(r.data.product_id)} at ${locationName(r.data.location_id)}.`);
        }}>
        <div class="grid">
          <Field as="select" label="Settings product" name="product_id">
            {Object.values(names.product).map((p) => <option value={p.id}>{p.name} ({p.sku})</option>)}
          </Field>
          <Field as="select" label="Settings location" name="location_id">
            {Object.values(names.location).map((l) => <option value={l.id}>{l.name}</option>)}
          </Field>
        </div>
        <div class="grid">
          <Field label="Reorder point" name="reorder_point" inputmode="decimal" hint="Below this, the item is low and reordered." />
          <Field label="Reorder quantity" name="reorder_quantity" inputmode="decimal" />
          <Field label="Maximum" name="max_quantity" inputmode="decimal" />
        </div>
        <button type="submit">Save settings</button>
      </Form>
    </section>
  );
}

function Stock() {
  const names = useCatalogue();
  const { org } = useOrg();
  const [location, setLocation] = useState("");
  const manager = isManager();
  const cur = orgCurrency();
  const [rows] = useLoad(() => loadStock(location), [org.org_id, location], ["inventory"]);
  const [valuation] = useLoad(async () => {
    if (!manager) return null;
    const r = await api("GET", orgPath("/reports/valuation"));
    return r.ok ? r.data : null;
  }, [org.org_id, manager], ["inventory"]);
  const [expiring] = useLoad(loadExpiring, [org.org_id], ["inventory"]);
  const sorted = rows && [...rows].sort((a, b) => ["out", "low", "over", "ok"].indexOf(status(a)) - ["out", "low", "over", "ok"].indexOf(status(b)));
  return (
    <>
      <section id="stock" aria-labelledby="stock-title">
        <div class="section-head">
          <h2 id="stock-title">Stock</h2>
          <span class="filter">
            <label for="stock-location">Location</label>
            <select id="stock-location" value={location} onChange={(e) => setLocation(e.target.value)}>
              <option value="">All locations</option>
              {Object.values(names.location).map((l) => <option value={l.id}>{l.name}</option>)}
            </select>
          </span>
        </div>
        <Table id="stock-table" caption="Stock by product and location" hideCaption rows={sorted}
          empty={<Empty href="#/inventory/movements" action="Record a delivery">No stock yet.</Empty>}
          rowProps={(p) => ({ "data-product": p.product_id, "data-location": p.location_id, "data-status": status(p) })}
          columns={[
            { label: "Product", cell: (p) => productName(p.product_id), class: "primary" },
            { label: "Location", cell: (p) => locationName(p.location_id) },
            { label: "On hand", cell: (p) => <span class="on-hand">{p.on_hand}</span>, class: "num" },
            { label: "Status", cell: (p) => <StatusBadge p={p} /> },
            { label: "Reorder point", cell: (p) => (p.reorder_point === null ? "–" : number(p.reorder_point)), class: "num" },
            { label: "Backordered", cell: (p) => number(p.backordered), class: "num" },
            ...(manager ? [{ label: "Value", cell: (p) => money(p.value, cur), class: "num" }] : []),
          ]} />
        {manager && <p>Stock value (FIFO): <strong id="valuation-total" data-currency={cur}>{valuation ? valuation.total : "–"}</strong> {cur}
          {valuation && <span class="muted"> ({money(valuation.total, cur)} as of {dayName(valuation.as_of, true)})</span>}</p>}
      </section>
      <section aria-labelledby="expiring-title">
        <h2 id="expiring-title">Lots expiring within 30 days</h2>
        <ul id="expiring-list">
          {expiring && !expiring.length && <li class="muted"><Empty>Nothing expires in the next 30 days.</Empty></li>}
          {(expiring || []).map((x) => (
            <li>{productName(x.product_id)} lot {x.lot} at {locationName(x.location_id)}: {x.quantity}, {x.expired ? "expired" : "expires"} {dayName(x.expiry, true)}</li>
          ))}
        </ul>
      </section>
      {manager && <Settings />}
    </>
  );
}

export function StockPage() {
  return <WithOrg><Stock /></WithOrg>;
}
