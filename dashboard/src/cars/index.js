// The cars module: the dealer's pages (stock, a car and its estimate, trends, the bookings calendar) and the
// public pages anyone opens without signing in (the listing and a car for sale).
import { module, page } from "../core/router.js";
import { AgingPage } from "./aging.jsx";
import { BookingsPage } from "./bookings.jsx";
import { CarPage, EditCarPage } from "./car.jsx";
import { CarForSalePage } from "./forsale.jsx";
import { ListingPage } from "./listing.jsx";
import { SavedSearchesPage } from "./searches.jsx";
import { StockPage } from "./stock.jsx";
import { TrendsPage } from "./trends.jsx";

module({ id: "cars", label: "Cars", home: "/cars" });
const cars = (path, label, title, component) => page({ path, module: "cars", label, title, component, id: "cars" });
cars("/cars", "Stock", "Cars in stock", StockPage);
cars("/cars/edit", undefined, "Car", EditCarPage);
cars("/cars/car", undefined, "Car", CarPage);
cars("/cars/trends", "Trends", "Value and demand", TrendsPage);
cars("/cars/bookings", "Bookings", "Bookings calendar", BookingsPage);
cars("/cars/aging", "Aging", "Aging stock", AgingPage);

// `public`: shown without signing in (main.jsx)
module({ id: "listing", label: "Cars for sale", home: "/listing" });
page({ path: "/listing", module: "listing", label: "Cars for sale", title: "Cars for sale", component: ListingPage, id: "listing", public: true });
page({ path: "/listing/car", module: "listing", title: "Car for sale", component: CarForSalePage, id: "listing", public: true });
// signed in: one's saved searches (saved from the listing's filters)
page({ path: "/listing/searches", module: "listing", label: "Saved searches", title: "Saved searches", component: SavedSearchesPage, id: "listing" });
