// The help desk: the customer portal (Support: file, follow and answer one's requests at a desk) and the
// agent workspace (Help desk: the queue, a ticket, and the desk's setup for owners and managers).
import { module, page } from "../core/router.js";
import { DeskPage, MacrosPage, TeamsPage } from "./admin.jsx";
import { InsightsPage } from "./insights.jsx";
import { DesksPage, SupportPage, SupportTicketPage } from "./portal.jsx";
import { QueuePage } from "./queue.jsx";
import { AgentTicketPage } from "./ticket.jsx";

module({ id: "support", label: "Support", home: "/support" });
page({ path: "/support", module: "support", label: "Requests", title: "Support", component: SupportPage, id: "support" });
page({ path: "/support/desks", module: "support", label: "Desks", title: "Choose a help desk", component: DesksPage, id: "support" });
page({ path: "/support/ticket", module: "support", title: "Your request", component: SupportTicketPage, id: "support" });

module({ id: "helpdesk", label: "Help desk", home: "/helpdesk" });
const hd = (path, label, title, component) => page({ path, module: "helpdesk", label, title, component, id: "helpdesk" });
hd("/helpdesk", "Queue", "Help desk queue", QueuePage);
hd("/helpdesk/ticket", undefined, "Ticket", AgentTicketPage);
hd("/helpdesk/desk", "Desk", "Desk settings", DeskPage);
hd("/helpdesk/teams", "Teams", "Teams and agents", TeamsPage);
hd("/helpdesk/macros", "Canned replies", "Canned replies", MacrosPage);
hd("/helpdesk/insights", "Insights", "Help desk insights", InsightsPage);

// The assignment email links to #/helpdesk/tickets/<id>: the ticket page takes the id as a query.
function ticketLink() {
  const m = /^#\/helpdesk\/tickets\/([0-9a-fA-F-]{36})$/.exec(location.hash);
  if (m) location.replace(`#/helpdesk/ticket?id=${m[1].toLowerCase()}`);
}
ticketLink();
addEventListener("hashchange", ticketLink);
