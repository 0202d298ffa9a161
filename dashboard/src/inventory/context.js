// What the inventory pages share: the organisations the person belongs to (and the one chosen), its
// catalogue (ids → names), writes that the charts follow, and chart polling.
import { useEffect, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { followCharts } from "../core/follow.js";
import { emit, on } from "../core/bus.js";
import { useTopic } from "../core/ui.jsx";

const ORG_KEY = "tally.org";
export const MANAGERS = ["owner", "manager"];
let state = { orgs: null, invitations: [], org: null };
let names = { product: {}, location: {}, supplier: {}, customer: {} };

export const currentOrg = () => state.org;
export const orgPath = (p = "") => `/orgs/${state.org.org_id}${p}`;
export const isManager = () => Boolean(state.org && MANAGERS.includes(state.org.role));
export const isOwner = () => Boolean(state.org && state.org.role === "owner");

export async function loadOrgs(select) {
  const [mine, invites] = await Promise.all([api("GET", "/orgs"), api("GET", "/invitations")]);
  const orgs = mine.ok ? mine.data.items : [];
  const wanted = select || (state.org && state.org.org_id) || sessionStorage.getItem(ORG_KEY);
  const org = orgs.find((o) => o.org_id === wanted) || orgs[0] || null;
  state = { orgs, invitations: invites.ok ? invites.data.items : [], org };
  if (org) sessionStorage.setItem(ORG_KEY, org.org_id);
  document.body.dataset.role = org ? org.role : "";
  if (org) await loadCatalogue(); else names = { product: {}, location: {}, supplier: {}, customer: {} };
  emit("org", state);
  return state;
}

/** The organisation state; loads it the first time a page needs it. */
export function useOrg() {
  const [s, set] = useState(state);
  useTopic("org", (x) => set({ ...x }));
  useEffect(() => { if (!state.orgs) loadOrgs(); }, []);
  return s;
}

on("signed-out", () => { state = { orgs: null, invitations: [], org: null }; });
on("profile", (p) => { if (!p) state = { orgs: null, invitations: [], org: null }; });

// ---------------------------------------------------------------- catalogue
export async function loadCatalogue() {
  if (!state.org) return names;
  const [products, locations, suppliers, customers] = await Promise.all(
    ["products", "locations", "suppliers", "customers"].map((k) => api("GET", orgPath(`/${k}`))));
  const items = (r) => (r.ok ? r.data.items : []);
  names = { product: {}, location: {}, supplier: {}, customer: {} };
  for (const p of items(products)) names.product[p.id] = p;
  for (const l of items(locations)) names.location[l.id] = l;
  for (const x of items(suppliers)) names.supplier[x.id] = x;
  for (const c of items(customers)) names.customer[c.id] = c;
  emit("catalogue", names);
  return names;
}

export function useCatalogue() {
  const [n, set] = useState(names);
  useTopic("catalogue", (x) => set({ ...x }));
  return n;
}

export const catalogue = () => names;
export const productName = (id) => (names.product[id] ? names.product[id].name : "a removed product");
export const locationName = (id) => (names.location[id] ? names.location[id].name : "a removed location");
export const supplierName = (id) => (names.supplier[id] ? names.supplier[id].name : "a supplier");
export const customerName = (id) => (names.customer[id] ? names.customer[id].name : "a customer");
/** The organisation's currency: its products' (the stock value and charts are in it). */
export const orgCurrency = () => (Object.values(names.product)[0] || {}).currency || "USD";

// ---------------------------------------------------------------- writes and chart polling
// The stream updates the charts a moment after a write: poll until they include it (about 15 s).
const charts = followCharts({
  scope: "inventory",
  chartPath: () => orgPath("/insights/inventory"),
  ready: () => Boolean(state.org),
  caughtUp: async (chart) => {
    emit("inventory-charts", chart);
    return true;
  },
});
export const write = charts.write;
