// The public listing (no sign-in): the precomputed documents the cars stream publishes under public/cars/,
// fetched as the CDN serves them (docs/cars.md "Public listing"), filtered and sorted here with the same
// rules as chalicelib/cars/rules/listing.py (`matches`, `sort_cards`), in pages of 12.
import { useEffect, useRef, useState } from "preact/hooks";
import { money } from "../core/format.js";
import { go } from "../core/router.js";
import { Empty } from "../core/ui.jsx";
import { BODY_TYPES, FUELS, carName, keyOf, listingDoc, mileage, words } from "./context.js";
import { SaveSearch } from "./searches.jsx";

export const PER_PAGE = 12;
const FILTERS = ["make", "model", "price_min", "price_max", "year_min", "year_max", "mileage_max", "fuel", "body_type", "location"];
export const SORTS = [["newest", "Newest first"], ["price_asc", "Price, lowest first"], ["price_desc", "Price, highest first"],
  ["year_desc", "Year, newest first"], ["mileage_asc", "Mileage, lowest first"]];

/** The filters of the hash's query (empty ones left out). */
export function filtersOf(params) {
  const f = {};
  for (const k of FILTERS) { const v = (params.get(k) || "").trim(); if (v) f[k] = v; }
  return f;
}

/** Whether a card passes every filter (rules.listing.matches). */
export function matches(c, f) {
  const price = Number(c.price);
  return (!f.make || keyOf(f.make) === c.make_key) && (!f.model || keyOf(f.model) === c.model_key)
    && (!f.price_min || price >= Number(f.price_min)) && (!f.price_max || price <= Number(f.price_max))
    && (!f.year_min || c.year >= Number(f.year_min)) && (!f.year_max || c.year <= Number(f.year_max))
    && (!f.mileage_max || c.mileage <= Number(f.mileage_max)) && (!f.fuel || c.fuel === f.fuel)
    && (!f.body_type || c.body_type === f.body_type) && (!f.location || keyOf(c.location || "").includes(keyOf(f.location)));
}

const SORT_KEYS = {
  newest: (a, b) => (a.listed_at < b.listed_at ? 1 : a.listed_at > b.listed_at ? -1 : 0),
  price_asc: (a, b) => Number(a.price) - Number(b.price),
  price_desc: (a, b) => Number(b.price) - Number(a.price),
  year_desc: (a, b) => b.year - a.year,
  mileage_asc: (a, b) => a.mileage - b.mileage,
};
export function sortCards(cards, sort) {
  const by = SORT_KEYS[sort] || SORT_KEYS.newest;
  return [...cards].sort((a, b) => by(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Whether a page's summary [count, price lo, hi, year lo, hi, mileage lo, hi] can hold a match. */
function pageCanMatch(s, f) {
  if (!s || !s[0]) return false;
  return !((f.price_min && Number(s[2]) < Number(f.price_min)) || (f.price_max && Number(s[1]) > Number(f.price_max))
    || (f.year_min && s[4] < Number(f.year_min)) || (f.year_max && s[3] > Number(f.year_max))
    || (f.mileage_max && s[5] > Number(f.mileage_max)));
}

/** The documents that can hold the filters' cars, in the order to fetch them. */
async function candidatePages(index, f, sort) {
  let paths;
  if (!f.make) {
    const n = Math.ceil(Math.min(index.total, index.page_size * index.latest_pages) / index.page_size);
    paths = Array.from({ length: n }, (_, i) => `latest/${i + 1}.json`);
  } else {
    const mk = keyOf(f.make);
    const make = index.makes[mk];
    if (!make) return [];
    const mdl = f.model ? keyOf(f.model) : null;
    if (mdl && !make.models[mdl]) return [];
    const count = mdl ? make.models[mdl].pages : make.pages;
    const base = mdl ? `make/${mk}/${mdl}` : `make/${mk}`;
    let numbers = Array.from({ length: count }, (_, i) => i + 1);
    if (f.price_min || f.price_max || f.year_min || f.year_max || f.mileage_max) {
      const ranges = await listingDoc(`make/${mk}/ranges.json`); // skip the pages that cannot match
      const summaries = ranges ? (mdl ? ranges.models[mdl] : ranges.pages) : null;
      if (summaries) numbers = numbers.filter((n) => pageCanMatch(summaries[n - 1], f));
    }
    if (sort === "price_desc") numbers.reverse(); // a make's pages are in price order
    paths = numbers.map((n) => `${base}/${n}.json`);
  }
  return paths;
}

function useListing(params) {
  const [state, setState] = useState({ loading: true });
  const cache = useRef({ key: null, cards: [], paths: [], next: 0, index: null });
  const f = filtersOf(params);
  const sort = params.get("sort") || "newest";
  const page = Math.max(1, Number(params.get("page")) || 1);
  const key = JSON.stringify([f, sort]);
  useEffect(() => {
    let live = true;
    (async () => {
      setState((s) => ({ ...s, loading: true }));
      const c = cache.current;
      if (!c.index) c.index = await listingDoc("index.json");
      if (!c.index) { if (live) setState({ loading: false, index: null }); return; }
      if (c.key !== key) Object.assign(c, { key, cards: [], paths: await candidatePages(c.index, f, sort), next: 0 });
      // fetch pages in order until this page and one more card are known (or none is left)
      const want = page * PER_PAGE + 1;
      while (c.next < c.paths.length && c.cards.filter((x) => matches(x, f)).length < want) {
        const doc = await listingDoc(c.paths[c.next]);
        c.next++;
        if (doc) c.cards.push(...doc.cards);
      }
      const found = sortCards(c.cards.filter((x) => matches(x, f)), sort);
      if (live) setState({ loading: false, index: c.index, found, more: c.next < c.paths.length, page, f, sort });
    })();
    return () => { live = false; };
  }, [key, page]);
  return state;
}

function CarCard({ c }) {
  return (
    <li class="car-card" data-id={c.id}>
      <a href={`#/listing/car?id=${c.id}`} class="car-link">
        {c.photos.length > 0 ? <img src={c.photos[0]} alt="" loading="lazy" /> : <span class="no-photo" aria-hidden="true">No photo</span>}
        <span class="what">
          <strong class="name">{carName(c)}</strong>
          <span class="price">{money(c.price, c.currency)}</span>
          <span class="muted">{c.year} · {mileage(c)} · {words(c.fuel)} · {words(c.body_type)}</span>
          <span class="muted">{c.dealer}{c.location ? `, ${c.location}` : ""}{c.status === "reserved" ? " · reserved" : ""}</span>
        </span>
      </a>
    </li>
  );
}

function FilterForm({ index, f, sort }) {
  const [make, setMake] = useState(f.make ? keyOf(f.make) : "");
  const models = make && index.makes[make] ? index.makes[make].models : {};
  const submit = (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    const form = e.currentTarget;
    for (const k of FILTERS) { const v = (form[k].value || "").trim(); if (v) q.set(k, v); }
    if (form.sort.value !== "newest") q.set("sort", form.sort.value);
    go(`/listing?${q}`);
  };
  const input = (name, label, extra = {}) => (
    <div class="field"><label for={`f-${name}`}>{label}</label>
      <input id={`f-${name}`} name={name} defaultValue={f[name] || ""} inputmode="numeric" {...extra} /></div>
  );
  return (
    <form id="listing-filters" class="listing-filters" onSubmit={submit} aria-label="Filters">
      <div class="field"><label for="f-make">Make</label>
        <select id="f-make" name="make" value={make} onChange={(e) => setMake(e.target.value)}>
          <option value="">Any make</option>
          {Object.entries(index.makes).map(([k, m]) => <option value={k}>{m.name} ({m.count})</option>)}
        </select></div>
      <div class="field"><label for="f-model">Model</label>
        <select id="f-model" name="model" key={make} defaultValue={f.model ? keyOf(f.model) : ""} disabled={!make}>
          <option value="">Any model</option>
          {Object.entries(models).map(([k, m]) => <option value={k}>{m.name} ({m.count})</option>)}
        </select></div>
      {input("price_min", "Price from")}
      {input("price_max", "Price to")}
      {input("year_min", "Year from")}
      {input("year_max", "Year to")}
      {input("mileage_max", "Mileage up to")}
      <div class="field"><label for="f-fuel">Fuel</label>
        <select id="f-fuel" name="fuel" defaultValue={f.fuel || ""}><option value="">Any fuel</option>
          {FUELS.map((x) => <option value={x}>{words(x)}</option>)}</select></div>
      <div class="field"><label for="f-body">Body</label>
        <select id="f-body" name="body_type" defaultValue={f.body_type || ""}><option value="">Any body</option>
          {BODY_TYPES.map((x) => <option value={x}>{words(x)}</option>)}</select></div>
      <div class="field"><label for="f-location">Location</label>
        <input id="f-location" name="location" defaultValue={f.location || ""} /></div>
      <div class="field"><label for="f-sort">Sort</label>
        <select id="f-sort" name="sort" defaultValue={sort}>{SORTS.map(([k, label]) => <option value={k}>{label}</option>)}</select></div>
      <div class="field"><button type="submit">Show cars</button></div>
    </form>
  );
}

export function ListingPage({ params }) {
  const s = useListing(params);
  if (s.loading && !s.found) return <p aria-busy="true">Loading the cars…</p>;
  if (!s.index) return <Empty>No cars are listed yet.</Empty>;
  const from = (s.page - 1) * PER_PAGE;
  const shown = s.found.slice(from, from + PER_PAGE);
  const hasNext = s.found.length > from + PER_PAGE || (s.more && shown.length === PER_PAGE);
  const pageLink = (n) => { const q = new URLSearchParams(params); q.set("page", String(n)); return `#/listing?${q}`; };
  return (
    <div id="listing" data-page-number={s.page}>
      <FilterForm key={JSON.stringify([s.f, s.sort])} index={s.index} f={s.f} sort={s.sort} />
      <SaveSearch key={JSON.stringify(s.f)} f={s.f} />
      <p id="listing-count" class="muted" aria-live="polite">
        {s.found.length === 0 ? "No car matches these filters." : `Cars ${from + 1}–${from + shown.length}${hasNext ? "" : ` of ${s.found.length}`}`}
        {s.loading ? " (loading…)" : ""}</p>
      <ul id="listing-results" class="car-grid">{shown.map((c) => <CarCard c={c} />)}</ul>
      <nav class="pager" aria-label="Pages">
        {s.page > 1 && <a href={pageLink(s.page - 1)} id="prev-page">Previous</a>}
        <span>Page {s.page}</span>
        {hasNext && <a href={pageLink(s.page + 1)} id="next-page">Next</a>}
      </nav>
    </div>
  );
}
