// The shared API client: the Cognito ID token kept in sessionStorage (never in a URL), one token refresh
// at a time, answers to requests made before a sign-out dropped, and the server time of each write kept
// so chart polling knows which chart document includes it.
import { emit } from "./bus.js";

const TOKEN_KEY = "tally.session";
let config = null;
let session = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || "null");
// Bumped on every sign-in and sign-out: an answer to a request made under an earlier one is dropped.
let epoch = 0;
const abandoned = () => new Promise(() => {}); // the caller never resumes, so it draws nothing

export async function loadConfig() {
  config = await (await fetch("config.json")).json();
  return config;
}

export const apiUrl = () => config.api_url;
export const signedIn = () => Boolean(session);
export const idToken = () => (session ? session.id_token : null);

export function startSession(tokens) {
  session = tokens;
  epoch++;
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
}

export function endSession() {
  session = null;
  epoch++;
  sessionStorage.clear();
}

// Charts come from the stream a moment after a write: `written[scope]` is the server time (ms) the
// chart document must be generated at or after to include every write this page made; `skew` is the
// server clock minus this page's clock, learnt from records' timestamps.
const written = {};
let skew = 0;

export function serverTime(iso) {
  const t = Date.parse(iso || "");
  return Number.isNaN(t) ? 0 : t;
}

export function noteWrite(scope, iso, startedAt = Date.now()) {
  // A record tells the server's time of the write; a delete (204) does not, so the request's start on
  // the server's clock stands in (an under-estimate, so never a wait for a chart that cannot come).
  const at = serverTime(iso);
  if (at) skew = at - Date.now();
  written[scope] = Math.max(written[scope] || 0, at || startedAt + skew);
}

export const chartWanted = (scope) => written[scope] || 0;

/** One call: {status, ok, data, offline}. status 0 and offline: no network (the caller decides). */
export async function api(method, path, body) {
  const isPublic = path.startsWith("/auth/") || path.startsWith("/ticket-links/"); // no account: the link is the key
  if (!isPublic && !session) return abandoned();
  const at = epoch;
  const headers = { "Content-Type": "application/json" };
  if (session && session.id_token && !isPublic) headers.Authorization = `Bearer ${session.id_token}`;
  let res;
  try {
    res = await fetch(config.api_url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    if (at !== epoch) return abandoned();
    return { status: 0, ok: false, offline: true, data: null };
  }
  if (at !== epoch) return abandoned();
  if (res.status === 401 && session && session.refresh_token && !isPublic) {
    if (await refresh()) return api(method, path, body);
    if (at !== epoch) return abandoned();
  }
  const text = await res.text();
  if (at !== epoch) return abandoned();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  return { status: res.status, ok: res.ok, data };
}

/** A GET of a file (CSV export): the Blob, or null. */
export async function download(path) {
  const res = await fetch(config.api_url + path, { headers: { Authorization: `Bearer ${session.id_token}` } });
  return res.ok ? res.blob() : null;
}

let refreshing = null;
function refresh() {
  // One refresh at a time, shared by every request that met the expired token.
  if (!refreshing) refreshing = refreshOnce().finally(() => { refreshing = null; });
  return refreshing;
}

async function refreshOnce() {
  const at = epoch;
  let r;
  try {
    r = await fetch(config.api_url + "/auth/refresh", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: session.refresh_token }),
    });
  } catch {
    return false;
  }
  if (at !== epoch) return false; // signed out meanwhile: nothing to bring back
  if (!r.ok) { emit("session-ended"); return false; }
  const t = await r.json();
  if (at !== epoch) return false;
  session = { ...session, id_token: t.id_token, access_token: t.access_token };
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
  return true;
}
