// A shopper's account on the storefront (#/s/<handle>/account): sign in or create an account (Tally's
// Cognito user pool, the same sign-in as the dashboard's; the token lives in this tab's sessionStorage,
// never in a URL), then their orders at this shop. Signed in, the checkout orders under the account and
// an order's page and its returns need no link token (the API checks the order is theirs).
import { useState } from "preact/hooks";
import { api, signedIn } from "../core/api.js";
import { pageError } from "../core/errors.js";
import { signIn, signOut } from "../core/session.js";
import { cachedProfile, getProfile } from "../core/state.js";
import { Field, Form, say, useForm, useLoad } from "../core/ui.jsx";
import { ConfirmCodeForm, SignInForm } from "../auth/forms.jsx";
import { orderNumber, price, ready, STATUS_WORDS } from "./storefront-data.js";

/** The signed-in shopper's profile ({email, name, ...}), or null. */
export const shopper = () => (signedIn() ? getProfile() || cachedProfile() : null);

/** An API call as the signed-in shopper: {status, ok, data}. */
export async function shopperApi(method, path, body) {
  await ready();
  return api(method, path, body);
}

function SignInUp({ done }) {
  const upForm = useForm();
  const [confirming, setConfirming] = useState(null);
  const enter = async (email, password, form) => {
    await ready();
    const refused = await signIn(email, password);
    if (refused) return form.fail(refused);
    done(shopper());
  };
  return (
    <div class="grid auth-grid" id="account-sign-in">
      <section aria-labelledby="shop-sign-in-title">
        <h2 id="shop-sign-in-title">Sign in</h2>
        <SignInForm id="shop-sign-in-form" before={ready} then={() => done(shopper())} />
      </section>
      <section aria-labelledby="shop-sign-up-title">
        <h2 id="shop-sign-up-title">New here? Create an account</h2>
        <p class="muted">Your orders in one place, and no order number to look up.</p>
        {!confirming ? (
          <Form id="shop-sign-up-form" form={upForm} checks={{ password: (v) => (v.length < 8 ? "Use at least 8 characters." : null) }}
            onSubmit={async (f) => {
              await ready();
              const who = { email: f.email.value.trim(), password: f.password.value };
              const r = await api("POST", "/auth/sign-up", { ...who, name: f.name.value.trim() });
              if (!r.ok) return upForm.fail(r);
              if (r.data.confirmed) return enter(who.email, who.password, upForm);
              setConfirming(who);
              say("We emailed you a code: enter it to confirm your account.");
            }}>
            <Field label="Name" name="name" autocomplete="name" maxlength="120" />
            <Field label="Email" name="email" type="email" autocomplete="email" required data-required="Enter your email address." />
            <Field label="Password" name="password" type="password" autocomplete="new-password" required
              hint="At least 8 characters." data-required="Choose a password of at least 8 characters." />
            <button type="submit">Create account</button>
          </Form>
        ) : (
          <ConfirmCodeForm id="shop-confirm-form" email={confirming.email}
            then={(form) => enter(confirming.email, confirming.password, form)} />
        )}
      </section>
    </div>
  );
}

function MyOrders({ handle, who, leave }) {
  const [r] = useLoad(() => shopperApi("GET", `/shops/${handle}/customer/orders`), [handle, who.email]);
  return (
    <>
      <p>Signed in as <strong id="account-email">{who.email}</strong>{" "}
        <button type="button" class="secondary outline small" id="sign-out" onClick={leave}>Sign out</button></p>
      <h2>Your orders</h2>
      {r === null ? <p aria-busy="true">Loading your orders…</p>
        : !r.ok ? <p class="notice over">{pageError(r)}</p>
          : !r.data.items.length ? <p class="empty" id="no-orders">No orders here yet. <a href={`#/s/${handle}`}>Browse the shop</a>.</p>
            : (
              <ul class="cart-lines" id="my-orders">
                {r.data.items.map((o) => (
                  <li data-id={o.id} data-status={o.status}>
                    <a class="what" href={`#/s/${handle}/order?id=${o.id}`}>Order {orderNumber(o.id)}</a>
                    <span>{new Date(o.created_at).toLocaleDateString()}</span>
                    <span>{STATUS_WORDS[o.status] || o.status}</span>
                    <span class="amount">{price(o.total, o.currency)}</span>
                  </li>
                ))}
              </ul>
            )}
    </>
  );
}

export function AccountPage({ handle }) {
  const [who, setWho] = useState(shopper);
  if (!who) return <SignInUp done={setWho} />;
  return <MyOrders handle={handle} who={who} leave={() => { signOut(); setWho(null); }} />;
}
