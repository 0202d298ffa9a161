// The storefront's catalogue and product pages: read from the precomputed documents (the shop's index,
// a product's page, its live availability), searched and filtered in the browser.
import { useEffect, useState } from "preact/hooks";
import { useLoad } from "../core/ui.jsx";
import { say } from "../core/ui.jsx";
import { addToCart, doc, longDate, matches, price, promisedDate, rememberStores, shopIndex } from "./storefront-data.js";
import { FollowForm, NotifyMe } from "./storefront-news.jsx";

export function Prices({ item, id }) {
  const off = Number(item.discount) > 0;
  return (
    <p class="prices" id={id}>
      {off && <s class="was" aria-label={`Was ${price(item.price, item.currency)}`}>{price(item.price, item.currency)}</s>}
      <strong class="now">{price(item.final_price, item.currency)}</strong>
      {off && <span class="off">−{price(item.discount, item.currency)}{item.discount_label ? ` · ${item.discount_label}` : ""}</span>}
    </p>
  );
}

export function Catalogue({ handle, params }) {
  const [index] = useLoad(() => shopIndex(handle), [handle]);
  const [query, setQuery] = useState(params.get("q") || "");
  const category = params.get("category") || "";
  if (index === null) return <p aria-busy="true">Loading the shop…</p>;
  if (!index || !index.products) return <p class="notice over">This shop has nothing on show yet.</p>;
  const shown = index.products.filter((c) => (!category || c.category === category) && matches(c, query));
  const link = (slug) => `#/s/${handle}${slug ? `?category=${slug}` : ""}`;
  return (
    <>
      <form role="search" class="shop-search" onSubmit={(e) => e.preventDefault()}>
        <label for="shop-q">Search {index.name}</label>
        <input id="shop-q" type="search" value={query} placeholder="Search products" autocomplete="off"
          onInput={(e) => setQuery(e.currentTarget.value)} />
      </form>
      <nav aria-label="Categories" class="categories">
        <ul>
          <li><a href={link("")} aria-current={!category ? "page" : undefined}>All</a></li>
          {index.categories.map((c) => <li><a href={link(c.slug)} aria-current={category === c.slug ? "page" : undefined}>{c.name}</a></li>)}
        </ul>
      </nav>
      <p class="muted" aria-live="polite" id="shop-count">{shown.length} {shown.length === 1 ? "product" : "products"}</p>
      <ul class="product-grid" id="products">
        {shown.map((c) => (
          <li class="product-card" data-id={c.product_id}>
            <a href={`#/s/${handle}/p/${c.product_id}`}><h2>{c.name}</h2></a>
            {c.brand && <p class="muted">{c.brand}</p>}
            <Prices item={c} />
          </li>
        ))}
      </ul>
      {!shown.length && <p class="empty">Nothing matches “{query}”.</p>}
      <FollowForm key={category} handle={handle} index={index} category={category} />
    </>
  );
}

function PromiseRow({ label, promise, live, pickup }) {
  const when = promisedDate(promise, live);
  const available = Number(live ? live.available : promise.available);
  return (
    <li data-location={promise.location_id}>
      <strong>{label}</strong>{" "}
      <span class={available > 0 ? "in-stock" : "out-of-stock"}>{available > 0 ? `${available} available` : "Out of stock"}</span>
      <br />
      <span class="promise">{when ? `${pickup ? "Collect" : "Delivered"} ${pickup && when === new Date().toISOString().slice(0, 10) ? "today" : `by ${longDate(when)}`}`
        : "No date yet"}</span>
    </li>
  );
}

export function ProductPage({ handle, productId }) {
  const [page] = useLoad(() => doc(`storefront/${handle}/products/${productId}.json`), [handle, productId]);
  const [stock, setStock] = useState(null);
  const [qty, setQty] = useState(1);
  useEffect(() => {
    if (!page || !page.availability) return undefined;
    let live = true;
    const load = () => doc(page.availability).then((d) => { if (live) setStock(d); });
    load();
    const timer = setInterval(load, 15000); // availability changes with every order: refresh it
    return () => { live = false; clearInterval(timer); };
  }, [page]);
  useEffect(() => { if (page) document.title = `${page.name} · ${page.shop_name}`; }, [page]);
  if (page === null) return <p aria-busy="true">Loading…</p>;
  if (!page) return <p class="notice over">This product is not on sale here.</p>;
  const rows = {};
  for (const r of (stock && stock.locations) || []) rows[r.location_id] = r;
  rememberStores(handle, page.pickup);
  const places = [page.delivery, ...page.pickup].filter(Boolean);
  const inStock = places.some((p) => Number(rows[p.location_id] ? rows[p.location_id].available : p.available) > 0);
  const add = () => {
    addToCart(handle, { product_id: page.product_id, name: page.name, final_price: page.final_price,
      currency: page.currency }, qty);
    say(`${qty} × ${page.name} added to your cart.`);
  };
  return (
    <article class="product-page" data-id={page.product_id}>
      <h2 id="product-name">{page.name}</h2>
      {page.brand && <p class="muted">{page.brand}{page.unit && page.unit !== "each" ? ` · per ${page.unit}` : ""}</p>}
      <Prices item={page} id="product-price" />
      {page.description && <p>{page.description}</p>}
      <section aria-labelledby="where-title" id="availability">
        <h3 id="where-title">Availability and dates</h3>
        <ul class="promises">
          {page.delivery && <PromiseRow label="Home delivery" promise={page.delivery} live={rows[page.delivery.location_id]} />}
          {page.pickup.map((p) => <PromiseRow label={`Pick up at ${p.name}`} promise={p} live={rows[p.location_id]} pickup />)}
        </ul>
      </section>
      {!inStock && <NotifyMe handle={handle} productId={page.product_id} name={page.name} />}
      <div class="inline-form" hidden={!inStock}>
        <div class="field">
          <label for="qty">Quantity</label>
          <input id="qty" type="number" min="1" max="99" value={qty}
            onInput={(e) => setQty(Math.max(1, Math.min(99, Number(e.currentTarget.value) || 1)))} />
        </div>
        <button type="button" id="add-to-cart" onClick={add}>Add to cart</button>
      </div>
      <p><a href={`#/s/${handle}`}>← Back to the shop</a></p>
    </article>
  );
}
