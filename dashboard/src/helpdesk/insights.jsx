// How the desk is doing (owners and managers), from the chart JSON the stream publishes
// (GET /orgs/{o}/helpdesk/insights): response and resolution times, SLA attainment, satisfaction,
// reopen and deflection rates, tickets created and solved per day, the backlog, and the agents Erlang C
// needs per hour of the week beside those scheduled.
import { useMemo } from "preact/hooks";
import { api } from "../core/api.js";
import { baseOptions, ChartBox, PALETTE, unitsAxis } from "../core/charts.jsx";
import { dayName, number } from "../core/format.js";
import { pageError } from "../core/errors.js";
import { Empty, Table, useLoad } from "../core/ui.jsx";
import { orgPath, STATUSES, useStaff } from "./context.js";
import { WithDesk } from "./queue.jsx";

/** Business minutes as a person reads them: "under 1 min", "45 min", "3 h 20 min", "2 d 4 h" (a day of 24 h). */
export function duration(minutes) {
  if (minutes === null || minutes === undefined) return "–";
  if (Number(minutes) < 1) return "under 1 min";
  const m = Math.round(Number(minutes));
  if (m < 60) return `${m} min`;
  if (m < 24 * 60) return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
  const h = Math.round(m / 60);
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ""}`;
}

const percent = (r) => (r === null || r === undefined ? "–"
  : new Intl.NumberFormat(navigator.language || "en", { style: "percent", maximumFractionDigits: 1 }).format(r));

const WEEKDAYS = Array.from({ length: 7 }, (_, i) => new Intl.DateTimeFormat(navigator.language || "en", { weekday: "short" })
  .format(new Date(Date.UTC(2024, 0, 1 + i)))); // 2024-01-01 was a Monday
const hourName = (h) => `${WEEKDAYS[Math.floor(h / 24) % 7]} ${String(h % 24).padStart(2, "0")}:00`;

/** Consecutive hours of the week needing and having the same agents, as one row each. */
export function staffingRanges(hours) {
  const rows = [];
  for (const h of hours) {
    const last = rows[rows.length - 1];
    if (last && last.needed === h.needed && last.scheduled === h.scheduled && last.to === h.hour - 1) {
      last.to = h.hour;
      last.peak = Math.max(last.peak, Number(h.arrivals));
    } else {
      rows.push({ from: h.hour, to: h.hour, needed: h.needed, scheduled: h.scheduled, peak: Number(h.arrivals) });
    }
  }
  return rows;
}

function Figure({ id, label, value }) {
  return <div class="figure"><span>{label}</span><strong id={id}>{value}</strong></div>;
}

function Figures({ o }) {
  return (
    <section aria-labelledby="figures-title">
      <h2 id="figures-title">All time</h2>
      <p class="muted">Times in business minutes of the desk's hours: the median and the slowest tenth (p90).</p>
      <div class="figures insight-figures">
        <Figure id="frt-median" label="First response, median" value={duration(o.first_response.median)} />
        <Figure id="frt-p90" label="First response, p90" value={duration(o.first_response.p90)} />
        <Figure id="res-median" label="Resolution, median" value={duration(o.resolution.median)} />
        <Figure id="res-p90" label="Resolution, p90" value={duration(o.resolution.p90)} />
        <Figure id="sla-frt" label="First response within SLA" value={percent((o.sla.first_response || {}).attainment)} />
        <Figure id="sla-res" label="Resolved within SLA" value={percent((o.sla.resolution || {}).attainment)} />
        <Figure id="csat" label={`Rated good (${number(o.satisfaction.good + o.satisfaction.bad)} ratings)`}
          value={percent(o.satisfaction.share_good)} />
        <Figure id="reopen-rate" label={`Reopened (${number(o.reopened)})`} value={percent(o.reopen_rate)} />
        <Figure id="deflection-rate" label={`Answered by an article (${number(o.deflected)})`} value={percent(o.deflection_rate)} />
      </div>
    </section>
  );
}

function Daily({ days }) {
  const config = useMemo(() => ({ type: "bar", data: { labels: days.map((d) => dayName(d.date)), datasets: [
    { label: "Created", backgroundColor: PALETTE[0], data: days.map((d) => d.created) },
    { label: "Solved", backgroundColor: PALETTE[2], data: days.map((d) => d.solved) }] },
  options: baseOptions("Tickets created and solved per day", { scales: { y: unitsAxis("Tickets") } }) }), [days]);
  return days.some((d) => d.created || d.solved)
    ? <ChartBox id="daily-chart" label="Tickets created and solved per day" config={config} />
    : <Empty>No tickets in these days yet.</Empty>;
}

function Backlog({ backlog }) {
  const rows = STATUSES.filter(([k]) => k in backlog).map(([k, v]) => ({ status: k, name: v, count: backlog[k] }));
  return (
    <Table id="backlog-table" caption="Backlog by status" hideCaption rows={rows}
      empty={<Empty>Nothing waiting.</Empty>} rowProps={(r) => ({ "data-status": r.status })}
      columns={[{ label: "Status", class: "primary", cell: (r) => r.name }, { label: "Tickets", class: "num", cell: (r) => number(r.count) }]} />
  );
}

function Staffing({ hours }) {
  const rows = staffingRanges(hours);
  return (
    <Table id="staffing-table" caption="Agents needed and scheduled by hour of the week" hideCaption rows={rows}
      empty={<Empty>Not enough history yet to plan the week.</Empty>}
      rowProps={(r) => ({ "data-from": r.from, class: r.needed > r.scheduled ? "short" : undefined })}
      columns={[
        { label: "Hours", class: "primary", cell: (r) => (r.from === r.to ? hourName(r.from) : `${hourName(r.from)} – ${hourName(r.to)}`) },
        { label: "Arrivals an hour (peak)", class: "num", cell: (r) => number(Math.round(r.peak * 10) / 10) },
        { label: "Agents needed", class: "num", cell: (r) => r.needed },
        { label: "Scheduled", class: "num", cell: (r) => (r.needed > r.scheduled ? <strong class="negative">{r.scheduled} (short)</strong> : r.scheduled) },
      ]} />
  );
}

export function InsightsPage() {
  const { org } = useStaff();
  const [r] = useLoad(async () => (org ? api("GET", orgPath("/helpdesk/insights")) : null), [org && org.org_id], ["helpdesk"]);
  let body;
  if (!r) body = <p aria-busy="true">Loading the insights…</p>;
  else if (!r.ok) body = <Empty>{pageError(r)}</Empty>;
  else {
    const doc = r.data;
    document.body.dataset.chartGenerated = doc.generated_at || "";
    body = (
      <>
        <p id="insights-status" class="muted">{doc.generated_at ? `Updated ${new Date(doc.generated_at).toLocaleString()}` : "No data yet: figures appear once tickets come in."}</p>
        <Figures o={doc.overall} />
        <section aria-labelledby="daily-title">
          <h2 id="daily-title">Created and solved</h2>
          <Daily days={doc.days} />
        </section>
        <div class="chart-pair">
          <section aria-labelledby="backlog-title"><h2 id="backlog-title">Backlog</h2><Backlog backlog={doc.backlog} /></section>
          <section aria-labelledby="staffing-title"><h2 id="staffing-title">Staffing (Erlang C)</h2>
            <p class="muted">Agents needed to meet the first-response target, beside the agents scheduled.</p>
            <Staffing hours={doc.staffing} /></section>
        </div>
      </>
    );
  }
  return <WithDesk adminOnly><div id="insights">{body}</div></WithDesk>;
}
