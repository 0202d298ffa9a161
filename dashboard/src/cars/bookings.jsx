// The bookings calendar: a location's day, slot by slot (free, or booked with who and what), cancelling a
// booking (the slot is free again and the customer is told), and the locations with their opening hours.
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { browserTimeZone, timeZones } from "../core/choices.js";
import { pageError } from "../core/errors.js";
import { dayName, today } from "../core/format.js";
import { Check, confirmAction, Empty, Field, Form, say, Table, useForm, useLoad } from "../core/ui.jsx";
import { isManager, orgPath, publicApi, useDealer, words, write } from "./context.js";
import { DealerBar } from "./stock.jsx";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const KINDS = ["test_drive", "service"];

export function localTime(iso, zone) {
  return new Intl.DateTimeFormat(navigator.language || "en", { timeZone: zone, hour: "2-digit", minute: "2-digit", hour12: false })
    .format(new Date(iso));
}

function addDays(ymd, n) {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function Day({ org, loc, day }) {
  const [data] = useLoad(async () => {
    const [booked, ...free] = await Promise.all([
      api("GET", orgPath(`/bookings?location_id=${encodeURIComponent(loc.id)}&day=${day}`)),
      ...loc.kinds.map((k) => publicApi("GET", `/dealers/${org.org_id}/booking-locations/${loc.id}/slots?day=${day}&kind=${k}`)),
    ]);
    if (!booked.ok) return { error: booked };
    const rows = booked.data.items.map((b) => ({ ...b, booked: true }));
    free.forEach((r, i) => { if (r.ok) r.data.free.forEach((s) => rows.push({ start: s.start, end: s.end, kind: loc.kinds[i], booked: false })); });
    rows.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.kind < b.kind ? -1 : 1));
    return { rows };
  }, [org.org_id, loc.id, day], ["cars"]);
  if (!data) return <p aria-busy="true">Loading the day…</p>;
  if (data.error) return <Empty>{pageError(data.error)}</Empty>;
  const cancel = async (b) => {
    if (!(await confirmAction({ title: "Cancel this booking?", text: `${b.customer_name}, ${localTime(b.start, loc.time_zone)}: the customer is emailed and the slot is free again.`, action: "Cancel booking" }))) return;
    const r = await write("POST", orgPath(`/bookings/${b.id}/cancel`));
    say(r.ok ? "Booking cancelled: the slot is free again." : pageError(r), { error: !r.ok });
  };
  return (
    <Table id="day-table" caption={`${loc.name}, ${dayName(day, true)}`} rows={data.rows}
      empty={<Empty>Closed on this day, or every slot has passed.</Empty>}
      rowProps={(s) => ({ "data-start": s.start, "data-kind": s.kind, class: s.booked ? "booked" : "free", "data-id": s.id })}
      columns={[
        { label: "Time", class: "primary", cell: (s) => `${localTime(s.start, loc.time_zone)}–${localTime(s.end, loc.time_zone)}` },
        { label: "Kind", cell: (s) => words(s.kind) },
        { label: "Booked by", cell: (s) => (s.booked ? <>{s.customer_name} <span class="muted">{s.customer_email}{s.customer_phone ? `, ${s.customer_phone}` : ""}</span></> : <span class="muted">free</span>) },
        { label: "Note", cell: (s) => (s.booked ? s.note || (s.car_id ? <a href={`#/cars/car?id=${s.car_id}`}>the car</a> : "–") : "") },
        { label: "", cell: (s) => (s.booked ? <button type="button" class="small danger outline" onClick={() => cancel(s)}>Cancel</button> : "") },
      ]} />
  );
}

function LocationForm({ locations }) {
  const form = useForm({ "hours": "opens" });
  const [open, setOpen] = useState(locations.length === 0);
  if (!open) return <button type="button" class="secondary" onClick={() => setOpen(true)}>Add a location</button>;
  return (
    <Form id="location-form" form={form} onSubmit={async (f) => {
      const days = WEEKDAYS.filter((d) => f.querySelector(`input[name=days][value=${d}]`).checked);
      const kinds = KINDS.filter((k) => f.querySelector(`input[name=kinds][value=${k}]`).checked);
      const body = { name: f.name.value.trim(), address: f.address.value.trim(), time_zone: f.time_zone.value,
        slot_minutes: Number(f.slot_minutes.value), kinds, hours: Object.fromEntries(days.map((d) => [d, [[f.opens.value, f.closes.value]]])) };
      const id = f.location_id.value.trim();
      const r = await write("PUT", orgPath(`/booking-locations/${encodeURIComponent(id)}`), body);
      if (!r.ok) { form.fail(r); return; }
      form.ok(`Location ${r.data.name} saved.`);
      setOpen(false);
    }}>
      <div class="grid-auto">
        <Field label="Short id" name="location_id" required hint="lower-case letters, digits and hyphens, e.g. main" pattern="[a-z0-9-]+" />
        <Field label="Name" name="name" required maxlength="80" />
        <Field label="Address" name="address" maxlength="200" />
        <Field label="Time zone" name="time_zone" as="select" init={browserTimeZone()}>
          {timeZones(browserTimeZone()).map((z) => <option value={z}>{z}</option>)}
        </Field>
        <Field label="Slot length (minutes)" name="slot_minutes" as="select" init="60">
          {[15, 30, 45, 60, 90, 120].map((m) => <option value={m}>{m}</option>)}
        </Field>
        <Field label="Opens" name="opens" type="time" init="09:00" required />
        <Field label="Closes" name="closes" type="time" init="18:00" required />
      </div>
      <fieldset><legend>Open on</legend><div class="check-grid">
        {WEEKDAYS.map((d, i) => <Check label={words(d)} name="days" value={d} init={i < 6} />)}
      </div></fieldset>
      <fieldset><legend>Takes</legend><div class="check-grid">
        {KINDS.map((k) => <Check label={words(k)} name="kinds" value={k} init />)}
      </div></fieldset>
      <button type="submit">Save location</button>
    </Form>
  );
}

export function BookingsPage({ params }) {
  const { org } = useDealer();
  const [r] = useLoad(async () => (org ? api("GET", orgPath("/booking-locations")) : null), [org && org.org_id], ["cars"]);
  const [locId, setLocId] = useState(params.get("location") || "");
  const [day, setDay] = useState(params.get("day") || today());
  if (!org) return <DealerBar />;
  if (!r) return <><DealerBar /><p aria-busy="true">Loading the locations…</p></>;
  if (!r.ok) return <><DealerBar /><Empty>{pageError(r)}</Empty></>;
  const locs = r.data.items;
  const loc = locs.find((l) => l.id === locId) || locs[0];
  return (
    <>
      <DealerBar />
      {loc ? (
        <section aria-labelledby="calendar-title">
          <h2 id="calendar-title">Calendar</h2>
          <div class="filters">
            <span class="filter">
              <label for="booking-location">Location</label>
              <select id="booking-location" value={loc.id} onChange={(e) => setLocId(e.target.value)}>
                {locs.map((l) => <option value={l.id}>{l.name}</option>)}
              </select>
            </span>
            <span class="filter">
              <label for="booking-day">Day</label>
              <input id="booking-day" type="date" value={day} onChange={(e) => e.target.value && setDay(e.target.value)} />
            </span>
            <span class="actions">
              <button type="button" class="small secondary" onClick={() => setDay(addDays(day, -1))} aria-label="Previous day">‹</button>
              <button type="button" class="small secondary" onClick={() => setDay(addDays(day, 1))} aria-label="Next day">›</button>
            </span>
          </div>
          <p class="muted">Times at the location ({loc.time_zone}); {loc.slot_minutes}-minute slots.</p>
          <Day org={org} loc={loc} day={day} />
        </section>
      ) : <Empty>No booking location yet{isManager() ? ": add one below." : "."}</Empty>}
      {isManager() && (
        <section aria-labelledby="locations-title">
          <h2 id="locations-title">Locations and hours</h2>
          <ul class="cards-list" id="location-list">
            {locs.map((l) => (
              <li data-id={l.id}><span class="what"><strong>{l.name}</strong>
                <span class="muted">{l.address || l.id} · {l.kinds.map(words).join(", ")} · {Object.entries(l.hours).map(([d, ps]) => `${words(d)} ${ps.map((p) => p.join("–")).join(", ")}`).join("; ")}</span></span></li>
            ))}
          </ul>
          <LocationForm locations={locs} />
        </section>
      )}
    </>
  );
}
