// The shop's staff pages (the shopper's storefront is its own page, storefront.html), registered here in
// the order the navigation shows them: sp(path, label in the navigation (none: not listed), title, component).
import { module, page } from "../core/router.js";
import { ChannelsPage } from "./channels.jsx";
import { FollowersPage } from "./followers.jsx";
import { InboxPage } from "./inbox.jsx";
import { OrderPage } from "./order.jsx";
import { PromotionsPage } from "./promotions.jsx";
import { ReturnsPage, ShopInsightsPage } from "./returns.jsx";
import { ShopListingsPage } from "./listings.jsx";
import { ShopSettingsPage } from "./settings.jsx";

module({ id: "shop", label: "Shop", home: "/shop/inbox" });
export const sp = (path, label, title, component) => page({ path, module: "shop", label, title, component, id: "shop" });

sp("/shop/inbox", "Orders", "Orders from every channel", InboxPage);
sp("/shop/order", null, "Order", OrderPage);
sp("/shop/listings", "On the storefront", "On the storefront", ShopListingsPage);
sp("/shop/promotions", "Promotions", "Promotions", PromotionsPage);
sp("/shop/returns", "Returns", "Returns", ReturnsPage);
sp("/shop/followers", "Followers", "Followers and news", FollowersPage);
sp("/shop/channels", "Channels", "Sales channels", ChannelsPage);
sp("/shop/insights", "Return rates", "Return rates", ShopInsightsPage);
sp("/shop/settings", "Shop settings", "Shop settings", ShopSettingsPage);
