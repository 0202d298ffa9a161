// Aging stock: the dealer's rules for the daily aging-stock email (N days on the lot, the share the estimate
// may fall below the asking price; GET/PUT /orgs/{o}/car-settings at the version read) and the cars in
// stock against them now (days on the lot from the stream's chart, each car's own estimate).
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { pageError } from "../core/errors.js";
import { money } from "../core/format.js";
import { Badge, Empty, Field, Form, say, Table, useForm, useLoad } from "../core/ui.jsx";
import { carName, isManager, orgPath, useDealer, write } from "./context.js";
import { DealerBar, daysOnLot, gap, useEstimates, useStock } from "./stock.jsx";

const IN_STOCK = ["in_stock", "reserved"];

/** "10" (per cent, as typed) → "0.10" (the API's share); null when it is not 1 to 99 whole per cent. */
export function shareOf(percent) {
  const v = String(percent).trim();
  if (!/^\d{1,2}$/.test(v) || Number(v) < 1) return null;
  return `0.${v.padStart(2, "0")}`;
}

function SettingsForm({ s, onSaved }) {
  const form = useForm({ estimate_gap: "estimate_gap_pct" });
  const submit = async (f) => {
    const body = { aging_days: /^\d+$/.test(f.aging_days.value.trim()) ? Number(f.aging_days.value.trim()) : f.aging_days.value,
      estimate_gap: shareOf(f.estimate_gap_pct.value), ...(s.version ? { version: s.version } : {}) };
    const r = await write("PUT", orgPath("/car-settings"), body);
    if (!r.ok) {
      if (r.status === 409) { say("Someone changed these rules meanwhile: the page shows theirs now.", { error: true }); onSaved(null); return; }
      form.fail(r);
      return;
    }
    onSaved(r.data);
    form.ok(`Saved: a car is flagged after ${r.data.aging_days} days, or when its estimate is ${Math.round(Number(r.data.estimate_gap) * 100)} % below its asking price.`);
  };
  const checks = {
    aging_days: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 730 ? null : "Enter a whole number of days from 1 to 730."),
    estimate_gap_pct: (v) => (shareOf(v) ? null : "Enter a whole per cent from 1 to 99."),
  };
  return (
    <Form id="aging-form" form={form} onSubmit={submit} checks={checks}>
      <div class="grid-auto">
        <Field label="Days on the lot" name="aging_days" inputmode="numeric" required init={String(s.aging_days)}
          hint="Owners and managers are emailed once when a car stays this long." />
        <Field label="Estimate below asking (%)" name="estimate_gap_pct" inputmode="numeric" required
          init={String(Math.round(Number(s.estimate_gap) * 100))} hint="Emailed once when the estimate is this much below the asking price." />
      </div>
      <button type="submit">Save rules</button>
    </Form>
  );
}

export function AgingPage() {
  const { org } = useDealer();
  const [settings, setSettings] = useState(null);
  const [stale, setStale] = useState(0);
  const [sr] = useLoad(async () => (org ? api("GET", orgPath("/car-settings")) : null), [org && org.org_id, stale]);
  useEffect(() => { if (sr && sr.ok) setSettings(sr.data); }, [sr]);
  const { r, chart } = useStock(org);
  const cars = useMemo(() => (r && r.ok ? r.data.items.filter((c) => IN_STOCK.includes(c.status)) : null), [r]);
  const est = useEstimates(cars);
  if (!org) return <DealerBar />;
  const s = settings;
  const rows = cars && s ? cars.map((c) => {
    const days = daysOnLot(c, chart);
    const v = est[c.id];
    const g = v && v.currency === c.currency ? gap(c.asking_price, v.p50) : null;
    const reasons = [];
    if (days >= s.aging_days) reasons.push(`${days} days on the lot`);
    if (g !== null && -g >= Number(s.estimate_gap)) reasons.push(`estimate ${Math.round(-g * 100)} % below asking`);
    return { c, days, v, reasons };
  }).sort((a, b) => b.days - a.days) : null;
  return (
    <>
      <DealerBar />
      <section aria-labelledby="aging-rules-title">
        <h2 id="aging-rules-title">Aging stock rules</h2>
        {sr && !sr.ok ? <Empty>{pageError(sr)}</Empty> : !s ? <p aria-busy="true">Loading the rules…</p> : (
          <>
            <p class="muted" id="aging-rules-now">
              {s.version ? "Your rules" : "The defaults (not saved yet)"}: {s.aging_days} days on the lot, or an estimate
              {" "}{Math.round(Number(s.estimate_gap) * 100)} % below the asking price. Each car is emailed about once.</p>
            {isManager() ? <SettingsForm s={s} onSaved={(d) => (d ? setSettings(d) : setStale((n) => n + 1))} />
              : <p class="muted">Only owners and managers change these rules.</p>}
          </>
        )}
      </section>
      <section aria-labelledby="aging-cars-title">
        <h2 id="aging-cars-title">Cars in stock against the rules</h2>
        {r && !r.ok ? <Empty>{pageError(r)}</Empty> : (
          <Table id="aging-table" caption="Cars in stock against the aging rules" hideCaption rows={rows}
            empty={<Empty>No car in stock.</Empty>}
            rowProps={(x) => ({ "data-id": x.c.id, "data-flagged": x.reasons.length ? "true" : "false" })}
            columns={[
              { label: "Car", class: "primary", cell: (x) => <a href={`#/cars/car?id=${x.c.id}`}>{carName(x.c)}</a> },
              { label: "Days on lot", class: "num days", cell: (x) => x.days },
              { label: "Asking", class: "num", cell: (x) => money(x.c.asking_price, x.c.currency) },
              { label: "Estimate", class: "num", cell: (x) => (x.v === undefined ? <span aria-busy="true">…</span> : x.v ? money(x.v.p50, x.v.currency) : "–") },
              { label: "Aging", class: "reasons", cell: (x) => (x.reasons.length ? <Badge kind="cancelled">{x.reasons.join("; ")}</Badge> : "within the rules") },
            ]} />
        )}
      </section>
    </>
  );
}
