// A listed car's public page (no sign-in): its card as the CDN serves it (public/cars/car/<id>.json), its
// photos (public copies beside the listing), booking a test drive in a free slot, and an enquiry.
import { useEffect, useRef, useState } from "preact/hooks";
import { pageError } from "../core/errors.js";
import { dayName, money, today } from "../core/format.js";
import { Empty, Field, Form, say, useForm, useLoad } from "../core/ui.jsx";
import { carName, listingDoc, mileage, newId, publicApi, words } from "./context.js";
import { localTime } from "./bookings.jsx";

const tomorrow = () => { const d = new Date(); d.setDate(d.getDate() + 1); return d.toISOString().slice(0, 10); };

function Specs({ c }) {
  const rows = [["Year", c.first_registration], ["Mileage", mileage(c)], ["Fuel", words(c.fuel)], ["Gearbox", words(c.gearbox)],
    ["Body", words(c.body_type)], ["Drive", words(c.drive)], ["Engine", c.engine_litres ? `${c.engine_litres} l` : "–"],
    ["Power", c.power_kw ? `${c.power_kw} kW` : "–"], ["Doors", c.doors ?? "–"], ["Seats", c.seats ?? "–"], ["Colour", c.colour || "–"],
    ["Previous owners", c.previous_owners ?? "–"], ["Damage", words(c.damage)], ["Condition", words(c.condition)],
    ["Options", c.options.map(words).join(", ") || "none"], ["VIN ends", c.vin_last4 || "–"]];
  return <dl class="specs">{rows.map(([k, v]) => <><dt>{k}</dt><dd>{v}</dd></>)}</dl>;
}

function TestDrive({ c }) {
  const form = useForm({ start: "start", location_id: "location_id", name: "name", email: "email", phone: "phone" });
  const [locs] = useLoad(async () => {
    const r = await publicApi("GET", `/dealers/${c.org_id}/booking-locations`);
    return r.ok ? r.data.items.filter((l) => l.kinds.includes("test_drive")) : [];
  }, [c.org_id]);
  const [locId, setLocId] = useState("");
  const [day, setDay] = useState(tomorrow());
  const [done, setDone] = useState(null);
  const loc = locs && (locs.find((l) => l.id === locId) || locs[0]);
  const [slots, reloadSlots] = useLoad(async () => {
    if (!loc) return null;
    const r = await publicApi("GET", `/dealers/${c.org_id}/booking-locations/${loc.id}/slots?day=${day}&kind=test_drive`);
    return r.ok ? r.data.free : [];
  }, [loc && loc.id, day]);
  if (!locs) return <p aria-busy="true">Loading the dealer's hours…</p>;
  if (!loc) return <Empty>This dealer takes no test-drive bookings online: send an enquiry below.</Empty>;
  if (done) {
    return (
      <p id="booking-confirmation" class="notice" role="status">
        Booked: a test drive on {dayName(done.day, true)} at {localTime(done.start, loc.time_zone)} ({loc.name}). We emailed
        the confirmation with a calendar invite to {done.email}.
      </p>
    );
  }
  return (
    <Form id="booking-form" form={form} onSubmit={async (f) => {
      const body = { kind: "test_drive", location_id: loc.id, start: f.start.value, car_id: c.id, name: f.name.value.trim(),
        email: f.email.value.trim(), phone: f.phone.value.trim() };
      const r = await publicApi("POST", `/dealers/${c.org_id}/bookings`, body);
      if (r.status === 409 && r.data && r.data.error && r.data.error.field === "start") {
        await reloadSlots();
        form.show("start", "Someone has just booked this time: choose another.");
        return;
      }
      if (!r.ok) { form.fail(r); return; }
      form.ok("Test drive booked.");
      setDone({ start: r.data.start, day, email: body.email });
    }}>
      <div class="grid-auto">
        {locs.length > 1 && (
          <Field label="Where" name="location_id" as="select" init={loc.id} onChange={(e) => setLocId(e.target.value)}>
            {locs.map((l) => <option value={l.id}>{l.name}</option>)}
          </Field>
        )}
        <div class="field">
          <label for="drive-day">Day</label>
          <input id="drive-day" type="date" value={day} min={today()} onChange={(e) => e.target.value && setDay(e.target.value)} />
          <small class="muted">{loc.name}{loc.address ? `, ${loc.address}` : ""}</small>
        </div>
        <Field label="Time" name="start" as="select" required data-required="Choose a time." disabled={!slots || !slots.length}>
          {!slots ? <option value="">Loading…</option> : !slots.length ? <option value="">No free time this day</option>
            : <><option value="">Choose a time</option>{slots.map((s) => <option value={s.start}>{s.local}</option>)}</>}
        </Field>
        <Field label="Your name" name="name" required maxlength="120" autocomplete="name" />
        <Field label="Your email" name="email" type="email" required autocomplete="email" />
        <Field label="Phone (optional)" name="phone" type="tel" autocomplete="tel" />
      </div>
      <button type="submit">Book a test drive</button>
    </Form>
  );
}

function Enquiry({ c }) {
  const form = useForm({ name: "name", email: "email", message: "message" });
  // one id per enquiry, kept until it is answered: a retry (a lost answer, a double click) sends it once
  const enquiryId = useRef(newId());
  const [sent, setSent] = useState(false);
  if (sent) return <p id="enquiry-sent" class="notice" role="status">Your question is with {c.dealer || "the dealer"}: they will answer by email.</p>;
  return (
    <Form id="enquiry-form" form={form} onSubmit={async (f) => {
      const body = { enquiry_id: enquiryId.current, name: f.name.value.trim(), email: f.email.value.trim(), message: f.message.value.trim() };
      const r = await publicApi("POST", `/dealers/${c.org_id}/cars/${c.id}/enquiries`, body);
      if (!r.ok) { if (r.status === 0) say(pageError(r), { error: true }); else form.fail(r); return; }
      enquiryId.current = newId();
      setSent(true);
    }}>
      <div class="grid-auto">
        <Field label="Your name" name="name" required maxlength="120" autocomplete="name" />
        <Field label="Your email" name="email" type="email" required autocomplete="email" />
      </div>
      <Field label="Your question" name="message" as="textarea" required maxlength="5000" rows="3" />
      <button type="submit" class="secondary">Send the question</button>
    </Form>
  );
}

export function CarForSalePage({ params }) {
  const id = params.get("id");
  const [c] = useLoad(async () => (id ? (await listingDoc(`car/${id}.json`)) || { listed: false } : { listed: false }), [id]);
  useEffect(() => {
    // one view per opening of the page (its id makes a retried beacon count once)
    if (c && c.listed) publicApi("POST", `/listing/${c.org_id}/cars/${c.id}/views`, { view_id: newId() });
  }, [c && c.id]);
  if (!c) return <p aria-busy="true">Loading the car…</p>;
  if (!c.listed) return <Empty href="#/listing" action="See the cars for sale">This car is no longer for sale.</Empty>;
  return (
    <div id="car-for-sale" data-id={c.id}>
      <section aria-labelledby="sale-car-title">
        <h2 id="sale-car-title">{carName(c)}</h2>
        <p><strong class="price" id="sale-price">{money(c.price, c.currency)}</strong> · {c.dealer}{c.location ? `, ${c.location}` : ""}
          {c.status === "reserved" && <> · <strong>reserved</strong></>}</p>
        {c.photos.length > 0
          ? <div class="photos" id="car-photos">{c.photos.map((p, i) => <img src={p} alt={`${carName(c)}, photo ${i + 1}`} loading="lazy" />)}</div>
          : <p class="muted">No photos yet.</p>}
        <Specs c={c} />
      </section>
      <section aria-labelledby="drive-title">
        <h2 id="drive-title">Book a test drive</h2>
        <TestDrive c={c} />
      </section>
      <section aria-labelledby="enquiry-title">
        <h2 id="enquiry-title">Ask the dealer</h2>
        <Enquiry c={c} />
      </section>
      <p><a href="#/listing">Back to the cars for sale</a></p>
    </div>
  );
}
