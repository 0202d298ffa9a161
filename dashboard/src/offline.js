// The offline queue: changes made without a network wait in IndexedDB, one per entry id, in order.
// Each change belongs to the person who made it: another person signing in on this browser never
// sends (or sees) it.
const DB = "tally";
const STORE = "pending";

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    tx.onerror = () => reject(tx.error);
  });
}

export async function pending(owner) {
  const items = (await run("readonly", (s) => s.getAll())) || [];
  return items.filter((p) => p.owner === owner).sort((a, b) => a.seq - b.seq);
}

// A change for entry `id`: "put" with the body to send, or "delete". A later change of the same entry
// replaces the earlier one, keeping its place; a put of an entry created offline stays a create.
export async function queue(owner, id, op, body) {
  const before = (await pending(owner)).find((p) => p.id === id);
  const seq = before ? before.seq : Date.now() + Math.random();
  if (op === "delete" && before && before.op === "put" && !before.body.version) {
    await run("readwrite", (s) => s.delete(id)); // created and deleted offline: nothing to send
    return;
  }
  await run("readwrite", (s) => s.put({ id, owner, op, body, seq, queued_at: new Date().toISOString() }));
}

export async function done(id) {
  await run("readwrite", (s) => s.delete(id));
}
