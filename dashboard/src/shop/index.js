// The shop's staff pages (the shopper's storefront is its own page, storefront.html). Each feature of
// the shop registers its pages here with one line: sp(path, label in the navigation, title, component).
import { module, page } from "../core/router.js";
import { ReturnsPage, ShopInsightsPage } from "./returns.jsx";
import { ShopSettingsPage } from "./settings.jsx";
import { ShopListingsPage } from "./listings.jsx";

module({ id: "shop", label: "Shop", home: "/shop/returns" });
export const sp = (path, label, title, component) => page({ path, module: "shop", label, title, component, id: "shop" });

sp("/shop/returns", "Returns", "Returns", ReturnsPage);
sp("/shop/insights", "Return rates", "Return rates", ShopInsightsPage);
sp("/shop/settings", "Shop settings", "Shop settings", ShopSettingsPage);
sp("/shop/listings", "On the storefront", "On the storefront", ShopListingsPage);
