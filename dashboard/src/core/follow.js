// Writes whose effects reach totals and charts through the stream, for every module: a write says what
// changed (pages showing it reload), then the module's chart JSON is polled (one poller per module,
// about 15 s after the newest write) until its generated_at has caught up with that write.
import { api, chartWanted, noteWrite, serverTime, signedIn } from "./api.js";
import { emit } from "./bus.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * scope: the topic and write scope ("expenses", "inventory"); chartPath(): the chart JSON's API path;
 * ready(): whether polling makes sense now (e.g. an organisation is chosen); caughtUp(chart): what to do
 * once the chart includes the newest write, returning true to stop (false: a newer write came meanwhile).
 */
export function followCharts({ scope, chartPath, ready = () => true, caughtUp }) {
  let pollUntil = 0;
  let polling = false;

  async function poll() {
    pollUntil = Date.now() + 15000;
    if (polling) return;
    polling = true;
    try {
      for (let i = 0; Date.now() < pollUntil; i++) {
        await sleep(i === 0 ? 800 : 1500);
        if (!signedIn() || !ready() || Date.now() >= pollUntil) return;
        const r = await api("GET", chartPath());
        if (r.ok && serverTime(r.data.generated_at) >= chartWanted(scope) && (await caughtUp(r.data))) return;
      }
    } finally {
      polling = false;
    }
  }

  /** A write through the API; on success the pages of `scope` reload and the charts are polled. */
  async function write(method, path, body, stampOf = (d) => d && d.updated_at) {
    const startedAt = Date.now();
    const r = await api(method, path, body);
    if (r.ok) {
      noteWrite(scope, stampOf(r.data), startedAt);
      emit(scope);
      poll();
    }
    return r;
  }

  return { write, poll, sleep };
}
