// The shop's promotions: the list (discount, scope, window, coupon uses, phase), a form for owners and
// managers (percent or amount off, the whole shop, a category or a product, a window in the shop's time
// zone, an optional coupon code with a usage limit and once per customer), and a promotion's chart of
// weekly units and revenue against the weeks before it (the JSON the shop stream precomputes).
import { useMemo, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { emit } from "../core/bus.js";
import { baseOptions, ChartBox, moneyAxis, unitsAxis } from "../core/charts.jsx";
import { Badge, Check, confirmAction, decimalCheck, Empty, Field, Form, say, Table, useForm, useLoad } from "../core/ui.jsx";
import { isManager, orgPath, useCatalogue, useOrg } from "../inventory/context.js";
import { WithOrg } from "../inventory/org.jsx";

const SCOPES = { shop: "Whole shop", category: "Category", product: "Product" };
const PHASES = { scheduled: "Scheduled", active: "Running", ended: "Ended" };

function discountText(p, currency) {
  return p.kind === "percent" ? `${p.value} % off` : `${Number(p.value).toFixed(2)} ${currency || ""} off`.replace("  ", " ");
}

function when(iso, tz) {
  try {
    return new Date(iso).toLocaleString(undefined, { timeZone: tz, dateStyle: "medium", timeStyle: "short" });
  } catch {
    return iso;
  }
}

function PromotionForm({ shop, products, onSaved }) {
  const form = useForm({ starts_at: "starts_at", ends_at: "ends_at" });
  const [scope, setScope] = useState("shop");
  const [withCode, setWithCode] = useState(false);
  const submit = async (f) => {
    const body = {
      name: f.name.value.trim(), kind: f.kind.value, value: f.value.value.trim(), scope: f.scope.value,
      starts_at: f.starts_at.value, ends_at: f.ends_at.value, stackable: f.stackable.checked,
      once_per_customer: withCode && f.once_per_customer.checked,
    };
    if (body.scope !== "shop") body.target = f.target.value;
    if (withCode) {
      body.code = f.code.value.trim();
      if (f.usage_limit.value.trim()) body.usage_limit = Number(f.usage_limit.value);
    }
    const r = await api("POST", orgPath("/shop/promotions"), body);
    if (!r.ok) { form.fail(r); return; }
    form.ok(`Promotion “${r.data.name}” saved.`);
    f.reset();
    setScope("shop");
    setWithCode(false);
    onSaved(r.data);
  };
  const checks = {
    value: (v, f) => decimalCheck(v) || (f.kind.value === "percent" && Number(v) > 100 ? "A percentage is at most 100." : null),
    ends_at: (v, f) => (f.starts_at.value && v <= f.starts_at.value ? "The end comes after the start." : null),
    usage_limit: (v) => (/^[1-9]\d*$/.test(v) ? null : "A whole number of uses, e.g. 100."),
  };
  return (
    <section aria-labelledby="new-promotion">
      <h2 id="new-promotion">New promotion</h2>
      <Form form={form} onSubmit={submit} checks={checks} id="promotion-form">
        <Field label="Name" name="name" required maxLength={120} placeholder="Winter sale" />
        <Field label="Discount" name="kind" as="select">
          <option value="percent">Percent off</option>
          <option value="amount">Amount off each unit</option>
        </Field>
        <Field label="Value" name="value" required inputMode="decimal" placeholder="20" />
        <Field label="Applies to" name="scope" as="select" onChange={(e) => setScope(e.target.value)}>
          {Object.entries(SCOPES).map(([k, v]) => <option value={k}>{v}</option>)}
        </Field>
        {scope === "category" && (
          <Field label="Category" name="target" as="select" required>
            {(shop.categories || []).map((c) => <option value={c.slug}>{c.name}</option>)}
          </Field>
        )}
        {scope === "product" && (
          <Field label="Product" name="target" as="select" required>
            {products.map((p) => <option value={p.id}>{p.name} ({p.sku})</option>)}
          </Field>
        )}
        <Field label={`Starts (${shop.time_zone || "UTC"})`} name="starts_at" type="datetime-local" required />
        <Field label={`Ends (${shop.time_zone || "UTC"})`} name="ends_at" type="datetime-local" required />
        <Check label="Stackable with other stackable promotions" name="stackable" />
        <Check label="Only with a coupon code" name="with_code" onChange={(e) => setWithCode(e.target.checked)} />
        {withCode && (
          <>
            <Field label="Code" name="code" required maxLength={32} placeholder="WINTER10" autoCapitalize="characters"
              hint="3 to 32 letters, digits, - and _; shoppers may type it in any case." />
            <Field label="Usage limit (optional)" name="usage_limit" inputMode="numeric" placeholder="100" />
            <Check label="Once per customer" name="once_per_customer" />
          </>
        )}
        <button type="submit">Save promotion</button>
      </Form>
    </section>
  );
}

function PromotionChart({ promotion, currency }) {
  const [doc] = useLoad(async () => {
    const r = await api("GET", orgPath(`/shop/promotions/${promotion.id}/chart`));
    return r.ok ? r.data : null;
  }, [promotion.id], ["promotions"]);
  const config = useMemo(() => {
    if (!doc) return null;
    const labels = doc.weeks.map((w) => `${w.phase === "during" ? "▶ " : ""}${w.week}`);
    return {
      type: "bar",
      data: {
        labels,
        datasets: [
          { type: "bar", label: "Units", data: doc.weeks.map((w) => Number(w.units)), yAxisID: "units",
            backgroundColor: doc.weeks.map((w) => (w.phase === "during" ? "#d35400" : "#9aa7b4")) },
          { type: "line", label: "Revenue (net)", data: doc.weeks.map((w) => Number(w.revenue)), yAxisID: "money",
            money: doc.currency || currency, borderColor: "#2764c5", backgroundColor: "#2764c5" },
        ],
      },
      options: baseOptions(`${doc.name}: weeks before and during`, {
        scales: { units: unitsAxis("Units", { position: "left" }), money: moneyAxis(doc.currency || currency, { position: "right" }) },
      }),
    };
  }, [doc]);
  if (!doc) return <p aria-busy="true">Loading chart…</p>;
  const lift = (v) => (v === null ? "no sales before" : `${Number(v) > 0 ? "+" : ""}${v} %`);
  return (
    <section id="promotion-chart" aria-labelledby="chart-title">
      <h2 id="chart-title">{doc.name}</h2>
      <p id="chart-summary">
        Per week before: {doc.before.units_per_week} units, {doc.before.revenue_per_week} {doc.currency}.
        During: {doc.during.units_per_week} units, {doc.during.revenue_per_week} {doc.currency}
        {" "}(units {lift(doc.lift_percent.units)}, revenue {lift(doc.lift_percent.revenue)}).
      </p>
      <ChartBox id="promotion-weeks" label={`Units and revenue per week, ${doc.name}`} config={config} />
      <Table id="promotion-weeks-table" caption="Units and revenue per week" hideCaption
        columns={[
          { label: "Week of", cell: (w) => w.week },
          { label: "", cell: (w) => (w.phase === "during" ? "during" : "before") },
          { label: "Units", cell: (w) => w.units, class: "num" },
          { label: "Revenue", cell: (w) => w.revenue, class: "num" },
        ]} rows={doc.weeks} />
    </section>
  );
}

function Promotions({ params }) {
  const { org } = useOrg();
  const names = useCatalogue();
  const manager = isManager();
  const [shop] = useLoad(async () => {
    const r = await api("GET", orgPath("/shop"));
    return r.ok ? r.data : false;
  }, [org.org_id]);
  const [items, reload] = useLoad(async () => {
    const r = await api("GET", orgPath("/shop/promotions"));
    return r.ok ? r.data.items : [];
  }, [org.org_id], ["promotions"]);
  const [chosen, setChosen] = useState(params.get("id"));
  if (shop === false) return <Empty>This organisation has no shop yet.</Empty>;
  if (!shop || !items) return <p aria-busy="true">Loading…</p>;
  const products = Object.values(names.product || {});
  const target = (p) => (p.scope === "shop" ? "Whole shop" : p.scope === "category"
    ? ((shop.categories || []).find((c) => c.slug === p.target) || { name: p.target }).name
    : (names.product[p.target] || { name: p.target }).name);
  const remove = (p) => confirmAction({
    title: `Delete “${p.name}”?`, text: "Orders placed with it keep their prices.",
    action: async () => {
      const r = await api("DELETE", orgPath(`/shop/promotions/${p.id}`));
      if (!r.ok) { say("The promotion could not be deleted.", { error: true }); return; }
      say(`Promotion “${p.name}” deleted.`);
      if (chosen === p.id) setChosen(null);
      reload();
    },
  });
  const chart = items.find((p) => p.id === chosen);
  return (
    <>
      <Table id="promotion-list" caption="Promotions" columns={[
        { label: "Name", cell: (p) => p.name },
        { label: "Discount", cell: (p) => discountText(p, shop.currency) },
        { label: "Applies to", cell: target },
        { label: "When", cell: (p) => `${when(p.starts_at, shop.time_zone)} – ${when(p.ends_at, shop.time_zone)}` },
        { label: "Coupon", cell: (p) => (p.code ? `${p.code}: ${p.used}${p.usage_limit ? ` of ${p.usage_limit}` : ""} used${p.once_per_customer ? ", once each" : ""}` : "—") },
        { label: "Status", cell: (p) => <Badge kind={p.phase}>{PHASES[p.phase]}</Badge> },
        { label: "", cell: (p) => (
          <div class="row-actions">
            <button type="button" class="secondary outline" aria-pressed={chosen === p.id ? "true" : "false"}
              onClick={() => setChosen(p.id)}>Chart</button>
            {manager && <button type="button" class="secondary outline" onClick={() => remove(p)}>Delete</button>}
          </div>) },
      ]} rows={items} empty={<Empty>No promotions yet.</Empty>} />
      {chart && <PromotionChart promotion={chart} currency={shop.currency} />}
      {manager && <PromotionForm shop={shop} products={products} onSaved={(p) => { emit("promotions"); setChosen(p.id); }} />}
    </>
  );
}

export function PromotionsPage({ params }) {
  return <WithOrg><Promotions params={params} /></WithOrg>;
}
