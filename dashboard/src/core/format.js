// Numbers, money, months and days as a person reads them, in the browser's language.
const locale = () => navigator.language || "en";
const formats = new Map();

export function money(amount, currency) {
  if (amount === null || amount === undefined || amount === "") return "–";
  const key = `m:${currency}`;
  if (!formats.has(key)) {
    try {
      formats.set(key, new Intl.NumberFormat(locale(), { style: "currency", currency: currency || "USD" }));
    } catch {
      formats.set(key, { format: (n) => `${n} ${currency}` });
    }
  }
  return formats.get(key).format(Number(amount));
}

/** Short money for axis ticks: "$1.2K". */
export function moneyShort(amount, currency) {
  try {
    return new Intl.NumberFormat(locale(), { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 })
      .format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

export function number(n) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 3 }).format(Number(n));
}

/** "2026-03" → "March 2026" (long) or "Mar" (short). */
export function monthName(ym, style = "long") {
  const [y, m] = ym.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1, 1));
  return new Intl.DateTimeFormat(locale(), style === "long" ? { month: "long", year: "numeric", timeZone: "UTC" }
    : { month: "short", timeZone: "UTC" }).format(d);
}

/** "2026-03-05" → "5 Mar" (or "Thu 5 Mar 2026" with `long`). */
export function dayName(ymd, long = false) {
  if (!ymd) return "";
  const [y, m, d] = ymd.slice(0, 10).split("-").map(Number);
  const opts = long ? { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }
    : { day: "numeric", month: "short", timeZone: "UTC" };
  return new Intl.DateTimeFormat(locale(), opts).format(new Date(Date.UTC(y, m - 1, d)));
}

export const today = () => new Date().toISOString().slice(0, 10);
export const thisMonth = () => today().slice(0, 7);

export function daysInMonth(ym) {
  const [y, m] = ym.split("-").map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}
