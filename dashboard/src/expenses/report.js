// The month as CSV (from the API) and as a PDF report: the API gives the figures, jsPDF (vendored)
// lays them out here, so the Lambda ships no PDF library.
import { api, download } from "../core/api.js";
import { pageError } from "../core/errors.js";
import { say } from "../core/ui.jsx";

export async function downloadCsv(month) {
  const blob = await download(`/exports/expenses?month=${month}`);
  if (!blob) { say("The export failed: please try again.", { error: true }); return; }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `tally-${month}.csv`;
  link.click();
  URL.revokeObjectURL(link.href);
}

let jspdf = null;
function loadJsPdf() {
  // jsPDF (130 KB gzipped) loads only when a report is asked for, not with every page.
  if (!jspdf) {
    jspdf = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "vendor/jspdf.umd.min.js";
      script.onload = () => resolve(window.jspdf);
      script.onerror = () => { jspdf = null; reject(new Error("jsPDF did not load")); };
      document.head.append(script);
    });
  }
  return jspdf;
}

export async function downloadReport(month) {
  const [r, lib] = await Promise.all([api("GET", `/reports/${month}`), loadJsPdf().catch(() => null)]);
  if (!lib) { say("The report cannot be made offline: try again when you are back online.", { error: true }); return; }
  if (!r.ok) { say(pageError(r), { error: true }); return; }
  const rep = r.data;
  const doc = new lib.jsPDF({ unit: "pt", format: "a4", compress: false });
  let y = 56;
  const line = (text, size = 11, gap = 16) => {
    if (y > 780) { doc.addPage(); y = 56; }
    doc.setFontSize(size);
    doc.text(String(text), 48, y);
    y += gap;
  };
  line(`Tally monthly report ${rep.month}`, 18, 28);
  line(`Spent ${rep.spend} ${rep.currency} · received ${rep.income} ${rep.currency} · net ${rep.net} ${rep.currency}` +
    (rep.savings_rate === null ? "" : ` · savings rate ${rep.savings_rate}%`));
  line(`${rep.count} entries`, 10, 24);
  if (rep.missing_rates.length) line(`Left out (no rate set): amounts in ${rep.missing_rates.join(", ")}`, 10, 24);
  line("Spending by category", 14, 20);
  for (const [c, v] of Object.entries(rep.categories)) line(`${c}: ${v} ${rep.currency}`);
  y += 8;
  line("Budgets", 14, 20);
  if (!rep.budgets.length) line("No budgets set.");
  for (const b of rep.budgets) line(`${b.category}: ${b.spent} of ${b.limit} ${b.currency} (${b.percent}%, ${b.status})`);
  y += 8;
  line("Biggest expenses", 14, 20);
  for (const t of rep.top_expenses) {
    const own = t.currency === rep.currency ? "" : ` (${t.amount} ${t.currency})`;
    line(`${t.date}  ${t.home_amount} ${rep.currency}${own}  ${t.category}  ${t.note || ""}`.trim());
  }
  doc.save(`tally-report-${month}.pdf`);
  say(`Report for ${month} downloaded.`);
}
