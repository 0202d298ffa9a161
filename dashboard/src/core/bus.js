// A tiny publish/subscribe: a write says what changed ("expenses", "inventory"), every page showing
// that data reloads it. Pages subscribe while mounted (see useTopic in ui.jsx).
const listeners = new Map();

export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(fn);
  return () => listeners.get(topic).delete(fn);
}

export function emit(topic, value) {
  for (const fn of [...(listeners.get(topic) || [])]) fn(value);
}
