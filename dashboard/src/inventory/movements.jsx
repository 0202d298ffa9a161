// Movements: recording one (receive, sell, issue, transfer, count, scrap, return) and the ledger,
// by the day each happened, filtered by product and location, a page at a time.
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { dayName, money } from "../core/format.js";
import { confirmAction, decimalCheck, Empty, Field, Form, say, useForm, useLoad } from "../core/ui.jsx";
import { customerName, isManager, locationName, orgCurrency, orgPath, productName, useCatalogue, useOrg, write } from "./context.js";
import { WithOrg } from "./org.jsx";

const KINDS = [["receive", "Receive"], ["sale", "Sale"], ["issue", "Issue"], ["transfer", "Transfer"], ["adjust", "Stock-take"],
  ["scrap", "Scrap"], ["return", "Customer return"]];
const KIND_TEXT = Object.fromEntries([...KINDS, ["reversal", "Reversal"]]);
const PAGE = 25;

export function movementText(m) {
  const where = m.kind === "transfer" ? `${locationName(m.location_id)} → ${locationName(m.to_location_id)}` : locationName(m.location_id);
  const what = m.kind === "adjust" ? `counted ${m.counted}` : `${m.direction < 0 ? "−" : "+"}${m.quantity}`;
  const extra = [m.backordered !== "0" ? `${m.backordered} backordered` : "", m.reason || "", m.reverses ? "reversal" : "",
    m.backorder_id ? "backorder filled" : "", m.customer_id ? `for ${customerName(m.customer_id)}` : ""].filter(Boolean).join(", ");
  return `${KIND_TEXT[m.kind] || m.kind} ${productName(m.product_id)} at ${where}: ${what}${extra ? ` (${extra})` : ""}`;
}

const FIELDS = { quantity: "receive sale issue transfer scrap return", counted: "adjust", unit_cost: "receive return",
  lot: "receive return scrap", expiry: "receive return", reason: "scrap", customer_id: "sale return", price: "sale",
  to_location_id: "transfer" };
const wants = (name, kind) => FIELDS[name].split(" ").includes(kind);

export function RecordForm() {
  const names = useCatalogue();
  const form = useForm({ quantity: "quantity" });
  const [kind, setKind] = useState("receive");
  const qty = (v) => decimalCheck(v);
  const hide = (name) => !wants(name, kind);
  const noCatalogue = !Object.keys(names.product).length || !Object.keys(names.location).length;
  return (
    <>
    {noCatalogue && <Empty href="#/inventory/catalogue" action="Add a location and a product first.">Nothing to record yet:</Empty>}
    <Form id="movement-form" form={form} checks={{ quantity: qty, counted: (v) => decimalCheck(v, { allowZero: true }),
      unit_cost: (v) => decimalCheck(v, { allowZero: true }), price: (v) => decimalCheck(v, { allowZero: true }) }}
      onSubmit={async (f) => {
        const body = { kind, product_id: f.product_id.value, location_id: f.location_id.value };
        for (const name of Object.keys(FIELDS)) {
          const v = f.elements.namedItem(name).value.trim();
          if (v && wants(name, kind)) body[name] = v;
        }
        if (wants("quantity", kind) && !body.quantity) { form.show("quantity", "Enter how many, e.g. 10."); return; }
        if (kind === "adjust" && !body.counted) { form.show("counted", "Enter how many you counted."); return; }
        const r = await write("PUT", orgPath(`/movements/${crypto.randomUUID()}`), body, (d) => d && d.movement && d.movement.recorded_at);
        if (!r.ok) { form.fail(r); return; }
        for (const name of ["quantity", "counted", "lot", "expiry", "price"]) f.elements.namedItem(name).value = "";
        form.ok(`Recorded: ${movementText(r.data.movement)}.`);
      }}>
      <div class="grid">
        <Field as="select" label="Movement" name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          {KINDS.map(([k, v]) => <option value={k}>{v}</option>)}
        </Field>
        <Field as="select" label="Product" name="product_id">
          {Object.values(names.product).map((p) => <option value={p.id}>{p.name} ({p.sku})</option>)}
        </Field>
        <Field as="select" label="Location" name="location_id">
          {Object.values(names.location).map((l) => <option value={l.id}>{l.name}</option>)}
        </Field>
        <Field as="select" label="To location" name="to_location_id" hidden={hide("to_location_id")}>
          {Object.values(names.location).map((l) => <option value={l.id}>{l.name}</option>)}
        </Field>
      </div>
      <div class="grid">
        <Field label="Quantity" name="quantity" inputmode="decimal" hidden={hide("quantity")} placeholder="10" />
        <Field label="Counted" name="counted" inputmode="decimal" hidden={hide("counted")} />
        <Field label="Unit cost" name="unit_cost" inputmode="decimal" hidden={hide("unit_cost")} placeholder="2.00" />
        <Field label="Lot" name="lot" maxlength="64" hidden={hide("lot")} />
        <Field label="Expiry" name="expiry" type="date" hidden={hide("expiry")} />
        <Field as="select" label="Reason" name="reason" hidden={hide("reason")}>
          <option value="damaged">Damaged</option><option value="expired">Expired</option>
          <option value="defective">Defective</option><option value="lost">Lost</option>
        </Field>
        <Field as="select" label="Customer" name="customer_id" hidden={hide("customer_id")}>
          <option value="">(walk-in)</option>
          {Object.values(names.customer).map((c) => <option value={c.id}>{c.name}</option>)}
        </Field>
        <Field label="Unit price" name="price" inputmode="decimal" hidden={hide("price")} placeholder="the product's" />
      </div>
      <button type="submit" disabled={noCatalogue}>Record</button>
    </Form>
    </>
  );
}

function Ledger({ params }) {
  const names = useCatalogue();
  const { org } = useOrg();
  const [product, setProduct] = useState(params.get("product") || "");
  const [location, setLocation] = useState(params.get("location") || "");
  const [page, setPage] = useState(0);
  const [data] = useLoad(async () => {
    // the API gives the newest `limit` (at most 500): one more than this page needs tells if there is another
    const q = new URLSearchParams({ limit: String(Math.min(500, (page + 1) * PAGE + 1)) });
    if (product) q.set("product_id", product);
    if (location) q.set("location_id", location);
    const r = await api("GET", orgPath(`/movements?${q}`));
    return r.ok ? r.data.items : [];
  }, [org.org_id, product, location, page], ["inventory"]);
  const reverse = async (m) => {
    if (!await confirmAction({ title: "Reverse this movement?", text: `${movementText(m)}, on ${dayName(m.occurred_on, true)}. ` +
      "A reversal is recorded that puts the stock back as it was; the original stays in the ledger.", action: "Reverse movement" })) return;
    const r = await write("PUT", orgPath(`/movements/${crypto.randomUUID()}`), { kind: "reversal", reverses: m.id },
      (d) => d && d.movement && d.movement.recorded_at);
    if (!r.ok) { say(`It could not be reversed: ${(r.data && r.data.error && r.data.error.message) || r.status}`, { error: true }); return; }
    say(`Reversed: ${movementText(m)}.`);
  };
  const rows = data ? data.slice(page * PAGE, (page + 1) * PAGE) : null;
  const more = data && data.length > (page + 1) * PAGE;
  let lastDay = null;
  return (
    <section id="movements" aria-labelledby="movements-title">
      <h2 id="movements-title">Movements</h2>
      <div class="filters">
        <span class="filter">
          <label for="movement-product">Product</label>
          <select id="movement-product" value={product} onChange={(e) => { setProduct(e.target.value); setPage(0); }}>
            <option value="">All products</option>
            {Object.values(names.product).map((p) => <option value={p.id}>{p.name}</option>)}
          </select>
        </span>
        <span class="filter">
          <label for="movement-location">Location</label>
          <select id="movement-location" value={location} onChange={(e) => { setLocation(e.target.value); setPage(0); }}>
            <option value="">All locations</option>
            {Object.values(names.location).map((l) => <option value={l.id}>{l.name}</option>)}
          </select>
        </span>
      </div>
      <ul id="movement-list" class="ledger" aria-busy={rows ? undefined : "true"}>
        {rows && !rows.length && <li class="muted"><Empty>No movements{product || location ? " for this choice" : " yet: record a delivery above"}.</Empty></li>}
        {(rows || []).map((m) => {
          const day = m.occurred_on || m.recorded_at.slice(0, 10);
          const header = day !== lastDay ? <li class="day" aria-hidden="true">{dayName(day, true)}</li> : null;
          lastDay = day;
          return (
            <>
              {header}
              <li data-kind={m.kind} data-occurred-on={day} data-reverses={m.reverses || undefined}>
                <time datetime={day} class="visually-hidden">{dayName(day, true)}: </time>
                <span class="what">{movementText(m)}</span>
                {m.cost && <span class="muted">cost {money(m.cost, orgCurrency())}</span>}
                {isManager() && !m.reverses && !m.backorder_id && m.kind !== "reversal" && (
                  <button type="button" class="danger outline small" onClick={() => reverse(m)}
                    aria-label={`Reverse: ${movementText(m)}`}>Reverse</button>
                )}
              </li>
            </>
          );
        })}
      </ul>
      <nav class="pager" aria-label="Movement pages">
        <button type="button" class="secondary outline small" disabled={page === 0} onClick={() => setPage(page - 1)}>Newer</button>
        <span class="muted">Page {page + 1}</span>
        <button type="button" class="secondary outline small" disabled={!more} onClick={() => setPage(page + 1)}>Older</button>
      </nav>
    </section>
  );
}

export function MovementsPage({ params }) {
  return (
    <WithOrg>
      <section id="record" aria-labelledby="record-title">
        <h2 id="record-title">Record a movement</h2>
        <RecordForm />
      </section>
      <Ledger params={params} />
    </WithOrg>
  );
}
