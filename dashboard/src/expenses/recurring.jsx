// Recurring entries (rent, salary): the hourly job turns each into an entry on its day.
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { dayName, today } from "../core/format.js";
import { confirmAction, Empty, Field, Form, moneyCheck, say, useForm, useLoad } from "../core/ui.jsx";
import { categoryList, categoryName, useCategories } from "./data.js";

const FREQ = { monthly: "Monthly", weekly: "Weekly", yearly: "Yearly" };

export function RecurringPage() {
  useCategories();
  const form = useForm();
  const [kind, setKind] = useState("expense");
  const [items, reload] = useLoad(async () => {
    const r = await api("GET", "/recurring");
    return r.ok ? r.data.items : [];
  }, [], ["recurring"]);
  const stop = async (rule) => {
    const name = rule.note || categoryName(rule.category);
    if (!await confirmAction({ title: `Stop ${name}?`, text: "No new entries will be made from it; the ones already made stay.", action: "Stop recurring" })) return;
    const d = await api("DELETE", `/recurring/${rule.id}`);
    if (!d.ok) { say("It could not be stopped: please try again.", { error: true }); return; }
    say("Recurring entry stopped.");
    reload();
  };
  return (
    <>
      <section aria-labelledby="recurring-title">
        <h2 id="recurring-title">Add a recurring entry</h2>
        <Form id="recurring-form" form={form} checks={{ amount: moneyCheck }} onSubmit={async (f) => {
          const r = await api("POST", "/recurring", {
            kind: f.kind.value, amount: f.amount.value.trim(), category: f.category.value, payment_mode: f.payment_mode.value,
            note: f.note.value, frequency: f.frequency.value, start_date: f.start_date.value });
          if (!r.ok) { form.fail(r); return; }
          form.ok(`Recurring entry added: next on ${r.data.next_date}.`);
          f.amount.value = ""; f.note.value = "";
          reload();
        }}>
          <div class="grid">
            <Field as="select" label="Recurring kind" name="kind" onChange={(e) => setKind(e.target.value)}>
              <option value="expense">Expense</option><option value="income">Income</option>
            </Field>
            <Field label="Recurring amount" name="amount" inputmode="decimal" required placeholder="950.00" data-required="Enter an amount, e.g. 950.00." />
            <Field as="select" label="Recurring category" name="category">
              {categoryList(kind).map((c) => <option value={c.slug}>{c.name}</option>)}
            </Field>
          </div>
          <div class="grid">
            <Field as="select" label="Frequency" name="frequency">
              {Object.entries(FREQ).map(([k, v]) => <option value={k}>{v}</option>)}
            </Field>
            <Field label="Starts" name="start_date" type="date" required init={today()} data-required="Choose the first day." />
            <Field as="select" label="Recurring payment mode" name="payment_mode">
              <option value="bank_transfer">Bank transfer</option><option value="debit_card">Debit card</option>
              <option value="credit_card">Credit card</option><option value="e_payment">E-payment</option>
              <option value="cash">Cash</option><option value="other">Other</option>
            </Field>
          </div>
          <Field label="Recurring note" name="note" maxlength="500" placeholder="Rent, salary, streaming..." />
          <button type="submit">Add recurring</button>
        </Form>
      </section>
      <section aria-labelledby="recurring-list-title">
        <h2 id="recurring-list-title">Recurring entries</h2>
        <ul id="recurring-list" aria-label="Recurring entries" class="entries">
          {items && !items.length && <li class="muted"><Empty>Nothing recurring yet.</Empty></li>}
          {(items || []).map((rule) => (
            <li class={`entry ${rule.kind}`} data-id={rule.id}>
              <span class="what"><strong>{rule.note || categoryName(rule.category)}</strong>
                <span class="muted">{`${rule.note || rule.category} · ${rule.frequency} · next ${rule.next_date || "none"}`}
                  {rule.next_date ? ` (${dayName(rule.next_date, true)})` : ""}</span></span>
              <span class="amount">{`${rule.kind === "income" ? "+" : "-"}${rule.amount} ${rule.currency}`}</span>
              <span class="row-actions">
                <button type="button" class="danger outline small" aria-label={`Stop ${rule.note || categoryName(rule.category)}`}
                  onClick={() => stop(rule)}>Stop</button>
              </span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
