// The shop's returns (staff): receive what came back, then settle each line (restock: a return movement
// puts its units back where the order left from; scrap: damaged or defective, no stock back) and record
// the refund. Owners and managers settle and reject; every member receives.
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { pageError } from "../core/errors.js";
import { Field, Form, useForm, useLoad, say } from "../core/ui.jsx";
import { MANAGERS, OrgPicker, useShopOrg } from "./context.jsx";
import { returnNumber } from "./storefront-data.js";

const WORDS = { requested: "Requested", received: "Received", refunded: "Refunded", rejected: "Rejected" };
const REASON_WORDS = { damaged: "Arrived damaged", defective: "Does not work", wrong_item: "Wrong item",
  not_as_described: "Not as described", no_longer_needed: "No longer needed", other: "Other" };

function Resolve({ org, ret, done }) {
  const form = useForm({ refund: "refund" });
  const settle = async (f) => {
    const lines = ret.lines.map((l, i) => {
      const v = f[`outcome-${i}`].value;
      return v === "restock" ? { product_id: l.product_id, outcome: "restock" }
        : { product_id: l.product_id, outcome: "scrap", reason: v.replace("scrap-", "") };
    });
    const r = await api("POST", `/orgs/${org.org_id}/shop/returns/${ret.id}/resolve`, {
      version: ret.version, lines, refund: f.refund.value.trim(), note: f.note.value.trim() });
    if (!r.ok) return form.fail(r);
    form.ok(`Return ${returnNumber(ret.id)} settled: ${r.data.refund} ${r.data.currency} refunded.`);
    done();
  };
  return (
    <Form form={form} onSubmit={settle} class="resolve-form" aria-label={`Settle return ${returnNumber(ret.id)}`}>
      {ret.lines.map((l, i) => (
        <Field as="select" label={`${l.quantity} × ${l.name}`} name={`outcome-${i}`}>
          <option value="restock">Restock (back to stock)</option>
          <option value="scrap-damaged">Scrap: damaged</option>
          <option value="scrap-defective">Scrap: defective</option>
        </Field>
      ))}
      <Field label={`Refund (${ret.currency}, at most ${ret.max_refund})`} name="refund" init={ret.max_refund} inputmode="decimal" required
        data-required="Enter the amount refunded (0 for none)." />
      <Field label="Note to the customer (optional)" name="note" maxlength="1000" />
      <button type="submit" class="resolve">Settle and refund</button>
    </Form>
  );
}

function ReturnItem({ org, ret, reload }) {
  const [busy, setBusy] = useState(false);
  const manager = MANAGERS.includes(org.role);
  const step = async (what) => {
    setBusy(true);
    const r = await api("POST", `/orgs/${org.org_id}/shop/returns/${ret.id}/${what}`, { version: ret.version });
    setBusy(false);
    if (!r.ok) return say(pageError(r), { error: true });
    say(what === "receive" ? "Marked as received." : "Return rejected.");
    reload();
  };
  return (
    <li class="return-item" data-id={ret.id} data-status={ret.status}>
      <div class="section-head">
        <h3>Return {returnNumber(ret.id)} · order {ret.order_number}</h3>
        <span class="badge">{WORDS[ret.status]}</span>
      </div>
      <p class="muted">{ret.customer_name || ret.customer_email} · {REASON_WORDS[ret.reason] || ret.reason}
        {ret.note ? ` · “${ret.note}”` : ""} · {new Date(ret.created_at).toLocaleDateString()}</p>
      <ul>
        {ret.lines.map((l) => (
          <li>{l.quantity} × {l.name} <span class="muted">({l.unit_price} {ret.currency} each)</span>
            {l.outcome && <strong> · {l.outcome === "restock" ? "restocked" : `scrapped (${l.scrap_reason})`}</strong>}</li>
        ))}
      </ul>
      {ret.refund !== null && <p>Refunded <strong>{ret.refund} {ret.currency}</strong></p>}
      <div class="actions">
        {ret.status === "requested" && <button type="button" class="small receive" disabled={busy} onClick={() => step("receive")}>Mark received</button>}
        {manager && ["requested", "received"].includes(ret.status) && (
          <button type="button" class="small secondary outline reject" disabled={busy} onClick={() => step("reject")}>Reject</button>)}
      </div>
      {manager && ret.status === "received" && <Resolve org={org} ret={ret} done={reload} />}
    </li>
  );
}

export function ReturnsPage() {
  const [orgs, org, choose] = useShopOrg();
  const [status, setStatus] = useState("");
  const [r, reload] = useLoad(async () => (org ? api("GET", `/orgs/${org.org_id}/shop/returns${status ? `?status=${status}` : ""}`) : null),
    [org && org.org_id, status]);
  if (!orgs) return <p aria-busy="true">Loading…</p>;
  if (!org) return <p class="empty">Join or create an organisation to run a shop.</p>;
  return (
    <>
      <div class="filters">
        <OrgPicker orgs={orgs} org={org} choose={choose} />
        <div class="filter">
          <label for="return-status">Show</label>
          <select id="return-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">All returns</option>
            {Object.entries(WORDS).map(([v, t]) => <option value={v}>{t}</option>)}
          </select>
        </div>
      </div>
      {r === null ? <p aria-busy="true">Loading returns…</p>
        : !r.ok ? <p class="notice over">{pageError(r)}</p>
          : r.data.items.length === 0 ? <p class="empty" id="no-returns">No returns{status ? ` ${WORDS[status].toLowerCase()}` : ""}.</p>
            : <ul class="returns-list" id="returns-list">{r.data.items.map((x) => <ReturnItem org={org} ret={x} reload={reload} />)}</ul>}
    </>
  );
}

export function ShopInsightsPage() {
  const [orgs, org, choose] = useShopOrg();
  const [r] = useLoad(async () => (org ? api("GET", `/orgs/${org.org_id}/shop/insights`) : null), [org && org.org_id]);
  if (!orgs) return <p aria-busy="true">Loading…</p>;
  if (!org) return <p class="empty">Join or create an organisation to run a shop.</p>;
  const pct = (x) => (x === null ? "–" : `${(Number(x) * 100).toFixed(1)} %`);
  return (
    <>
      <OrgPicker orgs={orgs} org={org} choose={choose} />
      {r === null ? <p aria-busy="true">Loading…</p> : !r.ok ? <p class="notice over">{pageError(r)}</p> : (
        <>
          <p>Return rate <strong id="return-rate">{pct(r.data.return_rate)}</strong> · {r.data.returned} of {r.data.sold} units
            {Object.entries(r.data.refunded).map(([c, a]) => ` · ${a} ${c} refunded`)}</p>
          <div class="table-wrap">
            <table id="return-rates">
              <caption class="visually-hidden">Return rate per product</caption>
              <thead><tr><th scope="col">Product</th><th scope="col">Sold</th><th scope="col">Returned</th><th scope="col">Rate</th></tr></thead>
              <tbody>{r.data.products.map((p) => (
                <tr data-id={p.product_id}><th scope="row">{p.name}</th><td>{p.sold}</td><td>{p.returned}</td><td>{pct(p.return_rate)}</td></tr>
              ))}</tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
