// The expenses home: the month at a glance (spent, income, net, budgets with days left and pace),
// then entering, the month's entries and the charts.
import { useEffect, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { money, monthName } from "../core/format.js";
import { useProfile } from "../core/state.js";
import { Empty, useLoad } from "../core/ui.jsx";
import { BudgetList, loadBudgets, MissingRates, pace } from "./budgets.jsx";
import { ExpenseCharts } from "./charts.jsx";
import { categoryName, sync, useMonth, useCategories } from "./data.js";
import { EntryForm, EntryList, PendingList } from "./entries.jsx";
import { MonthPicker } from "./month.jsx";
import { AlertList } from "./alerts.jsx";
import { downloadCsv, downloadReport } from "./report.js";

async function loadChart(year, profile) {
  const r = await api("GET", `/insights/expenses?year=${year}`);
  if (r.ok) return r.data;
  return { year: Number(year), currency: profile.currency, months: [], years: [], categories: {}, generated_at: null };
}

function Glance({ doc, budgets, month }) {
  const profile = useProfile();
  const m = doc && doc.months.find((x) => x.month === month);
  const cur = (doc && doc.currency) || profile.currency;
  const fast = budgets && budgets.items.filter((b) => b.percent < 100 && pace(b, month).projected > Number(b.limit));
  const over = budgets && budgets.items.filter((b) => b.percent >= 100);
  return (
    <section id="glance" aria-labelledby="glance-title">
      <h2 id="glance-title">{monthName(month)} at a glance</h2>
      <div class="figures">
        <div class="figure"><span>Spent</span><strong id="glance-spent">{money(m ? m.spend : 0, cur)}</strong></div>
        <div class="figure"><span>Income</span><strong id="glance-income">{money(m ? m.income : 0, cur)}</strong></div>
        <div class="figure"><span>Net</span><strong id="glance-net" class={m && Number(m.net) < 0 ? "negative" : ""}>{money(m ? m.net : 0, cur)}</strong></div>
      </div>
      <p id="balance-summary" class="muted">
        {m ? `${monthName(month)}: income ${m.income}, spent ${m.spend}, net ${m.net} ${cur}` +
          (m.savings_rate === null || m.savings_rate === undefined ? "" : `, savings rate ${m.savings_rate}%`) : "Nothing recorded yet this month."}
      </p>
      {over && over.length > 0 && <p class="notice over" role="status">Over budget: {over.map((b) => categoryName(b.category)).join(", ")}.</p>}
      {fast && fast.length > 0 && (
        <p class="notice pace-warning" role="status">
          At this pace {fast.map((b) => `${categoryName(b.category)} reaches ${money(pace(b, month).projected, b.currency)} (limit ${money(b.limit, b.currency)})`).join("; ")} by month end.
        </p>
      )}
    </section>
  );
}

export function Overview({ params }) {
  useCategories();
  const profile = useProfile();
  const month = useMonth();
  const [editing, setEditing] = useState(null);
  const [doc] = useLoad(() => loadChart(month.slice(0, 4), profile), [month], ["expenses"]);
  const [budgets] = useLoad(() => loadBudgets(month), [month], ["expenses"]);
  useEffect(() => { sync(); }, []);
  useEffect(() => { if (doc) document.body.dataset.chartGenerated = doc.generated_at || ""; }, [doc]);
  return (
    <>
      <MonthPicker />
      <Glance doc={doc} budgets={budgets} month={month} />
      <MissingRates data={budgets} month={month} link />
      <div class="two-col">
        <EntryForm editing={editing} onDone={() => setEditing(null)} focus={params.get("add") === "1"} />
        <section id="budgets" aria-labelledby="budgets-title">
          <h2 id="budgets-title">Budgets</h2>
          <BudgetList data={budgets} month={month} compact />
          <p><a href="#/budgets">Manage budgets and rates</a></p>
        </section>
      </div>
      <PendingList />
      <section id="month" aria-labelledby="month-title">
        <h2 id="month-title">Entries in {monthName(month)}</h2>
        <EntryList month={month} onEdit={setEditing} />
        <div class="actions">
          <button type="button" id="export-month" class="secondary outline" onClick={() => downloadCsv(month)}>Download month as CSV</button>
          <button type="button" id="report-month" class="secondary outline" onClick={() => downloadReport(month)}>Download monthly report (PDF)</button>
        </div>
      </section>
      <section id="charts" aria-labelledby="charts-title">
        <h2 id="charts-title">Charts for {month.slice(0, 4)}</h2>
        <ExpenseCharts doc={doc} month={month} />
      </section>
      <section id="alerts" aria-labelledby="alerts-title">
        <h2 id="alerts-title">Latest alerts</h2>
        <AlertList limit={5} />
        <p><a href="#/alerts">All alerts</a></p>
      </section>
    </>
  );
}

export { Empty };
