// Value and demand over time, from the chart JSON the cars stream publishes (GET /orgs/{o}/car-insights):
// the price index per make/model and month, days on lot per model, and views, enquiries and bookings per
// model and week.
import { useMemo, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { baseOptions, ChartBox, PALETTE, unitsAxis } from "../core/charts.jsx";
import { pageError } from "../core/errors.js";
import { money, monthName, number } from "../core/format.js";
import { Empty, Table, useLoad } from "../core/ui.jsx";
import { orgPath, useDealer } from "./context.js";
import { DealerBar } from "./stock.jsx";

/** "volkswagen/golf" → "Volkswagen Golf" (the chart keys are lower case). */
export const modelName = (key) => key.split("/").map((p) => p.split("-").map((w) => (w ? w[0].toUpperCase() + w.slice(1) : w)).join(" ")).join(" ");

function PriceIndex({ doc, model }) {
  const rows = doc.price_index[model] || [];
  const cur = doc.currencies[model] || "USD";
  const config = useMemo(() => ({ type: "line", data: { labels: rows.map((r) => monthName(r.month, "short") + ` ${r.month.slice(0, 4)}`), datasets: [
    { label: "Price index (sold ÷ estimate × 100)", borderColor: PALETTE[0], backgroundColor: PALETTE[0], spanGaps: true,
      data: rows.map((r) => (r.index === null ? null : Number(r.index))) }] },
  options: baseOptions("Price index", { scales: { y: { title: { display: true, text: "Index (100 = the estimate)" } } } }) }), [doc, model]);
  return (
    <>
      {rows.some((r) => r.index !== null) && <ChartBox id="price-index-chart" label={`Price index of ${modelName(model)} by month`} config={config} />}
      <Table id="price-index-table" caption={`Price index of ${modelName(model)}`} hideCaption rows={rows}
        empty={<Empty>No car of this model listed or sold yet.</Empty>} rowProps={(r) => ({ "data-month": r.month })}
        columns={[
          { label: "Month", class: "primary", cell: (r) => monthName(r.month) },
          { label: "Sold", class: "num sold", cell: (r) => r.sold },
          { label: "Mean sold price", class: "num", cell: (r) => (r.avg_sold_price ? money(r.avg_sold_price, cur) : "–") },
          { label: "Price index", class: "num index", cell: (r) => r.index ?? "–" },
          { label: "Days on lot (sold)", class: "num", cell: (r) => r.avg_days_on_lot ?? "–" },
          { label: "Listed", class: "num", cell: (r) => r.listed },
          { label: "Mean asking", class: "num", cell: (r) => (r.avg_asking_price ? money(r.avg_asking_price, cur) : "–") },
          { label: "Mean estimate", class: "num", cell: (r) => (r.avg_estimate ? money(r.avg_estimate, cur) : "–") },
        ]} />
    </>
  );
}

function Demand({ doc, model }) {
  const rows = doc.demand[model] || [];
  const config = useMemo(() => ({ type: "bar", data: { labels: rows.map((r) => r.week), datasets: [
    { label: "Views", backgroundColor: PALETTE[0], data: rows.map((r) => r.views) },
    { label: "Enquiries", backgroundColor: PALETTE[1], data: rows.map((r) => r.enquiries) },
    { label: "Bookings", backgroundColor: PALETTE[2], data: rows.map((r) => r.bookings) }] },
  options: baseOptions("Demand per week", { scales: { y: unitsAxis("Count") } }) }), [doc, model]);
  return (
    <>
      {rows.length > 0 && <ChartBox id="demand-chart" label={`Views, enquiries and bookings of ${modelName(model)} per week`} config={config} />}
      <Table id="demand-table" caption={`Demand for ${modelName(model)}`} hideCaption rows={rows}
        empty={<Empty>No views, enquiries or bookings of this model yet.</Empty>} rowProps={(r) => ({ "data-week": r.week })}
        columns={[
          { label: "Week", class: "primary", cell: (r) => r.week },
          { label: "Views", class: "num views", cell: (r) => number(r.views) },
          { label: "Enquiries", class: "num enquiries", cell: (r) => number(r.enquiries) },
          { label: "Bookings", class: "num bookings", cell: (r) => number(r.bookings) },
        ]} />
    </>
  );
}

function StockByModel({ doc }) {
  const rows = Object.entries(doc.stock.models).map(([k, v]) => ({ key: k, ...v }));
  return (
    <Table id="stock-models-table" caption="Stock by model" hideCaption rows={rows} empty={<Empty>Nothing in stock.</Empty>}
      rowProps={(r) => ({ "data-model": r.key })}
      columns={[
        { label: "Model", class: "primary", cell: (r) => modelName(r.key) },
        { label: "In stock", class: "num", cell: (r) => r.in_stock },
        { label: "Mean days on lot", class: "num", cell: (r) => r.avg_days_on_lot ?? "–" },
      ]} />
  );
}

export function TrendsPage({ params }) {
  const { org } = useDealer();
  const [r] = useLoad(async () => (org ? api("GET", orgPath("/car-insights")) : null), [org && org.org_id], ["cars-chart"]);
  const [chosen, setChosen] = useState(params.get("model") || "");
  let body;
  if (!org) return <DealerBar />;
  if (!r) body = <p aria-busy="true">Loading the trends…</p>;
  else if (!r.ok) body = <Empty>{pageError(r)}</Empty>;
  else {
    const doc = r.data;
    document.body.dataset.chartGenerated = doc.generated_at || "";
    const models = [...new Set([...Object.keys(doc.price_index), ...Object.keys(doc.demand)])].sort();
    const model = models.includes(chosen) ? chosen : models[0];
    body = !model ? <Empty>No trends yet: they appear once cars are listed, viewed, booked or sold.</Empty> : (
      <>
        <div class="filters">
          <span class="filter">
            <label for="trend-model">Make and model</label>
            <select id="trend-model" value={model} onChange={(e) => setChosen(e.target.value)}>
              {models.map((m) => <option value={m}>{modelName(m)}</option>)}
            </select>
          </span>
          <span class="muted" id="trends-status">{doc.generated_at ? `Updated ${new Date(doc.generated_at).toLocaleString()}` : ""}</span>
        </div>
        <section aria-labelledby="index-title">
          <h2 id="index-title">Price index</h2>
          <p class="muted">Sold price against the estimate at the sale (× 100), so older or higher-mileage cars do not read as a fall in prices.</p>
          <PriceIndex doc={doc} model={model} />
        </section>
        <section aria-labelledby="demand-title">
          <h2 id="demand-title">Demand by week</h2>
          <Demand doc={doc} model={model} />
        </section>
        <section aria-labelledby="models-title">
          <h2 id="models-title">Days on lot by model</h2>
          <StockByModel doc={doc} />
        </section>
      </>
    );
  }
  return <><DealerBar /><div id="car-trends">{body}</div></>;
}
