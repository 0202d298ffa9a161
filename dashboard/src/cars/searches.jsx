// Saved searches (signed-in customers): the listing's filters saved with a name (PUT /me/car-searches/{id},
// make required: searches are matched by make), one email when a matching car arrives or drops in price;
// the list of one's searches, each opened in the listing or deleted (DELETE, asked first).
import { useRef } from "preact/hooks";
import { api } from "../core/api.js";
import { pageError } from "../core/errors.js";
import { useProfile } from "../core/state.js";
import { confirmAction, Empty, Field, Form, say, Table, useForm, useLoad } from "../core/ui.jsx";
import { newId, words } from "./context.js";
import { modelName } from "./trends.jsx";

const NUMBERS = ["year_min", "year_max", "mileage_max"];
const SEARCH_FIELDS = ["make", "model", "price_min", "price_max", "year_min", "year_max", "mileage_max", "fuel", "body_type", "location"];

/** The listing's filters as the API takes a search: whole numbers as numbers, the rest as typed. */
export function searchBody(name, f) {
  const body = { name };
  for (const k of SEARCH_FIELDS) {
    if (!f[k]) continue;
    body[k] = NUMBERS.includes(k) && /^\d+$/.test(f[k]) ? Number(f[k]) : f[k];
  }
  return body;
}

/** The listing's link of a saved search. */
export function searchLink(s) {
  const q = new URLSearchParams();
  for (const k of SEARCH_FIELDS) if (s[k] !== null && s[k] !== undefined && s[k] !== "") q.set(k, String(s[k]));
  return `#/listing?${q}`;
}

/** What a saved search looks for, in words. */
export function searchText(s) {
  const parts = [modelName(s.model ? `${s.make}/${s.model}` : s.make)];
  if (s.price_min || s.price_max) parts.push(`price ${s.price_min || "…"}–${s.price_max || "…"}`);
  if (s.year_min || s.year_max) parts.push(`year ${s.year_min || "…"}–${s.year_max || "…"}`);
  if (s.mileage_max) parts.push(`up to ${s.mileage_max} mileage`);
  if (s.fuel) parts.push(words(s.fuel));
  if (s.body_type) parts.push(words(s.body_type));
  if (s.location) parts.push(`in ${s.location}`);
  return parts.join(", ");
}

/** Under the listing's filters: save them (signed in, a make chosen). */
export function SaveSearch({ f }) {
  const profile = useProfile();
  const form = useForm({ make: "search_name", model: "search_name", price_min: "search_name", price_max: "search_name",
    year_min: "search_name", year_max: "search_name", mileage_max: "search_name", location: "search_name", name: "search_name" });
  const id = useRef(newId()); // kept until saved: a retry never saves it twice
  if (!profile) return <p class="muted" id="save-search-hint">Sign in to save this search and be emailed when a matching car arrives or drops in price.</p>;
  if (!f.make) return <p class="muted" id="save-search-hint">Choose a make to save this search.</p>;
  return (
    <Form id="save-search" form={form} class="save-search" onSubmit={async (el) => {
      const r = await api("PUT", `/me/car-searches/${id.current}`, searchBody(el.search_name.value.trim(), f));
      if (!r.ok) { form.fail(r); return; }
      id.current = newId();
      el.search_name.value = "";
      form.ok(`Search saved (${searchText(r.data)}): we email you when a matching car arrives or drops in price.`);
    }} checks={{ search_name: (v) => (/[<>]/.test(v) ? "Write the name without < or >." : null) }}>
      <Field label="Name this search (optional)" name="search_name" maxlength="60" />
      <button type="submit" class="secondary">Save this search</button>
      <a href="#/listing/searches">Your saved searches</a>
    </Form>
  );
}

export function SavedSearchesPage() {
  const [r, reload] = useLoad(() => api("GET", "/me/car-searches"), []);
  if (!r) return <p aria-busy="true">Loading your searches…</p>;
  if (!r.ok) return <Empty>{pageError(r)}</Empty>;
  const remove = async (s) => {
    if (!(await confirmAction({ title: "Delete this saved search?", text: s.name || searchText(s), action: "Delete search" }))) return;
    const d = await api("DELETE", `/me/car-searches/${s.id}`);
    say(d.ok ? "Search deleted: no more emails from it." : pageError(d), { error: !d.ok });
    if (d.ok) reload();
  };
  return (
    <section aria-labelledby="searches-title">
      <div class="section-head">
        <h2 id="searches-title">Saved searches</h2>
        <a href="#/listing">Cars for sale</a>
      </div>
      <p class="muted">One email for each car that arrives matching a search, or drops in price.</p>
      <Table id="searches-table" caption="Your saved searches" hideCaption rows={r.data.items}
        empty={<Empty href="#/listing" action="Choose filters in the listing and save them.">No saved searches yet.</Empty>}
        rowProps={(s) => ({ "data-id": s.id })}
        columns={[
          { label: "Search", class: "primary", cell: (s) => <a href={searchLink(s)}>{s.name || searchText(s)}</a> },
          { label: "Looks for", cell: (s) => searchText(s) },
          { label: "Saved", cell: (s) => s.created_at.slice(0, 10) },
          { label: "", cell: (s) => <button type="button" class="secondary" onClick={() => remove(s)}
            aria-label={`Delete the search ${s.name || searchText(s)}`}>Delete</button> },
        ]} />
    </section>
  );
}
