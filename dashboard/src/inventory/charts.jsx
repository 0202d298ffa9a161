// Inventory charts from the chart document the stream publishes: sales by day (units and revenue on
// their own axes), top sellers, stock value over time, waste; and the forecast against actual.
import { useMemo, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { baseOptions, ChartBox, moneyAxis, PALETTE, unitsAxis } from "../core/charts.jsx";
import { dayName, number } from "../core/format.js";
import { Empty, useLoad, useTopic } from "../core/ui.jsx";
import { isManager, orgCurrency, orgPath, useOrg } from "./context.js";
import { WithOrg } from "./org.jsx";

const REASONS = { damaged: "Damaged", expired: "Expired", defective: "Defective", lost: "Lost" };

export async function loadInventoryChart() {
  const r = await api("GET", orgPath("/insights/inventory"));
  return r.ok ? r.data : null;
}

function Charts() {
  const { org } = useOrg();
  const [doc, setDoc] = useState(null);
  useLoad(async () => { setDoc(await loadInventoryChart()); }, [org.org_id], ["inventory"]);
  useTopic("inventory-charts", setDoc);
  const manager = isManager();
  const cfg = useMemo(() => {
    if (!doc) return null;
    const cur = doc.currency || orgCurrency();
    const n = doc.days.length;
    const from = Math.max(0, n - 30);
    const days = doc.days.slice(from);
    const labels = days.map((d) => dayName(d));
    const sales = doc.sales.slice(from).map(Number);
    const revenue = doc.revenue.slice(from).map(Number);
    const reasons = Object.keys(doc.waste || {});
    return {
      hasSales: doc.sales.some((v) => Number(v)),
      hasWaste: reasons.some((k) => Number(doc.waste[k])),
      sales: { type: "bar", data: { labels, datasets: [
        { label: "Units sold", backgroundColor: PALETTE[0], data: sales, yAxisID: "y", order: 2 },
        { type: "line", label: `Revenue (${cur})`, money: cur, borderColor: PALETTE[2], backgroundColor: PALETTE[2], data: revenue, yAxisID: "y1", order: 1 }] },
      options: baseOptions("Sales by day", { scales: { y: unitsAxis("Units", { position: "left" }),
        y1: moneyAxis(cur, { position: "right", grid: { drawOnChartArea: false } }) } }) },
      top: { type: "bar", data: { labels: doc.top_sellers.map((t) => t.name), datasets: [
        { label: "Units this month", backgroundColor: PALETTE[1], data: doc.top_sellers.map((t) => Number(t.quantity)) }] },
      options: baseOptions("Top sellers this month", { indexAxis: "y", scales: { x: unitsAxis("Units") } }) },
      waste: { type: "doughnut", data: { labels: reasons.map((k) => REASONS[k] || k), datasets: [
        { label: "Units", data: reasons.map((k) => Number(doc.waste[k])), backgroundColor: reasons.map((_, i) => PALETTE[i % PALETTE.length]) }] },
      options: baseOptions("Waste by reason (units, this year)") },
      value: doc.costs ? { type: "line", data: { labels, datasets: [
        { label: "Stock value", money: cur, borderColor: PALETTE[3], backgroundColor: PALETTE[3], data: doc.costs.stock_value.slice(from).map(Number) }] },
      options: baseOptions("Stock value over time", { scales: { y: moneyAxis(cur) } }) } : null,
    };
  }, [doc]);
  if (!doc) return <p id="chart-status" aria-busy="true">Loading charts…</p>;
  document.body.dataset.chartGenerated = doc.generated_at || "";
  return (
    <section id="inventory-charts" aria-labelledby="charts-title">
      <h2 id="charts-title">Sales and stock</h2>
      <p id="chart-status" class="muted">{doc.generated_at ? `Updated ${new Date(doc.generated_at).toLocaleString()}` : "No data yet."}</p>
      <div class="chart-pair">
        {cfg.hasSales ? <ChartBox id="sales-chart" label="Units sold and revenue by day" config={cfg.sales} />
          : <Empty href="#/inventory/movements" action="Record a sale">No sales yet:</Empty>}
        {doc.top_sellers.length ? <ChartBox id="top-chart" label="Top sellers this month" config={cfg.top} />
          : <Empty>No top sellers this month yet.</Empty>}
      </div>
      <div class="chart-pair">
        {manager && cfg.value && <ChartBox id="value-chart" label="Stock value over time" config={cfg.value} />}
        {cfg.hasWaste ? <ChartBox id="waste-chart" label="Waste by reason" config={cfg.waste} />
          : <Empty>No waste recorded this year: scrapped stock shows here by reason.</Empty>}
      </div>
    </section>
  );
}

/** "ets:AAdN+theta×season(7)" → "exponential smoothing (damped trend) and Theta, combined; weekly season". */
export function modelName(method) {
  const seasons = [...new Set([...method.matchAll(/season\((\d+)\)/g)].map((m) => m[1]))]
    .map((m) => ({ 7: "weekly", 365: "yearly" }[m] || `every ${m}`));
  const drift = method.includes("&drift");
  const base = method.split("×")[0].replace("&drift", "");
  const ets = { ANN: "no trend", AAN: "trend", AAdN: "damped trend" };
  const named = base.startsWith("ets:") ? `exponential smoothing (${ets[base.slice(4).split("+")[0]] || base.slice(4)})` +
    (base.includes("+theta") ? " and Theta, combined" : "")
    : base === "pool" ? "the median of several models (smoothing, Theta, Holt-Winters)"
    : { tsb: "intermittent demand (TSB)", adida: "intermittent demand (ADIDA)",
        stopped: "stopped selling", naive: "average of the few days seen", none: "none yet" }[base] || base;
  const pooled = method.includes("&pool") ? `${named}, averaged with the median of several models` : named;
  const withDrift = drift ? `${pooled}, averaged with the trend so far` : pooled;
  return seasons.length ? `${withDrift}; ${seasons.join(" and ")} season` : withDrift;
}

function Forecasts() {
  const { org } = useOrg();
  const [pick, setPick] = useState(0);
  const [doc] = useLoad(async () => {
    const r = await api("GET", orgPath("/forecasts"));
    return r.ok ? r.data : { series: [] };
  }, [org.org_id]);
  const s = doc && doc.series[pick];
  const config = useMemo(() => {
    if (!s) return null;
    const labels = [...s.past_days, ...s.days].map((d) => dayName(d));
    const pad = (k) => Array(k).fill(null);
    const ahead = (values) => [...pad(s.past_days.length), ...values.map(Number)];
    // a band: its upper edge filled down to its lower edge (the next dataset), no line of its own
    const band = (label, upper, lower, alpha) => [
      { label, data: ahead(upper), borderWidth: 0, pointRadius: 0, fill: "+1",
        backgroundColor: `rgba(30, 132, 73, ${alpha})`, borderColor: "transparent" },
      { label: `${label} (low)`, bandEdge: true, data: ahead(lower), borderWidth: 0, pointRadius: 0, fill: false,
        borderColor: "transparent", backgroundColor: "transparent" }];
    const options = baseOptions("Daily demand: actual and forecast, with its 80% and 95% ranges",
      { scales: { y: unitsAxis("Units a day") } });
    options.plugins.legend.labels.filter = (item, data) => !data.datasets[item.datasetIndex].bandEdge;
    return { type: "line", data: { labels, datasets: [
      { label: "Actual", borderColor: PALETTE[0], backgroundColor: PALETTE[0], data: [...s.actual.map(Number), ...pad(s.days.length)] },
      { label: "Forecast then", borderColor: PALETTE[1], backgroundColor: PALETTE[1], borderDash: [4, 4], data: [...s.backtest.map(Number), ...pad(s.days.length)] },
      { label: "Forecast", borderColor: PALETTE[2], backgroundColor: PALETTE[2], data: ahead(s.forecast) },
      ...band("95% range", s.upper_95, s.lower_95, 0.12),
      ...band("80% range", s.upper_80, s.lower_80, 0.22)] },
    options };
  }, [s]);
  return (
    <section aria-labelledby="forecast-title">
      <h2 id="forecast-title">Forecast against actual</h2>
      {doc && doc.series.length > 0 && (
        <span class="filter">
          <label for="forecast-series">Product and location</label>
          <select id="forecast-series" value={String(pick)} onChange={(e) => setPick(Number(e.target.value))}>
            {doc.series.map((x, i) => <option value={String(i)}>{x.product} at {x.location}</option>)}
          </select>
        </span>
      )}
      <p id="forecast-summary" class="muted">{!s ? "No forecast yet: forecasts are made once a day for products with a few weeks of sales."
        : `${s.days_of_cover === null ? "No demand expected" : `${number(s.days_of_cover)} days of cover`}` +
          `${s.stockout_date ? `, may run out by ${dayName(s.stockout_date, true)}` : ""}; suggested reorder point ${s.suggested_reorder_point}` +
          ` (${Number(s.service_level) * 100}% service, ${s.lead_time_days} days lead time)`}</p>
      {s && <p id="forecast-model" class="muted">Model: {modelName(s.method)}{s.note ? ` (${s.note})` : ""}
        {s.backtest_mase !== null ? `; 28 days ago it would have scored a MASE of ${s.backtest_mase} (below 1 beats repeating last week)` : ""}.</p>}
      {s && <ChartBox id="forecast-chart" label="Forecast against actual" config={config} />}
    </section>
  );
}

export function ChartsPage() {
  return <WithOrg><Charts /><Forecasts /></WithOrg>;
}
