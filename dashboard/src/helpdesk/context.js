// What the help desk pages share: the organisation worked in (the same choice as the inventory's), its
// desk, teams, agents and canned replies; the desks a customer has used; writes that reload the pages
// showing tickets; and how a ticket's fields read (statuses, priorities, SLA clocks, ratings).
import { useEffect, useState } from "preact/hooks";
import { api, noteWrite } from "../core/api.js";
import { emit, on } from "../core/bus.js";
import { getProfile } from "../core/state.js";
import { useTopic } from "../core/ui.jsx";

const ORG_KEY = "tally.org"; // shared with the inventory pages: one organisation chosen at a time
const DESKS_KEY = "tally.desks";
export const MANAGERS = ["owner", "manager"];
export const HANDLE = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/; // a desk's public address (the API's pattern)
const empty = () => ({ orgs: null, org: null, desk: null, teams: [], agents: [], members: [], admin: false, agent: false });
let state = empty();

export const orgPath = (p = "") => `/orgs/${state.org.org_id}${p}`;
export const staff = () => state;

/** The person's organisations and, for the chosen one, the desk and its people (one request each). */
export async function loadStaff(select) {
  const r = await api("GET", "/orgs");
  const orgs = r.ok ? r.data.items : [];
  const wanted = select || (state.org && state.org.org_id) || sessionStorage.getItem(ORG_KEY);
  const org = orgs.find((o) => o.org_id === wanted) || orgs[0] || null;
  state = { ...empty(), orgs, org };
  if (org) {
    sessionStorage.setItem(ORG_KEY, org.org_id);
    const base = `/orgs/${org.org_id}`;
    const admin = MANAGERS.includes(org.role);
    const [desk, teams, agents, members] = await Promise.all([api("GET", `${base}/desk`), api("GET", `${base}/teams`),
      api("GET", `${base}/agents`), admin ? api("GET", `${base}/members`) : null]);
    const me = (getProfile() || {}).sub;
    const teamList = teams.ok ? teams.data.items : [];
    state = { orgs, org, admin, desk: desk.ok ? desk.data : null, teams: teamList,
      agents: agents.ok ? agents.data.items : [], members: members && members.ok ? members.data.items : [],
      agent: teamList.some((t) => t.agents.includes(me)) };
  }
  emit("helpdesk-org", state);
  return state;
}

/** The organisation state; loaded the first time a page needs it. */
export function useStaff() {
  const [s, set] = useState(state);
  useTopic("helpdesk-org", (x) => set({ ...x }));
  useEffect(() => { if (!state.orgs) loadStaff(); }, []);
  return s;
}

on("signed-out", () => { state = empty(); });

/** A write through the API: the ticket pages reload; the write's time is kept for the insights charts. */
export async function write(method, path, body) {
  const startedAt = Date.now();
  const r = await api(method, path, body);
  if (r.ok) {
    noteWrite("helpdesk", r.data && (r.data.updated_at || r.data.created_at), startedAt);
    emit("helpdesk");
  }
  return r;
}

// ---------------------------------------------------------------- names
export const agentName = (sub) => {
  const a = state.agents.find((x) => x.sub === sub);
  return a ? a.name || a.email : sub ? "another agent" : "nobody yet";
};
export const teamName = (id) => (state.teams.find((t) => t.id === id) || { name: "a removed team" }).name;
export const memberLabel = (m) => {
  const a = state.agents.find((x) => x.sub === m.sub) || {};
  const email = m.email || a.email;
  return a.name ? (email ? `${a.name} (${email})` : a.name) : email || m.sub;
};
export const categoryName = (slug) => ((state.desk && state.desk.categories.find((c) => c.slug === slug)) || { name: slug }).name;

// ---------------------------------------------------------------- the desks a customer used
// kept per person on this browser (public names only), the last used first
const desksKey = () => `${DESKS_KEY}.${(getProfile() || {}).sub}`;
export const knownDesks = () => JSON.parse(localStorage.getItem(desksKey()) || "[]");
export function rememberDesk(desk) {
  const list = [{ handle: desk.handle, name: desk.name }, ...knownDesks().filter((d) => d.handle !== desk.handle)].slice(0, 8);
  localStorage.setItem(desksKey(), JSON.stringify(list));
}

// ---------------------------------------------------------------- how a ticket reads
export const STATUSES = [["new", "New"], ["open", "Open"], ["pending", "Waiting on the customer"], ["solved", "Solved"],
  ["closed", "Closed"]];
export const STATUS_TEXT = Object.fromEntries(STATUSES);
export const PRIORITIES = [["low", "Low"], ["normal", "Normal"], ["high", "High"], ["urgent", "Urgent"]];
export const PRIORITY_TEXT = Object.fromEntries(PRIORITIES);
// Where a ticket may go next (the API's workflow; another move is refused with 409 naming `status`).
export const NEXT = { new: ["open", "pending", "solved"], open: ["pending", "solved"], pending: ["open", "solved"],
  solved: ["open", "closed"], closed: [] };
export const PLACEHOLDERS = ["customer.name", "customer.email", "ticket.id", "ticket.subject", "agent.name"];

/** A canned reply as the server will send it, with what the page knows filled in (the server fills all). */
export function renderMacro(body, t) {
  const me = getProfile() || {};
  const values = { "customer.name": t.customer_name, "ticket.id": t.id, "ticket.subject": t.subject, "agent.name": me.name || me.email };
  return body.replace(/\{\{\s*([a-z_.]+)\s*\}\}/g, (m, k) => values[k] ?? m);
}

/**
 * A ticket's SLA clock, once the API gives one (`sla_breached`, and `sla_due`: when the next warning or
 * breach falls due while the clock runs): {due, breached}, or null for a ticket without one.
 */
export function slaOf(t) {
  return t.sla_breached || t.sla_due ? { due: t.sla_due || null, breached: Boolean(t.sla_breached) } : null;
}

/** The customer's rating of the last solve, when there is one: "good" or "bad" (and a comment). */
export function ratingOf(t) {
  const r = t.rating || t.satisfaction;
  if (!r) return null;
  return typeof r === "string" ? { score: r, comment: t.rating_comment || "" } : { score: r.score || r.rating, comment: r.comment || "" };
}

export function when(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(navigator.language || "en", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })
    .format(new Date(iso));
}
