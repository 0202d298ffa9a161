// Entries: the form (add, edit, the conflict with a newer version), the month's list (paged, with
// undo after a delete) and the changes waiting offline.
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { CURRENCIES } from "../core/choices.js";
import { dayName, money, today } from "../core/format.js";
import { useProfile } from "../core/state.js";
import { Check, Empty, Field, Form, moneyCheck, say, useForm, useLoad, useTopic } from "../core/ui.jsx";
import { categoryList, categoryName, currentConflict, pending, queue, setConflict, withPending, write } from "./data.js";
import { emit } from "../core/bus.js";

const MODES = [["cash", "Cash"], ["debit_card", "Debit card"], ["credit_card", "Credit card"], ["e_payment", "E-payment"],
  ["bank_transfer", "Bank transfer"], ["other", "Other"]];
export const modeName = (m) => (MODES.find(([k]) => k === m) || [m, m])[1];

const signed = (t) => `${t.kind === "income" ? "+" : "-"}${t.amount} ${t.currency}`;

function describe(t) {
  return `${signed(t)} · ${categoryName(t.category)} · ${t.date} · ${modeName(t.payment_mode)}` +
    (t.note ? ` · ${t.note}` : "") + (t.tags && t.tags.length ? ` · #${t.tags.join(" #")}` : "");
}

export function EntryForm({ editing, onDone, focus }) {
  const profile = useProfile();
  const form = useForm();
  const [kind, setKind] = useState("expense");
  const [conflict, setLocalConflict] = useState(currentConflict());
  useTopic("conflict", setLocalConflict);
  const reset = () => {
    const f = form.ref.current;
    if (!f) return;
    f.reset();
    f.date.value = today();
    f.currency.value = profile.currency;
    setKind("expense");
    f.category.value = "food";
    form.ok();
  };
  // The entry to edit fills the form at once, in the same render (a layout effect): what the person
  // types next must never be overwritten by a late fill.
  const categoryFor = useRef(null);
  useLayoutEffect(() => {
    const f = form.ref.current;
    if (!editing) { reset(); if (focus) f.amount.focus(); return; }
    setKind(editing.kind);
    f.kind.value = editing.kind; f.amount.value = editing.amount; f.currency.value = editing.currency;
    f.date.value = editing.date; f.payment_mode.value = editing.payment_mode;
    f.note.value = editing.note || ""; f.tags.value = (editing.tags || []).join(", ");
    categoryFor.current = editing;
    f.scrollIntoView({ block: "center" });
    f.amount.focus();
  }, [editing]);
  useLayoutEffect(() => {
    // the category once the options of the entry's kind are there (once per entry opened)
    const f = form.ref.current;
    if (editing && categoryFor.current === editing && [...f.category.options].some((o) => o.value === editing.category)) {
      f.category.value = editing.category;
      categoryFor.current = null;
    }
  });

  const body = (f) => {
    const b = { kind: f.kind.value, amount: f.amount.value.trim(), currency: f.currency.value.trim().toUpperCase(),
      date: f.date.value, category: f.category.value, payment_mode: f.payment_mode.value, note: f.note.value,
      tags: f.tags.value.split(",").map((t) => t.trim()).filter(Boolean) };
    if (editing && editing.version) b.version = Number(editing.version);
    return b;
  };

  const save = async (f) => {
    const b = body(f);
    const id = editing ? editing.id : crypto.randomUUID();
    say("Saving…");
    const r = await write("PUT", `/expenses/${id}`, b);
    if (r.offline) {
      await queue(id, "put", b);
      form.ok("Saved offline: it will sync when you are back online.");
      onDone(); reset();
      emit("pending"); emit("expenses-local");
      return;
    }
    if (r.status === 409 && r.data && r.data.current) {
      setConflict({ id, mine: b, theirs: r.data.current });
      say("Conflict: this entry changed elsewhere. Choose which version to keep.", { error: true });
      return;
    }
    if (!r.ok) { form.fail(r); return; }
    form.ok(editing ? "Entry updated." : "Entry added.");
    onDone(); reset();
  };

  const resolve = async (keepMine) => {
    const c = conflict;
    setConflict(null);
    if (keepMine) {
      const r = await write("PUT", `/expenses/${c.id}`, { ...c.mine, version: c.theirs.version });
      if (!r.ok) { form.fail(r); return; }
      say("Your version was saved.");
    } else {
      say("Kept the saved version.");
      emit("expenses");
    }
    onDone(); reset();
  };

  return (
    <section id="entry" aria-labelledby="form-title">
      <h2 id="form-title">{editing ? "Edit entry" : "Add an entry"}</h2>
      <Form id="expense-form" form={form} onSubmit={save} checks={{
        amount: moneyCheck,
        currency: (v) => (/^[A-Za-z]{3}$/.test(v) ? null : "Choose a three-letter currency code, e.g. EUR."),
      }}>
        <div class="grid">
          <Field as="select" label="Kind" name="kind" onChange={(e) => setKind(e.target.value)}>
            <option value="expense">Expense</option><option value="income">Income</option>
          </Field>
          <Field label="Amount" name="amount" inputmode="decimal" autocomplete="off" required placeholder="12.50"
            data-required="Enter an amount, e.g. 12.50." />
          <Field label="Currency" name="currency" maxlength="3" list="currencies" autocomplete="off" required
            data-required="Choose a currency, e.g. USD." />
        </div>
        <div class="grid">
          <Field label="Date" name="date" type="date" required data-required="Choose the day it happened." />
          <Field as="select" label="Category" name="category">
            {categoryList(kind).map((c) => <option value={c.slug}>{c.name}</option>)}
          </Field>
          <Field as="select" label="Payment mode" name="payment_mode">
            {MODES.map(([k, v]) => <option value={k}>{v}</option>)}
          </Field>
        </div>
        <div class="grid">
          <Field label="Note" name="note" maxlength="500" />
          <Field label="Tags" name="tags" placeholder="comma, separated" />
        </div>
        <div class="actions">
          <button type="submit" id="save">Save</button>
          {editing && <button type="button" id="cancel-edit" class="secondary" onClick={() => { onDone(); reset(); }}>Cancel edit</button>}
        </div>
        <datalist id="currencies">{CURRENCIES.map((c) => <option value={c} />)}</datalist>
      </Form>
      {conflict && (
        <div id="conflict" role="alert">
          <p>This entry changed elsewhere since you opened it.</p>
          <dl>
            <dt>Saved now</dt><dd id="conflict-theirs">{describe(conflict.theirs)}</dd>
            <dt>Yours</dt><dd id="conflict-mine">{describe(conflict.mine)}</dd>
          </dl>
          <div class="actions">
            <button type="button" id="keep-mine" onClick={() => resolve(true)}>Keep mine</button>
            <button type="button" id="keep-theirs" class="secondary" onClick={() => resolve(false)}>Keep the saved one</button>
          </div>
        </div>
      )}
    </section>
  );
}

export function PendingList() {
  const [items] = useLoad(() => pending(), [], ["pending", "expenses-local"]);
  if (!items || !items.length) return <section id="pending" hidden />;
  return (
    <section id="pending" aria-labelledby="pending-title">
      <h2 id="pending-title">Waiting to sync (<span id="pending-count">{items.length}</span>)</h2>
      <ul id="pending-list" aria-label="Waiting to sync">
        {items.map((p) => <li>{p.op === "delete" ? "Delete an entry" : `${p.body.date} · ${categoryName(p.body.category)} · ${p.body.amount} ${p.body.currency}`}</li>)}
      </ul>
    </section>
  );
}

const MONTH_CACHE = (m) => `tally.month.${m}`;

export function EntryList({ month, onEdit }) {
  const [extra, setExtra] = useState({ items: [], next: null }); // pages after the first
  const [data] = useLoad(async () => {
    const q = new URLSearchParams({ month, limit: "50" });
    const r = await api("GET", `/expenses?${q}`);
    let d;
    if (r.ok) { d = r.data; sessionStorage.setItem(MONTH_CACHE(month), JSON.stringify(d)); }
    else if (r.offline) d = JSON.parse(sessionStorage.getItem(MONTH_CACHE(month)) || '{"items":[],"next":null}');
    else { say(`The month's entries could not be loaded. ${r.status}`, { error: true }); return null; }
    setExtra({ items: [], next: null });
    return { items: await withPending(d.items, month), next: d.next };
  }, [month], ["expenses", "expenses-local", "pending"]);
  const more = async () => {
    const token = extra.next || data.next;
    const r = await api("GET", `/expenses?${new URLSearchParams({ month, limit: "50", next: token })}`);
    if (r.ok) setExtra({ items: [...extra.items, ...r.data.items], next: r.data.next });
  };
  const remove = async (t) => {
    const r = await write("DELETE", `/expenses/${t.id}`);
    if (r.offline) {
      await queue(t.id, "delete", null);
      say("Deleted offline: it will sync when you are back online.");
      emit("pending"); emit("expenses-local");
      return;
    }
    if (!r.ok) { say(`The entry could not be deleted: ${r.status}`, { error: true }); return; }
    const again = { kind: t.kind, amount: t.amount, currency: t.currency, date: t.date, category: t.category,
      payment_mode: t.payment_mode, note: t.note || "", tags: t.tags || [] };
    say(`Entry deleted: ${signed(t)} ${categoryName(t.category)}.`, { seconds: 8, undo: async () => {
      // the same id again, as a new record: the entry comes back whole
      const back = await write("PUT", `/expenses/${t.id}`, again);
      say(back.ok ? "Entry restored." : "The entry could not be restored.", { error: !back.ok });
    } });
  };
  if (!data) return <ul id="expense-list" aria-label="Entries" aria-busy="true" />;
  const items = [...data.items, ...extra.items];
  const next = extra.items.length ? extra.next : data.next;
  return (
    <>
      <ul id="expense-list" aria-label="Entries" class="entries">
        {!items.length && <li class="muted"><Empty>Nothing recorded this month.</Empty></li>}
        {items.map((t) => (
          <li class={`entry ${t.kind}`} data-id={t.id}>
            <span class="what">
              <strong>{categoryName(t.category)}</strong>
              <span class="muted">{dayName(t.date)}{t.note ? ` · ${t.note}` : ""}{t.pending ? " · waiting to sync" : ""}</span>
            </span>
            <span class="amount" title={money(t.amount, t.currency)}>{signed(t)}</span>
            <span class="row-actions">
              <button type="button" class="secondary outline small" aria-label={`Edit ${categoryName(t.category)} ${t.amount}`} onClick={() => onEdit(t)}>Edit</button>
              <button type="button" class="danger outline small" aria-label={`Delete ${categoryName(t.category)} ${t.amount}`} onClick={() => remove(t)}>Delete</button>
            </span>
          </li>
        ))}
      </ul>
      {next && <button type="button" id="more" class="secondary" onClick={more}>More</button>}
    </>
  );
}

export { Check };
