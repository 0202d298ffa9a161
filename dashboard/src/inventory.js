// Tally inventory page: an organisation's catalogue, stock, ledger, purchase orders and charts.
// It uses the session the expenses page signed in (sessionStorage, never a URL) and the same API.
const $ = (sel) => document.querySelector(sel);
const TOKEN_KEY = "tally.session";
const ORG_KEY = "tally.org";
const MANAGERS = ["owner", "manager"];
let config = null;
let session = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || "null");
let org = null; // {org_id, name, role}
let me = null; // the signed-in person's profile (their sub)
let names = { product: {}, location: {}, supplier: {}, customer: {} };
let charts = {};
let forecastDoc = null;
let chartWanted = 0; // the server time a chart document must be generated at or after
let skew = 0; // server clock minus this page's clock

function say(text, isError = false) {
  $("#message").textContent = text || "";
  $("#message").className = isError ? "error" : "";
}

function errorText(r) {
  if (r.status === 0) return "The API cannot be reached.";
  const e = r.data && r.data.error;
  if (!e) return `Request failed (${r.status})`;
  return (e.field ? `${e.field}: ${e.message}` : e.message) + (r.data.available ? ` (available: ${r.data.available})` : "");
}

function refuse(r, form) {
  say(errorText(r), true);
  const field = r.data && r.data.error && r.data.error.field;
  const control = form && field && form.elements.namedItem(field);
  if (control && control.setAttribute) {
    control.setAttribute("aria-invalid", "true");
    control.addEventListener("input", () => control.removeAttribute("aria-invalid"), { once: true });
  }
}

async function refreshToken() {
  if (!session || !session.refresh_token) return false;
  const r = await fetch(config.api_url + "/auth/refresh", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh_token: session.refresh_token }) }).catch(() => null);
  if (!r || !r.ok) return false;
  const t = await r.json();
  session = { ...session, id_token: t.id_token, access_token: t.access_token };
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
  return true;
}

async function api(method, path, body, retried = false) {
  let res;
  try {
    res = await fetch(config.api_url + path, { method, headers: { "Content-Type": "application/json",
      Authorization: `Bearer ${session.id_token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    return { status: 0, ok: false, data: null };
  }
  if (res.status === 401 && !retried && await refreshToken()) return api(method, path, body, true);
  if (res.status === 401) { sessionStorage.removeItem(TOKEN_KEY); showSignedOut(); }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  return { status: res.status, ok: res.ok, data };
}

const orgPath = (p = "") => `/orgs/${org.org_id}${p}`;
const isManager = () => org && MANAGERS.includes(org.role);
const qty = (v) => (v === null || v === undefined ? "–" : v);
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };

function showSignedOut() {
  $("#signed-out").hidden = false;
  $("#inventory").hidden = true;
}

// ---------------------------------------------------------------- organisations
async function loadOrgs(select) {
  const [mine, invites] = await Promise.all([api("GET", "/orgs"), api("GET", "/invitations")]);
  if (!mine.ok) { say(errorText(mine), true); return; }
  const orgs = mine.data.items;
  const picker = $("#org-picker");
  picker.replaceChildren(...orgs.map((o) => new Option(`${o.name} (${o.role})`, o.org_id)));
  const wanted = select || sessionStorage.getItem(ORG_KEY);
  if (orgs.some((o) => o.org_id === wanted)) picker.value = wanted;
  $("#invitation-list").replaceChildren(...(invites.ok ? invites.data.items : []).map((inv) => {
    const li = el("li", `Invitation to ${inv.org_name || inv.org_id} as ${inv.role}`);
    li.dataset.orgId = inv.org_id;
    const b = el("button", "Accept");
    b.type = "button";
    b.addEventListener("click", async () => {
      const r = await api("POST", `/invitations/${inv.org_id}/accept`);
      if (!r.ok) { say(errorText(r), true); return; }
      say("Invitation accepted.");
      await loadOrgs(inv.org_id);
    });
    li.append(b);
    return li;
  }));
  const chosen = orgs.find((o) => o.org_id === picker.value);
  await openOrg(chosen || null);
}

async function openOrg(o) {
  org = o;
  $("#org-pages").hidden = !o;
  $("#role").textContent = o ? `You are ${o.role}` : "Create an organisation to start.";
  document.body.dataset.role = o ? o.role : "";
  for (const e of document.querySelectorAll(".manager-only")) e.hidden = !isManager();
  for (const e of document.querySelectorAll(".owner-only")) e.hidden = !(o && o.role === "owner");
  if (!o) return;
  sessionStorage.setItem(ORG_KEY, o.org_id);
  await Promise.all([loadCatalogue(), loadMembers()]);
  await Promise.all([loadStock(), loadMovements(), loadBackorders(), loadOrders(), loadReports(), loadCharts(), loadForecasts()]);
}

async function loadMembers() {
  const r = await api("GET", orgPath("/members"));
  if (!r.ok) return;
  const owner = org.role === "owner";
  $("#member-list").replaceChildren(...r.data.items.map((m) => {
    const who = m.email || m.sub;
    const li = el("li", m.sub === me.sub ? `${who} (you)` : who);
    li.dataset.sub = m.sub;
    if (!owner || m.sub === me.sub) {
      li.append(el("span", m.role, "badge"));
      return li;
    }
    const role = document.createElement("select");
    role.setAttribute("aria-label", `Role of ${who}`);
    role.append(...["staff", "manager", "owner"].map((x) => new Option(x, x)));
    role.value = m.role;
    role.addEventListener("change", async () => {
      const c = await api("PUT", orgPath(`/members/${m.sub}`), { role: role.value });
      if (!c.ok) { say(errorText(c), true); role.value = m.role; return; }
      say(`${who} is now ${c.data.role}.`);
      await loadMembers();
    });
    const remove = el("button", `Remove ${who}`);
    remove.type = "button";
    remove.addEventListener("click", async () => {
      const c = await api("DELETE", orgPath(`/members/${m.sub}`));
      if (!c.ok) { say(errorText(c), true); return; }
      say(`${who} removed.`);
      await loadMembers();
    });
    li.append(role, remove);
    return li;
  }));
}

// ---------------------------------------------------------------- catalogue
async function loadCatalogue() {
  const [products, locations, suppliers, customers] = await Promise.all(
    ["products", "locations", "suppliers", "customers"].map((k) => api("GET", orgPath(`/${k}`))));
  const items = (r) => (r.ok ? r.data.items : []);
  names = { product: {}, location: {}, supplier: {}, customer: {} };
  for (const p of items(products)) names.product[p.id] = p;
  for (const l of items(locations)) names.location[l.id] = l;
  for (const s of items(suppliers)) names.supplier[s.id] = s;
  for (const c of items(customers)) names.customer[c.id] = c;
  const options = (kind, label, none) => [...(none ? [new Option(none, "")] : []),
    ...Object.values(names[kind]).map((x) => new Option(label(x), x.id))];
  const fill = (select, kind, label, none) => {
    const keep = select.value;
    select.replaceChildren(...options(kind, label, none));
    if ([...select.options].some((o) => o.value === keep)) select.value = keep;
  };
  const productLabel = (p) => `${p.name} (${p.sku})`;
  fill($("#product-form").supplier_id, "supplier", (s) => s.name, "(no supplier)");
  for (const f of [$("#settings-form"), $("#movement-form")]) {
    fill(f.product_id, "product", productLabel);
    fill(f.location_id, "location", (l) => l.name);
  }
  fill($("#movement-form").to_location_id, "location", (l) => l.name);
  fill($("#movement-form").customer_id, "customer", (c) => c.name, "(walk-in)");
  fill($("#stock-location"), "location", (l) => l.name, "All locations");
  $("#location-names").textContent = Object.values(names.location).map((l) => l.name).join(", ") || "none yet";
  $("#supplier-names").textContent = Object.values(names.supplier).map((s) => s.name).join(", ") || "none yet";
  $("#customer-names").textContent = Object.values(names.customer).map((c) => c.name).join(", ") || "none yet";
  $("#product-table tbody").replaceChildren(...Object.values(names.product).map((p) => {
    const tr = el("tr");
    tr.dataset.sku = p.sku;
    tr.append(el("td", p.sku), el("td", p.name), el("td", `${p.price} ${p.currency}`));
    if (isManager()) tr.append(el("td", p.cost));
    tr.append(el("td", p.allow_backorder ? "yes" : "no"));
    return tr;
  }));
}

function catalogueForm(selector, path, body, done) {
  $(selector).addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const r = await api("POST", orgPath(path), body(f));
    if (!r.ok) { refuse(r, f); return; }
    say(done(r.data));
    f.reset();
    await loadCatalogue();
  });
}

// ---------------------------------------------------------------- stock and ledger
const productName = (id) => (names.product[id] ? names.product[id].name : id);
const locationName = (id) => (names.location[id] ? names.location[id].name : id);

async function loadStock() {
  const loc = $("#stock-location").value;
  const r = await api("GET", orgPath(`/stock${loc ? `?location_id=${loc}` : ""}`));
  if (!r.ok) return;
  $("#stock-table tbody").replaceChildren(...r.data.items.map((p) => {
    const tr = el("tr");
    tr.dataset.product = p.product_id;
    tr.dataset.location = p.location_id;
    const status = el("td");
    for (const flag of ["out", "low", "over"]) {
      if (p[flag]) status.append(el("span", flag, `badge ${flag}`));
    }
    if (!p.out && !p.low && !p.over) status.append(el("span", "ok", "badge ok"));
    tr.append(el("td", productName(p.product_id)), el("td", locationName(p.location_id)), el("td", p.on_hand, "on-hand"),
      el("td", p.backordered), el("td", qty(p.reorder_point)), status);
    if (isManager()) tr.append(el("td", p.value));
    return tr;
  }));
}

function movementText(m) {
  const where = m.kind === "transfer" ? `${locationName(m.location_id)} → ${locationName(m.to_location_id)}` : locationName(m.location_id);
  const what = m.kind === "adjust" ? `counted ${m.counted}` : `${m.direction < 0 ? "−" : "+"}${m.quantity}`;
  const extra = [m.backordered !== "0" ? `${m.backordered} backordered` : "", m.reason || "", m.reverses ? "reversal" : "",
    m.backorder_id ? "backorder filled" : "", m.cost ? `cost ${m.cost}` : ""].filter(Boolean).join(", ");
  return `${m.recorded_at.slice(0, 16).replace("T", " ")} ${m.kind} ${productName(m.product_id)} at ${where}: ${what}${extra ? ` (${extra})` : ""}`;
}

async function loadMovements() {
  const r = await api("GET", orgPath("/movements?limit=50"));
  if (!r.ok) return;
  $("#movement-list").replaceChildren(...r.data.items.map((m) => {
    const li = el("li", movementText(m));
    li.dataset.kind = m.kind;
    if (isManager() && !m.reverses && !m.backorder_id) {
      const b = el("button", "Reverse");
      b.type = "button";
      b.addEventListener("click", () => record({ kind: "reversal", reverses: m.id }));
      li.append(b);
    }
    return li;
  }));
}

async function loadBackorders() {
  const r = await api("GET", orgPath("/backorders"));
  if (!r.ok) return;
  $("#backorder-list").replaceChildren(...r.data.items.map((b) => {
    const li = el("li", `${b.customer_name}: ${b.filled} of ${b.quantity} × ${productName(b.product_id)} at ${locationName(b.location_id)}`);
    li.append(el("span", b.status, `badge ${b.status}`));
    li.dataset.status = b.status;
    return li;
  }));
}

async function loadReports() {
  const exp = await api("GET", orgPath("/reports/expiring?days=30"));
  if (exp.ok) {
    $("#expiring-list").replaceChildren(...exp.data.items.map((x) =>
      el("li", `${productName(x.product_id)} lot ${x.lot} at ${locationName(x.location_id)}: ${x.quantity}, ${x.expired ? "expired" : "expires"} ${x.expiry}`)));
  }
  if (isManager()) {
    const val = await api("GET", orgPath("/reports/valuation"));
    if (val.ok) $("#valuation-total").textContent = val.data.total;
  }
}

async function refreshAll() {
  await Promise.all([loadStock(), loadMovements(), loadBackorders(), loadOrders(), loadReports()]);
  pollCharts();
}

function movementBody(f) {
  const kind = f.kind.value;
  const body = { kind, product_id: f.product_id.value, location_id: f.location_id.value };
  const wants = (name) => f.elements.namedItem(name).closest("label").dataset.kinds.split(" ").includes(kind);
  for (const name of ["quantity", "counted", "unit_cost", "lot", "expiry", "reason", "customer_id", "price", "to_location_id"]) {
    const v = f.elements.namedItem(name).value.trim();
    if (v && wants(name)) body[name] = v;
  }
  return body;
}

async function record(body, form) {
  const r = await api("PUT", orgPath(`/movements/${crypto.randomUUID()}`), body);
  if (!r.ok) { refuse(r, form); return false; }
  const m = r.data.movement;
  noteWrite(m.recorded_at);
  if (form) for (const name of ["quantity", "counted", "lot", "expiry", "price"]) form.elements.namedItem(name).value = "";
  say(`Recorded: ${movementText(m)}.`);
  await refreshAll();
  return true;
}

function showKindFields() {
  const f = $("#movement-form");
  for (const label of f.querySelectorAll("label[data-kinds]")) {
    label.hidden = !label.dataset.kinds.split(" ").includes(f.kind.value);
  }
}

// ---------------------------------------------------------------- purchasing
async function loadOrders() {
  const r = await api("GET", orgPath("/purchase-orders"));
  if (!r.ok) return;
  $("#po-list").replaceChildren(...r.data.items.map((po) => {
    const supplier = names.supplier[po.supplier_id] ? names.supplier[po.supplier_id].name : po.supplier_id;
    const lines = po.lines.map((ln) => `${ln.quantity} × ${productName(ln.product_id)}${ln.received !== "0" ? ` (${ln.received} received)` : ""}`).join(", ");
    const li = el("li", `${supplier} → ${locationName(po.location_id)}: ${lines}`);
    li.dataset.status = po.status;
    li.dataset.supplier = po.supplier_id;
    li.dataset.location = po.location_id;
    li.append(el("span", po.status, `badge ${po.status}`));
    const act = (label, fn) => { const b = el("button", label); b.type = "button"; b.addEventListener("click", fn); li.append(b); };
    if (po.status === "draft" && isManager()) {
      act("Approve", async () => {
        const a = await api("POST", orgPath(`/purchase-orders/${po.id}/approve`), { version: po.version });
        if (!a.ok) { say(errorText(a), true); return; }
        say("Approved: the supplier has been emailed the order.");
        await loadOrders();
      });
    }
    if (po.status === "approved") {
      act("Receive all", async () => {
        const lines = po.lines.map((ln) => ({ product_id: ln.product_id,
          quantity: String(Number(ln.quantity) - Number(ln.received)) })).filter((ln) => Number(ln.quantity) > 0);
        const a = await api("POST", orgPath(`/purchase-orders/${po.id}/receive`), { receipt_id: crypto.randomUUID(), lines });
        if (!a.ok) { say(errorText(a), true); return; }
        noteWrite(a.data.updated_at);
        say("Received into stock.");
        await refreshAll();
      });
    }
    return li;
  }));
}

// ---------------------------------------------------------------- charts
const PALETTE = ["#2764c5", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085"];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function noteWrite(iso) {
  const at = Date.parse(iso || "");
  if (!Number.isNaN(at)) { skew = at - Date.now(); chartWanted = Math.max(chartWanted, at); }
}

function draw(key, cfg) {
  if (!window.Chart) return;
  if (charts[key]) charts[key].destroy();
  charts[key] = new window.Chart($(`#${key}-chart`), cfg);
}

async function loadCharts() {
  const r = await api("GET", orgPath("/insights/inventory"));
  if (!r.ok) { $("#chart-status").textContent = errorText(r); return null; }
  const doc = r.data;
  $("#chart-status").textContent = doc.generated_at ? `Updated ${doc.generated_at.slice(0, 19).replace("T", " ")} UTC` : "No data yet.";
  const days = doc.days.slice(-30);
  const opts = (title) => ({ responsive: true, maintainAspectRatio: false, animation: false, plugins: { title: { display: true, text: title } } });
  draw("sales", { type: "bar", data: { labels: days.map((d) => d.slice(5)), datasets: [
    { label: "Units sold", backgroundColor: PALETTE[0], data: doc.sales.slice(-30).map(Number) },
    { type: "line", label: "Revenue", borderColor: PALETTE[2], data: doc.revenue.slice(-30).map(Number), yAxisID: "y1" }] },
  options: { ...opts("Sales by day"), scales: { y1: { position: "right", grid: { drawOnChartArea: false } } } } });
  draw("top", { type: "bar", data: { labels: doc.top_sellers.map((t) => t.name), datasets: [
    { label: "Units this month", backgroundColor: PALETTE[1], data: doc.top_sellers.map((t) => Number(t.quantity)) }] },
  options: { ...opts("Top sellers this month"), indexAxis: "y" } });
  const reasons = Object.keys(doc.waste);
  draw("waste", { type: "doughnut", data: { labels: reasons, datasets: [
    { data: reasons.map((k) => Number(doc.waste[k])), backgroundColor: reasons.map((_, i) => PALETTE[i % PALETTE.length]) }] },
  options: opts("Waste by reason (units, this year)") });
  if (doc.costs) {
    draw("value", { type: "line", data: { labels: days.map((d) => d.slice(5)), datasets: [
      { label: `Stock value (${doc.currency})`, borderColor: PALETTE[3], data: doc.costs.stock_value.slice(-30).map(Number) }] },
    options: opts("Stock value over time") });
  }
  document.body.dataset.chartGenerated = doc.generated_at || "";
  return doc;
}

let pollUntil = 0;
let polling = false;
async function pollCharts() {
  // The stream updates the charts a moment after a write: poll until they include it (about 15 s).
  pollUntil = Date.now() + 15000;
  if (polling) return;
  polling = true;
  try {
    for (let i = 0; Date.now() < pollUntil; i++) {
      await sleep(i === 0 ? 800 : 1500);
      const doc = await loadCharts();
      if (doc && Date.parse(doc.generated_at || "") >= chartWanted) return;
    }
  } finally { polling = false; }
}

async function loadForecasts() {
  const r = await api("GET", orgPath("/forecasts"));
  forecastDoc = r.ok ? r.data : { series: [] };
  const select = $("#forecast-series");
  select.replaceChildren(...forecastDoc.series.map((s, i) => new Option(`${s.product} at ${s.location}`, String(i))));
  drawForecast();
}

function drawForecast() {
  const s = forecastDoc && forecastDoc.series[Number($("#forecast-series").value || 0)];
  if (!s) { $("#forecast-summary").textContent = "No forecast yet: the hourly job makes one."; return; }
  $("#forecast-summary").textContent = `${s.method}: ${s.days_of_cover === null ? "no demand expected" : `${s.days_of_cover} days of cover`}` +
    `${s.stockout_date ? `, out of stock around ${s.stockout_date}` : ""}; suggested reorder point ${s.suggested_reorder_point}` +
    ` (${Number(s.service_level) * 100}% service, ${s.lead_time_days} days lead time)`;
  const labels = [...s.past_days, ...s.days].map((d) => d.slice(5));
  const pad = (n) => Array(n).fill(null);
  draw("forecast", { type: "line", data: { labels, datasets: [
    { label: "Actual", borderColor: PALETTE[0], data: [...s.actual.map(Number), ...pad(s.days.length)] },
    { label: "Forecast then", borderColor: PALETTE[1], borderDash: [4, 4], data: [...s.backtest.map(Number), ...pad(s.days.length)] },
    { label: "Forecast", borderColor: PALETTE[2], data: [...pad(s.past_days.length), ...s.forecast.map(Number)] }] },
  options: { responsive: true, maintainAspectRatio: false, animation: false,
    plugins: { title: { display: true, text: "Daily demand: actual and forecast" } } } });
}

// ---------------------------------------------------------------- wiring
async function main() {
  config = await (await fetch("config.json")).json();
  if (!session) { showSignedOut(); return; }
  $("#inventory").hidden = false;
  $("#org-picker").addEventListener("change", () => loadOrgs($("#org-picker").value));
  $("#org-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const r = await api("POST", "/orgs", { name: f.name.value.trim() });
    if (!r.ok) { refuse(r, f); return; }
    f.reset();
    say(`Organisation ${r.data.name} created: you are its owner.`);
    await loadOrgs(r.data.org_id);
  });
  $("#invite-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const r = await api("POST", orgPath("/invitations"), { email: f.email.value.trim(), role: f.role.value });
    if (!r.ok) { refuse(r, f); return; }
    f.reset();
    say(`Invitation emailed to ${r.data.email}.`);
  });
  catalogueForm("#location-form", "/locations", (f) => ({ name: f.name.value.trim(), kind: f.kind.value }),
    (d) => `Location ${d.name} added.`);
  catalogueForm("#supplier-form", "/suppliers", (f) => ({ name: f.name.value.trim(), email: f.email.value.trim(),
    lead_time_days: Number(f.lead_time_days.value) }), (d) => `Supplier ${d.name} added.`);
  catalogueForm("#customer-form", "/customers", (f) => ({ name: f.name.value.trim(), email: f.email.value.trim() }),
    (d) => `Customer ${d.name} added.`);
  catalogueForm("#product-form", "/products", (f) => ({ sku: f.sku.value.trim(), name: f.name.value.trim(),
    price: f.price.value.trim(), cost: f.cost.value.trim(), currency: f.currency.value.trim().toUpperCase(),
    supplier_id: f.supplier_id.value || null, allow_backorder: f.allow_backorder.checked }), (d) => `Product ${d.name} added.`);
  $("#settings-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const level = (name) => f.elements.namedItem(name).value.trim() || null;
    const r = await api("PUT", orgPath(`/stock/${f.product_id.value}/${f.location_id.value}/settings`), {
      reorder_point: level("reorder_point"), reorder_quantity: level("reorder_quantity"), max_quantity: level("max_quantity") });
    if (!r.ok) { refuse(r, f); return; }
    say(`Reorder settings saved for ${productName(r.data.product_id)} at ${locationName(r.data.location_id)}.`);
    await loadStock();
  });
  $("#movement-form").kind.addEventListener("change", showKindFields);
  $("#movement-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    await record(movementBody(ev.target), ev.target);
  });
  $("#stock-location").addEventListener("change", loadStock);
  $("#forecast-series").addEventListener("change", drawForecast);
  showKindFields();
  const profile = await api("GET", "/me");
  if (!profile.ok) { showSignedOut(); return; }
  me = profile.data;
  await loadOrgs();
}

main().catch((e) => say(String(e), true));
