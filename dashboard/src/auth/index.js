// Account pages: not part of a module's navigation (reached from the header and after sign-up).
import { page } from "../core/router.js";
import { Settings, Welcome } from "./pages.jsx";

page({ path: "/welcome", module: "account", title: "Welcome to Tally", component: Welcome });
page({ path: "/settings", module: "account", title: "Profile and settings", component: Settings });
