// A car of the stock: adding and editing it from its attributes (each refusal under its field), its page
// with the estimate's P10–P90 range and the factors behind it, status moves and the sale.
import { useMemo, useRef, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { CURRENCIES } from "../core/choices.js";
import { pageError } from "../core/errors.js";
import { go } from "../core/router.js";
import { money, today } from "../core/format.js";
import { Badge, Check, confirmAction, Empty, Field, Form, moneyCheck, say, Table, useForm, useLoad } from "../core/ui.jsx";
import { BODY_TYPES, CONDITIONS, DAMAGE, DRIVES, FUELS, GEARBOXES, OPTIONS, carName, isManager, mileage, newId,
  orgPath, useDealer, words, write } from "./context.js";
import { DealerBar } from "./stock.jsx";

const INTS = ["mileage", "cylinders", "power_kw", "doors", "seats", "previous_owners"];
const OPTIONAL = ["trim", "drive", "engine_litres", "cylinders", "power_kw", "doors", "seats", "colour", "previous_owners", "location"];

function Choice({ label, name, values, init, optional, ...rest }) {
  return (
    <Field label={label} name={name} as="select" init={init ?? (optional ? "" : undefined)} {...rest}>
      {optional && <option value="">Not given</option>}
      {values.map((v) => <option value={v}>{words(v)}</option>)}
    </Field>
  );
}

/** The form's values as the API takes them: numbers as numbers (a non-number is sent as typed, so the API
 * names the field), empty optional fields left out. */
export function carBody(f) {
  const body = {};
  for (const name of ["vin", "make", "model", "trim", "body_type", "first_registration", "mileage", "mileage_unit", "fuel",
    "gearbox", "drive", "engine_litres", "cylinders", "power_kw", "doors", "seats", "colour", "previous_owners", "damage",
    "condition", "asking_price", "currency", "location"]) {
    const raw = (f[name].value || "").trim();
    if (raw === "" && OPTIONAL.includes(name)) continue;
    body[name] = INTS.includes(name) && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  }
  if (body.vin) body.vin = body.vin.toUpperCase();
  body.options = OPTIONS.filter((o) => f.querySelector(`input[name=options][value=${o}]`).checked);
  body.public = f.public.checked;
  return body;
}

export function EditCarPage({ params }) {
  const { org } = useDealer();
  const id = params.get("id");
  const [r] = useLoad(async () => (org && id ? api("GET", orgPath(`/cars/${id}`)) : null), [org && org.org_id, id]);
  const form = useForm({ "options.0": "options" });
  const version = useRef(null); // the car's version after photo changes (each one moves it)
  if (!org) return <DealerBar />;
  if (id && !r) return <p aria-busy="true">Loading the car…</p>;
  if (id && !r.ok) return <Empty>{pageError(r)}</Empty>;
  const car = id ? r.data : null;
  const v = (k, d) => (car ? car[k] ?? d : d);
  const submit = async (f) => {
    const body = carBody(f);
    const res = car ? await write("PUT", orgPath(`/cars/${car.id}`), { ...body, version: version.current ?? car.version })
      : await write("POST", orgPath("/cars"), body);
    if (!res.ok) {
      if (res.status === 409 && res.data && res.data.current) { say("Someone changed this car meanwhile: reload and edit again.", { error: true }); return; }
      form.fail(res);
      return;
    }
    form.ok(car ? "Car saved." : `Car added: ${carName(res.data)}.`);
    go(`/cars/car?id=${res.data.id}`);
  };
  const optionsError = form.errors.options;
  return (
    <section aria-labelledby="car-form-title">
      <h2 id="car-form-title">{car ? `Edit ${carName(car)}` : "Add a car from its attributes"}</h2>
      {!isManager() ? <Empty>Only owners and managers add and edit cars.</Empty> : (
        <Form id="car-form" form={form} onSubmit={submit} checks={{ asking_price: moneyCheck }}>
          <div class="grid-auto">
            <Field label="VIN" name="vin" required init={v("vin", "")} maxlength="17" autocapitalize="characters"
              hint="17 characters, no I, O or Q" data-required="Enter the 17-character VIN." />
            <Field label="Make" name="make" required init={v("make", "")} maxlength="60" />
            <Field label="Model" name="model" required init={v("model", "")} maxlength="60" />
            <Field label="Trim" name="trim" init={v("trim", "")} maxlength="60" />
            <Choice label="Body" name="body_type" values={BODY_TYPES} init={v("body_type", "sedan")} />
            <Field label="First registration" name="first_registration" type="month" required init={v("first_registration", "")}
              hint="Year and month" />
            <Field label="Mileage" name="mileage" inputmode="numeric" required init={car ? String(car.mileage) : ""} />
            <Choice label="Mileage unit" name="mileage_unit" values={["km", "mi"]} init={v("mileage_unit", "km")} />
            <Choice label="Fuel" name="fuel" values={FUELS} init={v("fuel", "petrol")} />
            <Choice label="Gearbox" name="gearbox" values={GEARBOXES} init={v("gearbox", "manual")} />
            <Choice label="Drive" name="drive" values={DRIVES} init={v("drive", "")} optional />
            <Field label="Engine (litres)" name="engine_litres" inputmode="decimal" init={v("engine_litres", "") || ""} hint="e.g. 1.6" />
            <Field label="Cylinders" name="cylinders" inputmode="numeric" init={car && car.cylinders != null ? String(car.cylinders) : ""} />
            <Field label="Power (kW)" name="power_kw" inputmode="numeric" init={car && car.power_kw != null ? String(car.power_kw) : ""} />
            <Field label="Doors" name="doors" inputmode="numeric" init={car && car.doors != null ? String(car.doors) : ""} />
            <Field label="Seats" name="seats" inputmode="numeric" init={car && car.seats != null ? String(car.seats) : ""} />
            <Field label="Colour" name="colour" init={v("colour", "")} maxlength="30" />
            <Field label="Previous owners" name="previous_owners" inputmode="numeric"
              init={car && car.previous_owners != null ? String(car.previous_owners) : ""} />
            <Choice label="Accident damage" name="damage" values={DAMAGE} init={v("damage", "none")} />
            <Choice label="Condition" name="condition" values={CONDITIONS} init={v("condition", "good")} />
            <Field label="Asking price" name="asking_price" inputmode="decimal" required init={v("asking_price", "")} />
            <Field label="Currency" name="currency" as="select" init={v("currency", "USD")}>
              {CURRENCIES.map((c) => <option value={c}>{c}</option>)}
            </Field>
            <Field label="Location" name="location" init={v("location", "")} maxlength="60" hint="Where the car stands" />
          </div>
          <fieldset aria-describedby="options-error">
            <legend>Options</legend>
            <div class="check-grid">
              {OPTIONS.map((o) => <Check label={words(o)} name="options" value={o} init={car ? car.options.includes(o) : false} />)}
            </div>
            <small id="options-error" class="field-error" aria-live="assertive">{optionsError || ""}</small>
          </fieldset>
          <Check label="Show in the public listing while in stock or reserved" name="public" init={car ? car.public : true} />
          <div class="actions">
            <button type="submit">{car ? "Save car" : "Add car"}</button>
            <a href={car ? `#/cars/car?id=${car.id}` : "#/cars"}>Cancel</a>
          </div>
        </Form>
      )}
      {isManager() && (car ? <CarPhotos car={car} onChange={(c) => { version.current = c.version; }} />
        : <p class="muted" id="photos-later">Photos are added once the car is saved: open it and choose Edit.</p>)}
    </section>
  );
}

// ---------------------------------------------------------------- photos
// What the API takes (cars.rules.vehicles): the bucket's upload policy enforces the same.
export const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
export const MAX_PHOTO_BYTES = 10000000;
export const MAX_PHOTOS = 20;
const PHOTO_FIELDS = { content_type: "photos", photo_id: "photos", photos: "photos", photo_ids: "photos" };
const mb = (n) => `${(n / 1000000).toFixed(1)} MB`;

/** What is wrong with the chosen photos, before anything is sent (the API and S3 check again). */
export function checkPhotos(input, have) {
  const files = [...((input && input.files) || [])];
  if (have + files.length > MAX_PHOTOS) return `A car has at most ${MAX_PHOTOS} photos: choose at most ${MAX_PHOTOS - have}.`;
  for (const f of files) {
    if (!PHOTO_TYPES.includes(f.type)) return `${f.name}: only JPEG, PNG or WebP pictures.`;
    if (f.size < 1) return `${f.name} is empty.`;
    if (f.size > MAX_PHOTO_BYTES) return `${f.name} is ${mb(f.size)}: at most 10 MB a photo.`;
  }
  return null;
}

/**
 * The car's photos on its edit page: choose pictures (each is granted by the API, POSTed by the browser
 * straight to the bucket with the grant's fields, then confirmed: the API checks it arrived), thumbnails
 * in order with the first as the cover, move one first, remove one (asked first).
 */
function CarPhotos({ car, onChange }) {
  const [state, setState] = useState(car);
  const [busy, setBusy] = useState("");
  const form = useForm(PHOTO_FIELDS);
  const took = (c) => { setState(c); onChange(c); };
  const upload = async (f) => {
    let c = state;
    const files = [...f.photos.files];
    for (const [i, file] of files.entries()) {
      setBusy(`Uploading ${file.name} (${i + 1} of ${files.length})…`);
      const g = await api("POST", orgPath(`/cars/${c.id}/photos`), { content_type: file.type });
      if (!g.ok) { setBusy(""); form.fail(g); return; }
      const body = new FormData();
      for (const [k, v] of Object.entries(g.data.fields)) body.append(k, v);
      body.append("file", file);
      let sent;
      try { sent = await fetch(g.data.url, { method: "POST", body }); } catch { sent = null; }
      if (!sent || !sent.ok) { setBusy(""); form.show("photos", `${file.name} could not be uploaded: try again.`); return; }
      const added = await write("PUT", orgPath(`/cars/${c.id}/photos/${g.data.photo_id}`));
      if (!added.ok) { setBusy(""); form.fail(added); return; }
      c = added.data;
      took(c);
    }
    setBusy("");
    f.photos.value = "";
    form.ok(files.length === 1 ? "Photo added." : `${files.length} photos added.`);
  };
  const cover = async (p) => {
    const order = [p.id, ...state.photos.filter((x) => x.id !== p.id).map((x) => x.id)];
    const r = await write("PUT", orgPath(`/cars/${state.id}/photo-order`), { photo_ids: order, version: state.version });
    if (r.status === 409 && r.data && r.data.current) {  // the car changed meanwhile: show it as it is now
      took(r.data.current);
      say("This car changed meanwhile: its photos are shown as they are now. Choose the cover again.", { error: true });
      return;
    }
    if (!r.ok) { say(r.status === 409 ? "Someone changed this car meanwhile: reload and try again." : pageError(r), { error: true }); return; }
    took(r.data);
    say("Cover photo set: the listing shows it first.");
  };
  const remove = async (p, n) => {
    if (!(await confirmAction({ title: "Remove this photo?", text: `Photo ${n} of ${carName(state)}`, action: "Remove photo" }))) return;
    const r = await write("DELETE", orgPath(`/cars/${state.id}/photos/${p.id}`));
    if (!r.ok) { say(pageError(r), { error: true }); return; }
    took(r.data);
    say("Photo removed.");
  };
  return (
    <section aria-labelledby="photos-title" id="car-photos">
      <h3 id="photos-title">Photos</h3>
      {state.photos.length === 0 ? <p class="muted" id="no-photos">No photos yet.</p> : (
        <ol class="photo-list" aria-label="Photos, the cover first">
          {state.photos.map((p, i) => (
            <li data-photo={p.id}>
              <img src={p.url} alt={`${carName(state)}, photo ${i + 1}`} loading="lazy" />
              <span class="photo-actions">
                {i === 0 ? <Badge kind="cover">Cover</Badge>
                  : <button type="button" class="secondary" onClick={() => cover(p)}
                      aria-label={`Make photo ${i + 1} the cover`}>Make cover</button>}
                <button type="button" class="secondary" onClick={() => remove(p, i + 1)}
                  aria-label={`Remove photo ${i + 1}`}>Remove</button>
              </span>
            </li>
          ))}
        </ol>
      )}
      <Form id="photo-form" form={form} onSubmit={upload} checks={{ photos: (v, f) => checkPhotos(f.photos, state.photos.length) }}>
        <Field type="file" label="Add photos" name="photos" multiple accept={PHOTO_TYPES.join(",")} required
          data-required="Choose one or more photos." hint={`JPEG, PNG or WebP, each at most 10 MB; up to ${MAX_PHOTOS} a car.`} />
        <button type="submit" aria-busy={busy ? "true" : undefined}>Upload photos</button>
        {busy && <p class="muted" id="photo-progress" aria-live="polite">{busy}</p>}
      </Form>
    </section>
  );
}

// ---------------------------------------------------------------- the estimate
const pctChange = (c) => `${Number(c) > 0 ? "+" : ""}${(Number(c) * 100).toFixed(1)} %`;

/** P10–P90 as a bar with P50 marked, and the asking price where it falls. */
function RangeBar({ v, asking }) {
  const lo = Number(v.p10), hi = Number(v.p90), mid = Number(v.p50);
  const a = asking === null ? null : Number(asking);
  const min = Math.min(lo, a ?? lo) * 0.95, max = Math.max(hi, a ?? hi) * 1.05;
  const at = (x) => `${(((x - min) / (max - min)) * 100).toFixed(1)}%`;
  return (
    <div class="range-bar" role="img" aria-label={`Estimate from ${money(v.p10, v.currency)} to ${money(v.p90, v.currency)}, most likely ${money(v.p50, v.currency)}`}>
      <span class="band" style={{ left: at(lo), width: `calc(${at(hi)} - ${at(lo)})` }} />
      <span class="p50" style={{ left: at(mid) }} />
      {a !== null && <span class="asking" style={{ left: at(a) }} title="Asking price" />}
    </div>
  );
}

export function Valuation({ v, asking }) {
  const rows = v.factors.filter((f) => Number(f.effect) !== 0 || Number(f.change) !== 0);
  return (
    <div id="valuation">
      <div class="figures">
        <div class="figure"><span>Low (P10)</span><strong id="p10">{money(v.p10, v.currency)}</strong></div>
        <div class="figure"><span>Estimate (P50)</span><strong id="p50">{money(v.p50, v.currency)}</strong></div>
        <div class="figure"><span>High (P90)</span><strong id="p90">{money(v.p90, v.currency)}</strong></div>
      </div>
      <RangeBar v={v} asking={asking} />
      <p class="muted" id="valuation-model">
        Eight in ten cars like this sell between P10 and P90. Model: {v.model.name === "dealer"
          ? `your own sales (${v.model.own_sales} sales, trained ${v.model.trained_at.slice(0, 10)})`
          : `the starter model (${v.model.source}, ${v.model.rows} cars)`}, version {v.model.version}.
        {v.unused.length > 0 && ` It does not read: ${v.unused.map(words).join(", ")}.`}
      </p>
      <Table id="factors-table" caption="What moves the estimate, from the model's base price" rows={rows}
        empty={<Empty>No factor moves this estimate.</Empty>}
        rowProps={(f) => ({ "data-feature": f.feature })}
        columns={[
          { label: "Factor", class: "primary", cell: (f) => words(f.feature.replace(/^option:/, "")) },
          { label: "Value", cell: (f) => words(f.value) },
          { label: "Effect", class: "num", cell: (f) => <span class={Number(f.effect) < 0 ? "negative" : ""}>{money(f.effect, v.currency)}</span> },
          { label: "Change", class: "num", cell: (f) => pctChange(f.change) },
        ]} />
      <p class="muted">Base price before any factor: {money(v.base, v.currency)}.</p>
    </div>
  );
}

// ---------------------------------------------------------------- a car's page
function SaleForm({ car }) {
  const form = useForm({ price: "price", sold_on: "sold_on" });
  const saleId = useRef(newId()); // one id per sale: a retry after a lost answer records it once
  return (
    <Form id="sale-form" form={form} checks={{ price: moneyCheck }} onSubmit={async (f) => {
      const body = { car_id: car.id, price: f.price.value.trim(), sold_on: f.sold_on.value || undefined };
      const r = await write("PUT", orgPath(`/sales/${saleId.current}`), body);
      if (!r.ok) { form.fail(r); return; }
      saleId.current = newId();
      form.ok(`Sold for ${money(r.data.price, r.data.currency)}.`);
    }}>
      <div class="inline-form">
        <Field label={`Sold price (${car.currency})`} name="price" inputmode="decimal" required init={car.asking_price} />
        <Field label="Sold on" name="sold_on" type="date" init={today()} max={today()} />
        <button type="submit">Record the sale</button>
      </div>
    </Form>
  );
}

const MOVES = { in_stock: [["reserved", "Reserve"]], reserved: [["in_stock", "Release to stock"]], sold: [["delivered", "Mark delivered"]], delivered: [] };

export function CarPage({ params }) {
  const { org } = useDealer();
  const id = params.get("id");
  const [r] = useLoad(async () => (org && id ? api("GET", orgPath(`/cars/${id}`)) : null), [org && org.org_id, id], ["cars"]);
  const [v] = useLoad(async () => (org && id ? api("GET", orgPath(`/cars/${id}/valuation`)) : null), [org && org.org_id, id], ["cars"]);
  const specs = useMemo(() => (r && r.ok ? [
    ["Body", words(r.data.body_type)], ["First registration", r.data.first_registration], ["Mileage", mileage(r.data)],
    ["Fuel", words(r.data.fuel)], ["Gearbox", words(r.data.gearbox)], ["Drive", words(r.data.drive)],
    ["Engine", r.data.engine_litres ? `${r.data.engine_litres} l` : "–"], ["Power", r.data.power_kw ? `${r.data.power_kw} kW` : "–"],
    ["Colour", r.data.colour || "–"], ["Previous owners", r.data.previous_owners ?? "–"], ["Damage", words(r.data.damage)],
    ["Condition", words(r.data.condition)], ["Options", r.data.options.map(words).join(", ") || "none"],
    ["Location", r.data.location || "–"], ["VIN", r.data.vin], ["Public listing", r.data.public ? "shown" : "not shown"],
  ] : []), [r]);
  if (!org) return <DealerBar />;
  if (!r) return <p aria-busy="true">Loading the car…</p>;
  if (!r.ok) return <Empty>{pageError(r)}</Empty>;
  const car = r.data;
  const move = async (status, label) => {
    if (!(await confirmAction({ title: `${label}?`, text: carName(car), action: label, danger: false }))) return;
    const res = await write("POST", orgPath(`/cars/${car.id}/status`), { status, version: car.version });
    say(res.ok ? `${carName(car)}: ${words(res.data.status).toLowerCase()}.` : pageError(res), { error: !res.ok });
  };
  return (
    <>
      <section aria-labelledby="car-title" id="car-detail" data-id={car.id}>
        <div class="section-head">
          <h2 id="car-title">{carName(car)}</h2>
          <Badge kind={car.status}>{words(car.status)}</Badge>
        </div>
        <p><strong id="asking">{money(car.asking_price, car.currency)}</strong> asking
          {car.sold_price && <> · sold for <strong id="sold-price">{money(car.sold_price, car.currency)}</strong> on {car.sold_on}</>}</p>
        {car.photos.length > 0 && <div class="photos">{car.photos.map((p, i) => <img src={p.url} alt={`${carName(car)}, photo ${i + 1}`} loading="lazy" />)}</div>}
        <dl class="specs">{specs.map(([k, val]) => <><dt>{k}</dt><dd>{val}</dd></>)}</dl>
        {isManager() && (
          <div class="actions">
            <a role="button" class="secondary" href={`#/cars/edit?id=${car.id}`}>Edit</a>
            {MOVES[car.status].map(([s, label]) => <button type="button" class="secondary" onClick={() => move(s, label)}>{label}</button>)}
          </div>
        )}
      </section>
      <section aria-labelledby="valuation-title">
        <h2 id="valuation-title">Estimate</h2>
        {!v ? <p aria-busy="true">Valuing…</p> : !v.ok ? <Empty>{pageError(v)}</Empty>
          : <Valuation v={v.data} asking={v.data.currency === car.currency ? car.asking_price : null} />}
      </section>
      {isManager() && ["in_stock", "reserved"].includes(car.status) && (
        <section aria-labelledby="sale-title">
          <h2 id="sale-title">Sell</h2>
          <SaleForm car={car} />
        </section>
      )}
    </>
  );
}
