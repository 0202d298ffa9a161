// Alerts that were emailed (budget crossings, pace warnings, digests), newest first.
import { api } from "../core/api.js";
import { Empty, useLoad } from "../core/ui.jsx";

export function AlertList({ limit }) {
  const [items] = useLoad(async () => {
    const r = await api("GET", "/alerts");
    return r.ok ? r.data.items : [];
  }, [], ["expenses"]);
  if (!items) return <ul id="alert-list" aria-label="Alerts" aria-busy="true" />;
  const shown = limit ? items.slice(0, limit) : items;
  return (
    <ul id="alert-list" aria-label="Alerts" class="alerts">
      {!shown.length && <li class="muted"><Empty>No alerts yet: they come when a budget reaches 80% or 100%.</Empty></li>}
      {shown.map((a) => (
        <li><time datetime={a.sent_at || a.created_at}>{new Date(a.sent_at || a.created_at).toLocaleString()}</time> <span>{a.subject}</span></li>
      ))}
    </ul>
  );
}

export function AlertsPage() {
  return <section aria-label="Alerts"><AlertList /></section>;
}
