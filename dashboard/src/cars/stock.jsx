// The dealer's stock: every car with its days on the lot and its estimate against the asking price.
import { useEffect, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { pageError } from "../core/errors.js";
import { money } from "../core/format.js";
import { Badge, Empty, Table, useLoad } from "../core/ui.jsx";
import { carName, isManager, loadDealer, mileage, orgPath, useDealer, words } from "./context.js";

const DAY = 86400000;

export function DealerBar() {
  const { orgs, org } = useDealer();
  if (!orgs) return <p aria-busy="true">Loading your organisations…</p>;
  if (!org) return <Empty href="#/inventory/team" action="Create an organisation">You are in no organisation yet.</Empty>;
  return (
    <div class="org-bar">
      {orgs.length > 1 && (
        <span class="org-picker">
          <label for="cars-org-picker">Dealer</label>
          <select id="cars-org-picker" value={org.org_id} onChange={(e) => loadDealer(e.target.value)}>
            {orgs.map((o) => <option value={o.org_id}>{o.name}</option>)}
          </select>
        </span>
      )}
      <span class="muted" id="cars-role">{org.name}: you are {org.role}</span>
    </div>
  );
}

/** Days since the car came into stock (the stream's figure when it has one). */
export function daysOnLot(car, chart) {
  const known = chart && chart.stock.cars.find((c) => c.car_id === car.id);
  if (known) return known.days_on_lot;
  return Math.max(0, Math.floor((Date.now() - Date.parse(car.created_at)) / DAY));
}

/** The estimate against the asking price: "-12.5 %" (asking above the estimate) or "+3.0 %". */
export function gap(asking, p50) {
  const a = Number(asking), e = Number(p50);
  if (!a || !e) return null;
  return (e - a) / a;
}

const pct = (r) => `${r > 0 ? "+" : ""}${(r * 100).toFixed(1)} %`;

/** Each car's own estimate (in stock or reserved), a few requests at a time. */
export function useEstimates(cars) {
  const [est, setEst] = useState({});
  useEffect(() => {
    let live = true;
    setEst({});
    if (!cars) return undefined;
    const queue = cars.filter((c) => ["in_stock", "reserved"].includes(c.status)).map((c) => c.id);
    const worker = async () => {
      while (live && queue.length) {
        const id = queue.shift();
        const r = await api("GET", orgPath(`/cars/${id}/valuation`));
        if (live) setEst((e) => ({ ...e, [id]: r.ok ? r.data : null }));
      }
    };
    Promise.all([worker(), worker(), worker(), worker()]);
    return () => { live = false; };
  }, [cars]);
  return est;
}

/** The dealer's cars (the API's answer) and the insights chart (days on the lot), following writes. */
export function useStock(org) {
  const [r] = useLoad(async () => (org ? api("GET", orgPath("/cars")) : null), [org && org.org_id], ["cars"]);
  const [chart] = useLoad(async () => {
    if (!org) return null;
    const c = await api("GET", orgPath("/car-insights"));
    return c.ok ? c.data : null;
  }, [org && org.org_id], ["cars-chart"]);
  return { r, chart };
}

export function StockPage() {
  const { org } = useDealer();
  const { r, chart } = useStock(org);
  const cars = r && r.ok ? r.data.items : null;
  const est = useEstimates(cars);
  return (
    <>
      <DealerBar />
      {org && (
        <section aria-labelledby="stock-title">
          <div class="section-head">
            <h2 id="stock-title">Stock</h2>
            {isManager() && <a href="#/cars/edit" role="button" id="add-car">Add a car</a>}
          </div>
          {r && !r.ok ? <Empty>{pageError(r)}</Empty> : (
            <Table id="stock-table" caption="Cars in stock" hideCaption rows={cars}
              empty={<Empty>No cars yet.{isManager() && <> <a href="#/cars/edit">Add the first one</a>.</>}</Empty>}
              rowProps={(c) => ({ "data-id": c.id, "data-status": c.status })}
              columns={[
                { label: "Car", class: "primary", cell: (c) => <a href={`#/cars/car?id=${c.id}`}>{carName(c)}</a> },
                { label: "Mileage", class: "num", cell: (c) => mileage(c) },
                { label: "Status", cell: (c) => <Badge kind={c.status}>{words(c.status)}</Badge> },
                { label: "Days on lot", class: "num days", cell: (c) => (["in_stock", "reserved"].includes(c.status) ? daysOnLot(c, chart) : "–") },
                { label: "Asking", class: "num", cell: (c) => money(c.asking_price, c.currency) },
                { label: "Estimate", class: "num estimate", cell: (c) => {
                  const v = est[c.id];
                  if (!["in_stock", "reserved"].includes(c.status)) return c.sold_price ? `sold ${money(c.sold_price, c.currency)}` : "–";
                  if (v === undefined) return <span aria-busy="true">…</span>;
                  if (!v) return "–";
                  return <span title={`P10 ${money(v.p10, v.currency)} – P90 ${money(v.p90, v.currency)}`}>{money(v.p50, v.currency)}</span>;
                } },
                { label: "Against asking", class: "num against", cell: (c) => {
                  const v = est[c.id];
                  const g = v && v.currency === c.currency ? gap(c.asking_price, v.p50) : null;
                  return g === null ? "–" : <span class={g < -0.1 ? "negative" : ""}>{pct(g)}</span>;
                } },
              ]} />
          )}
        </section>
      )}
    </>
  );
}
