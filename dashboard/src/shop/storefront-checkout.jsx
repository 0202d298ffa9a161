// The cart and the checkout: pickup at a store or delivery, a guest's email; the order is placed with a
// client-chosen id (a retry places it once), then its page opens with its signed token.
import { useEffect, useState } from "preact/hooks";
import { Check, Field, Form, useForm, useLoad } from "../core/ui.jsx";
import { cart, knownStores, price, publicApi, saveCart } from "./storefront-data.js";
import { shopper, shopperApi } from "./storefront-account.jsx";
import { contactChecks, PhoneField } from "./storefront-contact.jsx";


export function CartPage({ handle }) {
  const [lines, setLines] = useState(cart(handle));
  useEffect(() => {
    const changed = () => setLines(cart(handle));
    addEventListener("tally-cart", changed);
    return () => removeEventListener("tally-cart", changed);
  }, [handle]);
  const [shop] = useLoad(() => publicApi("GET", `/shops/${handle}`), [handle]);
  const [orderId] = useState(() => crypto.randomUUID()); // one id per checkout: a retry places it once
  const [fulfilment, setFulfilment] = useState("pickup");
  const [texts, setTexts] = useState(false);
  const form = useForm({ "lines": "lines", location_id: "location_id" });
  const set = (i, q) => {
    const next = lines.map((l, j) => (j === i ? { ...l, quantity: q } : l)).filter((l) => l.quantity > 0);
    saveCart(handle, next);
  };
  if (!lines.length) return <p class="empty" id="cart-empty">Your cart is empty. <a href={`#/s/${handle}`}>Browse the shop</a>.</p>;
  const currency = lines[0].currency;
  const total = lines.reduce((t, l) => t + Number(l.final_price) * l.quantity, 0);
  const stores = knownStores(handle);
  const pickup = shop && shop.ok ? shop.data.pickup_location_ids : [];
  const delivers = shop && shop.ok && shop.data.delivers;
  const who = shopper(); // signed in: the order goes under the account, to its email
  const place = async (f) => {
    const body = {
      order_id: orderId, fulfilment, name: f.name.value.trim(),
      lines: lines.map((l) => ({ product_id: l.product_id, quantity: String(l.quantity) })),
    };
    if (!who) body.email = f.email.value.trim();
    if (texts) { body.phone = f.phone.value.trim(); body.sms_opt_in = true; }
    if (fulfilment === "pickup") body.location_id = f.location_id.value;
    else body.address = f.address.value.trim();
    const r = who ? await shopperApi("POST", `/shops/${handle}/customer/orders`, body)
      : await publicApi("POST", `/shops/${handle}/orders`, body);
    if (!r.ok) return form.fail(r);
    if (who) { // their order's page needs no token: the API checks it is theirs
      saveCart(handle, []);
      form.ok(`Thank you: your order is placed. We sent you an email${texts ? " and a text" : ""}.`);
      location.hash = `/s/${handle}/order?id=${r.data.id}`;
      return;
    }
    // the order's page needs its token: the lookup gives it for the number and email just used
    const found = await publicApi("POST", `/shops/${handle}/order-lookup`, { order_number: r.data.id, email: body.email });
    saveCart(handle, []);
    form.ok(`Thank you: your order is placed. We sent you an email${texts ? " and a text" : ""}.`);
    location.hash = found.ok ? `/s/${handle}/order?id=${r.data.id}&t=${encodeURIComponent(found.data.token)}`
      : `/s/${handle}/find`;
  };
  return (
    <>
      <ul class="cart-lines" id="cart">
        {lines.map((l, i) => (
          <li data-id={l.product_id}>
            <span class="what">{l.name}</span>
            <label class="visually-hidden" for={`q-${l.product_id}`}>Quantity of {l.name}</label>
            <input id={`q-${l.product_id}`} type="number" min="0" max="99" value={l.quantity} class="qty"
              onChange={(e) => set(i, Math.max(0, Math.min(99, Number(e.currentTarget.value) || 0)))} />
            <span class="amount">{price(Number(l.final_price) * l.quantity, l.currency)}</span>
          </li>
        ))}
      </ul>
      <p class="cart-total">Total <strong id="cart-total">{price(total, currency)}</strong></p>
      <section aria-labelledby="checkout-title">
        <h2 id="checkout-title">Checkout</h2>
        <Form id="checkout-form" form={form} onSubmit={place}
          checks={contactChecks}>
          <fieldset>
            <legend>How do you want it?</legend>
            <label class="check"><input type="radio" name="fulfilment" value="pickup" checked={fulfilment === "pickup"}
              onChange={() => setFulfilment("pickup")} /> Pick up at a store</label>
            {delivers && <label class="check"><input type="radio" name="fulfilment" value="delivery" checked={fulfilment === "delivery"}
              onChange={() => setFulfilment("delivery")} /> Deliver to my address</label>}
          </fieldset>
          <Field as="select" label="Pickup store" name="location_id" hidden={fulfilment !== "pickup"} init={pickup[0] || ""}>
            {pickup.map((id) => <option value={id}>{stores[id] || "Store"}</option>)}
          </Field>
          <Field as="textarea" label="Delivery address" name="address" rows="2" maxlength="500"
            hidden={fulfilment !== "delivery"} required={fulfilment === "delivery"} data-required="Enter the address to deliver to." />
          {who ? <p id="ordering-as">Ordering as <strong>{who.email}</strong>: the order's news goes there.</p>
            : <Field label="Email" name="email" type="email" autocomplete="email" required data-required="Enter your email: we send the order's news there." />}
          <Field label="Name" name="name" autocomplete="name" maxlength="120" init={who ? who.name || "" : undefined} />
          <Check label="Also text me when my order moves on" name="sms_opt_in" checked={texts}
            onChange={(e) => setTexts(e.currentTarget.checked)} />
          <PhoneField shown={texts} />
          {/* the shop's pickup stores and delivery come first: until then there is nothing to choose from */}
          <button type="submit" id="place-order" disabled={!(shop && shop.ok)} aria-busy={shop === null ? "true" : undefined}>
            Place order · {price(total, currency)}</button>
          {shop && !shop.ok && <p class="notice over" role="alert">The shop could not be reached: try again in a moment.</p>}
        </Form>
      </section>
    </>
  );
}
