// What the cars pages share: the dealer (organisation) worked in, writes that reload the pages and follow
// the cars chart, the public side's requests (no sign-in: the listing's static documents as the CDN serves
// them, and the dealers' public routes), and how a car's fields read.
import { useEffect, useState } from "preact/hooks";
import { api, apiUrl } from "../core/api.js";
import { emit, on } from "../core/bus.js";
import { followCharts } from "../core/follow.js";
import { useTopic } from "../core/ui.jsx";

const ORG_KEY = "tally.org"; // shared with the inventory and help desk pages: one organisation at a time
export const MANAGERS = ["owner", "manager"];
let state = { orgs: null, org: null };

export const orgPath = (p = "") => `/orgs/${state.org.org_id}${p}`;
export const isManager = () => Boolean(state.org && MANAGERS.includes(state.org.role));

export async function loadDealer(select) {
  const r = await api("GET", "/orgs");
  const orgs = r.ok ? r.data.items : [];
  const wanted = select || (state.org && state.org.org_id) || sessionStorage.getItem(ORG_KEY);
  const org = orgs.find((o) => o.org_id === wanted) || orgs[0] || null;
  state = { orgs, org };
  if (org) sessionStorage.setItem(ORG_KEY, org.org_id);
  emit("cars-org", state);
  return state;
}

/** The dealer state; loaded the first time a page needs it. */
export function useDealer() {
  const [s, set] = useState(state);
  useTopic("cars-org", (x) => set({ ...x }));
  useEffect(() => { if (!state.orgs) loadDealer(); }, []);
  return s;
}

on("signed-out", () => { state = { orgs: null, org: null }; });

// Writes: the cars pages reload ("cars" topic) and the chart JSON is polled until it includes the write.
const follower = followCharts({
  scope: "cars", chartPath: () => orgPath("/car-insights"), ready: () => Boolean(state.org),
  caughtUp: async (doc) => { emit("cars-chart", doc); return true; },
});
export const write = (method, path, body) => follower.write(method, path, body,
  (d) => d && (d.updated_at || d.recorded_at || d.created_at));

// ---------------------------------------------------------------- the public side (no sign-in)
/** A public API call (no token): {status, ok, data, offline}. */
export async function publicApi(method, path, body) {
  let res;
  try {
    res = await fetch(apiUrl() + path, { method, headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    return { status: 0, ok: false, offline: true, data: null };
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  return { status: res.status, ok: res.ok, data };
}

/** A listing document (index, page, ranges, a car's page) as the CDN serves it, or null when there is none. */
export async function listingDoc(path) {
  try {
    const res = await fetch(`public/cars/${path}`);
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

export const newId = () => (crypto.randomUUID ? crypto.randomUUID()
  : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
    (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16)));

// ---------------------------------------------------------------- how a car reads (the API's vocabularies)
export const BODY_TYPES = ["sedan", "hatchback", "wagon", "coupe", "convertible", "suv", "pickup", "van", "minivan"];
export const FUELS = ["petrol", "diesel", "hybrid", "plug_in_hybrid", "electric", "lpg", "cng"];
export const GEARBOXES = ["manual", "automatic"];
export const DRIVES = ["fwd", "rwd", "awd", "4wd"];
export const CONDITIONS = ["excellent", "good", "fair", "poor"];
export const DAMAGE = ["none", "repaired", "unrepaired"];
export const OPTIONS = ["leather", "premium_sound", "cruise_control", "navigation", "sunroof", "heated_seats",
  "parking_sensors", "rear_camera", "tow_bar", "alloy_wheels"];
const WORDS = { suv: "SUV", fwd: "Front-wheel drive", rwd: "Rear-wheel drive", awd: "All-wheel drive", "4wd": "Four-wheel drive",
  plug_in_hybrid: "Plug-in hybrid", lpg: "LPG", cng: "CNG", in_stock: "In stock", unrepaired: "Unrepaired damage",
  repaired: "Repaired damage", test_drive: "Test drive", km: "km", mi: "mi" };
/** A vocabulary value as words: "plug_in_hybrid" → "Plug-in hybrid", "premium_sound" → "Premium sound". */
export function words(v) {
  if (v === null || v === undefined || v === "") return "–";
  if (WORDS[v]) return WORDS[v];
  const s = String(v).replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}
export const carName = (c) => `${String(c.first_registration || c.year || "").slice(0, 4)} ${c.make} ${c.model}${c.trim ? ` ${c.trim}` : ""}`;
export const mileage = (c) => `${new Intl.NumberFormat(navigator.language || "en").format(c.mileage)} ${c.mileage_unit || "km"}`;
/** A make/model key (the listing's and the chart's): lower case, runs of anything else as one "-". */
export const keyOf = (name) => String(name || "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "-";
