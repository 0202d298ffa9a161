// The shared pieces every page is made of: data loading that follows writes, forms whose errors sit
// under the field they are about, the status toast (with undo), confirmations, tables that become
// cards on a phone, empty states.
import { createContext } from "preact";
import { useCallback, useContext, useEffect, useId, useLayoutEffect, useRef, useState } from "preact/hooks";
import { emit, on } from "./bus.js";
import { human, pageError } from "./errors.js";

// ------------------------------------------------------------------ loading
/** [data, reload]: `load()` on mount, when `deps` change and whenever one of `topics` is emitted. */
export function useLoad(load, deps = [], topics = []) {
  const [data, setData] = useState(null);
  const tick = useRef(0);
  const run = useCallback(async () => {
    const n = ++tick.current;
    const value = await load();
    if (n === tick.current) setData(value === undefined ? null : value);
  }, deps);
  useEffect(() => {
    run();
    const offs = topics.map((t) => on(t, run));
    return () => { tick.current++; offs.forEach((off) => off()); };
  }, [run]);
  return [data, run];
}

export function useTopic(topic, fn) {
  useEffect(() => on(topic, fn), [topic, fn]);
}

// ------------------------------------------------------------------ status toast
/** Tell the person what happened. `error` colours it; `undo` adds an Undo button for `seconds`. */
let said = 0;
export function say(text, { error = false, undo = null, seconds = 8 } = {}) {
  emit("say", { text: text || "", error, undo, seconds, seq: ++said });
}

export function StatusHost() {
  const [msg, setMsg] = useState({ text: "", error: false });
  const [shown, setShown] = useState(false);
  useTopic("say", setMsg);
  useEffect(() => {
    setShown(Boolean(msg.text));
    if (!msg.text) return undefined;
    const t = setTimeout(() => setShown(false), (msg.undo ? msg.seconds : Math.max(msg.seconds, 8)) * 1000);
    return () => clearTimeout(t);
  }, [msg]);
  const undo = async () => {
    const fn = msg.undo;
    setMsg({ text: "", error: false });
    await fn();
  };
  return (
    <div class={`toast${shown ? " shown" : ""}${msg.error ? " error" : ""}`}>
      <p id="message" role="status" aria-live="polite" class={msg.error ? "error" : ""} data-seq={msg.seq || 0}>{msg.text}</p>
      {msg.undo && shown && <button type="button" class="secondary" onClick={undo}>Undo</button>}
    </div>
  );
}

// ------------------------------------------------------------------ confirmations
/** Ask before a destructive action: resolves true when confirmed. */
export function confirmAction({ title, text, action, danger = true }) {
  return new Promise((resolve) => emit("confirm", { title, text, action, danger, resolve }));
}

export function ConfirmHost() {
  const [ask, setAsk] = useState(null);
  const ref = useRef();
  useTopic("confirm", setAsk);
  useEffect(() => {
    if (ask && ref.current && !ref.current.open) ref.current.showModal();
  }, [ask]);
  const answer = (yes) => {
    if (ref.current && ref.current.open) ref.current.close();
    const a = ask;
    setAsk(null);
    if (a) a.resolve(yes);
  };
  if (!ask) return null;
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={(e) => { e.preventDefault(); answer(false); }}>
      <article>
        <h2 id="confirm-title">{ask.title}</h2>
        {ask.text && <p>{ask.text}</p>}
        <footer>
          <button type="button" class="secondary" onClick={() => answer(false)}>Cancel</button>
          <button type="button" class={ask.danger ? "danger" : ""} onClick={() => answer(true)}>{ask.action}</button>
        </footer>
      </article>
    </dialog>
  );
}

// ------------------------------------------------------------------ forms
const FormCtx = createContext(null);

/**
 * A form's error state. `fail(r)` shows an API refusal under the field it names (mapped through
 * `fields`: API field → control name), focuses that control and announces the message; a refusal no
 * field owns goes to the status line. `ok(text)` clears every error and says what happened.
 */
export function useForm(fields = {}) {
  const ref = useRef();
  const [errors, setErrors] = useState({});
  const show = (name, message) => {
    setErrors({ [name]: message });
    setTimeout(() => {
      const control = ref.current && ref.current.elements.namedItem(name);
      if (control && control.focus) control.focus();
    }, 0);
  };
  const fail = (r) => {
    const e = r.data && r.data.error;
    const apiField = e && e.field;
    let name = apiField && (fields[apiField] || apiField);
    if (apiField && !fields[apiField] && apiField.includes(".")) name = fields[apiField.split(".")[0]] || apiField.split(".")[0];
    if (name && ref.current && ref.current.elements.namedItem(name)) {
      show(name, human(e.message, apiField));
      say("");
    } else {
      setErrors({});
      say(pageError(r), { error: true });
    }
  };
  const ok = (text) => { setErrors({}); if (text !== undefined) say(text); };
  const clearField = (name) => setErrors((e) => (e[name] ? { ...e, [name]: undefined } : e));
  return { ref, errors, fail, ok, show, clearField, values: () => ref.current };
}

/**
 * <Form form={useForm()} onSubmit={(f) => ...} checks={{amount: (v, f) => message|null}}>: the
 * browser's own validation is off (its messages say nothing of what to type); required fields and
 * `checks` are tested first and their message shown under the field.
 */
export function Form({ form, onSubmit, checks = {}, children, ...rest }) {
  const busy = useRef(false);
  const submit = async (ev) => {
    ev.preventDefault();
    if (busy.current) return; // one submit at a time: a double click sends nothing twice
    const f = form.ref.current;
    for (const control of f.elements) {
      if (!control.name || control.disabled || control.closest("[hidden]")) continue;
      const value = (control.value || "").trim();
      if (control.required && !value) { form.show(control.name, control.dataset.required || "This is required."); return; }
      const check = checks[control.name];
      const problem = check && value ? check(value, f) : null;
      if (problem) { form.show(control.name, problem); return; }
    }
    busy.current = true;
    try { await onSubmit(f, ev); } finally { busy.current = false; }
  };
  return (
    <FormCtx.Provider value={form}>
      <form ref={form.ref} noValidate onSubmit={submit} {...rest}>{children}</form>
    </FormCtx.Provider>
  );
}

/** A labelled control with its error under it (aria-invalid, aria-describedby, announced). */
export function Field({ label, name, as = "input", hint, children, wrap, init, ...rest }) {
  const form = useContext(FormCtx);
  const id = useId();
  const own = useRef();
  // `init`: the value to start from (and to show again when it changes); typing is never overwritten
  // (a layout effect: set in the same render, before anyone can type)
  useLayoutEffect(() => { if (init !== undefined && own.current) own.current.value = init ?? ""; }, [init]);
  const error = form && form.errors[name];
  const Tag = as;
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  const onInput = (e) => { if (form) form.clearField(name); if (rest.onInput) rest.onInput(e); };
  const onChange = (e) => { if (form && as === "select") form.clearField(name); if (rest.onChange) rest.onChange(e); };
  const control = (
    <Tag ref={own} id={id} name={name} {...rest} onInput={onInput} onChange={onChange}
      aria-invalid={error ? "true" : undefined} aria-describedby={describedBy}>{children}</Tag>
  );
  return (
    <div class={`field${wrap ? ` ${wrap}` : ""}`} hidden={rest.hidden}>
      <label for={id}>{label}</label>
      {control}
      {error ? <small id={`${id}-error`} class="field-error" aria-live="assertive">{error}</small>
        : hint ? <small id={`${id}-hint`}>{hint}</small> : <small class="field-error" aria-live="assertive" />}
    </div>
  );
}

/** A checkbox with its label after it. */
export function Check({ label, name, init, ...rest }) {
  const own = useRef();
  useLayoutEffect(() => { if (init !== undefined && own.current) own.current.checked = Boolean(init); }, [init]);
  return <label class="check"><input ref={own} type="checkbox" name={name} {...rest} /> {label}</label>;
}

// Client-side checks that say what to type.
export function decimalCheck(v, { allowZero = false } = {}) {
  if (/^\s*-/.test(v)) return "Enter the amount without a minus sign.";
  if (/^\d+,\d+$/.test(v)) return `Use a point for decimals, e.g. ${v.replace(",", ".")}.`;
  if (!/^\d+(\.\d+)?$/.test(v) && !/^\.\d+$/.test(v)) return "Enter a number with a point for decimals, e.g. 12.50.";
  if (!allowZero && Number(v) === 0) return "Enter more than 0.";
  return null;
}

export function moneyCheck(v) {
  if (/^\s*-/.test(v)) return "Enter the amount without a minus sign: choose Income for money coming in.";
  if (/^\d+(\.\d{4,})$/.test(v)) return "Use at most 3 decimals, e.g. 12.50.";
  return decimalCheck(v, { allowZero: true });
}

// ------------------------------------------------------------------ display
export function Empty({ children, href, action }) {
  return (
    <p class="empty">{children}{href && <> <a href={href}>{action}</a></>}</p>
  );
}

/**
 * A table that stays usable on a phone: at narrow widths each row becomes a card and each cell shows
 * its column's name (data-label). `columns`: [{label, cell(row), class, manager}].
 */
export function Table({ id, caption, hideCaption, columns, rows, rowProps = () => ({}), empty }) {
  if (!rows) return <p aria-busy="true">Loading…</p>;
  if (!rows.length && empty) return empty;
  return (
    // a wide table scrolls inside its own box, which the keyboard can reach and a screen reader names
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption || "Table"}>
      <table id={id} class="cards">
        {caption && <caption class={hideCaption ? "visually-hidden" : undefined}>{caption}</caption>}
        <thead><tr>{columns.map((c) => <th scope="col" class={c.class}>{c.label}</th>)}</tr></thead>
        <tbody>
          {rows.map((row) => (
            <tr {...rowProps(row)}>
              {columns.map((c) => <td data-label={c.label} class={c.class}>{c.cell(row)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Badge({ kind, children }) {
  return <span class={`badge ${kind}`}>{children || kind}</span>;
}
