// The expenses module: its pages and where they sit in the navigation.
import { on } from "../core/bus.js";
import { module, page } from "../core/router.js";
import { AlertsPage } from "./alerts.jsx";
import { BudgetsPage } from "./budgets.jsx";
import { loadCategories, sync } from "./data.js";
import { ImportPage } from "./import.jsx";
import { Overview } from "./overview.jsx";
import { RecurringPage } from "./recurring.jsx";

module({ id: "expenses", label: "Expenses", home: "/expenses" });
page({ path: "/expenses", module: "expenses", label: "Overview", title: "Expenses", component: Overview });
page({ path: "/budgets", module: "expenses", label: "Budgets", title: "Budgets and rates", component: BudgetsPage });
page({ path: "/recurring", module: "expenses", label: "Recurring", title: "Recurring entries", component: RecurringPage });
page({ path: "/import", module: "expenses", label: "Import", title: "Import a statement", component: ImportPage });
page({ path: "/alerts", module: "expenses", label: "Alerts", title: "Alerts", component: AlertsPage });

// Categories are needed by every expense page; changes made offline are sent once signed in.
on("profile", async (p) => { if (p) { await loadCategories(); sync(); } });
