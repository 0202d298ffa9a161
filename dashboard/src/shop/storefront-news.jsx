// The storefront's news: follow the shop, a category or a brand for new products (by email or text; the
// email's link confirms it: double opt-in), and "notify me" on a product out of stock everywhere (one
// message when it is back). Both are public API calls; nothing is kept in the browser.
import { useState } from "preact/hooks";
import { Field, Form, useForm } from "../core/ui.jsx";
import { contactChecks, PhoneField } from "./storefront-contact.jsx";
import { publicApi } from "./storefront-data.js";

function Channel({ channel, setChannel, name }) {
  return (
    <fieldset>
      <legend>How should we tell you?</legend>
      <label class="check"><input type="radio" name={name} value="email" checked={channel === "email"}
        onChange={() => setChannel("email")} /> Email me</label>
      <label class="check"><input type="radio" name={name} value="sms" checked={channel === "sms"}
        onChange={() => setChannel("sms")} /> Text me</label>
    </fieldset>
  );
}

/** Follow this shop's new products: the whole shop, one category or a brand (`brands` from the index). */
export function FollowForm({ handle, index, category, brand }) {
  const form = useForm({ category: "what", brand: "what", kind: "what" });
  const [channel, setChannel] = useState("email");
  const [done, setDone] = useState(null);
  const start = category ? `category:${category}` : brand ? `brand:${brand}` : "shop";
  const brands = [...new Set((index.products || []).map((p) => p.brand).filter(Boolean))].sort();
  const follow = async (f) => {
    const [kind, ...rest] = f.what.value.split(":");
    const body = { kind, channel, email: f.email.value.trim() };
    if (kind === "category") body.category = rest.join(":");
    if (kind === "brand") body.brand = rest.join(":");
    if (channel === "sms") body.phone = f.phone.value.trim();
    const r = await publicApi("POST", `/shops/${handle}/follows`, body);
    if (!r.ok) return form.fail(r);
    form.ok("");
    setDone(r.data.status === "confirmed" ? "You already follow this: nothing more to do."
      : `Almost done: open the email we sent to ${body.email} and confirm.`);
  };
  return (
    <section aria-labelledby="follow-title" class="shop-news" id="follow">
      <h2 id="follow-title">New products, first</h2>
      <p class="muted">One message on launch day, at most one a day; every message has a link to stop them.</p>
      <Form id="follow-form" form={form} onSubmit={follow} checks={contactChecks}>
        <Field as="select" label="News of" name="what" init={start}>
          <option value="shop">Everything at {index.name}</option>
          {(index.categories || []).map((c) => <option value={`category:${c.slug}`}>{c.name}</option>)}
          {brands.map((b) => <option value={`brand:${b}`}>{b} (brand)</option>)}
        </Field>
        <Channel channel={channel} setChannel={setChannel} name="follow-channel" />
        <Field label="Email" name="email" type="email" autocomplete="email" required
          hint="We send the confirmation link here." data-required="Enter your email: the confirmation link goes there." />
        <PhoneField shown={channel === "sms"} />
        <button type="submit" id="follow-button">Follow</button>
      </Form>
      {done && <p class="notice" id="follow-done" role="status">{done}</p>}
    </section>
  );
}

/** "Notify me": one message when this product is back in stock somewhere. */
export function NotifyMe({ handle, productId, name }) {
  const form = useForm({});
  const [channel, setChannel] = useState("email");
  const [done, setDone] = useState(false);
  const notify = async (f) => {
    const body = { channel };
    if (channel === "sms") body.phone = f.phone.value.trim();
    else body.email = f.email.value.trim();
    const r = await publicApi("POST", `/shops/${handle}/products/${productId}/notify`, body);
    if (!r.ok) return form.fail(r);
    form.ok("");
    setDone(true);
  };
  if (done) return <p class="notice" id="notify-done" role="status">We will tell you once, when {name} is back.</p>;
  return (
    <section aria-labelledby="notify-title" class="shop-news" id="notify">
      <h3 id="notify-title">Out of stock: tell me when it is back</h3>
      <Form id="notify-form" form={form} onSubmit={notify} checks={contactChecks}>
        <Channel channel={channel} setChannel={setChannel} name="notify-channel" />
        <Field label="Email" name="email" type="email" autocomplete="email" hidden={channel !== "email"}
          required={channel === "email"} data-required="Enter your email: we write once when it is back." />
        <PhoneField shown={channel === "sms"} />
        <button type="submit" id="notify-button">Notify me</button>
      </Form>
    </section>
  );
}
