// Lists the forms offer: currencies, time zones, and a guess of both from the browser.
export const CURRENCIES = ["AED", "ARS", "AUD", "BGN", "BHD", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CZK", "DKK",
  "EGP", "EUR", "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "ISK", "JOD", "JPY", "KES", "KRW", "KWD", "MAD", "MXN",
  "MYR", "NGN", "NOK", "NZD", "OMR", "PEN", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "SAR", "SEK", "SGD", "THB",
  "TND", "TRY", "TWD", "UAH", "USD", "VND", "ZAR"];

const EURO = "AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK".split(" ");
const BY_REGION = { US: "USD", GB: "GBP", CA: "CAD", AU: "AUD", NZ: "NZD", CH: "CHF", JP: "JPY", CN: "CNY", IN: "INR",
  BR: "BRL", MX: "MXN", SE: "SEK", NO: "NOK", DK: "DKK", PL: "PLN", CZ: "CZK", HU: "HUF", RO: "RON", BG: "BGN",
  ZA: "ZAR", KR: "KRW", SG: "SGD", HK: "HKD", TW: "TWD", TH: "THB", MY: "MYR", ID: "IDR", PH: "PHP", VN: "VND",
  TR: "TRY", IL: "ILS", AE: "AED", SA: "SAR", EG: "EGP", NG: "NGN", KE: "KES", AR: "ARS", CL: "CLP", CO: "COP",
  PE: "PEN", UA: "UAH", IS: "ISK", MA: "MAD", PK: "PKR", QA: "QAR", KW: "KWD", BH: "BHD", OM: "OMR", JO: "JOD",
  RS: "RSD", TN: "TND" };

export function browserTimeZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch { return "UTC"; }
}

export function browserCurrency() {
  try {
    const region = new Intl.Locale(navigator.language || "en-US").maximize().region;
    if (EURO.includes(region)) return "EUR";
    return BY_REGION[region] || "USD";
  } catch {
    return "USD";
  }
}

export function timeZones(current) {
  let zones = [];
  try { zones = Intl.supportedValuesOf("timeZone"); } catch { zones = []; }
  const all = new Set(["UTC", ...zones]);
  if (current) all.add(current);
  return [...all].sort();
}
