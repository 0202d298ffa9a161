// What the expense pages share: the month being looked at, categories (slug → the name people see),
// writes that the charts follow (polling until the stream has caught up), the offline queue and its sync.
import { useState } from "preact/hooks";
import * as offline from "../offline.js";
import { api, chartWanted, noteWrite, serverTime, signedIn } from "../core/api.js";
import { followCharts } from "../core/follow.js";
import { emit } from "../core/bus.js";
import { pageError } from "../core/errors.js";
import { thisMonth } from "../core/format.js";
import { owner } from "../core/state.js";
import { say, useTopic } from "../core/ui.jsx";

// ---------------------------------------------------------------- the month on screen
let month = null;
export const currentMonth = () => month || thisMonth();
export function setMonth(m) { month = m || null; emit("month", currentMonth()); }
export function useMonth() {
  const [m, set] = useState(currentMonth());
  useTopic("month", set);
  return m;
}

// ---------------------------------------------------------------- categories
let categories = [];
export async function loadCategories() {
  const r = await api("GET", "/categories");
  if (r.ok) categories = r.data.items;
  emit("categories");
  return categories;
}
export const categoryList = (kind) => categories.filter((c) => !kind || c.kind === kind);
export function categoryName(slug) {
  if (slug === "total") return "All spending";
  const c = categories.find((x) => x.slug === slug);
  return c ? c.name : slug.charAt(0).toUpperCase() + slug.slice(1).replace(/[-_]/g, " ");
}

// ---------------------------------------------------------------- writes and chart polling
// One poller: every write gives it another ~15 s to see the charts catch up with the newest write; when
// they have, every page showing expense data reloads it.
const charts = followCharts({
  scope: "expenses",
  chartPath: () => `/insights/expenses?year=${currentMonth().slice(0, 4)}`,
  caughtUp: async (chart) => {
    emit("expenses");
    await charts.sleep(300);
    return serverTime(chart.generated_at) >= chartWanted("expenses"); // no newer write meanwhile
  },
});
export const write = charts.write;
export const pollCharts = charts.poll;

// ---------------------------------------------------------------- the offline queue
export const pending = () => offline.pending(owner());
export const queue = (id, op, body) => offline.queue(owner(), id, op, body);

let conflict = null; // {id, mine, theirs}: an edit that met a newer version saved elsewhere
export const currentConflict = () => conflict;
export function setConflict(c) { conflict = c; emit("conflict", c); }

export async function withPending(items, m) {
  // The month as it will be once the waiting changes are sent.
  const byId = new Map(items.map((t) => [t.id, t]));
  for (const p of await pending()) {
    if (p.op === "delete") byId.delete(p.id);
    else if (p.body.date.startsWith(m)) {
      byId.set(p.id, { ...(byId.get(p.id) || {}), ...p.body, id: p.id, pending: true,
        version: p.body.version || (byId.get(p.id) || {}).version });
    }
  }
  return [...byId.values()].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
}

let syncing = false;
export async function sync() {
  // Send each waiting change once, in order; stop at the first that finds no network.
  if (syncing || !signedIn() || !owner()) return;
  syncing = true;
  let sent = 0;
  try {
    for (const p of await pending()) {
      const r = p.op === "delete" ? await api("DELETE", `/expenses/${p.id}`) : await api("PUT", `/expenses/${p.id}`, p.body);
      if (r.offline) break;
      await offline.done(p.id);
      sent++;
      if (r.status === 409 && r.data && r.data.current) {
        setConflict({ id: p.id, mine: p.body, theirs: r.data.current });
        say("Conflict: an entry you changed offline changed elsewhere too. Choose which version to keep.", { error: true });
      } else if (!r.ok && r.status !== 404) {
        say(`A change made offline was refused: ${pageError(r)}`, { error: true });
      } else if (r.ok) {
        noteWrite("expenses", r.data && r.data.updated_at);
      }
    }
  } finally {
    syncing = false;
  }
  emit("pending");
  if (sent && navigator.onLine) { emit("expenses"); pollCharts(); }
}

addEventListener("online", () => sync());

/** Re-render when the categories arrive (they load once per sign-in). */
export function useCategories() {
  const [n, set] = useState(categories.length);
  useTopic("categories", () => set((x) => x + 1));
  return n;
}
