// The help desk: the customer portal (Support: file, follow and answer one's requests at a desk) and the
// agent workspace (Help desk: the queue, a ticket, and the desk's setup for owners and managers).
import { module, page } from "../core/router.js";
import { DeskPage, MacrosPage, TeamsPage } from "./admin.jsx";
import { InsightsPage } from "./insights.jsx";
import { ArticlePage, KbPage } from "./kb.jsx";
import { TicketLinkPage } from "./link.jsx";
import { DesksPage, SupportPage, SupportTicketPage } from "./portal.jsx";
import { QueuePage } from "./queue.jsx";
import { AgentTicketPage } from "./ticket.jsx";

module({ id: "support", label: "Support", home: "/support" });
page({ path: "/support", module: "support", label: "Requests", title: "Support", component: SupportPage, id: "support" });
page({ path: "/support/desks", module: "support", label: "Desks", title: "Choose a help desk", component: DesksPage, id: "support" });
page({ path: "/support/ticket", module: "support", title: "Your request", component: SupportTicketPage, id: "support" });
// the page of a ticket link from an email: no account needed (`public`)
page({ path: "/ticket-link", module: "support", title: "Your request", component: TicketLinkPage, id: "support", public: true });

module({ id: "helpdesk", label: "Help desk", home: "/helpdesk" });
const hd = (path, label, title, component) => page({ path, module: "helpdesk", label, title, component, id: "helpdesk" });
hd("/helpdesk", "Queue", "Help desk queue", QueuePage);
hd("/helpdesk/ticket", undefined, "Ticket", AgentTicketPage);
hd("/helpdesk/desk", "Desk", "Desk settings", DeskPage);
hd("/helpdesk/teams", "Teams", "Teams and agents", TeamsPage);
hd("/helpdesk/macros", "Canned replies", "Canned replies", MacrosPage);
hd("/helpdesk/kb", "Knowledge base", "Knowledge base", KbPage);
hd("/helpdesk/article", undefined, "Article", ArticlePage);
hd("/helpdesk/insights", "Insights", "Help desk insights", InsightsPage);

// The assignment email links to #/helpdesk/tickets/<id>: the ticket page takes the id as a query; a
// customer's email links to #/ticket-links/<token>: the link page takes the token as a query.
function ticketLink() {
  const m = /^#\/helpdesk\/tickets\/([0-9a-fA-F-]{36})$/.exec(location.hash);
  if (m) location.replace(`#/helpdesk/ticket?id=${m[1].toLowerCase()}`);
  const l = /^#\/ticket-links\/([A-Za-z0-9._-]{1,300})$/.exec(location.hash);
  if (l) location.replace(`#/ticket-link?token=${l[1]}`);
}
ticketLink();
addEventListener("hashchange", ticketLink);
