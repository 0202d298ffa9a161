// A shopper's order: found by its number and email (or opened from the signed link in its emails), its
// status, and a return request for what can still be returned within the shop's window.
import { useState } from "preact/hooks";
import { pageError } from "../core/errors.js";
import { Field, Form, useForm, useLoad } from "../core/ui.jsx";
import { longDate, price, publicApi, REASONS, RETURN_WORDS, STATUS_WORDS } from "./storefront-data.js";
import { shopper, shopperApi } from "./storefront-account.jsx";

export function FindOrderPage({ handle }) {
  const form = useForm();
  const find = async (f) => {
    const r = await publicApi("POST", `/shops/${handle}/order-lookup`, {
      order_number: f.order_number.value.trim(), email: f.email.value.trim() });
    if (!r.ok) return form.fail(r);
    form.ok("");
    location.hash = `/s/${handle}/order?id=${r.data.order.id}&t=${encodeURIComponent(r.data.token)}`;
  };
  return (
    <Form id="find-order-form" form={form} onSubmit={find}
      checks={{ order_number: (v) => (/^#?[0-9a-f]{8}/i.test(v) ? null : "Enter the 8 characters of the order number in your email.") }}>
      <p>Enter your order number (in your order's emails) and the email you ordered with.</p>
      <Field label="Order number" name="order_number" autocomplete="off" autocapitalize="characters" maxlength="37" required
        data-required="Enter your order number." />
      <Field label="Email" name="email" type="email" autocomplete="email" required data-required="Enter your email." />
      <button type="submit">Find my order</button>
    </Form>
  );
}

function ReturnForm({ handle, view, reload, mine }) {
  const form = useForm({ "lines.0.quantity": "qty-0", lines: "qty-0" });
  const [returnId] = useState(() => crypto.randomUUID());
  const open = view.returnable.filter((l) => Number(l.returnable) > 0);
  if (!open.length) return null;
  const ask = async (f) => {
    const lines = open.map((l, i) => ({ product_id: l.product_id, quantity: f[`qty-${i}`].value }))
      .filter((l) => Number(l.quantity) > 0);
    if (!lines.length) return form.show("qty-0", "Choose how many to return.");
    const body = { return_id: returnId, order_id: view.order.id, lines, reason: f.reason.value, note: f.note.value.trim() };
    const r = mine ? await shopperApi("POST", `/shops/${handle}/customer/returns`, body)
      : await publicApi("POST", `/shops/${handle}/returns`, { ...body, token: view.token });
    if (!r.ok) return form.fail(r);
    form.ok("Your return request is sent. We emailed you what happens next.");
    reload();
  };
  return (
    <section aria-labelledby="return-title" id="return-request">
      <h2 id="return-title">Return items</h2>
      <p class="muted">Until {longDate(view.return_by.slice(0, 10))}.</p>
      <Form id="return-form" form={form} onSubmit={ask}>
        {open.map((l, i) => (
          <Field as="select" label={`${l.name}: how many to return`} name={`qty-${i}`} data-product={l.product_id}>
            {Array.from({ length: Number(l.returnable) + 1 }, (_, n) => <option value={n}>{n}</option>)}
          </Field>
        ))}
        <Field as="select" label="Why?" name="reason">
          {REASONS.map(([v, t]) => <option value={v}>{t}</option>)}
        </Field>
        <Field as="textarea" label="Anything to add (optional)" name="note" rows="2" maxlength="1000" />
        <button type="submit" id="ask-return">Ask for a return</button>
      </Form>
    </section>
  );
}

export function OrderPage({ handle, params }) {
  const id = params.get("id") || "";
  const token = params.get("t") || "";
  // the link's token (a guest), else the signed-in shopper's own order
  const mine = !token && Boolean(shopper());
  const [r, reload] = useLoad(() => (mine ? shopperApi("GET", `/shops/${handle}/customer/orders/${id}/returns`)
    : publicApi("GET", `/shops/${handle}/orders/${id}?token=${encodeURIComponent(token)}`)), [handle, id, token]);
  if (r === null) return <p aria-busy="true">Loading your order…</p>;
  if (!r.ok) return <p class="notice over" id="order-problem">{pageError(r)} <a href={`#/s/${handle}/find`}>Find your order</a>.</p>;
  const v = r.data;
  const o = v.order;
  return (
    <>
      <section aria-labelledby="order-title" id="order" data-status={o.status}>
        <h2 id="order-title">Order {v.order_number}</h2>
        <p class="order-status" id="order-status"><strong>{STATUS_WORDS[o.status] || o.status}</strong>
          {" · "}{o.fulfilment === "pickup" ? "Pick up" : `Delivery to ${o.address}`}</p>
        <ul class="cart-lines">
          {o.lines.map((l) => (
            <li><span class="what">{l.quantity} × {l.name}</span>
              <span class="amount">{price(Number(l.unit_price) * Number(l.quantity), o.currency)}</span></li>
          ))}
        </ul>
        <p class="cart-total">Total <strong>{price(o.total, o.currency)}</strong></p>
        <details><summary>History</summary>
          <ol>{o.history.map((h) => <li>{STATUS_WORDS[h.status] || h.status} · {new Date(h.at).toLocaleString()}</li>)}</ol>
        </details>
      </section>
      {v.returns.length > 0 && (
        <section aria-labelledby="returns-title" id="returns">
          <h2 id="returns-title">Your returns</h2>
          <ul class="cart-lines">
            {v.returns.map((x) => (
              <li data-id={x.id} data-status={x.status}>
                <span class="what">{x.lines.map((l) => `${l.quantity} × ${l.name}`).join(", ")}</span>
                <span class="amount">{RETURN_WORDS[x.status]}{x.refund ? ` · ${price(x.refund, x.currency)}` : ""}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {v.return_by && <ReturnForm handle={handle} view={v} reload={reload} mine={mine} />}
    </>
  );
}
