// The inventory module: its pages and where they sit in the navigation.
import { module, page } from "../core/router.js";
import { CataloguePage } from "./catalogue.jsx";
import { ChartsPage } from "./charts.jsx";
import { InventoryHome } from "./home.jsx";
import { MovementsPage } from "./movements.jsx";
import { OrdersPage } from "./orders.jsx";
import { TeamPage } from "./org.jsx";
import { StockPage } from "./stock.jsx";

module({ id: "inventory", label: "Inventory", home: "/inventory" });
const inv = (path, label, title, component) => page({ path, module: "inventory", label, title, component, id: "inventory" });
inv("/inventory", "Needs action", "Inventory", InventoryHome);
inv("/inventory/stock", "Stock", "Stock", StockPage);
inv("/inventory/movements", "Movements", "Movements", MovementsPage);
inv("/inventory/orders", "Orders", "Purchase orders and backorders", OrdersPage);
inv("/inventory/catalogue", "Catalogue", "Catalogue", CataloguePage);
inv("/inventory/charts", "Charts", "Inventory charts", ChartsPage);
inv("/inventory/team", "Team", "Organisation and team", TeamPage);
