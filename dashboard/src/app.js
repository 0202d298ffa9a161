// Tally dashboard: talks to the API with the Cognito ID token kept in sessionStorage (never in a URL).
// Offline, changes wait in IndexedDB (offline.js) and are sent when the page sees it is back online.
import * as offline from "./offline.js";

const $ = (sel) => document.querySelector(sel);
const TOKEN_KEY = "tally.session";
let config = null;
let session = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || "null");
let profile = null;
let categories = [];
let pageToken = null;
let lastChart = "";
let charts = {};
// The offline queue of the person signed in.
const owner = () => (profile ? profile.sub : null);
const pending = () => offline.pending(owner());
const queue = (id, op, body) => offline.queue(owner(), id, op, body);
const done = (id) => offline.done(id);
// Charts come from the stream a moment after a write. `chartWanted` is the server time (ms) the
// chart document must have been generated at or after to include every write this page made;
// `skew` is the server clock minus this page's clock, learnt from records' `updated_at`.
let chartWanted = 0;
let skew = 0;
const CHART_WRITES = /^\/(expenses|budgets|imports|rates)\b/;

function say(text, isError = false) {
  const m = $("#message");
  m.textContent = text || "";
  m.className = isError ? "error" : "";
}

function errorText(body, status) {
  if (status === 0) return "You are offline: changes wait here and sync when you are back.";
  const e = body && body.error;
  if (!e) return `Request failed (${status})`;
  return e.field ? `${e.field}: ${e.message}` : e.message;
}

// Bumped on every sign-in and sign-out: an answer to a request made under an earlier one is dropped.
let epoch = 0;
const abandoned = () => new Promise(() => {}); // the caller never resumes, so it draws nothing

function refuse(r, form) {
  // The API's own words; when it names a field of this form, that control is marked and focused.
  say(errorText(r.data, r.status), true);
  const field = r.data && r.data.error && r.data.error.field;
  const control = form && field && form.elements.namedItem(field);
  if (control && control.setAttribute) {
    control.setAttribute("aria-invalid", "true");
    control.addEventListener("input", () => control.removeAttribute("aria-invalid"), { once: true });
    control.focus();
  }
}

async function api(method, path, body) {
  const public_ = path.startsWith("/auth/");
  if (!public_ && !session) return abandoned();
  const at = epoch;
  const headers = { "Content-Type": "application/json" };
  if (session && session.id_token) headers.Authorization = `Bearer ${session.id_token}`;
  const startedAt = Date.now();
  let res;
  try {
    res = await fetch(config.api_url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    if (at !== epoch) return abandoned();
    return { status: 0, ok: false, offline: true, data: null }; // no network: the caller decides
  }
  if (at !== epoch) return abandoned();
  if (res.status === 401 && session && session.refresh_token && !public_) {
    if (await refresh()) return api(method, path, body);
  }
  const text = await res.text();
  if (at !== epoch) return abandoned();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (res.ok && method !== "GET" && CHART_WRITES.test(path)) noteWrite(data, startedAt);
  return { status: res.status, ok: res.ok, data };
}

function serverTime(iso) {
  const t = Date.parse(iso || "");
  return Number.isNaN(t) ? 0 : t;
}

function noteWrite(record, startedAt) {
  // A record tells the server's time of the write; a delete (204) does not, so the request's start
  // on the server's clock stands in (an under-estimate, so never a wait for a chart that cannot come).
  const at = serverTime(record && record.updated_at);
  if (at) skew = at - Date.now();
  chartWanted = Math.max(chartWanted, at || startedAt + skew);
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
  if (!r.ok) { signOut(); say("Your session ended: please sign in again.", true); return false; }
  const t = await r.json();
  if (at !== epoch) return false;
  session = { ...session, id_token: t.id_token, access_token: t.access_token };
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
  return true;
}

function signOut() {
  // Tokens, the cached profile and months go; changes waiting offline stay, kept for their owner.
  session = null;
  profile = null;
  epoch++;
  pollUntil = 0;
  sessionStorage.clear();
  for (const chart of Object.values(charts)) chart.destroy();
  charts = {};
  lastChart = "";
  for (const list of ["#expense-list", "#budget-list", "#alert-list", "#recurring-list", "#month-totals tbody"]) {
    $(list).replaceChildren();
  }
  showAuth();
}

function showAuth() {
  $("#auth").hidden = false;
  $("#app").hidden = true;
  $("#whoami").hidden = true;
}

const today = () => new Date().toISOString().slice(0, 10);
const currentMonth = () => $("#month-picker").value || today().slice(0, 7);

async function signIn(email, password) {
  const r = await api("POST", "/auth/sign-in", { email, password });
  if (!r.ok) { say(errorText(r.data, r.status), true); return; }
  session = r.data;
  epoch++;
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
  await showApp();
}

async function showApp() {
  const me = await api("GET", "/me");
  if (me.offline && sessionStorage.getItem("tally.profile")) {
    profile = JSON.parse(sessionStorage.getItem("tally.profile"));
  } else if (!me.ok) { signOut(); return; } else {
    profile = me.data;
    sessionStorage.setItem("tally.profile", JSON.stringify(profile));
  }
  for (const form of ["#sign-in-form", "#sign-up-form", "#confirm-form"]) $(form).reset(); // no password left in the page
  $("#confirm-form").hidden = true;
  confirming = null;
  $("#auth").hidden = true;
  $("#app").hidden = false;
  $("#whoami").hidden = false;
  $("#who").textContent = profile.name || profile.email;
  const pf = $("#profile-form");
  pf.name.value = profile.name; pf.time_zone.value = profile.time_zone; pf.currency.value = profile.currency;
  for (const kind of ["budget", "pace", "digest"]) pf[`${kind}_alerts`].checked = profile.alert_preferences[`${kind}_alerts`];
  $("#month-picker").value = $("#month-picker").value || today().slice(0, 7);
  $("#year-picker").value = $("#year-picker").value || today().slice(0, 4);
  resetForm();
  await loadCategories();
  $("#recurring-form").start_date.value = $("#recurring-form").start_date.value || today();
  await Promise.all([loadMonth(), loadBudgets(), loadRates(), loadCharts(), loadAlerts(), loadRecurring(), renderPending()]);
  await sync();
}

async function loadRecurring() {
  const r = await api("GET", "/recurring");
  if (!r.ok) return;
  const items = r.data.items.map((rule) => {
    const li = document.createElement("li");
    li.dataset.id = rule.id;
    const label = document.createElement("span");
    label.textContent = `${rule.note || rule.category} · ${rule.frequency} · next ${rule.next_date || "none"}`;
    const amount = document.createElement("span");
    amount.className = "amount";
    amount.textContent = `${rule.kind === "income" ? "+" : "-"}${rule.amount} ${rule.currency}`;
    const del = document.createElement("button");
    del.type = "button"; del.textContent = "Stop";
    del.setAttribute("aria-label", `Stop ${rule.note || rule.category}`);
    del.addEventListener("click", async () => {
      const d = await api("DELETE", `/recurring/${rule.id}`);
      if (!d.ok) { say(errorText(d.data, d.status), true); return; }
      say("Recurring entry stopped.");
      await loadRecurring();
    });
    li.append(label, amount, del);
    return li;
  });
  $("#recurring-list").replaceChildren(...(items.length ? items : [Object.assign(document.createElement("li"),
    { className: "muted", textContent: "Nothing recurring yet." })]));
}

async function loadCategories() {
  const r = await api("GET", "/categories");
  categories = r.ok ? r.data.items : [];
  fillCategories();
}

function fillCategories() {
  const kind = $("#expense-form").kind.value;
  const sel = $("#expense-form").category;
  const keep = sel.value;
  sel.replaceChildren(...categories.filter((c) => c.kind === kind).map((c) => new Option(c.name, c.slug)));
  if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  const rf = $("#recurring-form");
  const rkeep = rf.category.value;
  rf.category.replaceChildren(...categories.filter((c) => c.kind === rf.kind.value).map((c) => new Option(c.name, c.slug)));
  if ([...rf.category.options].some((o) => o.value === rkeep)) rf.category.value = rkeep;
  const dsel = $("#import-form").default_category;
  const dkeep = dsel.value || "other";
  dsel.replaceChildren(...categories.filter((c) => c.kind === "expense").map((c) => new Option(c.name, c.slug)));
  dsel.value = dkeep;
  const bsel = $("#budget-form").category;
  bsel.replaceChildren(new Option("All spending (total)", "total"),
    ...categories.filter((c) => c.kind === "expense").map((c) => new Option(c.name, c.slug)));
}

function resetForm() {
  const f = $("#expense-form");
  f.reset();
  f.id.value = ""; f.version.value = "";
  f.date.value = today();
  f.currency.value = profile ? profile.currency : "USD";
  $("#form-title").textContent = "Add an entry";
  $("#cancel-edit").hidden = true;
  $("#conflict").hidden = true;
  fillCategories();
}

function formBody() {
  const f = $("#expense-form");
  const body = {
    kind: f.kind.value, amount: f.amount.value.trim(), currency: f.currency.value.trim().toUpperCase(),
    date: f.date.value, category: f.category.value, payment_mode: f.payment_mode.value,
    note: f.note.value, tags: f.tags.value.split(",").map((t) => t.trim()).filter(Boolean),
  };
  if (f.version.value) body.version = Number(f.version.value);
  return body;
}

let pendingConflict = null;
let confirming = null; // {email, password} between sign-up and its emailed code, in memory only

function describe(t) {
  return `${t.kind === "income" ? "+" : "-"}${t.amount} ${t.currency} · ${t.category} · ${t.date} · ${t.payment_mode}` +
    (t.note ? ` · ${t.note}` : "") + (t.tags && t.tags.length ? ` · #${t.tags.join(" #")}` : "");
}

function showConflict(conflict) {
  pendingConflict = conflict;
  $("#conflict-theirs").textContent = describe(conflict.theirs);
  $("#conflict-mine").textContent = describe(conflict.mine);
  $("#conflict").hidden = false;
}

async function saveEntry(ev) {
  ev.preventDefault();
  // One save at a time: a second click while the first is on its way would send the form twice
  // or, after the first one resets it, an empty one.
  const button = $("#save");
  if (button.disabled) return;
  button.disabled = true;
  say("Saving…");
  try {
    await sendEntry();
  } finally {
    button.disabled = false;
  }
}

async function sendEntry() {
  const f = $("#expense-form");
  const body = formBody();
  const id = f.id.value || crypto.randomUUID();
  const r = await api("PUT", `/expenses/${id}`, body);
  if (r.offline) {
    await queue(id, "put", body);
    say("Saved offline: it will sync when you are back online.");
    resetForm();
    await Promise.all([loadMonth(), renderPending()]);
    return;
  }
  if (r.status === 409 && r.data && r.data.current) {
    showConflict({ id, mine: body, theirs: r.data.current });
    say("Conflict: this entry changed elsewhere. Choose which version to keep.", true);
    return;
  }
  if (!r.ok) { refuse(r, f); return; }
  say(f.id.value ? "Entry updated." : "Entry added.");
  resetForm();
  await afterChange();
}

async function resolveConflict(keepMine) {
  if (!pendingConflict) return;
  const { id, mine, theirs } = pendingConflict;
  pendingConflict = null;
  $("#conflict").hidden = true;
  if (keepMine) {
    const r = await api("PUT", `/expenses/${id}`, { ...mine, version: theirs.version });
    if (!r.ok) { say(errorText(r.data, r.status), true); return; }
    say("Your version was saved.");
  } else {
    say("Kept the saved version.");
  }
  resetForm();
  await afterChange();
}

async function afterChange() {
  await Promise.all([loadMonth(), loadBudgets()]);
  pollCharts();
}

function entryItem(t) {
  const li = document.createElement("li");
  li.className = t.kind;
  li.dataset.id = t.id;
  const label = document.createElement("span");
  label.textContent = `${t.date} · ${t.category}${t.note ? " · " + t.note : ""}${t.pending ? " · waiting to sync" : ""}`;
  const amount = document.createElement("span");
  amount.className = "amount";
  amount.textContent = `${t.kind === "income" ? "+" : "-"}${t.amount} ${t.currency}`;
  const edit = document.createElement("button");
  edit.type = "button"; edit.textContent = "Edit"; edit.setAttribute("aria-label", `Edit ${t.category} ${t.amount}`);
  edit.addEventListener("click", () => startEdit(t));
  const del = document.createElement("button");
  del.type = "button"; del.textContent = "Delete"; del.setAttribute("aria-label", `Delete ${t.category} ${t.amount}`);
  del.addEventListener("click", async () => {
    const r = await api("DELETE", `/expenses/${t.id}`);
    if (r.offline) {
      await queue(t.id, "delete", null);
      say("Deleted offline: it will sync when you are back online.");
      await Promise.all([loadMonth(), renderPending()]);
      return;
    }
    if (!r.ok) { say(errorText(r.data, r.status), true); return; }
    say("Entry deleted.");
    await afterChange();
  });
  li.append(label, amount, edit, del);
  return li;
}

function startEdit(t) {
  const f = $("#expense-form");
  f.kind.value = t.kind; fillCategories();
  f.id.value = t.id; f.version.value = t.version; f.amount.value = t.amount; f.currency.value = t.currency;
  f.date.value = t.date; f.category.value = t.category; f.payment_mode.value = t.payment_mode;
  f.note.value = t.note; f.tags.value = (t.tags || []).join(", ");
  $("#form-title").textContent = "Edit entry";
  $("#cancel-edit").hidden = false;
  f.amount.focus();
}

async function loadMonth(more = false) {
  const q = new URLSearchParams({ month: currentMonth(), limit: "50" });
  if (more && pageToken) q.set("next", pageToken);
  const r = await api("GET", `/expenses?${q}`);
  const cacheKey = `tally.month.${currentMonth()}`;
  let data;
  if (r.ok) {
    data = r.data;
    if (!more) sessionStorage.setItem(cacheKey, JSON.stringify(data));
  } else if (r.offline) {
    data = JSON.parse(sessionStorage.getItem(cacheKey) || '{"items":[],"next":null}');
  } else { say(errorText(r.data, r.status), true); return; }
  const list = $("#expense-list");
  const items = more ? data.items.map(entryItem) : (await withPending(data.items)).map(entryItem);
  if (more) list.append(...items); else list.replaceChildren(...items);
  if (!more && !items.length) {
    const li = document.createElement("li"); li.className = "muted"; li.textContent = "Nothing recorded this month.";
    list.append(li);
  }
  pageToken = data.next;
  $("#more").hidden = !pageToken;
}

async function withPending(items) {
  // The month as it will be once the waiting changes are sent.
  const byId = new Map(items.map((t) => [t.id, t]));
  for (const p of await pending()) {
    if (p.op === "delete") byId.delete(p.id);
    else if (p.body.date.startsWith(currentMonth())) {
      byId.set(p.id, { ...(byId.get(p.id) || {}), ...p.body, id: p.id, pending: true,
        version: p.body.version || (byId.get(p.id) || {}).version });
    }
  }
  return [...byId.values()].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
}

async function renderPending() {
  const items = await pending();
  $("#pending").hidden = items.length === 0;
  $("#pending-count").textContent = String(items.length);
  $("#pending-list").replaceChildren(...items.map((p) => Object.assign(document.createElement("li"), {
    textContent: p.op === "delete" ? `delete ${p.id.slice(0, 8)}` : `${p.body.date} · ${p.body.category} · ${p.body.amount} ${p.body.currency}`,
  })));
}

let syncing = false;
async function sync() {
  // Send each waiting change once, in order; stop at the first that finds no network.
  if (syncing || !session) return;
  syncing = true;
  try {
    for (const p of await pending()) {
      const r = p.op === "delete" ? await api("DELETE", `/expenses/${p.id}`) : await api("PUT", `/expenses/${p.id}`, p.body);
      if (r.offline) break;
      await done(p.id);
      if (r.status === 409 && r.data && r.data.current) {
        showConflict({ id: p.id, mine: p.body, theirs: r.data.current });
        say("Conflict: an entry you changed offline changed elsewhere too. Choose which version to keep.", true);
      } else if (!r.ok && r.status !== 404) {
        say(`A change made offline was refused: ${errorText(r.data, r.status)}`, true);
      }
    }
  } finally {
    syncing = false;
  }
  await renderPending();
  if (navigator.onLine) await afterChange();
}

let monthRates = {};
async function loadRates() {
  const month = currentMonth();
  const r = await api("GET", `/rates/${month}`);
  monthRates = r.ok ? r.data.rates : {};
  const list = Object.entries(monthRates).map(([c, v]) => `1 ${c} = ${v} ${profile ? profile.currency : ""}`);
  $("#rates-list").textContent = list.length ? `Rates for ${month}: ${list.join(", ")}` : `No exchange rates set for ${month}.`;
}

async function loadBudgets() {
  const r = await api("GET", `/budgets?month=${currentMonth()}`);
  if (!r.ok) return;
  const missing = r.data.missing_rates || [];
  $("#missing-rates").hidden = !missing.length;
  $("#missing-rates").textContent = missing.length ? `No rate yet for ${missing.join(", ")} in ${currentMonth()}: ` +
    "those amounts are left out of the totals until you set one below." : "";
  $("#budget-list").replaceChildren(...r.data.items.map((b) => {
    const li = document.createElement("li");
    li.className = "budget" + (b.percent >= 100 ? " over" : b.percent >= 80 ? " warn" : "");
    li.dataset.category = b.category;
    const label = document.createElement("span");
    const carried = Number(b.carry) ? ` (${b.base_limit} ${Number(b.carry) > 0 ? "+" : ""}${b.carry} carried)` : "";
    label.textContent = `${b.category}: ${b.spent} of ${b.limit} ${b.currency}${carried} (${b.percent}%)`;
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = Math.min(100, b.percent);
    bar.setAttribute("aria-label", `${b.category} budget used`);
    li.append(label, bar);
    return li;
  }));
}

async function loadAlerts() {
  const r = await api("GET", "/alerts");
  if (!r.ok) return;
  const items = r.data.items.map((a) => {
    const li = document.createElement("li");
    li.textContent = `${(a.sent_at || a.created_at).slice(0, 16).replace("T", " ")} · ${a.subject}`;
    return li;
  });
  $("#alert-list").replaceChildren(...(items.length ? items : [Object.assign(document.createElement("li"),
    { className: "muted", textContent: "No alerts yet." })]));
}

const PALETTE = ["#2764c5", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085", "#d35400", "#7f8c8d",
  "#f1c40f", "#2c3e50", "#e84393", "#00b894", "#6c5ce7"];

async function loadCharts() {
  const year = $("#year-picker").value || today().slice(0, 4);
  const r = await api("GET", `/insights/expenses?year=${year}`);
  if (r.status === 404) { $("#chart-status").textContent = "No data yet."; return null; }
  if (!r.ok) { $("#chart-status").textContent = errorText(r.data, r.status); return null; }
  drawCharts(r.data);
  return r.data;
}

function drawCharts(doc) {
  lastChart = doc.generated_at || "";
  $("#chart-status").textContent = doc.generated_at ? `Updated ${doc.generated_at.slice(0, 19).replace("T", " ")} UTC` : "No data yet.";
  const cats = Object.keys(doc.categories);
  const labels = doc.months.map((m) => m.month.slice(5));
  const monthly = {
    type: "bar",
    data: { labels, datasets: cats.map((c, i) => ({ label: c, backgroundColor: PALETTE[i % PALETTE.length],
      data: doc.months.map((m) => Number(m.by_category[c] || 0)) })) },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: true }, y: { stacked: true } }, plugins: { title: { display: true, text: `Spending by month, ${doc.year}` } } },
  };
  const yearly = {
    type: "line",
    data: { labels: doc.years.map((y) => String(y.year)), datasets: [
      { label: "Spending", borderColor: PALETTE[4], data: doc.years.map((y) => Number(y.spend)) },
      { label: "Income", borderColor: PALETTE[2], data: doc.years.map((y) => Number(y.income)) }] },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { title: { display: true, text: "Yearly trend" } } },
  };
  const share = {
    type: "doughnut",
    data: { labels: cats, datasets: [{ data: cats.map((c) => Number(doc.categories[c])),
      backgroundColor: cats.map((_, i) => PALETTE[i % PALETTE.length]) }] },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { title: { display: true, text: "Category share" } } },
  };
  const balance = {
    type: "bar",
    data: { labels, datasets: [
      { type: "line", label: "Net", borderColor: PALETTE[0], data: doc.months.map((m) => Number(m.net)) },
      { label: "Income", backgroundColor: PALETTE[2], data: doc.months.map((m) => Number(m.income)) },
      { label: "Spending", backgroundColor: PALETTE[4], data: doc.months.map((m) => Number(m.spend)) }] },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { title: { display: true, text: `Income, spending and net, ${doc.year}` } } },
  };
  const cur = doc.months.find((m) => m.month === currentMonth());
  $("#balance-summary").textContent = cur ? `${cur.month}: income ${cur.income}, spent ${cur.spend}, net ${cur.net} ${doc.currency}` +
    (cur.savings_rate === null ? "" : `, savings rate ${cur.savings_rate}%`) : "";
  if (window.Chart) {
    for (const [key, cfg] of [["monthly", monthly], ["balance", balance], ["yearly", yearly], ["share", share]]) {
      if (charts[key]) charts[key].destroy();
      charts[key] = new window.Chart($(`#${key}-chart`), cfg);
    }
  }
  const month = doc.months.find((m) => m.month === currentMonth()) || { by_category: {} };
  $("#month-totals tbody").replaceChildren(...Object.entries(month.by_category).map(([c, v]) => {
    const tr = document.createElement("tr");
    tr.dataset.category = c; tr.dataset.amount = v;
    const a = document.createElement("td"); a.textContent = c;
    const b = document.createElement("td"); b.textContent = v;
    tr.append(a, b);
    return tr;
  }));
  document.body.dataset.chartGenerated = lastChart;
}

let pollUntil = 0;
let pollRunning = false;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const chartsCaughtUp = () => serverTime(lastChart) >= chartWanted;

async function pollCharts() {
  // One poller at a time; every change gives it another ~15 s to see the charts catch up with the
  // newest write (several writes in flight must not stop it at the first document that moved).
  pollUntil = Date.now() + 15000;
  if (pollRunning) return;
  pollRunning = true;
  try {
    for (let i = 0; Date.now() < pollUntil; i++) {
      await sleep(i === 0 ? 800 : 1500);
      if (!session || Date.now() >= pollUntil) return;
      const doc = await loadCharts();
      if (doc && chartsCaughtUp()) {
        await Promise.all([loadBudgets(), loadAlerts()]);
        if (chartsCaughtUp()) return; // no newer write while those loaded
      }
    }
  } finally {
    pollRunning = false;
  }
}

let statement = "";

function csvHeader(text) {
  // The header row only: split on commas outside quotes.
  const line = text.replace(/^\ufeff/, "").split(/\r?\n/, 1)[0];
  const cells = [];
  let cur = "", quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) { cells.push(cur.trim()); cur = ""; }
    else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

function guess(header, words) {
  return header.find((h) => words.some((w) => h.toLowerCase().includes(w))) || "";
}

function importBody(extra = {}) {
  const f = $("#import-form");
  const mapping = { date: f.date.value, amount: f.amount.value };
  if (f.description.value) mapping.description = f.description.value;
  if (f.category.value) mapping.category = f.category.value;
  return { csv: statement, mapping, decimal_separator: f.decimal_separator.value, date_format: f.date_format.value,
    default_category: f.default_category.value || "other", ...extra };
}

function showImport(out) {
  $("#import-summary").textContent = `${out.lines} lines: ${out.valid} good, ${out.invalid} with errors` +
    (out.created !== undefined ? "" : ". Preview: " + out.preview.slice(0, 3).map((p) => `${p.date} ${p.amount} ${p.note}`).join("; "));
  $("#import-errors").replaceChildren(...out.errors.map((e) => Object.assign(document.createElement("li"),
    { textContent: `line ${e.line}: ${e.field}: ${e.message}` })));
}

async function previewImport() {
  const r = await api("POST", "/imports", importBody());
  if (!r.ok) { say(errorText(r.data, r.status), true); return null; }
  showImport(r.data);
  $("#import-commit").disabled = r.data.valid === 0;
  return r.data;
}

async function commitImport(ev) {
  ev.preventDefault();
  const preview = await previewImport();
  if (!preview) return;
  const bar = $("#import-progress");
  bar.hidden = false; bar.value = 0;
  let done = 0, created = 0, existing = 0;
  while (done < preview.valid) {
    const r = await api("POST", "/imports", importBody({ commit: true, start: done, count: 1000 }));
    if (!r.ok) { say(errorText(r.data, r.status), true); return; }
    done = r.data.done; created += r.data.created; existing += r.data.existing;
    bar.value = Math.round((done / preview.valid) * 100);
  }
  say(`Imported: ${created} new, ${existing} already there, ${preview.invalid} lines with errors.`);
  $("#import-commit").disabled = true;
  await afterChange();
}

async function downloadReport() {
  // The API gives the month's figures; jsPDF (vendored) lays them out here, so the Lambda ships no PDF library.
  const month = currentMonth();
  const r = await api("GET", `/reports/${month}`);
  if (!r.ok) { say(errorText(r.data, r.status), true); return; }
  const rep = r.data;
  const doc = new window.jspdf.jsPDF({ unit: "pt", format: "a4", compress: false });
  let y = 56;
  const line = (text, size = 11, gap = 16) => {
    if (y > 780) { doc.addPage(); y = 56; }
    doc.setFontSize(size);
    doc.text(String(text), 48, y);
    y += gap;
  };
  line(`Tally monthly report ${rep.month}`, 18, 28);
  line(`Spent ${rep.spend} ${rep.currency} · received ${rep.income} ${rep.currency} · net ${rep.net} ${rep.currency}` +
    (rep.savings_rate === null ? "" : ` · savings rate ${rep.savings_rate}%`));
  line(`${rep.count} entries`, 10, 24);
  if (rep.missing_rates.length) line(`Left out (no rate set): amounts in ${rep.missing_rates.join(", ")}`, 10, 24);
  line("Spending by category", 14, 20);
  for (const [c, v] of Object.entries(rep.categories)) line(`${c}: ${v} ${rep.currency}`);
  y += 8;
  line("Budgets", 14, 20);
  if (!rep.budgets.length) line("No budgets set.");
  for (const b of rep.budgets) line(`${b.category}: ${b.spent} of ${b.limit} ${b.currency} (${b.percent}%, ${b.status})`);
  y += 8;
  line("Biggest expenses", 14, 20);
  for (const t of rep.top_expenses) {
    const own = t.currency === rep.currency ? "" : ` (${t.amount} ${t.currency})`;
    line(`${t.date}  ${t.home_amount} ${rep.currency}${own}  ${t.category}  ${t.note || ""}`.trim());
  }
  doc.save(`tally-report-${month}.pdf`);
  say(`Report for ${month} downloaded.`);
}

async function main() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
  window.addEventListener("online", () => sync());
  config = await (await fetch("config.json")).json();
  $("#sign-in-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    signIn(ev.target.email.value.trim(), ev.target.password.value);
  });
  $("#sign-up-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const body = { email: f.email.value.trim(), password: f.password.value, name: f.name.value.trim() };
    const r = await api("POST", "/auth/sign-up", body);
    if (!r.ok) { say(errorText(r.data, r.status), true); return; }
    if (r.data.confirmed) { await signIn(body.email, body.password); return; }
    $("#confirm-form").hidden = false;
    confirming = { email: body.email, password: body.password };
    say("We emailed you a code: enter it to confirm your account.");
  });
  $("#confirm-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    if (!confirming) return;
    const r = await api("POST", "/auth/confirm", { email: confirming.email, code: f.code.value.trim() });
    if (!r.ok) { say(errorText(r.data, r.status), true); return; }
    await signIn(confirming.email, confirming.password);
  });
  $("#sign-out").addEventListener("click", () => { signOut(); say("Signed out."); });
  $("#import-form").file.addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    statement = await file.text();
    const header = csvHeader(statement);
    const f = $("#import-form");
    for (const [name, words, optional] of [["date", ["date", "datum"], false], ["amount", ["amount", "betrag", "value"], false],
      ["description", ["desc", "text", "memo", "payee"], true], ["category", ["categ"], true]]) {
      f[name].replaceChildren(...(optional ? [new Option("(none)", "")] : []), ...header.map((h) => new Option(h, h)));
      f[name].value = guess(header, words) || (optional ? "" : header[0]);
    }
    $("#import-commit").disabled = true;
    $("#import-summary").textContent = `${header.length} columns found: check the mapping, then preview.`;
  });
  $("#import-preview").addEventListener("click", previewImport);
  $("#import-form").addEventListener("submit", commitImport);
  $("#recurring-form").kind.addEventListener("change", fillCategories);
  $("#recurring-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const r = await api("POST", "/recurring", {
      kind: f.kind.value, amount: f.amount.value.trim(), category: f.category.value, payment_mode: f.payment_mode.value,
      note: f.note.value, frequency: f.frequency.value, start_date: f.start_date.value,
    });
    if (!r.ok) { say(errorText(r.data, r.status), true); return; }
    say(`Recurring entry added: next on ${r.data.next_date}.`);
    f.amount.value = ""; f.note.value = "";
    await loadRecurring();
  });
  $("#expense-form").addEventListener("submit", saveEntry);
  $("#expense-form").kind.addEventListener("change", fillCategories);
  $("#cancel-edit").addEventListener("click", resetForm);
  $("#keep-mine").addEventListener("click", () => resolveConflict(true));
  $("#keep-theirs").addEventListener("click", () => resolveConflict(false));
  $("#more").addEventListener("click", () => loadMonth(true));
  $("#export-month").addEventListener("click", async () => {
    const res = await fetch(`${config.api_url}/exports/expenses?month=${currentMonth()}`,
      { headers: { Authorization: `Bearer ${session.id_token}` } });
    if (!res.ok) { say(`Export failed (${res.status})`, true); return; }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await res.blob());
    link.download = `tally-${currentMonth()}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  });
  $("#report-month").addEventListener("click", downloadReport);
  $("#month-picker").addEventListener("change", () => { loadMonth(); loadBudgets(); loadRates(); loadCharts(); });
  $("#rates-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const currency = f.currency.value.trim().toUpperCase();
    const r = await api("PUT", `/rates/${currentMonth()}`, { rates: { ...monthRates, [currency]: f.rate.value.trim() } });
    if (!r.ok) {
      if (r.data && r.data.error && r.data.error.field && r.data.error.field.startsWith("rates.")) r.data.error.field = "rate";
      refuse(r, f);
      return;
    }
    say(`Rate for ${currency} in ${currentMonth()} set: totals are being recomputed.`);
    f.reset();
    await Promise.all([loadRates(), loadBudgets()]);
    pollCharts();
  });
  $("#year-picker").addEventListener("change", loadCharts);
  $("#budget-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const r = await api("PUT", `/budgets/${f.category.value}`, { limit: f.limit.value.trim(), rollover: f.rollover.value });
    if (!r.ok) { refuse(r, f); return; }
    say(`Budget for ${f.category.value} set.`);
    f.limit.value = "";
    await loadBudgets();
    pollCharts();
  });
  $("#profile-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const r = await api("PUT", "/me", { name: f.name.value, time_zone: f.time_zone.value.trim(),
      currency: f.currency.value.trim().toUpperCase(), alert_preferences: {
        budget_alerts: f.budget_alerts.checked, pace_alerts: f.pace_alerts.checked, digest_alerts: f.digest_alerts.checked } });
    if (!r.ok) { refuse(r, f); return; }
    say("Profile saved.");
    await showApp();
  });
  if (session) await showApp(); else showAuth();
}

main().catch((e) => say(String(e), true));
