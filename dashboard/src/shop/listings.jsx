// What the storefront offers (staff): every catalogue product with whether it is listed, its shop
// category, the selling price, today's discount and the price after it; owners and managers edit a
// product's listing (category, description, shown or hidden, a percent or amount discount within its
// days) in a dialog. Filter listed / not listed, search by name or SKU. A product's launch day is set on
// the Followers page.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { emit } from "../core/bus.js";
import { pageError } from "../core/errors.js";
import { Badge, Check, decimalCheck, Empty, Field, Form, say, Table, useForm, useLoad } from "../core/ui.jsx";
import { isManager, orgPath, useOrg } from "../inventory/context.js";
import { WithOrg } from "../inventory/org.jsx";
import { plain } from "./storefront-data.js";

const DISCOUNT_FIELDS = { "discount.kind": "discount.kind", "discount.value": "discount.value",
  "discount.starts_on": "discount.starts_on", "discount.ends_on": "discount.ends_on", "discount.label": "discount.label" };


function discountText(d, currency) {
  if (!d) return "";
  const off = d.kind === "percent" ? `${d.value} % off` : `${d.value} ${currency} off`;
  const days = d.starts_on || d.ends_on ? ` (${d.starts_on || "…"} – ${d.ends_on || "…"})` : "";
  return `${off}${days}`;
}

function ListingForm({ row, shop, onSaved, onStale, onCancel }) {
  const form = useForm(DISCOUNT_FIELDS);
  const l = row.listing;
  const d = l && l.discount;
  const [kind, setKind] = useState(d ? d.kind : "");
  const checks = {
    "discount.value": (v, f) => decimalCheck(v) || (f["discount.kind"].value === "percent" && Number(v) > 100 ? "A percentage is at most 100." : null),
    "discount.ends_on": (v, f) => (f["discount.starts_on"].value && v < f["discount.starts_on"].value ? "The last day comes on or after the first." : null),
  };
  const submit = async (f) => {
    const body = { category: f.category.value || null, description: f.description.value.trim(), published: f.published.checked };
    if (kind) {
      body.discount = { kind, value: f["discount.value"].value.trim(), label: f["discount.label"].value.trim(),
        starts_on: f["discount.starts_on"].value || null, ends_on: f["discount.ends_on"].value || null };
    }
    if (l) body.version = l.version;
    const r = await api("PUT", orgPath(`/shop/listings/${row.product.id}`), body);
    if (!r.ok) {
      const field = r.data && r.data.error && r.data.error.field;
      if (r.status === 409 && field === "version") { onStale(); return; }
      form.fail(r);
      return;
    }
    form.ok(r.data.published ? `${row.product.name} is on the storefront at ${r.data.final_price} ${r.data.currency}.`
      : `${row.product.name} is saved but hidden from the storefront.`);
    onSaved(r.data);
  };
  return (
    <Form form={form} onSubmit={submit} checks={checks} id="listing-form" aria-labelledby="listing-title">
      <Field label="Category" name="category" as="select" init={l ? l.category || "" : ""}>
        <option value="">No category</option>
        {(shop.categories || []).map((c) => <option value={c.slug}>{c.name}</option>)}
      </Field>
      <Field label="Description" name="description" as="textarea" rows={3} maxLength={2000} init={l ? l.description : ""} />
      <Check label="Shown on the storefront" name="published" init={l ? l.published : true} />
      <Field label="Discount" name="discount.kind" as="select" init={kind} onChange={(e) => setKind(e.currentTarget.value)}>
        <option value="">No discount</option>
        <option value="percent">Percent off</option>
        <option value="amount">Amount off each unit ({row.product.currency})</option>
      </Field>
      <div class="shop-grid" hidden={!kind}>
        <Field label={kind === "amount" ? `Amount off (${row.product.currency})` : "Percent off"} name="discount.value"
          inputMode="decimal" required={Boolean(kind)} init={d ? d.value : ""} placeholder={kind === "amount" ? "2.50" : "10"}
          data-required="Enter how much off, e.g. 10." />
        <Field label="Label (optional)" name="discount.label" maxLength={80} init={d ? d.label : ""} placeholder="Winter sale" />
        <Field label="First day (optional)" name="discount.starts_on" type="date" init={d ? d.starts_on || "" : ""} />
        <Field label="Last day (optional)" name="discount.ends_on" type="date" init={d ? d.ends_on || "" : ""} />
      </div>
      <footer class="dialog-actions">
        <button type="button" class="secondary" onClick={onCancel}>Cancel</button>
        <button type="submit" id="save-listing">{l ? "Save listing" : "List on the storefront"}</button>
      </footer>
    </Form>
  );
}

function ListingDialog({ row, shop, onClose, onSaved, onStale }) {
  const ref = useRef();
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
    return () => { if (ref.current && ref.current.open) ref.current.close(); };
  }, []);
  return (
    <dialog ref={ref} id="listing-dialog" aria-labelledby="listing-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <article>
        <h2 id="listing-title">{row.product.name} <span class="muted">({row.product.sku})</span></h2>
        <p class="muted">Selling price {row.product.price} {row.product.currency}. Its launch day for followers is set on
          the <a href="#/shop/followers">Followers</a> page.</p>
        <ListingForm row={row} shop={shop} onSaved={onSaved} onStale={onStale} onCancel={onClose} />
      </article>
    </dialog>
  );
}

function Listings() {
  const { org } = useOrg();
  const manager = isManager();
  const [show, setShow] = useState("");
  const [query, setQuery] = useState("");
  const [editing, setEditing] = useState(null);
  const [data, reload] = useLoad(async () => {
    // the catalogue route answers every product at once (no page token)
    const [s, p, l] = await Promise.all([api("GET", orgPath("/shop")), api("GET", orgPath("/products")),
      api("GET", orgPath("/shop/listings"))]);
    if (!s.ok) return { missing: s.status === 404, failed: s.status === 404 ? null : s };
    if (!p.ok || !l.ok) return { failed: p.ok ? l : p };
    const listed = Object.fromEntries(l.data.items.map((x) => [x.product_id, x]));
    return { shop: s.data, rows: p.data.items.map((product) => ({ product, listing: listed[product.id] || null })) };
  }, [org.org_id], ["shop", "listings"]);
  if (!data) return <p aria-busy="true">Loading…</p>;
  if (data.missing) {
    return <Empty href="#/shop/settings" action="Open the shop">This organisation has no shop yet.</Empty>;
  }
  if (data.failed) return <p class="notice over">{pageError(data.failed)}</p>;
  const { shop } = data;
  const catName = (slug) => ((shop.categories || []).find((c) => c.slug === slug) || { name: slug }).name;
  const words = plain(query).split(/\s+/).filter(Boolean);
  const rows = data.rows.filter(({ product, listing }) => {
    if (show === "listed" && !listing) return false;
    if (show === "unlisted" && listing) return false;
    const hay = plain(`${product.name} ${product.sku}`);
    return words.every((w) => hay.includes(w));
  });
  const status = (l) => (!l ? <Badge kind="draft">Not listed</Badge> : l.published ? <Badge kind="ok">Listed</Badge>
    : <Badge kind="draft">Hidden</Badge>);
  const stale = () => {
    say("This listing changed since you opened it: reloaded, make your change again.", { error: true });
    setEditing(null);
    reload();
  };
  return (
    <>
      <div class="listing-filters" id="listing-filters">
        <div class="field">
          <label for="listing-search">Search name or SKU</label>
          <input id="listing-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="listing-show">Show</label>
          <select id="listing-show" value={show} onChange={(e) => setShow(e.currentTarget.value)}>
            <option value="">All products</option>
            <option value="listed">On the storefront</option>
            <option value="unlisted">Not listed</option>
          </select>
        </div>
      </div>
      <p class="muted" id="listing-count" aria-live="polite">{rows.length} of {data.rows.length} products ·{" "}
        <a href={`storefront.html#/s/${shop.handle}`} target="_blank" rel="noopener">the storefront (new tab)</a></p>
      <Table id="listings" caption="Products on the storefront" hideCaption rows={rows}
        rowProps={(r) => ({ "data-product": r.product.id, "data-listed": r.listing ? "yes" : "no" })}
        empty={<Empty>{data.rows.length ? "No product matches." : "The catalogue has no products yet."}</Empty>}
        columns={[
          { label: "Product", cell: (r) => <span class="followers-wrap">{r.product.name} <span class="muted">{r.product.sku}</span></span> },
          { label: "Storefront", cell: (r) => status(r.listing) },
          { label: "Category", cell: (r) => (r.listing && r.listing.category ? catName(r.listing.category) : "—") },
          { label: "Price", class: "num", cell: (r) => `${r.listing ? r.listing.price : r.product.price} ${r.product.currency}` },
          { label: "Discount today", cell: (r) => {
            const l = r.listing;
            if (!l || !l.discount) return "—";
            const today = Number(l.discount_amount) > 0;
            return <span title={l.discount.label || undefined}>{today ? `−${l.discount_amount}` : "none today"}
              <span class="muted"> {discountText(l.discount, l.currency)}</span></span>;
          } },
          { label: "Price after", class: "num", cell: (r) => (r.listing ? `${r.listing.final_price} ${r.listing.currency}` : "—") },
          ...(manager ? [{ label: "", cell: (r) => (
            <button type="button" class="small secondary outline edit-listing" onClick={() => setEditing(r)}>
              {r.listing ? "Edit" : "List"}<span class="visually-hidden"> {r.product.name}</span></button>) }] : []),
        ]} />
      {editing && (
        <ListingDialog row={editing} shop={shop} onClose={() => setEditing(null)} onStale={stale}
          onSaved={() => { setEditing(null); emit("listings"); }} />
      )}
    </>
  );
}

export function ShopListingsPage() {
  return <WithOrg><Listings /></WithOrg>;
}
