// Budgets: progress (with days left and the pace), setting and removing them, and the month's
// exchange rates (amounts in another currency count once their month has a rate).
import { api } from "../core/api.js";
import { daysInMonth, money, monthName, thisMonth, today } from "../core/format.js";
import { useProfile } from "../core/state.js";
import { confirmAction, decimalCheck, Empty, Field, Form, say, useForm, useLoad } from "../core/ui.jsx";
import { categoryList, categoryName, useMonth, write, useCategories } from "./data.js";
import { MonthPicker } from "./month.jsx";

export async function loadBudgets(month) {
  const r = await api("GET", `/budgets?month=${month}`);
  return r.ok ? r.data : { items: [], missing_rates: [] };
}

/** Days left in the month and, for the month in progress, where the spending pace leads. */
export function pace(b, month) {
  if (month !== thisMonth()) return { daysLeft: null, projected: null };
  const days = daysInMonth(month);
  const day = Number(today().slice(8, 10));
  const projected = (Number(b.spent) / day) * days;
  return { daysLeft: days - day + 1, projected }; // today counts: the last day has 1 day left
}

export function BudgetList({ data, month, compact, onRemove }) {
  if (!data) return <ul id="budget-list" aria-label="Budgets" aria-busy="true" />;
  if (!data.items.length) {
    return (
      <ul id="budget-list" aria-label="Budgets">
        <li class="muted"><Empty href="#/budgets" action="Set a monthly budget">No budgets yet.</Empty></li>
      </ul>
    );
  }
  return (
    <ul id="budget-list" aria-label="Budgets" class="budgets">
      {data.items.map((b) => {
        const name = categoryName(b.category);
        const { daysLeft, projected } = pace(b, month);
        const over = b.percent >= 100;
        const fast = !over && projected !== null && projected > Number(b.limit);
        const carried = Number(b.carry) ? ` (${b.base_limit} ${Number(b.carry) > 0 ? "+" : ""}${b.carry} carried)` : "";
        return (
          <li class={"budget" + (over ? " over" : b.percent >= 80 ? " warn" : "")} data-category={b.category}>
            <div class="budget-head">
              <strong>{name}</strong>
              <span>{b.spent} of {b.limit} {b.currency}{carried} ({b.percent}%)</span>
            </div>
            <progress max="100" value={Math.min(100, b.percent)} aria-label={`${name} budget used`} />
            <div class="budget-foot muted">
              {over ? <span class="warn-text">Over by {money(Number(b.spent) - Number(b.limit), b.currency)}</span>
                : <span>{money(Number(b.limit) - Number(b.spent), b.currency)} left</span>}
              {daysLeft !== null && <span>{daysLeft === 1 ? "Last day of the month" : `${daysLeft} days left`}</span>}
              {fast && <span class="warn-text pace">At this pace: {money(projected, b.currency)} by month end</span>}
              {!compact && onRemove && (
                <button type="button" class="danger outline small" aria-label={`Remove the ${name} budget`}
                  onClick={() => onRemove(b)}>Remove</button>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

export function MissingRates({ data, month, link }) {
  const missing = (data && data.missing_rates) || [];
  if (!missing.length) return <p id="missing-rates" class="notice" role="status" hidden />;
  return (
    <p id="missing-rates" class="notice" role="status">
      No rate yet for {missing.join(", ")} in {monthName(month)}: those amounts are left out of the totals
      {link ? <> until you <a href="#/budgets#rates">set a rate</a>.</> : " until you set one below."}
    </p>
  );
}

function Rates({ month }) {
  const profile = useProfile();
  const form = useForm({ rates: "rate" });
  const [rates, reload] = useLoad(async () => {
    const r = await api("GET", `/rates/${month}`);
    return r.ok ? r.data.rates : {};
  }, [month], ["expenses"]);
  const list = Object.entries(rates || {});
  return (
    <section id="rates" aria-labelledby="rates-title">
      <h2 id="rates-title">Exchange rates for {monthName(month)}</h2>
      <p id="rates-list" class="muted">{list.length ? `Rates for ${month}: ${list.map(([c, v]) => `1 ${c} = ${v} ${profile.currency}`).join(", ")}`
        : `No exchange rates set for ${month}.`}</p>
      <Form id="rates-form" form={form} checks={{
        currency: (v) => (/^[A-Za-z]{3}$/.test(v) ? null : "Enter a three-letter currency code, e.g. EUR."),
        rate: (v) => decimalCheck(v),
      }} onSubmit={async (f) => {
        const currency = f.currency.value.trim().toUpperCase();
        const r = await write("PUT", `/rates/${month}`, { rates: { ...(rates || {}), [currency]: f.rate.value.trim() } });
        if (!r.ok) {
          if (r.data && r.data.error && String(r.data.error.field || "").startsWith("rates.")) r.data.error.field = "rate";
          form.fail(r);
          return;
        }
        form.ok(`Rate for ${currency} in ${month} set: totals are being recomputed.`);
        f.reset();
        reload();
      }}>
        <div class="grid">
          <Field label="Rate currency" name="currency" maxlength="3" list="rate-currencies" autocomplete="off" required
            data-required="Enter the currency, e.g. EUR." />
          <Field label="Rate (in your home currency)" name="rate" inputmode="decimal" required placeholder="1.08"
            data-required={`Enter what 1 unit is worth in ${profile.currency}, e.g. 1.08.`} />
        </div>
        <button type="submit">Set rate</button>
      </Form>
    </section>
  );
}

export function BudgetsPage() {
  useCategories();
  const month = useMonth();
  const form = useForm({ limit: "limit" });
  const [data] = useLoad(() => loadBudgets(month), [month], ["expenses"]);
  const remove = async (b) => {
    const name = categoryName(b.category);
    if (!await confirmAction({ title: `Remove the ${name} budget?`, text: "Its alerts stop; your entries stay.", action: "Remove budget" })) return;
    const r = await write("DELETE", `/budgets/${b.category}`);
    say(r.ok ? `Budget for ${name} removed.` : "The budget could not be removed.", { error: !r.ok });
  };
  return (
    <>
      <MonthPicker />
      <section aria-labelledby="budgets-title">
        <h2 id="budgets-title">Budgets for {monthName(month)}</h2>
        <MissingRates data={data} month={month} />
        <BudgetList data={data} month={month} onRemove={remove} />
      </section>
      <section aria-labelledby="set-budget-title">
        <h2 id="set-budget-title">Set a budget</h2>
        <Form id="budget-form" form={form} checks={{ limit: (v) => decimalCheck(v, { allowZero: true }) }} onSubmit={async (f) => {
          const r = await write("PUT", `/budgets/${f.category.value}`, { limit: f.limit.value.trim(), rollover: f.rollover.value });
          if (!r.ok) { form.fail(r); return; }
          form.ok(`Budget for ${categoryName(f.category.value)} set.`);
          f.limit.value = "";
        }}>
          <div class="grid">
            <Field as="select" label="Budget category" name="category">
              <option value="total">All spending (total)</option>
              {categoryList("expense").map((c) => <option value={c.slug}>{c.name}</option>)}
            </Field>
            <Field label="Monthly limit" name="limit" inputmode="decimal" required placeholder="400.00"
              data-required="Enter the most you want to spend in a month, e.g. 400.00." />
            <Field as="select" label="At month end" name="rollover">
              <option value="none">Start afresh</option><option value="surplus">Carry the surplus</option>
              <option value="overspend">Carry the overspend</option>
            </Field>
          </div>
          <button type="submit">Set budget</button>
        </Form>
      </section>
      <Rates month={month} />
      <datalist id="rate-currencies">{["EUR", "USD", "GBP", "JPY", "CHF", "CAD", "AUD"].map((c) => <option value={c} />)}</datalist>
    </>
  );
}
