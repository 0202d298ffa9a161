// The shop's settings (staff): open the shop or change it: its public handle and name, currency, its
// categories (add, rename, remove; a new one's slug follows its name until edited), the pickup stores
// and the delivery location among the organisation's locations, how long an unpaid order keeps its
// stock, delivery and return days, the time zone; the storefront's public link and, for owners and
// managers, the payment webhook's secret. Staff who are not managers see it read-only.
import { useEffect, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { emit } from "../core/bus.js";
import { CURRENCIES, browserCurrency, browserTimeZone, timeZones } from "../core/choices.js";
import { human, pageError } from "../core/errors.js";
import { Empty, Field, Form, say, useForm, useLoad } from "../core/ui.jsx";
import { isManager, orgPath, useOrg } from "../inventory/context.js";
import { WithOrg } from "../inventory/org.jsx";
import { plain } from "./storefront-data.js";

const HANDLE = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,39}$/;
const WHOLE = /^\d+$/;

/** A category's slug from its name: lower case, accents dropped, words joined by hyphens. */
export function slugify(name) {
  return plain(name)
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+/, "").slice(0, 40).replace(/-+$/, "");
}

const storefrontLink = (handle) => `storefront.html#/s/${handle}`;
let nextKey = 0;

function ShopForm({ shop, locations, readOnly, onSaved, onStale }) {
  const creating = !shop;
  const [cats, setCats] = useState(() => (shop ? shop.categories : []).map((c) => ({ ...c, original: c.slug, key: ++nextKey, fresh: false })));
  const [groupError, setGroupError] = useState({});
  const [pickup, setPickup] = useState(() => new Set(shop ? shop.pickup_location_ids : []));
  // every category control is a field of its own: the API's `categories.<i>.slug` lands under it
  const fields = {};
  cats.forEach((_, i) => { fields[`categories.${i}.slug`] = `categories.${i}.slug`; fields[`categories.${i}.name`] = `categories.${i}.name`; });
  const form = useForm(fields);
  const groupFail = (name, message) => { setGroupError({ [name]: message }); say(""); };
  const stores = locations.filter((l) => l.kind === "store");
  const others = locations.filter((l) => l.kind !== "store");

  const setCat = (i, change) => {
    setCats((list) => list.map((c, j) => {
      if (j !== i) return c;
      const next = { ...c, ...change };
      if (change.name !== undefined && c.fresh && !c.slugEdited) next.slug = slugify(change.name);
      return next;
    }));
    setGroupError({});
  };
  const addCat = () => {
    setCats((list) => [...list, { key: ++nextKey, slug: "", name: "", fresh: true, slugEdited: false }]);
    setGroupError({});
    setTimeout(() => {
      const inputs = form.ref.current && form.ref.current.querySelectorAll(".category-row input[data-part=name]");
      if (inputs && inputs.length) inputs[inputs.length - 1].focus();
    }, 0);
  };
  const removeCat = (i) => { setCats((list) => list.filter((_, j) => j !== i)); setGroupError({}); };

  const checks = {
    handle: (v) => (HANDLE.test(v) ? null : "3 to 40 lower-case letters, digits and hyphens, not starting or ending with a hyphen."),
    reservation_minutes: (v) => (WHOLE.test(v) && Number(v) >= 5 && Number(v) <= 1440 ? null : "A whole number of minutes from 5 to 1440."),
    delivery_days: (v) => (WHOLE.test(v) && Number(v) <= 60 ? null : "A whole number of days from 0 to 60."),
    return_days: (v) => (WHOLE.test(v) && Number(v) <= 365 ? null : "A whole number of days from 0 (no returns) to 365."),
  };
  cats.forEach((c, i) => {
    checks[`categories.${i}.slug`] = (v) => {
      if (!SLUG.test(v)) return "Lower-case letters, digits and hyphens, starting with a letter or digit.";
      return cats.findIndex((o) => o.slug === v) !== i ? "Another category has this slug." : null;
    };
  });

  const submit = async (f) => {
    setGroupError({});
    const body = {
      handle: f.handle.value.trim(), name: f.name.value.trim(), currency: f.currency.value,
      categories: cats.map((c, i) => ({ slug: f[`categories.${i}.slug`].value.trim(), name: f[`categories.${i}.name`].value.trim() })),
      pickup_location_ids: locations.filter((l) => pickup.has(l.id)).map((l) => l.id),
      delivery_location_id: f.delivery_location_id.value || null,
      reservation_minutes: Number(f.reservation_minutes.value), delivery_days: Number(f.delivery_days.value),
      return_days: Number(f.return_days.value), time_zone: f.time_zone.value.trim(),
    };
    if (shop) body.version = shop.version;
    const r = await api("PUT", orgPath("/shop"), body);
    if (r.ok) {
      form.ok(creating ? `Shop “${r.data.name}” opened.` : "Shop settings saved.");
      onSaved(r.data);
      return;
    }
    const e = (r.data && r.data.error) || {};
    const field = e.field || "";
    if (r.status === 409 && field === "version") { onStale(); return; }
    if (field === "categories" || field.startsWith("pickup_location_ids")) {
      groupFail(field.startsWith("pickup") ? "pickup_location_ids" : "categories", human(e.message, field));
      return;
    }
    if (/^categories\.\d+$/.test(field)) { groupFail("categories", human(e.message, field)); return; }
    form.fail(r);
  };

  const zones = timeZones(shop ? shop.time_zone : browserTimeZone());
  return (
    <Form form={form} onSubmit={submit} checks={checks} id="shop-form" aria-label={creating ? "Open the shop" : "Shop settings"}>
      <fieldset disabled={readOnly} class="plain">
        <div class="shop-grid">
          <Field label="Name" name="name" required maxLength={120} init={shop ? shop.name : ""} placeholder="Corner Goods"
            data-required="Give the shop a name." />
          <Field label="Handle (in the storefront's address)" name="handle" required maxLength={40} init={shop ? shop.handle : ""}
            placeholder="corner-goods" autoCapitalize="none" spellcheck={false} data-required="Choose a handle, e.g. corner-goods."
            hint="Lower-case letters, digits and hyphens; unique among all shops." />
          <Field label="Currency" name="currency" as="select" init={shop ? shop.currency : browserCurrency()}>
            {CURRENCIES.map((c) => <option value={c}>{c}</option>)}
          </Field>
          <Field label="Time zone" name="time_zone" as="select" init={shop ? shop.time_zone : browserTimeZone()}
            hint="Promotions start and end in it.">
            {zones.map((z) => <option value={z}>{z}</option>)}
          </Field>
        </div>

        <fieldset id="shop-categories" aria-describedby="categories-error">
          <legend>Categories</legend>
          {!cats.length && <p class="muted">No categories yet: products can still be listed without one.</p>}
          <ul class="category-list">
            {cats.map((c, i) => (
              <li class="category-row" key={c.key} data-slug={c.slug}>
                <Field label={`Category ${i + 1} name`} name={`categories.${i}.name`} value={c.name} required maxLength={80}
                  data-part="name" data-required="Name the category, or remove it."
                  onInput={(e) => setCat(i, { name: e.currentTarget.value })} />
                <Field label={`Category ${i + 1} slug`} name={`categories.${i}.slug`} value={c.slug} required maxLength={40}
                  autoCapitalize="none" spellcheck={false} data-required="A slug, e.g. kitchen."
                  hint={!c.fresh && c.slug !== c.original ? "Its listed products keep the old slug: they lose their category." : undefined}
                  onInput={(e) => setCat(i, { slug: e.currentTarget.value, slugEdited: true })} />
                {!readOnly && (
                  <button type="button" class="secondary outline small remove-category" onClick={() => removeCat(i)}>
                    Remove {c.name || `category ${i + 1}`}</button>
                )}
              </li>
            ))}
          </ul>
          <small id="categories-error" class="field-error" aria-live="assertive">{groupError.categories || ""}</small>
          {!readOnly && <button type="button" class="secondary small" id="add-category" onClick={addCat}>Add a category</button>}
        </fieldset>

        <fieldset id="shop-pickup" aria-describedby="pickup-error">
          <legend>Pickup stores</legend>
          {!locations.length && <Empty href="#/inventory/catalogue" action="Add a location">The organisation has no locations yet.</Empty>}
          <div class="check-grid">
            {[...stores, ...others].map((l) => (
              <label class="check">
                <input type="checkbox" name="pickup" value={l.id} checked={pickup.has(l.id)}
                  onChange={(e) => {
                    const next = new Set(pickup);
                    if (e.currentTarget.checked) next.add(l.id); else next.delete(l.id);
                    setPickup(next);
                    setGroupError({});
                  }} />
                {l.name}{l.kind !== "store" ? ` (${l.kind})` : ""}
              </label>
            ))}
          </div>
          <small id="pickup-error" class="field-error" aria-live="assertive">{groupError.pickup_location_ids || ""}</small>
        </fieldset>

        <div class="shop-grid">
          <Field label="Delivery from" name="delivery_location_id" as="select" init={shop ? shop.delivery_location_id || "" : ""}>
            <option value="">No delivery</option>
            {locations.map((l) => <option value={l.id}>{l.name}</option>)}
          </Field>
          <Field label="Delivery days" name="delivery_days" inputMode="numeric" required init={shop ? String(shop.delivery_days) : "2"} />
          <Field label="Unpaid orders keep stock for (minutes)" name="reservation_minutes" inputMode="numeric" required
            init={shop ? String(shop.reservation_minutes) : "30"} />
          <Field label="Return days (0: no returns)" name="return_days" inputMode="numeric" required
            init={shop ? String(shop.return_days) : "30"} />
        </div>
      </fieldset>
      {!readOnly && <button type="submit" id="save-shop">{creating ? "Open the shop" : "Save settings"}</button>}
    </Form>
  );
}

function ShopSettings() {
  const { org } = useOrg();
  const manager = isManager();
  const [stale, setStale] = useState(false);
  const [data, reload] = useLoad(async () => {
    const [s, l] = await Promise.all([api("GET", orgPath("/shop")), api("GET", orgPath("/locations"))]);
    return { shop: s.ok ? s.data : null, missing: s.status === 404, failed: !s.ok && s.status !== 404 ? s : null,
      locations: l.ok ? l.data.items : [] };
  }, [org.org_id], ["shop"]);
  useEffect(() => { // the notice sits above the form: bring it into view once the shop is read again
    const notice = stale && document.getElementById("shop-stale");
    if (notice) { notice.scrollIntoView({ block: "start" }); notice.focus(); }
  }, [stale, data]);
  if (!data) return <p aria-busy="true">Loading…</p>;
  if (data.failed) return <p class="notice over">{pageError(data.failed)}</p>;
  const { shop } = data;
  if (!shop && !manager) return <Empty>This organisation has no shop yet: an owner or a manager opens it here.</Empty>;
  return (
    <>
      {stale && (
        <p class="notice" id="shop-stale" role="alert" tabIndex={-1}>Someone changed the shop while you were editing: the form now
          shows their settings. Make your change again.</p>
      )}
      {shop ? (
        <section aria-labelledby="shop-public">
          <h2 id="shop-public">{shop.name}</h2>
          <p>Storefront: <a id="storefront-link" class="wrap-anywhere" href={storefrontLink(shop.handle)} target="_blank"
            rel="noopener">{storefrontLink(shop.handle)}</a> <span class="muted">(opens in a new tab)</span></p>
          {shop.payment_secret && (
            <p>Payment webhook secret (the HMAC key your payment provider signs with):{" "}
              <code id="payment-secret" class="wrap-anywhere">{shop.payment_secret}</code></p>
          )}
          {!manager && <p class="muted" id="read-only">Only owners and managers change these settings.</p>}
        </section>
      ) : (
        <p id="no-shop">This organisation has no shop yet: choose its handle and name to open it.</p>
      )}
      <section aria-label={shop ? "Settings" : "Open the shop"}>
        <ShopForm key={`${org.org_id}-${shop ? shop.version : 0}`} shop={shop} locations={data.locations} readOnly={!manager}
          onSaved={() => { setStale(false); emit("shop"); }}
          onStale={() => { setStale(true); say("The shop changed since you opened it: reloaded.", { error: true }); reload(); }} />
      </section>
    </>
  );
}

export function ShopSettingsPage() {
  return <WithOrg><ShopSettings /></WithOrg>;
}
