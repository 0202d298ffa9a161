// The public storefront (storefront.html): no sign-in. A shop's pages live under #/s/<handle>:
// the catalogue (categories, search), a product (prices, availability per store, the delivery date),
// the cart and checkout, finding an order, an order's status and its return request.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useRoute } from "../core/router.js";
import { StatusHost } from "../core/ui.jsx";
import { Catalogue, ProductPage } from "./storefront.jsx";
import { CartPage } from "./storefront-checkout.jsx";
import { FindOrderPage, OrderPage } from "./storefront-order.jsx";
import { AccountPage, shopper } from "./storefront-account.jsx";
import { useProfile } from "../core/state.js";
import { cartCount, shopIndex } from "./storefront-data.js";

const HANDLE = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/;

/** {handle, view, productId} of a hash path such as /s/corner/p/<id>. */
export function storefrontRoute(path) {
  const m = /^\/s\/([^/]+)(?:\/(p|cart|order|find|account)(?:\/([A-Za-z0-9_-]{1,64}))?)?\/?$/.exec(path);
  if (!m || !HANDLE.test(m[1])) return { handle: null, view: "choose" };
  return { handle: m[1], view: m[2] || "catalogue", productId: m[3] || null };
}

function useCartCount(handle) {
  const [n, setN] = useState(handle ? cartCount(handle) : 0);
  useEffect(() => {
    const changed = () => setN(handle ? cartCount(handle) : 0);
    changed();
    addEventListener("tally-cart", changed);
    return () => removeEventListener("tally-cart", changed);
  }, [handle]);
  return n;
}

function ChooseShop() {
  const [value, setValue] = useState("");
  return (
    <form id="choose-shop" onSubmit={(e) => { e.preventDefault(); if (HANDLE.test(value.trim())) location.hash = `/s/${value.trim()}`; }}>
      <label for="shop-handle">Shop address</label>
      <input id="shop-handle" value={value} onInput={(e) => setValue(e.currentTarget.value.toLowerCase())}
        autocapitalize="none" autocomplete="off" placeholder="e.g. corner-shop" />
      <button type="submit">Open shop</button>
    </form>
  );
}

const TITLES = { catalogue: "Shop", p: "Product", cart: "Your cart", order: "Your order", find: "Find your order", account: "Your account", choose: "Open a shop" };

function App() {
  const route = useRoute();
  const r = storefrontRoute(route.path);
  const [name, setName] = useState("");
  const count = useCartCount(r.handle);
  useProfile(); // the navigation follows signing in and out
  const heading = useRef();
  useEffect(() => {
    if (!r.handle) return;
    shopIndex(r.handle).then((d) => setName(d ? d.name : ""));
  }, [r.handle]);
  useEffect(() => {
    document.title = `${TITLES[r.view]}${name ? ` · ${name}` : ""}`;
    if (heading.current && document.activeElement && document.activeElement !== document.body) heading.current.focus();
  }, [r.view, r.handle, r.productId, name]);
  const base = r.handle ? `#/s/${r.handle}` : "#/";
  return (
    <>
      <header class="top">
        <nav class="container main-nav" aria-label="Shop">
          <ul><li><a href={base} class="brand" id="shop-name">{name || "Shop"}</a></li></ul>
          {r.handle && (
            <ul>
              {shopper() ? null
                : <li><a href={`${base}/find`} aria-current={r.view === "find" ? "page" : undefined}>Find my order</a></li>}
              <li><a href={`${base}/account`} id="account-link" aria-current={r.view === "account" ? "page" : undefined}>
                {shopper() ? "My orders" : "Sign in"}</a></li>
              <li><a href={`${base}/cart`} id="cart-link" aria-current={r.view === "cart" ? "page" : undefined}>
                Cart <span class="cart-count" aria-label={`${count} items`}>{count}</span></a></li>
            </ul>
          )}
        </nav>
      </header>
      <main class="container storefront" data-view={r.view}>
        <h1 ref={heading} tabIndex={-1}>{r.view === "catalogue" ? (name || "Shop") : TITLES[r.view]}</h1>
        {r.view === "choose" && <ChooseShop />}
        {r.view === "catalogue" && <Catalogue key={r.handle} handle={r.handle} params={route.params} />}
        {r.view === "p" && r.productId && <ProductPage handle={r.handle} productId={r.productId} />}
        {r.view === "cart" && <CartPage handle={r.handle} />}
        {r.view === "find" && <FindOrderPage handle={r.handle} />}
        {r.view === "account" && <AccountPage handle={r.handle} />}
        {r.view === "order" && <OrderPage key={route.params.toString()} handle={r.handle} params={route.params} />}
      </main>
      <StatusHost />
    </>
  );
}

if (!location.hash) location.hash = "/";
render(<App />, document.getElementById("root"));
