// The storefront's data: the precomputed documents the CDN serves under /storefront/ (the shop's
// index, a product's page, its live availability: no Lambda, no DynamoDB per view), the public API
// (called only to order, to find an order and to ask for a return), the cart (kept in this browser,
// per shop) and the rules the pages apply (search, the promised date).
import { apiUrl, loadConfig } from "../core/api.js";

let configured = null;
export const ready = () => (configured ||= loadConfig());

/** A precomputed document (null when there is none or it was removed). */
export async function doc(key) {
  const res = await fetch(`/${key.replace(/^\//, "")}`, { cache: "no-cache" });
  if (!res.ok) return null;
  const data = await res.json();
  return data && data.removed ? null : data;
}

export const shopIndex = (handle) => doc(`storefront/${handle}/index.json`);

/** A public API call (no sign-in): {status, ok, data}; status 0 when offline. */
export async function publicApi(method, path, body) {
  await ready();
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

// ---------------------------------------------------------------- search (the server's rule, rules.storefront)
/** Lower case with accents dropped ("Café" → "cafe"): what search, slugs and filters compare. */
export const plain = (text) => String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

export function fold(text) {
  return plain(text).replace(/[^a-z0-9]+/g, " ").trim().split(/\s+/).filter(Boolean);
}

/** Every word of the query starts a word of the card's search field (its name, SKU, brand, category). */
export function matches(card, query) {
  const words = (card.search || fold(`${card.name} ${card.sku} ${card.brand || ""}`).join(" ")).split(" ");
  return fold(query).every((q) => words.some((w) => w.startsWith(q)));
}

// ---------------------------------------------------------------- the promised date (rules.storefront)
function addDays(ymd, days) {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export const todayUtc = () => new Date().toISOString().slice(0, 10);

/**
 * A fulfilment's promise with the live availability: stock there → today + its days; out there →
 * when it is expected back + its days; otherwise no date. `promise` is the page's row (location, days,
 * its figures as of publishing); `live` the availability document's row for that location, if any.
 */
export function promisedDate(promise, live) {
  if (!promise) return null;
  const available = Number(live ? live.available : promise.available);
  const restock = live ? live.restock_on : promise.restock_on;
  if (available > 0) return addDays(todayUtc(), promise.days);
  if (restock) return addDays(restock, promise.days);
  return null;
}

export function longDate(ymd) {
  if (!ymd) return "";
  return new Date(`${ymd}T12:00:00Z`).toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" });
}

export function price(amount, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

// ---------------------------------------------------------------- the cart (this browser, per shop)
const cartKey = (handle) => `tally.cart.${handle}`;

export function cart(handle) {
  try { return JSON.parse(localStorage.getItem(cartKey(handle)) || "[]"); } catch { return []; }
}

export function saveCart(handle, lines) {
  localStorage.setItem(cartKey(handle), JSON.stringify(lines));
  dispatchEvent(new Event("tally-cart"));
}

/** Add units of a product (its card's prices kept for the cart's total; the order prices it again). */
export function addToCart(handle, item, quantity) {
  const lines = cart(handle);
  const found = lines.find((l) => l.product_id === item.product_id);
  if (found) found.quantity += quantity;
  else lines.push({ ...item, quantity });
  saveCart(handle, lines);
}

export const cartCount = (handle) => cart(handle).reduce((n, l) => n + l.quantity, 0);

/** Where this browser keeps the stores a shop's pages named (the checkout's pickup choices). */
export function rememberStores(handle, stores) {
  const key = `tally.stores.${handle}`;
  const known = JSON.parse(localStorage.getItem(key) || "{}");
  for (const s of stores) known[s.location_id] = s.name;
  localStorage.setItem(key, JSON.stringify(known));
}

export const knownStores = (handle) => JSON.parse(localStorage.getItem(`tally.stores.${handle}`) || "{}");

/** An order's number as its emails and pages show it: the first 8 characters of its id, upper case. */
export const orderNumber = (id) => id.slice(0, 8).toUpperCase();

/** A return's number, made the same way. */
export const returnNumber = orderNumber;

export const STATUS_WORDS = {
  placed: "Placed: waiting for payment", confirmed: "Paid", picked: "Packed", shipped: "On its way",
  ready: "Ready to collect", delivered: "Delivered", collected: "Collected", cancelled: "Cancelled",
};
export const RETURN_WORDS = { requested: "Requested", received: "Received by the shop", refunded: "Refunded", rejected: "Not accepted" };
export const REASONS = [
  ["damaged", "Arrived damaged"], ["defective", "Does not work"], ["wrong_item", "Wrong item"],
  ["not_as_described", "Not as described"], ["no_longer_needed", "No longer needed"], ["other", "Other"],
];
