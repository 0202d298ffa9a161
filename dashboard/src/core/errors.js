// The API's error body is {"error": {"code", "message", "field"}}. A person reads none of the field keys
// or pydantic's wording: `human` turns a message into plain words for the field it is shown under.
const PYDANTIC = [
  [/^value error,\s*/i, ""],
  [/^assertion failed,\s*/i, ""],
  [/^field required$/i, "This is required."],
  [/^input should be a valid (decimal|number|integer).*$/i, "Enter a number, e.g. 12.50 (use a point for decimals)."],
  [/^input should be a valid date.*$/i, "Enter a date."],
  [/^input should be greater than or equal to (\S+)$/i, "Enter $1 or more."],
  [/^input should be greater than (\S+)$/i, "Enter more than $1."],
  [/^input should be less than or equal to (\S+)$/i, "Enter $1 or less."],
  [/^string should have at most (\d+) characters?$/i, "Use at most $1 characters."],
  [/^string should have at least (\d+) characters?$/i, "Use at least $1 characters."],
  [/^input should be (.+)$/i, "Choose $1."],
  [/^extra inputs are not permitted$/i, "This is not expected here."],
];

/** The message in words a person understands: no "field: " prefix, no "Value error", a capital first. */
export function human(message, field) {
  let text = String(message || "Something went wrong.").trim();
  // the API often repeats the field ("quantity: quantity: Value error, ...")
  for (let i = 0; i < 3 && field; i++) {
    const last = field.split(".").pop();
    const prefix = new RegExp(`^(${field.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}|${last})\\s*:\\s*`, "i");
    if (!prefix.test(text)) break;
    text = text.replace(prefix, "");
  }
  for (const [pattern, replacement] of PYDANTIC) text = text.replace(pattern, replacement);
  text = text.replace(/\b[a-z]+(_[a-z]+)+\b/g, (key) => key.replace(/_/g, " ")); // snake_case keys → words
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(text) ? text : `${text}.`;
}

/** The whole refusal as one sentence for the page (when no field owns it). */
export function pageError(r) {
  if (r.status === 0) return "You are offline: try again when you are back online.";
  const e = r.data && r.data.error;
  if (!e) return `The request failed (${r.status}). Please try again.`;
  const extra = r.data.available !== undefined ? ` Available: ${r.data.available}.` : "";
  return human(e.message, e.field) + extra;
}
