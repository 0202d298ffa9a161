// Importing a bank statement (CSV): map the columns, preview, then import in slices of 1,000 lines.
import { useRef, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { human } from "../core/errors.js";
import { Field, Form, say, useForm } from "../core/ui.jsx";
import { categoryList, write, useCategories } from "./data.js";

function csvHeader(text) {
  // The header row only: split on commas outside quotes.
  const line = text.replace(/^\ufeff/, "").split(/\r?\n/, 1)[0];
  const cells = [];
  let cur = "", quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) { cells.push(cur.trim()); cur = ""; }
    else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

const guess = (header, words) => header.find((h) => words.some((w) => h.toLowerCase().includes(w))) || "";

export function ImportPage() {
  useCategories();
  const form = useForm({ csv: "file" });
  const statement = useRef("");
  const [header, setHeader] = useState([]);
  const [result, setResult] = useState(null);
  const [progress, setProgress] = useState(null);
  const [canCommit, setCanCommit] = useState(false);

  const body = (extra = {}) => {
    const f = form.ref.current;
    const mapping = { date: f.date.value, amount: f.amount.value };
    if (f.description.value) mapping.description = f.description.value;
    if (f.category.value) mapping.category = f.category.value;
    return { csv: statement.current, mapping, decimal_separator: f.decimal_separator.value, date_format: f.date_format.value,
      default_category: f.default_category.value || "other", ...extra };
  };
  const preview = async () => {
    if (!statement.current) { form.show("file", "Choose a CSV file first."); return null; }
    const r = await api("POST", "/imports", body());
    if (!r.ok) { form.fail(r); return null; }
    setResult(r.data);
    setCanCommit(r.data.valid > 0);
    form.ok();
    return r.data;
  };
  const commit = async () => {
    const p = await preview();
    if (!p) return;
    let done = 0, created = 0, existing = 0;
    setProgress(0);
    while (done < p.valid) {
      const r = await write("POST", "/imports", body({ commit: true, start: done, count: 1000 }));
      if (!r.ok) { form.fail(r); return; }
      done = r.data.done; created += r.data.created; existing += r.data.existing;
      setProgress(Math.round((done / p.valid) * 100));
    }
    say(`Imported: ${created} new, ${existing} already there, ${p.invalid} lines with errors.`);
    setCanCommit(false);
  };
  const choose = async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    statement.current = await file.text();
    const h = csvHeader(statement.current);
    setHeader(h);
    setResult(null);
    setCanCommit(false);
    setTimeout(() => {
      const f = form.ref.current;
      for (const [name, words, optional] of [["date", ["date", "datum"], false], ["amount", ["amount", "betrag", "value"], false],
        ["description", ["desc", "text", "memo", "payee"], true], ["category", ["categ"], true]]) {
        f[name].value = guess(h, words) || (optional ? "" : h[0]);
      }
    });
  };
  const columns = (optional) => [...(optional ? [<option value="">(none)</option>] : []), ...header.map((h) => <option value={h}>{h}</option>)];
  return (
    <section id="import" aria-labelledby="import-title">
      <h2 id="import-title">Import a bank statement</h2>
      <Form id="import-form" form={form} onSubmit={commit}>
        <Field label="Statement (CSV)" name="file" type="file" accept=".csv,text/csv" onChange={choose}
          hint={header.length ? `${header.length} columns found: check the mapping, then preview.` : "A CSV file with a header row."} />
        <div class="grid">
          <Field as="select" label="Date column" name="date">{columns(false)}</Field>
          <Field as="select" label="Amount column" name="amount">{columns(false)}</Field>
          <Field as="select" label="Description column" name="description">{columns(true)}</Field>
          <Field as="select" label="Category column" name="category">{columns(true)}</Field>
        </div>
        <div class="grid">
          <Field as="select" label="Decimal separator" name="decimal_separator"><option value=".">1,234.56</option><option value=",">1.234,56</option></Field>
          <Field as="select" label="Date format" name="date_format"><option value="iso">2026-11-30</option><option value="dmy">30/11/2026</option><option value="mdy">11/30/2026</option></Field>
          <Field as="select" label="Other lines go to" name="default_category" init="other">
            {categoryList("expense").map((c) => <option value={c.slug}>{c.name}</option>)}
          </Field>
        </div>
        <div class="actions">
          <button type="button" id="import-preview" class="secondary" onClick={preview}>Preview</button>
          <button type="submit" id="import-commit" disabled={!canCommit}>Import</button>
        </div>
      </Form>
      {progress !== null && <progress id="import-progress" max="100" value={progress} aria-label="Import progress" />}
      <p id="import-summary">{result && `${result.lines} lines: ${result.valid} good, ${result.invalid} with errors` +
        (result.created !== undefined ? "" : ". Preview: " + result.preview.slice(0, 3).map((p) => `${p.date} ${p.amount} ${p.note}`).join("; "))}</p>
      <ul id="import-errors" aria-label="Lines not imported">
        {(result ? result.errors : []).map((e) => <li>Line {e.line}: {human(e.message, e.field)}</li>)}
      </ul>
    </section>
  );
}
