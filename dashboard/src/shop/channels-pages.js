// The shop's channel pages (issue 13 item 4): the orders inbox across channels and the channels admin.
// The shop module is registered once, by whichever of the shop's page files loads first.
import { module, modules, page } from "../core/router.js";
import { ChannelsPage } from "./channels.jsx";
import { InboxPage } from "./inbox.jsx";

if (!modules.find((m) => m.id === "shop")) module({ id: "shop", label: "Shop", home: "/shop/inbox" });
page({ path: "/shop/inbox", module: "shop", label: "Orders inbox", title: "Orders from every channel", component: InboxPage, id: "shop" });
page({ path: "/shop/channels", module: "shop", label: "Channels", title: "Sales channels", component: ChannelsPage, id: "shop" });
