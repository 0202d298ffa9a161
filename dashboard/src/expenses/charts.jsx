// The year's charts from the chart document the stream publishes: spending by category and month,
// income/spending/net, the yearly trend and the category share. Month names, category names as
// the forms show them, money axes in the home currency, and no month drawn before it has come.
import { useMemo } from "preact/hooks";
import { baseOptions, ChartBox, moneyAxis, PALETTE } from "../core/charts.jsx";
import { monthName, thisMonth } from "../core/format.js";
import { Empty } from "../core/ui.jsx";
import { categoryName } from "./data.js";

/** The months of the document that have come (a past year: all twelve). */
export function shownMonths(doc) {
  const now = thisMonth();
  return doc.months.filter((m) => m.month <= now);
}

export function ExpenseCharts({ doc, month }) {
  const configs = useMemo(() => {
    if (!doc) return null;
    const months = shownMonths(doc);
    const labels = months.map((m) => monthName(m.month, "short"));
    const cur = doc.currency;
    const cats = Object.keys(doc.categories);
    return {
      monthly: { type: "bar", data: { labels, datasets: cats.map((c, i) => ({ key: c, label: categoryName(c), money: cur,
        backgroundColor: PALETTE[i % PALETTE.length], data: months.map((m) => Number(m.by_category[c] || 0)) })) },
      options: baseOptions(`Spending by month, ${doc.year}`, { scales: { x: { stacked: true }, y: moneyAxis(cur, { stacked: true }) } }) },
      balance: { type: "bar", data: { labels, datasets: [
        { type: "line", label: "Net", money: cur, borderColor: PALETTE[0], backgroundColor: PALETTE[0], data: months.map((m) => Number(m.net)) },
        { label: "Income", money: cur, backgroundColor: PALETTE[2], data: months.map((m) => Number(m.income)) },
        { label: "Spending", money: cur, backgroundColor: PALETTE[4], data: months.map((m) => Number(m.spend)) }] },
      options: baseOptions(`Income, spending and net, ${doc.year}`, { scales: { y: moneyAxis(cur) } }) },
      yearly: { type: "line", data: { labels: doc.years.map((y) => String(y.year)), datasets: [
        { label: "Spending", money: cur, borderColor: PALETTE[4], backgroundColor: PALETTE[4], data: doc.years.map((y) => Number(y.spend)) },
        { label: "Income", money: cur, borderColor: PALETTE[2], backgroundColor: PALETTE[2], data: doc.years.map((y) => Number(y.income)) }] },
      options: baseOptions("Yearly trend", { scales: { y: moneyAxis(cur) } }) },
      share: { type: "doughnut", data: { labels: cats.map(categoryName), datasets: [{ label: "Spent", money: cur,
        data: cats.map((c) => Number(doc.categories[c])), backgroundColor: cats.map((_, i) => PALETTE[i % PALETTE.length]) }] },
      options: baseOptions(`Category share, ${doc.year}`) },
    };
  }, [doc]);
  if (!doc) return <p aria-busy="true">Loading charts…</p>;
  const any = doc.months.some((m) => Number(m.spend) || Number(m.income));
  const current = doc.months.find((m) => m.month === month) || { by_category: {} };
  return (
    <>
      <p id="chart-status" class="muted">{doc.generated_at ? `Updated ${new Date(doc.generated_at).toLocaleString()}` : ""}</p>
      {!any ? <Empty href="#/expenses?add=1" action="Add an entry">No entries in {doc.year} yet: charts appear with your first one.</Empty> : (
        <>
          <ChartBox id="monthly-chart" label={`Spending by month and category, ${doc.year}`} config={configs.monthly} />
          <ChartBox id="balance-chart" label={`Income, spending and net by month, ${doc.year}`} config={configs.balance} />
          <div class="chart-pair">
            <ChartBox id="yearly-chart" label="Spending and income by year" config={configs.yearly} />
            <ChartBox id="share-chart" label="Share of spending by category" config={configs.share} />
          </div>
        </>
      )}
      <table id="month-totals" class="visually-hidden">
        <caption>This month's spending by category</caption>
        <thead><tr><th>Category</th><th>Amount</th></tr></thead>
        <tbody>
          {Object.entries(current.by_category).map(([c, v]) => (
            <tr data-category={c} data-amount={v}><td>{categoryName(c)}</td><td>{v} {doc.currency}</td></tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
